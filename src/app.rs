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
    /// What changed, for the live views this node serves.
    pub feed: Arc<crate::feed::Feed>,
    /// Chains the audit log and signs its checkpoints.
    pub sealer: Arc<crate::sealer::Sealer>,
}

/// Where the process is in its life; only shutdown matters to requests.
#[derive(Debug)]
pub struct Lifecycle {
    shutting_down: AtomicBool,
    /// Turns true once: long-lived answers (event streams) end then, so a
    /// graceful stop does not wait for them.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            shutting_down: AtomicBool::new(false),
            stopping: tokio::sync::watch::channel(false).0,
        }
    }
}

impl Lifecycle {
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.stopping.send_replace(true);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Resolves when shutdown begins (at once if it has).
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut watch = self.stopping.subscribe();
        async move {
            let _ = watch.wait_for(|stopping| *stopping).await;
        }
    }
}
