//! Leads: cases moderators build from verified tips, their history and
//! deadlines. Filtering by a contact reads `tips`' tables; `tips` never
//! reads these, so the two do not import each other.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::domain::contact::ContactKind;
use crate::domain::lead::{LeadEvent, LeadStatus};

pub mod lead {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "leads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub reference: String,
        pub status: LeadStatus,
        pub category: String,
        pub title: Option<String>,
        pub version: i32,
        pub created_by: Uuid,
        pub unit_id: Option<Uuid>,
        pub due_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub forwarded_at: Option<DateTime<Utc>>,
        pub accepted_at: Option<DateTime<Utc>>,
        pub resolved_at: Option<DateTime<Utc>>,
        pub outcome_code: Option<String>,
        pub public_note: Option<String>,
        pub internal_note: Option<String>,
        /// When the deadline sweep flagged it; `None` while on time.
        pub overdue_at: Option<DateTime<Utc>>,
        /// The accept deadline set when it was (last) forwarded.
        pub accept_due_at: Option<DateTime<Utc>>,
        /// The resolve deadline set when it was accepted.
        pub resolve_due_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod history {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "lead_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub action: LeadEvent,
        pub actor_user_id: Option<Uuid>,
        pub tip_id: Option<Uuid>,
        pub note: Option<String>,
        pub created_at: DateTime<Utc>,
        /// The unit a `forwarded` or `returned` entry is about.
        pub unit_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn insert(db: &impl ConnectionTrait, row: lead::Model) -> Result<lead::Model, DbErr> {
    lead::ActiveModel::from(row).insert(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<lead::Model>, DbErr> {
    lead::Entity::find_by_id(id).one(db).await
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<lead::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lead::Entity::find()
        .filter(lead::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(lead::Column::Id)
        .all(db)
        .await
}

/// Bumps the version of a lead still at `version` (and sets `status`);
/// `false` when another change came first.
pub async fn bump(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
    status: LeadStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = lead::Entity::update_many()
        .col_expr(lead::Column::Status, Expr::value(status))
        .col_expr(lead::Column::Version, Expr::value(lead.version + 1))
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .filter(lead::Column::Id.eq(lead.id))
        .filter(lead::Column::Version.eq(lead.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn add_history(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    action: LeadEvent,
    actor: Option<Uuid>,
    tip_id: Option<Uuid>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let entry = Entry {
        lead_id,
        action,
        actor,
        tip_id,
        unit_id: None,
        note,
    };
    insert_history(db, entry, now).await
}

/// A history entry about a unit: forwarded to it, accepted, progress,
/// returned by it, overdue, resolved.
pub async fn add_unit_history(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    action: LeadEvent,
    actor: Option<Uuid>,
    unit_id: Uuid,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let entry = Entry {
        lead_id,
        action,
        actor,
        tip_id: None,
        unit_id: Some(unit_id),
        note,
    };
    insert_history(db, entry, now).await
}

/// One line of a lead's history, before it is written.
struct Entry<'a> {
    lead_id: Uuid,
    action: LeadEvent,
    actor: Option<Uuid>,
    tip_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    note: Option<&'a str>,
}

async fn insert_history(
    db: &impl ConnectionTrait,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    history::ActiveModel {
        id: Set(Uuid::now_v7()),
        lead_id: Set(entry.lead_id),
        action: Set(entry.action),
        actor_user_id: Set(entry.actor),
        tip_id: Set(entry.tip_id),
        note: Set(entry.note.map(str::to_owned)),
        created_at: Set(now),
        unit_id: Set(entry.unit_id),
    }
    .insert(db)
    .await
    .map(drop)
}

pub async fn history_of(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
) -> Result<Vec<history::Model>, DbErr> {
    history::Entity::find()
        .filter(history::Column::LeadId.eq(lead_id))
        .order_by_asc(history::Column::Id)
        .all(db)
        .await
}

/// What `GET /v1/leads` filters by.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub statuses: Vec<LeadStatus>,
    pub category: Option<String>,
    /// Leads holding a tip that carries this contact.
    pub contact: Option<(ContactKind, String)>,
    pub unit_id: Option<Uuid>,
    /// Past their due time and not resolved, at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// Leads, newest first, after the id `before`; one row more than `limit`
/// tells the caller there is a next page.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<lead::Model>, DbErr> {
    use super::tips::{contact, tip};
    use sea_orm::sea_query::{ExprTrait, Query};
    let mut query = lead::Entity::find()
        .order_by_desc(lead::Column::Id)
        .limit(limit + 1);
    if !filter.statuses.is_empty() {
        query = query.filter(lead::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(lead::Column::Category.eq(category.clone()));
    }
    if let Some(unit) = filter.unit_id {
        query = query.filter(lead::Column::UnitId.eq(unit));
    }
    if let Some(now) = filter.overdue_at {
        query = query
            .filter(lead::Column::DueAt.lt(now))
            .filter(lead::Column::Status.is_in(LeadStatus::AT_UNIT));
    }
    if let Some((kind, value)) = &filter.contact {
        let carrying = Query::select()
            .column((tip::Entity, tip::Column::LeadId))
            .from(tip::Entity)
            .inner_join(
                contact::Entity,
                Expr::col((contact::Entity, contact::Column::TipId))
                    .equals((tip::Entity, tip::Column::Id)),
            )
            .and_where(Expr::col((contact::Entity, contact::Column::Kind)).eq(*kind))
            .and_where(Expr::col((contact::Entity, contact::Column::Value)).eq(value.clone()))
            .and_where(Expr::col((tip::Entity, tip::Column::LeadId)).is_not_null())
            .to_owned();
        query = query.filter(lead::Column::Id.in_subquery(carrying));
    }
    if let Some(before) = before {
        query = query.filter(lead::Column::Id.lt(before));
    }
    query.all(db).await
}

/// What a change of a lead's state writes besides the state.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub unit_id: Option<Option<Uuid>>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub accept_due_at: Option<DateTime<Utc>>,
    pub resolve_due_at: Option<DateTime<Utc>>,
    pub outcome_code: Option<String>,
    pub public_note: Option<String>,
    pub internal_note: Option<String>,
}

/// Moves `lead` (as the caller read it) to `status` with `change`, if it is
/// still at that version; `false` when another change came first.
pub async fn advance(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
    status: LeadStatus,
    change: Change,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = lead::Entity::update_many()
        .col_expr(lead::Column::Status, Expr::value(status))
        .col_expr(lead::Column::Version, Expr::value(lead.version + 1))
        .col_expr(lead::Column::UpdatedAt, Expr::value(now));
    if let Some(unit) = change.unit_id {
        update = update.col_expr(lead::Column::UnitId, Expr::value(unit));
    }
    if let Some(due) = change.due_at {
        // A new deadline starts on time.
        update = update
            .col_expr(lead::Column::DueAt, Expr::value(due))
            .col_expr(lead::Column::OverdueAt, Expr::value(None::<DateTime<Utc>>));
    }
    for (column, at) in [
        (lead::Column::ForwardedAt, change.forwarded_at),
        (lead::Column::AcceptedAt, change.accepted_at),
        (lead::Column::ResolvedAt, change.resolved_at),
        (lead::Column::AcceptDueAt, change.accept_due_at),
        (lead::Column::ResolveDueAt, change.resolve_due_at),
    ] {
        if let Some(at) = at {
            update = update.col_expr(column, Expr::value(at));
        }
    }
    for (column, text) in [
        (lead::Column::OutcomeCode, change.outcome_code),
        (lead::Column::PublicNote, change.public_note),
        (lead::Column::InternalNote, change.internal_note),
    ] {
        if let Some(text) = text {
            update = update.col_expr(column, Expr::value(text));
        }
    }
    let result = update
        .filter(lead::Column::Id.eq(lead.id))
        .filter(lead::Column::Version.eq(lead.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks a change of an open lead's tips (version + 1); `false` when the
/// lead is no longer open. In PostgreSQL the row stays locked until the
/// transaction ends, so it cannot be forwarded meanwhile.
pub async fn touch_open(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let result = lead::Entity::update_many()
        .col_expr(
            lead::Column::Version,
            Expr::col(lead::Column::Version).add(1),
        )
        .col_expr(lead::Column::UpdatedAt, Expr::value(now))
        .filter(lead::Column::Id.eq(id))
        .filter(lead::Column::Status.eq(LeadStatus::Open))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Leads past their deadline that the sweep has not flagged yet.
pub async fn newly_overdue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<lead::Model>, DbErr> {
    lead::Entity::find()
        .filter(lead::Column::DueAt.lt(now))
        .filter(lead::Column::OverdueAt.is_null())
        .filter(lead::Column::Status.is_in(LeadStatus::AT_UNIT))
        .order_by_asc(lead::Column::DueAt)
        .limit(limit)
        .all(db)
        .await
}

/// Flags `lead` overdue unless someone else did (or it moved on); `true`
/// for the one caller that flagged it.
pub async fn flag_overdue(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = lead::Entity::update_many()
        .col_expr(lead::Column::OverdueAt, Expr::value(now))
        .filter(lead::Column::Id.eq(lead.id))
        .filter(lead::Column::Version.eq(lead.version))
        .filter(lead::Column::OverdueAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The leads of one unit (by the filter's states and category), newest
/// first, after `before`; `limit + 1` rows.
pub async fn of_unit(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    filter: &Filter,
    overdue: bool,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<lead::Model>, DbErr> {
    let mut query = lead::Entity::find()
        .filter(lead::Column::UnitId.eq(unit_id))
        .order_by_desc(lead::Column::Id)
        .limit(limit + 1);
    if !filter.statuses.is_empty() {
        query = query.filter(lead::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(lead::Column::Category.eq(category.clone()));
    }
    if overdue {
        query = query.filter(lead::Column::OverdueAt.is_not_null());
    }
    if let Some(before) = before {
        query = query.filter(lead::Column::Id.lt(before));
    }
    query.all(db).await
}

/// How many of a unit's leads are in one state, and how many of those are
/// overdue.
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct UnitStateCount {
    pub status: LeadStatus,
    pub leads: i64,
    pub overdue: i64,
}

/// A unit's leads counted by state (of one category, if given): what its
/// inbox's tabs show, however many pages each holds.
pub async fn counts_of_unit(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
    category: Option<&str>,
) -> Result<Vec<UnitStateCount>, DbErr> {
    let mut query = lead::Entity::find()
        .select_only()
        .column(lead::Column::Status)
        .column_as(lead::Column::Id.count(), "leads")
        // COUNT of a column counts the rows where it is set.
        .column_as(lead::Column::OverdueAt.count(), "overdue")
        .filter(lead::Column::UnitId.eq(unit_id))
        .group_by(lead::Column::Status);
    if let Some(category) = category {
        query = query.filter(lead::Column::Category.eq(category));
    }
    query.into_model::<UnitStateCount>().all(db).await
}

/// Leads created in `[from, to)`, oldest first, for statistics and export.
pub async fn created_between(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<lead::Model>, DbErr> {
    lead::Entity::find()
        .filter(lead::Column::CreatedAt.gte(from))
        .filter(lead::Column::CreatedAt.lt(to))
        .order_by_asc(lead::Column::Id)
        .all(db)
        .await
}
