//! Why a tip was rejected: a list of reasons with the texts reporters read,
//! seeded by the migration and edited by admins.

use sea_orm::entity::prelude::*;

use super::wording;
use sea_orm::{QueryOrder, SqlErr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reject_reasons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    pub public_zh: String,
    pub public_en: String,
    pub retired: bool,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// All reasons in display order; retired ones only when asked.
pub async fn list(db: &impl ConnectionTrait, include_retired: bool) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find()
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Code);
    if !include_retired {
        query = query.filter(Column::Retired.eq(false));
    }
    query.all(db).await
}

pub async fn find(db: &impl ConnectionTrait, code: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(code.to_owned()).one(db).await
}

pub async fn find_many(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<Model>, DbErr> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await
}

/// `Ok(None)` when the code is taken.
pub async fn create(db: &impl ConnectionTrait, row: Model) -> Result<Option<Model>, DbErr> {
    match ActiveModel::from(row).insert(db).await {
        Ok(row) => Ok(Some(row)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes the given fields only, in one UPDATE (two admins editing
/// different fields keep both edits; SQLite takes its write lock first),
/// then reads the reason back. `None` when there is no such reason.
pub async fn update(
    db: &impl ConnectionTrait,
    code: &str,
    changes: wording::Changes,
) -> Result<Option<Model>, DbErr> {
    let update = wording::assign(
        Entity::update_many().filter(Column::Code.eq(code)),
        COLUMNS,
        changes,
    );
    if update.exec(db).await?.rows_affected == 0 {
        return Ok(None);
    }
    find(db, code).await
}

const COLUMNS: wording::Columns<Column> = wording::Columns {
    label_zh: Column::LabelZh,
    label_en: Column::LabelEn,
    public_zh: Column::PublicZh,
    public_en: Column::PublicEn,
    retired: Column::Retired,
    position: Column::Position,
};
