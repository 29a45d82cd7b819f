//! Signing in and out, and the caller's own account: `/v1/auth/*`, `/v1/me*`.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{AnyAccount, Auth, client_addr};
use super::error::ApiError;
use super::request_id::RequestId;
use crate::accounts::{self, AccountError, Session};
use crate::app::AppState;
use crate::domain::Role;
use crate::store::users;

pub struct AuthApi;
pub struct MeApi;

/// A role, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RoleName {
    Citizen,
    Moderator,
    UnitOfficer,
    Admin,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::Citizen => RoleName::Citizen,
            Role::Moderator => RoleName::Moderator,
            Role::UnitOfficer => RoleName::UnitOfficer,
            Role::Admin => RoleName::Admin,
        }
    }
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::Citizen => Role::Citizen,
            RoleName::Moderator => Role::Moderator,
            RoleName::UnitOfficer => Role::UnitOfficer,
            RoleName::Admin => Role::Admin,
        }
    }
}

/// The caller's own account.
#[derive(Debug, Clone, Object)]
pub struct Me {
    pub id: Uuid,
    pub role: RoleName,
    /// Staff log in with it.
    pub username: Option<String>,
    /// Citizens log in with it (E.164).
    pub phone: Option<String>,
    /// A unit officer's unit.
    pub unit_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Me {
    pub fn of(user: &users::Model) -> Self {
        Self {
            id: user.id,
            role: user.role().map_or(RoleName::Citizen, RoleName::from),
            username: user.username.clone(),
            phone: user.phone.clone(),
            unit_id: user.unit_id,
            created_at: user.created_at,
        }
    }
}

/// A signed-in device: send `access_token` as `Authorization: Bearer …`;
/// before it expires, trade `refresh_token` for a new pair at
/// `POST /v1/auth/refresh`. Each refresh token works once.
#[derive(Object)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    pub user: Me,
}

impl From<Session> for TokenPair {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access.token,
            token_type: "Bearer".into(),
            expires_in: s.access.expires_in.as_secs(),
            refresh_token: s.refresh_token,
            refresh_expires_in: s.refresh_expires_in.as_secs(),
            user: Me::of(&s.user),
        }
    }
}

/// An anonymous reporter's token. It identifies nothing about the person:
/// no account, address or device is stored with it.
#[derive(Object)]
pub struct AnonymousToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires; then ask for another.
    pub expires_in: u64,
}

#[derive(Object)]
pub struct RegisterRequest {
    /// A mainland mobile number: `13800138000`, `+86 138 0013 8000`, ...
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// 8 to 128 characters, not the phone number.
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Object)]
pub struct LoginRequest {
    /// A staff username, or a citizen's phone number in any usual spelling.
    #[oai(validator(max_length = 200))]
    pub login: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Object)]
pub struct RefreshRequest {
    #[oai(validator(max_length = 200))]
    pub refresh_token: String,
}

#[derive(Object)]
pub struct PasswordChange {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// 8 to 128 characters.
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        match e {
            AccountError::InvalidCredentials => {
                ApiError::unauthorized_with("auth.invalid_credentials", message)
            }
            AccountError::Throttled { retry_after } => ApiError::too_many_requests(
                "auth.throttled",
                "too many attempts; wait before trying again",
                retry_after,
            ),
            AccountError::Busy => ApiError::busy(),
            AccountError::RefreshInvalid => {
                ApiError::unauthorized_with("auth.refresh_invalid", message)
            }
            AccountError::InvalidPhone(_) => ApiError::unprocessable("user.invalid_phone", message),
            AccountError::WeakPassword(_) => ApiError::unprocessable("user.weak_password", message),
            AccountError::InvalidUsername(_) => {
                ApiError::unprocessable("user.invalid_username", message)
            }
            AccountError::WrongPassword => ApiError::unprocessable("user.wrong_password", message),
            AccountError::PhoneTaken => ApiError::conflict("user.phone_taken", message),
            AccountError::UsernameTaken(_) => ApiError::conflict("user.username_taken", message),
            AccountError::UserNotFound => ApiError::not_found("user.not_found", message),
            AccountError::InvalidRole(_) => ApiError::unprocessable("user.invalid_role", message),
            AccountError::InvalidUnit(_) => ApiError::unprocessable("user.invalid_unit", message),
            AccountError::LastAdmin => ApiError::conflict("user.last_admin", message),
            AccountError::Db(e) => ApiError::unavailable(&e),
        }
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Register a citizen account with a mainland mobile number; signs in.
    ///
    /// Errors: `user.invalid_phone`, `user.weak_password` (422),
    /// `user.phone_taken` (409).
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> Result<Created<TokenPair>, ApiError> {
        let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
        let session = accounts::register(
            &state,
            &body.phone,
            &body.password,
            client,
            &RequestId::current_string(),
        )
        .await?;
        Ok(Created::Created(Json(session.into())))
    }

    /// Log in: staff with their username, citizens with their phone number.
    ///
    /// A wrong login and a wrong password get the same answer
    /// (`auth.invalid_credentials`, 401). Failed logins are limited per
    /// account and per client address: past the limit, `auth.throttled`
    /// (429) with `Retry-After`, whichever limit was hit.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> Result<Json<TokenPair>, ApiError> {
        let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
        let session = accounts::login(&state, &body.login, &body.password, client).await?;
        Ok(Json(session.into()))
    }

    /// Trade a refresh token for a new token pair. Each refresh token works
    /// once: presenting a used one again (`auth.refresh_invalid`, 401) also
    /// revokes the token that replaced it.
    #[oai(path = "/auth/refresh", method = "post", operation_id = "refresh")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: Json<RefreshRequest>,
    ) -> Result<Json<TokenPair>, ApiError> {
        let session = accounts::refresh(&state, &body.refresh_token).await?;
        Ok(Json(session.into()))
    }

    /// Sign this device out: its refresh token stops working. Access tokens
    /// already issued expire on their own within minutes.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        body: Json<RefreshRequest>,
    ) -> Result<NoContent, ApiError> {
        accounts::logout(&state, &body.refresh_token).await?;
        Ok(NoContent::Done)
    }

    /// Sign out everywhere: every refresh token and every access token of the
    /// account stop working at once.
    #[oai(
        path = "/auth/logout-all",
        method = "post",
        operation_id = "logout_all"
    )]
    async fn logout_all(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
    ) -> Result<NoContent, ApiError> {
        accounts::logout_everywhere(&state, auth.account(), &RequestId::current_string()).await?;
        Ok(NoContent::Done)
    }

    /// A token for reporting without an account. Nothing that identifies the
    /// reporter (address, device) is stored; keep the receipt a tip returns.
    #[oai(
        path = "/auth/anonymous",
        method = "post",
        operation_id = "anonymous_session"
    )]
    async fn anonymous(&self, state: Data<&AppState>) -> Created<AnonymousToken> {
        let issued = state.tokens.issue_anonymous(Uuid::new_v4());
        Created::Created(Json(AnonymousToken {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in.as_secs(),
        }))
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Me")]
impl MeApi {
    /// The caller's own account.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: Auth<AnyAccount>) -> Result<Json<Me>, ApiError> {
        Ok(Json(Me::of(auth.account())))
    }

    /// Change the caller's password. Every session of the account ends; the
    /// answer is a new token pair for this device.
    ///
    /// Errors: `user.wrong_password`, `user.weak_password` (422).
    #[oai(
        path = "/me/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
        body: Json<PasswordChange>,
    ) -> Result<Json<TokenPair>, ApiError> {
        let session = accounts::change_password(
            &state,
            auth.account(),
            &body.current_password,
            &body.new_password,
            &RequestId::current_string(),
        )
        .await?;
        Ok(Json(session.into()))
    }
}
