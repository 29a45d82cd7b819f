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
use super::error::{ApiError, Fails};
use super::params::{Cursor, page_limit};
use super::responses::Created;
use super::vocab::ActorKind;
use super::vocab::{RoleName, StaffRoleName};
use crate::accounts::{self, StaffRequest};
use crate::app::AppState;
use crate::sealer::{self, Checkpoint};
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

/// One audit event. `hash` chains it to the event before it. An event is
/// written with the change it records and sealed into the chain within
/// about a second: until then it has no `seq`, `prev_hash` or `hash`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEventView {
    /// Its position in the chain, from 1; absent until sealed.
    pub seq: Option<i64>,
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
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl From<audit::Model> for AuditEventView {
    fn from(e: audit::Model) -> Self {
        AuditEventView {
            seq: e.seq,
            id: e.id,
            occurred_at: e.occurred_at,
            actor_kind: ActorKind::from(e.actor_kind),
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

/// The audit chain's state, walked now and checked against every signed
/// checkpoint: intact up to `verified_up_to`, or where it first breaks.
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
    // The checkpoint the chain contradicts (a rewrite with recomputed
    // hashes, or removed events).
    pub broken_checkpoint: Option<AuditCheckpointView>,
    /// Events written but not sealed yet: not a failure (the sealer takes
    /// them within about a second).
    pub unsealed: i64,
    /// Checkpoints the chain was checked against.
    pub checkpoints_checked: i64,
    /// Checkpoints not used: unreadable, or not signed by this service's key.
    pub checkpoints_rejected: i64,
    /// Whether checkpoint signatures were checked (this node has the key).
    pub signatures_checked: bool,
    // The newest checkpoint checked.
    pub last_checkpoint: Option<AuditCheckpointView>,
    pub checked_at: DateTime<Utc>,
}

/// A signed statement kept in the blob store: the audit chain's first
/// `position` events hash to `head_hash`, as of `time`. The signature is
/// Ed25519 over the UTF-8 text
/// `tipline audit checkpoint v1\nposition <position>\nhead <head_hash>\ntime <time>\n`,
/// with `time` exactly as given here.
#[derive(Debug, Object)]
pub struct AuditCheckpointView {
    pub position: i64,
    pub head_hash: String,
    /// RFC 3339 with microseconds, as signed.
    pub time: String,
    /// The first 16 hex digits of the SHA-256 of the public key.
    pub key_id: String,
    /// Base64.
    pub signature: String,
    /// Where it is kept in the blob store.
    pub object_key: String,
}

impl AuditCheckpointView {
    fn of(c: Checkpoint) -> Self {
        Self {
            object_key: Checkpoint::object_key(c.position).to_string(),
            position: c.position,
            head_hash: c.head_hash,
            time: c.time,
            key_id: c.key_id,
            signature: c.signature,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditCheckpointPage {
    pub items: Vec<AuditCheckpointView>,
    pub next_cursor: Option<String>,
}

/// The key audit checkpoints are signed with, for anyone who keeps or
/// checks copies of them.
#[derive(Debug, Object)]
pub struct AuditCheckpointKey {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    /// The first 16 hex digits of the SHA-256 of the public key, as in
    /// each checkpoint's `key_id`.
    pub key_id: String,
}

crate::errors! {
    /// The public checkpoint key: absent when this node does not sign.
    AuditKeyErrors: 404 ["audit.unsigned"], 503;
}

/// The audit log's public verification key, for anyone.
pub struct AuditKeyApi;

#[OpenApi(prefix_path = "/v1/audit", tag = "ApiTags::Ops")]
impl AuditKeyApi {
    /// The Ed25519 public key that signs the audit log's checkpoints: keep
    /// it, with copies of the checkpoints, outside this service.
    #[oai(
        path = "/checkpoint-key",
        method = "get",
        operation_id = "audit_checkpoint_key"
    )]
    async fn checkpoint_key(
        &self,
        state: Data<&AppState>,
    ) -> Result<Json<AuditCheckpointKey>, Fails<AuditKeyErrors>> {
        use base64::Engine as _;
        let key = state.sealer.key.as_ref().ok_or_else(|| {
            ApiError::not_found(
                "audit.unsigned",
                "this node has no audit signing key: it signs no checkpoints",
            )
        })?;
        Ok(Json(AuditCheckpointKey {
            algorithm: "ed25519".into(),
            public_key: base64::engine::general_purpose::STANDARD.encode(key.public_key()),
            key_id: key.id().to_owned(),
        }))
    }
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
        let public_key = state.sealer.key.as_ref().map(|k| k.public_key());
        let report = sealer::verify(&state.db, state.blobs.as_ref(), public_key)
            .await
            .map_err(|e| ApiError::unavailable(&e))?;
        let (verified_up_to, broken_at, broken_event_id, problem) = match report.chain {
            Ok(events) => (events, None, None, None),
            Err(broken) => (
                broken.seq - 1,
                Some(broken.seq),
                broken.id,
                Some(broken.why),
            ),
        };
        Ok(Json(AuditVerification {
            intact: broken_at.is_none(),
            verified_up_to,
            broken_at,
            broken_event_id,
            problem,
            broken_checkpoint: report.broken_checkpoint.map(AuditCheckpointView::of),
            unsealed: report.unsealed,
            checkpoints_checked: report.checkpoints as i64,
            checkpoints_rejected: report.rejected.len() as i64,
            signatures_checked: report.signatures_checked,
            last_checkpoint: report.last_checkpoint.map(AuditCheckpointView::of),
            checked_at,
        }))
    }

    /// The audit log's signed checkpoints, oldest first, as kept in the
    /// blob store (`audit/checkpoints/`): copy them somewhere the database's
    /// administrators cannot write.
    #[oai(
        path = "/audit/checkpoints",
        method = "get",
        operation_id = "admin_list_audit_checkpoints"
    )]
    async fn audit_checkpoints(
        &self,
        _auth: Auth<Admins>,
        state: Data<&AppState>,
        /// Page size, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
    ) -> Result<Json<AuditCheckpointPage>, Fails<AdminListErrors>> {
        let after = Cursor::decode_seq(cursor.0.as_deref())?;
        let limit = page_limit(limit.0) as usize;
        let (page, more) = sealer::checkpoint_page(state.blobs.as_ref(), after, limit)
            .await
            .map_err(|e| ApiError::unavailable(&e))?;
        let items: Vec<AuditCheckpointView> = page
            .into_iter()
            // An object under the prefix that holds no checkpoint is left
            // out here; `tipline audit verify` names it.
            .filter_map(|stored| stored.checkpoint.ok())
            .map(AuditCheckpointView::of)
            .collect();
        let next_cursor = more
            .then(|| items.last().map(|c| Cursor::encode_seq(c.position)))
            .flatten();
        Ok(Json(AuditCheckpointPage { items, next_cursor }))
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
        // Pages run by position, which only sealed events have: seal what
        // is committed first, so an administrator sees every change made
        // before the request (the background sealer lags a fraction of a
        // second).
        state.sealer.seal_now().await?;
        let rows = audit::list(&state.db, &filter, after, limit + 1).await?;
        let (rows, next) = crate::store::split_page(rows, limit, |e| e.seq.unwrap_or_default());
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
