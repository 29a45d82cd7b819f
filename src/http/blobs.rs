//! `GET /v1/blobs/{key}?expires=..&signature=..`: the local-file store's
//! signed URLs. The URL is the whole authorisation (the service checked the
//! client's right to the object when it handed the URL out), so this route
//! takes no token, and it is not in the spec: clients follow URLs they were
//! given, like S3's presigned ones, and never build them.

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use super::error::ErrorBody;
use crate::app::AppState;
use crate::blob::{BlobError, BlobKey, SignedUrlError};

pub const PREFIX: &str = "/v1/blobs/";

#[derive(Deserialize)]
struct Signature {
    expires: u64,
    signature: String,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = ErrorBody::json(code, message)
        .with_status(status)
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            poem::http::header::RETRY_AFTER,
            super::error::RETRY_UNAVAILABLE_SECS.into(),
        );
    }
    response
}

#[handler]
pub async fn get_blob(req: &Request, state: Data<&AppState>) -> Response {
    // The raw path, not a decoded parameter: a key never contains `%`, so an
    // encoded `..` or `/` is refused by the key's own rules.
    let raw = req.uri().path().strip_prefix(PREFIX).unwrap_or_default();
    let Ok(key) = BlobKey::parse(raw) else {
        return error(
            StatusCode::BAD_REQUEST,
            "blob.invalid_key",
            "this is not the address of a stored object",
        );
    };
    let Ok(Signature { expires, signature }) = req.params::<Signature>() else {
        return error(
            StatusCode::FORBIDDEN,
            "blob.signature_invalid",
            "the link is not signed; ask the service for a new one",
        );
    };
    let valid_for = match state.signer.verify(&key, expires, &signature) {
        Ok(left) => left,
        Err(SignedUrlError::Expired) => {
            return error(
                StatusCode::FORBIDDEN,
                "blob.url_expired",
                "the link has expired; ask the service for a new one",
            );
        }
        Err(SignedUrlError::BadSignature) => {
            return error(
                StatusCode::FORBIDDEN,
                "blob.signature_invalid",
                "the link's signature does not match",
            );
        }
    };
    match state.blobs.get(&key).await {
        Ok((bytes, meta)) => {
            let max_age = valid_for.as_secs();
            Response::builder()
                .content_type(meta.content_type)
                .header(header::CACHE_CONTROL, format!("private, max-age={max_age}"))
                .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
                // Whatever was stored, a browser must not run it as a page.
                .header(
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox",
                )
                .body(bytes)
        }
        Err(BlobError::NotFound) => {
            error(StatusCode::NOT_FOUND, "blob.not_found", "no such object")
        }
        Err(BlobError::Unavailable(why)) => {
            tracing::error!(error = %why, "blob store read failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "service.unavailable",
                "the photo store does not answer; retry later",
            )
        }
    }
}
