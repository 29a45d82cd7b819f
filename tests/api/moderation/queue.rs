//! The review queue: its filters, its pages while tips arrive, its counts,
//! and the spec of its state filter.

use std::collections::HashSet;

use serde_json::{Value, json};
use tipline::domain::Role;

use crate::helpers::{CARD_PHONE, Desk, error_code, id_of, ids, tiny_png, tip_body, upload};

/// Why, the query, and the tips expected in order.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a String>);

#[tokio::test]
async fn the_queue_is_filtered_by_state_category_time_place_contact_text_and_claim() {
    let desk = Desk::open().await;
    let (_, other_moderator) = desk.staff("mod.two", Role::Moderator).await;

    // Beijing, a card on a windscreen, the card's phone written by hand.
    let card = desk
        .tip(|b| {
            b["contacts"] = json!([{"kind": "phone", "value": "+86 13800138000"}]);
        })
        .await;
    // Everything after this instant is "later" (the server and the test
    // share a clock; the pauses keep the instant off both tips' times).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let boundary = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Shanghai, fraud.
    let fraud = desk
        .tip(|b| {
            b["category"] = json!("fraud");
            b["description"] = json!("A fake bank text message");
            b["address"] = json!("Nanjing Road");
            b["location"] = json!({"lat": 31.2304, "lon": 121.4737});
            b["contacts"] = json!([{"kind": "wechat", "value": "scammer_01"}]);
        })
        .await;
    // Beijing again, about 4.6 km north of the card; the text is only in
    // its address.
    let drugs = desk
        .tip(|b| {
            b["category"] = json!("drugs");
            b["description"] = json!("Small bags handed out at night");
            b["address"] = json!("Behind the Windmill bar");
            b["location"] = json!({"lat": 39.95, "lon": 116.3975});
            b["contacts"] = json!([{"kind": "qq", "value": "12345678"}]);
        })
        .await;
    let all = vec![card.clone(), fraud.clone(), drugs.clone()];

    // Without filters: everything waiting, oldest first; and newest first.
    let page = desk.queue(&[]).await;
    assert_eq!(ids(&page["items"]), all);
    assert!(page["next_cursor"].is_null());
    let mut newest = all.clone();
    newest.reverse();
    assert_eq!(
        ids(&desk.queue(&[("order", "newest")]).await["items"]),
        newest
    );
    let item = &page["items"][0];
    assert_eq!(item["status"], "submitted");
    assert_eq!(item["photo_count"], 1);
    assert_eq!(item["contacts"][0]["value"], CARD_PHONE);
    let thumbnail = reqwest::get(item["thumbnail_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), 200);

    let cases: Vec<Case> = vec![
        ("category", vec![("category", "fraud")], vec![&fraud]),
        (
            "created before the boundary",
            vec![("created_to", boundary.as_str())],
            vec![&card],
        ),
        (
            "created from the boundary",
            vec![("created_from", boundary.as_str())],
            vec![&fraud, &drugs],
        ),
        (
            "within 1 km of the card",
            vec![("near", "39.9087,116.3975,1000")],
            vec![&card],
        ),
        (
            "within 10 km of the card",
            vec![("near", "39.9087,116.3975,10000")],
            vec![&card, &drugs],
        ),
        (
            "the phone written another way",
            vec![("contact", "phone:138-0013-8000")],
            vec![&card],
        ),
        (
            "a wechat id in another case",
            vec![("contact", "wechat:Scammer_01")],
            vec![&fraud],
        ),
        (
            "text in the description, any case",
            vec![("q", "WINDSCREEN")],
            vec![&card],
        ),
        ("text in the address", vec![("q", "windmill")], vec![&drugs]),
        ("text in both", vec![("q", "Wind")], vec![&card, &drugs]),
        ("text nowhere", vec![("q", "casino")], vec![]),
        // No tip holds `%` or `_`: they match themselves, not anything.
        ("a literal percent sign", vec![("q", "%")], vec![]),
        ("a literal underscore", vec![("q", "_")], vec![]),
        (
            "filters combine",
            vec![("q", "wind"), ("category", "drugs")],
            vec![&drugs],
        ),
    ];
    for (why, params, expected) in cases {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&desk.queue(&params).await["items"]), expected, "{why}");
    }

    // Claims and states: the fraud tip in review (held by the first
    // moderator), the drugs tip rejected.
    desk.claim(&fraud).await;
    let version = desk.claim(&drugs).await;
    desk.decide(
        &drugs,
        "reject",
        json!({"version": version, "reason": "no_violation"}),
    )
    .await;

    let by_state: Vec<Case> = vec![
        ("waiting (the default)", vec![], vec![&card, &fraud]),
        ("one state", vec![("status", "in_review")], vec![&fraud]),
        (
            "a finished state",
            vec![("status", "rejected")],
            vec![&drugs],
        ),
        (
            "repeated",
            vec![("status", "rejected"), ("status", "submitted")],
            vec![&card, &drugs],
        ),
        (
            "three, one twice",
            vec![
                ("status", "in_review"),
                ("status", "rejected"),
                ("status", "submitted"),
                ("status", "rejected"),
            ],
            vec![&card, &fraud, &drugs],
        ),
        ("claimed by me", vec![("claimed_by", "me")], vec![&fraud]),
        (
            "claimed by nobody",
            vec![("claimed_by", "none")],
            vec![&card],
        ),
    ];
    for (why, params, expected) in by_state {
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&desk.queue(&params).await["items"]), expected, "{why}");
    }
    // "Me" is whoever asks.
    let theirs = desk
        .queue_as(&other_moderator, &[("claimed_by", "me")])
        .await;
    assert_eq!(ids(&theirs["items"]), Vec::<String>::new());
    let held = desk.queue(&[("status", "in_review")]).await;
    assert_eq!(
        held["items"][0]["claimed_by"],
        desk.moderator_id.to_string()
    );

    // A state the schema does not list is refused by the schema.
    for value in ["bogus", "submitted,in_review"] {
        let response = desk
            .queue_response(&desk.moderator, &[("status", value)])
            .await;
        assert_eq!(
            error_code(response, 400).await,
            "request.invalid",
            "{value}"
        );
    }
    // The form of a filter is the schema's (400); what it means, the
    // service's (422).
    let bad: [(&str, &str, u16, &str); 8] = [
        ("near", "somewhere", 400, "request.invalid"),
        ("near", "39.9,116.4", 400, "request.invalid"),
        ("near", "39.9,116.4,0", 422, "request.invalid_filter"),
        ("near", "39.9,116.4,60000", 422, "request.invalid_filter"),
        ("near", "91,116.4,100", 422, "request.invalid_filter"),
        ("contact", "13800138000", 400, "request.invalid"),
        ("contact", "fax:13800138000", 400, "request.invalid"),
        ("contact", "phone:12345", 422, "request.invalid_filter"),
    ];
    for (name, value, status, code) in bad {
        let response = desk.queue_response(&desk.moderator, &[(name, value)]).await;
        assert_eq!(error_code(response, status).await, code, "{name}={value}");
    }
    let response = desk
        .queue_response(&desk.moderator, &[("cursor", "not-a-cursor")])
        .await;
    assert_eq!(error_code(response, 422).await, "request.invalid_cursor");
}

#[tokio::test]
async fn queue_pages_have_no_duplicates_and_no_gaps_while_tips_arrive() {
    let desk = Desk::open().await;
    let mut created = Vec::new();
    for _ in 0..11 {
        created.push(desk.tip(|_| {}).await);
    }
    let at_start = created.clone();

    // Oldest first, five at a time; between pages two new tips arrive and
    // a tip not yet seen changes state (submitted → in_review, still in
    // the queue).
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("limit", "5".to_owned())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = desk.queue(&params).await;
        let items = ids(&page["items"]);
        assert!(items.len() <= 5);
        seen.extend(items);
        pages += 1;
        assert!(pages < 20, "the walk does not end");
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        for _ in 0..2 {
            created.push(desk.tip(|_| {}).await);
        }
        if let Some(unseen) = created.iter().find(|id| !seen.contains(id)) {
            desk.claim(unseen).await;
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a tip came twice: {seen:?}");
    // Every tip, in arrival order: those of the start first, then those
    // that came during the walk (they are newer, so they come after).
    assert_eq!(seen, created);
    assert_eq!(&seen[..at_start.len()], &at_start[..]);

    // Newest first: tips that arrive during the walk are newer than the
    // cursor, so the walk shows exactly what existed when it began.
    let at_start = created.clone();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("limit", "4".to_owned()), ("order", "newest".to_owned())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = desk.queue(&params).await;
        seen.extend(ids(&page["items"]));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        desk.tip(|_| {}).await;
    }
    let mut expected = at_start;
    expected.reverse();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn counts_follow_tips_from_state_to_state() {
    let desk = Desk::open().await;
    let a = desk.tip(|_| {}).await;
    let b = desk.tip(|_| {}).await;
    let c = desk.tip(|_| {}).await;

    let counts = |page: &Value| {
        let c = &page["counts"];
        (
            c["submitted"].as_i64().unwrap(),
            c["in_review"].as_i64().unwrap(),
            c["verified"].as_i64().unwrap(),
            c["rejected"].as_i64().unwrap(),
        )
    };
    assert_eq!(counts(&desk.queue(&[]).await), (3, 0, 0, 0));
    desk.claim(&a).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 1, 0, 0));
    // Renewing one's own claim moves nothing.
    let version = desk.claim(&a).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 1, 0, 0));
    desk.decide(&a, "verify", json!({"version": version})).await;
    assert_eq!(counts(&desk.queue(&[]).await), (2, 0, 1, 0));
    let version = desk.claim(&b).await;
    desk.decide(
        &b,
        "reject",
        json!({"version": version, "reason": "unreadable"}),
    )
    .await;
    assert_eq!(counts(&desk.queue(&[]).await), (1, 0, 1, 1));
    // The counts are of every tip, whatever the filters.
    desk.claim(&c).await;
    let filtered = desk.queue(&[("category", "gambling")]).await;
    assert_eq!(ids(&filtered["items"]), Vec::<String>::new());
    assert_eq!(counts(&filtered), (0, 1, 1, 1));
}

/// Submissions, claims and decisions at once, each moving a count in a
/// counter row of its own choosing: the counts, summed over those rows, are
/// exactly the tips in each state, and no single row took every change.
#[tokio::test]
async fn counts_stay_exact_under_concurrent_submissions_and_decisions() {
    use futures_util::future::join_all;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    use tipline::domain::tip::TipStatus;
    use tipline::store::tips::{self, status_count, tip};

    const N: usize = 24;
    let desk = &Desk::open().await;
    let (_, second) = desk.staff("mod.two", Role::Moderator).await;
    let second = &second;
    // Photos first, so that what runs at once is the submissions.
    let mut bodies = Vec::new();
    for _ in 0..2 * N {
        let media = upload(&desk.app, &desk.reporter, &tiny_png()).await;
        bodies.push(tip_body(&[media["id"].as_str().unwrap()]));
    }
    let later = bodies.split_off(N);
    let submit = |body: Value| async {
        let response = desk.app.post_as("/v1/tips", &desk.reporter, body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let submitted: Value = response.json().await.unwrap();
        id_of(&submitted["tip"])
    };
    let first: Vec<String> = join_all(bodies.into_iter().map(submit)).await;

    // More tips arrive while two moderators claim the first ones...
    let claims = first.iter().enumerate().map(|(i, id)| {
        let token = if i % 2 == 0 { &desk.moderator } else { second };
        async move { (id.clone(), token, desk.claim_as(token, id).await) }
    });
    let (_, claimed) = tokio::join!(join_all(later.into_iter().map(submit)), join_all(claims));
    // ...and decide them, a third verified, a third rejected, a third left
    // in review.
    let decisions = claimed.iter().enumerate().filter(|(i, _)| i % 3 != 2).map(
        |(i, (id, token, version))| async move {
            let (action, body) = if i % 3 == 0 {
                ("verify", json!({"version": version}))
            } else {
                (
                    "reject",
                    json!({"version": version, "reason": "unreadable"}),
                )
            };
            let response = desk.decide_as(token, id, action, body).await;
            assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        },
    );
    join_all(decisions).await;

    let db = &desk.app.state.db;
    let mut actual: Vec<(TipStatus, i64)> = tip::Entity::find()
        .select_only()
        .column(tip::Column::Status)
        .column_as(tip::Column::Id.count(), "n")
        .group_by(tip::Column::Status)
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    actual.sort();
    let counted: Vec<(TipStatus, i64)> = tips::status_counts(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .collect();
    assert_eq!(counted, actual);
    let third = (N / 3) as i64;
    assert_eq!(
        actual,
        vec![
            (TipStatus::InReview, third),
            (TipStatus::Rejected, third),
            (TipStatus::Submitted, N as i64),
            (TipStatus::Verified, third),
        ]
    );
    let page = desk.queue(&[]).await;
    assert_eq!(page["counts"]["submitted"], N, "{page}");
    assert_eq!(page["counts"]["in_review"], third, "{page}");

    // The changes were spread over the rows of each state.
    let used = status_count::Entity::find()
        .filter(status_count::Column::Status.eq(TipStatus::Submitted))
        .filter(status_count::Column::Count.ne(0))
        .all(db)
        .await
        .unwrap();
    assert!(used.len() > 1, "{used:?}");
}

/// Both lists work without a state filter (the queue then shows what
/// waits, leads of every state), so the spec must not make clients send
/// one: a generated client would otherwise insist on it.
#[test]
fn the_spec_lets_clients_leave_the_state_filter_out() {
    use tipline::commands::{SpecFormat, openapi};
    let spec: Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    for path in ["/v1/moderation/tips", "/v1/leads"] {
        let parameters = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
        let status = parameters
            .iter()
            .find(|p| p["name"] == "status")
            .unwrap_or_else(|| panic!("{path} has a status filter"));
        assert_eq!(status["required"], false, "{path}: {status}");
    }
}

/// The tips of one contact, page by page in both orders and from a time:
/// every page bounds the contact's own walk, and none skips or repeats.
#[tokio::test]
async fn a_contacts_tips_page_through_in_both_orders() {
    let desk = Desk::open().await;
    let mut carriers = Vec::new();
    for i in 0..7 {
        let tip = desk
            .tip(|b| {
                b["contacts"] = json!([{"kind": "phone", "value": "+86 13900139000"}]);
            })
            .await;
        carriers.push(tip);
        if i % 2 == 0 {
            desk.tip(|_| {}).await; // a tip without the number between
        }
    }
    assert_eq!(walk_contact(&desk, "oldest", None).await, carriers);
    let mut newest = carriers.clone();
    newest.reverse();
    assert_eq!(walk_contact(&desk, "newest", None).await, newest);

    // From the fourth carrier's time on: the last four, both ways.
    let fourth = desk.detail(&carriers[3]).await;
    let from = fourth["created_at"].as_str().unwrap();
    assert_eq!(
        walk_contact(&desk, "oldest", Some(from)).await,
        carriers[3..]
    );
    let mut last_four = carriers[3..].to_vec();
    last_four.reverse();
    assert_eq!(walk_contact(&desk, "newest", Some(from)).await, last_four);
}

/// Every tip carrying +86 139 0013 9000, two a page.
async fn walk_contact(desk: &Desk, order: &str, from: Option<&str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![
            ("limit", "2"),
            ("contact", "phone:13900139000"),
            ("order", order),
        ];
        if let Some(from) = from {
            params.push(("created_from", from));
        }
        if let Some(c) = &cursor {
            params.push(("cursor", c));
        }
        let page = desk.queue(&params).await;
        seen.extend(ids(&page["items"]));
        assert!(seen.len() <= 7, "the walk repeats: {seen:?}");
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
}
