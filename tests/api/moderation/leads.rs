//! Leads: made by verifying tips into them, built and changed while open,
//! found by state, category and contact; and the contact cluster that
//! lists the leads a number's tips are in.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{CARD_PHONE, Desk, error_code, id_of, ids, statuses_in_history, tiny_png};

#[tokio::test]
async fn verified_tips_go_into_a_new_lead_or_an_open_one() {
    let desk = Desk::open().await;
    let reporter = desk.citizen("13900139001").await;
    let first = desk.submit_as(&reporter, &tiny_png(), |_| {}).await;
    let first = id_of(&first["tip"]);
    let second = desk.tip(|_| {}).await;

    let version = desk.claim(&first).await;
    let state = desk
        .decide(
            &first,
            "verify",
            json!({"version": version, "lead_title": "Cards at the car park"}),
        )
        .await;
    assert_eq!(state["status"], "verified");
    assert!(state["claimed_by"].is_null(), "a decision ends the claim");
    let lead_id = state["lead_id"].as_str().unwrap().to_owned();
    let lead = desk.lead(&lead_id).await;
    assert_eq!(lead["status"], "open");
    assert_eq!(lead["title"], "Cards at the car park");
    assert_eq!(lead["category"], "illicit_card_ads");
    assert!(lead["reference"].as_str().unwrap().starts_with("LD-"));
    assert_eq!(ids(&lead["tips"]), [first.as_str()]);

    // The reporter sees the tip verified.
    let mine = desk.get(&reporter, &format!("/v1/tips/{first}")).await;
    assert_eq!(mine["status"], "verified");
    assert_eq!(
        statuses_in_history(&mine),
        ["submitted", "in_review", "verified"]
    );

    // The second tip carries the same number: the lead is suggested, and
    // it goes in.
    let version = desk.claim(&second).await;
    let detail = desk.detail(&second).await;
    assert_eq!(ids(&detail["suggested_leads"]), [lead_id.as_str()]);
    let into = desk.verify_into(&second, version, &lead_id).await;
    assert_eq!(into["lead_id"], lead_id.as_str());
    let lead = desk.lead(&lead_id).await;
    assert_eq!(ids(&lead["tips"]), [first.clone(), second.clone()]);
    let actions: Vec<&str> = lead["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "tip_added", "tip_added"]);
    assert_eq!(lead["history"][2]["tip_id"], second.as_str());
    assert_eq!(
        lead["history"][2]["actor_id"],
        desk.moderator_id.to_string()
    );
    let detail = desk.detail(&second).await;
    assert_eq!(detail["lead"]["id"], lead_id.as_str());
    assert_eq!(
        ids(&detail["suggested_leads"]),
        Vec::<String>::new(),
        "a tip's own lead is no suggestion"
    );
}

#[tokio::test]
async fn leads_are_built_found_and_changed_while_open() {
    let desk = Desk::open().await;
    let card = |b: &mut Value| {
        b["contacts"] = json!([{"kind": "phone", "value": "13800138000"}]);
    };
    let t1 = desk.tip(card).await;
    let t2 = desk.tip(card).await;
    let fraud = desk
        .tip(|b| {
            b["category"] = json!("fraud");
            b["location"] = json!({"lat": 31.2304, "lon": 121.4737});
            b["contacts"] = json!([{"kind": "wechat", "value": "scammer_01"}]);
        })
        .await;
    let waiting = desk.tip(card).await;

    let l1 = desk.verify(&t1).await;
    let version = desk.claim(&t2).await;
    desk.verify_into(&t2, version, &l1).await;
    let l_fraud = desk.verify(&fraud).await;

    let lead = desk.lead(&l1).await;
    assert_eq!(ids(&lead["tips"]), [t1.clone(), t2.clone()]);
    assert_eq!(lead["tips"][0]["lat"], 39.9087);
    assert_eq!(lead["tips"][0]["lon"], 116.3975);
    assert_eq!(
        lead["contacts"],
        json!([{"kind": "phone", "value": CARD_PHONE, "tips": 2}])
    );
    let version = lead["version"].as_i64().unwrap();

    // Every change names the version it was made from.
    let stale = desk.remove_from_lead(&l1, &t2, version - 1).await;
    assert_eq!(error_code(stale, 409).await, "lead.stale_version");
    let removed = desk.remove_from_lead(&l1, &t2, version).await;
    assert_eq!(removed.status(), 200, "{}", removed.text().await.unwrap());
    let lead: Value = removed.json().await.unwrap();
    assert_eq!(ids(&lead["tips"]), [t1.as_str()]);
    assert_eq!(lead["version"], version + 1);
    let out = desk.detail(&t2).await;
    assert_eq!(out["status"], "verified", "out of the lead, still verified");
    assert!(out["lead"].is_null());

    let last = desk.remove_from_lead(&l1, &t1, version + 1).await;
    assert_eq!(error_code(last, 409).await, "lead.last_tip");
    let not_in = desk.remove_from_lead(&l1, &t2, version + 1).await;
    assert_eq!(error_code(not_in, 404).await, "lead.tip_not_in_lead");

    assert_eq!(
        error_code(desk.add_to_lead(&l1, version, &t2).await, 409).await,
        "lead.stale_version"
    );
    assert_eq!(
        error_code(desk.add_to_lead(&l1, version + 1, &waiting).await, 409).await,
        "lead.tip_not_verified"
    );
    assert_eq!(
        error_code(desk.add_to_lead(&l1, version + 1, &fraud).await, 409).await,
        "lead.tip_in_other_lead"
    );
    let added = desk.add_to_lead(&l1, version + 1, &t2).await;
    assert_eq!(added.status(), 200, "{}", added.text().await.unwrap());
    let lead: Value = added.json().await.unwrap();
    assert_eq!(ids(&lead["tips"]), [t1.clone(), t2.clone()]);
    let history: Vec<(String, Option<String>)> = lead["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["tip_id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("created".to_owned(), None),
            ("tip_added".to_owned(), Some(t1.clone())),
            ("tip_added".to_owned(), Some(t2.clone())),
            ("tip_removed".to_owned(), Some(t2.clone())),
            ("tip_added".to_owned(), Some(t2.clone())),
        ]
    );

    // A lead of its own for a verified tip in none.
    let removed = desk
        .remove_from_lead(&l1, &t2, lead["version"].as_i64().unwrap())
        .await;
    assert_eq!(removed.status(), 200);
    let create = |tips: Vec<&str>| {
        desk.app.post_as(
            "/v1/leads",
            &desk.moderator,
            json!({"tip_ids": tips, "title": "The second printer"}),
        )
    };
    assert_eq!(
        error_code(create(vec![&waiting]).await, 409).await,
        "lead.tip_not_verified"
    );
    assert_eq!(
        error_code(create(vec![&t1]).await, 409).await,
        "lead.tip_in_other_lead"
    );
    assert_eq!(
        error_code(create(vec![&t2, &t2]).await, 400).await,
        "request.invalid"
    );
    let created = create(vec![&t2]).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let l3: Value = created.json().await.unwrap();
    assert_eq!(l3["status"], "open");
    assert_eq!(l3["title"], "The second printer");
    assert_eq!(l3["category"], "illicit_card_ads");
    assert_eq!(ids(&l3["tips"]), [t2.as_str()]);
    let actions: Vec<&str> = l3["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "tip_added"]);
    let l3 = id_of(&l3);
    assert_eq!(desk.detail(&t2).await["lead"]["id"], l3.as_str());

    // Finding them: newest first, by state, category and contact.
    let newest_first = vec![l3.clone(), l_fraud.clone(), l1.clone()];
    assert_eq!(desk.leads(&[]).await, newest_first);
    assert_eq!(desk.leads(&[("status", "open")]).await, newest_first);
    assert_eq!(
        desk.leads(&[("status", "forwarded"), ("status", "resolved")])
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        desk.leads(&[("category", "fraud")]).await,
        [l_fraud.as_str()]
    );
    assert_eq!(
        desk.leads(&[("contact", "phone:138-0013-8000")]).await,
        [l3.clone(), l1.clone()]
    );
    assert_eq!(
        desk.leads(&[("contact", "wechat:SCAMMER_01")]).await,
        [l_fraud.as_str()]
    );
    for (name, value, status, code) in [
        ("status", "bogus", 400, "request.invalid"),
        ("contact", "phone:12", 422, "request.invalid_filter"),
    ] {
        let response = desk
            .app
            .client
            .get(desk.app.url("/v1/leads"))
            .bearer_auth(&desk.moderator)
            .query(&[(name, value)])
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(response, status).await, code, "{name}={value}");
    }
    let missing = desk
        .app
        .get_as(&format!("/v1/leads/{}", Uuid::now_v7()), &desk.moderator)
        .await;
    assert_eq!(error_code(missing, 404).await, "lead.not_found");
}

#[tokio::test]
async fn a_contact_cluster_lists_the_leads_its_tips_are_in() {
    let desk = Desk::open().await;
    let card = |b: &mut Value| {
        b["contacts"] = json!([
            {"kind": "phone", "value": "+86 138 0013 8000"},
            {"kind": "qq", "value": "55501234"}
        ]);
    };
    let a = desk.tip(card).await;
    let b = desk.tip(card).await;
    let c = desk.tip(card).await;
    let lead = desk.verify(&a).await;
    let version = desk.claim(&b).await;
    desk.verify_into(&b, version, &lead).await;
    let other_lead = desk.verify(&c).await;
    // A tip with another number, in a lead of its own.
    let elsewhere = desk
        .tip(|b| {
            b["contacts"] = json!([{"kind": "phone", "value": "13911112222"}]);
        })
        .await;
    let unrelated_lead = desk.verify(&elsewhere).await;

    let cluster = desk
        .get(
            &desk.moderator,
            "/v1/moderation/contacts/phone/138-0013-8000",
        )
        .await;
    assert_eq!(cluster["value"], CARD_PHONE);
    assert_eq!(cluster["tip_count"], 3);
    let leads = ids(&cluster["leads"]);
    assert_eq!(leads, [other_lead.clone(), lead.clone()], "newest first");
    assert!(!leads.contains(&unrelated_lead));
    assert_eq!(cluster["leads"][0]["status"], "open");
    assert!(
        cluster["leads"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("LD-")
    );

    let qq = desk
        .get(&desk.moderator, "/v1/moderation/contacts/qq/55501234")
        .await;
    assert_eq!(ids(&qq["leads"]).len(), 2);
    let nobody = desk
        .get(
            &desk.moderator,
            "/v1/moderation/contacts/wechat/nobody_here",
        )
        .await;
    assert_eq!(nobody["tip_count"], 0);
    assert_eq!(nobody["leads"], json!([]));
}
