//! Outcomes, for administrators (`/v1/admin/outcomes`): the list units
//! resolve leads with, the texts reporters read, and the reward points each
//! is worth. Units read the current list at `GET /v1/unit/outcomes`.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::admin::AdminReadErrors;
use super::auth::{Admins, Auth};
use super::contract::Checked;
use super::error::{ApiError, Fails, non_blank};
use super::responses::Created;
use crate::app::AppState;
use crate::store::outcomes::{self, Model};
use crate::store::wording;
use crate::vocabulary;

pub struct OutcomesApi;

/// Points one outcome may be worth.
const MAX_POINTS: i32 = 10_000;

/// An outcome: labels for staff, texts for reporters, points.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OutcomeAdminView {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    /// What reporters read (zh-CN).
    pub public_zh: String,
    /// What reporters read (English).
    pub public_en: String,
    /// Credited to the reporter of each tip in a lead closed this way.
    pub points: i32,
    /// Retired outcomes cannot be chosen; leads resolved with them keep them.
    pub retired: bool,
    pub position: i32,
}

impl From<Model> for OutcomeAdminView {
    fn from(o: Model) -> Self {
        OutcomeAdminView {
            code: o.code,
            label_zh: o.label_zh,
            label_en: o.label_en,
            public_zh: o.public_zh,
            public_en: o.public_en,
            points: o.points,
            retired: o.retired,
            position: o.position,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewOutcome {
    /// `a-z`, digits and `_`, 2–40 characters.
    #[oai(validator(pattern = "^[a-z][a-z0-9_]{1,39}$"))]
    pub code: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_zh: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_en: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_zh: String,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_en: String,
    /// 0–10000.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "10000")))]
    pub points: i32,
    /// Sort order; lower first.
    #[oai(default)]
    pub position: i32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OutcomeChanges {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_en: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_en: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub points: Option<i32>,
    pub retired: Option<bool>,
    pub position: Option<i32>,
}

fn text(field: &str, value: &str) -> Result<String, ApiError> {
    non_blank("outcome.invalid_text", field, value).map(str::to_owned)
}

fn maybe_text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    value.map(|v| text(field, &v)).transpose()
}

crate::errors! {
    CreateOutcomeErrors: 400, 401, 403, 409 ["outcome.exists"], 413, 415,
        422 ["outcome.invalid_text"], 503;
    UpdateOutcomeErrors: 400, 401, 403, 404 ["outcome.not_found"], 413, 415,
        422 ["outcome.invalid_text"], 503;
}

#[OpenApi(prefix_path = "/v1/admin/outcomes", tag = "ApiTags::Admin")]
impl OutcomesApi {
    /// Every outcome, retired ones too, in display order.
    #[oai(path = "/", method = "get", operation_id = "admin_list_outcomes")]
    async fn list(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<OutcomeAdminView>>, Fails<AdminReadErrors>> {
        let rows = outcomes::list_all(&state.db).await?;
        Ok(Json(rows.into_iter().map(OutcomeAdminView::from).collect()))
    }

    /// Adds an outcome.
    #[oai(path = "/", method = "post", operation_id = "admin_create_outcome")]
    async fn create(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Checked<NewOutcome>,
    ) -> Result<Created<OutcomeAdminView>, Fails<CreateOutcomeErrors>> {
        let body = body.0;
        let row = Model {
            code: body.code,
            label_zh: text("label_zh", &body.label_zh)?,
            label_en: text("label_en", &body.label_en)?,
            public_zh: text("public_zh", &body.public_zh)?,
            public_en: text("public_en", &body.public_en)?,
            retired: false,
            position: body.position,
            points: body.points.clamp(0, MAX_POINTS),
        };
        let created = vocabulary::create_outcome(&state, &auth.ctx, row).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Rewords, reprices, reorders, retires or restores an outcome.
    /// Reporters of closed tips read the new text; points already credited
    /// stay.
    #[oai(
        path = "/:code",
        method = "patch",
        operation_id = "admin_update_outcome"
    )]
    async fn update(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        code: Path<String>,
        body: Checked<OutcomeChanges>,
    ) -> Result<Json<OutcomeAdminView>, Fails<UpdateOutcomeErrors>> {
        let body = body.0;
        let changes = outcomes::Changes {
            wording: wording::Changes {
                label_zh: maybe_text("label_zh", body.label_zh)?,
                label_en: maybe_text("label_en", body.label_en)?,
                public_zh: maybe_text("public_zh", body.public_zh)?,
                public_en: maybe_text("public_en", body.public_en)?,
                retired: body.retired,
                position: body.position,
            },
            points: body.points.map(|p| p.clamp(0, MAX_POINTS)),
        };
        let updated = vocabulary::update_outcome(&state, &auth.ctx, &code.0, changes).await?;
        Ok(Json(updated.into()))
    }
}
