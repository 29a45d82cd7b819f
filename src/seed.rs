//! `tipline seed`: fills a database with made-up tips, spread the way a
//! year of a city's tip line is, for benchmarks and for trying a console
//! against a busy queue. Never for a database with real tips (it refuses
//! one unless told to append).
//!
//! The spread: tips arrive evenly over a year, ids in time order (UUID v7 of
//! the arrival); a tip is still open with a chance that falls with its age
//! (half-life five days), so the queue holds the last days' tips; most are
//! card ads; places bunch around twenty hot spots in one city, the rest are
//! scattered; seven in ten carry a phone number drawn so that a few numbers
//! recur on many cards; each has one photo row (its objects are not
//! written: the queue only signs their URLs).

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, TransactionTrait};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use uuid::{Timestamp, Uuid};

use crate::domain::contact::ContactKind;
use crate::domain::tip::TipStatus;
use crate::store::media;
use crate::store::tips::{contact, tip};

/// Rows per INSERT: well under both databases' limits on bound values.
const BATCH: usize = 500;
/// Where the tips are: the centre of Shenzhen.
const CITY: (f64, f64) = (22.5431, 114.0579);
const HOT_SPOTS: usize = 20;
/// Distinct phone numbers on cards; a few of them are on many.
const PHONE_POOL: u64 = 50_000;

#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub tips: u64,
    /// The random seed: the same seed makes the same spread (ids and times
    /// follow the clock).
    pub seed: u64,
    /// Add to a database that already has tips.
    pub append: bool,
    /// Show progress on standard error: a bar redrawn in place on a
    /// terminal, plain periodic lines when it is a file or a pipe.
    pub progress: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database already has {0} tips; seeding is for empty databases (pass --append to add anyway)"
    )]
    NotEmpty(u64),
    #[error("the database failed: {0}")]
    Db(#[from] DbErr),
}

/// What a run made.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seeded {
    pub tips: u64,
    pub contacts: u64,
    pub seconds: f64,
}

struct Spread {
    rng: StdRng,
    spots: Vec<(f64, f64)>,
    now: DateTime<Utc>,
}

impl Spread {
    fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let spots = (0..HOT_SPOTS)
            .map(|_| {
                (
                    CITY.0 + rng.random_range(-0.12..0.12),
                    CITY.1 + rng.random_range(-0.15..0.15),
                )
            })
            .collect();
        Self {
            rng,
            spots,
            now: crate::clock::Clock::default().now(),
        }
    }

    /// Roughly normal (sum of uniforms), mean 0, deviation 1.
    fn normal(&mut self) -> f64 {
        (0..4)
            .map(|_| self.rng.random_range(-1.0..1.0))
            .sum::<f64>()
            * 0.866
    }

    fn place(&mut self) -> (f64, f64) {
        if self.rng.random_bool(0.8) {
            let spot = self.spots[self.rng.random_range(0..self.spots.len())];
            // About 1.5 km around the spot.
            (
                spot.0 + self.normal() * 0.0135,
                spot.1 + self.normal() * 0.0145,
            )
        } else {
            (
                CITY.0 + self.rng.random_range(-0.15..0.15),
                CITY.1 + self.rng.random_range(-0.2..0.2),
            )
        }
    }

    fn category(&mut self) -> &'static str {
        match self.rng.random_range(0..100) {
            0..55 => "illicit_card_ads",
            55..75 => "fraud",
            75..85 => "gambling",
            85..90 => "drugs",
            _ => "other",
        }
    }

    fn status(&mut self, age: Duration) -> TipStatus {
        let days = age.num_seconds() as f64 / 86_400.0;
        let open = 0.5f64.powf(days / 5.0);
        if self.rng.random_bool(open.clamp(0.0, 1.0)) {
            return match self.rng.random_range(0..100) {
                0..80 => TipStatus::Submitted,
                80..90 => TipStatus::InReview,
                _ => TipStatus::NeedsInfo,
            };
        }
        match self.rng.random_range(0..100) {
            0..55 => TipStatus::Closed,
            55..75 => TipStatus::Rejected,
            75..83 => TipStatus::Duplicate,
            83..85 => TipStatus::Withdrawn,
            85..94 => TipStatus::Forwarded,
            _ => TipStatus::Verified,
        }
    }

    /// A number from the pool, the low ones far more often (Zipf-like).
    fn phone(&mut self) -> String {
        let u: f64 = self.rng.random_range(0.0..1.0);
        let rank = (PHONE_POOL as f64).powf(u) as u64;
        format!("+86138{:08}", 10_000_000 + rank)
    }
}

const TEXTS: [&str; 6] = [
    "车窗上被塞了招嫖小卡片，上面有电话号码",
    "小区门口地上散落大量色情小卡片",
    "Cards advertising massage services left on every car in the street",
    "收到冒充客服的诈骗电话，要求转账",
    "楼道里张贴赌博网站二维码",
    "Someone selling pills near the metro exit",
];

const ADDRESSES: [&str; 5] = [
    "福田区深南大道",
    "南山区科技园",
    "罗湖区东门步行街",
    "宝安区西乡街道",
    "Futian, Shenzhen",
];

/// Seeds `options.tips` tips into `db` (migrated already).
pub async fn run(db: &DatabaseConnection, options: &SeedOptions) -> Result<Seeded, SeedError> {
    let existing = tip::Entity::find().count(db).await?;
    if existing > 0 && !options.append {
        return Err(SeedError::NotEmpty(existing));
    }
    let started = Instant::now();
    let mut spread = Spread::new(options.seed);
    let year = Duration::days(365);
    let first = spread.now - year;
    let step = year.num_milliseconds() as f64 / options.tips.max(1) as f64;
    let moderators: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let mut seeded = Seeded::default();
    let mut done = 0u64;
    let mut progress = options.progress.then(|| Progress::new(options.tips));
    while done < options.tips {
        let n = (options.tips - done).min(BATCH as u64);
        let mut tips = Vec::with_capacity(n as usize);
        let mut contacts = Vec::new();
        let mut photos = Vec::with_capacity(n as usize);
        for i in done..done + n {
            let at = first
                + Duration::milliseconds((i as f64 * step) as i64)
                + Duration::milliseconds(spread.rng.random_range(0..step.max(1.0) as i64));
            let row = fake_tip(&mut spread, at, &moderators);
            if spread.rng.random_bool(0.7) {
                contacts.push(fake_contact(row.id, ContactKind::Phone, spread.phone()));
            }
            if spread.rng.random_bool(0.2) {
                let id = format!("wx_{}", spread.rng.random_range(0..20_000u32));
                contacts.push(fake_contact(row.id, ContactKind::Wechat, id));
            }
            photos.push(fake_photo(&mut spread, row.id, at));
            tips.push(tip::ActiveModel::from(row));
        }
        seeded.contacts += contacts.len() as u64;
        let mut per_state: Vec<(TipStatus, i64)> = Vec::new();
        for tip in &tips {
            let status = tip.status.clone().unwrap();
            match per_state.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => per_state.push((status, 1)),
            }
        }
        // Counted in the batch's own transaction: an interrupted run, or one
        // beside a live service, leaves the counts true.
        let txn = db.begin().await?;
        crate::store::tips::count_added(&txn, &per_state).await?;
        tip::Entity::insert_many(tips)
            .exec_without_returning(&txn)
            .await?;
        if !contacts.is_empty() {
            contact::Entity::insert_many(contacts)
                .exec_without_returning(&txn)
                .await?;
        }
        media::Entity::insert_many(photos)
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        done += n;
        if let Some(progress) = &mut progress {
            progress.show(done);
        }
    }
    if let Some(progress) = &progress {
        progress.finish();
    }
    seeded.tips = done;
    seeded.seconds = started.elapsed().as_secs_f64();
    Ok(seeded)
}

fn fake_tip(spread: &mut Spread, at: DateTime<Utc>, moderators: &[Uuid]) -> tip::Model {
    let status = spread.status(spread.now - at);
    let (lat, lon) = spread.place();
    let millis = at.timestamp_millis().max(0) as u64;
    let id = Uuid::new_v7(Timestamp::from_unix(
        uuid::NoContext,
        millis / 1000,
        (millis % 1000) as u32 * 1_000_000,
    ));
    let claimed = status == TipStatus::InReview;
    let reference = format!("TL-SEED-{}", &id.simple().to_string()[20..]);
    tip::Model {
        id,
        reference,
        reporter_user_id: None,
        category: spread.category().to_owned(),
        description: TEXTS[spread.rng.random_range(0..TEXTS.len())].to_owned(),
        lat,
        lon,
        accuracy_m: Some(spread.rng.random_range(5.0..50.0)),
        crs: "wgs84".into(),
        lat_original: lat,
        lon_original: lon,
        address: spread
            .rng
            .random_bool(0.6)
            .then(|| ADDRESSES[spread.rng.random_range(0..ADDRESSES.len())].to_owned()),
        occurred_at: Some(at - Duration::minutes(spread.rng.random_range(0..600))),
        status,
        version: 0,
        receipt_code: None,
        receipt_secret_hash: None,
        created_at: at,
        updated_at: at,
        claimed_by: claimed.then(|| moderators[spread.rng.random_range(0..moderators.len())]),
        claim_expires_at: claimed.then(|| spread.now + Duration::minutes(10)),
        lead_id: None,
        duplicate_of: None,
        reject_reason: (status == TipStatus::Rejected).then(|| "no_violation".to_owned()),
    }
}

fn fake_contact(tip_id: Uuid, kind: ContactKind, value: String) -> contact::ActiveModel {
    contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        tip_id: Set(tip_id),
        kind: Set(kind),
        value: Set(value),
    }
}

fn fake_photo(spread: &mut Spread, tip_id: Uuid, at: DateTime<Utc>) -> media::ActiveModel {
    let id = Uuid::now_v7();
    let hash: u64 = spread.rng.random();
    let bands = crate::media::phash::bands(hash);
    media::ActiveModel::from(media::Model {
        id,
        owner_user_id: None,
        owner_session_id: None,
        tip_id: Some(tip_id),
        status: media::Status::Stored,
        kind: "jpg".into(),
        sha256: format!("{:064x}", spread.rng.random::<u128>()),
        byte_size: 2_000_000,
        width: 4000,
        height: 3000,
        original_key: format!("media/{id}/original.jpg"),
        display_key: format!("media/{id}/display.jpg"),
        display_width: 2048,
        display_height: 1536,
        thumb_key: format!("media/{id}/thumb.jpg"),
        thumb_width: 320,
        thumb_height: 240,
        created_at: at,
        phash: Some(hash as i64),
        phash_band0: Some(i32::from(bands[0])),
        phash_band1: Some(i32::from(bands[1])),
        phash_band2: Some(i32::from(bands[2])),
        phash_band3: Some(i32::from(bands[3])),
    })
}

/// Progress on standard error. On a terminal, a bar redrawn in place with
/// carriage returns; in a file or a pipe those frames would pile up (a log
/// fills with thousands of them), so there it is a plain line now and then.
struct Progress {
    total: u64,
    started: Instant,
    terminal: bool,
    /// When the last plain line was written.
    last_line: Instant,
}

impl Progress {
    /// How often a plain line is written when not on a terminal.
    const LINE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

    fn new(total: u64) -> Self {
        use std::io::IsTerminal;
        let now = Instant::now();
        Self {
            total,
            started: now,
            terminal: std::io::stderr().is_terminal(),
            last_line: now,
        }
    }

    fn show(&mut self, done: u64) {
        let total = self.total;
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        let left = total.saturating_sub(done) as f64 / rate.max(1e-3);
        let percent = done * 100 / total.max(1);
        let mut err = std::io::stderr().lock();
        if self.terminal {
            const WIDTH: u64 = 40;
            let filled = done * WIDTH / total.max(1);
            let bar: String = (0..WIDTH)
                .map(|i| if i < filled { '#' } else { '.' })
                .collect();
            let _ = write!(
                err,
                "\r[{bar}] {percent:>3}% {done}/{total} tips, {rate:.0}/s, {left:.0} s left "
            );
            let _ = err.flush();
        } else if done >= total || self.last_line.elapsed() >= Self::LINE_EVERY {
            self.last_line = Instant::now();
            let _ = writeln!(
                err,
                "tipline: seed: {done}/{total} tips ({percent}%), {rate:.0}/s, {left:.0} s left"
            );
        }
    }

    /// Ends the bar's line; plain lines are whole already.
    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
