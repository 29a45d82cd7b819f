//! Moderation over HTTP: the review queue and its filters, claims and
//! decisions (and what happens when two moderators act at once), what the
//! reporter reads afterwards, the moderator's view of a tip and its audited
//! reads, similar photos, leads, and contact clusters.

use std::collections::HashSet;

use serde_json::{Value, json};
use sha2::Digest;
use tipline::domain::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, TestEnv, error_code};
use crate::reporting::{anonymous, tiny_png, tip_body, upload};

pub const PHONE_PHOTO: &[u8] = include_bytes!("../fixtures/phone-gps.jpg");
const CAMERA_PHOTO: &[u8] = include_bytes!("../fixtures/gps-oriented.jpg");

/// The card's number as `tip_body` writes it, normalised.
pub const CARD_PHONE: &str = "+8613800138000";

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
        let pair = self.app.register(phone, "a good password").await;
        pair["access_token"].as_str().unwrap().to_owned()
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
    async fn queue(&self, params: &[(&str, &str)]) -> Value {
        self.queue_as(&self.moderator, params).await
    }

    async fn queue_as(&self, token: &str, params: &[(&str, &str)]) -> Value {
        let response = self.queue_response(token, params).await;
        assert_eq!(
            response.status(),
            200,
            "queue {params:?}: {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    async fn queue_response(&self, token: &str, params: &[(&str, &str)]) -> reqwest::Response {
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
    async fn detail(&self, id: &str) -> Value {
        self.get(&self.moderator, &format!("/v1/moderation/tips/{id}"))
            .await
    }

    async fn claim_response(&self, token: &str, id: &str) -> reqwest::Response {
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
}

pub fn id_of(object: &Value) -> String {
    object["id"].as_str().unwrap().to_owned()
}

fn ids(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(id_of).collect()
}

/// An anonymous reporter's view of their tip, through the receipt.
pub async fn by_receipt(app: &TestApp, submitted: &Value, what: &str) -> Value {
    let code = submitted["receipt"]["code"].as_str().unwrap();
    let secret = submitted["receipt"]["secret"].as_str().unwrap();
    let response = app
        .client
        .get(app.url(&format!("/v1/receipts/{code}{what}")))
        .header("X-Receipt-Secret", secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

pub fn statuses_in_history(tip: &Value) -> Vec<String> {
    tip["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap().to_owned())
        .collect()
}

/// Of two answers to the same race, exactly one is 200; the other is a 409
/// with one of `codes`. Returns which one won (0 or 1).
async fn one_wins(a: reqwest::Response, b: reqwest::Response, codes: &[&str]) -> usize {
    let (sa, sb) = (a.status().as_u16(), b.status().as_u16());
    let (winner, loser) = match (sa, sb) {
        (200, _) => (0, b),
        (_, 200) => (1, a),
        _ => panic!(
            "neither won: {sa} {} / {sb} {}",
            a.text().await.unwrap(),
            b.text().await.unwrap()
        ),
    };
    let status = loser.status().as_u16();
    let text = loser.text().await.unwrap();
    assert_eq!(
        status, 409,
        "both won, or the loser failed otherwise: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(
        codes.contains(&body["code"].as_str().unwrap()),
        "the loser's code: {body}"
    );
    winner
}

/// Why, the query, and the tips expected in order.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a String>);

#[tokio::test]
async fn the_queue_is_filtered_by_state_category_time_place_contact_text_and_claim() {
    let desk = Desk::open().await;
    let (_, other_moderator) = desk.staff("mod.two", Role::Moderator).await;

    // Beijing, a card on a windscreen, the card's phone written by hand.
    let card = desk
        .tip(|b| {
            b["contacts"] = json!([{"kind": "phone", "value": "+86 13800138000"}]);
        })
        .await;
    // Everything after this instant is "later" (the server and the test
    // share a clock; the pauses keep the instant off both tips' times).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let boundary = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Shanghai, fraud.
    let fraud = desk
        .tip(|b| {
            b["category"] = json!("fraud");
            b["description"] = json!("A fake bank text message");
            b["address"] = json!("Nanjing Road");
            b["location"] = json!({"lat": 31.2304, "lon": 121.4737});
            b["contacts"] = json!([{"kind": "wechat", "value": "scammer_01"}]);
        })
        .await;
    // Beijing again, about 4.6 km north of the card; the text is only in
    // its address.
    let drugs = desk
        .tip(|b| {
            b["category"] = json!("drugs");
            b["description"] = json!("Small bags handed out at night");
            b["address"] = json!("Behind the Windmill bar");
            b["location"] = json!({"lat": 39.95, "lon": 116.3975});
            b["contacts"] = json!([{"kind": "qq", "value": "12345678"}]);
        })
        .await;
    let all = vec![card.clone(), fraud.clone(), drugs.clone()];

    // Without filters: everything waiting, oldest first; and newest first.
    let page = desk.queue(&[]).await;
    assert_eq!(ids(&page["items"]), all);
    assert!(page["next_cursor"].is_null());
    let mut newest = all.clone();
    newest.reverse();
    assert_eq!(
        ids(&desk.queue(&[("order", "newest")]).await["items"]),
        newest
    );
    let item = &page["items"][0];
    assert_eq!(item["status"], "submitted");
    assert_eq!(item["photo_count"], 1);
    assert_eq!(item["contacts"][0]["value"], CARD_PHONE);
    let thumbnail = reqwest::get(item["thumbnail_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), 200);

    let cases: Vec<Case> = vec![
        ("category", vec![("category", "fraud")], vec![&fraud]),
        (
            "created before the boundary",
            vec![("created_to", boundary.as_str())],
            vec![&card],
        ),
        (
            "created from the boundary",
            vec![("created_from", boundary.as_str())],
            vec![&fraud, &drugs],
        ),
        (
            "within 1 km of the card",
            vec![("near", "39.9087,116.3975,1000")],
            vec![&card],
        ),
        (
            "within 10 km of the card",
            vec![("near", "39.9087,116.3975,10000")],
            vec![&card, &drugs],
        ),
        (
            "the phone written another way",
            vec![("contact", "phone:138-0013-8000")],
            vec![&card],
        ),
        (
            "a wechat id in another case",
            vec![("contact", "wechat:Scammer_01")],
            vec![&fraud],
        ),
        (
            "text in the description, any case",
            vec![("q", "WINDSCREEN")],
            vec![&card],
        ),
        ("text in the address", vec![("q", "windmill")], vec![&drugs]),
        ("text in both", vec![("q", "Wind")], vec![&card, &drugs]),
        ("text nowhere", vec![("q", "casino")], vec![]),
        // No tip holds `%` or `_`: they match themselves, not anything.
        ("a literal percent sign", vec![("q", "%")], vec![]),
        ("a literal underscore", vec![("q", "_")], vec![]),
        (
            "filters combine",
            vec![("q", "wind"), ("category", "drugs")],
            vec![&drugs],
        ),
    ];
    for (why, params, expected) in cases {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&desk.queue(&params).await["items"]), expected, "{why}");
    }

    // Claims and states: the fraud tip in review (held by the first
    // moderator), the drugs tip rejected.
    desk.claim(&fraud).await;
    let version = desk.claim(&drugs).await;
    desk.decide(
        &drugs,
        "reject",
        json!({"version": version, "reason": "no_violation"}),
    )
    .await;

    let by_state: Vec<Case> = vec![
        ("waiting (the default)", vec![], vec![&card, &fraud]),
        ("one state", vec![("status", "in_review")], vec![&fraud]),
        (
            "a finished state",
            vec![("status", "rejected")],
            vec![&drugs],
        ),
        (
            "repeated",
            vec![("status", "rejected"), ("status", "submitted")],
            vec![&card, &drugs],
        ),
        (
            "three, one twice",
            vec![
                ("status", "in_review"),
                ("status", "rejected"),
                ("status", "submitted"),
                ("status", "rejected"),
            ],
            vec![&card, &fraud, &drugs],
        ),
        ("claimed by me", vec![("claimed_by", "me")], vec![&fraud]),
        (
            "claimed by nobody",
            vec![("claimed_by", "none")],
            vec![&card],
        ),
    ];
    for (why, params, expected) in by_state {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&desk.queue(&params).await["items"]), expected, "{why}");
    }
    // "Me" is whoever asks.
    let theirs = desk
        .queue_as(&other_moderator, &[("claimed_by", "me")])
        .await;
    assert_eq!(ids(&theirs["items"]), Vec::<String>::new());
    let held = desk.queue(&[("status", "in_review")]).await;
    assert_eq!(
        held["items"][0]["claimed_by"],
        desk.moderator_id.to_string()
    );

    // A state the schema does not list is refused by the schema.
    for value in ["bogus", "submitted,in_review"] {
        let response = desk
            .queue_response(&desk.moderator, &[("status", value)])
            .await;
        assert_eq!(
            error_code(response, 400).await,
            "request.invalid",
            "{value}"
        );
    }
    // The form of a filter is the schema's (400); what it means, the
    // service's (422).
    let bad: [(&str, &str, u16, &str); 8] = [
        ("near", "somewhere", 400, "request.invalid"),
        ("near", "39.9,116.4", 400, "request.invalid"),
        ("near", "39.9,116.4,0", 422, "request.invalid_filter"),
        ("near", "39.9,116.4,60000", 422, "request.invalid_filter"),
        ("near", "91,116.4,100", 422, "request.invalid_filter"),
        ("contact", "13800138000", 400, "request.invalid"),
        ("contact", "fax:13800138000", 400, "request.invalid"),
        ("contact", "phone:12345", 422, "request.invalid_filter"),
    ];
    for (name, value, status, code) in bad {
        let response = desk.queue_response(&desk.moderator, &[(name, value)]).await;
        assert_eq!(error_code(response, status).await, code, "{name}={value}");
    }
    let response = desk
        .queue_response(&desk.moderator, &[("cursor", "not-a-cursor")])
        .await;
    assert_eq!(error_code(response, 422).await, "request.invalid_cursor");
}

#[tokio::test]
async fn queue_pages_have_no_duplicates_and_no_gaps_while_tips_arrive() {
    let desk = Desk::open().await;
    let mut created = Vec::new();
    for _ in 0..11 {
        created.push(desk.tip(|_| {}).await);
    }
    let at_start = created.clone();

    // Oldest first, five at a time; between pages two new tips arrive and
    // a tip not yet seen changes state (submitted → in_review, still in
    // the queue).
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("limit", "5".to_owned())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = desk.queue(&params).await;
        let items = ids(&page["items"]);
        assert!(items.len() <= 5);
        seen.extend(items);
        pages += 1;
        assert!(pages < 20, "the walk does not end");
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        for _ in 0..2 {
            created.push(desk.tip(|_| {}).await);
        }
        if let Some(unseen) = created.iter().find(|id| !seen.contains(id)) {
            desk.claim(unseen).await;
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a tip came twice: {seen:?}");
    // Every tip, in arrival order: those of the start first, then those
    // that came during the walk (they are newer, so they come after).
    assert_eq!(seen, created);
    assert_eq!(&seen[..at_start.len()], &at_start[..]);

    // Newest first: tips that arrive during the walk are newer than the
    // cursor, so the walk shows exactly what existed when it began.
    let at_start = created.clone();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("limit", "4".to_owned()), ("order", "newest".to_owned())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = desk.queue(&params).await;
        seen.extend(ids(&page["items"]));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        desk.tip(|_| {}).await;
    }
    let mut expected = at_start;
    expected.reverse();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn counts_follow_tips_from_state_to_state() {
    let desk = Desk::open().await;
    let a = desk.tip(|_| {}).await;
    let b = desk.tip(|_| {}).await;
    let c = desk.tip(|_| {}).await;

    let counts = |page: &Value| {
        let c = &page["counts"];
        (
            c["submitted"].as_i64().unwrap(),
            c["in_review"].as_i64().unwrap(),
            c["verified"].as_i64().unwrap(),
            c["rejected"].as_i64().unwrap(),
        )
    };
    assert_eq!(counts(&desk.queue(&[]).await), (3, 0, 0, 0));
    desk.claim(&a).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 1, 0, 0));
    // Renewing one's own claim moves nothing.
    let version = desk.claim(&a).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 1, 0, 0));
    desk.decide(&a, "verify", json!({"version": version})).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 0, 1, 0));
    let version = desk.claim(&b).await;
    desk.decide(
        &b,
        "reject",
        json!({"version": version, "reason": "unreadable"}),
    )
    .await;
    assert_eq!(counts(&desk.queue(&[]).await), (1, 0, 1, 1));
    // The counts are of every tip, whatever the filters.
    desk.claim(&c).await;
    let filtered = desk.queue(&[("category", "gambling")]).await;
    assert_eq!(ids(&filtered["items"]), Vec::<String>::new());
    assert_eq!(counts(&filtered), (0, 1, 1, 1));
}

#[tokio::test]
async fn of_two_moderators_claiming_at_once_exactly_one_gets_the_tip() {
    let desk = Desk::open().await;
    let (first_id, first) = desk.staff("mod.first", Role::Moderator).await;
    let (second_id, second) = desk.staff("mod.second", Role::Moderator).await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;

    // A few rounds: the race is real each time, and the answer must be
    // the same whichever request the database serves first.
    for _ in 0..6 {
        let tip = desk.tip(|_| {}).await;
        let (a, b) = tokio::join!(
            desk.claim_response(&first, &tip),
            desk.claim_response(&second, &tip)
        );
        let winner = one_wins(a, b, &["tip.claimed", "tip.stale_version"]).await;
        let (holder, loser) = if winner == 0 {
            (first_id, &second)
        } else {
            (second_id, &first)
        };
        let detail = desk.detail(&tip).await;
        assert_eq!(detail["status"], "in_review");
        assert_eq!(detail["claimed_by"], holder.to_string());
        assert_eq!(detail["version"], 1, "one claim, one change");
        let claims = desk
            .audit(&admin, &[("object_id", &tip), ("action", "tip.claim")])
            .await;
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert_eq!(claims[0]["actor_id"], holder.to_string());

        // The loser can neither take it nor decide on it while it is held.
        let again = desk.claim_response(loser, &tip).await;
        assert_eq!(error_code(again, 409).await, "tip.claimed");
        let decision = desk
            .decide_as(
                loser,
                &tip,
                "reject",
                json!({"version": 1, "reason": "no_violation"}),
            )
            .await;
        assert_eq!(error_code(decision, 409).await, "tip.claimed");
        let release = desk
            .app
            .post_as(
                &format!("/v1/moderation/tips/{tip}/release"),
                loser,
                json!({}),
            )
            .await;
        assert_eq!(error_code(release, 409).await, "tip.claimed");
    }
}

#[tokio::test]
async fn of_two_decisions_on_one_version_exactly_one_is_made() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let mut leads_made = 0;
    for _ in 0..3 {
        let tip = desk.tip(|_| {}).await;
        let version = desk.claim(&tip).await;
        // The holder's two browser tabs, clicked at once.
        let (verify, reject) = tokio::join!(
            desk.decide_as(&desk.moderator, &tip, "verify", json!({"version": version})),
            desk.decide_as(
                &desk.moderator,
                &tip,
                "reject",
                json!({"version": version, "reason": "no_violation"})
            )
        );
        let winner = one_wins(verify, reject, &["tip.stale_version"]).await;
        let expected = ["verified", "rejected"][winner];
        leads_made += usize::from(winner == 0);

        let detail = desk.detail(&tip).await;
        assert_eq!(detail["status"], expected);
        assert_eq!(detail["version"], version + 1, "one decision, one change");
        assert_eq!(detail["lead"].is_object(), winner == 0, "{detail}");
        let events = desk
            .audit(&admin, &[("object_kind", "tip"), ("object_id", &tip)])
            .await;
        let decisions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .filter(|a| ["tip.verify", "tip.reject"].contains(a))
            .collect();
        assert_eq!(decisions, [["tip.verify", "tip.reject"][winner]]);
        assert_eq!(
            statuses_in_history(&detail),
            ["submitted", "in_review", expected]
        );
    }
    // A verification that lost left no lead behind.
    assert_eq!(desk.leads(&[]).await.len(), leads_made);
}

#[tokio::test]
async fn decisions_need_the_claim_the_current_version_and_a_tip_in_review() {
    let desk = Desk::open().await;
    let waiting = desk.tip(|_| {}).await;
    // Unclaimed, at its current version: still not a tip in review.
    for (action, body) in [
        ("verify", json!({"version": 0})),
        ("reject", json!({"version": 0, "reason": "no_violation"})),
        ("request-info", json!({"version": 0, "question": "Where?"})),
    ] {
        let response = desk
            .decide_as(&desk.moderator, &waiting, action, body)
            .await;
        assert_eq!(
            error_code(response, 409).await,
            "tip.invalid_state",
            "{action}"
        );
    }
    let release = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{waiting}/release"),
            &desk.moderator,
            json!({}),
        )
        .await;
    assert_eq!(error_code(release, 409).await, "tip.invalid_state");

    let version = desk.claim(&waiting).await;
    let stale = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "verify",
            json!({"version": version - 1}),
        )
        .await;
    assert_eq!(error_code(stale, 409).await, "tip.stale_version");
    let unknown_lead = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "verify",
            json!({"version": version, "lead_id": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(error_code(unknown_lead, 422).await, "tip.unknown_lead");
    let unknown_reason = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "reject",
            json!({"version": version, "reason": "made_up"}),
        )
        .await;
    assert_eq!(
        error_code(unknown_reason, 422).await,
        "tip.unknown_reject_reason"
    );
    let itself = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "mark-duplicate",
            json!({"version": version, "of": waiting}),
        )
        .await;
    assert_eq!(error_code(itself, 422).await, "tip.invalid_duplicate");
    // None of the refusals changed the tip.
    let detail = desk.detail(&waiting).await;
    assert_eq!(detail["status"], "in_review");
    assert_eq!(detail["version"], version);

    let missing = desk
        .claim_response(&desk.moderator, &Uuid::now_v7().to_string())
        .await;
    assert_eq!(error_code(missing, 404).await, "tip.not_found");

    // A decided tip takes no second decision, even at its new version.
    let state = desk
        .decide(&waiting, "verify", json!({"version": version}))
        .await;
    let again = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "reject",
            json!({"version": state["version"], "reason": "no_violation"}),
        )
        .await;
    assert_eq!(error_code(again, 409).await, "tip.invalid_state");
    let claim = desk.claim_response(&desk.moderator, &waiting).await;
    assert_eq!(error_code(claim, 409).await, "tip.invalid_state");
}

#[tokio::test]
async fn verified_tips_go_into_a_new_lead_or_an_open_one() {
    let desk = Desk::open().await;
    let reporter = desk.citizen("13900139001").await;
    let first = desk.submit_as(&reporter, &tiny_png(), |_| {}).await;
    let first = id_of(&first["tip"]);
    let second = desk.tip(|_| {}).await;

    let version = desk.claim(&first).await;
    let state = desk
        .decide(
            &first,
            "verify",
            json!({"version": version, "lead_title": "Cards at the car park"}),
        )
        .await;
    assert_eq!(state["status"], "verified");
    assert!(state["claimed_by"].is_null(), "a decision ends the claim");
    let lead_id = state["lead_id"].as_str().unwrap().to_owned();
    let lead = desk.lead(&lead_id).await;
    assert_eq!(lead["status"], "open");
    assert_eq!(lead["title"], "Cards at the car park");
    assert_eq!(lead["category"], "illicit_card_ads");
    assert!(lead["reference"].as_str().unwrap().starts_with("LD-"));
    assert_eq!(ids(&lead["tips"]), [first.as_str()]);

    // The reporter sees the tip verified.
    let mine = desk.get(&reporter, &format!("/v1/tips/{first}")).await;
    assert_eq!(mine["status"], "verified");
    assert_eq!(
        statuses_in_history(&mine),
        ["submitted", "in_review", "verified"]
    );

    // The second tip carries the same number: the lead is suggested, and
    // it goes in.
    let version = desk.claim(&second).await;
    let detail = desk.detail(&second).await;
    assert_eq!(ids(&detail["suggested_leads"]), [lead_id.as_str()]);
    let into = desk.verify_into(&second, version, &lead_id).await;
    assert_eq!(into["lead_id"], lead_id.as_str());
    let lead = desk.lead(&lead_id).await;
    assert_eq!(ids(&lead["tips"]), [first.clone(), second.clone()]);
    let actions: Vec<&str> = lead["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "tip_added", "tip_added"]);
    assert_eq!(lead["history"][2]["tip_id"], second.as_str());
    assert_eq!(
        lead["history"][2]["actor_id"],
        desk.moderator_id.to_string()
    );
    let detail = desk.detail(&second).await;
    assert_eq!(detail["lead"]["id"], lead_id.as_str());
    assert_eq!(
        ids(&detail["suggested_leads"]),
        Vec::<String>::new(),
        "a tip's own lead is no suggestion"
    );
}

impl Desk {
    async fn add_to_lead(&self, lead: &str, version: i64, tip: &str) -> reqwest::Response {
        self.app
            .post_as(
                &format!("/v1/leads/{lead}/tips"),
                &self.moderator,
                json!({"version": version, "tip_id": tip}),
            )
            .await
    }

    pub async fn verify_into(&self, id: &str, version: i64, lead: &str) -> Value {
        self.decide(id, "verify", json!({"version": version, "lead_id": lead}))
            .await
    }
}

#[tokio::test]
async fn a_rejected_reporter_reads_the_reason_as_worded_now_and_the_note() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let citizen = desk.citizen("13900139002").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let anon = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let anon_id = id_of(&anon["tip"]);

    let reasons = desk
        .get(&desk.moderator, "/v1/moderation/reject-reasons")
        .await;
    let codes: Vec<&str> = reasons
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"no_violation"), "{codes:?}");

    let note = "The card advertises a licensed massage parlour.";
    let version = desk.claim(&theirs).await;
    let state = desk
        .decide(
            &theirs,
            "reject",
            json!({"version": version, "reason": "no_violation", "note": note}),
        )
        .await;
    assert_eq!(state["status"], "rejected");
    let version = desk.claim(&anon_id).await;
    desk.decide(
        &anon_id,
        "reject",
        json!({"version": version, "reason": "insufficient_evidence"}),
    )
    .await;

    let path = format!("/v1/tips/{theirs}");
    let tip = desk.get(&citizen, &path).await;
    assert_eq!(tip["status"], "rejected");
    let last = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "rejected");
    assert_eq!(last["note"], note);
    assert_eq!(last["reason"]["code"], "no_violation");
    assert_eq!(
        last["reason"]["text_en"],
        "We found nothing unlawful in what you reported. Thank you for taking part."
    );
    assert_eq!(
        last["reason"]["text_zh"],
        "经核实，您举报的内容未发现违法违规情况。感谢您的参与。"
    );
    // Only the rejection carries a reason.
    let with_reason = tip["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["reason"].is_null())
        .count();
    assert_eq!(with_reason, 1);

    let receipt_view = by_receipt(&desk.app, &anon, "").await;
    assert_eq!(receipt_view["status"], "rejected");
    let last = receipt_view["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"]["code"], "insufficient_evidence");
    assert!(last["note"].is_null());

    // Both were told, each in their own inbox.
    let told = desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(told["items"].as_array().unwrap().len(), 1, "{told}");
    assert_eq!(told["items"][0]["kind"], "tip.rejected");
    assert_eq!(
        told["items"][0]["text_en"],
        format!(
            "We found nothing unlawful in what you reported. Thank you for taking part. {note}"
        )
    );
    let told = by_receipt(&desk.app, &anon, "/notifications").await;
    assert_eq!(told["items"].as_array().unwrap().len(), 1, "{told}");
    assert_eq!(told["items"][0]["kind"], "tip.rejected");

    // The admin rewords the reason: the reporter reads the new words.
    let new_en = "Our check found nothing unlawful here. Thank you for reporting.";
    let new_zh = "经核查，未发现违法情况。感谢您的举报。";
    let response = desk
        .app
        .patch_as(
            "/v1/admin/reject-reasons/no_violation",
            &admin,
            json!({"public_en": new_en, "public_zh": new_zh}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let tip = desk.get(&citizen, &path).await;
    let last = tip["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"]["text_en"], new_en);
    assert_eq!(last["reason"]["text_zh"], new_zh);
    assert_eq!(last["note"], note);

    // A rejected tip takes no more messages from its reporter.
    let r = desk
        .app
        .post_as(
            &format!("/v1/tips/{theirs}/messages"),
            &citizen,
            json!({"body": "But why?"}),
        )
        .await;
    assert_eq!(error_code(r, 409).await, "tip.invalid_state");

    // A retired reason is no longer offered, nor taken.
    let response = desk
        .app
        .patch_as(
            "/v1/admin/reject-reasons/abusive",
            &admin,
            json!({"retired": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let reasons = desk
        .get(&desk.moderator, "/v1/moderation/reject-reasons")
        .await;
    assert!(
        reasons
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"] != "abusive"),
        "{reasons}"
    );
    let another = desk.tip(|_| {}).await;
    let version = desk.claim(&another).await;
    let retired = desk
        .decide_as(
            &desk.moderator,
            &another,
            "reject",
            json!({"version": version, "reason": "abusive"}),
        )
        .await;
    assert_eq!(error_code(retired, 422).await, "tip.unknown_reject_reason");
}

#[tokio::test]
async fn a_question_waits_for_the_reporter_whose_answer_puts_the_tip_back_in_the_queue() {
    let desk = Desk::open().await;
    let question = "Which street was the car parked on?";

    // Anonymous: asked and answered through the receipt.
    let submitted = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let id = id_of(&submitted["tip"]);
    let version = desk.claim(&id).await;
    let state = desk
        .decide(
            &id,
            "request-info",
            json!({"version": version, "question": question}),
        )
        .await;
    assert_eq!(state["status"], "needs_info");
    assert!(state["claimed_by"].is_null());
    // Not waiting for a moderator any more, but findable.
    assert_eq!(ids(&desk.queue(&[]).await["items"]), Vec::<String>::new());
    assert_eq!(
        ids(&desk.queue(&[("status", "needs_info")]).await["items"]),
        [id.as_str()]
    );
    let view = by_receipt(&desk.app, &submitted, "").await;
    assert_eq!(view["status"], "needs_info");
    let messages = by_receipt(&desk.app, &submitted, "/messages").await;
    assert_eq!(messages[0]["author"], "moderator");
    assert_eq!(messages[0]["body"], question);

    let code = submitted["receipt"]["code"].as_str().unwrap();
    let answer = desk
        .app
        .client
        .post(desk.app.url(&format!("/v1/receipts/{code}/messages")))
        .header(
            "X-Receipt-Secret",
            submitted["receipt"]["secret"].as_str().unwrap(),
        )
        .json(&json!({"body": "Dongzhimen Inner Street"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let view = by_receipt(&desk.app, &submitted, "").await;
    assert_eq!(view["status"], "submitted");
    assert_eq!(
        statuses_in_history(&view),
        ["submitted", "in_review", "needs_info", "submitted"]
    );
    assert_eq!(ids(&desk.queue(&[]).await["items"]), [id.as_str()]);
    let detail = desk.detail(&id).await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, [question, "Dongzhimen Inner Street"]);
    // Back in the queue, it can be claimed and decided again.
    let version = desk.claim(&id).await;
    desk.decide(&id, "verify", json!({"version": version}))
        .await;

    // A citizen answers in the app.
    let citizen = desk.citizen("13900139003").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let version = desk.claim(&theirs).await;
    desk.decide(
        &theirs,
        "request-info",
        json!({"version": version, "question": question}),
    )
    .await;
    let messages = desk
        .get(&citizen, &format!("/v1/tips/{theirs}/messages"))
        .await;
    assert_eq!(messages[0]["body"], question);
    let r = desk
        .app
        .post_as(
            &format!("/v1/tips/{theirs}/messages"),
            &citizen,
            json!({"body": "Near the east gate"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let tip = desk.get(&citizen, &format!("/v1/tips/{theirs}")).await;
    assert_eq!(tip["status"], "submitted");
}

#[tokio::test]
async fn a_duplicate_points_to_the_kept_tip_and_its_reporter_is_told() {
    let desk = Desk::open().await;
    let kept = desk.tip(|_| {}).await;
    let kept_detail = desk.detail(&kept).await;
    let citizen = desk.citizen("13900139004").await;
    let copy = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let copy = id_of(&copy["tip"]);

    let version = desk.claim(&copy).await;
    let state = desk
        .decide(
            &copy,
            "mark-duplicate",
            json!({"version": version, "of": kept}),
        )
        .await;
    assert_eq!(state["status"], "duplicate");
    assert_eq!(state["duplicate_of"], kept.as_str());
    assert_eq!(desk.detail(&copy).await["duplicate_of"], kept.as_str());

    let tip = desk.get(&citizen, &format!("/v1/tips/{copy}")).await;
    assert_eq!(tip["status"], "duplicate");
    let last = tip["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["status"], "duplicate");
    let note = last["note"].as_str().expect("the reporter is told why");
    assert!(!note.is_empty());
    // Nothing about the other report reaches this reporter.
    let text = tip.to_string();
    assert!(!text.contains(&kept));
    assert!(!text.contains(kept_detail["reference"].as_str().unwrap()));

    // A tip cannot duplicate one that is itself a duplicate.
    let third = desk.tip(|_| {}).await;
    let version = desk.claim(&third).await;
    let r = desk
        .decide_as(
            &desk.moderator,
            &third,
            "mark-duplicate",
            json!({"version": version, "of": copy}),
        )
        .await;
    assert_eq!(error_code(r, 409).await, "tip.duplicate_of_unkept");
}

#[tokio::test]
async fn two_tips_marked_as_each_others_duplicate_at_once_keep_one() {
    let desk = Desk::open().await;
    let (_, other) = desk.staff("mod.two", Role::Moderator).await;
    for _ in 0..4 {
        let (a, b) = (desk.tip(|_| {}).await, desk.tip(|_| {}).await);
        let va = desk.claim(&a).await;
        let vb = desk.claim_as(&other, &b).await;
        // Each moderator sees "looks like" the other's tip and marks it.
        let (ab, ba) = tokio::join!(
            desk.decide_as(
                &desk.moderator,
                &a,
                "mark-duplicate",
                json!({"version": va, "of": b})
            ),
            desk.decide_as(
                &other,
                &b,
                "mark-duplicate",
                json!({"version": vb, "of": a})
            )
        );
        one_wins(ab, ba, &["tip.duplicate_of_unkept"]).await;
        let states = [
            desk.detail(&a).await["status"].clone(),
            desk.detail(&b).await["status"].clone(),
        ];
        assert!(
            states.contains(&json!("in_review")),
            "one of the two is still kept: {states:?}"
        );
    }
}

#[tokio::test]
async fn internal_notes_are_for_moderators_only() {
    let desk = Desk::open().await;
    let citizen = desk.citizen("13900139005").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let anon = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let anon_id = id_of(&anon["tip"]);

    let secret = "Same printer as case 2024-117; suspect Wang";
    for id in [&theirs, &anon_id] {
        let r = desk
            .app
            .post_as(
                &format!("/v1/moderation/tips/{id}/notes"),
                &desk.moderator,
                json!({"body": secret}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let note: Value = r.json().await.unwrap();
        assert_eq!(note["author_id"], desk.moderator_id.to_string());
        // And a question, so the reporters' conversations are not empty.
        let version = desk.claim(id).await;
        desk.decide(
            id,
            "request-info",
            json!({"version": version, "question": "Any other numbers?"}),
        )
        .await;
    }
    let empty = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{theirs}/notes"),
            &desk.moderator,
            json!({"body": "   "}),
        )
        .await;
    assert_eq!(error_code(empty, 400).await, "request.invalid");
    let nowhere = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{}/notes", Uuid::now_v7()),
            &desk.moderator,
            json!({"body": secret}),
        )
        .await;
    assert_eq!(error_code(nowhere, 404).await, "tip.not_found");

    let detail = desk.detail(&theirs).await;
    let notes = detail["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], secret);
    assert_eq!(notes[0]["author_id"], desk.moderator_id.to_string());

    // Whatever the reporter can read, the note is in none of it.
    let views = [
        desk.get(&citizen, &format!("/v1/tips/{theirs}")).await,
        desk.get(&citizen, &format!("/v1/tips/{theirs}/messages"))
            .await,
        desk.get(&citizen, "/v1/tips").await,
        by_receipt(&desk.app, &anon, "").await,
        by_receipt(&desk.app, &anon, "/messages").await,
    ];
    for view in &views {
        let text = view.to_string();
        assert!(!text.contains("2024-117"), "{text}");
        assert!(!text.contains("suspect"), "{text}");
    }
    assert_eq!(views[1][0]["body"], "Any other numbers?");
}

#[tokio::test]
async fn a_release_puts_the_tip_back_for_anyone() {
    let desk = Desk::open().await;
    let (other_id, other) = desk.staff("mod.two", Role::Moderator).await;
    let tip = desk.tip(|_| {}).await;
    desk.claim(&tip).await;
    assert_eq!(
        ids(&desk.queue(&[("claimed_by", "none")]).await["items"]),
        Vec::<String>::new()
    );
    let response = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{tip}/release"),
            &desk.moderator,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let state: Value = response.json().await.unwrap();
    assert_eq!(state["status"], "submitted");
    assert!(state["claimed_by"].is_null());
    let page = desk.queue(&[("claimed_by", "none")]).await;
    assert_eq!(ids(&page["items"]), [tip.as_str()]);
    assert_eq!(page["counts"]["submitted"], 1);
    assert_eq!(page["counts"]["in_review"], 0);
    // Another moderator takes it now.
    desk.claim_as(&other, &tip).await;
    assert_eq!(desk.detail(&tip).await["claimed_by"], other_id.to_string());
}

#[tokio::test]
async fn the_moderator_sees_the_tip_in_full_and_the_protected_reads_are_audited() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let phone_only = |b: &mut Value| {
        b["contacts"] = json!([{"kind": "phone", "value": "138 0013 8000"}]);
    };
    // An anonymous tip with the same number, already in a lead.
    let earlier = desk.tip(phone_only).await;
    let lead = desk.verify(&earlier).await;
    // Another one, still waiting.
    desk.tip(phone_only).await;
    // The citizen's tip under review, with a real photo.
    let citizen = desk.citizen("13900139006").await;
    let submitted = desk.submit_as(&citizen, CAMERA_PHOTO, phone_only).await;
    let id = id_of(&submitted["tip"]);

    let detail = desk.detail(&id).await;
    assert_eq!(detail["reporter"], json!({"anonymous": false}));
    assert_eq!(detail["status"], "submitted");
    assert_eq!(detail["category"], "illicit_card_ads");
    let photo = &detail["photos"][0];
    assert_eq!(
        photo["sha256"],
        hex::encode(sha2::Sha256::digest(CAMERA_PHOTO))
    );
    assert_eq!(photo["kind"], "jpg");
    for field in ["display_url", "thumbnail_url"] {
        let response = reqwest::get(photo[field].as_str().unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "{field}");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8], "{field} is a JPEG");
    }
    assert_eq!(
        detail["contacts"],
        json!([{"kind": "phone", "value": CARD_PHONE, "other_tips": 2, "leads": 1}])
    );
    assert_eq!(ids(&detail["suggested_leads"]), [lead.as_str()]);
    assert_eq!(detail["suggested_leads"][0]["status"], "open");
    let actions: Vec<&str> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tip.submit"]);
    assert_eq!(detail["audit"][0]["actor_kind"], "reporter");
    // Nothing in the detail names the citizen's account: that would link
    // their tips together without the audited call.
    let me = desk.get(&citizen, "/v1/me").await;
    let account = me["id"].as_str().unwrap();
    assert!(
        !detail.to_string().contains(account),
        "the reporter's account id is in the moderator's view"
    );
    assert_eq!(desk.detail(&earlier).await["reporter"]["anonymous"], true);

    // The original: a link whose bytes are the evidence, and an audit
    // event naming who looked.
    let media_id = photo["id"].as_str().unwrap();
    let link = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/media/{media_id}/original"),
        )
        .await;
    let bytes = reqwest::get(link["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), link["sha256"]);
    assert_eq!(link["sha256"], photo["sha256"]);
    let reads = desk
        .audit(
            &admin,
            &[
                ("object_kind", "media"),
                ("object_id", media_id),
                ("action", "media.read_original"),
            ],
        )
        .await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["actor_id"], desk.moderator_id.to_string());
    assert_eq!(reads[0]["actor_kind"], "user");
    // An upload no tip has taken is its uploader's alone.
    let loose = upload(&desk.app, &citizen, &tiny_png()).await;
    let r = desk
        .app
        .get_as(
            &format!(
                "/v1/moderation/media/{}/original",
                loose["id"].as_str().unwrap()
            ),
            &desk.moderator,
        )
        .await;
    assert_eq!(error_code(r, 404).await, "media.not_found");

    // The reporter's number: E.164, and audited.
    let contact = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/tips/{id}/reporter"),
        )
        .await;
    assert_eq!(
        contact,
        json!({"anonymous": false, "phone": "+8613900139006"})
    );
    let reads = desk
        .audit(
            &admin,
            &[("object_id", &id), ("action", "tip.read_reporter_contact")],
        )
        .await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["actor_id"], desk.moderator_id.to_string());
    let contact = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/tips/{earlier}/reporter"),
        )
        .await;
    assert_eq!(contact, json!({"anonymous": true}));
    let reads = desk
        .audit(
            &admin,
            &[
                ("object_id", &earlier),
                ("action", "tip.read_reporter_contact"),
            ],
        )
        .await;
    assert_eq!(reads.len(), 1, "anonymous or not, the read is recorded");

    // The tip's own trail now shows the read.
    let detail = desk.detail(&id).await;
    let actions: Vec<&str> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tip.submit", "tip.read_reporter_contact"]);
}

/// `jpeg` decoded, shrunk to `percent` of its size and encoded again at a
/// lower quality: the same picture in other bytes, as a re-post would be.
fn shrunk_copy(jpeg: &[u8], percent: u32) -> Vec<u8> {
    use fast_image_resize as fr;
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let (new_width, new_height) = (width * percent / 100, height * percent / 100);
    let source =
        fr::images::Image::from_vec_u8(width, height, pixels, fr::PixelType::U8x3).unwrap();
    let mut target = fr::images::Image::new(new_width, new_height, fr::PixelType::U8x3);
    fr::Resizer::new()
        .resize(&source, &mut target, &fr::ResizeOptions::new())
        .unwrap();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 70)
        .encode(
            target.buffer(),
            new_width as u16,
            new_height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

#[tokio::test]
async fn the_same_picture_in_other_tips_is_pointed_out() {
    let desk = Desk::open().await;
    let copy = shrunk_copy(PHONE_PHOTO, 60);
    assert_ne!(copy, PHONE_PHOTO);

    let original = desk.submit_as(&desk.reporter, PHONE_PHOTO, |_| {}).await;
    let original = id_of(&original["tip"]);
    let resized = desk.submit_as(&desk.reporter, &copy, |_| {}).await;
    let resized = id_of(&resized["tip"]);
    let same_file = desk.submit_as(&desk.reporter, PHONE_PHOTO, |_| {}).await;
    let same_file = id_of(&same_file["tip"]);
    let unrelated = desk.submit_as(&desk.reporter, CAMERA_PHOTO, |_| {}).await;
    let unrelated = id_of(&unrelated["tip"]);

    let similar_of = |detail: &Value, other: &str| -> Option<Value> {
        detail["similar_photos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["other_tip_id"] == other)
            .cloned()
    };

    let detail = desk.detail(&resized).await;
    let found = similar_of(&detail, &original).expect("the resized copy names the original");
    assert_eq!(found["exact"], false);
    assert!(found["distance"].as_u64().unwrap() <= 10, "{found}");
    assert_eq!(found["media_id"], detail["photos"][0]["id"]);
    assert!(
        found["other_tip_reference"]
            .as_str()
            .unwrap()
            .starts_with("TL-")
    );
    let thumbnail = reqwest::get(found["other_thumbnail_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), 200);

    let detail = desk.detail(&same_file).await;
    let found = similar_of(&detail, &original).expect("the same file names the original");
    assert_eq!(found["exact"], true);
    assert_eq!(found["distance"], 0);

    let detail = desk.detail(&original).await;
    assert_eq!(similar_of(&detail, &same_file).unwrap()["exact"], true);
    assert_eq!(similar_of(&detail, &resized).unwrap()["exact"], false);
    assert!(similar_of(&detail, &original).is_none(), "not itself");

    let detail = desk.detail(&unrelated).await;
    assert_eq!(
        detail["similar_photos"],
        json!([]),
        "another picture looks like none of them"
    );
}

#[tokio::test]
async fn leads_are_built_found_and_changed_while_open() {
    let desk = Desk::open().await;
    let card = |b: &mut Value| {
        b["contacts"] = json!([{"kind": "phone", "value": "13800138000"}]);
    };
    let t1 = desk.tip(card).await;
    let t2 = desk.tip(card).await;
    let fraud = desk
        .tip(|b| {
            b["category"] = json!("fraud");
            b["location"] = json!({"lat": 31.2304, "lon": 121.4737});
            b["contacts"] = json!([{"kind": "wechat", "value": "scammer_01"}]);
        })
        .await;
    let waiting = desk.tip(card).await;

    let l1 = desk.verify(&t1).await;
    let version = desk.claim(&t2).await;
    desk.verify_into(&t2, version, &l1).await;
    let l_fraud = desk.verify(&fraud).await;

    let lead = desk.lead(&l1).await;
    assert_eq!(ids(&lead["tips"]), [t1.clone(), t2.clone()]);
    assert_eq!(lead["tips"][0]["lat"], 39.9087);
    assert_eq!(lead["tips"][0]["lon"], 116.3975);
    assert_eq!(
        lead["contacts"],
        json!([{"kind": "phone", "value": CARD_PHONE, "tips": 2}])
    );
    let version = lead["version"].as_i64().unwrap();

    // Every change names the version it was made from.
    let stale = desk.remove_from_lead(&l1, &t2, version - 1).await;
    assert_eq!(error_code(stale, 409).await, "lead.stale_version");
    let removed = desk.remove_from_lead(&l1, &t2, version).await;
    assert_eq!(removed.status(), 200, "{}", removed.text().await.unwrap());
    let lead: Value = removed.json().await.unwrap();
    assert_eq!(ids(&lead["tips"]), [t1.as_str()]);
    assert_eq!(lead["version"], version + 1);
    let out = desk.detail(&t2).await;
    assert_eq!(out["status"], "verified", "out of the lead, still verified");
    assert!(out["lead"].is_null());

    let last = desk.remove_from_lead(&l1, &t1, version + 1).await;
    assert_eq!(error_code(last, 409).await, "lead.last_tip");
    let not_in = desk.remove_from_lead(&l1, &t2, version + 1).await;
    assert_eq!(error_code(not_in, 404).await, "lead.tip_not_in_lead");

    assert_eq!(
        error_code(desk.add_to_lead(&l1, version, &t2).await, 409).await,
        "lead.stale_version"
    );
    assert_eq!(
        error_code(desk.add_to_lead(&l1, version + 1, &waiting).await, 409).await,
        "lead.tip_not_verified"
    );
    assert_eq!(
        error_code(desk.add_to_lead(&l1, version + 1, &fraud).await, 409).await,
        "lead.tip_in_other_lead"
    );
    let added = desk.add_to_lead(&l1, version + 1, &t2).await;
    assert_eq!(added.status(), 200, "{}", added.text().await.unwrap());
    let lead: Value = added.json().await.unwrap();
    assert_eq!(ids(&lead["tips"]), [t1.clone(), t2.clone()]);
    let history: Vec<(String, Option<String>)> = lead["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["tip_id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("created".to_owned(), None),
            ("tip_added".to_owned(), Some(t1.clone())),
            ("tip_added".to_owned(), Some(t2.clone())),
            ("tip_removed".to_owned(), Some(t2.clone())),
            ("tip_added".to_owned(), Some(t2.clone())),
        ]
    );

    // A lead of its own for a verified tip in none.
    let removed = desk
        .remove_from_lead(&l1, &t2, lead["version"].as_i64().unwrap())
        .await;
    assert_eq!(removed.status(), 200);
    let create = |tips: Vec<&str>| {
        desk.app.post_as(
            "/v1/leads",
            &desk.moderator,
            json!({"tip_ids": tips, "title": "The second printer"}),
        )
    };
    assert_eq!(
        error_code(create(vec![&waiting]).await, 409).await,
        "lead.tip_not_verified"
    );
    assert_eq!(
        error_code(create(vec![&t1]).await, 409).await,
        "lead.tip_in_other_lead"
    );
    assert_eq!(
        error_code(create(vec![&t2, &t2]).await, 400).await,
        "request.invalid"
    );
    let created = create(vec![&t2]).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let l3: Value = created.json().await.unwrap();
    assert_eq!(l3["status"], "open");
    assert_eq!(l3["title"], "The second printer");
    assert_eq!(l3["category"], "illicit_card_ads");
    assert_eq!(ids(&l3["tips"]), [t2.as_str()]);
    let actions: Vec<&str> = l3["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "tip_added"]);
    let l3 = id_of(&l3);
    assert_eq!(desk.detail(&t2).await["lead"]["id"], l3.as_str());

    // Finding them: newest first, by state, category and contact.
    let newest_first = vec![l3.clone(), l_fraud.clone(), l1.clone()];
    assert_eq!(desk.leads(&[]).await, newest_first);
    assert_eq!(desk.leads(&[("status", "open")]).await, newest_first);
    assert_eq!(
        desk.leads(&[("status", "forwarded"), ("status", "resolved")])
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        desk.leads(&[("category", "fraud")]).await,
        [l_fraud.as_str()]
    );
    assert_eq!(
        desk.leads(&[("contact", "phone:138-0013-8000")]).await,
        [l3.clone(), l1.clone()]
    );
    assert_eq!(
        desk.leads(&[("contact", "wechat:SCAMMER_01")]).await,
        [l_fraud.as_str()]
    );
    for (name, value, status, code) in [
        ("status", "bogus", 400, "request.invalid"),
        ("contact", "phone:12", 422, "request.invalid_filter"),
    ] {
        let response = desk
            .app
            .client
            .get(desk.app.url("/v1/leads"))
            .bearer_auth(&desk.moderator)
            .query(&[(name, value)])
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(response, status).await, code, "{name}={value}");
    }
    let missing = desk
        .app
        .get_as(&format!("/v1/leads/{}", Uuid::now_v7()), &desk.moderator)
        .await;
    assert_eq!(error_code(missing, 404).await, "lead.not_found");
}

#[tokio::test]
async fn a_contact_cluster_lists_the_leads_its_tips_are_in() {
    let desk = Desk::open().await;
    let card = |b: &mut Value| {
        b["contacts"] = json!([
            {"kind": "phone", "value": "+86 138 0013 8000"},
            {"kind": "qq", "value": "55501234"}
        ]);
    };
    let a = desk.tip(card).await;
    let b = desk.tip(card).await;
    let c = desk.tip(card).await;
    let lead = desk.verify(&a).await;
    let version = desk.claim(&b).await;
    desk.verify_into(&b, version, &lead).await;
    let other_lead = desk.verify(&c).await;
    // A tip with another number, in a lead of its own.
    let elsewhere = desk
        .tip(|b| {
            b["contacts"] = json!([{"kind": "phone", "value": "13911112222"}]);
        })
        .await;
    let unrelated_lead = desk.verify(&elsewhere).await;

    let cluster = desk
        .get(
            &desk.moderator,
            "/v1/moderation/contacts/phone/138-0013-8000",
        )
        .await;
    assert_eq!(cluster["value"], CARD_PHONE);
    assert_eq!(cluster["tip_count"], 3);
    let leads = ids(&cluster["leads"]);
    assert_eq!(leads, [other_lead.clone(), lead.clone()], "newest first");
    assert!(!leads.contains(&unrelated_lead));
    assert_eq!(cluster["leads"][0]["status"], "open");
    assert!(
        cluster["leads"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("LD-")
    );

    let qq = desk
        .get(&desk.moderator, "/v1/moderation/contacts/qq/55501234")
        .await;
    assert_eq!(ids(&qq["leads"]).len(), 2);
    let nobody = desk
        .get(
            &desk.moderator,
            "/v1/moderation/contacts/wechat/nobody_here",
        )
        .await;
    assert_eq!(nobody["tip_count"], 0);
    assert_eq!(nobody["leads"], json!([]));
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_free_for_anyone() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_CLAIM_LEASE_SECS", "1");
    let app = TestApp::spawn_in(env).await;
    let (_, first) = app.staff("mod.first", Role::Moderator, None).await;
    let (second_id, second) = app.staff("mod.second", Role::Moderator, None).await;
    let reporter = anonymous(&app).await;
    let photo = upload(&app, &reporter, &tiny_png()).await;
    let submitted: Value = app
        .post_as(
            "/v1/tips",
            &reporter,
            tip_body(&[photo["id"].as_str().unwrap()]),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = id_of(&submitted["tip"]);
    let claim = |token: &str| {
        app.client
            .post(app.url(&format!("/v1/moderation/tips/{id}/claim")))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
    };
    assert_eq!(claim(&first).await.unwrap().status(), 200);
    let held = claim(&second).await.unwrap();
    assert_eq!(error_code(held, 409).await, "tip.claimed");

    // Past the lease (a generous margin over its one second).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let page: Value = app
        .client
        .get(app.url("/v1/moderation/tips"))
        .bearer_auth(&second)
        .query(&[("claimed_by", "none")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&page["items"]), [id.as_str()]);
    assert_eq!(page["items"][0]["status"], "in_review");
    assert!(page["items"][0]["claimed_by"].is_null());
    let taken = claim(&second).await.unwrap();
    assert_eq!(taken.status(), 200);
    let state: Value = taken.json().await.unwrap();
    assert_eq!(state["claimed_by"], second_id.to_string());
}

/// Both lists work without a state filter (the queue then shows what
/// waits, leads of every state), so the spec must not make clients send
/// one: a generated client would otherwise insist on it.
#[test]
fn the_spec_lets_clients_leave_the_state_filter_out() {
    use tipline::commands::{SpecFormat, openapi};
    let spec: Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    for path in ["/v1/moderation/tips", "/v1/leads"] {
        let parameters = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
        let status = parameters
            .iter()
            .find(|p| p["name"] == "status")
            .unwrap_or_else(|| panic!("{path} has a status filter"));
        assert_eq!(status["required"], false, "{path}: {status}");
    }
}

#[tokio::test]
async fn audited_reads_at_once_each_leave_one_event_in_an_unbroken_chain() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let (_, other) = desk.staff("mod.two", Role::Moderator).await;
    let citizen = desk.citizen("13900139007").await;
    let submitted = desk.submit_as(&citizen, PHONE_PHOTO, |_| {}).await;
    let id = id_of(&submitted["tip"]);
    let media = submitted["tip"]["photos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Two moderators, each reading the original and the reporter's number
    // twice, all at once: every read is answered and recorded.
    let original = format!("/v1/moderation/media/{media}/original");
    let reporter = format!("/v1/moderation/tips/{id}/reporter");
    let mut reads = Vec::new();
    for token in [&desk.moderator, &other] {
        for path in [&original, &reporter, &original, &reporter] {
            let request = desk.app.client.get(desk.app.url(path)).bearer_auth(token);
            reads.push(tokio::spawn(async move { request.send().await.unwrap() }));
        }
    }
    for read in reads {
        let response = read.await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let originals = desk
        .audit(&admin, &[("action", "media.read_original")])
        .await;
    assert_eq!(originals.len(), 4);
    let contacts = desk
        .audit(&admin, &[("action", "tip.read_reporter_contact")])
        .await;
    assert_eq!(contacts.len(), 4);
    let intact = tipline::store::audit::verify(&desk.app.state.db)
        .await
        .unwrap();
    assert!(intact.is_ok(), "the chain broke: {intact:?}");
}

#[tokio::test]
async fn deciding_takes_a_live_claim_of_ones_own() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_CLAIM_LEASE_SECS", "1");
    let desk = Desk::open_in(env).await;
    let (_, other) = desk.staff("mod.late", Role::Moderator).await;
    let tip = desk.tip(|_| {}).await;
    let version = desk.claim(&tip).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // The first moderator's lease ran out: the other may not decide on a
    // tip they never claimed...
    let unseen = desk
        .decide_as(
            &other,
            &tip,
            "reject",
            json!({"version": version, "reason": "no_violation"}),
        )
        .await;
    assert_eq!(error_code(unseen, 409).await, "tip.not_claimed");
    assert_eq!(desk.detail(&tip).await["status"], "in_review");
    // ...and may once they have.
    let version = desk.claim_as(&other, &tip).await;
    let decided = desk
        .decide_as(
            &other,
            &tip,
            "reject",
            json!({"version": version, "reason": "no_violation"}),
        )
        .await;
    assert_eq!(decided.status(), 200, "{}", decided.text().await.unwrap());
}
