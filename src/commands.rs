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

/// `tipline audit verify`: walks the audit chain; an error names the first
/// broken event.
pub async fn audit_verify(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format, &settings.log_level);
    let db = connect(&settings).await?;
    match store::audit::verify(&db).await? {
        Ok(count) => {
            println!("audit chain intact: {count} events");
            Ok(())
        }
        Err(broken) => {
            let event = broken.id.map(|id| format!(" ({id})")).unwrap_or_default();
            bail!(
                "audit chain broken at event #{}{event}: {}",
                broken.seq,
                broken.why
            )
        }
    }
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
