//! Webhooks: signed, retried until the receiver takes them, kept across a
//! restart, and carrying nothing about reporters.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{
    CITIZEN_PHONE, City, Desk, Receiver, TestApp, TestEnv, eventually, free_port, signed_right,
};

#[tokio::test]
async fn webhooks_are_signed_retried_and_survive_a_restart() {
    const SECRET: &str = "station-webhook-secret-42";
    let mut env = TestEnv::new().await;
    for (key, value) in [
        ("TIPLINE_WEBHOOK_POLL_MS", "50"),
        ("TIPLINE_WEBHOOK_RETRY_BASE_MS", "50"),
        ("TIPLINE_WEBHOOK_MAX_ATTEMPTS", "60"),
        ("TIPLINE_WEBHOOK_TIMEOUT_MS", "2000"),
        ("TIPLINE_TIPS_PER_HOUR_PER_REPORTER", "1000"),
        ("TIPLINE_MEDIA_PER_HOUR_PER_REPORTER", "1000"),
    ] {
        env.set(key, value);
    }
    let port = free_port();
    let city = City::in_env(env).await;
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"],
            "webhook": {"url": format!("http://127.0.0.1:{port}/tipline"), "secret": SECRET},
        }))
        .await;
    let (lead, citizen, _, anonymous) = city.lead_of_two().await;
    let citizen_id = city.desk.get(&citizen, "/v1/me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The receiver is down: the event is retried, not lost.
    city.forward(&lead, station).await;
    let retried = eventually(Duration::from_secs(30), || async {
        let events = city.webhook_events(&[]).await;
        events.len() == 1
            && events[0]["status"] == "pending"
            && events[0]["attempts"].as_i64().unwrap() >= 2
    })
    .await;
    assert!(retried, "{:?}", city.webhook_events(&[]).await);
    let event = city.webhook_events(&[]).await[0].clone();
    assert_eq!(event["event"], "lead.forwarded");
    assert_eq!(event["last_error"], "could not connect");
    let event_id = event["id"].as_str().unwrap().to_owned();

    // tipline restarts; the receiver comes back, failing its first answer.
    let City { desk, admin } = city;
    let Desk {
        app,
        moderator,
        moderator_id,
        reporter,
    } = desk;
    let env = app.stop().await;
    let receiver = Receiver::start(port, 1).await;
    let app = TestApp::spawn_in(env).await;
    let city = City {
        desk: Desk {
            app,
            moderator,
            moderator_id,
            reporter,
        },
        admin,
    };
    let delivered = eventually(Duration::from_secs(30), || async {
        city.webhook_events(&[]).await[0]["status"] == "delivered"
    })
    .await;
    assert!(delivered, "{:?}", city.webhook_events(&[]).await);
    let got = receiver.deliveries();
    assert_eq!(got.len(), 2, "one refused, one taken: {got:?}");
    for delivery in &got {
        // The duplicate carries the same event id, and the body says it too.
        assert_eq!(delivery.event_id, event_id);
        assert_eq!(delivery.event, "lead.forwarded");
        assert!(signed_right(delivery, SECRET), "{delivery:?}");
        assert!(!signed_right(delivery, "another-secret-0123456"));
        let body: Value = serde_json::from_str(&delivery.body).unwrap();
        assert_eq!(body["id"], event_id.as_str());
        assert_eq!(body["event"], "lead.forwarded");
        assert_eq!(body["data"]["lead_id"], lead.as_str());
        assert_eq!(body["data"]["tips"], 2);
    }
    assert_eq!(got[0].body, got[1].body);

    // A return is told too, once, signed.
    let officer = city.officer("officer.qianmen", station).await;
    let response = city.return_lead(&officer, &lead, "not ours").await;
    assert_eq!(response.status(), 204);
    let told = eventually(Duration::from_secs(30), || async {
        receiver.deliveries().len() == 3
    })
    .await;
    assert!(told);
    let returned = receiver.deliveries()[2].clone();
    assert_eq!(returned.event, "lead.returned");
    assert_ne!(returned.event_id, event_id);
    assert!(signed_right(&returned, SECRET));
    let body: Value = serde_json::from_str(&returned.body).unwrap();
    assert_eq!(body["data"]["reason"], "not ours");
    // Forwarded again and left waiting: the overdue lead is told too.
    city.forward(&lead, station).await;
    city.app().state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        tipline::deadlines::sweep(&city.app().state).await.unwrap(),
        1
    );
    let told = eventually(Duration::from_secs(30), || async {
        receiver.deliveries().len() == 5
    })
    .await;
    assert!(told, "{:?}", receiver.deliveries());
    // Both due in one pass, delivered side by side: in either order.
    let events: Vec<String> = receiver.deliveries()[3..]
        .iter()
        .map(|d| d.event.clone())
        .collect();
    assert!(events.contains(&"lead.forwarded".to_owned()), "{events:?}");
    let overdue = receiver
        .deliveries()
        .into_iter()
        .find(|d| d.event == "lead.overdue")
        .expect("the overdue event");
    assert!(signed_right(&overdue, SECRET));
    let body: Value = serde_json::from_str(&overdue.body).unwrap();
    assert_eq!(body["data"]["deadline"], "accept");
    let events = city.webhook_events(&[("status", "delivered")]).await;
    assert_eq!(events.len(), 4);
    // Nothing about reporters went out.
    for delivery in receiver.deliveries() {
        for secret in [
            "receipt",
            "reporter",
            citizen_id.as_str(),
            CITIZEN_PHONE,
            anonymous["receipt"]["code"].as_str().unwrap(),
        ] {
            assert!(!delivery.body.contains(secret), "{secret}: {delivery:?}");
        }
    }
}
