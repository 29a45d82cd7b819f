//! The reporter's side of a tip: submitting it (with its photos, contacts
//! and, for anonymous reporters, a receipt), following it, withdrawing it and
//! talking with moderators. HTTP-free; errors are [`ServiceError`].

use chrono::{DateTime, Utc};
use sea_orm::{SqlErr, TransactionTrait};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::AppState;
use crate::context::{Actor, Ctx};
use crate::domain::contact::{Contact, ContactKind};
use crate::domain::geo::{self, Point};
use crate::domain::tip::{self as codes, MessageAuthor, TipAction, TipStatus};
use crate::error::{ServiceError, stale_tip, tip_not_found};
use crate::idempotency::Guard;
use crate::media::upload::Owner;
use crate::store::audit::{self, Event};
use crate::store::tips::{self, tip};
use crate::store::{categories, media};

/// Who reports.
#[derive(Clone, Copy, Debug)]
pub enum Reporter {
    Citizen(Uuid),
    /// An anonymous session: a random id that lives in the token only.
    Anonymous(Uuid),
}

impl From<Reporter> for Owner {
    /// Photos are owned by whoever reports with them.
    fn from(reporter: Reporter) -> Self {
        match reporter {
            Reporter::Citizen(id) => Owner::User(id),
            Reporter::Anonymous(session) => Owner::Session(session),
        }
    }
}

impl Reporter {
    pub fn actor(self) -> Actor {
        match self {
            Reporter::Citizen(id) => Actor::User(id),
            Reporter::Anonymous(_) => Actor::Anonymous,
        }
    }

    /// The key rate limits and idempotency keys are kept under.
    pub fn scope(self) -> String {
        match self {
            Reporter::Citizen(id) => format!("user:{id}"),
            Reporter::Anonymous(id) => format!("session:{id}"),
        }
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid(code, message)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crs {
    Wgs84,
    Gcj02,
}

impl Crs {
    fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
        }
    }
}

pub struct NewTip {
    pub category: String,
    pub description: String,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub crs: Crs,
    pub address: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// `(kind, value)` as the client sent them.
    pub contacts: Vec<(String, String)>,
    pub media_ids: Vec<Uuid>,
}

/// A tip just submitted; an anonymous tip carries its receipt, shown once.
/// A tip as its submission wrote it, so the answer needs no read-back:
/// the row, its contacts in the order stored, its photos, its first step.
pub struct Submitted {
    pub tip: tip::Model,
    pub receipt: Option<Receipt>,
    pub contacts: Vec<(ContactKind, String)>,
    pub photos: Vec<media::Model>,
    pub timeline: Vec<TimelineStep>,
}

pub struct Receipt {
    pub code: String,
    pub secret: String,
}

/// How far in the future `occurred_at` may be: phones' clocks drift.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);
pub const MAX_MEDIA: usize = 9;
pub const MAX_CONTACTS: usize = 20;

fn receipt_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Normalises each contact, naming the first bad one; duplicates collapse.
fn parse_contacts(raw: &[(String, String)]) -> Result<Vec<Contact>, ServiceError> {
    if raw.len() > MAX_CONTACTS {
        return Err(invalid(
            "tip.invalid_contact",
            format!("at most {MAX_CONTACTS} contacts"),
        ));
    }
    let mut contacts: Vec<Contact> = Vec::new();
    for (i, (kind, value)) in raw.iter().enumerate() {
        let kind = ContactKind::parse(kind).ok_or_else(|| {
            invalid(
                "tip.invalid_contact",
                format!("contacts[{i}]: kind must be phone, wechat, qq or url"),
            )
        })?;
        let contact = Contact::parse(kind, value).map_err(|e| {
            invalid(
                "tip.invalid_contact",
                format!("contacts[{i}] ({}): {e}", kind.as_str()),
            )
        })?;
        if !contacts.contains(&contact) {
            contacts.push(contact);
        }
    }
    Ok(contacts)
}

/// `POST /v1/tips`. Everything is checked before anything is written; the
/// tip, its contacts, its first history entry, the links to its photos and
/// the audit event commit in one transaction.
pub async fn submit(
    state: &AppState,
    ctx: &Ctx,
    reporter: Reporter,
    new: NewTip,
    idempotency: Option<&Guard>,
) -> Result<Submitted, ServiceError> {
    let category = categories::find(&state.db, &new.category)
        .await?
        .filter(|c| !c.retired)
        .ok_or_else(|| {
            invalid(
                "tip.unknown_category",
                format!("no category `{}`", new.category),
            )
        })?;
    let sent =
        Point::new(new.lat, new.lon).map_err(|e| invalid("tip.invalid_location", e.to_string()))?;
    let wgs = match new.crs {
        Crs::Wgs84 => sent,
        Crs::Gcj02 => geo::gcj02_to_wgs84(sent),
    };
    if let Some(accuracy) = new.accuracy_m
        && !(accuracy.is_finite() && (0.0..=100_000.0).contains(&accuracy))
    {
        return Err(invalid(
            "tip.invalid_location",
            "accuracy_m must be 0 to 100000",
        ));
    }
    let now = ctx.now;
    if let Some(at) = new.occurred_at
        && at > now + CLOCK_SKEW
    {
        return Err(invalid(
            "tip.occurred_in_future",
            "occurred_at is in the future",
        ));
    }
    let contacts = parse_contacts(&new.contacts)?;
    let mut media_ids = new.media_ids.clone();
    media_ids.sort();
    media_ids.dedup();
    if media_ids.is_empty() || media_ids.len() > MAX_MEDIA || media_ids.len() != new.media_ids.len()
    {
        return Err(invalid(
            "tip.invalid_media",
            format!("a tip has 1 to {MAX_MEDIA} distinct photos"),
        ));
    }
    let photos = media::find_many(&state.db, &media_ids).await?;
    let usable = |m: &media::Model| {
        m.tip_id.is_none() && m.status == media::Status::Stored && Owner::from(reporter).uploaded(m)
    };
    if photos.len() != media_ids.len() || !photos.iter().all(usable) {
        // One answer for missing, someone else's and already used: nothing
        // about other reporters' uploads leaks.
        return Err(invalid(
            "tip.invalid_media",
            "media_ids must be your own photos, uploaded and not yet in a tip",
        ));
    }

    let receipt = matches!(reporter, Reporter::Anonymous(_)).then(|| Receipt {
        code: codes::receipt_code(),
        secret: codes::receipt_secret(),
    });
    let address = new
        .address
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    let description = new.description.trim().to_owned();

    // A reference or receipt code may collide with an existing one: a
    // handful of retries with fresh codes settles it.
    for _ in 0..5 {
        let row = tip::Model {
            id: Uuid::now_v7(),
            // The day as reporters in China live it (UTC+8).
            reference: codes::tip_reference((now + chrono::Duration::hours(8)).date_naive()),
            reporter_user_id: match reporter {
                Reporter::Citizen(id) => Some(id),
                Reporter::Anonymous(_) => None,
            },
            category: category.code.clone(),
            description: description.clone(),
            lat: wgs.lat,
            lon: wgs.lon,
            accuracy_m: new.accuracy_m,
            crs: new.crs.as_str().to_owned(),
            lat_original: sent.lat,
            lon_original: sent.lon,
            address: address.clone(),
            occurred_at: new.occurred_at,
            status: TipStatus::Submitted,
            version: 0,
            receipt_code: receipt.as_ref().map(|r| r.code.clone()),
            receipt_secret_hash: receipt.as_ref().map(|r| receipt_hash(&r.secret)),
            created_at: now,
            updated_at: now,
            claimed_by: None,
            claim_expires_at: None,
            lead_id: None,
            duplicate_of: None,
            reject_reason: None,
        };
        let txn = state.db.begin().await?;
        let tip = match tips::insert(&txn, row).await {
            Ok(tip) => tip,
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let pairs: Vec<(ContactKind, String)> = contacts
            .iter()
            .map(|c| (c.kind(), c.value().to_owned()))
            .collect();
        tips::insert_contacts(&txn, tip.id, &pairs).await?;
        let first_step = tips::add_history(&txn, tip.id, TipStatus::Submitted, None, now).await?;
        if media::attach(&txn, &media_ids, tip.id).await? != media_ids.len() as u64 {
            // Another tip took one of the photos a moment ago.
            txn.rollback().await?;
            return Err(invalid(
                "tip.invalid_media",
                "media_ids must be your own photos, uploaded and not yet in a tip",
            ));
        }
        crate::store::suggestions::attach_to_tip(&txn, &media_ids, tip.id).await?;
        audit::record(
            &txn,
            ctx,
            Event::new("tip.submit", "tip", tip.id).details(serde_json::json!({
                "category": tip.category,
                "photos": media_ids.len(),
                "contacts": pairs.len(),
            })),
        )
        .await?;
        if let Some(guard) = idempotency {
            // The answer a retry gets commits with the tip: a tip never
            // exists without it, so its receipt cannot be lost.
            let outcome = serde_json::json!({
                "tip_id": tip.id,
                "receipt": receipt.as_ref().map(|r| serde_json::json!({"code": r.code, "secret": r.secret})),
            });
            guard.finish_in(&txn, &outcome).await?;
        }
        txn.commit().await?;
        // As `media::attach` left them, in id order as a tip's photos are.
        let mut photos = photos;
        photos.sort_by_key(|m| m.id);
        for photo in &mut photos {
            photo.tip_id = Some(tip.id);
            photo.owner_session_id = None;
        }
        let timeline = vec![TimelineStep {
            step: first_step,
            reason: None,
            outcome: None,
        }];
        return Ok(Submitted {
            tip,
            receipt,
            contacts: pairs,
            photos,
            timeline,
        });
    }
    Err(ServiceError::Conflict(
        "tip.reference_exhausted",
        "could not allocate a reference; retry".into(),
    ))
}

/// A citizen's own tip; anyone else's is "not found".
pub async fn own_tip(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
) -> Result<tip::Model, ServiceError> {
    tips::find(&state.db, id)
        .await?
        .filter(|t| t.reporter_user_id == Some(user_id))
        .ok_or_else(tip_not_found)
}

/// The tip behind a receipt, if the secret matches. Unknown codes and wrong
/// secrets are the same "not found", after the same work.
pub async fn receipt_tip(
    state: &AppState,
    code: &str,
    secret: &str,
) -> Result<tip::Model, ServiceError> {
    let tip = tips::find_by_receipt(&state.db, code.trim()).await?;
    let given = receipt_hash(secret);
    let stored = tip
        .as_ref()
        .and_then(|t| t.receipt_secret_hash.clone())
        .unwrap_or_else(|| receipt_hash("no such receipt"));
    let matches: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), stored.as_bytes()).into();
    match tip {
        Some(tip) if matches => Ok(tip),
        _ => Err(tip_not_found()),
    }
}

/// `POST /v1/tips/{id}/withdraw`: only before a moderator verified it.
pub async fn withdraw(
    state: &AppState,
    ctx: &Ctx,
    tip: &tip::Model,
) -> Result<tip::Model, ServiceError> {
    let status = tip.status;
    let next = status.after(TipAction::Withdraw).map_err(|_| {
        ServiceError::Conflict(
            "tip.invalid_state",
            format!("a {} tip can no longer be withdrawn", status.as_str()),
        )
    })?;
    let txn = state.db.begin().await?;
    let change = tips::Change {
        claim: Some(None),
        ..Default::default()
    };
    if !tips::transition(&txn, tip, next, change, ctx.now).await? {
        txn.rollback().await?;
        return Err(stale_tip());
    }
    tips::add_history(&txn, tip.id, TipStatus::Withdrawn, None, ctx.now).await?;
    audit::record(&txn, ctx, Event::new("tip.withdraw", "tip", tip.id)).await?;
    txn.commit().await?;
    tips::find(&state.db, tip.id)
        .await?
        .ok_or_else(tip_not_found)
}

/// A reporter's message. An answer to a moderator's question puts the tip
/// back in the review queue.
pub async fn reporter_message(
    state: &AppState,
    ctx: &Ctx,
    reporter: Reporter,
    tip: &tip::Model,
    body: &str,
) -> Result<tips::message::Model, ServiceError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(invalid("message.empty", "a message needs some text"));
    }
    let status = tip.status;
    if !status.accepts_messages() {
        return Err(ServiceError::Conflict(
            "tip.invalid_state",
            format!("a {} tip takes no more messages", status.as_str()),
        ));
    }
    let author_id = match reporter {
        Reporter::Citizen(id) => Some(id),
        Reporter::Anonymous(_) => None,
    };
    let txn = state.db.begin().await?;
    let message = tips::add_message(
        &txn,
        tip.id,
        MessageAuthor::Reporter,
        author_id,
        body,
        ctx.now,
    )
    .await?;
    if let Ok(next) = status.after(TipAction::ReporterAnswers) {
        if !tips::transition(&txn, tip, next, tips::Change::default(), ctx.now).await? {
            txn.rollback().await?;
            return Err(stale_tip());
        }
        tips::add_history(&txn, tip.id, TipStatus::Submitted, None, ctx.now).await?;
    }
    audit::record(&txn, ctx, Event::new("tip.message", "tip", tip.id)).await?;
    txn.commit().await?;
    Ok(message)
}

/// One step of a tip's public timeline, with the current wording of the
/// reject reason or outcome it names (admins may have reworded them since).
#[derive(Clone, Debug)]
pub struct TimelineStep {
    pub step: tips::history::Model,
    pub reason: Option<crate::store::reject_reasons::Model>,
    pub outcome: Option<crate::store::outcomes::Model>,
}

/// A tip's public timeline, oldest first: what its reporter reads, and what
/// moderators see the reporter was told. Three queries, however long.
pub async fn timeline(
    db: &impl sea_orm::ConnectionTrait,
    tip_id: Uuid,
) -> Result<Vec<TimelineStep>, sea_orm::DbErr> {
    use crate::store::{outcomes, reject_reasons};
    let history = tips::history_of(db, tip_id).await?;
    let reason_codes: Vec<String> = history
        .iter()
        .filter_map(|h| h.reason_code.clone())
        .collect();
    let reasons = reject_reasons::find_many(db, &reason_codes).await?;
    let outcome_codes: Vec<String> = history
        .iter()
        .filter_map(|h| h.outcome_code.clone())
        .collect();
    let outcomes = outcomes::find_many(db, &outcome_codes).await?;
    Ok(history
        .into_iter()
        .map(|step| TimelineStep {
            reason: step
                .reason_code
                .as_ref()
                .and_then(|code| reasons.iter().find(|r| &r.code == code).cloned()),
            outcome: step
                .outcome_code
                .as_ref()
                .and_then(|code| outcomes.iter().find(|o| &o.code == code).cloned()),
            step,
        })
        .collect())
}
