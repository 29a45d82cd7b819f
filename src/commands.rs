//! The command-line commands, as functions. Each returns an error worded for
//! the single line `main` prints before exiting non-zero.

use std::io::Read;

use anyhow::{Context, bail};

use crate::auth::password;
use crate::config::Settings;
use crate::domain::Role;
use crate::store::users::{self, NewStaff};
use crate::{accounts, http, server, store, telemetry};

/// `tipline serve`: runs until SIGINT or SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    settings.log_notes();
    let stop = server::stop_signal();
    let prepared = server::prepare(settings).await?;
    if let Some(admin) = &prepared.first_admin {
        // Printed, not logged: a log collector must never hold it. Shown once.
        eprintln!(
            "tipline: created the first administrator\n  username: {}\n  password: {}\n  (shown once; change it after logging in)",
            admin.username, admin.password
        );
    }
    prepared.run(stop).await.context("the server failed")
}

/// `tipline migrate`: applies pending migrations and exits.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    let db = connect(&settings).await?;
    store::migrate(&db)
        .await
        .context("cannot apply the database migrations")?;
    eprintln!(
        "tipline: the database at {} is up to date",
        settings.database_url()
    );
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SpecFormat {
    Yaml,
    Json,
}

/// `tipline openapi`: the spec, from the code alone.
pub fn openapi(format: SpecFormat) -> String {
    let api = http::api_service();
    let mut spec = match format {
        SpecFormat::Yaml => api.spec_yaml(),
        SpecFormat::Json => api.spec(),
    };
    if !spec.ends_with('\n') {
        spec.push('\n');
    }
    spec
}

/// `tipline admin create-user`: a staff account, with the password read from
/// standard input so it never shows in a process list or shell history.
pub async fn create_user(
    settings: Settings,
    username: &str,
    role: Role,
    mut stdin: impl Read,
) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    match role {
        Role::Admin | Role::Moderator => {}
        Role::UnitOfficer => {
            bail!("unit officers belong to a unit; create them through the API once units exist")
        }
        Role::Citizen => bail!("citizens register themselves with their phone number"),
    }
    // The same rules as the API: lower case, a letter first.
    let username = accounts::normalize_username(username)?;
    let mut input = String::new();
    stdin
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']);
    password::check_policy(password)?;

    let db = connect(&settings).await?;
    if settings.migrate_on_start {
        store::migrate(&db)
            .await
            .context("cannot apply the database migrations")?;
    }
    let password_hash = password::hash(password);
    let user = users::create_staff(
        &db,
        NewStaff {
            username: &username,
            password_hash,
            role,
            unit_id: None,
        },
        crate::clock::Clock::default().now(),
    )
    .await?;
    eprintln!("tipline: created {role} `{username}` ({})", user.id);
    Ok(())
}

async fn connect(settings: &Settings) -> anyhow::Result<sea_orm::DatabaseConnection> {
    Ok(store::connect(
        &settings.database_url(),
        settings.database_max_connections,
        settings.database_connect_timeout,
    )
    .await?)
}

/// The sealer as the command line uses it: the configured database, blob
/// store and key.
async fn sealer(settings: &Settings) -> anyhow::Result<crate::sealer::Sealer> {
    let db = connect(settings).await?;
    let signer = crate::blob::UrlSigner::new(&crate::bootstrap::signing_secret(settings)?);
    let public_url = match &settings.public_url {
        Some(url) => url.clone(),
        None => url::Url::parse(&format!("http://{}", settings.bind))
            .context("the bind address makes no URL")?,
    };
    let blobs = server::open_blobs(settings, signer, &public_url).await?;
    Ok(crate::sealer::Sealer::new(
        settings,
        db,
        blobs,
        Default::default(),
    )?)
}

/// `tipline audit verify`: walks the audit chain and checks it against
/// every signed checkpoint in the blob store; an error names the first
/// broken event or the checkpoint the chain contradicts. Events not sealed
/// yet are reported, not failed.
pub async fn audit_verify(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    let sealer = sealer(&settings).await?;
    let public_key = sealer.key.as_ref().map(|k| k.public_key());
    let report = crate::sealer::verify(&sealer.db, sealer.blobs.as_ref(), public_key).await?;
    for (key, why) in &report.rejected {
        eprintln!("tipline: checkpoint {key} is not used: {why}");
    }
    let count = match report.chain {
        Ok(count) => count,
        Err(broken) => match report.broken_checkpoint {
            Some(checkpoint) => bail!(
                "audit chain broken: it contradicts the checkpoint at position {} ({}, made {}): {}",
                checkpoint.position,
                crate::sealer::Checkpoint::object_key(checkpoint.position),
                checkpoint.time,
                broken.why
            ),
            None => {
                let event = broken.id.map(|id| format!(" ({id})")).unwrap_or_default();
                bail!(
                    "audit chain broken at event #{}{event}: {}",
                    broken.seq,
                    broken.why
                )
            }
        },
    };
    println!("audit chain intact: {count} events");
    match &report.last_checkpoint {
        Some(last) => println!(
            "checked against {} checkpoints{}; the last covers #{} ({})",
            report.checkpoints,
            if report.signatures_checked {
                ", signatures verified"
            } else {
                " (signatures not checked: no audit_signing_key here)"
            },
            last.position,
            last.time
        ),
        None => println!("no checkpoints to check against yet"),
    }
    if report.unsealed > 0 {
        println!(
            "{} events not sealed yet (the sealer takes them within seconds)",
            report.unsealed
        );
    }
    if !report.rejected.is_empty() {
        bail!(
            "{} checkpoints are unreadable or not signed by this service's key (see above)",
            report.rejected.len()
        );
    }
    Ok(())
}

/// `tipline audit checkpoint`: seals what is committed and signs a
/// checkpoint of the whole chain now (before a backup, or to test the key).
pub async fn audit_checkpoint(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    let sealer = sealer(&settings).await?;
    if sealer.key.is_none() {
        bail!("no TIPLINE_AUDIT_SIGNING_KEY (or _FILE): there is nothing to sign with");
    }
    match sealer.checkpoint_now().await? {
        Some(c) => println!(
            "checkpoint at position {} written to {}",
            c.position,
            crate::sealer::Checkpoint::object_key(c.position)
        ),
        None => println!("nothing new to checkpoint: the last checkpoint covers the whole chain"),
    }
    Ok(())
}

/// `tipline audit keygen`: a new signing key, and its public half.
pub fn audit_keygen() -> anyhow::Result<String> {
    use base64::Engine as _;
    let seed = crate::sealer::CheckpointKey::generate_seed();
    let key = crate::sealer::CheckpointKey::parse(&seed)?;
    Ok(format!(
        "TIPLINE_AUDIT_SIGNING_KEY={seed}\n# public key (base64): {}\n# key id: {}\n",
        base64::engine::general_purpose::STANDARD.encode(key.public_key()),
        key.id()
    ))
}

/// `tipline seed`: made-up tips in an empty database, with a progress bar.
pub async fn seed(settings: Settings, options: &crate::seed::SeedOptions) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    let db = connect(&settings).await?;
    store::migrate(&db)
        .await
        .context("cannot apply the database migrations")?;
    let seeded = crate::seed::run(&db, options)
        .await
        .context("cannot seed")?;
    eprintln!(
        "tipline: seeded {} tips with {} contacts in {:.1} s ({:.0} tips/s)",
        seeded.tips,
        seeded.contacts,
        seeded.seconds,
        seeded.tips as f64 / seeded.seconds.max(1e-3)
    );
    Ok(())
}
