//! The authorization harness. It reads the generated spec and, for every
//! operation that declares security schemes (roles), checks that
//!
//! - with no token the answer is 401 `auth.unauthorized`;
//! - with the token of a role the operation does not list, it is 403 (or
//!   404, for objects that must stay hidden), and 401 for an anonymous
//!   reporter's token, which is no credential there;
//! - with the token of each listed role, it is neither 401 nor 403.
//!
//! Deny by default: an operation without security in the spec must be on
//! the short list of public operations below (adding one is a deliberate
//! act), and the harness checks it does not ask for a token. Every other
//! operation is covered by being in the spec; nothing here lists it.

use serde_json::Value;
use tipline::commands::{SpecFormat, openapi};
use tipline::domain::Role;

use crate::helpers::{TestApp, anonymous};

const ROLES: [&str; 5] = ["citizen", "moderator", "unit_officer", "admin", "anonymous"];

/// The operations anyone may call without a token, by operation id.
const PUBLIC: &[&str] = &[
    "healthz",
    "readyz",
    "metrics",
    "register",
    "login",
    "refresh",
    "logout",
    "anonymous_session",
    // The token to renew is in the body: it may have expired.
    "renew_anonymous_session",
    "list_categories",
    "client_config",
    // Receipts authenticate with their own secret, not a token.
    "get_receipt_tip",
    "list_receipt_messages",
    "post_receipt_message",
    "list_receipt_notifications",
    "mark_receipt_notifications_read",
    "get_receipt_rewards",
    // The audit checkpoints' public key: anyone may check a checkpoint.
    "audit_checkpoint_key",
];

struct Operation {
    method: reqwest::Method,
    path: String,
    id: String,
    accepts: Vec<String>,
    has_body: bool,
    /// Whether the path names an object (which may then stay hidden: 404).
    names_object: bool,
}

fn operations() -> Vec<Operation> {
    let spec: Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let accepts = op["security"]
                .as_array()
                .map(|alternatives| {
                    alternatives
                        .iter()
                        .flat_map(|req| req.as_object().unwrap().keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            // Every path parameter gets a fresh id: objects that exist are
            // not needed to test who may ask.
            let concrete = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        uuid::Uuid::now_v7().to_string()
                    } else {
                        segment.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            found.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: concrete,
                id: op["operationId"].as_str().unwrap_or(path).to_owned(),
                accepts,
                has_body: op.get("requestBody").is_some(),
                names_object: path.contains('{'),
            });
        }
    }
    found
}

/// A token of each role, minted fresh for each call: some operations
/// (signing out everywhere) end the caller's other tokens.
struct Callers {
    users: Vec<(&'static str, uuid::Uuid)>,
}

impl Callers {
    async fn new(app: &TestApp) -> Self {
        let unit = app.unit().await;
        let citizen = app.register("13800138099", "citizen password").await;
        let citizen_id = citizen["user"]["id"].as_str().unwrap().parse().unwrap();
        let (moderator, _) = app.staff("harness.mod", Role::Moderator, None).await;
        let (officer, _) = app
            .staff("harness.officer", Role::UnitOfficer, Some(unit))
            .await;
        let (admin, _) = app.staff("harness.admin", Role::Admin, None).await;
        Self {
            users: vec![
                ("citizen", citizen_id),
                ("moderator", moderator),
                ("unit_officer", officer),
                ("admin", admin),
            ],
        }
    }

    async fn token(&self, app: &TestApp, role: &str) -> String {
        if role == "anonymous" {
            return anonymous(app).await;
        }
        let (_, id) = self.users.iter().find(|(r, _)| *r == role).unwrap();
        let user = tipline::store::users::find(&app.state.db, *id)
            .await
            .unwrap()
            .unwrap();
        let role: Role = user.role;
        app.state
            .tokens
            .issue_account(user.id, role, user.token_version)
            .token
    }
}

async fn call(app: &TestApp, op: &Operation, token: Option<&str>) -> (u16, Value) {
    let mut request = app.client.request(op.method.clone(), app.url(&op.path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if op.has_body {
        request = request.json(&serde_json::json!({}));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let streamed = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
    if streamed {
        // A live stream does not end: its status says what matters here.
        return (status, Value::Null);
    }
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn every_operation_admits_exactly_its_roles() {
    let app = TestApp::spawn().await;
    let callers = Callers::new(&app).await;
    let operations = operations();
    assert!(
        operations.len() >= 15,
        "the spec lists {} operations",
        operations.len()
    );
    let mut secured = 0;

    for op in &operations {
        let label = format!("{} {} ({})", op.method, op.path, op.id);
        let (status, body) = call(&app, op, None).await;
        if op.accepts.is_empty() {
            assert!(
                PUBLIC.contains(&op.id.as_str()),
                "{label} declares no security: add Auth<…> to it, or (if it really is public) list it in PUBLIC"
            );
            assert!(
                status != 401 && status != 403 && status < 500,
                "{label} is public but answered {status}: {body}"
            );
            continue;
        }
        secured += 1;
        assert_eq!(status, 401, "{label} without a token: {body}");
        assert_eq!(body["code"], "auth.unauthorized", "{label}");
        for unknown in &op.accepts {
            assert!(
                ROLES.contains(&unknown.as_str()),
                "{label} names an unknown scheme {unknown}"
            );
        }

        for role in ROLES {
            let token = callers.token(&app, role).await;
            let (status, body) = call(&app, op, Some(&token)).await;
            if op.accepts.iter().any(|r| r == role) {
                assert!(
                    status != 401 && status != 403 && status < 500,
                    "{label} accepts {role} but answered {status}: {body}"
                );
            } else if role == "anonymous" {
                assert_eq!(status, 401, "{label} as {role}: {body}");
            } else {
                // Hidden: a missing object, or a whole operation that must
                // stay invisible to this role (the answer of an unknown route).
                let hidden = status == 404 && (op.names_object || body["code"] == "not_found");
                assert!(
                    status == 403 || hidden,
                    "{label} does not accept {role} but answered {status}: {body}"
                );
            }
        }
    }
    assert!(secured >= 8, "only {secured} operations need a token");
}
