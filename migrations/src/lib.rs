//! The schema, one file per change. A migration that has landed on main is
//! never edited: the next change is a new file. Each runs the same on SQLite
//! and PostgreSQL (the test suite runs both).

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_accounts;
mod m20261128_000002_create_sessions;
mod m20261128_000003_create_reporting;
mod m20261128_000004_create_moderation;
mod m20261128_000005_create_routing;
mod m20261206_180000_seal_audit_events;
mod m20261206_200000_create_suggestions;
mod m20261206_220000_tip_state_count_slots;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_accounts::Migration),
            Box::new(m20261128_000002_create_sessions::Migration),
            Box::new(m20261128_000003_create_reporting::Migration),
            Box::new(m20261128_000004_create_moderation::Migration),
            Box::new(m20261128_000005_create_routing::Migration),
            Box::new(m20261206_180000_seal_audit_events::Migration),
            Box::new(m20261206_200000_create_suggestions::Migration),
            Box::new(m20261206_220000_tip_state_count_slots::Migration),
        ]
    }
}
