//! `/readyz` follows its dependencies: it turns 503 naming the one that
//! failed, and 200 again when it is back, with no restart of tipline.

use std::time::Duration;

use crate::helpers::{
    S3Server, TestApp, TestEnv, create_bucket, drop_pg_database, eventually, s3_env,
};

async fn readiness(app: &TestApp) -> (u16, serde_json::Value) {
    let response = app.get("/readyz").await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn blob_store_outage_and_recovery_on_s3() {
    let Some(binary) = S3Server::binary() else {
        assert!(
            s3_env().is_none(),
            "the S3 run needs s3s-fs: set TEST_S3S_FS"
        );
        eprintln!("skipped: no s3s-fs binary (the test script installs it)");
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let mut s3 = S3Server::start(binary, &scratch.path().join("s3"));
    let bucket = create_bucket(&s3.env()).await;
    let mut env = TestEnv::new().await;
    env.use_s3(&s3.endpoint(), &bucket, &s3.access_key, &s3.secret_key);
    env.set("TIPLINE_READINESS_TIMEOUT_MS", "1000");
    let app = TestApp::spawn_in(env).await;

    assert_eq!(readiness(&app).await.0, 200);

    s3.stop();
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "service.not_ready");
    assert_eq!(body["checks"]["blob_store"], "failed");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["message"], "failed: blob_store", "{body}");

    s3.resume();
    let back = eventually(Duration::from_secs(30), || async {
        readiness(&app).await.0 == 200
    })
    .await;
    assert!(back, "readiness did not come back after the S3 server did");
}

#[tokio::test]
async fn blob_store_outage_and_recovery_on_local_files() {
    let mut env = TestEnv::new().await;
    if env.uses_s3() {
        // This test is about the directory; give it one even on the S3 run.
        for key in [
            "TIPLINE_S3_ENDPOINT",
            "TIPLINE_S3_BUCKET",
            "TIPLINE_S3_ACCESS_KEY",
            "TIPLINE_S3_SECRET_KEY",
        ] {
            env.vars.retain(|(k, _)| k != key);
        }
    }
    let app = TestApp::spawn_in(env).await;
    let media = app.env.data_dir().join("media");
    assert_eq!(readiness(&app).await.0, 200);

    let aside = app.env.dir.path().join("media-aside");
    std::fs::rename(&media, &aside).unwrap();
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["blob_store"], "failed");

    std::fs::rename(&aside, &media).unwrap();
    assert_eq!(readiness(&app).await.0, 200);
}

#[tokio::test]
async fn database_outage_is_named() {
    let env = TestEnv::new().await;
    let Some(database) = env.pg_database.clone() else {
        eprintln!("skipped: the PostgreSQL run drops a database; this run uses SQLite");
        return;
    };
    let app = TestApp::spawn_in(env).await;
    assert_eq!(readiness(&app).await.0, 200);

    drop_pg_database(&database).await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["database"], "failed");
    assert_eq!(body["message"], "failed: database", "{body}");
}
