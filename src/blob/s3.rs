use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use s3::creds::Credentials;
use s3::{Bucket, Region};

use super::{BlobError, BlobKey, BlobMeta, BlobStore};
use crate::config::S3Settings;

/// Objects in a private bucket of any S3-compatible store, read by clients
/// through presigned URLs.
///
/// rust-s3 is used with its `fail-on-err` feature off, so an error status
/// comes back as `Ok`: every call below checks the status itself.
pub struct S3BlobStore {
    bucket: Box<Bucket>,
}

/// How long one call to the store may take before it counts as unavailable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl S3BlobStore {
    pub fn new(settings: &S3Settings) -> Result<Self, BlobError> {
        let region = Region::Custom {
            region: settings.region.clone(),
            endpoint: settings.endpoint.as_str().trim_end_matches('/').to_owned(),
        };
        let credentials = Credentials::new(
            Some(settings.access_key.expose()),
            Some(settings.secret_key.expose()),
            None,
            None,
            None,
        )
        .map_err(|e| BlobError::Unavailable(format!("S3 credentials: {e}")))?;
        let mut bucket = Bucket::new(&settings.bucket, region, credentials)
            .map_err(|e| BlobError::Unavailable(format!("S3 bucket: {e}")))?;
        if settings.path_style {
            bucket = bucket.with_path_style();
        }
        bucket.set_request_timeout(Some(REQUEST_TIMEOUT));
        Ok(Self { bucket })
    }
}

fn unavailable(e: impl std::fmt::Display) -> BlobError {
    BlobError::Unavailable(e.to_string())
}

fn unexpected(call: &str, status: u16) -> BlobError {
    BlobError::Unavailable(format!("S3 {call} answered HTTP {status}"))
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes, content_type: &str) -> Result<(), BlobError> {
        let response = self
            .bucket
            .put_object_with_content_type(key.as_str(), &bytes, content_type)
            .await
            .map_err(unavailable)?;
        match response.status_code() {
            200..=299 => Ok(()),
            status => Err(unexpected("PUT", status)),
        }
    }

    async fn get(&self, key: &BlobKey) -> Result<(Bytes, BlobMeta), BlobError> {
        let response = self
            .bucket
            .get_object(key.as_str())
            .await
            .map_err(unavailable)?;
        match response.status_code() {
            200 => {}
            404 => return Err(BlobError::NotFound),
            status => return Err(unexpected("GET", status)),
        }
        let content_type = response
            .headers()
            .get("content-type")
            .cloned()
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let bytes = response.bytes().clone();
        let meta = BlobMeta {
            size: bytes.len() as u64,
            content_type,
        };
        Ok((bytes, meta))
    }

    async fn head(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError> {
        let (head, status) = self
            .bucket
            .head_object(key.as_str())
            .await
            .map_err(unavailable)?;
        match status {
            200 => Ok(Some(BlobMeta {
                size: head.content_length.unwrap_or(0).max(0) as u64,
                content_type: head
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
            })),
            404 => Ok(None),
            status => Err(unexpected("HEAD", status)),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let response = self
            .bucket
            .delete_object(key.as_str())
            .await
            .map_err(unavailable)?;
        match response.status_code() {
            200..=299 | 404 => Ok(()),
            status => Err(unexpected("DELETE", status)),
        }
    }

    async fn signed_url(&self, key: &BlobKey, expires_in: Duration) -> Result<String, BlobError> {
        let seconds = u32::try_from(expires_in.as_secs().clamp(1, 604_800)).unwrap_or(604_800);
        self.bucket
            .presign_get(key.as_str(), seconds, None)
            .await
            .map_err(unavailable)
    }

    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, BlobError> {
        // rust-s3 follows the continuation tokens: every page.
        let pages = self
            .bucket
            .list(format!("{prefix}/"), None)
            .await
            .map_err(unavailable)?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.contents)
            .filter_map(|object| BlobKey::parse(&object.key).ok())
            .collect())
    }

    async fn check(&self) -> Result<(), BlobError> {
        // A HEAD of a key that is never written: 404 proves the store answers
        // and accepts our signature; 403 (bad keys) or no answer does not.
        let (_, status) = self
            .bucket
            .head_object("tipline-readiness-probe")
            .await
            .map_err(unavailable)?;
        match status {
            200 | 404 => Ok(()),
            status => Err(unexpected("HEAD", status)),
        }
    }

    fn kind(&self) -> &'static str {
        "s3"
    }
}
