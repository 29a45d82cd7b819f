//! A tip's states and the codes people read: the tip reference and the
//! anonymous reporter's receipt.

use rand::Rng;

/// Where a tip is in its life (DESIGN.md, "Life of a tip and a lead").
/// Stored as its name (`tips.status`, `tip_history.status`,
/// `tip_state_count_slots.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum TipStatus {
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

super::named_set!(TipStatus, "tip status");

impl TipStatus {
    pub const ALL: [TipStatus; 9] = [
        TipStatus::Submitted,
        TipStatus::InReview,
        TipStatus::NeedsInfo,
        TipStatus::Verified,
        TipStatus::Forwarded,
        TipStatus::Closed,
        TipStatus::Rejected,
        TipStatus::Duplicate,
        TipStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TipStatus::Submitted => "submitted",
            TipStatus::InReview => "in_review",
            TipStatus::NeedsInfo => "needs_info",
            TipStatus::Verified => "verified",
            TipStatus::Forwarded => "forwarded",
            TipStatus::Closed => "closed",
            TipStatus::Rejected => "rejected",
            TipStatus::Duplicate => "duplicate",
            TipStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A reporter may withdraw a tip until a moderator has verified it.
    pub fn can_withdraw(self) -> bool {
        matches!(
            self,
            TipStatus::Submitted | TipStatus::InReview | TipStatus::NeedsInfo
        )
    }

    /// Where `action` takes a tip in this state, if the life of a tip
    /// (DESIGN.md) allows it here. The one place those rules live: every
    /// change of a tip's state asks it first.
    pub fn after(self, action: TipAction) -> Result<TipStatus, IllegalTransition> {
        use TipAction as A;
        use TipStatus as S;
        let next = match (self, action) {
            (S::Submitted | S::InReview, A::Claim) => S::InReview,
            (S::InReview, A::Release) => S::Submitted,
            (S::InReview, A::Verify) => S::Verified,
            (S::InReview, A::Reject) => S::Rejected,
            (S::InReview, A::RequestInfo) => S::NeedsInfo,
            (S::InReview, A::MarkDuplicate) => S::Duplicate,
            (S::NeedsInfo, A::ReporterAnswers) => S::Submitted,
            (s, A::Withdraw) if s.can_withdraw() => S::Withdrawn,
            (S::Verified, A::LeadForwarded) => S::Forwarded,
            (S::Forwarded, A::LeadClosed) => S::Closed,
            (from, action) => return Err(IllegalTransition { from, action }),
        };
        Ok(next)
    }

    /// Verified by a moderator, and so in a lead (the states after
    /// `verified` along the drawn arrows).
    pub const VERIFIED: [TipStatus; 3] =
        [TipStatus::Verified, TipStatus::Forwarded, TipStatus::Closed];

    /// Waiting for a moderator: what the queue shows by default.
    pub fn in_queue(self) -> bool {
        matches!(self, TipStatus::Submitted | TipStatus::InReview)
    }

    /// Whether the conversation is still open for the reporter.
    pub fn accepts_messages(self) -> bool {
        !matches!(
            self,
            TipStatus::Withdrawn | TipStatus::Rejected | TipStatus::Duplicate | TipStatus::Closed
        )
    }
}

/// What can happen to a tip. Moderators claim, release and decide;
/// reporters withdraw and answer questions; a lead's fate carries its tips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipAction {
    Claim,
    Release,
    Verify,
    Reject,
    RequestInfo,
    MarkDuplicate,
    Withdraw,
    ReporterAnswers,
    LeadForwarded,
    LeadClosed,
}

impl TipAction {
    pub const ALL: [TipAction; 10] = [
        TipAction::Claim,
        TipAction::Release,
        TipAction::Verify,
        TipAction::Reject,
        TipAction::RequestInfo,
        TipAction::MarkDuplicate,
        TipAction::Withdraw,
        TipAction::ReporterAnswers,
        TipAction::LeadForwarded,
        TipAction::LeadClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TipAction::Claim => "claim",
            TipAction::Release => "release",
            TipAction::Verify => "verify",
            TipAction::Reject => "reject",
            TipAction::RequestInfo => "request_info",
            TipAction::MarkDuplicate => "mark_duplicate",
            TipAction::Withdraw => "withdraw",
            TipAction::ReporterAnswers => "reporter_answers",
            TipAction::LeadForwarded => "lead_forwarded",
            TipAction::LeadClosed => "lead_closed",
        }
    }
}

/// An action the tip's state does not allow (409 `tip.invalid_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {} tip cannot take `{}`", from.as_str(), action.as_str())]
pub struct IllegalTransition {
    pub from: TipStatus,
    pub action: TipAction,
}

super::closed_set! {
    /// Who wrote a message of a tip's conversation; stored as its name
    /// (`tip_messages.author`).
    pub enum MessageAuthor ("message author") {
        Reporter = "reporter",
        Moderator = "moderator",
    }
}

/// Letters and digits that cannot be misread (no 0/O, 1/I/L, U).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `TL-20261128-7Q3K`: the day and four characters, for people to quote on
/// the phone. Unique in the database; the caller retries on a collision.
pub fn tip_reference(today: chrono::NaiveDate) -> String {
    format!("TL-{}-{}", today.format("%Y%m%d"), random_code(4))
}

/// A receipt code: `R-` and ten characters (about 49 bits), public; what
/// proves the reporter is the secret.
pub fn receipt_code() -> String {
    format!("R-{}", random_code(10))
}

/// A receipt secret: 192 random bits, shown once, stored only as a hash.
pub fn receipt_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_shapes() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let reference = tip_reference(day);
        assert!(
            reference.starts_with("TL-20261128-") && reference.len() == 16,
            "{reference}"
        );
        let code = receipt_code();
        assert!(code.starts_with("R-") && code.len() == 12, "{code}");
        assert!(code[2..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(receipt_secret().len(), 32);
        assert_ne!(receipt_secret(), receipt_secret());
    }

    #[test]
    fn withdrawal_ends_at_verification() {
        let open: Vec<_> = TipStatus::ALL
            .into_iter()
            .filter(|s| s.can_withdraw())
            .collect();
        assert_eq!(
            open,
            [
                TipStatus::Submitted,
                TipStatus::InReview,
                TipStatus::NeedsInfo
            ]
        );
        for s in TipStatus::ALL {
            assert_eq!(TipStatus::parse(s.as_str()), Some(s));
        }
    }
}

#[cfg(test)]
mod life {
    //! The state machine against DESIGN.md's diagram, transcribed here as
    //! data: whatever actions arrive, in whatever order, a tip only ever
    //! moves along a drawn arrow.
    use proptest::prelude::*;

    use super::{TipAction, TipStatus};
    use TipStatus as S;

    /// The arrows of "Life of a tip and a lead".
    const DRAWN: &[(TipStatus, TipStatus)] = &[
        (S::Submitted, S::InReview),
        (S::InReview, S::Verified),
        (S::InReview, S::Rejected),
        (S::InReview, S::NeedsInfo),
        (S::InReview, S::Duplicate),
        (S::NeedsInfo, S::Submitted),
        (S::Verified, S::Forwarded),
        (S::Forwarded, S::Closed),
        (S::Submitted, S::Withdrawn),
        // "withdraw (reporter, before verify)": from every state before it.
        (S::InReview, S::Withdrawn),
        (S::NeedsInfo, S::Withdrawn),
        // Releasing a claim puts the tip back in the queue.
        (S::InReview, S::Submitted),
        // Renewing a claim, or taking over one whose lease ran out.
        (S::InReview, S::InReview),
    ];

    const FINAL: [TipStatus; 4] = [S::Closed, S::Rejected, S::Duplicate, S::Withdrawn];

    fn action() -> impl Strategy<Value = TipAction> {
        proptest::sample::select(TipAction::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn tips_move_only_along_drawn_arrows(actions in proptest::collection::vec(action(), 0..60)) {
            let mut status = S::Submitted;
            for action in actions {
                match status.after(action) {
                    Ok(next) => {
                        prop_assert!(
                            DRAWN.contains(&(status, next)),
                            "{status:?} --{action:?}--> {next:?} is not in the diagram"
                        );
                        prop_assert!(!FINAL.contains(&status), "{status:?} is final");
                        status = next;
                    }
                    Err(e) => {
                        prop_assert_eq!(e.from, status);
                        prop_assert_eq!(e.action, action);
                    }
                }
            }
        }
    }

    #[test]
    fn every_arrow_has_an_action() {
        for &(from, to) in DRAWN {
            assert!(
                TipAction::ALL.iter().any(|a| from.after(*a) == Ok(to)),
                "no action takes {from:?} to {to:?}"
            );
        }
    }

    #[test]
    fn final_states_take_no_action() {
        for status in FINAL {
            for action in TipAction::ALL {
                assert!(status.after(action).is_err(), "{status:?} took {action:?}");
            }
        }
    }
}
