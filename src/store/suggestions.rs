//! Reading cards, in the database: each stored photo's reading job
//! (`media_readings`, leased by one reader at a time across all nodes) and
//! the contacts it suggested (`contact_suggestions`), per photo and, once
//! the photo is in a tip, per tip, until a moderator decides on them.
//!
//! Nothing here adds a contact to a tip: confirming does that in
//! `crate::suggestions`, in the same transaction as the decision.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect};

/// Where a photo's reading stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReadingState {
    /// Waiting for a reader, or being read while the lease is ahead.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "done")]
    Done,
    /// Given up: every attempt died or timed out.
    #[sea_orm(string_value = "failed")]
    Failed,
}

pub mod reading {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "media_readings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub media_id: Uuid,
        pub state: ReadingState,
        pub attempts: i32,
        pub leased_until: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub finished_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What a moderator made of a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SuggestionState {
    #[sea_orm(string_value = "suggested")]
    Suggested,
    /// Added to the tip's contacts.
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "dismissed")]
    Dismissed,
}

/// How the contact was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum SuggestionSource {
    #[sea_orm(string_value = "qr")]
    Qr,
    #[sea_orm(string_value = "text")]
    Text,
}

pub mod suggestion {
    use super::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "contact_suggestions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub media_id: Uuid,
        pub tip_id: Option<Uuid>,
        pub kind: crate::domain::contact::ContactKind,
        pub value: String,
        pub source: SuggestionSource,
        pub confidence: f64,
        pub region_x: f64,
        pub region_y: f64,
        pub region_w: f64,
        pub region_h: f64,
        pub state: SuggestionState,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Queues a stored photo for reading (in the upload's transaction).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    media_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    reading::ActiveModel {
        media_id: Set(media_id),
        state: Set(ReadingState::Pending),
        attempts: Set(0),
        leased_until: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    }
    .insert(db)
    .await
    .map(drop)
}

pub async fn reading_of(
    db: &impl ConnectionTrait,
    media_id: Uuid,
) -> Result<Option<reading::Model>, DbErr> {
    reading::Entity::find_by_id(media_id).one(db).await
}

/// Photos waiting to be read and held by no reader, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<reading::Model>, DbErr> {
    reading::Entity::find()
        .filter(reading::Column::State.eq(ReadingState::Pending))
        .filter(
            Condition::any()
                .add(reading::Column::LeasedUntil.is_null())
                .add(reading::Column::LeasedUntil.lt(now)),
        )
        .order_by_asc(reading::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Takes `row` for reading until `until`, counting the attempt, unless
/// another reader took it first; `true` for the one reader that got it.
pub async fn lease(
    db: &impl ConnectionTrait,
    row: &reading::Model,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = reading::Entity::update_many()
        .col_expr(reading::Column::LeasedUntil, Expr::value(until))
        .col_expr(reading::Column::Attempts, Expr::value(row.attempts + 1))
        .filter(reading::Column::MediaId.eq(row.media_id))
        .filter(reading::Column::State.eq(ReadingState::Pending))
        .filter(reading::Column::Attempts.eq(row.attempts))
        .filter(
            Condition::any()
                .add(reading::Column::LeasedUntil.is_null())
                .add(reading::Column::LeasedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends the reading of `media_id` as `state`, if it is still the attempt
/// numbered `attempt` (a reader whose lease ran out and was overtaken
/// writes nothing); `true` when it was.
pub async fn finish(
    db: &impl ConnectionTrait,
    media_id: Uuid,
    attempt: i32,
    state: ReadingState,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = reading::Entity::update_many()
        .col_expr(reading::Column::State, Expr::value(state))
        .col_expr(
            reading::Column::LeasedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(reading::Column::FinishedAt, Expr::value(now))
        .filter(reading::Column::MediaId.eq(media_id))
        .filter(reading::Column::State.eq(ReadingState::Pending))
        .filter(reading::Column::Attempts.eq(attempt))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The tip a photo is in, read under a lock on the photo's row, so a tip
/// submitted at the same moment either is seen here or sees what this
/// transaction writes (`attach_to_tip`).
pub async fn tip_of_photo_locked(
    db: &impl ConnectionTrait,
    media_id: Uuid,
) -> Result<Option<Option<Uuid>>, DbErr> {
    use crate::store::media;
    Ok(media::Entity::find_by_id(media_id)
        .lock_exclusive()
        .one(db)
        .await?
        .map(|m| m.tip_id))
}

/// One contact as found, to be stored.
#[derive(Clone, Debug)]
pub struct NewSuggestion {
    pub kind: crate::domain::contact::ContactKind,
    pub value: String,
    pub source: SuggestionSource,
    pub confidence: f64,
    pub region: [f64; 4],
}

pub async fn insert(
    db: &impl ConnectionTrait,
    media_id: Uuid,
    tip_id: Option<Uuid>,
    found: &[NewSuggestion],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if found.is_empty() {
        return Ok(());
    }
    let rows = found.iter().map(|s| suggestion::ActiveModel {
        id: Set(Uuid::now_v7()),
        media_id: Set(media_id),
        tip_id: Set(tip_id),
        kind: Set(s.kind),
        value: Set(s.value.clone()),
        source: Set(s.source),
        confidence: Set(s.confidence),
        region_x: Set(s.region[0]),
        region_y: Set(s.region[1]),
        region_w: Set(s.region[2]),
        region_h: Set(s.region[3]),
        state: Set(SuggestionState::Suggested),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
    });
    suggestion::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Ties the suggestions of photos a tip just took to that tip (in the
/// submission's transaction).
pub async fn attach_to_tip(
    db: &impl ConnectionTrait,
    media_ids: &[Uuid],
    tip_id: Uuid,
) -> Result<(), DbErr> {
    suggestion::Entity::update_many()
        .col_expr(suggestion::Column::TipId, Expr::value(tip_id))
        .filter(suggestion::Column::MediaId.is_in(media_ids.iter().copied()))
        .exec(db)
        .await
        .map(drop)
}

/// A photo's suggestions, best first.
pub async fn of_photo(
    db: &impl ConnectionTrait,
    media_id: Uuid,
) -> Result<Vec<suggestion::Model>, DbErr> {
    suggestion::Entity::find()
        .filter(suggestion::Column::MediaId.eq(media_id))
        .order_by_desc(suggestion::Column::Confidence)
        .order_by_asc(suggestion::Column::Id)
        .all(db)
        .await
}

/// A tip's suggestions not dismissed, photo by photo, best first.
pub async fn of_tip(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
) -> Result<Vec<suggestion::Model>, DbErr> {
    suggestion::Entity::find()
        .filter(suggestion::Column::TipId.eq(tip_id))
        .filter(suggestion::Column::State.ne(SuggestionState::Dismissed))
        .order_by_asc(suggestion::Column::MediaId)
        .order_by_desc(suggestion::Column::Confidence)
        .order_by_asc(suggestion::Column::Id)
        .all(db)
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<suggestion::Model>, DbErr> {
    suggestion::Entity::find_by_id(id).one(db).await
}

/// Decides every suggestion of `tip_id` for the same contact as
/// `suggested` (two photos of one card suggest it twice; one decision
/// answers both), if still undecided; answers how many changed.
pub async fn decide(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    kind: crate::domain::contact::ContactKind,
    value: &str,
    state: SuggestionState,
    moderator: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = suggestion::Entity::update_many()
        .col_expr(suggestion::Column::State, Expr::value(state))
        .col_expr(suggestion::Column::DecidedBy, Expr::value(moderator))
        .col_expr(suggestion::Column::DecidedAt, Expr::value(now))
        .filter(suggestion::Column::TipId.eq(tip_id))
        .filter(suggestion::Column::Kind.eq(kind))
        .filter(suggestion::Column::Value.eq(value))
        .filter(suggestion::Column::State.eq(SuggestionState::Suggested))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
