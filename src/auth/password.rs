//! Password hashing: argon2id with the OWASP-recommended parameters
//! (19 MiB of memory, 2 passes, 1 lane).

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distr::{Alphanumeric, SampleString};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password must be {MIN_LEN} to {MAX_LEN} characters long")]
    Length,
}

const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the length rule; the caller adds rules that need context (a
/// password may not be the account's phone number).
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if (MIN_LEN..=MAX_LEN).contains(&len) {
        Ok(())
    } else {
        Err(PasswordError::Length)
    }
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`). CPU-heavy: call it
/// from a blocking thread in a request path.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any input with valid parameters")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against the account's hash, or — for an unknown account —
/// against a hash of a random password, so both cost the same time and
/// nothing tells an attacker which accounts exist.
pub fn verify_or_waste(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash(&generate()));
    match phc {
        Some(phc) => verify(password, phc),
        None => {
            verify(password, &DUMMY);
            false
        }
    }
}

/// Whether a hash was made with other parameters than today's, and should
/// be replaced at the next successful login.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let current = Params::try_from(&parsed)
        .ok()
        .map(|p| (p.m_cost(), p.t_cost(), p.p_cost()));
    parsed.algorithm.as_str() != "argon2id"
        || parsed.version != Some(Version::V0x13 as u32)
        || current != Some((MEMORY_KIB, PASSES, LANES))
}

/// A password for an account made by the service itself (the first admin):
/// 24 letters and digits, about 142 bits.
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse");
        let b = hash("correct horse");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn weaker_hashes_ask_to_be_redone() {
        assert!(!needs_rehash(&hash("a passphrase")));
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(
            b"a passphrase",
            &SaltString::generate(&mut argon2::password_hash::rand_core::OsRng),
        )
        .unwrap()
        .to_string();
        assert!(verify("a passphrase", &weak), "old hashes still verify");
        assert!(needs_rehash(&weak));
        assert!(!verify_or_waste("a passphrase", None));
    }

    #[test]
    fn policy_is_about_length() {
        assert_eq!(check_policy("short"), Err(PasswordError::Length));
        assert_eq!(check_policy(&"x".repeat(129)), Err(PasswordError::Length));
        assert_eq!(check_policy("eight ch"), Ok(()));
    }
}
