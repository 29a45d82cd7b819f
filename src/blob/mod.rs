//! Blob storage: photos and their derived copies, behind one small trait with
//! two real backends — files under the data dir (the embedded default) and any
//! S3-compatible store.
//!
//! Owns object keys ([`BlobKey`], which cannot name anything outside the
//! store) and the URLs clients fetch objects by. It knows nothing of tips or
//! media rows; callers keep those in step.

mod fs;
mod key;
mod s3;
mod signing;

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

pub use fs::FsBlobStore;
pub use key::{BlobKey, InvalidBlobKey};
pub use s3::S3BlobStore;
pub use signing::{SignedUrlError, UrlSigner};

/// What a store knows of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no such object")]
    NotFound,
    /// The store could not be reached or refused the request: the caller
    /// answers 503 and loses nothing.
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// The operations every backend offers, with the same behaviour (one test
/// suite runs against each).
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing what was there. Readers never see
    /// a partly written object.
    async fn put(&self, key: &BlobKey, bytes: Bytes, content_type: &str) -> Result<(), BlobError>;

    async fn get(&self, key: &BlobKey) -> Result<(Bytes, BlobMeta), BlobError>;

    /// `Ok(None)` when there is no such object.
    async fn head(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError>;

    /// Removes the object; removing a missing object is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// A URL anyone holding it can GET the object by until it expires. The
    /// caller has checked that its client may see the object.
    async fn signed_url(&self, key: &BlobKey, expires_in: Duration) -> Result<String, BlobError>;

    /// The keys of every object under `prefix` (a folder: `prefix/...`), in
    /// no particular order. For the few objects the service enumerates
    /// (audit checkpoints), not for photos.
    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, BlobError>;

    /// Whether the store answers at all, for `/readyz`.
    async fn check(&self) -> Result<(), BlobError>;

    /// A short name for logs and readiness output.
    fn kind(&self) -> &'static str;
}
