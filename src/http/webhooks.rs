//! Webhook deliveries, for administrators (`/v1/admin/webhook-events`):
//! what was sent to which unit, how each attempt went, and a retry for
//! events the relay gave up on.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::admin::AdminListErrors;
use super::auth::{Admins, Auth};
use super::error::Fails;
use super::params::{Cursor, page_limit};
use super::vocab::{WebhookEventKind, WebhookEventStatus};
use crate::app::AppState;
use crate::store::webhook_events;

pub struct WebhooksApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookEventView {
    /// Also the `X-Tipline-Event-Id` the receiver sees.
    pub id: Uuid,
    pub unit_id: Uuid,
    pub event: WebhookEventKind,
    pub status: WebhookEventStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The JSON body, as signed and sent.
    pub payload: String,
}

impl From<webhook_events::Model> for WebhookEventView {
    fn from(e: webhook_events::Model) -> Self {
        WebhookEventView {
            id: e.id,
            unit_id: e.unit_id,
            event: WebhookEventKind::from(e.event),
            status: WebhookEventStatus::from(e.status),
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
            last_status_code: e.last_status_code,
            last_error: e.last_error,
            delivered_at: e.delivered_at,
            created_at: e.created_at,
            payload: e.payload,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookEventPage {
    pub items: Vec<WebhookEventView>,
    pub next_cursor: Option<String>,
}

crate::errors! {
    RetryErrors: 400, 401, 403, 404 ["webhook_event.not_found"], 409 ["webhook_event.not_failed"], 503;
}

#[OpenApi(prefix_path = "/v1/admin/webhook-events", tag = "ApiTags::Admin")]
impl WebhooksApi {
    /// Events for units' webhooks, newest first.
    #[oai(path = "/", method = "get", operation_id = "admin_list_webhook_events")]
    async fn list(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        unit_id: Query<Option<Uuid>>,
        status: Query<Option<WebhookEventStatus>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<WebhookEventPage>, Fails<AdminListErrors>> {
        let status = status.0.map(webhook_events::Status::from);
        let limit = page_limit(limit.0);
        let before = Cursor::decode(cursor.0.as_deref())?;
        let rows = webhook_events::list(&state.db, unit_id.0, status, before, limit).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |e| e.id);
        Ok(Json(WebhookEventPage {
            items: rows.into_iter().map(WebhookEventView::from).collect(),
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// Queue an event the relay gave up on again, due now.
    #[oai(
        path = "/:id/retry",
        method = "post",
        operation_id = "admin_retry_webhook_event"
    )]
    async fn retry(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<WebhookEventView>, Fails<RetryErrors>> {
        let event = crate::webhooks::retry(&state, &auth.ctx, id.0).await?;
        Ok(Json(event.into()))
    }
}
