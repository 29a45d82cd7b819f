//! Liveness, readiness, metrics, the docs page and the served spec.

use std::time::Duration;

use serde_json::json;
use tipline::domain::Role;

use crate::helpers::{TestApp, TestEnv, eventually, free_port};

/// `/metrics` as Prometheus reads it: the content type must say OpenMetrics,
/// or Prometheus parses the body as its older format and loses the types.
async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-type"],
        tipline::http::metrics::CONTENT_TYPE
    );
    let text = response.text().await.unwrap();
    assert!(
        text.ends_with("# EOF\n"),
        "an OpenMetrics body ends so: {text}"
    );
    text
}

/// The value of one series (`name` or `name{labels}`), if it is there.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

#[tokio::test]
async fn healthz_and_readyz_answer_200() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "alive");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["blob_store"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let given = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "lb-7f3a:42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "lb-7f3a:42");

    // An id that could break a log line is replaced, not echoed.
    let forged = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "x\" level=error msg=forged")
        .send()
        .await
        .unwrap();
    let id = forged.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    let fresh = app.get("/readyz").await;
    let id = fresh.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    // Unknown paths share one series, whatever they are.
    app.get("/no/such/thing").await;
    app.get("/another-unknown-path").await;

    let text = scrape(&app).await;
    assert!(
        text.contains(
            r#"tipline_http_requests_total{method="GET",route="/healthz",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"tipline_http_requests_total{method="GET",route="unmatched",status="404"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"tipline_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/healthz",status="200"} 3"#),
        "{text}"
    );
    assert!(
        !text.contains("no/such/thing"),
        "raw paths must not become labels"
    );
}

#[tokio::test]
async fn docs_page_is_served_by_the_binary() {
    let app = TestApp::spawn().await;
    let response = app.get("/docs").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("SwaggerUIBundle"),
        "the Swagger UI script is inlined"
    );
    assert!(html.contains("\"/readyz\""), "the page carries the spec");
    // No CDN: nothing is loaded from another host.
    for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(external), "docs load {external}…");
    }
}

#[tokio::test]
async fn served_spec_is_openapi_3_in_json_and_yaml() {
    let app = TestApp::spawn().await;
    let json: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(
        json["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        json["openapi"]
    );
    assert_eq!(json["info"]["title"], "tipline");
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(
            json["paths"][path]["get"].is_object(),
            "{path} missing from the spec"
        );
    }
    let yaml = app.get("/openapi.yaml").await.text().await.unwrap();
    let generated = tipline::commands::openapi(tipline::commands::SpecFormat::Yaml);
    assert_eq!(yaml.trim_end(), generated.trim_end());
}

#[tokio::test]
async fn metrics_show_the_process_the_build_and_the_database_pool() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_DATABASE_MAX_CONNECTIONS", "7");
    let app = TestApp::spawn_in(env).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let text = scrape(&app).await;

    assert!(
        text.contains("# TYPE process_cpu_seconds counter"),
        "{text}"
    );
    assert!(
        value(&text, "process_cpu_seconds_total").unwrap() > 0.0,
        "{text}"
    );
    let resident = value(&text, "process_resident_memory_bytes").unwrap();
    assert!(resident > 4.0 * 1024.0 * 1024.0, "{text}");
    assert!(value(&text, "process_open_fds").unwrap() >= 3.0, "{text}");
    assert!(value(&text, "process_max_fds").unwrap() >= value(&text, "process_open_fds").unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let started = value(&text, "process_start_time_seconds").unwrap();
    assert!(
        started <= now + 1.0 && started > now - 6.0 * 3600.0,
        "{started} vs {now}"
    );

    assert_eq!(
        value(
            &text,
            &format!(
                "tipline_build_info{{version=\"{}\"}}",
                env!("CARGO_PKG_VERSION")
            )
        ),
        Some(1.0),
        "{text}"
    );
    assert!(text.contains("# TYPE tipline_build info"), "{text}");

    assert_eq!(
        value(&text, "tipline_db_pool_max_connections"),
        Some(7.0),
        "{text}"
    );
    let open = value(&text, "tipline_db_pool_connections").unwrap();
    let idle = value(&text, "tipline_db_pool_idle_connections").unwrap();
    assert!((1.0..=7.0).contains(&open), "{text}");
    assert!(idle <= open, "{text}");

    // Nothing waits in the outbox yet.
    assert_eq!(
        value(&text, r#"tipline_webhook_events{status="pending"}"#),
        Some(0.0)
    );
    assert_eq!(
        value(&text, r#"tipline_webhook_events{status="failed"}"#),
        Some(0.0)
    );
    assert_eq!(
        value(&text, "tipline_webhook_delivery_failures_total"),
        Some(0.0)
    );
}

#[tokio::test]
async fn metrics_show_the_webhook_backlog_and_failed_deliveries() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_WEBHOOK_POLL_MS", "50");
    // One failure, then the retry is due in an hour (of the test's clock).
    env.set("TIPLINE_WEBHOOK_RETRY_BASE_MS", "3600000");
    env.set("TIPLINE_WEBHOOK_MAX_ATTEMPTS", "2");
    let app = TestApp::spawn_in(env).await;
    let (_, admin) = app.staff("ops.admin", Role::Admin, None).await;
    // Nobody listens at that port: every delivery fails.
    let unit = app
        .post_as(
            "/v1/admin/units",
            &admin,
            json!({"name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center",
                   "webhook": {"url": format!("http://127.0.0.1:{}/hook", free_port()),
                               "secret": "centre-secret-0123456789"}}),
        )
        .await;
    assert_eq!(unit.status(), 201);
    let unit: serde_json::Value = unit.json().await.unwrap();
    let unit_id = unit["id"].as_str().unwrap().parse().unwrap();
    tipline::store::webhook_events::enqueue(
        &app.state.db,
        unit_id,
        tipline::store::webhook_events::Event::LeadForwarded,
        json!({"lead_id": uuid::Uuid::now_v7()}),
        app.state.clock.now(),
    )
    .await
    .unwrap();

    // The first attempt fails; the event waits for its retry.
    let retried = eventually(Duration::from_secs(20), || async {
        let text = scrape(&app).await;
        value(&text, "tipline_webhook_delivery_failures_total") == Some(1.0)
    })
    .await;
    assert!(retried, "{}", scrape(&app).await);
    app.state.clock.advance(chrono::Duration::minutes(30));
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, r#"tipline_webhook_events{status="pending"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, r#"tipline_webhook_events{status="failed"}"#),
        Some(0.0),
        "{text}"
    );
    let age = value(&text, "tipline_webhook_oldest_pending_age_seconds").unwrap();
    assert!((1800.0..1900.0).contains(&age), "{text}");

    // The second and last attempt fails too: the event is given up.
    app.state.clock.advance(chrono::Duration::hours(1));
    let given_up = eventually(Duration::from_secs(20), || async {
        let text = scrape(&app).await;
        value(&text, r#"tipline_webhook_events{status="failed"}"#) == Some(1.0)
    })
    .await;
    let text = scrape(&app).await;
    assert!(given_up, "{text}");
    assert_eq!(
        value(&text, r#"tipline_webhook_events{status="pending"}"#),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "tipline_webhook_delivery_failures_total"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "tipline_webhook_oldest_pending_age_seconds"),
        Some(0.0),
        "{text}"
    );
}
