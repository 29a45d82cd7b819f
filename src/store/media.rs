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
/// Claimed by the reaper: no tip may take it any more.
pub const REAPING: &str = "reaping";

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

/// Attaches the media to a tip, each only if still unattached and stored
/// (not being reaped); answers how many were attached (the caller checks it
/// is all of them). The uploading session is forgotten: an anonymous
/// reporter's tips cannot be linked to one another through their photos.
pub async fn attach(db: &impl ConnectionTrait, ids: &[Uuid], tip_id: Uuid) -> Result<u64, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::TipId, Expr::value(tip_id))
        .col_expr(Column::OwnerSessionId, Expr::value(Option::<Uuid>::None))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::TipId.is_null())
        .filter(Column::Status.eq(STORED))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Claims an unattached photo for removal; `false` if a tip has it.
pub async fn claim_for_reaping(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(REAPING))
        .filter(Column::Id.eq(id))
        .filter(Column::TipId.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Unattached media due for removal: stored before `stored_before`, or
/// still pending since before `pending_before`. Oldest first, after the
/// `(created_at, id)` position `after`.
pub async fn reapable(
    db: &impl ConnectionTrait,
    stored_before: DateTime<Utc>,
    pending_before: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::Condition;
    let due = Condition::any()
        .add(Column::CreatedAt.lt(stored_before))
        .add(
            Condition::all()
                .add(Column::Status.ne(STORED))
                .add(Column::CreatedAt.lt(pending_before)),
        );
    let mut query = Entity::find()
        .filter(Column::TipId.is_null())
        .filter(due)
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(limit);
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any().add(Column::CreatedAt.gt(at)).add(
                Condition::all()
                    .add(Column::CreatedAt.eq(at))
                    .add(Column::Id.gt(id)),
            ),
        );
    }
    query.all(db).await
}
