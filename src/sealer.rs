//! The audit log's sealer and its signed checkpoints.
//!
//! Writers append audit events unsealed, in the transactions of their
//! changes, and take no shared lock. Every node runs [`spawn`]: every
//! `audit_seal_ms` it tries to take the sealer's lock (one holder at a time
//! across all nodes; whoever gets it seals, so any node takes over from a
//! dead one at its next tick), chains the committed unsealed events in the
//! order it takes them, and moves the chain's head. Events still in an open
//! transaction are not visible yet and are sealed by a later pass.
//!
//! Every `audit_checkpoint_secs`, the pass also signs a checkpoint
//! {position, head hash, time} with the Ed25519 key of `audit_signing_key`
//! (never stored in the database) and writes it to the blob store as an
//! object of its own (`audit/checkpoints/<position>.json`). A checkpoint
//! covers the head as the previous pass committed it, never a position
//! still in this pass's transaction: a pass that fails to commit must not
//! leave behind a checkpoint of a chain that was never written.
//!
//! [`verify`] walks the chain against every checkpoint: someone who can
//! write the database can recompute every hash after an event they changed,
//! but not the checkpoints they would then contradict, which live in
//! another store and carry a signature they cannot make.
//!
//! The live feed and the administrators' list read sealed events by
//! position (see `store::audit::changes_after`), so they see events in the
//! one order every node agrees on, a fraction of a second late.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::blob::{BlobError, BlobKey, BlobStore};
use crate::clock::Clock;
use crate::store::audit::{self, LockWait};

/// Events sealed per statement batch; a pass repeats while more wait.
const BATCH: u64 = 1000;
/// Where checkpoints live in the blob store.
const CHECKPOINTS: &str = "audit/checkpoints";

// ---------------------------------------------------------------------------
// The key

/// The Ed25519 key checkpoints are signed with.
pub struct CheckpointKey {
    pair: Ed25519KeyPair,
    id: String,
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointKey({})", self.id)
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "TIPLINE_AUDIT_SIGNING_KEY is not an Ed25519 key: give a PKCS#8 PEM \
     (`openssl genpkey -algorithm ed25519`) or a 32-byte seed in hex or base64 \
     (`tipline audit keygen`)"
)]
pub struct BadKey;

impl CheckpointKey {
    /// A PKCS#8 PEM (what `openssl genpkey -algorithm ed25519` writes), or
    /// a 32-byte seed as 64 hex digits or in base64.
    pub fn parse(text: &str) -> Result<Self, BadKey> {
        let text = text.trim();
        let pair = if text.starts_with("-----BEGIN") {
            let body: String = text
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<Vec<_>>()
                .concat();
            let der = BASE64.decode(body.trim()).map_err(|_| BadKey)?;
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|_| BadKey)?
        } else {
            let seed = match hex::decode(text) {
                Ok(seed) if seed.len() == 32 => seed,
                _ => BASE64.decode(text).map_err(|_| BadKey)?,
            };
            match seed.len() {
                32 => Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| BadKey)?,
                _ => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&seed).map_err(|_| BadKey)?,
            }
        };
        let id = key_id(pair.public_key().as_ref());
        Ok(Self { pair, id })
    }

    /// A new random key, as the hex seed [`parse`](Self::parse) reads.
    pub fn generate_seed() -> String {
        use ring::rand::SecureRandom;
        let mut seed = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut seed)
            .expect("the system's random source works");
        hex::encode(seed)
    }

    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// A short name of the public key: the first 16 hex digits of its
    /// SHA-256.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn key_id(public_key: &[u8]) -> String {
    hex::encode(&Sha256::digest(public_key)[..8])
}

// ---------------------------------------------------------------------------
// Checkpoints

/// A signed statement: the chain's first `position` events hash to
/// `head_hash`, as of `time`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub position: i64,
    pub head_hash: String,
    /// RFC 3339, microseconds, UTC: signed exactly as written here.
    pub time: String,
    /// The signing key's id ([`CheckpointKey::id`]).
    pub key_id: String,
    /// Ed25519 over [`Checkpoint::message`], base64.
    pub signature: String,
}

impl Checkpoint {
    fn sign(key: &CheckpointKey, position: i64, head_hash: &str, time: DateTime<Utc>) -> Self {
        let mut checkpoint = Checkpoint {
            position,
            head_hash: head_hash.to_owned(),
            time: time.to_rfc3339_opts(SecondsFormat::Micros, true),
            key_id: key.id.clone(),
            signature: String::new(),
        };
        checkpoint.signature = BASE64.encode(key.pair.sign(&checkpoint.message()).as_ref());
        checkpoint
    }

    /// The bytes signed: a fixed text, so anyone can check a checkpoint
    /// with the public key and any Ed25519 tool.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "tipline audit checkpoint v1\nposition {}\nhead {}\ntime {}\n",
            self.position, self.head_hash, self.time
        )
        .into_bytes()
    }

    /// Whether `public_key` made the signature.
    pub fn signed_by(&self, public_key: &[u8]) -> bool {
        let Ok(signature) = BASE64.decode(&self.signature) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, public_key)
            .verify(&self.message(), &signature)
            .is_ok()
    }

    pub fn object_key(position: i64) -> BlobKey {
        BlobKey::parse(&format!("{CHECKPOINTS}/{position:020}.json"))
            .expect("a checkpoint key is a valid object key")
    }

    /// When it was made, as the signer's clock read it.
    pub fn made_at(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.time)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// One object found under the checkpoints' prefix: the checkpoint it holds,
/// or why it holds none.
#[derive(Debug)]
pub struct Stored {
    pub key: BlobKey,
    pub checkpoint: Result<Checkpoint, String>,
}

/// Every checkpoint in the blob store, by position.
pub async fn checkpoints(blobs: &dyn BlobStore) -> Result<Vec<Stored>, BlobError> {
    let prefix = BlobKey::parse(CHECKPOINTS).expect("a valid prefix");
    let mut keys = blobs.list(&prefix).await?;
    keys.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        let checkpoint = match blobs.get(&key).await {
            Ok((bytes, _)) => serde_json::from_slice::<Checkpoint>(&bytes)
                .map_err(|e| format!("it is not a checkpoint ({e})")),
            // Listed, then gone: nothing to check.
            Err(BlobError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        found.push(Stored { key, checkpoint });
    }
    Ok(found)
}

/// The position a checkpoint's object key names.
fn position_of(key: &BlobKey) -> Option<i64> {
    key.as_str()
        .strip_prefix(CHECKPOINTS)?
        .strip_prefix('/')?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// Checkpoints after position `after`, by position, at most `limit`, and
/// whether more follow. Only the page's objects are read.
pub async fn checkpoint_page(
    blobs: &dyn BlobStore,
    after: Option<i64>,
    limit: usize,
) -> Result<(Vec<Stored>, bool), BlobError> {
    let prefix = BlobKey::parse(CHECKPOINTS).expect("a valid prefix");
    let mut keys: Vec<(i64, BlobKey)> = blobs
        .list(&prefix)
        .await?
        .into_iter()
        .filter_map(|k| position_of(&k).map(|p| (p, k)))
        .filter(|(p, _)| after.is_none_or(|after| *p > after))
        .collect();
    keys.sort_by_key(|(p, _)| *p);
    let more = keys.len() > limit;
    let mut page = Vec::with_capacity(limit.min(keys.len()));
    for (_, key) in keys.into_iter().take(limit) {
        let checkpoint = match blobs.get(&key).await {
            Ok((bytes, _)) => serde_json::from_slice::<Checkpoint>(&bytes)
                .map_err(|e| format!("it is not a checkpoint ({e})")),
            Err(BlobError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        page.push(Stored { key, checkpoint });
    }
    Ok((page, more))
}

// ---------------------------------------------------------------------------
// Sealing

/// What sealing needs: the database, the blob store for checkpoints, the
/// key (if this node signs) and the clock.
pub struct Sealer {
    pub db: DatabaseConnection,
    pub blobs: Arc<dyn BlobStore>,
    pub key: Option<CheckpointKey>,
    pub clock: Arc<Clock>,
    pub seal_every: Duration,
    pub checkpoint_every: Duration,
}

/// What one pass did.
#[derive(Debug, Default)]
pub struct Pass {
    pub sealed: u64,
    pub head: i64,
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(transparent)]
    Db(#[from] DbErr),
    /// The pass sealed and committed; only its checkpoint was not stored.
    #[error("sealed, but cannot store the checkpoint: {0}")]
    Blob(#[from] BlobError),
}

impl Sealer {
    /// From the settings; a configured key that cannot be read stops the
    /// start, naming the setting.
    pub fn new(
        settings: &crate::config::Settings,
        db: DatabaseConnection,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<Clock>,
    ) -> Result<Self, BadKey> {
        let key = match &settings.audit.signing_key {
            Some(key) => Some(CheckpointKey::parse(key.expose())?),
            None => None,
        };
        Ok(Self {
            db,
            blobs,
            key,
            clock,
            seal_every: settings.audit.seal_every,
            checkpoint_every: settings.audit.checkpoint_every,
        })
    }

    /// One pass: seals what is committed and unsealed (in batches, all in
    /// one transaction), and signs a checkpoint of the head the previous
    /// pass committed when one is due (or `force_checkpoint`). `None`:
    /// another node holds the sealer's lock (with [`LockWait::Try`]).
    pub async fn pass(
        &self,
        wait: LockWait,
        force_checkpoint: bool,
    ) -> Result<Option<Pass>, SealError> {
        if !force_checkpoint
            && !self.checkpoint_due().await?
            && !audit::any_unsealed(&self.db).await?
        {
            return Ok(Some(Pass {
                head: audit::head_seq(&self.db).await?,
                ..Pass::default()
            }));
        }
        let Some((txn, head)) = audit::begin_seal(&self.db, wait).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let mut pass = Pass {
            head: head.seq,
            ..Pass::default()
        };
        // The committed head, before this pass adds to it.
        let (committed_seq, committed_hash) = (head.seq, head.hash.clone());
        let mut head = head;
        loop {
            let events = audit::unsealed(&txn, BATCH).await?;
            if events.is_empty() {
                break;
            }
            let (seq, hash) = audit::seal(&txn, &head, &events).await?;
            pass.sealed += events.len() as u64;
            head.seq = seq;
            head.hash = hash;
            if (events.len() as u64) < BATCH {
                break;
            }
        }
        pass.head = head.seq;
        let due = self.is_due(head.checkpoint_at);
        let mut unstored = None;
        if let Some(key) = &self.key
            && committed_seq > head.checkpoint_seq
            && (due || force_checkpoint)
        {
            let checkpoint = Checkpoint::sign(key, committed_seq, &committed_hash, now);
            let body = serde_json::to_vec_pretty(&checkpoint).expect("a checkpoint serializes");
            // Written before the head records it: if the commit fails, the
            // object is a true statement about a committed head all the
            // same, and the next pass writes it again. A blob store that
            // does not answer does not hold up the sealing (live streams
            // and the admins' list read sealed events): the head does not
            // record the checkpoint, so the next pass tries it again.
            match self
                .blobs
                .put(
                    &Checkpoint::object_key(committed_seq),
                    Bytes::from(body),
                    "application/json",
                )
                .await
            {
                Ok(()) => {
                    audit::mark_checkpoint(&txn, committed_seq, now).await?;
                    pass.checkpoint = Some(checkpoint);
                }
                Err(e) => unstored = Some(e),
            }
        }
        txn.commit().await?;
        match unstored {
            Some(e) => Err(SealError::Blob(e)),
            None => Ok(Some(pass)),
        }
    }

    /// Whether this node would sign a checkpoint now (read without a lock;
    /// the pass decides again under it).
    async fn checkpoint_due(&self) -> Result<bool, DbErr> {
        if self.key.is_none() {
            return Ok(false);
        }
        let head = audit::head(&self.db).await?;
        Ok(head.seq > head.checkpoint_seq && self.is_due(head.checkpoint_at))
    }

    fn is_due(&self, last: Option<DateTime<Utc>>) -> bool {
        last.is_none_or(|at| {
            self.clock
                .now()
                .signed_duration_since(at)
                .to_std()
                .unwrap_or_default()
                >= self.checkpoint_every
        })
    }

    /// Seals everything committed before the call, waiting for another
    /// node's pass if one is running: for readers that page by position
    /// and must see their own writes.
    pub async fn seal_now(&self) -> Result<(), DbErr> {
        match self.pass(LockWait::Wait, false).await {
            Ok(_) => Ok(()),
            Err(SealError::Db(e)) => Err(e),
            // Sealing committed; only the checkpoint failed, and the next
            // background pass retries it.
            Err(SealError::Blob(e)) => {
                tracing::warn!(error = %e, "an audit checkpoint could not be stored");
                Ok(())
            }
        }
    }

    /// Seals what is committed and signs a checkpoint of the whole chain
    /// now (two passes: a checkpoint covers only what a pass committed
    /// before it): `tipline audit checkpoint`.
    pub async fn checkpoint_now(&self) -> Result<Option<Checkpoint>, SealError> {
        self.pass(LockWait::Wait, false).await?;
        Ok(self
            .pass(LockWait::Wait, true)
            .await?
            .and_then(|p| p.checkpoint))
    }

    /// How long the oldest unsealed event has waited (zero when none does).
    pub async fn lag(&self) -> Result<Duration, DbErr> {
        Ok(audit::oldest_unsealed(&self.db)
            .await?
            .and_then(|t| self.clock.now().signed_duration_since(t).to_std().ok())
            .unwrap_or_default())
    }
}

/// The node's sealer: a pass every `audit_seal_ms`, whichever node gets the
/// lock, until the process ends. It also keeps the sealing-lag gauge.
pub fn spawn(state: crate::app::AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let sealer = state.sealer.clone();
        match &sealer.key {
            Some(key) => tracing::info!(key_id = key.id(), "this node signs audit checkpoints"),
            None => tracing::warn!(
                "no audit_signing_key: this node seals the audit log but signs no checkpoints"
            ),
        }
        // The first pass one interval after the start, like every other.
        let mut tick = tokio::time::interval_at(
            tokio::time::Instant::now() + sealer.seal_every,
            sealer.seal_every,
        );
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sealer.pass(LockWait::Try, false).await {
                Ok(Some(Pass {
                    checkpoint: Some(c),
                    ..
                })) => tracing::debug!(position = c.position, "signed an audit checkpoint"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "a sealing pass failed; the next one retries"),
            }
            match sealer.lag().await {
                Ok(lag) => state.metrics.set_audit_sealing_lag(lag),
                Err(e) => tracing::debug!(error = %e, "cannot read the sealing lag"),
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Verifying

/// What `tipline audit verify` and the administrators' check report.
#[derive(Debug)]
pub struct Verification {
    /// `Ok(n)`: the first `n` events are intact and agree with every
    /// checkpoint.
    pub chain: Result<i64, audit::Break>,
    /// The checkpoint the chain contradicts, when that is the break.
    pub broken_checkpoint: Option<Checkpoint>,
    /// Events committed but not sealed yet: reported, not a failure.
    pub unsealed: i64,
    pub checkpoints: usize,
    pub last_checkpoint: Option<Checkpoint>,
    /// Checkpoints not counted: unreadable, or signed by another key.
    pub rejected: Vec<(BlobKey, String)>,
    /// Whether signatures were checked (the key is configured here).
    pub signatures_checked: bool,
}

/// Walks the chain against the checkpoints in `blobs`. A checkpoint whose
/// signature does not verify under `public_key` is rejected (reported, not
/// used); without a key, checkpoints are used unverified and the report
/// says so.
pub async fn verify(
    db: &DatabaseConnection,
    blobs: &dyn BlobStore,
    public_key: Option<&[u8]>,
) -> anyhow::Result<Verification> {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for stored in checkpoints(blobs).await? {
        match stored.checkpoint {
            Ok(c) if public_key.is_none_or(|k| c.signed_by(k)) => {
                if Checkpoint::object_key(c.position) == stored.key {
                    accepted.push(c);
                } else {
                    rejected.push((stored.key, "it is stored under another position".into()));
                }
            }
            Ok(_) => rejected.push((
                stored.key,
                "its signature does not verify with this key".into(),
            )),
            Err(why) => rejected.push((stored.key, why)),
        }
    }
    let expected: Vec<audit::Expected> = accepted
        .iter()
        .map(|c| audit::Expected {
            seq: c.position,
            hash: c.head_hash.clone(),
        })
        .collect();
    // One snapshot for the walk and the count, so they agree.
    let txn = db.begin().await?;
    let chain = audit::walk(&txn, &expected).await?;
    let unsealed = audit::unsealed_count(&txn).await?;
    txn.commit().await?;
    let broken_checkpoint = chain
        .as_ref()
        .err()
        .and_then(|b| b.checkpoint)
        .map(|i| accepted[i].clone());
    Ok(Verification {
        chain,
        broken_checkpoint,
        unsealed,
        checkpoints: accepted.len(),
        last_checkpoint: accepted.last().cloned(),
        rejected,
        signatures_checked: public_key.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_with_its_key_only() {
        let key = CheckpointKey::parse(&CheckpointKey::generate_seed()).unwrap();
        let other = CheckpointKey::parse(&CheckpointKey::generate_seed()).unwrap();
        let checkpoint = Checkpoint::sign(&key, 7, &"a".repeat(64), DateTime::UNIX_EPOCH);
        assert!(checkpoint.signed_by(key.public_key()));
        assert!(!checkpoint.signed_by(other.public_key()));
        let mut moved = checkpoint.clone();
        moved.position = 6;
        assert!(!moved.signed_by(key.public_key()));
    }

    #[test]
    fn keys_are_read_as_pem_hex_or_base64() {
        let seed = CheckpointKey::generate_seed();
        let from_hex = CheckpointKey::parse(&seed).unwrap();
        let from_b64 = CheckpointKey::parse(&BASE64.encode(hex::decode(&seed).unwrap())).unwrap();
        assert_eq!(from_hex.public_key(), from_b64.public_key());
        // `openssl genpkey -algorithm ed25519` (RFC 8410's example key).
        let pem = "-----BEGIN PRIVATE KEY-----\n\
                   MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
                   -----END PRIVATE KEY-----\n";
        let from_pem = CheckpointKey::parse(pem).unwrap();
        assert_eq!(
            hex::encode(from_pem.public_key()),
            "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"
        );
        assert!(CheckpointKey::parse("not a key").is_err());
        assert!(CheckpointKey::parse(&"ab".repeat(31)).is_err());
    }
}
