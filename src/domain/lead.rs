//! A lead's states (DESIGN.md, "Life of a tip and a lead") and its
//! reference.

/// Where a lead is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    /// With the moderators: tips can be added and removed.
    Open,
    Forwarded,
    Accepted,
    Resolved,
}

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
}
