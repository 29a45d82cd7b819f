//! Reporters sending tips at once, spread over nodes, as the load under
//! which something breaks. Each photo upload and each tip carries an
//! `Idempotency-Key`; an attempt that fails in a way a retry may get past
//! (503, 409 `idempotency.in_progress`, a connection that dropped) is
//! retried with the same key on the next node, as the reporter's app
//! does, or given up, as the test chooses. What every attempt got is
//! logged, so the test can tell what was acknowledged and what was seen.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{form, tiny_png, tip_body};
use crate::contract::SendChecked;

/// What a reporter does after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Again with the same key, on the next node, until it lands.
    SameKey,
    /// Gives the tip up (its fate unknown) and starts another.
    Never,
}

/// A tip the service acknowledged (201).
#[derive(Clone, Debug)]
pub struct Acked {
    pub key: String,
    pub tip_id: String,
    /// The node that answered.
    pub node: usize,
}

/// What the load saw.
#[derive(Default)]
pub struct LoadLog {
    acked: Mutex<Vec<Acked>>,
    /// Keys of tips given up, or still failing when the load stopped.
    given_up: Mutex<Vec<String>>,
    /// Failed attempts by kind: `503 service.unavailable`, `connection`, ...
    failures: Mutex<BTreeMap<String, usize>>,
    /// One 503 answer as received: its body and `Retry-After`.
    unavailable: Mutex<Option<(Value, Option<String>)>>,
}

impl LoadLog {
    pub fn acked(&self) -> Vec<Acked> {
        self.acked.lock().unwrap().clone()
    }

    pub fn acked_count(&self) -> usize {
        self.acked.lock().unwrap().len()
    }

    pub fn given_up(&self) -> Vec<String> {
        self.given_up.lock().unwrap().clone()
    }

    pub fn failures(&self) -> BTreeMap<String, usize> {
        self.failures.lock().unwrap().clone()
    }

    /// How many failed attempts of this kind there were.
    pub fn failed(&self, kind: &str) -> usize {
        self.failures().get(kind).copied().unwrap_or_default()
    }

    /// A 503 answer's body and `Retry-After`, if one came.
    pub fn unavailable(&self) -> Option<(Value, Option<String>)> {
        self.unavailable.lock().unwrap().clone()
    }

    fn fail(&self, kind: String) {
        *self.failures.lock().unwrap().entry(kind).or_default() += 1;
    }
}

/// Reporters at work until [`Load::stop`].
pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pub log: Arc<LoadLog>,
}

impl Load {
    /// `reporters` anonymous reporters, each sending one tip (one photo)
    /// after another to the nodes at `bases`, in turn.
    pub fn start(bases: Arc<Vec<String>>, reporters: usize, retry: Retry) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(LoadLog::default());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let tasks = (0..reporters)
            .map(|r| {
                let reporter = Reporter {
                    bases: bases.clone(),
                    client: client.clone(),
                    stop: stop.clone(),
                    log: log.clone(),
                    retry,
                    turn: r,
                };
                tokio::spawn(reporter.run())
            })
            .collect();
        Self { stop, tasks, log }
    }

    /// Waits until at least `n` tips are acknowledged; `false` if that
    /// did not happen within `limit`.
    pub async fn until_acked(&self, n: usize, limit: Duration) -> bool {
        super::eventually(limit, || async { self.log.acked_count() >= n }).await
    }

    /// Stops the reporters: each finishes the tip it is sending (with
    /// `Retry::SameKey`, until it lands), then ends.
    pub async fn stop(self) -> Arc<LoadLog> {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.expect("a reporter of the load panicked");
        }
        self.log
    }
}

struct Reporter {
    bases: Arc<Vec<String>>,
    client: reqwest::Client,
    stop: Arc<AtomicBool>,
    log: Arc<LoadLog>,
    retry: Retry,
    /// Which node this reporter tries next.
    turn: usize,
}

/// How long a reporter keeps retrying one key once the load is stopping:
/// past an idempotency key's lease (60 s) with room to spare.
const DRAIN: Duration = Duration::from_secs(300);

impl Reporter {
    async fn run(mut self) {
        let Some(token) = self.token().await else {
            return;
        };
        while !self.stop.load(Ordering::SeqCst) {
            let key = uuid::Uuid::new_v4().to_string();
            let photo = tiny_png();
            let (content_type, body) = form(&[("file", "p.png", "image/png", &photo)]);
            let upload = |client: &reqwest::Client, base: &str| {
                client
                    .post(format!("{base}/v1/media"))
                    .bearer_auth(&token)
                    .header("content-type", content_type.clone())
                    .header("Idempotency-Key", format!("media-{key}"))
                    .body(body.clone())
            };
            let Some((media, _)) = self.attempt(&key, upload).await else {
                continue;
            };
            let tip = tip_body(&[media["id"].as_str().unwrap()]);
            let submit = |client: &reqwest::Client, base: &str| {
                client
                    .post(format!("{base}/v1/tips"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("tip-{key}"))
                    .json(&tip)
            };
            if let Some((submitted, node)) = self.attempt(&key, submit).await {
                self.log.acked.lock().unwrap().push(Acked {
                    key,
                    tip_id: submitted["tip"]["id"].as_str().unwrap().to_owned(),
                    node,
                });
            }
        }
    }

    /// An anonymous reporter's token, from whichever node answers.
    async fn token(&mut self) -> Option<String> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return None;
            }
            let (_, base) = self.next_base();
            let response = self
                .client
                .post(format!("{base}/v1/auth/anonymous"))
                .json(&serde_json::json!({}))
                .checked()
                .await;
            if let Ok(response) = response
                && response.status() == 201
            {
                let pair: Value = response.json().await.unwrap();
                return Some(pair["access_token"].as_str().unwrap().to_owned());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn next_base(&mut self) -> (usize, String) {
        let node = self.turn % self.bases.len();
        self.turn += 1;
        (node, self.bases[node].clone())
    }

    /// Sends the request built by `request` until it is answered 201
    /// (the body and the node that answered), retrying as the load's policy
    /// says; `None` when the tip is given up.
    async fn attempt(
        &mut self,
        key: &str,
        request: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Option<(Value, usize)> {
        let mut draining_since = None;
        loop {
            let (node, base) = self.next_base();
            let kind = match request(&self.client, &base).checked().await {
                Ok(response) if response.status() == 201 => {
                    return Some((response.json().await.unwrap(), node));
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body: Value = response.json().await.unwrap_or_default();
                    let code = body["code"].as_str().unwrap_or("?").to_owned();
                    if status == 503 {
                        self.log
                            .unavailable
                            .lock()
                            .unwrap()
                            .get_or_insert((body, retry_after));
                    }
                    format!("{status} {code}")
                }
                Err(_) => "connection".to_owned(),
            };
            let retriable = kind.starts_with("503 ")
                || kind == "409 idempotency.in_progress"
                || kind == "connection";
            self.log.fail(kind);
            if !retriable || self.retry == Retry::Never {
                self.log.given_up.lock().unwrap().push(key.to_owned());
                return None;
            }
            if self.stop.load(Ordering::SeqCst) {
                let since = *draining_since.get_or_insert_with(Instant::now);
                if since.elapsed() > DRAIN {
                    self.log.given_up.lock().unwrap().push(key.to_owned());
                    return None;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
