//! Claims: one holder at a time, released for anyone, and a lease that
//! runs out; deciding takes a live claim of one's own.

use serde_json::{Value, json};
use tipline::domain::Role;

use super::one_wins;
use crate::helpers::{Desk, TestEnv, error_code, ids};

#[tokio::test]
async fn of_two_moderators_claiming_at_once_exactly_one_gets_the_tip() {
    let desk = Desk::open().await;
    let (first_id, first) = desk.staff("mod.first", Role::Moderator).await;
    let (second_id, second) = desk.staff("mod.second", Role::Moderator).await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;

    // A few rounds: the race is real each time, and the answer must be
    // the same whichever request the database serves first.
    for _ in 0..6 {
        let tip = desk.tip(|_| {}).await;
        let (a, b) = tokio::join!(
            desk.claim_response(&first, &tip),
            desk.claim_response(&second, &tip)
        );
        let winner = one_wins(a, b, &["tip.claimed", "tip.stale_version"]).await;
        let (holder, loser) = if winner == 0 {
            (first_id, &second)
        } else {
            (second_id, &first)
        };
        let detail = desk.detail(&tip).await;
        assert_eq!(detail["status"], "in_review");
        assert_eq!(detail["claimed_by"], holder.to_string());
        assert_eq!(detail["version"], 1, "one claim, one change");
        let claims = desk
            .audit(&admin, &[("object_id", &tip), ("action", "tip.claim")])
            .await;
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert_eq!(claims[0]["actor_id"], holder.to_string());

        // The loser can neither take it nor decide on it while it is held.
        let again = desk.claim_response(loser, &tip).await;
        assert_eq!(error_code(again, 409).await, "tip.claimed");
        let decision = desk
            .decide_as(
                loser,
                &tip,
                "reject",
                json!({"version": 1, "reason": "no_violation"}),
            )
            .await;
        assert_eq!(error_code(decision, 409).await, "tip.claimed");
        let release = desk
            .app
            .post_as(
                &format!("/v1/moderation/tips/{tip}/release"),
                loser,
                json!({}),
            )
            .await;
        assert_eq!(error_code(release, 409).await, "tip.claimed");
    }
}

#[tokio::test]
async fn a_release_puts_the_tip_back_for_anyone() {
    let desk = Desk::open().await;
    let (other_id, other) = desk.staff("mod.two", Role::Moderator).await;
    let tip = desk.tip(|_| {}).await;
    desk.claim(&tip).await;
    assert_eq!(
        ids(&desk.queue(&[("claimed_by", "none")]).await["items"]),
        Vec::<String>::new()
    );
    let response = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{tip}/release"),
            &desk.moderator,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let state: Value = response.json().await.unwrap();
    assert_eq!(state["status"], "submitted");
    assert!(state["claimed_by"].is_null());
    let page = desk.queue(&[("claimed_by", "none")]).await;
    assert_eq!(ids(&page["items"]), [tip.as_str()]);
    assert_eq!(page["counts"]["submitted"], 1);
    assert_eq!(page["counts"]["in_review"], 0);
    // Another moderator takes it now.
    desk.claim_as(&other, &tip).await;
    assert_eq!(desk.detail(&tip).await["claimed_by"], other_id.to_string());
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_free_for_anyone() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_CLAIM_LEASE_SECS", "1");
    let desk = Desk::open_in(env).await;
    let (_, first) = desk.staff("mod.first", Role::Moderator).await;
    let (second_id, second) = desk.staff("mod.second", Role::Moderator).await;
    let id = desk.tip(|_| {}).await;
    assert_eq!(desk.claim_response(&first, &id).await.status(), 200);
    let held = desk.claim_response(&second, &id).await;
    assert_eq!(error_code(held, 409).await, "tip.claimed");

    // Past the lease (a generous margin over its one second).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let page = desk.queue_as(&second, &[("claimed_by", "none")]).await;
    assert_eq!(ids(&page["items"]), [id.as_str()]);
    assert_eq!(page["items"][0]["status"], "in_review");
    assert!(page["items"][0]["claimed_by"].is_null());
    let taken = desk.claim_response(&second, &id).await;
    assert_eq!(taken.status(), 200);
    let state: Value = taken.json().await.unwrap();
    assert_eq!(state["claimed_by"], second_id.to_string());
}

#[tokio::test]
async fn deciding_takes_a_live_claim_of_ones_own() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_CLAIM_LEASE_SECS", "1");
    let desk = Desk::open_in(env).await;
    let (_, other) = desk.staff("mod.late", Role::Moderator).await;
    let tip = desk.tip(|_| {}).await;
    let version = desk.claim(&tip).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // The first moderator's lease ran out: the other may not decide on a
    // tip they never claimed...
    let unseen = desk
        .decide_as(
            &other,
            &tip,
            "reject",
            json!({"version": version, "reason": "no_violation"}),
        )
        .await;
    assert_eq!(error_code(unseen, 409).await, "tip.not_claimed");
    assert_eq!(desk.detail(&tip).await["status"], "in_review");
    // ...and may once they have.
    let version = desk.claim_as(&other, &tip).await;
    let decided = desk
        .decide_as(
            &other,
            &tip,
            "reject",
            json!({"version": version, "reason": "no_violation"}),
        )
        .await;
    assert_eq!(decided.status(), 200, "{}", decided.text().await.unwrap());
}
