//! What `/metrics` shows, in the OpenMetrics text format (what
//! prometheus-client encodes, ending in `# EOF`; served with its own content
//! type, see [`CONTENT_TYPE`]):
//!
//! - requests: a count and a latency histogram per method, route template
//!   and status (route templates, not raw paths, keep the number of series
//!   bounded whatever clients ask for);
//! - the process (`process_*`, read from /proc on Linux at each scrape) and
//!   the build (`tipline_build_info`);
//! - the stores, read at each scrape by [`sample`]: the database pool, the
//!   webhook backlog, the age of the audit log's last signed checkpoint; and
//!   the webhook deliveries that failed on this node;
//! - the audit log's sealing lag, set by this node's sealer after each pass.
//!
//! Adding a gauge read from the stores: a field in [`StoreGauges`], its
//! `register` line in [`StoreGauges::register`], and the line that sets it
//! in [`sample`]. A gauge whose reading fails is left out of that scrape
//! rather than shown stale.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};
use sea_orm::DbBackend;

use crate::app::AppState;

/// The route label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The content type of what [`Metrics::render`] writes: OpenMetrics 1.0
/// text. Labelled `text/plain`, Prometheus would read it as its older format
/// and take counters (`_total`) for untyped series.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

/// The label set of a series without labels, as a [`Family`] so that it
/// can be left out of a scrape (`clear`) when it could not be read.
pub type NoLabels = [(&'static str, &'static str); 0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    pub status: &'static str,
}

/// Gauges set from the stores at each scrape, by [`sample`].
#[derive(Default)]
pub struct StoreGauges {
    /// Connections the pool holds open now, busy or idle.
    pub db_pool_connections: Gauge,
    pub db_pool_idle: Gauge,
    pub db_pool_max: Gauge,
    /// Webhook events by status: `pending` (not yet delivered, retries
    /// included) and `failed` (given up; an admin can retry them).
    pub webhook_events: Family<StatusLabel, Gauge>,
    /// How long the oldest pending webhook event has waited.
    pub webhook_oldest_pending_age: Family<NoLabels, Gauge<f64, AtomicU64>>,
    /// How long ago the last signed audit checkpoint was made (whichever
    /// node signed it); left out until there is one.
    pub audit_checkpoint_age: Family<NoLabels, Gauge<f64, AtomicU64>>,
}

impl StoreGauges {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "db_pool_connections",
            "Database connections the pool of this node holds open, busy or idle",
            self.db_pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Database connections of this node's pool open and idle",
            self.db_pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "The most connections this node's pool opens (database_max_connections)",
            self.db_pool_max.clone(),
        );
        registry.register(
            "webhook_events",
            "Webhook events by status: pending (to deliver, retries included) or failed (given up)",
            self.webhook_events.clone(),
        );
        registry.register_with_unit(
            "webhook_oldest_pending_age",
            "How long the oldest pending webhook event has waited",
            Unit::Seconds,
            self.webhook_oldest_pending_age.clone(),
        );
        registry.register_with_unit(
            "audit_checkpoint_age",
            "Time since the last signed audit checkpoint; one is signed at an interval \
             while new events are sealed, so it also grows while nothing is logged",
            Unit::Seconds,
            self.audit_checkpoint_age.clone(),
        );
    }
}

pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Counter>,
    latency: Family<HttpLabels, Histogram, fn() -> Histogram>,
    pub stores: StoreGauges,
    /// Webhook deliveries from this node that failed (each failed attempt,
    /// whether it is retried or given up).
    pub webhook_delivery_failures: Counter,
    sealing_lag: Gauge<f64, std::sync::atomic::AtomicU64>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s, doubling.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        // `process_*` keep the names every dashboard knows; the service's
        // own carry its prefix.
        let mut registry = Registry::default();
        registry.register_collector(Box::new(ProcessCollector));
        let own = registry.sub_registry_with_prefix("tipline");
        let requests = Family::<HttpLabels, Counter>::default();
        let latency: Family<HttpLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        own.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        own.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by method, route template and status",
            Unit::Seconds,
            latency.clone(),
        );
        own.register(
            "build",
            "The running build",
            Info::new([("version", env!("CARGO_PKG_VERSION"))]),
        );
        let stores = StoreGauges::default();
        stores.register(own);
        let webhook_delivery_failures = Counter::default();
        own.register(
            "webhook_delivery_failures",
            "Webhook deliveries from this node that failed (retried or given up)",
            webhook_delivery_failures.clone(),
        );
        let sealing_lag = Gauge::default();
        own.register_with_unit(
            "audit_sealing_lag",
            "Age of the oldest audit event not sealed into the chain yet (0 when none waits)",
            Unit::Seconds,
            sealing_lag.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            stores,
            webhook_delivery_failures,
            sealing_lag,
        }
    }
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = HttpLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Set by this node's sealer after each of its passes.
    pub fn set_audit_sealing_lag(&self, lag: Duration) {
        self.sealing_lag.set(lag.as_secs_f64());
    }

    /// The OpenMetrics text exposition, `# EOF` included.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Reads the store gauges, each within `limit`: a database that does not
/// answer leaves its gauges out of this scrape instead of holding it up.
pub async fn sample(state: &AppState, limit: Duration) {
    let gauges = &state.metrics.stores;
    let db = &state.db;
    let (size, idle, max) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    };
    gauges.db_pool_connections.set(i64::from(size));
    gauges.db_pool_idle.set(idle as i64);
    gauges.db_pool_max.set(i64::from(max));

    // Read side by side: a scrape waits `limit` at most.
    let (backlog, head) = tokio::join!(
        tokio::time::timeout(
            limit,
            crate::store::webhook_events::backlog(db, state.clock.now()),
        ),
        tokio::time::timeout(limit, crate::store::audit::head(db)),
    );
    match backlog {
        Ok(Ok(backlog)) => {
            let set = |status, n: u64| {
                gauges
                    .webhook_events
                    .get_or_create(&StatusLabel { status })
                    .set(n as i64);
            };
            set(
                crate::store::webhook_events::Status::Pending.as_str(),
                backlog.pending,
            );
            set(
                crate::store::webhook_events::Status::Failed.as_str(),
                backlog.failed,
            );
            gauges
                .webhook_oldest_pending_age
                .get_or_create(&[])
                .set(backlog.oldest_pending_age.as_secs_f64());
        }
        outcome => {
            let why = unread(outcome.map(|read| read.map(drop)), limit);
            tracing::warn!(error = %why, "metrics: cannot read the webhook backlog");
            gauges.webhook_events.clear();
            gauges.webhook_oldest_pending_age.clear();
        }
    }

    match head {
        Ok(Ok(head)) => match head.checkpoint_at {
            Some(at) => {
                let age = state.clock.now().signed_duration_since(at);
                gauges
                    .audit_checkpoint_age
                    .get_or_create(&[])
                    .set(age.to_std().unwrap_or_default().as_secs_f64());
            }
            None => gauges.audit_checkpoint_age.clear(),
        },
        outcome => {
            let why = unread(outcome.map(|read| read.map(drop)), limit);
            tracing::warn!(error = %why, "metrics: cannot read the audit chain's head");
            gauges.audit_checkpoint_age.clear();
        }
    }
}

/// Why a store reading failed: its error, or no answer within `limit`.
fn unread(
    outcome: Result<Result<(), sea_orm::DbErr>, tokio::time::error::Elapsed>,
    limit: Duration,
) -> String {
    match outcome {
        Ok(Err(e)) => e.to_string(),
        _ => format!("no answer within {} ms", limit.as_millis()),
    }
}

/// The standard `process_*` metrics, read from /proc at each scrape (Linux;
/// elsewhere, or if /proc cannot be read, they are left out).
#[derive(Debug)]
struct ProcessCollector;

/// /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 for
/// user space on every architecture this runs on.
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Default)]
struct ProcessStats {
    cpu_seconds: Option<f64>,
    resident_bytes: Option<u64>,
    virtual_bytes: Option<u64>,
    start_time: Option<f64>,
    open_fds: Option<u64>,
    max_fds: Option<u64>,
}

impl ProcessStats {
    fn read() -> Self {
        let mut stats = Self::default();
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
            // The command name, in parentheses, may hold spaces: the fields
            // are counted from after its closing one (field 3, the state).
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.split_whitespace().collect())
                .unwrap_or_default();
            let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
            if let (Some(user), Some(system)) = (field(14), field(15)) {
                stats.cpu_seconds = Some((user + system) as f64 / TICKS_PER_SECOND);
            }
            stats.virtual_bytes = field(23);
            let boot_time = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("btime "))
                    .and_then(|v| v.trim().parse::<u64>().ok())
            });
            if let (Some(boot), Some(ticks)) = (boot_time, field(22)) {
                stats.start_time = Some(boot as f64 + ticks as f64 / TICKS_PER_SECOND);
            }
        }
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            stats.resident_bytes = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kib| kib * 1024);
        }
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            stats.open_fds = Some(dir.count() as u64);
        }
        if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
            stats.max_fds = limits
                .lines()
                .find_map(|l| l.strip_prefix("Max open files"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok());
        }
        stats
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = ProcessStats::read();
        if let Some(seconds) = stats.cpu_seconds {
            let counter = ConstCounter::new(seconds);
            counter.encode(encoder.encode_descriptor(
                "process_cpu",
                "User and system CPU time spent",
                Some(&Unit::Seconds),
                counter.metric_type(),
            )?)?;
        }
        let gauges = [
            (
                "process_resident_memory",
                "Resident memory size",
                Some(Unit::Bytes),
                stats.resident_bytes.map(|v| v as f64),
            ),
            (
                "process_virtual_memory",
                "Virtual memory size",
                Some(Unit::Bytes),
                stats.virtual_bytes.map(|v| v as f64),
            ),
            (
                "process_start_time",
                "Start time of the process since the Unix epoch",
                Some(Unit::Seconds),
                stats.start_time,
            ),
            (
                "process_open_fds",
                "Open file descriptors",
                None,
                stats.open_fds.map(|v| v as f64),
            ),
            (
                "process_max_fds",
                "The most file descriptors the process may open",
                None,
                stats.max_fds.map(|v| v as f64),
            ),
        ];
        for (name, help, unit, value) in &gauges {
            let Some(value) = value else { continue };
            let gauge = ConstGauge::new(*value);
            gauge.encode(encoder.encode_descriptor(
                name,
                help,
                unit.as_ref(),
                gauge.metric_type(),
            )?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_is_read_from_proc() {
        let stats = ProcessStats::read();
        if !std::path::Path::new("/proc/self/stat").exists() {
            return;
        }
        assert!(stats.resident_bytes.unwrap() > 1024 * 1024, "{stats:?}");
        assert!(stats.open_fds.unwrap() >= 3, "{stats:?}");
        assert!(
            stats.max_fds.unwrap() >= stats.open_fds.unwrap(),
            "{stats:?}"
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = stats.start_time.unwrap();
        assert!(started <= now + 1.0 && started > now - 3600.0, "{stats:?}");
    }

    #[test]
    fn the_body_is_openmetrics() {
        let metrics = Metrics::default();
        metrics.webhook_delivery_failures.inc();
        let text = metrics.render();
        assert!(text.ends_with("# EOF\n"), "{text}");
        assert!(
            text.contains("# TYPE process_cpu_seconds counter"),
            "{text}"
        );
        assert!(
            text.contains("tipline_webhook_delivery_failures_total 1"),
            "{text}"
        );
        // A series without labels, kept in a family so it can be left out.
        metrics
            .stores
            .webhook_oldest_pending_age
            .get_or_create(&[])
            .set(2.5);
        let text = metrics.render();
        assert!(
            text.contains("\ntipline_webhook_oldest_pending_age_seconds 2.5\n"),
            "{text}"
        );
        metrics.stores.webhook_oldest_pending_age.clear();
        assert!(
            !metrics
                .render()
                .contains("\ntipline_webhook_oldest_pending_age_seconds "),
        );
        assert!(
            text.contains(&format!(
                "tipline_build_info{{version=\"{}\"}} 1",
                env!("CARGO_PKG_VERSION")
            )),
            "{text}"
        );
    }
}
