//! Categories of tips: data, seeded by the migration, edited by admins.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, SqlErr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "categories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    pub retired: bool,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// All categories in display order; retired ones only when asked.
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

/// `Ok(None)` when the code is taken.
pub async fn create(
    db: &impl ConnectionTrait,
    code: &str,
    label_zh: &str,
    label_en: &str,
    position: i32,
) -> Result<Option<Model>, DbErr> {
    let row = ActiveModel {
        code: Set(code.to_owned()),
        label_zh: Set(label_zh.to_owned()),
        label_en: Set(label_en.to_owned()),
        retired: Set(false),
        position: Set(position),
    };
    match Entity::insert(row).exec_without_returning(db).await {
        Ok(_) => find(db, code).await,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn update(
    db: &impl ConnectionTrait,
    category: Model,
    label_zh: Option<String>,
    label_en: Option<String>,
    retired: Option<bool>,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = category.into();
    if let Some(v) = label_zh {
        row.label_zh = Set(v);
    }
    if let Some(v) = label_en {
        row.label_en = Set(v);
    }
    if let Some(v) = retired {
        row.retired = Set(v);
    }
    row.update(db).await
}
