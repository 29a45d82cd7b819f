//! The parameters lists take, read the same way by every resource: keyset
//! pagination (`?limit=&cursor=` in, `items` and `next_cursor` out),
//! repeated filters (`status=a&status=b`) and the `kind:value` contact
//! filter. The cursor is opaque to clients (the last id seen, encoded), so
//! its form can change without breaking them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::contact::{Contact, ContactKind};

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

/// 422 `request.invalid_filter`: a filter the schema lets through but that
/// does not hold.
pub fn bad_filter(message: impl Into<String>) -> ApiError {
    ApiError::unprocessable("request.invalid_filter", message)
}

/// The values a repeated filter (`status=a&status=b`) was given, in the
/// domain's terms, each once.
pub fn distinct<A: Copy, T: From<A> + PartialEq>(given: Option<Vec<A>>) -> Vec<T> {
    let mut values: Vec<T> = Vec::new();
    for value in given.unwrap_or_default().into_iter().map(T::from) {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// `kind:value`, e.g. `phone:138-0013-8000`; the value is normalised.
pub fn parse_contact(raw: &str) -> Result<(ContactKind, String), ApiError> {
    let (kind, value) = raw
        .split_once(':')
        .ok_or_else(|| bad_filter("contact: expected kind:value, e.g. phone:13800138000"))?;
    let kind = ContactKind::parse(kind.trim())
        .ok_or_else(|| bad_filter("contact: kind must be phone, wechat, qq or url"))?;
    let contact = Contact::parse(kind, value).map_err(|e| bad_filter(format!("contact: {e}")))?;
    Ok((kind, contact.value().to_owned()))
}
