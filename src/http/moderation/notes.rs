//! Internal notes on a tip (`POST /v1/moderation/tips/{id}/notes`);
//! reporters never see them.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use crate::app::AppState;
use crate::http::ApiTags;
use crate::http::auth::{Auth, Moderators};
use crate::http::contract::Checked;
use crate::http::error::Fails;
use crate::moderation;

pub struct NotesApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoteView {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<crate::store::tips::note::Model> for NoteView {
    fn from(n: crate::store::tips::note::Model) -> Self {
        NoteView {
            id: n.id,
            author_id: n.author_user_id,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewNote {
    #[oai(validator(max_length = 4000, pattern = r"\S"))]
    pub body: String,
}

crate::errors! {
    NoteErrors: 400, 401, 404 ["tip.not_found"], 413, 415, 422 ["note.invalid"], 503;
}

#[OpenApi(prefix_path = "/v1/moderation", tag = "ApiTags::Moderation")]
impl NotesApi {
    /// An internal note on a tip; reporters never see notes.
    #[oai(
        path = "/tips/:id/notes",
        method = "post",
        operation_id = "add_tip_note"
    )]
    async fn add_note(
        &self,
        auth: Auth<Moderators>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Checked<NewNote>,
    ) -> Result<Json<NoteView>, Fails<NoteErrors>> {
        let note =
            moderation::add_note(&state, &auth.ctx, auth.account().id, id.0, &body.0.body).await?;
        Ok(Json(note.into()))
    }
}
