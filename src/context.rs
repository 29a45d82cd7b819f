//! Who acts, on which request, and when: one [`Ctx`], built once where the
//! work starts — from the checked caller and the service's clock for a
//! request (`crate::http::auth`), from the clock alone for a background job —
//! and handed to the services. They read the time from it, never from the
//! wall clock, so a test can move time for everything at once, and every
//! audit event of one request carries the same actor and request id.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::clock::Clock;

/// Who did it, as the audit log records it. Anonymous reporters are
/// recorded as such, without any id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    Anonymous,
    System,
}

impl Actor {
    /// The account acting, if an account is.
    pub fn user_id(self) -> Option<Uuid> {
        match self {
            Actor::User(id) => Some(id),
            Actor::Anonymous | Actor::System => None,
        }
    }
}

/// The context of one piece of work: a request, or one pass of a job.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Actor,
    /// The request's id (`X-Request-Id`), or the job's name for work no
    /// request started; audit events carry it.
    pub request_id: String,
    /// "Now" for everything this work decides and writes.
    pub now: DateTime<Utc>,
}

impl Ctx {
    pub fn new(actor: Actor, request_id: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self {
            actor,
            request_id: request_id.into(),
            now,
        }
    }

    /// The same request, recorded as done by `actor` (a sign-in, where the
    /// caller becomes known only as it succeeds).
    pub fn acting_as(&self, actor: Actor) -> Self {
        Self {
            actor,
            ..self.clone()
        }
    }

    /// The service itself acting (a sweep, a relay, a command), named by
    /// `job` in the audit log.
    pub fn system(clock: &Clock, job: &str) -> Self {
        Self::new(Actor::System, job, clock.now())
    }
}
