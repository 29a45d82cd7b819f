//! Contacts read off card photos, over HTTP: what the uploader sees of
//! their own photo's reading (`GET /v1/media/{id}/suggestions`), what a
//! moderator sees on a tip (the tip detail's `suggestions`), and the
//! moderator's decisions (`.../suggestions/{sid}/confirm` and `/dismiss`).
//! Nothing here is shown to unit officers: they see confirmed contacts,
//! which are the tip's own.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, Moderators, Reporters};
use super::error::{ApiError, Fails};
use super::tips::reporter_of;
use super::vocab::ContactKindName;
use crate::app::AppState;
use crate::media::upload::Owner;
use crate::store::suggestions::{ReadingState, SuggestionSource, SuggestionState, suggestion};

/// Where the reading of a photo's card stands; in an upload's answer, that
/// it has begun (`GET /v1/media/{id}/suggestions` lists what it found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReadingStateName {
    /// Queued or being read: ask again in a moment.
    Pending,
    /// Read; what was found (maybe nothing) is listed.
    Done,
    /// Could not be read; nothing will be suggested.
    Failed,
}

impl From<ReadingState> for ReadingStateName {
    fn from(s: ReadingState) -> Self {
        match s {
            ReadingState::Pending => ReadingStateName::Pending,
            ReadingState::Done => ReadingStateName::Done,
            ReadingState::Failed => ReadingStateName::Failed,
        }
    }
}

/// How a contact was read off the photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SuggestionSourceName {
    /// Decoded from a QR code.
    Qr,
    /// Read from printed text (OCR).
    Text,
}

impl From<SuggestionSource> for SuggestionSourceName {
    fn from(s: SuggestionSource) -> Self {
        match s {
            SuggestionSource::Qr => SuggestionSourceName::Qr,
            SuggestionSource::Text => SuggestionSourceName::Text,
        }
    }
}

/// What a moderator made of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SuggestionStateName {
    /// Waiting for a moderator.
    Suggested,
    /// One of the tip's contacts now.
    Confirmed,
    Dismissed,
}

impl From<SuggestionState> for SuggestionStateName {
    fn from(s: SuggestionState) -> Self {
        match s {
            SuggestionState::Suggested => SuggestionStateName::Suggested,
            SuggestionState::Confirmed => SuggestionStateName::Confirmed,
            SuggestionState::Dismissed => SuggestionStateName::Dismissed,
        }
    }
}

/// Where on the photo, as fractions (0–1) of the upright picture (the
/// display copy): multiply by its width and height to draw the box.
#[derive(Debug, Object)]
pub struct RegionView {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

fn region(s: &suggestion::Model) -> RegionView {
    RegionView {
        x: s.region_x,
        y: s.region_y,
        width: s.region_w,
        height: s.region_h,
    }
}

/// A contact read off the reporter's photo, to offer before the tip is
/// sent ("found 138 0013 8000 — add it?").
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FoundContact {
    pub kind: ContactKindName,
    /// Normalised, as it would be stored on a tip.
    pub value: String,
    pub source: SuggestionSourceName,
    /// 0–1: how sure the reader is.
    pub confidence: f64,
    pub region: RegionView,
}

/// What was read off one of the caller's photos.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PhotoSuggestions {
    pub media_id: Uuid,
    pub reading: ReadingStateName,
    /// Surest first; empty until `reading` is `done`.
    pub contacts: Vec<FoundContact>,
}

/// A contact read off one of the tip's photos, for a moderator to confirm
/// or dismiss.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SuggestionView {
    pub id: Uuid,
    /// The photo it was read from; `region` is a box on it.
    pub media_id: Uuid,
    pub kind: ContactKindName,
    /// Normalised, as the tip's contacts are.
    pub value: String,
    pub source: SuggestionSourceName,
    /// 0–1: how sure the reader is.
    pub confidence: f64,
    pub region: RegionView,
    pub state: SuggestionStateName,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<suggestion::Model> for SuggestionView {
    fn from(s: suggestion::Model) -> Self {
        SuggestionView {
            region: region(&s),
            id: s.id,
            media_id: s.media_id,
            kind: ContactKindName::from(s.kind),
            value: s.value,
            source: s.source.into(),
            confidence: s.confidence,
            state: s.state.into(),
            decided_by: s.decided_by,
            decided_at: s.decided_at,
        }
    }
}

/// Where the reading of a photo stands, for the upload's answer.
pub async fn reading_of(state: &AppState, media_id: Uuid) -> Result<ReadingStateName, ApiError> {
    Ok(crate::suggestions::reading_state(state, media_id)
        .await?
        .into())
}

pub struct PhotoSuggestionsApi;
pub struct SuggestionDecisionsApi;

crate::errors! {
    PhotoSuggestionErrors: 400, 401, 403, 404 ["media.not_found"], 503;
    DecisionErrors: 400, 401, 404 ["tip.not_found", "suggestion.not_found"],
        409 ["suggestion.confirmed", "suggestion.dismissed"], 503;
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Reporting")]
impl PhotoSuggestionsApi {
    /// The contacts read off one of the caller's photos (QR codes, and
    /// printed text where OCR is on), to offer before the tip is sent.
    ///
    /// Reading starts after the upload and takes a few seconds: while
    /// `reading` is `pending`, ask again. Only the photo's uploader (the
    /// same account or anonymous session) sees it; for anyone else it does
    /// not exist.
    #[oai(
        path = "/media/:id/suggestions",
        method = "get",
        operation_id = "photo_suggestions"
    )]
    async fn photo(
        &self,
        auth: Auth<Reporters>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<PhotoSuggestions>, Fails<PhotoSuggestionErrors>> {
        let owner = Owner::from(reporter_of(&auth.caller));
        let (reading, found) = crate::suggestions::for_uploader(&state, owner, id.0).await?;
        Ok(Json(PhotoSuggestions {
            media_id: id.0,
            reading: reading.into(),
            contacts: found
                .into_iter()
                .map(|s| FoundContact {
                    region: region(&s),
                    kind: ContactKindName::from(s.kind),
                    value: s.value,
                    source: s.source.into(),
                    confidence: s.confidence,
                })
                .collect(),
        }))
    }
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl SuggestionDecisionsApi {
    /// Confirms a contact read off the tip's photo: it joins the tip's
    /// contacts (and so its cluster, and what a unit sees of the tip).
    /// Audited; confirming again answers the same. A dismissed suggestion
    /// is 409 `suggestion.dismissed`.
    #[oai(
        path = "/tips/:id/suggestions/:sid/confirm",
        method = "post",
        operation_id = "confirm_suggestion"
    )]
    async fn confirm(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        sid: Path<Uuid>,
    ) -> Result<Json<SuggestionView>, Fails<DecisionErrors>> {
        let decided =
            crate::suggestions::confirm(&state, &auth.ctx, auth.account().id, id.0, sid.0).await?;
        Ok(Json(decided.into()))
    }

    /// Dismisses a contact read off the tip's photo: it leaves the tip's
    /// view. Audited; dismissing again answers the same. A confirmed
    /// suggestion is 409 `suggestion.confirmed`.
    #[oai(
        path = "/tips/:id/suggestions/:sid/dismiss",
        method = "post",
        operation_id = "dismiss_suggestion"
    )]
    async fn dismiss(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        sid: Path<Uuid>,
    ) -> Result<Json<SuggestionView>, Fails<DecisionErrors>> {
        let decided =
            crate::suggestions::dismiss(&state, &auth.ctx, auth.account().id, id.0, sid.0).await?;
        Ok(Json(decided.into()))
    }
}
