//! Units: who acts on a lead — police stations, the command centre and
//! non-police departments — with their jurisdictions, the categories they
//! take and their deadlines.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::domain::unit::UnitKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub parent_id: Option<Uuid>,
    /// GeoJSON, checked by `domain::jurisdiction` before it is stored.
    pub jurisdiction: Option<String>,
    pub accept_hours: i32,
    pub resolve_hours: i32,
    pub webhook_url: Option<String>,
    /// Signs webhook deliveries; write-only through the API.
    pub webhook_secret: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The categories each unit takes.
pub mod category {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "unit_categories")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Inserts a unit checked by `crate::units`.
pub async fn insert(db: &impl ConnectionTrait, unit: Model) -> Result<Model, DbErr> {
    ActiveModel::from(unit).insert(db).await
}

pub struct NewUnit<'a> {
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: UnitKind,
}

/// A unit with only a name and kind; the rest is set by [`update`].
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewUnit<'_>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        name_zh: Set(new.name_zh.to_owned()),
        name_en: Set(new.name_en.to_owned()),
        kind: Set(new.kind),
        disabled: Set(false),
        created_at: Set(now),
        parent_id: Set(None),
        jurisdiction: Set(None),
        accept_hours: Set(24),
        resolve_hours: Set(168),
        webhook_url: Set(None),
        webhook_secret: Set(None),
    }
    .insert(db)
    .await
}

/// Writes the fields of `after` that differ from `before`, in one UPDATE:
/// two admins changing different fields of a unit at once keep both
/// changes.
pub async fn update_changed(
    db: &impl ConnectionTrait,
    before: &Model,
    after: Model,
) -> Result<Model, DbErr> {
    let mut row = ActiveModel::from(before.clone());
    macro_rules! changed {
        ($($field:ident),*) => {
            $(if after.$field != before.$field {
                row.$field = Set(after.$field);
            })*
        };
    }
    changed!(
        name_zh,
        name_en,
        kind,
        disabled,
        parent_id,
        jurisdiction,
        accept_hours,
        resolve_hours,
        webhook_url,
        webhook_secret
    );
    if !row.is_changed() {
        // Still a write: the transaction takes SQLite's write lock first.
        row.disabled = Set(before.disabled);
    }
    row.update(db).await
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

/// Every unit that is not disabled (a city has tens to hundreds).
pub async fn active(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Disabled.eq(false))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Replaces the categories a unit takes.
pub async fn set_categories(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    codes: &[String],
) -> Result<(), DbErr> {
    category::Entity::delete_many()
        .filter(category::Column::UnitId.eq(unit_id))
        .exec(db)
        .await?;
    if codes.is_empty() {
        return Ok(());
    }
    let rows = codes.iter().map(|code| category::ActiveModel {
        unit_id: Set(unit_id),
        category: Set(code.clone()),
    });
    category::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// `(unit, category)` pairs of the given units.
pub async fn categories_of(
    db: &impl ConnectionTrait,
    unit_ids: &[Uuid],
) -> Result<Vec<category::Model>, DbErr> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    category::Entity::find()
        .filter(category::Column::UnitId.is_in(unit_ids.iter().copied()))
        .order_by_asc(category::Column::Category)
        .all(db)
        .await
}

/// The active command centres, who hear of overdue leads and route what
/// matches no one else.
pub async fn command_centers(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Disabled.eq(false))
        .filter(Column::Kind.eq(UnitKind::CommandCenter))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
