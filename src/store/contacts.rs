//! The contact queries: what the store knows about a suspect contact across
//! tips and leads — its cluster, its reach, the hot contacts, the open
//! leads carrying it, its first verified report. The rows themselves are
//! written with their tip (`tips::contact`); this module only reads them.
//!
//! It sits above `tips` and `leads` and joins their tables, so that neither
//! of those needs the other's contact joins (and `tips` never imports
//! `leads`).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{QueryOrder, QuerySelect};

use super::leads::{self, lead};
use super::tips::{contact, first_id_at, tip, tips_with_contact};
use crate::domain::contact::ContactKind;
use crate::domain::lead::LeadStatus;
use crate::domain::tip::TipStatus;

/// A contact as the store keys it: its kind and normalised value.
pub type Key = (ContactKind, String);

/// A contact's cluster: the tips carrying it (newest first, up to the
/// limit), how many there are in all and when they came, and the leads
/// holding them.
pub struct Cluster {
    pub tips: Vec<tip::Model>,
    pub tip_count: i64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub leads: Vec<lead::Model>,
}

/// The cluster of `(kind, value)`, with at most `limit` tips and leads.
pub async fn cluster(
    db: &impl ConnectionTrait,
    kind: ContactKind,
    value: &str,
    limit: u64,
) -> Result<Cluster, DbErr> {
    let tips = tip::Entity::find()
        .filter(tip::Column::Id.in_subquery(tips_with_contact(kind, value)))
        .order_by_desc(tip::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let statement = Query::select()
        .expr_as(Expr::col(tip::Column::Id).count(), Alias::new("tips"))
        .expr_as(
            Func::min(Expr::col(tip::Column::CreatedAt)),
            Alias::new("first_seen"),
        )
        .expr_as(
            Func::max(Expr::col(tip::Column::CreatedAt)),
            Alias::new("last_seen"),
        )
        .from(tip::Entity)
        .and_where(Expr::col(tip::Column::Id).in_subquery(tips_with_contact(kind, value)))
        .to_owned();
    let span = db
        .query_one(&statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("an aggregate row".into()))?;
    let filter = leads::Filter {
        contact: Some((kind, value.to_owned())),
        ..leads::Filter::default()
    };
    let mut leads = leads::list(db, &filter, None, limit).await?;
    leads.truncate(limit as usize);
    Ok(Cluster {
        tips,
        tip_count: span.try_get("", "tips")?,
        first_seen: span.try_get("", "first_seen")?,
        last_seen: span.try_get("", "last_seen")?,
        leads,
    })
}

/// How far one contact of a tip reaches beyond it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub kind: ContactKind,
    pub value: String,
    /// Tips other than the one asked about that carry it.
    pub other_tips: i64,
    /// Leads holding such a tip.
    pub leads: i64,
}

/// The reach of each of `contacts` beyond the tip `except`; a contact no
/// other tip carries has no entry. One grouped query for all of them.
pub async fn reach(
    db: &impl ConnectionTrait,
    contacts: &[Key],
    except: Uuid,
) -> Result<Vec<Reach>, DbErr> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let statement = Query::select()
        .column((contact::Entity, contact::Column::Kind))
        .column((contact::Entity, contact::Column::Value))
        .expr_as(
            Expr::col((contact::Entity, contact::Column::TipId)).count_distinct(),
            Alias::new("tips"),
        )
        .expr_as(
            Expr::col((tip::Entity, tip::Column::LeadId)).count_distinct(),
            Alias::new("leads"),
        )
        .from(contact::Entity)
        .inner_join(
            tip::Entity,
            Expr::col((tip::Entity, tip::Column::Id))
                .equals((contact::Entity, contact::Column::TipId)),
        )
        .cond_where(any_of(contacts))
        .and_where(Expr::col((contact::Entity, contact::Column::TipId)).ne(except))
        .group_by_col((contact::Entity, contact::Column::Kind))
        .group_by_col((contact::Entity, contact::Column::Value))
        .to_owned();
    db.query_all(&statement)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Reach {
                kind: row.try_get("", "kind")?,
                value: row.try_get("", "value")?,
                other_tips: row.try_get("", "tips")?,
                leads: row.try_get("", "leads")?,
            })
        })
        .collect()
}

/// The open leads holding tips other than `except` that carry any of
/// `contacts` (at most 50): one join, however many tips carry them.
pub async fn open_leads_carrying(
    db: &impl ConnectionTrait,
    contacts: &[Key],
    except: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let statement = Query::select()
        .distinct()
        .column((lead::Entity, lead::Column::Id))
        .from(contact::Entity)
        .inner_join(
            tip::Entity,
            Expr::col((tip::Entity, tip::Column::Id))
                .equals((contact::Entity, contact::Column::TipId)),
        )
        .inner_join(
            lead::Entity,
            Expr::col((lead::Entity, lead::Column::Id)).equals((tip::Entity, tip::Column::LeadId)),
        )
        .cond_where(any_of(contacts))
        .and_where(Expr::col((contact::Entity, contact::Column::TipId)).ne(except))
        .and_where(Expr::col((lead::Entity, lead::Column::Status)).eq(LeadStatus::Open))
        .limit(50)
        .to_owned();
    db.query_all(&statement)
        .await?
        .into_iter()
        .map(|row| row.try_get("", "id"))
        .collect()
}

/// `(kind = ? AND value = ?) OR …` over the contact rows.
fn any_of(contacts: &[Key]) -> Condition {
    let mut any = Condition::any();
    for (kind, value) in contacts {
        any = any.add(
            Condition::all()
                .add(Expr::col((contact::Entity, contact::Column::Kind)).eq(*kind))
                .add(Expr::col((contact::Entity, contact::Column::Value)).eq(value.clone())),
        );
    }
    any
}

/// A contact and how many tips carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCount {
    pub kind: ContactKind,
    pub value: String,
    pub tips: i64,
}

/// The contacts carried by the most tips submitted since `since`, most
/// first (ties by kind and value, so the order is stable).
pub async fn hot(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ContactCount>, DbErr> {
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
        .and_where(Expr::col((tip::Entity, tip::Column::Id)).gte(first_id_at(since)))
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

/// The first tip (lowest id: ids are time-ordered) carrying `(kind, value)`
/// that moderators verified — its reporter is the contact's first reporter.
pub async fn first_verified_carrier(
    db: &impl ConnectionTrait,
    kind: ContactKind,
    value: &str,
) -> Result<Option<Uuid>, DbErr> {
    tip::Entity::find()
        .select_only()
        .column(tip::Column::Id)
        .filter(tip::Column::Id.in_subquery(tips_with_contact(kind, value)))
        .filter(tip::Column::Status.is_in(TipStatus::VERIFIED))
        .order_by_asc(tip::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}
