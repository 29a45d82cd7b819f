//! What many resources answer with, in one place instead of borrowed from
//! whichever resource wrote it first: the `201` and `204` responses, fresh
//! short-lived URLs of stored objects, and the one view of a photo.
//!
//! A photo is shown to four audiences — its uploader, the reporter following
//! a tip, moderators and the unit's officers — through one schema, [`Photo`].
//! What describes the original (its media type, size and SHA-256, the
//! evidence) is present only for the audiences that handle evidence, chosen
//! by [`Original`] where the view is built: officers and people following a
//! tip never get it, and the schema says so.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use uuid::Uuid;

use super::error::ApiError;
use super::suggestions::ReadingStateName;
use super::vocab::{PhotoKind, PhotoMediaType};
use crate::app::AppState;
use crate::blob::BlobKey;
use crate::store::media;

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

/// A fresh short-lived URL of a stored object (presigned on S3, signed by
/// the service on local files), valid for `blob_url_ttl`.
pub async fn signed_url(state: &AppState, key: &str) -> Result<String, ApiError> {
    let key = BlobKey::parse(key).map_err(|e| ApiError::unavailable(&e))?;
    state
        .blobs
        .signed_url(&key, state.settings.blob_url_ttl)
        .await
        .map_err(|e| ApiError::unavailable(&e))
}

/// A photo, through short-lived URLs of its re-encoded copies. The fields
/// about the original (`content_type`, `byte_size`, `sha256`) are present
/// for its uploader and for moderators only; unit officers and reporters
/// following a tip get the copies alone.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Photo {
    pub id: Uuid,
    /// As displayed (orientation applied).
    pub width: i32,
    pub height: i32,
    /// Longest edge ≤ 2048, no metadata; valid for a few minutes.
    pub display_url: String,
    /// Longest edge ≤ 320, no metadata; valid for a few minutes.
    pub thumbnail_url: String,
    pub content_type: Option<PhotoMediaType>,
    /// The original's size in bytes.
    pub byte_size: Option<i64>,
    /// Of the original bytes, as uploaded (the evidence).
    pub sha256: Option<String>,
    // In the upload's answer only: reading the card in the photo has
    // begun; `GET /v1/media/{id}/suggestions` lists what it found. (A
    // plain comment: the enum's own description is what the spec shows.)
    pub reading: Option<ReadingStateName>,
}

/// Whether a photo's view describes the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Original {
    /// For the uploader and for moderators, who handle the evidence.
    Described,
    /// For unit officers and for reporters following a tip: the display
    /// copy and thumbnail only.
    Withheld,
}

impl Photo {
    /// The view of a stored photo, with fresh URLs.
    pub async fn of(
        state: &AppState,
        row: &media::Model,
        original: Original,
    ) -> Result<Self, ApiError> {
        let described = original == Original::Described;
        Ok(Photo {
            id: row.id,
            width: row.width,
            height: row.height,
            display_url: signed_url(state, &row.display_key).await?,
            thumbnail_url: signed_url(state, &row.thumb_key).await?,
            content_type: described.then(|| mime_of(PhotoKind::of_stored(&row.kind))),
            byte_size: described.then_some(row.byte_size),
            sha256: described.then(|| row.sha256.clone()),
            reading: None,
        })
    }

    /// Views of several photos, in their order.
    pub async fn of_all<'a>(
        state: &AppState,
        rows: impl IntoIterator<Item = &'a media::Model>,
        original: Original,
    ) -> Result<Vec<Self>, ApiError> {
        let mut views = Vec::new();
        for row in rows {
            views.push(Photo::of(state, row, original).await?);
        }
        Ok(views)
    }
}

fn mime_of(kind: PhotoKind) -> PhotoMediaType {
    match kind {
        PhotoKind::Jpg => PhotoMediaType::Jpeg,
        PhotoKind::Png => PhotoMediaType::Png,
        PhotoKind::Webp => PhotoMediaType::Webp,
    }
}
