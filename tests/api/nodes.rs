//! Several nodes: two `tipline` processes on one PostgreSQL database and
//! one S3 store, both serving and both running their background work.
//! What the service promises holds across them: a rate limit is counted
//! once, an idempotency key makes one tip whichever node gets it, of two
//! claims at once one wins, a webhook event goes out once per attempt, a
//! deadline is told once, and the audit log stays one chain when a node
//! is killed in the middle of sealing it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::json;
use tipline::domain::Role;

use crate::helpers::{
    Load, Nodes, Receiver, Retry, TestEnv, at_once, eventually, form, free_port, node_name,
    node_settings, nodes_possible, signed_right, station_area, tiny_png, tip_body,
};

/// A fresh environment for nodes, or `None` (skipped) on the embedded
/// default.
async fn nodes_env() -> Option<TestEnv> {
    let mut env = TestEnv::new().await;
    if !nodes_possible(&env) {
        return None;
    }
    node_settings(&mut env);
    Some(env)
}

#[tokio::test]
async fn rate_limits_are_counted_once_across_nodes() {
    let Some(mut env) = nodes_env().await else {
        return;
    };
    env.set("TIPLINE_MEDIA_PER_HOUR_PER_REPORTER", "4");
    env.set("TIPLINE_LOGIN_MAX_FAILURES_PER_ACCOUNT", "3");
    let nodes = Nodes::start(env, 2).await;

    // One reporter uploads ten photos at once, half through each node.
    let token = nodes.anonymous(0).await;
    let (content_type, body) = form(&[("file", "p.png", "image/png", &tiny_png())]);
    let uploads = (0..10)
        .map(|i| {
            nodes
                .client
                .post(nodes.url(i % 2, "/v1/media"))
                .bearer_auth(&token)
                .header("content-type", content_type.clone())
                .body(body.clone())
        })
        .collect();
    let answers = at_once(uploads).await;
    let taken = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(taken, 4, "the limit is 4 across both nodes: {answers:?}");
    for refused in answers.iter().filter(|a| a.status != 201) {
        assert_eq!(refused.status, 429, "{refused:?}");
        assert_eq!(refused.code(), "rate.limited");
        let wait: u64 = refused.retry_after.as_deref().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&wait), "{refused:?}");
    }
    assert_eq!(nodes.scalar("SELECT count(*) FROM media").await, 4);

    // Password guesses against one account, through both nodes at once.
    let phone = "13800138021";
    let password = "a good password";
    nodes
        .send(
            nodes
                .client
                .post(nodes.url(1, "/v1/auth/register"))
                .json(&json!({"phone": phone, "password": password})),
        )
        .await
        .ok();
    let guesses = (0..8)
        .map(|i| {
            nodes
                .client
                .post(nodes.url(i % 2, "/v1/auth/login"))
                .json(&json!({"login": phone, "password": format!("wrong guess {i}")}))
        })
        .collect();
    let answers = at_once(guesses).await;
    let checked = answers.iter().filter(|a| a.status == 401).count();
    let throttled = answers
        .iter()
        .filter(|a| a.status == 429 && a.code() == "auth.throttled")
        .count();
    assert_eq!((checked, throttled), (3, 5), "{answers:?}");
    // Now even the right password waits, on either node.
    for node in 0..2 {
        let answer = nodes
            .send(
                nodes
                    .client
                    .post(nodes.url(node, "/v1/auth/login"))
                    .json(&json!({"login": phone, "password": password})),
            )
            .await;
        assert_eq!(answer.status, 429, "node {node}: {answer:?}");
    }
}

#[tokio::test]
async fn one_idempotency_key_sent_to_both_nodes_makes_one_tip() {
    let Some(env) = nodes_env().await else {
        return;
    };
    let nodes = Nodes::start(env, 2).await;
    let token = nodes.anonymous(1).await;
    let mut tips = BTreeSet::new();
    for i in 0..5 {
        let media = nodes.upload(i % 2, &token).await.ok();
        let body = tip_body(&[media["id"].as_str().unwrap()]);
        let key = format!("retried-tip-{i}");
        // The app's first attempt and its retry, one on each node, at once.
        let answers = at_once(
            (0..2)
                .map(|node| {
                    nodes
                        .client
                        .post(nodes.url(node, "/v1/tips"))
                        .bearer_auth(&token)
                        .header("Idempotency-Key", &key)
                        .json(&body)
                })
                .collect(),
        )
        .await;
        let [a, b] = [&answers[0], &answers[1]];
        assert_eq!((a.status, b.status), (201, 201), "{answers:?}");
        assert_eq!(a.body["tip"]["id"], b.body["tip"]["id"]);
        // The same receipt: the reporter can follow the tip whichever
        // answer reached the phone.
        assert_eq!(a.body["receipt"], b.body["receipt"]);
        assert!(a.body["receipt"]["secret"].is_string(), "{a:?}");
        tips.insert(a.body["tip"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(tips.len(), 5);
    assert_eq!(nodes.scalar("SELECT count(*) FROM tips").await, 5);
    assert_eq!(
        nodes.scalar("SELECT count(*) FROM idempotency_keys").await,
        5,
        "one key row per tip"
    );
}

#[tokio::test]
async fn of_two_moderators_claiming_on_two_nodes_at_once_one_wins() {
    let Some(env) = nodes_env().await else {
        return;
    };
    let nodes = Nodes::start(env, 2).await;
    let (li, li_token) = nodes.staff("mod.li", Role::Moderator, None).await;
    let (wu, wu_token) = nodes.staff("mod.wu", Role::Moderator, None).await;
    let reporter = nodes.anonymous(0).await;
    let mut winners = BTreeMap::new();
    for i in 0..6 {
        let tip = nodes.tip(i % 2, &reporter).await;
        let path = format!("/v1/moderation/tips/{tip}/claim");
        let answers = at_once(vec![
            nodes
                .client
                .post(nodes.url(0, &path))
                .bearer_auth(&li_token)
                .json(&json!({})),
            nodes
                .client
                .post(nodes.url(1, &path))
                .bearer_auth(&wu_token)
                .json(&json!({})),
        ])
        .await;
        let won: Vec<usize> = (0..2).filter(|&n| answers[n].status == 200).collect();
        assert_eq!(won.len(), 1, "exactly one claim wins: {answers:?}");
        let (winner, loser) = (won[0], 1 - won[0]);
        assert_eq!(answers[loser].status, 409, "{answers:?}");
        assert_eq!(answers[loser].code(), "tip.claimed");
        let holder = [li, wu][winner];
        assert_eq!(answers[winner].body["claimed_by"], holder.to_string());
        assert_eq!(answers[winner].body["status"], "in_review");
        // Both nodes read the same holder.
        for node in 0..2 {
            let detail = nodes
                .get_as(node, &format!("/v1/moderation/tips/{tip}"), &li_token)
                .await
                .ok();
            assert_eq!(detail["claimed_by"], holder.to_string(), "{detail}");
        }
        winners.insert(tip, holder);
    }
    let claims = nodes
        .scalar("SELECT count(*) FROM audit_events WHERE action = 'tip.claim'")
        .await;
    assert_eq!(claims, 6, "one claim event per tip: {winners:?}");
}

#[tokio::test]
async fn each_webhook_event_goes_out_once_per_attempt_from_either_node() {
    const SECRET: &str = "station-webhook-secret-2 nodes";
    let Some(env) = nodes_env().await else {
        return;
    };
    let nodes = Nodes::start(env, 2).await;
    let (_, admin) = nodes.staff("admin.one", Role::Admin, None).await;
    let (_, moderator) = nodes.staff("mod.one", Role::Moderator, None).await;
    let port = free_port();
    // The unit's system refuses the first delivery of every event.
    let receiver = Receiver::refusing_first_attempts(port).await;
    let station = nodes
        .unit(
            1,
            &admin,
            json!({
                "name_zh": "前门派出所", "name_en": "Qianmen Police Station",
                "kind": "police_station", "jurisdiction": station_area(),
                "categories": ["illicit_card_ads"],
                "webhook": {"url": format!("http://127.0.0.1:{port}/tipline"), "secret": SECRET},
            }),
        )
        .await;
    let reporter = nodes.anonymous(0).await;
    let mut leads = Vec::new();
    for i in 0..6 {
        let tip = nodes.tip(i % 2, &reporter).await;
        let lead = nodes.lead(i % 2, &moderator, &tip).await;
        nodes.forward((i + 1) % 2, &moderator, &lead, station).await;
        leads.push(lead);
    }

    // Each event: refused once, then taken; both nodes' relays polling.
    let all_taken = eventually(Duration::from_secs(120), || async {
        let got = receiver.deliveries();
        let ids: BTreeSet<&str> = got.iter().map(|d| d.event_id.as_str()).collect();
        ids.len() == 6 && got.len() >= 12
    })
    .await;
    assert!(all_taken, "{:?}", receiver.deliveries());
    // Several more polls of both relays: nothing else goes out.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = receiver.deliveries();
    let mut per_event: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for delivery in &got {
        per_event
            .entry(delivery.event_id.as_str())
            .or_default()
            .push(delivery);
    }
    assert_eq!(per_event.len(), 6, "{got:?}");
    let mut told = BTreeSet::new();
    for (id, attempts) in &per_event {
        assert_eq!(
            attempts.len(),
            2,
            "one refused, one taken, for {id}: {got:?}"
        );
        for attempt in attempts {
            assert!(signed_right(attempt, SECRET), "{attempt:?}");
            assert_eq!(attempt.event, "lead.forwarded");
            assert_eq!(attempt.body, attempts[0].body, "the same event each time");
        }
        let body: serde_json::Value = serde_json::from_str(&attempts[0].body).unwrap();
        assert_eq!(body["id"], *id);
        told.insert(body["data"]["lead_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        told,
        leads.iter().cloned().collect(),
        "every lead told once"
    );
    let delivered = nodes
        .scalar(
            "SELECT count(*) FROM webhook_events \
             WHERE status = 'delivered' AND attempts = 2",
        )
        .await;
    assert_eq!(delivered, 6);
    assert_eq!(nodes.scalar("SELECT count(*) FROM webhook_events").await, 6);
}

#[tokio::test]
async fn both_nodes_sweeping_tell_each_deadline_once() {
    let Some(env) = nodes_env().await else {
        return;
    };
    let nodes = Nodes::start(env, 2).await;
    let (_, admin) = nodes.staff("admin.one", Role::Admin, None).await;
    let (_, moderator) = nodes.staff("mod.one", Role::Moderator, None).await;
    let port = free_port();
    let receiver = Receiver::start(port, 0).await;
    let station = nodes
        .unit(
            0,
            &admin,
            json!({
                "name_zh": "前门派出所", "name_en": "Qianmen Police Station",
                "kind": "police_station", "jurisdiction": station_area(),
                "categories": ["illicit_card_ads"], "accept_hours": 1,
            }),
        )
        .await;
    let centre = nodes
        .unit(
            1,
            &admin,
            json!({
                "name_zh": "指挥中心", "name_en": "Command Centre", "kind": "command_center",
                "webhook": {"url": format!("http://127.0.0.1:{port}/hook"),
                            "secret": "centre-secret-0123456789"},
            }),
        )
        .await;
    let (_, watcher) = nodes
        .staff("watch.centre", Role::UnitOfficer, Some(centre))
        .await;
    let reporter = nodes.anonymous(0).await;
    let mut leads = Vec::new();
    for i in 0..4 {
        let tip = nodes.tip(i % 2, &reporter).await;
        let lead = nodes.lead(i % 2, &moderator, &tip).await;
        nodes.forward(i % 2, &moderator, &lead, station).await;
        leads.push(lead);
    }
    // Hours pass for the leads (the nodes read their own clocks): their
    // accept deadline is behind them, for both nodes' sweeps at once.
    let ids = leads
        .iter()
        .map(|l| format!("'{l}'"))
        .collect::<Vec<_>>()
        .join(", ");
    nodes
        .db
        .execute_unprepared(&format!(
            "UPDATE leads SET due_at = now() - interval '1 hour' WHERE id IN ({ids})"
        ))
        .await
        .unwrap();
    let flagged = eventually(Duration::from_secs(60), || async {
        nodes
            .scalar("SELECT count(*) FROM leads WHERE overdue_at IS NOT NULL")
            .await
            == 4
    })
    .await;
    assert!(flagged, "both nodes sweep every second");
    // Several more sweeps of both nodes, and the relays' polls.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let told = nodes.get_as(0, "/v1/me/notifications", &watcher).await.ok();
    let overdue: Vec<&str> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "lead.overdue")
        .map(|n| n["lead_id"].as_str().unwrap())
        .collect();
    let distinct: BTreeSet<&str> = overdue.iter().copied().collect();
    assert_eq!(overdue.len(), 4, "one notice per deadline: {told}");
    assert_eq!(distinct, leads.iter().map(String::as_str).collect());
    for (sql, what) in [
        (
            "SELECT count(*) FROM audit_events WHERE action = 'lead.overdue'",
            "audit events",
        ),
        (
            "SELECT count(*) FROM webhook_events WHERE event = 'lead.overdue'",
            "webhook events",
        ),
        (
            "SELECT count(*) FROM lead_history WHERE action = 'overdue'",
            "unit history entries",
        ),
    ] {
        assert_eq!(nodes.scalar(sql).await, 4, "{what}");
    }
    let all_delivered = eventually(Duration::from_secs(60), || async {
        receiver
            .deliveries()
            .iter()
            .filter(|d| d.event == "lead.overdue")
            .count()
            >= 4
    })
    .await;
    assert!(all_delivered, "{:?}", receiver.deliveries());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let overdue: Vec<String> = receiver
        .deliveries()
        .into_iter()
        .filter(|d| d.event == "lead.overdue")
        .map(|d| d.event_id)
        .collect();
    let distinct: BTreeSet<&String> = overdue.iter().collect();
    assert_eq!(
        (overdue.len(), distinct.len()),
        (4, 4),
        "each overdue event sent once: {overdue:?}"
    );
}

/// Holds the oldest unsealed audit event's row in a transaction of the
/// test's, so that the next sealing pass stops on it while it holds the
/// sealer's lock; answers the node whose sealer is stuck there.
async fn stop_a_sealer_mid_pass(nodes: &Nodes) -> (sea_orm::DatabaseTransaction, usize) {
    let backend = nodes.db.get_database_backend();
    let txn = nodes.db.begin().await.unwrap();
    let held = eventually(Duration::from_secs(60), || async {
        txn.query_one_raw(Statement::from_string(
            backend,
            "SELECT id FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT 1 FOR UPDATE",
        ))
        .await
        .unwrap()
        .is_some()
    })
    .await;
    assert!(held, "the load writes audit events");
    // The sealer's lock is an advisory lock of this database; its holder
    // waits for the row the test holds.
    let holder = || async {
        nodes
            .db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT a.application_name FROM pg_locks l \
                 JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted \
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   AND a.wait_event_type = 'Lock'",
            ))
            .await
            .unwrap()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
    };
    let stuck = eventually(Duration::from_secs(60), || async {
        holder().await.is_some()
    })
    .await;
    assert!(stuck, "a sealing pass reaches the held event");
    let holder = holder().await;
    let name = holder.unwrap();
    let node = (0..nodes.count())
        .find(|&i| node_name(i) == name)
        .unwrap_or_else(|| panic!("the sealer's lock is held by {name}"));
    (txn, node)
}

#[tokio::test]
async fn the_audit_log_stays_one_chain_when_a_node_dies_mid_seal() {
    let Some(env) = nodes_env().await else {
        return;
    };
    // Both nodes start at once on an empty database: both migrate it.
    let mut nodes = Nodes::start(env, 2).await;
    let load = Load::start(nodes.bases(), 3, Retry::Never);
    assert!(load.until_acked(5, Duration::from_secs(120)).await);
    let mut killed = Vec::new();
    for _round in 0..2 {
        let (txn, sealer) = stop_a_sealer_mid_pass(&nodes).await;
        // The node dies in the middle of its pass: the pass's transaction
        // (and the lock with it) ends when the database notices.
        nodes.kill(sealer);
        killed.push(sealer);
        let written = nodes.scalar("SELECT count(*) FROM audit_events").await;
        txn.rollback().await.unwrap();
        // The other node takes over the sealing while this one is down.
        let survivor = 1 - sealer;
        let taken_over = eventually(Duration::from_secs(120), || async {
            nodes
                .scalar("SELECT seq FROM audit_chain WHERE id = 1")
                .await
                >= written
        })
        .await;
        assert!(taken_over, "node {survivor} seals after node {sealer} died");
        let acked = load.log.acked_count();
        nodes.restart(sealer);
        assert!(load.until_acked(acked + 5, Duration::from_secs(120)).await);
    }
    let log = load.stop().await;
    assert!(nodes.all_sealed().await, "everything committed is sealed");

    let events = nodes.scalar("SELECT count(*) FROM audit_events").await;
    let positions = nodes
        .scalar("SELECT count(DISTINCT seq) FROM audit_events WHERE seq BETWEEN 1 AND (SELECT seq FROM audit_chain WHERE id = 1)")
        .await;
    assert_eq!(positions, events, "one position per event, no gap");
    let (code, stdout, stderr) = nodes.audit_verify();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().next(),
        Some(format!("audit chain intact: {events} events").as_str()),
        "{stdout}"
    );
    assert!(stdout.contains("signatures verified"), "{stdout}");
    assert!(!stdout.contains("not sealed"), "{stdout}");

    // Every acknowledged tip is there; a tip nobody was told of may be too
    // (its answer was lost with the node).
    let acked = log.acked();
    let stored = nodes.scalar("SELECT count(*) FROM tips").await as usize;
    assert!(
        stored >= acked.len(),
        "{stored} tips, {} acknowledged",
        acked.len()
    );
    for tip in &acked {
        let found = nodes
            .scalar(&format!(
                "SELECT count(*) FROM tips WHERE id = '{}'",
                tip.tip_id
            ))
            .await;
        assert_eq!(found, 1, "acknowledged tip {tip:?} is kept");
    }
    assert!(stored <= acked.len() + log.given_up().len());
    let failures = log.failures();
    assert!(
        failures.keys().all(|k| k == "connection"),
        "only the killed node's connections failed: {failures:?} (killed {killed:?})"
    );
}
