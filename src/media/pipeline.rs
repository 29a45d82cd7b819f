//! The photo pipeline: from an upload's bytes to a display copy and a
//! thumbnail that are safe to show.
//!
//! It owns type sniffing (magic bytes only), bounded decoding (dimensions and
//! an allocation estimate are checked from the header before any pixel buffer
//! exists), EXIF orientation, resizing and re-encoding to JPEG with no metadata
//! at all: reporters' phones write their GPS position into photos, and none of
//! it may reach a rendition. The original bytes are not touched here; keeping
//! them as evidence is the caller's job.
//!
//! Order of work, chosen for speed and peak memory on 12-megapixel phone
//! photos: decode once, shrink to the display size, drop the full-size
//! pixels, then orient the small image (a quarter of the pixels left to
//! move), make the thumbnail from the oriented display copy, and encode both.

use std::io::Cursor;

use fast_image_resize as fr;
use jpeg_encoder::{ColorType, Encoder};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// Longest edge of the display copy.
pub const DISPLAY_MAX_EDGE: u32 = 2048;
/// Longest edge of the thumbnail.
pub const THUMBNAIL_MAX_EDGE: u32 = 320;
/// JPEG quality of both renditions. At 85 the encoder subsamples chroma 4:2:0,
/// as ImageMagick does below 90; artefacts are not visible at display size.
pub const JPEG_QUALITY: u8 = 85;

/// What the bytes are, judged by magic bytes only (never a filename or Content-Type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
}

impl ImageKind {
    /// The media type of the original upload.
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
        }
    }
}

/// Judges the type from the first bytes only. `None` for anything else,
/// including HTML or text whatever the upload claims to be.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(ImageKind::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageKind::Webp)
    } else {
        None
    }
}

/// Bounds checked against the image header before any pixel is decoded.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_width: u32,
    pub max_height: u32,
    pub max_pixels: u64,
    /// Estimated peak bytes of decoding and resizing one image, judged from
    /// its declared size and format before decoding; the input bytes
    /// themselves are not counted.
    pub max_alloc_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // 50 megapixels covers current phone sensors (48-50 MP) and leaves
        // pixel floods far outside; 512 MiB bounds the worst case (a
        // progressive JPEG at the pixel limit needs about 450 MB).
        Limits {
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 50_000_000,
            max_alloc_bytes: 512 * 1024 * 1024,
        }
    }
}

/// One re-encoded image.
#[derive(Clone, Debug)]
pub struct Rendition {
    /// Always a baseline JPEG with no metadata segments (no EXIF, XMP or ICC).
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What the pipeline made of one upload.
#[derive(Clone, Debug)]
pub struct Processed {
    pub kind: ImageKind,
    /// Of the original as displayed, i.e. after EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// Longest edge <= 2048 (never upscaled), orientation applied, re-encoded JPEG, no EXIF/XMP/ICC/GPS.
    pub display: Rendition,
    /// Longest edge <= 320, same rules.
    pub thumbnail: Rendition,
    /// Perceptual hash of the picture as displayed ([`super::phash`]).
    pub phash: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Not JPEG/PNG/WebP by its bytes -> the endpoint answers 415.
    #[error("not a JPEG, PNG or WebP image")]
    Unsupported,
    /// Declared dimensions or allocation over the limits (pixel floods) -> 422.
    /// Detected from the header, before any pixel buffer is allocated.
    #[error("image of {width}x{height} pixels is over the size limits")]
    TooLarge { width: u32, height: u32 },
    /// Truncated, corrupt, zero bytes, undecodable -> 422.
    #[error("malformed image: {0}")]
    Malformed(String),
}

/// Makes the display copy and thumbnail of one upload.
///
/// CPU-heavy (well over 100 ms for a 12-megapixel photo) and uses one thread;
/// the caller runs it on a blocking thread behind a semaphore.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, PipelineError> {
    if bytes.is_empty() {
        return Err(PipelineError::Malformed("empty input".into()));
    }
    let kind = sniff(bytes).ok_or(PipelineError::Unsupported)?;
    let (source, orientation) = match kind {
        ImageKind::Jpeg => decode_jpeg(bytes, limits)?,
        ImageKind::Png => decode_png(bytes, limits)?,
        ImageKind::Webp => decode_webp(bytes, limits)?,
    };
    let (width, height) = if orientation.swaps_axes() {
        (source.height, source.width)
    } else {
        (source.width, source.height)
    };

    let mut resizer = fr::Resizer::new();
    // The bound is square, so fitting before orienting gives the same size
    // as fitting after. The full-size pixels are freed once shrunk.
    let display = resized(&mut resizer, &source, DISPLAY_MAX_EDGE)?
        .unwrap_or(source)
        .oriented(orientation);
    let thumbnail = resized(&mut resizer, &display, THUMBNAIL_MAX_EDGE)?;
    let small = thumbnail.as_ref().unwrap_or(&display);
    // From the thumbnail's pixels: 32x32 is all the hash looks at.
    let phash = super::phash::perceptual_hash(&small.data, small.width, small.height);

    Ok(Processed {
        kind,
        width,
        height,
        display: encode_jpeg(&display)?,
        thumbnail: encode_jpeg(small)?,
        phash,
    })
}

/// The whole picture as it is meant to be seen: full size, EXIF orientation
/// applied, packed 8-bit RGB rows top to bottom.
pub struct Upright {
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Decodes an upload at full size with the same sniffing and limits as
/// [`process`], for readers of what the photo shows (`crate::reading`):
/// a hostile image is refused here before any pixel buffer exists.
pub fn decode_upright(bytes: &[u8], limits: &Limits) -> Result<Upright, PipelineError> {
    if bytes.is_empty() {
        return Err(PipelineError::Malformed("empty input".into()));
    }
    let (source, orientation) = match sniff(bytes).ok_or(PipelineError::Unsupported)? {
        ImageKind::Jpeg => decode_jpeg(bytes, limits)?,
        ImageKind::Png => decode_png(bytes, limits)?,
        ImageKind::Webp => decode_webp(bytes, limits)?,
    };
    let image = source.oriented(orientation);
    Ok(Upright {
        rgb: image.data,
        width: image.width,
        height: image.height,
    })
}

/// Packed 8-bit RGB pixels, rows top to bottom.
struct Rgb8 {
    data: Vec<u8>,
    width: u32,
    height: u32,
}

impl Rgb8 {
    /// The pixels as they are meant to be seen.
    fn oriented(self, orientation: Orientation) -> Rgb8 {
        if orientation == Orientation::Normal {
            return self;
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let (out_w, out_h) = if orientation.swaps_axes() {
            (h, w)
        } else {
            (w, h)
        };
        // The stored pixel shown at (x, y) is at index
        // `origin + x * step_x + y * step_y` (in pixels) of the source.
        let (wi, hi) = (w as isize, h as isize);
        let (origin, step_x, step_y) = match orientation {
            Orientation::Normal => (0, 1, wi),
            Orientation::MirrorHorizontal => (wi - 1, -1, wi),
            Orientation::Rotate180 => (hi * wi - 1, -1, -wi),
            Orientation::MirrorVertical => ((hi - 1) * wi, 1, -wi),
            Orientation::Transpose => (0, wi, 1),
            Orientation::Rotate90 => ((hi - 1) * wi, -wi, 1),
            Orientation::Transverse => (hi * wi - 1, -wi, -1),
            Orientation::Rotate270 => (wi - 1, wi, -1),
        };
        // Quarter turns read the source down its columns; working in small
        // tiles keeps the source rows being read in cache. Measured on a
        // 2048x1536 quarter turn: 16-pixel tiles 6.3 ms, row order 8.4 ms.
        const TILE: usize = 16;
        let (src, _) = self.data.as_chunks::<3>();
        let mut out = vec![0u8; self.data.len()];
        let (dst, _) = out.as_chunks_mut::<3>();
        for tile_y in (0..out_h).step_by(TILE) {
            for tile_x in (0..out_w).step_by(TILE) {
                let tile_w = TILE.min(out_w - tile_x);
                for y in tile_y..(tile_y + TILE).min(out_h) {
                    let row = y * out_w + tile_x;
                    let mut at = origin + tile_x as isize * step_x + y as isize * step_y;
                    for px in &mut dst[row..row + tile_w] {
                        // Never negative: every output pixel maps into the source.
                        *px = src[at as usize];
                        at += step_x;
                    }
                }
            }
        }
        Rgb8 {
            data: out,
            width: out_w as u32,
            height: out_h as u32,
        }
    }
}

/// The image fitted inside a `max_edge` square, keeping the aspect ratio;
/// `None` when it already fits, since images are never enlarged.
fn resized(
    resizer: &mut fr::Resizer,
    image: &Rgb8,
    max_edge: u32,
) -> Result<Option<Rgb8>, PipelineError> {
    let (width, height) = fit_within(image.width, image.height, max_edge);
    if (width, height) == (image.width, image.height) {
        return Ok(None);
    }
    // Only a bug here could make the buffers disagree with their sizes.
    let internal = |e: &dyn std::fmt::Display| PipelineError::Malformed(format!("resize: {e}"));
    let src =
        fr::images::ImageRef::new(image.width, image.height, &image.data, fr::PixelType::U8x3)
            .map_err(|e| internal(&e))?;
    let mut dst = fr::images::Image::new(width, height, fr::PixelType::U8x3);
    // Lanczos3 is what ImageMagick uses when shrinking photos, so the
    // benchmark compares like with like.
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    resizer
        .resize(&src, &mut dst, &options)
        .map_err(|e| internal(&e))?;
    Ok(Some(Rgb8 {
        data: dst.into_vec(),
        width,
        height,
    }))
}

/// Size that fits inside a `max_edge` square with the same aspect ratio,
/// rounded to the nearest pixel; never larger than the input.
fn fit_within(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_edge {
        return (width, height);
    }
    let scale = |edge: u32| -> u32 {
        let scaled =
            (u64::from(edge) * u64::from(max_edge) + u64::from(longest) / 2) / u64::from(longest);
        // `scaled <= max_edge`, so it fits; a 1-pixel-high panorama stays 1 high.
        (scaled as u32).max(1)
    };
    (scale(width), scale(height))
}

fn encode_jpeg(image: &Rgb8) -> Result<Rendition, PipelineError> {
    let internal = |e: &dyn std::fmt::Display| PipelineError::Malformed(format!("encode: {e}"));
    let width = u16::try_from(image.width).map_err(|e| internal(&e))?;
    let height = u16::try_from(image.height).map_err(|e| internal(&e))?;
    // A rough size guess saves the vector's regrowth copies.
    let mut bytes = Vec::with_capacity(image.data.len() / 8);
    // A fresh encoder writes only the JFIF header: no EXIF, XMP or ICC
    // segment is ever added, which is what keeps GPS out of renditions.
    //
    // Huffman tables fitted to the image would make the display copy about
    // 14% smaller, but jpeg-encoder then writes one scan per component, a
    // layout that zune-jpeg 0.5.15 (and so the `image` crate) decodes to
    // wrong colours without an error (zune-image#422). One interleaved scan
    // with the standard tables is what every decoder reads correctly.
    Encoder::new(&mut bytes, JPEG_QUALITY)
        .encode(&image.data, width, height, ColorType::Rgb)
        .map_err(|e| internal(&e))?;
    Ok(Rendition {
        bytes,
        width: image.width,
        height: image.height,
    })
}

/// Estimated peak working bytes per source pixel, by format: the larger of
/// the decoding phase and the shrinking phase (the decoded RGB, 3, plus the
/// resizer's intermediate of one resized axis, at most 3 more). Deliberately
/// on the high side: the estimate exists to refuse floods, and ordinary
/// photos are far below the limit.
///
/// JPEG decoding: RGB output (3) plus, for progressive files, the i16
/// coefficients of all three components (6).
const JPEG_BYTES_PER_PIXEL: u64 = 9;
/// PNG decoding: RGBA output (4, flattened to RGB in place) or gray output
/// expanded into a separate RGB buffer (at most 2 + 3); shrinking needs 6.
/// The png crate's own row buffers are bounded separately by `png::Limits`.
const PNG_BYTES_PER_PIXEL: u64 = 6;
/// WebP decoding: RGBA output (4) plus the lossless decoder's RGBA scratch
/// frame (4).
const WEBP_BYTES_PER_PIXEL: u64 = 8;
/// Resizing and encoding work on at most display-sized buffers: the display
/// copy, its oriented copy, the thumbnail and the encoded output.
const RENDITION_BYTES: u64 = 3 * (DISPLAY_MAX_EDGE as u64) * (DISPLAY_MAX_EDGE as u64) * 3;

/// Refuses, from the header alone, an image whose dimensions or estimated
/// decoding memory are over the limits: a few hundred bytes can declare
/// gigapixels (a pixel flood), so this runs before any pixel buffer exists.
fn check_header(
    width: u32,
    height: u32,
    bytes_per_pixel: u64,
    limits: &Limits,
) -> Result<(), PipelineError> {
    if width == 0 || height == 0 {
        return Err(PipelineError::Malformed(format!(
            "declares {width}x{height} pixels"
        )));
    }
    let pixels = u64::from(width) * u64::from(height);
    let alloc = pixels
        .saturating_mul(bytes_per_pixel)
        .saturating_add(RENDITION_BYTES);
    if width > limits.max_width
        || height > limits.max_height
        || pixels > limits.max_pixels
        || alloc > limits.max_alloc_bytes
    {
        return Err(PipelineError::TooLarge { width, height });
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8], limits: &Limits) -> Result<(Rgb8, Orientation), PipelineError> {
    let malformed = |e: zune_jpeg::errors::DecodeErrors| PipelineError::Malformed(e.to_string());
    // Strict mode makes a truncated or corrupt entropy stream an error; by
    // default zune-jpeg, like browsers, fills the missing part with grey.
    // Its own dimension cap is lifted to the format's maximum so that
    // `check_header` makes the decision and reports TooLarge.
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(malformed)?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| PipelineError::Malformed("no frame header".into()))?;
    // JPEG dimensions are 16-bit, so these conversions cannot fail.
    let (width, height) = (width as u32, height as u32);
    check_header(width, height, JPEG_BYTES_PER_PIXEL, limits)?;
    let orientation = decoder
        .exif()
        .map_or(Orientation::Normal, |exif| Orientation::from_exif(exif));
    let layout = JpegLayout::read(bytes)
        .ok_or_else(|| PipelineError::Malformed("broken segment structure".into()))?;
    if !layout.has_end_marker {
        return Err(PipelineError::Malformed(
            "truncated: no end-of-image marker after the image data".into(),
        ));
    }
    let data = if layout.separate_component_scans {
        drop(decoder);
        decode_jpeg_separate_scans(bytes, width, height, limits)?
    } else {
        let size = decoder
            .output_buffer_size()
            .ok_or(PipelineError::TooLarge { width, height })?;
        let mut data = vec![0u8; size];
        decoder.decode_into(&mut data).map_err(malformed)?;
        data
    };
    Ok((
        Rgb8 {
            data,
            width,
            height,
        },
        orientation,
    ))
}

/// What zune-jpeg needs checked around it, read from the segment headers.
struct JpegLayout {
    /// An end-of-image marker follows the first scan header.
    ///
    /// zune-jpeg's strict mode catches data that ends before the last row
    /// of blocks, but not a cut inside that last row, which it fills in
    /// silently. Entropy-coded data never contains FF D9 (a data FF is
    /// always followed by 00), and metadata, including embedded EXIF
    /// thumbnails with their own EOI, sits in the segments before the scan
    /// header, which are skipped by length. Bytes after the main image's EOI
    /// (MPF images, vendor trailers) may hold further EOIs, but only when the
    /// main image is complete.
    has_end_marker: bool,
    /// A sequential (not progressive) frame coded as one scan per component
    /// rather than one interleaved scan. Valid JPEG, rare from cameras, and
    /// decoded to wrong colours without an error by zune-jpeg 0.5.15 when
    /// chroma is subsampled (zune-image#422).
    separate_component_scans: bool,
}

impl JpegLayout {
    /// `None` when the segments before the first scan do not chain.
    fn read(bytes: &[u8]) -> Option<JpegLayout> {
        const SOS: u8 = 0xDA;
        let mut frame_components = None;
        let mut at = 2; // past SOI
        loop {
            // Any number of FF fill bytes may precede a marker.
            while bytes.get(at..at + 2) == Some(&[0xFF, 0xFF]) {
                at += 1;
            }
            let &[0xFF, marker, len_hi, len_lo] = bytes.get(at..at + 4)? else {
                return None;
            };
            let payload =
                bytes.get(at + 4..at + 2 + usize::from(u16::from_be_bytes([len_hi, len_lo])))?;
            match marker {
                // SOF0 and SOF1: sequential Huffman frames; Nf at offset 5.
                0xC0 | 0xC1 => frame_components = Some(*payload.get(5)?),
                SOS => {
                    let scan_components = *payload.first()?;
                    let rest = &bytes[at + 2 + payload.len() + 2..];
                    return Some(JpegLayout {
                        // Searched from the end, where a complete file has it.
                        has_end_marker: rest.windows(2).rev().any(|w| w == [0xFF, 0xD9]),
                        separate_component_scans: frame_components
                            .is_some_and(|frame| scan_components < frame),
                    });
                }
                _ => {}
            }
            at += 2 + 2 + payload.len();
        }
    }
}

/// Decodes the rare sequential JPEG with one scan per component with
/// jpeg-decoder, which handles that layout correctly. zune-jpeg stays the
/// decoder for everything else: it was 5-15% faster on the benchmark's
/// 12-megapixel photo and converts CMYK and YCCK to RGB itself.
fn decode_jpeg_separate_scans(
    bytes: &[u8],
    width: u32,
    height: u32,
    limits: &Limits,
) -> Result<Vec<u8>, PipelineError> {
    let malformed = |e: &dyn std::fmt::Display| PipelineError::Malformed(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX),
    );
    let data = decoder.decode().map_err(|e| malformed(&e))?;
    let info = decoder
        .info()
        .ok_or_else(|| PipelineError::Malformed("no frame header".into()))?;
    if (u32::from(info.width), u32::from(info.height)) != (width, height) {
        return Err(PipelineError::Malformed(
            "decoders disagree on the size".into(),
        ));
    }
    match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => Ok(data),
        jpeg_decoder::PixelFormat::L8 => Ok(data.iter().flat_map(|&v| [v, v, v]).collect()),
        other => Err(PipelineError::Malformed(format!(
            "{other:?} pixels in separate scans are not supported"
        ))),
    }
}

fn decode_png(bytes: &[u8], limits: &Limits) -> Result<(Rgb8, Orientation), PipelineError> {
    let png_limits = png::Limits {
        bytes: usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX),
    };
    let malformed = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => PipelineError::Malformed(
            "decoder memory limit exceeded (e.g. oversized metadata chunks)".into(),
        ),
        other => PipelineError::Malformed(other.to_string()),
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png_limits);
    // IHDR only: the declared size is judged before the rest is parsed.
    let header = decoder.read_header_info().map_err(malformed)?;
    let (width, height) = (header.width, header.height);
    check_header(width, height, PNG_BYTES_PER_PIXEL, limits)?;
    // Palette and sub-byte depths expand to 8 bits; 16-bit samples are cut to 8.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(malformed)?;
    // eXIf must precede IDAT, so `read_info` has seen it if it is there.
    let orientation = reader
        .info()
        .exif_metadata
        .as_deref()
        .map_or(Orientation::Normal, Orientation::from_exif);
    let size = reader
        .output_buffer_size()
        .ok_or(PipelineError::TooLarge { width, height })?;
    let mut data = vec![0u8; size];
    // For an animated PNG this is the default image, which is what viewers
    // that ignore animation show.
    let frame = reader.next_frame(&mut data).map_err(malformed)?;
    data.truncate(frame.buffer_size());
    let data = match frame.color_type {
        png::ColorType::Rgb => data,
        png::ColorType::Rgba => rgba_to_rgb_in_place(data),
        png::ColorType::Grayscale => data.iter().flat_map(|&v| [v, v, v]).collect(),
        png::ColorType::GrayscaleAlpha => data
            .chunks_exact(2)
            .flat_map(|ga| {
                let v = over_white(ga[0], ga[1]);
                [v, v, v]
            })
            .collect(),
        png::ColorType::Indexed => {
            return Err(PipelineError::Malformed("palette was not expanded".into()));
        }
    };
    Ok((
        Rgb8 {
            data,
            width,
            height,
        },
        orientation,
    ))
}

fn decode_webp(bytes: &[u8], limits: &Limits) -> Result<(Rgb8, Orientation), PipelineError> {
    let malformed = |e: image_webp::DecodingError| PipelineError::Malformed(e.to_string());
    // `new` parses the RIFF chunk headers only.
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(malformed)?;
    let (width, height) = decoder.dimensions();
    check_header(width, height, WEBP_BYTES_PER_PIXEL, limits)?;
    decoder.set_memory_limit(usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX));
    // Unreadable EXIF is no reason to refuse a photo; it is shown as stored.
    let orientation = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .map_or(Orientation::Normal, |exif| Orientation::from_exif(&exif));
    let size = decoder
        .output_buffer_size()
        .ok_or(PipelineError::TooLarge { width, height })?;
    let mut data = vec![0u8; size];
    // For an animated WebP this is the first frame.
    decoder.read_image(&mut data).map_err(malformed)?;
    let data = if decoder.has_alpha() {
        rgba_to_rgb_in_place(data)
    } else {
        data
    };
    Ok((
        Rgb8 {
            data,
            width,
            height,
        },
        orientation,
    ))
}

/// JPEG has no alpha: transparent areas are shown over white, as on a page.
fn rgba_to_rgb_in_place(mut data: Vec<u8>) -> Vec<u8> {
    let pixels = data.len() / 4;
    // Pixel i is written at 3i, never past where pixel i+1 is still to be
    // read (4i + 4), so one buffer serves.
    for i in 0..pixels {
        let a = data[i * 4 + 3];
        for c in 0..3 {
            data[i * 3 + c] = over_white(data[i * 4 + c], a);
        }
    }
    data.truncate(pixels * 3);
    data
}

fn over_white(value: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(value), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}

/// EXIF orientation (tag 0x0112): how the stored pixels must be turned to be
/// shown upright. Names say what is done to the stored image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Orientation {
    /// 1
    Normal,
    /// 2
    MirrorHorizontal,
    /// 3
    Rotate180,
    /// 4
    MirrorVertical,
    /// 5: mirror horizontally, then rotate 90° counter-clockwise.
    Transpose,
    /// 6: rotate 90° clockwise (a phone held upright, home button below).
    Rotate90,
    /// 7: mirror horizontally, then rotate 90° clockwise.
    Transverse,
    /// 8: rotate 90° counter-clockwise.
    Rotate270,
}

impl Orientation {
    /// Reads the orientation from EXIF data (a TIFF structure, with or
    /// without the JPEG "Exif\0\0" prefix). Anything missing or unreadable
    /// means "as stored", as in browsers.
    fn from_exif(exif: &[u8]) -> Orientation {
        let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
        match read_orientation_tag(tiff) {
            Some(2) => Orientation::MirrorHorizontal,
            Some(3) => Orientation::Rotate180,
            Some(4) => Orientation::MirrorVertical,
            Some(5) => Orientation::Transpose,
            Some(6) => Orientation::Rotate90,
            Some(7) => Orientation::Transverse,
            Some(8) => Orientation::Rotate270,
            _ => Orientation::Normal,
        }
    }

    fn swaps_axes(self) -> bool {
        matches!(
            self,
            Orientation::Transpose
                | Orientation::Rotate90
                | Orientation::Transverse
                | Orientation::Rotate270
        )
    }
}

/// The Orientation entry of IFD0, if any. Bounds-checked throughout: EXIF
/// comes from the uploader.
fn read_orientation_tag(tiff: &[u8]) -> Option<u16> {
    const ORIENTATION: u16 = 0x0112;
    const SHORT: u16 = 3;
    let big_endian = match tiff.get(0..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd0)?);
    (0..entries).find_map(|i| {
        let entry = ifd0 + 2 + i * 12;
        if u16_at(entry)? != ORIENTATION {
            return None;
        }
        // A SHORT with count 1 sits in the first two bytes of the value field.
        (u16_at(entry + 2)? == SHORT).then(|| u16_at(entry + 8))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const RED: [u8; 3] = [255, 0, 0];
    const GREEN: [u8; 3] = [0, 255, 0];
    const BLUE: [u8; 3] = [0, 0, 255];
    const WHITE: [u8; 3] = [255, 255, 255];

    /// Stored image whose four quadrants are red (top-left), green
    /// (top-right), blue (bottom-left) and white (bottom-right), so any turn
    /// or mirror shows in the corners.
    fn quadrants(width: u32, height: u32) -> Vec<u8> {
        let mut data = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                let colour = match (x < width / 2, y < height / 2) {
                    (true, true) => RED,
                    (false, true) => GREEN,
                    (true, false) => BLUE,
                    (false, false) => WHITE,
                };
                data.extend_from_slice(&colour);
            }
        }
        data
    }

    /// Deterministic noise, so truncation hits real entropy-coded data.
    fn noise(width: u32, height: u32) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        (0..width * height * 3)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect()
    }

    /// A TIFF structure as EXIF carries it: IFD0 with Orientation and a
    /// pointer to a GPS IFD holding a latitude, as phones write.
    fn exif_tiff(orientation: u16, big_endian: bool) -> Vec<u8> {
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut t = Vec::new();
        t.extend_from_slice(if big_endian { b"MM\0*" } else { b"II*\0" });
        t.extend_from_slice(&u32b(8));
        // IFD0 at 8: two entries, then the next-IFD offset.
        t.extend_from_slice(&u16b(2));
        t.extend_from_slice(&u16b(0x0112));
        t.extend_from_slice(&u16b(3));
        t.extend_from_slice(&u32b(1));
        t.extend_from_slice(&u16b(orientation));
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&u16b(0x8825)); // GPSInfo
        t.extend_from_slice(&u16b(4));
        t.extend_from_slice(&u32b(1));
        t.extend_from_slice(&u32b(38));
        t.extend_from_slice(&u32b(0));
        // GPS IFD at 38: GPSLatitudeRef "N", GPSLatitude 3 rationals at 68.
        t.extend_from_slice(&u16b(2));
        t.extend_from_slice(&u16b(0x0001));
        t.extend_from_slice(&u16b(2));
        t.extend_from_slice(&u32b(2));
        t.extend_from_slice(b"N\0\0\0");
        t.extend_from_slice(&u16b(0x0002));
        t.extend_from_slice(&u16b(5));
        t.extend_from_slice(&u32b(3));
        t.extend_from_slice(&u32b(68));
        t.extend_from_slice(&u32b(0));
        assert_eq!(t.len(), 68);
        for (num, den) in [(39, 1), (54, 1), (1980, 100)] {
            t.extend_from_slice(&u32b(num));
            t.extend_from_slice(&u32b(den));
        }
        t
    }

    fn jpeg(data: &[u8], width: u32, height: u32, exif: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = Encoder::new(&mut out, 95);
        if let Some(exif) = exif {
            encoder.add_exif_metadata(exif).unwrap();
        }
        encoder
            .encode(data, width as u16, height as u16, ColorType::Rgb)
            .unwrap();
        out
    }

    fn decode(rendition: &Rendition) -> Vec<u8> {
        let mut decoder = JpegDecoder::new(ZCursor::new(&rendition.bytes));
        let pixels = decoder.decode().unwrap();
        assert_eq!(
            decoder.dimensions(),
            Some((rendition.width as usize, rendition.height as usize)),
            "the JPEG's own header agrees with the rendition's size"
        );
        pixels
    }

    fn pixel(data: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
        let at = ((y * width + x) * 3) as usize;
        [data[at], data[at + 1], data[at + 2]]
    }

    fn assert_near(actual: [u8; 3], expected: [u8; 3], what: &str) {
        let close = actual
            .iter()
            .zip(expected)
            .all(|(&a, e)| a.abs_diff(e) <= 40);
        assert!(close, "{what}: got {actual:?}, expected about {expected:?}");
    }

    /// The markers before the image data, with their payloads.
    fn header_segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        let mut segments = Vec::new();
        let mut at = 2;
        loop {
            assert_eq!(jpeg[at], 0xFF, "marker expected at {at}");
            let marker = jpeg[at + 1];
            let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            segments.push((marker, &jpeg[at + 4..at + 2 + len]));
            if marker == 0xDA {
                return segments;
            }
            at += 2 + len;
        }
    }

    fn assert_no_metadata(rendition: &Rendition) {
        for (marker, payload) in header_segments(&rendition.bytes) {
            // APP0 is the JFIF header (version, density); every other APPn
            // (EXIF and XMP in APP1, ICC in APP2, IPTC in APP13) and COM
            // could carry what the uploader's device wrote.
            let app_or_comment = (0xE1..=0xEF).contains(&marker) || marker == 0xFE;
            assert!(!app_or_comment, "segment 0xFF{marker:02X} in a rendition");
            if marker == 0xE0 {
                assert!(payload.starts_with(b"JFIF\0"), "APP0 is JFIF only");
            }
        }
        let contains = |needle: &[u8]| rendition.bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!contains(b"Exif\0\0"));
        assert!(!contains(b"http://ns.adobe.com"));
    }

    #[test]
    fn sniffs_by_magic_bytes_only() {
        let small = jpeg(&quadrants(8, 8), 8, 8, None);
        assert_eq!(sniff(&small), Some(ImageKind::Jpeg));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageKind::Png)
        );
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8L"), Some(ImageKind::Webp));
        // Other RIFF formats, HTML (whatever the filename), text and nothing.
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(
            sniff(b"<!DOCTYPE html><html><body>x.jpg</body></html>"),
            None
        );
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"\xFF\xD8"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(ImageKind::Jpeg.mime(), "image/jpeg");
        assert_eq!(ImageKind::Png.mime(), "image/png");
        assert_eq!(ImageKind::Webp.mime(), "image/webp");
    }

    #[test]
    fn html_named_jpg_is_unsupported() {
        let html = b"<!DOCTYPE html><html><head><title>x.jpg</title></head></html>";
        assert!(matches!(
            process(html, &Limits::default()),
            Err(PipelineError::Unsupported)
        ));
    }

    #[test]
    fn empty_input_is_malformed() {
        assert!(matches!(
            process(&[], &Limits::default()),
            Err(PipelineError::Malformed(_))
        ));
    }

    #[test]
    fn truncated_and_corrupt_jpegs_are_malformed() {
        let whole = jpeg(&noise(256, 256), 256, 256, None);
        assert!(process(&whole, &Limits::default()).is_ok());
        // Cut in the middle, inside the last row of blocks, just before the
        // EOI marker, inside the headers, and right after SOI.
        for keep in [whole.len() / 2, whole.len() - 100, whole.len() - 2, 300, 3] {
            let result = process(&whole[..keep], &Limits::default());
            assert!(
                matches!(result, Err(PipelineError::Malformed(_))),
                "cut to {keep} of {} bytes: {:?}",
                whole.len(),
                result.map(|p| (p.width, p.height))
            );
        }
        // Progressive files fail the same way, whichever scan is cut.
        let mut progressive = Vec::new();
        let mut encoder = Encoder::new(&mut progressive, 90);
        encoder.set_progressive(true);
        encoder
            .encode(&noise(256, 256), 256, 256, ColorType::Rgb)
            .unwrap();
        let out = process(&progressive, &Limits::default()).unwrap();
        assert_eq!((out.display.width, out.display.height), (256, 256));
        for keep in [progressive.len() / 3, progressive.len() - 100] {
            let result = process(&progressive[..keep], &Limits::default());
            assert!(
                matches!(result, Err(PipelineError::Malformed(_))),
                "progressive cut to {keep}: {:?}",
                result.map(|p| (p.width, p.height))
            );
        }

        let garbage = [&[0xFF, 0xD8, 0xFF][..], &[0x5A; 64]].concat();
        assert!(matches!(
            process(&garbage, &Limits::default()),
            Err(PipelineError::Malformed(_))
        ));
    }

    #[test]
    fn every_exif_orientation_is_applied() {
        // Which stored quadrant each orientation shows in the displayed
        // top-left and top-right corners (EXIF 2.3, tag 0x0112).
        let cases: [(u16, bool, [u8; 3], [u8; 3]); 8] = [
            (1, false, RED, GREEN),
            (2, false, GREEN, RED),
            (3, false, WHITE, BLUE),
            (4, false, BLUE, WHITE),
            (5, true, RED, BLUE),
            (6, true, BLUE, RED),
            (7, true, WHITE, GREEN),
            (8, true, GREEN, WHITE),
        ];
        let (w, h) = (64, 32);
        for (orientation, swapped, top_left, top_right) in cases {
            for big_endian in [false, true] {
                let input = jpeg(
                    &quadrants(w, h),
                    w,
                    h,
                    Some(&exif_tiff(orientation, big_endian)),
                );
                let out = process(&input, &Limits::default()).unwrap();
                let shown = if swapped { (h, w) } else { (w, h) };
                assert_eq!((out.width, out.height), shown, "orientation {orientation}");
                for rendition in [&out.display, &out.thumbnail] {
                    assert_eq!((rendition.width, rendition.height), shown);
                    let pixels = decode(rendition);
                    let what = format!("orientation {orientation}, big endian {big_endian}");
                    assert_near(pixel(&pixels, shown.0, 2, 2), top_left, &what);
                    assert_near(pixel(&pixels, shown.0, shown.0 - 3, 2), top_right, &what);
                }
            }
        }
    }

    #[test]
    fn jpeg_with_one_scan_per_component_keeps_its_colours() {
        // jpeg-encoder writes one scan per component when it optimises the
        // Huffman tables; at quality 85 chroma is subsampled 4:2:0, the case
        // zune-jpeg 0.5.15 gets wrong.
        let (w, h) = (64, 32);
        let mut input = Vec::new();
        let mut encoder = Encoder::new(&mut input, 85);
        encoder.set_optimized_huffman_tables(true);
        encoder.add_exif_metadata(&exif_tiff(3, false)).unwrap();
        encoder
            .encode(&quadrants(w, h), w as u16, h as u16, ColorType::Rgb)
            .unwrap();
        assert_eq!(input.windows(2).filter(|m| *m == [0xFF, 0xDA]).count(), 3);
        assert!(JpegLayout::read(&input).unwrap().separate_component_scans);

        let out = process(&input, &Limits::default()).unwrap();
        let pixels = decode(&out.display);
        assert_near(pixel(&pixels, w, 2, 2), WHITE, "rotated 180: top-left");
        assert_near(pixel(&pixels, w, w - 3, 2), BLUE, "top-right");
        assert_near(pixel(&pixels, w, 2, h - 3), GREEN, "bottom-left");
        assert_near(pixel(&pixels, w, w - 3, h - 3), RED, "bottom-right");

        // The usual single interleaved scan is not sent the slow way.
        let usual = jpeg(&quadrants(w, h), w, h, None);
        assert!(!JpegLayout::read(&usual).unwrap().separate_component_scans);
    }

    #[test]
    fn unreadable_or_odd_exif_means_as_stored() {
        assert_eq!(Orientation::from_exif(b""), Orientation::Normal);
        assert_eq!(
            Orientation::from_exif(b"II*\0\xFF\xFF\xFF\x7F"),
            Orientation::Normal
        );
        assert_eq!(
            Orientation::from_exif(&exif_tiff(9, false)),
            Orientation::Normal
        );
        let mut truncated = exif_tiff(6, false);
        truncated.truncate(16);
        assert_eq!(Orientation::from_exif(&truncated), Orientation::Normal);
        let prefixed = [&b"Exif\0\0"[..], &exif_tiff(6, true)].concat();
        assert_eq!(Orientation::from_exif(&prefixed), Orientation::Rotate90);
    }

    #[test]
    fn renditions_carry_no_metadata() {
        let mut input = Vec::new();
        let mut encoder = Encoder::new(&mut input, 90);
        encoder.add_exif_metadata(&exif_tiff(6, false)).unwrap();
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>\
            <exif:GPSLatitude>39,54.33N</exif:GPSLatitude></x:xmpmeta>";
        encoder.add_app_segment(1, xmp.to_vec()).unwrap();
        encoder.add_icc_profile(&[7u8; 300]).unwrap();
        encoder
            .encode(&noise(600, 400), 600, 400, ColorType::Rgb)
            .unwrap();
        // The input really carries what must be dropped.
        let markers: Vec<u8> = header_segments(&input).iter().map(|s| s.0).collect();
        assert!(
            markers.contains(&0xE1) && markers.contains(&0xE2),
            "{markers:x?}"
        );

        let out = process(&input, &Limits::default()).unwrap();
        assert_no_metadata(&out.display);
        assert_no_metadata(&out.thumbnail);
    }

    #[test]
    fn pixel_flood_png_is_refused_from_the_header() {
        // Signature and IHDR only: 60000x60000 RGBA would be 14.4 GB. There is
        // no image data at all, so the only way to answer TooLarge rather than
        // Malformed is to judge the header before decoding.
        let mut flood = Vec::new();
        let mut encoder = png::Encoder::new(&mut flood, 60_000, 60_000);
        encoder.set_color(png::ColorType::Rgba);
        drop(encoder.write_header().unwrap());
        assert!(flood.len() < 100);

        let started = Instant::now();
        let result = process(&flood, &Limits::default());
        assert!(started.elapsed() < Duration::from_millis(200));
        assert!(
            matches!(
                result,
                Err(PipelineError::TooLarge {
                    width: 60_000,
                    height: 60_000
                })
            ),
            "{result:?}"
        );
    }

    #[test]
    fn pixel_flood_jpeg_is_refused_from_the_header() {
        let mut flood = jpeg(&quadrants(16, 16), 16, 16, None);
        // Rewrite the frame header (SOF0: length, precision, height, width).
        let sof = flood.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        flood[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        let started = Instant::now();
        let result = process(&flood, &Limits::default());
        assert!(started.elapsed() < Duration::from_millis(200));
        assert!(
            matches!(
                result,
                Err(PipelineError::TooLarge {
                    width: 60_000,
                    height: 60_000
                })
            ),
            "{result:?}"
        );
    }

    #[test]
    fn each_limit_is_enforced() {
        let input = jpeg(&quadrants(400, 300), 400, 300, None);
        let roomy = Limits::default();
        assert!(process(&input, &roomy).is_ok());
        let tight = [
            Limits {
                max_width: 399,
                ..roomy.clone()
            },
            Limits {
                max_height: 299,
                ..roomy.clone()
            },
            Limits {
                max_pixels: 400 * 300 - 1,
                ..roomy.clone()
            },
            Limits {
                max_alloc_bytes: RENDITION_BYTES,
                ..roomy.clone()
            },
        ];
        for limits in tight {
            let result = process(&input, &limits);
            assert!(
                matches!(
                    result,
                    Err(PipelineError::TooLarge {
                        width: 400,
                        height: 300
                    })
                ),
                "{limits:?}: {result:?}"
            );
        }
    }

    #[test]
    fn large_photo_is_bounded_and_oriented() {
        let (w, h) = (3000, 1000);
        let input = jpeg(&quadrants(w, h), w, h, Some(&exif_tiff(6, false)));
        let out = process(&input, &Limits::default()).unwrap();
        assert_eq!(out.kind, ImageKind::Jpeg);
        assert_eq!((out.width, out.height), (1000, 3000));
        // 1000 * 2048 / 3000 = 682.7; 683 * 320 / 2048 = 106.7.
        assert_eq!((out.display.width, out.display.height), (683, 2048));
        assert_eq!((out.thumbnail.width, out.thumbnail.height), (107, 320));
        let display = decode(&out.display);
        assert_near(pixel(&display, 683, 5, 5), BLUE, "display top-left");
        assert_near(pixel(&display, 683, 677, 5), RED, "display top-right");
        let thumbnail = decode(&out.thumbnail);
        assert_near(pixel(&thumbnail, 107, 3, 3), BLUE, "thumbnail top-left");
        assert_near(
            pixel(&thumbnail, 107, 3, 316),
            WHITE,
            "thumbnail bottom-left",
        );
    }

    #[test]
    fn small_images_are_never_upscaled() {
        let input = jpeg(&quadrants(100, 50), 100, 50, None);
        let out = process(&input, &Limits::default()).unwrap();
        assert_eq!((out.width, out.height), (100, 50));
        assert_eq!((out.display.width, out.display.height), (100, 50));
        assert_eq!((out.thumbnail.width, out.thumbnail.height), (100, 50));
        // Exactly on the bound stays as it is too.
        assert_eq!(fit_within(2048, 10, 2048), (2048, 10));
        assert_eq!(fit_within(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit_within(3024, 4032, 2048), (1536, 2048));
        assert_eq!(fit_within(20_000, 3, 320), (320, 1));
    }

    #[test]
    fn png_with_alpha_and_exif_orientation() {
        let (w, h) = (40u32, 20u32);
        let mut rgba = Vec::new();
        for (i, rgb) in quadrants(w, h).chunks_exact(3).enumerate() {
            // The right half is fully transparent.
            let alpha = if (i as u32 % w) < w / 2 { 255 } else { 0 };
            rgba.extend_from_slice(rgb);
            rgba.push(alpha);
        }
        let mut info = png::Info::with_size(w, h);
        info.color_type = png::ColorType::Rgba;
        info.bit_depth = png::BitDepth::Eight;
        info.exif_metadata = Some(exif_tiff(3, false).into());
        let mut input = Vec::new();
        let mut writer = png::Encoder::with_info(&mut input, info)
            .unwrap()
            .write_header()
            .unwrap();
        writer.write_image_data(&rgba).unwrap();
        writer.finish().unwrap();

        let out = process(&input, &Limits::default()).unwrap();
        assert_eq!(out.kind, ImageKind::Png);
        assert_eq!((out.display.width, out.display.height), (w, h));
        let pixels = decode(&out.display);
        // Rotated 180: the opaque blue (stored bottom-left) is now top-right,
        // and the transparent half, shown over white, is on the left.
        assert_near(pixel(&pixels, w, w - 3, 2), BLUE, "opaque corner");
        assert_near(pixel(&pixels, w, 2, 2), WHITE, "transparent corner");
        assert_no_metadata(&out.display);

        let truncated = &input[..input.len() - 30];
        assert!(matches!(
            process(truncated, &Limits::default()),
            Err(PipelineError::Malformed(_))
        ));
    }

    #[test]
    fn webp_with_exif_orientation() {
        let (w, h) = (40u32, 20u32);
        let mut input = Vec::new();
        let mut encoder = image_webp::WebPEncoder::new(&mut input);
        encoder.set_exif_metadata(exif_tiff(8, false));
        encoder
            .encode(&quadrants(w, h), w, h, image_webp::ColorType::Rgb8)
            .unwrap();
        assert_eq!(sniff(&input), Some(ImageKind::Webp));

        let out = process(&input, &Limits::default()).unwrap();
        assert_eq!(out.kind, ImageKind::Webp);
        assert_eq!((out.width, out.height), (h, w));
        let pixels = decode(&out.display);
        assert_near(
            pixel(&pixels, h, 2, 2),
            GREEN,
            "rotated 90 counter-clockwise",
        );
        assert_no_metadata(&out.display);

        // Cut inside the image data (the EXIF chunk comes after it).
        let mut truncated = input.clone();
        truncated.truncate(input.len() / 2);
        assert!(matches!(
            process(&truncated, &Limits::default()),
            Err(PipelineError::Malformed(_))
        ));
    }

    #[test]
    fn committed_camera_fixture_is_oriented_and_stripped() {
        let input = include_bytes!("../../tests/fixtures/gps-oriented.jpg");
        let contains = |needle: &[u8]| input.windows(needle.len()).any(|w| w == needle);
        assert!(contains(b"Exif\0\0") && contains(b"http://ns.adobe.com"));

        let out = process(input, &Limits::default()).unwrap();
        assert_eq!((out.width, out.height), (900, 1200));
        assert_eq!((out.display.width, out.display.height), (900, 1200));
        assert_eq!((out.thumbnail.width, out.thumbnail.height), (240, 320));
        assert_no_metadata(&out.display);
        assert_no_metadata(&out.thumbnail);
        // Shown upright: red band on top, blue square bottom-left.
        let display = decode(&out.display);
        assert_near(
            pixel(&display, 900, 450, 50),
            [0xd0, 0x10, 0x10],
            "top band",
        );
        assert_near(
            pixel(&display, 900, 60, 1140),
            [0x10, 0x30, 0xd0],
            "bottom-left",
        );
    }
}
