//! Tips and what hangs off them: contacts, public history, conversation.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

pub mod tip {
    use super::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tips")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub reference: String,
        pub reporter_user_id: Option<Uuid>,
        pub category: String,
        pub description: String,
        pub lat: f64,
        pub lon: f64,
        pub accuracy_m: Option<f64>,
        pub crs: String,
        pub lat_original: f64,
        pub lon_original: f64,
        pub address: Option<String>,
        pub occurred_at: Option<DateTime<Utc>>,
        pub status: String,
        pub version: i32,
        pub receipt_code: Option<String>,
        pub receipt_secret_hash: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod contact {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_contacts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tip_id: Uuid,
        pub kind: String,
        pub value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod history {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tip_id: Uuid,
        pub status: String,
        pub public_note: Option<String>,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod message {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tip_id: Uuid,
        pub author: String,
        pub author_user_id: Option<Uuid>,
        pub body: String,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn insert(db: &impl ConnectionTrait, row: tip::Model) -> Result<tip::Model, DbErr> {
    tip::ActiveModel::from(row).insert(db).await
}

pub async fn insert_contacts(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    contacts: &[(String, String)],
) -> Result<(), DbErr> {
    if contacts.is_empty() {
        return Ok(());
    }
    let rows = contacts.iter().map(|(kind, value)| contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        kind: Set(kind.clone()),
        value: Set(value.clone()),
    });
    contact::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(drop)
}

pub async fn add_history(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    status: &str,
    public_note: Option<&str>,
) -> Result<(), DbErr> {
    history::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        status: Set(status.to_owned()),
        public_note: Set(public_note.map(str::to_owned)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map(drop)
}

pub async fn add_message(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    author: &str,
    author_user_id: Option<Uuid>,
    body: &str,
) -> Result<message::Model, DbErr> {
    message::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        author: Set(author.to_owned()),
        author_user_id: Set(author_user_id),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<tip::Model>, DbErr> {
    tip::Entity::find_by_id(id).one(db).await
}

pub async fn find_by_receipt(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<tip::Model>, DbErr> {
    tip::Entity::find()
        .filter(tip::Column::ReceiptCode.eq(code))
        .one(db)
        .await
}

/// A reporter's tips, newest first (ids are UUID v7), before the id `before`.
pub async fn list_for_reporter(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<tip::Model>, DbErr> {
    let mut query = tip::Entity::find()
        .filter(tip::Column::ReporterUserId.eq(user_id))
        .order_by_desc(tip::Column::Id)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(tip::Column::Id.lt(before));
    }
    query.all(db).await
}

pub async fn contacts_of(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
) -> Result<Vec<contact::Model>, DbErr> {
    contact::Entity::find()
        .filter(contact::Column::TipId.eq(tip_id))
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await
}

pub async fn history_of(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
) -> Result<Vec<history::Model>, DbErr> {
    history::Entity::find()
        .filter(history::Column::TipId.eq(tip_id))
        .order_by_asc(history::Column::Id)
        .all(db)
        .await
}

pub async fn messages_of(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
) -> Result<Vec<message::Model>, DbErr> {
    message::Entity::find()
        .filter(message::Column::TipId.eq(tip_id))
        .order_by_asc(message::Column::Id)
        .all(db)
        .await
}

/// Moves a tip to `status` if it is still at `version`; `false` when another
/// change came first (the caller answers 409).
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    status: &str,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let result = tip::Entity::update_many()
        .col_expr(tip::Column::Status, Expr::value(status))
        .col_expr(tip::Column::Version, Expr::value(version + 1))
        .col_expr(tip::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tip::Column::Id.eq(id))
        .filter(tip::Column::Version.eq(version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The tips that carry a contact, newest first, at most `limit`.
pub async fn carrying_contact(
    db: &impl ConnectionTrait,
    kind: &str,
    value: &str,
    limit: u64,
) -> Result<Vec<tip::Model>, DbErr> {
    let tip_ids: Vec<Uuid> = contact::Entity::find()
        .filter(contact::Column::Kind.eq(kind))
        .filter(contact::Column::Value.eq(value))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.tip_id)
        .collect();
    if tip_ids.is_empty() {
        return Ok(Vec::new());
    }
    tip::Entity::find()
        .filter(tip::Column::Id.is_in(tip_ids))
        .order_by_desc(tip::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// A contact and how many tips carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCount {
    pub kind: String,
    pub value: String,
    pub tips: i64,
}

/// The contacts carried by the most tips submitted since `since`, most
/// first (ties by kind and value, so the order is stable).
pub async fn hot_contacts(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ContactCount>, DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let tips = Alias::new("tips");
    let statement = Query::select()
        .column((contact::Entity, contact::Column::Kind))
        .column((contact::Entity, contact::Column::Value))
        .expr_as(
            Expr::col((contact::Entity, contact::Column::TipId)).count(),
            tips.clone(),
        )
        .from(contact::Entity)
        .inner_join(
            tip::Entity,
            Expr::col((tip::Entity, tip::Column::Id))
                .equals((contact::Entity, contact::Column::TipId)),
        )
        .and_where(Expr::col((tip::Entity, tip::Column::CreatedAt)).gte(since))
        .group_by_col((contact::Entity, contact::Column::Kind))
        .group_by_col((contact::Entity, contact::Column::Value))
        .order_by_expr(Expr::col(tips.clone()), Order::Desc)
        .order_by((contact::Entity, contact::Column::Kind), Order::Asc)
        .order_by((contact::Entity, contact::Column::Value), Order::Asc)
        .limit(limit)
        .to_owned();
    db.query_all(&statement)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ContactCount {
                kind: row.try_get("", "kind")?,
                value: row.try_get("", "value")?,
                tips: row.try_get("", "tips")?,
            })
        })
        .collect()
}
