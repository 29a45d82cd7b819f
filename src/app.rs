//! The state every request shares, and how it is put together from settings.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::DatabaseConnection;

use crate::auth::tokens::TokenKeys;
use crate::blob::{BlobStore, UrlSigner};
use crate::config::Settings;
use crate::http::metrics::Metrics;

/// Cheap to clone; handlers get it through `Data<&AppState>`.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub blobs: Arc<dyn BlobStore>,
    pub signer: UrlSigner,
    pub tokens: Arc<TokenKeys>,
    /// Hashes rate-limit keys (derived from the signing secret).
    pub counter_secret: Arc<[u8; 32]>,
    /// Seals idempotent outcomes (derived from the signing secret).
    pub idempotency_secret: Arc<[u8; 32]>,
    /// Photo decoding slots (`media_workers`).
    pub media_slots: Arc<tokio::sync::Semaphore>,
    /// Uploads being received at once (each holds up to `max_upload_bytes`
    /// in memory): a bound on what slow or many senders can pin.
    pub upload_slots: Arc<tokio::sync::Semaphore>,
    /// Password hashing slots: one per core, so hashing cannot eat memory.
    pub password_slots: Arc<tokio::sync::Semaphore>,
    pub metrics: Arc<Metrics>,
    pub lifecycle: Arc<Lifecycle>,
    /// Deadlines are read against this clock.
    pub clock: Arc<crate::clock::Clock>,
}

/// Where the process is in its life; only shutdown matters to requests.
#[derive(Debug, Default)]
pub struct Lifecycle {
    shutting_down: AtomicBool,
}

impl Lifecycle {
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}
