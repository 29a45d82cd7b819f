//! The moderator desk: one test's world of an app whose reporters may send
//! as many tips as the test needs, a moderator, and an anonymous reporter;
//! and what the moderator does there (the queue, claims, decisions, leads,
//! the audit log as an admin reads it).

use serde_json::{Value, json};
use tipline::domain::Role;
use uuid::Uuid;

use super::{TestApp, TestEnv, anonymous, citizen, id_of, ids, tiny_png, tip_body, upload};

/// One test's world: an app whose reporters may send as many tips as the
/// test needs, a moderator, and an anonymous reporter.
pub struct Desk {
    pub app: TestApp,
    pub moderator: String,
    pub moderator_id: Uuid,
    pub reporter: String,
}

impl Desk {
    pub async fn open() -> Self {
        Self::open_in(TestEnv::new().await).await
    }

    /// The desk in `env`, with reporting limits raised for busy tests.
    pub async fn open_in(mut env: TestEnv) -> Self {
        for key in [
            "TIPLINE_TIPS_PER_HOUR_PER_REPORTER",
            "TIPLINE_TIPS_PER_HOUR_PER_ADDRESS",
            "TIPLINE_MEDIA_PER_HOUR_PER_REPORTER",
            "TIPLINE_MEDIA_PER_HOUR_PER_ADDRESS",
        ] {
            env.set(key, "1000");
        }
        let app = TestApp::spawn_in(env).await;
        let (moderator_id, moderator) = app.staff("mod.one", Role::Moderator, None).await;
        let reporter = anonymous(&app).await;
        Self {
            app,
            moderator,
            moderator_id,
            reporter,
        }
    }

    /// Another staff account.
    pub async fn staff(&self, name: &str, role: Role) -> (Uuid, String) {
        self.app.staff(name, role, None).await
    }

    /// A citizen's access token.
    pub async fn citizen(&self, phone: &str) -> String {
        citizen(&self.app, phone).await
    }

    /// Submits a tip as `token` with one photo; `edit` changes the body of
    /// `tip_body`. Returns the whole answer (`tip`, and `receipt` for an
    /// anonymous reporter).
    pub async fn submit_as(
        &self,
        token: &str,
        photo: &[u8],
        edit: impl FnOnce(&mut Value),
    ) -> Value {
        let media = upload(&self.app, token, photo).await;
        let mut body = tip_body(&[media["id"].as_str().unwrap()]);
        edit(&mut body);
        let response = self.app.post_as("/v1/tips", token, body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// A tip of the anonymous reporter, with a tiny photo; returns its id.
    pub async fn tip(&self, edit: impl FnOnce(&mut Value)) -> String {
        let submitted = self.submit_as(&self.reporter, &tiny_png(), edit).await;
        id_of(&submitted["tip"])
    }

    pub async fn get(&self, token: &str, path: &str) -> Value {
        let response = self.app.get_as(path, token).await;
        assert_eq!(
            response.status(),
            200,
            "GET {path}: {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// The queue with these query parameters, as the moderator.
    pub async fn queue(&self, params: &[(&str, &str)]) -> Value {
        self.queue_as(&self.moderator, params).await
    }

    pub async fn queue_as(&self, token: &str, params: &[(&str, &str)]) -> Value {
        let response = self.queue_response(token, params).await;
        assert_eq!(
            response.status(),
            200,
            "queue {params:?}: {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    pub async fn queue_response(&self, token: &str, params: &[(&str, &str)]) -> reqwest::Response {
        self.app
            .client
            .get(self.app.url("/v1/moderation/tips"))
            .bearer_auth(token)
            .query(params)
            .send()
            .await
            .unwrap()
    }

    /// The moderator's view of a tip.
    pub async fn detail(&self, id: &str) -> Value {
        self.get(&self.moderator, &format!("/v1/moderation/tips/{id}"))
            .await
    }

    pub async fn claim_response(&self, token: &str, id: &str) -> reqwest::Response {
        self.app
            .post_as(&format!("/v1/moderation/tips/{id}/claim"), token, json!({}))
            .await
    }

    /// Claims a tip as `token`; returns the version to decide with.
    pub async fn claim_as(&self, token: &str, id: &str) -> i64 {
        let response = self.claim_response(token, id).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let state: Value = response.json().await.unwrap();
        assert_eq!(state["status"], "in_review");
        state["version"].as_i64().unwrap()
    }

    pub async fn claim(&self, id: &str) -> i64 {
        self.claim_as(&self.moderator, id).await
    }

    /// `POST /v1/moderation/tips/{id}/{action}` as `token`.
    pub async fn decide_as(
        &self,
        token: &str,
        id: &str,
        action: &str,
        body: Value,
    ) -> reqwest::Response {
        self.app
            .post_as(&format!("/v1/moderation/tips/{id}/{action}"), token, body)
            .await
    }

    /// A decision by the moderator that must succeed; returns the tip's state.
    pub async fn decide(&self, id: &str, action: &str, body: Value) -> Value {
        let response = self.decide_as(&self.moderator, id, action, body).await;
        assert_eq!(
            response.status(),
            200,
            "{action}: {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// Claims and verifies a tip into a new lead; returns the lead's id.
    pub async fn verify(&self, id: &str) -> String {
        let version = self.claim(id).await;
        let state = self.decide(id, "verify", json!({"version": version})).await;
        assert_eq!(state["status"], "verified");
        state["lead_id"].as_str().unwrap().to_owned()
    }

    pub async fn lead(&self, id: &str) -> Value {
        self.get(&self.moderator, &format!("/v1/leads/{id}")).await
    }

    pub async fn leads(&self, params: &[(&str, &str)]) -> Vec<String> {
        let response = self
            .app
            .client
            .get(self.app.url("/v1/leads"))
            .bearer_auth(&self.moderator)
            .query(params)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "leads {params:?}");
        let page: Value = response.json().await.unwrap();
        ids(&page["items"])
    }

    pub async fn remove_from_lead(&self, lead: &str, tip: &str, version: i64) -> reqwest::Response {
        self.app
            .client
            .delete(self.app.url(&format!("/v1/leads/{lead}/tips/{tip}")))
            .bearer_auth(&self.moderator)
            .query(&[("version", version)])
            .send()
            .await
            .unwrap()
    }

    /// Audit events as an admin sees them, filtered by `params`.
    pub async fn audit(&self, admin: &str, params: &[(&str, &str)]) -> Vec<Value> {
        let response = self
            .app
            .client
            .get(self.app.url("/v1/admin/audit"))
            .bearer_auth(admin)
            .query(params)
            .query(&[("limit", "100")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "audit {params:?}");
        let page: Value = response.json().await.unwrap();
        page["items"].as_array().unwrap().clone()
    }

    /// `POST /v1/leads/{lead}/tips` as the moderator.
    pub async fn add_to_lead(&self, lead: &str, version: i64, tip: &str) -> reqwest::Response {
        self.app
            .post_as(
                &format!("/v1/leads/{lead}/tips"),
                &self.moderator,
                json!({"version": version, "tip_id": tip}),
            )
            .await
    }

    /// Verifies a claimed tip into an open lead; returns the tip's state.
    pub async fn verify_into(&self, id: &str, version: i64, lead: &str) -> Value {
        self.decide(id, "verify", json!({"version": version, "lead_id": lead}))
            .await
    }
}
