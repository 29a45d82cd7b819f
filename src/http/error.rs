//! The one error body every failing response carries, and the one place that
//! turns errors into it: the services' errors ([`ServiceError`],
//! [`AccountError`], uploads, idempotency) and the database's, each mapped
//! to its status here and nowhere else.
//!
//! Handlers answer their own, documented errors through an `ApiResponse`
//! variant holding [`ErrorBody`]. Everything else that fails — unknown routes,
//! wrong methods, unparsable JSON, failed validation, a handler's internal
//! error — reaches [`from_poem_error`] through the request middleware.

use std::marker::PhantomData;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object};

use super::request_id::RequestId;
use crate::accounts::AccountError;
use crate::error::ServiceError;
use crate::idempotency::IdempotencyError;
use crate::media::upload::UploadError;

/// An error, as every endpoint reports it.
///
/// `code` is stable and meant for programs; `message` is for people and may
/// change. Each operation's responses list the statuses it answers and, in
/// each one's description, the codes it carries there. Beside those, any
/// path may answer 404 `not_found` (nothing there), 405
/// `method_not_allowed` (with `Allow`) and 500 `internal` (a fault of the
/// service; the request id finds it in the logs).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
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
    /// A store did not answer, or the service is busy; `Retry-After` says
    /// when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// A fault of the service; the request id finds it in the logs. No
    /// operation lists it: a test that meets one has found a bug.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
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

    /// The status and the body, for answers that report several errors
    /// (a bulk decision's items).
    pub fn into_parts(self) -> (u16, ErrorBody) {
        match self {
            ApiError::BadRequest(b) => (400, b.0),
            ApiError::Unauthorized(b, _) => (401, b.0),
            ApiError::Forbidden(b) => (403, b.0),
            ApiError::NotFound(b) => (404, b.0),
            ApiError::Conflict(b) => (409, b.0),
            ApiError::PayloadTooLarge(b) => (413, b.0),
            ApiError::UnsupportedMediaType(b) => (415, b.0),
            ApiError::Unprocessable(b) => (422, b.0),
            ApiError::TooManyRequests(b, _) => (429, b.0),
            ApiError::Unavailable(b, _) => (503, b.0),
            ApiError::Internal(b) => (500, b.0),
        }
    }

    /// Too much work queued (password hashing): retry shortly.
    pub fn busy() -> Self {
        Self::Unavailable(
            ErrorBody::json(
                "service.busy",
                "the service is busy; nothing was changed, retry shortly",
            ),
            RETRY_BUSY_SECS,
        )
    }

    /// A store failed: logged here with the request id, answered generically.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "a store failed");
        Self::Unavailable(
            ErrorBody::json("service.unavailable", UNAVAILABLE_MESSAGE),
            RETRY_UNAVAILABLE_SECS,
        )
    }
}

/// `Retry-After` of a 503 when a store does not answer: a database restart
/// or failover, or a blob store coming back, takes seconds.
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;
/// `Retry-After` of a 503 when the service is busy (queued work).
pub const RETRY_BUSY_SECS: u64 = 1;
const UNAVAILABLE_MESSAGE: &str = "the service cannot complete this now; retry later (with the same Idempotency-Key, a retry is safe)";

/// One error status an operation answers, with every `code` it may carry
/// there and the description the spec gives it.
#[derive(Debug)]
pub struct ErrorStatus {
    pub status: u16,
    pub codes: &'static [&'static str],
    pub description: &'static str,
}

/// The errors one operation (or a family of alike operations) answers: the
/// spec lists exactly these statuses for it, each with its codes. Made by
/// [`errors!`](crate::errors).
pub trait ErrorSet: Send + Sync + 'static {
    const STATUSES: &'static [ErrorStatus];
}

/// An operation's error: an [`ApiError`] whose operation documents the
/// statuses and codes of `S`. Handlers return `Result<_, Fails<S>>` and use
/// `?` on anything that converts into an `ApiError`. That the service never
/// answers a status or code `S` leaves out is checked where every answer
/// is: against the spec, by the integration tests' harness.
pub struct Fails<S: ErrorSet>(pub ApiError, PhantomData<S>);

impl<S: ErrorSet> std::fmt::Debug for Fails<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<S: ErrorSet, E: Into<ApiError>> From<E> for Fails<S> {
    fn from(e: E) -> Self {
        Self(e.into(), PhantomData)
    }
}

impl<S: ErrorSet> From<Fails<S>> for poem::Error {
    fn from(e: Fails<S>) -> Self {
        e.0.into()
    }
}

impl<S: ErrorSet> ApiResponse for Fails<S> {
    fn meta() -> MetaResponses {
        let mut all = ApiError::meta().responses;
        let mut responses = Vec::with_capacity(S::STATUSES.len());
        for listed in S::STATUSES {
            let at = all
                .iter()
                .position(|r| r.status == Some(listed.status))
                .unwrap_or_else(|| panic!("ApiError has no {} response", listed.status));
            let mut response = all.swap_remove(at);
            response.description = listed.description;
            responses.push(response);
        }
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        ApiError::register(registry);
    }
}

/// Declares an [`ErrorSet`]: each status the operations answer and the
/// codes they carry there. Statuses that any operation may answer carry
/// their own code first, without naming it: `request.invalid` (400),
/// `auth.unauthorized` (401), `auth.forbidden` (403), `not_found` (404, as
/// for an unknown path), `request.too_large` (413),
/// `request.unsupported_media_type` (415), `service.unavailable` (503).
///
/// ```ignore
/// errors! {
///     /// Deciding on a tip.
///     pub DecideErrors:
///         400, 401, 404 ["tip.not_found"],
///         409 ["tip.stale_version", "tip.invalid_state"], 503;
/// }
/// ```
#[macro_export]
macro_rules! errors {
    ($($(#[$doc:meta])* $vis:vis $name:ident: $($status:tt $([$($code:literal),* $(,)?])?),+ ;)+) => {
        $(
            $(#[$doc])*
            $vis struct $name;
            impl $crate::http::error::ErrorSet for $name {
                const STATUSES: &'static [$crate::http::error::ErrorStatus] = &[
                    $($crate::errors!(@status $status [$($($code),*)?])),+
                ];
            }
        )+
    };
    (@status 400 [$($code:literal),*]) => {
        $crate::errors!(@list 400, "The request could not be parsed, or breaks a rule of its schema; `message` names the field.", ["request.invalid" $(, $code)*])
    };
    (@status 401 [$($code:literal),*]) => {
        $crate::errors!(@list 401, "No valid access token: missing, malformed, expired or revoked.", ["auth.unauthorized" $(, $code)*])
    };
    (@status 403 [$($code:literal),*]) => {
        $crate::errors!(@list 403, "The caller's role may not do this.", ["auth.forbidden" $(, $code)*])
    };
    (@status 404 [$($code:literal),*]) => {
        $crate::errors!(@list 404, "No such object, or none the caller may see; to roles that may not use the operation at all, it does not exist.", ["not_found" $(, $code)*])
    };
    (@status 409 [$($code:literal),*]) => {
        $crate::errors!(@list 409, "The state does not allow it (already there, a stale version, a race lost): read it again.", [$($code),*])
    };
    (@status 413 [$($code:literal),*]) => {
        $crate::errors!(@list 413, "The body is larger than this operation takes.", ["request.too_large" $(, $code)*])
    };
    (@status 415 [$($code:literal),*]) => {
        $crate::errors!(@list 415, "The body's type is not one this operation takes.", ["request.unsupported_media_type" $(, $code)*])
    };
    (@status 422 [$($code:literal),*]) => {
        $crate::errors!(@list 422, "Well-formed, but the values break a rule the schema cannot state; `code` names which.", [$($code),*])
    };
    (@status 429 [$($code:literal),*]) => {
        $crate::errors!(@list 429, "Too many attempts; `Retry-After` says when to try again.", [$($code),*])
    };
    (@status 503 [$($code:literal),*]) => {
        $crate::errors!(@list 503, "A store did not answer, or the service is busy: retry after `Retry-After` seconds. Whether a write took effect is not known; a retry with the same `Idempotency-Key` is safe.", ["service.unavailable" $(, $code)*])
    };
    (@list $status:literal, $text:literal, [$first:literal $(, $code:literal)*]) => {
        $crate::http::error::ErrorStatus {
            status: $status,
            codes: &[$first $(, $code)*],
            description: concat!($text, " Codes: `", $first, "`" $(, ", `", $code, "`")*, "."),
        }
    };
}

/// The case work's errors: each carries its code; the kind says the status.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::Invalid(code, _) => ApiError::unprocessable(code, message),
            ServiceError::NotFound(code, _) => ApiError::not_found(code, message),
            ServiceError::Conflict(code, _) => ApiError::conflict(code, message),
            ServiceError::Db(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        let code = e.code().unwrap_or("internal");
        match e {
            AccountError::InvalidCredentials | AccountError::RefreshInvalid => {
                ApiError::unauthorized_with(code, message)
            }
            AccountError::Throttled { retry_after } => ApiError::too_many_requests(
                code,
                "too many attempts; wait before trying again",
                retry_after,
            ),
            AccountError::Busy => ApiError::busy(),
            AccountError::InvalidPhone(_)
            | AccountError::WeakPassword(_)
            | AccountError::InvalidUsername(_)
            | AccountError::WrongPassword
            | AccountError::InvalidRole(_)
            | AccountError::InvalidUnit(_) => ApiError::unprocessable(code, message),
            AccountError::PhoneTaken | AccountError::UsernameTaken(_) | AccountError::LastAdmin => {
                ApiError::conflict(code, message)
            }
            AccountError::UserNotFound => ApiError::not_found(code, message),
            AccountError::Db(e) => e.into(),
        }
    }
}

impl From<IdempotencyError> for ApiError {
    fn from(e: IdempotencyError) -> Self {
        let message = e.to_string();
        match e {
            IdempotencyError::KeyReused => {
                ApiError::unprocessable("idempotency.key_reused", message)
            }
            IdempotencyError::InProgress => ApiError::conflict("idempotency.in_progress", message),
            IdempotencyError::Db(e) => e.into(),
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        let message = e.to_string();
        match e {
            UploadError::Unsupported => ApiError::UnsupportedMediaType(ErrorBody::json(
                "media.unsupported_type",
                "only JPEG, PNG and WebP photos are taken (judged by their bytes)",
            )),
            UploadError::Unprocessable(_) => ApiError::unprocessable("media.unreadable", message),
            UploadError::Blob(e) => ApiError::unavailable(&e),
            UploadError::Db(e) => e.into(),
            UploadError::Busy => ApiError::busy(),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A database error that a retry may get past (the database away or
    /// restarting, the pool exhausted, a serialisation race, a lock) is a
    /// 503; a unique key that no handler expected to collide is a 409 (two
    /// requests made the same thing at once: the row exists, reading it
    /// again shows it); one that says the service itself is wrong (a broken
    /// statement, another constraint, a row that does not decode) is a 500,
    /// so it is counted and fixed rather than retried for ever.
    fn from(e: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = e.sql_err() {
            // The constraint's text names columns, never values.
            tracing::warn!(error = %e, "an unexpected unique-key collision");
            Self::Conflict(ErrorBody::json(
                "request.duplicate",
                "this collides with something that exists already, perhaps made by a request at the same moment; read it again before retrying",
            ))
        } else if database_fault(&e) {
            tracing::error!(error = %e, "a database statement failed");
            Self::Internal(ErrorBody::json(
                "internal",
                "the service failed; the request id finds the details",
            ))
        } else {
            Self::unavailable(&e)
        }
    }
}

/// Whether a database error is the service's own fault, one a retry cannot
/// get past. Unknown kinds count as not: a 503 asks for a retry, which is
/// harmless with an Idempotency-Key, where a 500 would give up on a write
/// that might have gone through on the next attempt.
fn database_fault(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => match &**e {
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    // The primary code is the extended one's low byte:
                    // SQLITE_ERROR (1: bad SQL), CONSTRAINT (19), MISMATCH
                    // (20), RANGE (25). BUSY, LOCKED, IOERR, FULL, CANTOPEN
                    // may pass.
                    let primary = code.parse::<i32>().unwrap_or(0) & 0xff;
                    matches!(primary, 1 | 19 | 20 | 25)
                } else {
                    // PostgreSQL SQLSTATE classes: 22 data exception, 23
                    // integrity constraint, 42 syntax or access rule. The
                    // rest (08 connection, 40 serialisation or deadlock, 53
                    // resources, 57 shutdown, 3D the database gone, ...)
                    // may pass.
                    matches!(code.get(..2), Some("22" | "23" | "42"))
                }
            }
            sqlx::Error::RowNotFound
            | sqlx::Error::TypeNotFound { .. }
            | sqlx::Error::ColumnIndexOutOfBounds { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Encode(_)
            | sqlx::Error::Decode(_) => true,
            _ => false,
        },
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => false,
        DbErr::Exec(_) | DbErr::Query(_) => false,
        DbErr::UnpackInsertId
        | DbErr::UpdateGetPrimaryKey
        | DbErr::RecordNotFound(_)
        | DbErr::AttrNotSet(_)
        | DbErr::Type(_)
        | DbErr::Json(_)
        | DbErr::RecordNotInserted
        | DbErr::RecordNotUpdated => true,
        _ => false,
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
        StatusCode::SERVICE_UNAVAILABLE => ("service.unavailable", UNAVAILABLE_MESSAGE.to_owned()),
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
    let mut response = ErrorBody::json(code, message)
        .with_status(status)
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            poem::http::header::RETRY_AFTER,
            RETRY_UNAVAILABLE_SECS.into(),
        );
    }
    response
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

#[cfg(test)]
mod tests {
    use sea_orm::{ConnAcquireErr, ConnectionTrait, Database, DbErr};

    use super::*;

    fn status(e: DbErr) -> u16 {
        ApiError::from(e).into_parts().0
    }

    /// Real errors from a real SQLite: the service's faults are 500s, an
    /// unexpected duplicate a 409, the store being busy or away a 503.
    #[test]
    fn a_database_error_is_a_503_only_when_a_retry_may_pass() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let db = Database::connect("sqlite::memory:").await.unwrap();
            db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY)")
                .await
                .unwrap();
            db.execute_unprepared("INSERT INTO t VALUES (1)")
                .await
                .unwrap();
            let unique = db
                .execute_unprepared("INSERT INTO t VALUES (1)")
                .await
                .unwrap_err();
            assert_eq!(status(unique), 409);
            db.execute_unprepared("CREATE TABLE c (id INTEGER CHECK (id > 0))")
                .await
                .unwrap();
            let check = db
                .execute_unprepared("INSERT INTO c VALUES (0)")
                .await
                .unwrap_err();
            assert_eq!(status(check), 500);
            let broken = db.execute_unprepared("SELEC 1").await.unwrap_err();
            assert_eq!(status(broken), 500);
            db.close().await.unwrap();
        });
        assert_eq!(
            status(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
            503
        );
        assert_eq!(
            status(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)),
            503
        );
        assert_eq!(status(DbErr::Type("not a uuid".into())), 500);
    }
}
