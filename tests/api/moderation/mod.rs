//! Moderation over HTTP, one file per area: the review queue and its
//! filters (`queue`), claims and their leases (`claims`), decisions and
//! what the reporter reads afterwards (`decisions`), leads and contact
//! clusters (`leads`), and the moderator's view of a tip, its audited reads
//! and similar photos (`reads`). The desk they all work at is
//! `helpers::Desk`.

mod claims;
mod decisions;
mod leads;
mod queue;
mod reads;

// Where other areas found these before they moved to `helpers`: kept so
// that tests written against the old paths still compile (not every name
// is used here).
#[allow(unused_imports)]
pub use crate::helpers::{CARD_PHONE, Desk, PHONE_PHOTO, by_receipt, id_of, statuses_in_history};

use serde_json::Value;

/// Of two answers to the same race, exactly one is 200; the other is a 409
/// with one of `codes`. Returns which one won (0 or 1).
pub async fn one_wins(a: reqwest::Response, b: reqwest::Response, codes: &[&str]) -> usize {
    let (sa, sb) = (a.status().as_u16(), b.status().as_u16());
    let (winner, loser) = match (sa, sb) {
        (200, _) => (0, b),
        (_, 200) => (1, a),
        _ => panic!(
            "neither won: {sa} {} / {sb} {}",
            a.text().await.unwrap(),
            b.text().await.unwrap()
        ),
    };
    let status = loser.status().as_u16();
    let text = loser.text().await.unwrap();
    assert_eq!(
        status, 409,
        "both won, or the loser failed otherwise: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(
        codes.contains(&body["code"].as_str().unwrap()),
        "the loser's code: {body}"
    );
    winner
}
