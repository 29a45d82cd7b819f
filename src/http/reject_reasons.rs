//! Reject reasons: the list moderators choose from and the texts reporters
//! read, kept as data that administrators edit.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::admin::AdminReadErrors;
use super::auth::{Admins, Auth, Moderators};
use super::contract::Checked;
use super::error::{ApiError, Fails, non_blank};
use super::responses::Created;
use crate::app::AppState;
use crate::store::reject_reasons::{self, Model};
use crate::store::wording;
use crate::vocabulary;

pub struct RejectReasonsApi;

/// A reject reason: labels for moderators, texts for reporters.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RejectReasonView {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    /// What the reporter reads (zh-CN).
    pub public_zh: String,
    /// What the reporter reads (English).
    pub public_en: String,
    /// Retired reasons cannot be chosen; tips rejected with them keep them.
    pub retired: bool,
    pub position: i32,
}

impl From<Model> for RejectReasonView {
    fn from(r: Model) -> Self {
        RejectReasonView {
            code: r.code,
            label_zh: r.label_zh,
            label_en: r.label_en,
            public_zh: r.public_zh,
            public_en: r.public_en,
            retired: r.retired,
            position: r.position,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewRejectReason {
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
    /// Sort order; lower first.
    #[oai(default)]
    pub position: i32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RejectReasonChanges {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 100))]
    pub label_en: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_zh: Option<String>,
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 500))]
    pub public_en: Option<String>,
    pub retired: Option<bool>,
    pub position: Option<i32>,
}

/// A text field without its surrounding blanks; 422
/// `reject_reason.invalid_text` when nothing is left.
fn required(field: &str, text: String) -> Result<String, ApiError> {
    non_blank("reject_reason.invalid_text", field, &text).map(str::to_owned)
}

fn trimmed(field: &str, text: Option<String>) -> Result<Option<String>, ApiError> {
    text.map(|t| required(field, t)).transpose()
}

crate::errors! {
    ReasonsErrors: 401, 404, 503;
    CreateReasonErrors: 400, 401, 403, 409 ["reject_reason.exists"], 413, 415,
        422 ["reject_reason.invalid_text"], 503;
    UpdateReasonErrors: 400, 401, 403, 404 ["reject_reason.not_found"], 413, 415,
        422 ["reject_reason.invalid_text"], 503;
}

#[OpenApi(prefix_path = "/v1")]
impl RejectReasonsApi {
    /// The reasons a tip can be rejected with, in display order.
    #[oai(
        path = "/moderation/reject-reasons",
        method = "get",
        operation_id = "list_reject_reasons",
        tag = "ApiTags::Moderation"
    )]
    async fn list(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<RejectReasonView>>, Fails<ReasonsErrors>> {
        let rows = reject_reasons::list(&state.db, false).await?;
        Ok(Json(rows.into_iter().map(RejectReasonView::from).collect()))
    }

    /// Every reject reason, retired ones too.
    #[oai(
        path = "/admin/reject-reasons",
        method = "get",
        operation_id = "admin_list_reject_reasons",
        tag = "ApiTags::Admin"
    )]
    async fn admin_list(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<RejectReasonView>>, Fails<AdminReadErrors>> {
        let rows = reject_reasons::list(&state.db, true).await?;
        Ok(Json(rows.into_iter().map(RejectReasonView::from).collect()))
    }

    /// Adds a reject reason. 409 `reject_reason.exists` if the code is taken.
    #[oai(
        path = "/admin/reject-reasons",
        method = "post",
        operation_id = "admin_create_reject_reason",
        tag = "ApiTags::Admin"
    )]
    async fn create(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Checked<NewRejectReason>,
    ) -> Result<Created<RejectReasonView>, Fails<CreateReasonErrors>> {
        let body = body.0;
        let row = Model {
            code: body.code,
            label_zh: required("label_zh", body.label_zh)?,
            label_en: required("label_en", body.label_en)?,
            public_zh: required("public_zh", body.public_zh)?,
            public_en: required("public_en", body.public_en)?,
            retired: false,
            position: body.position,
        };
        let created = vocabulary::create_reject_reason(&state, &auth.ctx, row).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Rewords, reorders, retires or restores a reason. Reporters of tips
    /// already rejected with it read the new text.
    #[oai(
        path = "/admin/reject-reasons/:code",
        method = "patch",
        operation_id = "admin_update_reject_reason",
        tag = "ApiTags::Admin"
    )]
    async fn update(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        code: Path<String>,
        body: Checked<RejectReasonChanges>,
    ) -> Result<Json<RejectReasonView>, Fails<UpdateReasonErrors>> {
        let body = body.0;
        let changes = wording::Changes {
            label_zh: trimmed("label_zh", body.label_zh)?,
            label_en: trimmed("label_en", body.label_en)?,
            public_zh: trimmed("public_zh", body.public_zh)?,
            public_en: trimmed("public_en", body.public_en)?,
            retired: body.retired,
            position: body.position,
        };
        let updated = vocabulary::update_reject_reason(&state, &auth.ctx, &code.0, changes).await?;
        Ok(Json(updated.into()))
    }
}
