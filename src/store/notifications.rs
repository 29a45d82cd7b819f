//! What reporters and staff are told: a tip passed to a unit, a lead's
//! outcome, a deadline missed. A citizen reads theirs by account; an
//! anonymous reporter reads the same rows through the tip's receipt.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::domain::tip::TipStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub kind: Kind,
    pub text_zh: String,
    pub text_en: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::domain::closed_set! {
    /// What a notification tells of.
    pub enum Kind ("notification kind") {
        TipVerified = "tip.verified",
        TipRejected = "tip.rejected",
        TipNeedsInfo = "tip.needs_info",
        TipDuplicate = "tip.duplicate",
        TipForwarded = "tip.forwarded",
        TipClosed = "tip.closed",
        /// For the command centre's officers.
        LeadOverdue = "lead.overdue",
    }
}

impl Kind {
    /// What a reporter is told when their tip reaches `status`, if that
    /// is news to them.
    pub fn of_tip(status: TipStatus) -> Option<Kind> {
        match status {
            TipStatus::Verified => Some(Kind::TipVerified),
            TipStatus::Rejected => Some(Kind::TipRejected),
            TipStatus::NeedsInfo => Some(Kind::TipNeedsInfo),
            TipStatus::Duplicate => Some(Kind::TipDuplicate),
            TipStatus::Forwarded => Some(Kind::TipForwarded),
            TipStatus::Closed => Some(Kind::TipClosed),
            TipStatus::Submitted | TipStatus::InReview | TipStatus::Withdrawn => None,
        }
    }
}

/// One notification to write.
pub struct New<'a> {
    pub user_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub kind: Kind,
    pub text_zh: &'a str,
    pub text_en: &'a str,
}

pub async fn add(db: &impl ConnectionTrait, new: New<'_>, now: DateTime<Utc>) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(new.user_id),
        tip_id: Set(new.tip_id),
        lead_id: Set(new.lead_id),
        kind: Set(new.kind),
        text_zh: Set(new.text_zh.to_owned()),
        text_en: Set(new.text_en.to_owned()),
        read_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map(drop)
}

/// Tells a tip's reporter — their account, or (anonymous) the tip's
/// receipt — of something about the tip.
pub async fn tell_reporter(
    db: &impl ConnectionTrait,
    tip: &super::tips::tip::Model,
    kind: Kind,
    text_zh: &str,
    text_en: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    add(
        db,
        New {
            user_id: tip.reporter_user_id,
            tip_id: Some(tip.id),
            lead_id: None,
            kind,
            text_zh,
            text_en,
        },
        now,
    )
    .await
}

/// Whose notifications: an account's, or a receipt's tip's.
#[derive(Clone, Copy, Debug)]
pub enum Recipient {
    User(Uuid),
    Tip(Uuid),
}

impl Recipient {
    fn column(self) -> (Column, Uuid) {
        match self {
            Recipient::User(id) => (Column::UserId, id),
            Recipient::Tip(id) => (Column::TipId, id),
        }
    }
}

/// Where a page starts: unread ones come first (newest first), then read
/// ones (newest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub read: bool,
    pub before: Uuid,
}

/// Up to `limit + 1` notifications after `after`, unread first.
pub async fn page(
    db: &impl ConnectionTrait,
    recipient: Recipient,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let (column, id) = recipient.column();
    let mut rows = Vec::new();
    let read_from = match after {
        Some(Position { read: true, .. }) => after.map(|p| p.before),
        _ => None,
    };
    if !matches!(after, Some(Position { read: true, .. })) {
        let mut unread = Entity::find()
            .filter(column.eq(id))
            .filter(Column::ReadAt.is_null())
            .order_by_desc(Column::Id)
            .limit(limit + 1);
        if let Some(p) = after {
            unread = unread.filter(Column::Id.lt(p.before));
        }
        rows = unread.all(db).await?;
    }
    if rows.len() as u64 <= limit {
        let mut read = Entity::find()
            .filter(column.eq(id))
            .filter(Column::ReadAt.is_not_null())
            .order_by_desc(Column::Id)
            .limit(limit + 1 - rows.len() as u64);
        if let Some(before) = read_from {
            read = read.filter(Column::Id.lt(before));
        }
        rows.extend(read.all(db).await?);
    }
    Ok(rows)
}

/// How many are unread.
pub async fn unread(db: &impl ConnectionTrait, recipient: Recipient) -> Result<u64, DbErr> {
    let (column, id) = recipient.column();
    Entity::find()
        .filter(column.eq(id))
        .filter(Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Marks the given ones (or all, when `ids` is `None`) read; returns how
/// many changed. Others' notifications are never touched.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    recipient: Recipient,
    ids: Option<&[Uuid]>,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let (column, id) = recipient.column();
    let mut update = Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(at))
        .filter(column.eq(id))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(Column::Id.is_in(ids.iter().copied()));
    }
    Ok(update.exec(db).await?.rows_affected)
}
