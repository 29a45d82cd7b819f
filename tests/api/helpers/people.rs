//! Who calls: citizens with accounts, anonymous reporters, and staff
//! accounts made the way an admin makes them, each with a token to call
//! with.

use serde_json::{Value, json};
use tipline::domain::Role;

use super::TestApp;

/// The access token of a token pair.
pub fn access_token(pair: &Value) -> String {
    pair["access_token"].as_str().unwrap().to_owned()
}

/// An anonymous reporter's access token: a session of its own.
pub async fn anonymous(app: &TestApp) -> String {
    let r: Value = app
        .post("/v1/auth/anonymous", json!({}))
        .await
        .json()
        .await
        .unwrap();
    access_token(&r)
}

/// A citizen registered with `phone`; their access token.
pub async fn citizen(app: &TestApp, phone: &str) -> String {
    access_token(&app.register(phone, "a good password").await)
}

impl TestApp {
    /// Registers a citizen and returns the token pair.
    pub async fn register(&self, phone: &str, password: &str) -> Value {
        let response = self
            .post(
                "/v1/auth/register",
                json!({"phone": phone, "password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            201,
            "register {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// Logs in and returns the token pair.
    pub async fn login(&self, login: &str, password: &str) -> Value {
        let response = self
            .post(
                "/v1/auth/login",
                json!({"login": login, "password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "login {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// A staff account made the way an admin would, and its access token.
    pub async fn staff(
        &self,
        username: &str,
        role: Role,
        unit_id: Option<uuid::Uuid>,
    ) -> (uuid::Uuid, String) {
        let password = "staff password 123";
        let user = tipline::accounts::create_staff(
            &self.state,
            tipline::accounts::StaffRequest {
                username,
                password,
                role,
                unit_id,
            },
            &tipline::context::Ctx::system(&self.state.clock, "test-setup"),
        )
        .await
        .expect("staff account created");
        let pair = self.login(username, password).await;
        (user.id, access_token(&pair))
    }
}
