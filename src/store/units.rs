//! Units: who acts on a lead. For now the name and kind that staff accounts
//! refer to; jurisdictions and routing come with forwarding.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    /// `police_station`, `command_center` or `department`.
    pub kind: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub struct NewUnit<'a> {
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
}

pub async fn create(db: &impl ConnectionTrait, new: NewUnit<'_>) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        name_zh: Set(new.name_zh.to_owned()),
        name_en: Set(new.name_en.to_owned()),
        kind: Set(new.kind.to_owned()),
        disabled: Set(false),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// One page in creation order, after the id `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find().order_by_asc(Column::Id).limit(limit);
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query.all(db).await
}
