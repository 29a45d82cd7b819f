//! The HTTP surface: one `#[OpenApi]` struct per resource, combined into one
//! spec, plus the routes that are not API operations (the spec itself, the
//! docs page, signed blob URLs), all behind one middleware.
//!
//! API structs hold no state (handlers take `Data<&AppState>`), so the spec
//! is produced by [`api_service`] with no database or network.
//!
//! Handlers check what came in, call a service and map its answer; they open
//! no transaction (every write lives in a service module: `crate::reporting`,
//! `crate::moderation`, `crate::vocabulary`, …). What several resources
//! answer with is in [`responses`]; the list parameters they read, in
//! [`params`]; every conversion of an error into an answer, in [`error`].

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod blobs;
mod body_limit;
pub mod casework;
mod clearable;
pub mod contract;
pub mod error;
pub mod events;
mod geojson;
mod idempotent;
pub mod leads;
pub mod media;
mod methods;
pub mod metrics;
pub mod moderation;
pub mod notifications;
pub mod observe;
pub mod ops;
pub mod outcomes;
pub mod params;
pub mod reject_reasons;
pub mod request_id;
pub mod responses;
pub mod stats;
pub mod suggestions;
pub mod tips;
pub mod units;
pub mod vocab;
pub mod web;
pub mod webhooks;

use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::{ExtraHeader, OpenApiService, Tags};

use crate::app::AppState;

#[derive(Tags)]
pub enum ApiTags {
    /// Signing in and out: citizens, staff, anonymous reporters.
    Auth,
    /// Reporting: categories, photo uploads, tips, and a citizen's own tips
    /// and their conversation.
    Reporting,
    /// Following an anonymous tip through its receipt (code and secret).
    Receipts,
    /// The caller's own account, notifications and reward points.
    Me,
    /// Moderators' tools: the queue, decisions, contacts.
    Moderation,
    /// Leads: building them from verified tips, routing, forwarding.
    Leads,
    /// The unit's side: its inbox of leads, accepting, resolving, returning.
    Unit,
    /// Staff accounts, units, categories, reject reasons, outcomes, webhook
    /// deliveries and the audit log, for administrators.
    Admin,
    /// Counts, step times and punctuality, for the command centre.
    Stats,
    /// Liveness, readiness and metrics, for load balancers and monitoring.
    Ops,
}

/// One struct per resource.
pub type Apis = (
    accounts::AuthApi,
    accounts::MeApi,
    tips::CategoriesApi,
    tips::TipsApi,
    media::MediaApi,
    moderation::Apis,
    leads::LeadsApi,
    reject_reasons::RejectReasonsApi,
    casework::UnitLeadsApi,
    notifications::NotificationsApi,
    stats::StatsApi,
    events::EventsApi,
    (
        admin::AdminApi,
        units::UnitsApi,
        webhooks::WebhooksApi,
        outcomes::OutcomesApi,
        suggestions::PhotoSuggestionsApi,
        suggestions::SuggestionDecisionsApi,
    ),
    (ops::OpsApi, admin::AuditKeyApi),
);

/// The API and its spec.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            accounts::AuthApi,
            accounts::MeApi,
            tips::CategoriesApi,
            tips::TipsApi,
            media::MediaApi,
            moderation::APIS,
            leads::LeadsApi,
            reject_reasons::RejectReasonsApi,
            casework::UnitLeadsApi,
            notifications::NotificationsApi,
            stats::StatsApi,
            events::EventsApi,
            (
                admin::AdminApi,
                units::UnitsApi,
                webhooks::WebhooksApi,
                outcomes::OutcomesApi,
                suggestions::PhotoSuggestionsApi,
                suggestions::SuggestionDecisionsApi,
            ),
            (ops::OpsApi, admin::AuditKeyApi),
        ),
        "tipline",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Citizens photograph illegal advertising cards, fraud, drugs or gambling and report \
             it with a location, signed in or anonymously; moderators verify tips and group \
             them into leads; leads go to the unit responsible, whose outcome flows back to \
             every reporter.\n\nEvery error answers with one JSON body, \
             `{\"code\", \"message\", \"request_id\"}`: `code` is stable and meant for \
             programs. Every response carries `X-Request-Id`.",
    )
    .extra_response_header::<String, _>(
        ExtraHeader::new("X-Request-Id").description(
            "The request's id: the caller's, when it sent a sane one, else a new one.",
        ),
    )
}

/// Routes that take large bodies and stream them under their own limit.
const STREAMED_UPLOADS: &[&str] = &["/v1/media"];

/// Every route the service answers, wrapped in the request middleware.
pub fn endpoint(state: AppState) -> impl Endpoint {
    let api = api_service();
    let docs = api.swagger_ui();
    let spec_json = api.spec_endpoint();
    let spec_yaml = api.spec_endpoint_yaml();
    let contract = std::sync::Arc::new(contract::Contract::new(
        serde_json::from_str(&api.spec()).expect("the spec is JSON"),
        &[
            "/openapi.json",
            "/openapi.yaml",
            "/docs/*",
            "/v1/blobs/*",
            "/console/*",
            "/assets/*",
        ],
    ));
    let pages = web::PageHeaders::new(&state.settings.image_origins());
    let console = || web::ConsoleEndpoint {
        headers: pages.clone(),
    };
    Route::new()
        .at("/openapi.json", spec_json)
        .at("/openapi.yaml", spec_yaml)
        .nest("/docs", docs)
        .at(format!("{}*key", blobs::PREFIX), get(blobs::get_blob))
        .at("/console", console())
        .at("/console/*path", console())
        .at("/assets/*path", console())
        .nest("/", api)
        .with(web::ReporterFallback {
            headers: pages.clone(),
        })
        .with(methods::AllowedMethods {
            contract: contract.clone(),
        })
        .with(CatchPanic::new().with_handler(error::from_panic))
        .with(body_limit::BodyLimit::new(
            state.settings.max_json_body_bytes,
            STREAMED_UPLOADS,
        ))
        .with(observe::Observe::new(state.metrics.clone()))
        .data(contract)
        .data(state)
}
