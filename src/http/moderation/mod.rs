//! The moderators' side of tips (`/v1/moderation/*`), one `#[OpenApi]`
//! struct per sub-resource: the queue and its CSV export ([`queue`]), a tip
//! in full ([`tip`]), claims and decisions, one tip or many ([`decisions`]),
//! internal notes ([`notes`]), the audited reads of the reporter's number
//! and of originals ([`audited`]), and contact clusters ([`contacts`]).
//! Hidden (404) from citizens and officers.
//!
//! Handlers check the request and map answers; the work, and every write,
//! is in `crate::moderation`.

pub mod audited;
pub mod contacts;
pub mod decisions;
mod export;
pub mod notes;
pub mod queue;
pub mod tip;

use poem_openapi::Object;
use uuid::Uuid;

use super::vocab::LeadStatusName;
use crate::store::leads::lead;

/// The moderation API's structs, in the order their operations appear in
/// the spec.
pub type Apis = (
    queue::QueueApi,
    tip::TipApi,
    decisions::DecisionsApi,
    notes::NotesApi,
    audited::AuditedReadsApi,
    contacts::ContactsApi,
);

/// The moderation API, to combine into the service.
pub const APIS: Apis = (
    queue::QueueApi,
    tip::TipApi,
    decisions::DecisionsApi,
    notes::NotesApi,
    audited::AuditedReadsApi,
    contacts::ContactsApi,
);

/// A lead, in a line.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadRef {
    pub id: Uuid,
    pub reference: String,
    pub status: LeadStatusName,
    pub category: String,
}

impl From<&lead::Model> for LeadRef {
    fn from(l: &lead::Model) -> Self {
        LeadRef {
            id: l.id,
            reference: l.reference.clone(),
            status: LeadStatusName::from(l.status),
            category: l.category.clone(),
        }
    }
}

crate::errors! {
    /// Reads of one tip.
    pub(super) TipReadErrors: 400, 401, 404 ["tip.not_found"], 503;
}
