//! A tip in full for moderators (`GET /v1/moderation/tips/{id}`): the view
//! of what `crate::moderation::tip_detail` gathers.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::notes::NoteView;
use super::{LeadRef, TipReadErrors};
use crate::app::AppState;
use crate::http::ApiTags;
use crate::http::admin::AuditEventView;
use crate::http::auth::{Auth, Moderators};
use crate::http::error::{ApiError, Fails};
use crate::http::responses::{Original, Photo, signed_url};
use crate::http::suggestions::SuggestionView;
use crate::http::tips::{HistoryEntry, LocationOut, MessageView, history_entry, message_view};
use crate::http::vocab::{ActorKind, ContactKindName, CrsName, TipStatusName};
use crate::moderation::{self, TipDetail};

pub struct TipApi;

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
    pub photos: Vec<Photo>,
    pub contacts: Vec<ContactReach>,
    /// Open leads holding other tips with one of this tip's contacts.
    pub suggested_leads: Vec<LeadRef>,
    pub similar_photos: Vec<SimilarPhoto>,
    /// Contacts read off the photos, not yet dismissed: confirm or dismiss
    /// each.
    pub suggestions: Vec<SuggestionView>,
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

/// The view of a tip in full, with fresh photo URLs.
async fn moderator_tip(state: &AppState, d: TipDetail) -> Result<ModeratorTip, ApiError> {
    let t = d.tip;
    let mut similar = Vec::with_capacity(d.similar_photos.len());
    for s in d.similar_photos {
        similar.push(SimilarPhoto {
            media_id: s.lookalike.media_id,
            other_tip_id: s.other_tip.id,
            other_tip_reference: s.other_tip.reference,
            other_media_id: s.lookalike.other.id,
            other_thumbnail_url: signed_url(state, &s.lookalike.other.thumb_key).await?,
            exact: s.lookalike.exact,
            distance: s.lookalike.distance,
        });
    }
    Ok(ModeratorTip {
        reporter: ReporterInfo {
            anonymous: t.reporter_user_id.is_none(),
        },
        claimed_by: d.holder,
        claim_expires_at: d.holder.and(t.claim_expires_at),
        lead: d.lead.as_ref().map(LeadRef::from),
        suggested_leads: d.suggested_leads.iter().map(LeadRef::from).collect(),
        contacts: d
            .contacts
            .into_iter()
            .map(|c| ContactReach {
                kind: ContactKindName::from(c.contact.kind),
                value: c.contact.value,
                other_tips: c.other_tips,
                leads: c.leads,
            })
            .collect(),
        // Moderators handle the evidence: they see the original's hash.
        photos: Photo::of_all(state, &d.photos, Original::Described).await?,
        similar_photos: similar,
        suggestions: d
            .suggestions
            .into_iter()
            .map(SuggestionView::from)
            .collect(),
        messages: d.messages.into_iter().map(message_view).collect(),
        notes: d.notes.into_iter().map(NoteView::from).collect(),
        history: d.timeline.into_iter().map(history_entry).collect(),
        audit: d
            .audit
            .into_iter()
            .map(|e| {
                let mut view = AuditEventView::from(e.event);
                if e.by_reporter {
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

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl TipApi {
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
        let detail = moderation::tip_detail(&state, id.0, auth.ctx.now).await?;
        Ok(Json(moderator_tip(&state, detail).await?))
    }
}
