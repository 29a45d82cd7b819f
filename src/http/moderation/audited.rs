//! The audited reads of protected data: a tip's reporter's phone number
//! (`GET /v1/moderation/tips/{id}/reporter`) and a photo's original
//! (`GET /v1/moderation/media/{id}/original`). Each call is an audit event
//! naming the moderator, written before anything is answered.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::TipReadErrors;
use crate::app::AppState;
use crate::http::ApiTags;
use crate::http::auth::{Auth, Moderators};
use crate::http::error::{ApiError, Fails};
use crate::moderation;
use crate::store::tips;

pub struct AuditedReadsApi;

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

crate::errors! {
    OriginalErrors: 400, 401, 404 ["media.not_found"], 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl AuditedReadsApi {
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
}
