//! The webhook outbox: an event is written in the transaction of the change
//! it tells of, and the relay (`crate::webhooks`) delivers it. Several
//! relays (one per node) share the table through short leases.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_events")]
pub struct Model {
    /// The event id receivers see on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub event: Event,
    /// The JSON body, exactly as signed and sent.
    pub payload: String,
    pub status: Status,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub leased_until: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::domain::closed_set! {
    /// Where an event's delivery stands.
    pub enum Status ("webhook event status") {
        /// Waiting for its next attempt.
        Pending = "pending",
        Delivered = "delivered",
        /// Out of attempts; an admin may retry it.
        Failed = "failed",
    }
}

crate::domain::closed_set! {
    /// What an event tells the unit; its name in the payload too.
    pub enum Event ("webhook event") {
        LeadForwarded = "lead.forwarded",
        LeadReturned = "lead.returned",
        LeadOverdue = "lead.overdue",
    }
}

/// Queues `event` for `unit_id`: the payload is `data` wrapped with the
/// event's id, name and time.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    event: Event,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let payload = serde_json::json!({
        "id": id,
        "event": event.as_str(),
        "occurred_at": now,
        "data": data,
    });
    ActiveModel {
        id: Set(id),
        unit_id: Set(unit_id),
        event: Set(event),
        payload: Set(payload.to_string()),
        status: Set(Status::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        leased_until: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Pending events due by `now` and not held by another relay, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq(Status::Pending))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(Column::LeasedUntil.is_null())
                .add(Column::LeasedUntil.lt(now)),
        )
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await
}

/// Takes `event` for delivery until `until`, unless another relay took it
/// first (or it changed); `true` for the one relay that got it.
pub async fn lease(
    db: &impl ConnectionTrait,
    event: &Model,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::LeasedUntil, Expr::value(until))
        .filter(Column::Id.eq(event.id))
        .filter(Column::Status.eq(Status::Pending))
        .filter(Column::Attempts.eq(event.attempts))
        .filter(
            Condition::any()
                .add(Column::LeasedUntil.is_null())
                .add(Column::LeasedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// How an attempt went.
pub struct Attempt {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    /// `Some` when the receiver took it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When to try again; `None` with no delivery means give up.
    pub retry_at: Option<DateTime<Utc>>,
}

pub async fn record_attempt(
    db: &impl ConnectionTrait,
    event: &Model,
    attempt: Attempt,
) -> Result<(), DbErr> {
    let status = match (attempt.delivered_at, attempt.retry_at) {
        (Some(_), _) => Status::Delivered,
        (None, Some(_)) => Status::Pending,
        (None, None) => Status::Failed,
    };
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::Attempts, Expr::value(event.attempts + 1))
        .col_expr(Column::LeasedUntil, Expr::value(None::<DateTime<Utc>>))
        .col_expr(Column::LastStatusCode, Expr::value(attempt.status_code))
        .col_expr(Column::LastError, Expr::value(attempt.error))
        .col_expr(Column::DeliveredAt, Expr::value(attempt.delivered_at));
    if let Some(at) = attempt.retry_at {
        update = update.col_expr(Column::NextAttemptAt, Expr::value(at));
    }
    // Only the attempt this relay leased: a later one is not overwritten.
    update
        .filter(Column::Id.eq(event.id))
        .filter(Column::Status.eq(Status::Pending))
        .filter(Column::Attempts.eq(event.attempts))
        .exec(db)
        .await
        .map(drop)
}

/// Puts a failed event back in the queue, due now (an admin's retry).
pub async fn requeue(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Pending))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .col_expr(Column::LeasedUntil, Expr::value(None::<DateTime<Utc>>))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(Status::Failed))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What the relays have yet to do, for `/metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Backlog {
    pub pending: u64,
    pub failed: u64,
    /// How long the oldest pending event has waited (zero when none is).
    pub oldest_pending_age: std::time::Duration,
}

pub async fn backlog(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Backlog, DbErr> {
    let count = |status: Status| Entity::find().filter(Column::Status.eq(status)).count(db);
    let oldest: Option<DateTime<Utc>> = Entity::find()
        .select_only()
        .column(Column::CreatedAt)
        .filter(Column::Status.eq(Status::Pending))
        .order_by_asc(Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(Backlog {
        pending: count(Status::Pending).await?,
        failed: count(Status::Failed).await?,
        oldest_pending_age: oldest
            .and_then(|at| (now - at).to_std().ok())
            .unwrap_or_default(),
    })
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Events newest first, of one unit and/or status, after `before`.
pub async fn list(
    db: &impl ConnectionTrait,
    unit_id: Option<Uuid>,
    status: Option<Status>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find().order_by_desc(Column::Id).limit(limit + 1);
    if let Some(unit) = unit_id {
        query = query.filter(Column::UnitId.eq(unit));
    }
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status));
    }
    if let Some(before) = before {
        query = query.filter(Column::Id.lt(before));
    }
    query.all(db).await
}
