//! A tip's states and the codes people read: the tip reference and the
//! anonymous reporter's receipt.

use rand::Rng;

/// Where a tip is in its life (DESIGN.md, "Life of a tip and a lead").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

    /// Whether the conversation is still open for the reporter.
    pub fn accepts_messages(self) -> bool {
        !matches!(
            self,
            TipStatus::Withdrawn | TipStatus::Rejected | TipStatus::Duplicate | TipStatus::Closed
        )
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
