//! Failed logins are limited per account and per client address, with the
//! counters in the database: several nodes see the same counts.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Running, TestApp, TestEnv, error_code};

const PER_ACCOUNT: usize = 3;
const PER_ADDRESS: usize = 5;

async fn throttled_env() -> TestEnv {
    let mut env = TestEnv::new().await;
    env.set(
        "TIPLINE_LOGIN_MAX_FAILURES_PER_ACCOUNT",
        PER_ACCOUNT.to_string(),
    );
    env.set(
        "TIPLINE_LOGIN_MAX_FAILURES_PER_ADDRESS",
        PER_ADDRESS.to_string(),
    );
    env.set("TIPLINE_CLIENT_IP_HEADER", "X-Forwarded-For");
    env
}

async fn attempt(base: &str, from: &str, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/v1/auth/login"))
        // A proxy earlier in the chain may add entries; the rightmost counts.
        .header("X-Forwarded-For", format!("203.0.113.250, {from}"))
        .header("X-Request-Id", "throttle-test")
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The 429 body, checked for its shape; returned for comparison.
async fn throttled(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "auth.throttled");
    body
}

#[tokio::test]
async fn one_account_from_many_addresses() {
    let app = TestApp::spawn_in(throttled_env().await).await;
    let base = app.url("");
    app.register("13800138001", "the real password").await;
    for i in 0..PER_ACCOUNT {
        let r = attempt(&base, &format!("198.51.100.{i}"), "13800138001", "guess").await;
        assert_eq!(
            error_code(r, 401).await,
            "auth.invalid_credentials",
            "attempt {i}"
        );
    }
    // Another address, another spelling of the number: still the same account.
    let body = throttled(attempt(&base, "198.51.100.99", "+86 138 0013 8001", "guess").await).await;
    // Locked means locked, even with the right password.
    throttled(attempt(&base, "198.51.100.98", "13800138001", "the real password").await).await;

    // One address across many accounts trips the address limit, with the
    // same body: nothing tells which limit was hit.
    for i in 0..PER_ADDRESS {
        let r = attempt(&base, "192.0.2.7", &format!("1390013900{i}"), "guess").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let other = throttled(attempt(&base, "192.0.2.7", "13900139009", "guess").await).await;
    assert_eq!(body, other);

    // The counters work without keeping who tried: no phone number or
    // address is stored.
    use sea_orm::EntityTrait;
    let keys: Vec<String> = tipline::store::rate_counters::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.key)
        .collect();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(
            !key.contains("13800138001") && !key.contains("192.0.2") && !key.contains("login"),
            "{key}"
        );
    }
}

#[tokio::test]
async fn an_attackers_own_successes_reset_nothing() {
    let app = TestApp::spawn_in(throttled_env().await).await;
    let base = app.url("");
    app.register("13800138002", "victim password").await;
    app.register("13800138003", "attacker password").await;
    let from = "192.0.2.66";
    let mut failures = 0;
    while failures < PER_ADDRESS {
        // A successful login to the attacker's own account ...
        let ok = attempt(&base, from, "13800138003", "attacker password").await;
        assert_eq!(
            ok.status(),
            200,
            "the attacker's own login after {failures} failures"
        );
        // ... then a guess: two at the victim (under the account limit),
        // the rest at anyone.
        let target = if failures < 2 {
            "13800138002"
        } else {
            "nobody.here"
        };
        let r = attempt(&base, from, target, "guess").await;
        assert_eq!(r.status(), 401, "failure {failures}");
        failures += 1;
    }
    // The address has used up its failures, successes notwithstanding.
    throttled(attempt(&base, from, "someone.else", "guess").await).await;
    // The victim's two failures still count: one more from elsewhere, then locked.
    let r = attempt(&base, "192.0.2.200", "13800138002", "guess").await;
    assert_eq!(r.status(), 401);
    throttled(attempt(&base, "192.0.2.201", "13800138002", "guess").await).await;
}

#[tokio::test]
async fn two_processes_share_the_counts() {
    let mut env = throttled_env().await;
    env.set("TIPLINE_LOG_FORMAT", "json");
    env.set("TIPLINE_LOG_LEVEL", "info");
    let mut first = Running::start(&env.vars);
    let a = format!("http://{}", first.address());
    let mut second = Running::start(&env.vars);
    let b = format!("http://{}", second.address());
    assert_ne!(a, b);

    let register = reqwest::Client::new()
        .post(format!("{a}/v1/auth/register"))
        .json(&json!({"phone": "13800138004", "password": "a good password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), 201);

    // Per account: failures alternate between the nodes.
    for i in 0..PER_ACCOUNT {
        let node = if i % 2 == 0 { &a } else { &b };
        let r = attempt(node, &format!("198.51.100.{i}"), "13800138004", "guess").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    for node in [&a, &b] {
        throttled(attempt(node, "198.51.100.77", "13800138004", "guess").await).await;
    }

    // Per address: the same.
    for i in 0..PER_ADDRESS {
        let node = if i % 2 == 0 { &b } else { &a };
        let r = attempt(node, "192.0.2.99", &format!("user.{i}"), "guess").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    for node in [&a, &b] {
        throttled(attempt(node, "192.0.2.99", "user.last", "guess").await).await;
    }

    for node in [&mut first, &mut second] {
        node.terminate();
        assert_eq!(node.exit_status(Duration::from_secs(30)).0, Some(0));
    }
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_count() {
    let app = TestApp::spawn_in(throttled_env().await).await;
    let base = app.url("");
    app.register("13800138006", "the real password").await;
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let base = base.clone();
            tokio::spawn(async move {
                attempt(&base, &format!("198.51.100.{i}"), "13800138006", "guess")
                    .await
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let let_through = statuses.iter().filter(|s| s.as_u16() == 401).count();
    let throttled = statuses.iter().filter(|s| s.as_u16() == 429).count();
    assert_eq!(let_through, PER_ACCOUNT, "{statuses:?}");
    assert_eq!(throttled, 20 - PER_ACCOUNT, "{statuses:?}");
}

#[tokio::test]
async fn only_the_proxys_own_entry_names_the_client() {
    let app = TestApp::spawn_in(throttled_env().await).await;
    let client = reqwest::Client::new();
    // The client forges a header line of its own, rotating it on every
    // request; the proxy adds its line last.
    for i in 0..PER_ADDRESS {
        let r = client
            .post(app.url("/v1/auth/login"))
            .header("X-Forwarded-For", format!("10.{i}.0.1"))
            .header("X-Forwarded-For", "192.0.2.150")
            .json(&json!({"login": format!("user.{i}"), "password": "guess"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = client
        .post(app.url("/v1/auth/login"))
        .header("X-Forwarded-For", "10.99.0.1")
        .header("X-Forwarded-For", "192.0.2.150")
        .json(&json!({"login": "user.last", "password": "guess"}))
        .send()
        .await
        .unwrap();
    throttled(r).await;
}
