//! The one error body every failing response carries, and the one place that
//! turns errors into it.
//!
//! Handlers answer their own, documented errors through an `ApiResponse`
//! variant holding [`ErrorBody`]. Everything else that fails — unknown routes,
//! wrong methods, unparsable JSON, failed validation, a handler's internal
//! error — reaches [`from_poem_error`] through the request middleware.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::Object;
use poem_openapi::payload::Json;

use super::request_id::RequestId;

/// An error, as every endpoint reports it.
///
/// `code` is stable and meant for programs; `message` is for people and may
/// change. Codes that any operation can return:
/// `request.invalid` (400: the request could not be parsed or failed
/// validation), `not_found` (404), `method_not_allowed` (405),
/// `request.too_large` (413), `request.unsupported_media_type` (415),
/// `internal` (500), `service.unavailable` (503: a store did not answer;
/// nothing was lost, retry later).
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// Stable, machine-readable, dotted: `area.reason`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Quote it when reporting a problem: it finds the request in the logs.
    pub request_id: String,
}

impl ErrorBody {
    /// An error of the request being handled (its id comes from the task).
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            request_id: RequestId::current()
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }

    pub fn json(code: &str, message: impl Into<String>) -> Json<Self> {
        Json(Self::new(code, message))
    }
}

/// The uniform response for an error that no handler answered itself.
pub fn from_poem_error(err: &poem::Error) -> Response {
    let status = err.status();
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("request.invalid", err.to_string()),
        StatusCode::NOT_FOUND => ("not_found", "there is nothing at this address".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this address does not take this method".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("request.too_large", err.to_string()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("request.unsupported_media_type", err.to_string()),
        StatusCode::SERVICE_UNAVAILABLE => (
            "service.unavailable",
            "the service cannot complete this now; nothing was lost, retry later".to_owned(),
        ),
        s if s.is_server_error() => {
            // The details stay in the log; the client gets the request id.
            tracing::error!(error = %err, "request failed");
            (
                "internal",
                "the service failed; the request id finds the details".to_owned(),
            )
        }
        s => (
            "request.rejected",
            s.canonical_reason().unwrap_or("rejected").to_owned(),
        ),
    };
    let status = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    ErrorBody::json(code, message)
        .with_status(status)
        .into_response()
}

/// A handler panicked: the request gets the uniform 500 and the process
/// goes on serving others.
pub fn from_panic(_panic: Box<dyn std::any::Any + Send>) -> Response {
    from_poem_error(&poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))
}
