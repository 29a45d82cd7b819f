//! How units close leads: a list of outcomes with the texts reporters
//! read, seeded by the migration.

use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;

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
