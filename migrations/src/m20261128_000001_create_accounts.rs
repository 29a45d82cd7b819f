//! Accounts and the units staff belong to. Staff log in by username,
//! citizens by phone number (E.164); a unit officer belongs to one unit.
//! Roles and what they may do are the application's business; the tables only
//! keep the facts. Units grow their jurisdiction and routing data later.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    NameZh,
    NameEn,
    Kind,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    Phone,
    PasswordHash,
    Role,
    UnitId,
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
                    .table(Units::Table)
                    .col(uuid(Units::Id).primary_key())
                    .col(string_len(Units::NameZh, 200))
                    .col(string_len(Units::NameEn, 200))
                    .col(string_len(Units::Kind, 32))
                    .col(boolean(Units::Disabled).default(false))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(string_len_null(Users::Username, 64).unique_key())
                    .col(string_len_null(Users::Phone, 20).unique_key())
                    .col(string_len(Users::PasswordHash, 255))
                    .col(string_len(Users::Role, 32))
                    .col(uuid_null(Users::UnitId))
                    .col(boolean(Users::Disabled).default(false))
                    // Bumped to invalidate every token issued to the user at once.
                    .col(integer(Users::TokenVersion).default(0))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_unit")
                            .from(Users::Table, Users::UnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_users_role", Users::Role),
            ("idx_users_unit", Users::UnitId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Users::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Units::Table).to_owned())
            .await
    }
}
