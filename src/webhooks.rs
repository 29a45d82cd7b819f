//! Telling units' own systems what happened, through their webhooks.
//!
//! Events are rows of the outbox (`store::webhook_events`), written in the
//! transaction of the change they tell of, so none is lost and none is sent
//! for a change that rolled back. The relay below runs on every node: it
//! leases due events, POSTs each as JSON signed with the unit's secret, and
//! retries failures with exponential backoff until `webhook_max_attempts`.
//! Delivery is at least once; receivers deduplicate by the event id, which
//! is the same on every attempt. An administrator may queue an event the
//! relay gave up on again ([`retry`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, DbErr};
use sha2::Sha256;

use crate::app::AppState;
use crate::store::units;
use crate::store::webhook_events::{self, Attempt};

/// The event's id; the same on every attempt.
pub const EVENT_ID_HEADER: &str = "X-Tipline-Event-Id";
/// The event's name, e.g. `lead.forwarded`.
pub const EVENT_HEADER: &str = "X-Tipline-Event";
/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "X-Tipline-Signature";

/// Queues `event` for `unit`'s webhook, if it has one, in `db`'s
/// transaction.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    unit: &units::Model,
    event: webhook_events::Event,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if unit.webhook_url.is_none() {
        return Ok(());
    }
    webhook_events::enqueue(db, unit.id, event, data, now)
        .await
        .map(drop)
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// How long to wait before attempt `attempts + 1`: the base doubled per
/// failed attempt, at most an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let factor = 1u32 << attempts.clamp(0, 20);
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// One pass: delivers the due events this relay can lease, at once (one
/// slow receiver does not hold up the others); returns how many it
/// attempted.
pub async fn relay_once(state: &AppState, client: &reqwest::Client) -> Result<usize, DbErr> {
    let due = webhook_events::due(&state.db, state.clock.now(), 50).await?;
    let mut deliveries = tokio::task::JoinSet::new();
    for event in due {
        let (state, client) = (state.clone(), client.clone());
        deliveries.spawn(async move { attempt(&state, &client, event).await });
    }
    let mut attempted = 0;
    let mut failure = None;
    while let Some(done) = deliveries.join_next().await {
        match done {
            Ok(Ok(true)) => attempted += 1,
            Ok(Ok(false)) => {}
            // The others finish; an event whose outcome was not written
            // is leased again when its lease ends.
            Ok(Err(e)) => failure = Some(e),
            Err(e) => tracing::error!(error = %e, "a webhook delivery task failed"),
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(attempted),
    }
}

/// Leases one event and delivers it; `false` when another node has it.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    event: webhook_events::Model,
) -> Result<bool, DbErr> {
    let settings = &state.settings.webhooks;
    // The lease outlasts the delivery, so no other node takes the event
    // meanwhile.
    let now = state.clock.now();
    let lease = chrono::Duration::from_std(settings.timeout * 2).unwrap_or_default();
    if !webhook_events::lease(&state.db, &event, now, now + lease).await? {
        return Ok(false);
    }
    let unit = units::find(&state.db, event.unit_id).await?;
    let target = unit.as_ref().filter(|u| !u.disabled).and_then(|u| {
        u.webhook_url
            .clone()
            .map(|url| (url, u.webhook_secret.clone()))
    });
    let outcome = match target {
        Some((url, secret)) => deliver(client, &event, &url, secret.as_deref()).await,
        None => Err((None, "the unit has no webhook (or is disabled)".to_owned())),
    };
    let attempt = match outcome {
        Ok(code) => Attempt {
            status_code: Some(code),
            error: None,
            delivered_at: Some(state.clock.now()),
            retry_at: None,
        },
        Err((code, error)) => {
            let retry_at = (event.attempts + 1 < settings.max_attempts as i32).then(|| {
                state.clock.now()
                    + chrono::Duration::from_std(backoff(settings.retry_base, event.attempts))
                        .unwrap_or_default()
            });
            state.metrics.webhook_delivery_failures.inc();
            tracing::warn!(
                event_id = %event.id,
                unit_id = %event.unit_id,
                attempt = event.attempts + 1,
                status = code,
                error = %error,
                gave_up = retry_at.is_none(),
                "webhook delivery failed"
            );
            Attempt {
                status_code: code,
                error: Some(error.chars().take(500).collect()),
                delivered_at: None,
                retry_at,
            }
        }
    };
    webhook_events::record_attempt(&state.db, &event, attempt).await?;
    Ok(true)
}

/// POSTs the event; `Ok(status)` on 2xx, else the status (if any) and why.
async fn deliver(
    client: &reqwest::Client,
    event: &webhook_events::Model,
    url: &str,
    secret: Option<&str>,
) -> Result<i32, (Option<i32>, String)> {
    // The receiver checks the signature's time against its own wall clock.
    let timestamp = crate::clock::unix_now() as i64;
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, event.id.to_string())
        .header(EVENT_HEADER, event.event.as_str());
    if let Some(secret) = secret {
        request = request.header(
            SIGNATURE_HEADER,
            signature(secret.as_bytes(), timestamp, event.payload.as_bytes()),
        );
    }
    match request.body(event.payload.clone()).send().await {
        Ok(response) if response.status().is_success() => Ok(i32::from(response.status().as_u16())),
        Ok(response) => Err((
            Some(i32::from(response.status().as_u16())),
            format!("the receiver answered {}", response.status()),
        )),
        // Not the URL: it may carry a token.
        Err(e) => Err((None, describe(&e))),
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

/// The relay, polling every `webhook_poll_ms` until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let settings = state.settings.webhooks.clone();
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with default TLS settings");
        let mut tick = tokio::time::interval(settings.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if state.lifecycle.is_shutting_down() {
                return;
            }
            if let Err(e) = relay_once(&state, &client).await {
                tracing::warn!(error = %e, "the webhook relay could not read the outbox; next round retries");
            }
        }
    })
}

/// An administrator queues an event the relay gave up on again, due now,
/// with its audit event: 404 `webhook_event.not_found`, 409
/// `webhook_event.not_failed` for an event still in the relay's hands or
/// delivered.
pub async fn retry(
    state: &AppState,
    ctx: &crate::context::Ctx,
    event_id: uuid::Uuid,
) -> Result<webhook_events::Model, crate::error::ServiceError> {
    use crate::error::ServiceError;
    use crate::store::audit;
    use sea_orm::TransactionTrait;
    let not_found = || ServiceError::not_found("webhook_event.not_found", "no such event");
    let txn = state.db.begin().await?;
    let event = webhook_events::find(&txn, event_id)
        .await?
        .ok_or_else(not_found)?;
    // A conditional update: of two admins retrying at once, one requeues.
    if !webhook_events::requeue(&txn, event.id, ctx.now).await? {
        return Err(ServiceError::conflict(
            "webhook_event.not_failed",
            "only events that failed can be retried",
        ));
    }
    let retried = audit::Event::new("webhook_event.retry", "webhook_event", event.id);
    audit::record(&txn, ctx, retried).await?;
    let event = webhook_events::find(&txn, event.id)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 0), Duration::from_secs(2));
        assert_eq!(backoff(base, 3), Duration::from_secs(16));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }

    #[test]
    fn signatures_cover_the_time_and_the_body() {
        let one = signature(b"secret", 1_700_000_000, b"{}");
        assert!(one.starts_with("t=1700000000,v1="));
        assert_eq!(one.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(one, signature(b"secret", 1_700_000_001, b"{}"));
        assert_ne!(one, signature(b"secret", 1_700_000_000, b"[]"));
        assert_ne!(one, signature(b"other", 1_700_000_000, b"{}"));
    }
}
