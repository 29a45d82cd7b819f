//! The vocabularies administrators keep as data: tip categories, reject
//! reasons and outcomes (their labels, the texts reporters read, an
//! outcome's points). Each change is one transaction that writes the row
//! and its audit event. HTTP-free; texts arrive checked (trimmed, not
//! blank) from the edge, and errors are [`ServiceError`] with the codes the
//! API documents.
//!
//! The rows themselves are read and written by `store::categories`,
//! `store::reject_reasons` and `store::outcomes`; this module owns only the
//! administrators' changes to them.

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use serde_json::json;

use crate::app::AppState;
use crate::context::Ctx;
use crate::error::ServiceError;
use crate::store::audit;
use crate::store::{categories, outcomes, reject_reasons, wording};

/// A category to add.
#[derive(Clone, Debug)]
pub struct NewCategory {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    pub position: i32,
}

/// What an administrator changes of a category; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct CategoryChanges {
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub retired: Option<bool>,
}

/// Adds a category; 409 `category.exists` when the code is taken.
pub async fn create_category(
    state: &AppState,
    ctx: &Ctx,
    new: NewCategory,
) -> Result<categories::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let created = categories::create(&txn, &new.code, &new.label_zh, &new.label_en, new.position)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict("category.exists", "a category with this code exists".into())
        })?;
    record_category(&txn, ctx, "category.create", &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Relabels, retires or restores a category; 404 `category.not_found`.
/// Tips already filed keep theirs.
pub async fn update_category(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    changes: CategoryChanges,
) -> Result<categories::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let existing = categories::find(&txn, code)
        .await?
        .ok_or_else(|| ServiceError::NotFound("category.not_found", "no such category".into()))?;
    let updated = categories::update(
        &txn,
        existing,
        changes.label_zh,
        changes.label_en,
        changes.retired,
    )
    .await?;
    record_category(&txn, ctx, "category.update", &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Adds a reject reason; 409 `reject_reason.exists` when the code is taken.
pub async fn create_reject_reason(
    state: &AppState,
    ctx: &Ctx,
    reason: reject_reasons::Model,
) -> Result<reject_reasons::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let created = reject_reasons::create(&txn, reason).await?.ok_or_else(|| {
        ServiceError::Conflict(
            "reject_reason.exists",
            "a reason with this code exists".into(),
        )
    })?;
    record_reject_reason(&txn, ctx, "reject_reason.create", &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Rewords, reorders, retires or restores a reject reason; 404
/// `reject_reason.not_found`. Reporters of tips already rejected with it
/// read the new text.
pub async fn update_reject_reason(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    changes: wording::Changes,
) -> Result<reject_reasons::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let updated = reject_reasons::update(&txn, code, changes)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound("reject_reason.not_found", "no such reject reason".into())
        })?;
    record_reject_reason(&txn, ctx, "reject_reason.update", &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Adds an outcome; 409 `outcome.exists` when the code is taken.
pub async fn create_outcome(
    state: &AppState,
    ctx: &Ctx,
    outcome: outcomes::Model,
) -> Result<outcomes::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let created = outcomes::create(&txn, outcome).await?.ok_or_else(|| {
        ServiceError::Conflict("outcome.exists", "an outcome with this code exists".into())
    })?;
    record_outcome(&txn, ctx, "outcome.create", &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Rewords, reprices, reorders, retires or restores an outcome; 404
/// `outcome.not_found`. Points already credited stay.
pub async fn update_outcome(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    changes: outcomes::Changes,
) -> Result<outcomes::Model, ServiceError> {
    let txn = state.db.begin().await?;
    let updated = outcomes::update(&txn, code, changes)
        .await?
        .ok_or_else(|| ServiceError::NotFound("outcome.not_found", "no such outcome".into()))?;
    record_outcome(&txn, ctx, "outcome.update", &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

// The vocabularies are keyed by code, not id: the code goes in the details.

async fn record_category(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    action: &str,
    category: &categories::Model,
) -> Result<(), DbErr> {
    let details = json!({ "code": category.code, "retired": category.retired });
    record(txn, ctx, action, "category", details).await
}

async fn record_reject_reason(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    action: &str,
    reason: &reject_reasons::Model,
) -> Result<(), DbErr> {
    let details = json!({ "code": reason.code, "retired": reason.retired });
    record(txn, ctx, action, "reject_reason", details).await
}

async fn record_outcome(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    action: &str,
    outcome: &outcomes::Model,
) -> Result<(), DbErr> {
    let details = json!({
        "code": outcome.code,
        "points": outcome.points,
        "retired": outcome.retired,
    });
    record(txn, ctx, action, "outcome", details).await
}

async fn record(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    action: &str,
    object_kind: &str,
    details: serde_json::Value,
) -> Result<(), DbErr> {
    let event = audit::Event {
        action,
        object_kind,
        object_id: None,
        details: Some(details),
    };
    audit::record(txn, ctx, event).await
}
