//! Perceptual image hashing (classic DCT pHash) for spotting re-uploads of the
//! same picture after re-compression or resizing.
//!
//! Pipeline: BT.601 luma, area-averaged reduction to 32x32, orthonormal 2-D
//! DCT-II, then one bit per low-frequency coefficient of the top-left 8x8 block
//! set when the coefficient exceeds the median. The DC term keeps its bit slot
//! (bit 0) so the hash stays 64 bits wide, but it is excluded from the median:
//! it only measures overall brightness and would otherwise skew the threshold.
//! Bit `row * 8 + col` belongs to coefficient `[row][col]`.
//!
//! Uniform images have no structure to hash and their AC terms are pure rounding
//! noise, so bits need a small margin over the median; blank images hash to `1`
//! (DC bit only), or `0` if pure black.

use std::f64::consts::PI;
use std::sync::OnceLock;

const REDUCED_SIZE: usize = 32;
const KEPT_FREQUENCIES: usize = 8;
/// Above f64 rounding noise (~1e-13), far below a one-level luma step in a 320 px image (~1e-4).
const ROUNDING_MARGIN: f64 = 1e-9;

/// Distance up to which two photos count as "the same picture" (re-compressed, resized).
///
/// Measured on synthetic 320x200 cards: resizing down to 0.3x, +-60 pixel noise,
/// steps-of-4 quantisation and brightness/contrast/gamma changes give 0-6; cropping
/// 5/10/16 px per side gives 4/8/16. Different layouts, noise, 90-degree rotation
/// and mirroring give 28-34, near the ~32 expected for unrelated images. 10 absorbs
/// re-encoding plus a slight crop and stays far from unrelated pictures.
pub const NEAR_DUPLICATE_MAX_DISTANCE: u32 = 10;

/// 64-bit DCT perceptual hash of packed 8-bit RGB pixels (rows top to bottom, 3 bytes per pixel).
pub fn perceptual_hash(rgb: &[u8], width: u32, height: u32) -> u64 {
    // u128 so that no width/height combination can overflow the length check.
    let expected_len = u128::from(width) * u128::from(height) * 3;
    debug_assert_eq!(rgb.len() as u128, expected_len, "width * height * 3");
    if width == 0 || height == 0 || rgb.len() as u128 != expected_len {
        return 0;
    }
    let (width, height) = (width as usize, height as usize);
    let luma: Vec<f64> = rgb
        .chunks_exact(3)
        .map(|px| 0.299 * f64::from(px[0]) + 0.587 * f64::from(px[1]) + 0.114 * f64::from(px[2]))
        .collect();
    let columns_reduced = transform_rows_then_transpose(&luma, width, &area_kernels(width));
    let reduced = transform_rows_then_transpose(&columns_reduced, height, &area_kernels(height));
    let dct = |rows: &[f64]| transform_rows_then_transpose(rows, REDUCED_SIZE, dct_kernels());
    let coefficients = dct(&dct(&reduced));

    // Odd count (63) makes the median an actual coefficient, so about half the bits are set.
    let mut ac_terms = coefficients[1..].to_vec();
    ac_terms.sort_by(f64::total_cmp);
    let median = ac_terms[ac_terms.len() / 2];
    (0..coefficients.len())
        .filter(|&bit| coefficients[bit] > median + ROUNDING_MARGIN)
        .fold(0, |hash, bit| hash | (1 << bit))
}

/// Number of differing bits.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The hash cut into four 16-bit bands (bits 0-15, 16-31, ...). Two hashes within
/// distance 3 share at least one band exactly (pigeonhole); the service indexes the
/// bands to find candidates, then checks `distance`.
pub fn bands(hash: u64) -> [u16; 4] {
    std::array::from_fn(|band| (hash >> (16 * band)) as u16)
}

/// One output sample: (first input index, weights for consecutive inputs from there).
/// Sparse so area averaging stays linear in the pixel count for large inputs.
type Kernel = (usize, Vec<f64>);

/// Maps each row through the kernels and transposes, so that two calls apply a
/// separable 2-D transform and leave the result in row-major order.
fn transform_rows_then_transpose(data: &[f64], row_len: usize, kernels: &[Kernel]) -> Vec<f64> {
    let row_count = data.len() / row_len;
    let mut transposed = vec![0.0; row_count * kernels.len()];
    for (row_index, row) in data.chunks_exact(row_len).enumerate() {
        for (output_index, (start, weights)) in kernels.iter().enumerate() {
            transposed[output_index * row_count + row_index] =
                weights.iter().zip(&row[*start..]).map(|(w, v)| w * v).sum();
        }
    }
    transposed
}

/// Box filter weighted by fractional overlap, so non-integer scale factors and
/// upscaling of tiny images (a cell inside one pixel) average without bias.
fn area_kernels(source_len: usize) -> Vec<Kernel> {
    let scale = source_len as f64 / REDUCED_SIZE as f64;
    (0..REDUCED_SIZE)
        .map(|cell| {
            let (start, end) = (cell as f64 * scale, (cell + 1) as f64 * scale);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(source_len);
            let overlap = |px: usize| end.min(px as f64 + 1.0) - start.max(px as f64);
            (first, (first..last).map(|px| overlap(px) / scale).collect())
        })
        .collect()
}

/// Orthonormal DCT-II basis rows for the kept low frequencies only.
fn dct_kernels() -> &'static [Kernel] {
    static KERNELS: OnceLock<Vec<Kernel>> = OnceLock::new();
    KERNELS.get_or_init(|| {
        let n = REDUCED_SIZE as f64;
        (0..KEPT_FREQUENCIES)
            .map(|k| {
                let norm = (if k == 0 { 1.0 } else { 2.0 } / n).sqrt();
                let basis = |i: usize| norm * (PI * ((2 * i + 1) * k) as f64 / (2.0 * n)).cos();
                (0, (0..REDUCED_SIZE).map(basis).collect())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rgb = [u8; 3];

    struct Image {
        width: usize,
        height: usize,
        rgb: Vec<u8>,
    }

    impl Image {
        fn from_fn(width: usize, height: usize, mut f: impl FnMut(usize, usize) -> Rgb) -> Self {
            let mut rgb = Vec::with_capacity(width * height * 3);
            rgb.extend((0..width * height).flat_map(|i| f(i % width, i / width)));
            Image { width, height, rgb }
        }
        fn at(&self, x: usize, y: usize) -> Rgb {
            let i = (y * self.width + x) * 3;
            [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
        }
        fn hash(&self) -> u64 {
            perceptual_hash(&self.rgb, self.width as u32, self.height as u32)
        }
        /// Float-to-int `as` saturates, so results outside 0..=255 clip like a real editor.
        fn map_channels(&self, mut f: impl FnMut(f64) -> f64) -> Self {
            let mut rgb = self.rgb.clone();
            for channel in &mut rgb {
                *channel = f((*channel).into()).round() as u8;
            }
            Image { rgb, ..*self }
        }
    }

    /// Knuth's MMIX LCG, yielding the top byte because the low bits of an LCG cycle quickly.
    fn lcg_bytes(mut state: u64) -> impl Iterator<Item = u8> {
        std::iter::repeat_with(move || {
            state = state.wrapping_mul(6364136223846793005);
            state = state.wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
    }

    /// Light gradient background, a dark "photo" block and rows of text-like bars.
    fn card(photo_on_left: bool) -> Image {
        let (photo_x, text_x) = if photo_on_left { (20, 150) } else { (200, 20) };
        Image::from_fn(320, 200, |x, y| {
            let background = (235 - x / 10 - y / 20) as u8;
            let in_photo = (photo_x..photo_x + 100).contains(&x) && (40..160).contains(&y);
            let text_row = (30..180).contains(&y) && (y - 30) % 18 < 7;
            let in_text = text_row && (text_x..text_x + 150 - (y / 18 * 37) % 60).contains(&x);
            match (in_photo, in_text) {
                (true, _) => [60, (40 + y / 4) as u8, 90],
                (_, true) => [30, 30, 40],
                _ => [background, background, background - 10],
            }
        })
    }

    fn bilinear_resize(image: &Image, width: usize, height: usize) -> Image {
        let source = |dst: usize, dst_len: usize, src_len: usize| {
            let pos = (dst as f64 + 0.5) * src_len as f64 / dst_len as f64 - 0.5;
            let pos = pos.clamp(0.0, (src_len - 1) as f64);
            let low = pos as usize;
            (low, (low + 1).min(src_len - 1), pos.fract())
        };
        Image::from_fn(width, height, |x, y| {
            let (x0, x1, tx) = source(x, width, image.width);
            let (y0, y1, ty) = source(y, height, image.height);
            let sample = |sx, sy, c: usize| f64::from(image.at(sx, sy)[c]);
            let lerp = |a: f64, b: f64, t: f64| a + (b - a) * t;
            std::array::from_fn(|c| {
                let top = lerp(sample(x0, y0, c), sample(x1, y0, c), tx);
                lerp(top, lerp(sample(x0, y1, c), sample(x1, y1, c), tx), ty).round() as u8
            })
        })
    }

    /// Rough stand-in for lossy compression: +-3 jitter, then steps of 4.
    fn quantise_noisily(image: &Image) -> Image {
        let mut jitter = lcg_bytes(7).map(|byte| f64::from(byte % 7) - 3.0);
        image.map_channels(|c| ((c + jitter.next().unwrap()) / 4.0).round() * 4.0)
    }

    fn assert_near(label: &str, a: &Image, b: &Image) {
        let measured = distance(a.hash(), b.hash());
        println!("{label}: distance {measured}");
        assert!(measured <= NEAR_DUPLICATE_MAX_DISTANCE, "{label}");
    }

    /// Twice the threshold, so a modest retuning of the threshold cannot flip these.
    fn assert_far(label: &str, a: &Image, b: &Image) {
        let measured = distance(a.hash(), b.hash());
        println!("{label}: distance {measured}");
        assert!(measured > 2 * NEAR_DUPLICATE_MAX_DISTANCE, "{label}");
    }

    #[test]
    fn resized_and_recompressed_copies_are_near() {
        let original = card(true);
        let half = bilinear_resize(&original, 160, 100);
        let smaller = bilinear_resize(&original, 224, 140);
        let cropped = Image::from_fn(310, 190, |x, y| original.at(x + 5, y + 5));
        assert_near("half size", &original, &half);
        assert_near("0.7x size", &original, &smaller);
        assert_near("quantised", &original, &quantise_noisily(&original));
        assert_near("0.7x + quantised", &original, &quantise_noisily(&smaller));
        assert_near("cropped 5 px per side", &original, &cropped);
        let other = card(false);
        let other_resized = quantise_noisily(&bilinear_resize(&other, 200, 125));
        assert_near("other card 0.625x + quantised", &other, &other_resized);
    }

    #[test]
    fn brightness_and_contrast_changes_are_near() {
        let original = card(false);
        let brighter = original.map_channels(|c| c * 0.9 + 20.0);
        let darker = original.map_channels(|c| c * 1.05 - 15.0);
        assert_near("brighter, lower contrast", &original, &brighter);
        assert_near("darker, higher contrast", &original, &darker);
    }

    #[test]
    fn different_pictures_are_far() {
        let original = card(true);
        let mut random = lcg_bytes(1);
        let noise = Image::from_fn(320, 200, |_, _| {
            std::array::from_fn(|_| random.next().unwrap())
        });
        let (width, height) = (original.height, original.width);
        let rotated = Image::from_fn(width, height, |x, y| original.at(y, width - 1 - x));
        assert_far("other layout", &original, &card(false));
        assert_far("noise", &original, &noise);
        assert_far("rotated 90 degrees", &original, &rotated);
    }

    #[test]
    fn distance_and_bands_basics() {
        assert_eq!(distance(0, 0), 0);
        assert_eq!(distance(0, u64::MAX), 64);
        assert_eq!(distance(0b1011, 0b0110), 3);
        let hash = 0x0123_4567_89AB_CDEF;
        assert_eq!(bands(hash), [0xCDEF, 0x89AB, 0x4567, 0x0123]);
        let nearby = hash ^ 0b101 ^ (1 << 40);
        assert_eq!(distance(hash, nearby), 3);
        assert!(bands(hash).iter().zip(bands(nearby)).any(|(a, b)| *a == b));
    }

    #[test]
    fn tiny_and_degenerate_images_do_not_panic() {
        let single = Image::from_fn(1, 1, |_, _| [200, 10, 10]);
        let sliver = Image::from_fn(3, 50, |x, y| [(x * 80) as u8, (y * 5) as u8, 7]);
        let blank = Image::from_fn(40, 25, |_, _| [90, 90, 90]);
        assert_eq!(single.hash(), 1, "uniform images keep only the DC bit");
        assert_eq!(blank.hash(), 1);
        assert_ne!(sliver.hash() >> 1, 0, "structure must show in the AC bits");
        assert_eq!(perceptual_hash(&[], 0, 0), 0);
        assert_eq!(perceptual_hash(&[], 0, 5), 0);
        assert_eq!(perceptual_hash(&[0; 12], 2, 2), 0, "black has no DC either");
    }
}
