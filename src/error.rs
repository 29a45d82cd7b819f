//! The error of the case work — reporting, moderation, forwarding, the
//! units' casework and administering units: one type for the services, each
//! value carrying its stable code (`tip.not_found`, `lead.stale_version`,
//! …) and a message for people. The services know nothing of HTTP; the
//! one place that turns this into an answer is `crate::http::error`.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request breaks a rule (422).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// No such object, or none the caller may see (404).
    #[error("{1}")]
    NotFound(&'static str, String),
    /// The object's state or version does not allow it (409).
    #[error("{1}")]
    Conflict(&'static str, String),
    /// The database failed; `crate::http::error` tells a store that may
    /// answer on a retry (503) from a fault of the service (500).
    #[error("the database failed: {0}")]
    Db(#[from] DbErr),
}

impl ServiceError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(code, message.into())
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound(code, message.into())
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict(code, message.into())
    }

    /// The stable code clients match on (`None` for a database failure,
    /// whose code the HTTP layer decides).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::Invalid(code, _) | Self::NotFound(code, _) | Self::Conflict(code, _) => {
                Some(code)
            }
            Self::Db(_) => None,
        }
    }

    /// Whether this is the "no such …" of `code`.
    pub fn is_not_found(&self, code: &str) -> bool {
        matches!(self, Self::NotFound(c, _) if *c == code)
    }
}

/// The common ones, worded once.
pub fn tip_not_found() -> ServiceError {
    ServiceError::not_found("tip.not_found", "no such tip")
}

pub fn lead_not_found() -> ServiceError {
    ServiceError::not_found("lead.not_found", "no such lead")
}

pub fn stale_tip() -> ServiceError {
    ServiceError::conflict(
        "tip.stale_version",
        "the tip changed since you read it; reload it",
    )
}

pub fn stale_lead() -> ServiceError {
    ServiceError::conflict(
        "lead.stale_version",
        "the lead changed since you read it; reload it",
    )
}
