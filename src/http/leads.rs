//! Leads, for moderators: building them from verified tips, finding them,
//! reading one with its tips, contacts, map points and history, and
//! changing its tips while it is open. Hidden (404) from everyone else.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::accounts::Created;
use super::auth::{Auth, Moderators};
use super::error::ApiError;
use super::moderation::{parse_contact, parse_names};
use super::pagination::{Cursor, page_limit};
use super::request_id::RequestId;
use crate::app::AppState;
use crate::domain::lead::LeadStatus;
use crate::moderation;
use crate::store::leads::{self, Filter, lead};
use crate::store::tips;

pub struct LeadsApi;

#[derive(Debug, Object)]
pub struct NewLead {
    /// Verified tips that are in no lead yet.
    #[oai(validator(min_items = 1, max_items = 200))]
    pub tip_ids: Vec<Uuid>,
    #[oai(validator(max_length = 200))]
    pub title: Option<String>,
}

#[derive(Debug, Object)]
pub struct LeadSummary {
    pub id: Uuid,
    /// For people: `LD-20261128-7Q3K`.
    pub reference: String,
    /// `open`, `forwarded`, `accepted` or `resolved`.
    pub status: String,
    /// Send it back with a change.
    pub version: i32,
    pub category: String,
    pub title: Option<String>,
    pub unit_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<lead::Model> for LeadSummary {
    fn from(l: lead::Model) -> Self {
        LeadSummary {
            id: l.id,
            reference: l.reference,
            status: l.status,
            version: l.version,
            category: l.category,
            title: l.title,
            unit_id: l.unit_id,
            due_at: l.due_at,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct LeadPage {
    pub items: Vec<LeadSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A tip of the lead, and where it was seen (a point for the map).
#[derive(Debug, Object)]
pub struct LeadTip {
    pub id: Uuid,
    pub reference: String,
    pub status: String,
    pub category: String,
    pub description: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A contact the lead's tips carry, and on how many of them.
#[derive(Debug, Object)]
pub struct LeadContact {
    pub kind: String,
    pub value: String,
    pub tips: u32,
}

#[derive(Debug, Object)]
pub struct LeadHistoryEntry {
    /// `created`, `tip_added`, `tip_removed`, later `forwarded`, ...
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct LeadView {
    #[oai(flatten)]
    pub lead: LeadSummary,
    /// Oldest first; their points are the lead's map.
    pub tips: Vec<LeadTip>,
    /// Most carried first.
    pub contacts: Vec<LeadContact>,
    pub history: Vec<LeadHistoryEntry>,
}

#[derive(Debug, Object)]
pub struct AddTip {
    /// The lead's version the moderator saw.
    pub version: i32,
    pub tip_id: Uuid,
}

async fn lead_view(state: &AppState, lead: lead::Model) -> Result<LeadView, ApiError> {
    let members = tips::of_lead(&state.db, lead.id).await?;
    let ids: Vec<Uuid> = members.iter().map(|t| t.id).collect();
    let mut contacts: Vec<LeadContact> = Vec::new();
    for c in tips::contacts_of_many(&state.db, &ids).await? {
        match contacts
            .iter_mut()
            .find(|k| k.kind == c.kind && k.value == c.value)
        {
            Some(known) => known.tips += 1,
            None => contacts.push(LeadContact {
                kind: c.kind,
                value: c.value,
                tips: 1,
            }),
        }
    }
    contacts.sort_by(|a, b| b.tips.cmp(&a.tips).then(a.value.cmp(&b.value)));
    let history = leads::history_of(&state.db, lead.id).await?;
    Ok(LeadView {
        lead: lead.into(),
        tips: members
            .into_iter()
            .map(|t| LeadTip {
                id: t.id,
                reference: t.reference,
                status: t.status,
                category: t.category,
                description: t.description,
                lat: t.lat,
                lon: t.lon,
                address: t.address,
                created_at: t.created_at,
            })
            .collect(),
        contacts,
        history: history
            .into_iter()
            .map(|h| LeadHistoryEntry {
                action: h.action,
                actor_id: h.actor_user_id,
                tip_id: h.tip_id,
                note: h.note,
                at: h.created_at,
            })
            .collect(),
    })
}

async fn find_lead(state: &AppState, id: Uuid) -> Result<lead::Model, ApiError> {
    leads::find(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("lead.not_found", "no such lead"))
}

#[OpenApi(prefix_path = "/v1/leads", tag = "ApiTags::Moderation")]
impl LeadsApi {
    /// A lead from verified tips that are in no lead. Errors: 409
    /// `lead.tip_not_verified`, `lead.tip_in_other_lead`; 422
    /// `lead.invalid_tips`.
    #[oai(path = "/", method = "post", operation_id = "create_lead")]
    async fn create(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        body: Json<NewLead>,
    ) -> Result<Created<LeadView>, ApiError> {
        let lead = moderation::create_lead(
            &state,
            auth.account().id,
            &body.0.tip_ids,
            body.0.title.as_deref(),
            &RequestId::current_string(),
        )
        .await?;
        Ok(Created::Created(Json(lead_view(&state, lead).await?)))
    }

    /// Leads, newest first. Errors: 400 `request.invalid_filter`.
    #[oai(path = "/", method = "get", operation_id = "list_leads")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// One or more states, repeated or comma-separated.
        status: Query<Option<Vec<String>>>,
        category: Query<Option<String>>,
        /// `kind:value`, written any usual way.
        contact: Query<Option<String>>,
        /// Leads forwarded to this unit.
        unit: Query<Option<Uuid>>,
        /// Only leads past their due time and not yet resolved.
        overdue: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<LeadPage>, ApiError> {
        let statuses = parse_names("status", status.0.as_deref(), LeadStatus::parse)?
            .into_iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        let filter = Filter {
            statuses,
            category: category.0.filter(|c| !c.trim().is_empty()),
            contact: contact.0.as_deref().map(parse_contact).transpose()?,
            unit_id: unit.0,
            overdue_at: (overdue.0 == Some(true)).then(Utc::now),
        };
        let limit = page_limit(limit.0);
        let before = Cursor::decode(cursor.0.as_deref())?;
        let rows = leads::list(&state.db, &filter, before, limit).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |l| l.id);
        Ok(Json(LeadPage {
            items: rows.into_iter().map(LeadSummary::from).collect(),
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// A lead with its tips (their points make its map), the contacts they
    /// carry, and its history.
    #[oai(path = "/:id", method = "get", operation_id = "get_lead")]
    async fn get(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<LeadView>, ApiError> {
        let lead = find_lead(&state, id.0).await?;
        Ok(Json(lead_view(&state, lead).await?))
    }

    /// Adds a verified tip that is in no lead, while the lead is open.
    /// Errors: 409 `lead.stale_version`, `lead.not_open`,
    /// `lead.tip_not_verified`, `lead.tip_in_other_lead`.
    #[oai(path = "/:id/tips", method = "post", operation_id = "add_lead_tip")]
    async fn add_tip(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<AddTip>,
    ) -> Result<Json<LeadView>, ApiError> {
        let lead = moderation::add_to_lead(
            &state,
            auth.account().id,
            id.0,
            body.0.version,
            body.0.tip_id,
            &RequestId::current_string(),
        )
        .await?;
        Ok(Json(lead_view(&state, lead).await?))
    }

    /// Takes a tip out of an open lead; it stays verified, in no lead.
    /// Errors: 409 `lead.stale_version`, `lead.not_open`, `lead.last_tip`;
    /// 404 `lead.tip_not_in_lead`.
    #[oai(
        path = "/:id/tips/:tip_id",
        method = "delete",
        operation_id = "remove_lead_tip"
    )]
    async fn remove_tip(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        tip_id: Path<Uuid>,
        /// The lead's version the moderator saw.
        version: Query<i32>,
    ) -> Result<Json<LeadView>, ApiError> {
        let lead = moderation::remove_from_lead(
            &state,
            auth.account().id,
            id.0,
            version.0,
            tip_id.0,
            &RequestId::current_string(),
        )
        .await?;
        Ok(Json(lead_view(&state, lead).await?))
    }
}
