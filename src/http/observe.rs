//! The middleware around every request: it names the request, answers every
//! unhandled error with the uniform body, counts and times the request, and
//! logs one line for it.
//!
//! What is logged: method, route template, status, latency, request id.
//! Never the query string (signed URLs carry their signature there), headers
//! (`Authorization`), or bodies.

use std::sync::Arc;
use std::time::Instant;

use poem::PathPattern;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument;

use super::error::from_poem_error;
use super::metrics::{Metrics, UNMATCHED};
use super::request_id::{self, RequestId};

pub struct Observe {
    metrics: Arc<Metrics>,
}

impl Observe {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ObserveEndpoint {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

pub struct ObserveEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
}

/// The route template a request matched; a request that matched only the
/// catch-all nest of the API (an unknown path) gets an empty pattern.
/// The standard methods by name; anything else is one label, so a client
/// cannot mint series.
fn method_label(method: &poem::http::Method) -> String {
    use poem::http::Method;
    let known = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ];
    if known.contains(method) {
        method.as_str().to_owned()
    } else {
        "other".to_owned()
    }
}

fn route_of(pattern: Option<&PathPattern>) -> String {
    match pattern {
        Some(p) if !p.0.is_empty() => p.0.to_string(),
        _ => UNMATCHED.to_owned(),
    }
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let id = RequestId::from_headers(req.headers()).unwrap_or_else(RequestId::generate);
        req.set_data(id.clone());
        let method = method_label(req.method());
        let span = tracing::info_span!("request", request_id = %id, method = %method);

        let result = id
            .clone()
            .scope(self.inner.call(req).instrument(span.clone()))
            .await;
        let (mut response, route) = match result {
            Ok(output) => {
                let response = output.into_response();
                let route = route_of(response.data::<PathPattern>());
                (response, route)
            }
            Err(err) => {
                let route = route_of(err.data::<PathPattern>());
                // An `ApiError` raised by an extractor already is the uniform
                // response; anything else is made into one.
                let response = if err.is_from_response() {
                    err.into_response()
                } else {
                    id.clone()
                        .scope(async { span.in_scope(|| from_poem_error(&err)) })
                        .await
                };
                (response, route)
            }
        };

        if let Ok(value) = HeaderValue::from_str(id.as_str()) {
            response.headers_mut().insert(request_id::HEADER, value);
        }
        // API answers carry tokens and personal data: no cache keeps them
        // unless a route says otherwise (signed photo URLs do).
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        let status = response.status();
        let elapsed = started.elapsed();
        self.metrics
            .observe(&method, &route, status.as_u16(), elapsed);
        span.in_scope(|| {
            tracing::info!(
                route = %route,
                status = status.as_u16(),
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "answered"
            );
        });
        Ok(response)
    }
}
