//! The reporter's API: categories, submitting tips, following them (as a
//! citizen, or anonymously through a receipt), withdrawing, messages.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::admin::AdminReadErrors;
use super::auth::{Admins, Auth, Caller, Citizens, Reporters, anonymous_ctx, client_addr};
use super::contract::Checked;
use super::error::{ApiError, Fails};
use super::idempotent::{self, Begun};
use super::params::{Cursor, page_limit};
use super::responses::{Created, Original, Photo};
use super::vocab::{ContactKindName, CrsName, MessageAuthor, TipStatusName};
use crate::app::AppState;
use crate::context::Ctx;
use crate::limits::{self, Limit};
use crate::reporting::{self, Crs, NewTip, Reporter};
use crate::store::tips::{self, tip};
use crate::store::{categories, media};
use crate::vocabulary;

pub struct TipsApi;
pub struct CategoriesApi;

/// A category of tip, with its labels.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Category {
    /// Stable code, e.g. `illicit_card_ads`.
    pub code: String,
    /// zh-CN label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// Retired categories take no new tips.
    pub retired: bool,
}

impl Category {
    fn of(c: categories::Model) -> Self {
        Self {
            code: c.code,
            label_zh: c.label_zh,
            label_en: c.label_en,
            retired: c.retired,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewCategory {
    /// `a-z`, digits and `_`, 2–40 characters.
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{1,39}$"))]
    pub code: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_zh: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_en: String,
    /// Sort order; lower first.
    #[oai(default)]
    pub position: i32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryChanges {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_en: Option<String>,
    pub retired: Option<bool>,
}

/// Where it was seen. `crs` is the datum of `lat`/`lon`: `wgs84` when
/// absent.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LocationIn {
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lon: f64,
    /// Radius of uncertainty, metres.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub accuracy_m: Option<f64>,
    pub crs: Option<CrsName>,
}

/// A contact seen on the card.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactIn {
    pub kind: ContactKindName,
    #[oai(validator(max_length = 2000))]
    pub value: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewTipRequest {
    /// A category code from `GET /v1/categories`.
    #[oai(validator(max_length = 40))]
    pub category: String,
    #[oai(default, validator(max_length = 2000))]
    pub description: String,
    pub location: LocationIn,
    /// Street address or landmark, as the reporter writes it.
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
    /// When it was seen; not in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Phone numbers, WeChat ids, QQ numbers, URLs on the card.
    #[oai(default, validator(max_items = 20))]
    pub contacts: Vec<ContactIn>,
    /// 1 to 9 of the caller's own photos from `POST /v1/media`, each once.
    #[oai(validator(min_items = 1, max_items = 9, unique_items))]
    pub media_ids: Vec<Uuid>,
}

/// Where it was seen: `lat`/`lon` in WGS-84; `crs` is the datum the
/// reporter sent, and `lat_original`/`lon_original` the coordinates as sent.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LocationOut {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub crs: CrsName,
    pub lat_original: f64,
    pub lon_original: f64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactOut {
    pub kind: ContactKindName,
    /// Normalised (E.164 phones, lower-case ids, parsed URLs).
    pub value: String,
}

/// A step of a tip's public timeline: the state it entered, what the
/// reporter is told (`note`), and with `rejected` entries the reason
/// (`reason`), with `closed` entries how the unit closed the lead
/// (`outcome`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HistoryEntry {
    pub status: TipStatusName,
    pub note: Option<String>,
    pub reason: Option<RejectReasonText>,
    pub outcome: Option<RejectReasonText>,
    pub at: DateTime<Utc>,
}

/// A reject reason or an outcome as reporters read it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RejectReasonText {
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
}

/// A tip as its reporter sees it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TipView {
    pub id: Uuid,
    /// For people: `TL-20261128-7Q3K`.
    pub reference: String,
    pub status: TipStatusName,
    pub version: i32,
    pub category: String,
    pub description: String,
    pub location: LocationOut,
    pub address: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub contacts: Vec<ContactOut>,
    pub photos: Vec<Photo>,
    /// The public timeline, oldest first.
    pub history: Vec<HistoryEntry>,
    pub created_at: DateTime<Utc>,
}

/// An anonymous reporter's only way back to the tip: keep both parts.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReceiptView {
    pub code: String,
    /// Shown once; send it as `X-Receipt-Secret`.
    pub secret: String,
}

impl ReceiptView {
    fn of(receipt: &reporting::Receipt) -> Self {
        Self {
            code: receipt.code.clone(),
            secret: receipt.secret.clone(),
        }
    }
}

/// The tip just submitted; an anonymous reporter's answer carries the
/// receipt, shown only here.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubmittedTip {
    pub tip: TipView,
    pub receipt: Option<ReceiptView>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TipSummary {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    pub category: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TipPage {
    pub items: Vec<TipSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MessageView {
    pub id: Uuid,
    pub author: MessageAuthor,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewMessage {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 2000))]
    pub body: String,
}

/// What a replay needs to answer again: the tip, and its receipt if any.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
struct TipOutcome {
    tip_id: Uuid,
    receipt: Option<ReceiptView>,
}

/// A step of a tip's public timeline, with the current texts of the reject
/// reason or outcome it names.
pub fn history_entry(t: reporting::TimelineStep) -> HistoryEntry {
    HistoryEntry {
        reason: t.reason.map(|r| RejectReasonText {
            code: r.code,
            text_zh: r.public_zh,
            text_en: r.public_en,
        }),
        outcome: t.outcome.map(|o| RejectReasonText {
            code: o.code,
            text_zh: o.public_zh,
            text_en: o.public_en,
        }),
        status: TipStatusName::from(t.step.status),
        note: t.step.public_note,
        at: t.step.created_at,
    }
}

/// The reporter's view of a tip, with fresh photo URLs.
pub async fn tip_view(state: &AppState, tip: tip::Model) -> Result<TipView, ApiError> {
    let contacts = tips::contacts_of(&state.db, tip.id)
        .await?
        .into_iter()
        .map(|c| (c.kind, c.value))
        .collect();
    let timeline = reporting::timeline(&state.db, tip.id).await?;
    let photos = media::of_tip(&state.db, tip.id).await?;
    view_of(state, tip, contacts, timeline, &photos).await
}

/// The reporter's view of a tip from its parts.
async fn view_of(
    state: &AppState,
    tip: tip::Model,
    contacts: Vec<(crate::domain::contact::ContactKind, String)>,
    timeline: Vec<reporting::TimelineStep>,
    photos: &[media::Model],
) -> Result<TipView, ApiError> {
    let history = timeline.into_iter().map(history_entry).collect();
    // Whoever follows a tip (its citizen, or anyone holding the receipt)
    // sees the copies, not the original's description.
    let photo_views = Photo::of_all(state, photos, Original::Withheld).await?;
    Ok(TipView {
        id: tip.id,
        reference: tip.reference,
        status: TipStatusName::from(tip.status),
        version: tip.version,
        category: tip.category,
        description: tip.description,
        location: LocationOut {
            lat: tip.lat,
            lon: tip.lon,
            accuracy_m: tip.accuracy_m,
            crs: CrsName::of_stored(&tip.crs),
            lat_original: tip.lat_original,
            lon_original: tip.lon_original,
        },
        address: tip.address,
        occurred_at: tip.occurred_at,
        contacts: contacts
            .into_iter()
            .map(|(kind, value)| ContactOut {
                kind: ContactKindName::from(kind),
                value,
            })
            .collect(),
        photos: photo_views,
        history,
        created_at: tip.created_at,
    })
}

pub(super) fn message_view(m: tips::message::Model) -> MessageView {
    MessageView {
        id: m.id,
        author: MessageAuthor::from(m.author),
        body: m.body,
        created_at: m.created_at,
    }
}

pub fn reporter_of(caller: &Caller) -> Reporter {
    match caller {
        Caller::Account(user) => Reporter::Citizen(user.id),
        Caller::Anonymous { session_id } => Reporter::Anonymous(*session_id),
    }
}

/// Counts one creation against the reporter's and the address's hourly
/// limits.
pub async fn creation_limit(
    state: &AppState,
    what: &str,
    reporter: Reporter,
    client: std::net::IpAddr,
    per_reporter: u32,
    per_address: u32,
) -> Result<(), ApiError> {
    let limits = [
        Limit::new(format!("{what}:{}", reporter.scope()), per_reporter),
        Limit::new(
            format!("{what}:address:{}", limits::address_key(client)),
            per_address,
        ),
    ];
    match limits::hit(state, &limits, std::time::Duration::from_secs(3600)).await? {
        Ok(()) => Ok(()),
        Err(exceeded) => Err(ApiError::too_many_requests(
            "rate.limited",
            format!("too many {what} in the last hour; retry later"),
            exceeded.retry_after,
        )),
    }
}

/// Receipt look-ups that fail are counted per client address.
pub(super) async fn receipt_tip(
    state: &AppState,
    req: &Request,
    code: &str,
    secret: &str,
) -> Result<tip::Model, ApiError> {
    let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
    let limit = [Limit::new(
        format!("receipt:address:{}", limits::address_key(client)),
        state.settings.auth.max_failures_per_address,
    )];
    if let Err(exceeded) = limits::hit(state, &limit, state.settings.auth.failure_window).await? {
        return Err(ApiError::too_many_requests(
            "rate.limited",
            "too many receipt look-ups; retry later",
            exceeded.retry_after,
        ));
    }
    match reporting::receipt_tip(state, code, secret).await {
        Ok(tip) => {
            limits::unhit(state, &limit).await?;
            Ok(tip)
        }
        // The same answer for an unknown code and a wrong secret.
        Err(e) if e.is_not_found("tip.not_found") => Err(ApiError::not_found(
            "receipt.not_found",
            "no tip for this code and secret",
        )),
        Err(e) => Err(e.into()),
    }
}

crate::errors! {
    SubmitErrors: 400, 401, 403, 409 ["idempotency.in_progress", "tip.reference_exhausted"],
        413, 415,
        422 ["tip.unknown_category", "tip.invalid_location", "tip.occurred_in_future",
             "tip.invalid_contact", "tip.invalid_media", "idempotency.key_reused"],
        429 ["rate.limited"], 503;
    MyListErrors: 400, 422 ["request.invalid_cursor"], 401, 403, 503;
    MyTipErrors: 400, 401, 403, 404 ["tip.not_found"], 503;
    WithdrawErrors: 400, 401, 403, 404 ["tip.not_found"],
        409 ["tip.invalid_state", "tip.stale_version"], 503;
    MyMessageErrors: 400, 401, 403, 404 ["tip.not_found"],
        409 ["tip.invalid_state", "tip.stale_version"], 413, 415, 422 ["message.empty"], 503;
    /// Reads through a receipt.
    pub ReceiptErrors: 400, 404 ["receipt.not_found"], 429 ["rate.limited"], 503;
    /// Writes through a receipt.
    pub ReceiptMessageErrors: 400, 404 ["receipt.not_found"],
        409 ["tip.invalid_state", "tip.stale_version"], 413, 415, 422 ["message.empty"],
        429 ["rate.limited"], 503;
    CategoriesErrors: 503;
    CreateCategoryErrors: 400, 401, 403, 409 ["category.exists"], 413, 415, 503;
    UpdateCategoryErrors: 400, 401, 403, 404 ["category.not_found"], 413, 415, 503;
}

#[OpenApi(prefix_path = "/v1")]
impl TipsApi {
    /// Submit a tip with 1–9 photos uploaded first through `POST /v1/media`.
    ///
    /// Send an `Idempotency-Key` to retry safely: a replay answers the first
    /// tip (same id, same receipt); the same key with another body is 422
    /// `idempotency.key_reused`. An anonymous reporter gets a receipt, shown
    /// once.
    #[oai(
        path = "/tips",
        method = "post",
        operation_id = "submit_tip",
        tag = "ApiTags::Reporting"
    )]
    async fn submit(
        &self,
        auth: Auth<Reporters>,
        state: Data<&AppState>,
        req: &Request,
        /// Any unique string per tip, reused only for retries of it.
        #[oai(
            name = "Idempotency-Key",
            validator(min_length = 1, max_length = 200, pattern = "^[!-~]+$")
        )]
        idempotency_key: Header<Option<String>>,
        body: Checked<NewTipRequest>,
    ) -> Result<Created<SubmittedTip>, Fails<SubmitErrors>> {
        let reporter = reporter_of(&auth.caller);
        let begun = idempotent::begin(
            &state,
            "tips",
            reporter,
            idempotent::sent_key(req, idempotency_key.0.as_deref())?,
            || body.0.to_json_string(),
        )
        .await?;
        match begun {
            Begun::Replay(outcome) => {
                // A retry: the tip as it is now.
                let outcome = TipOutcome::parse_from_json(Some(outcome))
                    .map_err(|_| idempotent::unreadable())?;
                let tip = tips::find(&state.db, outcome.tip_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tip.not_found", "no such tip"))?;
                Ok(Created::Created(Json(SubmittedTip {
                    tip: tip_view(&state, tip).await?,
                    receipt: outcome.receipt,
                })))
            }
            begun => {
                let guard = match &begun {
                    Begun::Fresh(guard) => Some(guard.as_ref()),
                    _ => None,
                };
                // With a key, the outcome is recorded in the tip's own
                // transaction; a failure gives the key back.
                let result = submit_fresh(&state, &auth.ctx, req, reporter, body.0, guard).await;
                if result.is_err()
                    && let Begun::Fresh(guard) = begun
                {
                    guard.abandon(&state).await;
                }
                // The answer is built from what the submission wrote: a
                // read-back would cost every submission six statements.
                let submitted = result?;
                let receipt = submitted.receipt.as_ref().map(ReceiptView::of);
                let view = view_of(
                    &state,
                    submitted.tip,
                    submitted.contacts,
                    submitted.timeline,
                    &submitted.photos,
                )
                .await?;
                Ok(Created::Created(Json(SubmittedTip { tip: view, receipt })))
            }
        }
    }

    /// The caller's own tips, newest first.
    #[oai(
        path = "/tips",
        method = "get",
        operation_id = "list_my_tips",
        tag = "ApiTags::Reporting"
    )]
    async fn list(
        &self,
        auth: Auth<Citizens>,
        state: Data<&AppState>,
        /// Page size, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<Json<TipPage>, Fails<MyListErrors>> {
        let before = Cursor::decode(cursor.0.as_deref())?;
        let limit = page_limit(limit.0);
        let rows = tips::list_for_reporter(&state.db, auth.account().id, before, limit + 1).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |t| t.id);
        Ok(Json(TipPage {
            items: rows
                .into_iter()
                .map(|t| TipSummary {
                    id: t.id,
                    reference: t.reference,
                    status: TipStatusName::from(t.status),
                    category: t.category,
                    created_at: t.created_at,
                })
                .collect(),
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// One of the caller's own tips: status, public timeline, photos.
    /// Anyone else's tip is 404 `tip.not_found`.
    #[oai(
        path = "/tips/:id",
        method = "get",
        operation_id = "get_my_tip",
        tag = "ApiTags::Reporting"
    )]
    async fn get(
        &self,
        auth: Auth<Citizens>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipView>, Fails<MyTipErrors>> {
        let tip = reporting::own_tip(&state, auth.account().id, id.0).await?;
        Ok(Json(tip_view(&state, tip).await?))
    }

    /// Withdraw one's own tip, before a moderator verifies it (else 409
    /// `tip.invalid_state`).
    #[oai(
        path = "/tips/:id/withdraw",
        method = "post",
        operation_id = "withdraw_my_tip",
        tag = "ApiTags::Reporting"
    )]
    async fn withdraw(
        &self,
        auth: Auth<Citizens>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipView>, Fails<WithdrawErrors>> {
        let tip = reporting::own_tip(&state, auth.account().id, id.0).await?;
        let tip = reporting::withdraw(&state, &auth.ctx, &tip).await?;
        Ok(Json(tip_view(&state, tip).await?))
    }

    /// The conversation with moderators about one's own tip, oldest first.
    #[oai(
        path = "/tips/:id/messages",
        method = "get",
        operation_id = "list_my_tip_messages",
        tag = "ApiTags::Reporting"
    )]
    async fn messages(
        &self,
        auth: Auth<Citizens>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<MessageView>>, Fails<MyTipErrors>> {
        let tip = reporting::own_tip(&state, auth.account().id, id.0).await?;
        let messages = tips::messages_of(&state.db, tip.id).await?;
        Ok(Json(messages.into_iter().map(message_view).collect()))
    }

    /// Write to the moderators about one's own tip. An answer to their
    /// question puts the tip back in their queue.
    #[oai(
        path = "/tips/:id/messages",
        method = "post",
        operation_id = "post_my_tip_message",
        tag = "ApiTags::Reporting"
    )]
    async fn post_message(
        &self,
        auth: Auth<Citizens>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<NewMessage>,
    ) -> Result<Created<MessageView>, Fails<MyMessageErrors>> {
        let reporter = Reporter::Citizen(auth.account().id);
        let tip = reporting::own_tip(&state, auth.account().id, id.0).await?;
        let message =
            reporting::reporter_message(&state, &auth.ctx, reporter, &tip, &body.body).await?;
        Ok(Created::Created(Json(message_view(message))))
    }

    /// An anonymous reporter's tip, by receipt. An unknown code and a wrong
    /// secret are the same 404 `receipt.not_found`; failed look-ups are
    /// limited per client address.
    #[oai(
        path = "/receipts/:code",
        method = "get",
        operation_id = "get_receipt_tip",
        tag = "ApiTags::Receipts"
    )]
    async fn receipt(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
    ) -> Result<Json<TipView>, Fails<ReceiptErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        Ok(Json(tip_view(&state, tip).await?))
    }

    /// The conversation about a receipt's tip.
    #[oai(
        path = "/receipts/:code/messages",
        method = "get",
        operation_id = "list_receipt_messages",
        tag = "ApiTags::Receipts"
    )]
    async fn receipt_messages(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
    ) -> Result<Json<Vec<MessageView>>, Fails<ReceiptErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        let messages = tips::messages_of(&state.db, tip.id).await?;
        Ok(Json(messages.into_iter().map(message_view).collect()))
    }

    /// Write to the moderators about a receipt's tip.
    #[oai(
        path = "/receipts/:code/messages",
        method = "post",
        operation_id = "post_receipt_message",
        tag = "ApiTags::Receipts"
    )]
    async fn post_receipt_message(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
        body: Checked<NewMessage>,
    ) -> Result<Created<MessageView>, Fails<ReceiptMessageErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        // The receipt is the reporter's identity; it names no session.
        let reporter = Reporter::Anonymous(Uuid::nil());
        let message =
            reporting::reporter_message(&state, &anonymous_ctx(&state), reporter, &tip, &body.body)
                .await?;
        Ok(Created::Created(Json(message_view(message))))
    }
}

async fn submit_fresh(
    state: &AppState,
    ctx: &Ctx,
    req: &Request,
    reporter: Reporter,
    body: NewTipRequest,
    idempotency: Option<&crate::idempotency::Guard>,
) -> Result<reporting::Submitted, ApiError> {
    let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
    let limits = &state.settings.limits;
    creation_limit(
        state,
        "tips",
        reporter,
        client,
        limits.tips_per_hour_per_reporter,
        limits.tips_per_hour_per_address,
    )
    .await?;
    let new = NewTip {
        category: body.category,
        description: body.description,
        lat: body.location.lat,
        lon: body.location.lon,
        accuracy_m: body.location.accuracy_m,
        crs: match body.location.crs {
            Some(CrsName::Gcj02) => Crs::Gcj02,
            _ => Crs::Wgs84,
        },
        address: body.address,
        occurred_at: body.occurred_at,
        contacts: body
            .contacts
            .into_iter()
            .map(|c| (c.kind.as_str().to_owned(), c.value))
            .collect(),
        media_ids: body.media_ids,
    };
    Ok(reporting::submit(state, ctx, reporter, new, idempotency).await?)
}

#[OpenApi(prefix_path = "/v1")]
impl CategoriesApi {
    /// The categories a tip can have, in display order.
    #[oai(
        path = "/categories",
        method = "get",
        operation_id = "list_categories",
        tag = "ApiTags::Reporting"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Category>>, Fails<CategoriesErrors>> {
        let rows = categories::list(&state.db, false).await?;
        Ok(Json(rows.into_iter().map(Category::of).collect()))
    }

    /// Every category, retired ones too (admins).
    #[oai(
        path = "/admin/categories",
        method = "get",
        operation_id = "admin_list_categories",
        tag = "ApiTags::Admin"
    )]
    async fn admin_list(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Category>>, Fails<AdminReadErrors>> {
        let rows = categories::list(&state.db, true).await?;
        Ok(Json(rows.into_iter().map(Category::of).collect()))
    }

    /// Add a category. 409 `category.exists` if the code is taken.
    #[oai(
        path = "/admin/categories",
        method = "post",
        operation_id = "admin_create_category",
        tag = "ApiTags::Admin"
    )]
    async fn create(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Checked<NewCategory>,
    ) -> Result<Created<Category>, Fails<CreateCategoryErrors>> {
        let body = body.0;
        let new = vocabulary::NewCategory {
            label_zh: body.label_zh.trim().to_owned(),
            label_en: body.label_en.trim().to_owned(),
            code: body.code,
            position: body.position,
        };
        let created = vocabulary::create_category(&state, &auth.ctx, new).await?;
        Ok(Created::Created(Json(Category::of(created))))
    }

    /// Relabel, retire or restore a category. Retired categories take no new
    /// tips; tips already filed keep theirs.
    #[oai(
        path = "/admin/categories/:code",
        method = "patch",
        operation_id = "admin_update_category",
        tag = "ApiTags::Admin"
    )]
    async fn update(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        code: Path<String>,
        body: Checked<CategoryChanges>,
    ) -> Result<Json<Category>, Fails<UpdateCategoryErrors>> {
        let body = body.0;
        let changes = vocabulary::CategoryChanges {
            label_zh: body.label_zh,
            label_en: body.label_en,
            retired: body.retired,
        };
        let updated = vocabulary::update_category(&state, &auth.ctx, &code.0, changes).await?;
        Ok(Json(Category::of(updated)))
    }
}
