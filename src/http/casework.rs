//! The unit's side (`/v1/unit/*`): an officer's inbox of the leads with
//! their unit, what each needs to act (places, photos' display copies,
//! contacts — never who reported or their number), and accepting,
//! progress notes, resolving with an outcome, returning. Leads of other
//! units, and the whole surface for anyone but officers, are 404.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, UnitOfficers};
use super::contract::Checked;
use super::error::{ApiError, Fails, non_blank};
use super::leads::{LeadContact, tally_contacts};
use super::params::{Cursor, distinct, page_limit};
use super::responses::{NoContent, Original, Photo};
use super::vocab::{LeadHistoryAction, LeadStatusName};
use crate::app::AppState;
use crate::casework::{self, Officer, Resolution};
use crate::domain::lead::LeadStatus;
use crate::store::leads::{self, lead};
use crate::store::{media, outcomes, tips};

pub struct UnitLeadsApi;

crate::errors! {
    InboxErrors: 400, 422 ["request.invalid_cursor"], 401, 404 ["lead.not_found"], 503;
    UnitReadErrors: 400, 401, 404 ["lead.not_found"], 503;
    UnitCountErrors: 400, 401, 404, 503;
    AcceptErrors: 400, 401, 404 ["lead.not_found"],
        409 ["lead.stale_version", "lead.invalid_state"], 413, 415, 503;
    ProgressErrors: 400, 401, 404 ["lead.not_found"], 409 ["lead.invalid_state"],
        413, 415, 503;
    ResolveErrors: 400, 401, 404 ["lead.not_found"],
        409 ["lead.stale_version", "lead.invalid_state", "tip.stale_version"],
        413, 415, 422 ["lead.unknown_outcome"], 503;
    ReturnErrors: 400, 401, 404 ["lead.not_found"],
        409 ["lead.stale_version", "lead.invalid_state"], 413, 415, 503;
    OutcomeListErrors: 401, 404, 503;
}

/// A lead in the unit's inbox.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitLeadSummary {
    pub id: Uuid,
    /// For people: `LD-20261128-7Q3K`.
    pub reference: String,
    pub status: LeadStatusName,
    /// Send it back with accept, resolve or return.
    pub version: i32,
    pub category: String,
    pub title: Option<String>,
    /// The deadline it is on: to accept, then to resolve.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was found past `due_at`.
    pub overdue_since: Option<DateTime<Utc>>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub outcome_code: Option<String>,
}

impl From<lead::Model> for UnitLeadSummary {
    fn from(l: lead::Model) -> Self {
        UnitLeadSummary {
            id: l.id,
            reference: l.reference,
            status: LeadStatusName::from(l.status),
            version: l.version,
            category: l.category,
            title: l.title,
            due_at: l.due_at,
            overdue_since: l.overdue_at,
            forwarded_at: l.forwarded_at,
            accepted_at: l.accepted_at,
            resolved_at: l.resolved_at,
            outcome_code: l.outcome_code,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitLeadPage {
    pub items: Vec<UnitLeadSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// How many of the unit's leads are in one state.
#[derive(Debug, Object)]
pub struct UnitStateCount {
    pub status: LeadStatusName,
    pub leads: u64,
    /// Of those, found past their deadline.
    pub overdue: u64,
}

/// The unit's leads counted by state: every state a unit holds leads in
/// (`forwarded`, `accepted`, `resolved`), zero included.
#[derive(Debug, Object)]
pub struct UnitLeadCounts {
    pub states: Vec<UnitStateCount>,
}

/// A tip as the unit needs it: what was seen, where, when, the photos
/// (their display copies and thumbnails, never the original or its hash).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitTip {
    pub reference: String,
    pub category: String,
    pub description: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub address: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub submitted_at: DateTime<Utc>,
    pub photos: Vec<Photo>,
}

/// The unit's own dealings with the lead, and the moderators' note.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitHistoryEntry {
    pub action: LeadHistoryAction,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitLeadView {
    #[oai(flatten)]
    pub lead: UnitLeadSummary,
    pub public_note: Option<String>,
    pub internal_note: Option<String>,
    /// Oldest first.
    pub tips: Vec<UnitTip>,
    /// The contacts the tips carry (numbers, accounts on the cards), most
    /// carried first.
    pub contacts: Vec<LeadContact>,
    pub history: Vec<UnitHistoryEntry>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VersionOnly {
    /// The lead's version the officer saw.
    pub version: i32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProgressNote {
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 4000))]
    pub note: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResolveLead {
    pub version: i32,
    /// One of `GET /v1/unit/outcomes`.
    pub outcome: String,
    /// Told to every reporter in the lead, after the outcome's text.
    #[oai(validator(max_length = 1000))]
    pub public_note: Option<String>,
    /// For the unit and the moderators only.
    #[oai(validator(max_length = 4000))]
    pub internal_note: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReturnLead {
    pub version: i32,
    /// Why: not this unit's area or matter, not enough to act on, ...
    #[oai(validator(min_length = 1, pattern = r"\S", max_length = 2000))]
    pub reason: String,
}

/// An outcome a unit can record.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OutcomeView {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    /// What reporters are told.
    pub public_zh: String,
    pub public_en: String,
    /// Credited to each verified tip's reporter.
    pub points: i32,
}

fn officer(auth: &Auth<UnitOfficers>) -> Result<Officer, ApiError> {
    let account = auth.account();
    // An officer with no unit sees no leads at all.
    let unit_id = account
        .unit_id
        .ok_or_else(|| ApiError::not_found("lead.not_found", "no such lead"))?;
    Ok(Officer {
        user_id: account.id,
        unit_id,
    })
}

async fn unit_lead_view(
    state: &AppState,
    unit_id: Uuid,
    lead: lead::Model,
) -> Result<UnitLeadView, ApiError> {
    let members = tips::of_lead(&state.db, lead.id).await?;
    let ids: Vec<Uuid> = members.iter().map(|t| t.id).collect();
    let photos = media::of_tips(&state.db, &ids).await?;
    let contacts = tally_contacts(state, &ids).await?;
    let mut tip_views = Vec::with_capacity(members.len());
    for tip in members {
        // Officers act on what the photos show; the evidence itself stays
        // with the moderators, who read it audited.
        let mine: Vec<&media::Model> = photos.iter().filter(|p| p.tip_id == Some(tip.id)).collect();
        let tip_photos = Photo::of_all(state, mine, Original::Withheld).await?;
        tip_views.push(UnitTip {
            reference: tip.reference,
            category: tip.category,
            description: tip.description,
            lat: tip.lat,
            lon: tip.lon,
            address: tip.address,
            occurred_at: tip.occurred_at,
            submitted_at: tip.created_at,
            photos: tip_photos,
        });
    }
    let history = leads::history_of(&state.db, lead.id)
        .await?
        .into_iter()
        .filter(|h| h.unit_id == Some(unit_id))
        .map(|h| UnitHistoryEntry {
            action: LeadHistoryAction::from(h.action),
            note: h.note,
            at: h.created_at,
        })
        .collect();
    Ok(UnitLeadView {
        public_note: lead.public_note.clone(),
        internal_note: lead.internal_note.clone(),
        lead: lead.into(),
        tips: tip_views,
        contacts,
        history,
    })
}

#[OpenApi(prefix_path = "/v1/unit", tag = "ApiTags::Unit")]
impl UnitLeadsApi {
    /// The unit's leads, newest first, by state, category, overdue.
    #[oai(path = "/leads", method = "get", operation_id = "unit_list_leads")]
    #[allow(clippy::too_many_arguments)] // One parameter per filter of the spec.
    async fn list(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        /// `forwarded`, `accepted`, `resolved`; repeated.
        status: Query<Option<Vec<LeadStatusName>>>,
        category: Query<Option<String>>,
        /// Only leads found past their deadline.
        overdue: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<UnitLeadPage>, Fails<InboxErrors>> {
        let officer = officer(&auth)?;
        let statuses = distinct::<_, LeadStatus>(status.0);
        let limit = page_limit(limit.0);
        let before = Cursor::decode(cursor.0.as_deref())?;
        let filter = leads::Filter {
            statuses,
            category: category.0.filter(|c| !c.trim().is_empty()),
            ..Default::default()
        };
        let rows = leads::of_unit(
            &state.db,
            officer.unit_id,
            &filter,
            overdue.0 == Some(true),
            before,
            limit,
        )
        .await?;
        let (rows, next) = crate::store::split_page(rows, limit, |l| l.id);
        Ok(Json(UnitLeadPage {
            items: rows.into_iter().map(UnitLeadSummary::from).collect(),
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// The unit's leads counted by state, of one category if given: what
    /// an inbox's tabs show however many pages each holds. Read it again
    /// on the unit's live events.
    #[oai(path = "/counts", method = "get", operation_id = "unit_lead_counts")]
    async fn counts(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        category: Query<Option<String>>,
    ) -> Result<Json<UnitLeadCounts>, Fails<UnitCountErrors>> {
        let officer = officer(&auth)?;
        let category = category.0.filter(|c| !c.trim().is_empty());
        let rows = leads::counts_of_unit(&state.db, officer.unit_id, category.as_deref()).await?;
        let states = [
            LeadStatus::Forwarded,
            LeadStatus::Accepted,
            LeadStatus::Resolved,
        ]
        .into_iter()
        .map(|status| {
            let row = rows.iter().find(|r| r.status == status);
            UnitStateCount {
                status: LeadStatusName::from(status),
                leads: row.map_or(0, |r| r.leads.max(0) as u64),
                overdue: row.map_or(0, |r| r.overdue.max(0) as u64),
            }
        })
        .collect();
        Ok(Json(UnitLeadCounts { states }))
    }

    /// One of the unit's leads: its tips' text, places and photos, the
    /// contacts they carry, and the unit's history with it. Nothing about
    /// who reported.
    #[oai(path = "/leads/:id", method = "get", operation_id = "unit_get_lead")]
    async fn get(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<UnitLeadView>, Fails<UnitReadErrors>> {
        let officer = officer(&auth)?;
        let lead = casework::lead_of_unit(&state, officer, id.0).await?;
        Ok(Json(unit_lead_view(&state, officer.unit_id, lead).await?))
    }

    /// Accept a forwarded lead; the resolve deadline starts.
    #[oai(
        path = "/leads/:id/accept",
        method = "post",
        operation_id = "unit_accept_lead"
    )]
    async fn accept(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<VersionOnly>,
    ) -> Result<Json<UnitLeadView>, Fails<AcceptErrors>> {
        let officer = officer(&auth)?;
        let lead = casework::accept(&state, &auth.ctx, officer, id.0, body.0.version).await?;
        Ok(Json(unit_lead_view(&state, officer.unit_id, lead).await?))
    }

    /// A progress note on an accepted lead (for the unit and moderators).
    #[oai(
        path = "/leads/:id/progress",
        method = "post",
        operation_id = "unit_note_progress"
    )]
    async fn progress(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<ProgressNote>,
    ) -> Result<NoContent, Fails<ProgressErrors>> {
        let officer = officer(&auth)?;
        casework::progress(
            &state,
            &auth.ctx,
            officer,
            id.0,
            non_blank("request.blank", "note", &body.0.note)?,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// Resolve an accepted lead with an outcome: every tip in it closes,
    /// every reporter is told the outcome (and the public note), and
    /// reward points are credited.
    #[oai(
        path = "/leads/:id/resolve",
        method = "post",
        operation_id = "unit_resolve_lead"
    )]
    async fn resolve(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<ResolveLead>,
    ) -> Result<Json<UnitLeadView>, Fails<ResolveErrors>> {
        let officer = officer(&auth)?;
        let lead = casework::resolve(
            &state,
            &auth.ctx,
            officer,
            id.0,
            body.0.version,
            Resolution {
                outcome_code: body.0.outcome.trim(),
                public_note: body.0.public_note.as_deref(),
                internal_note: body.0.internal_note.as_deref(),
            },
        )
        .await?;
        Ok(Json(unit_lead_view(&state, officer.unit_id, lead).await?))
    }

    /// Return a forwarded lead to the moderators, with the reason; they
    /// reroute it.
    #[oai(
        path = "/leads/:id/return",
        method = "post",
        operation_id = "unit_return_lead"
    )]
    async fn give_back(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<ReturnLead>,
    ) -> Result<NoContent, Fails<ReturnErrors>> {
        let officer = officer(&auth)?;
        casework::give_back(
            &state,
            &auth.ctx,
            officer,
            id.0,
            body.0.version,
            non_blank("request.blank", "reason", &body.0.reason)?,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// The outcomes a unit can record, in display order.
    #[oai(
        path = "/outcomes",
        method = "get",
        operation_id = "unit_list_outcomes"
    )]
    async fn outcomes(
        &self,
        _auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<OutcomeView>>, Fails<OutcomeListErrors>> {
        Ok(Json(
            outcomes::list(&state.db)
                .await?
                .into_iter()
                .map(|o| OutcomeView {
                    code: o.code,
                    label_zh: o.label_zh,
                    label_en: o.label_en,
                    public_zh: o.public_zh,
                    public_en: o.public_en,
                    points: o.points,
                })
                .collect(),
        ))
    }
}
