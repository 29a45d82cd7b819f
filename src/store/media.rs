//! Photo rows: one per upload, pointing at its three objects. A row is
//! `pending` while its objects are written and `stored` once they all are;
//! the reaper removes what a failure or an abandoned upload leaves behind.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_user_id: Option<Uuid>,
    pub owner_session_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub status: String,
    pub kind: String,
    pub sha256: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub original_key: String,
    pub display_key: String,
    pub display_width: i32,
    pub display_height: i32,
    pub thumb_key: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const PENDING: &str = "pending";
pub const STORED: &str = "stored";

pub async fn insert(db: &impl ConnectionTrait, row: Model) -> Result<Model, DbErr> {
    ActiveModel::from(row).insert(db).await
}

pub async fn mark_stored(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(STORED))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await.map(drop)
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

pub async fn of_tip(db: &impl ConnectionTrait, tip_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::TipId.eq(tip_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Attaches the media to a tip, each only if still unattached; answers how
/// many were attached (the caller checks it is all of them).
pub async fn attach(db: &impl ConnectionTrait, ids: &[Uuid], tip_id: Uuid) -> Result<u64, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::TipId, Expr::value(tip_id))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::TipId.is_null())
        .filter(Column::Status.eq(STORED))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Unattached media older than `before`, oldest first.
pub async fn unattached_before(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::TipId.is_null())
        .filter(Column::CreatedAt.lt(before))
        .order_by_asc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}
