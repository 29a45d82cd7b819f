//! A cap on request bodies, applied before any handler reads one: a body
//! larger than the cap is refused with 413 as it streams, never buffered
//! whole. Routes that stream their own uploads (photos) enforce their own,
//! larger, limit instead.

use poem::{Endpoint, Middleware, Request, Result};

pub struct BodyLimit {
    max_bytes: usize,
    /// Path prefixes whose handlers stream and limit the body themselves.
    streamed: &'static [&'static str],
}

impl BodyLimit {
    pub fn new(max_bytes: usize, streamed: &'static [&'static str]) -> Self {
        Self {
            max_bytes,
            streamed,
        }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            max_bytes: self.max_bytes,
            streamed: self.streamed,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
    streamed: &'static [&'static str],
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        if !self.streamed.iter().any(|prefix| path.starts_with(prefix)) {
            let declared = req
                .headers()
                .get(poem::http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > self.max_bytes as u64) {
                return Err(poem::error::ReadBodyError::PayloadTooLarge.into());
            }
            // A body without a (truthful) length is read up to the cap and
            // no further.
            let body = req.take_body().into_bytes_limit(self.max_bytes).await?;
            req.set_body(body);
        }
        self.inner.call(req).await
    }
}
