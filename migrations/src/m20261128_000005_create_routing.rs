//! Units grow what routing needs (a parent, a jurisdiction, the categories
//! they take, deadlines, a webhook); leads keep their forwarding, accepting
//! and resolving; outcomes are a list with the texts reporters read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    ParentId,
    /// GeoJSON Polygon or MultiPolygon (WGS-84), checked on the way in.
    Jurisdiction,
    /// Hours a unit has to accept a forwarded lead.
    AcceptHours,
    /// Hours from acceptance to a resolution.
    ResolveHours,
    /// Where forwarding, return and overdue events are POSTed, if anywhere.
    WebhookUrl,
    /// Signs each delivery (HMAC-SHA256); never shown back.
    WebhookSecret,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Code,
}

/// The categories a unit takes.
#[derive(DeriveIden)]
enum UnitCategories {
    Table,
    UnitId,
    Category,
}

#[derive(DeriveIden)]
enum Leads {
    Table,
    DueAt,
    ForwardedAt,
    AcceptedAt,
    ResolvedAt,
    OutcomeCode,
    /// What reporters read about the outcome.
    PublicNote,
    /// What stays between the unit and moderators.
    InternalNote,
    /// When the sweep found the lead past its deadline and told the command
    /// centre; cleared when a new deadline starts.
    OverdueAt,
    /// The deadlines as they were set (a unit's hours may change later),
    /// for punctuality statistics.
    AcceptDueAt,
    ResolveDueAt,
}

/// Which unit a `forwarded` or `returned` entry is about.
#[derive(DeriveIden)]
enum LeadHistory {
    Table,
    UnitId,
}

#[derive(DeriveIden)]
enum TipHistory {
    Table,
    /// The outcome the reporter is told of with a `closed` entry; its texts
    /// are read from `outcomes`.
    OutcomeCode,
}

#[derive(DeriveIden)]
enum Outcomes {
    Table,
    Code,
    LabelZh,
    LabelEn,
    PublicZh,
    PublicEn,
    Retired,
    Position,
    /// Reward points for each verified tip in a lead closed this way.
    Points,
}

/// What reporters (by account or by receipt's tip) and staff are told.
#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    /// The account told, if any; anonymous reporters have only the tip.
    UserId,
    TipId,
    LeadId,
    /// `tip.forwarded`, `tip.closed`, `lead.overdue`, ...
    Kind,
    TextZh,
    TextEn,
    ReadAt,
    CreatedAt,
}

/// Points credited to a tip's reporter.
#[derive(DeriveIden)]
enum Rewards {
    Table,
    Id,
    UserId,
    TipId,
    LeadId,
    /// `outcome` or `first_reporter`.
    Reason,
    Points,
    CreatedAt,
}

/// The outbox: events for units' webhooks, written with the change they
/// tell of and delivered by the relay.
#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    /// Also the event id the receiver sees, on every attempt.
    Id,
    UnitId,
    Event,
    Payload,
    /// `pending`, `delivered` or `failed` (gave up).
    Status,
    Attempts,
    NextAttemptAt,
    /// A relay holds the event until then while it delivers it.
    LeasedUntil,
    LastStatusCode,
    LastError,
    DeliveredAt,
    CreatedAt,
}

/// Which tip first reported each contact and earned the bonus: the key
/// makes it once per contact, whatever order leads close in.
#[derive(DeriveIden)]
enum FirstReports {
    Table,
    Kind,
    Value,
    TipId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tips {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            uuid_null(Units::ParentId),
            text_null(Units::Jurisdiction),
            integer(Units::AcceptHours).default(24).to_owned(),
            integer(Units::ResolveHours).default(168).to_owned(),
            text_null(Units::WebhookUrl),
            text_null(Units::WebhookSecret),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Units::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            timestamp_with_time_zone_null(Leads::ForwardedAt),
            timestamp_with_time_zone_null(Leads::AcceptedAt),
            timestamp_with_time_zone_null(Leads::ResolvedAt),
            string_len_null(Leads::OutcomeCode, 40),
            text_null(Leads::PublicNote),
            text_null(Leads::InternalNote),
            timestamp_with_time_zone_null(Leads::OverdueAt),
            timestamp_with_time_zone_null(Leads::AcceptDueAt),
            timestamp_with_time_zone_null(Leads::ResolveDueAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Leads::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(TipHistory::Table)
                    .add_column(string_len_null(TipHistory::OutcomeCode, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LeadHistory::Table)
                    .add_column(uuid_null(LeadHistory::UnitId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UnitCategories::Table)
                    .col(uuid(UnitCategories::UnitId))
                    .col(string_len(UnitCategories::Category, 40))
                    .primary_key(
                        Index::create()
                            .col(UnitCategories::UnitId)
                            .col(UnitCategories::Category),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_categories_unit")
                            .from(UnitCategories::Table, UnitCategories::UnitId)
                            .to(Units::Table, Units::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_categories_category")
                            .from(UnitCategories::Table, UnitCategories::Category)
                            .to(Categories::Table, Categories::Code),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outcomes::Table)
                    .col(string_len(Outcomes::Code, 40).primary_key())
                    .col(string_len(Outcomes::LabelZh, 100))
                    .col(string_len(Outcomes::LabelEn, 100))
                    .col(string_len(Outcomes::PublicZh, 500))
                    .col(string_len(Outcomes::PublicEn, 500))
                    .col(boolean(Outcomes::Retired).default(false))
                    .col(integer(Outcomes::Position))
                    .col(integer(Outcomes::Points).default(0))
                    .to_owned(),
            )
            .await?;
        let seed = [
            (
                20,
                "number_suspended",
                "号码已停机",
                "Number suspended",
                "您举报的号码已被依法停机。感谢您的举报！",
                "The number you reported has been suspended. Thank you for reporting it!",
            ),
            (
                20,
                "account_blocked",
                "账号已封禁",
                "Account blocked",
                "您举报的账号已被封禁。感谢您的举报！",
                "The account you reported has been blocked. Thank you for reporting it!",
            ),
            (
                10,
                "cards_cleared",
                "小卡片已清理",
                "Cards cleared",
                "现场的小卡片已被清理。感谢您的举报！",
                "The cards have been cleared away. Thank you for reporting them!",
            ),
            (
                30,
                "case_opened",
                "已立案",
                "Case opened",
                "您举报的线索已立案侦查。感谢您的举报！",
                "A case has been opened on what you reported. Thank you!",
            ),
            (
                50,
                "arrest_made",
                "已抓获嫌疑人",
                "Arrest made",
                "根据您的举报，已抓获违法嫌疑人。感谢您的举报！",
                "A suspect has been arrested following your report. Thank you!",
            ),
            (
                0,
                "no_violation",
                "未发现违法行为",
                "No violation found",
                "经核查，未发现违法行为。感谢您的参与。",
                "The unit found no violation. Thank you for taking part.",
            ),
        ];
        let mut insert = Query::insert();
        insert.into_table(Outcomes::Table).columns([
            Outcomes::Code,
            Outcomes::LabelZh,
            Outcomes::LabelEn,
            Outcomes::PublicZh,
            Outcomes::PublicEn,
            Outcomes::Retired,
            Outcomes::Position,
            Outcomes::Points,
        ]);
        for (position, (points, code, label_zh, label_en, public_zh, public_en)) in
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
                points.into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(uuid(Notifications::Id).primary_key())
                    .col(uuid_null(Notifications::UserId))
                    .col(uuid_null(Notifications::TipId))
                    .col(uuid_null(Notifications::LeadId))
                    .col(string_len(Notifications::Kind, 40))
                    .col(text(Notifications::TextZh))
                    .col(text(Notifications::TextEn))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_user")
                            .from(Notifications::Table, Notifications::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_tip")
                            .from(Notifications::Table, Notifications::TipId)
                            .to(Tips::Table, Tips::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, first) in [
            ("idx_notifications_user", Notifications::UserId),
            ("idx_notifications_tip", Notifications::TipId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Notifications::Table)
                        .col(first)
                        .col(Notifications::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Rewards::Table)
                    .col(uuid(Rewards::Id).primary_key())
                    .col(uuid_null(Rewards::UserId))
                    .col(uuid(Rewards::TipId))
                    .col(uuid(Rewards::LeadId))
                    .col(string_len(Rewards::Reason, 40))
                    .col(integer(Rewards::Points))
                    .col(timestamp_with_time_zone(Rewards::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rewards_user")
                            .from(Rewards::Table, Rewards::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rewards_tip")
                            .from(Rewards::Table, Rewards::TipId)
                            .to(Tips::Table, Tips::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A tip earns each kind of reward once, whatever retries happen.
        manager
            .create_index(
                Index::create()
                    .name("uq_rewards_tip_reason")
                    .table(Rewards::Table)
                    .col(Rewards::TipId)
                    .col(Rewards::Reason)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rewards_user")
                    .table(Rewards::Table)
                    .col(Rewards::UserId)
                    .col(Rewards::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FirstReports::Table)
                    .col(string_len(FirstReports::Kind, 16))
                    .col(string_len(FirstReports::Value, 2048))
                    .col(uuid(FirstReports::TipId))
                    .col(timestamp_with_time_zone(FirstReports::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(FirstReports::Kind)
                            .col(FirstReports::Value),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_first_reports_tip")
                            .from(FirstReports::Table, FirstReports::TipId)
                            .to(Tips::Table, Tips::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookEvents::Table)
                    .col(uuid(WebhookEvents::Id).primary_key())
                    .col(uuid(WebhookEvents::UnitId))
                    .col(string_len(WebhookEvents::Event, 40))
                    .col(text(WebhookEvents::Payload))
                    .col(string_len(WebhookEvents::Status, 16))
                    .col(integer(WebhookEvents::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookEvents::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookEvents::LeasedUntil))
                    .col(integer_null(WebhookEvents::LastStatusCode))
                    .col(string_len_null(WebhookEvents::LastError, 500))
                    .col(timestamp_with_time_zone_null(WebhookEvents::DeliveredAt))
                    .col(timestamp_with_time_zone(WebhookEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_events_unit")
                            .from(WebhookEvents::Table, WebhookEvents::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The relay's scan: pending events by due time.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_events_due")
                    .table(WebhookEvents::Table)
                    .col(WebhookEvents::Status)
                    .col(WebhookEvents::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_events_unit")
                    .table(WebhookEvents::Table)
                    .col(WebhookEvents::UnitId)
                    .col(WebhookEvents::Id)
                    .to_owned(),
            )
            .await?;
        // The deadline sweep (the unit's inbox has idx_leads_unit).
        manager
            .create_index(
                Index::create()
                    .name("idx_leads_due")
                    .table(Leads::Table)
                    .col(Leads::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_leads_due")
                    .table(Leads::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            WebhookEvents::Table.into_iden(),
            FirstReports::Table.into_iden(),
            Rewards::Table.into_iden(),
            Notifications::Table.into_iden(),
            Outcomes::Table.into_iden(),
            UnitCategories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(TipHistory::Table)
                    .drop_column(TipHistory::OutcomeCode)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LeadHistory::Table)
                    .drop_column(LeadHistory::UnitId)
                    .to_owned(),
            )
            .await?;
        for column in [
            Leads::ForwardedAt,
            Leads::AcceptedAt,
            Leads::ResolvedAt,
            Leads::OutcomeCode,
            Leads::PublicNote,
            Leads::InternalNote,
            Leads::OverdueAt,
            Leads::AcceptDueAt,
            Leads::ResolveDueAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Leads::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Units::ParentId,
            Units::Jurisdiction,
            Units::AcceptHours,
            Units::ResolveHours,
            Units::WebhookUrl,
            Units::WebhookSecret,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Units::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
