//! Administration: staff accounts and the audit log (`/v1/admin/*`),
//! admins only. Units are `units.rs`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::accounts::{Created, RoleName};
use super::auth::{Admins, Auth};
use super::error::ApiError;
use super::pagination::{Cursor, page_limit};
use super::request_id::RequestId;
use crate::accounts::{self, StaffRequest};
use crate::app::AppState;
use crate::store::audit::{self, Actor};
use crate::store::users::{self, ListFilter, StaffChanges};

pub struct AdminApi;

/// An account, as administrators see it. A citizen's phone number is shown
/// masked: managing an account does not need it.
#[derive(Debug, Object)]
pub struct UserView {
    pub id: Uuid,
    pub role: RoleName,
    pub username: Option<String>,
    /// `+86*******8000`.
    pub phone_masked: Option<String>,
    pub unit_id: Option<Uuid>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserView {
    fn of(user: &users::Model) -> Self {
        Self {
            id: user.id,
            role: user.role().map_or(RoleName::Citizen, RoleName::from),
            username: user.username.clone(),
            phone_masked: user.phone.as_deref().map(mask_phone),
            unit_id: user.unit_id,
            disabled: user.disabled,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

fn mask_phone(e164: &str) -> String {
    let keep = e164.len().saturating_sub(4);
    let country = e164.len().min(3);
    format!(
        "{}{}{}",
        &e164[..country],
        "*".repeat(keep - country.min(keep)),
        &e164[keep..]
    )
}

#[derive(Debug, Object)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct NewStaff {
    /// 3–64 characters: a letter, then letters, digits, `.`, `_`, `-`.
    /// Case does not matter.
    #[oai(validator(max_length = 64))]
    pub username: String,
    /// 8 to 128 characters.
    #[oai(validator(max_length = 1024))]
    pub password: String,
    /// `moderator`, `unit_officer` or `admin`.
    pub role: RoleName,
    /// Required for a unit officer, absent for anyone else.
    pub unit_id: Option<Uuid>,
}

/// Changes to an account; absent fields stay as they are. Any change signs
/// the account out everywhere, so it takes effect at once.
#[derive(Debug, Object)]
pub struct UserChanges {
    pub role: Option<RoleName>,
    /// A unit id, or `null` to remove the unit.
    pub unit_id: MaybeUndefined<Uuid>,
    pub disabled: Option<bool>,
}

/// One audit event. `hash` chains it to the event before it.
#[derive(Debug, Object)]
pub struct AuditEventView {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `anonymous` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    /// e.g. `tip.submit`, `media.upload`.
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<Uuid>,
    pub request_id: String,
    /// JSON, as recorded.
    pub details: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit::Model> for AuditEventView {
    fn from(e: audit::Model) -> Self {
        AuditEventView {
            seq: e.seq,
            id: e.id,
            occurred_at: e.occurred_at,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            action: e.action,
            object_kind: e.object_kind,
            object_id: e.object_id,
            request_id: e.request_id,
            details: e.details,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Object)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    pub next_cursor: Option<String>,
}

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Create a staff account (moderator, unit officer or admin).
    ///
    /// Errors: `user.invalid_username`, `user.weak_password`,
    /// `user.invalid_role`, `user.invalid_unit` (422),
    /// `user.username_taken` (409).
    #[oai(path = "/users", method = "post", operation_id = "admin_create_user")]
    async fn create_user(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Json<NewStaff>,
    ) -> Result<Created<UserView>, ApiError> {
        let user = accounts::create_staff(
            &state,
            StaffRequest {
                username: &body.username,
                password: &body.password,
                role: body.role.into(),
                unit_id: body.unit_id,
            },
            Actor::User(auth.account().id),
            &RequestId::current_string(),
        )
        .await?;
        Ok(Created::Created(Json(UserView::of(&user))))
    }

    /// List accounts in creation order, optionally of one role or unit.
    #[oai(path = "/users", method = "get", operation_id = "admin_list_users")]
    async fn list_users(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        role: Query<Option<RoleName>>,
        unit_id: Query<Option<Uuid>>,
        /// Page size, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<Json<UserPage>, ApiError> {
        let after = Cursor::decode(cursor.0.as_deref())?;
        let filter = ListFilter {
            role: role.0.map(Into::into),
            unit_id: unit_id.0,
        };
        let (users, next) =
            accounts::list_users(&state, &filter, after, page_limit(limit.0)).await?;
        Ok(Json(UserPage {
            items: users.iter().map(UserView::of).collect(),
            next_cursor: next.map(Cursor::encode),
        }))
    }

    /// Change an account's role, unit or disabled state.
    ///
    /// Errors: `user.not_found` (404), `user.invalid_role`,
    /// `user.invalid_unit` (422), `user.last_admin` (409: the last active
    /// admin cannot be demoted or disabled).
    #[oai(
        path = "/users/:id",
        method = "patch",
        operation_id = "admin_update_user"
    )]
    async fn update_user(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<UserChanges>,
    ) -> Result<Json<UserView>, ApiError> {
        let body = body.0;
        let changes = StaffChanges {
            role: body.role.map(Into::into),
            unit_id: match body.unit_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(id)),
            },
            disabled: body.disabled,
        };
        let user = accounts::update_user(
            &state,
            id.0,
            changes,
            Actor::User(auth.account().id),
            &RequestId::current_string(),
        )
        .await?;
        Ok(Json(UserView::of(&user)))
    }

    /// The audit log, oldest first: every state change, who made it, when,
    /// in which request. Read-only: nothing in the API changes or removes
    /// an event.
    #[oai(path = "/audit", method = "get", operation_id = "admin_list_audit")]
    #[allow(clippy::too_many_arguments)] // One parameter per filter of the spec.
    async fn audit(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        actor_id: Query<Option<Uuid>>,
        object_kind: Query<Option<String>>,
        object_id: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        /// Events at or after this time.
        from: Query<Option<DateTime<Utc>>>,
        /// Events before this time.
        to: Query<Option<DateTime<Utc>>>,
        /// Page size, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let after = Cursor::decode_seq(cursor.0.as_deref())?;
        let limit = page_limit(limit.0);
        let filter = audit::Filter {
            actor_id: actor_id.0,
            object_kind: object_kind.0,
            object_id: object_id.0,
            action: action.0,
            from: from.0,
            to: to.0,
        };
        let rows = audit::list(&state.db, &filter, after, limit + 1).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |e| e.seq);
        Ok(Json(AuditPage {
            items: rows.into_iter().map(AuditEventView::from).collect(),
            next_cursor: next.map(Cursor::encode_seq),
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_masked_but_for_the_last_four() {
        assert_eq!(super::mask_phone("+8613800138000"), "+86*******8000");
    }
}
