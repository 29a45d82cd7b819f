//! Statistics for the command centre (`/v1/stats/*`): administrators and
//! moderators read them; nobody else sees they exist.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, Moderators};
use super::error::{ApiError, Fails};
use super::vocab::{LeadStatusName, TipStatusName, UnitKind};
use crate::app::AppState;
use crate::stats::{self, Durations};

pub struct StatsApi;

/// How many tips are in one state.
#[derive(Debug, Object)]
pub struct TipStatusCount {
    pub status: TipStatusName,
    pub count: i64,
}

/// How many leads are in one state.
#[derive(Debug, Object)]
pub struct LeadStatusCount {
    pub status: LeadStatusName,
    pub count: i64,
}

/// How many tips or leads are of one category.
#[derive(Debug, Object)]
pub struct CategoryCount {
    pub category: String,
    pub count: i64,
}

/// How long one step took, over the tips or leads that took it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StepTime {
    pub count: u64,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

impl From<Durations> for StepTime {
    fn from(d: Durations) -> Self {
        StepTime {
            count: d.count,
            median_secs: d.median_secs,
            p90_secs: d.p90_secs,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitStats {
    pub unit_id: Uuid,
    pub name_en: String,
    pub kind: UnitKind,
    pub leads: u64,
    /// Leads whose accept or resolve deadline has come.
    pub deadlines_due: u64,
    /// Of those, accepted and resolved in time.
    pub on_time: u64,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Overview {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Tips submitted in the period, by their state now.
    pub tips_by_status: Vec<TipStatusCount>,
    pub tips_by_category: Vec<CategoryCount>,
    /// Leads built in the period, by their state now.
    pub leads_by_status: Vec<LeadStatusCount>,
    pub leads_by_category: Vec<CategoryCount>,
    pub submitted_to_verified: StepTime,
    pub verified_to_forwarded: StepTime,
    pub forwarded_to_accepted: StepTime,
    pub accepted_to_resolved: StepTime,
    /// Leads sent to a unit.
    pub leads_forwarded: u64,
    /// Of those, sent to a non-police department.
    pub leads_to_non_police: u64,
    pub non_police_share: Option<f64>,
    pub units: Vec<UnitStats>,
}

fn by_category(map: std::collections::BTreeMap<String, i64>) -> Vec<CategoryCount> {
    map.into_iter()
        .map(|(category, count)| CategoryCount { category, count })
        .collect()
}

#[derive(ResponseContent)]
pub enum CsvBody {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum CsvFile {
    /// One row per lead created in the period.
    #[oai(status = 200)]
    Ok(CsvBody, #[oai(header = "Content-Disposition")] String),
}

/// `[from, to)`, the last 30 days by default; 400 when `from` is not
/// before `to`.
fn period(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::unprocessable(
            "request.invalid_period",
            "`from` must be before `to`",
        ));
    }
    Ok((from, to))
}

crate::errors! {
    StatsErrors: 400, 422 ["request.invalid_period"], 401, 404, 503;
}

#[OpenApi(prefix_path = "/v1/stats", tag = "ApiTags::Stats")]
impl StatsApi {
    /// Counts, step times and units' punctuality for tips and leads created
    /// in `[from, to)` (default: the last 30 days).
    #[oai(path = "/overview", method = "get", operation_id = "stats_overview")]
    async fn overview(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        from: Query<Option<DateTime<Utc>>>,
        to: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<Overview>, Fails<StatsErrors>> {
        let (from, to) = period(from.0, to.0, state.clock.now())?;
        let o = stats::overview(&state, from, to).await?;
        Ok(Json(Overview {
            from,
            to,
            tips_by_status: o
                .tips_by_status
                .into_iter()
                .map(|(status, count)| TipStatusCount {
                    status: TipStatusName::from(status),
                    count,
                })
                .collect(),
            tips_by_category: by_category(o.tips_by_category),
            leads_by_status: o
                .leads_by_status
                .into_iter()
                .map(|(status, count)| LeadStatusCount {
                    status: LeadStatusName::from(status),
                    count,
                })
                .collect(),
            leads_by_category: by_category(o.leads_by_category),
            submitted_to_verified: o.submitted_to_verified.into(),
            verified_to_forwarded: o.verified_to_forwarded.into(),
            forwarded_to_accepted: o.forwarded_to_accepted.into(),
            accepted_to_resolved: o.accepted_to_resolved.into(),
            leads_forwarded: o.leads_forwarded,
            leads_to_non_police: o.leads_to_non_police,
            non_police_share: o.non_police_share,
            units: o
                .units
                .into_iter()
                .map(|u| UnitStats {
                    unit_id: u.unit_id,
                    name_en: u.name_en,
                    kind: UnitKind::from(u.kind),
                    leads: u.leads,
                    deadlines_due: u.deadlines_due,
                    on_time: u.on_time,
                    on_time_rate: u.on_time_rate,
                })
                .collect(),
        }))
    }

    /// The leads created in `[from, to)` as CSV: reference, state,
    /// category, tips, unit, times, outcome, overdue. Nothing about
    /// reporters.
    #[oai(path = "/leads.csv", method = "get", operation_id = "stats_leads_csv")]
    async fn leads_csv(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        from: Query<Option<DateTime<Utc>>>,
        to: Query<Option<DateTime<Utc>>>,
    ) -> Result<CsvFile, Fails<StatsErrors>> {
        let (from, to) = period(from.0, to.0, state.clock.now())?;
        let csv = stats::leads_csv(&state, from, to).await?;
        Ok(CsvFile::Ok(
            CsvBody::Csv(PlainText(csv)),
            format!(
                "attachment; filename=\"leads-{}-{}.csv\"",
                from.format("%Y%m%d"),
                to.format("%Y%m%d")
            ),
        ))
    }
}
