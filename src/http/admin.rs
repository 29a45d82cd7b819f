//! Administration: staff accounts and the audit log (`/v1/admin/*`),
//! admins only. Units are `units.rs`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Admins, Auth};
use super::clearable::Clearable;
use super::contract::Checked;
use super::error::Fails;
use super::params::{Cursor, page_limit};
use super::responses::Created;
use super::vocab::ActorKind;
use super::vocab::{RoleName, StaffRoleName};
use crate::accounts::{self, StaffRequest};
use crate::app::AppState;
use crate::store::audit;
use crate::store::users::{self, ListFilter, StaffChanges};

pub struct AdminApi;

/// An account, as administrators see it. A citizen's phone number is shown
/// masked: managing an account does not need it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
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
            role: RoleName::from(user.role),
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
#[oai(skip_serializing_if_is_none)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewStaff {
    /// 3–64 characters: a letter, then letters, digits, `.`, `_`, `-`.
    /// Case does not matter.
    #[oai(validator(max_length = 64, pattern = r"^\s*[A-Za-z][A-Za-z0-9._-]{2,63}\s*$"))]
    pub username: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
    pub role: StaffRoleName,
    /// Required for a unit officer, absent for anyone else.
    pub unit_id: Option<Uuid>,
}

/// Changes to an account; absent fields stay as they are. Any change signs
/// the account out everywhere, so it takes effect at once.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserChanges {
    pub role: Option<StaffRoleName>,
    /// A unit id, or `null` to remove the unit.
    pub unit_id: Clearable<Uuid>,
    pub disabled: Option<bool>,
}

/// One audit event. `hash` chains it to the event before it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEventView {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
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
            actor_kind: ActorKind::of_stored(&e.actor_kind),
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
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    pub items: Vec<AuditEventView>,
    pub next_cursor: Option<String>,
}

crate::errors! {
    CreateStaffErrors: 400, 401, 403, 409 ["user.username_taken"], 413, 415,
        422 ["user.invalid_username", "user.weak_password", "user.invalid_role", "user.invalid_unit"],
        503 ["service.busy"];
    /// An administrator's paged list.
    pub AdminListErrors: 400, 422 ["request.invalid_cursor"], 401, 403, 503;
    /// An administrator's read of a short list.
    pub AdminReadErrors: 401, 403, 503;
    ResetPasswordErrors: 400, 401, 403, 404 ["user.not_found"], 422 ["user.invalid_role"],
        503 ["service.busy"];
    UpdateStaffErrors: 400, 401, 403, 404 ["user.not_found"],
        409 ["user.last_admin"], 413, 415,
        422 ["user.invalid_role", "user.invalid_unit"], 503;
}

/// A password made for a staff account, shown this once.
#[derive(Debug, Object)]
pub struct ResetPassword {
    pub password: String,
}

/// The audit chain's state, walked now: intact up to `verified_up_to`, or
/// where it first breaks.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditVerification {
    pub intact: bool,
    /// Events walked and found intact (the chain's head when it is intact).
    pub verified_up_to: i64,
    /// The position where the chain breaks.
    pub broken_at: Option<i64>,
    /// The event found there, if any.
    pub broken_event_id: Option<Uuid>,
    /// What is wrong there.
    pub problem: Option<String>,
    pub checked_at: DateTime<Utc>,
}

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Create a staff account (moderator, unit officer or admin); a unit
    /// officer names an active unit.
    #[oai(path = "/users", method = "post", operation_id = "admin_create_user")]
    async fn create_user(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        body: Checked<NewStaff>,
    ) -> Result<Created<UserView>, Fails<CreateStaffErrors>> {
        let user = accounts::create_staff(
            &state,
            StaffRequest {
                username: &body.username,
                password: &body.password,
                role: body.role.into(),
                unit_id: body.unit_id,
            },
            &auth.ctx,
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
    ) -> Result<Json<UserPage>, Fails<AdminListErrors>> {
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

    /// Change an account's role, unit or disabled state. The last active
    /// admin cannot be demoted or disabled (`user.last_admin`).
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
        body: Checked<UserChanges>,
    ) -> Result<Json<UserView>, Fails<UpdateStaffErrors>> {
        let body = body.0;
        let changes = StaffChanges {
            role: body.role.map(Into::into),
            unit_id: body.unit_id.into_change(),
            disabled: body.disabled,
        };
        let user = accounts::update_user(&state, id.0, changes, &auth.ctx).await?;
        Ok(Json(UserView::of(&user)))
    }

    /// A new password for a staff account, shown once in the answer: every
    /// session of the account ends, and the reset is audited.
    #[oai(
        path = "/users/:id/password",
        method = "post",
        operation_id = "admin_reset_password"
    )]
    async fn reset_password(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<ResetPassword>, Fails<ResetPasswordErrors>> {
        let password = accounts::reset_staff_password(&state, id.0, &auth.ctx).await?;
        Ok(Json(ResetPassword { password }))
    }

    /// Walks the audit chain now, as `tipline audit verify` does: intact up
    /// to which event, or the first event altered or missing. It reads the
    /// whole log: seconds at a million events.
    #[oai(
        path = "/audit/verification",
        method = "get",
        operation_id = "admin_verify_audit"
    )]
    async fn verify_audit(
        &self,
        auth: Auth<Admins>,
        state: Data<&AppState>,
    ) -> Result<Json<AuditVerification>, Fails<AdminReadErrors>> {
        let checked_at = auth.ctx.now;
        Ok(Json(match audit::verify(&state.db).await? {
            Ok(events) => AuditVerification {
                intact: true,
                verified_up_to: events,
                broken_at: None,
                broken_event_id: None,
                problem: None,
                checked_at,
            },
            Err(broken) => AuditVerification {
                intact: false,
                verified_up_to: broken.seq - 1,
                broken_at: Some(broken.seq),
                broken_event_id: broken.id,
                problem: Some(broken.why.to_owned()),
                checked_at,
            },
        }))
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
    ) -> Result<Json<AuditPage>, Fails<AdminListErrors>> {
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
