//! A lead after moderation: which unit should take it (routing) and
//! handing it over (forwarding). The unit's own side is `casework`.
//! HTTP-free; errors are [`ServiceError`].

use sea_orm::TransactionTrait;
use uuid::Uuid;

use crate::app::AppState;
use crate::context::Ctx;
use crate::domain::geo::Point;
use crate::domain::jurisdiction::Jurisdiction;
use crate::domain::lead::{LeadAction, LeadEvent};
use crate::domain::tip::{TipAction, TipStatus};
use crate::domain::unit::UnitKind;
use crate::error::{ServiceError, lead_not_found, stale_lead};
use crate::store::audit::{self, Event};
use crate::store::leads::{self, lead};
use crate::store::{notifications, tips, units, webhook_events};
use crate::webhooks;

/// A unit that could take a lead, and why.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub unit: units::Model,
    /// For people: which places it holds, that it takes the category.
    pub reason: String,
    /// Of the unit's jurisdiction; smaller is more specific.
    pub area_km2: Option<f64>,
}

/// Units whose jurisdiction holds the lead's places and who take its
/// category, those holding every place first, then the most specific
/// (smallest area); the command centre when none matches.
pub async fn suggest(state: &AppState, lead_id: Uuid) -> Result<Vec<Suggestion>, ServiceError> {
    let lead = leads::find(&state.db, lead_id)
        .await?
        .ok_or_else(lead_not_found)?;
    let points: Vec<Point> = tips::of_lead(&state.db, lead.id)
        .await?
        .iter()
        .filter_map(|t| Point::new(t.lat, t.lon).ok())
        .collect();
    let candidates = units::active(&state.db).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|u| u.id).collect();
    let taken = units::categories_of(&state.db, &ids).await?;
    let mut ranked: Vec<(usize, Suggestion)> = Vec::new();
    for unit in &candidates {
        let takes = taken
            .iter()
            .any(|c| c.unit_id == unit.id && c.category == lead.category);
        let Some(area) = unit
            .jurisdiction
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .and_then(|json| Jurisdiction::parse_stored(&json).ok())
        else {
            continue;
        };
        let held = points.iter().filter(|p| area.contains(**p)).count();
        if !takes || held == 0 {
            continue;
        }
        ranked.push((
            held,
            Suggestion {
                reason: format!(
                    "its area holds {held} of the lead's {} places and it takes `{}`",
                    points.len(),
                    lead.category
                ),
                area_km2: Some(area.area_km2()),
                unit: unit.clone(),
            },
        ));
    }
    ranked.sort_by(|(held_a, a), (held_b, b)| {
        held_b.cmp(held_a).then(
            a.area_km2
                .unwrap_or(f64::MAX)
                .total_cmp(&b.area_km2.unwrap_or(f64::MAX)),
        )
    });
    let mut suggestions: Vec<Suggestion> = ranked.into_iter().map(|(_, s)| s).collect();
    if suggestions.is_empty() {
        suggestions = candidates
            .into_iter()
            .filter(|u| u.kind == UnitKind::CommandCenter)
            .map(|unit| Suggestion {
                reason: "no unit's area and categories match; the command centre routes it".into(),
                area_km2: None,
                unit,
            })
            .collect();
    }
    Ok(suggestions)
}

/// `POST /v1/leads/{id}/forward`: the lead (at `version`) goes to an active
/// unit with an accept deadline; its verified tips become `forwarded`, and
/// every reporter is told the unit's public name, nothing internal.
pub async fn forward(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    lead_id: Uuid,
    version: i32,
    unit_id: Uuid,
    note: Option<&str>,
) -> Result<lead::Model, ServiceError> {
    let lead = leads::find(&state.db, lead_id)
        .await?
        .ok_or_else(lead_not_found)?;
    if lead.version != version {
        return Err(stale_lead());
    }
    let status = lead.status;
    let next = status
        .after(LeadAction::Forward)
        .map_err(|e| ServiceError::Conflict("lead.invalid_state", e.to_string()))?;
    let unit = units::find(&state.db, unit_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| ServiceError::Invalid("lead.unknown_unit", "no such active unit".into()))?;
    let members = tips::of_lead(&state.db, lead.id).await?;
    let now = ctx.now;
    let told_zh = format!("您的举报已转交{}处理。", unit.name_zh);
    let told_en = format!("Your tip was passed to {}.", unit.name_en);
    let told = format!("已转交{} / Passed to {}", unit.name_zh, unit.name_en);

    let txn = state.db.begin().await?;
    let accept_by = now + chrono::Duration::hours(i64::from(unit.accept_hours));
    let change = leads::Change {
        unit_id: Some(Some(unit.id)),
        due_at: Some(Some(accept_by)),
        accept_due_at: Some(accept_by),
        forwarded_at: Some(now),
        ..Default::default()
    };
    if !leads::advance(&txn, &lead, next, change, now).await? {
        txn.rollback().await?;
        return Err(stale_lead());
    }
    for tip in &members {
        let tip_status = tip.status;
        match tip_status.after(TipAction::LeadForwarded) {
            Ok(forwarded) => {
                if !tips::transition(&txn, tip, forwarded, tips::Change::default(), now).await? {
                    txn.rollback().await?;
                    return Err(ServiceError::Conflict(
                        "tip.stale_version",
                        format!("tip {} changed meanwhile; reload the lead", tip.reference),
                    ));
                }
                tips::add_history(&txn, tip.id, forwarded, Some(&told), now).await?;
            }
            // Forwarded before, returned, and now rerouted: its reporter
            // hears of the new unit; the state stays.
            Err(_) if tip_status == TipStatus::Forwarded => {
                tips::add_history(&txn, tip.id, tip_status, Some(&told), now).await?;
            }
            Err(e) => {
                txn.rollback().await?;
                return Err(ServiceError::Conflict("tip.invalid_state", e.to_string()));
            }
        }
        notifications::tell_reporter(
            &txn,
            tip,
            notifications::Kind::TipForwarded,
            &told_zh,
            &told_en,
            now,
        )
        .await?;
    }
    leads::add_unit_history(
        &txn,
        lead.id,
        LeadEvent::Forwarded,
        Some(moderator),
        unit.id,
        note,
        now,
    )
    .await?;
    webhooks::enqueue(
        &txn,
        &unit,
        webhook_events::Event::LeadForwarded,
        event_data(&lead, members.len()),
        now,
    )
    .await?;
    let event = Event::new("lead.forward", "lead", lead.id)
        .details(serde_json::json!({ "unit_id": unit.id, "tips": members.len() }));
    audit::record(&txn, ctx, event).await?;
    txn.commit().await?;
    leads::find(&state.db, lead.id)
        .await?
        .ok_or_else(lead_not_found)
}

/// What a unit's systems are told of a lead: enough to find it in the
/// console, nothing about who reported it.
pub fn event_data(lead: &lead::Model, tips: usize) -> serde_json::Value {
    serde_json::json!({
        "lead_id": lead.id,
        "reference": lead.reference,
        "category": lead.category,
        "tips": tips,
    })
}
