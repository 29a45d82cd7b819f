//! The harness and the fixtures every area shares. Every test gets a fresh
//! data dir, a fresh database (a new SQLite file, or a new PostgreSQL
//! database) and a fresh blob store (files in its data dir, or a new S3
//! bucket), so tests run in parallel.
//!
//! The backend is chosen by the environment the test script sets:
//! `TEST_DATABASE_URL` (a PostgreSQL URL allowed to create databases) and
//! `TEST_S3_ENDPOINT`, `TEST_S3_ACCESS_KEY`, `TEST_S3_SECRET_KEY` (an
//! S3-compatible server). Unset, the embedded default is tested.
//!
//! This file holds the app under test ([`TestEnv`], [`TestApp`]) and the
//! checks every area uses; the fixtures live beside it, one file each:
//!
//! | file | holds |
//! |---|---|
//! | `stores.rs` | the PostgreSQL and S3 backends of a test |
//! | `process.rs` | `tipline`, s3s-fs and PostgreSQL as processes; raw HTTP |
//! | `people.rs` | citizens, anonymous reporters, staff, sign-ins |
//! | `tips.rs` | photos, uploads, tip bodies, receipts, reading ids |
//! | `desk.rs` | the moderator desk: a moderator, a reporter, the queue |
//! | `units.rs` | the city: units, areas, officers, leads forwarded |
//! | `events.rs` | server-sent event streams as a test reads them |
//! | `webhooks.rs` | a unit's webhook receiver, and its signature check |
//! | `nodes.rs` | several `tipline` processes on one database and store |
//! | `load.rs` | reporters sending tips at once, retrying as apps do |
//!
//! Everything is re-exported here, so a test imports
//! `crate::helpers::{Desk, upload, error_code}` wherever a fixture lives.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tipline::app::AppState;
use tipline::config::{self, Overrides, Settings};
use tipline::server;
use tokio::sync::oneshot;

mod desk;
mod events;
mod load;
mod nodes;
mod people;
mod process;
mod stores;
mod tips;
mod units;
mod webhooks;

pub use desk::*;
pub use events::*;
pub use load::*;
pub use nodes::*;
pub use people::*;
pub use process::*;
pub use stores::*;
pub use tips::*;
pub use units::*;
pub use webhooks::*;

pub const SIGNING_SECRET: &str = "test-signing-secret-0123456789abcdef";
/// The access-token key of every test app, so tests can forge tokens.
pub const JWT_KID: &str = "test-k1";
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef-0123";

/// The configuration of one test, as the `TIPLINE_*` variables a real
/// deployment would set; the same list configures an in-process app or a
/// spawned `tipline` binary.
pub struct TestEnv {
    pub vars: Vec<(String, String)>,
    pub dir: TempDir,
    /// The PostgreSQL database made for this test, if any.
    pub pg_database: Option<String>,
}

impl TestEnv {
    /// A fresh environment on the backend the test run was started for.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut env = Self {
            vars: Vec::new(),
            dir,
            pg_database: None,
        };
        env.set(
            "TIPLINE_DATA_DIR",
            env.dir.path().join("data").display().to_string(),
        );
        env.set("TIPLINE_BIND", "127.0.0.1:0");
        env.set("TIPLINE_SHUTDOWN_DRAIN_MS", "0");
        env.set("TIPLINE_LOG_LEVEL", "warn");
        env.set("TIPLINE_JWT_KEY", format!("{JWT_KID} {JWT_SECRET}"));
        if let Some(admin_url) = pg_admin_url() {
            let (url, name) = create_pg_database(&admin_url).await;
            env.set("TIPLINE_DATABASE_URL", url);
            env.set("TIPLINE_SIGNING_SECRET", SIGNING_SECRET);
            env.pg_database = Some(name);
        }
        if let Some(s3) = s3_env() {
            let bucket = create_bucket(&s3).await;
            env.use_s3(&s3.endpoint, &bucket, &s3.access_key, &s3.secret_key);
        }
        env
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_owned(), value.into()));
    }

    pub fn use_s3(&mut self, endpoint: &str, bucket: &str, access_key: &str, secret_key: &str) {
        self.set("TIPLINE_S3_ENDPOINT", endpoint);
        self.set("TIPLINE_S3_BUCKET", bucket);
        self.set("TIPLINE_S3_ACCESS_KEY", access_key);
        self.set("TIPLINE_S3_SECRET_KEY", secret_key);
        self.set("TIPLINE_S3_PATH_STYLE", "true");
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn settings(&self) -> Settings {
        config::load(None, self.vars.clone(), &Overrides::default()).expect("test settings load")
    }

    pub fn uses_s3(&self) -> bool {
        self.vars.iter().any(|(k, _)| k == "TIPLINE_S3_BUCKET")
    }
}

/// The service, running in this test's runtime on a free port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    pub env: TestEnv,
    /// Every answer, checked against the spec; a mismatch fails the test.
    contract: crate::contract::Guard,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_in(TestEnv::new().await).await
    }

    pub async fn spawn_in(env: TestEnv) -> Self {
        let prepared = server::prepare(env.settings())
            .await
            .expect("the app starts");
        let addr = prepared.local_addr();
        let state = prepared.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let contract = crate::contract::Recorder::default();
        let checked = contract.clone();
        let server = tokio::spawn(prepared.run_behind(
            async move {
                let _ = stopped.await;
            },
            move |endpoint| checked.around(endpoint),
        ));
        Self {
            addr,
            client: reqwest::Client::new(),
            state,
            env,
            contract: crate::contract::Guard(contract),
            stop,
            server,
        }
    }

    /// Stops the service (its background jobs too) and hands back its
    /// environment, database and data dir intact, to start it again.
    pub async fn stop(self) -> TestEnv {
        let _ = self.stop.send(());
        self.server
            .await
            .expect("the server task ends")
            .expect("the server stops cleanly");
        self.contract.0.assert_none();
        self.env
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_as(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_as(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request sent")
    }
}

/// Asserts the uniform error body and returns its code; the request id in the
/// body must be the one in the header.
pub async fn error_code(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status, "status");
    let header = response
        .headers()
        .get("x-request-id")
        .expect("X-Request-Id on every response")
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "message", "request_id"], "error body {body}");
    assert_eq!(body["request_id"], header.as_str(), "error body {body}");
    assert!(!body["message"].as_str().unwrap().is_empty());
    body["code"].as_str().unwrap().to_owned()
}

/// Polls `probe` until it is true or `limit` passes.
pub async fn eventually<F, Fut>(limit: Duration, mut probe: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if probe().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
