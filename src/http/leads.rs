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
use super::auth::{Auth, Moderators};
use super::contract::Checked;
use super::error::{ApiError, Fails};
use super::params::{Cursor, distinct, page_limit, parse_contact};
use super::responses::Created;
use super::vocab::{ContactKindName, LeadHistoryAction, LeadStatusName, TipStatusName, UnitKind};
use crate::app::AppState;
use crate::domain::contact::ContactKind;
use crate::domain::lead::LeadStatus;
use crate::store::leads::{self, Filter, lead};
use crate::store::tips;
use crate::{forwarding, moderation};

pub struct LeadsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewLead {
    /// Verified tips that are in no lead yet.
    #[oai(validator(min_items = 1, max_items = 200, unique_items))]
    pub tip_ids: Vec<Uuid>,
    #[oai(validator(max_length = 200, pattern = r"\S"))]
    pub title: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadSummary {
    pub id: Uuid,
    /// For people: `LD-20261128-7Q3K`.
    pub reference: String,
    pub status: LeadStatusName,
    /// Send it back with a change.
    pub version: i32,
    pub category: String,
    pub title: Option<String>,
    /// The unit it is with (forwarded or accepted), or had (resolved).
    pub unit_id: Option<Uuid>,
    /// The deadline it is on: to accept once forwarded, to resolve once
    /// accepted.
    pub due_at: Option<DateTime<Utc>>,
    /// When the deadline sweep found it past `due_at`.
    pub overdue_since: Option<DateTime<Utc>>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// How the unit resolved it.
    pub outcome_code: Option<String>,
    /// What the reporters were told with the outcome.
    pub public_note: Option<String>,
    /// The unit's note for moderators; never shown to reporters.
    pub internal_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<lead::Model> for LeadSummary {
    fn from(l: lead::Model) -> Self {
        LeadSummary {
            id: l.id,
            reference: l.reference,
            status: LeadStatusName::from(l.status),
            version: l.version,
            category: l.category,
            title: l.title,
            unit_id: l.unit_id,
            due_at: l.due_at,
            overdue_since: l.overdue_at,
            forwarded_at: l.forwarded_at,
            accepted_at: l.accepted_at,
            resolved_at: l.resolved_at,
            outcome_code: l.outcome_code,
            public_note: l.public_note,
            internal_note: l.internal_note,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadPage {
    pub items: Vec<LeadSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A tip of the lead, and where it was seen (a point for the map).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadTip {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
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
#[oai(skip_serializing_if_is_none)]
pub struct LeadContact {
    pub kind: ContactKindName,
    pub value: String,
    pub tips: u32,
}

/// A step of a lead's history; `unit_id` names the unit a `forwarded`,
/// `accepted`, `progress`, `returned`, `overdue` or `resolved` step is about.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadHistoryEntry {
    pub action: LeadHistoryAction,
    pub actor_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeadView {
    #[oai(flatten)]
    pub lead: LeadSummary,
    /// Oldest first; their points are the lead's map.
    pub tips: Vec<LeadTip>,
    /// Most carried first.
    pub contacts: Vec<LeadContact>,
    pub history: Vec<LeadHistoryEntry>,
}

/// A unit that could take the lead.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RoutingSuggestion {
    pub unit_id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub kind: UnitKind,
    /// Why it is suggested.
    pub reason: String,
    /// The area of its jurisdiction: smaller is more specific.
    pub area_km2: Option<f64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Routing {
    /// Most specific first; the command centre when nothing matches.
    pub suggestions: Vec<RoutingSuggestion>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Forward {
    /// The lead's version the moderator saw.
    pub version: i32,
    pub unit_id: Uuid,
    /// For the unit.
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AddTip {
    /// The lead's version the moderator saw.
    pub version: i32,
    pub tip_id: Uuid,
}

/// The contacts these tips carry, each with how many carry it, most
/// carried first.
pub(super) async fn tally_contacts(
    state: &AppState,
    tip_ids: &[Uuid],
) -> Result<Vec<LeadContact>, ApiError> {
    let mut contacts: Vec<LeadContact> = Vec::new();
    for c in tips::contacts_of_many(&state.db, tip_ids).await? {
        match contacts
            .iter_mut()
            .find(|k| ContactKind::from(k.kind) == c.kind && k.value == c.value)
        {
            Some(known) => known.tips += 1,
            None => contacts.push(LeadContact {
                kind: ContactKindName::from(c.kind),
                value: c.value,
                tips: 1,
            }),
        }
    }
    contacts.sort_by(|a, b| b.tips.cmp(&a.tips).then(a.value.cmp(&b.value)));
    Ok(contacts)
}

async fn lead_view(state: &AppState, lead: lead::Model) -> Result<LeadView, ApiError> {
    let members = tips::of_lead(&state.db, lead.id).await?;
    let ids: Vec<Uuid> = members.iter().map(|t| t.id).collect();
    let contacts = tally_contacts(state, &ids).await?;
    let history = leads::history_of(&state.db, lead.id).await?;
    Ok(LeadView {
        lead: lead.into(),
        tips: members
            .into_iter()
            .map(|t| LeadTip {
                id: t.id,
                reference: t.reference,
                status: TipStatusName::from(t.status),
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
                action: LeadHistoryAction::from(h.action),
                actor_id: h.actor_user_id,
                tip_id: h.tip_id,
                unit_id: h.unit_id,
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

crate::errors! {
    CreateLeadErrors: 400, 401, 404,
        409 ["lead.tip_not_verified", "lead.tip_in_other_lead", "tip.stale_version", "lead.reference_exhausted"],
        413, 415, 422 ["lead.invalid_tips", "lead.invalid_title"], 503;
    LeadListErrors: 400, 422 ["request.invalid_filter", "request.invalid_cursor"], 401, 404, 503;
    LeadReadErrors: 400, 401, 404 ["lead.not_found"], 503;
    AddTipErrors: 400, 401, 404 ["lead.not_found"],
        409 ["lead.stale_version", "lead.not_open", "lead.tip_not_verified", "lead.tip_in_other_lead", "tip.stale_version"],
        413, 415, 422 ["lead.invalid_tips"], 503;
    RemoveTipErrors: 400, 401, 404 ["lead.not_found", "lead.tip_not_in_lead"],
        409 ["lead.stale_version", "lead.not_open", "lead.last_tip", "lead.tip_forwarded", "tip.stale_version"],
        503;
    ForwardErrors: 400, 401, 404 ["lead.not_found"],
        409 ["lead.stale_version", "lead.invalid_state", "tip.stale_version", "tip.invalid_state"],
        413, 415, 422 ["lead.unknown_unit"], 503;
}

#[OpenApi(prefix_path = "/v1/leads", tag = "ApiTags::Leads")]
impl LeadsApi {
    /// A lead from verified tips that are in no lead.
    #[oai(path = "/", method = "post", operation_id = "create_lead")]
    async fn create(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        body: Checked<NewLead>,
    ) -> Result<Created<LeadView>, Fails<CreateLeadErrors>> {
        let lead = moderation::create_lead(
            &state,
            &auth.ctx,
            auth.account().id,
            &body.0.tip_ids,
            body.0.title.as_deref(),
        )
        .await?;
        Ok(Created::Created(Json(lead_view(&state, lead).await?)))
    }

    /// Leads, newest first.
    #[oai(path = "/", method = "get", operation_id = "list_leads")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// One or more states, repeated.
        status: Query<Option<Vec<LeadStatusName>>>,
        category: Query<Option<String>>,
        /// `kind:value`, written any usual way.
        #[oai(validator(max_length = 2100, pattern = r"^\s*(phone|wechat|qq|url)\s*:"))]
        contact: Query<Option<String>>,
        /// Leads forwarded to this unit.
        unit: Query<Option<Uuid>>,
        /// Only leads past their due time and not yet resolved.
        overdue: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<LeadPage>, Fails<LeadListErrors>> {
        let statuses = distinct::<_, LeadStatus>(status.0);
        let filter = Filter {
            statuses,
            category: category.0.filter(|c| !c.trim().is_empty()),
            contact: contact.0.as_deref().map(parse_contact).transpose()?,
            unit_id: unit.0,
            overdue_at: (overdue.0 == Some(true)).then(|| state.clock.now()),
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
    ) -> Result<Json<LeadView>, Fails<LeadReadErrors>> {
        let lead = find_lead(&state, id.0).await?;
        Ok(Json(lead_view(&state, lead).await?))
    }

    /// Adds a verified tip that is in no lead, while the lead is open.
    #[oai(path = "/:id/tips", method = "post", operation_id = "add_lead_tip")]
    async fn add_tip(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<AddTip>,
    ) -> Result<Json<LeadView>, Fails<AddTipErrors>> {
        let lead = moderation::add_to_lead(
            &state,
            &auth.ctx,
            auth.account().id,
            id.0,
            body.0.version,
            body.0.tip_id,
        )
        .await?;
        Ok(Json(lead_view(&state, lead).await?))
    }

    /// Takes a tip out of an open lead; it stays verified, in no lead. The
    /// tips of a returned lead were forwarded with it and stay in it.
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
    ) -> Result<Json<LeadView>, Fails<RemoveTipErrors>> {
        let lead = moderation::remove_from_lead(
            &state,
            &auth.ctx,
            auth.account().id,
            id.0,
            version.0,
            tip_id.0,
        )
        .await?;
        Ok(Json(lead_view(&state, lead).await?))
    }

    /// Units that could take the lead: those whose jurisdiction holds its
    /// places and who take its category, most specific first, each with
    /// the reason; the command centre when none matches.
    #[oai(
        path = "/:id/routing",
        method = "get",
        operation_id = "get_lead_routing"
    )]
    async fn routing(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Routing>, Fails<LeadReadErrors>> {
        let suggestions = forwarding::suggest(&state, id.0).await?;
        Ok(Json(Routing {
            suggestions: suggestions
                .into_iter()
                .map(|s| RoutingSuggestion {
                    unit_id: s.unit.id,
                    name_zh: s.unit.name_zh,
                    name_en: s.unit.name_en,
                    kind: UnitKind::from(s.unit.kind),
                    reason: s.reason,
                    area_km2: s.area_km2,
                })
                .collect(),
        }))
    }

    /// Forwards an open lead to an active unit: the lead and its tips
    /// become `forwarded`, the unit's accept deadline starts, each reporter
    /// is told the unit's public name, and the unit's webhook hears of it.
    #[oai(path = "/:id/forward", method = "post", operation_id = "forward_lead")]
    async fn forward(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<Forward>,
    ) -> Result<Json<LeadView>, Fails<ForwardErrors>> {
        let note = body
            .0
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let lead = forwarding::forward(
            &state,
            &auth.ctx,
            auth.account().id,
            id.0,
            body.0.version,
            body.0.unit_id,
            note,
        )
        .await?;
        Ok(Json(lead_view(&state, lead).await?))
    }
}
