//! Reporting: categories (seeded), tips with their contacts, photos, public
//! history and conversation, idempotency keys for retried writes, and the
//! audit log every state change writes to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Code,
    LabelZh,
    LabelEn,
    Retired,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tips {
    Table,
    Id,
    Reference,
    /// Null for anonymous tips: nothing links them to a person.
    ReporterUserId,
    Category,
    Description,
    Lat,
    Lon,
    AccuracyM,
    /// `wgs84` or `gcj02`: what the client sent, kept with its coordinates.
    Crs,
    LatOriginal,
    LonOriginal,
    Address,
    OccurredAt,
    Status,
    Version,
    ReceiptCode,
    ReceiptSecretHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TipContacts {
    Table,
    Id,
    TipId,
    Kind,
    Value,
}

#[derive(DeriveIden)]
enum TipHistory {
    Table,
    Id,
    TipId,
    Status,
    /// What the reporter is told, if anything.
    PublicNote,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TipMessages {
    Table,
    Id,
    TipId,
    /// `reporter` or `moderator`.
    Author,
    AuthorUserId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    OwnerUserId,
    /// The anonymous session that uploaded it; a random id, nothing more.
    OwnerSessionId,
    TipId,
    /// `pending` until every object is stored, then `stored`.
    Status,
    Kind,
    Sha256,
    ByteSize,
    Width,
    Height,
    OriginalKey,
    DisplayKey,
    DisplayWidth,
    DisplayHeight,
    ThumbKey,
    ThumbWidth,
    ThumbHeight,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    /// Whose key: `user:<id>` or `session:<id>`, and which operation.
    Scope,
    Key,
    RequestHash,
    ResponseStatus,
    ResponseBody,
    CreatedAt,
}

/// The head of the audit chain: one row, locked by every writer of an event
/// so that events are chained one after another, never forked.
#[derive(DeriveIden)]
enum AuditChain {
    Table,
    Id,
    Seq,
    Hash,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    /// Position in the chain, from 1 without gaps.
    Seq,
    /// The hash of the event before (64 zeros for the first).
    PrevHash,
    /// SHA-256(prev_hash || canonical form of this event), hex.
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

fn index(name: &str, table: impl IntoIden, cols: &[DynIden]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col.clone());
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(string_len(Categories::Code, 40).primary_key())
                    .col(string_len(Categories::LabelZh, 100))
                    .col(string_len(Categories::LabelEn, 100))
                    .col(boolean(Categories::Retired).default(false))
                    .col(integer(Categories::Position))
                    .col(
                        timestamp_with_time_zone(Categories::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .to_owned(),
            )
            .await?;
        let seed = [
            ("illicit_card_ads", "涉黄小卡片", "Illicit card advertising"),
            ("fraud", "电信网络诈骗", "Telecom and online fraud"),
            ("drugs", "涉毒", "Drugs"),
            ("gambling", "涉赌", "Gambling"),
            ("other", "其他", "Other"),
        ];
        let mut insert = Query::insert();
        insert.into_table(Categories::Table).columns([
            Categories::Code,
            Categories::LabelZh,
            Categories::LabelEn,
            Categories::Retired,
            Categories::Position,
        ]);
        for (position, (code, zh, en)) in seed.into_iter().enumerate() {
            insert.values_panic([
                code.into(),
                zh.into(),
                en.into(),
                false.into(),
                (position as i32 * 10).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Tips::Table)
                    .col(uuid(Tips::Id).primary_key())
                    .col(string_len(Tips::Reference, 20).unique_key())
                    .col(uuid_null(Tips::ReporterUserId))
                    .col(string_len(Tips::Category, 40))
                    .col(text(Tips::Description))
                    .col(double(Tips::Lat))
                    .col(double(Tips::Lon))
                    .col(double_null(Tips::AccuracyM))
                    .col(string_len(Tips::Crs, 8))
                    .col(double(Tips::LatOriginal))
                    .col(double(Tips::LonOriginal))
                    .col(string_len_null(Tips::Address, 500))
                    .col(timestamp_with_time_zone_null(Tips::OccurredAt))
                    .col(string_len(Tips::Status, 20))
                    .col(integer(Tips::Version).default(0))
                    .col(string_len_null(Tips::ReceiptCode, 20).unique_key())
                    .col(string_len_null(Tips::ReceiptSecretHash, 64))
                    .col(timestamp_with_time_zone(Tips::CreatedAt))
                    .col(timestamp_with_time_zone(Tips::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tips_reporter")
                            .from(Tips::Table, Tips::ReporterUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tips_category")
                            .from(Tips::Table, Tips::Category)
                            .to(Categories::Table, Categories::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tips_reporter",
                Tips::Table,
                &[Tips::ReporterUserId.into_iden(), Tips::Id.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_tips_status",
                Tips::Table,
                &[Tips::Status.into_iden(), Tips::CreatedAt.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TipContacts::Table)
                    .col(uuid(TipContacts::Id).primary_key())
                    .col(uuid(TipContacts::TipId))
                    .col(string_len(TipContacts::Kind, 10))
                    .col(string_len(TipContacts::Value, 2048))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tip_contacts_tip")
                            .from(TipContacts::Table, TipContacts::TipId)
                            .to(Tips::Table, Tips::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tip_contacts_value",
                TipContacts::Table,
                &[
                    TipContacts::Kind.into_iden(),
                    TipContacts::Value.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_tip_contacts_tip",
                TipContacts::Table,
                &[TipContacts::TipId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TipHistory::Table)
                    .col(uuid(TipHistory::Id).primary_key())
                    .col(uuid(TipHistory::TipId))
                    .col(string_len(TipHistory::Status, 20))
                    .col(text_null(TipHistory::PublicNote))
                    .col(timestamp_with_time_zone(TipHistory::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tip_history_tip")
                            .from(TipHistory::Table, TipHistory::TipId)
                            .to(Tips::Table, Tips::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tip_history_tip",
                TipHistory::Table,
                &[TipHistory::TipId.into_iden(), TipHistory::Id.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TipMessages::Table)
                    .col(uuid(TipMessages::Id).primary_key())
                    .col(uuid(TipMessages::TipId))
                    .col(string_len(TipMessages::Author, 20))
                    .col(uuid_null(TipMessages::AuthorUserId))
                    .col(text(TipMessages::Body))
                    .col(timestamp_with_time_zone(TipMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tip_messages_tip")
                            .from(TipMessages::Table, TipMessages::TipId)
                            .to(Tips::Table, Tips::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tip_messages_tip",
                TipMessages::Table,
                &[TipMessages::TipId.into_iden(), TipMessages::Id.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(uuid(Media::Id).primary_key())
                    .col(uuid_null(Media::OwnerUserId))
                    .col(uuid_null(Media::OwnerSessionId))
                    .col(uuid_null(Media::TipId))
                    .col(string_len(Media::Status, 10))
                    .col(string_len(Media::Kind, 10))
                    .col(string_len(Media::Sha256, 64))
                    .col(big_integer(Media::ByteSize))
                    .col(integer(Media::Width))
                    .col(integer(Media::Height))
                    .col(string_len(Media::OriginalKey, 200))
                    .col(string_len(Media::DisplayKey, 200))
                    .col(integer(Media::DisplayWidth))
                    .col(integer(Media::DisplayHeight))
                    .col(string_len(Media::ThumbKey, 200))
                    .col(integer(Media::ThumbWidth))
                    .col(integer(Media::ThumbHeight))
                    .col(timestamp_with_time_zone(Media::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_owner")
                            .from(Media::Table, Media::OwnerUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        // Evidence outlives nothing by accident: a tip with
                        // photos cannot simply be deleted.
                        ForeignKey::create()
                            .name("fk_media_tip")
                            .from(Media::Table, Media::TipId)
                            .to(Tips::Table, Tips::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_media_tip", vec![Media::TipId.into_iden()]),
            ("idx_media_sha256", vec![Media::Sha256.into_iden()]),
            // The reaper's question: unattached and old.
            (
                "idx_media_unattached",
                vec![Media::TipId.into_iden(), Media::CreatedAt.into_iden()],
            ),
        ] {
            manager
                .create_index(index(name, Media::Table, &cols))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string_len(IdempotencyKeys::Scope, 100))
                    .col(string_len(IdempotencyKeys::Key, 200))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer_null(IdempotencyKeys::ResponseStatus))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Scope)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(big_integer(AuditEvents::Seq).unique_key())
                    .col(string_len(AuditEvents::PrevHash, 64))
                    .col(string_len(AuditEvents::Hash, 64))
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
        manager
            .create_table(
                Table::create()
                    .table(AuditChain::Table)
                    .col(integer(AuditChain::Id).primary_key())
                    .col(big_integer(AuditChain::Seq))
                    .col(string_len(AuditChain::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditChain::Table)
                    .columns([AuditChain::Id, AuditChain::Seq, AuditChain::Hash])
                    .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_audit_events_object",
                AuditEvents::Table,
                &[
                    AuditEvents::ObjectKind.into_iden(),
                    AuditEvents::ObjectId.into_iden(),
                ],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditChain::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            Media::Table.into_iden(),
            TipMessages::Table.into_iden(),
            TipHistory::Table.into_iden(),
            TipContacts::Table.into_iden(),
            Tips::Table.into_iden(),
            Categories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
