//! Reading the card: contacts read off uploaded photos are offered to the
//! reporter, confirmed or dismissed by moderators (a confirmed one joins
//! the tip's cluster), never shown to units; photos that cannot be read
//! leave nothing; a reading cut short by a restart is done again.
//!
//! The photos are made by `tests/fixtures/suggestions/make.py`.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tipline::domain::Role;
use uuid::Uuid;

use crate::helpers::{TestApp, error_code};
use crate::moderation::{Desk, id_of};
use crate::reporting::{anonymous, tiny_png, tip_body, upload};

const QR_PHONE: &[u8] = include_bytes!("../fixtures/suggestions/qr-phone.jpg");
const QR_WECHAT: &[u8] = include_bytes!("../fixtures/suggestions/qr-wechat.jpg");
const QR_SCRIPT: &[u8] = include_bytes!("../fixtures/suggestions/qr-script.jpg");
const NO_CODE: &[u8] = include_bytes!("../fixtures/suggestions/no-code.jpg");

/// What `qr-phone.jpg`'s code says (`tel:13800138000`), normalised.
const PHONE: &str = "+8613800138000";
/// What `qr-wechat.jpg`'s code says, normalised.
const WECHAT: &str = "card_girl_2024";

/// What the reporter reads of their photo.
async fn photo_suggestions(app: &TestApp, token: &str, media: &str) -> reqwest::Response {
    app.get_as(&format!("/v1/media/{media}/suggestions"), token)
        .await
}

/// Waits until the photo's reading is no longer pending; its answer.
async fn read(app: &TestApp, token: &str, media: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let response = photo_suggestions(app, token, media).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        if answer["reading"] != "pending" {
            return answer;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still being read: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Uploads `photos` as the desk's reporter, waits for them to be read
/// (an anonymous reporter sees that only until the tip is sent: then the
/// photos are the tip's, no longer the session's), and submits a tip with
/// them and no typed contact; returns the media ids, what the reporter was
/// offered for each, and the tip id.
async fn tip_with(desk: &Desk, photos: &[&[u8]]) -> (Vec<String>, Vec<Value>, String) {
    let mut media = Vec::new();
    let mut offered = Vec::new();
    for photo in photos {
        let uploaded = upload(&desk.app, &desk.reporter, photo).await;
        let id = uploaded["id"].as_str().unwrap().to_owned();
        offered.push(read(&desk.app, &desk.reporter, &id).await);
        media.push(id);
    }
    let mut body = tip_body(&media.iter().map(String::as_str).collect::<Vec<_>>());
    body["contacts"] = json!([]);
    let response = desk.app.post_as("/v1/tips", &desk.reporter, body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let submitted: Value = response.json().await.unwrap();
    let tip = id_of(&submitted["tip"]);
    // The photos are the tip's now, not the anonymous session's.
    let response = photo_suggestions(&desk.app, &desk.reporter, &media[0]).await;
    assert_eq!(error_code(response, 404).await, "media.not_found");
    (media, offered, tip)
}

async fn detail(desk: &Desk, tip: &str) -> Value {
    desk.get(&desk.moderator, &format!("/v1/moderation/tips/{tip}"))
        .await
}

async fn decide(desk: &Desk, token: &str, tip: &str, sid: &str, what: &str) -> reqwest::Response {
    desk.app
        .post_as(
            &format!("/v1/moderation/tips/{tip}/suggestions/{sid}/{what}"),
            token,
            json!({}),
        )
        .await
}

fn suggestion<'a>(tip: &'a Value, value: &str) -> Option<&'a Value> {
    tip["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["value"] == value)
}

fn contact_values(tip: &Value) -> Vec<String> {
    tip["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap().to_owned())
        .collect()
}

async fn cluster(desk: &Desk, kind: &str, value: &str) -> Value {
    desk.get(
        &desk.moderator,
        &format!(
            "/v1/moderation/contacts/{kind}/{}",
            value.replace('+', "%2B")
        ),
    )
    .await
}

fn assert_box(region: &Value) {
    let [x, y, w, h] = ["x", "y", "width", "height"].map(|k| region[k].as_f64().unwrap());
    assert!(w > 0.05 && h > 0.05, "a box around the code: {region}");
    assert!(
        x >= 0.0 && y >= 0.0 && x + w <= 1.0 && y + h <= 1.0,
        "{region}"
    );
}

#[tokio::test]
async fn a_qr_code_on_the_card_is_offered_to_the_reporter_and_confirmed_into_the_cluster() {
    let desk = Desk::open().await;
    let app = &desk.app;

    // The upload answers at once and says the card is being read.
    let uploaded = upload(app, &desk.reporter, QR_PHONE).await;
    assert_eq!(uploaded["reading"], "pending");
    let media = uploaded["id"].as_str().unwrap().to_owned();

    // The reporter is offered the number before sending the tip.
    let found = read(app, &desk.reporter, &media).await;
    assert_eq!(found["reading"], "done");
    assert_eq!(found["media_id"], media.as_str());
    let contacts = found["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{found}");
    assert_eq!(contacts[0]["kind"], "phone");
    assert_eq!(contacts[0]["value"], PHONE);
    assert_eq!(contacts[0]["source"], "qr");
    assert!(contacts[0]["confidence"].as_f64().unwrap() > 0.5);
    assert_box(&contacts[0]["region"]);

    // Nobody else's photo: another anonymous reporter, a citizen.
    let stranger = anonymous(app).await;
    let response = photo_suggestions(app, &stranger, &media).await;
    assert_eq!(error_code(response, 404).await, "media.not_found");
    let citizen = desk.citizen("13912345678").await;
    let response = photo_suggestions(app, &citizen, &media).await;
    assert_eq!(error_code(response, 404).await, "media.not_found");
    let response = photo_suggestions(app, &desk.reporter, &Uuid::now_v7().to_string()).await;
    assert_eq!(error_code(response, 404).await, "media.not_found");

    // The reporter sends the tip without typing the number.
    let mut body = tip_body(&[&media]);
    body["contacts"] = json!([]);
    let response = app.post_as("/v1/tips", &desk.reporter, body).await;
    assert_eq!(response.status(), 201);
    let tip = id_of(&response.json::<Value>().await.unwrap()["tip"]);

    // The moderator sees the suggestion, with its box, not yet a contact.
    let seen = detail(&desk, &tip).await;
    assert!(contact_values(&seen).is_empty(), "{seen}");
    let s = suggestion(&seen, PHONE).expect("the suggestion is on the tip");
    assert_eq!(s["state"], "suggested");
    assert_eq!(s["source"], "qr");
    assert_eq!(s["media_id"], media.as_str());
    assert_box(&s["region"]);
    let sid = s["id"].as_str().unwrap().to_owned();
    assert_eq!(cluster(&desk, "phone", PHONE).await["tip_count"], 0);

    // Confirming adds the contact, once, however often it is sent.
    let response = decide(&desk, &desk.moderator, &tip, &sid, "confirm").await;
    assert_eq!(response.status(), 200);
    let confirmed: Value = response.json().await.unwrap();
    assert_eq!(confirmed["state"], "confirmed");
    assert_eq!(confirmed["decided_by"], desk.moderator_id.to_string());
    let again = decide(&desk, &desk.moderator, &tip, &sid, "confirm").await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["state"], "confirmed");

    let seen = detail(&desk, &tip).await;
    assert_eq!(contact_values(&seen), [PHONE]);
    assert_eq!(suggestion(&seen, PHONE).unwrap()["state"], "confirmed");
    let audited: Vec<&Value> = seen["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "tip.suggestion_confirm")
        .collect();
    assert_eq!(audited.len(), 1, "one audit event for two confirms");
    assert_eq!(audited[0]["actor_id"], desk.moderator_id.to_string());

    // The tip is in the number's cluster now.
    let joined = cluster(&desk, "phone", PHONE).await;
    assert_eq!(joined["tip_count"], 1);
    assert_eq!(joined["tips"][0]["id"], tip.as_str());

    // A confirmed suggestion cannot be dismissed; a wrong tip or id is 404.
    let response = decide(&desk, &desk.moderator, &tip, &sid, "dismiss").await;
    assert_eq!(error_code(response, 409).await, "suggestion.confirmed");
    let other = desk.tip(|_| {}).await;
    let response = decide(&desk, &desk.moderator, &other, &sid, "confirm").await;
    assert_eq!(error_code(response, 404).await, "suggestion.not_found");
    let response = decide(
        &desk,
        &desk.moderator,
        &Uuid::now_v7().to_string(),
        &sid,
        "confirm",
    )
    .await;
    assert_eq!(error_code(response, 404).await, "tip.not_found");
    // Reporters may not decide: to a citizen the route does not exist.
    let response = decide(&desk, &citizen, &tip, &sid, "dismiss").await;
    assert_eq!(error_code(response, 404).await, "not_found");
}

#[tokio::test]
async fn a_dismissed_suggestion_leaves_the_view_and_units_see_confirmed_contacts_only() {
    let desk = Desk::open().await;
    let app = &desk.app;
    let (_, offered, tip) = tip_with(&desk, &[QR_PHONE, QR_WECHAT]).await;
    for found in &offered {
        assert_eq!(found["reading"], "done");
    }
    let seen = detail(&desk, &tip).await;
    assert_eq!(seen["suggestions"].as_array().unwrap().len(), 2, "{seen}");
    let wechat = suggestion(&seen, WECHAT).expect("the WeChat id is suggested");
    assert_eq!(wechat["kind"], "wechat");
    let wechat = wechat["id"].as_str().unwrap().to_owned();
    let phone = suggestion(&seen, PHONE).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Dismissed: gone from the tip, and not a contact; safe to repeat.
    let response = decide(&desk, &desk.moderator, &tip, &wechat, "dismiss").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["state"],
        "dismissed"
    );
    let response = decide(&desk, &desk.moderator, &tip, &wechat, "dismiss").await;
    assert_eq!(response.status(), 200);
    let seen = detail(&desk, &tip).await;
    assert!(suggestion(&seen, WECHAT).is_none(), "{seen}");
    assert!(suggestion(&seen, PHONE).is_some());
    assert!(contact_values(&seen).is_empty());
    let response = decide(&desk, &desk.moderator, &tip, &wechat, "confirm").await;
    assert_eq!(error_code(response, 409).await, "suggestion.dismissed");

    // The tip goes to a unit with its phone suggestion undecided.
    let lead = desk.verify(&tip).await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let response = app
        .post_as(
            "/v1/admin/units",
            &admin,
            json!({
                "name_zh": "前门派出所", "name_en": "Qianmen Police Station",
                "kind": "police_station",
                "jurisdiction": {"type": "Polygon", "coordinates": [[
                    [116.38, 39.90], [116.41, 39.90], [116.41, 39.92], [116.38, 39.92], [116.38, 39.90]
                ]]},
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let unit: Uuid = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let version = desk.lead(&lead).await["version"].clone();
    let response = app
        .post_as(
            &format!("/v1/leads/{lead}/forward"),
            &desk.moderator,
            json!({"version": version, "unit_id": unit}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let (_, officer) = app
        .staff("officer.one", Role::UnitOfficer, Some(unit))
        .await;

    // The officer sees neither suggestion, nor can decide one.
    let response = app
        .get_as(&format!("/v1/unit/leads/{lead}"), &officer)
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(PHONE) && !text.contains(WECHAT), "{text}");
    assert!(!text.contains("suggestion"), "{text}");
    let response = decide(&desk, &officer, &tip, &phone, "confirm").await;
    assert_eq!(response.status(), 404);

    // Once a moderator confirms the number, it is one of the tip's
    // contacts, and the unit sees it as such.
    let response = decide(&desk, &desk.moderator, &tip, &phone, "confirm").await;
    assert_eq!(response.status(), 200);
    let lead_view = desk.get(&officer, &format!("/v1/unit/leads/{lead}")).await;
    let text = lead_view.to_string();
    assert!(text.contains(PHONE), "{text}");
    assert!(!text.contains(WECHAT), "{text}");
}

#[tokio::test]
async fn unreadable_or_hostile_photos_leave_no_suggestion_and_no_error() {
    use tipline::store::suggestions::{ReadingState, reading};

    let desk = Desk::open().await;
    let app = &desk.app;
    // A code saying something no tip carries, no code at all, a photo of
    // one pixel.
    let (media, offered, tip) = tip_with(&desk, &[QR_SCRIPT, NO_CODE, &tiny_png()]).await;
    for found in &offered {
        assert_eq!(found["reading"], "done", "{found}");
        assert_eq!(found["contacts"], json!([]), "{found}");
    }
    // An original that is no image at all by the time it is read (a
    // store's corruption, or bytes meant to break the decoder): read again,
    // it is done with nothing, and the node goes on.
    let id: Uuid = media[1].parse().unwrap();
    let photo = tipline::store::media::find_many(&app.state.db, &[id])
        .await
        .unwrap()
        .pop()
        .unwrap();
    let key = tipline::blob::BlobKey::parse(&photo.original_key).unwrap();
    let mut hostile = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x7f\xff\xff\xff\x7f\xff\xff\xff".to_vec();
    hostile.extend(std::iter::repeat_n(0xA5, 4096));
    app.state
        .blobs
        .put(&key, hostile.into(), "image/png")
        .await
        .unwrap();
    reading::Entity::update_many()
        .col_expr(reading::Column::State, Expr::value(ReadingState::Pending))
        .col_expr(reading::Column::Attempts, Expr::value(0))
        .filter(reading::Column::MediaId.eq(id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let row = reading::Entity::find_by_id(id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        if row.state != ReadingState::Pending {
            assert_eq!(row.state, ReadingState::Done);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never read again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seen = detail(&desk, &tip).await;
    assert_eq!(seen["suggestions"], json!([]));
    assert!(contact_values(&seen).is_empty());
    // The reporter's tip is there as sent.
    assert_eq!(seen["status"], "submitted");
}

#[tokio::test]
async fn a_reading_cut_short_by_a_restart_is_read_again_or_given_up() {
    use tipline::store::suggestions::{ReadingState, reading, suggestion};

    let desk = Desk::open().await;
    let reporter = desk.reporter.clone();
    let mut media = Vec::new();
    for _ in 0..2 {
        let id = upload(&desk.app, &reporter, QR_PHONE).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(read(&desk.app, &reporter, &id).await["reading"], "done");
        media.push(id);
    }
    let ids: Vec<Uuid> = media.iter().map(|m| m.parse().unwrap()).collect();
    let db = &desk.app.state.db;
    let now = desk.app.state.clock.now();
    // As a node that died while reading leaves them: nothing stored, the
    // first leased for five more minutes after one attempt, the second's
    // lease run out after its last attempt.
    suggestion::Entity::delete_many()
        .filter(suggestion::Column::MediaId.is_in(ids.clone()))
        .exec(db)
        .await
        .unwrap();
    for (id, attempts, lease) in [
        (ids[0], 1, now + chrono::Duration::minutes(5)),
        (ids[1], 3, now - chrono::Duration::minutes(1)),
    ] {
        reading::Entity::update_many()
            .col_expr(reading::Column::State, Expr::value(ReadingState::Pending))
            .col_expr(reading::Column::Attempts, Expr::value(attempts))
            .col_expr(reading::Column::LeasedUntil, Expr::value(lease))
            .filter(reading::Column::MediaId.eq(id))
            .exec(db)
            .await
            .unwrap();
    }

    let env = desk.app.stop().await;
    let app = TestApp::spawn_in(env).await;

    // Out of attempts: given up, which the reporter sees as nothing found.
    let given_up = read(&app, &reporter, &media[1]).await;
    assert_eq!(given_up["reading"], "failed");
    assert_eq!(given_up["contacts"], json!([]));

    // Still leased by the dead reader: left alone meanwhile.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let response = photo_suggestions(&app, &reporter, &media[0]).await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["reading"],
        "pending"
    );

    // Once its lease runs out, it is read again.
    app.state.clock.advance(chrono::Duration::minutes(6));
    let again = read(&app, &reporter, &media[0]).await;
    assert_eq!(again["reading"], "done");
    assert_eq!(again["contacts"][0]["value"], PHONE);
    let row = reading::Entity::find_by_id(ids[0])
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 2);
    assert!(row.leased_until.is_none());
}

#[tokio::test]
async fn with_ocr_switched_on_but_missing_the_service_starts_and_reads_qr_codes_only() {
    use crate::contract::SendChecked;
    use crate::helpers::{Running, TestEnv};

    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    env.set("TIPLINE_OCR_ENABLED", "true");
    env.set(
        "TIPLINE_OCR_DIR",
        env.dir.path().join("no-ocr-here").display().to_string(),
    );
    let mut running = Running::start(&env.vars);
    let addr = running.address();
    let said = running
        .wait_for(Duration::from_secs(60), |l| l.contains("reading cards"))
        .unwrap_or_else(|| panic!("no word on reading; stderr: {:?}", running.seen));
    assert!(said.contains("QR codes only"), "{said}");
    let ready = reqwest::Client::new()
        .get(format!("http://{addr}/readyz"))
        .checked()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    running.terminate();
    let (code, logs) = running.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");
}
