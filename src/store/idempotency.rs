//! Idempotency keys: the first response to a retried write, kept so a
//! replay gets it again. A row is claimed (no response yet) before the work
//! starts, so concurrent retries wait for the first instead of repeating it.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, SqlErr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Claims the key; `Ok(false)` when someone holds it already.
pub async fn claim(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = ActiveModel {
        scope: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(now),
    };
    match Entity::insert(row).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((scope.to_owned(), key.to_owned()))
        .one(db)
        .await
}

pub async fn complete(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    Entity::update_many()
        .col_expr(Column::ResponseStatus, Expr::value(i32::from(status)))
        .col_expr(Column::ResponseBody, Expr::value(body))
        .filter(Column::Scope.eq(scope))
        .filter(Column::Key.eq(key))
        .exec(db)
        .await
        .map(drop)
}

/// Takes over a claim whose request died: only if it is still the claim
/// seen (same start, no outcome), so of several retries one wins.
pub async fn take_over(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    seen_created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let result = Entity::update_many()
        .col_expr(Column::CreatedAt, Expr::value(now))
        .filter(Column::Scope.eq(scope))
        .filter(Column::Key.eq(key))
        .filter(Column::ResponseBody.is_null())
        .filter(Column::CreatedAt.eq(seen_created_at))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Gives the key up after a failure that changed nothing, so a retry runs.
pub async fn release(db: &impl ConnectionTrait, scope: &str, key: &str) -> Result<(), DbErr> {
    Entity::delete_by_id((scope.to_owned(), key.to_owned()))
        .exec(db)
        .await
        .map(drop)
}

/// Forgets keys older than `before` (kept at least a day).
pub async fn purge_before(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
