//! Units, for administrators (`/v1/admin/units`): police stations, the
//! command centre and non-police departments, with where they act
//! (GeoJSON), what they take, how fast, and their webhook.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::accounts::Created;
use super::auth::{Admins, Auth};
use super::error::ApiError;
use super::pagination::{Cursor, page_limit};
use super::request_id::RequestId;
use crate::app::AppState;
use crate::store::audit::Actor;
use crate::store::units;
use crate::units::{self as admin, UnitChanges};

pub struct UnitsApi;

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UnitKind {
    PoliceStation,
    CommandCenter,
    /// A non-police body: market supervision, labour inspection, urban
    /// management, ...
    Department,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::PoliceStation => "police_station",
            UnitKind::CommandCenter => "command_center",
            UnitKind::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "police_station" => UnitKind::PoliceStation,
            "command_center" => UnitKind::CommandCenter,
            _ => UnitKind::Department,
        }
    }
}

/// Where a unit's events go. The secret signs each delivery
/// (`X-Tipline-Signature`); it is never shown back.
#[derive(Debug, Object)]
pub struct WebhookSetting {
    /// `http://` or `https://`.
    #[oai(validator(max_length = 2000))]
    pub url: String,
    /// 16 to 200 characters.
    #[oai(validator(max_length = 200))]
    pub secret: String,
}

#[derive(Debug, Object)]
pub struct NewUnitRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name_zh: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    /// A GeoJSON Polygon or MultiPolygon (or a Feature holding one), WGS-84
    /// `[lon, lat]`: closed rings of at least four positions, no
    /// self-crossing. Errors name the position: 422
    /// `unit.invalid_jurisdiction`.
    pub jurisdiction: Option<serde_json::Value>,
    /// Category codes the unit takes.
    #[oai(default, validator(max_items = 100))]
    pub categories: Vec<String>,
    /// Hours to accept a forwarded lead (default 24).
    pub accept_hours: Option<i32>,
    /// Hours from acceptance to a resolution (default 168).
    pub resolve_hours: Option<i32>,
    pub webhook: Option<WebhookSetting>,
}

/// Changes to a unit; absent fields stay, `null` clears.
#[derive(Debug, Object)]
pub struct UnitPatch {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name_zh: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name_en: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: MaybeUndefined<Uuid>,
    pub jurisdiction: MaybeUndefined<serde_json::Value>,
    #[oai(validator(max_items = 100))]
    pub categories: Option<Vec<String>>,
    pub accept_hours: Option<i32>,
    pub resolve_hours: Option<i32>,
    pub webhook: MaybeUndefined<WebhookSetting>,
    /// A disabled unit gets no new leads; its history stays.
    pub disabled: Option<bool>,
}

#[derive(Debug, Object)]
pub struct UnitView {
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub jurisdiction: Option<serde_json::Value>,
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
            kind: UnitKind::parse(&unit.kind),
            name_zh: unit.name_zh,
            name_en: unit.name_en,
            parent_id: unit.parent_id,
            jurisdiction: unit
                .jurisdiction
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
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

fn maybe<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

#[OpenApi(prefix_path = "/v1/admin/units", tag = "ApiTags::Admin")]
impl UnitsApi {
    /// Create a unit. Errors (422): `unit.invalid_jurisdiction` (naming the
    /// position and the problem), `unit.unknown_category`,
    /// `unit.invalid_parent`, `unit.invalid_deadline`,
    /// `unit.invalid_webhook`, `unit.invalid_categories`.
    #[oai(path = "/", method = "post", operation_id = "admin_create_unit")]
    async fn create(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Json<NewUnitRequest>,
    ) -> Result<Created<UnitView>, ApiError> {
        let body = body.0;
        let changes = UnitChanges {
            name_zh: Some(body.name_zh),
            name_en: Some(body.name_en),
            kind: Some(body.kind.as_str().to_owned()),
            parent_id: Some(body.parent_id),
            jurisdiction: Some(body.jurisdiction),
            categories: Some(body.categories),
            accept_hours: body.accept_hours,
            resolve_hours: body.resolve_hours,
            webhook: body.webhook.map(|w| Some((w.url, w.secret))),
            disabled: None,
        };
        let unit = admin::create(
            &state,
            Actor::User(auth.account().id),
            changes,
            &RequestId::current_string(),
        )
        .await?;
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
    ) -> Result<Json<UnitPage>, ApiError> {
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
    ) -> Result<Json<UnitView>, ApiError> {
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
        body: Json<UnitPatch>,
    ) -> Result<Json<UnitView>, ApiError> {
        let body = body.0;
        let changes = UnitChanges {
            name_zh: body.name_zh,
            name_en: body.name_en,
            kind: body.kind.map(|k| k.as_str().to_owned()),
            parent_id: maybe(body.parent_id, |p| p),
            jurisdiction: maybe(body.jurisdiction, |j| j),
            categories: body.categories,
            accept_hours: body.accept_hours,
            resolve_hours: body.resolve_hours,
            webhook: maybe(body.webhook, |w| (w.url, w.secret)),
            disabled: body.disabled,
        };
        let unit = admin::update(
            &state,
            Actor::User(auth.account().id),
            id.0,
            changes,
            &RequestId::current_string(),
        )
        .await?;
        Ok(Json(view(&state, unit).await?))
    }
}
