//! Administering units: who receives leads, where, for what, and how fast.
//! Every write is checked here (the jurisdiction's GeoJSON, the
//! categories, the parent, the deadlines, the webhook) and audited.
//! Disabling a unit keeps it and its history; it just receives nothing new.

use sea_orm::TransactionTrait;
use uuid::Uuid;

use crate::app::AppState;
use crate::context::Ctx;
use crate::domain::jurisdiction::Jurisdiction;
use crate::domain::unit::UnitKind;
use crate::error::ServiceError;
use crate::store::audit::{self, Event};
use crate::store::{categories, units};

/// A unit's settings, as an admin sets them; for a change, `None` keeps
/// what is there (and `Some(None)` clears an optional one).
#[derive(Clone, Debug, Default)]
pub struct UnitChanges {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: Option<Option<Uuid>>,
    pub jurisdiction: Option<Option<serde_json::Value>>,
    pub categories: Option<Vec<String>>,
    pub accept_hours: Option<i32>,
    pub resolve_hours: Option<i32>,
    /// URL and secret, set or cleared together.
    pub webhook: Option<Option<(String, String)>>,
    pub disabled: Option<bool>,
}

fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid(code, message)
}

/// The canonical GeoJSON text of a valid jurisdiction; 422
/// `unit.invalid_jurisdiction` naming the problem otherwise.
pub fn checked_jurisdiction(geojson: &serde_json::Value) -> Result<String, ServiceError> {
    Jurisdiction::parse(geojson).map_err(|e| invalid("unit.invalid_jurisdiction", e.0))?;
    Ok(geojson.to_string())
}

fn checked_webhook(url: &str, secret: &str) -> Result<(), ServiceError> {
    let parsed = url::Url::parse(url)
        .map_err(|_| invalid("unit.invalid_webhook", "the webhook URL is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid(
            "unit.invalid_webhook",
            "the webhook URL must be http:// or https:// with a host",
        ));
    }
    if !(16..=200).contains(&secret.chars().count()) {
        return Err(invalid(
            "unit.invalid_webhook",
            "the webhook secret must be 16 to 200 characters",
        ));
    }
    Ok(())
}

async fn apply(
    state: &AppState,
    mut unit: units::Model,
    changes: &UnitChanges,
) -> Result<units::Model, ServiceError> {
    if let Some(name) = &changes.name_zh {
        unit.name_zh = name.trim().to_owned();
    }
    if let Some(name) = &changes.name_en {
        unit.name_en = name.trim().to_owned();
    }
    if unit.name_zh.is_empty() || unit.name_en.is_empty() {
        return Err(invalid("unit.invalid_name", "both names are needed"));
    }
    if let Some(kind) = changes.kind {
        unit.kind = kind;
    }
    if let Some(parent) = changes.parent_id {
        if let Some(parent) = parent {
            // Walk up from the new parent: the unit must not be its own
            // ancestor.
            let mut at = Some(parent);
            let mut steps = 0;
            while let Some(id) = at {
                if id == unit.id || steps > 64 {
                    return Err(invalid(
                        "unit.invalid_parent",
                        "a unit cannot be under itself",
                    ));
                }
                let found = units::find(&state.db, id)
                    .await?
                    .ok_or_else(|| invalid("unit.invalid_parent", "no such parent unit"))?;
                at = found.parent_id;
                steps += 1;
            }
        }
        unit.parent_id = parent;
    }
    if let Some(jurisdiction) = &changes.jurisdiction {
        unit.jurisdiction = jurisdiction
            .as_ref()
            .map(checked_jurisdiction)
            .transpose()?;
    }
    for hours in [changes.accept_hours, changes.resolve_hours]
        .into_iter()
        .flatten()
    {
        if !(1..=24 * 365).contains(&hours) {
            return Err(invalid(
                "unit.invalid_deadline",
                "deadlines are 1 to 8760 hours",
            ));
        }
    }
    unit.accept_hours = changes.accept_hours.unwrap_or(unit.accept_hours);
    unit.resolve_hours = changes.resolve_hours.unwrap_or(unit.resolve_hours);
    if let Some(webhook) = &changes.webhook {
        if let Some((url, secret)) = webhook {
            checked_webhook(url, secret)?;
        }
        unit.webhook_url = webhook.as_ref().map(|(url, _)| url.clone());
        unit.webhook_secret = webhook.as_ref().map(|(_, secret)| secret.clone());
    }
    if let Some(disabled) = changes.disabled {
        unit.disabled = disabled;
    }
    if let Some(codes) = &changes.categories {
        let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
        if distinct.len() != codes.len() {
            return Err(invalid(
                "unit.invalid_categories",
                "a category is named twice",
            ));
        }
        for code in codes {
            if categories::find(&state.db, code).await?.is_none() {
                return Err(invalid(
                    "unit.unknown_category",
                    format!("no category `{code}`"),
                ));
            }
        }
    }
    Ok(unit)
}

/// What the audit log keeps of a change: which settings, never the secret.
fn audited(changes: &UnitChanges) -> serde_json::Value {
    let mut set = Vec::new();
    for (name, present) in [
        ("name_zh", changes.name_zh.is_some()),
        ("name_en", changes.name_en.is_some()),
        ("kind", changes.kind.is_some()),
        ("parent_id", changes.parent_id.is_some()),
        ("jurisdiction", changes.jurisdiction.is_some()),
        ("categories", changes.categories.is_some()),
        ("accept_hours", changes.accept_hours.is_some()),
        ("resolve_hours", changes.resolve_hours.is_some()),
        ("webhook", changes.webhook.is_some()),
        ("disabled", changes.disabled.is_some()),
    ] {
        if present {
            set.push(name);
        }
    }
    serde_json::json!({ "changed": set })
}

/// Creates a unit from `changes` (names and kind required).
pub async fn create(
    state: &AppState,
    ctx: &Ctx,
    changes: UnitChanges,
) -> Result<units::Model, ServiceError> {
    let Some(kind) = changes.kind else {
        return Err(invalid("unit.invalid_kind", "a unit needs a kind"));
    };
    let blank = units::Model {
        id: Uuid::now_v7(),
        name_zh: String::new(),
        name_en: String::new(),
        kind,
        disabled: false,
        created_at: ctx.now,
        parent_id: None,
        jurisdiction: None,
        accept_hours: 24,
        resolve_hours: 168,
        webhook_url: None,
        webhook_secret: None,
    };
    let unit = apply(state, blank, &changes).await?;
    let txn = state.db.begin().await?;
    let unit = units::insert(&txn, unit).await?;
    if let Some(codes) = &changes.categories {
        units::set_categories(&txn, unit.id, codes).await?;
    }
    audit::record(
        &txn,
        ctx,
        Event::new("unit.create", "unit", unit.id).details(audited(&changes)),
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}

/// Changes a unit's settings.
pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    changes: UnitChanges,
) -> Result<units::Model, ServiceError> {
    let before = units::find(&state.db, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound("unit.not_found", "no such unit".into()))?;
    let after = apply(state, before.clone(), &changes).await?;
    let txn = state.db.begin().await?;
    let unit = units::update_changed(&txn, &before, after).await?;
    if let Some(codes) = &changes.categories {
        units::set_categories(&txn, unit.id, codes).await?;
    }
    audit::record(
        &txn,
        ctx,
        Event::new("unit.update", "unit", unit.id).details(audited(&changes)),
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}
