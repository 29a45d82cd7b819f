//! Printed text on the photo, with the PP-OCRv4 models run by ONNX Runtime
//! (loaded at run time from the file `OcrFiles::runtime` names): the
//! detection model marks where text is, and the post-processing here turns
//! its probability map into line boxes (DB: threshold, connected components,
//! minimum-area rectangles, unclip); each line is cut out upright and read by
//! the recognition model, whose output is CTC-decoded with the character
//! table stored in its metadata.

use std::sync::{Mutex, OnceLock};

use fast_image_resize as fr;
use ort::session::Session;
use ort::value::Tensor;

use super::text::TextLine;
use super::{OcrFiles, ReadError, Region};

/// Longest edge of the copy the detector sees (a multiple of 32). Text on a
/// card in a phone photo is still 15 or more pixels high at this size, and
/// detection time grows with the pixels; lines are read from the full-size
/// photo.
const DET_MAX_EDGE: u32 = 1280;
/// A pixel is text above this probability (PaddleOCR's default).
const DET_THRESHOLD: f32 = 0.3;
/// A region is a line when its mean probability is above this.
const BOX_THRESHOLD: f32 = 0.5;
/// How far boxes are grown, as PaddleOCR's `unclip_ratio`: the detector
/// marks the shrunk core of each line.
const UNCLIP_RATIO: f32 = 1.6;
/// Height of the line images the recogniser reads.
const REC_HEIGHT: u32 = 48;
/// Narrowest input of the recogniser; narrower lines are padded.
const REC_MIN_WIDTH: u32 = 320;
/// Widest line image read (a 40:1 line); longer boxes are squeezed.
const REC_MAX_WIDTH: u32 = 1920;
/// Lines read with less mean confidence are dropped (PaddleOCR's default).
const MIN_LINE_CONFIDENCE: f32 = 0.5;
/// Most lines read from one photo: a card has a dozen; a photo of a wall of
/// text is not a card, and must not take minutes.
const MAX_LINES: usize = 60;

/// ONNX Runtime's environment: one per process, kept for its life.
static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

pub(super) struct Ocr {
    // `Session::run` needs `&mut`: one photo at a time per model. The
    // caller bounds concurrency anyway; two photos queue here.
    detector: Mutex<Session>,
    recogniser: Mutex<Session>,
    /// Index 0 is CTC's blank; the last is the space PaddleOCR adds.
    characters: Vec<String>,
}

impl Ocr {
    pub(super) fn load(files: &OcrFiles) -> Result<Ocr, ReadError> {
        for path in [&files.detection, &files.recognition, &files.runtime] {
            if !path.is_file() {
                return Err(ReadError::Ocr(format!(
                    "{} is missing (scripts/install-ocr installs it)",
                    path.display()
                )));
            }
        }
        let environment = ENVIRONMENT.get_or_init(|| {
            ort::init_from(&files.runtime)
                .map_err(|e| format!("loading {}: {e}", files.runtime.display()))?
                .with_name("tipline-reading")
                .build()
                .map_err(|e| e.to_string())
        });
        let environment = environment
            .as_ref()
            .map_err(|e| ReadError::Ocr(e.clone()))?;
        let session = |path: &std::path::Path| {
            Session::builder(environment)
                .and_then(|b| b.with_intra_threads(1).map_err(Into::into))
                .and_then(|mut b| b.commit_from_file(path))
                .map_err(|e| ReadError::Ocr(format!("{}: {e}", path.display())))
        };
        let detector = session(&files.detection)?;
        let recogniser = session(&files.recognition)?;
        let table = recogniser
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| {
                ReadError::Ocr(format!(
                    "{} has no character table in its metadata",
                    files.recognition.display()
                ))
            })?;
        let mut characters = vec![String::new()];
        characters.extend(table.lines().map(str::to_owned));
        characters.push(" ".to_owned());
        Ok(Ocr {
            detector: Mutex::new(detector),
            recogniser: Mutex::new(recogniser),
            characters,
        })
    }

    /// The lines of text on the upright `width × height` RGB image.
    pub(super) fn lines(
        &self,
        rgb: &[u8],
        width: u32,
        height: u32,
    ) -> Result<Vec<TextLine>, ReadError> {
        let boxes = self.detect(rgb, width, height)?;
        let mut lines = Vec::new();
        for rect in boxes.into_iter().take(MAX_LINES) {
            let crop = rect.crop(rgb, width, height);
            let (text, confidence) = self.recognise(&crop)?;
            if text.trim().is_empty() || confidence < MIN_LINE_CONFIDENCE {
                continue;
            }
            let (x0, y0, x1, y1) = rect.bounds();
            lines.push(TextLine {
                text,
                confidence,
                region: Region::from_pixels(x0, y0, x1, y1, width, height),
            });
        }
        Ok(lines)
    }

    /// Line boxes in pixels of the image, surest first.
    fn detect(&self, rgb: &[u8], width: u32, height: u32) -> Result<Vec<Rect>, ReadError> {
        let longest = width.max(height);
        let scale = (DET_MAX_EDGE as f32 / longest as f32).min(1.0);
        let to32 = |v: u32| (((v as f32 * scale) / 32.0).round() as u32).max(1) * 32;
        let (dw, dh) = (to32(width), to32(height));
        let small = resize_rgb(rgb, width, height, dw, dh)?;
        let input = chw_normalised(&small, dw, dh, dw);
        let shape = [1usize, 3, dh as usize, dw as usize];
        let tensor = Tensor::from_array((shape, input)).map_err(ocr_error)?;
        let mut detector = self.detector.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = detector.run(ort::inputs![tensor]).map_err(ocr_error)?;
        let (out_shape, probs) = outputs[0].try_extract_tensor::<f32>().map_err(ocr_error)?;
        if out_shape.len() != 4 || probs.len() != (dw * dh) as usize {
            return Err(ReadError::Ocr(format!(
                "detector answered {out_shape:?} for {dw}x{dh}"
            )));
        }
        let mut rects = db_boxes(probs, dw as usize, dh as usize);
        let (sx, sy) = (width as f32 / dw as f32, height as f32 / dh as f32);
        for (rect, _) in &mut rects {
            rect.scale(sx, sy);
        }
        rects.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(rects.into_iter().map(|(r, _)| r).collect())
    }

    /// The text of one line image (RGB, `REC_HEIGHT` high) and the mean
    /// probability of its characters.
    fn recognise(&self, crop: &Crop) -> Result<(String, f32), ReadError> {
        let padded = crop.width.max(REC_MIN_WIDTH);
        let input = chw_normalised(&crop.rgb, crop.width, REC_HEIGHT, padded);
        let shape = [1usize, 3, REC_HEIGHT as usize, padded as usize];
        let tensor = Tensor::from_array((shape, input)).map_err(ocr_error)?;
        let mut recogniser = self.recogniser.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = recogniser.run(ort::inputs![tensor]).map_err(ocr_error)?;
        let (shape, probs) = outputs[0].try_extract_tensor::<f32>().map_err(ocr_error)?;
        let classes = shape.last().copied().unwrap_or(0) as usize;
        if classes != self.characters.len() {
            return Err(ReadError::Ocr(format!(
                "recogniser has {classes} classes, its table {}",
                self.characters.len()
            )));
        }
        Ok(ctc_decode(probs, classes, &self.characters))
    }
}

fn ocr_error(e: impl std::fmt::Display) -> ReadError {
    ReadError::Ocr(e.to_string())
}

/// Greedy CTC: the likeliest class at each step, repeats merged, blanks
/// dropped; the confidence is the mean probability of the kept steps.
fn ctc_decode(probs: &[f32], classes: usize, characters: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut count) = (0.0, 0);
    let mut previous = 0;
    for step in probs.chunks_exact(classes) {
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, p)| if p > a.1 { (i, p) } else { a });
        if best != 0 && best != previous {
            text.push_str(&characters[best]);
            sum += p;
            count += 1;
        }
        previous = best;
    }
    let confidence = if count == 0 { 0.0 } else { sum / count as f32 };
    (text, confidence)
}

/// RGB resized to `w × h` (bilinear, antialiased when shrinking).
fn resize_rgb(rgb: &[u8], width: u32, height: u32, w: u32, h: u32) -> Result<Vec<u8>, ReadError> {
    if (w, h) == (width, height) {
        return Ok(rgb.to_vec());
    }
    let src =
        fr::images::ImageRef::new(width, height, rgb, fr::PixelType::U8x3).map_err(ocr_error)?;
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8x3);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(ocr_error)?;
    Ok(dst.into_vec())
}

/// Planar BGR (the channel order PaddleOCR's models were trained on) in
/// -1..1, each row padded with zeros to `padded_width`.
fn chw_normalised(rgb: &[u8], width: u32, height: u32, padded_width: u32) -> Vec<f32> {
    let (w, h, pw) = (width as usize, height as usize, padded_width as usize);
    let plane = h * pw;
    let mut out = vec![0f32; 3 * plane];
    for y in 0..h {
        for x in 0..w {
            let p = &rgb[(y * w + x) * 3..][..3];
            for (c, &v) in [p[2], p[1], p[0]].iter().enumerate() {
                out[c * plane + y * pw + x] = f32::from(v) / 127.5 - 1.0;
            }
        }
    }
    out
}

/// A rotated rectangle: centre, unit vector along its length (pointing
/// right), and its full length and height.
#[derive(Clone, Copy, Debug)]
struct Rect {
    cx: f32,
    cy: f32,
    ux: f32,
    uy: f32,
    length: f32,
    height: f32,
}

/// One line image cut out of the photo.
struct Crop {
    rgb: Vec<u8>,
    width: u32,
}

impl Rect {
    /// Stretched by `sx`, `sy` (from the detector's copy to the photo).
    fn scale(&mut self, sx: f32, sy: f32) {
        let (ax, ay) = (self.ux * self.length * sx, self.uy * self.length * sy);
        // The height axis, perpendicular before scaling.
        let (bx, by) = (-self.uy * self.height * sx, self.ux * self.height * sy);
        self.cx *= sx;
        self.cy *= sy;
        self.length = ax.hypot(ay);
        self.height = bx.hypot(by);
        if self.length > 0.0 {
            self.ux = ax / self.length;
            self.uy = ay / self.length;
        }
    }

    /// The axis-aligned box around it: (x0, y0, x1, y1).
    fn bounds(&self) -> (f32, f32, f32, f32) {
        let (vx, vy) = (-self.uy, self.ux);
        let hx = (self.ux * self.length).abs() / 2.0 + (vx * self.height).abs() / 2.0;
        let hy = (self.uy * self.length).abs() / 2.0 + (vy * self.height).abs() / 2.0;
        (self.cx - hx, self.cy - hy, self.cx + hx, self.cy + hy)
    }

    /// The line, turned level and scaled to `REC_HEIGHT`, sampled
    /// bilinearly from the photo.
    fn crop(&self, rgb: &[u8], width: u32, height: u32) -> Crop {
        let out_w = ((REC_HEIGHT as f32 * self.length / self.height.max(1.0)).round() as u32)
            .clamp(1, REC_MAX_WIDTH);
        let out_h = REC_HEIGHT;
        let (vx, vy) = (-self.uy, self.ux);
        // Top-left corner of the rectangle.
        let ox = self.cx - self.ux * self.length / 2.0 - vx * self.height / 2.0;
        let oy = self.cy - self.uy * self.length / 2.0 - vy * self.height / 2.0;
        let (step_u, step_v) = (self.length / out_w as f32, self.height / out_h as f32);
        let (w, h) = (width as usize, height as usize);
        let mut out = vec![0u8; (out_w * out_h * 3) as usize];
        for j in 0..out_h as usize {
            let dv = (j as f32 + 0.5) * step_v;
            for i in 0..out_w as usize {
                let du = (i as f32 + 0.5) * step_u;
                let x = (ox + self.ux * du + vx * dv - 0.5).clamp(0.0, (w - 1) as f32);
                let y = (oy + self.uy * du + vy * dv - 0.5).clamp(0.0, (h - 1) as f32);
                let (x0, y0) = (x as usize, y as usize);
                let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
                let (fx, fy) = (x - x0 as f32, y - y0 as f32);
                for c in 0..3 {
                    let p = |xx: usize, yy: usize| f32::from(rgb[(yy * w + xx) * 3 + c]);
                    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
                    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
                    out[(j * out_w as usize + i) * 3 + c] =
                        (top * (1.0 - fy) + bottom * fy).round() as u8;
                }
            }
        }
        Crop {
            rgb: out,
            width: out_w,
        }
    }
}

/// DB post-processing of a `w × h` probability map: the rotated boxes of
/// its text regions, grown back to the lines' size, with their scores.
fn db_boxes(probs: &[f32], w: usize, h: usize) -> Vec<(Rect, f32)> {
    // Threshold, then dilate by a 2x2 square (as PaddleOCR does) so that
    // characters of one line touch.
    let text: Vec<bool> = probs.iter().map(|&p| p > DET_THRESHOLD).collect();
    let mut mask = text.clone();
    for y in 0..h {
        for x in 0..w {
            if text[y * w + x] {
                continue;
            }
            let near = (x > 0 && text[y * w + x - 1])
                || (y > 0 && text[(y - 1) * w + x])
                || (x > 0 && y > 0 && text[(y - 1) * w + x - 1]);
            mask[y * w + x] = near;
        }
    }
    let mut label = vec![false; w * h];
    let mut rects = Vec::new();
    let mut stack = Vec::new();
    let mut pixels: Vec<(f32, f32)> = Vec::new();
    for start in 0..w * h {
        if !mask[start] || label[start] {
            continue;
        }
        // One 8-connected region.
        pixels.clear();
        let mut score = 0.0;
        label[start] = true;
        stack.push(start);
        while let Some(at) = stack.pop() {
            let (x, y) = (at % w, at / w);
            pixels.push((x as f32, y as f32));
            score += probs[at];
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (x as isize + dx, y as isize + dy);
                if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                    continue;
                }
                let n = ny as usize * w + nx as usize;
                if mask[n] && !label[n] {
                    label[n] = true;
                    stack.push(n);
                }
            }
        }
        if pixels.len() < 10 {
            continue;
        }
        let score = score / pixels.len() as f32;
        if score < BOX_THRESHOLD {
            continue;
        }
        let Some(mut rect) = min_area_rect(&pixels) else {
            continue;
        };
        // Pixel centres span one pixel less than the pixels do.
        rect.length += 1.0;
        rect.height += 1.0;
        if rect.length.min(rect.height) < 3.0 {
            continue;
        }
        // Unclip: grow by area × ratio / perimeter on every side.
        let grow = rect.length * rect.height * UNCLIP_RATIO / (2.0 * (rect.length + rect.height));
        rect.length += 2.0 * grow;
        rect.height += 2.0 * grow;
        if rect.length.min(rect.height) < 5.0 {
            continue;
        }
        rects.push((rect, score));
    }
    rects
}

/// The smallest rectangle around the points (rotating calipers over their
/// convex hull), its length along the longer side, pointing right.
fn min_area_rect(points: &[(f32, f32)]) -> Option<Rect> {
    let hull = convex_hull(points);
    if hull.len() < 3 {
        return None;
    }
    let mut best: Option<(f32, Rect)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let len = ex.hypot(ey);
        if len == 0.0 {
            continue;
        }
        let (ux, uy) = (ex / len, ey / len);
        let (vx, vy) = (-uy, ux);
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(px, py) in &hull {
            let u = px * ux + py * uy;
            let v = px * vx + py * vy;
            u0 = u0.min(u);
            u1 = u1.max(u);
            v0 = v0.min(v);
            v1 = v1.max(v);
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_some_and(|(a, _)| *a <= area) {
            continue;
        }
        let (cu, cv) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
        let (cx, cy) = (cu * ux + cv * vx, cu * uy + cv * vy);
        let (mut rect_ux, mut rect_uy, mut length, mut height) = (ux, uy, u1 - u0, v1 - v0);
        if height > length {
            // Along the longer side: a vertical line is read turned.
            (rect_ux, rect_uy) = (vx, vy);
            (length, height) = (height, length);
        }
        if rect_ux < 0.0 || (rect_ux == 0.0 && rect_uy > 0.0) {
            (rect_ux, rect_uy) = (-rect_ux, -rect_uy);
        }
        best = Some((
            area,
            Rect {
                cx,
                cy,
                ux: rect_ux,
                uy: rect_uy,
                length,
                height,
            },
        ));
    }
    best.map(|(_, r)| r)
}

/// Andrew's monotone chain; only the outline of a region matters, so the
/// extreme points of each row are enough input.
fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    // Leftmost and rightmost pixel of each row.
    let mut rows: std::collections::BTreeMap<i64, (f32, f32)> = std::collections::BTreeMap::new();
    for &(x, y) in points {
        let e = rows.entry(y as i64).or_insert((x, x));
        e.0 = e.0.min(x);
        e.1 = e.1.max(x);
    }
    let mut pts: Vec<(f32, f32)> = rows
        .iter()
        .flat_map(|(&y, &(x0, x1))| [(x0, y as f32), (x1, y as f32)])
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(pts.len() * 2);
    for &p in pts.iter().chain(pts.iter().rev().skip(1)) {
        // Lower hull on the way right, upper on the way back.
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilted_bar_gives_its_rectangle() {
        // A 40x6 bar turned by about 14 degrees (slope 1/4).
        let (w, h) = (80, 40);
        let mut probs = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 - 40.0, y as f32 - 20.0);
                let (u, v) = (
                    (dx * 4.0 + dy) / 17f32.sqrt(),
                    (-dx + dy * 4.0) / 17f32.sqrt(),
                );
                if u.abs() <= 20.0 && v.abs() <= 3.0 {
                    probs[y * w + x] = 0.9;
                }
            }
        }
        let boxes = db_boxes(&probs, w, h);
        assert_eq!(boxes.len(), 1);
        let (r, score) = boxes[0];
        // The mean over the region, whose dilated rim reads 0.
        assert!(score > 0.7 && score < 0.9, "{score}");
        assert!(
            (r.cx - 40.0).abs() < 1.0 && (r.cy - 20.0).abs() < 1.0,
            "{r:?}"
        );
        assert!((r.uy / r.ux - 0.25).abs() < 0.05, "{r:?}");
        // Dilated to about 42x8, then unclipped: 42*8*1.6/100 ≈ 5.4 more
        // on each side.
        assert!(
            (r.length - 52.8).abs() < 2.0 && (r.height - 18.8).abs() < 2.0,
            "{r:?}"
        );
    }

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let table: Vec<String> = ["", "1", "3", "8"].iter().map(|s| s.to_string()).collect();
        // 1 1 _ 3 8 8 _ 8
        let steps = [1, 1, 0, 2, 3, 3, 0, 3];
        let probs: Vec<f32> = steps
            .iter()
            .flat_map(|&k| (0..4).map(move |i| if i == k { 0.9 } else { 0.03 }))
            .collect();
        let (text, confidence) = ctc_decode(&probs, 4, &table);
        assert_eq!(text, "1388");
        assert!((confidence - 0.9).abs() < 1e-5);
    }
}
