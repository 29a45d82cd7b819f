//! Deadlines: an overdue lead is flagged once per deadline, the command
//! centre told, and the unit's on-time rate counts it.

use serde_json::json;

use super::kinds;
use crate::helpers::{City, TestEnv, free_port};

#[tokio::test]
async fn overdue_leads_are_flagged_and_the_command_centre_told_once_per_deadline() {
    // Only this test's sweeps, none in the background.
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_DEADLINE_SWEEP_SECS", "86400");
    let city = City::in_env(env).await;
    let app = city.app();
    let station = city
        .station(json!({
            "categories": ["illicit_card_ads"], "accept_hours": 2, "resolve_hours": 48,
        }))
        .await;
    let centre = city
        .unit(json!({
            "name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center",
            // Nobody listens there: the event waits in the outbox.
            "webhook": {"url": format!("http://127.0.0.1:{}/hook", free_port()),
                        "secret": "centre-secret-0123456789"},
        }))
        .await;
    let watcher = city.officer("watch.centre", centre).await;
    let (lead, _, _, _) = city.lead_of_two().await;
    city.forward(&lead, station).await;

    // On time: nothing.
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    assert!(city.desk.leads(&[("overdue", "true")]).await.is_empty());

    app.state.clock.advance(chrono::Duration::hours(3));
    assert_eq!(
        city.desk.leads(&[("overdue", "true")]).await,
        std::slice::from_ref(&lead)
    );
    // Two nodes sweeping at once, and again later: one flag, one message.
    let (a, b) = tokio::join!(
        tipline::deadlines::sweep(&app.state),
        tipline::deadlines::sweep(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    let told = city.desk.get(&watcher, "/v1/me/notifications").await;
    assert_eq!(kinds(&told), ["lead.overdue"]);
    assert_eq!(told["items"][0]["lead_id"], lead.as_str());
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("accept deadline")
    );
    let events = city
        .webhook_events(&[("unit_id", &centre.to_string())])
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "lead.overdue");
    let flagged = city.desk.lead(&lead).await;
    assert!(flagged["overdue_since"].is_string());
    let history: Vec<&str> = flagged["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(history.iter().filter(|a| **a == "overdue").count(), 1);
    let officer = city.officer("officer.qianmen", station).await;
    let overdue = city.desk.get(&officer, "/v1/unit/leads?overdue=true").await;
    assert_eq!(overdue["items"][0]["id"], lead.as_str());
    // The inbox's tabs count it, overdue, in its state; the other states
    // are there with nothing in them.
    let counts = city.desk.get(&officer, "/v1/unit/counts").await;
    assert_eq!(
        counts["states"],
        json!([
            {"status": "forwarded", "leads": 1, "overdue": 1},
            {"status": "accepted", "leads": 0, "overdue": 0},
            {"status": "resolved", "leads": 0, "overdue": 0},
        ])
    );
    let of_another_category = city
        .desk
        .get(&officer, "/v1/unit/counts?category=gambling")
        .await;
    assert_eq!(of_another_category["states"][0]["leads"], 0);

    // Accepting late starts the resolve deadline, on time again; missing
    // that one tells the centre once more.
    city.accept(&officer, &lead).await;
    assert!(city.desk.leads(&[("overdue", "true")]).await.is_empty());
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    app.state.clock.advance(chrono::Duration::hours(49));
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 1);
    assert_eq!(tipline::deadlines::sweep(&app.state).await.unwrap(), 0);
    let told = city.desk.get(&watcher, "/v1/me/notifications").await;
    assert_eq!(kinds(&told), ["lead.overdue", "lead.overdue"]);
    assert!(
        told["items"][0]["text_en"]
            .as_str()
            .unwrap()
            .contains("resolve deadline")
    );
    // The station was late on both: its on-time rate says so.
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    let unit = stats["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == station.to_string())
        .unwrap()
        .clone();
    assert_eq!(unit["on_time"], 0, "{stats}");
    assert_eq!(unit["on_time_rate"], 0.0);
    // Generous deadlines now do not excuse the past.
    let response = app
        .patch_as(
            &format!("/v1/admin/units/{station}"),
            &city.admin,
            json!({"accept_hours": 1000, "resolve_hours": 1000}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let stats = city.desk.get(&city.admin, "/v1/stats/overview").await;
    assert_eq!(stats["units"][0]["on_time"], 0, "{stats}");
}
