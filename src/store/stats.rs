//! The reads behind statistics: grouped counts and milestone times over a
//! period, computed by the database.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use super::tips::{history, tip};
use crate::domain::tip::TipStatus;

/// Tips submitted in `[from, to)`, counted by `(status, category)`.
pub async fn tip_counts(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(TipStatus, String, i64)>, DbErr> {
    let statement = Query::select()
        .column(tip::Column::Status)
        .column(tip::Column::Category)
        .expr_as(Expr::col(tip::Column::Id).count(), Alias::new("n"))
        .from(tip::Entity)
        .and_where(Expr::col(tip::Column::CreatedAt).gte(from))
        .and_where(Expr::col(tip::Column::CreatedAt).lt(to))
        .group_by_col(tip::Column::Status)
        .group_by_col(tip::Column::Category)
        .to_owned();
    let mut counts = Vec::new();
    for row in db.query_all(&statement).await? {
        counts.push((
            row.try_get("", "status")?,
            row.try_get("", "category")?,
            row.try_get("", "n")?,
        ));
    }
    Ok(counts)
}

/// For each tip submitted in `[from, to)` that got there: when it was
/// submitted, first verified, first forwarded.
pub struct TipMilestones {
    pub submitted: DateTime<Utc>,
    pub verified: Option<DateTime<Utc>>,
    pub forwarded: Option<DateTime<Utc>>,
}

pub async fn tip_milestones(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<TipMilestones>, DbErr> {
    let statement = Query::select()
        .column((tip::Entity, tip::Column::Id))
        .column((tip::Entity, tip::Column::CreatedAt))
        .column((history::Entity, history::Column::Status))
        .expr_as(
            Func::min(Expr::col((history::Entity, history::Column::CreatedAt))),
            Alias::new("reached"),
        )
        .from(tip::Entity)
        .inner_join(
            history::Entity,
            Expr::col((history::Entity, history::Column::TipId))
                .equals((tip::Entity, tip::Column::Id)),
        )
        .and_where(Expr::col((tip::Entity, tip::Column::CreatedAt)).gte(from))
        .and_where(Expr::col((tip::Entity, tip::Column::CreatedAt)).lt(to))
        .and_where(
            Expr::col((history::Entity, history::Column::Status))
                .is_in([TipStatus::Verified, TipStatus::Forwarded]),
        )
        .group_by_col((tip::Entity, tip::Column::Id))
        .group_by_col((tip::Entity, tip::Column::CreatedAt))
        .group_by_col((history::Entity, history::Column::Status))
        .order_by((tip::Entity, tip::Column::Id), sea_orm::Order::Asc)
        .to_owned();
    let mut out: Vec<(Uuid, TipMilestones)> = Vec::new();
    for row in db.query_all(&statement).await? {
        let id: Uuid = row.try_get("", "id")?;
        let status: TipStatus = row.try_get("", "status")?;
        let reached: DateTime<Utc> = row.try_get("", "reached")?;
        if out.last().is_none_or(|(last, _)| *last != id) {
            out.push((
                id,
                TipMilestones {
                    submitted: row.try_get("", "created_at")?,
                    verified: None,
                    forwarded: None,
                },
            ));
        }
        let (_, milestones) = out.last_mut().expect("pushed above");
        if status == TipStatus::Verified {
            milestones.verified = Some(reached);
        } else {
            milestones.forwarded = Some(reached);
        }
    }
    Ok(out.into_iter().map(|(_, m)| m).collect())
}

/// How many tips each lead holds.
pub async fn tips_per_lead(
    db: &impl ConnectionTrait,
    lead_ids: &[Uuid],
) -> Result<Vec<(Uuid, i64)>, DbErr> {
    if lead_ids.is_empty() {
        return Ok(Vec::new());
    }
    let statement = Query::select()
        .column(tip::Column::LeadId)
        .expr_as(Expr::col(tip::Column::Id).count(), Alias::new("n"))
        .from(tip::Entity)
        .and_where(Expr::col(tip::Column::LeadId).is_in(lead_ids.iter().copied()))
        .group_by_col(tip::Column::LeadId)
        .to_owned();
    let mut counts = Vec::new();
    for row in db.query_all(&statement).await? {
        counts.push((row.try_get("", "lead_id")?, row.try_get("", "n")?));
    }
    Ok(counts)
}
