//! Every answer the tests receive, checked against the committed spec: the
//! operation exists, it lists the status, the content type is the one it
//! declares, the body validates against its schema (OpenAPI 3.0: `nullable`,
//! no properties the schema does not name), and an error's `code` is one the
//! operation lists for that status.
//!
//! In-process apps are checked on the server side, around the whole
//! endpoint ([`Recorder`]); spawned binaries through [`send`]. A mismatch
//! names the operation and the JSON path, and fails the test that got it.

use std::sync::{Arc, Mutex, OnceLock};

use tipline::http::contract::Contract;

const COMMITTED: &str = "openapi/tipline.yaml";

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
        let text = std::fs::read_to_string(&path).expect("the committed spec");
        let spec = serde_yaml::from_str(&text).expect("the committed spec is YAML");
        Contract::new(spec, &[])
    })
}

/// Checks one answer; `Err` says what does not match the spec.
pub fn check(
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    contract().check_response(method, path, status, content_type, body)
}

/// Where an in-process app's answers are checked: the mismatches so far.
#[derive(Clone, Default)]
pub struct Recorder {
    mismatches: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    pub fn record(&self, mismatch: String) {
        self.mismatches.lock().unwrap().push(mismatch);
    }

    /// Fails the test when an answer did not match the spec.
    pub fn assert_none(&self) {
        let mismatches = std::mem::take(&mut *self.mismatches.lock().unwrap());
        assert!(
            mismatches.is_empty(),
            "answers that do not match {COMMITTED}:\n  {}",
            mismatches.join("\n  ")
        );
    }

    /// The endpoint with every answer checked on its way out. Event streams
    /// are checked by their status and type only: their bodies do not end.
    pub fn around<E: poem::Endpoint + 'static>(
        self,
        endpoint: E,
    ) -> impl poem::Endpoint<Output = poem::Response> + use<E> {
        use poem::{EndpointExt, IntoResponse};
        let recorder = self;
        endpoint.around(move |inner, req| {
            let recorder = recorder.clone();
            async move {
                let method = req.method().to_string();
                let path = req.uri().path().to_owned();
                let response = inner.call(req).await?.into_response();
                let content_type = response
                    .headers()
                    .get(poem::http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                if content_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("text/event-stream"))
                {
                    let status = response.status().as_u16();
                    if let Err(mismatch) =
                        check(&method, &path, status, content_type.as_deref(), b"")
                    {
                        recorder.record(mismatch);
                    }
                    return Ok(response);
                }
                let (parts, body) = response.into_parts();
                let bytes = body.into_bytes().await.unwrap_or_default();
                if let Err(mismatch) = check(
                    &method,
                    &path,
                    parts.status.as_u16(),
                    content_type.as_deref(),
                    &bytes,
                ) {
                    recorder.record(mismatch);
                }
                Ok(poem::Response::from_parts(parts, poem::Body::from(bytes)))
            }
        })
    }
}

/// Fails the test, when it is dropped, if an answer did not match the spec
/// (unless the test is failing already).
pub struct Guard(pub Recorder);

impl Drop for Guard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.0.assert_none();
        }
    }
}

/// For requests to a spawned binary: `.checked()` where `.send()` would
/// be. The answer is checked against the spec (a mismatch fails the test)
/// and handed back whole, as if straight from the wire.
pub trait SendChecked {
    fn checked(self) -> impl Future<Output = reqwest::Result<reqwest::Response>>;
}

impl SendChecked for reqwest::RequestBuilder {
    async fn checked(self) -> reqwest::Result<reqwest::Response> {
        let (client, request) = self.build_split();
        let request = request?;
        let method = request.method().to_string();
        let path = request.url().path().to_owned();
        let response = client.execute(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if let Err(mismatch) = check(&method, &path, status.as_u16(), content_type, &bytes) {
            panic!("an answer that does not match {COMMITTED}: {mismatch}");
        }
        let mut rebuilt = http::Response::builder().status(status);
        for (name, value) in &headers {
            rebuilt = rebuilt.header(name, value);
        }
        Ok(reqwest::Response::from(
            rebuilt.body(bytes).expect("the same parts"),
        ))
    }
}

#[test]
fn a_null_the_spec_does_not_allow_is_named_by_its_path() {
    let err = check(
        "GET",
        "/v1/me",
        200,
        Some("application/json; charset=utf-8"),
        br#"{"id":"01900000-0000-7000-8000-000000000000","role":"citizen","created_at":"2026-12-01T00:00:00Z","unit_id":null}"#,
    )
    .unwrap_err();
    assert!(err.contains("$.unit_id: null"), "{err}");
}

#[test]
fn an_unlisted_code_or_status_is_a_mismatch() {
    let body = br#"{"code":"tip.nonsense","message":"m","request_id":"r"}"#;
    let json = Some("application/json; charset=utf-8");
    let err = check("GET", "/v1/me", 401, json, body).unwrap_err();
    assert!(err.contains("tip.nonsense"), "{err}");
    let err = check("GET", "/v1/me", 418, json, body).unwrap_err();
    assert!(err.contains("lists only"), "{err}");
}
