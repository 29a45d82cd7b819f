//! `POST /v1/media`: one photo per request, as a multipart `file` part,
//! read as it streams and refused past the size limit before it is held
//! whole.

use bytes::Bytes;
use poem::web::{Data, Multipart};
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::OpenApi;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions, Multipart as OaiMultipart,
};
use sha2::{Digest, Sha256};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use poem::Body;
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use super::ApiTags;
use super::auth::{Auth, Reporters, client_addr};
use super::error::{ApiError, ErrorBody, Fails};
use super::idempotent::{self, Begun};
use super::responses::{Created, Original, Photo};
use super::suggestions::{ReadingStateName, reading_of};
use super::tips::{creation_limit, reporter_of};
use crate::app::AppState;
use crate::context::Ctx;
use crate::media::upload::{self, Owner};
use crate::reporting::Reporter;
use crate::store::media;

pub struct MediaApi;

/// The form, for the spec only: the upload is read by [`PhotoUpload`].
#[derive(OaiMultipart)]
#[allow(dead_code)] // Never built: it describes the request body in the spec.
struct PhotoForm {
    /// A JPEG, PNG or WebP photo; the type is read from its bytes.
    file: Upload,
}

/// A body reader that fails once more than `left` bytes came through,
/// remembering that it did so the answer can be 413 rather than a parse
/// error.
struct Capped<R> {
    inner: R,
    left: u64,
    overflowed: Arc<AtomicBool>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Capped<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            let read = (buf.filled().len() - before) as u64;
            if read > self.left {
                self.overflowed.store(true, Ordering::Relaxed);
                return Poll::Ready(Err(std::io::Error::other("the body is over the limit")));
            }
            self.left -= read;
        }
        poll
    }
}

/// The bytes of the one `file` part, read under the size limit, and the
/// upload slot it holds until the request is done.
pub struct PhotoUpload {
    bytes: Bytes,
    /// Held, not read: dropping it frees the slot.
    _slot: OwnedSemaphorePermit,
}

fn too_large(limit: u64) -> poem::Error {
    ApiError::PayloadTooLarge(ErrorBody::json(
        "request.too_large",
        format!("a photo may be at most {limit} bytes"),
    ))
    .into()
}

fn bad_form(message: &str) -> poem::Error {
    ApiError::bad_request("media.invalid_form", message).into()
}

impl<'a> ApiExtractor<'a> for PhotoUpload {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <PhotoForm as ApiExtractor>::register(registry);
    }

    /// The form, with `maxProperties: 1`: the `file` part and nothing else,
    /// as the reader below takes it.
    fn request_meta() -> Option<MetaRequest> {
        let mut meta = <PhotoForm as ApiExtractor>::request_meta()?;
        for media in &mut meta.content {
            if let MetaSchemaRef::Inline(schema) = &mut media.schema {
                schema.max_properties = Some(1);
            }
        }
        Some(meta)
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let state = req.data::<AppState>().expect("the app state is attached");
        let limit = state.settings.limits.max_upload_bytes;
        // Before a byte is read: a bounded number of uploads in memory.
        let slot = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            state.upload_slots.clone().acquire_owned(),
        )
        .await
        .map_err(|_| poem::Error::from(ApiError::busy()))?
        .expect("the semaphore is never closed");
        // A declared length past the limit (plus room for the form's own
        // headers) is refused before a byte of it is read.
        let declared = req
            .headers()
            .get(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit + 16 * 1024) {
            return Err(too_large(limit));
        }
        // The whole body, form headers and all, is capped as it streams:
        // a chunked body declares no length, and the form parser would
        // otherwise buffer an endless preamble or header line.
        let overflowed = Arc::new(AtomicBool::new(false));
        let capped = Capped {
            inner: body.take()?.into_async_read(),
            left: limit + 16 * 1024,
            overflowed: overflowed.clone(),
        };
        *body = RequestBody::new(Body::from_async_read(capped));
        let too_big = || overflowed.load(Ordering::Relaxed);
        let mut form = <Multipart as FromRequest>::from_request(req, body)
            .await
            .map_err(|_| bad_form("the body must be multipart/form-data with one `file` part"))?;
        let field = form
            .next_field()
            .await
            .map_err(|_| {
                if too_big() {
                    too_large(limit)
                } else {
                    bad_form("the form could not be read")
                }
            })?
            .ok_or_else(|| bad_form("the form has no `file` part"))?;
        if field.name() != Some("file") {
            return Err(bad_form("the form takes one `file` part and nothing else"));
        }
        let mut reader = field.into_async_read().take(limit + 1);
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await.map_err(|_| {
            if too_big() {
                too_large(limit)
            } else {
                bad_form("the upload was cut off")
            }
        })?;
        if bytes.len() as u64 > limit || too_big() {
            return Err(too_large(limit));
        }
        drop(reader);
        match form.next_field().await {
            Ok(None) => Ok(Self {
                bytes: Bytes::from(bytes),
                _slot: slot,
            }),
            Ok(Some(_)) => Err(bad_form("the form takes one `file` part and nothing else")),
            Err(_) if too_big() => Err(too_large(limit)),
            Err(_) => Err(bad_form("the form could not be read")),
        }
    }
}

crate::errors! {
    UploadErrors: 400 ["media.invalid_form"], 401, 403, 404 ["media.not_found"],
        409 ["idempotency.in_progress"], 413, 415 ["media.unsupported_type"],
        422 ["media.unreadable", "idempotency.key_reused"], 429 ["rate.limited"],
        503 ["service.busy"];
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Reporting")]
impl MediaApi {
    /// Upload one photo for a tip: `multipart/form-data` with one `file`
    /// part (at most 15 MiB by default).
    ///
    /// The original is kept unchanged as evidence; the display copy and the
    /// thumbnail are re-encoded with no metadata (no GPS position). Send an
    /// `Idempotency-Key` to retry safely. A photo that is not JPEG, PNG or
    /// WebP by its bytes (whatever its name or declared type) is 415
    /// `media.unsupported_type`; one that is truncated, empty or has too
    /// many pixels is 422 `media.unreadable`. Name the photo in a tip's
    /// `media_ids` within 24 hours.
    #[oai(path = "/media", method = "post", operation_id = "upload_media")]
    async fn upload(
        &self,
        auth: Auth<Reporters>,
        state: Data<&AppState>,
        req: &Request,
        /// Any unique string per photo, reused only for retries of it.
        #[oai(
            name = "Idempotency-Key",
            validator(min_length = 1, max_length = 200, pattern = "^[!-~]+$")
        )]
        idempotency_key: Header<Option<String>>,
        photo: PhotoUpload,
    ) -> Result<Created<Photo>, Fails<UploadErrors>> {
        let reporter = reporter_of(&auth.caller);
        let owner = Owner::from(reporter);
        let bytes = photo.bytes.clone();
        let begun = idempotent::begin(
            &state,
            "media",
            reporter,
            idempotent::sent_key(req, idempotency_key.0.as_deref())?,
            || hex::encode(Sha256::digest(&bytes)),
        )
        .await?;
        let (row, reading) = if let Begun::Replay(outcome) = begun {
            let id = outcome["media_id"]
                .as_str()
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or_else(idempotent::unreadable)?;
            let row = media::find_many(&state.db, &[id])
                .await?
                .pop()
                .ok_or_else(|| ApiError::not_found("media.not_found", "the photo is gone"))?;
            (row, reading_of(&state, id).await?)
        } else {
            let result = upload_fresh(&state, req, owner, reporter, bytes, &auth.ctx).await;
            idempotent::settle(
                &state,
                begun,
                &result,
                |row| serde_json::json!({ "media_id": row.id }),
            )
            .await?;
            // Queued with the upload; read by `crate::suggestions`.
            (result?, ReadingStateName::Pending)
        };
        // The uploader sent the original: they may check it against its
        // hash.
        let mut photo = Photo::of(&state, &row, Original::Described).await?;
        photo.reading = Some(reading);
        Ok(Created::Created(Json(photo)))
    }
}

async fn upload_fresh(
    state: &AppState,
    req: &Request,
    owner: Owner,
    reporter: Reporter,
    bytes: Bytes,
    ctx: &Ctx,
) -> Result<media::Model, ApiError> {
    let client = client_addr(req, state.settings.auth.client_ip_header.as_deref());
    let limits = &state.settings.limits;
    creation_limit(
        state,
        "media",
        reporter,
        client,
        limits.media_per_hour_per_reporter,
        limits.media_per_hour_per_address,
    )
    .await?;
    let processed = upload::process(&state.media_slots, bytes.clone()).await?;
    Ok(upload::store(
        &state.db,
        state.blobs.as_ref(),
        owner,
        bytes,
        processed,
        ctx,
    )
    .await?)
}
