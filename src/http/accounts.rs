//! Signing in and out, and the caller's own account: `/v1/auth/*`, `/v1/me*`.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{AnyAccount, Auth, anonymous_ctx, client_addr};
use super::contract::Checked;
use super::error::{ApiError, Fails};
use super::responses::{Created, NoContent};
use super::vocab::{RoleName, TokenType};
use crate::accounts::{self, Session};
use crate::app::AppState;
use crate::store::users;

pub struct AuthApi;

/// How long after expiry an anonymous token can still be renewed: as long
/// as idempotency keys are kept.
const RENEW_GRACE: std::time::Duration = std::time::Duration::from_secs(25 * 3600);
pub struct MeApi;

crate::errors! {
    RegisterErrors: 400, 409 ["user.phone_taken"],
        413, 415, 422 ["user.invalid_phone", "user.weak_password"],
        429 ["auth.throttled"], 503 ["service.busy"];
    LoginErrors: 400, 401 ["auth.invalid_credentials"], 413, 415,
        429 ["auth.throttled"], 503 ["service.busy"];
    RefreshErrors: 400, 401 ["auth.refresh_invalid"], 413, 415, 503;
    LogoutErrors: 400, 413, 415, 503;
    RenewErrors: 400, 401, 413, 415;
    /// Any signed-in account's own reads and sign-out.
    pub AccountErrors: 401, 503;
    PasswordErrors: 400, 401, 413, 415,
        422 ["user.wrong_password", "user.weak_password"],
        429 ["auth.throttled"], 503 ["service.busy"];
}

/// The caller's own account.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
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
            role: RoleName::from(user.role),
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
#[oai(skip_serializing_if_is_none)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: TokenType,
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
            token_type: TokenType::Bearer,
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
#[oai(skip_serializing_if_is_none)]
pub struct AnonymousToken {
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until it expires; then ask for another.
    pub expires_in: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegisterRequest {
    /// A mainland mobile number (11 digits from `13` to `19`), written any
    /// usual way: `13800138000`, `+86 138 0013 8000`, `0086-138-0013-8000`,
    /// `(+86) 13800138000`.
    #[oai(validator(
        max_length = 32,
        pattern = r"^\s*[ ().-]*(\+[ ().-]*8[ ().-]*6[ ().-]*|0[ ().-]*0[ ().-]*8[ ().-]*6[ ().-]*|8[ ().-]*6[ ().-]*)?1[ ().-]*[3-9]([ ().-]*[0-9]){9}[ ().-]*\s*$"
    ))]
    pub phone: String,
    /// 8 to 128 characters, not the phone number.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginRequest {
    /// A staff username, or a citizen's phone number in any usual spelling.
    #[oai(validator(max_length = 200))]
    pub login: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// An anonymous reporter's token, perhaps expired.
#[derive(Object)]
pub struct RenewAnonymous {
    #[oai(validator(max_length = 2000))]
    pub token: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RefreshRequest {
    #[oai(validator(max_length = 200))]
    pub refresh_token: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordChange {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Register a citizen account with a mainland mobile number; signs in.
    /// Registrations are limited per client address.
    #[oai(path = "/auth/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Checked<RegisterRequest>,
    ) -> Result<Created<TokenPair>, Fails<RegisterErrors>> {
        let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
        let session = accounts::register(
            &state,
            &body.phone,
            &body.password,
            client,
            &anonymous_ctx(&state),
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
        body: Checked<LoginRequest>,
    ) -> Result<Json<TokenPair>, Fails<LoginErrors>> {
        let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
        let session = accounts::login(
            &state,
            &body.login,
            &body.password,
            client,
            &anonymous_ctx(&state),
        )
        .await?;
        Ok(Json(session.into()))
    }

    /// Trade a refresh token for a new token pair. Each refresh token works
    /// once: presenting a used one again (`auth.refresh_invalid`, 401) also
    /// revokes the token that replaced it.
    #[oai(path = "/auth/refresh", method = "post", operation_id = "refresh")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: Checked<RefreshRequest>,
    ) -> Result<Json<TokenPair>, Fails<RefreshErrors>> {
        let session =
            accounts::refresh(&state, &body.refresh_token, &anonymous_ctx(&state)).await?;
        Ok(Json(session.into()))
    }

    /// Sign this device out: its refresh token stops working. Access tokens
    /// already issued expire on their own within minutes.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        body: Checked<RefreshRequest>,
    ) -> Result<NoContent, Fails<LogoutErrors>> {
        accounts::logout(&state, &body.refresh_token, &anonymous_ctx(&state)).await?;
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
    ) -> Result<NoContent, Fails<AccountErrors>> {
        accounts::logout_everywhere(&state, auth.account(), &auth.ctx).await?;
        Ok(NoContent::Done)
    }

    /// A new token for the same anonymous session, from its token even if
    /// that expired (up to a day ago): a report queued offline is retried
    /// as the same reporter, so its `Idempotency-Key` still finds the first
    /// attempt. Nothing but the session's random id carries over.
    #[oai(
        path = "/auth/anonymous/renew",
        method = "post",
        operation_id = "renew_anonymous_session"
    )]
    async fn renew_anonymous(
        &self,
        state: Data<&AppState>,
        body: Checked<RenewAnonymous>,
    ) -> Result<Created<AnonymousToken>, Fails<RenewErrors>> {
        let session = state
            .tokens
            .renewable_anonymous(&body.token, RENEW_GRACE)
            .map_err(|_| ApiError::unauthorized("the anonymous token is invalid or too old"))?;
        let issued = state.tokens.issue_anonymous(session);
        Ok(Created::Created(Json(AnonymousToken {
            access_token: issued.token,
            token_type: TokenType::Bearer,
            expires_in: issued.expires_in.as_secs(),
        })))
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
            token_type: TokenType::Bearer,
            expires_in: issued.expires_in.as_secs(),
        }))
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Me")]
impl MeApi {
    /// The caller's own account.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: Auth<AnyAccount>) -> Result<Json<Me>, Fails<AccountErrors>> {
        Ok(Json(Me::of(auth.account())))
    }

    /// Change the caller's password. Every session of the account ends; the
    /// answer is a new token pair for this device. Wrong current passwords
    /// are limited like failed logins.
    #[oai(
        path = "/me/password",
        method = "post",
        operation_id = "change_password"
    )]
    async fn change_password(
        &self,
        auth: Auth<AnyAccount>,
        state: Data<&AppState>,
        body: Checked<PasswordChange>,
    ) -> Result<Json<TokenPair>, Fails<PasswordErrors>> {
        let session = accounts::change_password(
            &state,
            auth.account(),
            &body.current_password,
            &body.new_password,
            &auth.ctx,
        )
        .await?;
        Ok(Json(session.into()))
    }
}
