//! Contact clusters (`/v1/moderation/contacts/*`): every tip carrying one
//! contact however its reporters wrote it, and the contacts carried by the
//! most tips lately.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::LeadRef;
use crate::app::AppState;
use crate::domain::contact::{Contact, ContactKind};
use crate::http::ApiTags;
use crate::http::auth::{Auth, Moderators};
use crate::http::error::{ApiError, Fails};
use crate::http::vocab::{ContactKindName, TipStatusName};
use crate::store::contacts;

pub struct ContactsApi;

/// A tip carrying the contact, with where it was seen.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClusterTip {
    pub id: Uuid,
    pub reference: String,
    pub status: TipStatusName,
    pub category: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub created_at: DateTime<Utc>,
}

/// Every tip that carries one contact, however its reporters wrote it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactCluster {
    pub kind: ContactKindName,
    /// Normalised: E.164 phones, lower-case ids, parsed URLs.
    pub value: String,
    pub tip_count: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Newest first, at most 200.
    pub tips: Vec<ClusterTip>,
    /// Leads holding any of those tips, newest first.
    pub leads: Vec<LeadRef>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HotContact {
    pub kind: ContactKindName,
    pub value: String,
    /// Tips carrying it in the window.
    pub tips: i64,
}

const CLUSTER_LIMIT: u64 = 200;

crate::errors! {
    ClusterErrors: 400, 401, 404, 422 ["contact.invalid"], 503;
    HotErrors: 400, 401, 404, 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl ContactsApi {
    /// The tips that carry a contact. `value` is written any usual way
    /// (`138-0013-8000` and `+86 13800138000` are one phone number);
    /// URL-encode it.
    #[oai(
        path = "/contacts/:kind/:value",
        method = "get",
        operation_id = "contact_cluster"
    )]
    async fn cluster(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        kind: Path<ContactKindName>,
        value: Path<String>,
    ) -> Result<Json<ContactCluster>, Fails<ClusterErrors>> {
        let name = kind.0;
        let kind = ContactKind::from(name);
        let contact = Contact::parse(kind, &value.0)
            .map_err(|e| ApiError::unprocessable("contact.invalid", e.to_string()))?;
        let cluster = contacts::cluster(&state.db, kind, contact.value(), CLUSTER_LIMIT).await?;
        Ok(Json(ContactCluster {
            kind: name,
            value: contact.value().to_owned(),
            tip_count: cluster.tip_count as u64,
            first_seen: cluster.first_seen,
            last_seen: cluster.last_seen,
            tips: cluster
                .tips
                .into_iter()
                .map(|t| ClusterTip {
                    id: t.id,
                    reference: t.reference,
                    status: TipStatusName::from(t.status),
                    category: t.category,
                    lat: t.lat,
                    lon: t.lon,
                    created_at: t.created_at,
                })
                .collect(),
            leads: cluster.leads.iter().map(LeadRef::from).collect(),
        }))
    }

    /// The contacts carried by the most tips in the last `days` days.
    #[oai(path = "/contacts/hot", method = "get", operation_id = "hot_contacts")]
    async fn hot(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// The window, 1–90 days (default 7).
        #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
        days: Query<Option<u32>>,
        /// How many, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<HotContact>>, Fails<HotErrors>> {
        let since = auth.ctx.now - chrono::Duration::days(i64::from(days.0.unwrap_or(7)));
        let rows = contacts::hot(&state.db, since, u64::from(limit.0.unwrap_or(20))).await?;
        Ok(Json(
            rows.into_iter()
                .map(|c| HotContact {
                    kind: ContactKindName::from(c.kind),
                    value: c.value,
                    tips: c.tips,
                })
                .collect(),
        ))
    }
}
