use std::fmt;

use poem::http::HeaderMap;

pub const HEADER: &str = "x-request-id";

/// The id of one request: taken from `X-Request-Id` when the caller (or a
/// proxy) sent a sane one, otherwise a fresh UUID v7. It is echoed in the
/// response header, every log line of the request, and every error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(String);

tokio::task_local! {
    static CURRENT: RequestId;
}

impl RequestId {
    /// The caller's id, if it is 1–128 characters of `[A-Za-z0-9._:-]`;
    /// anything else could forge or break log lines, so it is replaced.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let value = headers.get(HEADER)?.to_str().ok()?;
        let sane = !value.is_empty()
            && value.len() <= 128
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        sane.then(|| Self(value.to_owned()))
    }

    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The id of the request this task is serving, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// The current request's id as text, for audit events ("" outside a
    /// request).
    pub fn current_string() -> String {
        Self::current().map(|id| id.0).unwrap_or_default()
    }

    /// Runs `fut` with this id as the current one.
    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HEADER, value.parse().unwrap());
        h
    }

    #[test]
    fn keeps_sane_ids_and_replaces_others() {
        assert_eq!(
            RequestId::from_headers(&with("lb-1:abc_DEF.9"))
                .unwrap()
                .as_str(),
            "lb-1:abc_DEF.9"
        );
        assert!(RequestId::from_headers(&with("a b")).is_none());
        assert!(RequestId::from_headers(&with("x\"}{")).is_none());
        assert!(RequestId::from_headers(&with(&"a".repeat(129))).is_none());
        assert!(RequestId::from_headers(&HeaderMap::new()).is_none());
    }
}
