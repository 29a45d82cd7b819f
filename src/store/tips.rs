//! Tips and what hangs off them: contacts, public history, conversation,
//! notes, the state counts, and the moderation queue. Queries across tips
//! about one contact live in `contacts`; this module imports no other
//! aggregate's tables.

use chrono::{DateTime, Utc};

use crate::domain::contact::ContactKind;
use crate::domain::tip::{MessageAuthor, TipAction, TipStatus};
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
        pub status: TipStatus,
        pub version: i32,
        pub receipt_code: Option<String>,
        pub receipt_secret_hash: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub claimed_by: Option<Uuid>,
        pub claim_expires_at: Option<DateTime<Utc>>,
        pub lead_id: Option<Uuid>,
        pub duplicate_of: Option<Uuid>,
        pub reject_reason: Option<String>,
    }

    impl Model {
        /// The moderator whose claim is still running at `now`.
        pub fn holder(&self, now: DateTime<Utc>) -> Option<Uuid> {
            match (self.claimed_by, self.claim_expires_at) {
                (Some(by), Some(until)) if until > now => Some(by),
                _ => None,
            }
        }
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
        pub kind: ContactKind,
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
        pub status: TipStatus,
        pub public_note: Option<String>,
        pub created_at: DateTime<Utc>,
        pub reason_code: Option<String>,
        pub outcome_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Internal notes: moderators write them, reporters never see them.
pub mod note {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tip_id: Uuid,
        pub author_user_id: Uuid,
        pub body: String,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// How many tips are in each state, kept by [`insert`] and [`transition`]:
/// [`COUNT_SLOTS`] rows per state, of which each transaction updates one
/// that no other holds (see [`count_added`]) and a read sums them. With one row per state, every
/// submission on every node waited for the one before it to commit.
pub mod status_count {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_state_count_slots")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub status: TipStatus,
        #[sea_orm(primary_key, auto_increment = false)]
        pub slot: i16,
        pub count: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// The state is part of this table's key; keys sea-orm might read back
    /// as an insert's last id must say how to come from a number, which a
    /// state never does (the rows are written by the migration, never
    /// inserted).
    impl sea_orm::TryFromU64 for TipStatus {
        fn try_from_u64(_: u64) -> Result<Self, DbErr> {
            Err(DbErr::ConvertFromU64("TipStatus"))
        }
    }
}

/// Counter rows per state (the migration that made them writes as many).
/// More slots spread the writers further and cost a read a few more rows.
pub const COUNT_SLOTS: i16 = 16;

pub mod message {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tip_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tip_id: Uuid,
        pub author: MessageAuthor,
        pub author_user_id: Option<Uuid>,
        pub body: String,
        pub created_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn insert(db: &impl ConnectionTrait, row: tip::Model) -> Result<tip::Model, DbErr> {
    let status = row.status;
    let tip = tip::ActiveModel::from(row).insert(db).await?;
    count_move(db, None, status).await?;
    Ok(tip)
}

/// Adds `n` tips (negative: removes) in each state to the counts; bulk
/// loads (`tipline seed`) call it in the transaction that inserts them.
///
/// On PostgreSQL each change goes to a slot of its state that no other
/// transaction holds (`FOR UPDATE SKIP LOCKED`), so it does not wait for
/// another transaction's commit; only when every slot is held does it wait
/// for one chosen at random. SQLite has one writer at a time and takes a
/// random slot. States are taken in name order, so a transaction waits for
/// a slot only while it holds slots of earlier states, and two transactions
/// never wait for each other.
pub async fn count_added(
    db: &impl ConnectionTrait,
    changes: &[(TipStatus, i64)],
) -> Result<(), DbErr> {
    use rand::Rng;
    use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
    let mut changes: Vec<(TipStatus, i64)> =
        changes.iter().copied().filter(|(_, n)| *n != 0).collect();
    changes.sort();
    let add = |n: i64| {
        status_count::Entity::update_many().col_expr(
            status_count::Column::Count,
            Expr::col(status_count::Column::Count).add(n),
        )
    };
    for (status, n) in changes {
        let mut updated = 0;
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            let free = Query::select()
                .column(status_count::Column::Slot)
                .from(status_count::Entity)
                .and_where(status_count::Column::Status.eq(status))
                .order_by_expr(Expr::cust("random()"), Order::Asc)
                .limit(1)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .to_owned();
            updated = add(n)
                .filter(status_count::Column::Status.eq(status))
                .filter(status_count::Column::Slot.in_subquery(free))
                .exec(db)
                .await?
                .rows_affected;
        }
        if updated == 0 {
            let slot = rand::rng().random_range(0..COUNT_SLOTS);
            updated = add(n)
                .filter(status_count::Column::Status.eq(status))
                .filter(status_count::Column::Slot.eq(slot))
                .exec(db)
                .await?
                .rows_affected;
        }
        // A state without its rows would lose the count without a word.
        if updated != 1 {
            return Err(DbErr::RecordNotUpdated);
        }
    }
    Ok(())
}

/// Moves one tip from `from` (none for a new tip) to `to` in the counts.
async fn count_move(
    db: &impl ConnectionTrait,
    from: Option<TipStatus>,
    to: TipStatus,
) -> Result<(), DbErr> {
    if from == Some(to) {
        return Ok(());
    }
    let mut changes = vec![(to, 1)];
    if let Some(from) = from {
        changes.push((from, -1));
    }
    count_added(db, &changes).await
}

/// The number of tips in each state, in the order of their names.
pub async fn status_counts(db: &impl ConnectionTrait) -> Result<Vec<(TipStatus, i64)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    status_count::Entity::find()
        .select_only()
        .column(status_count::Column::Status)
        // SUM of a bigint is a numeric on PostgreSQL.
        .expr(
            Expr::col(status_count::Column::Count)
                .sum()
                .cast_as("bigint"),
        )
        .group_by(status_count::Column::Status)
        .order_by_asc(status_count::Column::Status)
        .into_tuple()
        .all(db)
        .await
}

pub async fn insert_contacts(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    contacts: &[(ContactKind, String)],
) -> Result<(), DbErr> {
    if contacts.is_empty() {
        return Ok(());
    }
    let rows = contacts.iter().map(|(kind, value)| contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        kind: Set(*kind),
        value: Set(value.clone()),
    });
    contact::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// A history entry, as written.
pub async fn add_history(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    status: TipStatus,
    public_note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<history::Model, DbErr> {
    insert_history(db, tip_id, status, public_note, None, None, now).await
}

/// A history entry that names a reject reason, whose texts the reporter
/// reads as they are now.
pub async fn add_history_with_reason(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    status: TipStatus,
    public_note: Option<&str>,
    reason_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    insert_history(db, tip_id, status, public_note, reason_code, None, now)
        .await
        .map(drop)
}

/// A `closed` entry naming the unit's outcome, whose texts the reporter
/// reads as they are now.
pub async fn add_history_with_outcome(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    status: TipStatus,
    public_note: Option<&str>,
    outcome_code: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    insert_history(
        db,
        tip_id,
        status,
        public_note,
        None,
        Some(outcome_code),
        now,
    )
    .await
    .map(drop)
}

async fn insert_history(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    status: TipStatus,
    public_note: Option<&str>,
    reason_code: Option<&str>,
    outcome_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<history::Model, DbErr> {
    history::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        status: Set(status),
        public_note: Set(public_note.map(str::to_owned)),
        created_at: Set(now),
        reason_code: Set(reason_code.map(str::to_owned)),
        outcome_code: Set(outcome_code.map(str::to_owned)),
    }
    .insert(db)
    .await
}

pub async fn add_message(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    author: MessageAuthor,
    author_user_id: Option<Uuid>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<message::Model, DbErr> {
    message::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        author: Set(author),
        author_user_id: Set(author_user_id),
        body: Set(body.to_owned()),
        created_at: Set(now),
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

/// What a change of state writes besides the state.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// `Some(None)` clears the claim; `Some(Some((who, until)))` sets it.
    pub claim: Option<Option<(Uuid, DateTime<Utc>)>>,
    pub lead_id: Option<Option<Uuid>>,
    pub duplicate_of: Option<Uuid>,
    pub reject_reason: Option<String>,
}

/// Moves `tip` (as the caller read it) to `status` with `change`, if it is
/// still at the version read; `false` when another change came first (the
/// caller answers 409). The state counts move with it.
pub async fn transition(
    db: &impl ConnectionTrait,
    tip: &tip::Model,
    status: TipStatus,
    change: Change,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let mut update = tip::Entity::update_many()
        .col_expr(tip::Column::Status, Expr::value(status))
        .col_expr(tip::Column::Version, Expr::value(tip.version + 1))
        .col_expr(tip::Column::UpdatedAt, Expr::value(now));
    if let Some(claim) = change.claim {
        update = update
            .col_expr(tip::Column::ClaimedBy, Expr::value(claim.map(|c| c.0)))
            .col_expr(tip::Column::ClaimExpiresAt, Expr::value(claim.map(|c| c.1)));
    }
    if let Some(lead_id) = change.lead_id {
        update = update.col_expr(tip::Column::LeadId, Expr::value(lead_id));
    }
    if let Some(of) = change.duplicate_of {
        update = update.col_expr(tip::Column::DuplicateOf, Expr::value(of));
    }
    if let Some(reason) = change.reject_reason {
        update = update.col_expr(tip::Column::RejectReason, Expr::value(reason));
    }
    let result = update
        .filter(tip::Column::Id.eq(tip.id))
        .filter(tip::Column::Version.eq(tip.version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    count_move(db, Some(tip.status), status).await?;
    Ok(true)
}

/// Claims `before` (the tip as the caller read it) for `moderator` until
/// `until`, if it is unchanged, waiting in the queue and held by nobody else
/// at `now`: one conditional update, so of two moderators claiming at once
/// exactly one gets it. Returns the tip as claimed, or `None` when the claim
/// lost (the caller reads why).
///
/// The update is the transaction's first statement: SQLite takes its write
/// lock there, waiting for other writers, rather than after a read.
pub async fn claim(
    db: &impl ConnectionTrait,
    before: &tip::Model,
    moderator: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<tip::Model>, DbErr> {
    use sea_orm::sea_query::{Condition, Expr};
    let id = before.id;
    let free = Condition::any()
        .add(tip::Column::ClaimedBy.is_null())
        .add(tip::Column::ClaimedBy.eq(moderator))
        .add(tip::Column::ClaimExpiresAt.lte(now));
    // The states a claim starts from and leads to, as the domain has them.
    let from: Vec<TipStatus> = TipStatus::ALL
        .into_iter()
        .filter(|s| s.after(TipAction::Claim).is_ok())
        .collect();
    let to = TipStatus::Submitted
        .after(TipAction::Claim)
        .expect("a submitted tip can be claimed");
    let result = tip::Entity::update_many()
        .col_expr(tip::Column::Status, Expr::value(to))
        .col_expr(tip::Column::Version, Expr::value(before.version + 1))
        .col_expr(tip::Column::UpdatedAt, Expr::value(now))
        .col_expr(tip::Column::ClaimedBy, Expr::value(moderator))
        .col_expr(tip::Column::ClaimExpiresAt, Expr::value(until))
        .filter(tip::Column::Id.eq(id))
        .filter(tip::Column::Version.eq(before.version))
        .filter(tip::Column::Status.is_in(from))
        .filter(free)
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Ok(None);
    }
    count_move(db, Some(before.status), to).await?;
    find(db, id).await
}

/// Locks a tip's row until the transaction ends (a write, so SQLite takes
/// its lock here too). With `keepable_only`, only a tip that can be kept as
/// the original of a duplicate (not itself a duplicate, withdrawn or
/// rejected); `false` when it is not.
pub async fn lock(db: &impl ConnectionTrait, id: Uuid, keepable_only: bool) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let mut update = tip::Entity::update_many()
        .col_expr(tip::Column::Version, Expr::col(tip::Column::Version))
        .filter(tip::Column::Id.eq(id));
    if keepable_only {
        update = update.filter(tip::Column::Status.is_not_in([
            TipStatus::Duplicate,
            TipStatus::Withdrawn,
            TipStatus::Rejected,
        ]));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

pub async fn add_note(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    author: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> Result<note::Model, DbErr> {
    note::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        author_user_id: Set(author),
        body: Set(body.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await
}

pub async fn notes_of(db: &impl ConnectionTrait, tip_id: Uuid) -> Result<Vec<note::Model>, DbErr> {
    note::Entity::find()
        .filter(note::Column::TipId.eq(tip_id))
        .order_by_asc(note::Column::Id)
        .all(db)
        .await
}

pub async fn of_lead(db: &impl ConnectionTrait, lead_id: Uuid) -> Result<Vec<tip::Model>, DbErr> {
    tip::Entity::find()
        .filter(tip::Column::LeadId.eq(lead_id))
        .order_by_asc(tip::Column::Id)
        .all(db)
        .await
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<tip::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tip::Entity::find()
        .filter(tip::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(tip::Column::Id)
        .all(db)
        .await
}

/// `SELECT tip_id FROM tip_contacts WHERE kind = ? AND value = ?`.
pub(super) fn tips_with_contact(
    kind: ContactKind,
    value: &str,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    Query::select()
        .column(contact::Column::TipId)
        .from(contact::Entity)
        .and_where(Expr::col(contact::Column::Kind).eq(kind))
        .and_where(Expr::col(contact::Column::Value).eq(value))
        .to_owned()
}

/// Whose claims the queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimFilter {
    /// Held by this moderator now.
    HeldBy(Uuid),
    /// Held by nobody now (never claimed, released, or the lease ran out).
    Free,
}

/// What the moderation queue is filtered by; every field narrows it.
#[derive(Clone, Debug)]
pub struct QueueFilter {
    /// One or more states.
    pub statuses: Vec<TipStatus>,
    pub category: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// `(lat, lon, radius in metres)`, WGS-84.
    pub near: Option<(f64, f64, f64)>,
    /// A normalised `(kind, value)`.
    pub contact: Option<(ContactKind, String)>,
    /// Text in the description or the address, any case.
    pub text: Option<String>,
    pub claim: Option<ClaimFilter>,
    /// The instant claims are judged at.
    pub now: DateTime<Utc>,
    pub newest_first: bool,
}

/// Metres per degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// One page of the queue in arrival order (ids are UUID v7), after the id
/// `after`, with one row more than `limit` when there is a next page.
///
/// Each state is read on its own from the `(status, id)` index, `limit + 1`
/// rows at most, and the lists are merged: the cost follows the page, not
/// the table, and no query sorts rows of several states. With a contact,
/// the walk follows that contact's tips instead, all states at once.
pub async fn queue(
    db: &sea_orm::DatabaseConnection,
    filter: &QueueFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<tip::Model>, DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // The data is skewed: a few thousand open tips among a million
        // closed ones, a number on forty thousand cards among numbers on
        // one. A cached generic plan cannot see which state or contact a
        // query asks for and picks a plan for the average, which for these
        // walks the primary key or fetches every carrier (measured: 4.8 ms
        // at ten thousand tips, 0.3 s for the top number at a million,
        // where a plan for the values takes a millisecond or less).
        // Planning each time costs a fraction of a millisecond; SET LOCAL
        // keeps it to this transaction, which poolers allow.
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    let mut rows: Vec<tip::Model> = Vec::new();
    if filter.contact.is_some() {
        // The contact's own tips, in id order, are the shorter walk: read
        // them once for all the states asked for.
        let query = queue_query(filter, &filter.statuses, after, limit + 1);
        rows.extend(query.all(&txn).await?);
    } else {
        for &status in &filter.statuses {
            let query = queue_query(filter, &[status], after, limit + 1);
            rows.extend(query.all(&txn).await?);
        }
    }
    txn.commit().await?;
    if filter.newest_first {
        rows.sort_by_key(|t| std::cmp::Reverse(t.id));
    } else {
        rows.sort_by_key(|t| t.id);
    }
    rows.truncate(limit as usize + 1);
    Ok(rows)
}

fn queue_query(
    filter: &QueueFilter,
    statuses: &[TipStatus],
    after: Option<Uuid>,
    limit: u64,
) -> sea_orm::Select<tip::Entity> {
    use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
    let mut query = tip::Entity::find()
        .filter(tip::Column::Status.is_in(statuses.iter().copied()))
        .limit(limit);
    query = if filter.newest_first {
        query.order_by_desc(tip::Column::Id)
    } else {
        query.order_by_asc(tip::Column::Id)
    };
    if let Some(after) = after {
        query = query.filter(if filter.newest_first {
            tip::Column::Id.lt(after)
        } else {
            tip::Column::Id.gt(after)
        });
    }
    if let Some(category) = &filter.category {
        query = query.filter(tip::Column::Category.eq(category.clone()));
    }
    if let Some(from) = filter.created_from {
        // Ids are UUID v7 drawn at submission, never before `created_at`:
        // the id bound lets the (status, id) index skip what is older.
        query = query
            .filter(tip::Column::CreatedAt.gte(from))
            .filter(tip::Column::Id.gte(first_id_at(from)));
    }
    if let Some(to) = filter.created_to {
        query = query.filter(tip::Column::CreatedAt.lt(to));
    }
    if let Some((lat, lon, radius)) = filter.near {
        // A box first (cheap), then the circle on a local flat projection:
        // within a city the error is far below a phone's GPS accuracy.
        let cos = lat.to_radians().cos().max(0.01);
        let dlat = radius / METRES_PER_DEGREE;
        let dlon = radius / (METRES_PER_DEGREE * cos);
        let north = Expr::col(tip::Column::Lat).sub(lat).mul(METRES_PER_DEGREE);
        let east = Expr::col(tip::Column::Lon)
            .sub(lon)
            .mul(METRES_PER_DEGREE * cos);
        query = query
            .filter(tip::Column::Lat.between(lat - dlat, lat + dlat))
            .filter(tip::Column::Lon.between(lon - dlon, lon + dlon))
            .filter(
                north
                    .clone()
                    .mul(north)
                    .add(east.clone().mul(east))
                    .lte(radius * radius),
            );
    }
    if let Some((kind, value)) = &filter.contact {
        let mut carriers = tips_with_contact(*kind, value);
        // The page's bounds again, inside: PostgreSQL carries an equality
        // through `IN` but not a range, so without them a deep page walks
        // the contact's tips from the first (a number on forty thousand
        // cards, deep in its pages: see benches/queue.rs).
        let carrier = || Expr::col(contact::Column::TipId);
        if let Some(after) = after {
            carriers.and_where(if filter.newest_first {
                carrier().lt(after)
            } else {
                carrier().gt(after)
            });
        }
        if let Some(from) = filter.created_from {
            carriers.and_where(carrier().gte(first_id_at(from)));
        }
        query = query.filter(tip::Column::Id.in_subquery(carriers));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        let like = |column: tip::Column| {
            Expr::expr(Func::lower(Expr::col(column)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(
            Condition::any()
                .add(like(tip::Column::Description))
                .add(like(tip::Column::Address)),
        );
    }
    match filter.claim {
        Some(ClaimFilter::HeldBy(moderator)) => {
            query = query
                .filter(tip::Column::ClaimedBy.eq(moderator))
                .filter(tip::Column::ClaimExpiresAt.gt(filter.now));
        }
        Some(ClaimFilter::Free) => {
            query = query.filter(
                Condition::any()
                    .add(tip::Column::ClaimedBy.is_null())
                    .add(tip::Column::ClaimExpiresAt.lte(filter.now)),
            );
        }
        None => {}
    }
    query
}

/// The smallest UUID v7 of the millisecond `at`: every tip submitted at or
/// after `at` has an id at least this.
pub(super) fn first_id_at(at: DateTime<Utc>) -> Uuid {
    let millis = at.timestamp_millis().max(0) as u64;
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    Uuid::from_bytes(bytes)
}

/// `%`, `_` and `\` match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The contacts of several tips at once (a page of the queue).
pub async fn contacts_of_many(
    db: &impl ConnectionTrait,
    tip_ids: &[Uuid],
) -> Result<Vec<contact::Model>, DbErr> {
    if tip_ids.is_empty() {
        return Ok(Vec::new());
    }
    contact::Entity::find()
        .filter(contact::Column::TipId.is_in(tip_ids.iter().copied()))
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await
}
