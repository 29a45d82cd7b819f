//! The closed sets the API names, each an enum in the spec so that a
//! generated client gets a type, not a string to guess at.
//!
//! Sets the service types (tip and lead states, contact kinds, roles, unit
//! kinds, the steps of a lead's history, notification kinds, webhook events
//! and their states, reward reasons, message authors: enums in `domain` or
//! `store`) are mirrored with `remote`, which makes the compiler keep both
//! lists equal and converts the typed values the store reads. The few the
//! store keeps as free text (a photo's type, a tip's datum) are read back
//! with [`stored`].

use poem_openapi::Enum;
use poem_openapi::types::ParseFromParameter;

use crate::domain::Role;
use crate::domain::contact::ContactKind;
use crate::domain::lead::LeadStatus;
use crate::domain::tip::TipStatus;
use crate::store::audit::ActorKind as AuditActorKind;

/// A closed set's value from the text the service stored. The service writes
/// only names the set holds, so another one is a corrupt row: a bug, which
/// the panic handler answers with a 500.
pub fn stored<T: ParseFromParameter>(text: &str) -> T {
    T::parse_from_parameter(text).unwrap_or_else(|_| {
        panic!(
            "stored value `{text}` is not a {}",
            std::any::type_name::<T>()
        )
    })
}

/// Where a tip is in its life (DESIGN.md, "Life of a tip and a lead"):
/// `submitted` and `in_review` wait for a moderator; `needs_info` for the
/// reporter; `verified` tips are in a lead; `forwarded` ones at a unit;
/// `closed`, `rejected`, `duplicate` and `withdrawn` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "TipStatus", rename_all = "snake_case", remote = "TipStatus")]
pub enum TipStatusName {
    Submitted,
    InReview,
    NeedsInfo,
    Verified,
    Forwarded,
    Closed,
    Rejected,
    Duplicate,
    Withdrawn,
}

/// Where a lead is: `open` (with the moderators), `forwarded` (waiting for
/// the unit to accept), `accepted` (the unit works it), `resolved` (closed
/// with an outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename = "LeadStatus",
    rename_all = "snake_case",
    remote = "LeadStatus"
)]
pub enum LeadStatusName {
    Open,
    Forwarded,
    Accepted,
    Resolved,
}

/// The kind of a contact seen on a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case", remote = "ContactKind")]
pub enum ContactKindName {
    /// A mobile number, normalised to E.164.
    Phone,
    /// A WeChat id, lower-cased.
    Wechat,
    /// A QQ number.
    Qq,
    /// A URL, usually from a QR code.
    Url,
}

impl ContactKindName {
    pub fn as_str(self) -> &'static str {
        ContactKind::from(self).as_str()
    }
}

/// A role, as the API names it: `moderator`, `unit_officer` and `admin` are
/// staff; `citizen` accounts report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case", remote = "Role")]
pub enum RoleName {
    Citizen,
    Moderator,
    UnitOfficer,
    Admin,
}

/// The role of a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum StaffRoleName {
    Moderator,
    UnitOfficer,
    Admin,
}

impl From<StaffRoleName> for Role {
    fn from(role: StaffRoleName) -> Self {
        match role {
            StaffRoleName::Moderator => Role::Moderator,
            StaffRoleName::UnitOfficer => Role::UnitOfficer,
            StaffRoleName::Admin => Role::Admin,
        }
    }
}

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case", remote = "crate::domain::unit::UnitKind")]
pub enum UnitKind {
    PoliceStation,
    /// The city's command centre: gets what no other unit takes, and the
    /// overdue alerts.
    CommandCenter,
    /// A non-police body: market supervision, labour inspection, urban
    /// management, ...
    Department,
}

/// The datum of coordinates: `wgs84` (GPS, the default) or `gcj02` (what
/// Chinese map SDKs return; converted to WGS-84 on the way in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CrsName {
    Wgs84,
    Gcj02,
}

impl CrsName {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// Who wrote a message of a tip's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "snake_case",
    remote = "crate::domain::tip::MessageAuthor"
)]
pub enum MessageAuthor {
    Reporter,
    Moderator,
}

/// What a notification tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "crate::store::notifications::Kind")]
pub enum NotificationKind {
    /// The tip was verified and is in a lead.
    #[oai(rename = "tip.verified")]
    TipVerified,
    /// The tip was rejected; the text gives the reason.
    #[oai(rename = "tip.rejected")]
    TipRejected,
    /// A moderator asked a question; answering puts the tip back in review.
    #[oai(rename = "tip.needs_info")]
    TipNeedsInfo,
    /// The same thing was already reported and is in hand.
    #[oai(rename = "tip.duplicate")]
    TipDuplicate,
    /// The lead went to a unit, which the text names.
    #[oai(rename = "tip.forwarded")]
    TipForwarded,
    /// The unit closed the lead; the text gives the outcome.
    #[oai(rename = "tip.closed")]
    TipClosed,
    /// For the command centre's officers: a lead is past its deadline.
    #[oai(rename = "lead.overdue")]
    LeadOverdue,
}

/// A step in a lead's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case", remote = "crate::domain::lead::LeadEvent")]
pub enum LeadHistoryAction {
    Created,
    TipAdded,
    TipRemoved,
    Forwarded,
    Accepted,
    /// A progress note of the unit.
    Progress,
    Resolved,
    Returned,
    /// A deadline passed.
    Overdue,
}

/// Who did something recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ActorKind {
    /// An account; `actor_id` names it.
    User,
    /// An anonymous reporter (no id is kept).
    Anonymous,
    /// The service itself (upkeep, deadlines).
    System,
    /// The tip's own reporter, in a moderator's view of the tip (no id).
    Reporter,
}

impl From<AuditActorKind> for ActorKind {
    fn from(kind: AuditActorKind) -> Self {
        match kind {
            AuditActorKind::User => ActorKind::User,
            AuditActorKind::Anonymous => ActorKind::Anonymous,
            AuditActorKind::System => ActorKind::System,
        }
    }
}

/// A photo's file type, judged by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PhotoKind {
    Jpg,
    Png,
    Webp,
}

impl PhotoKind {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// A photo's media type, judged by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum PhotoMediaType {
    #[oai(rename = "image/jpeg")]
    Jpeg,
    #[oai(rename = "image/png")]
    Png,
    #[oai(rename = "image/webp")]
    Webp,
}

impl PhotoMediaType {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// What a webhook event tells the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "crate::store::webhook_events::Event")]
pub enum WebhookEventKind {
    #[oai(rename = "lead.forwarded")]
    LeadForwarded,
    #[oai(rename = "lead.returned")]
    LeadReturned,
    #[oai(rename = "lead.overdue")]
    LeadOverdue,
}

/// Where a webhook event's delivery stands: `pending` (waiting for its next
/// attempt), `delivered`, or `failed` (out of attempts; an admin may retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(
    rename_all = "snake_case",
    remote = "crate::store::webhook_events::Status"
)]
pub enum WebhookEventStatus {
    Pending,
    Delivered,
    Failed,
}

/// Why points were credited: the lead's `outcome`, or the bonus of the
/// `first_reporter` of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case", remote = "crate::store::rewards::Reason")]
pub enum RewardReason {
    Outcome,
    FirstReporter,
}

/// Always `Bearer`: send the token as `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TokenType {
    Bearer,
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    /// The API's names are the domain's: each value is named in the spec
    /// as it is stored.
    #[test]
    fn domain_names_are_the_api_names() {
        for s in TipStatus::ALL {
            assert_eq!(TipStatusName::from(s).to_json().unwrap(), s.as_str());
        }
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatusName::from(s).to_json().unwrap(), s.as_str());
        }
        for r in Role::ALL {
            assert_eq!(RoleName::from(r).to_json().unwrap(), r.as_str());
        }
        for k in ContactKind::ALL {
            assert_eq!(ContactKindName::from(k).to_json().unwrap(), k.as_str());
        }
        for &k in crate::domain::unit::UnitKind::ALL {
            assert_eq!(UnitKind::from(k).to_json().unwrap(), k.as_str());
        }
        for &e in crate::domain::lead::LeadEvent::ALL {
            assert_eq!(LeadHistoryAction::from(e).to_json().unwrap(), e.as_str());
        }
        for &a in crate::domain::tip::MessageAuthor::ALL {
            assert_eq!(MessageAuthor::from(a).to_json().unwrap(), a.as_str());
        }
        for &k in crate::store::notifications::Kind::ALL {
            assert_eq!(NotificationKind::from(k).to_json().unwrap(), k.as_str());
        }
        for &e in crate::store::webhook_events::Event::ALL {
            assert_eq!(WebhookEventKind::from(e).to_json().unwrap(), e.as_str());
        }
        for &s in crate::store::webhook_events::Status::ALL {
            assert_eq!(WebhookEventStatus::from(s).to_json().unwrap(), s.as_str());
        }
        for &r in crate::store::rewards::Reason::ALL {
            assert_eq!(RewardReason::from(r).to_json().unwrap(), r.as_str());
        }
        for &k in AuditActorKind::ALL {
            assert_eq!(ActorKind::from(k).to_json().unwrap(), k.as_str());
        }
    }

    #[test]
    #[should_panic(expected = "not a")]
    fn an_unknown_stored_value_is_a_bug() {
        stored::<TipStatusName>("lost");
    }
}
