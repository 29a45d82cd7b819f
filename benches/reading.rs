//! The card reader (src/reading) on the evaluation set: precision and
//! recall per kind of contact and per difficulty, time per photo and peak
//! memory (issue 17, acceptance 1). A benchmark, not a test: it prints
//! figures and the goals beside them, and asserts nothing.
//!
//! ```sh
//! scripts/make-cards                                   # target/cards/: 60 photos + truth.json
//! cargo bench --bench reading                          # QR codes only
//! scripts/install-ocr && cargo bench --bench reading --features ocr   # with OCR
//! # optional: READING_BENCH_CARDS=dir (default target/cards), READING_BENCH_OCR=dir (default target/ocr)
//! ```
//!
//! A contact counts as found when the reader returns it with the value the
//! ground truth has (normalised the same way); anything else returned is a
//! false positive of its kind. "qr" scores the contacts that only a QR code
//! holds, found by reading the code.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tipline::reading::{CardReader, OcrFiles, Source};

#[derive(Default, Clone, Copy)]
struct Score {
    true_pos: u32,
    false_pos: u32,
    false_neg: u32,
}

impl Score {
    fn precision(&self) -> f64 {
        let found = self.true_pos + self.false_pos;
        if found == 0 {
            f64::NAN
        } else {
            f64::from(self.true_pos) / f64::from(found)
        }
    }
    fn recall(&self) -> f64 {
        let there = self.true_pos + self.false_neg;
        if there == 0 {
            f64::NAN
        } else {
            f64::from(self.true_pos) / f64::from(there)
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cards = std::env::var_os("READING_BENCH_CARDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/cards"));
    let Ok(truth) = std::fs::read(cards.join("truth.json")) else {
        println!(
            "no evaluation set in {}: make it with scripts/make-cards",
            cards.display()
        );
        return;
    };
    let truth: serde_json::Value = serde_json::from_slice(&truth).expect("truth.json");
    let ocr_dir = std::env::var_os("READING_BENCH_OCR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/ocr"));
    let started = Instant::now();
    let reader = match CardReader::new(Some(OcrFiles::in_dir(&ocr_dir))) {
        Ok(reader) => reader,
        Err(e) => {
            println!("{e}; reading QR codes only");
            CardReader::new(None).expect("QR reader")
        }
    };
    println!(
        "reader: QR{}; built in {:.2?}, RSS {} MiB",
        if reader.ocr_enabled() {
            " + OCR (PP-OCRv4)"
        } else {
            " only"
        },
        started.elapsed(),
        rss_kib("VmRSS") / 1024
    );

    let mut scores: BTreeMap<(String, String), Score> = BTreeMap::new();
    let mut times: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let photos = truth["photos"].as_array().expect("photos");
    for photo in photos {
        let file = photo["file"].as_str().expect("file");
        let difficulty = photo["difficulty"].as_str().expect("difficulty").to_owned();
        let bytes = std::fs::read(cards.join(file)).expect("photo");
        let t = Instant::now();
        let found = reader.read(&bytes).unwrap_or_else(|e| {
            println!("{file}: {e}");
            Vec::new()
        });
        times
            .entry(difficulty.clone())
            .or_default()
            .push(t.elapsed());

        let expected: Vec<(String, String, bool)> = photo["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_owned(),
                    c["value"].as_str().unwrap().to_owned(),
                    c["in_qr"].as_bool().unwrap() && !c["printed"].as_bool().unwrap(),
                )
            })
            .collect();
        let got: HashSet<(String, String)> = found
            .iter()
            .map(|f| {
                (
                    f.contact.kind().as_str().to_owned(),
                    f.contact.value().to_owned(),
                )
            })
            .collect();
        let from_qr: HashSet<(String, String)> = found
            .iter()
            .filter(|f| f.source == Source::Qr)
            .map(|f| {
                (
                    f.contact.kind().as_str().to_owned(),
                    f.contact.value().to_owned(),
                )
            })
            .collect();
        let there: HashSet<(String, String)> = expected
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
        let mut count = |kind: &str, f: &dyn Fn(&mut Score)| {
            for d in [difficulty.as_str(), "all"] {
                f(scores.entry((kind.to_owned(), d.to_owned())).or_default());
            }
        };
        for (kind, value, only_qr) in &expected {
            let key = (kind.clone(), value.clone());
            if got.contains(&key) {
                count(kind, &|s| s.true_pos += 1);
            } else {
                count(kind, &|s| s.false_neg += 1);
            }
            if *only_qr {
                if from_qr.contains(&key) {
                    count("qr", &|s| s.true_pos += 1);
                } else {
                    count("qr", &|s| s.false_neg += 1);
                }
            }
        }
        for key in got.difference(&there) {
            count(&key.0, &|s| s.false_pos += 1);
        }
    }

    println!("\n{} photos in {}", photos.len(), cards.display());
    println!(
        "{:<8} {:<7} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "kind", "level", "tp", "fp", "fn", "precision", "recall"
    );
    for ((kind, level), s) in &scores {
        println!(
            "{kind:<8} {level:<7} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
            s.true_pos,
            s.false_pos,
            s.false_neg,
            s.precision(),
            s.recall()
        );
    }
    println!("\ntime per photo");
    for (level, t) in &mut times {
        t.sort();
        let total: Duration = t.iter().sum();
        println!(
            "{level:<7} mean {:>7.0?}  median {:>7.0?}  max {:>7.0?}",
            total / t.len() as u32,
            t[t.len() / 2],
            t[t.len() - 1]
        );
    }
    println!("peak RSS {} MiB", rss_kib("VmHWM") / 1024);

    let hard = |kind: &str| {
        scores
            .get(&(kind.to_owned(), "hard".to_owned()))
            .copied()
            .unwrap_or_default()
    };
    println!("\ngoals on the hard third       measured");
    let (p, w, q) = (hard("phone"), hard("wechat"), hard("qr"));
    println!(
        "phone   precision >= 0.95   {:.3}\nphone   recall    >= 0.85   {:.3}",
        p.precision(),
        p.recall()
    );
    println!(
        "wechat  precision >= 0.90   {:.3}\nwechat  recall    >= 0.70   {:.3}",
        w.precision(),
        w.recall()
    );
    println!("qr      recall    >= 0.90   {:.3}", q.recall());
}

/// A figure of /proc/self/status in KiB (VmRSS now, VmHWM the peak), 0
/// where there is no /proc.
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
