//! The unit's side of a lead: accepting it, noting progress, resolving it
//! with an outcome (which closes every tip in it, tells each reporter and
//! credits reward points), or returning it to the moderators.
//!
//! An officer reaches only the leads forwarded to their own unit; any other
//! lead is "not found", exactly like one that does not exist.
//! HTTP-free; errors are [`ServiceError`].

use std::collections::BTreeSet;

use sea_orm::TransactionTrait;
use uuid::Uuid;

use crate::app::AppState;
use crate::context::Ctx;
use crate::domain::contact::ContactKind;
use crate::domain::lead::{LeadAction, LeadEvent, LeadStatus};
use crate::domain::tip::TipAction;
use crate::error::{ServiceError, lead_not_found as not_found, stale_lead as stale};
use crate::forwarding::event_data;
use crate::store::audit::{self, Event};
use crate::store::contacts;
use crate::store::leads::{self, lead};
use crate::store::{notifications, outcomes, rewards, tips, units, webhook_events};
use crate::webhooks;

/// A unit officer, as the token and the account say.
#[derive(Clone, Copy, Debug)]
pub struct Officer {
    pub user_id: Uuid,
    pub unit_id: Uuid,
}

/// The lead, if it is with the officer's unit now.
pub async fn lead_of_unit(
    state: &AppState,
    officer: Officer,
    lead_id: Uuid,
) -> Result<lead::Model, ServiceError> {
    leads::find(&state.db, lead_id)
        .await?
        .filter(|l| l.unit_id == Some(officer.unit_id))
        .ok_or_else(not_found)
}

/// The lead at `version`, and where `action` takes it.
async fn checked(
    state: &AppState,
    officer: Officer,
    lead_id: Uuid,
    version: i32,
    action: LeadAction,
) -> Result<(lead::Model, LeadStatus), ServiceError> {
    let lead = lead_of_unit(state, officer, lead_id).await?;
    if lead.version != version {
        return Err(stale());
    }
    let status = lead.status;
    let next = status
        .after(action)
        .map_err(|e| ServiceError::Conflict("lead.invalid_state", e.to_string()))?;
    Ok((lead, next))
}

async fn unit(state: &AppState, officer: Officer) -> Result<units::Model, ServiceError> {
    units::find(&state.db, officer.unit_id)
        .await?
        .ok_or_else(not_found)
}

/// The unit takes the lead; the resolve deadline starts.
pub async fn accept(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    lead_id: Uuid,
    version: i32,
) -> Result<lead::Model, ServiceError> {
    let (lead, next) = checked(state, officer, lead_id, version, LeadAction::Accept).await?;
    let unit = unit(state, officer).await?;
    let now = ctx.now;
    let txn = state.db.begin().await?;
    let resolve_by = now + chrono::Duration::hours(i64::from(unit.resolve_hours));
    let change = leads::Change {
        accepted_at: Some(now),
        due_at: Some(Some(resolve_by)),
        resolve_due_at: Some(resolve_by),
        ..Default::default()
    };
    if !leads::advance(&txn, &lead, next, change, now).await? {
        txn.rollback().await?;
        return Err(stale());
    }
    leads::add_unit_history(
        &txn,
        lead.id,
        LeadEvent::Accepted,
        Some(officer.user_id),
        unit.id,
        None,
        now,
    )
    .await?;
    audit::record(&txn, ctx, Event::new("lead.accept", "lead", lead.id)).await?;
    txn.commit().await?;
    leads::find(&state.db, lead.id).await?.ok_or_else(not_found)
}

/// A note on the work, for the unit and the moderators (never reporters).
pub async fn progress(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    lead_id: Uuid,
    note: &str,
) -> Result<(), ServiceError> {
    let lead = lead_of_unit(state, officer, lead_id).await?;
    if lead.status != LeadStatus::Accepted {
        return Err(ServiceError::Conflict(
            "lead.invalid_state",
            format!(
                "progress is noted on an accepted lead; this one is {}",
                lead.status
            ),
        ));
    }
    let txn = state.db.begin().await?;
    leads::add_unit_history(
        &txn,
        lead.id,
        LeadEvent::Progress,
        Some(officer.user_id),
        officer.unit_id,
        Some(note),
        ctx.now,
    )
    .await?;
    audit::record(&txn, ctx, Event::new("lead.progress", "lead", lead.id)).await?;
    txn.commit().await?;
    Ok(())
}

/// How a unit closes a lead.
pub struct Resolution<'a> {
    pub outcome_code: &'a str,
    /// What every reporter in the lead reads, after the outcome's text.
    pub public_note: Option<&'a str>,
    /// For the unit and the moderators.
    pub internal_note: Option<&'a str>,
}

/// Resolves the lead: every tip in it closes with the outcome, each
/// reporter is told, and the reporters of its verified tips are credited
/// the outcome's points, the first reporter of each contact a bonus too.
pub async fn resolve(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    lead_id: Uuid,
    version: i32,
    resolution: Resolution<'_>,
) -> Result<lead::Model, ServiceError> {
    let (lead, next) = checked(state, officer, lead_id, version, LeadAction::Resolve).await?;
    let outcome = outcomes::find(&state.db, resolution.outcome_code)
        .await?
        .filter(|o| !o.retired)
        .ok_or_else(|| {
            ServiceError::Invalid(
                "lead.unknown_outcome",
                format!("no outcome `{}`", resolution.outcome_code),
            )
        })?;
    let unit = unit(state, officer).await?;
    let members = tips::of_lead(&state.db, lead.id).await?;
    let member_ids: BTreeSet<Uuid> = members.iter().map(|t| t.id).collect();
    // The contacts whose first verified report is in this lead: the bonus
    // is claimed per contact in the transaction, so it is paid once even
    // if an older tip with the contact is verified later.
    let mut first_reports: Vec<(ContactKind, String, Uuid)> = Vec::new();
    if outcome.points > 0 && state.settings.first_reporter_bonus > 0 {
        let ids: Vec<Uuid> = member_ids.iter().copied().collect();
        let carried: BTreeSet<(ContactKind, String)> = tips::contacts_of_many(&state.db, &ids)
            .await?
            .into_iter()
            .map(|c| (c.kind, c.value))
            .collect();
        for (kind, value) in carried {
            if let Some(first) = contacts::first_verified_carrier(&state.db, kind, &value).await?
                && member_ids.contains(&first)
            {
                first_reports.push((kind, value, first));
            }
        }
    }
    let public_note = resolution
        .public_note
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let (told_zh, told_en) = match public_note {
        Some(note) => (
            format!("{} {note}", outcome.public_zh),
            format!("{} {note}", outcome.public_en),
        ),
        None => (outcome.public_zh.clone(), outcome.public_en.clone()),
    };
    let now = ctx.now;

    let txn = state.db.begin().await?;
    let change = leads::Change {
        resolved_at: Some(now),
        due_at: Some(None),
        outcome_code: Some(outcome.code.clone()),
        public_note: public_note.map(str::to_owned),
        internal_note: resolution.internal_note.map(str::to_owned),
        ..Default::default()
    };
    if !leads::advance(&txn, &lead, next, change, now).await? {
        txn.rollback().await?;
        return Err(stale());
    }
    let mut closed = 0;
    for tip in &members {
        let status = tip.status;
        let Ok(to) = status.after(TipAction::LeadClosed) else {
            continue; // Only forwarded tips close; none other is in a forwarded lead.
        };
        if !tips::transition(&txn, tip, to, tips::Change::default(), now).await? {
            txn.rollback().await?;
            return Err(ServiceError::Conflict(
                "tip.stale_version",
                format!("tip {} changed meanwhile; reload the lead", tip.reference),
            ));
        }
        closed += 1;
        tips::add_history_with_outcome(&txn, tip.id, to, public_note, &outcome.code, now).await?;
        notifications::tell_reporter(
            &txn,
            tip,
            notifications::Kind::TipClosed,
            &told_zh,
            &told_en,
            now,
        )
        .await?;
        if outcome.points > 0 {
            rewards::credit(
                &txn,
                tip.reporter_user_id,
                tip.id,
                lead.id,
                rewards::Reason::Outcome,
                outcome.points,
                now,
            )
            .await?;
        }
    }
    for (kind, value, tip_id) in &first_reports {
        if !rewards::claim_first_report(&txn, *kind, value, *tip_id, now).await? {
            continue;
        }
        let reporter = members
            .iter()
            .find(|t| t.id == *tip_id)
            .and_then(|t| t.reporter_user_id);
        rewards::credit(
            &txn,
            reporter,
            *tip_id,
            lead.id,
            rewards::Reason::FirstReporter,
            state.settings.first_reporter_bonus,
            now,
        )
        .await?;
    }
    leads::add_unit_history(
        &txn,
        lead.id,
        LeadEvent::Resolved,
        Some(officer.user_id),
        unit.id,
        resolution.internal_note,
        now,
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        Event::new("lead.resolve", "lead", lead.id)
            .details(serde_json::json!({ "outcome": outcome.code, "tips_closed": closed })),
    )
    .await?;
    txn.commit().await?;
    leads::find(&state.db, lead.id).await?.ok_or_else(not_found)
}

/// The unit gives the lead back (not theirs, or not enough to act on): it
/// is open with the moderators again, who reroute it. Its tips stay
/// `forwarded` (a tip has no way back); reporters hear of the next unit.
pub async fn give_back(
    state: &AppState,
    ctx: &Ctx,
    officer: Officer,
    lead_id: Uuid,
    version: i32,
    reason: &str,
) -> Result<lead::Model, ServiceError> {
    let (lead, next) = checked(state, officer, lead_id, version, LeadAction::Return).await?;
    let unit = unit(state, officer).await?;
    let members = tips::of_lead(&state.db, lead.id).await?;
    let now = ctx.now;
    let txn = state.db.begin().await?;
    let change = leads::Change {
        unit_id: Some(None),
        due_at: Some(None),
        ..Default::default()
    };
    if !leads::advance(&txn, &lead, next, change, now).await? {
        txn.rollback().await?;
        return Err(stale());
    }
    leads::add_unit_history(
        &txn,
        lead.id,
        LeadEvent::Returned,
        Some(officer.user_id),
        unit.id,
        Some(reason),
        now,
    )
    .await?;
    let mut data = event_data(&lead, members.len());
    data["reason"] = serde_json::Value::from(reason);
    webhooks::enqueue(&txn, &unit, webhook_events::Event::LeadReturned, data, now).await?;
    // The unit it came back from, which the lead no longer names: the
    // unit's live inbox drops it by this.
    let event = Event::new("lead.return", "lead", lead.id)
        .details(serde_json::json!({ "unit_id": officer.unit_id }));
    audit::record(&txn, ctx, event).await?;
    txn.commit().await?;
    leads::find(&state.db, lead.id).await?.ok_or_else(not_found)
}
