//! Units, for administrators (`/v1/admin/units`): police stations, the
//! command centre and non-police departments, with where they act
//! (GeoJSON), what they take, how fast, and their webhook.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::admin::AdminListErrors;
use super::auth::{Admins, Auth};
use super::clearable::Clearable;
use super::contract::Checked;
use super::error::{ApiError, Fails};
use super::geojson::Jurisdiction;
use super::params::{Cursor, page_limit};
use super::responses::Created;
use super::vocab::UnitKind;
use crate::app::AppState;
use crate::store::units;
use crate::units::{self as admin, UnitChanges};

pub struct UnitsApi;

/// Where a unit's events go. The secret signs each delivery
/// (`X-Tipline-Signature`); it is never shown back.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookSetting {
    /// `http://` or `https://`.
    #[oai(validator(max_length = 2000, pattern = "^https?://[^/?#]"))]
    pub url: String,
    /// 16 to 200 characters.
    #[oai(validator(min_length = 16, max_length = 200))]
    pub secret: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewUnitRequest {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 200))]
    pub name_zh: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 200))]
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub jurisdiction: Option<Jurisdiction>,
    /// Category codes the unit takes, each once.
    #[oai(default, validator(max_items = 100, unique_items, max_length = 40))]
    pub categories: Vec<String>,
    /// Hours to accept a forwarded lead, 1–8760 (default 24).
    #[oai(validator(minimum(value = "1"), maximum(value = "8760")))]
    pub accept_hours: Option<i32>,
    /// Hours from acceptance to a resolution, 1–8760 (default 168).
    #[oai(validator(minimum(value = "1"), maximum(value = "8760")))]
    pub resolve_hours: Option<i32>,
    pub webhook: Option<WebhookSetting>,
}

/// Changes to a unit; absent fields stay, `null` clears.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitPatch {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 200))]
    pub name_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 200))]
    pub name_en: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: Clearable<Uuid>,
    pub jurisdiction: Clearable<Jurisdiction>,
    #[oai(validator(max_items = 100, unique_items, max_length = 40))]
    pub categories: Option<Vec<String>>,
    #[oai(validator(minimum(value = "1"), maximum(value = "8760")))]
    pub accept_hours: Option<i32>,
    #[oai(validator(minimum(value = "1"), maximum(value = "8760")))]
    pub resolve_hours: Option<i32>,
    pub webhook: Clearable<WebhookSetting>,
    /// A disabled unit gets no new leads; its history stays.
    pub disabled: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitView {
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub jurisdiction: Option<Jurisdiction>,
    pub categories: Vec<String>,
    pub accept_hours: i32,
    pub resolve_hours: i32,
    pub webhook_url: Option<String>,
    /// Whether a webhook secret is set (it is never shown).
    pub webhook_secret_set: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitPage {
    pub items: Vec<UnitView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

async fn views(state: &AppState, rows: Vec<units::Model>) -> Result<Vec<UnitView>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|u| u.id).collect();
    let taken = units::categories_of(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|unit| UnitView {
            categories: taken
                .iter()
                .filter(|c| c.unit_id == unit.id)
                .map(|c| c.category.clone())
                .collect(),
            id: unit.id,
            kind: UnitKind::from(unit.kind),
            name_zh: unit.name_zh,
            name_en: unit.name_en,
            parent_id: unit.parent_id,
            jurisdiction: unit
                .jurisdiction
                .as_deref()
                .and_then(Jurisdiction::of_stored),
            accept_hours: unit.accept_hours,
            resolve_hours: unit.resolve_hours,
            webhook_url: unit.webhook_url,
            webhook_secret_set: unit.webhook_secret.is_some(),
            disabled: unit.disabled,
            created_at: unit.created_at,
        })
        .collect())
}

async fn view(state: &AppState, unit: units::Model) -> Result<UnitView, ApiError> {
    Ok(views(state, vec![unit])
        .await?
        .pop()
        .expect("one view per unit"))
}

crate::errors! {
    CreateUnitErrors: 400, 401, 403, 413, 415,
        422 ["unit.invalid_name", "unit.invalid_kind", "unit.invalid_jurisdiction", "unit.unknown_category",
             "unit.invalid_parent", "unit.invalid_deadline", "unit.invalid_webhook", "unit.invalid_categories"],
        503;
    UnitReadErrors: 400, 401, 403, 404 ["unit.not_found"], 503;
    UpdateUnitErrors: 400, 401, 403, 404 ["unit.not_found"], 413, 415,
        422 ["unit.invalid_name", "unit.invalid_kind", "unit.invalid_jurisdiction", "unit.unknown_category",
             "unit.invalid_parent", "unit.invalid_deadline", "unit.invalid_webhook", "unit.invalid_categories"],
        503;
}

#[OpenApi(prefix_path = "/v1/admin/units", tag = "ApiTags::Admin")]
impl UnitsApi {
    /// Create a unit.
    #[oai(path = "/", method = "post", operation_id = "admin_create_unit")]
    async fn create(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Checked<NewUnitRequest>,
    ) -> Result<Created<UnitView>, Fails<CreateUnitErrors>> {
        let body = body.0;
        let changes = UnitChanges {
            name_zh: Some(body.name_zh),
            name_en: Some(body.name_en),
            kind: Some(body.kind.into()),
            parent_id: Some(body.parent_id),
            jurisdiction: Some(body.jurisdiction.map(|j| j.0)),
            categories: Some(body.categories),
            accept_hours: body.accept_hours,
            resolve_hours: body.resolve_hours,
            webhook: body.webhook.map(|w| Some((w.url, w.secret))),
            disabled: None,
        };
        let unit = admin::create(&state, &auth.ctx, changes).await?;
        Ok(Created::Created(Json(view(&state, unit).await?)))
    }

    /// List units in creation order.
    #[oai(path = "/", method = "get", operation_id = "admin_list_units")]
    async fn list(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        /// Page size, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<Json<UnitPage>, Fails<AdminListErrors>> {
        let after = Cursor::decode(cursor.0.as_deref())?;
        let limit = page_limit(limit.0);
        let rows = units::list(&state.db, after, limit + 1).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |u| u.id);
        Ok(Json(UnitPage {
            items: views(&state, rows).await?,
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// One unit.
    #[oai(path = "/:id", method = "get", operation_id = "admin_get_unit")]
    async fn get(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<UnitView>, Fails<UnitReadErrors>> {
        let unit = units::find(&state.db, id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("unit.not_found", "no such unit"))?;
        Ok(Json(view(&state, unit).await?))
    }

    /// Change a unit; the same checks as creating one.
    #[oai(path = "/:id", method = "patch", operation_id = "admin_update_unit")]
    async fn update(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<UnitPatch>,
    ) -> Result<Json<UnitView>, Fails<UpdateUnitErrors>> {
        let body = body.0;
        let changes = UnitChanges {
            name_zh: body.name_zh,
            name_en: body.name_en,
            kind: body.kind.map(Into::into),
            parent_id: body.parent_id.into_change(),
            jurisdiction: body.jurisdiction.into_change().map(|j| j.map(|j| j.0)),
            categories: body.categories,
            accept_hours: body.accept_hours,
            resolve_hours: body.resolve_hours,
            webhook: body
                .webhook
                .into_change()
                .map(|w| w.map(|w| (w.url, w.secret))),
            disabled: body.disabled,
        };
        let unit = admin::update(&state, &auth.ctx, id.0, changes).await?;
        Ok(Json(view(&state, unit).await?))
    }
}
