//! The harness: every test gets a fresh data dir, a fresh database (a new
//! SQLite file, or a new PostgreSQL database) and a fresh blob store (files
//! in its data dir, or a new S3 bucket), so tests run in parallel.
//!
//! The backend is chosen by the environment the test script sets:
//! `TEST_DATABASE_URL` (a PostgreSQL URL allowed to create databases) and
//! `TEST_S3_ENDPOINT`, `TEST_S3_ACCESS_KEY`, `TEST_S3_SECRET_KEY` (an
//! S3-compatible server). Unset, the embedded default is tested.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use s3::creds::Credentials;
use s3::{Bucket, BucketConfiguration, Region};
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;
use tipline::app::AppState;
use tipline::config::{self, Overrides, Settings};
use tipline::domain::Role;
use tipline::server;
use tokio::sync::oneshot;

pub const SIGNING_SECRET: &str = "test-signing-secret-0123456789abcdef";
/// The access-token key of every test app, so tests can forge tokens.
pub const JWT_KID: &str = "test-k1";
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef-0123";

pub struct S3Env {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

pub fn s3_env() -> Option<S3Env> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())?;
    Some(S3Env {
        endpoint,
        access_key: std::env::var("TEST_S3_ACCESS_KEY")
            .expect("TEST_S3_ACCESS_KEY with TEST_S3_ENDPOINT"),
        secret_key: std::env::var("TEST_S3_SECRET_KEY")
            .expect("TEST_S3_SECRET_KEY with TEST_S3_ENDPOINT"),
    })
}

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

async fn create_pg_database(admin_url: &str) -> (String, String) {
    let name = format!("tipline_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    admin.close().await.ok();
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name)
}

/// Drops a test database at once, closing its connections: a database outage.
pub async fn drop_pg_database(name: &str) {
    let admin = Database::connect(pg_admin_url().unwrap()).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the test database");
}

pub fn s3_region(endpoint: &str) -> Region {
    Region::Custom {
        region: "us-east-1".into(),
        endpoint: endpoint.trim_end_matches('/').to_owned(),
    }
}

pub async fn create_bucket(s3: &S3Env) -> String {
    let name = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
    let credentials =
        Credentials::new(Some(&s3.access_key), Some(&s3.secret_key), None, None, None).unwrap();
    let created = Bucket::create_with_path_style(
        &name,
        s3_region(&s3.endpoint),
        credentials,
        BucketConfiguration::default(),
    )
    .await
    .expect("create a test bucket");
    assert!(
        created.success(),
        "creating bucket {name}: HTTP {} {}",
        created.response_code,
        created.response_text
    );
    name
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

    /// Registers a citizen and returns the token pair.
    pub async fn register(&self, phone: &str, password: &str) -> serde_json::Value {
        let response = self
            .post(
                "/v1/auth/register",
                serde_json::json!({"phone": phone, "password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            201,
            "register {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// Logs in and returns the token pair.
    pub async fn login(&self, login: &str, password: &str) -> serde_json::Value {
        let response = self
            .post(
                "/v1/auth/login",
                serde_json::json!({"login": login, "password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "login {}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// A staff account made the way an admin would, and its access token.
    pub async fn staff(
        &self,
        username: &str,
        role: Role,
        unit_id: Option<uuid::Uuid>,
    ) -> (uuid::Uuid, String) {
        let password = "staff password 123";
        let user = tipline::accounts::create_staff(
            &self.state,
            tipline::accounts::StaffRequest {
                username,
                password,
                role,
                unit_id,
            },
            &tipline::context::Ctx::system(&self.state.clock, "test-setup"),
        )
        .await
        .expect("staff account created");
        let pair = self.login(username, password).await;
        (user.id, pair["access_token"].as_str().unwrap().to_owned())
    }

    /// A unit, for unit officers.
    pub async fn unit(&self) -> uuid::Uuid {
        tipline::store::units::create(
            &self.state.db,
            tipline::store::units::NewUnit {
                name_zh: "测试派出所",
                name_en: "Test station",
                kind: "police_station",
            },
            self.state.clock.now(),
        )
        .await
        .unwrap()
        .id
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

/// Sends `body` with `Transfer-Encoding: chunked`, so no length is declared,
/// byte for byte as a slow phone might, and returns the raw response.
pub async fn chunked_post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        // The server may stop reading once past its cap.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    response
}

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An s3s-fs server of a test's own, which the test may stop and start.
pub struct S3Server {
    binary: PathBuf,
    root: PathBuf,
    pub port: u16,
    pub access_key: String,
    pub secret_key: String,
    child: Option<Child>,
}

impl S3Server {
    /// The s3s-fs binary: `TEST_S3S_FS`, else on `PATH`.
    pub fn binary() -> Option<PathBuf> {
        if let Ok(path) = std::env::var("TEST_S3S_FS") {
            return Some(PathBuf::from(path));
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("s3s-fs"))
                .find(|p| p.is_file())
        })
    }

    pub fn start(binary: PathBuf, root: &Path) -> Self {
        std::fs::create_dir_all(root).unwrap();
        let mut server = Self {
            binary,
            root: root.to_path_buf(),
            port: free_port(),
            access_key: "test-access".into(),
            secret_key: "test-secret-key-for-s3s".into(),
            child: None,
        };
        server.resume();
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn env(&self) -> S3Env {
        S3Env {
            endpoint: self.endpoint(),
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
        }
    }

    /// (Re)starts the server on the same port and directory.
    pub fn resume(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--access-key",
                &self.access_key,
                "--secret-key",
                &self.secret_key,
            ])
            .arg(&self.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `tipline` binary with only the given environment.
pub fn tipline(env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tipline"));
    // Only what the test gives: a developer's own TIPLINE_* must not leak in.
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.envs(env.iter().cloned());
    cmd
}

/// A running `tipline serve`, its stderr collected line by line.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Running {
    pub fn start(env: &[(String, String)]) -> Self {
        let mut child = tipline(env)
            .args(["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads stderr until a line satisfies `find`, for at most `limit`.
    pub fn wait_for(&mut self, limit: Duration, find: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = std::time::Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if find(&line) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// The address from the JSON "ready to serve" log line.
    pub fn address(&mut self) -> String {
        let line = self
            .wait_for(Duration::from_secs(60), |l| {
                l.contains("tipline ready to serve")
            })
            .unwrap_or_else(|| panic!("never ready; stderr so far: {:?}", self.seen));
        let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
        event["fields"]["addr"].as_str().unwrap().to_owned()
    }

    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit, at most `limit`, and returns the rest of stderr.
    pub fn exit_status(&mut self, limit: Duration) -> (Option<i32>, Vec<String>) {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.seen.extend(self.lines.try_iter());
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return (status.code(), self.seen.clone());
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not exit within {limit:?}; stderr: {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
