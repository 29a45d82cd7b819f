//! Storing one uploaded photo: the original as evidence (unchanged, with
//! its SHA-256), a display copy and a thumbnail (re-encoded, no metadata),
//! and the row that ties them to their uploader until a tip takes them.
//!
//! A row and its objects are kept in step: the row is written `pending`
//! first, then the objects, then the row is marked `stored`. A failure on
//! the way removes what was written; what a crash leaves behind, the
//! reaper ([`reap`]) removes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sea_orm::DbErr;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::pipeline::{self, ImageKind, Limits, PipelineError, Processed};
use crate::blob::{BlobError, BlobKey, BlobStore};
use crate::context::Ctx;
use crate::store::audit::{self, Event};
use crate::store::media;

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    #[error("{0}")]
    Unprocessable(String),
    #[error("the photo store failed: {0}")]
    Blob(#[from] BlobError),
    #[error("the database failed: {0}")]
    Db(#[from] DbErr),
    #[error("the service is busy; retry shortly")]
    Busy,
}

/// Who uploads: an account, or an anonymous session (a random id).
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    User(Uuid),
    Session(Uuid),
}

impl Owner {
    /// Whether this uploader sent the photo (an anonymous session's
    /// photo stops being its own once a tip takes it).
    pub fn uploaded(self, photo: &media::Model) -> bool {
        match self {
            Owner::User(id) => photo.owner_user_id == Some(id),
            Owner::Session(id) => photo.owner_session_id == Some(id),
        }
    }
}

/// Runs the CPU-heavy pipeline on the blocking pool, a bounded number at
/// once, so uploads cannot starve the server.
pub async fn process(slots: &Arc<Semaphore>, bytes: Bytes) -> Result<Processed, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Unprocessable("the file is empty".into()));
    }
    if pipeline::sniff(&bytes).is_none() {
        return Err(UploadError::Unsupported);
    }
    let permit = tokio::time::timeout(Duration::from_secs(30), slots.clone().acquire_owned())
        .await
        .map_err(|_| UploadError::Busy)?
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        pipeline::process(&bytes, &Limits::default())
    })
    .await
    // A decoder that panics on hostile input refuses that input; the
    // server goes on.
    .map_err(|_| UploadError::Unprocessable("the image could not be decoded".into()))?
    .map_err(|e| match e {
        PipelineError::Unsupported => UploadError::Unsupported,
        other => UploadError::Unprocessable(other.to_string()),
    })
}

fn extension(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Jpeg => "jpg",
        ImageKind::Png => "png",
        ImageKind::Webp => "webp",
    }
}

fn key(s: String) -> BlobKey {
    BlobKey::parse(&s).expect("keys made of a uuid and a fixed name are valid")
}

/// Stores an upload that [`process`] accepted. `original` is kept byte for
/// byte.
pub async fn store(
    db: &sea_orm::DatabaseConnection,
    blobs: &dyn BlobStore,
    owner: Owner,
    original: Bytes,
    processed: Processed,
    ctx: &Ctx,
) -> Result<media::Model, UploadError> {
    let id = Uuid::now_v7();
    // Random ids, never the client's file name.
    let original_key = key(format!("media/{id}/original.{}", extension(processed.kind)));
    let display_key = key(format!("media/{id}/display.jpg"));
    let thumb_key = key(format!("media/{id}/thumb.jpg"));
    let bands = crate::media::phash::bands(processed.phash);
    let row = media::Model {
        id,
        owner_user_id: match owner {
            Owner::User(u) => Some(u),
            Owner::Session(_) => None,
        },
        owner_session_id: match owner {
            Owner::User(_) => None,
            Owner::Session(s) => Some(s),
        },
        tip_id: None,
        status: media::Status::Pending,
        kind: extension(processed.kind).to_owned(),
        sha256: hex::encode(Sha256::digest(&original)),
        byte_size: original.len() as i64,
        width: processed.width as i32,
        height: processed.height as i32,
        original_key: original_key.to_string(),
        display_key: display_key.to_string(),
        display_width: processed.display.width as i32,
        display_height: processed.display.height as i32,
        thumb_key: thumb_key.to_string(),
        thumb_width: processed.thumbnail.width as i32,
        thumb_height: processed.thumbnail.height as i32,
        created_at: ctx.now,
        phash: Some(processed.phash as i64),
        phash_band0: Some(i32::from(bands[0])),
        phash_band1: Some(i32::from(bands[1])),
        phash_band2: Some(i32::from(bands[2])),
        phash_band3: Some(i32::from(bands[3])),
    };
    let row = media::insert(db, row).await?;

    let objects = [
        (&original_key, original, processed.kind.mime()),
        (
            &display_key,
            Bytes::from(processed.display.bytes),
            "image/jpeg",
        ),
        (
            &thumb_key,
            Bytes::from(processed.thumbnail.bytes),
            "image/jpeg",
        ),
    ];
    let keys = [original_key.clone(), display_key.clone(), thumb_key.clone()];
    for (key, bytes, content_type) in objects {
        if let Err(e) = blobs.put(key, bytes, content_type).await {
            undo(db, blobs, row.id, &keys).await;
            return Err(e.into());
        }
    }
    let finish = async {
        use sea_orm::TransactionTrait;
        let txn = db.begin().await?;
        media::mark_stored(&txn, row.id).await?;
        // Reading the card is a job of its own (`crate::suggestions`),
        // never done on the upload's path.
        crate::store::suggestions::enqueue(&txn, row.id, ctx.now).await?;
        let event = Event::new("media.upload", "media", row.id)
            .details(serde_json::json!({ "bytes": row.byte_size, "kind": row.kind }));
        audit::record(&txn, ctx, event).await?;
        txn.commit().await
    };
    if let Err(e) = finish.await {
        undo(db, blobs, row.id, &keys).await;
        return Err(e.into());
    }
    Ok(media::Model {
        status: media::Status::Stored,
        ..row
    })
}

/// Best effort: removes the objects and the row of a failed upload. Every
/// key is deleted, written or not (a PUT that timed out may have landed);
/// the row goes only once they all are, else it stays `pending` and the
/// reaper finishes the job.
async fn undo(db: &sea_orm::DatabaseConnection, blobs: &dyn BlobStore, id: Uuid, keys: &[BlobKey]) {
    let mut all_gone = true;
    for key in keys {
        if let Err(e) = blobs.delete(key).await {
            tracing::warn!(media_id = %id, error = %e, "could not remove an object of a failed upload");
            all_gone = false;
        }
    }
    if all_gone && let Err(e) = media::delete(db, id).await {
        tracing::warn!(media_id = %id, error = %e, "could not remove the row of a failed upload");
    }
}

/// Removes photos no tip took within `unattached_for`, and uploads left
/// `pending` (by a crash, or a failure whose clean-up could not reach the
/// store) for `pending_for`. Each is claimed first (`reaping`, only while no tip has
/// it, and a photo being reaped can no longer be attached), then its
/// objects go, then its row, with an audit event. Answers how many went.
pub async fn reap(
    db: &sea_orm::DatabaseConnection,
    blobs: &dyn BlobStore,
    ctx: &Ctx,
    unattached_for: chrono::Duration,
    pending_for: chrono::Duration,
) -> Result<usize, DbErr> {
    let now = ctx.now;
    let mut removed = 0;
    let mut after = None;
    loop {
        let batch =
            media::reapable(db, now - unattached_for, now - pending_for, after, 100).await?;
        let Some(last) = batch.last() else {
            return Ok(removed);
        };
        after = Some((last.created_at, last.id));
        for row in batch {
            if !media::claim_for_reaping(db, row.id).await? {
                continue; // a tip took it meanwhile
            }
            let mut all_gone = true;
            for key in [&row.original_key, &row.display_key, &row.thumb_key] {
                let Ok(key) = BlobKey::parse(key) else {
                    continue;
                };
                if let Err(e) = blobs.delete(&key).await {
                    // Left claimed: a later run tries again.
                    tracing::warn!(media_id = %row.id, error = %e, "reaper could not remove an object");
                    all_gone = false;
                }
            }
            if all_gone {
                use sea_orm::TransactionTrait;
                let txn = db.begin().await?;
                media::delete(&txn, row.id).await?;
                audit::record(&txn, ctx, Event::new("media.reap", "media", row.id)).await?;
                txn.commit().await?;
                removed += 1;
            }
        }
    }
}
