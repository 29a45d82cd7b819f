//! The audit log: one row per state change (and, with moderation, per read
//! of protected data), written in the transaction of the change, and chained
//! afterwards by the sealer (`crate::sealer`): each sealed event has a
//! position and a hash that covers the previous event's hash and its own
//! canonical form, so altering, removing or reordering any sealed row breaks
//! every hash after it ([`verify`]). Nothing in the API updates or deletes a
//! row; the sealer only fills in the position and hashes of an unsealed one.
//!
//! Writers insert their event unsealed and take no shared lock: the chain's
//! head row is written by the sealer alone, one pass at a time across all
//! nodes (a PostgreSQL advisory lock; on SQLite the head row itself, whose
//! write takes the database's single write lock for the pass).

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, NullOrdering};
use sea_orm::{
    DatabaseBackend, DatabaseTransaction, Order, QueryOrder, QuerySelect, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Position in the chain, from 1 without gaps; `None` until sealed.
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<Uuid>,
    pub request_id: String,
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::domain::closed_set! {
    /// Who did it, as recorded: the row's `actor_kind`.
    pub enum ActorKind ("audit actor kind") {
        /// An account; `actor_id` names it.
        User = "user",
        /// An anonymous reporter (no id is kept).
        Anonymous = "anonymous",
        /// The service itself (upkeep, deadlines).
        System = "system",
    }
}

/// The chain's head: the last sealed event's position and hash, and the
/// last signed checkpoint. Written by the sealer only.
pub mod head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_chain")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub hash: String,
        /// The position the last signed checkpoint covers (0: none yet).
        pub checkpoint_seq: i64,
        pub checkpoint_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use crate::context::Actor;
use crate::context::Ctx;

/// What happened to which object; who, when and on which request come
/// from the [`Ctx`] it is recorded with.
pub struct Event<'a> {
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: Option<Uuid>,
    pub details: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    /// `action` done to the object `object_kind` `object_id`.
    pub fn new(action: &'a str, object_kind: &'a str, object_id: Uuid) -> Self {
        Self {
            action,
            object_kind,
            object_id: Some(object_id),
            details: None,
        }
    }

    /// With details: never a password, phone number, token or coordinate.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// The hash before the first event.
pub fn genesis_hash() -> String {
    "0".repeat(64)
}

/// The bytes an event's hash covers: its position and every field, in a
/// fixed order, with the time in microseconds (what both databases keep).
/// Unchanged since events were chained when written, so those still verify.
fn canonical(seq: i64, e: &Model) -> String {
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    serde_json::json!([
        seq,
        e.id.to_string(),
        e.occurred_at.timestamp_micros(),
        e.actor_kind.as_str(),
        opt(e.actor_id),
        e.action,
        e.object_kind,
        opt(e.object_id),
        e.request_id,
        e.details,
    ])
    .to_string()
}

/// The hash of `event` at position `seq` after an event hashed `prev_hash`.
pub fn chain_hash(prev_hash: &str, seq: i64, event: &Model) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical(seq, event).as_bytes());
    hex::encode(hasher.finalize())
}

/// For transactions whose only write is their event (audited reads of
/// protected data), before anything is read: on SQLite, a transaction that
/// has read and then writes fails at once if another writer committed
/// meanwhile, so it takes the write lock first (by writing the head row,
/// which costs nothing there: SQLite has one writer at a time anyway). On
/// PostgreSQL nothing is needed, and nothing shared is touched.
pub async fn lock_head(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::col(head::Column::Seq))
        .filter(head::Column::Id.eq(1))
        .exec(db)
        .await
        .map(drop)
}

/// Appends an event, unsealed. Call it inside the transaction of the change
/// it records: the event commits with its change or not at all. It takes no
/// lock that another writer waits for; the sealer gives it its position
/// after the transaction commits.
pub async fn record(db: &impl ConnectionTrait, ctx: &Ctx, event: Event<'_>) -> Result<(), DbErr> {
    let (actor_kind, actor_id) = match ctx.actor {
        Actor::User(id) => (ActorKind::User, Some(id)),
        Actor::Anonymous => (ActorKind::Anonymous, None),
        Actor::System => (ActorKind::System, None),
    };
    ActiveModel {
        // v7: time-ordered, so the sealer takes events about in the order
        // they were written.
        id: Set(Uuid::now_v7()),
        seq: Set(None),
        prev_hash: Set(None),
        hash: Set(None),
        occurred_at: Set(ctx.now.trunc_subsecs(6)),
        actor_kind: Set(actor_kind),
        actor_id: Set(actor_id),
        action: Set(event.action.to_owned()),
        object_kind: Set(event.object_kind.to_owned()),
        object_id: Set(event.object_id),
        request_id: Set(ctx.request_id.clone()),
        details: Set(event.details.map(|d| d.to_string())),
    }
    .insert(db)
    .await
    .map(drop)
}

/// An object's events: sealed ones in chain order, then those not sealed
/// yet in the order they were written.
pub async fn for_object(
    db: &impl ConnectionTrait,
    kind: &str,
    id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::ObjectKind.eq(kind))
        .filter(Column::ObjectId.eq(id))
        .order_by_with_nulls(Column::Seq, Order::Asc, NullOrdering::Last)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

// ---------------------------------------------------------------------------
// Sealing

/// Whether a sealing pass waits for the sealer's lock or gives up when
/// another node holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockWait {
    /// The background sealer: another node sealing now does the work.
    Try,
    /// A reader that needs everything committed so far sealed.
    Wait,
}

/// The PostgreSQL advisory lock key of the sealer ("tipline" and 1).
const SEALER_LOCK: i64 = 0x7469_706c_696e_6501;

/// Opens a sealing pass: the sealer's lock, held until the transaction
/// ends, and the chain's head as it is under that lock. `None`: another
/// node is sealing (only with [`LockWait::Try`]).
pub async fn begin_seal(
    db: &DatabaseConnection,
    wait: LockWait,
) -> Result<Option<(DatabaseTransaction, head::Model)>, DbErr> {
    let backend = db.get_database_backend();
    // SQLite: the lock row is the head, and the pass holds SQLite's write
    // lock from its first statement (IMMEDIATE), so another node's sealer
    // waits out the busy timeout instead of failing halfway.
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if backend == DatabaseBackend::Postgres {
        // Transaction-scoped: released at commit, rollback, or when the
        // connection dies with its node, so a killed sealer leaves no lock.
        let sql = match wait {
            LockWait::Try => "SELECT pg_try_advisory_xact_lock($1) AS locked",
            // The function returns void: select a constant once it has.
            LockWait::Wait => {
                "WITH l AS (SELECT pg_advisory_xact_lock($1)) SELECT true AS locked FROM l"
            }
        };
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [SEALER_LOCK.into()],
            ))
            .await?;
        let locked: bool = match row {
            Some(row) => row.try_get("", "locked")?,
            None => false,
        };
        if !locked {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    let head = head::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the audit chain head".into()))?;
    Ok(Some((txn, head)))
}

/// Events not sealed yet, oldest written first, at most `limit`. Only
/// committed events are seen: one whose transaction is still open stays
/// unsealed and a later pass takes it (passes look for `seq IS NULL`, not
/// past a mark, so nothing committed late is skipped).
pub async fn unsealed(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Seq.is_null())
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Chains `events` after `head` in the order given, writes their positions
/// and hashes, and moves the head. Fails (and the caller rolls back) if any
/// event was sealed meanwhile or the head moved: never two chains.
pub async fn seal(
    txn: &DatabaseTransaction,
    head: &head::Model,
    events: &[Model],
) -> Result<(i64, String), DbErr> {
    let mut seq = head.seq;
    let mut prev = head.hash.clone();
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let hash = chain_hash(&prev, seq, event);
        rows.push((
            event.id,
            seq,
            std::mem::replace(&mut prev, hash.clone()),
            hash,
        ));
    }
    let backend = txn.get_database_backend();
    // Statements of at most 1,000 rows (4 parameters each), far inside
    // both databases' parameter limits.
    for chunk in rows.chunks(1000) {
        let mut values = Vec::with_capacity(chunk.len() * 4);
        let mut tuples = Vec::with_capacity(chunk.len());
        for (id, seq, prev_hash, hash) in chunk {
            let n = values.len();
            tuples.push(match backend {
                DatabaseBackend::Postgres => format!(
                    "(${}::uuid, ${}::bigint, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4
                ),
                _ => "(?, ?, ?, ?)".to_owned(),
            });
            values.extend([
                (*id).into(),
                (*seq).into(),
                prev_hash.clone().into(),
                hash.clone().into(),
            ]);
        }
        let sql = format!(
            "WITH v (id, seq, prev_hash, hash) AS (VALUES {}) \
             UPDATE audit_events SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash \
             FROM v WHERE audit_events.id = v.id AND audit_events.seq IS NULL",
            tuples.join(", ")
        );
        let done = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(DbErr::Custom(
                "audit events were sealed by another pass meanwhile".into(),
            ));
        }
    }
    let moved = head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::value(seq))
        .col_expr(head::Column::Hash, Expr::value(prev.clone()))
        .filter(head::Column::Id.eq(1))
        .filter(head::Column::Seq.eq(head.seq))
        .exec(txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DbErr::Custom(
            "the audit chain's head moved during a sealing pass".into(),
        ));
    }
    Ok((seq, prev))
}

/// Records that a signed checkpoint now covers the chain up to `seq`.
pub async fn mark_checkpoint(
    txn: &DatabaseTransaction,
    seq: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    head::Entity::update_many()
        .col_expr(head::Column::CheckpointSeq, Expr::value(seq))
        .col_expr(head::Column::CheckpointAt, Expr::value(at))
        .filter(head::Column::Id.eq(1))
        .exec(txn)
        .await
        .map(drop)
}

/// Whether any event waits for the sealer: read before a pass, so an idle
/// log costs no write transaction (on SQLite, every commit can fail another
/// transaction that has read and is about to write).
pub async fn any_unsealed(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::Seq.is_null())
        .one(db)
        .await?
        .is_some())
}

/// How many events wait for the sealer.
pub async fn unsealed_count(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(Entity::find()
        .filter(Column::Seq.is_null())
        .count(db)
        .await? as i64)
}

/// When the oldest event waiting for the sealer was written.
pub async fn oldest_unsealed(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Seq.is_null())
        .order_by_asc(Column::Id)
        .one(db)
        .await?
        .map(|e| e.occurred_at))
}

/// The chain's head row.
pub async fn head(db: &impl ConnectionTrait) -> Result<head::Model, DbErr> {
    head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the audit chain head".into()))
}

// ---------------------------------------------------------------------------
// Verifying

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The position expected there.
    pub seq: i64,
    /// The event found there, if any.
    pub id: Option<Uuid>,
    pub why: String,
    /// The index, among the expectations given to [`walk`], of the
    /// checkpoint the chain contradicts.
    pub checkpoint: Option<usize>,
}

/// What a checkpoint says: the hash of the event at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub seq: i64,
    pub hash: String,
}

/// Walks the sealed chain in order, up to the head as it is when the walk
/// starts (events sealed meanwhile are the next walk's). `Ok(Ok(n))`: `n`
/// events, all intact.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Result<i64, Break>, DbErr> {
    walk(db, &[]).await
}

/// [`verify`], also checking that the chain holds what each checkpoint says
/// (`expected`, by position): a table rewritten with recomputed hashes
/// chains fine but no longer matches a checkpoint made before.
pub async fn walk(
    db: &impl ConnectionTrait,
    expected: &[Expected],
) -> Result<Result<i64, Break>, DbErr> {
    let head = head(db).await?;
    let mut checkpoints: Vec<(usize, &Expected)> = expected.iter().enumerate().collect();
    checkpoints.sort_by_key(|(_, e)| e.seq);
    let mut checkpoints = checkpoints.into_iter().peekable();
    let mut expected_seq = 1;
    let mut prev_hash = genesis_hash();
    let mut last_good_checkpoint = 0;
    while expected_seq <= head.seq {
        let batch = Entity::find()
            .filter(Column::Seq.gte(expected_seq))
            .filter(Column::Seq.lte(head.seq))
            .order_by_asc(Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for event in batch {
            let broken = |why: &str| Break {
                seq: expected_seq,
                id: Some(event.id),
                why: why.to_owned(),
                checkpoint: None,
            };
            if event.seq != Some(expected_seq) {
                return Ok(Err(Break {
                    seq: expected_seq,
                    id: None,
                    why: "an event is missing".into(),
                    checkpoint: None,
                }));
            }
            if event.prev_hash.as_deref() != Some(prev_hash.as_str()) {
                return Ok(Err(broken("it does not follow the event before it")));
            }
            let hash = chain_hash(&prev_hash, expected_seq, &event);
            if event.hash.as_deref() != Some(hash.as_str()) {
                return Ok(Err(broken("its contents do not match its hash")));
            }
            while let Some((index, checkpoint)) =
                checkpoints.next_if(|(_, c)| c.seq <= expected_seq)
            {
                if checkpoint.hash != hash {
                    return Ok(Err(Break {
                        seq: last_good_checkpoint + 1,
                        id: None,
                        why: format!(
                            "the events up to #{} were rewritten after a checkpoint \
                             covered them (their hashes were recomputed)",
                            checkpoint.seq
                        ),
                        checkpoint: Some(index),
                    }));
                }
                last_good_checkpoint = checkpoint.seq;
            }
            prev_hash = hash;
            expected_seq += 1;
        }
    }
    if expected_seq - 1 != head.seq || prev_hash != head.hash {
        return Ok(Err(Break {
            seq: expected_seq,
            id: None,
            why: "the chain ends before its recorded head (events were removed)".into(),
            checkpoint: None,
        }));
    }
    if let Some((index, checkpoint)) = checkpoints.next() {
        return Ok(Err(Break {
            seq: expected_seq,
            id: None,
            why: format!(
                "a checkpoint covers {} events but the chain holds {} (events were removed)",
                checkpoint.seq, head.seq
            ),
            checkpoint: Some(index),
        }));
    }
    Ok(Ok(head.seq))
}

// ---------------------------------------------------------------------------
// Reading

#[derive(Debug, Default)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub object_kind: Option<String>,
    pub object_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One page of sealed events, in chain order, after position `after`.
/// Unsealed events are left out: their position is not known yet, and a
/// page cursor is a position.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find()
        .filter(Column::Seq.is_not_null())
        .order_by_asc(Column::Seq)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(Column::Seq.gt(after));
    }
    if let Some(v) = filter.actor_id {
        query = query.filter(Column::ActorId.eq(v));
    }
    if let Some(v) = &filter.object_kind {
        query = query.filter(Column::ObjectKind.eq(v.as_str()));
    }
    if let Some(v) = filter.object_id {
        query = query.filter(Column::ObjectId.eq(v));
    }
    if let Some(v) = &filter.action {
        query = query.filter(Column::Action.eq(v.as_str()));
    }
    if let Some(v) = filter.from {
        query = query.filter(Column::OccurredAt.gte(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(Column::OccurredAt.lt(v));
    }
    query.all(db).await
}

/// The chain's last sealed position (0 before the first event).
pub async fn head_seq(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(head::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |h| h.seq))
}

/// Sealed events after `after` about objects of the given kinds, in chain
/// order, at most `limit`: what changed since, for live views. Positions
/// become visible in order (one sealing pass commits at a time, and each
/// continues from the last), so "after N" misses nothing.
pub async fn changes_after(
    db: &impl ConnectionTrait,
    after: i64,
    kinds: &[&str],
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Seq.gt(after))
        .filter(Column::ObjectKind.is_in(kinds.iter().copied()))
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await
}
