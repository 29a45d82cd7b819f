//! Accounts: staff log in by username, citizens by phone number (E.164).
//! Roles and what they may do are the application's business; the table only
//! keeps the facts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    Phone,
    PasswordHash,
    Role,
    Disabled,
    TokenVersion,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(string_len_null(Users::Username, 64).unique_key())
                    .col(string_len_null(Users::Phone, 20).unique_key())
                    .col(string_len(Users::PasswordHash, 255))
                    .col(string_len(Users::Role, 32))
                    .col(boolean(Users::Disabled).default(false))
                    // Bumped to invalidate every token issued to the user at once.
                    .col(integer(Users::TokenVersion).default(0))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_role")
                    .table(Users::Table)
                    .col(Users::Role)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
