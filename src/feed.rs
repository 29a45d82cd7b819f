//! What changed, in order, for live views: the moderators' queue and leads,
//! and each unit's inbox.
//!
//! The audit log is the source: every change of a tip or a lead writes an
//! event in its own transaction, and the sealer (`crate::sealer`) numbers
//! committed events one pass at a time, so "sealed events after seq N"
//! misses nothing and needs no table of its own. The feed reads sealed
//! events only, not an insertion order of its own: on PostgreSQL,
//! transactions commit out of the order they inserted in, so a reader past
//! insertion number N could skip one that commits later below N; a position
//! given by the sealer is never given below one already visible. The price
//! is the sealing interval (`audit_seal_ms`, a quarter second by default)
//! on top of `live_poll_ms`. One poller per node reads what is
//! new every `live_poll_ms`, loads the current rows once for the batch, and
//! hands them to that node's subscribers (server-sent event streams). Nodes
//! agree on nothing here: each reads the same log; a client that reconnects
//! to another node resumes by the same sequence number.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::tip::TipStatus;
use crate::store::audit;
use crate::store::leads::{self, lead};
use crate::store::tips::{self, tip};

/// How many changes a node keeps for clients resuming after a dropped
/// connection; older positions get a `resync`.
const RECENT: usize = 2000;
/// Events read per poll.
const BATCH: u64 = 500;

/// One change, with the row as it is after it.
#[derive(Clone, Debug)]
pub enum Change {
    Tip {
        seq: i64,
        action: String,
        /// The staff account that made the change; never the reporter.
        by_staff: Option<Uuid>,
        tip: tip::Model,
    },
    Lead {
        seq: i64,
        action: String,
        by_staff: Option<Uuid>,
        lead: lead::Model,
        /// The unit a returned lead came back from.
        returned_by: Option<Uuid>,
    },
    /// Every state's tip count, after a batch that moved tips.
    Counts {
        seq: i64,
        counts: Vec<(TipStatus, i64)>,
    },
}

impl Change {
    pub fn seq(&self) -> i64 {
        match self {
            Change::Tip { seq, .. } | Change::Lead { seq, .. } | Change::Counts { seq, .. } => *seq,
        }
    }
}

/// A node's view of the change feed.
pub struct Feed {
    sender: broadcast::Sender<Arc<Change>>,
    recent: Mutex<Recent>,
}

/// The changes kept for resuming: every change after `floor` up to `head`.
struct Recent {
    changes: VecDeque<Arc<Change>>,
    floor: i64,
    /// The last position read; -1 until the poller has started.
    head: i64,
}

/// Where a subscriber starts.
pub enum Start {
    /// These changes come first (a resumed stream), then live ones.
    Replay(Vec<Arc<Change>>),
    /// The position asked for is older than this node keeps: reload the
    /// view, then follow live changes.
    Resync,
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
            recent: Mutex::new(Recent {
                changes: VecDeque::with_capacity(RECENT),
                floor: i64::MAX,
                head: -1,
            }),
        }
    }
}

impl Feed {
    /// Live changes from now on, and what to send first for a client that
    /// last saw `last_seen`.
    pub fn subscribe(&self, last_seen: Option<i64>) -> (broadcast::Receiver<Arc<Change>>, Start) {
        // Subscribing under the lock of the buffer makes the replay and the
        // live changes meet without a gap or a repeat.
        let recent = self.recent.lock().expect("not poisoned");
        let receiver = self.sender.subscribe();
        let start = match last_seen {
            None => Start::Replay(Vec::new()),
            // The poller has not read the log yet: this node cannot tell
            // what the client missed.
            Some(_) if recent.head < 0 => Start::Resync,
            Some(seen) if seen >= recent.head => Start::Replay(Vec::new()),
            Some(seen) if seen >= recent.floor => Start::Replay(
                recent
                    .changes
                    .iter()
                    .filter(|c| c.seq() > seen)
                    .cloned()
                    .collect(),
            ),
            Some(_) => Start::Resync,
        };
        (receiver, start)
    }

    fn publish(&self, batch: Vec<Change>, head: i64) {
        let mut recent = self.recent.lock().expect("not poisoned");
        if recent.head < 0 {
            recent.floor = head;
        }
        for change in batch {
            let change = Arc::new(change);
            if recent.changes.len() == RECENT
                && let Some(dropped) = recent.changes.pop_front()
            {
                recent.floor = dropped.seq();
            }
            recent.changes.push_back(change.clone());
            // No subscriber is fine.
            let _ = self.sender.send(change);
        }
        recent.head = head;
    }
}

/// Reads what is new after `after` and publishes it; returns the new head.
async fn poll_once(state: &AppState, after: i64) -> Result<i64, sea_orm::DbErr> {
    let events = audit::changes_after(&state.db, after, &["tip", "lead"], BATCH).await?;
    // Only sealed events are read: every one has its position.
    let seq_of = |e: &audit::Model| e.seq.unwrap_or(after);
    let Some(last) = events.last().map(seq_of) else {
        return Ok(after);
    };
    let ids_of = |kind: &str| -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = events
            .iter()
            .filter(|e| e.object_kind == kind)
            .filter_map(|e| e.object_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let tip_rows = tips::find_many(&state.db, &ids_of("tip")).await?;
    let lead_rows = leads::find_many(&state.db, &ids_of("lead")).await?;
    let mut batch = Vec::with_capacity(events.len() + 1);
    let mut tips_moved = false;
    for event in &events {
        let staff = |reporter: Option<Uuid>| {
            (event.actor_kind == audit::ActorKind::User)
                .then_some(event.actor_id)
                .flatten()
                .filter(|id| Some(*id) != reporter)
        };
        match event.object_kind.as_str() {
            "tip" => {
                let Some(tip) = tip_rows.iter().find(|t| Some(t.id) == event.object_id) else {
                    continue;
                };
                tips_moved = true;
                batch.push(Change::Tip {
                    seq: seq_of(event),
                    action: event.action.clone(),
                    by_staff: staff(tip.reporter_user_id),
                    tip: tip.clone(),
                });
            }
            _ => {
                let Some(lead) = lead_rows.iter().find(|l| Some(l.id) == event.object_id) else {
                    continue;
                };
                let returned_by = event
                    .details
                    .as_deref()
                    .filter(|_| event.action == "lead.return")
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .and_then(|d| d["unit_id"].as_str().and_then(|u| u.parse().ok()));
                batch.push(Change::Lead {
                    seq: seq_of(event),
                    action: event.action.clone(),
                    by_staff: staff(None),
                    lead: lead.clone(),
                    returned_by,
                });
            }
        }
    }
    if tips_moved {
        batch.push(Change::Counts {
            seq: last,
            counts: tips::status_counts(&state.db).await?,
        });
    }
    state.feed.publish(batch, last);
    Ok(last)
}

/// The node's poller: from the log's current head, every `live_poll_ms`.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = state.settings.live_poll;
        let mut head = loop {
            match audit::head_seq(&state.db).await {
                Ok(seq) => break seq,
                Err(e) => {
                    tracing::warn!(error = %e, "the live feed cannot read the log yet");
                    tokio::time::sleep(every * 4).await;
                }
            }
        };
        state.feed.publish(Vec::new(), head);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match poll_once(&state, head).await {
                Ok(next) => head = next,
                Err(e) => tracing::warn!(error = %e, "the live feed could not read the log"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that comes back to a node that has just started (a deploy,
    /// a crash) must reload, not be told it missed nothing.
    #[test]
    fn a_position_given_before_the_first_read_of_the_log_is_a_resync() {
        let feed = Feed::default();
        assert!(matches!(feed.subscribe(Some(41)).1, Start::Resync));
        assert!(matches!(feed.subscribe(None).1, Start::Replay(ref c) if c.is_empty()));
        feed.publish(Vec::new(), 50);
        assert!(matches!(feed.subscribe(Some(41)).1, Start::Resync));
        assert!(matches!(feed.subscribe(Some(50)).1, Start::Replay(ref c) if c.is_empty()));
    }
}
