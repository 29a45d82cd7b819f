//! Several `tipline` processes on one database and one blob store, as a
//! deployment runs them behind a load balancer. Each node is a real child
//! process on a port of its own, which the test may kill with SIGKILL and
//! start again on the same port; the test reads the stores directly to
//! check what the nodes left there.
//!
//! Several nodes need a database and a blob store that several processes
//! share: PostgreSQL and S3. On the embedded default (one SQLite file, local
//! files) the tests that need them are skipped, saying so.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tipline::blob::BlobStore;
use tipline::domain::Role;
use uuid::Uuid;

use super::{Running, TestEnv, form, free_port, tiny_png, tip_body};
use crate::contract::SendChecked;

/// A signing key for audit checkpoints (hex seed), the same on every node.
pub const NODES_AUDIT_KEY: &str =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

/// Whether this run can have several nodes (PostgreSQL and S3); when not,
/// says why the calling test is skipped.
pub fn nodes_possible(env: &TestEnv) -> bool {
    if env.pg_database.is_some() && env.uses_s3() {
        return true;
    }
    eprintln!(
        "skipped: several nodes share PostgreSQL and an S3 store; \
         this run uses SQLite and local files"
    );
    false
}

/// The settings every node of these tests runs with: background work at
/// short intervals (so a test sees it within seconds), checkpoints signed,
/// reporting limits out of the way of load.
pub fn node_settings(env: &mut TestEnv) {
    for (key, value) in [
        ("TIPLINE_AUDIT_SEAL_MS", "100"),
        ("TIPLINE_AUDIT_CHECKPOINT_SECS", "1"),
        ("TIPLINE_AUDIT_SIGNING_KEY", NODES_AUDIT_KEY),
        ("TIPLINE_WEBHOOK_POLL_MS", "100"),
        ("TIPLINE_WEBHOOK_RETRY_BASE_MS", "200"),
        ("TIPLINE_DEADLINE_SWEEP_SECS", "1"),
        ("TIPLINE_LIVE_POLL_MS", "200"),
        ("TIPLINE_TIPS_PER_HOUR_PER_REPORTER", "100000"),
        ("TIPLINE_TIPS_PER_HOUR_PER_ADDRESS", "100000"),
        ("TIPLINE_MEDIA_PER_HOUR_PER_REPORTER", "100000"),
        ("TIPLINE_MEDIA_PER_HOUR_PER_ADDRESS", "100000"),
    ] {
        env.set(key, value);
    }
}

/// The nodes of one test.
pub struct Nodes {
    pub env: TestEnv,
    ports: Vec<u16>,
    running: Vec<Option<Running>>,
    /// The database as the test reads it (not through any node).
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
}

impl Nodes {
    /// Starts `count` nodes on `env`'s database and blob store, all at once,
    /// and waits until each serves.
    pub async fn start(env: TestEnv, count: usize) -> Self {
        let settings = env.settings();
        let db = tipline::store::connect(&settings.database_url(), 4, Duration::from_secs(10))
            .await
            .expect("the test reaches the nodes' database");
        let mut nodes = Self {
            env,
            ports: (0..count).map(|_| free_port()).collect(),
            running: (0..count).map(|_| None).collect(),
            db,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        };
        for i in 0..count {
            nodes.running[i] = Some(Running::start(&nodes.vars(i)));
        }
        for i in 0..count {
            nodes.wait_ready(i);
        }
        nodes
    }

    /// Node `i`'s configuration: the test's, with a port, a data dir and a
    /// database `application_name` of its own (so the test can tell which
    /// node holds a lock).
    pub fn vars(&self, i: usize) -> Vec<(String, String)> {
        let mut vars = self.env.vars.clone();
        let mut set = |key: &str, value: String| {
            vars.retain(|(k, _)| k != key);
            vars.push((key.to_owned(), value));
        };
        set("TIPLINE_BIND", format!("127.0.0.1:{}", self.ports[i]));
        set(
            "TIPLINE_DATA_DIR",
            self.env
                .dir
                .path()
                .join(format!("node-{i}"))
                .display()
                .to_string(),
        );
        let mut url = url::Url::parse(self.env.settings().database_url().expose()).unwrap();
        url.query_pairs_mut()
            .append_pair("application_name", &node_name(i));
        set("TIPLINE_DATABASE_URL", url.to_string());
        set("TIPLINE_LOG_FORMAT", "json".to_owned());
        // The address line is at info; the rest only when it goes wrong.
        set("TIPLINE_LOG_LEVEL", "warn,tipline::server=info".to_owned());
        vars
    }

    fn wait_ready(&mut self, i: usize) {
        let node = self.running[i].as_mut().expect("the node runs");
        let addr = node.address();
        assert_eq!(addr, format!("127.0.0.1:{}", self.ports[i]));
    }

    pub fn count(&self) -> usize {
        self.ports.len()
    }

    /// `http://127.0.0.1:PORT` of node `i`, the same across restarts.
    pub fn base(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[i])
    }

    pub fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.base(i))
    }

    /// Every node's base URL, for load that spreads over them.
    pub fn bases(&self) -> Arc<Vec<String>> {
        Arc::new((0..self.count()).map(|i| self.base(i)).collect())
    }

    /// SIGKILL: node `i` ends at once, whatever it was doing.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut node) = self.running[i].take() {
            node.kill();
        }
    }

    /// Starts node `i` again (on its port) and waits until it serves.
    pub fn restart(&mut self, i: usize) {
        assert!(self.running[i].is_none(), "node {i} still runs");
        self.running[i] = Some(Running::start(&self.vars(i)));
        self.wait_ready(i);
    }

    /// Whether node `i` is still the process the test started (it did not
    /// die or restart on its own).
    pub fn still_running(&mut self, i: usize) -> bool {
        self.running[i]
            .as_mut()
            .is_some_and(|node| node.is_running())
    }

    /// `tipline audit verify` against the nodes' stores: exit code, stdout,
    /// stderr.
    pub fn audit_verify(&self) -> (Option<i32>, String, String) {
        let out = super::tipline(&self.env.vars)
            .args(["audit", "verify"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// The blob store the nodes write, opened by the test.
    pub async fn blobs(&self) -> Arc<dyn BlobStore> {
        let settings = self.env.settings();
        tipline::server::open_blobs(
            &settings,
            tipline::blob::UrlSigner::new(super::SIGNING_SECRET.as_bytes()),
            &url::Url::parse("http://127.0.0.1/").unwrap(),
        )
        .await
        .expect("the test opens the nodes' blob store")
    }

    /// One number from the database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        scalar(&self.db, sql).await
    }

    /// Waits until every committed audit event is sealed.
    pub async fn all_sealed(&self) -> bool {
        super::eventually(Duration::from_secs(120), || async {
            self.scalar("SELECT count(*) FROM audit_events WHERE seq IS NULL")
                .await
                == 0
        })
        .await
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<String>,
}

impl Answer {
    pub async fn of(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.json().await.unwrap_or_default();
        Self {
            status,
            body,
            retry_after,
        }
    }

    /// The body of a 2xx answer; anything else fails the test.
    pub fn ok(self) -> Value {
        assert!((200..300).contains(&self.status), "{self:?}");
        self.body
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// Sends the requests all at once (each checked against the spec) and
/// returns their answers in order.
pub async fn at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<Answer> {
    let sent: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move { Answer::of(request.checked().await.unwrap()).await })
        })
        .collect();
    let mut answers = Vec::with_capacity(sent.len());
    for answer in sent {
        answers.push(answer.await.unwrap());
    }
    answers
}

impl Nodes {
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        Answer::of(request.checked().await.expect("the node answers")).await
    }

    pub async fn get_as(&self, node: usize, path: &str, token: &str) -> Answer {
        self.send(self.client.get(self.url(node, path)).bearer_auth(token))
            .await
    }

    pub async fn post_as(&self, node: usize, path: &str, token: &str, body: Value) -> Answer {
        self.send(
            self.client
                .post(self.url(node, path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    /// An anonymous reporter's token, from node `node`.
    pub async fn anonymous(&self, node: usize) -> String {
        let pair = self
            .send(
                self.client
                    .post(self.url(node, "/v1/auth/anonymous"))
                    .json(&json!({})),
            )
            .await
            .ok();
        pair["access_token"].as_str().unwrap().to_owned()
    }

    /// A staff account written to the database as `tipline admin
    /// create-user` would, signed in on node 0; its id and token.
    pub async fn staff(&self, username: &str, role: Role, unit_id: Option<Uuid>) -> (Uuid, String) {
        let password = "staff password 123";
        let user = tipline::store::users::create_staff(
            &self.db,
            tipline::store::users::NewStaff {
                username,
                password_hash: tipline::auth::password::hash(password),
                role,
                unit_id,
            },
            chrono::Utc::now(),
        )
        .await
        .expect("a staff account");
        let pair = self
            .send(
                self.client
                    .post(self.url(0, "/v1/auth/login"))
                    .json(&json!({"login": username, "password": password})),
            )
            .await
            .ok();
        (user.id, pair["access_token"].as_str().unwrap().to_owned())
    }

    /// Uploads a tiny photo as `token` through node `node`; the media.
    pub async fn upload(&self, node: usize, token: &str) -> Answer {
        let (content_type, body) = form(&[("file", "p.png", "image/png", &tiny_png())]);
        self.send(
            self.client
                .post(self.url(node, "/v1/media"))
                .bearer_auth(token)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// A tip with one photo, sent as `token` through node `node`; its id.
    pub async fn tip(&self, node: usize, token: &str) -> String {
        let media = self.upload(node, token).await.ok();
        let submitted = self
            .post_as(
                node,
                "/v1/tips",
                token,
                tip_body(&[media["id"].as_str().unwrap()]),
            )
            .await
            .ok();
        submitted["tip"]["id"].as_str().unwrap().to_owned()
    }

    /// Claims and verifies a tip into a new lead as `moderator` on node
    /// `node`; the lead's id.
    pub async fn lead(&self, node: usize, moderator: &str, tip: &str) -> String {
        let claimed = self
            .post_as(
                node,
                &format!("/v1/moderation/tips/{tip}/claim"),
                moderator,
                json!({}),
            )
            .await
            .ok();
        let verified = self
            .post_as(
                node,
                &format!("/v1/moderation/tips/{tip}/verify"),
                moderator,
                json!({"version": claimed["version"]}),
            )
            .await
            .ok();
        verified["lead_id"].as_str().unwrap().to_owned()
    }

    /// Forwards `lead` to `unit` as `moderator` on node `node`.
    pub async fn forward(&self, node: usize, moderator: &str, lead: &str, unit: Uuid) {
        let current = self
            .get_as(node, &format!("/v1/leads/{lead}"), moderator)
            .await
            .ok();
        self.post_as(
            node,
            &format!("/v1/leads/{lead}/forward"),
            moderator,
            json!({"version": current["version"], "unit_id": unit, "note": "see the photos"}),
        )
        .await
        .ok();
    }

    /// A unit made by `admin` on node `node` from `body`; its id.
    pub async fn unit(&self, node: usize, admin: &str, body: Value) -> Uuid {
        let unit = self
            .post_as(node, "/v1/admin/units", admin, body)
            .await
            .ok();
        unit["id"].as_str().unwrap().parse().unwrap()
    }
}

/// The `application_name` node `i` connects with.
pub fn node_name(i: usize) -> String {
    format!("tipline-node-{i}")
}

/// One number (`bigint`) from the database.
pub async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get_by_index::<i64>(0)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
