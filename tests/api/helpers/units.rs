//! The city: units made through the admin API over areas around the point
//! `tip_body` reports, their officers, and leads of two tips forwarded to
//! them; and a unit made straight in the store for tests that only need
//! one to exist.

use serde_json::{Value, json};
use tipline::domain::Role;
use uuid::Uuid;

use super::{Desk, PHONE_PHOTO, TestApp, TestEnv, id_of, tiny_png};

/// Around the point `tip_body` reports (39.9087, 116.3975): a small
/// station area, and a district around it.
pub fn square(lon: (f64, f64), lat: (f64, f64)) -> Value {
    json!({"type": "Polygon", "coordinates": [[
        [lon.0, lat.0], [lon.1, lat.0], [lon.1, lat.1], [lon.0, lat.1], [lon.0, lat.0]
    ]]})
}

/// The Qianmen station's square.
pub fn station_area() -> Value {
    square((116.38, 116.41), (39.90, 39.92))
}

/// Dongcheng district, around the station.
pub fn district_area() -> Value {
    square((116.30, 116.50), (39.85, 39.95))
}

/// The whole city, as a MultiPolygon.
pub fn city_area() -> Value {
    json!({
        "type": "MultiPolygon",
        "coordinates": [[[[115.4, 39.4], [117.5, 39.4], [117.5, 41.1], [115.4, 41.1], [115.4, 39.4]]]]
    })
}

/// The citizen of `City::lead_of_two`.
pub const CITIZEN_PHONE: &str = "13912345678";

/// The desk of `moderation`, with an admin, and units made through the API.
pub struct City {
    pub desk: Desk,
    pub admin: String,
}

impl City {
    pub async fn open() -> Self {
        let desk = Desk::open().await;
        let (_, admin) = desk.staff("admin.one", Role::Admin).await;
        Self { desk, admin }
    }

    pub async fn in_env(env: TestEnv) -> Self {
        let desk = Desk::open_in(env).await;
        let (_, admin) = desk.staff("admin.one", Role::Admin).await;
        Self { desk, admin }
    }

    pub fn app(&self) -> &TestApp {
        &self.desk.app
    }

    pub async fn create_unit_response(&self, body: Value) -> reqwest::Response {
        self.app()
            .post_as("/v1/admin/units", &self.admin, body)
            .await
    }

    pub async fn unit(&self, body: Value) -> Uuid {
        let response = self.create_unit_response(body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let unit: Value = response.json().await.unwrap();
        unit["id"].as_str().unwrap().parse().unwrap()
    }

    /// The Qianmen station over `station_area()`, with `more` settings.
    pub async fn station(&self, more: Value) -> Uuid {
        let mut body = json!({
            "name_zh": "前门派出所", "name_en": "Qianmen Police Station",
            "kind": "police_station", "jurisdiction": station_area(),
        });
        for (key, value) in more.as_object().unwrap() {
            body[key] = value.clone();
        }
        self.unit(body).await
    }

    pub async fn officer(&self, name: &str, unit: Uuid) -> String {
        self.app()
            .staff(name, Role::UnitOfficer, Some(unit))
            .await
            .1
    }

    /// Two verified tips carrying the same number, in one lead: the
    /// citizen's (first) and the anonymous reporter's. Returns the lead id,
    /// the citizen's token and tip id, and the anonymous submission.
    pub async fn lead_of_two(&self) -> (String, String, String, Value) {
        let citizen = self.desk.citizen(CITIZEN_PHONE).await;
        let theirs = self.desk.submit_as(&citizen, PHONE_PHOTO, |_| {}).await;
        let anonymous = self
            .desk
            .submit_as(&self.desk.reporter, &tiny_png(), |_| {})
            .await;
        let lead = self.desk.verify(&id_of(&theirs["tip"])).await;
        let second = id_of(&anonymous["tip"]);
        let version = self.desk.claim(&second).await;
        let state = self.desk.verify_into(&second, version, &lead).await;
        assert_eq!(state["lead_id"], lead.as_str());
        (lead, citizen, id_of(&theirs["tip"]), anonymous)
    }

    pub async fn lead_version(&self, lead: &str) -> i64 {
        self.desk.lead(lead).await["version"].as_i64().unwrap()
    }

    pub async fn forward(&self, lead: &str, unit: Uuid) -> Value {
        let version = self.lead_version(lead).await;
        let response = self
            .app()
            .post_as(
                &format!("/v1/leads/{lead}/forward"),
                &self.desk.moderator,
                json!({"version": version, "unit_id": unit, "note": "cards near the car park"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn unit_lead(&self, officer: &str, lead: &str) -> Value {
        self.desk
            .get(officer, &format!("/v1/unit/leads/{lead}"))
            .await
    }

    pub async fn act(
        &self,
        officer: &str,
        lead: &str,
        action: &str,
        body: Value,
    ) -> reqwest::Response {
        self.app()
            .post_as(&format!("/v1/unit/leads/{lead}/{action}"), officer, body)
            .await
    }

    pub async fn accept(&self, officer: &str, lead: &str) -> Value {
        let version = self.unit_lead(officer, lead).await["version"].clone();
        let response = self
            .act(officer, lead, "accept", json!({"version": version}))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// Resolves `lead` at `version` with `outcome`, as `officer`.
    pub async fn resolve(
        &self,
        officer: &str,
        lead: &str,
        version: &Value,
        outcome: &str,
    ) -> reqwest::Response {
        self.act(
            officer,
            lead,
            "resolve",
            json!({"version": version, "outcome": outcome}),
        )
        .await
    }

    /// Gives `lead` back to the moderators, at its current version, as
    /// `officer`.
    pub async fn return_lead(&self, officer: &str, lead: &str, reason: &str) -> reqwest::Response {
        let version = self.unit_lead(officer, lead).await["version"].clone();
        self.act(
            officer,
            lead,
            "return",
            json!({"version": version, "reason": reason}),
        )
        .await
    }

    pub async fn webhook_events(&self, params: &[(&str, &str)]) -> Vec<Value> {
        let response = self
            .app()
            .client
            .get(self.app().url("/v1/admin/webhook-events"))
            .bearer_auth(&self.admin)
            .query(params)
            .query(&[("limit", "100")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        page["items"].as_array().unwrap().clone()
    }
}

impl TestApp {
    /// A unit, for unit officers.
    pub async fn unit(&self) -> uuid::Uuid {
        tipline::store::units::create(
            &self.state.db,
            tipline::store::units::NewUnit {
                name_zh: "测试派出所",
                name_en: "Test station",
                kind: tipline::domain::unit::UnitKind::PoliceStation,
            },
            self.state.clock.now(),
        )
        .await
        .unwrap()
        .id
    }
}
