//! Reading a card: the suspect contacts printed on the photographed card —
//! QR codes always, printed text when OCR is built in (`--features ocr`)
//! and its model files are given.
//!
//! It owns decoding a photo for reading (through the media pipeline, with its
//! limits and EXIF orientation), QR decoding and classifying what a code
//! says (`qr`), pulling contacts out of text lines (`text`), and the OCR
//! models (`ocr`). It is pure and CPU-bound: no HTTP, no database, no
//! storage, no clock. Storing what it finds, scheduling the reading and
//! showing it are the caller's.

use std::path::{Path, PathBuf};

use crate::domain::contact::Contact;
use crate::media::pipeline::{self, Limits, PipelineError};

#[cfg(feature = "ocr")]
mod ocr;
pub mod qr;
pub mod text;

/// How a contact was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Qr,
    Text,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Qr => "qr",
            Source::Text => "text",
        }
    }
}

/// Where in the photo, as fractions (0..1) of the upright (EXIF-oriented)
/// image, so it can be drawn on any copy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Region {
    /// The box `[x0, x1) × [y0, y1)` in pixels of a `width × height`
    /// image, as fractions, clamped to the image.
    pub fn from_pixels(x0: f32, y0: f32, x1: f32, y1: f32, width: u32, height: u32) -> Region {
        let (w, h) = (width.max(1) as f32, height.max(1) as f32);
        let fx = |v: f32| (v / w).clamp(0.0, 1.0);
        let fy = |v: f32| (v / h).clamp(0.0, 1.0);
        let (left, top) = (fx(x0.min(x1)), fy(y0.min(y1)));
        Region {
            x: left,
            y: top,
            width: fx(x0.max(x1)) - left,
            height: fy(y0.max(y1)) - top,
        }
    }
}

/// One contact read off the photo.
#[derive(Clone, Debug)]
pub struct Found {
    pub contact: Contact,
    pub source: Source,
    /// 0..1: how sure the reader is that this contact is printed there.
    pub confidence: f32,
    pub region: Region,
}

/// Where the OCR model files are (`scripts/install-ocr` puts them in
/// `target/ocr/`).
#[derive(Clone, Debug)]
pub struct OcrFiles {
    /// PP-OCRv4 text detection model (ONNX).
    pub detection: PathBuf,
    /// PP-OCRv4 text recognition model (ONNX); its metadata holds the
    /// character table.
    pub recognition: PathBuf,
    /// The ONNX Runtime shared library (`libonnxruntime.so`).
    pub runtime: PathBuf,
}

impl OcrFiles {
    /// The files under the names `scripts/install-ocr` gives them.
    pub fn in_dir(dir: &Path) -> OcrFiles {
        OcrFiles {
            detection: dir.join("det.onnx"),
            recognition: dir.join("rec.onnx"),
            runtime: dir.join("libonnxruntime.so"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The photo is not an image the pipeline accepts, or is hostile.
    #[error("unreadable photo: {0}")]
    Image(#[from] PipelineError),
    /// The OCR files are missing or do not load; the caller may go on with
    /// `CardReader::new(None)`, which reads QR codes only.
    #[error("OCR unavailable: {0}")]
    Ocr(String),
}

/// Reads cards. Built once at start (loading the OCR models takes a while)
/// and shared between threads.
pub struct CardReader {
    limits: Limits,
    #[cfg(feature = "ocr")]
    ocr: Option<ocr::Ocr>,
}

impl CardReader {
    /// QR codes always; printed text too when `ocr` is given and the crate
    /// was built with the `ocr` feature (without it, `ocr` is ignored).
    /// Missing or broken OCR files are an error, so the service can say why
    /// it reads QR codes only.
    pub fn new(ocr: Option<OcrFiles>) -> Result<Self, ReadError> {
        #[cfg(feature = "ocr")]
        let ocr = ocr.map(|files| ocr::Ocr::load(&files)).transpose()?;
        #[cfg(not(feature = "ocr"))]
        drop(ocr);
        Ok(CardReader {
            limits: Limits::default(),
            #[cfg(feature = "ocr")]
            ocr,
        })
    }

    /// Whether printed text is read, not only QR codes.
    pub fn ocr_enabled(&self) -> bool {
        #[cfg(feature = "ocr")]
        return self.ocr.is_some();
        #[cfg(not(feature = "ocr"))]
        false
    }

    /// The contacts on the photo, each once (the surest reading of it),
    /// surest first.
    ///
    /// Blocking and CPU-bound (a 12-megapixel photo takes a fraction of a
    /// second for QR, more with OCR): call it in `spawn_blocking`, behind a
    /// semaphore. Decodes with the media pipeline's limits and applies EXIF
    /// orientation, so regions are of the upright picture.
    pub fn read(&self, original: &[u8]) -> Result<Vec<Found>, ReadError> {
        let image = pipeline::decode_upright(original, &self.limits)?;
        let luma = luma_of(&image.rgb);
        let (width, height) = (image.width, image.height);
        #[cfg(not(feature = "ocr"))]
        drop(image);
        #[allow(unused_mut)] // only the `ocr` feature adds to it
        let mut found = qr::read(&luma, width, height);
        #[cfg(feature = "ocr")]
        if let Some(ocr) = &self.ocr {
            found.extend(text::extract(&ocr.lines(&image.rgb, width, height)?));
        }
        Ok(dedup(found))
    }
}

/// ITU-R BT.601 luma, what QR decoders expect.
fn luma_of(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| {
            let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            ((r * 299 + g * 587 + b * 114 + 500) / 1000) as u8
        })
        .collect()
}

/// One entry per contact, the surest kept, surest first: a number printed
/// twice, or both printed and in the QR code, is one suggestion.
fn dedup(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.contact.clone()));
    found
}

#[cfg(test)]
mod tests;
