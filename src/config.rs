//! Configuration: built-in defaults, then an optional TOML file, then
//! `TIPLINE_*` environment variables, then command-line flags.
//!
//! Every key has one name, used as is in the file (`s3_bucket = "..."`) and
//! upper-cased with the `TIPLINE_` prefix in the environment
//! (`TIPLINE_S3_BUCKET`). Both sources go through the same parser, so an
//! unknown key or a bad value is refused the same way from either, naming
//! where it came from. Secrets are wrapped in [`Secret`] and a database URL in
//! [`DatabaseUrl`], whose `Debug` and `Display` never show a password.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

/// The environment variable that names the configuration file; it is a flag
/// of the command line, not a configuration key.
pub const CONFIG_FILE_ENV: &str = "TIPLINE_CONFIG";
const ENV_PREFIX: &str = "TIPLINE_";

/// A refused configuration: one line that says where and why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl ConfigError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A value that must never be printed: `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which relational database to use, parsed from a URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(Url);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let url = Url::parse(value).map_err(|e| format!("is not a valid URL ({e})"))?;
        match url.scheme() {
            // Without `mode`, sqlx would not create a missing file.
            "sqlite" if !url.query_pairs().any(|(k, _)| k == "mode") => {
                let mut url = url;
                url.query_pairs_mut().append_pair("mode", "rwc");
                Ok(Self(url))
            }
            "sqlite" | "postgres" | "postgresql" => Ok(Self(url)),
            other => Err(format!(
                "has scheme `{other}`; expected sqlite://PATH or postgres://USER@HOST/DB"
            )),
        }
    }

    /// The embedded default: a SQLite file, created when missing.
    pub fn sqlite_file(path: &Path) -> Self {
        // `Url::from_file_path` would give `file://`; sqlx wants `sqlite://`.
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self(Url::parse(&url).expect("a path makes a valid sqlite URL"))
    }

    pub fn kind(&self) -> DatabaseKind {
        match self.0.scheme() {
            "sqlite" => DatabaseKind::Sqlite,
            _ => DatabaseKind::Postgres,
        }
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        f.write_str(shown.as_str())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Where photos go when an S3-compatible store is configured.
#[derive(Clone, Debug)]
pub struct S3Settings {
    pub endpoint: Url,
    pub bucket: String,
    pub region: String,
    pub access_key: Secret,
    pub secret_key: Secret,
    pub path_style: bool,
}

/// Everything the service reads at start, after validation.
#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// The address clients reach this service at, for the URLs it hands out;
    /// defaults to `http://` + the bound address.
    pub public_url: Option<Url>,
    /// `None` means the embedded default, `<data_dir>/tipline.db`.
    pub database_url: Option<DatabaseUrl>,
    pub database_max_connections: u32,
    pub database_connect_timeout: Duration,
    pub migrate_on_start: bool,
    /// Signs blob URLs (and later tokens). Generated into the data dir for the
    /// embedded default; required with PostgreSQL, where every node must
    /// share it.
    pub signing_secret: Option<Secret>,
    /// `None` means photos are files under `<data_dir>/media`.
    pub s3: Option<S3Settings>,
    pub blob_url_ttl: Duration,
    /// The largest request body of any route but photo uploads.
    pub max_json_body_bytes: usize,
    pub log_format: LogFormat,
    pub log_level: String,
    pub readiness_timeout: Duration,
    /// After a stop signal: how long `/readyz` answers 503 while requests are
    /// still served, so a load balancer can take this node out first.
    pub shutdown_drain: Duration,
    /// After the drain: how long in-flight requests get before the process exits.
    pub shutdown_timeout: Duration,
    pub auth: AuthSettings,
    pub limits: ReportingLimits,
    /// How long a moderator's claim on a tip lasts unless renewed.
    pub claim_lease: Duration,
    /// Points for the first reporter of a contact when a lead carrying it
    /// closes, on top of the outcome's points.
    pub first_reporter_bonus: i32,
    /// How often each node looks for leads past their deadline.
    pub deadline_sweep: Duration,
    pub webhooks: WebhookSettings,
    /// How often each node reads the audit log for its live views.
    pub live_poll: Duration,
    pub map: MapSettings,
    pub audit: AuditSettings,
    /// Reading contacts off card photos.
    pub reading: ReadingConfig,
    /// `TIPLINE_*` variables a Kubernetes Service set, which are not keys:
    /// their names, for the note at start (their values are never shown).
    pub kubernetes_service_vars: Vec<String>,
}

impl Settings {
    /// Logs what the configuration left alone; called once logging is set up.
    pub fn log_notes(&self) {
        if !self.kubernetes_service_vars.is_empty() {
            tracing::info!(
                variables = %self.kubernetes_service_vars.join(", "),
                "left alone: variables a Kubernetes Service named tipline sets, not configuration keys"
            );
        }
    }
}

/// The audit log's sealer and its signed checkpoints.
#[derive(Clone, Debug)]
pub struct AuditSettings {
    /// How often each node tries to seal (one node seals at a time).
    pub seal_every: Duration,
    /// How often the sealer signs a checkpoint.
    pub checkpoint_every: Duration,
    /// The Ed25519 key checkpoints are signed with (checked when loaded);
    /// without one, this node seals but does not sign.
    pub signing_key: Option<Secret>,
}

/// Reading the cards in uploaded photos (`crate::suggestions`).
#[derive(Clone, Debug)]
pub struct ReadingConfig {
    /// Printed text too, not only QR codes.
    pub ocr_enabled: bool,
    pub ocr_dir: PathBuf,
    /// Photos read at once on this node.
    pub workers: usize,
}

/// The map tiles the web apps draw under their outlines and points; none
/// by default (a plain background).
#[derive(Clone, Debug, Default)]
pub struct MapSettings {
    /// A tile URL template with `{z}`, `{x}` and `{y}`.
    pub tile_url: Option<String>,
    /// The datum the tiles are drawn in: Chinese tile services use GCJ-02,
    /// and the apps shift points and outlines onto them.
    pub tile_datum: TileDatum,
    /// The attribution the tile service asks for.
    pub tile_attribution: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TileDatum {
    #[default]
    Wgs84,
    Gcj02,
}

/// The webhook relay.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// How often each node's relay looks for due events.
    pub poll: Duration,
    /// The wait after the first failure, doubled after each further one (at
    /// most an hour).
    pub retry_base: Duration,
    /// Attempts before an event is marked `failed` (an admin can retry it).
    pub max_attempts: u32,
    /// How long one delivery may take.
    pub timeout: Duration,
}

/// How much reporters may create, per hour.
#[derive(Clone, Debug)]
pub struct ReportingLimits {
    pub tips_per_hour_per_reporter: u32,
    pub tips_per_hour_per_address: u32,
    pub media_per_hour_per_reporter: u32,
    pub media_per_hour_per_address: u32,
    /// The largest photo upload; larger ones are refused as they stream.
    pub max_upload_bytes: u64,
    /// Photo decodes running at once.
    pub media_workers: usize,
}

/// Tokens, sessions and login throttling.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `iss` of every token, checked on every request.
    pub issuer: String,
    /// Signs new access tokens. `None`: a key derived from the signing
    /// secret, with kid `s1`.
    pub signing_key: Option<JwtKey>,
    /// Keys that signed tokens until they were retired; each still verifies
    /// for one token lifetime after its retirement, then not at all.
    pub retired_keys: Vec<RetiredJwtKey>,
    pub access_token_ttl: Duration,
    pub anonymous_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Clock skew tolerated on `exp`.
    pub leeway: Duration,
    pub max_failures_per_account: u32,
    pub max_failures_per_address: u32,
    pub failure_window: Duration,
    /// The header a trusted reverse proxy puts the client address in (its
    /// rightmost entry is used); `None`: the socket's peer address.
    pub client_ip_header: Option<String>,
}

/// A key for HS256 access tokens, named by its `kid`.
#[derive(Clone, Debug)]
pub struct JwtKey {
    pub kid: String,
    pub secret: Secret,
}

#[derive(Clone, Debug)]
pub struct RetiredJwtKey {
    pub key: JwtKey,
    pub retired_at: DateTime<Utc>,
}

impl JwtKey {
    /// `KID SECRET`: a kid of 1–64 `[A-Za-z0-9._-]` and a secret of at least
    /// 32 characters without spaces or commas.
    fn parse(text: &str) -> Result<Self, String> {
        let mut fields = text.split_whitespace();
        let (Some(kid), Some(secret), None) = (fields.next(), fields.next(), fields.next()) else {
            return Err("must be `KID SECRET`".into());
        };
        Self::new(kid, secret)
    }

    fn new(kid: &str, secret: &str) -> Result<Self, String> {
        let kid_ok = (1..=64).contains(&kid.len())
            && kid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !kid_ok {
            return Err("has a kid that is not 1-64 characters of [A-Za-z0-9._-]".into());
        }
        if secret.len() < 32 || secret.contains(',') {
            return Err("has a secret shorter than 32 characters (or with a comma)".into());
        }
        Ok(Self {
            kid: kid.to_owned(),
            secret: Secret::new(secret),
        })
    }
}

impl RetiredJwtKey {
    /// `KID RETIRED_AT SECRET, ...` with `RETIRED_AT` in RFC 3339.
    fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        text.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                let fields: Vec<&str> = entry.split_whitespace().collect();
                let [kid, retired_at, secret] = fields[..] else {
                    return Err("must be `KID RETIRED_AT SECRET, ...`".to_owned());
                };
                // The value is not echoed: fields in the wrong order would
                // put a secret in the error.
                let retired_at = DateTime::parse_from_rfc3339(retired_at)
                    .map_err(|_| "has a RETIRED_AT that is not an RFC 3339 time".to_owned())?
                    .with_timezone(&Utc);
                Ok(Self {
                    key: JwtKey::new(kid, secret)?,
                    retired_at,
                })
            })
            .collect()
    }
}

impl Settings {
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::sqlite_file(&self.data_dir.join("tipline.db")))
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// Origins other than the service's own that the web apps load images
    /// from: the photo store's presigned URLs, and the public address when it
    /// differs from the one a page was opened at.
    pub fn image_origins(&self) -> Vec<String> {
        let mut origins = Vec::new();
        if let Some(url) = &self.public_url {
            origins.push(url.origin().ascii_serialization());
        }
        if let Some(s3) = &self.s3 {
            let mut endpoint = s3.endpoint.clone();
            if !s3.path_style {
                let host = format!("{}.{}", s3.bucket, endpoint.host_str().unwrap_or_default());
                if endpoint.set_host(Some(&host)).is_err() {
                    return origins;
                }
            }
            origins.push(endpoint.origin().ascii_serialization());
        }
        if let Some(template) = &self.map.tile_url {
            // Every subdomain a `{s}` template may use: the ones Leaflet
            // picks by default.
            for sub in ["a", "b", "c"] {
                let sample = template.replace("{s}", sub).replace(['{', '}'], "");
                if let Ok(url) = Url::parse(&sample) {
                    let origin = url.origin().ascii_serialization();
                    if !origins.contains(&origin) {
                        origins.push(origin);
                    }
                }
            }
        }
        origins
    }
}

/// Command-line values, the last layer.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

/// Reads the layers in order and validates the result.
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    overrides: &Overrides,
) -> Result<Settings, ConfigError> {
    let mut raw = Raw::default();
    if let Some(path) = file {
        raw.apply_file(path)?;
    }
    let service_vars = raw.apply_env(env)?;
    if let Some(bind) = overrides.bind {
        raw.bind = bind;
    }
    if let Some(dir) = &overrides.data_dir {
        raw.data_dir = dir.clone();
    }
    let mut settings = raw.validate()?;
    settings.kubernetes_service_vars = service_vars;
    Ok(settings)
}

/// One configuration key as an operator sees it: the README's table and
/// `tipline config` are made from these.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The name in the file; upper-cased with `TIPLINE_` in the environment.
    pub name: &'static str,
    /// The default as the README shows it.
    pub shown_default: &'static str,
    /// What it does, one doc line per source line.
    pub meaning: &'static str,
    /// Never printed; may also be read from a file (`TIPLINE_<KEY>_FILE`).
    pub secret: bool,
}

impl Key {
    /// The environment variable that sets it.
    pub fn env_name(&self) -> String {
        format!("{ENV_PREFIX}{}", self.name.to_ascii_uppercase())
    }

    /// The meaning as one line; a secret's says where else it may come from.
    pub fn meaning_line(&self) -> String {
        let mut line = self
            .meaning
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if self.secret {
            line.push_str(&format!(
                " (secret: kept out of logs and errors; `{}_FILE` may name a file holding it)",
                self.env_name()
            ));
        }
        line
    }
}

/// Declares every key once. Each entry is
///
/// ```text
/// /// what it does (the README's "meaning" column)
/// #[shown = "the default as the README shows it"]
/// #[secret]                      // optional: never printed, may come from a file
/// name: Type = default expression,
///     check = fn(&str) -> Result<Type, String>;
/// ```
///
/// and from it come the field of [`Raw`] and its default, the arm of
/// [`Raw::set`] that both the file and the environment go through, and the
/// entry of [`KEYS`]. A check's error says what is wrong with the value (the
/// caller adds where it came from); a secret's check must not echo it.
macro_rules! keys {
    ($(
        $(#[doc = $doc:literal])*
        #[shown = $shown:literal]
        $(#[$flag:ident])?
        $name:ident: $ty:ty = $default:expr,
            check = $check:expr;
    )*) => {
        /// Settings as they are being layered, before the checks that need
        /// all of them at once.
        #[derive(Debug)]
        struct Raw {
            $($(#[doc = $doc])* $name: $ty,)*
        }

        impl Default for Raw {
            fn default() -> Self {
                Self { $($name: $default,)* }
            }
        }

        impl Raw {
            /// Sets one key from its text form.
            fn set(&mut self, key: &str, value: &str) -> Result<(), KeyError> {
                match key {
                    $(stringify!($name) => {
                        let check: fn(&str) -> Result<$ty, String> = $check;
                        self.$name = check(value).map_err(KeyError::Bad)?;
                    })*
                    _ => return Err(KeyError::Unknown),
                }
                Ok(())
            }
        }

        /// Every key, in the README's order.
        pub const KEYS: &[Key] = &[$(Key {
            name: stringify!($name),
            shown_default: $shown,
            meaning: concat!($($doc, "\n",)*),
            secret: keys!(@secret $($flag)?),
        },)*];
    };
    (@secret secret) => { true };
    (@secret) => { false };
}

keys! {
    /// address to listen on (also `--bind`)
    #[shown = "`127.0.0.1:8080`"]
    bind: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080)),
        check = |v| parse_with(v, "a socket address like 127.0.0.1:8080");

    /// the embedded database, local photos, generated signing key (also `--data-dir`)
    #[shown = "`./data`"]
    data_dir: PathBuf = PathBuf::from("./data"),
        check = |v| non_empty(v).map(PathBuf::from);

    /// where clients reach the service; used in the photo URLs it hands out
    #[shown = "`http://` + bound address"]
    public_url: Option<Url> = None,
        check = |v| http_url(v).map(Some);

    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`
    #[shown = "`sqlite://<data_dir>/tipline.db`"]
    #[secret]
    database_url: Option<DatabaseUrl> = None,
        check = |v| DatabaseUrl::parse(v).map(Some);

    /// pool size per node
    #[shown = "`10`"]
    database_max_connections: u32 = 10,
        check = positive;

    /// how long a start waits for the database
    #[shown = "`5000`"]
    database_connect_timeout_ms: u64 = 5_000,
        check = positive;

    /// apply pending migrations when serving
    #[shown = "`true`"]
    migrate_on_start: bool = true,
        check = boolean;

    /// key (≥ 32 characters) for signed photo URLs; **required with
    /// PostgreSQL**, the same on every node
    #[shown = "generated into `<data_dir>/signing.key`"]
    #[secret]
    signing_secret: Option<Secret> = None,
        check = |v| {
            if v.len() < 32 {
                return Err("must be at least 32 characters".into());
            }
            Ok(Some(Secret::new(v)))
        };

    /// setting it selects the S3 photo store; then the three below are required
    #[shown = "—"]
    s3_bucket: Option<String> = None,
        check = |v| non_empty(v).map(|v| Some(v.to_owned()));

    /// e.g. `https://s3.eu-west-1.amazonaws.com`, `http://minio:9000`
    #[shown = "—"]
    s3_endpoint: Option<Url> = None,
        check = |v| http_url(v).map(Some);

    /// the access key id
    #[shown = "—"]
    #[secret]
    s3_access_key: Option<Secret> = None,
        check = |v| non_empty(v).map(|v| Some(Secret::new(v)));

    /// the secret access key
    #[shown = "—"]
    #[secret]
    s3_secret_key: Option<Secret> = None,
        check = |v| non_empty(v).map(|v| Some(Secret::new(v)));

    /// the region the store signs for
    #[shown = "`us-east-1`"]
    s3_region: String = "us-east-1".into(),
        check = |v| non_empty(v).map(str::to_owned);

    /// `https://host/bucket/key` addressing (MinIO, Garage, s3s); `false` for virtual-hosted
    #[shown = "`true`"]
    s3_path_style: bool = true,
        check = boolean;

    /// lifetime of the photo URLs handed to clients
    #[shown = "`300`"]
    blob_url_ttl_secs: u64 = 300,
        check = positive;

    /// the largest request body of any route but photo uploads (413 past it)
    #[shown = "`65536`"]
    max_json_body_bytes: usize = 64 * 1024,
        check = positive;

    /// `pretty` or `json` (one object per line, for a collector)
    #[shown = "`pretty`"]
    log_format: LogFormat = LogFormat::Pretty,
        check = |v| match v {
            "pretty" => Ok(LogFormat::Pretty),
            "json" => Ok(LogFormat::Json),
            _ => Err("must be `pretty` or `json`".into()),
        };

    /// a `tracing` filter, e.g. `info,sqlx=warn`
    #[shown = "`info`"]
    log_level: String = "info".into(),
        check = |v| {
            tracing_subscriber::EnvFilter::try_new(v)
                .map_err(|e| format!("is not a log filter ({e})"))?;
            Ok(v.to_owned())
        };

    /// each `/readyz` check must answer within this
    #[shown = "`2000`"]
    readiness_timeout_ms: u64 = 2_000,
        check = positive;

    /// after a stop signal: `/readyz` is 503 but requests are served
    #[shown = "`1000`"]
    shutdown_drain_ms: u64 = 1_000,
        check = |v| parse_with(v, "a number");

    /// then: the most in-flight requests get to finish
    #[shown = "`20000`"]
    shutdown_timeout_ms: u64 = 20_000,
        check = positive;

    /// `iss` of access tokens
    #[shown = "`tipline`"]
    jwt_issuer: String = "tipline".into(),
        check = |v| non_empty(v).map(str::to_owned);

    /// `KID SECRET`: the key that signs access tokens (HS256; secret ≥ 32 characters)
    #[shown = "derived from `signing_secret`, kid `s1`"]
    #[secret]
    jwt_key: Option<JwtKey> = None,
        check = |v| JwtKey::parse(v).map(Some);

    /// `KID RETIRED_AT SECRET, …` (RFC 3339 time): old keys that still
    /// verify for one token lifetime after `RETIRED_AT`
    #[shown = "—"]
    #[secret]
    jwt_retired_keys: Vec<RetiredJwtKey> = Vec::new(),
        check = RetiredJwtKey::parse_list;

    /// lifetime of an account's access token
    #[shown = "`900`"]
    access_token_ttl_secs: u64 = 15 * 60,
        check = positive;

    /// lifetime of an anonymous reporter's token
    #[shown = "`3600`"]
    anonymous_token_ttl_secs: u64 = 60 * 60,
        check = positive;

    /// lifetime of a refresh token (30 days); each works once
    #[shown = "`2592000`"]
    refresh_token_ttl_secs: u64 = 30 * 24 * 60 * 60,
        check = positive;

    /// clock skew tolerated on `exp`
    #[shown = "`30`"]
    jwt_leeway_secs: u64 = 30,
        check = |v| parse_with(v, "a number");

    /// failed logins per account per window, then 429
    #[shown = "`5`"]
    login_max_failures_per_account: u32 = 5,
        check = positive;

    /// failed logins per client address per window, then 429
    #[shown = "`20`"]
    login_max_failures_per_address: u32 = 20,
        check = positive;

    /// the throttling window
    #[shown = "`900`"]
    login_failure_window_secs: u64 = 15 * 60,
        check = positive;

    /// the largest photo (15 MiB); larger ones are refused with 413 as they stream
    #[shown = "`15728640`"]
    max_upload_bytes: u64 = 15 * 1024 * 1024,
        check = positive;

    /// photos decoded at once (a blocking pool behind a semaphore)
    #[shown = "cores"]
    media_workers: usize = std::thread::available_parallelism().map_or(2, |n| n.get()),
        check = positive;

    /// how long a moderator's claim on a tip lasts unless renewed
    #[shown = "`900`"]
    claim_lease_secs: u64 = 15 * 60,
        check = positive;

    /// reward points for the first reporter of a contact when a lead
    /// carrying it closes with an outcome worth points
    #[shown = "`10`"]
    first_reporter_bonus: u32 = 10,
        check = |v| parse_with(v, "a number of points");

    /// how often each node looks for leads past their accept or resolve deadline
    #[shown = "`60`"]
    deadline_sweep_secs: u64 = 60,
        check = positive;

    /// how often each node's relay looks for webhook events due
    #[shown = "`1000`"]
    webhook_poll_ms: u64 = 1_000,
        check = positive;

    /// the wait after a failed delivery, doubled after each further failure (at most an hour)
    #[shown = "`5000`"]
    webhook_retry_base_ms: u64 = 5_000,
        check = positive;

    /// attempts before an event is marked `failed` (an admin can retry it)
    #[shown = "`12`"]
    webhook_max_attempts: u32 = 12,
        check = positive;

    /// how long one delivery may take
    #[shown = "`10000`"]
    webhook_timeout_ms: u64 = 10_000,
        check = positive;

    /// how often each node reads the audit log for its live event streams
    #[shown = "`500`"]
    live_poll_ms: u64 = 500,
        check = positive;

    /// how often each node tries to seal the audit log (one node seals at a
    /// time); live streams see an event this much later at most
    #[shown = "`250`"]
    audit_seal_ms: u64 = 250,
        check = positive;

    /// how often the sealer signs a checkpoint of the audit log (when it has grown)
    #[shown = "`60`"]
    audit_checkpoint_secs: u64 = 60,
        check = positive;

    /// the Ed25519 key audit checkpoints are signed with: a PKCS#8 PEM
    /// (`openssl genpkey -algorithm ed25519`) or a 32-byte seed in hex or
    /// base64 (`tipline audit keygen`); the same on every node, never in the
    /// database. Without it a node seals the log but signs no checkpoints
    #[shown = "—"]
    #[secret]
    audit_signing_key: Option<Secret> = None,
        check = |v| {
            crate::sealer::CheckpointKey::parse(v).map_err(|_| {
                "is not an Ed25519 key: a PKCS#8 PEM or a 32-byte seed in hex or base64".to_owned()
            })?;
            Ok(Some(Secret::new(v)))
        };

    /// read printed text on card photos too (OCR: phone numbers, WeChat ids,
    /// QQ numbers), not only QR codes; needs a build with `--features ocr`
    /// and the files `scripts/install-ocr` fetches, else QR codes only (the
    /// start says which)
    #[shown = "`false`"]
    ocr_enabled: bool = false,
        check = boolean;

    /// where the OCR model and runtime files are
    #[shown = "`<data_dir>/ocr`"]
    ocr_dir: Option<PathBuf> = None,
        check = |v| non_empty(v).map(|v| Some(PathBuf::from(v)));

    /// photos whose cards are read at once on each node, in the background
    /// (a blocking pool behind a semaphore)
    #[shown = "`1`"]
    reading_workers: usize = 1,
        check = positive;

    /// a tile URL template with `{z}`, `{x}`, `{y}` (and `{s}`) for the web
    /// apps' maps; the pages' CSP then allows its origin
    #[shown = "— (no tiles: a plain background)"]
    map_tile_url: Option<String> = None,
        check = |v| tile_url(v).map(Some);

    /// the tiles' datum: `gcj02` for Chinese tile services (the apps shift
    /// points for display only)
    #[shown = "`wgs84`"]
    map_tile_datum: TileDatum = TileDatum::Wgs84,
        check = |v| match v.trim() {
            "wgs84" => Ok(TileDatum::Wgs84),
            "gcj02" => Ok(TileDatum::Gcj02),
            other => Err(format!("is `{other}`, expected wgs84 or gcj02")),
        };

    /// the attribution the tile service asks for
    #[shown = "—"]
    map_tile_attribution: Option<String> = None,
        check = |v| non_empty(v).map(|v| Some(v.to_owned()));

    /// tips one account or anonymous session may submit per hour
    #[shown = "`20`"]
    tips_per_hour_per_reporter: u32 = 20,
        check = positive;

    /// tips per client address per hour
    #[shown = "`100`"]
    tips_per_hour_per_address: u32 = 100,
        check = positive;

    /// photo uploads per account or session per hour
    #[shown = "`100`"]
    media_per_hour_per_reporter: u32 = 100,
        check = positive;

    /// photo uploads per client address per hour
    #[shown = "`500`"]
    media_per_hour_per_address: u32 = 500,
        check = positive;

    /// header a trusted reverse proxy sets, e.g. `X-Forwarded-For`; the
    /// rightmost entry of its last line is used (what the proxy itself
    /// wrote). Set it only behind such a proxy. IPv6 clients are counted per /64
    #[shown = "— (the socket address)"]
    client_ip_header: Option<String> = None,
        check = |v| {
            let name = non_empty(v)?;
            poem::http::HeaderName::try_from(name)
                .map_err(|_| format!("is `{v}`, not a header name"))?;
            Ok(Some(name.to_owned()))
        };
}

impl Raw {
    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let place = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(format!("cannot read config file {place}: {e}")))?;
        let table: BTreeMap<String, toml::Value> = toml::from_str(&text).map_err(|e| {
            let why = e.message().trim().to_owned();
            ConfigError::new(format!("config file {place} is not valid TOML: {why}"))
        })?;
        for (key, value) in &table {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(ConfigError::new(format!(
                        "config file {place}: `{key}` must be a string, number or boolean"
                    )));
                }
            };
            if let Some(secret) = file_secret(key) {
                if table.contains_key(secret.name) {
                    return Err(ConfigError::new(format!(
                        "config file {place}: both `{}` and `{key}` are set; keep one",
                        secret.name
                    )));
                }
                let value = read_secret_file(&text).map_err(|why| {
                    ConfigError::new(format!("config file {place}: `{key}` {why}"))
                })?;
                self.set(secret.name, &value).map_err(|e| {
                    ConfigError::new(format!(
                        "config file {place}: `{key}`: the file {} {}",
                        text.trim(),
                        e.reason()
                    ))
                })?;
                continue;
            }
            self.set(key, &text).map_err(|e| {
                ConfigError::new(match e {
                    KeyError::Unknown => format!("config file {place}: unknown key `{key}`"),
                    KeyError::Bad(why) => format!("config file {place}: `{key}` {why}"),
                })
            })?;
        }
        Ok(())
    }

    /// Applies the `TIPLINE_*` variables; returns the names of those a
    /// Kubernetes Service set, which are not keys and are left alone.
    fn apply_env(
        &mut self,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Vec<String>, ConfigError> {
        // Sorted, so that of several bad variables the same one is named each time.
        let vars: BTreeMap<String, String> = env
            .into_iter()
            .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name != CONFIG_FILE_ENV)
            .collect();
        let mut service_vars = Vec::new();
        for (name, value) in &vars {
            let key = name[ENV_PREFIX.len()..].to_ascii_lowercase();
            if let Some(secret) = file_secret(&key) {
                let direct = secret.env_name();
                if vars.contains_key(&direct) {
                    return Err(ConfigError::new(format!(
                        "{direct} and {name} are both set; keep one"
                    )));
                }
                let text = read_secret_file(value)
                    .map_err(|why| ConfigError::new(format!("{name} {why}")))?;
                self.set(secret.name, &text).map_err(|e| {
                    ConfigError::new(format!("{name}: the file {} {}", value.trim(), e.reason()))
                })?;
                continue;
            }
            match self.set(&key, value) {
                Ok(()) => {}
                Err(KeyError::Unknown) if kubernetes::is_service_variable(name, value) => {
                    service_vars.push(name.clone());
                }
                Err(KeyError::Unknown) => {
                    let hint = if kubernetes::looks_like_service_variable(name) {
                        "; a Kubernetes Service named tipline sets it only as tcp://IP:PORT and the like"
                    } else {
                        ""
                    };
                    return Err(ConfigError::new(format!(
                        "unknown environment variable {name} (the known ones are in README.md, Configuration{hint})"
                    )));
                }
                Err(KeyError::Bad(why)) => {
                    return Err(ConfigError::new(format!("{name} {why}")));
                }
            }
        }
        Ok(service_vars)
    }

    fn validate(self) -> Result<Settings, ConfigError> {
        let s3 = self.s3_settings()?;
        let mut kids: Vec<&str> = self
            .jwt_retired_keys
            .iter()
            .map(|k| k.key.kid.as_str())
            .collect();
        kids.push(self.jwt_key.as_ref().map_or("s1", |k| k.kid.as_str()));
        kids.sort_unstable();
        if let Some(pair) = kids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(ConfigError::new(format!(
                "the JWT kid `{}` is used twice (TIPLINE_JWT_KEY and TIPLINE_JWT_RETIRED_KEYS)",
                pair[0]
            )));
        }
        let database_url = self.database_url;
        if database_url.as_ref().map(DatabaseUrl::kind) == Some(DatabaseKind::Postgres)
            && self.signing_secret.is_none()
        {
            return Err(ConfigError::new(
                "TIPLINE_SIGNING_SECRET is required with PostgreSQL: every node must sign with the same key",
            ));
        }
        let ocr_dir = self.ocr_dir.unwrap_or_else(|| self.data_dir.join("ocr"));
        Ok(Settings {
            bind: self.bind,
            data_dir: self.data_dir,
            public_url: self.public_url,
            database_url,
            database_max_connections: self.database_max_connections,
            database_connect_timeout: Duration::from_millis(self.database_connect_timeout_ms),
            migrate_on_start: self.migrate_on_start,
            signing_secret: self.signing_secret,
            s3,
            blob_url_ttl: Duration::from_secs(self.blob_url_ttl_secs),
            max_json_body_bytes: self.max_json_body_bytes,
            log_format: self.log_format,
            log_level: self.log_level,
            readiness_timeout: Duration::from_millis(self.readiness_timeout_ms),
            shutdown_drain: Duration::from_millis(self.shutdown_drain_ms),
            shutdown_timeout: Duration::from_millis(self.shutdown_timeout_ms),
            auth: AuthSettings {
                issuer: self.jwt_issuer,
                signing_key: self.jwt_key,
                retired_keys: self.jwt_retired_keys,
                access_token_ttl: Duration::from_secs(self.access_token_ttl_secs),
                anonymous_token_ttl: Duration::from_secs(self.anonymous_token_ttl_secs),
                refresh_token_ttl: Duration::from_secs(self.refresh_token_ttl_secs),
                leeway: Duration::from_secs(self.jwt_leeway_secs),
                max_failures_per_account: self.login_max_failures_per_account,
                max_failures_per_address: self.login_max_failures_per_address,
                failure_window: Duration::from_secs(self.login_failure_window_secs),
                client_ip_header: self.client_ip_header,
            },
            limits: ReportingLimits {
                tips_per_hour_per_reporter: self.tips_per_hour_per_reporter,
                tips_per_hour_per_address: self.tips_per_hour_per_address,
                media_per_hour_per_reporter: self.media_per_hour_per_reporter,
                media_per_hour_per_address: self.media_per_hour_per_address,
                max_upload_bytes: self.max_upload_bytes,
                media_workers: self.media_workers,
            },
            claim_lease: Duration::from_secs(self.claim_lease_secs),
            first_reporter_bonus: self.first_reporter_bonus.min(1_000_000) as i32,
            deadline_sweep: Duration::from_secs(self.deadline_sweep_secs),
            webhooks: WebhookSettings {
                poll: Duration::from_millis(self.webhook_poll_ms),
                retry_base: Duration::from_millis(self.webhook_retry_base_ms),
                max_attempts: self.webhook_max_attempts,
                timeout: Duration::from_millis(self.webhook_timeout_ms),
            },
            live_poll: Duration::from_millis(self.live_poll_ms),
            reading: ReadingConfig {
                ocr_enabled: self.ocr_enabled,
                ocr_dir,
                workers: self.reading_workers,
            },
            map: MapSettings {
                tile_url: self.map_tile_url,
                tile_datum: self.map_tile_datum,
                tile_attribution: self.map_tile_attribution,
            },
            audit: AuditSettings {
                seal_every: Duration::from_millis(self.audit_seal_ms),
                checkpoint_every: Duration::from_secs(self.audit_checkpoint_secs),
                signing_key: self.audit_signing_key,
            },
            kubernetes_service_vars: Vec::new(),
        })
    }

    /// S3 is chosen by naming a bucket; then the endpoint and both keys must
    /// be there too, and without a bucket none of them may be.
    fn s3_settings(&self) -> Result<Option<S3Settings>, ConfigError> {
        let Some(bucket) = self.s3_bucket.clone() else {
            let stray = [
                ("TIPLINE_S3_ENDPOINT", self.s3_endpoint.is_some()),
                ("TIPLINE_S3_ACCESS_KEY", self.s3_access_key.is_some()),
                ("TIPLINE_S3_SECRET_KEY", self.s3_secret_key.is_some()),
            ];
            if let Some((name, _)) = stray.iter().find(|(_, set)| *set) {
                return Err(ConfigError::new(format!(
                    "{name} is set but TIPLINE_S3_BUCKET is not; set the bucket to use S3, or unset {name}"
                )));
            }
            return Ok(None);
        };
        let missing = |name: &str| {
            ConfigError::new(format!("{name} is required when TIPLINE_S3_BUCKET is set"))
        };
        Ok(Some(S3Settings {
            endpoint: self
                .s3_endpoint
                .clone()
                .ok_or_else(|| missing("TIPLINE_S3_ENDPOINT"))?,
            bucket,
            region: self.s3_region.clone(),
            access_key: self
                .s3_access_key
                .clone()
                .ok_or_else(|| missing("TIPLINE_S3_ACCESS_KEY"))?,
            secret_key: self
                .s3_secret_key
                .clone()
                .ok_or_else(|| missing("TIPLINE_S3_SECRET_KEY"))?,
            path_style: self.s3_path_style,
        }))
    }
}

/// The marker lines around the configuration table in README.md; a test
/// compares what lies between them with [`markdown_table`].
pub const README_TABLE_START: &str =
    "<!-- configuration keys: generated by `tipline config --markdown`; do not edit -->";
pub const README_TABLE_END: &str = "<!-- end of configuration keys -->";

/// The README's configuration table, made from [`KEYS`].
pub fn markdown_table() -> String {
    let mut out = String::from("| key | default | meaning |\n|---|---|---|\n");
    for key in KEYS {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            key.name,
            key.shown_default,
            key.meaning_line()
        ));
    }
    out
}

/// The keys as plain text, for a terminal: name, environment variable and
/// default, then what the key does.
pub fn plain_listing() -> String {
    let mut out = String::new();
    for key in KEYS {
        out.push_str(&format!(
            "{}  ({}; default: {})\n    {}\n",
            key.name,
            key.env_name(),
            key.shown_default.replace('`', ""),
            key.meaning_line().replace('`', "")
        ));
    }
    out
}

/// Why one key could not be set.
enum KeyError {
    Unknown,
    Bad(String),
}

impl KeyError {
    fn reason(self) -> String {
        match self {
            Self::Unknown => "names no key".into(),
            Self::Bad(why) => why,
        }
    }
}

/// If `key` is `<secret key>_file`, the secret key whose value that file
/// holds (as Kubernetes and Docker mount secrets).
fn file_secret(key: &str) -> Option<&'static Key> {
    let base = key.strip_suffix("_file")?;
    KEYS.iter().find(|k| k.secret && k.name == base)
}

/// A secret's value from the file at `path`, less one trailing newline (what
/// `echo` and editors add). The error names the path, never the content.
fn read_secret_file(path: &str) -> Result<String, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("must name a file".into());
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
            _ => e.to_string(),
        };
        format!("names {path}, which cannot be read: {why}")
    })?;
    let text = match text.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => &text,
    };
    Ok(text.to_owned())
}

/// The variables Kubernetes puts into every pod for a Service named
/// `tipline` (enableServiceLinks, on by default): `TIPLINE_SERVICE_HOST`,
/// `TIPLINE_SERVICE_PORT`, `TIPLINE_SERVICE_PORT_<NAME>`, `TIPLINE_PORT`
/// and `TIPLINE_PORT_<N>_<PROTO>[_ADDR|_PORT|_PROTO]`. They share the
/// prefix of the keys but are none; only their exact shapes, names and
/// values both, are let through, so a typo of a key is still refused.
mod kubernetes {
    use std::net::{IpAddr, SocketAddr};

    pub fn is_service_variable(name: &str, value: &str) -> bool {
        let Some(rest) = name.strip_prefix(super::ENV_PREFIX) else {
            return false;
        };
        match rest {
            "SERVICE_HOST" => is_ip(value),
            "SERVICE_PORT" => is_port(value),
            "PORT" => is_endpoint(value, None),
            _ => {
                if let Some(port_name) = rest.strip_prefix("SERVICE_PORT_") {
                    return is_port_name(port_name) && is_port(value);
                }
                let Some(spec) = rest.strip_prefix("PORT_") else {
                    return false;
                };
                let mut parts = spec.splitn(3, '_');
                let (Some(port), Some(proto)) = (parts.next(), parts.next()) else {
                    return false;
                };
                if !is_port(port) || !matches!(proto, "TCP" | "UDP" | "SCTP") {
                    return false;
                }
                let proto = proto.to_ascii_lowercase();
                match parts.next() {
                    None => is_endpoint(value, Some((&proto, port))),
                    Some("ADDR") => is_ip(value),
                    Some("PORT") => value == port,
                    Some("PROTO") => value == proto,
                    Some(_) => false,
                }
            }
        }
    }

    /// A name in one of those shapes, whatever its value: worth a hint when
    /// it is refused.
    pub fn looks_like_service_variable(name: &str) -> bool {
        let rest = name.strip_prefix(super::ENV_PREFIX).unwrap_or_default();
        rest == "PORT" || rest.starts_with("PORT_") || rest.starts_with("SERVICE_")
    }

    fn is_ip(value: &str) -> bool {
        value.parse::<IpAddr>().is_ok()
    }

    fn is_port(value: &str) -> bool {
        !value.starts_with('0') && value.parse::<u16>().is_ok_and(|p| p > 0)
    }

    /// A Service port's name, upper-cased with `-` made `_` (IANA service
    /// names: at most 15 letters, digits and hyphens).
    fn is_port_name(value: &str) -> bool {
        (1..=15).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    }

    /// `tcp://10.0.0.1:8080`: a protocol, an address and a port (and, for
    /// `TIPLINE_PORT_<N>_<PROTO>`, that protocol and port).
    fn is_endpoint(value: &str, expected: Option<(&str, &str)>) -> bool {
        let Some((proto, addr)) = value.split_once("://") else {
            return false;
        };
        let Ok(addr) = addr.parse::<SocketAddr>() else {
            return false;
        };
        match expected {
            Some((want_proto, want_port)) => {
                proto == want_proto && addr.port().to_string() == want_port
            }
            None => matches!(proto, "tcp" | "udp" | "sctp"),
        }
    }
}

fn parse_with<T: std::str::FromStr>(value: &str, expected: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("is `{value}`, expected {expected}"))
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(value: &str) -> Result<T, String> {
    let n: T = parse_with(value, "a positive number")?;
    if n > T::default() {
        Ok(n)
    } else {
        Err(format!("is `{value}`, expected a positive number"))
    }
}

fn boolean(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("is `{value}`, expected true or false")),
    }
}

fn non_empty(value: &str) -> Result<&str, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(trimmed)
    }
}

/// A tile URL template: an http(s) URL once `{z}`, `{x}` and `{y}` (and an
/// optional `{s}` subdomain) are filled in.
fn tile_url(value: &str) -> Result<String, String> {
    let template = value.trim();
    for part in ["{z}", "{x}", "{y}"] {
        if !template.contains(part) {
            return Err(format!("is `{template}`, which has no {part}"));
        }
    }
    let sample = template
        .replace("{z}", "1")
        .replace("{x}", "1")
        .replace("{y}", "1")
        .replace("{s}", "a");
    http_url(&sample)?;
    Ok(template.to_owned())
}

fn http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value.trim()).map_err(|e| format!("is not a valid URL ({e})"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(format!("is `{value}`, expected an http:// or https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn load_env(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        load(None, env(pairs), &Overrides::default())
    }

    #[test]
    fn readme_configuration_table_is_the_keys() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let held = readme
            .split_once(README_TABLE_START)
            .and_then(|(_, rest)| rest.split_once(README_TABLE_END))
            .map(|(table, _)| table.trim());
        let want = markdown_table();
        assert!(
            held == Some(want.trim()),
            "README.md's configuration table is not the keys declared in src/config.rs.\n\
             Put the output of `cargo run -q -- config --markdown` between the lines\n{README_TABLE_START}\n{README_TABLE_END}\n\
             in README.md, that is:\n\n{want}"
        );
    }

    #[test]
    fn every_key_is_described_and_settable() {
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KEYS.len(), "a key is declared twice");
        for key in KEYS {
            assert!(
                !key.meaning_line().is_empty(),
                "`{}` has no meaning",
                key.name
            );
            // Each name reaches its own arm of the parser: a value that no
            // check takes is refused as bad, never as unknown.
            let mut raw = Raw::default();
            assert!(
                !matches!(raw.set(key.name, "\u{1}"), Err(KeyError::Unknown)),
                "{}",
                key.name
            );
        }
    }

    /// What a Service named `tipline` with ports `http` (8080) and
    /// `metrics` (9090) puts into every pod.
    const SERVICE_VARS: &[(&str, &str)] = &[
        ("TIPLINE_SERVICE_HOST", "10.0.0.1"),
        ("TIPLINE_SERVICE_PORT", "8080"),
        ("TIPLINE_SERVICE_PORT_HTTP", "8080"),
        ("TIPLINE_SERVICE_PORT_METRICS", "9090"),
        ("TIPLINE_PORT", "tcp://10.0.0.1:8080"),
        ("TIPLINE_PORT_8080_TCP", "tcp://10.0.0.1:8080"),
        ("TIPLINE_PORT_8080_TCP_ADDR", "10.0.0.1"),
        ("TIPLINE_PORT_8080_TCP_PORT", "8080"),
        ("TIPLINE_PORT_8080_TCP_PROTO", "tcp"),
        ("TIPLINE_PORT_9090_TCP", "tcp://10.0.0.1:9090"),
        ("TIPLINE_PORT_9090_TCP_ADDR", "10.0.0.1"),
        ("TIPLINE_PORT_9090_TCP_PORT", "9090"),
        ("TIPLINE_PORT_9090_TCP_PROTO", "tcp"),
    ];

    #[test]
    fn a_kubernetes_service_s_variables_are_left_alone() {
        let mut pairs = SERVICE_VARS.to_vec();
        pairs.push(("TIPLINE_LOG_LEVEL", "debug"));
        let s = load_env(&pairs).unwrap();
        assert_eq!(s.log_level, "debug");
        assert_eq!(
            s.bind.to_string(),
            "127.0.0.1:8080",
            "TIPLINE_PORT is not the port"
        );
        assert_eq!(s.kubernetes_service_vars.len(), SERVICE_VARS.len());
        assert!(
            s.kubernetes_service_vars
                .contains(&"TIPLINE_PORT".to_owned())
        );
        // An IPv6 cluster.
        load_env(&[
            ("TIPLINE_SERVICE_HOST", "fd00::1"),
            ("TIPLINE_PORT", "tcp://[fd00::1]:8080"),
            ("TIPLINE_PORT_8080_TCP_ADDR", "fd00::1"),
        ])
        .unwrap();
    }

    #[test]
    fn near_misses_of_the_kubernetes_shapes_are_refused() {
        for (name, value) in [
            ("TIPLINE_BUIND", "0.0.0.0:8080"),
            ("TIPLINE_PORT", "8080"),
            ("TIPLINE_PORT", "http://10.0.0.1:8080"),
            ("TIPLINE_SERVICE_HOST", "tipline.default.svc"),
            ("TIPLINE_SERVICE_PORT", "http"),
            ("TIPLINE_SERVICE_PORT_HTTP", "0"),
            ("TIPLINE_SERVICE_HOSTS", "10.0.0.1"),
            ("TIPLINE_PORT_8080_TCP", "tcp://10.0.0.1:9090"),
            ("TIPLINE_PORT_8080_TCP_PORT", "9090"),
            ("TIPLINE_PORT_8080_TCP_PROTO", "udp"),
            ("TIPLINE_PORT_8080_HTTP", "tcp://10.0.0.1:8080"),
            ("TIPLINE_PORT_8080_TCP_HOST", "10.0.0.1"),
        ] {
            let err = load_env(&[(name, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("unknown environment variable {name} ")),
                "{name}={value}: {err}"
            );
        }
    }

    #[test]
    fn secrets_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        };
        let signing = write("signing", "sign-sign-sign-sign-sign-sign-sign-sign\n");
        let access = write("access", "access-key-id\r\n");
        let secret = write("secret", "very-secret-key\n");
        let jwt = write("jwt", "k2 0123456789abcdef0123456789abcdef-new");
        let db = write("db", "postgres://app:hunter2-db@db/tipline\n");
        let s = load_env(&[
            ("TIPLINE_SIGNING_SECRET_FILE", &signing),
            ("TIPLINE_S3_BUCKET", "photos"),
            ("TIPLINE_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("TIPLINE_S3_ACCESS_KEY_FILE", &access),
            ("TIPLINE_S3_SECRET_KEY_FILE", &secret),
            ("TIPLINE_JWT_KEY_FILE", &jwt),
            ("TIPLINE_DATABASE_URL_FILE", &db),
        ])
        .unwrap();
        // One trailing newline goes (with its carriage return), no more.
        let expose = |secret: &Option<Secret>| secret.as_ref().unwrap().expose().to_owned();
        assert_eq!(
            expose(&s.signing_secret),
            "sign-sign-sign-sign-sign-sign-sign-sign"
        );
        let s3 = s.s3.as_ref().unwrap();
        assert_eq!(s3.access_key.expose(), "access-key-id");
        assert_eq!(s3.secret_key.expose(), "very-secret-key");
        assert_eq!(s.auth.signing_key.as_ref().unwrap().kid, "k2");
        assert_eq!(s.database_url().kind(), DatabaseKind::Postgres);
        assert!(!format!("{s:?}").contains("hunter2-db"));
        let two_lines = write("two", "sign-sign-sign-sign-sign-sign-sign-sign\n\n");
        let s = load_env(&[("TIPLINE_SIGNING_SECRET_FILE", &two_lines)]).unwrap();
        assert_eq!(
            expose(&s.signing_secret),
            "sign-sign-sign-sign-sign-sign-sign-sign\n"
        );

        // From the file too, and the environment's layer wins.
        let file = dir.path().join("t.toml");
        std::fs::write(&file, format!("signing_secret_file = \"{signing}\"\n")).unwrap();
        let s = load(Some(&file), env(&[]), &Overrides::default()).unwrap();
        assert_eq!(
            expose(&s.signing_secret),
            "sign-sign-sign-sign-sign-sign-sign-sign"
        );
        let other = write("other", "other-other-other-other-other-other-other");
        let s = load(
            Some(&file),
            env(&[("TIPLINE_SIGNING_SECRET_FILE", &other)]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            expose(&s.signing_secret),
            "other-other-other-other-other-other-other"
        );
    }

    #[test]
    fn a_secret_file_that_fails_names_the_path_never_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing").display().to_string();
        let err = load_env(&[("TIPLINE_SIGNING_SECRET_FILE", &missing)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "TIPLINE_SIGNING_SECRET_FILE names {missing}, which cannot be read"
            )),
            "{err}"
        );

        let short = dir.path().join("short");
        std::fs::write(&short, "too-short-secret\n").unwrap();
        let err = load_env(&[("TIPLINE_SIGNING_SECRET_FILE", &short.display().to_string())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 32 characters"), "{err}");
        assert!(err.contains(&short.display().to_string()), "{err}");
        assert!(!err.contains("too-short-secret"), "{err}");

        let both = load_env(&[
            ("TIPLINE_S3_SECRET_KEY", "from-the-variable"),
            ("TIPLINE_S3_SECRET_KEY_FILE", &missing),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            both,
            "TIPLINE_S3_SECRET_KEY and TIPLINE_S3_SECRET_KEY_FILE are both set; keep one"
        );

        // Only secrets come from files: any other _FILE is a typo.
        let err = load_env(&[("TIPLINE_BIND_FILE", &missing)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("unknown environment variable TIPLINE_BIND_FILE"),
            "{err}"
        );
    }

    #[test]
    fn defaults_are_the_embedded_service() {
        let s = load_env(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.s3.is_none());
        assert_eq!(s.database_url().kind(), DatabaseKind::Sqlite);
        assert!(
            s.database_url()
                .expose()
                .ends_with("data/tipline.db?mode=rwc")
        );
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tipline.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\nreadiness_timeout_ms = 500\n",
        )
        .unwrap();
        let s = load(
            Some(&file),
            env(&[("TIPLINE_LOG_FORMAT", "pretty"), ("HOME", "/root")]),
            &Overrides {
                data_dir: Some("/srv/t".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(s.log_format, LogFormat::Pretty);
        assert_eq!(s.readiness_timeout, Duration::from_millis(500));
        assert_eq!(s.data_dir, PathBuf::from("/srv/t"));
    }

    #[test]
    fn unknown_keys_are_refused_from_both_sources() {
        let err = load_env(&[("TIPLINE_DATABSE_URL", "x")]).unwrap_err();
        assert!(err.to_string().contains("TIPLINE_DATABSE_URL"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.toml");
        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        let err = load(Some(&file), env(&[]), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("unknown key `colour`"), "{err}");
    }

    #[test]
    fn malformed_urls_are_refused() {
        let err = load_env(&[("TIPLINE_DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("TIPLINE_DATABASE_URL has scheme"),
            "{err}"
        );
        let err = load_env(&[("TIPLINE_S3_ENDPOINT", "not a url")]).unwrap_err();
        assert!(err.to_string().contains("not a valid URL"), "{err}");
    }

    #[test]
    fn production_needs_its_secrets() {
        let err = load_env(&[("TIPLINE_DATABASE_URL", "postgres://db/tipline")]).unwrap_err();
        assert!(err.to_string().contains("TIPLINE_SIGNING_SECRET"), "{err}");
        let err = load_env(&[
            ("TIPLINE_S3_BUCKET", "photos"),
            ("TIPLINE_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("TIPLINE_S3_ACCESS_KEY", "k"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("TIPLINE_S3_SECRET_KEY"), "{err}");
    }

    #[test]
    fn jwt_keys_parse_and_hide_their_secrets() {
        let s = load_env(&[
            (
                "TIPLINE_JWT_KEY",
                "2026-11 0123456789abcdef0123456789abcdef-new",
            ),
            (
                "TIPLINE_JWT_RETIRED_KEYS",
                "2026-10 2026-11-01T00:00:00Z 0123456789abcdef0123456789abcdef-old",
            ),
        ])
        .unwrap();
        assert_eq!(s.auth.signing_key.as_ref().unwrap().kid, "2026-11");
        assert_eq!(s.auth.retired_keys[0].key.kid, "2026-10");
        assert!(!format!("{s:?}").contains("0123456789abcdef"));
        let err = load_env(&[("TIPLINE_JWT_KEY", "k1 short")]).unwrap_err();
        assert!(err.to_string().contains("shorter than 32"), "{err}");
        let err = load_env(&[(
            "TIPLINE_JWT_RETIRED_KEYS",
            "k0 yesterday 0123456789abcdef0123456789abcdef",
        )])
        .unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let s = load_env(&[
            (
                "TIPLINE_DATABASE_URL",
                "postgres://app:hunter2-db@db/tipline",
            ),
            (
                "TIPLINE_SIGNING_SECRET",
                "sign-sign-sign-sign-sign-sign-sign-sign",
            ),
            ("TIPLINE_S3_BUCKET", "photos"),
            ("TIPLINE_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("TIPLINE_S3_ACCESS_KEY", "access-key-id"),
            ("TIPLINE_S3_SECRET_KEY", "very-secret-key"),
        ])
        .unwrap();
        let shown = format!("{s:?}");
        for secret in [
            "hunter2-db",
            "sign-sign",
            "access-key-id",
            "very-secret-key",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("postgres://app:***@db/tipline"), "{shown}");
    }
}
