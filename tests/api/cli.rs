//! The `tipline` binary as an operator runs it: bad configuration ends in one
//! line, a first start creates the administrator once, a stop signal drains
//! and exits 0, and logs hold no secrets.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::contract::SendChecked;
use crate::helpers::{Running, TestEnv, eventually, tipline};

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs a command that must fail at start, and returns its one stderr line.
fn fails_with_one_line(mut cmd: Command) -> String {
    let Output { status, stderr, .. } = cmd.stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8(stderr).unwrap();
    assert_eq!(status.code(), Some(1), "exit status; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("tipline: error: "), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn bad_configuration_stops_start_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let base = [("TIPLINE_DATA_DIR", data.as_str())];

    let mut env = vars(&base);
    env.extend(vars(&[("TIPLINE_DATABSE_URL", "sqlite://x.db")]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("unknown environment variable TIPLINE_DATABSE_URL"),
        "{line}"
    );

    let mut env = vars(&base);
    env.extend(vars(&[("TIPLINE_DATABASE_URL", "postgres//nohost")]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("TIPLINE_DATABASE_URL is not a valid URL"),
        "{line}"
    );

    let mut env = vars(&base);
    env.extend(vars(&[("TIPLINE_S3_ENDPOINT", "ftp://files.example")]));
    let line = fails_with_one_line(tipline(&env));
    assert!(line.contains("TIPLINE_S3_ENDPOINT"), "{line}");

    let file = dir.path().join("tipline.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:0\"\nlisten_port = 80\n").unwrap();
    let mut cmd = tipline(&vars(&base));
    cmd.arg("--config").arg(&file);
    let line = fails_with_one_line(cmd);
    assert!(line.contains("unknown key `listen_port`"), "{line}");

    // Production without its shared secret.
    let mut env = vars(&base);
    env.extend(vars(&[(
        "TIPLINE_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/x",
    )]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("TIPLINE_SIGNING_SECRET is required"),
        "{line}"
    );
}

#[test]
fn an_unreachable_database_stops_start_with_one_line_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::helpers::free_port();
    let env = vars(&[
        ("TIPLINE_DATA_DIR", &dir.path().display().to_string()),
        (
            "TIPLINE_DATABASE_URL",
            &format!("postgres://app:db-password-xyz@127.0.0.1:{port}/tipline"),
        ),
        ("TIPLINE_SIGNING_SECRET", crate::helpers::SIGNING_SECRET),
        ("TIPLINE_DATABASE_CONNECT_TIMEOUT_MS", "2000"),
    ]);
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("cannot reach the database at postgres://app:***@127.0.0.1"),
        "{line}"
    );
    assert!(!line.contains("db-password-xyz"), "{line}");
}

#[tokio::test]
async fn first_start_creates_one_admin_and_a_restart_keeps_the_data() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    let client = reqwest::Client::new();

    let mut first = Running::start(&env.vars);
    let addr = first.address();
    let password_line = first
        .wait_for(Duration::from_secs(10), |l| {
            l.trim_start().starts_with("password: ")
        })
        .expect("the first start prints the admin password");
    let password = password_line
        .trim()
        .trim_start_matches("password: ")
        .to_owned();
    assert_eq!(password.len(), 24);
    assert!(
        first.seen.iter().any(|l| l.trim() == "username: admin"),
        "{:?}",
        first.seen
    );

    let ready = client
        .get(format!("http://{addr}/readyz"))
        .checked()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    for path in ["/healthz", "/docs", "/openapi.json"] {
        let r = client
            .get(format!("http://{addr}{path}"))
            .checked()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    first.terminate();
    let (code, logs) = first.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");
    let password_in_logs = logs
        .iter()
        .filter(|l| l.starts_with('{'))
        .any(|l| l.contains(&password));
    assert!(!password_in_logs, "the password reached a log event");

    let mut second = Running::start(&env.vars);
    let addr = second.address();
    let ready = client
        .get(format!("http://{addr}/readyz"))
        .checked()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    second.terminate();
    let (code, logs) = second.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");
    assert!(
        !logs.iter().any(|l| l.contains("password")),
        "a second start printed a password: {logs:?}"
    );

    // The data is still there: the admin of the first start, and only one.
    let settings = env.settings();
    let db = tipline::store::connect(&settings.database_url(), 1, Duration::from_secs(5))
        .await
        .unwrap();
    let admins = tipline::store::users::find_by_username(&db, "admin")
        .await
        .unwrap();
    let admin = admins.expect("the first admin survived the restart");
    assert!(tipline::auth::password::verify(
        &password,
        &admin.password_hash
    ));
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        tipline::store::users::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn a_stop_signal_turns_readiness_off_then_exits_zero() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    // Long enough that a loaded machine still sees the drain.
    env.set("TIPLINE_SHUTDOWN_DRAIN_MS", "10000");
    let mut server = Running::start(&env.vars);
    let addr = server.address();
    let client = reqwest::Client::new();
    let readyz = format!("http://{addr}/readyz");
    assert_eq!(client.get(&readyz).checked().await.unwrap().status(), 200);

    server.terminate();
    let off = eventually(Duration::from_secs(10), || async {
        match client.get(&readyz).checked().await {
            Ok(r) if r.status() == 503 => {
                let body: serde_json::Value = r.json().await.unwrap();
                body["code"] == "service.shutting_down"
            }
            _ => false,
        }
    })
    .await;
    assert!(off, "readiness stayed on after SIGTERM");
    // Still serving other requests while draining.
    let health = client
        .get(format!("http://{addr}/healthz"))
        .checked()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let (code, logs) = server.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");
}

#[tokio::test]
async fn logs_hold_no_authorization_or_signature() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "debug");
    let mut server = Running::start(&env.vars);
    let addr = server.address();
    let client = reqwest::Client::new();
    client
        .get(format!("http://{addr}/healthz?token=query-secret-123"))
        .header("Authorization", "Bearer header-secret-456")
        .checked()
        .await
        .unwrap();
    client
        .get(format!(
            "http://{addr}/v1/blobs/media/x.jpg?expires=1&signature=abcdef0123456789"
        ))
        .checked()
        .await
        .unwrap();
    server.terminate();
    let (_, logs) = server.exit_status(Duration::from_secs(30));
    let all = logs.join("\n");
    assert!(
        all.contains("\"route\":\"/healthz\""),
        "requests are logged: {all}"
    );
    for secret in ["query-secret-123", "header-secret-456", "abcdef0123456789"] {
        assert!(!all.contains(secret), "{secret} reached the logs");
    }
}

#[tokio::test]
async fn admin_create_user_reads_the_password_from_stdin() {
    let env = TestEnv::new().await;
    let create = |username: &str, role: &str, password: &str| {
        let mut child = tipline(&env.vars)
            .args([
                "admin",
                "create-user",
                "--username",
                username,
                "--role",
                role,
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };

    let (code, stderr) = create("mod.li", "moderator", "a long passphrase\n");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("created moderator `mod.li`"), "{stderr}");
    assert!(!stderr.contains("a long passphrase"), "{stderr}");

    let (code, stderr) = create("mod.li", "admin", "another passphrase\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("the username `mod.li` is taken"),
        "{stderr}"
    );

    let (code, stderr) = create("mod.wu", "moderator", "short\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("8 to 128 characters"), "{stderr}");

    let settings = env.settings();
    let db = tipline::store::connect(&settings.database_url(), 1, Duration::from_secs(5))
        .await
        .unwrap();
    let user = tipline::store::users::find_by_username(&db, "mod.li")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role.as_str(), "moderator");
    assert!(tipline::auth::password::verify(
        "a long passphrase",
        &user.password_hash
    ));
}

#[test]
fn openapi_needs_no_database() {
    // A data dir that cannot exist and a database that is not there.
    let env = vars(&[
        ("TIPLINE_DATA_DIR", "/proc/no-such-dir"),
        ("TIPLINE_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
    ]);
    let out = tipline(&env)
        .args(["openapi", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
}

#[tokio::test]
async fn sign_in_traffic_leaves_no_secret_in_the_logs() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "debug");
    let mut server = Running::start(&env.vars);
    let base = format!("http://{}", server.address());
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        client.post(format!("{base}{path}")).json(&body).checked()
    };

    let password = "s3cret-passphrase-in-logs?";
    let pair: serde_json::Value = post(
        "/v1/auth/register",
        serde_json::json!({"phone": "+86 138 0013 8005", "password": password}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let failed = post(
        "/v1/auth/login",
        serde_json::json!({"login": "13800138005", "password": "wrong-guess-in-logs"}),
    )
    .await
    .unwrap();
    assert_eq!(failed.status(), 401);
    let login: serde_json::Value = post(
        "/v1/auth/login",
        serde_json::json!({"login": "13800138005", "password": password}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = login["access_token"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let me = client
        .get(format!("{base}/v1/me"))
        .bearer_auth(&access)
        .checked()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let rotated = post(
        "/v1/auth/refresh",
        serde_json::json!({"refresh_token": refresh}),
    )
    .await
    .unwrap();
    assert_eq!(rotated.status(), 200);
    // The newer token in use, the old one again is a replay.
    let newer: serde_json::Value = rotated.json().await.unwrap();
    let again = post(
        "/v1/auth/refresh",
        serde_json::json!({"refresh_token": newer["refresh_token"]}),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), 200);
    let replay = post(
        "/v1/auth/refresh",
        serde_json::json!({"refresh_token": refresh}),
    )
    .await
    .unwrap();
    assert_eq!(replay.status(), 401);

    server.terminate();
    let (code, logs) = server.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0));
    let all = logs.join("\n");
    assert!(all.contains("/v1/auth/login"), "requests are logged: {all}");
    let secrets = [
        password,
        "wrong-guess-in-logs",
        "13800138005",
        "138 0013 8005",
        &access,
        &refresh,
        pair["refresh_token"].as_str().unwrap(),
        access.split('.').nth(1).unwrap(),
    ];
    for secret in secrets {
        assert!(!all.contains(secret), "`{secret}` reached the logs");
    }
}

#[tokio::test]
async fn a_request_in_flight_at_the_stop_signal_is_answered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    // During the drain the connection is served as any other, so even a
    // loaded machine has read the request's head by the time the listener
    // closes (a connection that has not begun a request is closed then);
    // the rest of the body comes after that.
    env.set("TIPLINE_SHUTDOWN_DRAIN_MS", "1500");
    let mut server = Running::start(&env.vars);
    let addr = server.address();

    // A login whose body is still on its way when the signal arrives.
    let body = r#"{"login":"nobody.here","password":"not the password"}"#;
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.terminate();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 401 "), "{response}");
    assert!(response.contains("auth.invalid_credentials"), "{response}");

    let (code, logs) = server.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");
}

#[tokio::test]
async fn reporting_leaves_no_position_contact_or_receipt_in_the_logs() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "debug");
    let mut server = Running::start(&env.vars);
    let base = format!("http://{}", server.address());
    let client = reqwest::Client::new();
    let anon: serde_json::Value = client
        .post(format!("{base}/v1/auth/anonymous"))
        .checked()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = anon["access_token"].as_str().unwrap().to_owned();
    let photo = include_bytes!("../fixtures/phone-gps.jpg");
    let (content_type, body) = crate::helpers::form(&[("file", "p.jpg", "image/jpeg", photo)]);
    let media: serde_json::Value = client
        .post(format!("{base}/v1/media"))
        .bearer_auth(&token)
        .header("content-type", content_type)
        .body(body)
        .checked()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tip = serde_json::json!({
        "category": "illicit_card_ads",
        "description": "cards on cars",
        "location": {"lat": 31.2304123, "lon": 121.4737456},
        "address": "Nanjing Road 100",
        "contacts": [{"kind": "phone", "value": "139 1234 5678"}, {"kind": "wechat", "value": "pimp_wx_888"}],
        "media_ids": [media["id"]],
    });
    let submitted: serde_json::Value = client
        .post(format!("{base}/v1/tips"))
        .bearer_auth(&token)
        .json(&tip)
        .checked()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = submitted["receipt"]["secret"].as_str().unwrap().to_owned();
    let code = submitted["receipt"]["code"].as_str().unwrap().to_owned();
    let looked = client
        .get(format!("{base}/v1/receipts/{code}"))
        .header("X-Receipt-Secret", &secret)
        .checked()
        .await
        .unwrap();
    assert_eq!(looked.status(), 200);

    server.terminate();
    let (code_, logs) = server.exit_status(Duration::from_secs(30));
    assert_eq!(code_, Some(0));
    let all = logs.join("\n");
    assert!(all.contains("/v1/tips"), "requests are logged");
    for secret in [
        "31.2304",
        "121.4737",
        "Nanjing",
        "13912345678",
        "139 1234 5678",
        "pimp_wx_888",
        secret.as_str(),
        code.as_str(),
        token.as_str(),
        "48 deg",
    ] {
        assert!(!all.contains(secret), "`{secret}` reached the logs");
    }
}

#[tokio::test]
async fn seed_fills_an_empty_database_and_refuses_a_used_one() {
    let env = TestEnv::new().await;
    let seed = |extra: &[&str]| {
        let out = tipline(&env.vars)
            .args(["seed", "--tips", "1200", "--seed", "5"])
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, stderr) = seed(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    // Standard error is a pipe here: plain lines, not a bar's frames.
    assert!(
        stderr.contains("tipline: seed: 1200/1200 tips (100%)"),
        "progress: {stderr}"
    );
    assert!(
        !stderr.contains('\r'),
        "carriage returns in a pipe: {stderr:?}"
    );
    let progress_lines = stderr
        .lines()
        .filter(|l| l.starts_with("tipline: seed: "))
        .count();
    assert!((1..=3).contains(&progress_lines), "{stderr}");
    assert!(stderr.contains("seeded 1200 tips"), "{stderr}");

    let settings = env.settings();
    let db = tipline::store::connect(&settings.database_url(), 1, Duration::from_secs(5))
        .await
        .unwrap();
    // The per-state counts the queue shows add up to the tips made, and the
    // spread puts most tips in closed states and a few in the queue.
    let counts = tipline::store::tips::status_counts(&db).await.unwrap();
    let count = |state: &str| counts.iter().find(|(s, _)| s.as_str() == state).unwrap().1;
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 1200);
    assert!(count("closed") > count("submitted"), "{counts:?}");
    assert!(count("submitted") > 0, "{counts:?}");

    let (code, stderr) = seed(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("already has 1200 tips"), "{stderr}");
    let (code, stderr) = seed(&["--append"]);
    assert_eq!(code, Some(0), "{stderr}");
    let counts = tipline::store::tips::status_counts(&db).await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 2400);
}

/// What a Service named `tipline` puts into every pod (values as Kubernetes
/// writes them; nothing is ever sent to these addresses).
const SERVICE_VARS: &[(&str, &str)] = &[
    ("TIPLINE_PORT", "tcp://10.0.0.1:8080"),
    ("TIPLINE_PORT_8080_TCP", "tcp://10.0.0.1:8080"),
    ("TIPLINE_PORT_8080_TCP_ADDR", "10.0.0.1"),
    ("TIPLINE_PORT_8080_TCP_PORT", "8080"),
    ("TIPLINE_PORT_8080_TCP_PROTO", "tcp"),
    ("TIPLINE_SERVICE_HOST", "10.0.0.1"),
    ("TIPLINE_SERVICE_PORT", "8080"),
    ("TIPLINE_SERVICE_PORT_HTTP", "8080"),
];

/// Moves every secret of `env` into a file, named by `<VAR>_FILE`, as a
/// Kubernetes secret volume would hold it (with a trailing newline).
fn secrets_to_files(env: &mut TestEnv, dir: &std::path::Path) -> Vec<String> {
    let secret_names: Vec<String> = tipline::config::KEYS
        .iter()
        .filter(|k| k.secret)
        .map(|k| k.env_name())
        .collect();
    let mut contents = Vec::new();
    for (name, value) in env.vars.clone() {
        if secret_names.contains(&name) {
            let path = dir.join(name.to_ascii_lowercase());
            std::fs::write(&path, format!("{value}\n")).unwrap();
            env.vars.retain(|(k, _)| *k != name);
            env.set(&format!("{name}_FILE"), path.display().to_string());
            contents.push(value);
        }
    }
    contents
}

#[tokio::test]
async fn a_pod_with_kubernetes_variables_and_secret_files_serves() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    // On SQLite too, so the generated key file shows whether it was used.
    env.set("TIPLINE_SIGNING_SECRET", crate::helpers::SIGNING_SECRET);
    let secrets = tempfile::tempdir().unwrap();
    let contents = secrets_to_files(&mut env, secrets.path());
    assert!(
        env.vars
            .iter()
            .any(|(k, _)| k == "TIPLINE_SIGNING_SECRET_FILE"),
        "{:?}",
        env.vars
    );
    for (name, value) in SERVICE_VARS {
        env.set(name, *value);
    }

    let mut server = Running::start(&env.vars);
    let addr = server.address();
    let client = reqwest::Client::new();
    let ready = client
        .get(format!("http://{addr}/readyz"))
        .checked()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        !env.data_dir().join("signing.key").exists(),
        "the signing secret from its file was not used"
    );
    server.terminate();
    let (code, logs) = server.exit_status(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{logs:?}");

    // One note naming the variables, never their values.
    let notes: Vec<&String> = logs
        .iter()
        .filter(|l| l.contains("Kubernetes Service"))
        .collect();
    assert_eq!(notes.len(), 1, "{logs:?}");
    for (name, _) in SERVICE_VARS {
        assert!(notes[0].contains(name), "{name} not named: {}", notes[0]);
    }
    let all = logs.join("\n");
    assert!(!all.contains("10.0.0.1"), "a value was logged: {all}");
    for secret in contents {
        // A database URL's secret is its password, which the start line
        // masks; the tests' PostgreSQL (trust auth) has none, and the rest
        // of the URL is an address the log may name.
        if url::Url::parse(&secret).is_ok_and(|u| u.has_host() && u.password().is_none()) {
            continue;
        }
        assert!(!all.contains(&secret), "a secret reached the logs");
    }
}

#[test]
fn a_pod_still_stops_on_a_typo_or_a_bad_secret_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let mut base = vars(&[("TIPLINE_DATA_DIR", data.as_str())]);
    base.extend(vars(SERVICE_VARS));

    let mut env = base.clone();
    env.extend(vars(&[("TIPLINE_BUIND", "0.0.0.0:8080")]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("unknown environment variable TIPLINE_BUIND"),
        "{line}"
    );

    // Kubernetes never writes a bare port into TIPLINE_PORT.
    let mut env = base.clone();
    env.retain(|(k, _)| k != "TIPLINE_PORT");
    env.extend(vars(&[("TIPLINE_PORT", "9000")]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("unknown environment variable TIPLINE_PORT "),
        "{line}"
    );

    let missing = dir.path().join("no-such-secret").display().to_string();
    let mut env = base.clone();
    env.extend(vars(&[("TIPLINE_SIGNING_SECRET_FILE", missing.as_str())]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains(&format!(
            "TIPLINE_SIGNING_SECRET_FILE names {missing}, which cannot be read"
        )),
        "{line}"
    );

    let short = dir.path().join("short-secret");
    std::fs::write(&short, "short-secret-content\n").unwrap();
    let short = short.display().to_string();
    let mut env = base.clone();
    env.extend(vars(&[("TIPLINE_SIGNING_SECRET_FILE", short.as_str())]));
    let line = fails_with_one_line(tipline(&env));
    assert!(line.contains(&short), "{line}");
    assert!(line.contains("at least 32 characters"), "{line}");
    assert!(!line.contains("short-secret-content"), "{line}");

    let mut env = base;
    env.extend(vars(&[
        ("TIPLINE_SIGNING_SECRET", crate::helpers::SIGNING_SECRET),
        ("TIPLINE_SIGNING_SECRET_FILE", short.as_str()),
    ]));
    let line = fails_with_one_line(tipline(&env));
    assert!(
        line.contains("TIPLINE_SIGNING_SECRET and TIPLINE_SIGNING_SECRET_FILE are both set"),
        "{line}"
    );
    assert!(!line.contains(crate::helpers::SIGNING_SECRET), "{line}");
}
