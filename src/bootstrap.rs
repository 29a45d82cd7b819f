//! What a first start on an empty data dir or database sets up, and later
//! starts find in place: the signing secret and the first administrator.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::auth::password;
use crate::config::Settings;
use crate::domain::Role;
use crate::store::users::{self, CreateUserError, NewStaff};

const SECRET_FILE: &str = "signing.key";

/// The configured signing secret, or for the embedded default the one kept in
/// the data dir, generated on first start.
pub fn signing_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.signing_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    load_or_create_secret(&settings.data_dir.join(SECRET_FILE))
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = hex::decode(text.trim())
                .ok()
                .filter(|s| s.len() >= 32)
                .with_context(|| format!("{} is not 64 hex digits", path.display()))?;
            return Ok(secret);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let secret: [u8; 32] = rand::random();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data dir {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(hex::encode(secret).as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(secret.to_vec())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(path),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

/// The credentials of an account the service made itself, to be shown once.
pub struct FirstAdmin {
    pub username: String,
    pub password: String,
}

/// Makes an administrator when there is none, so that a new installation can
/// be administered at all.
pub async fn ensure_admin(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Option<FirstAdmin>> {
    if users::any_active_with_role(db, Role::Admin).await? {
        return Ok(None);
    }
    let password = password::generate();
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || password::hash(&password)).await?
    };
    // "admin" may belong to a demoted account; then a suffixed name.
    for username in [
        "admin".to_owned(),
        format!("admin-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]),
    ] {
        let new = NewStaff {
            username: &username,
            password_hash: hash.clone(),
            role: Role::Admin,
            unit_id: None,
        };
        match users::create_staff(db, new, now).await {
            Ok(_) => return Ok(Some(FirstAdmin { username, password })),
            Err(CreateUserError::UsernameTaken(_)) => {
                // Another node may have just made the first admin.
                if users::any_active_with_role(db, Role::Admin).await? {
                    return Ok(None);
                }
            }
            Err(e @ (CreateUserError::Db(_) | CreateUserError::PhoneTaken)) => return Err(e.into()),
        }
    }
    anyhow::bail!("could not create the first administrator: the names are taken")
}
