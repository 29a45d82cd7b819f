//! The moderators' side of tips and leads: claims, decisions, notes, leads
//! and the audited reads of protected data, and a tip in full as moderators
//! read it ([`tip_detail`]). HTTP-free; errors are [`ServiceError`].
//!
//! Every change is one transaction that checks the state (through
//! [`TipStatus::after`]) and the version the moderator saw, writes the new
//! state, the histories and exactly one audit event.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, SqlErr, TransactionTrait};
use uuid::Uuid;

use crate::app::AppState;
use crate::context::Ctx;
use crate::domain::lead::{self as lead_codes, LeadEvent, LeadStatus};
use crate::domain::tip::{MessageAuthor, TipAction, TipStatus};
use crate::error::{ServiceError, lead_not_found, stale_lead, stale_tip, tip_not_found};
use crate::store::audit::{self, Event};
use crate::store::leads::{self, lead};
use crate::store::tips::{self, tip};
use crate::store::{contacts, media, notifications, reject_reasons, suggestions, users};

use ServiceError::{Conflict, Invalid};

const MAX_TEXT: usize = 4000;
/// How many tips one lead may be built from at once.
const MAX_LEAD_TIPS: usize = 200;

/// Trimmed text of 1 to [`MAX_TEXT`] characters.
fn text(code: &'static str, what: &str, raw: &str) -> Result<String, ServiceError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_TEXT {
        return Err(Invalid(
            code,
            format!("{what} must be 1 to {MAX_TEXT} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

async fn load(state: &AppState, id: Uuid) -> Result<tip::Model, ServiceError> {
    tips::find(&state.db, id).await?.ok_or_else(tip_not_found)
}

/// The state `action` leads to, or 409 `tip.invalid_state`.
fn next_state(tip: &tip::Model, action: TipAction) -> Result<TipStatus, ServiceError> {
    tip.status
        .after(action)
        .map_err(|e| Conflict("tip.invalid_state", e.to_string()))
}

/// 409 `tip.claimed` when another moderator's claim is still running.
fn not_held_by_other(
    tip: &tip::Model,
    moderator: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    match tip.holder(now) {
        Some(other) if other != moderator => Err(Conflict(
            "tip.claimed",
            format!(
                "another moderator holds this tip until {}",
                tip.claim_expires_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// `POST /v1/moderation/tips/{id}/claim`: takes a waiting tip into review
/// for `lease`, or renews the caller's own claim. Another moderator's
/// running claim is 409 `tip.claimed`; of two claims at once, one wins.
pub async fn claim(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    lease: chrono::Duration,
) -> Result<tip::Model, ServiceError> {
    let tip = load(state, tip_id).await?;
    let now = ctx.now;
    next_state(&tip, TipAction::Claim)?;
    not_held_by_other(&tip, moderator, now)?;
    let renewal = tip.holder(now) == Some(moderator);
    let until = now + lease;
    let txn = state.db.begin().await?;
    let Some(claimed) = tips::claim(&txn, &tip, moderator, now, until).await? else {
        txn.rollback().await?;
        // Someone came first: say what they did.
        let now_tip = load(state, tip_id).await?;
        not_held_by_other(&now_tip, moderator, ctx.now)?;
        next_state(&now_tip, TipAction::Claim)?;
        return Err(stale_tip());
    };
    if tip.status != claimed.status {
        tips::add_history(&txn, tip_id, claimed.status, None, now).await?;
    }
    audit::record(
        &txn,
        ctx,
        Event::new("tip.claim", "tip", tip_id)
            .details(serde_json::json!({ "until": until.to_rfc3339(), "renewal": renewal })),
    )
    .await?;
    txn.commit().await?;
    Ok(claimed)
}

/// `POST /v1/moderation/tips/{id}/release`: back to the queue.
pub async fn release(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
) -> Result<tip::Model, ServiceError> {
    let tip = load(state, tip_id).await?;
    let next = next_state(&tip, TipAction::Release)?;
    not_held_by_other(&tip, moderator, ctx.now)?;
    let txn = state.db.begin().await?;
    let change = tips::Change {
        claim: Some(None),
        ..Default::default()
    };
    if !tips::transition(&txn, &tip, next, change, ctx.now).await? {
        txn.rollback().await?;
        return Err(stale_tip());
    }
    tips::add_history(&txn, tip_id, next, None, ctx.now).await?;
    audit::record(&txn, ctx, Event::new("tip.release", "tip", tip_id)).await?;
    txn.commit().await?;
    load(state, tip_id).await
}

/// Where a verified tip goes.
#[derive(Clone, Debug)]
pub enum LeadChoice {
    New { title: Option<String> },
    Existing(Uuid),
}

/// A moderator's decision on a tip in review.
#[derive(Clone, Debug)]
pub enum Decision {
    Verify(LeadChoice),
    Reject {
        reason: String,
        /// Shown to the reporter with the reason's text.
        note: Option<String>,
    },
    RequestInfo {
        question: String,
    },
    MarkDuplicate {
        of: Uuid,
    },
}

impl Decision {
    fn action(&self) -> TipAction {
        match self {
            Decision::Verify(_) => TipAction::Verify,
            Decision::Reject { .. } => TipAction::Reject,
            Decision::RequestInfo { .. } => TipAction::RequestInfo,
            Decision::MarkDuplicate { .. } => TipAction::MarkDuplicate,
        }
    }
}

/// One tip of a bulk decision: its id and the version the moderator saw.
#[derive(Clone, Copy, Debug)]
pub struct BulkItem {
    pub id: Uuid,
    pub version: i32,
}

/// The same decision on several tips: each is claimed by the moderator and
/// decided in transactions of its own, with its own version check and audit
/// events, so one that fails (decided by someone else meanwhile, a state that
/// does not allow it) leaves the others decided; each item's result says
/// which. Verifying into a new lead makes it with the first tip verified and
/// puts the rest in it.
pub async fn decide_many(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    items: &[BulkItem],
    decision: Decision,
    lease: chrono::Duration,
) -> Vec<(Uuid, Result<tip::Model, ServiceError>)> {
    let mut decision = decision;
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let result = async {
            let seen = load(state, item.id).await?;
            if seen.version != item.version {
                return Err(stale_tip());
            }
            let claimed = claim(state, ctx, moderator, item.id, lease).await?;
            decide(
                state,
                ctx,
                moderator,
                item.id,
                claimed.version,
                decision.clone(),
            )
            .await
        }
        .await;
        let new_lead = matches!(decision, Decision::Verify(LeadChoice::New { .. }));
        if let (true, Ok(tip)) = (new_lead, &result)
            && let Some(lead_id) = tip.lead_id
        {
            decision = Decision::Verify(LeadChoice::Existing(lead_id));
        }
        results.push((item.id, result));
    }
    results
}

/// What reporters of a duplicate read: that the matter is in hand, without
/// anything about the other report.
const DUPLICATE_ZH: &str = "该线索已有他人举报，将与先前的举报一并处理。感谢您的参与。";
const DUPLICATE_EN: &str =
    "This matter was already reported and is handled together with the earlier report. Thank you.";

fn verified_told() -> (String, String) {
    (
        "您的举报已核实，将转交有关单位处理。".to_owned(),
        "Your tip was verified and will be passed to the unit responsible.".to_owned(),
    )
}

/// A text followed by the moderator's note, if any.
fn with_note((zh, en): (String, String), note: Option<&str>) -> (String, String) {
    match note {
        Some(note) => (format!("{zh} {note}"), format!("{en} {note}")),
        None => (zh, en),
    }
}

/// Decides on a tip the caller saw at `version`: verify (into a new or an
/// open lead), reject, ask the reporter, or mark as a duplicate. A stale
/// version or a state the decision does not apply to is 409; of two
/// moderators deciding at once, exactly one succeeds.
pub async fn decide(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    version: i32,
    decision: Decision,
) -> Result<tip::Model, ServiceError> {
    let tip = load(state, tip_id).await?;
    if tip.version != version {
        return Err(stale_tip());
    }
    let next = next_state(&tip, decision.action())?;
    let now = ctx.now;
    not_held_by_other(&tip, moderator, now)?;
    // Deciding takes a live claim of one's own: a lapsed lease of someone
    // else's is not an invitation to decide unseen.
    if tip.holder(now) != Some(moderator) {
        return Err(Conflict(
            "tip.not_claimed",
            "claim the tip before deciding on it".into(),
        ));
    }

    // Everything the decision names is checked before anything is written.
    let mut change = tips::Change {
        claim: Some(None),
        ..Default::default()
    };
    let mut public_note: Option<String> = None;
    let mut reason_code: Option<String> = None;
    let mut question: Option<String> = None;
    // What the reporter is told, (zh-CN, English).
    let told: (String, String);
    let details;
    match &decision {
        Decision::Verify(LeadChoice::Existing(lead_id)) => {
            let lead = leads::find(&state.db, *lead_id)
                .await?
                .ok_or_else(|| Invalid("tip.unknown_lead", "no such lead".into()))?;
            if lead.status != LeadStatus::Open {
                return Err(Conflict(
                    "lead.not_open",
                    format!("lead {} is {}, not open", lead.reference, lead.status),
                ));
            }
            change.lead_id = Some(Some(lead.id));
            told = verified_told();
            details = serde_json::json!({ "lead_id": lead.id, "new_lead": false });
        }
        Decision::Verify(LeadChoice::New { title }) => {
            if let Some(title) = title {
                text("lead.invalid_title", "title", title)?;
            }
            told = verified_told();
            details = serde_json::json!({ "new_lead": true });
        }
        Decision::Reject { reason, note } => {
            let found = reject_reasons::find(&state.db, reason)
                .await?
                .filter(|r| !r.retired)
                .ok_or_else(|| {
                    Invalid(
                        "tip.unknown_reject_reason",
                        format!("no reject reason `{reason}`"),
                    )
                })?;
            if let Some(note) = note {
                public_note = Some(text("tip.invalid_note", "note", note)?);
            }
            told = with_note(
                (found.public_zh.clone(), found.public_en.clone()),
                public_note.as_deref(),
            );
            reason_code = Some(found.code.clone());
            change.reject_reason = Some(found.code.clone());
            details = serde_json::json!({ "reason": found.code });
        }
        Decision::RequestInfo { question: q } => {
            let q = text("tip.invalid_question", "question", q)?;
            told = (
                format!("审核员需要您补充信息：{q}"),
                format!("The moderators need more from you: {q}"),
            );
            question = Some(q);
            details = serde_json::json!({});
        }
        Decision::MarkDuplicate { of } => {
            if *of == tip.id {
                return Err(Invalid(
                    "tip.invalid_duplicate",
                    "a tip cannot duplicate itself".into(),
                ));
            }
            let kept = tips::find(&state.db, *of)
                .await?
                .ok_or_else(|| Invalid("tip.invalid_duplicate", "no such tip to keep".into()))?;
            if matches!(
                kept.status,
                TipStatus::Duplicate | TipStatus::Withdrawn | TipStatus::Rejected
            ) {
                return Err(Conflict(
                    "tip.duplicate_of_unkept",
                    format!(
                        "tip {} is {}; mark duplicates of the tip that is kept",
                        kept.reference, kept.status
                    ),
                ));
            }
            change.duplicate_of = Some(kept.id);
            public_note = Some(format!("{DUPLICATE_EN} / {DUPLICATE_ZH}"));
            told = (DUPLICATE_ZH.to_owned(), DUPLICATE_EN.to_owned());
            details = serde_json::json!({ "of": kept.id });
        }
    }

    let txn = state.db.begin().await?;
    if let Decision::MarkDuplicate { of } = &decision {
        // Two moderators marking two look-alike tips as each other's
        // duplicate at once must not leave neither kept: both rows are
        // locked, in id order, and the kept one checked again under lock.
        let mut ids = [tip.id, *of];
        ids.sort();
        for id in ids {
            let keepable_only = id == *of;
            if !tips::lock(&txn, id, keepable_only).await? {
                txn.rollback().await?;
                return Err(Conflict(
                    "tip.duplicate_of_unkept",
                    "the tip to keep was itself just marked, withdrawn or rejected".into(),
                ));
            }
        }
    }
    if let Decision::Verify(choice) = &decision {
        let lead_id = match choice {
            LeadChoice::Existing(id) => {
                if !leads::touch_open(&txn, *id, now).await? {
                    txn.rollback().await?;
                    return Err(Conflict(
                        "lead.not_open",
                        "the lead is no longer open".into(),
                    ));
                }
                *id
            }
            LeadChoice::New { title } => {
                let lead = new_lead(&txn, ctx, moderator, &tip.category, title.as_deref()).await?;
                leads::add_history(
                    &txn,
                    lead.id,
                    LeadEvent::Created,
                    Some(moderator),
                    None,
                    None,
                    now,
                )
                .await?;
                lead.id
            }
        };
        change.lead_id = Some(Some(lead_id));
        leads::add_history(
            &txn,
            lead_id,
            LeadEvent::TipAdded,
            Some(moderator),
            Some(tip.id),
            None,
            now,
        )
        .await?;
    }
    let lead_id = change.lead_id.flatten();
    if !tips::transition(&txn, &tip, next, change, now).await? {
        txn.rollback().await?;
        return Err(stale_tip());
    }
    tips::add_history_with_reason(
        &txn,
        tip.id,
        next,
        public_note.as_deref(),
        reason_code.as_deref(),
        now,
    )
    .await?;
    if let Some(question) = &question {
        tips::add_message(
            &txn,
            tip.id,
            MessageAuthor::Moderator,
            Some(moderator),
            question,
            now,
        )
        .await?;
    }
    let kind = notifications::Kind::of_tip(next).expect("every decision is told to the reporter");
    notifications::tell_reporter(&txn, &tip, kind, &told.0, &told.1, now).await?;
    let mut details = details;
    if let (Some(lead_id), Some(map)) = (lead_id, details.as_object_mut()) {
        map.insert("lead_id".into(), serde_json::json!(lead_id));
    }
    let action = format!("tip.{}", decision.action().as_str());
    audit::record(
        &txn,
        ctx,
        Event::new(&action, "tip", tip.id).details(details),
    )
    .await?;
    txn.commit().await?;
    load(state, tip_id).await
}

/// Inserts a new open lead. A reference that collides with another is
/// retried with a fresh one inside a savepoint.
async fn new_lead(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    moderator: Uuid,
    category: &str,
    title: Option<&str>,
) -> Result<lead::Model, ServiceError> {
    let now = ctx.now;
    for _ in 0..5 {
        let row = lead::Model {
            id: Uuid::now_v7(),
            reference: lead_codes::lead_reference((now + chrono::Duration::hours(8)).date_naive()),
            status: LeadStatus::Open,
            category: category.to_owned(),
            title: title.map(|t| t.trim().to_owned()),
            version: 0,
            created_by: moderator,
            unit_id: None,
            due_at: None,
            created_at: now,
            updated_at: now,
            forwarded_at: None,
            accepted_at: None,
            resolved_at: None,
            outcome_code: None,
            public_note: None,
            internal_note: None,
            overdue_at: None,
            accept_due_at: None,
            resolve_due_at: None,
        };
        let savepoint = txn.begin().await?;
        match leads::insert(&savepoint, row).await {
            Ok(lead) => {
                savepoint.commit().await?;
                return Ok(lead);
            }
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                savepoint.rollback().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Conflict(
        "lead.reference_exhausted",
        "could not allocate a lead reference; retry".into(),
    ))
}

/// `POST /v1/moderation/tips/{id}/notes`: an internal note.
pub async fn add_note(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    body: &str,
) -> Result<tips::note::Model, ServiceError> {
    let body = text("note.invalid", "a note", body)?;
    load(state, tip_id).await?;
    let txn = state.db.begin().await?;
    let note = tips::add_note(&txn, tip_id, moderator, &body, ctx.now).await?;
    audit::record(&txn, ctx, Event::new("tip.note", "tip", tip_id)).await?;
    txn.commit().await?;
    Ok(note)
}

/// `POST /v1/leads`: a lead from verified tips that are in no lead.
pub async fn create_lead(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_ids: &[Uuid],
    title: Option<&str>,
) -> Result<lead::Model, ServiceError> {
    let mut ids = tip_ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_LEAD_TIPS || ids.len() != tip_ids.len() {
        return Err(Invalid(
            "lead.invalid_tips",
            format!("a lead starts from 1 to {MAX_LEAD_TIPS} distinct tips"),
        ));
    }
    if let Some(title) = title {
        text("lead.invalid_title", "title", title)?;
    }
    let found = tips::find_many(&state.db, &ids).await?;
    if found.len() != ids.len() {
        return Err(Invalid("lead.invalid_tips", "no such tip".into()));
    }
    for tip in &found {
        free_verified(tip)?;
    }
    // The lead takes the category most of its tips have (the earliest on a tie).
    let category = most_common(found.iter().map(|t| t.category.as_str()))
        .expect("at least one tip")
        .to_owned();
    let txn = state.db.begin().await?;
    let lead = new_lead(&txn, ctx, moderator, &category, title).await?;
    leads::add_history(
        &txn,
        lead.id,
        LeadEvent::Created,
        Some(moderator),
        None,
        None,
        ctx.now,
    )
    .await?;
    for tip in &found {
        let change = tips::Change {
            lead_id: Some(Some(lead.id)),
            ..Default::default()
        };
        if !tips::transition(&txn, tip, tip.status, change, ctx.now).await? {
            txn.rollback().await?;
            return Err(stale_tip());
        }
        leads::add_history(
            &txn,
            lead.id,
            LeadEvent::TipAdded,
            Some(moderator),
            Some(tip.id),
            None,
            ctx.now,
        )
        .await?;
    }
    audit::record(
        &txn,
        ctx,
        Event::new("lead.create", "lead", lead.id).details(serde_json::json!({ "tips": ids })),
    )
    .await?;
    txn.commit().await?;
    Ok(lead)
}

fn most_common<'a>(items: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(c, _)| *c == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    // `max_by_key` keeps the last of equals; reversing keeps the first.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
}

/// A tip that can join a lead: verified and in none.
fn free_verified(tip: &tip::Model) -> Result<(), ServiceError> {
    if tip.status != TipStatus::Verified {
        return Err(Conflict(
            "lead.tip_not_verified",
            format!(
                "tip {} is {}; only verified tips join leads",
                tip.reference, tip.status
            ),
        ));
    }
    if tip.lead_id.is_some() {
        return Err(Conflict(
            "lead.tip_in_other_lead",
            format!("tip {} is already in a lead", tip.reference),
        ));
    }
    Ok(())
}

async fn open_lead(
    state: &AppState,
    lead_id: Uuid,
    version: i32,
) -> Result<lead::Model, ServiceError> {
    let lead = leads::find(&state.db, lead_id)
        .await?
        .ok_or_else(lead_not_found)?;
    if lead.version != version {
        return Err(stale_lead());
    }
    if lead.status != LeadStatus::Open {
        return Err(Conflict(
            "lead.not_open",
            format!(
                "the lead is {}; tips change only while it is open",
                lead.status
            ),
        ));
    }
    Ok(lead)
}

/// `POST /v1/leads/{id}/tips`: adds a verified tip that is in no lead.
pub async fn add_to_lead(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    lead_id: Uuid,
    version: i32,
    tip_id: Uuid,
) -> Result<lead::Model, ServiceError> {
    let lead = open_lead(state, lead_id, version).await?;
    let tip = tips::find(&state.db, tip_id)
        .await?
        .ok_or_else(|| Invalid("lead.invalid_tips", "no such tip".into()))?;
    free_verified(&tip)?;
    change_membership(state, ctx, moderator, &lead, &tip, Membership::Join).await
}

/// `DELETE /v1/leads/{id}/tips/{tip_id}`: the tip stays verified, in no
/// lead. A lead keeps at least one tip, and the tips of a returned lead
/// (forwarded already) stay in it.
pub async fn remove_from_lead(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    lead_id: Uuid,
    version: i32,
    tip_id: Uuid,
) -> Result<lead::Model, ServiceError> {
    let lead = open_lead(state, lead_id, version).await?;
    let members = tips::of_lead(&state.db, lead.id).await?;
    let Some(tip) = members.iter().find(|t| t.id == tip_id) else {
        return Err(ServiceError::NotFound(
            "lead.tip_not_in_lead",
            "the tip is not in this lead".into(),
        ));
    };
    if members.len() == 1 {
        return Err(Conflict(
            "lead.last_tip",
            "a lead keeps at least one tip".into(),
        ));
    }
    // A returned lead's tips were forwarded already: out of the lead they
    // could never close, and their reporters would never hear the outcome.
    if tip.status != TipStatus::Verified {
        return Err(Conflict(
            "lead.tip_forwarded",
            "the tip was forwarded with this lead and stays in it".into(),
        ));
    }
    change_membership(state, ctx, moderator, &lead, tip, Membership::Leave).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Membership {
    Join,
    Leave,
}

/// Puts a tip into an open lead or takes it out: the lead's version moves
/// (a forward with the version read before fails), the tip's lead changes,
/// and the lead's history and the audit log say so.
async fn change_membership(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    lead: &lead::Model,
    tip: &tip::Model,
    membership: Membership,
) -> Result<lead::Model, ServiceError> {
    let (lead_id, history, action) = match membership {
        Membership::Join => (Some(lead.id), LeadEvent::TipAdded, "lead.add_tip"),
        Membership::Leave => (None, LeadEvent::TipRemoved, "lead.remove_tip"),
    };
    let txn = state.db.begin().await?;
    if !leads::bump(&txn, lead, lead.status, ctx.now).await? {
        txn.rollback().await?;
        return Err(stale_lead());
    }
    let change = tips::Change {
        lead_id: Some(lead_id),
        ..Default::default()
    };
    if !tips::transition(&txn, tip, tip.status, change, ctx.now).await? {
        txn.rollback().await?;
        return Err(stale_tip());
    }
    leads::add_history(
        &txn,
        lead.id,
        history,
        Some(moderator),
        Some(tip.id),
        None,
        ctx.now,
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        Event::new(action, "lead", lead.id).details(serde_json::json!({ "tip_id": tip.id })),
    )
    .await?;
    txn.commit().await?;
    leads::find(&state.db, lead.id)
        .await?
        .ok_or_else(lead_not_found)
}

/// How long a link to an original photo works.
pub const ORIGINAL_URL_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// A photo of a tip, for reading its original. The audit event naming the
/// moderator commits before the caller signs a link to the original.
pub async fn read_original(
    state: &AppState,
    ctx: &Ctx,
    media_id: Uuid,
) -> Result<media::Model, ServiceError> {
    let photo = media::find_many(&state.db, &[media_id])
        .await?
        .into_iter()
        .next()
        // Uploads no tip has taken are the uploader's alone.
        .filter(|m| m.tip_id.is_some() && m.status == media::Status::Stored)
        .ok_or_else(|| ServiceError::NotFound("media.not_found", "no such photo".into()))?;
    let txn = state.db.begin().await?;
    audit::lock_head(&txn).await?;
    audit::record(
        &txn,
        ctx,
        Event::new("media.read_original", "media", media_id)
            .details(serde_json::json!({ "tip_id": photo.tip_id, "sha256": photo.sha256 })),
    )
    .await?;
    txn.commit().await?;
    Ok(photo)
}

/// The reporter's phone number, if the tip has a registered reporter; the
/// read is audited either way.
pub async fn read_reporter_phone(
    state: &AppState,
    ctx: &Ctx,
    tip_id: Uuid,
) -> Result<Option<String>, ServiceError> {
    let tip = load(state, tip_id).await?;
    let phone = match tip.reporter_user_id {
        Some(id) => users::find(&state.db, id).await?.and_then(|u| u.phone),
        None => None,
    };
    let txn = state.db.begin().await?;
    audit::lock_head(&txn).await?;
    audit::record(
        &txn,
        ctx,
        Event::new("tip.read_reporter_contact", "tip", tip_id)
            .details(serde_json::json!({ "anonymous": tip.reporter_user_id.is_none() })),
    )
    .await?;
    txn.commit().await?;
    Ok(phone)
}

/// How far one of a tip's contacts reaches beyond the tip.
#[derive(Clone, Debug)]
pub struct ContactReach {
    pub contact: tips::contact::Model,
    /// Other tips carrying it.
    pub other_tips: i64,
    /// Leads holding a tip that carries it.
    pub leads: i64,
}

/// A photo of another tip that is the same file or the same picture as one
/// of this tip's.
#[derive(Clone, Debug)]
pub struct SimilarPhoto {
    pub lookalike: media::Lookalike,
    pub other_tip: tip::Model,
}

/// One event of the tip's audit trail. An event the reporter caused on
/// their own tip carries no account id: it would link their tips together,
/// and moderators learn who reported only through the audited reporter
/// read.
#[derive(Clone, Debug)]
pub struct TrailEvent {
    pub event: audit::Model,
    pub by_reporter: bool,
}

/// Everything a moderator reads to decide on a tip.
#[derive(Clone, Debug)]
pub struct TipDetail {
    pub tip: tip::Model,
    /// The moderator holding it at `now`, while the claim runs.
    pub holder: Option<Uuid>,
    /// The lead it is in.
    pub lead: Option<lead::Model>,
    /// Open leads holding other tips with one of its contacts.
    pub suggested_leads: Vec<lead::Model>,
    pub contacts: Vec<ContactReach>,
    pub photos: Vec<media::Model>,
    pub similar_photos: Vec<SimilarPhoto>,
    /// Contacts read off its photos and not dismissed (`crate::suggestions`).
    pub suggestions: Vec<suggestions::suggestion::Model>,
    /// The conversation with the reporter, oldest first.
    pub messages: Vec<tips::message::Model>,
    /// Internal notes, oldest first.
    pub notes: Vec<tips::note::Model>,
    /// What the reporter's timeline shows.
    pub timeline: Vec<crate::reporting::TimelineStep>,
    pub audit: Vec<TrailEvent>,
}

/// At most this many similar photos per tip.
pub const SIMILAR_LIMIT: usize = 20;

/// A tip in full for moderators; 404 `tip.not_found` for no such tip.
/// Reads only: each part is one query, whatever the number of contacts or
/// photos.
pub async fn tip_detail(
    state: &AppState,
    tip_id: Uuid,
    now: DateTime<Utc>,
) -> Result<TipDetail, ServiceError> {
    let db = &state.db;
    let t = load(state, tip_id).await?;
    let contacts = tips::contacts_of(db, t.id).await?;
    let pairs: Vec<contacts::Key> = contacts.iter().map(|c| (c.kind, c.value.clone())).collect();
    let reach = contacts::reach(db, &pairs, t.id).await?;
    let suggested_ids = contacts::open_leads_carrying(db, &pairs, t.id).await?;
    let mut lead_ids = suggested_ids.clone();
    lead_ids.extend(t.lead_id);
    let leads_known = leads::find_many(db, &lead_ids).await?;
    let photos = media::of_tip(db, t.id).await?;
    let lookalikes = media::lookalikes(db, t.id, &photos, SIMILAR_LIMIT).await?;
    let other_ids: Vec<Uuid> = lookalikes.iter().filter_map(|l| l.other.tip_id).collect();
    let others = tips::find_many(db, &other_ids).await?;
    let suggestions = suggestions::of_tip(db, t.id).await?;
    let timeline = crate::reporting::timeline(db, t.id).await?;
    let messages = tips::messages_of(db, t.id).await?;
    let notes = tips::notes_of(db, t.id).await?;
    let trail = audit::for_object(db, "tip", t.id).await?;

    let lead = t
        .lead_id
        .and_then(|id| leads_known.iter().find(|l| l.id == id).cloned());
    let suggested_leads = leads_known
        .iter()
        .filter(|l| {
            suggested_ids.contains(&l.id) && Some(l.id) != t.lead_id && l.status == LeadStatus::Open
        })
        .cloned()
        .collect();
    let contacts = contacts
        .into_iter()
        .map(|contact| {
            let (other_tips, leads) = reach
                .iter()
                .find(|r| r.kind == contact.kind && r.value == contact.value)
                .map_or((0, 0), |r| (r.other_tips, r.leads));
            ContactReach {
                contact,
                other_tips,
                leads,
            }
        })
        .collect();
    let similar_photos = lookalikes
        .into_iter()
        .filter_map(|lookalike| {
            let other_tip = others
                .iter()
                .find(|o| Some(o.id) == lookalike.other.tip_id)?
                .clone();
            Some(SimilarPhoto {
                lookalike,
                other_tip,
            })
        })
        .collect();
    let audit = trail
        .into_iter()
        .map(|mut event| {
            let by_reporter = event.actor_id.is_some() && event.actor_id == t.reporter_user_id;
            if by_reporter {
                event.actor_id = None;
            }
            TrailEvent { event, by_reporter }
        })
        .collect();
    Ok(TipDetail {
        holder: t.holder(now),
        tip: t,
        lead,
        suggested_leads,
        contacts,
        photos,
        similar_photos,
        suggestions,
        messages,
        notes,
        timeline,
        audit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_category_wins_and_the_first_breaks_ties() {
        assert_eq!(most_common(["a", "b", "b"].into_iter()), Some("b"));
        assert_eq!(most_common(["a", "b"].into_iter()), Some("a"));
        assert_eq!(most_common(std::iter::empty()), None);
    }
}
