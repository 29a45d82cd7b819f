//! What reporters are told and what they have earned: a citizen's
//! notifications and reward points (`/v1/me/...`), and the same for an
//! anonymous reporter through the tip's receipt (`/v1/receipts/...`).

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{AnyAccount, Auth};
use super::contract::Checked;
use super::error::{ApiError, Fails};
use super::params::{Cursor, page_limit};
use super::tips::ReceiptErrors;
use super::tips::receipt_tip;
use super::vocab::{NotificationKind, RewardReason};
use crate::app::AppState;
use crate::store::notifications::{self, Position, Recipient};
use crate::store::rewards;

pub struct NotificationsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub text_zh: String,
    pub text_en: String,
    /// The tip it is about, for reporters.
    pub tip_id: Option<Uuid>,
    /// The lead it is about, for staff.
    pub lead_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationPage {
    /// Unread first, then read; newest first within each.
    pub items: Vec<NotificationView>,
    pub unread: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MarkRead {
    /// The notifications to mark read; absent marks all.
    #[oai(validator(max_items = 200))]
    pub ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Marked {
    /// How many were unread and are now read.
    pub marked: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RewardEntry {
    pub points: i32,
    pub reason: RewardReason,
    pub tip_id: Uuid,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Rewards {
    pub balance: i64,
    /// The latest 100, newest first.
    pub history: Vec<RewardEntry>,
}

fn encode(position: Position) -> String {
    let flag = if position.read { 'r' } else { 'u' };
    format!("{flag}{}", Cursor::encode(position.before))
}

fn decode(cursor: Option<&str>) -> Result<Option<Position>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let read = match cursor.chars().next() {
        Some('r') => true,
        Some('u') => false,
        _ => return Cursor::decode(Some("!")).map(|_| None),
    };
    Ok(Cursor::decode(Some(&cursor[1..]))?.map(|before| Position { read, before }))
}

async fn page(
    state: &AppState,
    recipient: Recipient,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<NotificationPage, ApiError> {
    let limit = page_limit(limit);
    let after = decode(cursor)?;
    let mut rows = notifications::page(&state.db, recipient, after, limit).await?;
    let next = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        let last = rows.last().expect("a full page");
        encode(Position {
            read: last.read_at.is_some(),
            before: last.id,
        })
    });
    Ok(NotificationPage {
        unread: notifications::unread(&state.db, recipient).await?,
        items: rows
            .into_iter()
            .map(|n| NotificationView {
                id: n.id,
                kind: NotificationKind::from(n.kind),
                text_zh: n.text_zh,
                text_en: n.text_en,
                tip_id: n.tip_id,
                lead_id: n.lead_id,
                read_at: n.read_at,
                created_at: n.created_at,
            })
            .collect(),
        next_cursor: next,
    })
}

async fn rewards_of(
    state: &AppState,
    user_id: Option<Uuid>,
    tip_id: Option<Uuid>,
) -> Result<Rewards, ApiError> {
    let (balance, recent) = rewards::of(&state.db, user_id, tip_id, 100).await?;
    Ok(Rewards {
        balance,
        history: recent
            .into_iter()
            .map(|r| RewardEntry {
                points: r.points,
                reason: RewardReason::from(r.reason),
                tip_id: r.tip_id,
                at: r.created_at,
            })
            .collect(),
    })
}

crate::errors! {
    MyNotificationsErrors: 400, 422 ["request.invalid_cursor"], 401, 503;
    MarkMineErrors: 400, 401, 413, 415, 503;
    MyRewardsErrors: 401, 503;
    ReceiptListErrors: 400, 422 ["request.invalid_cursor"], 404 ["receipt.not_found"],
        429 ["rate.limited"], 503;
    MarkReceiptErrors: 400, 404 ["receipt.not_found"], 413, 415, 429 ["rate.limited"], 503;
}

#[OpenApi(prefix_path = "/v1")]
impl NotificationsApi {
    /// The caller's notifications, unread first.
    #[oai(
        path = "/me/notifications",
        method = "get",
        operation_id = "list_my_notifications",
        tag = "ApiTags::Me"
    )]
    async fn mine(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<NotificationPage>, Fails<MyNotificationsErrors>> {
        let recipient = Recipient::User(auth.account().id);
        Ok(Json(
            page(&state, recipient, limit.0, cursor.0.as_deref()).await?,
        ))
    }

    /// Marks the caller's notifications read (the given ones, or all).
    #[oai(
        path = "/me/notifications/read",
        method = "post",
        operation_id = "mark_my_notifications_read",
        tag = "ApiTags::Me"
    )]
    async fn mark_mine(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
        body: Checked<MarkRead>,
    ) -> Result<Json<Marked>, Fails<MarkMineErrors>> {
        let recipient = Recipient::User(auth.account().id);
        let marked =
            notifications::mark_read(&state.db, recipient, body.0.ids.as_deref(), auth.ctx.now)
                .await?;
        Ok(Json(Marked { marked }))
    }

    /// The caller's reward points: balance and latest credits.
    #[oai(
        path = "/me/rewards",
        method = "get",
        operation_id = "get_my_rewards",
        tag = "ApiTags::Me"
    )]
    async fn my_rewards(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
    ) -> Result<Json<Rewards>, Fails<MyRewardsErrors>> {
        Ok(Json(
            rewards_of(&state, Some(auth.account().id), None).await?,
        ))
    }

    /// What an anonymous reporter has been told about the receipt's tip,
    /// unread first.
    #[oai(
        path = "/receipts/:code/notifications",
        method = "get",
        operation_id = "list_receipt_notifications",
        tag = "ApiTags::Receipts"
    )]
    async fn receipt_notifications(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<NotificationPage>, Fails<ReceiptListErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        Ok(Json(
            page(&state, Recipient::Tip(tip.id), limit.0, cursor.0.as_deref()).await?,
        ))
    }

    /// Marks the receipt's notifications read (the given ones, or all).
    #[oai(
        path = "/receipts/:code/notifications/read",
        method = "post",
        operation_id = "mark_receipt_notifications_read",
        tag = "ApiTags::Receipts"
    )]
    async fn mark_receipt(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
        body: Checked<MarkRead>,
    ) -> Result<Json<Marked>, Fails<MarkReceiptErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        let marked = notifications::mark_read(
            &state.db,
            Recipient::Tip(tip.id),
            body.0.ids.as_deref(),
            state.clock.now(),
        )
        .await?;
        Ok(Json(Marked { marked }))
    }

    /// The reward points the receipt's tip earned.
    #[oai(
        path = "/receipts/:code/rewards",
        method = "get",
        operation_id = "get_receipt_rewards",
        tag = "ApiTags::Receipts"
    )]
    async fn receipt_rewards(
        &self,
        state: Data<&AppState>,
        req: &Request,
        code: Path<String>,
        #[oai(name = "X-Receipt-Secret")] secret: Header<String>,
    ) -> Result<Json<Rewards>, Fails<ReceiptErrors>> {
        let tip = receipt_tip(&state, req, &code.0, &secret.0).await?;
        Ok(Json(rewards_of(&state, None, Some(tip.id)).await?))
    }
}
