//! Liveness, readiness, metrics, the docs page and the served spec.

use crate::helpers::TestApp;

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

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "Prometheus reads text/plain"
    );
    let text = response.text().await.unwrap();
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
