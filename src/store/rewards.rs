//! Reward points: credited to the reporters of a closed lead's verified
//! tips, by the outcome's configuration, with a bonus for the first
//! reporter of a contact. A tip earns each kind once (a unique index).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::domain::contact::ContactKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rewards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub tip_id: Uuid,
    pub lead_id: Uuid,
    pub reason: Reason,
    pub points: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::domain::closed_set! {
    /// Why points were credited.
    pub enum Reason ("reward reason") {
        /// The lead's outcome.
        Outcome = "outcome",
        /// The bonus of the first reporter of a contact.
        FirstReporter = "first_reporter",
    }
}

/// Credits `points` to a tip's reporter for `reason`, once per tip and
/// reason.
pub async fn credit(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    tip_id: Uuid,
    lead_id: Uuid,
    reason: Reason,
    points: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        tip_id: Set(tip_id),
        lead_id: Set(lead_id),
        reason: Set(reason),
        points: Set(points),
        created_at: Set(now),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::TipId, Column::Reason])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// A citizen's credits (or a receipt's tip's), newest first, at most
/// `limit`, and their sum over all time.
pub async fn of(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    tip_id: Option<Uuid>,
    limit: u64,
) -> Result<(i64, Vec<Model>), DbErr> {
    let mut query = Entity::find();
    if let Some(user) = user_id {
        query = query.filter(Column::UserId.eq(user));
    }
    if let Some(tip) = tip_id {
        query = query.filter(Column::TipId.eq(tip));
    }
    let balance: Option<i64> = query
        .clone()
        .select_only()
        .column_as(Column::Points.sum(), "balance")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let balance = balance.unwrap_or(0);
    let recent = query.order_by_desc(Column::Id).limit(limit).all(db).await?;
    Ok((balance, recent))
}

/// Which tip earned the first-reporter bonus of each contact.
pub mod first_report {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "first_reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: ContactKind,
        #[sea_orm(primary_key, auto_increment = false)]
        pub value: String,
        pub tip_id: Uuid,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// The kind is part of this table's key, and sea-orm asks a key's
    /// parts how to come from an insert's last id; a kind never does.
    impl sea_orm::TryFromU64 for ContactKind {
        fn try_from_u64(_: u64) -> Result<Self, DbErr> {
            Err(DbErr::ConvertFromU64("ContactKind"))
        }
    }
}

/// Records `tip_id` as the first report of `(kind, value)` unless some tip
/// already is; `true` when this call recorded it (and the bonus is due).
pub async fn claim_first_report(
    db: &impl ConnectionTrait,
    kind: ContactKind,
    value: &str,
    tip_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = first_report::ActiveModel {
        kind: Set(kind),
        value: Set(value.to_owned()),
        tip_id: Set(tip_id),
        created_at: Set(now),
    };
    let inserted = first_report::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([first_report::Column::Kind, first_report::Column::Value])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}
