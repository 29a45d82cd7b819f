//! The one error body every failing response carries, and the one place that
//! turns errors into it.
//!
//! Handlers answer their own, documented errors through an `ApiResponse`
//! variant holding [`ErrorBody`]. Everything else that fails — unknown routes,
//! wrong methods, unparsable JSON, failed validation, a handler's internal
//! error — reaches [`from_poem_error`] through the request middleware.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use super::request_id::RequestId;

/// An error, as every endpoint reports it.
///
/// `code` is stable and meant for programs; `message` is for people and may
/// change. Codes any operation can return: `request.invalid` (400: the
/// request could not be parsed or failed validation), `not_found` (404),
/// `method_not_allowed` (405), `request.too_large` (413),
/// `request.unsupported_media_type` (415), `internal` (500),
/// `service.unavailable` (503: a store did not answer; nothing was lost,
/// retry later). Operations that need a token add `auth.unauthorized` (401:
/// no token, or one that is invalid, expired or revoked) and
/// `auth.forbidden` (403: the caller's role may not do this). Each
/// operation's description names the codes of its own.
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

/// The errors an operation answers itself, each with the uniform body. One
/// type for every operation, so each documents the statuses in the spec.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request could not be parsed or failed validation.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid access token: missing, malformed, expired or revoked.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>, #[oai(header = "WWW-Authenticate")] String),
    /// The caller's role may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such object, or none the caller may see.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The state does not allow it (already exists, stale version, ...).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than this operation takes.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body's type (judged by its bytes) is not one this operation takes.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed, but the values break a rule; `code` names which.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Too many attempts; `Retry-After` says when to try again.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// A store did not answer; nothing was changed. Retry later.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

impl ApiError {
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::BadRequest(ErrorBody::json(code, message))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized(
            ErrorBody::json("auth.unauthorized", message),
            "Bearer realm=\"tipline\"".to_owned(),
        )
    }

    pub fn unauthorized_with(code: &str, message: impl Into<String>) -> Self {
        Self::Unauthorized(
            ErrorBody::json(code, message),
            "Bearer realm=\"tipline\"".to_owned(),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(ErrorBody::json("auth.forbidden", message))
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::NotFound(ErrorBody::json(code, message))
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict(ErrorBody::json(code, message))
    }

    pub fn unprocessable(code: &str, message: impl Into<String>) -> Self {
        Self::Unprocessable(ErrorBody::json(code, message))
    }

    pub fn too_many_requests(code: &str, message: impl Into<String>, retry_after: u64) -> Self {
        Self::TooManyRequests(ErrorBody::json(code, message), retry_after)
    }

    /// Too much work queued (password hashing): retry shortly.
    pub fn busy() -> Self {
        Self::Unavailable(ErrorBody::json(
            "service.busy",
            "the service is busy; nothing was changed, retry shortly",
        ))
    }

    /// A store failed: logged here with the request id, answered generically.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "a store failed");
        Self::Unavailable(ErrorBody::json(
            "service.unavailable",
            "the service cannot complete this now; nothing was changed, retry later",
        ))
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::unavailable(&e)
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

/// `text` without its surrounding blanks; 422 with `code` when nothing is
/// left of it.
pub fn non_blank<'a>(code: &str, field: &str, text: &'a str) -> Result<&'a str, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::unprocessable(
            code,
            format!("`{field}` must not be blank"),
        ));
    }
    Ok(text)
}
