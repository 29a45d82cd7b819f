//! The closed sets the API names, each an enum in the spec so that a
//! generated client gets a type, not a string to guess at.
//!
//! Sets the domain owns (tip and lead states, contact kinds, roles) are
//! mirrored with `remote`, which makes the compiler keep both lists equal.
//! The rest are stored as text by the service; [`stored`] reads them back.

use poem_openapi::Enum;
use poem_openapi::types::ParseFromParameter;

use crate::domain::Role;
use crate::domain::contact::ContactKind;
use crate::domain::lead::LeadStatus;
use crate::domain::tip::TipStatus;

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
#[oai(rename_all = "snake_case")]
pub enum UnitKind {
    PoliceStation,
    /// The city's command centre: gets what no other unit takes, and the
    /// overdue alerts.
    CommandCenter,
    /// A non-police body: market supervision, labour inspection, urban
    /// management, ...
    Department,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::PoliceStation => "police_station",
            UnitKind::CommandCenter => "command_center",
            UnitKind::Department => "department",
        }
    }

    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
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
#[oai(rename_all = "snake_case")]
pub enum MessageAuthor {
    Reporter,
    Moderator,
}

/// What a notification tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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

impl NotificationKind {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// A step in a lead's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
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

impl LeadHistoryAction {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
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

impl ActorKind {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
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
pub enum WebhookEventKind {
    #[oai(rename = "lead.forwarded")]
    LeadForwarded,
    #[oai(rename = "lead.returned")]
    LeadReturned,
    #[oai(rename = "lead.overdue")]
    LeadOverdue,
}

impl WebhookEventKind {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// Where a webhook event's delivery stands: `pending` (waiting for its next
/// attempt), `delivered`, or `failed` (out of attempts; an admin may retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum WebhookEventStatus {
    Pending,
    Delivered,
    Failed,
}

impl WebhookEventStatus {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
}

/// Why points were credited: the lead's `outcome`, or the bonus of the
/// `first_reporter` of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RewardReason {
    Outcome,
    FirstReporter,
}

impl RewardReason {
    pub fn of_stored(text: &str) -> Self {
        stored(text)
    }
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
        for k in [
            UnitKind::PoliceStation,
            UnitKind::CommandCenter,
            UnitKind::Department,
        ] {
            assert_eq!(UnitKind::of_stored(k.as_str()), k);
            assert_eq!(k.to_json().unwrap(), k.as_str());
        }
    }

    #[test]
    #[should_panic(expected = "not a")]
    fn an_unknown_stored_value_is_a_bug() {
        stored::<TipStatusName>("lost");
    }
}
