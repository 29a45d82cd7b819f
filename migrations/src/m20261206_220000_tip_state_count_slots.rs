//! The per-state tip counts spread over several rows per state: every
//! submission and every transition used to update the one row of its state,
//! so all writes of the service, on every node, queued behind nine rows.
//! Now each transaction adds to one of `SLOTS` rows of a state, chosen at
//! random, and a read sums them. The counts so far move to slot 0.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TipStateCountSlots {
    Table,
    Status,
    Slot,
    Count,
}

#[derive(DeriveIden)]
enum TipStatusCounts {
    Table,
    Status,
    Count,
}

/// Rows per state. The service picks a slot below this number; a slot it
/// picks without a row is an error there, never a count lost.
const SLOTS: i16 = 16;

/// The states as they were when this migration landed; a later state adds
/// its own rows in its own migration.
const STATUSES: [&str; 9] = [
    "closed",
    "duplicate",
    "forwarded",
    "in_review",
    "needs_info",
    "rejected",
    "submitted",
    "verified",
    "withdrawn",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// SQLite too: the old table is dropped, and its counts must not be lost
    /// half-way.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TipStateCountSlots::Table)
                    .col(string_len(TipStateCountSlots::Status, 20))
                    .col(small_integer(TipStateCountSlots::Slot))
                    .col(big_integer(TipStateCountSlots::Count).default(0))
                    .primary_key(
                        Index::create()
                            .col(TipStateCountSlots::Status)
                            .col(TipStateCountSlots::Slot),
                    )
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(TipStateCountSlots::Table).columns([
            TipStateCountSlots::Status,
            TipStateCountSlots::Slot,
            TipStateCountSlots::Count,
        ]);
        for status in STATUSES {
            for slot in 0..SLOTS {
                insert.values_panic([status.into(), slot.into(), 0i64.into()]);
            }
        }
        manager.exec_stmt(insert).await?;
        // The counts kept so far, into slot 0 of their state.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tip_state_count_slots SET count = \
                 (SELECT old.count FROM tip_status_counts old \
                  WHERE old.status = tip_state_count_slots.status) \
                 WHERE slot = 0 AND status IN (SELECT status FROM tip_status_counts)",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TipStatusCounts::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TipStatusCounts::Table)
                    .col(string_len(TipStatusCounts::Status, 20).primary_key())
                    .col(big_integer(TipStatusCounts::Count).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO tip_status_counts (status, count) \
                 SELECT status, SUM(count) FROM tip_state_count_slots GROUP BY status",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TipStateCountSlots::Table).to_owned())
            .await
    }
}
