//! The queue's CSV export, streamed page by page as it is read.

use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, ResponseContent};
use uuid::Uuid;

use crate::app::AppState;
use crate::store::tips::{self, QueueFilter, tip};

/// Rows an export reads at a time.
const EXPORT_PAGE: u64 = 500;

/// A CSV export, written as it is read.
#[derive(ResponseContent)]
pub enum CsvStream {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<poem::Body>),
}

#[derive(ApiResponse)]
pub enum TipsCsv {
    /// One row per tip, streamed: a download cut short (the connection, or
    /// a store failing mid-way) ends without its last chunk, so a client
    /// can tell it from a whole one.
    #[oai(status = 200)]
    Ok(CsvStream, #[oai(header = "Content-Disposition")] String),
}

const EXPORT_HEADER: &str =
    "reference,status,category,submitted_at,lat,lon,address,contacts,description\r\n";

/// The CSV lines of one page of tips.
async fn export_page(state: &AppState, rows: &[tip::Model]) -> Result<String, sea_orm::DbErr> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let contacts = tips::contacts_of_many(&state.db, &ids).await?;
    let mut out = String::new();
    for t in rows {
        let carried: Vec<String> = contacts
            .iter()
            .filter(|c| c.tip_id == t.id)
            .map(|c| format!("{}:{}", c.kind, c.value))
            .collect();
        let fields = [
            t.reference.clone(),
            t.status.to_string(),
            t.category.clone(),
            t.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            format!("{:.6}", t.lat),
            format!("{:.6}", t.lon),
            t.address.clone().unwrap_or_default(),
            carried.join(" "),
            t.description.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| crate::stats::csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Every tip the filter holds, page by page, as CSV bytes.
pub(super) fn export_stream(
    state: AppState,
    filter: QueueFilter,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    enum At {
        Header,
        After(Option<Uuid>),
        Done,
    }
    futures_util::stream::unfold(At::Header, move |at| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = match at {
                At::Done => return None,
                At::Header => {
                    return Some((
                        Ok(bytes::Bytes::from_static(EXPORT_HEADER.as_bytes())),
                        At::After(None),
                    ));
                }
                At::After(after) => after,
            };
            let rows = match tips::queue(&state.db, &filter, after, EXPORT_PAGE).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "an export failed mid-way");
                    return Some((Err(std::io::Error::other("the export failed")), At::Done));
                }
            };
            let next = if rows.len() as u64 == EXPORT_PAGE {
                At::After(rows.last().map(|t| t.id))
            } else {
                At::Done
            };
            match export_page(&state, &rows).await {
                Ok(text) => Some((Ok(bytes::Bytes::from(text)), next)),
                Err(e) => {
                    tracing::error!(error = %e, "an export failed mid-way");
                    Some((Err(std::io::Error::other("the export failed")), At::Done))
                }
            }
        }
    })
}
