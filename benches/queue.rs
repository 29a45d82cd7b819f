//! The moderation queue at ten thousand and at a million tips (PostgreSQL).
//!
//! For each size: a database of its own, seeded by `tipline::seed` (the
//! code behind `tipline seed`), analysed, then served by the real app on a
//! local port. Three typical filters are timed over HTTP, as a console
//! calls them, each on its first page and on a deep page (90% of the way
//! through its results, reached by following cursors beforehand): p50 and
//! p99 of `BENCH_SAMPLES` sequential requests after a warm-up. `/healthz`
//! over the same client is the floor: what HTTP alone costs here.
//!
//! Run with `scripts/bench-queue` (or `cargo bench --bench queue`).
//! Environment: `BENCH_DATABASE_URL` (a PostgreSQL URL allowed to create
//! databases; default the local server), `BENCH_SIZES` (default
//! `10000,1000000`), `BENCH_SAMPLES` (default 300), `BENCH_RESEED=1` to
//! seed again a database an earlier run left.

use std::time::{Duration, Instant};

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};
use tipline::config::{self, Overrides};
use tipline::domain::Role;
use tipline::seed::{self, SeedOptions};
use tipline::server;
use tipline::store::tips::tip;

const PAGE: u32 = 50;
const WARM_UP: usize = 20;

/// The filters a console uses most: the default queue, an unclaimed
/// category tab, and a map view of one district, newest first; then two
/// searches through the closed past: last week's closed tips, and every
/// tip carrying the seed's most frequent number.
const FILTERS: [(&str, &str); 5] = [
    ("default queue (submitted+in_review, oldest first)", ""),
    (
        "card ads, unclaimed",
        "status=submitted&category=illicit_card_ads&claimed_by=none",
    ),
    (
        "within 5 km of the centre, open states, newest first",
        "status=submitted&status=in_review&status=needs_info&near=22.5431,114.0579,5000&order=newest",
    ),
    (
        "closed in the last 7 days, newest first",
        "status=closed&order=newest&created_from={week_ago}",
    ),
    (
        "the most frequent number, every state",
        "status=submitted&status=in_review&status=needs_info&status=verified&status=forwarded&status=closed&status=rejected&status=duplicate&status=withdrawn&contact=phone:%2B8613810000001",
    ),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let sizes: Vec<u64> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .context("BENCH_SIZES: numbers separated by commas")?;
    let samples: usize = std::env::var("BENCH_SAMPLES")
        .ok()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(300);
    let reseed = std::env::var("BENCH_RESEED").is_ok_and(|v| v == "1");

    let mut report = Vec::new();
    for size in sizes {
        report.push((size, bench_size(&admin_url, size, samples, reseed).await?));
    }
    println!("\nqueue latency over HTTP, ms (page of {PAGE}; {samples} samples each)");
    for (size, rows) in &report {
        println!("\n{size} tips");
        println!("{:<70} {:>8} {:>8}", "", "p50", "p99");
        for (name, p50, p99) in rows {
            println!("{name:<70} {p50:>8.2} {p99:>8.2}");
        }
    }
    // How the cost grows with the table: p99 at the largest size over p99
    // at the smallest, beside the goals (p99 under 20 ms at any depth; the
    // ratio at most 1.5).
    if let (Some((small, first)), Some((large, last))) = (report.first(), report.last())
        && small != large
    {
        println!("\np99 at {large} tips / p99 at {small} tips (goal <= 1.5; p99 goal < 20 ms)");
        for ((name, _, p99_small), (_, _, p99_large)) in first.iter().zip(last) {
            if *p99_small == 0.0 || *p99_large == 0.0 {
                continue; // a deep page that one size does not have
            }
            let name = name.split(" (of ").next().unwrap_or(name);
            let ratio = p99_large / p99_small;
            let verdict = if ratio <= 1.5 && *p99_large < 20.0 {
                "ok"
            } else {
                "over"
            };
            println!("{name:<70} {ratio:>8.2} {verdict:>6}");
        }
    }
    Ok(())
}

type Rows = Vec<(String, f64, f64)>;

async fn bench_size(
    admin_url: &str,
    size: u64,
    samples: usize,
    reseed: bool,
) -> anyhow::Result<Rows> {
    let name = format!("tipline_bench_queue_{size}");
    let admin = Database::connect(admin_url).await?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await?
        .is_some();
    if exists && reseed {
        admin
            .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .await?;
    }
    if !exists || reseed {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
    }
    admin.close().await.ok();
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));

    let data = tempfile::tempdir()?;
    let vars = vec![
        ("TIPLINE_DATABASE_URL".to_owned(), url.to_string()),
        (
            "TIPLINE_SIGNING_SECRET".to_owned(),
            "bench-signing-secret-0123456789abcdef".to_owned(),
        ),
        (
            "TIPLINE_DATA_DIR".to_owned(),
            data.path().display().to_string(),
        ),
        ("TIPLINE_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ("TIPLINE_LOG_LEVEL".to_owned(), "error".to_owned()),
    ];
    let settings = config::load(None, vars, &Overrides::default())?;
    let prepared = server::prepare(settings).await?;
    let state = prepared.state().clone();
    let have = tip::Entity::find().count(&state.db).await?;
    if have != size {
        anyhow::ensure!(
            have == 0,
            "{name} holds {have} tips, not {size}: run with BENCH_RESEED=1"
        );
        eprintln!("seeding {size} tips into {name}");
        let options = SeedOptions {
            tips: size,
            seed: 1,
            append: false,
            progress: true,
        };
        let seeded = seed::run(&state.db, &options).await?;
        eprintln!(
            "seeded in {:.1} s ({:.0} tips/s)",
            seeded.seconds,
            seeded.tips as f64 / seeded.seconds
        );
        state.db.execute_unprepared("ANALYZE").await?;
    }

    let addr = prepared.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(prepared.run(async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let username = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let password = "bench password 123";
    tipline::accounts::create_staff(
        &state,
        tipline::accounts::StaffRequest {
            username: &username,
            password,
            role: Role::Moderator,
            unit_id: None,
        },
        &tipline::context::Ctx::system(&state.clock, "bench-setup"),
    )
    .await?;
    let login: serde_json::Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"login": username, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("login gave no token")?
        .to_owned();

    let mut rows = Rows::new();
    let healthz = format!("{base}/healthz");
    let (p50, p99) = measure(&client, &healthz, None, samples).await?;
    rows.push(("floor: GET /healthz".into(), p50, p99));
    let week_ago = (chrono::Utc::now() - chrono::Duration::days(7))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    for (label, query) in FILTERS {
        let query = query.replace("{week_ago}", &week_ago);
        let query = query.as_str();
        let first = format!("{base}/v1/moderation/tips?limit={PAGE}&{query}");
        let (p50, p99) = measure(&client, &first, Some(&token), samples).await?;
        rows.push((format!("{label}: first page"), p50, p99));
        let (cursor, total) = deep_cursor(&client, &base, query, &token).await?;
        match cursor {
            Some(cursor) => {
                let deep = format!("{first}&cursor={cursor}");
                let (p50, p99) = measure(&client, &deep, Some(&token), samples).await?;
                rows.push((format!("{label}: deep page (of {total} rows)"), p50, p99));
            }
            None => rows.push((format!("{label}: no deep page ({total} rows)"), 0.0, 0.0)),
        }
    }
    drop(stop);
    server.await??;
    Ok(rows)
}

/// The cursor 90% of the way through a filter's results, found by walking
/// its pages (not timed), and how many rows the filter has.
async fn deep_cursor(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    token: &str,
) -> anyhow::Result<(Option<String>, usize)> {
    let mut cursors: Vec<String> = Vec::new();
    let mut total = 0;
    let mut next: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/moderation/tips?limit=100&{query}");
        if let Some(cursor) = &next {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: serde_json::Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        total += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                cursors.push(cursor.to_owned());
                next = Some(cursor.to_owned());
            }
            None => break,
        }
    }
    let deep = (!cursors.is_empty()).then(|| cursors[cursors.len() * 9 / 10].clone());
    Ok((deep, total))
}

/// p50 and p99 in milliseconds of `samples` sequential GETs.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    samples: usize,
) -> anyhow::Result<(f64, f64)> {
    let mut times: Vec<Duration> = Vec::with_capacity(samples);
    for i in 0..WARM_UP + samples {
        let mut request = client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let response = request.send().await?.error_for_status()?;
        response.bytes().await?;
        if i >= WARM_UP {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let at = |q: f64| {
        let index = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        times[index].as_secs_f64() * 1000.0
    };
    Ok((at(0.50), at(0.99)))
}
