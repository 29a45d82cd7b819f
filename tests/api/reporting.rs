//! Reporting over HTTP: photo uploads (the hostile ones too), tips, the
//! anonymous path through receipts, retries, and who may see what.

use std::time::Duration;

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{
    CAMERA_PHOTO, PHONE_PHOTO, TestApp, chunked_post, citizen, error_code, upload_parts,
};

// Where other areas found these before they moved to `helpers`: kept so
// that tests written against the old paths still compile (not every name
// is used here).
#[allow(unused_imports)]
pub use crate::helpers::{Part, anonymous, form, tiny_png, tip_body, upload};

async fn count<E>(app: &TestApp, _entity: E) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(&app.state.db).await.unwrap()
}

/// Files the local-file store holds, helper directories excluded.
fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&app.env.data_dir().join("media"))
}

fn has_metadata(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
        || jpeg.windows(20).any(|w| w == b"http://ns.adobe.com/")
}

#[tokio::test]
async fn a_camera_photo_keeps_its_evidence_and_loses_its_position() {
    let app = TestApp::spawn().await;
    let token = citizen(&app, "13800138101").await;
    assert!(
        has_metadata(CAMERA_PHOTO),
        "the fixture carries EXIF and XMP"
    );
    let media = upload(&app, &token, CAMERA_PHOTO).await;

    use sha2::Digest;
    assert_eq!(
        media["sha256"],
        hex::encode(sha2::Sha256::digest(CAMERA_PHOTO))
    );
    assert_eq!(media["byte_size"], CAMERA_PHOTO.len());
    assert_eq!(media["content_type"], "image/jpeg");
    // Stored 1200x900 with Orientation 6: shown as 900x1200.
    assert_eq!(
        (media["width"].as_u64(), media["height"].as_u64()),
        (Some(900), Some(1200))
    );

    for (field, longest) in [("display_url", 2048), ("thumbnail_url", 320)] {
        let response = reqwest::get(media[field].as_str().unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "{field}");
        let bytes = response.bytes().await.unwrap();
        assert!(!has_metadata(&bytes), "{field} carries metadata");
        assert!(
            !bytes.windows(4).any(|w| w == b"GPS\0"),
            "{field} carries GPS"
        );
        let mut decoder = jpeg_decoder::Decoder::new(&bytes[..]);
        let pixels = decoder.decode().unwrap();
        let info = decoder.info().unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        assert!(w.max(h) <= longest, "{field}: {w}x{h}");
        assert!(h > w, "{field} is portrait: {w}x{h}");
        // Oriented: red band on top, blue square bottom-left.
        let at = |x: usize, y: usize| {
            let i = (y * w + x) * 3;
            (pixels[i], pixels[i + 1], pixels[i + 2])
        };
        let (r, g, b) = at(w / 2, h / 40);
        assert!(
            r > 150 && g < 80 && b < 80,
            "{field}: top is not red: {:?}",
            (r, g, b)
        );
        let (r, g, b) = at(w / 30, h - h / 40);
        assert!(
            b > 150 && r < 80,
            "{field}: bottom-left is not blue: {:?}",
            (r, g, b)
        );
    }

    // The original is the evidence: byte for byte what was uploaded.
    let id: uuid::Uuid = media["id"].as_str().unwrap().parse().unwrap();
    let row = tipline::store::media::find_many(&app.state.db, &[id])
        .await
        .unwrap()
        .remove(0);
    let key = tipline::blob::BlobKey::parse(&row.original_key).unwrap();
    assert!(
        row.original_key.starts_with(&format!("media/{id}/")),
        "a random key"
    );
    let (original, _) = app.state.blobs.get(&key).await.unwrap();
    assert_eq!(&original[..], CAMERA_PHOTO);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid little PNG whose header declares 60000x60000 pixels.
fn pixel_flood() -> Vec<u8> {
    let mut png = tiny_png();
    // Signature (8), length (4), "IHDR" (4), then width and height.
    png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[tokio::test]
async fn hostile_and_broken_uploads_are_refused_and_leave_nothing() {
    let app = TestApp::spawn().await;
    let token = citizen(&app, "13800138102").await;
    let html = b"<html><script>alert(1)</script></html>".as_slice();
    let truncated = &CAMERA_PHOTO[..CAMERA_PHOTO.len() / 2];
    let flood = pixel_flood();
    let png = tiny_png();
    let cases: [(&str, &[Part<'_>], u16, &str); 6] = [
        (
            "html named x.jpg",
            &[("file", "x.jpg", "image/jpeg", html)],
            415,
            "media.unsupported_type",
        ),
        (
            "pixel flood",
            &[("file", "flood.png", "image/png", &flood)],
            422,
            "media.unreadable",
        ),
        (
            "truncated jpeg",
            &[("file", "half.jpg", "image/jpeg", truncated)],
            422,
            "media.unreadable",
        ),
        (
            "zero bytes",
            &[("file", "empty.jpg", "image/jpeg", b"")],
            422,
            "media.unreadable",
        ),
        (
            "two files",
            &[
                ("file", "a.png", "image/png", &png),
                ("file", "b.png", "image/png", &png),
            ],
            400,
            "media.invalid_form",
        ),
        (
            "another part",
            &[
                ("caption", "c.txt", "text/plain", b"hi"),
                ("file", "a.png", "image/png", &png),
            ],
            400,
            "media.invalid_form",
        ),
    ];
    for (why, parts, status, code) in cases {
        let started = std::time::Instant::now();
        let response = upload_parts(&app, &token, parts, None).await;
        assert_eq!(error_code(response, status).await, code, "{why}");
        if why == "pixel flood" {
            // Refused from its header: no 14-gigabyte buffer was made. (A
            // generous bound: the machine is shared.)
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{why} took {:?}",
                started.elapsed()
            );
        }
    }

    // 20 MiB, refused as it streams.
    let mut big = vec![0u8; 20 * 1024 * 1024];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let response = upload_parts(
        &app,
        &token,
        &[("file", "big.jpg", "image/jpeg", &big)],
        None,
    )
    .await;
    assert_eq!(error_code(response, 413).await, "request.too_large");

    assert_eq!(
        count(&app, tipline::store::media::Entity).await,
        0,
        "no rows left behind"
    );
    if !app.env.uses_s3() {
        assert_eq!(stored_files(&app), 0, "no objects left behind");
    }
    // The good one still goes through.
    upload(&app, &token, &png).await;
}

#[tokio::test]
async fn bad_tips_are_refused_naming_what_is_wrong_and_leave_nothing() {
    let app = TestApp::spawn().await;
    let alice = citizen(&app, "13800138103").await;
    let bob = citizen(&app, "13800138104").await;
    let png = tiny_png();
    let mine = upload(&app, &alice, &png).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bobs = upload(&app, &bob, &png).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ten: Vec<String> = (0..10).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();

    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = tip_body(&[&mine]);
        f(&mut body);
        body
    };
    let next_week = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    // What the schema states is a 400; the rest a 422 naming the rule.
    let cases = [
        ("ten photos", tip_body(&ten), 400, "request.invalid"),
        ("no photo", tip_body(&[]), 400, "request.invalid"),
        (
            "the same photo twice",
            tip_body(&[&mine, &mine]),
            400,
            "request.invalid",
        ),
        (
            "someone else's photo",
            tip_body(&[&bobs]),
            422,
            "tip.invalid_media",
        ),
        (
            "lat 91",
            with(&|b| b["location"]["lat"] = json!(91.0)),
            400,
            "request.invalid",
        ),
        (
            "future",
            with(&|b| b["occurred_at"] = json!(next_week)),
            422,
            "tip.occurred_in_future",
        ),
        (
            "unknown category",
            with(&|b| b["category"] = json!("parking")),
            422,
            "tip.unknown_category",
        ),
        (
            "bad phone",
            with(&|b| {
                b["contacts"] =
                    json!([{"kind": "qq", "value": "123456"}, {"kind": "phone", "value": "12345"}])
            }),
            422,
            "tip.invalid_contact",
        ),
    ];
    for (why, body, expected, code) in cases {
        let response = app.post_as("/v1/tips", &alice, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, expected, "{why}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["code"], code, "{why}");
        if why == "bad phone" {
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("contacts[1] (phone)"),
                "{body}"
            );
        }
        if expected == 400 {
            assert!(
                body["message"].as_str().unwrap().starts_with("body: $."),
                "{body}"
            );
        }
    }
    assert_eq!(count(&app, tipline::store::tips::tip::Entity).await, 0);
    // Both photos are still free for a tip of their owner.
    let ok = app.post_as("/v1/tips", &alice, tip_body(&[&mine])).await;
    assert_eq!(ok.status(), 201, "{}", ok.text().await.unwrap());
}

#[tokio::test]
async fn a_citizen_submits_follows_and_withdraws_only_their_own_tip() {
    let app = TestApp::spawn().await;
    let alice = citizen(&app, "13800138105").await;
    let bob = citizen(&app, "13800138106").await;
    let photo = upload(&app, &alice, &tiny_png()).await;
    let mut body = tip_body(&[photo["id"].as_str().unwrap()]);
    body["location"] = json!({"lat": 39.9101, "lon": 116.4039, "crs": "gcj02"});
    let response = app.post_as("/v1/tips", &alice, body).await;
    assert_eq!(response.status(), 201);
    let submitted: Value = response.json().await.unwrap();
    let tip = &submitted["tip"];
    assert!(submitted["receipt"].is_null(), "citizens need no receipt");
    assert!(
        tip["reference"].as_str().unwrap().starts_with("TL-"),
        "{tip}"
    );
    assert_eq!(tip["status"], "submitted");
    assert_eq!(
        tip["contacts"][0],
        json!({"kind": "phone", "value": "+8613800138000"})
    );
    assert_eq!(
        tip["contacts"][1],
        json!({"kind": "wechat", "value": "lily_2024"})
    );
    // GCJ-02 in, WGS-84 kept alongside the original.
    assert_eq!(tip["location"]["crs"], "gcj02");
    assert_eq!(tip["location"]["lat_original"], 39.9101);
    let shift = (tip["location"]["lat"].as_f64().unwrap() - 39.9101).abs();
    assert!(shift > 0.0005 && shift < 0.005, "converted: {tip}");
    assert_eq!(tip["photos"].as_array().unwrap().len(), 1);
    // A tip's view shows the copies; the original's hash is in the upload's
    // answer alone.
    assert_eq!(tip["photos"][0].get("sha256"), None);
    let id = tip["id"].as_str().unwrap();

    let mine: Value = app.get_as("/v1/tips", &alice).await.json().await.unwrap();
    assert_eq!(mine["items"][0]["id"], id);
    let theirs: Value = app.get_as("/v1/tips", &bob).await.json().await.unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);

    // Bob can neither read, message nor withdraw Alice's tip.
    assert_eq!(
        error_code(app.get_as(&format!("/v1/tips/{id}"), &bob).await, 404).await,
        "tip.not_found"
    );
    let r = app
        .post_as(
            &format!("/v1/tips/{id}/messages"),
            &bob,
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(error_code(r, 404).await, "tip.not_found");
    let r = app.get_as(&format!("/v1/tips/{id}/messages"), &bob).await;
    assert_eq!(error_code(r, 404).await, "tip.not_found");
    let r = app
        .post_as(&format!("/v1/tips/{id}/withdraw"), &bob, json!({}))
        .await;
    assert_eq!(error_code(r, 404).await, "tip.not_found");

    let r = app
        .post_as(
            &format!("/v1/tips/{id}/messages"),
            &alice,
            json!({"body": "More cards today"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let messages: Value = app
        .get_as(&format!("/v1/tips/{id}/messages"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(messages[0]["author"], "reporter");

    let r = app
        .post_as(&format!("/v1/tips/{id}/withdraw"), &alice, json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let withdrawn: Value = r.json().await.unwrap();
    assert_eq!(withdrawn["status"], "withdrawn");
    let statuses: Vec<&str> = withdrawn["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["submitted", "withdrawn"]);
    let again = app
        .post_as(&format!("/v1/tips/{id}/withdraw"), &alice, json!({}))
        .await;
    assert_eq!(error_code(again, 409).await, "tip.invalid_state");

    // Every change is in the audit log, with its request id.
    let tip_id: uuid::Uuid = id.parse().unwrap();
    let events = tipline::store::audit::for_object(&app.state.db, "tip", tip_id)
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["tip.submit", "tip.message", "tip.withdraw"]);
    assert!(events.iter().all(|e| !e.request_id.is_empty()));
}

#[tokio::test]
async fn an_anonymous_reporter_follows_a_tip_through_its_receipt() {
    let app = TestApp::spawn().await;
    let token = anonymous(&app).await;
    let photo = upload(&app, &token, CAMERA_PHOTO).await;
    let response = app
        .post_as(
            "/v1/tips",
            &token,
            tip_body(&[photo["id"].as_str().unwrap()]),
        )
        .await;
    assert_eq!(response.status(), 201);
    let submitted: Value = response.json().await.unwrap();
    let code = submitted["receipt"]["code"].as_str().unwrap().to_owned();
    let secret = submitted["receipt"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 22, "at least 128 bits: {secret}");

    let get = |path: String, secret: String| {
        app.client
            .get(app.url(&path))
            .header("X-Receipt-Secret", secret)
            .header("X-Request-Id", "receipt-probe")
            .send()
    };
    let tip: Value = get(format!("/v1/receipts/{code}"), secret.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tip["status"], "submitted");
    assert_eq!(tip["id"], submitted["tip"]["id"]);

    let posted = app
        .client
        .post(app.url(&format!("/v1/receipts/{code}/messages")))
        .header("X-Receipt-Secret", &secret)
        .json(&json!({"body": "The number is also on a flyer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let messages: Value = get(format!("/v1/receipts/{code}/messages"), secret.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages[0]["body"], "The number is also on a flyer");

    // A wrong secret and an unknown code: the same bytes.
    let wrong = get(format!("/v1/receipts/{code}"), "not-the-secret".into())
        .await
        .unwrap();
    let unknown = get("/v1/receipts/R-ZZZZZZZZZZ".into(), secret.clone())
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    assert_eq!(unknown.status(), 404);
    assert_eq!(wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());

    // Nothing ties the tip to a person: no account, and the row has no
    // column for an address or a device.
    let id: uuid::Uuid = tip["id"].as_str().unwrap().parse().unwrap();
    let row = tipline::store::tips::find(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.reporter_user_id, None);
    assert_ne!(
        row.receipt_secret_hash.as_deref(),
        Some(secret.as_str()),
        "stored hashed"
    );
    let events = tipline::store::audit::for_object(&app.state.db, "tip", id)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.actor_kind.as_str() == "anonymous" && e.actor_id.is_none())
    );
}

#[tokio::test]
async fn retries_with_an_idempotency_key_create_one_tip() {
    let app = TestApp::spawn().await;
    let token = anonymous(&app).await;
    let (content_type, body) = form(&[("file", "p.jpg", "image/jpeg", CAMERA_PHOTO)]);
    let send_photo = |key: &'static str| {
        app.client
            .post(app.url("/v1/media"))
            .bearer_auth(&token)
            .header("content-type", content_type.clone())
            .header("Idempotency-Key", key)
            .body(body.clone())
            .send()
    };
    let first: Value = send_photo("photo-1").await.unwrap().json().await.unwrap();
    let again: Value = send_photo("photo-1").await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_eq!(count(&app, tipline::store::media::Entity).await, 1);
    let photo = first["id"].as_str().unwrap().to_owned();

    // Ten at once with one key: one tip, and every answer names it.
    let body = tip_body(&[&photo]);
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let request = app
                .client
                .post(app.url("/v1/tips"))
                .bearer_auth(&token)
                .header("Idempotency-Key", "tip-1")
                .json(&body);
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        let response = attempt.await.unwrap();
        assert_eq!(response.status(), 201);
        let answer: Value = response.json().await.unwrap();
        answers.push(answer);
    }
    assert_eq!(count(&app, tipline::store::tips::tip::Entity).await, 1);
    for answer in &answers {
        assert_eq!(answer["tip"]["id"], answers[0]["tip"]["id"]);
        // The receipt, shown "once", is shown again to the retry.
        assert_eq!(answer["receipt"], answers[0]["receipt"]);
    }

    // The same key with another body.
    let mut other = tip_body(&[&photo]);
    other["description"] = json!("something else");
    let conflict = app
        .client
        .post(app.url("/v1/tips"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "tip-1")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(conflict, 422).await, "idempotency.key_reused");

    // The stored outcome hides the receipt.
    let rows = tipline::store::idempotency::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let secret = answers[0]["receipt"]["secret"].as_str().unwrap();
    assert!(
        rows.iter()
            .all(|r| !r.response_body.clone().unwrap_or_default().contains(secret))
    );
    assert!(
        rows.iter().all(|r| r.key != "tip-1"),
        "keys are stored hashed"
    );
}

#[tokio::test]
async fn a_blob_store_outage_fails_uploads_cleanly_and_recovers() {
    let app = TestApp::spawn().await;
    if app.env.uses_s3() {
        eprintln!("the S3 outage is exercised by readiness::blob_store_outage_and_recovery_on_s3");
    }
    let token = citizen(&app, "13800138107").await;
    if !app.env.uses_s3() {
        let media = app.env.data_dir().join("media");
        let aside = app.env.dir.path().join("media-aside");
        std::fs::rename(&media, &aside).unwrap();
        // A file where the directory was: nothing can be written under it.
        std::fs::write(&media, b"not a directory").unwrap();
        let response = upload_parts(
            &app,
            &token,
            &[("file", "p.png", "image/png", &tiny_png())],
            None,
        )
        .await;
        assert_eq!(error_code(response, 503).await, "service.unavailable");
        assert_no_photo_but_a_tombstone(&app).await;
        std::fs::remove_file(&media).unwrap();
        std::fs::rename(&aside, &media).unwrap();
        reap_tombstones(&app).await;
    }
    upload(&app, &token, &tiny_png()).await;
}

#[tokio::test]
async fn a_database_outage_is_a_503() {
    let app = TestApp::spawn().await;
    let Some(database) = app.env.pg_database.clone() else {
        eprintln!("skipped: the PostgreSQL run drops a database; this run uses SQLite");
        return;
    };
    let token = anonymous(&app).await;
    crate::helpers::drop_pg_database(&database).await;
    let response = upload_parts(
        &app,
        &token,
        &[("file", "p.png", "image/png", &tiny_png())],
        None,
    )
    .await;
    assert_eq!(error_code(response, 503).await, "service.unavailable");
    let response = app
        .post_as(
            "/v1/tips",
            &token,
            tip_body(&[&uuid::Uuid::now_v7().to_string()]),
        )
        .await;
    assert_eq!(error_code(response, 503).await, "service.unavailable");
}

#[tokio::test]
async fn photos_no_tip_takes_are_reaped() {
    let app = TestApp::spawn().await;
    let token = citizen(&app, "13800138108").await;
    let kept = upload(&app, &token, &tiny_png()).await;
    let orphan = upload(&app, &token, &tiny_png()).await;
    let r = app
        .post_as(
            "/v1/tips",
            &token,
            tip_body(&[kept["id"].as_str().unwrap()]),
        )
        .await;
    assert_eq!(r.status(), 201);

    // Nothing is due yet.
    let removed = tipline::media::upload::reap(
        &app.state.db,
        app.state.blobs.as_ref(),
        &tipline::context::Ctx::system(&app.state.clock, "upkeep"),
        chrono::Duration::hours(24),
        chrono::Duration::minutes(10),
    )
    .await
    .unwrap();
    assert_eq!(removed, 0);
    // As if a day had passed.
    let removed = tipline::media::upload::reap(
        &app.state.db,
        app.state.blobs.as_ref(),
        &tipline::context::Ctx::system(&app.state.clock, "upkeep"),
        chrono::Duration::zero(),
        chrono::Duration::zero(),
    )
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(count(&app, tipline::store::media::Entity).await, 1);
    let gone = reqwest::get(orphan["display_url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(
        gone.status() == 404 || gone.status() == 403,
        "{}",
        gone.status()
    );
    let still = reqwest::get(kept["display_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn categories_are_seeded_and_admins_retire_them() {
    let app = TestApp::spawn().await;
    let list: Value = app.get("/v1/categories").await.json().await.unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["illicit_card_ads", "fraud", "drugs", "gambling", "other"]
    );
    assert_eq!(list[0]["label_zh"], "涉黄小卡片");

    let (_, admin) = app
        .staff("cat.admin", tipline::domain::Role::Admin, None)
        .await;
    let created = app
        .post_as("/v1/admin/categories", &admin, json!({"code": "counterfeit", "label_zh": "假冒伪劣", "label_en": "Counterfeit goods", "position": 35}))
        .await;
    assert_eq!(created.status(), 201);
    let dup = app
        .post_as(
            "/v1/admin/categories",
            &admin,
            json!({"code": "counterfeit", "label_zh": "x", "label_en": "x"}),
        )
        .await;
    assert_eq!(error_code(dup, 409).await, "category.exists");
    let retire = app
        .patch_as(
            "/v1/admin/categories/gambling",
            &admin,
            json!({"retired": true}),
        )
        .await;
    assert_eq!(retire.status(), 200);

    let list: Value = app.get("/v1/categories").await.json().await.unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["illicit_card_ads", "fraud", "drugs", "counterfeit", "other"]
    );

    let token = citizen(&app, "13800138109").await;
    let photo = upload(&app, &token, &tiny_png()).await;
    let mut body = tip_body(&[photo["id"].as_str().unwrap()]);
    body["category"] = json!("gambling");
    let r = app.post_as("/v1/tips", &token, body).await;
    assert_eq!(error_code(r, 422).await, "tip.unknown_category");
}

#[tokio::test]
async fn an_s3_outage_fails_uploads_cleanly_and_recovers() {
    let Some(binary) = crate::helpers::S3Server::binary() else {
        assert!(
            crate::helpers::s3_env().is_none(),
            "the S3 run needs s3s-fs: set TEST_S3S_FS"
        );
        eprintln!("skipped: no s3s-fs binary (the test script installs it)");
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let mut s3 = crate::helpers::S3Server::start(binary, &scratch.path().join("s3"));
    let bucket = crate::helpers::create_bucket(&s3.env()).await;
    let mut env = crate::helpers::TestEnv::new().await;
    env.use_s3(&s3.endpoint(), &bucket, &s3.access_key, &s3.secret_key);
    let app = TestApp::spawn_in(env).await;
    let token = citizen(&app, "13800138110").await;

    s3.stop();
    let response = upload_parts(
        &app,
        &token,
        &[("file", "p.jpg", "image/jpeg", CAMERA_PHOTO)],
        None,
    )
    .await;
    assert_eq!(error_code(response, 503).await, "service.unavailable");
    assert_no_photo_but_a_tombstone(&app).await;

    s3.resume();
    reap_tombstones(&app).await;
    let media = upload(&app, &token, CAMERA_PHOTO).await;
    let fetched = reqwest::get(media["display_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
}

#[tokio::test]
async fn creation_and_receipt_guessing_are_rate_limited() {
    let mut env = crate::helpers::TestEnv::new().await;
    env.set("TIPLINE_TIPS_PER_HOUR_PER_REPORTER", "1");
    env.set("TIPLINE_MEDIA_PER_HOUR_PER_REPORTER", "2");
    env.set("TIPLINE_LOGIN_MAX_FAILURES_PER_ADDRESS", "3");
    let app = TestApp::spawn_in(env).await;
    let token = anonymous(&app).await;
    let a = upload(&app, &token, &tiny_png()).await;
    let b = upload(&app, &token, &tiny_png()).await;
    let third = upload_parts(
        &app,
        &token,
        &[("file", "p.png", "image/png", &tiny_png())],
        None,
    )
    .await;
    assert!(third.headers().contains_key("retry-after"));
    assert_eq!(error_code(third, 429).await, "rate.limited");

    let first = app
        .post_as("/v1/tips", &token, tip_body(&[a["id"].as_str().unwrap()]))
        .await;
    assert_eq!(first.status(), 201);
    let second = app
        .post_as("/v1/tips", &token, tip_body(&[b["id"].as_str().unwrap()]))
        .await;
    assert!(second.headers().contains_key("retry-after"));
    assert_eq!(error_code(second, 429).await, "rate.limited");
    // Another reporter is not held to this one's count.
    let other = anonymous(&app).await;
    upload(&app, &other, &tiny_png()).await;

    // Guessing receipts: a few misses per address, then 429 even for a
    // right guess.
    let receipt: Value = first.json().await.unwrap();
    let code = receipt["receipt"]["code"].as_str().unwrap();
    let secret = receipt["receipt"]["secret"].as_str().unwrap();
    let look = |secret: &str| {
        app.client
            .get(app.url(&format!("/v1/receipts/{code}")))
            .header("X-Receipt-Secret", secret)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(look("guess").await.unwrap().status(), 404);
    }
    assert_eq!(
        error_code(look(secret).await.unwrap(), 429).await,
        "rate.limited"
    );
}

#[tokio::test]
async fn the_service_rides_out_a_database_outage() {
    let app = TestApp::spawn().await;
    let Some(database) = app.env.pg_database.clone() else {
        eprintln!("skipped: the PostgreSQL run takes its database away; this run uses SQLite");
        return;
    };
    let token = anonymous(&app).await;
    let admin = sea_orm::Database::connect(crate::helpers::pg_admin_url().unwrap())
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    // The database refuses connections and drops the ones it has.
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .await
        .unwrap();
    let response = upload_parts(
        &app,
        &token,
        &[("file", "p.png", "image/png", &tiny_png())],
        None,
    )
    .await;
    assert_eq!(error_code(response, 503).await, "service.unavailable");
    assert_eq!(app.get("/readyz").await.status(), 503);

    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    let back = crate::helpers::eventually(Duration::from_secs(30), || async {
        app.get("/readyz").await.status() == 200
    })
    .await;
    assert!(back, "readiness did not come back with the database");
    upload(&app, &token, &tiny_png()).await;
}

/// A photo upload with no declared length.
async fn chunked_upload(app: &TestApp, token: &str, content_type: &str, body: &[u8]) -> String {
    let auth = format!("Bearer {token}");
    chunked_post(
        app.addr,
        "/v1/media",
        &[("Authorization", &auth), ("Content-Type", content_type)],
        body,
    )
    .await
}

#[tokio::test]
async fn oversized_uploads_without_a_length_are_cut_off_too() {
    let app = TestApp::spawn().await;
    let token = anonymous(&app).await;
    let mut big = vec![0u8; 20 * 1024 * 1024];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let (content_type, body) = form(&[("file", "big.jpg", "image/jpeg", &big)]);
    let response = chunked_upload(&app, &token, &content_type, &body).await;
    assert!(
        response.starts_with("HTTP/1.1 413 "),
        "{}",
        &response[..response.len().min(300)]
    );
    assert!(response.contains("request.too_large"));

    // No boundary ever comes: the parser must not buffer the stream whole.
    let endless = vec![b'x'; 20 * 1024 * 1024];
    let response = chunked_upload(
        &app,
        &token,
        "multipart/form-data; boundary=never",
        &endless,
    )
    .await;
    assert!(
        response.starts_with("HTTP/1.1 413 "),
        "{}",
        &response[..response.len().min(300)]
    );
    assert_eq!(count(&app, tipline::store::media::Entity).await, 0);
}

#[tokio::test]
async fn a_key_whose_first_request_died_is_taken_over() {
    let app = TestApp::spawn().await;
    let pair = app.register("13800138111", "a good password").await;
    let token = pair["access_token"].as_str().unwrap();
    let user = pair["user"]["id"].as_str().unwrap();
    let photo = upload(&app, token, &tiny_png()).await;

    // As a request that claimed the key and then lost its connection, two
    // minutes ago, would have left it.
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use sha2::Digest;
    let row_key = hex::encode(sha2::Sha256::digest(
        format!("user:{user}\0retry-me").as_bytes(),
    ));
    let body = tip_body(&[photo["id"].as_str().unwrap()]);
    use poem_openapi::types::{ParseFromJSON, ToJSON};
    let canonical = tipline::http::tips::NewTipRequest::parse_from_json(Some(body.clone()))
        .unwrap()
        .to_json_string();
    tipline::store::idempotency::ActiveModel {
        scope: Set("tips".into()),
        key: Set(row_key),
        request_hash: Set(hex::encode(sha2::Sha256::digest(canonical.as_bytes()))),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(chrono::Utc::now() - chrono::Duration::minutes(2)),
    }
    .insert(&app.state.db)
    .await
    .unwrap();

    let started = std::time::Instant::now();
    let response = app
        .client
        .post(app.url("/v1/tips"))
        .bearer_auth(token)
        .header("Idempotency-Key", "retry-me")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    // Taken over at once, not after the 30-second wait for a live first.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn an_anonymous_sessions_tips_are_not_linked_through_their_photos() {
    let app = TestApp::spawn().await;
    let token = anonymous(&app).await;
    let a = upload(&app, &token, &tiny_png()).await;
    let id: uuid::Uuid = a["id"].as_str().unwrap().parse().unwrap();
    let before = tipline::store::media::find_many(&app.state.db, &[id])
        .await
        .unwrap()
        .remove(0);
    assert!(
        before.owner_session_id.is_some(),
        "the session owns its upload until a tip takes it"
    );
    let r = app
        .post_as("/v1/tips", &token, tip_body(&[a["id"].as_str().unwrap()]))
        .await;
    assert_eq!(r.status(), 201);
    let after = tipline::store::media::find_many(&app.state.db, &[id])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.owner_session_id, None);
    // Nor through the rate counters: their keys are hashed.
    let counters = tipline::store::rate_counters::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(!counters.is_empty());
    assert!(
        counters
            .iter()
            .all(|c| !c.key.contains("session") && !c.key.contains("127.0.0.1"))
    );
}

/// After an outage the failed upload is no photo: at most a `pending` row
/// that names the objects to remove once the store answers again (a PUT
/// that failed may still have landed), which no tip can take.
async fn assert_no_photo_but_a_tombstone(app: &TestApp) {
    use sea_orm::{ColumnTrait, QueryFilter};
    use tipline::store::media::{Column, Entity, Status};
    let rows = Entity::find().all(&app.state.db).await.unwrap();
    assert!(rows.len() <= 1, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.status == Status::Pending && r.tip_id.is_none()),
        "{rows:?}"
    );
    let stored = Entity::find()
        .filter(Column::Status.ne(Status::Pending))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

/// The upkeep job, as it runs once the store is back.
async fn reap_tombstones(app: &TestApp) {
    tipline::media::upload::reap(
        &app.state.db,
        app.state.blobs.as_ref(),
        &tipline::context::Ctx::system(&app.state.clock, "upkeep"),
        chrono::Duration::hours(24),
        chrono::Duration::zero(),
    )
    .await
    .unwrap();
    assert_eq!(
        count(app, tipline::store::media::Entity).await,
        0,
        "the tombstone is reaped"
    );
}

#[tokio::test]
async fn a_real_phone_photo_loses_its_gps_and_keeps_its_bytes() {
    assert!(
        PHONE_PHOTO.windows(6).any(|w| w == b"Exif\0\0"),
        "the fixture carries EXIF"
    );
    let app = TestApp::spawn().await;
    let token = anonymous(&app).await;
    let media = upload(&app, &token, PHONE_PHOTO).await;
    use sha2::Digest;
    assert_eq!(
        media["sha256"],
        hex::encode(sha2::Sha256::digest(PHONE_PHOTO))
    );
    assert_eq!(
        (media["width"].as_u64(), media["height"].as_u64()),
        (Some(512), Some(512))
    );
    for (field, size) in [("display_url", 512), ("thumbnail_url", 320)] {
        let bytes = reqwest::get(media[field].as_str().unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!has_metadata(&bytes), "{field} carries metadata");
        assert!(
            !bytes.windows(7).any(|w| w == b"OnePlus"),
            "{field} names the phone"
        );
        let mut decoder = jpeg_decoder::Decoder::new(&bytes[..]);
        decoder.decode().unwrap();
        let info = decoder.info().unwrap();
        // Square stays square; small stays small (no upscaling).
        assert_eq!(
            (info.width as usize, info.height as usize),
            (size, size),
            "{field}"
        );
    }
    let id: uuid::Uuid = media["id"].as_str().unwrap().parse().unwrap();
    let row = tipline::store::media::find_many(&app.state.db, &[id])
        .await
        .unwrap()
        .remove(0);
    let key = tipline::blob::BlobKey::parse(&row.original_key).unwrap();
    let (original, _) = app.state.blobs.get(&key).await.unwrap();
    assert_eq!(
        &original[..],
        PHONE_PHOTO,
        "the evidence is byte for byte the upload"
    );
}

#[tokio::test]
async fn moderators_see_one_contact_however_it_was_written() {
    let app = TestApp::spawn().await;
    let mut tip_ids = Vec::new();
    for (i, spelling) in ["138-0013-8000", "+86 13800138000", "13800138000"]
        .iter()
        .enumerate()
    {
        let token = citizen(&app, &format!("1390000000{i}")).await;
        let photo = upload(&app, &token, &tiny_png()).await;
        let mut body = tip_body(&[photo["id"].as_str().unwrap()]);
        body["contacts"] = json!([{"kind": "phone", "value": spelling}]);
        let r = app.post_as("/v1/tips", &token, body).await;
        assert_eq!(r.status(), 201);
        let tip: Value = r.json().await.unwrap();
        tip_ids.push(tip["tip"]["id"].as_str().unwrap().to_owned());
    }
    let token = citizen(&app, "13900000009").await;
    let photo = upload(&app, &token, &tiny_png()).await;
    let mut body = tip_body(&[photo["id"].as_str().unwrap()]);
    body["contacts"] = json!([{"kind": "wechat", "value": "other_card_1"}]);
    assert_eq!(app.post_as("/v1/tips", &token, body).await.status(), 201);

    let (_, moderator) = app
        .staff("mod.cluster", tipline::domain::Role::Moderator, None)
        .await;
    let cluster: Value = app
        .get_as(
            "/v1/moderation/contacts/phone/%2B86%20138%200013%208000",
            &moderator,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cluster["value"], "+8613800138000");
    assert_eq!(cluster["tip_count"], 3);
    let mut found: Vec<String> = cluster["tips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    tip_ids.sort();
    assert_eq!(found, tip_ids);

    let hot: Value = app
        .get_as("/v1/moderation/contacts/hot", &moderator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        hot[0],
        json!({"kind": "phone", "value": "+8613800138000", "tips": 3})
    );
    assert_eq!(
        hot[1],
        json!({"kind": "wechat", "value": "other_card_1", "tips": 1})
    );

    let bad = app
        .get_as("/v1/moderation/contacts/phone/12345", &moderator)
        .await;
    assert_eq!(error_code(bad, 422).await, "contact.invalid");
    // Citizens do not learn that moderation exists.
    let hidden = app.get_as("/v1/moderation/contacts/hot", &token).await;
    assert_eq!(error_code(hidden, 404).await, "not_found");
}

/// The submission's answer is built from what it wrote, not read back:
/// it must say exactly what reading the tip says (photo URLs aside, which
/// are signed afresh on each read).
#[tokio::test]
async fn the_submission_answers_the_tip_as_a_read_of_it_shows() {
    let app = TestApp::spawn().await;
    let token = citizen(&app, "+8613700137000").await;
    // Sent newest first: a tip's photos are listed oldest first.
    let older = upload(&app, &token, &tiny_png()).await;
    let newer = upload(&app, &token, &tiny_png()).await;
    let mut body = tip_body(&[newer["id"].as_str().unwrap(), older["id"].as_str().unwrap()]);
    body["contacts"] = json!([
        {"kind": "wechat", "value": "Lily_2024"},
        {"kind": "phone", "value": "138 0013 8000"},
        {"kind": "qq", "value": "12345678"}
    ]);
    body["occurred_at"] = json!("2026-12-01T20:30:00Z");
    let response = app.post_as("/v1/tips", &token, body).await;
    assert_eq!(response.status(), 201);
    let answered: Value = response.json().await.unwrap();
    let id = answered["tip"]["id"].as_str().unwrap();
    let read: Value = app
        .get_as(&format!("/v1/tips/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    let without_urls = |tip: &Value| {
        let mut tip = tip.clone();
        for photo in tip["photos"].as_array_mut().unwrap() {
            let photo = photo.as_object_mut().unwrap();
            photo.remove("display_url");
            photo.remove("thumbnail_url");
        }
        tip
    };
    assert_eq!(without_urls(&answered["tip"]), without_urls(&read));
    assert_eq!(read["photos"].as_array().unwrap().len(), 2);
    assert_eq!(read["contacts"].as_array().unwrap().len(), 3);
    assert_eq!(read["history"].as_array().unwrap().len(), 1);
}
