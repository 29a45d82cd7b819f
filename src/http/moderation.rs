//! The moderators' side of tips: the review queue, a tip in full, claims,
//! decisions, internal notes, the audited reads of originals and of the
//! reporter's phone number, and contact clustering. Hidden (404) from
//! citizens and officers.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, ResponseContent};
use uuid::Uuid;

use super::ApiTags;
use super::admin::AuditEventView;
use super::auth::{Auth, Moderators};
use super::contract::Checked;
use super::error::{ApiError, ErrorBody, Fails};
use super::pagination::{Cursor, page_limit};
use super::tips::{
    ContactOut, HistoryEntry, LocationOut, MessageView, message_view, public_history, signed_url,
};
use super::vocab::{ActorKind, ContactKindName, CrsName, LeadStatusName, PhotoKind, TipStatusName};
use crate::app::AppState;
use crate::domain::contact::{Contact, ContactKind};
use crate::domain::geo::Point;
use crate::domain::tip::TipStatus;
use crate::moderation::{self, BulkItem, Decision, LeadChoice};
use crate::store::leads::{self, lead};
use crate::store::tips::{self, ClaimFilter, QueueFilter, tip};
use crate::store::{audit, contacts, media, reject_reasons};

pub struct ModerationApi;

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

/// A lead, in a line.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadRef {
    pub id: Uuid,
    pub reference: String,
    pub status: LeadStatusName,
    pub category: String,
}

impl From<&lead::Model> for LeadRef {
    fn from(l: &lead::Model) -> Self {
        LeadRef {
            id: l.id,
            reference: l.reference.clone(),
            status: LeadStatusName::from(l.status),
            category: l.category.clone(),
        }
    }
}

/// A contact of the tip and how far it reaches.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactReach {
    pub kind: ContactKindName,
    pub value: String,
    /// Other tips carrying it.
    pub other_tips: i64,
    /// Leads holding a tip that carries it.
    pub leads: i64,
}

/// A photo of the tip, as moderators see it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ModeratorPhoto {
    pub id: Uuid,
    pub kind: PhotoKind,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    /// Of the original, as uploaded.
    pub sha256: String,
    pub display_url: String,
    pub thumbnail_url: String,
}

/// "Looks like tip X": a photo of another tip that is the same file or the
/// same picture.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SimilarPhoto {
    /// This tip's photo.
    pub media_id: Uuid,
    pub other_tip_id: Uuid,
    pub other_tip_reference: String,
    pub other_media_id: Uuid,
    pub other_thumbnail_url: String,
    /// Byte-identical (SHA-256).
    pub exact: bool,
    /// Bits the perceptual hashes differ by (0–10; 0 for exact copies).
    pub distance: u32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoteView {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Who reported, as far as moderators see: never the person, unless asked
/// through the audited `GET .../reporter`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReporterInfo {
    pub anonymous: bool,
}

/// Everything a moderator needs to decide on a tip.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ModeratorTip {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    pub version: i32,
    pub category: String,
    pub description: String,
    pub location: LocationOut,
    pub address: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reporter: ReporterInfo,
    pub claimed_by: Option<Uuid>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    pub lead: Option<LeadRef>,
    pub duplicate_of: Option<Uuid>,
    pub reject_reason: Option<String>,
    pub photos: Vec<ModeratorPhoto>,
    pub contacts: Vec<ContactReach>,
    /// Open leads holding other tips with one of this tip's contacts.
    pub suggested_leads: Vec<LeadRef>,
    pub similar_photos: Vec<SimilarPhoto>,
    /// The conversation with the reporter.
    pub messages: Vec<MessageView>,
    /// Internal: reporters never see them.
    pub notes: Vec<NoteView>,
    /// What the reporter's timeline shows.
    pub history: Vec<HistoryEntry>,
    /// Every recorded action on the tip, with who did it (the reporter as
    /// `reporter`, without an id).
    pub audit: Vec<AuditEventView>,
}

/// A tip's state after a claim or a decision.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TipState {
    pub id: Uuid,
    pub status: TipStatusName,
    pub version: i32,
    pub claimed_by: Option<Uuid>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    pub lead_id: Option<Uuid>,
    pub duplicate_of: Option<Uuid>,
}

impl TipState {
    /// The tip as it is `now` (whose claim still runs).
    pub fn at(t: tip::Model, now: DateTime<Utc>) -> Self {
        let holder = t.holder(now);
        TipState {
            id: t.id,
            status: TipStatusName::from(t.status),
            version: t.version,
            claimed_by: holder,
            claim_expires_at: holder.and(t.claim_expires_at),
            lead_id: t.lead_id,
            duplicate_of: t.duplicate_of,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VerifyRequest {
    /// The version the moderator saw.
    pub version: i32,
    /// An open lead to add the tip to; without it, a new lead is made.
    pub lead_id: Option<Uuid>,
    /// The new lead's title.
    #[oai(validator(max_length = 200, pattern = r"\S"))]
    pub lead_title: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RejectRequest {
    pub version: i32,
    /// A code from `GET /v1/moderation/reject-reasons`.
    #[oai(validator(max_length = 40))]
    pub reason: String,
    /// Shown to the reporter under the reason's text.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub note: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RequestInfoRequest {
    pub version: i32,
    /// The reporter reads it in the conversation; their answer puts the
    /// tip back in the queue.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub question: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MarkDuplicateRequest {
    pub version: i32,
    /// The tip that is kept.
    pub of: Uuid,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewNote {
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub body: String,
}

/// What a bulk decision does to every tip it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BulkAction {
    Verify,
    Reject,
}

/// A tip of a bulk decision and the version the moderator saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Object)]
pub struct BulkTip {
    pub id: Uuid,
    pub version: i32,
}

/// One decision on several tips. `reject` needs `reason`; `verify` puts them
/// all into `lead_id` (an open lead) or into one new lead (`lead_title`
/// names it).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkRequest {
    pub action: BulkAction,
    /// 1–100 tips, each once.
    #[oai(validator(min_items = 1, max_items = 100, unique_items))]
    pub tips: Vec<BulkTip>,
    /// For `reject`: a code from `GET /v1/moderation/reject-reasons`.
    #[oai(validator(max_length = 40))]
    pub reason: Option<String>,
    /// For `reject`: shown to each reporter under the reason's text.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub note: Option<String>,
    /// For `verify`: an open lead to put them in.
    pub lead_id: Option<Uuid>,
    /// For `verify` into a new lead: its title.
    #[oai(validator(max_length = 200, pattern = r"\S"))]
    pub lead_title: Option<String>,
}

/// What became of one tip of a bulk decision: its state, or the error it
/// would have got alone (`status` and the uniform body).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkResult {
    pub id: Uuid,
    pub ok: bool,
    pub tip: Option<TipState>,
    /// The HTTP status a single decision would have answered.
    pub status: Option<u16>,
    pub error: Option<ErrorBody>,
}

/// Every tip's result, in the order asked; `lead_id` is the lead verified
/// tips went into.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkOutcome {
    pub results: Vec<BulkResult>,
    pub lead_id: Option<Uuid>,
    pub decided: u32,
    pub failed: u32,
}

/// A short-lived link to an original photo.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OriginalLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// Check the download against it.
    pub sha256: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReporterContact {
    /// Anonymous reporters have none.
    pub anonymous: bool,
    /// E.164.
    pub phone: Option<String>,
}

/// At most this many similar photos per tip.
const SIMILAR_LIMIT: usize = 20;
/// The widest `near` circle, in metres.
const MAX_RADIUS_M: f64 = 50_000.0;

fn bad_filter(message: impl Into<String>) -> ApiError {
    ApiError::unprocessable("request.invalid_filter", message)
}

/// The values a repeated filter (`status=a&status=b`) was given, in the
/// domain's terms, each once.
pub(super) fn distinct<A: Copy, T: From<A> + PartialEq>(given: Option<Vec<A>>) -> Vec<T> {
    let mut values: Vec<T> = Vec::new();
    for value in given.unwrap_or_default().into_iter().map(T::from) {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

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

/// `kind:value`, e.g. `phone:138-0013-8000`; the value is normalised.
pub(super) fn parse_contact(raw: &str) -> Result<(ContactKind, String), ApiError> {
    let (kind, value) = raw
        .split_once(':')
        .ok_or_else(|| bad_filter("contact: expected kind:value, e.g. phone:13800138000"))?;
    let kind = ContactKind::parse(kind.trim())
        .ok_or_else(|| bad_filter("contact: kind must be phone, wechat, qq or url"))?;
    let contact = Contact::parse(kind, value).map_err(|e| bad_filter(format!("contact: {e}")))?;
    Ok((kind, contact.value().to_owned()))
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

/// Rows an export reads at a time.
const EXPORT_PAGE: u64 = 500;

/// A CSV export, written as it is read.
#[derive(ResponseContent)]
pub enum CsvStream {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<poem::Body>),
}

#[derive(ApiResponse)]
pub enum TipsCsv {
    /// One row per tip, streamed: a download cut short (the connection, or
    /// a store failing mid-way) ends without its last chunk, so a client
    /// can tell it from a whole one.
    #[oai(status = 200)]
    Ok(CsvStream, #[oai(header = "Content-Disposition")] String),
}

const EXPORT_HEADER: &str =
    "reference,status,category,submitted_at,lat,lon,address,contacts,description\r\n";

/// The CSV lines of one page of tips.
async fn export_page(state: &AppState, rows: &[tip::Model]) -> Result<String, sea_orm::DbErr> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let contacts = tips::contacts_of_many(&state.db, &ids).await?;
    let mut out = String::new();
    for t in rows {
        let carried: Vec<String> = contacts
            .iter()
            .filter(|c| c.tip_id == t.id)
            .map(|c| format!("{}:{}", c.kind, c.value))
            .collect();
        let fields = [
            t.reference.clone(),
            t.status.to_string(),
            t.category.clone(),
            t.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            format!("{:.6}", t.lat),
            format!("{:.6}", t.lon),
            t.address.clone().unwrap_or_default(),
            carried.join(" "),
            t.description.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| crate::stats::csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Every tip the filter holds, page by page, as CSV bytes.
fn export_stream(
    state: AppState,
    filter: QueueFilter,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    enum At {
        Header,
        After(Option<Uuid>),
        Done,
    }
    futures_util::stream::unfold(At::Header, move |at| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = match at {
                At::Done => return None,
                At::Header => {
                    return Some((
                        Ok(bytes::Bytes::from_static(EXPORT_HEADER.as_bytes())),
                        At::After(None),
                    ));
                }
                At::After(after) => after,
            };
            let rows = match tips::queue(&state.db, &filter, after, EXPORT_PAGE).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "an export failed mid-way");
                    return Some((Err(std::io::Error::other("the export failed")), At::Done));
                }
            };
            let next = if rows.len() as u64 == EXPORT_PAGE {
                At::After(rows.last().map(|t| t.id))
            } else {
                At::Done
            };
            match export_page(&state, &rows).await {
                Ok(text) => Some((Ok(bytes::Bytes::from(text)), next)),
                Err(e) => {
                    tracing::error!(error = %e, "an export failed mid-way");
                    Some((Err(std::io::Error::other("the export failed")), At::Done))
                }
            }
        }
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

/// A tip in full, for moderators.
async fn moderator_tip(
    state: &AppState,
    t: tip::Model,
    now: DateTime<Utc>,
) -> Result<ModeratorTip, ApiError> {
    let contacts = tips::contacts_of(&state.db, t.id).await?;
    let pairs: Vec<contacts::Key> = contacts.iter().map(|c| (c.kind, c.value.clone())).collect();
    let reach = contacts::reach(&state.db, &pairs, t.id).await?;
    let suggested_ids = contacts::open_leads_carrying(&state.db, &pairs, t.id).await?;
    let mut lead_ids = suggested_ids.clone();
    lead_ids.extend(t.lead_id);
    let leads_known = leads::find_many(&state.db, &lead_ids).await?;
    let photos = media::of_tip(&state.db, t.id).await?;
    let lookalikes = media::lookalikes(&state.db, t.id, &photos, SIMILAR_LIMIT).await?;
    let other_ids: Vec<Uuid> = lookalikes.iter().filter_map(|l| l.other.tip_id).collect();
    let others = tips::find_many(&state.db, &other_ids).await?;
    let history = public_history(state, t.id).await?;

    let mut photo_views = Vec::with_capacity(photos.len());
    for p in photos {
        photo_views.push(ModeratorPhoto {
            display_url: signed_url(state, &p.display_key).await?,
            thumbnail_url: signed_url(state, &p.thumb_key).await?,
            id: p.id,
            kind: PhotoKind::of_stored(&p.kind),
            width: p.width,
            height: p.height,
            byte_size: p.byte_size,
            sha256: p.sha256,
        });
    }
    let mut similar = Vec::with_capacity(lookalikes.len());
    for l in lookalikes {
        let Some(other) = others.iter().find(|o| Some(o.id) == l.other.tip_id) else {
            continue;
        };
        similar.push(SimilarPhoto {
            media_id: l.media_id,
            other_tip_id: other.id,
            other_tip_reference: other.reference.clone(),
            other_media_id: l.other.id,
            other_thumbnail_url: signed_url(state, &l.other.thumb_key).await?,
            exact: l.exact,
            distance: l.distance,
        });
    }
    let holder = t.holder(now);
    Ok(ModeratorTip {
        reporter: ReporterInfo {
            anonymous: t.reporter_user_id.is_none(),
        },
        claimed_by: holder,
        claim_expires_at: holder.and(t.claim_expires_at),
        lead: t
            .lead_id
            .and_then(|id| leads_known.iter().find(|l| l.id == id))
            .map(LeadRef::from),
        suggested_leads: leads_known
            .iter()
            .filter(|l| {
                suggested_ids.contains(&l.id)
                    && Some(l.id) != t.lead_id
                    && l.status == crate::domain::lead::LeadStatus::Open
            })
            .map(LeadRef::from)
            .collect(),
        contacts: contacts
            .iter()
            .map(|c| {
                let (tips_n, leads_n) = reach
                    .iter()
                    .find(|r| r.kind == c.kind && r.value == c.value)
                    .map_or((0, 0), |r| (r.other_tips, r.leads));
                ContactReach {
                    kind: ContactKindName::from(c.kind),
                    value: c.value.clone(),
                    other_tips: tips_n,
                    leads: leads_n,
                }
            })
            .collect(),
        photos: photo_views,
        similar_photos: similar,
        messages: tips::messages_of(&state.db, t.id)
            .await?
            .into_iter()
            .map(message_view)
            .collect(),
        notes: tips::notes_of(&state.db, t.id)
            .await?
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                author_id: n.author_user_id,
                body: n.body,
                created_at: n.created_at,
            })
            .collect(),
        history,
        audit: audit::for_object(&state.db, "tip", t.id)
            .await?
            .into_iter()
            .map(|event| {
                let mut view = AuditEventView::from(event);
                // The reporter acted on their own tip: say so without the
                // account id, which would link their tips together and is
                // shown only through the audited reporter call.
                if view.actor_id.is_some() && view.actor_id == t.reporter_user_id {
                    view.actor_id = None;
                    view.actor_kind = ActorKind::Reporter;
                }
                view
            })
            .collect(),
        id: t.id,
        reference: t.reference,
        status: TipStatusName::from(t.status),
        version: t.version,
        category: t.category,
        description: t.description,
        location: LocationOut {
            lat: t.lat,
            lon: t.lon,
            accuracy_m: t.accuracy_m,
            crs: CrsName::of_stored(&t.crs),
            lat_original: t.lat_original,
            lon_original: t.lon_original,
        },
        address: t.address,
        occurred_at: t.occurred_at,
        created_at: t.created_at,
        updated_at: t.updated_at,
        duplicate_of: t.duplicate_of,
        reject_reason: t.reject_reason,
    })
}

/// A tip carrying the contact, with where it was seen.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClusterTip {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    pub category: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub created_at: DateTime<Utc>,
}

/// Every tip that carries one contact, however its reporters wrote it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactCluster {
    pub kind: ContactKindName,
    /// Normalised: E.164 phones, lower-case ids, parsed URLs.
    pub value: String,
    pub tip_count: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Newest first, at most 200.
    pub tips: Vec<ClusterTip>,
    /// Leads holding any of those tips, newest first.
    pub leads: Vec<LeadRef>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HotContact {
    pub kind: ContactKindName,
    pub value: String,
    /// Tips carrying it in the window.
    pub tips: i64,
}

const CLUSTER_LIMIT: u64 = 200;

crate::errors! {
    QueueErrors: 400, 422 ["request.invalid_filter", "request.invalid_cursor"], 401, 404, 503;
    TipReadErrors: 400, 401, 404 ["tip.not_found"], 503;
    ClaimErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.claimed", "tip.invalid_state", "tip.stale_version"], 503;
    VerifyErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed", "lead.not_open", "lead.reference_exhausted"],
        413, 415, 422 ["tip.unknown_lead", "tip.invalid_lead", "lead.invalid_title"], 503;
    RejectErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed"],
        413, 415, 422 ["tip.unknown_reject_reason", "tip.invalid_note"], 503;
    AskErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed"],
        413, 415, 422 ["tip.invalid_question"], 503;
    DuplicateErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed", "tip.duplicate_of_unkept"],
        413, 415, 422 ["tip.invalid_duplicate"], 503;
    NoteErrors: 400, 401, 404 ["tip.not_found"], 413, 415, 422 ["note.invalid"], 503;
    OriginalErrors: 400, 401, 404 ["media.not_found"], 503;
    ClusterErrors: 400, 401, 404, 422 ["contact.invalid"], 503;
    ExportErrors: 400, 401, 404, 422 ["request.invalid_filter"], 503;
    BulkErrors: 400, 401, 404, 413, 415, 422 ["tip.invalid_lead", "tip.unknown_reject_reason"], 503;
    HotErrors: 400, 401, 404, 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl ModerationApi {
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

    /// A tip in full: text, place, photos, contacts and how far they reach,
    /// open leads to add it to, similar photos, the conversation, internal
    /// notes, the public timeline and the audit trail.
    #[oai(
        path = "/tips/:id",
        method = "get",
        operation_id = "moderation_get_tip"
    )]
    async fn tip(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ModeratorTip>, Fails<TipReadErrors>> {
        let t = tips::find(&state.db, id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("tip.not_found", "no such tip"))?;
        Ok(Json(moderator_tip(&state, t, auth.ctx.now).await?))
    }

    /// Claims a tip for review (a lease, `claim_lease_secs`), or renews
    /// one's own claim. Each claim moves the tip's version: decide with the
    /// version the last claim answered.
    #[oai(path = "/tips/:id/claim", method = "post", operation_id = "claim_tip")]
    async fn claim(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipState>, Fails<ClaimErrors>> {
        let lease = chrono::Duration::from_std(state.settings.claim_lease)
            .unwrap_or(chrono::Duration::minutes(15));
        let tip = moderation::claim(&state, &auth.ctx, auth.account().id, id.0, lease).await?;
        Ok(Json(TipState::at(tip, auth.ctx.now)))
    }

    /// Gives a claimed tip back to the queue.
    #[oai(
        path = "/tips/:id/release",
        method = "post",
        operation_id = "release_tip"
    )]
    async fn release(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipState>, Fails<ClaimErrors>> {
        let tip = moderation::release(&state, &auth.ctx, auth.account().id, id.0).await?;
        Ok(Json(TipState::at(tip, auth.ctx.now)))
    }

    /// Verifies a tip in review, into a new lead or an open one.
    #[oai(
        path = "/tips/:id/verify",
        method = "post",
        operation_id = "verify_tip"
    )]
    async fn verify(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<VerifyRequest>,
    ) -> Result<Json<TipState>, Fails<VerifyErrors>> {
        let choice = match (body.0.lead_id, body.0.lead_title) {
            (Some(_), Some(_)) => {
                return Err(ApiError::unprocessable(
                    "tip.invalid_lead",
                    "lead_title names a new lead; it cannot go with lead_id",
                )
                .into());
            }
            (Some(lead), None) => LeadChoice::Existing(lead),
            (None, title) => LeadChoice::New { title },
        };
        Ok(decide(
            &state,
            &auth,
            id.0,
            body.0.version,
            Decision::Verify(choice),
        )
        .await?)
    }

    /// The same decision on up to 100 tips: `reject` with one reason (and
    /// note), or `verify` into one lead. Each tip is claimed and decided on
    /// its own — its own version check, transaction and audit events — so a
    /// tip another moderator holds or decided meanwhile fails alone; the
    /// answer gives every tip's result, with the error a single decision
    /// would have got. A reason that does not exist is refused before any
    /// tip is touched.
    #[oai(
        path = "/tips/bulk",
        method = "post",
        operation_id = "decide_tips_in_bulk"
    )]
    async fn bulk(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        body: Checked<BulkRequest>,
    ) -> Result<Json<BulkOutcome>, Fails<BulkErrors>> {
        let body = body.0;
        let decision = match body.action {
            BulkAction::Reject => {
                let reason = body.reason.ok_or_else(|| {
                    ApiError::unprocessable(
                        "tip.unknown_reject_reason",
                        "`reject` needs a `reason`",
                    )
                })?;
                reject_reasons::find(&state.db, &reason)
                    .await?
                    .filter(|r| !r.retired)
                    .ok_or_else(|| {
                        ApiError::unprocessable(
                            "tip.unknown_reject_reason",
                            format!("no reject reason `{reason}`"),
                        )
                    })?;
                Decision::Reject {
                    reason,
                    note: body.note,
                }
            }
            BulkAction::Verify => match (body.lead_id, body.lead_title) {
                (Some(_), Some(_)) => {
                    return Err(ApiError::unprocessable(
                        "tip.invalid_lead",
                        "lead_title names a new lead; it cannot go with lead_id",
                    )
                    .into());
                }
                (Some(lead), None) => Decision::Verify(LeadChoice::Existing(lead)),
                (None, title) => Decision::Verify(LeadChoice::New { title }),
            },
        };
        let lease = chrono::Duration::from_std(state.settings.claim_lease)
            .unwrap_or(chrono::Duration::minutes(15));
        let items: Vec<BulkItem> = body
            .tips
            .iter()
            .map(|t| BulkItem {
                id: t.id,
                version: t.version,
            })
            .collect();
        let results = moderation::decide_many(
            &state,
            &auth.ctx,
            auth.account().id,
            &items,
            decision,
            lease,
        )
        .await;
        let mut outcome = BulkOutcome {
            results: Vec::with_capacity(results.len()),
            lead_id: None,
            decided: 0,
            failed: 0,
        };
        for (id, result) in results {
            outcome.results.push(match result {
                Ok(tip) => {
                    outcome.decided += 1;
                    outcome.lead_id = outcome.lead_id.or(tip.lead_id);
                    BulkResult {
                        id,
                        ok: true,
                        tip: Some(TipState::at(tip, auth.ctx.now)),
                        status: None,
                        error: None,
                    }
                }
                Err(e) => {
                    outcome.failed += 1;
                    let (status, error) = ApiError::from(e).into_parts();
                    BulkResult {
                        id,
                        ok: false,
                        tip: None,
                        status: Some(status),
                        error: Some(error),
                    }
                }
            });
        }
        if body.action == BulkAction::Reject {
            outcome.lead_id = None;
        }
        Ok(Json(outcome))
    }

    /// Rejects a tip in review with a reason (the reporter reads its text
    /// and the note).
    #[oai(
        path = "/tips/:id/reject",
        method = "post",
        operation_id = "reject_tip"
    )]
    async fn reject(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<RejectRequest>,
    ) -> Result<Json<TipState>, Fails<RejectErrors>> {
        let decision = Decision::Reject {
            reason: body.0.reason,
            note: body.0.note,
        };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }

    /// Asks the reporter a question; the tip waits (`needs_info`) until
    /// they answer through the app or their receipt.
    #[oai(
        path = "/tips/:id/request-info",
        method = "post",
        operation_id = "request_tip_info"
    )]
    async fn request_info(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<RequestInfoRequest>,
    ) -> Result<Json<TipState>, Fails<AskErrors>> {
        let decision = Decision::RequestInfo {
            question: body.0.question,
        };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }

    /// Marks a tip in review as a duplicate of the tip that is kept; the
    /// reporter is told the matter is already in hand.
    #[oai(
        path = "/tips/:id/mark-duplicate",
        method = "post",
        operation_id = "mark_tip_duplicate"
    )]
    async fn mark_duplicate(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<MarkDuplicateRequest>,
    ) -> Result<Json<TipState>, Fails<DuplicateErrors>> {
        let decision = Decision::MarkDuplicate { of: body.0.of };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }

    /// An internal note on a tip; reporters never see notes.
    #[oai(
        path = "/tips/:id/notes",
        method = "post",
        operation_id = "add_tip_note"
    )]
    async fn add_note(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<NewNote>,
    ) -> Result<Json<NoteView>, Fails<NoteErrors>> {
        let note =
            moderation::add_note(&state, &auth.ctx, auth.account().id, id.0, &body.0.body).await?;
        Ok(Json(NoteView {
            id: note.id,
            author_id: note.author_user_id,
            body: note.body,
            created_at: note.created_at,
        }))
    }

    /// The reporter's phone number. Each call is an audit event naming the
    /// moderator; anonymous reporters have none.
    #[oai(
        path = "/tips/:id/reporter",
        method = "get",
        operation_id = "read_tip_reporter"
    )]
    async fn reporter(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ReporterContact>, Fails<TipReadErrors>> {
        let tip = tips::find(&state.db, id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("tip.not_found", "no such tip"))?;
        let phone = moderation::read_reporter_phone(&state, &auth.ctx, tip.id).await?;
        Ok(Json(ReporterContact {
            anonymous: tip.reporter_user_id.is_none(),
            phone,
        }))
    }

    /// A short-lived link to a photo's original bytes (the evidence, with
    /// its metadata). Each call is an audit event naming the moderator.
    #[oai(
        path = "/media/:id/original",
        method = "get",
        operation_id = "read_original_photo"
    )]
    async fn original(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<OriginalLink>, Fails<OriginalErrors>> {
        let photo = moderation::read_original(&state, &auth.ctx, id.0).await?;
        let key = crate::blob::BlobKey::parse(&photo.original_key)
            .map_err(|e| ApiError::unavailable(&e))?;
        let url = state
            .blobs
            .signed_url(&key, moderation::ORIGINAL_URL_TTL)
            .await
            .map_err(|e| ApiError::unavailable(&e))?;
        Ok(Json(OriginalLink {
            url,
            expires_at: auth.ctx.now
                + chrono::Duration::from_std(moderation::ORIGINAL_URL_TTL).expect("a few minutes"),
            sha256: photo.sha256,
        }))
    }

    /// The tips that carry a contact. `value` is written any usual way
    /// (`138-0013-8000` and `+86 13800138000` are one phone number);
    /// URL-encode it.
    #[oai(
        path = "/contacts/:kind/:value",
        method = "get",
        operation_id = "contact_cluster"
    )]
    async fn cluster(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        kind: Path<ContactKindName>,
        value: Path<String>,
    ) -> Result<Json<ContactCluster>, Fails<ClusterErrors>> {
        let name = kind.0;
        let kind = ContactKind::from(name);
        let contact = Contact::parse(kind, &value.0)
            .map_err(|e| ApiError::unprocessable("contact.invalid", e.to_string()))?;
        let cluster = contacts::cluster(&state.db, kind, contact.value(), CLUSTER_LIMIT).await?;
        Ok(Json(ContactCluster {
            kind: name,
            value: contact.value().to_owned(),
            tip_count: cluster.tip_count as u64,
            first_seen: cluster.first_seen,
            last_seen: cluster.last_seen,
            tips: cluster
                .tips
                .into_iter()
                .map(|t| ClusterTip {
                    id: t.id,
                    reference: t.reference,
                    status: TipStatusName::from(t.status),
                    category: t.category,
                    lat: t.lat,
                    lon: t.lon,
                    created_at: t.created_at,
                })
                .collect(),
            leads: cluster.leads.iter().map(LeadRef::from).collect(),
        }))
    }

    /// The contacts carried by the most tips in the last `days` days.
    #[oai(path = "/contacts/hot", method = "get", operation_id = "hot_contacts")]
    async fn hot(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// The window, 1–90 days (default 7).
        #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
        days: Query<Option<u32>>,
        /// How many, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<HotContact>>, Fails<HotErrors>> {
        let since = auth.ctx.now - chrono::Duration::days(i64::from(days.0.unwrap_or(7)));
        let rows = contacts::hot(&state.db, since, u64::from(limit.0.unwrap_or(20))).await?;
        Ok(Json(
            rows.into_iter()
                .map(|c| HotContact {
                    kind: ContactKindName::from(c.kind),
                    value: c.value,
                    tips: c.tips,
                })
                .collect(),
        ))
    }
}

async fn decide(
    state: &AppState,
    auth: &Auth<Moderators>,
    id: Uuid,
    version: i32,
    decision: Decision,
) -> Result<Json<TipState>, ApiError> {
    let tip =
        moderation::decide(state, &auth.ctx, auth.account().id, id, version, decision).await?;
    Ok(Json(TipState::at(tip, auth.ctx.now)))
}
