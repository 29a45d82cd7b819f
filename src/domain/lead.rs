//! A lead's states (DESIGN.md, "Life of a tip and a lead") and its
//! reference.

/// Where a lead is in its life; stored as its name (`leads.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum LeadStatus {
    /// With the moderators: tips can be added and removed.
    Open,
    Forwarded,
    Accepted,
    Resolved,
}

super::named_set!(LeadStatus, "lead status");

impl LeadStatus {
    pub const ALL: [LeadStatus; 4] = [
        LeadStatus::Open,
        LeadStatus::Forwarded,
        LeadStatus::Accepted,
        LeadStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Open => "open",
            LeadStatus::Forwarded => "forwarded",
            LeadStatus::Accepted => "accepted",
            LeadStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// At a unit, its deadline running: waiting to be accepted, or
    /// accepted and not yet resolved.
    pub const AT_UNIT: [LeadStatus; 2] = [LeadStatus::Forwarded, LeadStatus::Accepted];
}

/// What can happen to a lead: moderators forward it; the unit accepts,
/// resolves or returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeadAction {
    Forward,
    Accept,
    Resolve,
    Return,
}

impl LeadAction {
    pub const ALL: [LeadAction; 4] = [
        LeadAction::Forward,
        LeadAction::Accept,
        LeadAction::Resolve,
        LeadAction::Return,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadAction::Forward => "forward",
            LeadAction::Accept => "accept",
            LeadAction::Resolve => "resolve",
            LeadAction::Return => "return",
        }
    }
}

/// An action the lead's state does not allow (409 `lead.invalid_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {} lead cannot take `{}`", from.as_str(), action.as_str())]
pub struct IllegalLeadTransition {
    pub from: LeadStatus,
    pub action: LeadAction,
}

impl LeadStatus {
    /// Where `action` takes a lead in this state, if DESIGN.md's diagram
    /// allows it: forwarded from open, accepted or returned (to open, for
    /// rerouting) by the unit, resolved once accepted.
    pub fn after(self, action: LeadAction) -> Result<LeadStatus, IllegalLeadTransition> {
        use LeadAction as A;
        use LeadStatus as S;
        match (self, action) {
            (S::Open, A::Forward) => Ok(S::Forwarded),
            (S::Forwarded, A::Accept) => Ok(S::Accepted),
            (S::Forwarded, A::Return) => Ok(S::Open),
            (S::Accepted, A::Resolve) => Ok(S::Resolved),
            (from, action) => Err(IllegalLeadTransition { from, action }),
        }
    }
}

super::closed_set! {
    /// A step in a lead's history; stored as its name
    /// (`lead_history.action`).
    pub enum LeadEvent ("lead history action") {
        Created = "created",
        TipAdded = "tip_added",
        TipRemoved = "tip_removed",
        Forwarded = "forwarded",
        Accepted = "accepted",
        /// A progress note of the unit.
        Progress = "progress",
        Resolved = "resolved",
        Returned = "returned",
        /// A deadline passed.
        Overdue = "overdue",
    }
}

/// `LD-20261128-7Q3K`, like a tip's reference.
pub fn lead_reference(today: chrono::NaiveDate) -> String {
    let tip_like = super::tip::tip_reference(today);
    format!("LD-{}", &tip_like[3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_references_have_their_shape() {
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(s.as_str()), Some(s));
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let reference = lead_reference(day);
        assert!(reference.starts_with("LD-20261128-") && reference.len() == 16);
    }

    #[test]
    fn leads_move_only_along_the_drawn_arrows() {
        use LeadStatus as S;
        let drawn = [
            (S::Open, S::Forwarded),
            (S::Forwarded, S::Accepted),
            (S::Forwarded, S::Open),
            (S::Accepted, S::Resolved),
        ];
        for from in LeadStatus::ALL {
            for action in LeadAction::ALL {
                if let Ok(to) = from.after(action) {
                    assert!(drawn.contains(&(from, to)), "{from:?} -> {to:?}");
                }
            }
        }
        for (from, to) in drawn {
            assert!(LeadAction::ALL.iter().any(|a| from.after(*a) == Ok(to)));
        }
    }
}
