//! The audit log: one row per state change, written in the transaction of
//! the change. (Hash-chaining and reads of protected data come with
//! moderation.)

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `anonymous` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<Uuid>,
    pub request_id: String,
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Who did it. Anonymous reporters are recorded as such, without any id.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    User(Uuid),
    Anonymous,
    System,
}

pub struct Event<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: Option<Uuid>,
    pub details: Option<serde_json::Value>,
}

pub async fn record(
    db: &impl ConnectionTrait,
    request_id: &str,
    event: Event<'_>,
) -> Result<(), DbErr> {
    let (actor_kind, actor_id) = match event.actor {
        Actor::User(id) => ("user", Some(id)),
        Actor::Anonymous => ("anonymous", None),
        Actor::System => ("system", None),
    };
    ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        actor_kind: Set(actor_kind.to_owned()),
        actor_id: Set(actor_id),
        action: Set(event.action.to_owned()),
        object_kind: Set(event.object_kind.to_owned()),
        object_id: Set(event.object_id),
        request_id: Set(request_id.to_owned()),
        details: Set(event.details.map(|d| d.to_string())),
    }
    .insert(db)
    .await
    .map(drop)
}

pub async fn for_object(
    db: &impl ConnectionTrait,
    kind: &str,
    id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    Entity::find()
        .filter(Column::ObjectKind.eq(kind))
        .filter(Column::ObjectId.eq(id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
