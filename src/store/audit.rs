//! The audit log: one row per state change (and, with moderation, per read
//! of protected data), written in the transaction of the change and chained:
//! each event's hash covers the previous event's hash and its own canonical
//! form, so altering, removing or reordering any row breaks every hash
//! after it ([`verify`]). Nothing in the API updates or deletes a row.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `anonymous` or `system`.
    pub actor_kind: String,
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

/// The chain's head: the last event's position and hash.
pub mod head {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_chain")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub hash: String,
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

/// The bytes an event's hash covers: every field, in a fixed order, with
/// the time in microseconds (what both databases keep).
fn canonical(e: &Model) -> String {
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    serde_json::json!([
        e.seq,
        e.id.to_string(),
        e.occurred_at.timestamp_micros(),
        e.actor_kind,
        opt(e.actor_id),
        e.action,
        e.object_kind,
        opt(e.object_id),
        e.request_id,
        e.details,
    ])
    .to_string()
}

fn chain_hash(prev_hash: &str, event: &Model) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical(event).as_bytes());
    hex::encode(hasher.finalize())
}

/// Takes the chain's write lock before anything is read, for transactions
/// whose only write is their event (audited reads of protected data).
/// SQLite then waits out other writers (its busy timeout) instead of
/// failing when a transaction that has read tries to write.
pub async fn lock_head(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::col(head::Column::Seq))
        .filter(head::Column::Id.eq(1))
        .exec(db)
        .await
        .map(drop)
}

/// Appends an event. Call it inside the transaction of the change it
/// records, after that change's first write: the head row is locked until
/// the transaction ends, so events are chained strictly one after another.
pub async fn record(db: &impl ConnectionTrait, ctx: &Ctx, event: Event<'_>) -> Result<(), DbErr> {
    let head = head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the audit chain head".into()))?;
    let (actor_kind, actor_id) = match ctx.actor {
        Actor::User(id) => ("user", Some(id)),
        Actor::Anonymous => ("anonymous", None),
        Actor::System => ("system", None),
    };
    let mut row = Model {
        id: Uuid::now_v7(),
        seq: head.seq + 1,
        prev_hash: head.hash.clone(),
        hash: String::new(),
        occurred_at: ctx.now.trunc_subsecs(6),
        actor_kind: actor_kind.to_owned(),
        actor_id,
        action: event.action.to_owned(),
        object_kind: event.object_kind.to_owned(),
        object_id: event.object_id,
        request_id: ctx.request_id.clone(),
        details: event.details.map(|d| d.to_string()),
    };
    row.hash = chain_hash(&head.hash, &row);
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::value(row.seq))
        .col_expr(head::Column::Hash, Expr::value(row.hash.clone()))
        .filter(head::Column::Id.eq(1))
        .exec(db)
        .await?;
    ActiveModel {
        id: Set(row.id),
        seq: Set(row.seq),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        occurred_at: Set(row.occurred_at),
        actor_kind: Set(row.actor_kind),
        actor_id: Set(row.actor_id),
        action: Set(row.action),
        object_kind: Set(row.object_kind),
        object_id: Set(row.object_id),
        request_id: Set(row.request_id),
        details: Set(row.details),
    }
    .insert(db)
    .await
    .map(drop)
}

pub async fn for_object(
    db: &impl ConnectionTrait,
    kind: &str,
    id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::ObjectKind.eq(kind))
        .filter(Column::ObjectId.eq(id))
        .order_by_asc(Column::Seq)
        .all(db)
        .await
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The position expected there.
    pub seq: i64,
    /// The event found there, if any.
    pub id: Option<Uuid>,
    pub why: &'static str,
}

/// Walks the chain in order, up to the head as it is when the walk starts
/// (events appended meanwhile are the next walk's). `Ok(Ok(n))`: `n`
/// events, all intact.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Result<i64, Break>, DbErr> {
    let head = head::Entity::find_by_id(1).one(db).await?;
    let (head_seq, head_hash) = head.map_or((0, "0".repeat(64)), |h| (h.seq, h.hash));
    let mut expected_seq = 1;
    let mut prev_hash = "0".repeat(64);
    while expected_seq <= head_seq {
        let batch = Entity::find()
            .filter(Column::Seq.gte(expected_seq))
            .filter(Column::Seq.lte(head_seq))
            .order_by_asc(Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for event in batch {
            let broken = |why| Break {
                seq: expected_seq,
                id: Some(event.id),
                why,
            };
            if event.seq != expected_seq {
                return Ok(Err(Break {
                    seq: expected_seq,
                    id: None,
                    why: "an event is missing",
                }));
            }
            if event.prev_hash != prev_hash {
                return Ok(Err(broken("it does not follow the event before it")));
            }
            if chain_hash(&prev_hash, &event) != event.hash {
                return Ok(Err(broken("its contents do not match its hash")));
            }
            prev_hash = event.hash;
            expected_seq += 1;
        }
    }
    if expected_seq - 1 == head_seq && prev_hash == head_hash {
        Ok(Ok(head_seq))
    } else {
        Ok(Err(Break {
            seq: expected_seq,
            id: None,
            why: "the chain ends before its recorded head (events were removed)",
        }))
    }
}

#[derive(Debug, Default)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub object_kind: Option<String>,
    pub object_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One page, oldest first, after position `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find().order_by_asc(Column::Seq).limit(limit);
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

/// The chain's last position (0 before the first event).
pub async fn head_seq(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(head::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |h| h.seq))
}

/// Events after `after` about objects of the given kinds, in chain order,
/// at most `limit`: what changed since, for live views.
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
