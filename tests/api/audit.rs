//! The audit log: appended unsealed, chained by one sealer at a time,
//! checkpointed with a signature, read-only through the API, and checked by
//! `tipline audit verify`, which names the first event that was tampered
//! with, or the checkpoint a rewritten table contradicts.

use std::process::Stdio;

use sea_orm::ConnectionTrait;
use serde_json::Value;
use tipline::domain::Role;

use crate::helpers::{TestApp, TestEnv, anonymous, tiny_png, tip_body, tipline, upload};

/// A signing key for checkpoints (hex seed), as an operator configures it.
const AUDIT_KEY: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

/// Seals everything committed so far, as the background sealer would
/// within a fraction of a second.
async fn sealed(app: &TestApp) {
    app.state.sealer.seal_now().await.expect("sealing passes");
}

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
    sealed(&app).await;
    // 6 uploads + 6 tips.
    let intact = tipline::store::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(intact, Ok(12));
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some("audit chain intact: 12 events"),
        "{stdout}"
    );

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
    sealed(&app).await;
    let state: serde_json::Value = app
        .get_as("/v1/admin/audit/verification", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["intact"], true, "{state}");
    assert_eq!(state["unsealed"], 0, "{state}");
    // The uploads, the tips, and the admin account made for reading it.
    assert_eq!(state["verified_up_to"], 13);
}

#[tokio::test]
async fn a_removed_event_is_found_too() {
    let app = TestApp::spawn().await;
    busy(&app).await;
    sealed(&app).await;
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

/// An app whose background sealer does not run within the test (its first
/// pass is an hour away), so the test decides when events are sealed; with
/// the checkpoint key when `signing`.
async fn app_sealing_by_hand(signing: bool) -> TestApp {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_AUDIT_SEAL_MS", "3600000");
    if signing {
        env.set("TIPLINE_AUDIT_SIGNING_KEY", AUDIT_KEY);
    }
    TestApp::spawn_in(env).await
}

/// What someone with write access to the database can do: change an event
/// and recompute every hash after it, and the head, so the chain itself
/// verifies.
async fn rewrite_and_rechain(app: &TestApp, seq: i64) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
    use tipline::store::audit::{self, ActiveModel, Column, Entity, chain_hash};
    let db = &app.state.db;
    let events = Entity::find()
        .filter(Column::Seq.gte(seq))
        .order_by_asc(Column::Seq)
        .all(db)
        .await
        .unwrap();
    let mut prev = events[0].prev_hash.clone().unwrap();
    for mut event in events {
        let at = event.seq.unwrap();
        if at == seq {
            event.action = "media.deleted".into();
        }
        let hash = chain_hash(&prev, at, &event);
        let action = event.action.clone();
        let mut row: ActiveModel = event.into();
        row.action = Set(action);
        row.prev_hash = Set(Some(prev.clone()));
        row.hash = Set(Some(hash.clone()));
        row.update(db).await.unwrap();
        prev = hash;
    }
    audit::head::Entity::update_many()
        .col_expr(
            audit::head::Column::Hash,
            sea_orm::sea_query::Expr::value(prev),
        )
        .exec(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_rewrite_with_recomputed_hashes_breaks_the_signed_checkpoint() {
    let app = app_sealing_by_hand(true).await;
    busy(&app).await;
    let checkpoint = app
        .state
        .sealer
        .checkpoint_now()
        .await
        .unwrap()
        .expect("a checkpoint of the 12 events");
    assert_eq!(checkpoint.position, 12);
    // More events after the checkpoint, sealed but not checkpointed.
    busy(&app).await;
    sealed(&app).await;

    // Untouched: intact, and checked against the checkpoint.
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("audit chain intact: 24 events"), "{stdout}");
    assert!(
        stdout.contains("checked against 1 checkpoints, signatures verified"),
        "{stdout}"
    );

    // The chain alone no longer tells: every hash was recomputed.
    rewrite_and_rechain(&app, 5).await;
    assert_eq!(
        tipline::store::audit::verify(&app.state.db).await.unwrap(),
        Ok(24)
    );
    let (code, _, stderr) = verify_command(&app);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("contradicts the checkpoint at position 12"),
        "{stderr}"
    );
    assert!(
        stderr.contains("audit/checkpoints/00000000000000000012.json"),
        "{stderr}"
    );
    assert!(stderr.contains(&checkpoint.time), "{stderr}");

    // The administrators' check says the same.
    let (_, admin) = app.staff("admin.audit", Role::Admin, None).await;
    let state: Value = app
        .get_as("/v1/admin/audit/verification", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["intact"], false, "{state}");
    assert_eq!(state["broken_checkpoint"]["position"], 12, "{state}");
    assert_eq!(state["checkpoints_checked"], 1, "{state}");
    assert_eq!(state["signatures_checked"], true, "{state}");
}

#[tokio::test]
async fn events_removed_after_a_checkpoint_are_found_even_with_the_head_moved_back() {
    let app = app_sealing_by_hand(true).await;
    busy(&app).await;
    app.state.sealer.checkpoint_now().await.unwrap().unwrap();
    // The last two events removed and the head set back to the tenth: the
    // chain that is left is a valid chain of ten.
    let tenth = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tipline::store::audit::{Column, Entity};
        Entity::find()
            .filter(Column::Seq.eq(10))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
    };
    app.state
        .db
        .execute_unprepared("DELETE FROM audit_events WHERE seq > 10")
        .await
        .unwrap();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE audit_chain SET seq = 10, hash = '{}'",
            tenth.hash.unwrap()
        ))
        .await
        .unwrap();
    assert_eq!(
        tipline::store::audit::verify(&app.state.db).await.unwrap(),
        Ok(10)
    );
    let (code, _, stderr) = verify_command(&app);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("contradicts the checkpoint at position 12"),
        "{stderr}"
    );
    assert!(stderr.contains("events were removed"), "{stderr}");
}

#[tokio::test]
async fn an_unsealed_tail_is_reported_not_failed() {
    let app = app_sealing_by_hand(false).await;
    busy(&app).await;
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("audit chain intact: 0 events"), "{stdout}");
    assert!(stdout.contains("12 events not sealed yet"), "{stdout}");

    // Unsealed events are in the tip's trail already, without a position.
    let (_, admin) = app.staff("admin.audit", Role::Admin, None).await;
    let state: Value = app
        .get_as("/v1/admin/audit/verification", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["intact"], true, "{state}");
    assert_eq!(state["unsealed"], 13, "{state}");
    assert_eq!(state["verified_up_to"], 0, "{state}");

    sealed(&app).await;
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("audit chain intact: 13 events"), "{stdout}");
    assert!(!stdout.contains("not sealed"), "{stdout}");
    // No key here: the node seals but signs nothing, and says so.
    assert!(stdout.contains("no checkpoints"), "{stdout}");
    let key = app.get("/v1/audit/checkpoint-key").await;
    assert_eq!(crate::helpers::error_code(key, 404).await, "audit.unsigned");
}

#[tokio::test]
async fn two_sealers_at_once_make_one_chain() {
    let app = app_sealing_by_hand(false).await;
    // Two nodes' sealers: their own connections to the same database.
    let settings = app.env.settings();
    let mut sealers = Vec::new();
    for _ in 0..2 {
        let db = tipline::store::connect(
            &settings.database_url(),
            4,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
        sealers.push(std::sync::Arc::new(
            tipline::sealer::Sealer::new(
                &settings,
                db,
                app.state.blobs.clone(),
                Default::default(),
            )
            .unwrap(),
        ));
    }
    // Both seal over and over, waiting for the lock or giving up on it,
    // while reporters write events.
    let writing = busy(&app);
    let mut passes = Vec::new();
    for (i, sealer) in sealers.iter().enumerate() {
        let sealer = sealer.clone();
        passes.push(tokio::spawn(async move {
            let wait = if i == 0 {
                tipline::store::audit::LockWait::Wait
            } else {
                tipline::store::audit::LockWait::Try
            };
            let mut sealed = 0;
            for _ in 0..40 {
                if let Some(pass) = sealer.pass(wait, false).await.unwrap() {
                    sealed += pass.sealed;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            sealed
        }));
    }
    writing.await;
    let mut total = 0;
    for pass in passes {
        total += pass.await.unwrap();
    }
    sealed(&app).await;
    let intact = tipline::store::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(intact, Ok(12), "one chain of every event, each once");
    assert!(total <= 12, "no event sealed twice: {total}");
    let positions: Vec<i64> = {
        use sea_orm::{EntityTrait, QueryOrder};
        use tipline::store::audit::{Column, Entity};
        Entity::find()
            .order_by_asc(Column::Seq)
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.seq.unwrap())
            .collect()
    };
    assert_eq!(positions, (1..=12).collect::<Vec<_>>());
}

#[tokio::test]
async fn checkpoints_are_served_with_their_public_key_and_their_age_and_the_sealing_lag_are_metrics()
 {
    let app = app_sealing_by_hand(true).await;
    // No checkpoint yet: no age to show.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(
        metric(&metrics, "tipline_audit_checkpoint_age_seconds"),
        None,
        "{metrics}"
    );
    busy(&app).await;
    // The lag of the oldest unsealed event, on this node's next pass.
    let lag = app.state.sealer.lag().await.unwrap();
    assert!(
        lag > std::time::Duration::ZERO && lag < std::time::Duration::from_secs(60),
        "{lag:?}"
    );
    app.state.sealer.checkpoint_now().await.unwrap().unwrap();
    assert_eq!(
        app.state.sealer.lag().await.unwrap(),
        std::time::Duration::ZERO
    );
    busy(&app).await;
    app.state.sealer.checkpoint_now().await.unwrap().unwrap();

    let (_, admin) = app.staff("admin.audit", Role::Admin, None).await;
    let page: Value = app
        .get_as("/v1/admin/audit/checkpoints?limit=1", &admin)
        .await
        .json()
        .await
        .unwrap();
    let first = &page["items"][0];
    assert_eq!(first["position"], 12, "{page}");
    let next = page["next_cursor"].as_str().expect("a second page");
    let page: Value = app
        .get_as(
            &format!("/v1/admin/audit/checkpoints?limit=1&cursor={next}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["position"], 24, "{page}");
    assert!(page["next_cursor"].is_null(), "{page}");

    // Anyone can check a checkpoint with the public key.
    let key: Value = app
        .get("/v1/audit/checkpoint-key")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(key["algorithm"], "ed25519");
    assert_eq!(key["key_id"], first["key_id"]);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let public = b64.decode(key["public_key"].as_str().unwrap()).unwrap();
    let message = format!(
        "tipline audit checkpoint v1\nposition {}\nhead {}\ntime {}\n",
        first["position"],
        first["head_hash"].as_str().unwrap(),
        first["time"].as_str().unwrap()
    );
    let signature = b64.decode(first["signature"].as_str().unwrap()).unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public)
        .verify(message.as_bytes(), &signature)
        .expect("the checkpoint's signature verifies with the public key");
    // Officers and moderators do not see the list.
    let (_, moderator) = app.staff("mod.audit", Role::Moderator, None).await;
    let response = app.get_as("/v1/admin/audit/checkpoints", &moderator).await;
    assert_eq!(response.status(), 403);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("tipline_audit_sealing_lag_seconds"),
        "{metrics}"
    );
    // The last checkpoint's age, as any node reads it from the database.
    app.state.clock.advance(chrono::Duration::seconds(90));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let age = metric(&metrics, "tipline_audit_checkpoint_age_seconds").expect("an age");
    assert!((90.0..120.0).contains(&age), "{metrics}");
    assert!(
        metrics.contains("# TYPE tipline_audit_checkpoint_age_seconds gauge"),
        "{metrics}"
    );
}

/// The value of a series without labels in a `/metrics` body, if it is there.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn the_command_line_signs_a_checkpoint_and_makes_keys() {
    let app = app_sealing_by_hand(true).await;
    busy(&app).await;
    let out = tipline(&app.env.vars)
        .args(["audit", "checkpoint"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(
            "checkpoint at position 12 written to audit/checkpoints/00000000000000000012.json"
        ),
        "{stdout}"
    );
    let (code, stdout, stderr) = verify_command(&app);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("the last covers #12"), "{stdout}");

    let out = tipline(&[]).args(["audit", "keygen"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let seed = text
        .lines()
        .find_map(|l| l.strip_prefix("TIPLINE_AUDIT_SIGNING_KEY="))
        .expect("a key line");
    assert_eq!(seed.len(), 64, "{text}");
    assert!(tipline::sealer::CheckpointKey::parse(seed).is_ok());
}
