//! Outcomes and rewards: the first-reporter bonus, and outcomes as data
//! that admins add, reword, reprice and retire.

use serde_json::json;

use crate::helpers::{CITIZEN_PHONE, City, PHONE_PHOTO, by_receipt, error_code, id_of, tiny_png};

#[tokio::test]
async fn the_first_reporter_bonus_is_paid_once_per_contact() {
    let city = City::open().await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let officer = city.officer("officer.qianmen", station).await;
    // The citizen reports first, but the later anonymous tip is verified
    // and its lead closed first: the bonus is the anonymous reporter's.
    let citizen = city.desk.citizen(CITIZEN_PHONE).await;
    let older = city.desk.submit_as(&citizen, PHONE_PHOTO, |_| {}).await;
    let newer = city
        .desk
        .submit_as(&city.desk.reporter, &tiny_png(), |_| {})
        .await;
    let close = |lead: String| {
        let city = &city;
        let officer = &officer;
        async move {
            city.forward(&lead, station).await;
            let accepted = city.accept(officer, &lead).await;
            let response = city
                .resolve(officer, &lead, &accepted["version"], "number_suspended")
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    close(city.desk.verify(&id_of(&newer["tip"])).await).await;
    let rewards = by_receipt(city.app(), &newer, "/rewards").await;
    assert_eq!(rewards["balance"], 30, "{rewards}");
    close(city.desk.verify(&id_of(&older["tip"])).await).await;
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 20, "only the outcome: {rewards}");
}

#[tokio::test]
async fn outcomes_are_data_that_admins_reword_and_reprice() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let officer = city.officer("officer.qianmen", station).await;
    let response = app
        .post_as(
            "/v1/admin/outcomes",
            &city.admin,
            json!({"code": "site_raided", "label_zh": "已查处窝点", "label_en": "Site raided",
                   "public_zh": "相关窝点已被查处。", "public_en": "The place was raided.",
                   "points": 40, "position": 5}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let response = app
        .post_as(
            "/v1/admin/outcomes",
            &city.admin,
            json!({"code": "site_raided", "label_zh": "x", "label_en": "x",
                   "public_zh": "x", "public_en": "x"}),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "outcome.exists");
    let response = app
        .patch_as(
            "/v1/admin/outcomes/number_suspended",
            &city.admin,
            json!({"retired": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .patch_as(
            "/v1/admin/outcomes/site_raided",
            &city.admin,
            json!({"public_en": "  "}),
        )
        .await;
    assert_eq!(error_code(response, 400).await, "request.invalid");
    let offered: Vec<String> = city
        .desk
        .get(&officer, "/v1/unit/outcomes")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(offered[0], "site_raided", "{offered:?}");
    assert!(!offered.contains(&"number_suspended".to_owned()));

    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let accepted = city.accept(&officer, &lead).await;
    let response = city
        .resolve(&officer, &lead, &accepted["version"], "number_suspended")
        .await;
    assert_eq!(error_code(response, 422).await, "lead.unknown_outcome");
    let response = city
        .resolve(&officer, &lead, &accepted["version"], "site_raided")
        .await;
    assert_eq!(response.status(), 200);
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 50, "40 and the bonus: {rewards}");
    // A reworded outcome reads anew; credited points stay.
    let response = app
        .patch_as(
            "/v1/admin/outcomes/site_raided",
            &city.admin,
            json!({"public_en": "The place was closed down.", "points": 5}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tip = by_receipt(app, &anonymous, "").await;
    let closed = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(closed["outcome"]["text_en"], "The place was closed down.");
    let rewards = by_receipt(app, &anonymous, "/rewards").await;
    assert_eq!(rewards["balance"], 40);
    let audit = city
        .desk
        .audit(&city.admin, &[("object_kind", "outcome")])
        .await;
    assert_eq!(audit.len(), 3);
}
