//! Claims and decisions (`/v1/moderation/tips/{id}/claim`, `verify`,
//! `reject`, …, and `tips/bulk`): the request bodies, the tip's state
//! after, and a bulk decision's per-tip results.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use crate::app::AppState;
use crate::http::ApiTags;
use crate::http::auth::{Auth, Moderators};
use crate::http::contract::Checked;
use crate::http::error::{ApiError, ErrorBody, Fails};
use crate::http::vocab::TipStatusName;
use crate::moderation::{self, BulkItem, Decision, LeadChoice};
use crate::store::reject_reasons;
use crate::store::tips::tip;

pub struct DecisionsApi;

/// A tip's state after a claim or a decision.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TipState {
    pub id: Uuid,
    pub status: TipStatusName,
    pub version: i32,
    pub claimed_by: Option<Uuid>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    pub lead_id: Option<Uuid>,
    pub duplicate_of: Option<Uuid>,
}

impl TipState {
    /// The tip as it is `now` (whose claim still runs).
    pub fn at(t: tip::Model, now: DateTime<Utc>) -> Self {
        let holder = t.holder(now);
        TipState {
            id: t.id,
            status: TipStatusName::from(t.status),
            version: t.version,
            claimed_by: holder,
            claim_expires_at: holder.and(t.claim_expires_at),
            lead_id: t.lead_id,
            duplicate_of: t.duplicate_of,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VerifyRequest {
    /// The version the moderator saw.
    pub version: i32,
    /// An open lead to add the tip to; without it, a new lead is made.
    pub lead_id: Option<Uuid>,
    /// The new lead's title.
    #[oai(validator(max_length = 200, pattern = r"\S"))]
    pub lead_title: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RejectRequest {
    pub version: i32,
    /// A code from `GET /v1/moderation/reject-reasons`.
    #[oai(validator(max_length = 40))]
    pub reason: String,
    /// Shown to the reporter under the reason's text.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub note: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RequestInfoRequest {
    pub version: i32,
    /// The reporter reads it in the conversation; their answer puts the
    /// tip back in the queue.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub question: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MarkDuplicateRequest {
    pub version: i32,
    /// The tip that is kept.
    pub of: Uuid,
}

/// What a bulk decision does to every tip it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BulkAction {
    Verify,
    Reject,
}

/// A tip of a bulk decision and the version the moderator saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Object)]
pub struct BulkTip {
    pub id: Uuid,
    pub version: i32,
}

/// One decision on several tips. `reject` needs `reason`; `verify` puts them
/// all into `lead_id` (an open lead) or into one new lead (`lead_title`
/// names it).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkRequest {
    pub action: BulkAction,
    /// 1–100 tips, each once.
    #[oai(validator(min_items = 1, max_items = 100, unique_items))]
    pub tips: Vec<BulkTip>,
    /// For `reject`: a code from `GET /v1/moderation/reject-reasons`.
    #[oai(validator(max_length = 40))]
    pub reason: Option<String>,
    /// For `reject`: shown to each reporter under the reason's text.
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub note: Option<String>,
    /// For `verify`: an open lead to put them in.
    pub lead_id: Option<Uuid>,
    /// For `verify` into a new lead: its title.
    #[oai(validator(max_length = 200, pattern = r"\S"))]
    pub lead_title: Option<String>,
}

/// What became of one tip of a bulk decision: its state, or the error it
/// would have got alone (`status` and the uniform body).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkResult {
    pub id: Uuid,
    pub ok: bool,
    pub tip: Option<TipState>,
    /// The HTTP status a single decision would have answered.
    pub status: Option<u16>,
    pub error: Option<ErrorBody>,
}

/// Every tip's result, in the order asked; `lead_id` is the lead verified
/// tips went into.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkOutcome {
    pub results: Vec<BulkResult>,
    pub lead_id: Option<Uuid>,
    pub decided: u32,
    pub failed: u32,
}

crate::errors! {
    ClaimErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.claimed", "tip.invalid_state", "tip.stale_version"], 503;
    VerifyErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed", "lead.not_open", "lead.reference_exhausted"],
        413, 415, 422 ["tip.unknown_lead", "tip.invalid_lead", "lead.invalid_title"], 503;
    RejectErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed"],
        413, 415, 422 ["tip.unknown_reject_reason", "tip.invalid_note"], 503;
    AskErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed"],
        413, 415, 422 ["tip.invalid_question"], 503;
    DuplicateErrors: 400, 401, 404 ["tip.not_found"],
        409 ["tip.stale_version", "tip.invalid_state", "tip.claimed", "tip.not_claimed", "tip.duplicate_of_unkept"],
        413, 415, 422 ["tip.invalid_duplicate"], 503;
    BulkErrors: 400, 401, 404, 413, 415, 422 ["tip.invalid_lead", "tip.unknown_reject_reason"], 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl DecisionsApi {
    /// Claims a tip for review (a lease, `claim_lease_secs`), or renews
    /// one's own claim. Each claim moves the tip's version: decide with the
    /// version the last claim answered.
    #[oai(path = "/tips/:id/claim", method = "post", operation_id = "claim_tip")]
    async fn claim(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipState>, Fails<ClaimErrors>> {
        let lease = chrono::Duration::from_std(state.settings.claim_lease)
            .unwrap_or(chrono::Duration::minutes(15));
        let tip = moderation::claim(&state, &auth.ctx, auth.account().id, id.0, lease).await?;
        Ok(Json(TipState::at(tip, auth.ctx.now)))
    }

    /// Gives a claimed tip back to the queue.
    #[oai(
        path = "/tips/:id/release",
        method = "post",
        operation_id = "release_tip"
    )]
    async fn release(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<TipState>, Fails<ClaimErrors>> {
        let tip = moderation::release(&state, &auth.ctx, auth.account().id, id.0).await?;
        Ok(Json(TipState::at(tip, auth.ctx.now)))
    }

    /// Verifies a tip in review, into a new lead or an open one.
    #[oai(
        path = "/tips/:id/verify",
        method = "post",
        operation_id = "verify_tip"
    )]
    async fn verify(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<VerifyRequest>,
    ) -> Result<Json<TipState>, Fails<VerifyErrors>> {
        let choice = match (body.0.lead_id, body.0.lead_title) {
            (Some(_), Some(_)) => {
                return Err(ApiError::unprocessable(
                    "tip.invalid_lead",
                    "lead_title names a new lead; it cannot go with lead_id",
                )
                .into());
            }
            (Some(lead), None) => LeadChoice::Existing(lead),
            (None, title) => LeadChoice::New { title },
        };
        Ok(decide(
            &state,
            &auth,
            id.0,
            body.0.version,
            Decision::Verify(choice),
        )
        .await?)
    }

    /// The same decision on up to 100 tips: `reject` with one reason (and
    /// note), or `verify` into one lead. Each tip is claimed and decided on
    /// its own — its own version check, transaction and audit events — so a
    /// tip another moderator holds or decided meanwhile fails alone; the
    /// answer gives every tip's result, with the error a single decision
    /// would have got. A reason that does not exist is refused before any
    /// tip is touched.
    #[oai(
        path = "/tips/bulk",
        method = "post",
        operation_id = "decide_tips_in_bulk"
    )]
    async fn bulk(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        body: Checked<BulkRequest>,
    ) -> Result<Json<BulkOutcome>, Fails<BulkErrors>> {
        let body = body.0;
        let decision = match body.action {
            BulkAction::Reject => {
                let reason = body.reason.ok_or_else(|| {
                    ApiError::unprocessable(
                        "tip.unknown_reject_reason",
                        "`reject` needs a `reason`",
                    )
                })?;
                reject_reasons::find(&state.db, &reason)
                    .await?
                    .filter(|r| !r.retired)
                    .ok_or_else(|| {
                        ApiError::unprocessable(
                            "tip.unknown_reject_reason",
                            format!("no reject reason `{reason}`"),
                        )
                    })?;
                Decision::Reject {
                    reason,
                    note: body.note,
                }
            }
            BulkAction::Verify => match (body.lead_id, body.lead_title) {
                (Some(_), Some(_)) => {
                    return Err(ApiError::unprocessable(
                        "tip.invalid_lead",
                        "lead_title names a new lead; it cannot go with lead_id",
                    )
                    .into());
                }
                (Some(lead), None) => Decision::Verify(LeadChoice::Existing(lead)),
                (None, title) => Decision::Verify(LeadChoice::New { title }),
            },
        };
        let lease = chrono::Duration::from_std(state.settings.claim_lease)
            .unwrap_or(chrono::Duration::minutes(15));
        let items: Vec<BulkItem> = body
            .tips
            .iter()
            .map(|t| BulkItem {
                id: t.id,
                version: t.version,
            })
            .collect();
        let results = moderation::decide_many(
            &state,
            &auth.ctx,
            auth.account().id,
            &items,
            decision,
            lease,
        )
        .await;
        let mut outcome = BulkOutcome {
            results: Vec::with_capacity(results.len()),
            lead_id: None,
            decided: 0,
            failed: 0,
        };
        for (id, result) in results {
            outcome.results.push(match result {
                Ok(tip) => {
                    outcome.decided += 1;
                    outcome.lead_id = outcome.lead_id.or(tip.lead_id);
                    BulkResult {
                        id,
                        ok: true,
                        tip: Some(TipState::at(tip, auth.ctx.now)),
                        status: None,
                        error: None,
                    }
                }
                Err(e) => {
                    outcome.failed += 1;
                    let (status, error) = ApiError::from(e).into_parts();
                    BulkResult {
                        id,
                        ok: false,
                        tip: None,
                        status: Some(status),
                        error: Some(error),
                    }
                }
            });
        }
        if body.action == BulkAction::Reject {
            outcome.lead_id = None;
        }
        Ok(Json(outcome))
    }

    /// Rejects a tip in review with a reason (the reporter reads its text
    /// and the note).
    #[oai(
        path = "/tips/:id/reject",
        method = "post",
        operation_id = "reject_tip"
    )]
    async fn reject(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<RejectRequest>,
    ) -> Result<Json<TipState>, Fails<RejectErrors>> {
        let decision = Decision::Reject {
            reason: body.0.reason,
            note: body.0.note,
        };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }

    /// Asks the reporter a question; the tip waits (`needs_info`) until
    /// they answer through the app or their receipt.
    #[oai(
        path = "/tips/:id/request-info",
        method = "post",
        operation_id = "request_tip_info"
    )]
    async fn request_info(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<RequestInfoRequest>,
    ) -> Result<Json<TipState>, Fails<AskErrors>> {
        let decision = Decision::RequestInfo {
            question: body.0.question,
        };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }

    /// Marks a tip in review as a duplicate of the tip that is kept; the
    /// reporter is told the matter is already in hand.
    #[oai(
        path = "/tips/:id/mark-duplicate",
        method = "post",
        operation_id = "mark_tip_duplicate"
    )]
    async fn mark_duplicate(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<MarkDuplicateRequest>,
    ) -> Result<Json<TipState>, Fails<DuplicateErrors>> {
        let decision = Decision::MarkDuplicate { of: body.0.of };
        Ok(decide(&state, &auth, id.0, body.0.version, decision).await?)
    }
}

async fn decide(
    state: &AppState,
    auth: &Auth<Moderators>,
    id: Uuid,
    version: i32,
    decision: Decision,
) -> Result<Json<TipState>, ApiError> {
    let tip =
        moderation::decide(state, &auth.ctx, auth.account().id, id, version, decision).await?;
    Ok(Json(TipState::at(tip, auth.ctx.now)))
}
