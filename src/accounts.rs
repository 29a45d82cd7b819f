//! The flows of accounts and sessions: register, log in (throttled), rotate
//! refresh tokens, sign out, change passwords, and the admin's management of
//! staff accounts and units. HTTP-free: handlers translate requests into
//! these calls and [`AccountError`] into responses.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::{DbErr, TransactionTrait};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::tokens::IssuedToken;
use crate::auth::{password, refresh};
use crate::context::{Actor, Ctx};
use crate::domain::{MobileNumber, Role};
use crate::limits::{self, Limit};
use crate::store::audit::{self, Event};
use crate::store::users::{self, CreateUserError, ListFilter, NewStaff, StaffChanges};
use crate::store::{refresh_tokens, units};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    /// Every password-hashing slot stayed busy: answer 503, retry later.
    #[error("the service is busy; retry shortly")]
    Busy,
    #[error("this refresh token is not valid; log in again")]
    RefreshInvalid,
    #[error("{0}")]
    InvalidPhone(String),
    #[error("{0}")]
    WeakPassword(String),
    #[error("{0}")]
    InvalidUsername(String),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("this phone number is already registered")]
    PhoneTaken,
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),
    #[error("no such account")]
    UserNotFound,
    #[error("{0}")]
    InvalidRole(String),
    #[error("{0}")]
    InvalidUnit(String),
    #[error("this is the last active administrator")]
    LastAdmin,
    #[error("the database failed: {0}")]
    Db(#[from] DbErr),
}

impl AccountError {
    /// The stable code clients match on (`None` for a database failure,
    /// whose code the HTTP layer decides).
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            AccountError::InvalidCredentials => "auth.invalid_credentials",
            AccountError::Throttled { .. } => "auth.throttled",
            AccountError::Busy => "service.busy",
            AccountError::RefreshInvalid => "auth.refresh_invalid",
            AccountError::InvalidPhone(_) => "user.invalid_phone",
            AccountError::WeakPassword(_) => "user.weak_password",
            AccountError::InvalidUsername(_) => "user.invalid_username",
            AccountError::WrongPassword => "user.wrong_password",
            AccountError::PhoneTaken => "user.phone_taken",
            AccountError::UsernameTaken(_) => "user.username_taken",
            AccountError::UserNotFound => "user.not_found",
            AccountError::InvalidRole(_) => "user.invalid_role",
            AccountError::InvalidUnit(_) => "user.invalid_unit",
            AccountError::LastAdmin => "user.last_admin",
            AccountError::Db(_) => return None,
        })
    }
}

impl From<CreateUserError> for AccountError {
    fn from(e: CreateUserError) -> Self {
        match e {
            CreateUserError::UsernameTaken(name) => AccountError::UsernameTaken(name),
            CreateUserError::PhoneTaken => AccountError::PhoneTaken,
            CreateUserError::Db(e) => AccountError::Db(e),
        }
    }
}

/// A signed-in device: an access token and the refresh token that renews it.
/// (No `Debug`: it holds both tokens.)
#[derive(Clone)]
pub struct Session {
    pub access: IssuedToken,
    pub refresh_token: String,
    pub refresh_expires_in: Duration,
    pub user: users::Model,
}

/// A username: 3–64 characters, a letter first, then letters, digits, `.`,
/// `_`, `-`; kept in lower case so `Li.Wei` and `li.wei` are one account.
/// It can never look like a phone number, so one login field serves both.
pub fn normalize_username(input: &str) -> Result<String, AccountError> {
    let name = input.trim().to_ascii_lowercase();
    let valid = (3..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(name)
    } else {
        Err(AccountError::InvalidUsername(
            "a username is 3 to 64 characters: a letter, then letters, digits, `.`, `_` or `-`"
                .into(),
        ))
    }
}

fn check_password(password: &str, phone: Option<&MobileNumber>) -> Result<(), AccountError> {
    password::check_policy(password).map_err(|e| AccountError::WeakPassword(e.to_string()))?;
    if let Some(phone) = phone {
        let digits: String = password.chars().filter(char::is_ascii_digit).collect();
        let national = &phone.e164()[3..];
        if digits == national || MobileNumber::parse(password).as_ref() == Ok(phone) {
            return Err(AccountError::WeakPassword(
                "the password must not be the phone number".into(),
            ));
        }
    }
    Ok(())
}

/// Runs password hashing or verification (19 MiB and tens of milliseconds
/// each) on the blocking pool, at most as many at once as the service has
/// slots for, so a flood of logins cannot exhaust memory.
async fn with_hasher<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    let permit = tokio::time::timeout(
        Duration::from_secs(10),
        state.password_slots.clone().acquire_owned(),
    )
    .await
    .map_err(|_| AccountError::Busy)?
    .expect("the semaphore is never closed");
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .expect("hashing does not panic");
    Ok(result)
}

async fn hash_password(state: &AppState, password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    with_hasher(state, move || password::hash(&password)).await
}

async fn verify_password(
    state: &AppState,
    password: &str,
    hash: Option<String>,
) -> Result<bool, AccountError> {
    let password = password.to_owned();
    with_hasher(state, move || {
        password::verify_or_waste(&password, hash.as_deref())
    })
    .await
}

/// Opens a new session (a new refresh-token family) for the user.
async fn open_session(
    state: &AppState,
    ctx: &Ctx,
    db: &impl sea_orm::ConnectionTrait,
    user: users::Model,
) -> Result<Session, AccountError> {
    let role = user.role;
    let ttl = state.settings.auth.refresh_token_ttl;
    let refresh_token = refresh::generate();
    refresh_tokens::insert(
        db,
        user.id,
        Uuid::now_v7(),
        refresh::hash(&refresh_token),
        ctx.now + ttl,
        ctx.now,
    )
    .await?;
    Ok(Session {
        access: state
            .tokens
            .issue_account(user.id, role, user.token_version),
        refresh_token,
        refresh_expires_in: ttl,
        user,
    })
}

/// How many accounts one client address may register per hour.
const REGISTRATIONS_PER_ADDRESS_PER_HOUR: u32 = 10;

/// `POST /v1/auth/register`: a citizen account, signed in at once. The
/// account and its first session commit together.
pub async fn register(
    state: &AppState,
    phone: &str,
    password: &str,
    client: IpAddr,
    ctx: &Ctx,
) -> Result<Session, AccountError> {
    let phone =
        MobileNumber::parse(phone).map_err(|e| AccountError::InvalidPhone(e.to_string()))?;
    check_password(password, Some(&phone))?;
    let limit = [Limit::new(
        format!("register:address:{}", limits::address_key(client)),
        REGISTRATIONS_PER_ADDRESS_PER_HOUR,
    )];
    if let Err(exceeded) = limits::hit(state, &limit, Duration::from_secs(3600)).await? {
        return Err(AccountError::Throttled {
            retry_after: exceeded.retry_after,
        });
    }
    // Cheap before costly: a taken number needs no hash.
    if users::find_by_phone(&state.db, &phone).await?.is_some() {
        return Err(AccountError::PhoneTaken);
    }
    let hash = hash_password(state, password).await?;
    let txn = state.db.begin().await?;
    let user = users::create_citizen(&txn, &phone, hash, ctx.now).await?;
    audit::record(
        &txn,
        &ctx.acting_as(Actor::User(user.id)),
        Event::new("user.register", "user", user.id),
    )
    .await?;
    let session = open_session(state, ctx, &txn, user).await?;
    txn.commit().await?;
    tracing::info!(user_id = %session.user.id, "citizen registered");
    Ok(session)
}

/// The counters one login attempt is held to.
fn login_limits(state: &AppState, login: &Login, client: IpAddr) -> [Limit; 2] {
    let auth = &state.settings.auth;
    [
        Limit::new(login.throttle_key(), auth.max_failures_per_account),
        Limit::new(
            format!("login:address:{}", limits::address_key(client)),
            auth.max_failures_per_address,
        ),
    ]
}

enum Login {
    Phone(MobileNumber),
    Username(String),
}

impl Login {
    /// Phone numbers in any spelling, usernames in any case: one key each, so
    /// spelling variants share one counter.
    fn parse(input: &str) -> Self {
        match MobileNumber::parse(input) {
            Ok(phone) => Login::Phone(phone),
            Err(_) => Login::Username(input.trim().to_ascii_lowercase()),
        }
    }

    fn throttle_key(&self) -> String {
        match self {
            Login::Phone(phone) => format!("login:account:{}", phone.e164()),
            Login::Username(name) => format!("login:account:{}", truncate(name, 150)),
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// `POST /v1/auth/login`. Unknown accounts, wrong passwords and disabled
/// accounts look the same from outside, in body and in time. Every attempt
/// is counted against the account and the client address before the
/// password is checked (so parallel guesses cannot outrun the count), and a
/// success takes its own count back: it resets nothing else, so an
/// attacker's own successful logins buy no extra guesses.
pub async fn login(
    state: &AppState,
    login: &str,
    password: &str,
    client: IpAddr,
    ctx: &Ctx,
) -> Result<Session, AccountError> {
    let login = Login::parse(login);
    let limits = login_limits(state, &login, client);
    let window = state.settings.auth.failure_window;
    if let Err(exceeded) = limits::hit(state, &limits, window).await? {
        return Err(AccountError::Throttled {
            retry_after: exceeded.retry_after,
        });
    }

    let user = match &login {
        Login::Phone(phone) => users::find_by_phone(&state.db, phone).await?,
        Login::Username(name) => users::find_by_username(&state.db, name).await?,
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = verify_password(state, password, hash).await?;
    let user = match user {
        Some(user) if ok && !user.disabled => user,
        _ => return Err(AccountError::InvalidCredentials),
    };
    limits::unhit(state, &limits).await?;
    let user = if password::needs_rehash(&user.password_hash) {
        let hash = hash_password(state, password).await?;
        // Only over the hash just verified: a password change that landed
        // meanwhile wins, and then this login's session is refused below.
        users::replace_password_hash(&state.db, &user, hash).await?;
        users::find(&state.db, user.id)
            .await?
            .ok_or(AccountError::InvalidCredentials)?
    } else {
        user
    };
    open_session(state, ctx, &state.db, user).await
}

/// `POST /v1/auth/refresh`: trades a refresh token for a new pair. A token
/// that was already traded is a sign of theft: its whole family is revoked,
/// the thief's copy and the owner's alike.
/// How long a traded refresh token may be presented again as a retry (its
/// answer lost to a page that went away): about one slow round trip.
pub const REFRESH_RETRY_GRACE: chrono::Duration = chrono::Duration::seconds(10);

pub async fn refresh(state: &AppState, token: &str, ctx: &Ctx) -> Result<Session, AccountError> {
    let Some(row) = refresh_tokens::find_by_hash(&state.db, &refresh::hash(token)).await? else {
        return Err(AccountError::RefreshInvalid);
    };
    if row.revoked_at.is_some() {
        return Err(AccountError::RefreshInvalid);
    }
    // A tab closed or reloaded while its refresh was in flight: the token
    // was traded, but the answer never arrived and the page presents the
    // old one again. For a few seconds, and only while its successor is
    // unused, that is a retry: the successor is revoked and a new one
    // issued. Later, or once the successor is in use, it is a replay.
    let retry = row
        .replaced_at
        .filter(|at| ctx.now - *at <= REFRESH_RETRY_GRACE);
    if row.replaced_at.is_some() && retry.is_none() {
        tracing::warn!(user_id = %row.user_id, "refresh token replayed; revoking its family");
        refresh_tokens::revoke_family(&state.db, row.family_id, ctx.now).await?;
        return Err(AccountError::RefreshInvalid);
    }
    if row.expires_at <= ctx.now {
        return Err(AccountError::RefreshInvalid);
    }
    let user = match users::find(&state.db, row.user_id).await? {
        Some(user) if !user.disabled => user,
        _ => {
            refresh_tokens::revoke_family(&state.db, row.family_id, ctx.now).await?;
            return Err(AccountError::RefreshInvalid);
        }
    };
    let ttl = state.settings.auth.refresh_token_ttl;
    let next = refresh::generate();
    let txn = state.db.begin().await?;
    // The account row is the lock every sign-out takes first: a rotation
    // and a revocation never interleave, so a sign-out cannot miss the
    // token this rotation adds.
    let user = match users::find_for_update(&txn, user.id).await? {
        Some(user) if !user.disabled => user,
        _ => {
            txn.rollback().await?;
            return Err(AccountError::RefreshInvalid);
        }
    };
    let role = user.role;
    let traded = match retry {
        Some(replaced_at) => {
            refresh_tokens::revoke_unused_successor(&txn, row.family_id, replaced_at, ctx.now)
                .await?
        }
        None => refresh_tokens::mark_replaced(&txn, row.id, ctx.now).await?,
    };
    if !traded {
        // Another request traded it a moment ago: a replay all the same.
        txn.rollback().await?;
        refresh_tokens::revoke_family(&state.db, row.family_id, ctx.now).await?;
        return Err(AccountError::RefreshInvalid);
    }
    refresh_tokens::insert(
        &txn,
        user.id,
        row.family_id,
        refresh::hash(&next),
        ctx.now + ttl,
        ctx.now,
    )
    .await?;
    txn.commit().await?;
    Ok(Session {
        access: state
            .tokens
            .issue_account(user.id, role, user.token_version),
        refresh_token: next,
        refresh_expires_in: ttl,
        user,
    })
}

/// `POST /v1/auth/logout`: ends this device's session. Unknown tokens are
/// fine: signing out twice is not an error.
pub async fn logout(state: &AppState, token: &str, ctx: &Ctx) -> Result<(), AccountError> {
    if let Some(row) = refresh_tokens::find_by_hash(&state.db, &refresh::hash(token)).await? {
        let txn = state.db.begin().await?;
        users::find_for_update(&txn, row.user_id).await?;
        refresh_tokens::revoke_family(&txn, row.family_id, ctx.now).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// `POST /v1/auth/logout-all`: every session and every access token of the
/// account stop working now.
pub async fn logout_everywhere(
    state: &AppState,
    user: &users::Model,
    ctx: &Ctx,
) -> Result<(), AccountError> {
    let txn = state.db.begin().await?;
    users::bump_token_version(&txn, user.id, ctx.now).await?;
    refresh_tokens::revoke_all_of_user(&txn, user.id, ctx.now).await?;
    audit::record(&txn, ctx, Event::new("user.logout_all", "user", user.id)).await?;
    txn.commit().await?;
    Ok(())
}

/// `POST /v1/me/password`: every other session ends; this device gets a
/// fresh one.
pub async fn change_password(
    state: &AppState,
    user: &users::Model,
    current: &str,
    new: &str,
    ctx: &Ctx,
) -> Result<Session, AccountError> {
    // A stolen access token must not buy unlimited guesses at the password.
    let limit = [Limit::new(
        format!("password:user:{}", user.id),
        state.settings.auth.max_failures_per_account,
    )];
    if let Err(exceeded) = limits::hit(state, &limit, state.settings.auth.failure_window).await? {
        return Err(AccountError::Throttled {
            retry_after: exceeded.retry_after,
        });
    }
    if !verify_password(state, current, Some(user.password_hash.clone())).await? {
        return Err(AccountError::WrongPassword);
    }
    limits::unhit(state, &limit).await?;
    let phone = user
        .phone
        .as_deref()
        .and_then(|p| MobileNumber::parse(p).ok());
    check_password(new, phone.as_ref())?;
    let hash = hash_password(state, new).await?;
    let txn = state.db.begin().await?;
    let user = users::set_password_hash(&txn, user.id, hash, ctx.now).await?;
    refresh_tokens::revoke_all_of_user(&txn, user.id, ctx.now).await?;
    audit::record(
        &txn,
        ctx,
        Event::new("user.password_change", "user", user.id),
    )
    .await?;
    let session = open_session(state, ctx, &txn, user).await?;
    txn.commit().await?;
    Ok(session)
}

/// An administrator resets a staff account's password: a new one is made,
/// every session of the account ends, and the password is returned once
/// (shown to the admin, who hands it over). Citizens' accounts are theirs
/// alone: `user.invalid_role`.
pub async fn reset_staff_password(
    state: &AppState,
    id: Uuid,
    ctx: &Ctx,
) -> Result<String, AccountError> {
    let user = users::find(&state.db, id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    if !user.role.is_staff() {
        return Err(AccountError::InvalidRole(
            "only staff passwords are reset by an administrator".into(),
        ));
    }
    let fresh = password::generate();
    let hash = hash_password(state, &fresh).await?;
    let txn = state.db.begin().await?;
    users::set_password_hash(&txn, user.id, hash, ctx.now).await?;
    refresh_tokens::revoke_all_of_user(&txn, user.id, ctx.now).await?;
    audit::record(
        &txn,
        ctx,
        Event::new("user.password_reset", "user", user.id),
    )
    .await?;
    txn.commit().await?;
    Ok(fresh)
}

/// What an admin asks for when creating a staff account.
pub struct StaffRequest<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub unit_id: Option<Uuid>,
}

/// A unit officer needs an existing unit; nobody else has one.
async fn check_unit(
    state: &AppState,
    role: Role,
    unit_id: Option<Uuid>,
) -> Result<(), AccountError> {
    match (role, unit_id) {
        (Role::UnitOfficer, None) => Err(AccountError::InvalidUnit(
            "a unit officer needs a unit_id".into(),
        )),
        (Role::UnitOfficer, Some(id)) => match units::find(&state.db, id).await? {
            Some(unit) if !unit.disabled => Ok(()),
            _ => Err(AccountError::InvalidUnit(format!(
                "there is no active unit {id}"
            ))),
        },
        (_, Some(_)) => Err(AccountError::InvalidUnit(
            "only unit officers belong to a unit".into(),
        )),
        (_, None) => Ok(()),
    }
}

/// `POST /v1/admin/users`.
pub async fn create_staff(
    state: &AppState,
    request: StaffRequest<'_>,
    ctx: &Ctx,
) -> Result<users::Model, AccountError> {
    if !request.role.is_staff() {
        return Err(AccountError::InvalidRole(
            "citizens register themselves; staff roles are moderator, unit_officer, admin".into(),
        ));
    }
    let username = normalize_username(request.username)?;
    check_password(request.password, None)?;
    check_unit(state, request.role, request.unit_id).await?;
    let password_hash = hash_password(state, request.password).await?;
    let txn = state.db.begin().await?;
    let user = users::create_staff(
        &txn,
        NewStaff {
            username: &username,
            password_hash,
            role: request.role,
            unit_id: request.unit_id,
        },
        ctx.now,
    )
    .await?;
    let details = serde_json::json!({ "role": request.role.as_str(), "unit_id": request.unit_id });
    audit::record(
        &txn,
        ctx,
        Event::new("user.create", "user", user.id).details(details),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = %user.id, role = %request.role, "staff account created");
    Ok(user)
}

/// `PATCH /v1/admin/users/{id}`: role, unit, disabled. Any change signs the
/// account out everywhere (tokens and sessions). The last active admin can
/// be neither demoted nor disabled.
pub async fn update_user(
    state: &AppState,
    id: Uuid,
    mut changes: StaffChanges,
    ctx: &Ctx,
) -> Result<users::Model, AccountError> {
    let user = users::find(&state.db, id)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    let current_role = user.role;
    if current_role == Role::Citizen && (changes.role.is_some() || changes.unit_id.is_some()) {
        return Err(AccountError::InvalidRole(
            "a citizen account can be disabled or enabled, not given a role or unit".into(),
        ));
    }
    if changes.role == Some(Role::Citizen) {
        return Err(AccountError::InvalidRole(
            "staff cannot become citizens".into(),
        ));
    }
    let role = changes.role.unwrap_or(current_role);
    if role != Role::UnitOfficer && changes.unit_id.is_none() && user.unit_id.is_some() {
        // Leaving the officer role leaves the unit.
        changes.unit_id = Some(None);
    }
    let unit_id = changes.unit_id.unwrap_or(user.unit_id);
    if changes.role.is_some() || changes.unit_id.is_some() {
        check_unit(state, role, unit_id).await?;
    }
    let stays_admin = role == Role::Admin && !changes.disabled.unwrap_or(user.disabled);
    let is_active_admin = current_role == Role::Admin && !user.disabled;
    let txn = state.db.begin().await?;
    // Counted under lock, so two admins demoting each other at once cannot
    // leave none.
    if is_active_admin && !stays_admin && users::lock_active_admins(&txn).await? <= 1 {
        txn.rollback().await?;
        return Err(AccountError::LastAdmin);
    }
    let updated = users::update_staff(&txn, &user, changes, ctx.now).await?;
    if updated != user {
        // The change takes effect at once: no token or session of the old
        // role, unit or status lives on.
        refresh_tokens::revoke_all_of_user(&txn, user.id, ctx.now).await?;
        let details = serde_json::json!({
            "role": updated.role.as_str(),
            "unit_id": updated.unit_id,
            "disabled": updated.disabled,
        });
        audit::record(
            &txn,
            ctx,
            Event::new("user.update", "user", user.id).details(details),
        )
        .await?;
    }
    txn.commit().await?;
    if updated != user {
        tracing::info!(user_id = %user.id, role = %updated.role, disabled = updated.disabled, "account changed by an admin");
    }
    Ok(updated)
}

/// `GET /v1/admin/users`: a page and the id to continue after.
pub async fn list_users(
    state: &AppState,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<users::Model>, Option<Uuid>), AccountError> {
    // One more than asked tells whether there is a next page.
    let rows = users::list(&state.db, filter, after, limit + 1).await?;
    Ok(crate::store::split_page(rows, limit, |u| u.id))
}
