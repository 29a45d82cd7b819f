//! Decisions on a claimed tip: what they need, races between them, and
//! what the reporter reads afterwards (a rejection's reason, a question to
//! answer, a duplicate).

use serde_json::json;
use tipline::domain::Role;
use uuid::Uuid;

use super::one_wins;
use crate::helpers::{Desk, by_receipt, error_code, id_of, ids, statuses_in_history, tiny_png};

#[tokio::test]
async fn of_two_decisions_on_one_version_exactly_one_is_made() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let mut leads_made = 0;
    for _ in 0..3 {
        let tip = desk.tip(|_| {}).await;
        let version = desk.claim(&tip).await;
        // The holder's two browser tabs, clicked at once.
        let (verify, reject) = tokio::join!(
            desk.decide_as(&desk.moderator, &tip, "verify", json!({"version": version})),
            desk.decide_as(
                &desk.moderator,
                &tip,
                "reject",
                json!({"version": version, "reason": "no_violation"})
            )
        );
        let winner = one_wins(verify, reject, &["tip.stale_version"]).await;
        let expected = ["verified", "rejected"][winner];
        leads_made += usize::from(winner == 0);

        let detail = desk.detail(&tip).await;
        assert_eq!(detail["status"], expected);
        assert_eq!(detail["version"], version + 1, "one decision, one change");
        assert_eq!(detail["lead"].is_object(), winner == 0, "{detail}");
        let events = desk
            .audit(&admin, &[("object_kind", "tip"), ("object_id", &tip)])
            .await;
        let decisions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .filter(|a| ["tip.verify", "tip.reject"].contains(a))
            .collect();
        assert_eq!(decisions, [["tip.verify", "tip.reject"][winner]]);
        assert_eq!(
            statuses_in_history(&detail),
            ["submitted", "in_review", expected]
        );
    }
    // A verification that lost left no lead behind.
    assert_eq!(desk.leads(&[]).await.len(), leads_made);
}

#[tokio::test]
async fn decisions_need_the_claim_the_current_version_and_a_tip_in_review() {
    let desk = Desk::open().await;
    let waiting = desk.tip(|_| {}).await;
    // Unclaimed, at its current version: still not a tip in review.
    for (action, body) in [
        ("verify", json!({"version": 0})),
        ("reject", json!({"version": 0, "reason": "no_violation"})),
        ("request-info", json!({"version": 0, "question": "Where?"})),
    ] {
        let response = desk
            .decide_as(&desk.moderator, &waiting, action, body)
            .await;
        assert_eq!(
            error_code(response, 409).await,
            "tip.invalid_state",
            "{action}"
        );
    }
    let release = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{waiting}/release"),
            &desk.moderator,
            json!({}),
        )
        .await;
    assert_eq!(error_code(release, 409).await, "tip.invalid_state");

    let version = desk.claim(&waiting).await;
    let stale = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "verify",
            json!({"version": version - 1}),
        )
        .await;
    assert_eq!(error_code(stale, 409).await, "tip.stale_version");
    let unknown_lead = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "verify",
            json!({"version": version, "lead_id": Uuid::now_v7()}),
        )
        .await;
    assert_eq!(error_code(unknown_lead, 422).await, "tip.unknown_lead");
    let unknown_reason = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "reject",
            json!({"version": version, "reason": "made_up"}),
        )
        .await;
    assert_eq!(
        error_code(unknown_reason, 422).await,
        "tip.unknown_reject_reason"
    );
    let itself = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "mark-duplicate",
            json!({"version": version, "of": waiting}),
        )
        .await;
    assert_eq!(error_code(itself, 422).await, "tip.invalid_duplicate");
    // None of the refusals changed the tip.
    let detail = desk.detail(&waiting).await;
    assert_eq!(detail["status"], "in_review");
    assert_eq!(detail["version"], version);

    let missing = desk
        .claim_response(&desk.moderator, &Uuid::now_v7().to_string())
        .await;
    assert_eq!(error_code(missing, 404).await, "tip.not_found");

    // A decided tip takes no second decision, even at its new version.
    let state = desk
        .decide(&waiting, "verify", json!({"version": version}))
        .await;
    let again = desk
        .decide_as(
            &desk.moderator,
            &waiting,
            "reject",
            json!({"version": state["version"], "reason": "no_violation"}),
        )
        .await;
    assert_eq!(error_code(again, 409).await, "tip.invalid_state");
    let claim = desk.claim_response(&desk.moderator, &waiting).await;
    assert_eq!(error_code(claim, 409).await, "tip.invalid_state");
}

#[tokio::test]
async fn a_rejected_reporter_reads_the_reason_as_worded_now_and_the_note() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let citizen = desk.citizen("13900139002").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let anon = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let anon_id = id_of(&anon["tip"]);

    let reasons = desk
        .get(&desk.moderator, "/v1/moderation/reject-reasons")
        .await;
    let codes: Vec<&str> = reasons
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"no_violation"), "{codes:?}");

    let note = "The card advertises a licensed massage parlour.";
    let version = desk.claim(&theirs).await;
    let state = desk
        .decide(
            &theirs,
            "reject",
            json!({"version": version, "reason": "no_violation", "note": note}),
        )
        .await;
    assert_eq!(state["status"], "rejected");
    let version = desk.claim(&anon_id).await;
    desk.decide(
        &anon_id,
        "reject",
        json!({"version": version, "reason": "insufficient_evidence"}),
    )
    .await;

    let path = format!("/v1/tips/{theirs}");
    let tip = desk.get(&citizen, &path).await;
    assert_eq!(tip["status"], "rejected");
    let last = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "rejected");
    assert_eq!(last["note"], note);
    assert_eq!(last["reason"]["code"], "no_violation");
    assert_eq!(
        last["reason"]["text_en"],
        "We found nothing unlawful in what you reported. Thank you for taking part."
    );
    assert_eq!(
        last["reason"]["text_zh"],
        "经核实，您举报的内容未发现违法违规情况。感谢您的参与。"
    );
    // Only the rejection carries a reason.
    let with_reason = tip["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["reason"].is_null())
        .count();
    assert_eq!(with_reason, 1);

    let receipt_view = by_receipt(&desk.app, &anon, "").await;
    assert_eq!(receipt_view["status"], "rejected");
    let last = receipt_view["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"]["code"], "insufficient_evidence");
    assert!(last["note"].is_null());

    // Both were told, each in their own inbox.
    let told = desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(told["items"].as_array().unwrap().len(), 1, "{told}");
    assert_eq!(told["items"][0]["kind"], "tip.rejected");
    assert_eq!(
        told["items"][0]["text_en"],
        format!(
            "We found nothing unlawful in what you reported. Thank you for taking part. {note}"
        )
    );
    let told = by_receipt(&desk.app, &anon, "/notifications").await;
    assert_eq!(told["items"].as_array().unwrap().len(), 1, "{told}");
    assert_eq!(told["items"][0]["kind"], "tip.rejected");

    // The admin rewords the reason: the reporter reads the new words.
    let new_en = "Our check found nothing unlawful here. Thank you for reporting.";
    let new_zh = "经核查，未发现违法情况。感谢您的举报。";
    let response = desk
        .app
        .patch_as(
            "/v1/admin/reject-reasons/no_violation",
            &admin,
            json!({"public_en": new_en, "public_zh": new_zh}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let tip = desk.get(&citizen, &path).await;
    let last = tip["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"]["text_en"], new_en);
    assert_eq!(last["reason"]["text_zh"], new_zh);
    assert_eq!(last["note"], note);

    // A rejected tip takes no more messages from its reporter.
    let r = desk
        .app
        .post_as(
            &format!("/v1/tips/{theirs}/messages"),
            &citizen,
            json!({"body": "But why?"}),
        )
        .await;
    assert_eq!(error_code(r, 409).await, "tip.invalid_state");

    // A retired reason is no longer offered, nor taken.
    let response = desk
        .app
        .patch_as(
            "/v1/admin/reject-reasons/abusive",
            &admin,
            json!({"retired": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let reasons = desk
        .get(&desk.moderator, "/v1/moderation/reject-reasons")
        .await;
    assert!(
        reasons
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"] != "abusive"),
        "{reasons}"
    );
    let another = desk.tip(|_| {}).await;
    let version = desk.claim(&another).await;
    let retired = desk
        .decide_as(
            &desk.moderator,
            &another,
            "reject",
            json!({"version": version, "reason": "abusive"}),
        )
        .await;
    assert_eq!(error_code(retired, 422).await, "tip.unknown_reject_reason");
}

#[tokio::test]
async fn a_question_waits_for_the_reporter_whose_answer_puts_the_tip_back_in_the_queue() {
    let desk = Desk::open().await;
    let question = "Which street was the car parked on?";

    // Anonymous: asked and answered through the receipt.
    let submitted = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let id = id_of(&submitted["tip"]);
    let version = desk.claim(&id).await;
    let state = desk
        .decide(
            &id,
            "request-info",
            json!({"version": version, "question": question}),
        )
        .await;
    assert_eq!(state["status"], "needs_info");
    assert!(state["claimed_by"].is_null());
    // Not waiting for a moderator any more, but findable.
    assert_eq!(ids(&desk.queue(&[]).await["items"]), Vec::<String>::new());
    assert_eq!(
        ids(&desk.queue(&[("status", "needs_info")]).await["items"]),
        [id.as_str()]
    );
    let view = by_receipt(&desk.app, &submitted, "").await;
    assert_eq!(view["status"], "needs_info");
    let messages = by_receipt(&desk.app, &submitted, "/messages").await;
    assert_eq!(messages[0]["author"], "moderator");
    assert_eq!(messages[0]["body"], question);

    let code = submitted["receipt"]["code"].as_str().unwrap();
    let answer = desk
        .app
        .client
        .post(desk.app.url(&format!("/v1/receipts/{code}/messages")))
        .header(
            "X-Receipt-Secret",
            submitted["receipt"]["secret"].as_str().unwrap(),
        )
        .json(&json!({"body": "Dongzhimen Inner Street"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let view = by_receipt(&desk.app, &submitted, "").await;
    assert_eq!(view["status"], "submitted");
    assert_eq!(
        statuses_in_history(&view),
        ["submitted", "in_review", "needs_info", "submitted"]
    );
    assert_eq!(ids(&desk.queue(&[]).await["items"]), [id.as_str()]);
    let detail = desk.detail(&id).await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, [question, "Dongzhimen Inner Street"]);
    // Back in the queue, it can be claimed and decided again.
    let version = desk.claim(&id).await;
    desk.decide(&id, "verify", json!({"version": version}))
        .await;

    // A citizen answers in the app.
    let citizen = desk.citizen("13900139003").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let version = desk.claim(&theirs).await;
    desk.decide(
        &theirs,
        "request-info",
        json!({"version": version, "question": question}),
    )
    .await;
    let messages = desk
        .get(&citizen, &format!("/v1/tips/{theirs}/messages"))
        .await;
    assert_eq!(messages[0]["body"], question);
    let r = desk
        .app
        .post_as(
            &format!("/v1/tips/{theirs}/messages"),
            &citizen,
            json!({"body": "Near the east gate"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let tip = desk.get(&citizen, &format!("/v1/tips/{theirs}")).await;
    assert_eq!(tip["status"], "submitted");
}

#[tokio::test]
async fn a_duplicate_points_to_the_kept_tip_and_its_reporter_is_told() {
    let desk = Desk::open().await;
    let kept = desk.tip(|_| {}).await;
    let kept_detail = desk.detail(&kept).await;
    let citizen = desk.citizen("13900139004").await;
    let copy = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let copy = id_of(&copy["tip"]);

    let version = desk.claim(&copy).await;
    let state = desk
        .decide(
            &copy,
            "mark-duplicate",
            json!({"version": version, "of": kept}),
        )
        .await;
    assert_eq!(state["status"], "duplicate");
    assert_eq!(state["duplicate_of"], kept.as_str());
    assert_eq!(desk.detail(&copy).await["duplicate_of"], kept.as_str());

    let tip = desk.get(&citizen, &format!("/v1/tips/{copy}")).await;
    assert_eq!(tip["status"], "duplicate");
    let last = tip["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["status"], "duplicate");
    let note = last["note"].as_str().expect("the reporter is told why");
    assert!(!note.is_empty());
    // Nothing about the other report reaches this reporter.
    let text = tip.to_string();
    assert!(!text.contains(&kept));
    assert!(!text.contains(kept_detail["reference"].as_str().unwrap()));

    // A tip cannot duplicate one that is itself a duplicate.
    let third = desk.tip(|_| {}).await;
    let version = desk.claim(&third).await;
    let r = desk
        .decide_as(
            &desk.moderator,
            &third,
            "mark-duplicate",
            json!({"version": version, "of": copy}),
        )
        .await;
    assert_eq!(error_code(r, 409).await, "tip.duplicate_of_unkept");
}

#[tokio::test]
async fn two_tips_marked_as_each_others_duplicate_at_once_keep_one() {
    let desk = Desk::open().await;
    let (_, other) = desk.staff("mod.two", Role::Moderator).await;
    for _ in 0..4 {
        let (a, b) = (desk.tip(|_| {}).await, desk.tip(|_| {}).await);
        let va = desk.claim(&a).await;
        let vb = desk.claim_as(&other, &b).await;
        // Each moderator sees "looks like" the other's tip and marks it.
        let (ab, ba) = tokio::join!(
            desk.decide_as(
                &desk.moderator,
                &a,
                "mark-duplicate",
                json!({"version": va, "of": b})
            ),
            desk.decide_as(
                &other,
                &b,
                "mark-duplicate",
                json!({"version": vb, "of": a})
            )
        );
        one_wins(ab, ba, &["tip.duplicate_of_unkept"]).await;
        let states = [
            desk.detail(&a).await["status"].clone(),
            desk.detail(&b).await["status"].clone(),
        ];
        assert!(
            states.contains(&json!("in_review")),
            "one of the two is still kept: {states:?}"
        );
    }
}
