//! Contacts read off card photos: the background job that reads each
//! stored photo, and the decisions moderators take on what it found.
//!
//! The upload only queues the photo (one row in `media_readings`, in its
//! own transaction). A reader on every node polls for queued photos,
//! leases one at a time per free slot (so two nodes never read the same
//! photo), reads its original from the blob store with
//! [`CardReader::read`] on the blocking pool under a timeout, and stores
//! what it found as suggestions. A reader that dies or times out leaves the
//! photo as it was: its lease runs out and another reading starts, until
//! [`ReadingSettings::max_attempts`] have begun and it is marked `failed`.
//! A photo the reader cannot decode is simply done, with nothing found.
//!
//! Suggestions are shown to the photo's uploader and to moderators only;
//! a confirmed one becomes one of the tip's contacts (and so joins its
//! cluster, and what units see), a dismissed one leaves the view. It owns
//! no HTTP types and never writes to a tip but through its contacts.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DbErr, TransactionTrait};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::app::AppState;
use crate::blob::BlobKey;
use crate::context::Ctx;
use crate::error::ServiceError;
use crate::media::upload::Owner;
use crate::reading::{CardReader, Found, OcrFiles, ReadError, Source};
use crate::store::audit::{self, Event};
use crate::store::suggestions::{
    self, NewSuggestion, ReadingState, SuggestionSource, SuggestionState, reading, suggestion,
};
use crate::store::{media, tips};

/// How cards are read on this node.
#[derive(Clone, Debug)]
pub struct ReadingSettings {
    /// Read printed text too (needs the `ocr` build and its files), not
    /// only QR codes.
    pub ocr_enabled: bool,
    /// Where `scripts/install-ocr` put the model and runtime files.
    pub ocr_dir: PathBuf,
    /// Photos read at once on this node.
    pub workers: usize,
    /// How often the node looks for photos to read.
    pub poll: Duration,
    /// One reading's limit; past it the photo is left to be read again.
    pub timeout: Duration,
    /// Readings begun before a photo is given up as `failed`.
    pub max_attempts: i32,
}

impl ReadingSettings {
    /// As configured (`ocr_enabled`, `ocr_dir`, `reading_workers`); the
    /// rest are fixed: a poll a second, a minute per photo, three attempts.
    pub fn of(config: &crate::config::ReadingConfig) -> Self {
        ReadingSettings {
            ocr_enabled: config.ocr_enabled,
            ocr_dir: config.ocr_dir.clone(),
            workers: config.workers,
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
            max_attempts: 3,
        }
    }

    /// A leased photo stays with its reader this long: past the timeout,
    /// so no other node starts it while this one may still write.
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.timeout * 2).unwrap_or(chrono::Duration::minutes(2))
    }
}

/// The card reader these settings ask for. OCR that is switched on but
/// cannot load (files missing, a build without it) leaves QR reading on,
/// and the log says why.
pub fn card_reader(settings: &ReadingSettings) -> CardReader {
    let ocr = settings
        .ocr_enabled
        .then(|| OcrFiles::in_dir(&settings.ocr_dir));
    let reader = match CardReader::new(ocr) {
        Ok(reader) => reader,
        Err(e) => {
            tracing::warn!(error = %e, ocr_dir = %settings.ocr_dir.display(), "OCR could not be loaded; reading QR codes only");
            CardReader::new(None).expect("a QR-only reader needs no files")
        }
    };
    if settings.ocr_enabled && !reader.ocr_enabled() {
        tracing::warn!(
            "OCR is switched on but this build has no OCR (build with --features ocr); reading QR codes only"
        );
    }
    tracing::info!(
        ocr = reader.ocr_enabled(),
        workers = settings.workers,
        "reading cards: {}",
        if reader.ocr_enabled() {
            "QR codes and printed text"
        } else {
            "QR codes only"
        }
    );
    reader
}

/// The reader's share of a node: the card reader, its settings and its
/// slots.
#[derive(Clone)]
pub struct Reader {
    pub card: Arc<CardReader>,
    pub settings: ReadingSettings,
    slots: Arc<Semaphore>,
}

impl Reader {
    pub fn new(card: CardReader, settings: ReadingSettings) -> Self {
        Reader {
            slots: Arc::new(Semaphore::new(settings.workers.max(1))),
            card: Arc::new(card),
            settings,
        }
    }
}

/// One pass: starts reading as many due photos as there are free slots
/// (without waiting for them) and gives up on those whose attempts are
/// spent; answers how many readings it started.
pub async fn read_once(state: &AppState, reader: &Reader) -> Result<usize, DbErr> {
    let free = reader.slots.available_permits();
    if free == 0 {
        return Ok(0);
    }
    let now = state.clock.now();
    let due = suggestions::due(&state.db, now, free as u64 * 2).await?;
    let mut started = 0;
    for row in due {
        if row.attempts >= reader.settings.max_attempts {
            // Every attempt died or timed out: a photo that kills readers
            // is not tried for ever.
            if suggestions::finish(
                &state.db,
                row.media_id,
                row.attempts,
                ReadingState::Failed,
                now,
            )
            .await?
            {
                tracing::warn!(media_id = %row.media_id, attempts = row.attempts, "gave up reading a photo");
            }
            continue;
        }
        let Ok(permit) = reader.slots.clone().try_acquire_owned() else {
            break;
        };
        let until = now + reader.settings.lease();
        if !suggestions::lease(&state.db, &row, now, until).await? {
            continue; // another node has it
        }
        started += 1;
        let (state, reader) = (state.clone(), reader.clone());
        tokio::spawn(async move {
            let attempt = row.attempts + 1;
            if let Err(e) = read_photo(&state, &reader, row.media_id, attempt, permit).await {
                // Left leased: read again once the lease runs out.
                tracing::warn!(media_id = %row.media_id, error = %e, "reading a photo failed; it is tried again later");
            }
        });
    }
    Ok(started)
}

/// Reads one leased photo (attempt number `attempt`) and stores what it
/// found. `permit` is held by the reading itself, so a reading that timed
/// out keeps its slot until its thread really ends.
async fn read_photo(
    state: &AppState,
    reader: &Reader,
    media_id: Uuid,
    attempt: i32,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<(), DbErr> {
    let finish = |outcome: ReadingState| async move {
        suggestions::finish(&state.db, media_id, attempt, outcome, state.clock.now())
            .await
            .map(drop)
    };
    let Some(photo) = media::find_many(&state.db, &[media_id]).await?.pop() else {
        return Ok(()); // reaped meanwhile: its reading went with it
    };
    let Ok(key) = BlobKey::parse(&photo.original_key) else {
        tracing::error!(%media_id, "a photo's original has a key the blob store refuses");
        return finish(ReadingState::Failed).await;
    };
    let bytes = match state.blobs.get(&key).await {
        Ok((bytes, _)) => bytes,
        Err(e) => {
            tracing::warn!(%media_id, error = %e, "could not fetch a photo to read; it is tried again later");
            return Ok(());
        }
    };
    let card = reader.card.clone();
    let reading = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        card.read(&bytes)
    });
    match tokio::time::timeout(reader.settings.timeout, reading).await {
        Err(_) => {
            tracing::warn!(%media_id, attempt, "reading a photo timed out; it is tried again after its lease");
            Ok(())
        }
        // A decoder that panics on hostile input: no retry will do better.
        Ok(Err(_)) => {
            tracing::warn!(%media_id, "reading a photo crashed; given up");
            finish(ReadingState::Failed).await
        }
        Ok(Ok(Err(ReadError::Image(e)))) => {
            // Not a card we can read (the upload checked it is an image,
            // so this is an odd or hostile one): nothing to suggest.
            tracing::info!(%media_id, error = %e, "a photo could not be read; nothing suggested");
            finish(ReadingState::Done).await
        }
        Ok(Ok(Err(e))) => {
            tracing::warn!(%media_id, error = %e, "reading a photo failed; it is tried again later");
            Ok(())
        }
        Ok(Ok(Ok(found))) => store_found(state, media_id, attempt, &found).await,
    }
}

/// The contacts as stored: one per kind and value, the surest kept.
fn to_new(found: &[Found]) -> Vec<NewSuggestion> {
    let mut out: Vec<NewSuggestion> = Vec::with_capacity(found.len());
    for f in found {
        let (kind, value) = (f.contact.kind(), f.contact.value());
        let confidence = round(f.confidence);
        if let Some(same) = out.iter_mut().find(|s| s.kind == kind && s.value == value) {
            if confidence > same.confidence {
                *same = new_suggestion(f, confidence);
            }
            continue;
        }
        out.push(new_suggestion(f, confidence));
    }
    out
}

fn new_suggestion(f: &Found, confidence: f64) -> NewSuggestion {
    let r = f.region;
    NewSuggestion {
        kind: f.contact.kind(),
        value: f.contact.value().to_owned(),
        source: match f.source {
            Source::Qr => SuggestionSource::Qr,
            Source::Text => SuggestionSource::Text,
        },
        confidence,
        region: [r.x, r.y, r.width, r.height].map(round),
    }
}

/// Four decimals, clamped to 0–1: a box a ten-thousandth of the photo off
/// is not worth the noise of f32 digits.
fn round(v: f32) -> f64 {
    (f64::from(v.clamp(0.0, 1.0)) * 10_000.0).round() / 10_000.0
}

/// Marks the reading done and stores its suggestions, in one transaction,
/// unless this reader's lease was overtaken.
async fn store_found(
    state: &AppState,
    media_id: Uuid,
    attempt: i32,
    found: &[Found],
) -> Result<(), DbErr> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    // Written first: the attempt is still ours, and (on SQLite) the write
    // lock is taken before anything is read.
    if !suggestions::finish(&txn, media_id, attempt, ReadingState::Done, now).await? {
        return txn.rollback().await;
    }
    let Some(tip_id) = suggestions::tip_of_photo_locked(&txn, media_id).await? else {
        return txn.rollback().await;
    };
    suggestions::insert(&txn, media_id, tip_id, &to_new(found), now).await?;
    txn.commit().await?;
    if !found.is_empty() {
        tracing::info!(%media_id, found = found.len(), "read a card");
    }
    Ok(())
}

/// The reader, polling every [`ReadingSettings::poll`] until the process
/// ends.
pub fn spawn(state: AppState, reader: Reader) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(reader.settings.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if state.lifecycle.is_shutting_down() {
                return;
            }
            if let Err(e) = read_once(&state, &reader).await {
                tracing::warn!(error = %e, "the card reader could not read its queue; next round retries");
            }
        }
    })
}

/// A photo's reading and what it found, for its uploader; 404
/// `media.not_found` for anyone else, as for a photo that does not exist.
pub async fn for_uploader(
    state: &AppState,
    owner: Owner,
    media_id: Uuid,
) -> Result<(ReadingState, Vec<suggestion::Model>), ServiceError> {
    let not_found = || ServiceError::NotFound("media.not_found", "no such photo".into());
    let photo = media::find_many(&state.db, &[media_id])
        .await?
        .pop()
        .ok_or_else(not_found)?;
    if !owner.uploaded(&photo) || photo.status != media::Status::Stored {
        return Err(not_found());
    }
    let reading: reading::Model = suggestions::reading_of(&state.db, media_id)
        .await?
        .ok_or_else(not_found)?;
    let found = if reading.state == ReadingState::Done {
        suggestions::of_photo(&state.db, media_id).await?
    } else {
        Vec::new()
    };
    Ok((reading.state, found))
}

/// Where a photo's reading stands (`pending` for one not queued yet).
pub async fn reading_state(state: &AppState, media_id: Uuid) -> Result<ReadingState, DbErr> {
    Ok(suggestions::reading_of(&state.db, media_id)
        .await?
        .map_or(ReadingState::Pending, |r| r.state))
}

/// `POST /v1/moderation/tips/{id}/suggestions/{sid}/confirm`: the contact
/// joins the tip's contacts (unless it is there already), with one audit
/// event. Confirming again answers the same; a dismissed one is 409
/// `suggestion.dismissed`.
pub async fn confirm(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    id: Uuid,
) -> Result<suggestion::Model, ServiceError> {
    decide(
        state,
        ctx,
        moderator,
        tip_id,
        id,
        SuggestionState::Confirmed,
    )
    .await
}

/// `POST /v1/moderation/tips/{id}/suggestions/{sid}/dismiss`: the
/// suggestion leaves the tip's view, with one audit event. Dismissing again
/// answers the same; a confirmed one is 409 `suggestion.confirmed`.
pub async fn dismiss(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    id: Uuid,
) -> Result<suggestion::Model, ServiceError> {
    decide(
        state,
        ctx,
        moderator,
        tip_id,
        id,
        SuggestionState::Dismissed,
    )
    .await
}

async fn decide(
    state: &AppState,
    ctx: &Ctx,
    moderator: Uuid,
    tip_id: Uuid,
    id: Uuid,
    to: SuggestionState,
) -> Result<suggestion::Model, ServiceError> {
    let now = ctx.now;
    if tips::find(&state.db, tip_id).await?.is_none() {
        return Err(ServiceError::not_found("tip.not_found", "no such tip"));
    }
    let not_found = || ServiceError::NotFound("suggestion.not_found", "no such suggestion".into());
    let found = suggestions::find(&state.db, id)
        .await?
        .filter(|s| s.tip_id == Some(tip_id))
        .ok_or_else(not_found)?;
    let txn = state.db.begin().await?;
    // The decision is the first write: of two at once, one changes the
    // rows and the other sees them decided.
    let changed =
        suggestions::decide(&txn, tip_id, found.kind, &found.value, to, moderator, now).await?;
    if changed == 0 {
        txn.rollback().await?;
        let now_is = suggestions::find(&state.db, id)
            .await?
            .ok_or_else(not_found)?;
        return match now_is.state {
            s if s == to => Ok(now_is),
            SuggestionState::Confirmed => Err(ServiceError::Conflict(
                "suggestion.confirmed",
                "the suggestion was confirmed; its contact is on the tip".into(),
            )),
            SuggestionState::Dismissed => Err(ServiceError::Conflict(
                "suggestion.dismissed",
                "the suggestion was dismissed".into(),
            )),
            // Decided and undone cannot happen; answer as found.
            SuggestionState::Suggested => Ok(now_is),
        };
    }
    let added = if to == SuggestionState::Confirmed {
        let carried = tips::contacts_of(&txn, tip_id)
            .await?
            .iter()
            .any(|c| c.kind == found.kind && c.value == found.value);
        if !carried {
            tips::insert_contacts(&txn, tip_id, &[(found.kind, found.value.clone())]).await?;
        }
        !carried
    } else {
        false
    };
    let action = match to {
        SuggestionState::Confirmed => "tip.suggestion_confirm",
        _ => "tip.suggestion_dismiss",
    };
    // Not the value: the audit log names what changed, and the tip holds
    // the contact.
    let event = Event::new(action, "tip", tip_id).details(serde_json::json!({
        "suggestion_id": id,
        "kind": found.kind.as_str(),
        "source": match found.source {
            SuggestionSource::Qr => "qr",
            SuggestionSource::Text => "text",
        },
        "contact_added": added,
    }));
    audit::record(&txn, ctx, event).await?;
    txn.commit().await?;
    Ok(suggestion::Model {
        state: to,
        decided_by: Some(moderator),
        decided_at: Some(now),
        ..found
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::{Contact, ContactKind};
    use crate::reading::Region;

    fn found(value: &str, source: Source, confidence: f32) -> Found {
        Found {
            contact: Contact::parse(ContactKind::Phone, value).unwrap(),
            source,
            confidence,
            region: Region {
                x: 0.123_456,
                y: 0.5,
                width: 0.25,
                height: 1.2,
            },
        }
    }

    #[test]
    fn one_suggestion_per_contact_the_surest_kept() {
        let out = to_new(&[
            found("13800138000", Source::Text, 0.7),
            found("+86 138 0013 8000", Source::Qr, 0.95),
            found("13900139000", Source::Text, 0.6),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].value, "+8613800138000");
        assert_eq!(out[0].source, SuggestionSource::Qr);
        assert_eq!(out[0].confidence, 0.95);
        // Rounded and clamped to the photo.
        assert_eq!(out[0].region, [0.1235, 0.5, 0.25, 1.0]);
        assert_eq!(out[1].value, "+8613900139000");
    }
}
