//! Worded lists: codes that staff choose from and whose texts reporters
//! read (reject reasons, outcomes) — labels, public texts, retired, order.
//! One way to change them, for every such table.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{EntityTrait, UpdateMany};

/// New values for some fields; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub public_zh: Option<String>,
    pub public_en: Option<String>,
    pub retired: Option<bool>,
    pub position: Option<i32>,
}

/// A worded table's columns, in the order of [`Changes`].
pub struct Columns<C> {
    pub label_zh: C,
    pub label_en: C,
    pub public_zh: C,
    pub public_en: C,
    pub retired: C,
    pub position: C,
}

/// Adds the assignments of `changes` to `update`. There is always one
/// (`position`), so an empty change still finds its row.
pub fn assign<E: EntityTrait>(
    mut update: UpdateMany<E>,
    columns: Columns<E::Column>,
    changes: Changes,
) -> UpdateMany<E> {
    for (column, text) in [
        (columns.label_zh, changes.label_zh),
        (columns.label_en, changes.label_en),
        (columns.public_zh, changes.public_zh),
        (columns.public_en, changes.public_en),
    ] {
        if let Some(text) = text {
            update = update.col_expr(column, Expr::value(text));
        }
    }
    if let Some(retired) = changes.retired {
        update = update.col_expr(columns.retired, Expr::value(retired));
    }
    let position: SimpleExpr = match changes.position {
        Some(position) => Expr::value(position),
        None => Expr::col(columns.position),
    };
    update.col_expr(columns.position, position)
}
