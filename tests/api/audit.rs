//! The audit log: chained, read-only through the API, and checked by
//! `tipline audit verify`, which names the first event that was tampered
//! with.

use std::process::Stdio;

use sea_orm::ConnectionTrait;
use serde_json::Value;
use tipline::domain::Role;

use crate::helpers::{TestApp, anonymous, tiny_png, tip_body, tipline, upload};

/// Busy: reporters upload and submit in parallel, so events from many
/// transactions race for their place in the chain.
async fn busy(app: &TestApp) -> Vec<String> {
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let token = anonymous(app).await;
        let client = app.client.clone();
        let base = app.url("");
        let photo = upload(app, &token, &tiny_png()).await;
        let body = tip_body(&[photo["id"].as_str().unwrap()]);
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(format!("{base}/v1/tips"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let tip: Value = response.json().await.unwrap();
            tip["tip"]["id"].as_str().unwrap().to_owned()
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids
}

fn verify_command(app: &TestApp) -> (Option<i32>, String, String) {
    let out = tipline(&app.env.vars)
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

#[tokio::test]
async fn the_chain_survives_a_busy_day_and_names_a_tampered_event() {
    let app = TestApp::spawn().await;
    busy(&app).await;
    // 6 uploads + 6 tips.
    let intact = tipline::store::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(intact, Ok(12));
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "audit chain intact: 12 events");

    // One row altered by hand, as someone with database access might.
    let victim = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tipline::store::audit::{Column, Entity};
        Entity::find()
            .filter(Column::Seq.eq(5))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    app.state
        .db
        .execute_unprepared("UPDATE audit_events SET action = 'media.deleted' WHERE seq = 5")
        .await
        .unwrap();
    let (code, _, stderr) = verify_command(&app);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("audit chain broken at event #5"),
        "{stderr}"
    );
    assert!(stderr.contains(&victim.to_string()), "{stderr}");
    // The admin console reads the same verdict.
    let (_, admin) = app.staff("admin.audit", Role::Admin, None).await;
    let state: serde_json::Value = app
        .get_as("/v1/admin/audit/verification", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["intact"], false, "{state}");
    assert_eq!(state["broken_at"], 5);
    assert_eq!(state["verified_up_to"], 4);
    assert_eq!(state["broken_event_id"], victim.to_string());
}

#[tokio::test]
async fn an_intact_chain_is_verified_up_to_its_head() {
    let app = TestApp::spawn().await;
    busy(&app).await;
    let (_, admin) = app.staff("admin.audit", Role::Admin, None).await;
    let state: serde_json::Value = app
        .get_as("/v1/admin/audit/verification", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["intact"], true, "{state}");
    // The uploads, the tips, and the admin account made for reading it.
    assert_eq!(state["verified_up_to"], 13);
}

#[tokio::test]
async fn a_removed_event_is_found_too() {
    let app = TestApp::spawn().await;
    busy(&app).await;
    app.state
        .db
        .execute_unprepared(
            "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)",
        )
        .await
        .unwrap();
    let broken = tipline::store::audit::verify(&app.state.db)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(broken.seq, 12);
    let (code, _, stderr) = verify_command(&app);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("#12"), "{stderr}");
}

#[tokio::test]
async fn admins_read_the_log_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let tips = busy(&app).await;
    let (_, admin) = app.staff("audit.reader", Role::Admin, None).await;

    let mut seen = Vec::new();
    let mut path = "/v1/admin/audit?limit=5".to_owned();
    loop {
        let page: Value = app.get_as(&path, &admin).await.json().await.unwrap();
        for event in page["items"].as_array().unwrap() {
            seen.push(event["seq"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/v1/admin/audit?limit=5&cursor={next}"),
            None => break,
        }
    }
    // The twelve of the busy day, and the creation of the reader's account.
    assert_eq!(seen, (1..=13).collect::<Vec<_>>());

    let one: Value = app
        .get_as(
            &format!("/v1/admin/audit?object_kind=tip&object_id={}", tips[0]),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let items = one["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["action"], "tip.submit");
    assert_eq!(items[0]["actor_kind"], "anonymous");
    assert!(items[0]["actor_id"].is_null());

    let uploads: Value = app
        .get_as("/v1/admin/audit?action=media.upload", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(uploads["items"].as_array().unwrap().len(), 6);

    let later = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let earlier = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let encode = |t: &str| t.replace('+', "%2B").replace(':', "%3A");
    let none: Value = app
        .get_as(&format!("/v1/admin/audit?from={}", encode(&later)), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    let all: Value = app
        .get_as(
            &format!("/v1/admin/audit?from={}&limit=100", encode(&earlier)),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 13);
}
