//! How units close leads: a list of outcomes with the texts reporters
//! read and the points each is worth, seeded by the migration and edited
//! by admins.

use sea_orm::entity::prelude::*;

use super::wording;
use sea_orm::{QueryOrder, SqlErr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outcomes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    pub public_zh: String,
    pub public_en: String,
    pub retired: bool,
    pub position: i32,
    /// Reward points for each verified tip in a lead closed this way.
    pub points: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The outcomes a unit can choose, in display order.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Retired.eq(false))
        .order_by_asc(Column::Position)
        .all(db)
        .await
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

/// Every outcome, retired ones too, in display order.
pub async fn list_all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Code)
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

/// New values for some fields of an outcome; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub wording: wording::Changes,
    pub points: Option<i32>,
}

/// Writes the given fields only, in one UPDATE, then reads the outcome
/// back; `None` when there is no such outcome. Points already credited
/// stay as they were.
pub async fn update(
    db: &impl ConnectionTrait,
    code: &str,
    changes: Changes,
) -> Result<Option<Model>, DbErr> {
    let mut update = wording::assign(
        Entity::update_many().filter(Column::Code.eq(code)),
        COLUMNS,
        changes.wording,
    );
    if let Some(points) = changes.points {
        update = update.col_expr(Column::Points, sea_orm::sea_query::Expr::value(points));
    }
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
