//! Moderation: claims on tips, decisions (reject reasons, duplicates),
//! internal notes, leads, per-status counts for the queue's tabs, and the
//! perceptual hashes that find similar photos.
//!
//! Columns added to existing tables carry no foreign key: SQLite cannot add
//! a constraint to a table that exists. The code that writes them checks
//! the rows they point at, in the same transaction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tips {
    Table,
    Id,
    Status,
    Category,
    CreatedAt,
    /// The moderator holding the tip, while `claim_expires_at` is ahead.
    ClaimedBy,
    ClaimExpiresAt,
    LeadId,
    /// For `duplicate` tips: the tip that is kept.
    DuplicateOf,
    /// For `rejected` tips: a code of `reject_reasons`.
    RejectReason,
}

#[derive(DeriveIden)]
enum TipContacts {
    Table,
    Kind,
    Value,
    TipId,
}

#[derive(DeriveIden)]
enum TipHistory {
    Table,
    /// The reject reason the reporter is shown with a `rejected` entry; its
    /// texts are read from `reject_reasons`, so an edited text shows.
    ReasonCode,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    /// 64-bit perceptual hash (bits as a signed integer); null for photos
    /// stored before hashes were taken.
    Phash,
    /// The hash's four 16-bit bands, each indexed: near duplicates share one.
    PhashBand0,
    PhashBand1,
    PhashBand2,
    PhashBand3,
}

#[derive(DeriveIden)]
enum RejectReasons {
    Table,
    Code,
    LabelZh,
    LabelEn,
    /// What the reporter reads.
    PublicZh,
    PublicEn,
    Retired,
    Position,
}

#[derive(DeriveIden)]
enum TipNotes {
    Table,
    Id,
    TipId,
    AuthorUserId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Leads {
    Table,
    Id,
    Reference,
    Status,
    Category,
    Title,
    Version,
    CreatedBy,
    /// The unit it was forwarded to, once forwarded.
    UnitId,
    /// When the unit must have acted by (set on forwarding).
    DueAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LeadHistory {
    Table,
    Id,
    LeadId,
    Action,
    ActorUserId,
    TipId,
    Note,
    CreatedAt,
}

/// How many tips are in each state: the queue's tabs read it instead of
/// counting a million rows. Kept by the same statements that change a
/// tip's state.
#[derive(DeriveIden)]
enum TipStatusCounts {
    Table,
    Status,
    Count,
}

const STATUSES: [&str; 9] = [
    "submitted",
    "in_review",
    "needs_info",
    "verified",
    "forwarded",
    "closed",
    "rejected",
    "duplicate",
    "withdrawn",
];

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
        // SQLite takes one new column per statement.
        for column in [
            uuid_null(Tips::ClaimedBy),
            timestamp_with_time_zone_null(Tips::ClaimExpiresAt),
            uuid_null(Tips::LeadId),
            uuid_null(Tips::DuplicateOf),
            string_len_null(Tips::RejectReason, 40),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Tips::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(TipHistory::Table)
                    .add_column(string_len_null(TipHistory::ReasonCode, 40))
                    .to_owned(),
            )
            .await?;
        for column in [
            big_integer_null(Media::Phash),
            integer_null(Media::PhashBand0),
            integer_null(Media::PhashBand1),
            integer_null(Media::PhashBand2),
            integer_null(Media::PhashBand3),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Media::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, band) in [
            ("idx_media_phash_band0", Media::PhashBand0),
            ("idx_media_phash_band1", Media::PhashBand1),
            ("idx_media_phash_band2", Media::PhashBand2),
            ("idx_media_phash_band3", Media::PhashBand3),
        ] {
            manager
                .create_index(index(name, Media::Table, &[band.into_iden()]))
                .await?;
        }

        // The queue: one state at a time in id (= arrival) order, with or
        // without a category; a lead's tips; the tips a moderator holds.
        for (name, cols) in [
            (
                "idx_tips_queue",
                vec![Tips::Status.into_iden(), Tips::Id.into_iden()],
            ),
            (
                "idx_tips_queue_category",
                vec![
                    Tips::Status.into_iden(),
                    Tips::Category.into_iden(),
                    Tips::Id.into_iden(),
                ],
            ),
            ("idx_tips_lead", vec![Tips::LeadId.into_iden()]),
        ] {
            manager
                .create_index(index(name, Tips::Table, &cols))
                .await?;
        }
        // Ids are UUID v7 of the submission, so (status, id) answers what
        // (status, created_at) did; one index less to write on every change.
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tips_status")
                    .table(Tips::Table)
                    .to_owned(),
            )
            .await?;
        // The tips carrying a contact in id order: the queue's contact filter
        // merges it with a state's (status, id) walk, even for a number on
        // tens of thousands of cards.
        manager
            .create_index(index(
                "idx_tip_contacts_contact_tip",
                TipContacts::Table,
                &[
                    TipContacts::Kind.into_iden(),
                    TipContacts::Value.into_iden(),
                    TipContacts::TipId.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TipStatusCounts::Table)
                    .col(string_len(TipStatusCounts::Status, 20).primary_key())
                    .col(big_integer(TipStatusCounts::Count).default(0))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(TipStatusCounts::Table)
            .columns([TipStatusCounts::Status, TipStatusCounts::Count]);
        for status in STATUSES {
            insert.values_panic([status.into(), 0i64.into()]);
        }
        manager.exec_stmt(insert).await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(TipStatusCounts::Table)
                    .value(
                        TipStatusCounts::Count,
                        SimpleExpr::SubQuery(
                            None,
                            Box::new(
                                Query::select()
                                    .expr(Expr::col((Tips::Table, Tips::Id)).count())
                                    .from(Tips::Table)
                                    .and_where(
                                        Expr::col((Tips::Table, Tips::Status)).equals((
                                            TipStatusCounts::Table,
                                            TipStatusCounts::Status,
                                        )),
                                    )
                                    .to_owned()
                                    .into_sub_query_statement(),
                            ),
                        ),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RejectReasons::Table)
                    .col(string_len(RejectReasons::Code, 40).primary_key())
                    .col(string_len(RejectReasons::LabelZh, 100))
                    .col(string_len(RejectReasons::LabelEn, 100))
                    .col(string_len(RejectReasons::PublicZh, 500))
                    .col(string_len(RejectReasons::PublicEn, 500))
                    .col(boolean(RejectReasons::Retired).default(false))
                    .col(integer(RejectReasons::Position))
                    .to_owned(),
            )
            .await?;
        let seed = [
            (
                "no_violation",
                "未发现违法内容",
                "No violation found",
                "经核实，您举报的内容未发现违法违规情况。感谢您的参与。",
                "We found nothing unlawful in what you reported. Thank you for taking part.",
            ),
            (
                "insufficient_evidence",
                "证据不足",
                "Insufficient evidence",
                "照片或描述不足以核实线索，欢迎补充后重新举报。",
                "The photos or description were not enough to check the tip; you are welcome to report again with more.",
            ),
            (
                "outside_area",
                "不在受理范围",
                "Outside our area",
                "该线索不在本平台受理范围内，请向当地有关部门反映。",
                "This matter is outside the area this service covers; please contact the local authorities.",
            ),
            (
                "unreadable",
                "无法辨认",
                "Unreadable",
                "照片无法辨认，请拍摄清晰的照片后重新举报。",
                "The photos could not be made out; please report again with clear photos.",
            ),
            (
                "abusive",
                "恶意或无关内容",
                "Abusive or unrelated",
                "该举报与平台受理事项无关。",
                "This report is not about a matter this service handles.",
            ),
        ];
        let mut insert = Query::insert();
        insert.into_table(RejectReasons::Table).columns([
            RejectReasons::Code,
            RejectReasons::LabelZh,
            RejectReasons::LabelEn,
            RejectReasons::PublicZh,
            RejectReasons::PublicEn,
            RejectReasons::Retired,
            RejectReasons::Position,
        ]);
        for (position, (code, label_zh, label_en, public_zh, public_en)) in
            seed.into_iter().enumerate()
        {
            insert.values_panic([
                code.into(),
                label_zh.into(),
                label_en.into(),
                public_zh.into(),
                public_en.into(),
                false.into(),
                (position as i32 * 10).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(TipNotes::Table)
                    .col(uuid(TipNotes::Id).primary_key())
                    .col(uuid(TipNotes::TipId))
                    .col(uuid(TipNotes::AuthorUserId))
                    .col(text(TipNotes::Body))
                    .col(timestamp_with_time_zone(TipNotes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tip_notes_tip")
                            .from(TipNotes::Table, TipNotes::TipId)
                            .to(Tips::Table, Tips::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tip_notes_author")
                            .from(TipNotes::Table, TipNotes::AuthorUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tip_notes_tip",
                TipNotes::Table,
                &[TipNotes::TipId.into_iden(), TipNotes::Id.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Leads::Table)
                    .col(uuid(Leads::Id).primary_key())
                    .col(string_len(Leads::Reference, 20).unique_key())
                    .col(string_len(Leads::Status, 20))
                    .col(string_len(Leads::Category, 40))
                    .col(string_len_null(Leads::Title, 200))
                    .col(integer(Leads::Version).default(0))
                    .col(uuid(Leads::CreatedBy))
                    .col(uuid_null(Leads::UnitId))
                    .col(timestamp_with_time_zone_null(Leads::DueAt))
                    .col(timestamp_with_time_zone(Leads::CreatedAt))
                    .col(timestamp_with_time_zone(Leads::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_created_by")
                            .from(Leads::Table, Leads::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_leads_status",
                vec![Leads::Status.into_iden(), Leads::Id.into_iden()],
            ),
            (
                "idx_leads_unit",
                vec![Leads::UnitId.into_iden(), Leads::Id.into_iden()],
            ),
        ] {
            manager
                .create_index(index(name, Leads::Table, &cols))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(LeadHistory::Table)
                    .col(uuid(LeadHistory::Id).primary_key())
                    .col(uuid(LeadHistory::LeadId))
                    .col(string_len(LeadHistory::Action, 40))
                    .col(uuid_null(LeadHistory::ActorUserId))
                    .col(uuid_null(LeadHistory::TipId))
                    .col(text_null(LeadHistory::Note))
                    .col(timestamp_with_time_zone(LeadHistory::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lead_history_lead")
                            .from(LeadHistory::Table, LeadHistory::LeadId)
                            .to(Leads::Table, Leads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_lead_history_lead",
                LeadHistory::Table,
                &[LeadHistory::LeadId.into_iden(), LeadHistory::Id.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LeadHistory::Table.into_iden(),
            Leads::Table.into_iden(),
            TipNotes::Table.into_iden(),
            RejectReasons::Table.into_iden(),
            TipStatusCounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for name in ["idx_tips_queue", "idx_tips_queue_category", "idx_tips_lead"] {
            manager
                .drop_index(Index::drop().name(name).table(Tips::Table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tip_contacts_contact_tip")
                    .table(TipContacts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tips_status",
                Tips::Table,
                &[Tips::Status.into_iden(), Tips::CreatedAt.into_iden()],
            ))
            .await?;
        for name in [
            "idx_media_phash_band0",
            "idx_media_phash_band1",
            "idx_media_phash_band2",
            "idx_media_phash_band3",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Media::Table).to_owned())
                .await?;
        }
        for column in [
            Tips::ClaimedBy,
            Tips::ClaimExpiresAt,
            Tips::LeadId,
            Tips::DuplicateOf,
            Tips::RejectReason,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tips::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(TipHistory::Table)
                    .drop_column(TipHistory::ReasonCode)
                    .to_owned(),
            )
            .await?;
        for column in [
            Media::Phash,
            Media::PhashBand0,
            Media::PhashBand1,
            Media::PhashBand2,
            Media::PhashBand3,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Media::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
