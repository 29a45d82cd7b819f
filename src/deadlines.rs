//! Deadlines: a forwarded lead must be accepted within its unit's
//! `accept_hours`, an accepted one resolved within `resolve_hours`. Every
//! node sweeps for leads past their deadline; the first to flag one tells
//! the command centre — its officers' notifications and its webhook — and
//! the lead's unit's webhook, exactly once per deadline (a conditional
//! UPDATE decides who flags it).

use std::time::Duration;

use sea_orm::{DbErr, TransactionTrait};

use crate::app::AppState;
use crate::context::Ctx;
use crate::domain::lead::{LeadEvent, LeadStatus};
use crate::forwarding::event_data;
use crate::store::audit::{self, Event};
use crate::store::{leads, notifications, units, users, webhook_events};
use crate::webhooks;

/// One sweep at the service clock's "now"; returns how many leads it
/// flagged.
pub async fn sweep(state: &AppState) -> Result<usize, DbErr> {
    let ctx = Ctx::system(&state.clock, "deadline-sweep");
    let now = ctx.now;
    let overdue = leads::newly_overdue(&state.db, now, 200).await?;
    if overdue.is_empty() {
        return Ok(0);
    }
    let centres = units::command_centers(&state.db).await?;
    let mut watchers = Vec::new();
    for centre in &centres {
        watchers.extend(users::officers_of(&state.db, centre.id).await?);
    }
    let unit_ids: Vec<_> = overdue.iter().filter_map(|l| l.unit_id).collect();
    let late_units = units::find_many(&state.db, &unit_ids).await?;
    let mut flagged = 0;
    for lead in overdue {
        let unit = late_units
            .iter()
            .find(|u| Some(u.id) == lead.unit_id)
            .cloned();
        let unit_name = unit.as_ref().map_or("?", |u| u.name_en.as_str());
        let unit_name_zh = unit.as_ref().map_or("?", |u| u.name_zh.as_str());
        let deadline = if lead.status == LeadStatus::Forwarded {
            ("接收", "accept")
        } else {
            ("办结", "resolve")
        };
        let txn = state.db.begin().await?;
        if !leads::flag_overdue(&txn, &lead, now).await? {
            txn.rollback().await?;
            continue; // Another node flagged it, or it moved on.
        }
        let text_zh = format!(
            "线索 {} 已超过{}期限（{}）。",
            lead.reference, deadline.0, unit_name_zh
        );
        let text_en = format!(
            "Lead {} is past its {} deadline ({unit_name}).",
            lead.reference, deadline.1
        );
        for officer in &watchers {
            notifications::add(
                &txn,
                notifications::New {
                    user_id: Some(officer.id),
                    tip_id: None,
                    lead_id: Some(lead.id),
                    kind: notifications::Kind::LeadOverdue,
                    text_zh: &text_zh,
                    text_en: &text_en,
                },
                now,
            )
            .await?;
        }
        let mut data = event_data(&lead, 0);
        if let Some(map) = data.as_object_mut() {
            map.remove("tips");
            map.insert("deadline".into(), deadline.1.into());
            map.insert("due_at".into(), serde_json::json!(lead.due_at));
            map.insert("unit_id".into(), serde_json::json!(lead.unit_id));
        }
        // The centre, and the unit that is late (once, if it is the centre).
        let mut told = centres.clone();
        told.extend(
            unit.clone()
                .filter(|u| centres.iter().all(|c| c.id != u.id)),
        );
        for listener in &told {
            webhooks::enqueue(
                &txn,
                listener,
                webhook_events::Event::LeadOverdue,
                data.clone(),
                now,
            )
            .await?;
        }
        if let Some(unit) = &unit {
            leads::add_unit_history(
                &txn,
                lead.id,
                LeadEvent::Overdue,
                None,
                unit.id,
                Some(deadline.1),
                now,
            )
            .await?;
        }
        let event = Event::new("lead.overdue", "lead", lead.id)
            .details(serde_json::json!({ "deadline": deadline.1 }));
        audit::record(&txn, &ctx, event).await?;
        txn.commit().await?;
        flagged += 1;
    }
    Ok(flagged)
}

/// Sweeps every `deadline_sweep_secs` until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every: Duration = state.settings.deadline_sweep;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if state.lifecycle.is_shutting_down() {
                return;
            }
            match sweep(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(leads = n, "flagged leads past their deadline"),
                Err(e) => {
                    tracing::warn!(error = %e, "the deadline sweep failed; next round retries")
                }
            }
        }
    })
}
