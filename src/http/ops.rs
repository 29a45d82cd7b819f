//! Operations endpoints, for load balancers, orchestrators and Prometheus.

use std::future::Future;
use std::time::Duration;

use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use super::error::ErrorBody;
use super::metrics;
use super::vocab::CrsName;
use crate::app::AppState;
use crate::config::TileDatum;
use crate::store;

pub struct OpsApi;

/// The state of one dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Failed,
    /// Not checked: the node is shutting down.
    Skipped,
}

/// Each dependency a request may need: `database`, the relational database
/// (`SELECT 1`), and `blob_store`, where photos are kept.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Checks {
    pub database: CheckStatus,
    pub blob_store: CheckStatus,
}

/// Always `ready`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReadyStatus {
    Ready,
}

/// Always `alive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AliveStatus {
    Alive,
}

/// The node can take traffic.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Ready {
    pub status: ReadyStatus,
    pub checks: Checks,
}

/// The node should get no traffic now: the error body, with `code`
/// `service.not_ready` (`message` names what failed) or
/// `service.shutting_down`, and the state of each dependency.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotReady {
    #[oai(flatten)]
    pub error: ErrorBody,
    pub checks: Checks,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Every dependency answered within the readiness timeout.
    #[oai(status = 200)]
    Ready(Json<Ready>),
    /// A dependency did not answer in time, or the node is shutting down.
    /// Codes: `service.not_ready`, `service.shutting_down`.
    #[oai(status = 503)]
    NotReady(Json<NotReady>),
}

#[derive(ApiResponse)]
pub enum MetricsResponse {
    /// The OpenMetrics 1.0 text exposition, ending in `# EOF`.
    #[oai(
        status = 200,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"
    )]
    Ok(PlainText<String>),
}

/// The process is up.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Alive {
    pub status: AliveStatus,
}

/// The map tiles to draw under outlines and points; none configured means
/// a plain background.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MapConfig {
    /// A tile URL template with `{z}`, `{x}`, `{y}` (and maybe `{s}`).
    pub tile_url: Option<String>,
    // The datum the tiles are drawn in: with `gcj02` (Chinese tile
    // services), clients shift WGS-84 points and outlines for display only.
    // (A plain comment: a described field of a named type becomes an
    // `allOf` that client generators cannot take; CrsName says it.)
    pub tile_datum: CrsName,
    pub tile_attribution: Option<String>,
}

/// What a client needs to know before it starts.
#[derive(Debug, Clone, Object)]
pub struct ClientConfig {
    pub map: MapConfig,
    /// The largest photo `POST /v1/media` takes; larger ones are 413.
    pub max_upload_bytes: u64,
    /// Photos per tip.
    pub max_photos: u32,
    /// Contacts per tip.
    pub max_contacts: u32,
}

#[OpenApi(tag = "ApiTags::Ops")]
impl OpsApi {
    /// Settings the web apps and other clients read at start: the map
    /// tiles, and the limits of a report. No token needed.
    #[oai(
        path = "/v1/client-config",
        method = "get",
        operation_id = "client_config"
    )]
    async fn client_config(&self, state: Data<&AppState>) -> Json<ClientConfig> {
        let map = &state.settings.map;
        Json(ClientConfig {
            map: MapConfig {
                tile_url: map.tile_url.clone(),
                tile_datum: match map.tile_datum {
                    TileDatum::Wgs84 => CrsName::Wgs84,
                    TileDatum::Gcj02 => CrsName::Gcj02,
                },
                tile_attribution: map.tile_attribution.clone(),
            },
            max_upload_bytes: state.settings.limits.max_upload_bytes,
            max_photos: crate::reporting::MAX_MEDIA as u32,
            max_contacts: crate::reporting::MAX_CONTACTS as u32,
        })
    }

    /// Liveness: the process answers. Touches no dependency, so a slow
    /// database never gets a healthy node restarted.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<Alive> {
        Json(Alive {
            status: AliveStatus::Alive,
        })
    }

    /// Readiness: the database and the blob store both answer, each within the
    /// readiness timeout. Turns 503 as soon as a stop signal arrives.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        if state.lifecycle.is_shutting_down() {
            let skipped = Checks {
                database: CheckStatus::Skipped,
                blob_store: CheckStatus::Skipped,
            };
            return not_ready(
                "service.shutting_down",
                "the node is shutting down".into(),
                skipped,
            );
        }
        let limit = state.settings.readiness_timeout;
        let (database, blob_store) = tokio::join!(
            check(limit, store::ping(&state.db)),
            check(limit, state.blobs.check()),
        );
        let checks = Checks {
            database: status_of(&database),
            blob_store: status_of(&blob_store),
        };
        let failed: Vec<&str> = [("database", &database), ("blob_store", &blob_store)]
            .into_iter()
            .filter_map(|(name, result)| {
                let why = result.as_ref().err()?;
                // The details (hosts, addresses) go to the log, not to
                // whoever asks.
                tracing::warn!(dependency = name, error = %why, "not ready");
                Some(name)
            })
            .collect();
        if failed.is_empty() {
            ReadyResponse::Ready(Json(Ready {
                status: ReadyStatus::Ready,
                checks,
            }))
        } else {
            not_ready(
                "service.not_ready",
                format!("failed: {}", failed.join(", ")),
                checks,
            )
        }
    }

    /// Metrics for Prometheus, in the OpenMetrics text format.
    ///
    /// Requests by route template, the process, the build, the database
    /// pool and the webhook backlog.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self, state: Data<&AppState>) -> MetricsResponse {
        metrics::sample(&state, state.settings.readiness_timeout).await;
        MetricsResponse::Ok(PlainText(state.metrics.render()))
    }
}

fn not_ready(code: &str, message: String, checks: Checks) -> ReadyResponse {
    ReadyResponse::NotReady(Json(NotReady {
        error: ErrorBody::new(code, message),
        checks,
    }))
}

/// Runs one check with a deadline; the error says what happened, for the
/// operator reading `/readyz`.
async fn check<E: std::fmt::Display>(
    limit: Duration,
    probe: impl Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, probe).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
    }
}

fn status_of(result: &Result<(), String>) -> CheckStatus {
    if result.is_ok() {
        CheckStatus::Ok
    } else {
        CheckStatus::Failed
    }
}
