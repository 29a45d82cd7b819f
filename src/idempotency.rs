//! Retried writes: with an `Idempotency-Key`, a write runs once and a replay
//! gets the first outcome; the same key with another body is refused, and
//! concurrent retries wait for the first instead of repeating it.
//!
//! What is stored of a key is a hash (with the caller's scope), and the
//! outcome is sealed with a key derived from the service secret and the
//! client's key: the table alone reveals nothing, not even an anonymous
//! reporter's receipt that a replay must return. Rows live at least 24 h.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use sea_orm::DbErr;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::store::idempotency as rows;

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("this Idempotency-Key was used with a different request")]
    KeyReused,
    #[error("a request with this Idempotency-Key is still running; retry shortly")]
    InProgress,
    #[error("the database failed: {0}")]
    Db(#[from] DbErr),
}

/// How long a retry waits for the first request to finish.
const WAIT: Duration = Duration::from_secs(30);
/// A claim with no outcome after this long belongs to a request that died
/// (a dropped connection, a crash): a retry takes it over.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);

pub enum Claim {
    /// Run the write, then [`Guard::finish`] (or [`Guard::abandon`] on error).
    Fresh(Box<Guard>),
    /// The first request's outcome.
    Replay(serde_json::Value),
}

pub struct Guard {
    operation: &'static str,
    row_key: String,
    cipher: LessSafeKey,
}

fn cipher_for(secret: &[u8], scope: &str, key: &str) -> LessSafeKey {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(b"tipline/idempotency/v1\0");
    mac.update(scope.as_bytes());
    mac.update(b"\0");
    mac.update(key.as_bytes());
    let bytes = mac.finalize().into_bytes();
    LessSafeKey::new(UnboundKey::new(&aead::CHACHA20_POLY1305, &bytes).expect("a 32-byte key"))
}

fn seal(cipher: &LessSafeKey, outcome: &serde_json::Value) -> String {
    let nonce_bytes: [u8; 12] = rand::random();
    let mut data = outcome.to_string().into_bytes();
    cipher
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::empty(),
            &mut data,
        )
        .expect("sealing a small message cannot fail");
    let mut stored = nonce_bytes.to_vec();
    stored.extend_from_slice(&data);
    STANDARD.encode(stored)
}

fn open(cipher: &LessSafeKey, stored: &str) -> Option<serde_json::Value> {
    let bytes = STANDARD.decode(stored).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    let mut sealed = sealed.to_vec();
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let plain = cipher
        .open_in_place(nonce, Aad::empty(), &mut sealed)
        .ok()?;
    serde_json::from_slice(plain).ok()
}

/// A key is 1–200 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Claims `key` for `operation` by `scope` (the caller), or finds the first
/// outcome. `request` is a canonical form of the request body.
pub async fn begin(
    state: &AppState,
    operation: &'static str,
    scope: &str,
    key: &str,
    request: &str,
) -> Result<Claim, IdempotencyError> {
    let row_key = hex::encode(Sha256::digest(format!("{scope}\0{key}").as_bytes()));
    let request_hash = hex::encode(Sha256::digest(request.as_bytes()));
    let cipher = cipher_for(&state.idempotency_secret[..], scope, key);
    if rows::claim(
        &state.db,
        operation,
        &row_key,
        &request_hash,
        state.clock.now(),
    )
    .await?
    {
        return Ok(Claim::Fresh(Box::new(Guard {
            operation,
            row_key,
            cipher,
        })));
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match rows::find(&state.db, operation, &row_key).await? {
            Some(row) if row.request_hash != request_hash => {
                return Err(IdempotencyError::KeyReused);
            }
            Some(row) => {
                if let Some(body) = row.response_body {
                    let outcome = open(&cipher, &body).ok_or(IdempotencyError::KeyReused)?;
                    return Ok(Claim::Replay(outcome));
                }
                let stale = row.created_at < state.clock.now() - LEASE;
                if stale
                    && rows::take_over(
                        &state.db,
                        operation,
                        &row_key,
                        row.created_at,
                        state.clock.now(),
                    )
                    .await?
                {
                    return Ok(Claim::Fresh(Box::new(Guard {
                        operation,
                        row_key,
                        cipher,
                    })));
                }
            }
            // The first request failed and gave the key back: run now.
            None => {
                if rows::claim(
                    &state.db,
                    operation,
                    &row_key,
                    &request_hash,
                    state.clock.now(),
                )
                .await?
                {
                    return Ok(Claim::Fresh(Box::new(Guard {
                        operation,
                        row_key,
                        cipher,
                    })));
                }
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(IdempotencyError::InProgress);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Guard {
    /// Records the outcome for replays.
    pub async fn finish(self, state: &AppState, outcome: &serde_json::Value) -> Result<(), DbErr> {
        self.finish_in(&state.db, outcome).await
    }

    /// Records the outcome inside the transaction of the write itself, so
    /// the write and its replayable answer commit together or not at all.
    pub async fn finish_in(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        outcome: &serde_json::Value,
    ) -> Result<(), DbErr> {
        let sealed = seal(&self.cipher, outcome);
        rows::complete(db, self.operation, &self.row_key, 201, &sealed).await
    }

    /// Gives the key back after a failure that changed nothing, so that a
    /// retry runs again.
    pub async fn abandon(self, state: &AppState) {
        if let Err(e) = rows::release(&state.db, self.operation, &self.row_key).await {
            tracing::warn!(error = %e, "could not release an idempotency key; it expires with its day");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_sealed_to_their_key() {
        let a = cipher_for(b"service secret", "user:1", "key-a");
        let b = cipher_for(b"service secret", "user:1", "key-b");
        let outcome = serde_json::json!({"receipt": "secret"});
        let sealed = seal(&a, &outcome);
        assert!(!sealed.contains("secret"));
        assert_eq!(open(&a, &sealed), Some(outcome));
        assert_eq!(open(&b, &sealed), None);
        assert!(valid_key("4f0c-aa"));
        assert!(!valid_key("") && !valid_key("a b") && !valid_key(&"k".repeat(201)));
    }
}
