//! The moderators' side. So far: contact clustering — which tips carry a
//! phone number, WeChat id, QQ number or URL, and which contacts are hot.
//! Hidden (404) from citizens and officers.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, Moderators};
use super::error::ApiError;
use super::tips::ContactKindName;
use crate::app::AppState;
use crate::domain::contact::{Contact, ContactKind};
use crate::store::tips;

pub struct ModerationApi;

/// A tip carrying the contact, with where it was seen.
#[derive(Debug, Object)]
pub struct ClusterTip {
    pub id: Uuid,
    pub reference: String,
    pub status: String,
    pub category: String,
    /// WGS-84.
    pub lat: f64,
    pub lon: f64,
    pub created_at: DateTime<Utc>,
}

/// Every tip that carries one contact, however its reporters wrote it.
#[derive(Debug, Object)]
pub struct ContactCluster {
    pub kind: String,
    /// Normalised: E.164 phones, lower-case ids, parsed URLs.
    pub value: String,
    pub tip_count: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Newest first, at most 200.
    pub tips: Vec<ClusterTip>,
}

#[derive(Debug, Object)]
pub struct HotContact {
    pub kind: String,
    pub value: String,
    /// Tips carrying it in the window.
    pub tips: i64,
}

const CLUSTER_LIMIT: u64 = 200;

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl ModerationApi {
    /// The tips that carry a contact. `value` is written any usual way
    /// (`138-0013-8000` and `+86 13800138000` are one phone number);
    /// URL-encode it. Errors: 422 `contact.invalid`.
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
    ) -> Result<Json<ContactCluster>, ApiError> {
        let kind = ContactKind::parse(kind.0.as_str()).expect("the enum names every kind");
        let contact = Contact::parse(kind, &value.0)
            .map_err(|e| ApiError::unprocessable("contact.invalid", e.to_string()))?;
        let rows = tips::carrying_contact(&state.db, kind.as_str(), contact.value(), CLUSTER_LIMIT)
            .await?;
        Ok(Json(ContactCluster {
            kind: kind.as_str().to_owned(),
            value: contact.value().to_owned(),
            tip_count: rows.len() as u64,
            first_seen: rows.iter().map(|t| t.created_at).min(),
            last_seen: rows.iter().map(|t| t.created_at).max(),
            tips: rows
                .into_iter()
                .map(|t| ClusterTip {
                    id: t.id,
                    reference: t.reference,
                    status: t.status,
                    category: t.category,
                    lat: t.lat,
                    lon: t.lon,
                    created_at: t.created_at,
                })
                .collect(),
        }))
    }

    /// The contacts carried by the most tips in the last `days` days.
    #[oai(path = "/contacts/hot", method = "get", operation_id = "hot_contacts")]
    async fn hot(
        &self,
        _auth: Auth<Moderators>,
        state: Data<&AppState>,
        /// The window, 1–90 days (default 7).
        #[oai(validator(minimum(value = "1"), maximum(value = "90")))]
        days: Query<Option<u32>>,
        /// How many, 1–100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<Vec<HotContact>>, ApiError> {
        let since = Utc::now() - chrono::Duration::days(i64::from(days.0.unwrap_or(7)));
        let rows = tips::hot_contacts(&state.db, since, u64::from(limit.0.unwrap_or(20))).await?;
        Ok(Json(
            rows.into_iter()
                .map(|c| HotContact {
                    kind: c.kind,
                    value: c.value,
                    tips: c.tips,
                })
                .collect(),
        ))
    }
}
