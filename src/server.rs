//! Starting and stopping the service: connect the stores, bind the socket,
//! serve until a stop signal, then drain.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use url::Url;

use crate::app::{AppState, Lifecycle};
use crate::auth::tokens::TokenKeys;
use crate::blob::{BlobStore, FsBlobStore, S3BlobStore, UrlSigner};
use crate::bootstrap::{self, FirstAdmin};
use crate::config::Settings;
use crate::http;
use crate::store;

/// A service whose stores are open and whose socket is bound, ready to run.
pub struct Prepared {
    state: AppState,
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    /// Reads the cards of uploaded photos in the background.
    reader: crate::suggestions::Reader,
    /// Set when this start created the first administrator.
    pub first_admin: Option<FirstAdmin>,
}

/// Opens the database (migrating it when configured to), makes sure there is
/// an administrator, opens the blob store and binds the socket. Any failure is
/// an error worded for the one line a failed start prints.
pub async fn prepare(settings: Settings) -> anyhow::Result<Prepared> {
    let database_url = settings.database_url();
    let db = store::connect(
        &database_url,
        settings.database_max_connections,
        settings.database_connect_timeout,
    )
    .await?;
    if settings.migrate_on_start {
        store::migrate(&db)
            .await
            .context("cannot apply the database migrations")?;
    }
    let first_admin = bootstrap::ensure_admin(&db, crate::clock::Clock::default().now()).await?;
    let signing_secret = bootstrap::signing_secret(&settings)?;
    let signer = UrlSigner::new(&signing_secret);
    let tokens = Arc::new(TokenKeys::new(&settings.auth, &signing_secret));

    let acceptor = TcpListener::bind(settings.bind.to_string())
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let local_addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .context("the listener has no socket address")?;
    let public_url = match &settings.public_url {
        Some(url) => url.clone(),
        None => Url::parse(&format!("http://{local_addr}")).expect("a socket address makes a URL"),
    };

    let blobs = open_blobs(&settings, signer.clone(), &public_url).await?;
    tracing::info!(
        database = %database_url,
        blob_store = blobs.kind(),
        addr = %local_addr,
        "tipline ready to serve"
    );

    // Loading OCR models takes a while: off the async threads.
    let reading = crate::suggestions::ReadingSettings::of(&settings.reading);
    let reader = {
        let reading = reading.clone();
        tokio::task::spawn_blocking(move || crate::suggestions::card_reader(&reading))
            .await
            .context("cannot start the card reader")?
    };
    let reader = crate::suggestions::Reader::new(reader, reading);

    let clock = Arc::new(crate::clock::Clock::default());
    let sealer = Arc::new(crate::sealer::Sealer::new(
        &settings,
        db.clone(),
        blobs.clone(),
        clock.clone(),
    )?);
    let media_workers = settings.limits.media_workers;
    let state = AppState {
        settings: Arc::new(settings),
        db,
        blobs,
        signer,
        tokens,
        counter_secret: Arc::new(crate::secrets::derive(
            &signing_secret,
            b"tipline/rate-counter-keys/v1",
        )),
        idempotency_secret: Arc::new(crate::secrets::derive(
            &signing_secret,
            b"tipline/idempotency-seal/v1",
        )),
        media_slots: Arc::new(tokio::sync::Semaphore::new(media_workers)),
        upload_slots: Arc::new(tokio::sync::Semaphore::new(media_workers * 4)),
        password_slots: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )),
        metrics: Default::default(),
        lifecycle: Arc::new(Lifecycle::default()),
        clock,
        feed: Arc::new(crate::feed::Feed::default()),
        sealer,
    };
    Ok(Prepared {
        state,
        acceptor,
        local_addr,
        reader,
        first_admin,
    })
}

/// The blob store the settings name: files under the data dir, or S3.
pub async fn open_blobs(
    settings: &Settings,
    signer: UrlSigner,
    public_url: &Url,
) -> anyhow::Result<Arc<dyn BlobStore>> {
    Ok(match &settings.s3 {
        Some(s3) => Arc::new(S3BlobStore::new(s3)?),
        None => Arc::new(
            FsBlobStore::open(&settings.media_dir(), signer, public_url)
                .await
                .with_context(|| {
                    format!(
                        "cannot open the media directory {}",
                        settings.media_dir().display()
                    )
                })?,
        ),
    })
}

impl Prepared {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `stop` resolves. Then `/readyz` turns 503 while requests
    /// are still served for the drain period (so a load balancer takes the
    /// node out), then the listener closes and in-flight requests get up to
    /// the shutdown timeout to finish.
    pub async fn run(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        self.run_behind(stop, |endpoint| endpoint).await
    }

    /// [`run`](Self::run) with `wrap` around the whole endpoint: what it
    /// answers is what clients get (the tests check each answer against the
    /// spec there).
    pub async fn run_behind<E: poem::Endpoint + 'static>(
        self,
        stop: impl Future<Output = ()>,
        wrap: impl FnOnce(poem::endpoint::BoxEndpoint<'static, poem::Response>) -> E,
    ) -> std::io::Result<()> {
        let settings = self.state.settings.clone();
        let lifecycle = self.state.lifecycle.clone();
        let signal = async move {
            stop.await;
            lifecycle.begin_shutdown();
            tracing::info!(
                drain_ms = settings.shutdown_drain.as_millis() as u64,
                "stopping: draining"
            );
            tokio::time::sleep(settings.shutdown_drain).await;
        };
        let timeout = self.state.settings.shutdown_timeout;
        let background = [
            crate::jobs::spawn(self.state.clone()),
            crate::webhooks::spawn(self.state.clone()),
            crate::deadlines::spawn(self.state.clone()),
            crate::feed::spawn(self.state.clone()),
            crate::sealer::spawn(self.state.clone()),
            crate::suggestions::spawn(self.state.clone(), self.reader.clone()),
        ];
        poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                wrap(poem::EndpointExt::boxed(
                    poem::EndpointExt::map_to_response(http::endpoint(self.state)),
                )),
                signal,
                Some(timeout),
            )
            .await?;
        for job in background {
            job.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
///
/// The handlers are installed when this is called, not when the future is
/// first polled: a signal that arrives while the service is still starting
/// must stop it gracefully, not kill it with the default action.
pub fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).expect("installing a SIGINT handler");
        let mut terminate = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
