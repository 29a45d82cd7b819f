//! `Idempotency-Key` as handlers use it: one call before the write (which
//! may answer with the first outcome instead) and one after it.

use crate::app::AppState;
use crate::idempotency::{self, Claim, Guard};
use crate::reporting::Reporter;

use super::error::ApiError;

/// Where a write stands after its key was looked at.
pub enum Begun {
    /// No key was sent: just run.
    Untracked,
    /// Run, then [`settle`].
    Fresh(Box<Guard>),
    /// Answer this first outcome instead of running.
    Replay(serde_json::Value),
}

/// The `Idempotency-Key` the request sent. A header that is there but not
/// text (poem's parser reads it as absent) is refused, not ignored: the
/// caller meant the write to be retried safely.
pub fn sent_key<'a>(
    req: &poem::Request,
    parsed: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    if parsed.is_none() && req.headers().contains_key("idempotency-key") {
        return Err(ApiError::bad_request(
            "request.invalid",
            "Idempotency-Key must be 1-200 visible ASCII characters",
        ));
    }
    Ok(parsed)
}

/// Looks at the request's key. `request` renders the request canonically
/// (called only when there is a key).
pub async fn begin(
    state: &AppState,
    operation: &'static str,
    reporter: Reporter,
    key: Option<&str>,
    request: impl FnOnce() -> String,
) -> Result<Begun, ApiError> {
    let Some(key) = key else {
        return Ok(Begun::Untracked);
    };
    if !idempotency::valid_key(key) {
        return Err(ApiError::bad_request(
            "request.invalid",
            "Idempotency-Key must be 1-200 visible ASCII characters",
        ));
    }
    Ok(
        match idempotency::begin(state, operation, &reporter.scope(), key, &request()).await? {
            Claim::Fresh(guard) => Begun::Fresh(guard),
            Claim::Replay(outcome) => Begun::Replay(outcome),
        },
    )
}

/// Records the outcome of a write that ran (or gives the key back if it
/// failed, so a retry runs again).
pub async fn settle<T>(
    state: &AppState,
    begun: Begun,
    result: &Result<T, ApiError>,
    outcome: impl FnOnce(&T) -> serde_json::Value,
) -> Result<(), ApiError> {
    let Begun::Fresh(guard) = begun else {
        return Ok(());
    };
    match result {
        Ok(done) => Ok(guard.finish(state, &outcome(done)).await?),
        Err(_) => {
            guard.abandon(state).await;
            Ok(())
        }
    }
}

/// A stored outcome that no longer reads is the service's fault: 503.
pub fn unreadable() -> ApiError {
    ApiError::unavailable(&"a stored idempotent outcome could not be read")
}
