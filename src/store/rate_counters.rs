//! Fixed-window counters shared by every node through the database: one row
//! per key (`login:account:…`, `login:address:…`, `tips:…`), counting events
//! in the window that began at `window_start`.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, OnConflict, Query};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub count: i32,
    /// Unix seconds.
    pub window_start: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Counts one event for `key` at `now` and answers the count and the start
/// of its window, in one statement (an upsert with `RETURNING`), so that
/// concurrent requests on any number of nodes each see their own place in
/// the count: the check cannot be raced. A window older than `window_secs`
/// starts over.
pub async fn hit(
    db: &impl ConnectionTrait,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<Model, DbErr> {
    let cutoff = now - window_secs;
    let stale = || Expr::col((Entity, Column::WindowStart)).lt(cutoff);
    let count = CaseStatement::new()
        .case(stale(), Expr::val(1))
        .finally(Expr::col((Entity, Column::Count)).add(1));
    let window_start = CaseStatement::new()
        .case(stale(), Expr::val(now))
        .finally(Expr::col((Entity, Column::WindowStart)));
    let statement = Query::insert()
        .into_table(Entity)
        .columns([Column::Key, Column::Count, Column::WindowStart])
        .values_panic([key.into(), 1.into(), now.into()])
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(Column::Count, count)
                .value(Column::WindowStart, window_start)
                .to_owned(),
        )
        .returning(Query::returning().columns([Column::Key, Column::Count, Column::WindowStart]))
        .to_owned();
    let row = db
        .query_one(&statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the upsert returned no row".into()))?;
    Ok(Model {
        key: row.try_get("", "key")?,
        count: row.try_get("", "count")?,
        window_start: row.try_get("", "window_start")?,
    })
}

/// Takes back one event of `key` (a login that succeeded after all).
pub async fn unhit(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Count, Expr::col(Column::Count).sub(1))
        .filter(Column::Key.eq(key))
        .filter(Column::Count.gt(0))
        .exec(db)
        .await
        .map(drop)
}

/// Forgets windows that ended before `before` (unix seconds).
pub async fn purge_before(db: &impl ConnectionTrait, before: i64) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::WindowStart.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
