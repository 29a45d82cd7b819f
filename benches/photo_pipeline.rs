//! Photo pipeline against ImageMagick on a 12-megapixel JPEG (issue 4,
//! acceptance 7). A benchmark, not a test: it prints numbers and asserts
//! nothing about them.
//!
//! ```sh
//! apt-get install -y imagemagick time    # real ImageMagick and GNU time
//! cargo bench --bench photo_pipeline
//! # optional: PHOTO_BENCH_RUNS=20 (default 10), PHOTO_BENCH_INPUT=photo.jpg
//! ```
//!
//! Unless given a file, it generates a deterministic photo-like 4000x3000
//! JPEG (smooth shading, edges and sensor-like noise, quality 90, 4:2:0 as
//! phones write it) with EXIF Orientation 6, so both sides must rotate.
//!
//! Each run is a fresh process, timed from spawn to exit: for the pipeline
//! this binary re-run as `--child` (read the file, `process`, write the
//! display copy and thumbnail); for ImageMagick two `convert` runs, the
//! display copy and the thumbnail each made from the original, which is the
//! work the issue names (and, for comparison, one `convert` that decodes the
//! original once and writes both). Both write JPEG at quality 85. Peak memory is GNU
//! time's maximum resident set size of each process, the same measure for
//! both sides; for ImageMagick it is the larger of its two processes.
//! ImageMagick also runs with `-limit thread 1`, since the pipeline uses one
//! thread and the server runs several uploads side by side.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use tipline::media::pipeline::{JPEG_QUALITY, Limits, process};

const WIDTH: u16 = 4000;
const HEIGHT: u16 = 3000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(Path::new(&args[2]), Path::new(&args[3]));
        return;
    }

    let runs: usize = std::env::var("PHOTO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let gnu_time = Path::new("/usr/bin/time");
    // /usr/local/bin/convert may be a stand-in on development machines, so
    // ImageMagick is looked for where Debian installs it, never on PATH.
    let Some(magick) = ["/usr/bin/magick", "/usr/bin/convert"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
    else {
        eprintln!("ImageMagick not found: apt-get install -y imagemagick");
        std::process::exit(2);
    };
    if !gnu_time.exists() {
        eprintln!("GNU time not found: apt-get install -y time");
        std::process::exit(2);
    }

    let dir = std::env::temp_dir().join(format!("tipline-photo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the bench directory");
    let input = match std::env::var_os("PHOTO_BENCH_INPUT") {
        Some(path) => PathBuf::from(path),
        None => {
            let path = dir.join("camera-12mp.jpg");
            std::fs::write(&path, camera_like_jpeg()).expect("write the input");
            path
        }
    };
    let input_len = std::fs::metadata(&input).expect("input").len();
    println!(
        "input: {} ({:.1} MiB), {runs} runs each",
        input.display(),
        input_len as f64 / 1048576.0
    );

    let exe = std::env::current_exe().expect("own path");
    let ours = |out: &Path| -> Vec<Command> {
        let mut c = Command::new(&exe);
        c.arg("--child").arg(&input).arg(out);
        vec![c]
    };
    let imagemagick = |threads: Option<&'static str>| {
        let input = input.clone();
        move |out: &Path| -> Vec<Command> {
            [("2048x2048", "display.jpg"), ("320x320", "thumbnail.jpg")]
                .into_iter()
                .map(|(size, name)| {
                    let mut c = Command::new(magick);
                    if let Some(threads) = threads {
                        c.args(["-limit", "thread", threads]);
                    }
                    c.arg(&input)
                        .args(["-auto-orient", "-strip", "-resize", size])
                        .args(["-quality", &JPEG_QUALITY.to_string()])
                        .arg(out.join(name));
                    c
                })
                .collect()
        }
    };

    // The same work in one command that decodes the original once, as our
    // pipeline does: the fairest single-process comparison.
    let imagemagick_once = {
        let input = input.clone();
        move |out: &Path| -> Vec<Command> {
            let quality = JPEG_QUALITY.to_string();
            let mut c = Command::new(magick);
            c.arg(&input)
                .args(["-auto-orient", "-strip", "("])
                .args([
                    "+clone", "-resize", "320x320", "-quality", &quality, "-write",
                ])
                .arg(out.join("thumbnail.jpg"))
                .args(["+delete", ")", "-resize", "2048x2048", "-quality", &quality])
                .arg(out.join("display.jpg"));
            vec![c]
        }
    };

    let pipeline = measure("tipline pipeline", runs, gnu_time, &dir, ours);
    let im = measure("ImageMagick", runs, gnu_time, &dir, imagemagick(None));
    let im1 = measure(
        "ImageMagick, 1 thread",
        runs,
        gnu_time,
        &dir,
        imagemagick(Some("1")),
    );
    let im_once = measure(
        "ImageMagick, one decode",
        runs,
        gnu_time,
        &dir,
        imagemagick_once,
    );

    println!();
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>14}",
        "per photo", "median", "min", "max", "peak RSS"
    );
    for m in [&pipeline, &im, &im1, &im_once] {
        println!(
            "{:<24} {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>10.1} MiB",
            m.name,
            ms(m.median()),
            ms(m.times[0]),
            ms(m.times[m.times.len() - 1]),
            m.peak_rss_kib as f64 / 1024.0
        );
    }
    for reference in [&im, &im1, &im_once] {
        println!(
            "vs {:<22} {:.2}x faster, {:.2}x the peak memory",
            reference.name,
            ms(reference.median()) / ms(pipeline.median()),
            pipeline.peak_rss_kib as f64 / reference.peak_rss_kib as f64
        );
    }
    println!("goal: >= 4x faster at <= 0.5x the peak memory of ImageMagick");
    println!("outputs kept in {}", dir.display());
}

/// One side's runs: sorted wall times and the largest peak RSS seen.
struct Measured {
    name: &'static str,
    times: Vec<Duration>,
    peak_rss_kib: u64,
}

impl Measured {
    fn median(&self) -> Duration {
        self.times[self.times.len() / 2]
    }
}

/// Runs the commands of one photo `runs` times after one untimed warm-up
/// (page cache, dynamic loader), each under GNU time for its peak RSS.
fn measure(
    name: &'static str,
    runs: usize,
    gnu_time: &Path,
    dir: &Path,
    commands: impl Fn(&Path) -> Vec<Command>,
) -> Measured {
    let out = dir.join(name.replace([' ', ','], "-"));
    std::fs::create_dir_all(&out).expect("output directory");
    let rss_file = dir.join("rss.txt");
    let mut times = Vec::with_capacity(runs);
    let mut peak_rss_kib = 0;
    for run in 0..=runs {
        let started = Instant::now();
        for command in commands(&out) {
            let status = Command::new(gnu_time)
                .args(["-f", "%M", "-o"])
                .arg(&rss_file)
                .arg(command.get_program())
                .args(command.get_args())
                .status()
                .expect("spawn");
            assert!(status.success(), "{name}: {command:?} failed");
            let rss: u64 = std::fs::read_to_string(&rss_file)
                .expect("GNU time output")
                .trim()
                .parse()
                .expect("a KiB count");
            peak_rss_kib = peak_rss_kib.max(rss);
        }
        if run > 0 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    eprintln!("{name}: median {:.1} ms", ms(times[times.len() / 2]));
    Measured {
        name,
        times,
        peak_rss_kib,
    }
}

/// The pipeline as the upload endpoint runs it, in a process of its own so
/// that its peak memory is its own.
fn child(input: &Path, out: &Path) {
    let bytes = std::fs::read(input).expect("read the input");
    let processed = process(&bytes, &Limits::default()).expect("the pipeline accepts the input");
    std::fs::write(out.join("display.jpg"), &processed.display.bytes).expect("write");
    std::fs::write(out.join("thumbnail.jpg"), &processed.thumbnail.bytes).expect("write");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A deterministic stand-in for a 12-megapixel phone photo: soft shading and
/// blobs like a scene, some hard edges, and per-pixel noise like a sensor's,
/// so the JPEG has a realistic amount of entropy-coded data (a flat or
/// purely smooth image would decode unrealistically fast).
fn camera_like_jpeg() -> Vec<u8> {
    let (w, h) = (usize::from(WIDTH), usize::from(HEIGHT));
    let mut rgb = Vec::with_capacity(w * h * 3);
    let mut state = 0x9E37_79B9_u32;
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let shade = 0.5 + 0.25 * (fx * 7.0 + fy * 3.0).sin() * (fy * 5.0 - fx * 2.0).cos();
            let edge = if (x / 250 + y / 190) % 3 == 0 {
                0.18
            } else {
                0.0
            };
            for channel in 0..3 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = ((state >> 24) as f32 - 128.0) / 128.0 * 0.06;
                let tint = [0.95, 0.8, 0.65][channel] + 0.1 * (fx * (channel as f32 + 2.0)).sin();
                let v = (shade * tint + edge + noise).clamp(0.0, 1.0);
                rgb.push((v * 255.0) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder
        .add_exif_metadata(&orientation_6_exif())
        .expect("EXIF segment");
    encoder
        .encode(&rgb, WIDTH, HEIGHT, ColorType::Rgb)
        .expect("encode the input");
    out
}

/// Little-endian TIFF with one IFD0 entry: Orientation = 6.
fn orientation_6_exif() -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&0x0112u16.to_le_bytes());
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&6u16.to_le_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}
