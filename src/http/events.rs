//! Live views as server-sent event streams (`text/event-stream`, which any
//! plain HTTP proxy passes): the moderators' queue and leads, and a unit's
//! inbox. Each is authorised like the list it updates and carries nothing
//! about who reported. Events come from the node's [`feed`](crate::feed).
//!
//! Each event's `id` is its position in the audit log; a client that lost
//! its connection sends it back as `Last-Event-ID` and gets what it missed,
//! or a `resync` event when this node no longer keeps that far back (then:
//! reload the list). A stream ends after one access-token lifetime, so a
//! signed-out or disabled account stops hearing; reconnect with a fresh
//! token and the last id.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, BoxStream, StreamExt};
use poem::web::Data;
use poem::web::sse::Event;
use poem_openapi::param::Header;
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON;
use poem_openapi::{Enum, Object, OpenApi};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, Moderators, UnitOfficers};
use super::casework::UnitLeadSummary;
use super::error::Fails;
use super::moderation::queue::StatusCounts;
use super::vocab::{LeadStatusName, TipStatusName};
use crate::app::AppState;
use crate::feed::{Change, Start};

pub struct EventsApi;

/// How often an idle stream says it is alive (a comment line), so proxies
/// and phones keep the connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

crate::errors! {
    ModerationEventsErrors: 400, 401, 404, 503;
    UnitEventsErrors: 400, 401, 404, 503;
}

/// What a moderators' event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ModerationEventKind {
    /// A tip was submitted or changed: `tip` is it now.
    Tip,
    /// A lead was made or changed: `lead` is it now.
    Lead,
    /// Every state's tip count, after tips moved: `counts`.
    Counts,
    /// Events were missed: reload the view, then follow.
    Resync,
}

/// A tip as it is now, for a live queue row.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LiveTip {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    pub version: i32,
    pub category: String,
    pub created_at: DateTime<Utc>,
    pub lead_id: Option<Uuid>,
    /// The moderator holding it, while the claim runs.
    pub claimed_by: Option<Uuid>,
    pub claim_expires_at: Option<DateTime<Utc>>,
}

/// A lead as it is now, for a live list row.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LiveLead {
    pub id: Uuid,
    pub reference: String,
    pub status: LeadStatusName,
    pub version: i32,
    pub category: String,
    pub unit_id: Option<Uuid>,
    pub overdue_since: Option<DateTime<Utc>>,
}

/// One event of `GET /v1/moderation/events`; the SSE `event` field is its
/// `kind`, the `id` its `seq`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ModerationEvent {
    /// Its position in the audit log: send the last one seen back as
    /// `Last-Event-ID`.
    pub seq: i64,
    pub kind: ModerationEventKind,
    /// What was done, as the audit log names it (`tip.submit`,
    /// `tip.claim`, `lead.forward`, …).
    pub action: Option<String>,
    /// The staff account that did it; absent for reporters and the
    /// service itself.
    pub by: Option<Uuid>,
    pub tip: Option<LiveTip>,
    pub lead: Option<LiveLead>,
    pub counts: Option<StatusCounts>,
}

/// What a unit's event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UnitEventKind {
    /// A lead reached the unit or changed: `lead` is it now.
    Lead,
    /// A lead left the unit (returned to the moderators): `lead_id`.
    LeadGone,
    /// Events were missed: reload the inbox, then follow.
    Resync,
}

/// One event of `GET /v1/unit/events`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitEvent {
    pub seq: i64,
    pub kind: UnitEventKind,
    pub action: Option<String>,
    pub lead: Option<UnitLeadSummary>,
    pub lead_id: Option<Uuid>,
}

/// `now`: when the event is sent, which says whose claim still runs.
fn live_tip(t: &crate::store::tips::tip::Model, now: DateTime<Utc>) -> LiveTip {
    let holder = t.holder(now);
    LiveTip {
        id: t.id,
        reference: t.reference.clone(),
        status: TipStatusName::from(t.status),
        version: t.version,
        category: t.category.clone(),
        created_at: t.created_at,
        lead_id: t.lead_id,
        claimed_by: holder,
        claim_expires_at: holder.and(t.claim_expires_at),
    }
}

fn live_lead(l: &crate::store::leads::lead::Model) -> LiveLead {
    LiveLead {
        id: l.id,
        reference: l.reference.clone(),
        status: LeadStatusName::from(l.status),
        version: l.version,
        category: l.category.clone(),
        unit_id: l.unit_id,
        overdue_since: l.overdue_at,
    }
}

fn moderation_event(change: &Change, now: DateTime<Utc>) -> Option<ModerationEvent> {
    let empty = |seq, kind| ModerationEvent {
        seq,
        kind,
        action: None,
        by: None,
        tip: None,
        lead: None,
        counts: None,
    };
    Some(match change {
        Change::Tip {
            seq,
            action,
            by_staff,
            tip,
        } => ModerationEvent {
            action: Some(action.clone()),
            by: *by_staff,
            tip: Some(live_tip(tip, now)),
            ..empty(*seq, ModerationEventKind::Tip)
        },
        Change::Lead {
            seq,
            action,
            by_staff,
            lead,
            ..
        } => ModerationEvent {
            action: Some(action.clone()),
            by: *by_staff,
            lead: Some(live_lead(lead)),
            ..empty(*seq, ModerationEventKind::Lead)
        },
        Change::Counts { seq, counts } => ModerationEvent {
            counts: Some(StatusCounts::of(counts.clone())),
            ..empty(*seq, ModerationEventKind::Counts)
        },
    })
}

fn unit_event(unit_id: Uuid, change: &Change) -> Option<UnitEvent> {
    let Change::Lead {
        seq,
        action,
        lead,
        returned_by,
        ..
    } = change
    else {
        return None;
    };
    if lead.unit_id == Some(unit_id) {
        Some(UnitEvent {
            seq: *seq,
            kind: UnitEventKind::Lead,
            action: Some(action.clone()),
            lead: Some(lead.clone().into()),
            lead_id: None,
        })
    } else if *returned_by == Some(unit_id) {
        Some(UnitEvent {
            seq: *seq,
            kind: UnitEventKind::LeadGone,
            action: Some(action.clone()),
            lead: None,
            lead_id: Some(lead.id),
        })
    } else {
        None
    }
}

/// What a subscriber may see of a change, as the event it gets.
type View<T> = Box<dyn Fn(&Change) -> Option<T> + Send>;

/// What a subscriber's stream is made of: the replay first, then live
/// changes, each mapped by `view` (which drops what the caller may not
/// see), until `until`.
struct Subscription<T> {
    replay: VecDeque<Arc<Change>>,
    live: broadcast::Receiver<Arc<Change>>,
    view: View<T>,
    resync: Box<dyn Fn(i64) -> T + Send>,
    pending_resync: bool,
    until: tokio::time::Instant,
    /// Shutdown began: the stream ends so the node can stop.
    stopping: futures_util::future::BoxFuture<'static, ()>,
    last: i64,
}

impl<T: Send + 'static> Subscription<T> {
    fn new(
        state: &AppState,
        last_seen: Option<i64>,
        view: impl Fn(&Change) -> Option<T> + Send + 'static,
        resync: impl Fn(i64) -> T + Send + 'static,
    ) -> Self {
        let (live, start) = state.feed.subscribe(last_seen);
        let (replay, pending_resync) = match start {
            Start::Replay(changes) => (changes.into(), false),
            Start::Resync => (VecDeque::new(), true),
        };
        Self {
            replay,
            live,
            view: Box::new(view),
            resync: Box::new(resync),
            pending_resync,
            until: tokio::time::Instant::now() + state.settings.auth.access_token_ttl,
            stopping: Box::pin(state.lifecycle.stopping()),
            last: last_seen.unwrap_or(0),
        }
    }

    fn into_stream(self) -> BoxStream<'static, T> {
        stream::unfold(self, |mut sub| async move {
            loop {
                if sub.pending_resync {
                    sub.pending_resync = false;
                    return Some(((sub.resync)(sub.last), sub));
                }
                let change = match sub.replay.pop_front() {
                    Some(change) => change,
                    None => {
                        let next = tokio::select! {
                            next = tokio::time::timeout_at(sub.until, sub.live.recv()) => next,
                            () = &mut sub.stopping => return None,
                        };
                        match next {
                            Err(_) => return None, // the token's lifetime is over
                            Ok(Ok(change)) => change,
                            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                                sub.pending_resync = true;
                                continue;
                            }
                            Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                        }
                    }
                };
                sub.last = change.seq();
                if let Some(item) = (sub.view)(&change) {
                    return Some((item, sub));
                }
            }
        })
        .boxed()
    }
}

fn sse<T: ToJSON + Send + 'static>(
    stream: BoxStream<'static, T>,
    kind_and_seq: fn(&T) -> (String, i64),
) -> EventStream<BoxStream<'static, T>> {
    EventStream::new(stream)
        .keep_alive(KEEP_ALIVE)
        .to_event(move |item| {
            let (kind, seq) = kind_and_seq(&item);
            Event::message(item.to_json_string())
                .event_type(kind)
                .id(seq.to_string())
        })
}

#[OpenApi]
impl EventsApi {
    /// The moderators' live feed: every tip submitted or changed, every
    /// lead made or changed, and the state counts after tips move. No
    /// reporter data. Send the last event's id as `Last-Event-ID` to
    /// resume; the stream ends after one access-token lifetime.
    #[oai(
        path = "/v1/moderation/events",
        method = "get",
        operation_id = "moderation_events",
        tag = "ApiTags::Moderation"
    )]
    async fn moderation(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// The `id` of the last event seen.
        #[oai(name = "Last-Event-ID", validator(minimum(value = "0")))]
        last_event_id: Header<Option<i64>>,
    ) -> Result<EventStream<BoxStream<'static, ModerationEvent>>, Fails<ModerationEventsErrors>>
    {
        let clock = state.clock.clone();
        let view = move |change: &Change| moderation_event(change, clock.now());
        let sub = Subscription::new(&state, last_event_id.0, view, |seq| ModerationEvent {
            seq,
            kind: ModerationEventKind::Resync,
            action: None,
            by: None,
            tip: None,
            lead: None,
            counts: None,
        });
        Ok(sse(sub.into_stream(), |e| {
            (e.kind.to_json_string().trim_matches('"').to_owned(), e.seq)
        }))
    }

    /// The unit's live inbox: each lead that reaches the unit or changes
    /// while it has it, and each that leaves it (returned). Nothing about
    /// who reported. Resume with `Last-Event-ID`, as for the moderators.
    #[oai(
        path = "/v1/unit/events",
        method = "get",
        operation_id = "unit_events",
        tag = "ApiTags::Unit"
    )]
    async fn unit(
        &self,
        auth: Auth<UnitOfficers>,
        state: Data<&AppState>,
        /// The `id` of the last event seen.
        #[oai(name = "Last-Event-ID", validator(minimum(value = "0")))]
        last_event_id: Header<Option<i64>>,
    ) -> Result<EventStream<BoxStream<'static, UnitEvent>>, Fails<UnitEventsErrors>> {
        // An officer with no unit hears nothing but the stream's own life.
        let unit_id = auth.account().unit_id.unwrap_or_else(Uuid::nil);
        let sub = Subscription::new(
            &state,
            last_event_id.0,
            move |change| unit_event(unit_id, change),
            |seq| UnitEvent {
                seq,
                kind: UnitEventKind::Resync,
                action: None,
                lead: None,
                lead_id: None,
            },
        );
        Ok(sse(sub.into_stream(), |e| {
            (e.kind.to_json_string().trim_matches('"').to_owned(), e.seq)
        }))
    }
}
