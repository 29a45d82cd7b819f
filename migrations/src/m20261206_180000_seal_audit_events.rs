//! Audit events are appended unsealed and chained afterwards by one sealer:
//! an event's position and hashes become optional until it is sealed, a
//! partial index finds the unsealed ones, and the chain's head records the
//! last signed checkpoint. Events already chained keep their position and
//! hashes unchanged, so they verify as before.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Id,
    /// Position in the chain, from 1 without gaps; null until sealed.
    Seq,
    PrevHash,
    Hash,
    OccurredAt,
    ActorKind,
    ActorId,
    Action,
    ObjectKind,
    ObjectId,
    RequestId,
    Details,
}

/// A copy with nullable positions and hashes, for SQLite, which cannot drop
/// a NOT NULL in place.
#[derive(DeriveIden)]
enum AuditEventsResealed {
    Table,
}

#[derive(DeriveIden)]
enum AuditChain {
    Table,
    /// The position the last signed checkpoint covers.
    CheckpointSeq,
    /// When it was made.
    CheckpointAt,
}

const COLUMNS: &str = "id, seq, prev_hash, hash, occurred_at, actor_kind, actor_id, action, \
                       object_kind, object_id, request_id, details";

/// Rebuilds `audit_events` on SQLite with its chain columns nullable or not.
async fn rebuild_sqlite(manager: &SchemaManager<'_>, nullable: bool) -> Result<(), DbErr> {
    let chain_col = |col: AuditEvents, len: Option<u32>| match (len, nullable) {
        (Some(len), true) => string_len_null(col, len),
        (Some(len), false) => string_len(col, len),
        (None, true) => big_integer_null(col),
        (None, false) => big_integer(col),
    };
    manager
        .create_table(
            Table::create()
                .table(AuditEventsResealed::Table)
                .col(uuid(AuditEvents::Id).primary_key())
                .col(chain_col(AuditEvents::Seq, None).unique_key())
                .col(chain_col(AuditEvents::PrevHash, Some(64)))
                .col(chain_col(AuditEvents::Hash, Some(64)))
                .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                .col(string_len(AuditEvents::ActorKind, 20))
                .col(uuid_null(AuditEvents::ActorId))
                .col(string_len(AuditEvents::Action, 60))
                .col(string_len(AuditEvents::ObjectKind, 30))
                .col(uuid_null(AuditEvents::ObjectId))
                .col(string_len(AuditEvents::RequestId, 128))
                .col(text_null(AuditEvents::Details))
                .to_owned(),
        )
        .await?;
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO audit_events_resealed ({COLUMNS}) SELECT {COLUMNS} FROM audit_events"
    ))
    .await?;
    db.execute_unprepared("DROP TABLE audit_events").await?;
    db.execute_unprepared("ALTER TABLE audit_events_resealed RENAME TO audit_events")
        .await?;
    db.execute_unprepared(
        "CREATE INDEX idx_audit_events_object ON audit_events (object_kind, object_id)",
    )
    .await
    .map(drop)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// SQLite too: the table is rebuilt, and half a rebuild must not stay.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => rebuild_sqlite(manager, true).await?,
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE audit_events ALTER COLUMN seq DROP NOT NULL, \
                     ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL",
                )
                .await?;
            }
        }
        // What the sealer reads on every pass: small, whatever the log's size.
        db.execute_unprepared(
            "CREATE INDEX idx_audit_events_unsealed ON audit_events (id) WHERE seq IS NULL",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditChain::Table)
                    .add_column(big_integer(AuditChain::CheckpointSeq).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditChain::Table)
                    .add_column(timestamp_with_time_zone_null(AuditChain::CheckpointAt))
                    .to_owned(),
            )
            .await
    }

    /// Back to every event chained when written: only once every event has
    /// been sealed (a NOT NULL on an unsealed row fails, and says so).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for column in [AuditChain::CheckpointAt, AuditChain::CheckpointSeq] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditChain::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        db.execute_unprepared("DROP INDEX idx_audit_events_unsealed")
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => rebuild_sqlite(manager, false).await,
            _ => db
                .execute_unprepared(
                    "ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL, \
                     ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL",
                )
                .await
                .map(drop),
        }
    }
}
