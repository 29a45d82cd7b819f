//! Access tokens: short-lived JWTs, HS256 only, named by `kid`.
//!
//! Every token carries `iss`, `aud`, `sub`, `iat`, `exp`, the caller's role
//! and, for accounts, the account's `token_version` (checked against the
//! database on every request, so a sign-out, password change, demotion or
//! ban takes effect at once). Accounts and anonymous reporters get different
//! audiences, so one can never stand in for the other.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::unix_now;
use crate::config::AuthSettings;
use crate::domain::Role;

/// The one algorithm; a token naming any other is refused before its
/// signature is looked at.
const ALGORITHM: Algorithm = Algorithm::HS256;
const ANONYMOUS_ROLE: &str = "anonymous";

/// Who a token was issued to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A citizen or staff account.
    Account,
    /// An anonymous reporter: uploads, tips and receipts only.
    Anonymous,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Account => "tipline",
            Audience::Anonymous => "tipline-anonymous",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    iat: u64,
    exp: u64,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tv: Option<i32>,
}

/// What a valid token says; the account still has to be checked against the
/// database (disabled, token version, role).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    Account {
        user_id: Uuid,
        role: Role,
        token_version: i32,
    },
    Anonymous {
        session_id: Uuid,
    },
}

#[derive(Debug, thiserror::Error)]
#[error("invalid access token: {0}")]
pub struct InvalidToken(&'static str);

/// A signed token. (No `Debug`: it is a credential.)
#[derive(Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
    /// Unix seconds after which the key verifies nothing (retired keys).
    usable_until: Option<u64>,
}

/// The keys that sign and verify access tokens, and the rules they follow.
pub struct TokenKeys {
    issuer: String,
    signing_kid: String,
    signing_key: EncodingKey,
    verifying: Vec<VerifyingKey>,
    access_ttl: Duration,
    anonymous_ttl: Duration,
    leeway: Duration,
}

impl TokenKeys {
    /// The configured keys, or a key derived from the service's signing
    /// secret (kid `s1`) when none is configured.
    pub fn new(settings: &AuthSettings, signing_secret: &[u8]) -> Self {
        let (signing_kid, secret) = match &settings.signing_key {
            Some(key) => (key.kid.clone(), key.secret.expose().as_bytes().to_vec()),
            None => (
                "s1".to_owned(),
                crate::secrets::derive(signing_secret, b"tipline/jwt/v1").to_vec(),
            ),
        };
        let mut verifying = vec![VerifyingKey {
            kid: signing_kid.clone(),
            key: DecodingKey::from_secret(&secret).expect("HMAC takes any key"),
            usable_until: None,
        }];
        // A retired key verifies what it signed before retirement, which
        // expires within one token lifetime (plus the leeway).
        let lifetime =
            settings.access_token_ttl.max(settings.anonymous_token_ttl) + settings.leeway;
        for retired in &settings.retired_keys {
            let retired_at = retired.retired_at.timestamp().max(0) as u64;
            verifying.push(VerifyingKey {
                kid: retired.key.kid.clone(),
                key: DecodingKey::from_secret(retired.key.secret.expose().as_bytes())
                    .expect("HMAC takes any key"),
                usable_until: Some(retired_at + lifetime.as_secs()),
            });
        }
        Self {
            issuer: settings.issuer.clone(),
            signing_kid,
            signing_key: EncodingKey::from_secret(&secret).expect("HMAC takes any key"),
            verifying,
            access_ttl: settings.access_token_ttl,
            anonymous_ttl: settings.anonymous_token_ttl,
            leeway: settings.leeway,
        }
    }

    pub fn issue_account(&self, user_id: Uuid, role: Role, token_version: i32) -> IssuedToken {
        self.issue(
            Audience::Account,
            user_id,
            role.as_str(),
            Some(token_version),
            self.access_ttl,
        )
    }

    pub fn issue_anonymous(&self, session_id: Uuid) -> IssuedToken {
        self.issue(
            Audience::Anonymous,
            session_id,
            ANONYMOUS_ROLE,
            None,
            self.anonymous_ttl,
        )
    }

    fn issue(
        &self,
        audience: Audience,
        subject: Uuid,
        role: &str,
        token_version: Option<i32>,
        ttl: Duration,
    ) -> IssuedToken {
        let now = unix_now();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: audience.as_str().to_owned(),
            sub: subject.to_string(),
            iat: now,
            exp: now + ttl.as_secs(),
            role: role.to_owned(),
            tv: token_version,
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.signing_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing_key)
            .expect("HS256 signing cannot fail");
        IssuedToken {
            token,
            expires_in: ttl,
        }
    }

    /// Checks the header, the signature, `iss`, `aud`, `exp` (with the
    /// leeway) and the shape of the claims.
    pub fn verify(&self, token: &str) -> Result<Verified, InvalidToken> {
        self.verify_within(token, Duration::ZERO)
    }

    /// The session of an anonymous token that may have expired up to
    /// `grace` ago, for renewing it: a phone that queued a report offline
    /// keeps its session (and so the report's idempotency key) when it
    /// comes back after the token's hour. Account tokens never renew this
    /// way (they have refresh tokens).
    pub fn renewable_anonymous(&self, token: &str, grace: Duration) -> Result<Uuid, InvalidToken> {
        match self.verify_within(token, grace)? {
            Verified::Anonymous { session_id } => Ok(session_id),
            Verified::Account { .. } => Err(InvalidToken("not an anonymous token")),
        }
    }

    fn verify_within(&self, token: &str, grace: Duration) -> Result<Verified, InvalidToken> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| InvalidToken("header"))?;
        if header.alg != ALGORITHM {
            return Err(InvalidToken("algorithm"));
        }
        let kid = header.kid.ok_or(InvalidToken("no kid"))?;
        let key = self
            .verifying
            .iter()
            .find(|k| k.kid == kid)
            .filter(|k| {
                k.usable_until
                    .is_none_or(|until| unix_now() <= until + grace.as_secs())
            })
            .ok_or(InvalidToken("unknown kid"))?;

        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = (self.leeway + grace).as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[Audience::Account.as_str(), Audience::Anonymous.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|_| InvalidToken("signature or claims"))?
            .claims;

        let subject = Uuid::parse_str(&claims.sub).map_err(|_| InvalidToken("sub"))?;
        match claims.aud.as_str() {
            a if a == Audience::Anonymous.as_str() && claims.role == ANONYMOUS_ROLE => {
                Ok(Verified::Anonymous {
                    session_id: subject,
                })
            }
            a if a == Audience::Account.as_str() => Ok(Verified::Account {
                user_id: subject,
                role: claims.role.parse().map_err(|_| InvalidToken("role"))?,
                token_version: claims.tv.ok_or(InvalidToken("tv"))?,
            }),
            _ => Err(InvalidToken("audience and role disagree")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Overrides};

    fn keys(env: &[(&str, &str)]) -> TokenKeys {
        let vars = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let settings = config::load(None, vars, &Overrides::default()).unwrap();
        TokenKeys::new(&settings.auth, b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn issued_tokens_verify() {
        let keys = keys(&[]);
        let user = Uuid::now_v7();
        let token = keys.issue_account(user, Role::Moderator, 3);
        assert_eq!(
            keys.verify(&token.token).unwrap(),
            Verified::Account {
                user_id: user,
                role: Role::Moderator,
                token_version: 3
            }
        );
        let session = Uuid::new_v4();
        let token = keys.issue_anonymous(session);
        assert_eq!(
            keys.verify(&token.token).unwrap(),
            Verified::Anonymous {
                session_id: session
            }
        );
    }

    #[test]
    fn a_retired_key_verifies_for_one_lifetime_then_not() {
        let old = "0123456789abcdef0123456789abcdef-old";
        let before = keys(&[("TIPLINE_JWT_KEY", &format!("k1 {old}"))]);
        let token = before.issue_account(Uuid::now_v7(), Role::Admin, 0).token;

        let just_retired =
            (crate::clock::Clock::default().now() - chrono::Duration::seconds(5)).to_rfc3339();
        let rotated = keys(&[
            ("TIPLINE_JWT_KEY", "k2 0123456789abcdef0123456789abcdef-new"),
            (
                "TIPLINE_JWT_RETIRED_KEYS",
                &format!("k1 {just_retired} {old}"),
            ),
        ]);
        assert!(rotated.verify(&token).is_ok());

        let long_ago =
            (crate::clock::Clock::default().now() - chrono::Duration::hours(2)).to_rfc3339();
        let later = keys(&[
            ("TIPLINE_JWT_KEY", "k2 0123456789abcdef0123456789abcdef-new"),
            ("TIPLINE_JWT_RETIRED_KEYS", &format!("k1 {long_ago} {old}")),
        ]);
        assert!(later.verify(&token).is_err());
        let forgotten = keys(&[("TIPLINE_JWT_KEY", "k2 0123456789abcdef0123456789abcdef-new")]);
        assert!(forgotten.verify(&token).is_err());
    }
}
