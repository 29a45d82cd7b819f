//! The review queue (`GET /v1/moderation/tips`) and its CSV export: the
//! queue's filters, checked once for both, and the state counts for the
//! console's tabs.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::export::{CsvStream, TipsCsv, export_stream};
use crate::app::AppState;
use crate::domain::geo::Point;
use crate::domain::tip::TipStatus;
use crate::http::ApiTags;
use crate::http::auth::{Auth, Moderators};
use crate::http::error::{ApiError, Fails};
use crate::http::params::{Cursor, bad_filter, distinct, page_limit, parse_contact};
use crate::http::responses::signed_url;
use crate::http::tips::ContactOut;
use crate::http::vocab::{ContactKindName, TipStatusName};
use crate::store::media;
use crate::store::tips::{self, ClaimFilter, QueueFilter, tip};

pub struct QueueApi;

/// Which end of the queue comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum QueueOrder {
    /// First in, first served (the default).
    Oldest,
    Newest,
}

/// Whose claims to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ClaimedBy {
    /// Held by the caller.
    Me,
    /// Held by nobody (never claimed, released, or lease run out).
    None,
}

/// One row of the queue.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QueueItem {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    /// Send it back with a decision.
    pub version: i32,
    pub category: String,
    pub description: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub contacts: Vec<ContactOut>,
    pub photo_count: u32,
    /// The first photo's thumbnail, a short-lived URL.
    pub thumbnail_url: Option<String>,
    /// The moderator holding it, while the claim runs.
    pub claimed_by: Option<Uuid>,
    pub claim_expires_at: Option<DateTime<Utc>>,
}

/// How many tips are in each state, for the tabs of a console (all tips,
/// whatever the other filters).
#[derive(Debug, Object, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct StatusCounts {
    pub submitted: i64,
    pub in_review: i64,
    pub needs_info: i64,
    pub verified: i64,
    pub forwarded: i64,
    pub closed: i64,
    pub rejected: i64,
    pub duplicate: i64,
    pub withdrawn: i64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    pub counts: StatusCounts,
}

/// The widest `near` circle, in metres.
const MAX_RADIUS_M: f64 = 50_000.0;

/// The states asked for; without any, those waiting for a moderator.
fn queue_statuses(given: Option<Vec<TipStatusName>>) -> Vec<TipStatus> {
    let statuses = distinct(given);
    if statuses.is_empty() {
        return TipStatus::ALL
            .into_iter()
            .filter(|s| s.in_queue())
            .collect();
    }
    statuses
}

/// `lat,lon,radius_m`.
fn parse_near(raw: &str) -> Result<(f64, f64, f64), ApiError> {
    let parts: Vec<f64> = raw
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad_filter("near: expected lat,lon,radius_m"))?;
    let [lat, lon, radius] = parts[..] else {
        return Err(bad_filter("near: expected lat,lon,radius_m"));
    };
    Point::new(lat, lon).map_err(|e| bad_filter(format!("near: {e}")))?;
    if !(radius.is_finite() && radius > 0.0 && radius <= MAX_RADIUS_M) {
        return Err(bad_filter(format!(
            "near: radius_m must be above 0 and at most {MAX_RADIUS_M}"
        )));
    }
    Ok((lat, lon, radius))
}

async fn status_counts(state: &AppState) -> Result<StatusCounts, ApiError> {
    Ok(StatusCounts::of(tips::status_counts(&state.db).await?))
}

impl StatusCounts {
    /// From the store's `(state, count)` rows.
    pub fn of(rows: Vec<(TipStatus, i64)>) -> Self {
        let mut counts = StatusCounts::default();
        for (status, n) in rows {
            let slot = match status {
                TipStatus::Submitted => &mut counts.submitted,
                TipStatus::InReview => &mut counts.in_review,
                TipStatus::NeedsInfo => &mut counts.needs_info,
                TipStatus::Verified => &mut counts.verified,
                TipStatus::Forwarded => &mut counts.forwarded,
                TipStatus::Closed => &mut counts.closed,
                TipStatus::Rejected => &mut counts.rejected,
                TipStatus::Duplicate => &mut counts.duplicate,
                TipStatus::Withdrawn => &mut counts.withdrawn,
            };
            *slot = n;
        }
        counts
    }
}

/// The queue's filters as given, before they are checked.
struct QueueParams {
    status: Option<Vec<TipStatusName>>,
    category: Option<String>,
    created_from: Option<DateTime<Utc>>,
    created_to: Option<DateTime<Utc>>,
    near: Option<String>,
    contact: Option<String>,
    q: Option<String>,
    claimed_by: Option<ClaimedBy>,
    order: Option<QueueOrder>,
}

/// The queue's filters, checked (422 `request.invalid_filter` naming the
/// one that does not hold).
fn queue_filter(auth: &Auth<Moderators>, p: QueueParams) -> Result<QueueFilter, ApiError> {
    Ok(QueueFilter {
        statuses: queue_statuses(p.status),
        category: p.category.filter(|c| !c.trim().is_empty()),
        created_from: p.created_from,
        created_to: p.created_to,
        near: p.near.as_deref().map(parse_near).transpose()?,
        contact: p.contact.as_deref().map(parse_contact).transpose()?,
        text: p.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        claim: p.claimed_by.map(|c| match c {
            ClaimedBy::Me => ClaimFilter::HeldBy(auth.account().id),
            ClaimedBy::None => ClaimFilter::Free,
        }),
        now: auth.ctx.now,
        newest_first: p.order == Some(QueueOrder::Newest),
    })
}

/// The queue's rows, with their contacts and photos read for the whole page
/// at once.
async fn queue_items(
    state: &AppState,
    rows: Vec<tip::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<QueueItem>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let contacts = tips::contacts_of_many(&state.db, &ids).await?;
    let photos = media::of_tips(&state.db, &ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for t in rows {
        let mine: Vec<&media::Model> = photos.iter().filter(|m| m.tip_id == Some(t.id)).collect();
        let thumbnail_url = match mine.first() {
            Some(first) => Some(signed_url(state, &first.thumb_key).await?),
            None => None,
        };
        let holder = t.holder(now);
        items.push(QueueItem {
            contacts: contacts
                .iter()
                .filter(|c| c.tip_id == t.id)
                .map(|c| ContactOut {
                    kind: ContactKindName::from(c.kind),
                    value: c.value.clone(),
                })
                .collect(),
            photo_count: mine.len() as u32,
            thumbnail_url,
            claimed_by: holder,
            claim_expires_at: holder.and(t.claim_expires_at),
            id: t.id,
            reference: t.reference,
            status: TipStatusName::from(t.status),
            version: t.version,
            category: t.category,
            description: t.description,
            lat: t.lat,
            lon: t.lon,
            address: t.address,
            created_at: t.created_at,
        });
    }
    Ok(items)
}

crate::errors! {
    QueueErrors: 400, 422 ["request.invalid_filter", "request.invalid_cursor"], 401, 404, 503;
    ExportErrors: 400, 401, 404, 422 ["request.invalid_filter"], 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl QueueApi {
    /// The review queue. Filters narrow it; without `status` it holds the
    /// tips waiting for a moderator (`submitted`, `in_review`). Oldest
    /// first unless `order=newest`; pages by `cursor` stay exact while new
    /// tips arrive. `counts` gives every state's total for the tabs.
    #[oai(path = "/tips", method = "get", operation_id = "moderation_queue")]
    #[allow(clippy::too_many_arguments)]
    async fn queue(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// One or more states, repeated.
        status: Query<Option<Vec<TipStatusName>>>,
        category: Query<Option<String>>,
        /// Submitted at or after.
        created_from: Query<Option<DateTime<Utc>>>,
        /// Submitted before.
        created_to: Query<Option<DateTime<Utc>>>,
        /// `lat,lon,radius_m` (WGS-84; radius up to 50 km).
        #[oai(validator(
            max_length = 100,
            pattern = r"^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*[0-9.]+\s*$"
        ))]
        near: Query<Option<String>>,
        /// `kind:value`, written any usual way, e.g. `phone:138-0013-8000`.
        #[oai(validator(max_length = 2100, pattern = r"^\s*(phone|wechat|qq|url)\s*:"))]
        contact: Query<Option<String>>,
        /// Text in the description or the address.
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        claimed_by: Query<Option<ClaimedBy>>,
        order: Query<Option<QueueOrder>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<QueuePage>, Fails<QueueErrors>> {
        let filter = queue_filter(
            &auth,
            QueueParams {
                status: status.0,
                category: category.0,
                created_from: created_from.0,
                created_to: created_to.0,
                near: near.0,
                contact: contact.0,
                q: q.0,
                claimed_by: claimed_by.0,
                order: order.0,
            },
        )?;
        let limit = page_limit(limit.0);
        let after = Cursor::decode(cursor.0.as_deref())?;
        let rows = tips::queue(&state.db, &filter, after, limit).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |t| t.id);
        Ok(Json(QueuePage {
            items: queue_items(&state, rows, auth.ctx.now).await?,
            next_cursor: next.map(Cursor::encode),
            counts: status_counts(&state).await?,
        }))
    }

    /// The tips the queue's filters hold, every one of them (not a page),
    /// as CSV streamed while it is read: reference, state, category, time,
    /// place, contacts, text. Nothing about reporters. Without `status`:
    /// the tips waiting for a moderator, as the queue.
    #[oai(
        path = "/tips.csv",
        method = "get",
        operation_id = "moderation_export_tips"
    )]
    #[allow(clippy::too_many_arguments)] // The queue's filters, one parameter each.
    async fn export(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// One or more states, repeated.
        status: Query<Option<Vec<TipStatusName>>>,
        category: Query<Option<String>>,
        /// Submitted at or after.
        created_from: Query<Option<DateTime<Utc>>>,
        /// Submitted before.
        created_to: Query<Option<DateTime<Utc>>>,
        /// `lat,lon,radius_m` (WGS-84; radius up to 50 km).
        #[oai(validator(
            max_length = 100,
            pattern = r"^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*[0-9.]+\s*$"
        ))]
        near: Query<Option<String>>,
        #[oai(validator(max_length = 2100, pattern = r"^\s*(phone|wechat|qq|url)\s*:"))]
        contact: Query<Option<String>>,
        #[oai(validator(max_length = 200))] q: Query<Option<String>>,
        claimed_by: Query<Option<ClaimedBy>>,
        order: Query<Option<QueueOrder>>,
    ) -> Result<TipsCsv, Fails<ExportErrors>> {
        let filter = queue_filter(
            &auth,
            QueueParams {
                status: status.0,
                category: category.0,
                created_from: created_from.0,
                created_to: created_to.0,
                near: near.0,
                contact: contact.0,
                q: q.0,
                claimed_by: claimed_by.0,
                order: order.0,
            },
        )?;
        let body = poem::Body::from_bytes_stream(export_stream(state.clone(), filter));
        let name = format!(
            "attachment; filename=\"tips-{}.csv\"",
            auth.ctx.now.format("%Y%m%d-%H%M%S")
        );
        Ok(TipsCsv::Ok(CsvStream::Csv(Binary(body)), name))
    }
}
