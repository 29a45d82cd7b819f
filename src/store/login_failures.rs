//! Failed-login counters, shared by every node through the database: one row
//! per key (`account:…` or `address:…`), counting failures in a fixed window.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, OnConflict, Query};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub failures: i32,
    /// Unix seconds.
    pub window_start: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The failures counted for each key in the window that began at or after
/// `since` (unix seconds); a key with an older window counts none.
pub async fn current(
    db: &impl ConnectionTrait,
    keys: &[&str],
    since: i64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Key.is_in(keys.iter().copied()))
        .filter(Column::WindowStart.gte(since))
        .all(db)
        .await
}

/// Counts one failure for `key` at `now`, in one statement so concurrent
/// nodes never lose a count: a window older than `window_secs` starts over.
pub async fn record(
    db: &impl ConnectionTrait,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<(), DbErr> {
    let cutoff = now - window_secs;
    let stale = || Expr::col((Entity, Column::WindowStart)).lt(cutoff);
    let failures = CaseStatement::new()
        .case(stale(), Expr::val(1))
        .finally(Expr::col((Entity, Column::Failures)).add(1));
    let window_start = CaseStatement::new()
        .case(stale(), Expr::val(now))
        .finally(Expr::col((Entity, Column::WindowStart)));
    let statement = Query::insert()
        .into_table(Entity)
        .columns([Column::Key, Column::Failures, Column::WindowStart])
        .values_panic([key.into(), 1.into(), now.into()])
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(Column::Failures, failures)
                .value(Column::WindowStart, window_start)
                .to_owned(),
        )
        .to_owned();
    db.execute(&statement).await.map(drop)
}
