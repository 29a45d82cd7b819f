//! Statistics for the command centre: how many tips and leads, where they
//! went, how fast each step was, and which units keep their deadlines —
//! over a period (tips and leads created in `[from, to)`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::lead::LeadStatus;
use crate::domain::tip::TipStatus;
use crate::domain::unit::UnitKind;
use crate::store::leads::{self, lead};
use crate::store::{stats, units};

/// The median and 90th percentile of a step, in seconds, over `count`
/// tips or leads that made it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Durations {
    pub count: u64,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

impl Durations {
    fn of(mut secs: Vec<f64>) -> Self {
        secs.sort_by(f64::total_cmp);
        Durations {
            count: secs.len() as u64,
            median_secs: nearest_rank(&secs, 0.5),
            p90_secs: nearest_rank(&secs, 0.9),
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

fn secs_between(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<f64> {
    to.map(|to| (to - from).num_milliseconds() as f64 / 1000.0)
        .filter(|s| *s >= 0.0)
}

/// How one unit did with the leads it was sent.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRecord {
    pub unit_id: Uuid,
    pub name_en: String,
    pub kind: UnitKind,
    pub leads: u64,
    /// Leads whose deadline has come (met or missed).
    pub deadlines_due: u64,
    pub on_time: u64,
    /// `on_time / deadlines_due`, when any came.
    pub on_time_rate: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    pub tips_by_status: BTreeMap<TipStatus, i64>,
    pub tips_by_category: BTreeMap<String, i64>,
    pub leads_by_status: BTreeMap<LeadStatus, i64>,
    pub leads_by_category: BTreeMap<String, i64>,
    pub submitted_to_verified: Durations,
    pub verified_to_forwarded: Durations,
    pub forwarded_to_accepted: Durations,
    pub accepted_to_resolved: Durations,
    pub leads_forwarded: u64,
    pub leads_to_non_police: u64,
    /// `leads_to_non_police / leads_forwarded`.
    pub non_police_share: Option<f64>,
    pub units: Vec<UnitRecord>,
}

/// Whether a forwarded lead kept its deadlines (as they were set) by
/// `now`: `None` while no deadline has come yet.
fn kept_deadlines(lead: &lead::Model, now: DateTime<Utc>) -> Option<bool> {
    let accept_by = lead.accept_due_at?;
    let Some(accepted) = lead.accepted_at else {
        return (now > accept_by).then_some(false);
    };
    if accepted > accept_by {
        return Some(false);
    }
    let resolve_by = lead.resolve_due_at?;
    match lead.resolved_at {
        Some(resolved) => Some(resolved <= resolve_by),
        None => (now > resolve_by).then_some(false),
    }
}

pub async fn overview(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Overview, DbErr> {
    let now = state.clock.now();
    let mut out = Overview::default();
    for (status, category, n) in stats::tip_counts(&state.db, from, to).await? {
        *out.tips_by_status.entry(status).or_default() += n;
        *out.tips_by_category.entry(category).or_default() += n;
    }
    let milestones = stats::tip_milestones(&state.db, from, to).await?;
    out.submitted_to_verified = Durations::of(
        milestones
            .iter()
            .filter_map(|m| secs_between(m.submitted, m.verified))
            .collect(),
    );
    out.verified_to_forwarded = Durations::of(
        milestones
            .iter()
            .filter_map(|m| secs_between(m.verified?, m.forwarded))
            .collect(),
    );

    let leads = leads::created_between(&state.db, from, to).await?;
    let unit_ids: Vec<Uuid> = leads.iter().filter_map(|l| l.unit_id).collect();
    let known = units::find_many(&state.db, &unit_ids).await?;
    let mut per_unit: BTreeMap<Uuid, UnitRecord> = BTreeMap::new();
    let mut forwarded_to_accepted = Vec::new();
    let mut accepted_to_resolved = Vec::new();
    for lead in &leads {
        *out.leads_by_status.entry(lead.status).or_default() += 1;
        *out.leads_by_category
            .entry(lead.category.clone())
            .or_default() += 1;
        if let Some(forwarded) = lead.forwarded_at {
            forwarded_to_accepted.extend(secs_between(forwarded, lead.accepted_at));
        }
        if let Some(accepted) = lead.accepted_at {
            accepted_to_resolved.extend(secs_between(accepted, lead.resolved_at));
        }
        let Some(unit) = lead
            .unit_id
            .and_then(|id| known.iter().find(|u| u.id == id))
        else {
            continue;
        };
        out.leads_forwarded += 1;
        if unit.kind == UnitKind::Department {
            out.leads_to_non_police += 1;
        }
        let record = per_unit.entry(unit.id).or_insert_with(|| UnitRecord {
            unit_id: unit.id,
            name_en: unit.name_en.clone(),
            kind: unit.kind,
            leads: 0,
            deadlines_due: 0,
            on_time: 0,
            on_time_rate: None,
        });
        record.leads += 1;
        if let Some(kept) = kept_deadlines(lead, now) {
            record.deadlines_due += 1;
            record.on_time += u64::from(kept);
        }
    }
    out.forwarded_to_accepted = Durations::of(forwarded_to_accepted);
    out.accepted_to_resolved = Durations::of(accepted_to_resolved);
    out.non_police_share = (out.leads_forwarded > 0)
        .then(|| out.leads_to_non_police as f64 / out.leads_forwarded as f64);
    out.units = per_unit
        .into_values()
        .map(|mut r| {
            r.on_time_rate =
                (r.deadlines_due > 0).then(|| r.on_time as f64 / r.deadlines_due as f64);
            r
        })
        .collect();
    Ok(out)
}

/// The leads created in the period as CSV (RFC 4180), one row each:
/// nothing about reporters, only what the command centre reports on.
pub async fn leads_csv(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<String, DbErr> {
    let leads = leads::created_between(&state.db, from, to).await?;
    let unit_ids: Vec<Uuid> = leads.iter().filter_map(|l| l.unit_id).collect();
    let known = units::find_many(&state.db, &unit_ids).await?;
    let ids: Vec<Uuid> = leads.iter().map(|l| l.id).collect();
    let mut tips: BTreeMap<Uuid, i64> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        tips.extend(stats::tips_per_lead(&state.db, chunk).await?);
    }
    let mut csv = String::from(
        "reference,status,category,tips,unit,unit_kind,created_at,forwarded_at,accepted_at,resolved_at,outcome,overdue\r\n",
    );
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    for lead in &leads {
        let unit = lead
            .unit_id
            .and_then(|id| known.iter().find(|u| u.id == id));
        let row = [
            lead.reference.clone(),
            lead.status.to_string(),
            lead.category.clone(),
            tips.get(&lead.id).copied().unwrap_or(0).to_string(),
            unit.map(|u| u.name_en.clone()).unwrap_or_default(),
            unit.map(|u| u.kind.to_string()).unwrap_or_default(),
            lead.created_at.to_rfc3339(),
            time(lead.forwarded_at),
            time(lead.accepted_at),
            time(lead.resolved_at),
            lead.outcome_code.clone().unwrap_or_default(),
            lead.overdue_at.is_some().to_string(),
        ];
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// Quotes a field when it holds a comma, quote or line break; a leading
/// `=`, `+`, `-` or `@` is defused so spreadsheets do not run it.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let d = Durations::of((1..=10).map(f64::from).collect());
        assert_eq!(d.median_secs, Some(5.0));
        assert_eq!(d.p90_secs, Some(9.0));
        assert_eq!(Durations::of(vec![]).median_secs, None);
        assert_eq!(Durations::of(vec![7.0]).p90_secs, Some(7.0));
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }
}
