//! Faults under load: reporters keep sending tips (photo, then tip, each
//! with an `Idempotency-Key`, retried as the app retries) while the
//! database restarts, a node is killed with SIGKILL, or the blob store
//! dies in the middle of uploads. The service answers 503 with its retry
//! hint while a store is away and recovers without a restart; no
//! acknowledged tip is lost and none is made twice; the audit chain
//! verifies; and once the reaper has run, no upload is left half-written.
//!
//! They run on PostgreSQL and S3 (the production pair), with a PostgreSQL
//! server or an s3s-fs of the test's own where the test stops it.

use std::collections::BTreeSet;
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use tipline::blob::BlobKey;

use crate::helpers::{
    LoadLog, Nodes, PgServer, Retry, S3Server, TestEnv, create_bucket, eventually, node_settings,
    nodes_possible,
};

/// The run's environment with the nodes' settings, or `None` (skipped)
/// on the embedded default.
async fn faults_env() -> Option<TestEnv> {
    let mut env = TestEnv::new().await;
    if !nodes_possible(&env) {
        return None;
    }
    node_settings(&mut env);
    Some(env)
}

/// Every tip the load was told of is stored, once; none was given up; and
/// nothing failed in a way a retry could not get past.
async fn no_tip_lost_or_doubled(nodes: &Nodes, log: &LoadLog, allowed: &[&str]) {
    let failures = log.failures();
    eprintln!(
        "load: {} tips acknowledged; failed attempts: {failures:?}",
        log.acked_count()
    );
    assert!(
        failures.keys().all(|k| allowed.contains(&k.as_str())),
        "failures other than {allowed:?}: {failures:?}"
    );
    assert!(log.given_up().is_empty(), "{:?}", log.given_up());
    let acked = log.acked();
    let keys: BTreeSet<&str> = acked.iter().map(|a| a.key.as_str()).collect();
    let ids: BTreeSet<&str> = acked.iter().map(|a| a.tip_id.as_str()).collect();
    assert_eq!(keys.len(), acked.len());
    assert_eq!(ids.len(), acked.len(), "one tip per key");
    assert_eq!(
        nodes.scalar("SELECT count(*) FROM tips").await,
        acked.len() as i64,
        "every tip stored was acknowledged, once"
    );
    for id in ids {
        let found = nodes
            .scalar(&format!("SELECT count(*) FROM tips WHERE id = '{id}'"))
            .await;
        assert_eq!(found, 1, "acknowledged tip {id} is kept");
    }
}

/// Everything sealed, and `tipline audit verify` passes against the
/// checkpoints.
async fn chain_verifies(nodes: &Nodes) {
    assert!(nodes.all_sealed().await, "everything committed is sealed");
    let events = nodes.scalar("SELECT count(*) FROM audit_events").await;
    let (code, stdout, stderr) = nodes.audit_verify();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some(format!("audit chain intact: {events} events").as_str()),
        "{stdout}"
    );
}

/// Runs the reaper as the upkeep job does once a pending upload is old,
/// then checks that every photo row is whole (stored, its three objects
/// there) and that no object is left without its row.
async fn nothing_half_written(nodes: &Nodes) {
    let blobs = nodes.blobs().await;
    let clock = tipline::clock::Clock::default();
    let reaped = tipline::media::upload::reap(
        &nodes.db,
        blobs.as_ref(),
        &tipline::context::Ctx::system(&clock, "upkeep"),
        tipline::jobs::UNATTACHED_MEDIA_TTL,
        chrono::Duration::zero(),
    )
    .await
    .expect("the reaper runs");
    eprintln!("the reaper removed {reaped} uploads cut short");
    assert_eq!(
        nodes
            .scalar("SELECT count(*) FROM media WHERE status <> 'stored'")
            .await,
        0,
        "no upload left pending or half-reaped"
    );
    use sea_orm::EntityTrait;
    let rows = tipline::store::media::Entity::find()
        .all(&nodes.db)
        .await
        .unwrap();
    let objects: BTreeSet<String> = blobs
        .list(&BlobKey::parse("media").unwrap())
        .await
        .expect("the store lists the photos")
        .into_iter()
        .map(|k| k.to_string())
        .collect();
    let mut expected = BTreeSet::new();
    for row in &rows {
        for key in [&row.original_key, &row.display_key, &row.thumb_key] {
            assert!(
                objects.contains(key),
                "{key} of photo {} is missing",
                row.id
            );
            expected.insert(key.clone());
        }
    }
    let orphans: Vec<&String> = objects.difference(&expected).collect();
    assert!(
        orphans.is_empty(),
        "objects without a photo row: {orphans:?}"
    );
}

/// `/readyz` of node 0 while a store is away: 503 naming it.
async fn not_ready_for(nodes: &Nodes, store: &str) {
    let response = nodes
        .client
        .get(nodes.url(0, "/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["checks"][store], "failed", "{body}");
}

/// A 503 the load received: the uniform body, and `Retry-After`.
fn answered_with_a_retry_hint(log: &LoadLog) {
    let (body, retry_after) = log.unavailable().expect("a 503 reached the load");
    assert_eq!(body["code"], "service.unavailable", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("retry later") && message.contains("Idempotency-Key"),
        "{message}"
    );
    assert!(!body["request_id"].as_str().unwrap().is_empty());
    assert_eq!(retry_after.as_deref(), Some("5"), "{body}");
}

#[tokio::test]
async fn a_database_restart_under_load_is_503s_then_recovery_with_no_tip_lost() {
    let Some(mut env) = faults_env().await else {
        return;
    };
    let bin = PgServer::binaries().expect(
        "the PostgreSQL run needs PostgreSQL's server programs (initdb, pg_ctl): set TEST_PG_BIN",
    );
    // A server of this test's own: restarting the shared one would
    // disturb every other test.
    let mut pg = PgServer::start(bin);
    let admin = Database::connect(pg.admin_url()).await.unwrap();
    admin
        .execute_unprepared("CREATE DATABASE tipline")
        .await
        .unwrap();
    admin.close().await.unwrap();
    env.set(
        "TIPLINE_DATABASE_URL",
        format!("postgres://postgres@127.0.0.1:{}/tipline", pg.port),
    );
    // A request waits this long for a connection before its 503.
    env.set("TIPLINE_DATABASE_CONNECT_TIMEOUT_MS", "2000");
    let mut nodes = Nodes::start(env, 1).await;
    let load = crate::helpers::Load::start(nodes.bases(), 3, Retry::SameKey);
    assert!(load.until_acked(10, Duration::from_secs(120)).await);

    pg.stop();
    let refused = eventually(Duration::from_secs(120), || async {
        load.log.failed("503 service.unavailable") >= 3
    })
    .await;
    assert!(refused, "{:?}", load.log.failures());
    not_ready_for(&nodes, "database").await;

    pg.resume();
    let before = load.log.acked_count();
    let recovered = load
        .until_acked(before + 10, Duration::from_secs(300))
        .await;
    assert!(recovered, "{:?}\n{}", load.log.failures(), pg.log());
    assert!(
        nodes.still_running(0),
        "the node recovered without a restart"
    );
    let log = load.stop().await;

    answered_with_a_retry_hint(&log);
    // A key whose first attempt died with the database waits out its lease
    // (409 `idempotency.in_progress`), then runs again.
    no_tip_lost_or_doubled(
        &nodes,
        &log,
        &["503 service.unavailable", "409 idempotency.in_progress"],
    )
    .await;
    chain_verifies(&nodes).await;
    let ready = nodes.client.get(nodes.url(0, "/readyz")).send().await;
    assert_eq!(ready.unwrap().status(), 200);
}

#[tokio::test]
async fn a_node_killed_under_load_loses_no_acknowledged_tip() {
    let Some(env) = faults_env().await else {
        return;
    };
    let mut nodes = Nodes::start(env, 2).await;
    let load = crate::helpers::Load::start(nodes.bases(), 4, Retry::SameKey);
    assert!(load.until_acked(10, Duration::from_secs(120)).await);

    nodes.kill(0);
    // The reporters carry on through the other node.
    let before = load.log.acked_count();
    assert!(
        load.until_acked(before + 10, Duration::from_secs(120))
            .await
    );

    nodes.restart(0);
    let mark = load.log.acked_count();
    let node_0_serves = eventually(Duration::from_secs(300), || async {
        load.log.acked()[mark..].iter().any(|a| a.node == 0)
    })
    .await;
    assert!(node_0_serves, "{:?}", load.log.failures());
    let log = load.stop().await;

    // Requests in flight on the killed node lost their connections; a
    // retry of one whose first attempt died there waits out the key's lease.
    no_tip_lost_or_doubled(&nodes, &log, &["connection", "409 idempotency.in_progress"]).await;
    assert!(log.failed("connection") >= 1, "{:?}", log.failures());
    chain_verifies(&nodes).await;
    nothing_half_written(&nodes).await;
}

#[tokio::test]
async fn the_blob_store_down_mid_upload_is_503_and_leaves_nothing_half_written() {
    let Some(mut env) = faults_env().await else {
        return;
    };
    let binary = S3Server::binary().expect("the S3 run needs s3s-fs: set TEST_S3S_FS");
    // An S3 server of this test's own, to stop under the uploads.
    let scratch = tempfile::tempdir().unwrap();
    let mut s3 = S3Server::start(binary, &scratch.path().join("s3"));
    let bucket = create_bucket(&s3.env()).await;
    env.use_s3(&s3.endpoint(), &bucket, &s3.access_key, &s3.secret_key);
    let nodes = Nodes::start(env, 1).await;
    let load = crate::helpers::Load::start(nodes.bases(), 3, Retry::SameKey);
    assert!(load.until_acked(5, Duration::from_secs(120)).await);

    s3.stop();
    let refused = eventually(Duration::from_secs(120), || async {
        load.log.failed("503 service.unavailable") >= 3
    })
    .await;
    assert!(refused, "{:?}", load.log.failures());
    not_ready_for(&nodes, "blob_store").await;
    // The audit log is still sealed (its checkpoints wait for the store):
    // an event written now is chained while the store is away, so live
    // streams and the admins' list keep up.
    nodes
        .send(
            nodes
                .client
                .post(nodes.url(0, "/v1/auth/register"))
                .json(&serde_json::json!({"phone": "13800138031", "password": "a good password"})),
        )
        .await
        .ok();
    assert!(
        nodes.all_sealed().await,
        "the sealer stopped while the blob store was away"
    );

    s3.resume();
    let before = load.log.acked_count();
    assert!(load.until_acked(before + 5, Duration::from_secs(300)).await);
    let log = load.stop().await;

    answered_with_a_retry_hint(&log);
    no_tip_lost_or_doubled(&nodes, &log, &["503 service.unavailable"]).await;
    nothing_half_written(&nodes).await;
    chain_verifies(&nodes).await;
}
