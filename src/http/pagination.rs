//! Keyset pagination as the API shows it: `?limit=&cursor=` in, `items` and
//! `next_cursor` out. The cursor is opaque to clients (the last id seen,
//! encoded), so its form can change without breaking them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::ApiError;

const DEFAULT_LIMIT: u32 = 50;

/// The page size asked for (already validated to 1–100 by the spec), or the
/// default.
pub fn page_limit(limit: Option<u32>) -> u64 {
    u64::from(limit.unwrap_or(DEFAULT_LIMIT))
}

pub struct Cursor;

impl Cursor {
    pub fn encode(last_id: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(last_id.as_bytes())
    }

    /// For lists ordered by a sequence number instead of an id.
    pub fn encode_seq(last: i64) -> String {
        URL_SAFE_NO_PAD.encode(last.to_be_bytes())
    }

    pub fn decode_seq(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
            .map(|bytes| Some(i64::from_be_bytes(bytes)))
            .ok_or_else(invalid_cursor)
    }

    /// `None` for the first page; 422 `request.invalid_cursor` for anything
    /// that did not come from [`Cursor::encode`].
    pub fn decode(cursor: Option<&str>) -> Result<Option<Uuid>, ApiError> {
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| Uuid::from_slice(&bytes).ok())
            .map(Some)
            .ok_or_else(invalid_cursor)
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::unprocessable(
        "request.invalid_cursor",
        "the cursor is not one this service gave out",
    )
}
