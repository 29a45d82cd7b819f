//! The thin API check of the tip's state machine (issue 5, acceptance 3).
//! `TipStatus::after` is property-tested against DESIGN.md's diagram in
//! `src/domain/tip.rs`; here random actions by random callers go through
//! HTTP, and after each one the tip must be where the domain says: moved
//! along the arrow on success, unchanged on refusal, and refused with the
//! code the domain gives. Officers and citizens never see moderation at all.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tipline::domain::Role;
use tipline::domain::tip::{TipAction, TipStatus};

use crate::helpers::{TestApp, citizen, error_code, tiny_png, tip_body, upload};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Reporter,
    ModeratorA,
    ModeratorB,
    Officer,
}

const WHO: [Who; 4] = [
    Who::Reporter,
    Who::ModeratorA,
    Who::ModeratorB,
    Who::Officer,
];

/// The actions a caller can try on a tip through the API.
const ACTIONS: [TipAction; 8] = [
    TipAction::Claim,
    TipAction::Release,
    TipAction::Verify,
    TipAction::Reject,
    TipAction::RequestInfo,
    TipAction::MarkDuplicate,
    TipAction::Withdraw,
    TipAction::ReporterAnswers,
];

struct Walk {
    app: TestApp,
    reporter: String,
    moderators: [(uuid::Uuid, String); 2],
    officer: String,
    tips: Vec<String>,
    /// Who holds each tip's claim, as far as the walk has seen.
    holders: Vec<Option<Who>>,
}

impl Walk {
    async fn new(tips: usize) -> Self {
        let app = TestApp::spawn().await;
        let reporter = citizen(&app, "13900139000").await;
        let a = app.staff("walker_a", Role::Moderator, None).await;
        let b = app.staff("walker_b", Role::Moderator, None).await;
        let unit = app.unit().await;
        let (_, officer) = app
            .staff("walker_officer", Role::UnitOfficer, Some(unit))
            .await;
        let mut ids = Vec::new();
        for _ in 0..tips {
            let photo = upload(&app, &reporter, &tiny_png()).await;
            let response = app
                .post_as(
                    "/v1/tips",
                    &reporter,
                    tip_body(&[photo["id"].as_str().unwrap()]),
                )
                .await;
            assert_eq!(response.status(), 201);
            let body: Value = response.json().await.unwrap();
            ids.push(body["tip"]["id"].as_str().unwrap().to_owned());
        }
        Walk {
            app,
            reporter,
            moderators: [a, b],
            officer,
            holders: vec![None; ids.len()],
            tips: ids,
        }
    }

    fn token(&self, who: Who) -> &str {
        match who {
            Who::Reporter => &self.reporter,
            Who::ModeratorA => &self.moderators[0].1,
            Who::ModeratorB => &self.moderators[1].1,
            Who::Officer => &self.officer,
        }
    }

    /// Status and version, as a moderator reads them.
    async fn state(&self, tip: usize) -> (TipStatus, i64) {
        let body: Value = self
            .app
            .get_as(
                &format!("/v1/moderation/tips/{}", self.tips[tip]),
                &self.moderators[0].1,
            )
            .await
            .json()
            .await
            .unwrap();
        (
            TipStatus::parse(body["status"].as_str().unwrap()).unwrap(),
            body["version"].as_i64().unwrap(),
        )
    }

    async fn act(
        &self,
        who: Who,
        action: TipAction,
        tip: usize,
        version: i64,
    ) -> reqwest::Response {
        let id = &self.tips[tip];
        let token = self.token(who);
        let other = &self.tips[(tip + 1) % self.tips.len()];
        let (path, body) = match action {
            TipAction::Claim => (format!("/v1/moderation/tips/{id}/claim"), json!({})),
            TipAction::Release => (format!("/v1/moderation/tips/{id}/release"), json!({})),
            TipAction::Verify => (
                format!("/v1/moderation/tips/{id}/verify"),
                json!({"version": version}),
            ),
            TipAction::Reject => (
                format!("/v1/moderation/tips/{id}/reject"),
                json!({"version": version, "reason": "no_violation"}),
            ),
            TipAction::RequestInfo => (
                format!("/v1/moderation/tips/{id}/request-info"),
                json!({"version": version, "question": "Which street was it?"}),
            ),
            TipAction::MarkDuplicate => (
                format!("/v1/moderation/tips/{id}/mark-duplicate"),
                json!({"version": version, "of": other}),
            ),
            TipAction::Withdraw => (format!("/v1/tips/{id}/withdraw"), json!({})),
            TipAction::ReporterAnswers => (
                format!("/v1/tips/{id}/messages"),
                json!({"body": "It was on Jianguo Road."}),
            ),
            TipAction::LeadForwarded | TipAction::LeadClosed => unreachable!("not in ACTIONS"),
        };
        self.app.post_as(&path, token, body).await
    }
}

fn is_moderation(action: TipAction) -> bool {
    !matches!(action, TipAction::Withdraw | TipAction::ReporterAnswers)
}

fn holder_after(action: TipAction, who: Who, before: Option<Who>) -> Option<Who> {
    match action {
        TipAction::Claim => Some(who),
        TipAction::Withdraw
        | TipAction::Release
        | TipAction::Verify
        | TipAction::Reject
        | TipAction::RequestInfo
        | TipAction::MarkDuplicate => None,
        _ => before,
    }
}

#[tokio::test]
async fn random_callers_move_tips_only_as_the_domain_allows() {
    // The arrows the walks took, so that a walk refused everything (and
    // proved nothing) fails.
    let mut taken = std::collections::HashSet::new();
    for seed in [7u64, 8, 9] {
        let mut walk = Walk::new(3).await;
        let mut rng = StdRng::seed_from_u64(seed);
        for step in 0..45 {
            let tip = rng.random_range(0..walk.tips.len());
            let who = WHO[rng.random_range(0..WHO.len())];
            let action = ACTIONS[rng.random_range(0..ACTIONS.len())];
            let (before, version) = walk.state(tip).await;
            let response = walk.act(who, action, tip, version).await;
            let status = response.status().as_u16();
            let (after, _) = walk.state(tip).await;
            let at = format!("seed {seed} step {step}: {who:?} {action:?} on a {before:?} tip");

            let moderator = matches!(who, Who::ModeratorA | Who::ModeratorB);
            if is_moderation(action) && !moderator {
                // Moderation is invisible to citizens and officers.
                assert_eq!(status, 404, "{at}");
                assert_eq!(after, before, "{at}");
                continue;
            }
            if !is_moderation(action) && who != Who::Reporter {
                // Only the reporter withdraws or answers their tip.
                assert!(matches!(status, 403 | 404), "{at}: {status}");
                assert_eq!(after, before, "{at}");
                continue;
            }
            let held_by_other = walk.holders[tip].is_some_and(|h| h != who)
                && is_moderation(action)
                && matches!(before, TipStatus::InReview);
            match before.after(action) {
                Err(_) if action == TipAction::ReporterAnswers => {
                    // A message outside `needs_info` is a message, not a
                    // transition: the state stays unless the tip is closed
                    // to messages.
                    assert!(matches!(status, 201 | 409), "{at}: {status}");
                    assert_eq!(after, before, "{at}");
                }
                Err(_) => {
                    assert_eq!(error_code(response, 409).await, "tip.invalid_state", "{at}");
                    assert_eq!(after, before, "{at}");
                }
                Ok(_) if held_by_other => {
                    assert_eq!(error_code(response, 409).await, "tip.claimed", "{at}");
                    assert_eq!(after, before, "{at}");
                }
                Ok(next) => {
                    if action == TipAction::MarkDuplicate && status == 422 {
                        // The other tip cannot be kept (it is itself a
                        // duplicate, withdrawn or rejected): refused whole.
                        assert_eq!(after, before, "{at}");
                        continue;
                    }
                    assert!(
                        (200..300).contains(&status),
                        "{at}: {status} {}",
                        response.text().await.unwrap()
                    );
                    assert_eq!(after, next, "{at}");
                    taken.insert((before, after));
                    walk.holders[tip] = holder_after(action, who, walk.holders[tip]);
                }
            }
        }
    }
    assert!(
        taken.len() >= 5,
        "the walks took too few arrows to test anything: {taken:?}"
    );
}
