//! A webhook receiver as a unit's system would run it: it logs every
//! delivery (event id, event, signature, body) and refuses the ones the
//! test wants refused, so the relay retries them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a webhook receiver got.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event_id: String,
    pub event: String,
    pub signature: String,
    pub body: String,
}

/// Which deliveries the receiver answers 500.
#[derive(Clone, Copy, Debug)]
enum Refuse {
    /// The first `n` requests, whatever they carry.
    First(usize),
    /// The first attempt of every event id.
    FirstOfEachEvent,
}

/// A webhook receiver on a port of the test's choosing.
pub struct Receiver {
    seen: Arc<Mutex<Vec<Delivery>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Answers 500 to its first `failures` requests, then 204.
    pub async fn start(port: u16, failures: usize) -> Self {
        Self::run(port, Refuse::First(failures)).await
    }

    /// Answers 500 to the first delivery of every event, 204 to the rest.
    pub async fn refusing_first_attempts(port: u16) -> Self {
        Self::run(port, Refuse::FirstOfEachEvent).await
    }

    async fn run(port: u16, refuse: Refuse) -> Self {
        let seen: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let log = seen.clone();
        let endpoint = poem::endpoint::make(move |req: poem::Request| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let delivery = Delivery {
                    event_id: header("X-Tipline-Event-Id"),
                    event: header("X-Tipline-Event"),
                    signature: header("X-Tipline-Signature"),
                    body: String::new(),
                };
                let body = req.into_body().into_string().await.unwrap_or_default();
                let mut log = log.lock().unwrap();
                let refused = match refuse {
                    Refuse::First(n) => log.len() < n,
                    Refuse::FirstOfEachEvent => log.iter().all(|d| d.event_id != delivery.event_id),
                };
                log.push(Delivery { body, ..delivery });
                if refused {
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    poem::http::StatusCode::NO_CONTENT
                }
            }
        });
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = poem::listener::TcpListener::bind(addr);
        let server = tokio::spawn(async move {
            let _ = poem::Server::new(listener).run(endpoint).await;
        });
        Self { seen, server }
    }

    /// Every delivery so far, in the order they came.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Checks `t=<unix>,v1=<hex>` against the body and secret.
pub fn signed_right(delivery: &Delivery, secret: &str) -> bool {
    let Some((t, v1)) = delivery
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", delivery.body).as_bytes());
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}
