//! The unit's side of a lead: forwarded, accepted, resolved with an
//! outcome that reaches every reporter (notifications, rewards,
//! statistics), or returned and rerouted; what an officer may see, and the
//! unit's live inbox.

use serde_json::{Value, json};

use super::{count_key, kinds};
use crate::helpers::{
    CITIZEN_PHONE, City, Events, by_receipt, city_area, district_area, error_code,
};

#[tokio::test]
async fn the_whole_mission_runs_from_two_reports_to_their_reward() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads", "gambling"],
        }))
        .await;
    let district = city
        .unit(json!({
            "name_zh": "东城分局", "name_en": "Dongcheng Branch",
            "kind": "police_station", "jurisdiction": district_area(),
            "categories": ["illicit_card_ads"],
        }))
        .await;
    // Holds the place but not the matter; the centre is only a fallback.
    city.unit(json!({
        "name_zh": "市场监管局", "name_en": "Market Supervision",
        "kind": "department", "jurisdiction": city_area(), "categories": ["fraud"],
    }))
    .await;
    city.unit(
        json!({"name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center"}),
    )
    .await;

    let (lead, citizen, citizen_tip, anonymous) = city.lead_of_two().await;

    // Routing: the station whose polygon holds both points, most specific
    // first, with the reason.
    let routing = city
        .desk
        .get(&city.desk.moderator, &format!("/v1/leads/{lead}/routing"))
        .await;
    let suggested: Vec<&str> = routing["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["unit_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        suggested,
        [station.to_string(), district.to_string()],
        "{routing}"
    );
    assert!(
        routing["suggestions"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("2 of the lead's 2 places"),
        "{routing}"
    );

    let forwarded = city.forward(&lead, station).await;
    assert_eq!(forwarded["status"], "forwarded");
    assert_eq!(forwarded["unit_id"], station.to_string());
    assert!(forwarded["due_at"].is_string());
    for tip in forwarded["tips"].as_array().unwrap() {
        assert_eq!(tip["status"], "forwarded");
    }

    // Another station's officer: the lead does not exist for them.
    let stranger = city.officer("officer.district", district).await;
    let response = app
        .get_as(&format!("/v1/unit/leads/{lead}"), &stranger)
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let response = city
        .act(&stranger, &lead, "accept", json!({"version": 1}))
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let theirs = city.desk.get(&stranger, "/v1/unit/leads").await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    // Citizens and moderators do not see the unit's side at all.
    let response = app.get_as("/v1/unit/leads", &citizen).await;
    assert_eq!(response.status(), 404);

    let officer = city.officer("officer.qianmen", station).await;
    let inbox = city
        .desk
        .get(
            &officer,
            "/v1/unit/leads?status=forwarded&category=illicit_card_ads",
        )
        .await;
    assert_eq!(inbox["items"][0]["id"], lead.as_str());
    for other in [
        "/v1/unit/leads?category=gambling",
        "/v1/unit/leads?status=resolved",
    ] {
        let none = city.desk.get(&officer, other).await;
        assert!(none["items"].as_array().unwrap().is_empty(), "{other}");
    }
    let accepted = city.accept(&officer, &lead).await;
    assert_eq!(accepted["status"], "accepted");
    let response = city
        .act(
            &officer,
            &lead,
            "progress",
            json!({"note": "number passed to the carrier"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = city
        .act(&officer, &lead, "progress", json!({"note": "  \n "}))
        .await;
    assert_eq!(error_code(response, 400).await, "request.invalid");
    let outcomes = city.desk.get(&officer, "/v1/unit/outcomes").await;
    assert!(
        outcomes
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["code"] == "number_suspended")
    );
    let response = city
        .resolve(&officer, &lead, &accepted["version"], "no_such_outcome")
        .await;
    assert_eq!(error_code(response, 422).await, "lead.unknown_outcome");
    let response = city
        .act(
            &officer,
            &lead,
            "resolve",
            json!({
                "version": accepted["version"], "outcome": "number_suspended",
                "public_note": "Thank you, neighbours.",
                "internal_note": "carrier ticket 4471",
            }),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let resolved: Value = response.json().await.unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome_code"], "number_suspended");
    // Resolving again (a retry, a second officer) changes nothing.
    for version in [accepted["version"].clone(), resolved["version"].clone()] {
        let response = city.resolve(&officer, &lead, &version, "arrest_made").await;
        assert_eq!(response.status(), 409);
    }

    // The citizen: closed with the outcome, told, and rewarded (outcome
    // points, and the first-reporter bonus: theirs came first).
    let tip = city
        .desk
        .get(&citizen, &format!("/v1/tips/{citizen_tip}"))
        .await;
    assert_eq!(tip["status"], "closed");
    let last = tip["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "closed");
    assert_eq!(last["outcome"]["code"], "number_suspended");
    assert_eq!(last["note"], "Thank you, neighbours.");
    assert!(!tip.to_string().contains("carrier ticket"));
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(
        kinds(&told),
        ["tip.closed", "tip.forwarded", "tip.verified"]
    );
    assert_eq!(told["unread"], 3);
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
    assert!(
        told["items"][1]["text_en"]
            .as_str()
            .unwrap()
            .contains("Qianmen Police Station")
    );
    let rewards = city.desk.get(&citizen, "/v1/me/rewards").await;
    assert_eq!(rewards["balance"], 30, "{rewards}");
    let mut reasons: Vec<&str> = rewards["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    reasons.sort();
    assert_eq!(reasons, ["first_reporter", "outcome"]);
    let response = app
        .post_as(
            "/v1/me/notifications/read",
            &citizen,
            json!({"ids": [told["items"][0]["id"]]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    assert_eq!(told["unread"], 2);
    assert_eq!(
        kinds(&told),
        ["tip.forwarded", "tip.verified", "tip.closed"],
        "unread first"
    );
    // Pages of one follow the same order, with no gaps.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/me/notifications?limit=1&cursor={c}"),
            None => "/v1/me/notifications?limit=1".to_owned(),
        };
        let page = city.desk.get(&citizen, &path).await;
        paged.extend(kinds(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, kinds(&told));

    // The anonymous reporter, through the receipt.
    let tip = by_receipt(app, &anonymous, "").await;
    assert_eq!(tip["status"], "closed");
    let history = tip["history"].as_array().unwrap();
    assert_eq!(
        history.last().unwrap()["outcome"]["code"],
        "number_suspended"
    );
    let told = by_receipt(app, &anonymous, "/notifications").await;
    assert_eq!(
        kinds(&told),
        ["tip.closed", "tip.forwarded", "tip.verified"]
    );
    let rewards = by_receipt(app, &anonymous, "/rewards").await;
    assert_eq!(rewards["balance"], 20, "{rewards}");

    // Statistics count it.
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(count_key(&stats["tips_by_status"], "closed"), 2, "{stats}");
    assert_eq!(count_key(&stats["leads_by_status"], "resolved"), 1);
    assert_eq!(
        count_key(&stats["leads_by_category"], "illicit_card_ads"),
        1
    );
    assert_eq!(stats["submitted_to_verified"]["count"], 2);
    assert_eq!(stats["verified_to_forwarded"]["count"], 2);
    assert_eq!(stats["forwarded_to_accepted"]["count"], 1);
    assert_eq!(stats["accepted_to_resolved"]["count"], 1);
    assert_eq!(stats["leads_forwarded"], 1);
    assert_eq!(stats["non_police_share"], 0.0);
    let unit = &stats["units"][0];
    assert_eq!(unit["unit_id"], station.to_string());
    assert_eq!(unit["on_time"], 1);
    assert_eq!(unit["on_time_rate"], 1.0);
    // Moderators read them too.
    city.desk
        .get(&city.desk.moderator, "/v1/stats/overview")
        .await;
    let response = app.get_as("/v1/stats/overview", &officer).await;
    assert_eq!(response.status(), 404);
    let response = app.get_as("/v1/stats/leads.csv", &city.admin).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let reference = city.desk.lead(&lead).await["reference"].clone();
    let row = csv
        .lines()
        .find(|l| l.starts_with(reference.as_str().unwrap()))
        .expect("the lead's row");
    assert!(row.contains(",resolved,illicit_card_ads,2,Qianmen Police Station,police_station,"));
    assert!(row.contains(",number_suspended,false"));
}

#[tokio::test]
async fn a_returned_lead_is_rerouted_to_a_department_and_the_history_shows_both() {
    let city = City::open().await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let department = city
        .unit(json!({
            "name_zh": "城管局", "name_en": "Urban Management",
            "kind": "department", "jurisdiction": city_area(),
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let (lead, citizen, citizen_tip, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let officer = city.officer("officer.qianmen", station).await;
    let response = city
        .return_lead(
            &officer,
            &lead,
            "only cards, no number to pursue: urban management",
        )
        .await;
    assert_eq!(response.status(), 204, "{}", response.text().await.unwrap());
    // Gone from the station, back with the moderators.
    let response = app
        .get_as(&format!("/v1/unit/leads/{lead}"), &officer)
        .await;
    assert_eq!(error_code(response, 404).await, "lead.not_found");
    let back = city.desk.lead(&lead).await;
    assert_eq!(back["status"], "open");
    assert!(back["unit_id"].is_null());
    // Its tips were forwarded with it and stay in it.
    let response = city
        .desk
        .remove_from_lead(&lead, &citizen_tip, back["version"].as_i64().unwrap())
        .await;
    assert_eq!(error_code(response, 409).await, "lead.tip_forwarded");
    // A forward on the version from before the return is refused.
    let response = app
        .post_as(
            &format!("/v1/leads/{lead}/forward"),
            &city.desk.moderator,
            json!({"version": back["version"].as_i64().unwrap() - 1, "unit_id": department}),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "lead.stale_version");
    let response = city
        .act(
            &officer,
            &lead,
            "return",
            json!({"version": 1, "reason": "   "}),
        )
        .await;
    // The text is checked first; nothing is said of the lead.
    assert_eq!(error_code(response, 400).await, "request.invalid");

    let rerouted = city.forward(&lead, department).await;
    assert_eq!(rerouted["status"], "forwarded");
    let history: Vec<(String, Option<String>)> = rerouted["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["unit_id"].as_str().map(str::to_owned),
            )
        })
        .filter(|(action, _)| ["forwarded", "returned"].contains(&action.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("forwarded".to_owned(), Some(station.to_string())),
            ("returned".to_owned(), Some(station.to_string())),
            ("forwarded".to_owned(), Some(department.to_string())),
        ]
    );
    let returned = rerouted["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["action"] == "returned")
        .unwrap();
    assert!(
        returned["note"]
            .as_str()
            .unwrap()
            .contains("urban management")
    );

    // The reporter heard of both units, by their public names.
    let told = city.desk.get(&citizen, "/v1/me/notifications").await;
    let texts: Vec<&str> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text_en"].as_str().unwrap())
        .collect();
    assert!(texts[0].contains("Urban Management"), "{texts:?}");
    assert!(texts[1].contains("Qianmen Police Station"), "{texts:?}");
    let tip = city
        .desk
        .get(&citizen, &format!("/v1/tips/{citizen_tip}"))
        .await;
    assert_eq!(tip["status"], "forwarded");

    // The department works it; statistics count a non-police lead.
    let clerk = city.officer("clerk.urban", department).await;
    let accepted = city.accept(&clerk, &lead).await;
    let response = city
        .resolve(&clerk, &lead, &accepted["version"], "cards_cleared")
        .await;
    assert_eq!(response.status(), 200);
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(stats["leads_to_non_police"], 1);
    assert_eq!(stats["non_police_share"], 1.0);
}

#[tokio::test]
async fn unit_views_carry_no_reporter_identity() {
    let city = City::open().await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
        }))
        .await;
    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    let me = city.desk.get(&citizen, "/v1/me").await;
    city.forward(&lead, station).await;
    let officer = city.officer("officer.qianmen", station).await;

    // The schema: nothing in the unit's responses can name a reporter.
    let spec: Value = serde_json::from_str(&tipline::commands::openapi(
        tipline::commands::SpecFormat::Json,
    ))
    .unwrap();
    let schemas = &spec["components"]["schemas"];
    let mut seen = Vec::new();
    let mut todo = vec!["UnitLeadView".to_owned(), "UnitLeadPage".to_owned()];
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        let text = schemas[&name].to_string();
        assert_ne!(schemas[&name], Value::Null, "{name}");
        let properties = schemas[&name]["properties"].as_object();
        for property in properties.into_iter().flat_map(|p| p.keys()) {
            for forbidden in ["reporter", "receipt", "user", "phone", "account", "session"] {
                assert!(!property.contains(forbidden), "{name}.{property}");
            }
        }
        for part in text.split("#/components/schemas/").skip(1) {
            todo.push(part.split('"').next().unwrap().to_owned());
        }
        seen.push(name);
    }
    assert!(seen.contains(&"UnitTip".to_owned()), "{seen:?}");

    // The bodies: no account id, phone, receipt or anonymous session.
    let detail = city.unit_lead(&officer, &lead).await;
    let inbox = city.desk.get(&officer, "/v1/unit/leads").await;
    assert_eq!(detail["tips"].as_array().unwrap().len(), 2);
    assert_eq!(detail["tips"][0]["photos"].as_array().unwrap().len(), 1);
    // The photo schema is shared with moderators; officers get the copies
    // and nothing that describes the original.
    let photo = detail["tips"][0]["photos"][0].as_object().unwrap();
    for field in ["sha256", "byte_size", "content_type"] {
        assert!(!photo.contains_key(field), "{field} in {photo:?}");
    }
    assert!(photo["display_url"].as_str().unwrap().starts_with("http"));
    assert!(detail["contacts"].to_string().contains("+8613800138000"));
    for body in [detail.to_string(), inbox.to_string()] {
        for secret in [
            me["id"].as_str().unwrap(),
            CITIZEN_PHONE,
            "+8613912345678",
            anonymous["receipt"]["code"].as_str().unwrap(),
            anonymous["receipt"]["secret"].as_str().unwrap(),
        ] {
            assert!(!body.contains(secret), "{secret} in {body}");
        }
        assert!(!body.contains("original"), "{body}");
    }
}

#[tokio::test]
async fn a_units_inbox_hears_its_leads_arrive_and_leave_and_nothing_else() {
    let city = City::open().await;
    let station = city
        .station(json!({"categories": ["illicit_card_ads"]}))
        .await;
    let other = city
        .unit(json!({"name_zh": "西城派出所", "name_en": "Xicheng station", "kind": "police_station"}))
        .await;
    let officer = city.officer("off.station", station).await;
    let elsewhere = city.officer("off.other", other).await;
    let wait = std::time::Duration::from_secs(20);
    let mut inbox = Events::open(city.app(), "/v1/unit/events", &officer, None).await;
    let mut theirs = Events::open(city.app(), "/v1/unit/events", &elsewhere, None).await;
    // Moderators' and officers' streams are each hidden from the other.
    let hidden = city
        .app()
        .get_as("/v1/unit/events", &city.desk.moderator)
        .await;
    assert_eq!(error_code(hidden, 404).await, "not_found");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let (lead, _, _, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;
    let arrived = inbox
        .until(wait, |f| {
            f.event == "lead" && f.data["lead"]["id"] == lead.as_str()
        })
        .await;
    assert_eq!(arrived.data["action"], "lead.forward");
    assert_eq!(arrived.data["lead"]["status"], "forwarded");
    let text = arrived.data.to_string();
    assert!(!text.contains(CITIZEN_PHONE), "{text}");

    let response = city.return_lead(&officer, &lead, "not our area").await;
    assert_eq!(response.status(), 204);
    let gone = inbox.until(wait, |f| f.event == "lead_gone").await;
    assert_eq!(gone.data["lead_id"], lead.as_str());
    // The other station heard of none of it.
    assert!(
        theirs
            .next(std::time::Duration::from_secs(2))
            .await
            .is_none()
    );
}
