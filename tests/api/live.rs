//! The moderators' live feed, bulk decisions, the streamed export, and the
//! client settings.

use std::time::Duration;

use serde_json::{Value, json};
use tipline::domain::Role;

use crate::helpers::{Desk, error_code};

// Where other areas found these before they moved to `helpers`: kept so
// that tests written against the old paths still compile (not every name
// is used here).
#[allow(unused_imports)]
pub use crate::helpers::{Events, Frame};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn the_queue_hears_new_tips_and_claims_as_they_happen_and_resumes() {
    let desk = Desk::open().await;
    let (other_id, other) = desk.staff("mod.two", Role::Moderator).await;
    let citizen = desk.citizen("13600136000").await;
    // Nobody else hears moderation, and a stream needs a token.
    let hidden = desk.app.get_as("/v1/moderation/events", &citizen).await;
    assert_eq!(error_code(hidden, 404).await, "not_found");
    let anonymous = desk.app.get("/v1/moderation/events").await;
    assert_eq!(error_code(anonymous, 401).await, "auth.unauthorized");

    let mut events = Events::open(&desk.app, "/v1/moderation/events", &desk.moderator, None).await;
    // The stream starts from now: give the node's feed its starting point.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let submitted = desk
        .submit_as(&citizen, &crate::helpers::tiny_png(), |_| {})
        .await;
    let id = submitted["tip"]["id"].as_str().unwrap().to_owned();
    let arrived = events
        .until(WAIT, |f| {
            f.event == "tip" && f.data["tip"]["id"] == id.as_str()
        })
        .await;
    assert_eq!(arrived.data["action"], "tip.submit");
    assert_eq!(arrived.data["tip"]["status"], "submitted");
    // The reporter is nobody the feed names.
    assert!(arrived.data.get("by").is_none(), "{:?}", arrived.data);
    let text = arrived.data.to_string();
    assert!(!text.contains("13600136000") && !text.contains("+8613600136000"));
    let counts = events.until(WAIT, |f| f.event == "counts").await;
    assert!(counts.data["counts"]["submitted"].as_i64().unwrap() >= 1);
    let seen = arrived.id.clone().expect("events carry their position");

    // Another moderator claims it: the first one sees who, and until when.
    desk.claim_as(&other, &id).await;
    let claimed = events
        .until(WAIT, |f| {
            f.event == "tip" && f.data["action"] == "tip.claim"
        })
        .await;
    assert_eq!(claimed.data["by"], other_id.to_string());
    assert_eq!(claimed.data["tip"]["claimed_by"], other_id.to_string());
    assert_eq!(claimed.data["tip"]["status"], "in_review");
    drop(events);

    // Reconnecting with the last id seen replays what came after it.
    let mut resumed = Events::open(
        &desk.app,
        "/v1/moderation/events",
        &desk.moderator,
        Some(&seen),
    )
    .await;
    let replayed = resumed.until(WAIT, |f| f.event == "tip").await;
    assert_eq!(replayed.data["action"], "tip.claim");
    drop(resumed);
    // A position from before this node started is one it never kept:
    // reload, then follow.
    let moderator = desk.moderator.clone();
    let env = desk.app.stop().await;
    let app = crate::helpers::TestApp::spawn_in(env).await;
    let mut stale = Events::open(&app, "/v1/moderation/events", &moderator, Some(&seen)).await;
    let first = stale.next(WAIT).await.expect("an event");
    assert_eq!(first.event, "resync", "{first:?}");
}

#[tokio::test]
async fn a_bulk_decision_reports_each_tip_and_verifies_into_one_lead() {
    let desk = Desk::open().await;
    let (_, other) = desk.staff("mod.two", Role::Moderator).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(desk.tip(|_| {}).await);
    }
    let version = |id: &str| {
        let desk = &desk;
        let id = id.to_owned();
        async move {
            desk.get(&desk.moderator, &format!("/v1/moderation/tips/{id}"))
                .await["version"]
                .as_i64()
                .unwrap()
        }
    };
    // Another moderator holds the third: it fails alone, the others go.
    desk.claim_as(&other, &ids[2]).await;
    let mut items = Vec::new();
    for id in &ids[..3] {
        items.push(json!({"id": id, "version": version(id).await}));
    }
    let rejected = desk
        .app
        .post_as(
            "/v1/moderation/tips/bulk",
            &desk.moderator,
            json!({"action": "reject", "tips": items, "reason": "no_violation", "note": "a shop's own card"}),
        )
        .await;
    assert_eq!(rejected.status(), 200, "{}", rejected.text().await.unwrap());
    let rejected: Value = rejected.json().await.unwrap();
    assert_eq!(rejected["decided"], 2);
    assert_eq!(rejected["failed"], 1);
    let results = rejected["results"].as_array().unwrap();
    assert_eq!(results[0]["tip"]["status"], "rejected");
    assert_eq!(results[1]["tip"]["status"], "rejected");
    assert_eq!(results[2]["ok"], false);
    assert_eq!(results[2]["status"], 409);
    assert_eq!(results[2]["error"]["code"], "tip.claimed");

    // Two verified into one new lead.
    let items: Vec<Value> = {
        let mut v = Vec::new();
        for id in &ids[3..] {
            v.push(json!({"id": id, "version": version(id).await}));
        }
        v
    };
    let verified: Value = desk
        .app
        .post_as(
            "/v1/moderation/tips/bulk",
            &desk.moderator,
            json!({"action": "verify", "tips": items, "lead_title": "two cards"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verified["decided"], 2, "{verified}");
    let lead = verified["lead_id"].as_str().unwrap();
    let lead = desk.lead(lead).await;
    assert_eq!(lead["title"], "two cards");
    assert_eq!(lead["tips"].as_array().unwrap().len(), 2);

    // A reason that does not exist touches no tip; a stale version fails
    // its item.
    let unknown = desk
        .app
        .post_as(
            "/v1/moderation/tips/bulk",
            &desk.moderator,
            json!({"action": "reject", "tips": [{"id": ids[2], "version": 0}], "reason": "nope"}),
        )
        .await;
    assert_eq!(error_code(unknown, 422).await, "tip.unknown_reject_reason");
    let stale: Value = desk
        .app
        .post_as(
            "/v1/moderation/tips/bulk",
            &desk.moderator,
            json!({"action": "reject", "tips": [{"id": ids[2], "version": 0}], "reason": "no_violation"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stale["results"][0]["error"]["code"], "tip.stale_version");
}

#[tokio::test]
async fn the_export_streams_every_tip_the_filters_hold() {
    let desk = Desk::open().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            desk.tip(|b| {
                b["description"] = json!(format!("=HYPERLINK(\"x\") card {i}"));
                b["contacts"] = json!([{"kind": "phone", "value": "138 0013 8000"}]);
            })
            .await,
        );
    }
    desk.tip(|b| b["category"] = json!("fraud")).await;
    let response = desk
        .app
        .client
        .get(desk.app.url("/v1/moderation/tips.csv"))
        .bearer_auth(&desk.moderator)
        .query(&[("category", "illicit_card_ads")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"tips-")
    );
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "reference,status,category,submitted_at,lat,lon,address,contacts,description"
    );
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|l| l.contains("phone:+8613800138000"))
    );
    // Spreadsheet formulas are defused.
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.contains("fraud"));
}

#[tokio::test]
async fn clients_read_the_map_and_the_report_limits() {
    let mut env = crate::helpers::TestEnv::new().await;
    env.set(
        "TIPLINE_MAP_TILE_URL",
        "https://tiles.example.cn/{z}/{x}/{y}.png",
    );
    env.set("TIPLINE_MAP_TILE_DATUM", "gcj02");
    let app = crate::helpers::TestApp::spawn_in(env).await;
    let config: Value = app.get("/v1/client-config").await.json().await.unwrap();
    assert_eq!(
        config["map"]["tile_url"],
        "https://tiles.example.cn/{z}/{x}/{y}.png"
    );
    assert_eq!(config["map"]["tile_datum"], "gcj02");
    assert_eq!(config["max_photos"], 9);
    assert_eq!(config["max_upload_bytes"], 15 * 1024 * 1024);
    // The pages may load those tiles, and nothing else from outside.
    let page = app.client.get(app.url("/console/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let img_src: Vec<&str> = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("img-src "))
        .expect("an img-src directive")
        .split_whitespace()
        .collect();
    assert!(img_src.contains(&"https://tiles.example.cn"), "{csp}");
    // Besides the tiles: the service itself, inline previews and, on S3,
    // the store the signed photo URLs point at.
    let photo_store = std::env::var("TEST_S3_ENDPOINT").ok();
    for source in img_src {
        assert!(
            ["'self'", "data:", "blob:", "https://tiles.example.cn"].contains(&source)
                || photo_store.as_deref() == Some(source),
            "unexpected image source {source} in {csp}"
        );
    }
}

#[tokio::test]
async fn every_path_says_which_methods_it_takes() {
    let app = crate::helpers::TestApp::spawn().await;
    let options = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            app.url("/v1/moderation/tips/0190/claim"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(options.status(), 204);
    assert_eq!(options.headers()["allow"], "OPTIONS, POST");
    let wrong = app.client.delete(app.url("/v1/tips")).send().await.unwrap();
    assert_eq!(wrong.headers()["allow"], "GET, HEAD, OPTIONS, POST");
    assert_eq!(error_code(wrong, 405).await, "method_not_allowed");
}
