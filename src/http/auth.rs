//! Who is calling, for handlers: the [`Auth`] extractor.
//!
//! Each role is a bearer security scheme of its own in the spec, and an
//! operation lists the schemes (roles) it accepts, so the spec says exactly
//! who may call what and the authorization test harness reads it from there.
//! An operation takes `auth: Auth<SomeRoles>` as its first parameter; the
//! extractor answers 401 when there is no valid token for any scheme the
//! operation accepts, and 403 when the token is valid but its role is not
//! accepted.

use std::marker::PhantomData;
use std::net::IpAddr;

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use uuid::Uuid;

use super::error::ApiError;
use super::request_id::RequestId;
use crate::app::AppState;
use crate::auth::tokens::Verified;
use crate::context::{Actor, Ctx};
use crate::domain::Role;
use crate::store::users;

/// The security schemes, one per kind of caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Citizen,
    Moderator,
    UnitOfficer,
    Admin,
    Anonymous,
}

impl Scheme {
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::Citizen => "citizen",
            Scheme::Moderator => "moderator",
            Scheme::UnitOfficer => "unit_officer",
            Scheme::Admin => "admin",
            Scheme::Anonymous => "anonymous",
        }
    }

    const fn description(self) -> &'static str {
        match self {
            Scheme::Citizen => "An access token of a citizen account (`POST /v1/auth/login`).",
            Scheme::Moderator => "An access token of a moderator account.",
            Scheme::UnitOfficer => "An access token of a unit officer account.",
            Scheme::Admin => "An access token of an administrator account.",
            Scheme::Anonymous => {
                "An anonymous reporter's token (`POST /v1/auth/anonymous`): uploads, tips and receipts only."
            }
        }
    }

    fn of_role(role: Role) -> Self {
        match role {
            Role::Citizen => Scheme::Citizen,
            Role::Moderator => Scheme::Moderator,
            Role::UnitOfficer => Scheme::UnitOfficer,
            Role::Admin => Scheme::Admin,
        }
    }
}

/// A set of accepted schemes, as a type so that an operation's signature
/// states it.
pub trait Accepts: Send + Sync + 'static {
    const SCHEMES: &'static [Scheme];
    /// Whether other callers are told the operation does not exist (404,
    /// as for an unknown route) rather than that they may not (403):
    /// moderation stays invisible to citizens and officers.
    const HIDDEN_FROM_OTHERS: bool = false;
}

/// Any signed-in account.
pub struct AnyAccount;
impl Accepts for AnyAccount {
    const SCHEMES: &'static [Scheme] = &[
        Scheme::Citizen,
        Scheme::Moderator,
        Scheme::UnitOfficer,
        Scheme::Admin,
    ];
}

/// Citizens (their own tips).
pub struct Citizens;
impl Accepts for Citizens {
    const SCHEMES: &'static [Scheme] = &[Scheme::Citizen];
}

/// Whoever reports: citizens and anonymous reporters.
pub struct Reporters;
impl Accepts for Reporters {
    const SCHEMES: &'static [Scheme] = &[Scheme::Citizen, Scheme::Anonymous];
}

/// Moderators and administrators; hidden from everyone else.
pub struct Moderators;
impl Accepts for Moderators {
    const SCHEMES: &'static [Scheme] = &[Scheme::Moderator, Scheme::Admin];
    const HIDDEN_FROM_OTHERS: bool = true;
}

/// Unit officers (their own unit's leads); hidden from everyone else.
pub struct UnitOfficers;
impl Accepts for UnitOfficers {
    const SCHEMES: &'static [Scheme] = &[Scheme::UnitOfficer];
    const HIDDEN_FROM_OTHERS: bool = true;
}

/// Administrators only.
pub struct Admins;
impl Accepts for Admins {
    const SCHEMES: &'static [Scheme] = &[Scheme::Admin];
}

/// The caller, once the token and the account behind it have been checked.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A signed-in account, as the database has it now.
    Account(users::Model),
    Anonymous {
        session_id: Uuid,
    },
}

impl Caller {
    /// The account, for operations that accept only accounts.
    pub fn account(&self) -> &users::Model {
        match self {
            Caller::Account(user) => user,
            Caller::Anonymous { .. } => {
                unreachable!("an operation that accepts anonymous callers asked for an account")
            }
        }
    }
}

impl Caller {
    /// Who the audit log says acted: the account, or an anonymous reporter
    /// (never the session's id).
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Account(user) => Actor::User(user.id),
            Caller::Anonymous { .. } => Actor::Anonymous,
        }
    }
}

/// The checked caller of an operation that accepts the schemes `A`, and the
/// context the services get: the caller as actor, the request's id, and
/// "now" by the service's clock, read once.
pub struct Auth<A: Accepts> {
    pub caller: Caller,
    pub ctx: Ctx,
    accepts: PhantomData<A>,
}

impl<A: Accepts> Auth<A> {
    pub fn account(&self) -> &users::Model {
        self.caller.account()
    }
}

/// The context of a request nobody signed in to make (signing in,
/// registering, a receipt's holder): an anonymous actor.
pub fn anonymous_ctx(state: &AppState) -> Ctx {
    Ctx::new(
        Actor::Anonymous,
        RequestId::current_string(),
        state.clock.now(),
    )
}

fn bearer_token(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

async fn authenticate(req: &Request, schemes: &[Scheme], hidden: bool) -> Result<Caller, ApiError> {
    let state = req
        .data::<AppState>()
        .expect("the app state is attached to every request");
    let token =
        bearer_token(req).ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    let invalid = || ApiError::unauthorized("the access token is invalid or has expired");
    let verified = state.tokens.verify(token).map_err(|_| invalid())?;
    match verified {
        Verified::Anonymous { session_id } => {
            // An anonymous token is no credential at all where it is not
            // accepted: 401, like any token of the wrong audience.
            if schemes.contains(&Scheme::Anonymous) {
                Ok(Caller::Anonymous { session_id })
            } else {
                Err(invalid())
            }
        }
        Verified::Account {
            user_id,
            role,
            token_version,
        } => {
            let user = users::find(&state.db, user_id).await?.ok_or_else(invalid)?;
            let current =
                user.token_version == token_version && !user.disabled && user.role == role;
            if !current {
                return Err(invalid());
            }
            if schemes.contains(&Scheme::of_role(role)) {
                Ok(Caller::Account(user))
            } else if hidden {
                Err(ApiError::not_found(
                    "not_found",
                    "there is nothing at this address",
                ))
            } else {
                Err(ApiError::forbidden(format!("a {role} may not do this")))
            }
        }
    }
}

impl<'a, A: Accepts> ApiExtractor<'a> for Auth<A> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        for scheme in A::SCHEMES {
            registry.create_security_scheme(
                scheme.name(),
                MetaSecurityScheme {
                    ty: "http",
                    description: Some(scheme.description()),
                    name: None,
                    key_in: None,
                    scheme: Some("bearer"),
                    bearer_format: Some("JWT"),
                    flows: None,
                    openid_connect_url: None,
                },
            );
        }
    }

    fn security_schemes() -> Vec<&'static str> {
        A::SCHEMES.iter().map(|s| s.name()).collect()
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let caller = authenticate(req, A::SCHEMES, A::HIDDEN_FROM_OTHERS).await?;
        let state = req
            .data::<AppState>()
            .expect("the app state is attached to every request");
        let ctx = Ctx::new(
            caller.actor(),
            RequestId::current_string(),
            state.clock.now(),
        );
        Ok(Self {
            caller,
            ctx,
            accepts: PhantomData,
        })
    }
}

/// The client's address: from the configured header of a trusted proxy,
/// else the socket's peer. Of the header, the last line's rightmost entry
/// counts — the one the trusted proxy itself wrote; whatever the client put
/// in front of it is ignored.
pub fn client_addr(req: &Request, header: Option<&str>) -> IpAddr {
    let from_header = header.and_then(|name| {
        let value = req
            .headers()
            .get_all(name)
            .iter()
            .next_back()?
            .to_str()
            .ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    from_header
        .or_else(|| req.remote_addr().as_socket_addr().map(|a| a.ip()))
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
