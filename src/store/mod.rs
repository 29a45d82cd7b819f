//! The relational store: connecting, migrating, and the entities and
//! queries of each aggregate in a module of its own. Functions take a
//! connection or a transaction (`&impl ConnectionTrait`), never HTTP types.
//!
//! Columns holding a closed set (states, kinds, roles, reasons) are typed:
//! the domain's enums where the domain has one, else an enum beside its
//! table (`media::Status`, `webhook_events::Status`, `notifications::Kind`,
//! `audit::ActorKind`, `rewards::Reason`), all stored as their names, so a
//! state is never written here as a string.
//!
//! Modules read downwards only: `tips` imports no other aggregate, `leads`
//! reads `tips`' tables for its contact filter, and `contacts` (queries
//! about one contact across tips and leads) and `stats` read both.

pub mod audit;
pub mod categories;
pub mod contacts;
pub mod idempotency;
pub mod leads;
pub mod media;
pub mod notifications;
pub mod outcomes;
pub mod rate_counters;
pub mod refresh_tokens;
pub mod reject_reasons;
pub mod rewards;
pub mod stats;
pub mod suggestions;
pub mod tips;
pub mod units;
pub mod users;
pub mod webhook_events;
pub mod wording;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use tipline_migrations::{Migrator, MigratorTrait};

use crate::config::{DatabaseKind, DatabaseUrl};

/// Why the database could not be opened, worded for the one line a failed
/// start prints.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach the database at {url}: {source}")]
    Unreachable {
        /// Shown without its password.
        url: DatabaseUrl,
        source: Box<DbErr>,
    },
    #[error("cannot create the directory for the SQLite file {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
}

pub async fn connect(
    url: &DatabaseUrl,
    max_connections: u32,
    connect_timeout: Duration,
) -> Result<DatabaseConnection, ConnectError> {
    if url.kind() == DatabaseKind::Sqlite {
        create_sqlite_dir(url)?;
    }
    let mut options = ConnectOptions::new(url.expose());
    options
        .max_connections(max_connections)
        .connect_timeout(connect_timeout)
        .acquire_timeout(connect_timeout)
        // Statements are traced by our own spans; sqlx's logging would only
        // duplicate them at a level we do not control.
        .sqlx_logging(false)
        // WAL lets readers proceed while one writer commits; the busy timeout
        // makes a second writer wait instead of failing at once.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    let db = Database::connect(options)
        .await
        .map_err(|source| ConnectError::Unreachable {
            url: url.clone(),
            source: Box::new(source),
        })?;
    Ok(db)
}

fn create_sqlite_dir(url: &DatabaseUrl) -> Result<(), ConnectError> {
    let path = url
        .expose()
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| ConnectError::Directory {
                path: path.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// The PostgreSQL advisory lock key of migrating ("tipline" and 2; the
/// sealer's is 1).
const MIGRATION_LOCK: i64 = 0x7469_706c_696e_6502;

/// Applies the migrations that have not run yet.
///
/// On PostgreSQL, nodes that start at once on a new database would each
/// create the same tables, and all but one would fail to start; so one
/// node migrates at a time, under a lock held by the transaction the
/// migrations run in, and the others then find nothing pending. (Each
/// migration is a savepoint inside it; a future migration that cannot run
/// in a transaction, such as `CREATE INDEX CONCURRENTLY`, needs another
/// way.) SQLite serialises writers itself.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// Splits a page fetched with one row more than `limit`: the rows to show,
/// and the key (id, position) to continue after when there is more.
pub fn split_page<T, K>(
    mut rows: Vec<T>,
    limit: u64,
    id_of: impl Fn(&T) -> K,
) -> (Vec<T>, Option<K>) {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(id_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// `SELECT 1`, for `/readyz`.
pub async fn ping(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}
