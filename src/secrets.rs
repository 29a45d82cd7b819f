//! Keys for single purposes, derived from the service's signing secret, so
//! that one configured secret serves blob URLs, access tokens, idempotent
//! outcomes and rate-limit keys without any two sharing a key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256(signing secret, purpose).
pub fn derive(signing_secret: &[u8], purpose: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(signing_secret).expect("HMAC takes any key");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}
