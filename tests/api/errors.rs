//! One error body for every error: unknown routes, wrong methods, unparsable
//! JSON, failed validation, a wrong content type, a panicking handler.
//!
//! The real routes are checked where they can show it; a panicking handler
//! and a validator of every kind need an API of the test's own, served
//! behind the service's own middleware (the same `Observe` and panic
//! handling `http::endpoint` uses).

use std::sync::Arc;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::CatchPanic;
use poem::{EndpointExt, Route};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{Object, OpenApi, OpenApiService};
use tipline::http::error::from_panic;
use tipline::http::metrics::Metrics;
use tipline::http::observe::Observe;

use crate::helpers::{TestApp, chunked_post, error_code};

#[tokio::test]
async fn unknown_routes_and_methods_get_the_error_body() {
    let app = TestApp::spawn().await;
    assert_eq!(
        error_code(app.get("/v1/nothing-here").await, 404).await,
        "not_found"
    );
    assert_eq!(error_code(app.get("/").await, 404).await, "not_found");
    let wrong_method = app.client.delete(app.url("/readyz")).send().await.unwrap();
    assert_eq!(error_code(wrong_method, 405).await, "method_not_allowed");
}

#[tokio::test]
async fn the_real_json_routes_answer_bad_bodies_with_the_error_body() {
    let app = TestApp::spawn().await;
    let login = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/v1/auth/login"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for bad in [
        r#"{"login": "#,
        r#"{"login": "x"}"#,
        r#"{"login": ["x"], "password": "y"}"#,
        "[]",
    ] {
        let response = login(bad, "application/json").await.unwrap();
        assert_eq!(error_code(response, 400).await, "request.invalid", "{bad}");
    }
    let response = login(r#"{"login":"x","password":"y"}"#, "text/plain")
        .await
        .unwrap();
    assert_eq!(
        error_code(response, 415).await,
        "request.unsupported_media_type"
    );

    // Bodies over the cap are refused as they arrive: with a length ...
    let big = format!(r#"{{"login":"x","password":"{}"}}"#, "a".repeat(100 * 1024));
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 413).await, "request.too_large");
    // ... and streamed without one (chunked, as a phone on a slow link may).
    let response = chunked_post(
        app.addr,
        "/v1/auth/login",
        &[("Content-Type", "application/json")],
        big.as_bytes(),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(response.contains("request.too_large"), "{response}");
}

#[derive(Object)]
struct Note {
    #[oai(validator(max_length = 5))]
    text: String,
}

struct ProbeApi;

#[OpenApi]
impl ProbeApi {
    #[oai(path = "/probe", method = "post")]
    async fn echo(&self, note: Json<Note>) -> PlainText<String> {
        PlainText(note.0.text)
    }

    #[oai(path = "/panic", method = "get")]
    async fn panic(&self) -> PlainText<String> {
        panic!("a bug in a handler")
    }
}

async fn probe_server() -> String {
    let api = OpenApiService::new(ProbeApi, "probe", "1");
    let app = Route::new()
        .nest("/", api)
        .with(CatchPanic::new().with_handler(from_panic))
        .with(Observe::new(Arc::new(Metrics::default())));
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}")
}

#[tokio::test]
async fn parse_and_validation_failures_get_the_error_body() {
    let base = probe_server().await;
    let client = reqwest::Client::new();
    let post = |body: &'static str| {
        client
            .post(format!("{base}/probe"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let ok = post(r#"{"text":"hi"}"#).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "hi");

    for bad in [
        r#"{"text": "#,
        r#"{"text": {"a": 1}}"#,
        r#"{}"#,
        r#"{"text":"too long"}"#,
    ] {
        let response = post(bad).await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        assert_eq!(error_code(response, 400).await, "request.invalid", "{bad}");
    }

    let wrong_type = client
        .post(format!("{base}/probe"))
        .header("content-type", "text/plain")
        .body("text=hi")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(wrong_type, 415).await,
        "request.unsupported_media_type"
    );
}

#[tokio::test]
async fn a_panicking_handler_gets_a_generic_500() {
    let base = probe_server().await;
    let response = reqwest::get(format!("{base}/panic")).await.unwrap();
    assert_eq!(error_code(response, 500).await, "internal");
    // The server lives on.
    let again = reqwest::get(format!("{base}/panic")).await.unwrap();
    assert_eq!(again.status(), 500);
}
