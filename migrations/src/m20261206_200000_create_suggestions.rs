//! Reading the card: contacts found in a photo (a QR code or printed text)
//! wait as suggestions until a moderator confirms or dismisses them, and
//! each photo's reading is a job in the database, so every node can take
//! it and a restart resumes it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tips {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// One row per stored photo: whether its card has been read.
#[derive(DeriveIden)]
enum MediaReadings {
    Table,
    MediaId,
    /// `pending` (waiting, or being read while `leased_until` is ahead),
    /// `done` or `failed` (given up after `attempts`).
    State,
    /// Readings begun; a reader that died leaves its lease to run out and
    /// the next one counts again.
    Attempts,
    LeasedUntil,
    CreatedAt,
    FinishedAt,
}

/// A contact read from a photo.
#[derive(DeriveIden)]
enum ContactSuggestions {
    Table,
    Id,
    MediaId,
    /// Set once the photo is in a tip.
    TipId,
    /// `phone`, `wechat`, `qq` or `url`.
    Kind,
    /// Normalised as tips' contacts are.
    Value,
    /// `qr` or `text`.
    Source,
    /// 0–1.
    Confidence,
    /// The box where it was found, as fractions (0–1) of the upright photo.
    RegionX,
    RegionY,
    RegionW,
    RegionH,
    /// `suggested`, `confirmed` or `dismissed`.
    State,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MediaReadings::Table)
                    .col(uuid(MediaReadings::MediaId).primary_key())
                    .col(string_len(MediaReadings::State, 16))
                    .col(integer(MediaReadings::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(MediaReadings::LeasedUntil))
                    .col(timestamp_with_time_zone(MediaReadings::CreatedAt))
                    .col(timestamp_with_time_zone_null(MediaReadings::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_readings_media")
                            .from(MediaReadings::Table, MediaReadings::MediaId)
                            .to(Media::Table, Media::Id)
                            // The reaper removes photos no tip took.
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The readers' scan: pending photos, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_media_readings_pending")
                    .table(MediaReadings::Table)
                    .col(MediaReadings::State)
                    .col(MediaReadings::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // Photos stored before cards were read are read too: their tips
        // may join clusters they missed.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO media_readings (media_id, state, attempts, created_at) \
                 SELECT id, 'pending', 0, created_at FROM media WHERE status = 'stored'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContactSuggestions::Table)
                    .col(uuid(ContactSuggestions::Id).primary_key())
                    .col(uuid(ContactSuggestions::MediaId))
                    .col(uuid_null(ContactSuggestions::TipId))
                    .col(string_len(ContactSuggestions::Kind, 16))
                    .col(string_len(ContactSuggestions::Value, 2048))
                    .col(string_len(ContactSuggestions::Source, 8))
                    .col(double(ContactSuggestions::Confidence))
                    .col(double(ContactSuggestions::RegionX))
                    .col(double(ContactSuggestions::RegionY))
                    .col(double(ContactSuggestions::RegionW))
                    .col(double(ContactSuggestions::RegionH))
                    .col(string_len(ContactSuggestions::State, 16))
                    .col(uuid_null(ContactSuggestions::DecidedBy))
                    .col(timestamp_with_time_zone_null(ContactSuggestions::DecidedAt))
                    .col(timestamp_with_time_zone(ContactSuggestions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_suggestions_media")
                            .from(ContactSuggestions::Table, ContactSuggestions::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_suggestions_tip")
                            .from(ContactSuggestions::Table, ContactSuggestions::TipId)
                            .to(Tips::Table, Tips::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_suggestions_decided_by")
                            .from(ContactSuggestions::Table, ContactSuggestions::DecidedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A photo suggests each contact once (the best of its readings).
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_suggestions_media")
                    .table(ContactSuggestions::Table)
                    .col(ContactSuggestions::MediaId)
                    .col(ContactSuggestions::Kind)
                    .col(ContactSuggestions::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_suggestions_tip")
                    .table(ContactSuggestions::Table)
                    .col(ContactSuggestions::TipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ContactSuggestions::Table.into_iden(),
            MediaReadings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
