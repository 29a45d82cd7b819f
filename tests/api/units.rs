//! Units over HTTP: routing a lead by place and kind, forwarding it, the
//! unit's side (accept, resolve, return), closing the loop to reporters
//! (notifications, rewards), webhooks, deadlines and statistics.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tipline::domain::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestEnv, error_code, eventually, free_port};
use crate::moderation::{Desk, PHONE_PHOTO, by_receipt, id_of};
use crate::reporting::tiny_png;

/// Around the point `tip_body` reports (39.9087, 116.3975): a small
/// station area, and a district around it.
fn square(lon: (f64, f64), lat: (f64, f64)) -> Value {
    json!({"type": "Polygon", "coordinates": [[
        [lon.0, lat.0], [lon.1, lat.0], [lon.1, lat.1], [lon.0, lat.1], [lon.0, lat.0]
    ]]})
}

fn station_area() -> Value {
    square((116.38, 116.41), (39.90, 39.92))
}

fn district_area() -> Value {
    square((116.30, 116.50), (39.85, 39.95))
}

fn city_area() -> Value {
    json!({
        "type": "MultiPolygon",
        "coordinates": [[[[115.4, 39.4], [117.5, 39.4], [117.5, 41.1], [115.4, 41.1], [115.4, 39.4]]]]
    })
}

const CITIZEN_PHONE: &str = "13912345678";

/// The desk of `moderation`, with an admin, and units made through the API.
struct City {
    desk: Desk,
    admin: String,
}

impl City {
    async fn open() -> Self {
        let desk = Desk::open().await;
        let (_, admin) = desk.staff("admin.one", Role::Admin).await;
        Self { desk, admin }
    }

    async fn in_env(env: TestEnv) -> Self {
        let desk = Desk::open_in(env).await;
        let (_, admin) = desk.staff("admin.one", Role::Admin).await;
        Self { desk, admin }
    }

    fn app(&self) -> &TestApp {
        &self.desk.app
    }

    async fn create_unit_response(&self, body: Value) -> reqwest::Response {
        self.app()
            .post_as("/v1/admin/units", &self.admin, body)
            .await
    }

    async fn unit(&self, body: Value) -> Uuid {
        let response = self.create_unit_response(body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let unit: Value = response.json().await.unwrap();
        unit["id"].as_str().unwrap().parse().unwrap()
    }

    /// The Qianmen station over `station_area()`, with `more` settings.
    async fn station(&self, more: Value) -> Uuid {
        let mut body = json!({
            "name_zh": "前门派出所", "name_en": "Qianmen Police Station",
            "kind": "police_station", "jurisdiction": station_area(),
        });
        for (key, value) in more.as_object().unwrap() {
            body[key] = value.clone();
        }
        self.unit(body).await
    }

    async fn officer(&self, name: &str, unit: Uuid) -> String {
        self.app()
            .staff(name, Role::UnitOfficer, Some(unit))
            .await
            .1
    }

    /// Two verified tips carrying the same number, in one lead: the
    /// citizen's (first) and the anonymous reporter's. Returns the lead id,
    /// the citizen's token and tip id, and the anonymous submission.
    async fn lead_of_two(&self) -> (String, String, String, Value) {
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

    async fn lead_version(&self, lead: &str) -> i64 {
        self.desk.lead(lead).await["version"].as_i64().unwrap()
    }

    async fn forward(&self, lead: &str, unit: Uuid) -> Value {
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

    async fn unit_lead(&self, officer: &str, lead: &str) -> Value {
        self.desk
            .get(officer, &format!("/v1/unit/leads/{lead}"))
            .await
    }

    async fn act(&self, officer: &str, lead: &str, action: &str, body: Value) -> reqwest::Response {
        self.app()
            .post_as(&format!("/v1/unit/leads/{lead}/{action}"), officer, body)
            .await
    }

    async fn accept(&self, officer: &str, lead: &str) -> Value {
        let version = self.unit_lead(officer, lead).await["version"].clone();
        let response = self
            .act(officer, lead, "accept", json!({"version": version}))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn webhook_events(&self, params: &[(&str, &str)]) -> Vec<Value> {
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

fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn count_key(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == key || c["category"] == key)
        .map_or(0, |c| c["count"].as_i64().unwrap())
}

#[tokio::test]
async fn the_whole_mission_runs_from_two_reports_to_their_reward() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads", "gambling"],
        }))
        .await;
    let district = city
        .unit(json!({
            "name_zh": "东城分局", "name_en": "Dongcheng Branch",
            "kind": "police_station", "jurisdiction": district_area(),
            "categories": ["illicit_card_ads"],
        }))
        .await;
    // Holds the place but not the matter; the centre is only a fallback.
    city.unit(json!({
        "name_zh": "市场监管局", "name_en": "Market Supervision",
        "kind": "department", "jurisdiction": city_area(), "categories": ["fraud"],
    }))
    .await;
    city.unit(
        json!({"name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center"}),
    )
    .await;

    let (lead, citizen, citizen_tip, anonymous) = city.lead_of_two().await;

    // Routing: the station whose polygon holds both points, most specific
    // first, with the reason.
    let routing = city
        .desk
        .get(&city.desk.moderator, &format!("/v1/leads/{lead}/routing"))
        .await;
    let suggested: Vec<&str> = routing["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["unit_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        suggested,
        [station.to_string(), district.to_string()],
        "{routing}"
    );
    assert!(
        routing["suggestions"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("2 of the lead's 2 places"),
        "{routing}"
    );

    let forwarded = city.forward(&lead, station).await;
    assert_eq!(forwarded["status"], "forwarded");
    assert_eq!(forwarded["unit_id"], station.to_string());
    assert!(forwarded["due_at"].is_string());
    for tip in forwarded["tips"].as_array().unwrap() {
        assert_eq!(tip["status"], "forwarded");
    }

    // Another station's officer: the lead does not exist for them.
    let stranger = city.officer("officer.district", district).await;
    let response = app
        .get_as(&format!("/v1/unit/leads/{lead}"), &stranger)
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let response = city
        .act(&stranger, &lead, "accept", json!({"version": 1}))
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let theirs = city.desk.get(&stranger, "/v1/unit/leads").await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    // Citizens and moderators do not see the unit's side at all.
    let response = app.get_as("/v1/unit/leads", &citizen).await;
    assert_eq!(response.status(), 404);

    let officer = city.officer("officer.qianmen", station).await;
    let inbox = city
        .desk
        .get(
            &officer,
            "/v1/unit/leads?status=forwarded&category=illicit_card_ads",
        )
        .await;
    assert_eq!(inbox["items"][0]["id"], lead.as_str());
    for other in [
        "/v1/unit/leads?category=gambling",
        "/v1/unit/leads?status=resolved",
    ] {
        let none = city.desk.get(&officer, other).await;
        assert!(none["items"].as_array().unwrap().is_empty(), "{other}");
    }
    let accepted = city.accept(&officer, &lead).await;
    assert_eq!(accepted["status"], "accepted");
    let response = city
        .act(
            &officer,
            &lead,
            "progress",
            json!({"note": "number passed to the carrier"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = city
        .act(&officer, &lead, "progress", json!({"note": "  \n "}))
        .await;
    assert_eq!(error_code(response, 400).await, "request.invalid");
    let outcomes = city.desk.get(&officer, "/v1/unit/outcomes").await;
    assert!(
        outcomes
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["code"] == "number_suspended")
    );
    let response = city
        .act(
            &officer,
            &lead,
            "resolve",
            json!({"version": accepted["version"], "outcome": "no_such_outcome"}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "lead.unknown_outcome");
    let response = city
        .act(
            &officer,
            &lead,
            "resolve",
            json!({
                "version": accepted["version"], "outcome": "number_suspended",
                "public_note": "Thank you, neighbours.",
                "internal_note": "carrier ticket 4471",
            }),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let resolved: Value = response.json().await.unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome_code"], "number_suspended");
    // Resolving again (a retry, a second officer) changes nothing.
    for version in [accepted["version"].clone(), resolved["version"].clone()] {
        let response = city
            .act(
                &officer,
                &lead,
                "resolve",
                json!({"version": version, "outcome": "arrest_made"}),
            )
            .await;
        assert_eq!(response.status(), 409);
    }

    // The citizen: closed with the outcome, told, and rewarded (outcome
    // points, and the first-reporter bonus: theirs came first).
    let tip = city
        .desk
        .get(&citizen, &format!("/v1/tips/{citizen_tip}"))
        .await;
    assert_eq!(tip["status"], "closed");
    let last = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "closed");
    assert_eq!(last["outcome"]["code"], "number_suspended");
    assert_eq!(last["note"], "Thank you, neighbours.");
    assert!(!tip.to_string().contains("carrier ticket"));
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(
        kinds(&told),
        ["tip.closed", "tip.forwarded", "tip.verified"]
    );
    assert_eq!(told["unread"], 3);
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
    assert!(
        told["items"][1]["text_en"]
            .as_str()
            .unwrap()
            .contains("Qianmen Police Station")
    );
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 30, "{rewards}");
    let mut reasons: Vec<&str> = rewards["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    reasons.sort();
    assert_eq!(reasons, ["first_reporter", "outcome"]);
    let response = app
        .post_as(
            "/v1/me/notifications/read",
            &citizen,
            json!({"ids": [told["items"][0]["id"]]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(told["unread"], 2);
    assert_eq!(
        kinds(&told),
        ["tip.forwarded", "tip.verified", "tip.closed"],
        "unread first"
    );
    // Pages of one follow the same order, with no gaps.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/me/notifications?limit=1&cursor={c}"),
            None => "/v1/me/notifications?limit=1".to_owned(),
        };
        let page = city.desk.get(&citizen, &path).await;
        paged.extend(kinds(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, kinds(&told));

    // The anonymous reporter, through the receipt.
    let tip = by_receipt(app, &anonymous, "").await;
    assert_eq!(tip["status"], "closed");
    let history = tip["history"].as_array().unwrap();
    assert_eq!(
        history.last().unwrap()["outcome"]["code"],
        "number_suspended"
    );
    let told = by_receipt(app, &anonymous, "/notifications").await;
    assert_eq!(
        kinds(&told),
        ["tip.closed", "tip.forwarded", "tip.verified"]
    );
    let rewards = by_receipt(app, &anonymous, "/rewards").await;
    assert_eq!(rewards["balance"], 20, "{rewards}");

    // Statistics count it.
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(count_key(&stats["tips_by_status"], "closed"), 2, "{stats}");
    assert_eq!(count_key(&stats["leads_by_status"], "resolved"), 1);
    assert_eq!(
        count_key(&stats["leads_by_category"], "illicit_card_ads"),
        1
    );
    assert_eq!(stats["submitted_to_verified"]["count"], 2);
    assert_eq!(stats["verified_to_forwarded"]["count"], 2);
    assert_eq!(stats["forwarded_to_accepted"]["count"], 1);
    assert_eq!(stats["accepted_to_resolved"]["count"], 1);
    assert_eq!(stats["leads_forwarded"], 1);
    assert_eq!(stats["non_police_share"], 0.0);
    let unit = &stats["units"][0];
    assert_eq!(unit["unit_id"], station.to_string());
    assert_eq!(unit["on_time"], 1);
    assert_eq!(unit["on_time_rate"], 1.0);
    // Moderators read them too.
    city.desk
        .get(&city.desk.moderator, "/v1/stats/overview")
        .await;
    let response = app.get_as("/v1/stats/overview", &officer).await;
    assert_eq!(response.status(), 404);
    let response = app.get_as("/v1/stats/leads.csv", &city.admin).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let reference = city.desk.lead(&lead).await["reference"].clone();
    let row = csv
        .lines()
        .find(|l| l.starts_with(reference.as_str().unwrap()))
        .expect("the lead's row");
    assert!(row.contains(",resolved,illicit_card_ads,2,Qianmen Police Station,police_station,"));
    assert!(row.contains(",number_suspended,false"));
}

#[tokio::test]
async fn a_returned_lead_is_rerouted_to_a_department_and_the_history_shows_both() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let department = city
        .unit(json!({
            "name_zh": "城管局", "name_en": "Urban Management",
            "kind": "department", "jurisdiction": city_area(),
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let (lead, citizen, citizen_tip, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let officer = city.officer("officer.qianmen", station).await;
    let version = city.unit_lead(&officer, &lead).await["version"].clone();
    let response = city
        .act(
            &officer,
            &lead,
            "return",
            json!({"version": version, "reason": "only cards, no number to pursue: urban management"}),
        )
        .await;
    assert_eq!(response.status(), 204, "{}", response.text().await.unwrap());
    // Gone from the station, back with the moderators.
    let response = app
        .get_as(&format!("/v1/unit/leads/{lead}"), &officer)
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let back = city.desk.lead(&lead).await;
    assert_eq!(back["status"], "open");
    assert!(back["unit_id"].is_null());
    // Its tips were forwarded with it and stay in it.
    let response = city
        .desk
        .remove_from_lead(&lead, &citizen_tip, back["version"].as_i64().unwrap())
        .await;
    assert_eq!(error_code(response, 409).await, "lead.tip_forwarded");
    // A forward on the version from before the return is refused.
    let response = app
        .post_as(
            &format!("/v1/leads/{lead}/forward"),
            &city.desk.moderator,
            json!({"version": back["version"].as_i64().unwrap() - 1, "unit_id": department}),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "lead.stale_version");
    let response = city
        .act(
            &officer,
            &lead,
            "return",
            json!({"version": 1, "reason": "   "}),
        )
        .await;
    // The text is checked first; nothing is said of the lead.
    assert_eq!(error_code(response, 400).await, "request.invalid");

    let rerouted = city.forward(&lead, department).await;
    assert_eq!(rerouted["status"], "forwarded");
    let history: Vec<(String, Option<String>)> = rerouted["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["unit_id"].as_str().map(str::to_owned),
            )
        })
        .filter(|(action, _)| ["forwarded", "returned"].contains(&action.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("forwarded".to_owned(), Some(station.to_string())),
            ("returned".to_owned(), Some(station.to_string())),
            ("forwarded".to_owned(), Some(department.to_string())),
        ]
    );
    let returned = rerouted["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["action"] == "returned")
        .unwrap();
    assert!(
        returned["note"]
            .as_str()
            .unwrap()
            .contains("urban management")
    );

    // The reporter heard of both units, by their public names.
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    let texts: Vec<&str> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text_en"].as_str().unwrap())
        .collect();
    assert!(texts[0].contains("Urban Management"), "{texts:?}");
    assert!(texts[1].contains("Qianmen Police Station"), "{texts:?}");
    let tip = city
        .desk
        .get(&citizen, &format!("/v1/tips/{citizen_tip}"))
        .await;
    assert_eq!(tip["status"], "forwarded");

    // The department works it; statistics count a non-police lead.
    let clerk = city.officer("clerk.urban", department).await;
    let accepted = city.accept(&clerk, &lead).await;
    let response = city
        .act(
            &clerk,
            &lead,
            "resolve",
            json!({"version": accepted["version"], "outcome": "cards_cleared"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(stats["leads_to_non_police"], 1);
    assert_eq!(stats["non_police_share"], 1.0);
}

#[tokio::test]
async fn unit_views_carry_no_reporter_identity() {
    let city = City::open().await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    let me = city.desk.get(&citizen, "/v1/me").await;
    city.forward(&lead, station).await;
    let officer = city.officer("officer.qianmen", station).await;

    // The schema: nothing in the unit's responses can name a reporter.
    let spec: Value = serde_json::from_str(&tipline::commands::openapi(
        tipline::commands::SpecFormat::Json,
    ))
    .unwrap();
    let schemas = &spec["components"]["schemas"];
    let mut seen = Vec::new();
    let mut todo = vec!["UnitLeadView".to_owned(), "UnitLeadPage".to_owned()];
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        let text = schemas[&name].to_string();
        assert_ne!(schemas[&name], Value::Null, "{name}");
        let properties = schemas[&name]["properties"].as_object();
        for property in properties.into_iter().flat_map(|p| p.keys()) {
            for forbidden in ["reporter", "receipt", "user", "phone", "account", "session"] {
                assert!(!property.contains(forbidden), "{name}.{property}");
            }
        }
        for part in text.split("#/components/schemas/").skip(1) {
            todo.push(part.split('"').next().unwrap().to_owned());
        }
        seen.push(name);
    }
    assert!(seen.contains(&"UnitTip".to_owned()), "{seen:?}");

    // The bodies: no account id, phone, receipt or anonymous session.
    let detail = city.unit_lead(&officer, &lead).await;
    let inbox = city.desk.get(&officer, "/v1/unit/leads").await;
    assert_eq!(detail["tips"].as_array().unwrap().len(), 2);
    assert_eq!(detail["tips"][0]["photos"].as_array().unwrap().len(), 1);
    assert!(detail["contacts"].to_string().contains("+8613800138000"));
    for body in [detail.to_string(), inbox.to_string()] {
        for secret in [
            me["id"].as_str().unwrap(),
            CITIZEN_PHONE,
            "+8613912345678",
            anonymous["receipt"]["code"].as_str().unwrap(),
            anonymous["receipt"]["secret"].as_str().unwrap(),
        ] {
            assert!(!body.contains(secret), "{secret} in {body}");
        }
        assert!(!body.contains("original"), "{body}");
    }
}

#[tokio::test]
async fn overdue_leads_are_flagged_and_the_command_centre_told_once_per_deadline() {
    // Only this test's sweeps, none in the background.
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_DEADLINE_SWEEP_SECS", "86400");
    let city = City::in_env(env).await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"], "accept_hours": 2, "resolve_hours": 48,
        }))
        .await;
    let centre = city
        .unit(json!({
            "name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center",
            // Nobody listens there: the event waits in the outbox.
            "webhook": {"url": format!("http://127.0.0.1:{}/hook", free_port()),
                        "secret": "centre-secret-0123456789"},
        }))
        .await;
    let watcher = city.officer("watch.centre", centre).await;
    let (lead, _, _, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;

    // On time: nothing.
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    assert!(city.desk.leads(&[("overdue", "true")]).await.is_empty());

    app.state.clock.advance(chrono::Duration::hours(3));
    assert_eq!(
        city.desk.leads(&[("overdue", "true")]).await,
        std::slice::from_ref(&lead)
    );
    // Two nodes sweeping at once, and again later: one flag, one message.
    let (a, b) = tokio::join!(
        tipline::deadlines::sweep(&app.state),
        tipline::deadlines::sweep(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    let told = city.desk.get(&watcher, "/v1/me/notifications").await;
    assert_eq!(kinds(&told), ["lead.overdue"]);
    assert_eq!(told["items"][0]["lead_id"], lead.as_str());
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("accept deadline")
    );
    let events = city
        .webhook_events(&[("unit_id", &centre.to_string())])
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "lead.overdue");
    let flagged = city.desk.lead(&lead).await;
    assert!(flagged["overdue_since"].is_string());
    let history: Vec<&str> = flagged["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(history.iter().filter(|a| **a == "overdue").count(), 1);
    let officer = city.officer("officer.qianmen", station).await;
    let overdue = city.desk.get(&officer, "/v1/unit/leads?overdue=true").await;
    assert_eq!(overdue["items"][0]["id"], lead.as_str());
    // The inbox's tabs count it, overdue, in its state; the other states
    // are there with nothing in them.
    let counts = city.desk.get(&officer, "/v1/unit/counts").await;
    assert_eq!(
        counts["states"],
        json!([
            {"status": "forwarded", "leads": 1, "overdue": 1},
            {"status": "accepted", "leads": 0, "overdue": 0},
            {"status": "resolved", "leads": 0, "overdue": 0},
        ])
    );
    let of_another_category = city
        .desk
        .get(&officer, "/v1/unit/counts?category=gambling")
        .await;
    assert_eq!(of_another_category["states"][0]["leads"], 0);

    // Accepting late starts the resolve deadline, on time again; missing
    // that one tells the centre once more.
    city.accept(&officer, &lead).await;
    assert!(city.desk.leads(&[("overdue", "true")]).await.is_empty());
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    app.state.clock.advance(chrono::Duration::hours(49));
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 1);
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    let told = city.desk.get(&watcher, "/v1/me/notifications").await;
    assert_eq!(kinds(&told), ["lead.overdue", "lead.overdue"]);
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("resolve deadline")
    );
    // The station was late on both: its on-time rate says so.
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    let unit = stats["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == station.to_string())
        .unwrap()
        .clone();
    assert_eq!(unit["on_time"], 0, "{stats}");
    assert_eq!(unit["on_time_rate"], 0.0);
    // Generous deadlines now do not excuse the past.
    let response = app
        .patch_as(
            &format!("/v1/admin/units/{station}"),
            &city.admin,
            json!({"accept_hours": 1000, "resolve_hours": 1000}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(stats["units"][0]["on_time"], 0, "{stats}");
}

#[tokio::test]
async fn bad_jurisdictions_are_refused_naming_the_problem() {
    let city = City::open().await;
    let cases = [
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 39.90], [116.41, 39.92], [116.38, 39.92]]]}),
            "not closed",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 39.92], [116.41, 39.90], [116.38, 39.92], [116.38, 39.90]]]}),
            "crosses itself",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[116.38, 39.90], [116.41, 200.0], [116.41, 39.92], [116.38, 39.92], [116.38, 39.90]]]}),
            "coordinates[0][1]: latitude 200 is outside -90..90",
        ),
    ];
    // Not a polygon at all is the schema's to refuse.
    let point = city
        .create_unit_response(json!({
            "name_zh": "派出所", "name_en": "Station", "kind": "police_station",
            "jurisdiction": {"type": "Point", "coordinates": [116.38, 39.90]},
        }))
        .await;
    assert_eq!(error_code(point, 400).await, "request.invalid");
    for (jurisdiction, problem) in cases {
        let response = city
            .create_unit_response(json!({
                "name_zh": "派出所", "name_en": "Station", "kind": "police_station",
                "jurisdiction": jurisdiction,
            }))
            .await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unit.invalid_jurisdiction");
        assert!(
            body["message"].as_str().unwrap().contains(problem),
            "{problem}: {body}"
        );
    }
    // Nothing was made; a good one is, and a bad change to it is refused
    // and changes nothing.
    let units = city.desk.get(&city.admin, "/v1/admin/units").await;
    assert!(units["items"].as_array().unwrap().is_empty());
    let unit = city
        .unit(
            json!({"name_zh": "派出所", "name_en": "Station", "kind": "police_station",
                     "jurisdiction": station_area(), "categories": ["drugs"]}),
        )
        .await;
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"jurisdiction": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1]]]}}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "unit.invalid_jurisdiction");
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"categories": ["no_such_thing"]}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "unit.unknown_category");
    let kept = city
        .desk
        .get(&city.admin, &format!("/v1/admin/units/{unit}"))
        .await;
    assert_eq!(kept["jurisdiction"], station_area());
    assert_eq!(kept["categories"], json!(["drugs"]));
    // Disabling keeps the unit (and its history); it is audited.
    let response = city
        .app()
        .patch_as(
            &format!("/v1/admin/units/{unit}"),
            &city.admin,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let kept = city
        .desk
        .get(&city.admin, &format!("/v1/admin/units/{unit}"))
        .await;
    assert_eq!(kept["disabled"], true);
    let audit = city
        .desk
        .audit(&city.admin, &[("object_kind", "unit")])
        .await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["unit.create", "unit.update"]);
}

/// What a webhook receiver got.
#[derive(Clone, Debug)]
struct Delivery {
    event_id: String,
    event: String,
    signature: String,
    body: String,
}

/// A webhook receiver on `port` that answers 500 to its first `failures`
/// requests, then 200.
struct Receiver {
    seen: Arc<Mutex<Vec<Delivery>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(port: u16, failures: usize) -> Self {
        let seen: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let log = seen.clone();
        let endpoint = poem::endpoint::make(move |req: poem::Request| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let delivery = Delivery {
                    event_id: header("X-Tipline-Event-Id"),
                    event: header("X-Tipline-Event"),
                    signature: header("X-Tipline-Signature"),
                    body: String::new(),
                };
                let body = req.into_body().into_string().await.unwrap_or_default();
                let mut log = log.lock().unwrap();
                log.push(Delivery { body, ..delivery });
                if log.len() <= failures {
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    poem::http::StatusCode::NO_CONTENT
                }
            }
        });
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = poem::listener::TcpListener::bind(addr);
        let server = tokio::spawn(async move {
            let _ = poem::Server::new(listener).run(endpoint).await;
        });
        Self { seen, server }
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Checks `t=<unix>,v1=<hex>` against the body and secret.
fn signed_right(delivery: &Delivery, secret: &str) -> bool {
    let Some((t, v1)) = delivery
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", delivery.body).as_bytes());
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_survive_a_restart() {
    const SECRET: &str = "station-webhook-secret-42";
    let mut env = TestEnv::new().await;
    for (key, value) in [
        ("TIPLINE_WEBHOOK_POLL_MS", "50"),
        ("TIPLINE_WEBHOOK_RETRY_BASE_MS", "50"),
        ("TIPLINE_WEBHOOK_MAX_ATTEMPTS", "60"),
        ("TIPLINE_WEBHOOK_TIMEOUT_MS", "2000"),
        ("TIPLINE_TIPS_PER_HOUR_PER_REPORTER", "1000"),
        ("TIPLINE_MEDIA_PER_HOUR_PER_REPORTER", "1000"),
    ] {
        env.set(key, value);
    }
    let port = free_port();
    let city = City::in_env(env).await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
            "webhook": {"url": format!("http://127.0.0.1:{port}/tipline"), "secret": SECRET},
        }))
        .await;
    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    let citizen_id = city.desk.get(&citizen, "/v1/me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The receiver is down: the event is retried, not lost.
    city.forward(&lead, station).await;
    let retried = eventually(Duration::from_secs(30), || async {
        let events = city.webhook_events(&[]).await;
        events.len() == 1
            && events[0]["status"] == "pending"
            && events[0]["attempts"].as_i64().unwrap() >= 2
    })
    .await;
    assert!(retried, "{:?}", city.webhook_events(&[]).await);
    let event = city.webhook_events(&[]).await[0].clone();
    assert_eq!(event["event"], "lead.forwarded");
    assert_eq!(event["last_error"], "could not connect");
    let event_id = event["id"].as_str().unwrap().to_owned();

    // tipline restarts; the receiver comes back, failing its first answer.
    let City { desk, admin } = city;
    let Desk {
        app,
        moderator,
        moderator_id,
        reporter,
    } = desk;
    let env = app.stop().await;
    let receiver = Receiver::start(port, 1).await;
    let app = TestApp::spawn_in(env).await;
    let city = City {
        desk: Desk {
            app,
            moderator,
            moderator_id,
            reporter,
        },
        admin,
    };
    let delivered = eventually(Duration::from_secs(30), || async {
        city.webhook_events(&[]).await[0]["status"] == "delivered"
    })
    .await;
    assert!(delivered, "{:?}", city.webhook_events(&[]).await);
    let got = receiver.deliveries();
    assert_eq!(got.len(), 2, "one refused, one taken: {got:?}");
    for delivery in &got {
        // The duplicate carries the same event id, and the body says it too.
        assert_eq!(delivery.event_id, event_id);
        assert_eq!(delivery.event, "lead.forwarded");
        assert!(signed_right(delivery, SECRET), "{delivery:?}");
        assert!(!signed_right(delivery, "another-secret-0123456"));
        let body: Value = serde_json::from_str(&delivery.body).unwrap();
        assert_eq!(body["id"], event_id.as_str());
        assert_eq!(body["event"], "lead.forwarded");
        assert_eq!(body["data"]["lead_id"], lead.as_str());
        assert_eq!(body["data"]["tips"], 2);
    }
    assert_eq!(got[0].body, got[1].body);

    // A return is told too, once, signed.
    let officer = city.officer("officer.qianmen", station).await;
    let version = city.unit_lead(&officer, &lead).await["version"].clone();
    let response = city
        .act(
            &officer,
            &lead,
            "return",
            json!({"version": version, "reason": "not ours"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let told = eventually(Duration::from_secs(30), || async {
        receiver.deliveries().len() == 3
    })
    .await;
    assert!(told);
    let returned = receiver.deliveries()[2].clone();
    assert_eq!(returned.event, "lead.returned");
    assert_ne!(returned.event_id, event_id);
    assert!(signed_right(&returned, SECRET));
    let body: Value = serde_json::from_str(&returned.body).unwrap();
    assert_eq!(body["data"]["reason"], "not ours");
    // Forwarded again and left waiting: the overdue lead is told too.
    city.forward(&lead, station).await;
    city.app().state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        tipline::deadlines::sweep(&city.app().state).await.unwrap(),
        1
    );
    let told = eventually(Duration::from_secs(30), || async {
        receiver.deliveries().len() == 5
    })
    .await;
    assert!(told, "{:?}", receiver.deliveries());
    // Both due in one pass, delivered side by side: in either order.
    let events: Vec<String> = receiver.deliveries()[3..]
        .iter()
        .map(|d| d.event.clone())
        .collect();
    assert!(events.contains(&"lead.forwarded".to_owned()), "{events:?}");
    let overdue = receiver
        .deliveries()
        .into_iter()
        .find(|d| d.event == "lead.overdue")
        .expect("the overdue event");
    assert!(signed_right(&overdue, SECRET));
    let body: Value = serde_json::from_str(&overdue.body).unwrap();
    assert_eq!(body["data"]["deadline"], "accept");
    let events = city.webhook_events(&[("status", "delivered")]).await;
    assert_eq!(events.len(), 4);
    // Nothing about reporters went out.
    for delivery in receiver.deliveries() {
        for secret in [
            "receipt",
            "reporter",
            citizen_id.as_str(),
            CITIZEN_PHONE,
            anonymous["receipt"]["code"].as_str().unwrap(),
        ] {
            assert!(!delivery.body.contains(secret), "{secret}: {delivery:?}");
        }
    }
}

#[tokio::test]
async fn the_first_reporter_bonus_is_paid_once_per_contact() {
    let city = City::open().await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let officer = city.officer("officer.qianmen", station).await;
    // The citizen reports first, but the later anonymous tip is verified
    // and its lead closed first: the bonus is the anonymous reporter's.
    let citizen = city.desk.citizen(CITIZEN_PHONE).await;
    let older = city.desk.submit_as(&citizen, PHONE_PHOTO, |_| {}).await;
    let newer = city
        .desk
        .submit_as(&city.desk.reporter, &tiny_png(), |_| {})
        .await;
    let close = |lead: String| {
        let city = &city;
        let officer = &officer;
        async move {
            city.forward(&lead, station).await;
            let accepted = city.accept(officer, &lead).await;
            let response = city
                .act(
                    officer,
                    &lead,
                    "resolve",
                    json!({"version": accepted["version"], "outcome": "number_suspended"}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    close(city.desk.verify(&id_of(&newer["tip"])).await).await;
    let rewards = by_receipt(city.app(), &newer, "/rewards").await;
    assert_eq!(rewards["balance"], 30, "{rewards}");
    close(city.desk.verify(&id_of(&older["tip"])).await).await;
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 20, "only the outcome: {rewards}");
}

#[tokio::test]
async fn outcomes_are_data_that_admins_reword_and_reprice() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let officer = city.officer("officer.qianmen", station).await;
    let response = app
        .post_as(
            "/v1/admin/outcomes",
            &city.admin,
            json!({"code": "site_raided", "label_zh": "已查处窝点", "label_en": "Site raided",
                   "public_zh": "相关窝点已被查处。", "public_en": "The place was raided.",
                   "points": 40, "position": 5}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let response = app
        .post_as(
            "/v1/admin/outcomes",
            &city.admin,
            json!({"code": "site_raided", "label_zh": "x", "label_en": "x",
                   "public_zh": "x", "public_en": "x"}),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "outcome.exists");
    let response = app
        .patch_as(
            "/v1/admin/outcomes/number_suspended",
            &city.admin,
            json!({"retired": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .patch_as(
            "/v1/admin/outcomes/site_raided",
            &city.admin,
            json!({"public_en": "  "}),
        )
        .await;
    assert_eq!(error_code(response, 400).await, "request.invalid");
    let offered: Vec<String> = city
        .desk
        .get(&officer, "/v1/unit/outcomes")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(offered[0], "site_raided", "{offered:?}");
    assert!(!offered.contains(&"number_suspended".to_owned()));

    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let accepted = city.accept(&officer, &lead).await;
    let response = city
        .act(
            &officer,
            &lead,
            "resolve",
            json!({"version": accepted["version"], "outcome": "number_suspended"}),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "lead.unknown_outcome");
    let response = city
        .act(
            &officer,
            &lead,
            "resolve",
            json!({"version": accepted["version"], "outcome": "site_raided"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 50, "40 and the bonus: {rewards}");
    // A reworded outcome reads anew; credited points stay.
    let response = app
        .patch_as(
            "/v1/admin/outcomes/site_raided",
            &city.admin,
            json!({"public_en": "The place was closed down.", "points": 5}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tip = by_receipt(app, &anonymous, "").await;
    let closed = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(closed["outcome"]["text_en"], "The place was closed down.");
    let rewards = by_receipt(app, &anonymous, "/rewards").await;
    assert_eq!(rewards["balance"], 40);
    let audit = city
        .desk
        .audit(&city.admin, &[("object_kind", "outcome")])
        .await;
    assert_eq!(audit.len(), 3);
}

#[tokio::test]
async fn a_units_inbox_hears_its_leads_arrive_and_leave_and_nothing_else() {
    use crate::live::Events;
    let city = City::open().await;
    let station = city
        .station(json!({"categories": ["illicit_card_ads"]}))
        .await;
    let other = city
        .unit(json!({"name_zh": "西城派出所", "name_en": "Xicheng station", "kind": "police_station"}))
        .await;
    let officer = city.officer("off.station", station).await;
    let elsewhere = city.officer("off.other", other).await;
    let wait = std::time::Duration::from_secs(20);
    let mut inbox = Events::open(city.app(), "/v1/unit/events", &officer, None).await;
    let mut theirs = Events::open(city.app(), "/v1/unit/events", &elsewhere, None).await;
    // Moderators' and officers' streams are each hidden from the other.
    let hidden = city
        .app()
        .get_as("/v1/unit/events", &city.desk.moderator)
        .await;
    assert_eq!(error_code(hidden, 404).await, "not_found");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let (lead, _, _, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let arrived = inbox
        .until(wait, |f| {
            f.event == "lead" && f.data["lead"]["id"] == lead.as_str()
        })
        .await;
    assert_eq!(arrived.data["action"], "lead.forward");
    assert_eq!(arrived.data["lead"]["status"], "forwarded");
    let text = arrived.data.to_string();
    assert!(!text.contains(CITIZEN_PHONE), "{text}");

    let version = city.unit_lead(&officer, &lead).await["version"].clone();
    let response = city
        .act(
            &officer,
            &lead,
            "return",
            json!({"version": version, "reason": "not our area"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let gone = inbox.until(wait, |f| f.event == "lead_gone").await;
    assert_eq!(gone.data["lead_id"], lead.as_str());
    // The other station heard of none of it.
    assert!(
        theirs
            .next(std::time::Duration::from_secs(2))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn a_hole_outside_its_ring_is_refused_and_cannot_win_routing() {
    let city = City::open().await;
    let station = city
        .station(json!({"categories": ["illicit_card_ads"]}))
        .await;
    // The district around the station, with a "hole" drawn far outside it:
    // its area would come out smaller than the station's, and it would be
    // routed first for places it does not even hold better.
    let mut area = district_area();
    area["coordinates"].as_array_mut().unwrap().push(json!([
        [100.0, 10.0],
        [110.0, 10.0],
        [110.0, 20.0],
        [100.0, 20.0],
        [100.0, 10.0]
    ]));
    let response = city
        .create_unit_response(json!({
            "name_zh": "东城区", "name_en": "Dongcheng", "kind": "police_station",
            "jurisdiction": area, "categories": ["illicit_card_ads"],
        }))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unit.invalid_jurisdiction");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("coordinates[1]: the hole is not inside its outer ring"),
        "{body}"
    );
    let (lead, _, _, _) = city.lead_of_two().await;
    let routing = city
        .desk
        .get(&city.desk.moderator, &format!("/v1/leads/{lead}/routing"))
        .await;
    assert_eq!(
        routing["suggestions"][0]["unit_id"],
        station.to_string(),
        "{routing}"
    );
    assert_eq!(
        routing["suggestions"].as_array().unwrap().len(),
        1,
        "{routing}"
    );
}
