//! Which methods each path takes, for the answers that must say so: a 405
//! carries `Allow` (RFC 9110 §15.5.6), and `OPTIONS` on a path answers 204
//! with `Allow`.
//!
//! The methods come from the spec ([`Contract`]), so they cannot drift from
//! the routes; the few routes outside it are read-only.

use std::sync::Arc;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use super::contract::Contract;
use super::error::from_poem_error;

/// Answers `OPTIONS` and puts `Allow` on every 405.
pub struct AllowedMethods {
    pub contract: Arc<Contract>,
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowedMethodsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AllowedMethodsEndpoint {
            inner,
            contract: self.contract.clone(),
        }
    }
}

pub struct AllowedMethodsEndpoint<E> {
    inner: E,
    contract: Arc<Contract>,
}

impl<E: Endpoint> Endpoint for AllowedMethodsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let allowed = self.contract.allowed(req.uri().path());
        if req.method() == Method::OPTIONS
            && let Some(allowed) = &allowed
        {
            return Ok(Response::builder()
                .status(StatusCode::NO_CONTENT)
                .header(header::ALLOW, allowed.as_str())
                .finish());
        }
        let outcome = self.inner.call(req).await.map(IntoResponse::into_response);
        let mut response = match outcome {
            Ok(response) => response,
            Err(e) if e.status() == StatusCode::METHOD_NOT_ALLOWED => from_poem_error(&e),
            Err(e) => return Err(e),
        };
        if response.status() == StatusCode::METHOD_NOT_ALLOWED
            && let Some(value) = allowed.and_then(|a| HeaderValue::from_str(&a).ok())
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
        Ok(response)
    }
}
