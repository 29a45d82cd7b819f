//! Background upkeep every node runs (all of it safe to run on several
//! nodes at once): removing photos no tip took, forgetting idempotency keys
//! past their day, and dropping rate-limit windows that have ended.

use std::time::Duration;

use crate::app::AppState;
use crate::context::Ctx;
use crate::media::upload;
use crate::store::{idempotency, rate_counters};

/// Photos not in a tip by then are deleted, objects and rows.
pub const UNATTACHED_MEDIA_TTL: chrono::Duration = chrono::Duration::hours(24);
/// An upload still pending after this long died on the way (uploads take
/// seconds): its objects and row are removed.
pub const PENDING_MEDIA_TTL: chrono::Duration = chrono::Duration::minutes(10);
/// Idempotency keys are kept at least this long.
pub const IDEMPOTENCY_TTL: chrono::Duration = chrono::Duration::hours(25);
const EVERY: Duration = Duration::from_secs(600);

/// One round of upkeep; each part runs even if another failed.
pub async fn run_once(state: &AppState) {
    let ctx = Ctx::system(&state.clock, "upkeep");
    match upload::reap(
        &state.db,
        state.blobs.as_ref(),
        &ctx,
        UNATTACHED_MEDIA_TTL,
        PENDING_MEDIA_TTL,
    )
    .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "reaped photos no tip took"),
        Err(e) => tracing::warn!(error = %e, "reaping photos failed; next round retries"),
    }
    if let Err(e) = idempotency::purge_before(&state.db, ctx.now - IDEMPOTENCY_TTL).await {
        tracing::warn!(error = %e, "purging idempotency keys failed");
    }
    // The longest window any limit uses.
    let longest = state
        .settings
        .auth
        .failure_window
        .max(Duration::from_secs(3600));
    let before = ctx.now.timestamp() - longest.as_secs() as i64;
    if let Err(e) = rate_counters::purge_before(&state.db, before).await {
        tracing::warn!(error = %e, "purging rate counters failed");
    }
}

/// Runs [`run_once`] every ten minutes until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if state.lifecycle.is_shutting_down() {
                return;
            }
            run_once(&state).await;
        }
    })
}
