//! QR codes on the card: found with rxing (QR only), and what each says
//! turned into a contact with the domain's normalisers.

use std::collections::HashSet;

use fast_image_resize as fr;
use rxing::{BarcodeFormat, DecodeHints};

use super::{Found, Region, Source, text};
use crate::domain::contact::{Contact, ContactKind};

/// Longest edge of the downscaled copy tried first. Phone photos are 3000 to
/// 8000 pixels wide; a card's QR code is then 10 or more pixels a module,
/// far more than the decoder needs, and the smaller copy is several times
/// faster and smooths JPEG noise and blur.
const FIRST_TRY_EDGE: u32 = 1600;
/// A smaller copy for codes so large or blurred that the finder patterns
/// only look right from further away.
const SMALL_TRY_EDGE: u32 = 800;

/// Every contact in a QR code on the `width × height` luma image.
pub fn read(luma: &[u8], width: u32, height: u32) -> Vec<Found> {
    let longest = width.max(height);
    // Downscaled first, then the image itself, then smaller still.
    let mut edges = vec![FIRST_TRY_EDGE.min(longest)];
    if longest > FIRST_TRY_EDGE {
        edges.push(longest);
    }
    if longest > SMALL_TRY_EDGE {
        edges.push(SMALL_TRY_EDGE);
    }
    for edge in edges {
        let decoded = if edge >= longest {
            decode(luma, width, height)
        } else {
            downscaled(luma, width, height, edge).and_then(|(small, w, h)| decode(&small, w, h))
        };
        if let Some((text, region)) = decoded {
            return classify(&text)
                .into_iter()
                .map(|(contact, confidence)| Found {
                    contact,
                    source: Source::Qr,
                    confidence,
                    region,
                })
                .collect();
        }
    }
    Vec::new()
}

/// The text of a QR code on the image and where it is, if one is found.
fn decode(luma: &[u8], width: u32, height: u32) -> Option<(String, Region)> {
    let mut hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(true),
        // Cards printed white on black exist.
        AlsoInverted: Some(true),
        ..DecodeHints::default()
    };
    let result = rxing::helpers::detect_in_luma_slice_with_hints(
        luma,
        width,
        height,
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .ok()?;
    let points = result.getPoints();
    let region = if points.is_empty() {
        Region {
            x: 0.0,
            y: 0.0,
            width: 1.0,
            height: 1.0,
        }
    } else {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in points {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        // The points are the finder patterns' centres, 3.5 modules inside
        // the code's corners; a fifth of the span each side covers the code
        // at the usual sizes (21 to 41 modules).
        let (mx, my) = ((x1 - x0) * 0.2, (y1 - y0) * 0.2);
        Region::from_pixels(x0 - mx, y0 - my, x1 + mx, y1 + my, width, height)
    };
    Some((result.getText().to_owned(), region))
}

/// The image fitted inside an `edge` square (area-averaged, which also
/// smooths noise), or `None` if the resizer refuses the sizes.
fn downscaled(luma: &[u8], width: u32, height: u32, edge: u32) -> Option<(Vec<u8>, u32, u32)> {
    let longest = width.max(height);
    let scale = |v: u32| ((u64::from(v) * u64::from(edge) / u64::from(longest)) as u32).max(1);
    let (w, h) = (scale(width), scale(height));
    let src = fr::images::ImageRef::new(width, height, luma, fr::PixelType::U8).ok()?;
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Box));
    fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
    Some((dst.into_vec(), w, h))
}

/// What a QR code's text says, as contacts with how sure that reading is:
/// `tel:`/`sms:` links are phones, `weixin://` links WeChat ids, QQ's
/// links (`uin=`) QQ numbers, other web links (a WeChat `u.wechat.com`
/// card link among them) URLs, and plain text is read like printed text.
/// Anything else (Wi-Fi settings, e-mail addresses…) says nothing.
pub fn classify(raw: &str) -> Vec<(Contact, f32)> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    let one = |kind, value: &str, confidence| {
        Contact::parse(kind, value)
            .ok()
            .map(|c| vec![(c, confidence)])
            .unwrap_or_default()
    };
    if let Some(rest) = strip_scheme(&lower, raw, &["tel:"]) {
        return one(
            ContactKind::Phone,
            rest.split(';').next().unwrap_or(""),
            0.99,
        );
    }
    if let Some(rest) = strip_scheme(&lower, raw, &["smsto:", "sms:"]) {
        let number = rest.split([':', '?', ';']).next().unwrap_or("");
        return one(ContactKind::Phone, number, 0.99);
    }
    if let Some(rest) = strip_scheme(&lower, raw, &["weixin://"]) {
        // weixin://contacts/profile/<id>, weixin://dl/chat?<id>: the id is
        // what follows; other weixin:// links open parts of the app.
        let lower_rest = rest.to_ascii_lowercase();
        let id = ["contacts/profile/", "dl/chat?", "username="]
            .iter()
            .find_map(|p| lower_rest.find(p).map(|at| &rest[at + p.len()..]))
            .map(|id| id.split(['/', '?', '&', '#']).next().unwrap_or(""));
        return id
            .and_then(|id| Contact::parse(ContactKind::Wechat, id).ok())
            .map(|c| vec![(c, 0.95)])
            .unwrap_or_default();
    }
    if let Some(uin) = qq_uin(&lower) {
        return one(ContactKind::Qq, &uin, 0.97);
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return one(ContactKind::Url, raw, 0.99);
    }
    if lower.starts_with("mecard:") || lower.starts_with("begin:vcard") {
        return vcard_phones(raw);
    }
    // Plain text: a bare number or id is what the card is about, so it is
    // read with more trust than the same text among other print.
    if let Ok(phone) = Contact::parse(ContactKind::Phone, raw) {
        return vec![(phone, 0.97)];
    }
    let bare_id = raw.len() <= 20
        && raw.starts_with(|c: char| c.is_ascii_alphabetic())
        && raw.chars().any(|c| c.is_ascii_digit() || c == '_');
    if bare_id && let Ok(id) = Contact::parse(ContactKind::Wechat, raw) {
        return vec![(id, 0.8)];
    }
    text::extract_str(raw)
        .into_iter()
        .map(|(contact, confidence, _)| (contact, confidence))
        .collect()
}

/// The text after one of `schemes` (given in lower case), matched without
/// regard to case.
fn strip_scheme<'a>(lower: &str, raw: &'a str, schemes: &[&str]) -> Option<&'a str> {
    schemes
        .iter()
        .find(|s| lower.starts_with(*s))
        .map(|s| raw[s.len()..].trim())
}

/// The QQ number of a QQ chat or profile link: `mqqapi://…?uin=…`,
/// `mqqwpa://…`, or `http(s)://wpa.qq.com/msgrd?…&uin=…`.
fn qq_uin(lower: &str) -> Option<String> {
    let is_qq_link = lower.starts_with("mqqapi://")
        || lower.starts_with("mqqwpa://")
        || url::Url::parse(lower).ok().is_some_and(|u| {
            u.host_str()
                .is_some_and(|h| h == "qq.com" || h.ends_with(".qq.com"))
        });
    if !is_qq_link {
        return None;
    }
    let query = lower.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("uin=")?;
        (!value.is_empty() && value.chars().all(|c| c.is_ascii_digit())).then(|| value.to_owned())
    })
}

/// The phone numbers of a contact card (`MECARD:…TEL:…;` or a vCard's
/// `TEL…:` lines).
fn vcard_phones(raw: &str) -> Vec<(Contact, f32)> {
    let mut found = Vec::new();
    for field in raw.split(['\n', ';']) {
        let field = field.trim();
        let upper = field.to_ascii_uppercase();
        let Some(value) = (upper.starts_with("TEL"))
            .then(|| field.split_once(':').map(|(_, v)| v))
            .flatten()
        else {
            continue;
        };
        if let Ok(phone) = Contact::parse(ContactKind::Phone, value) {
            found.push((phone, 0.99));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(raw: &str) -> Vec<(ContactKind, String)> {
        classify(raw)
            .into_iter()
            .map(|(c, _)| (c.kind(), c.value().to_owned()))
            .collect()
    }

    fn one(kind: ContactKind, value: &str) -> Vec<(ContactKind, String)> {
        vec![(kind, value.to_owned())]
    }

    #[test]
    fn links_and_plain_text_become_contacts() {
        use ContactKind::*;
        assert_eq!(kinds("tel:+86-138-0013-8000"), one(Phone, "+8613800138000"));
        assert_eq!(kinds("TEL:13800138000"), one(Phone, "+8613800138000"));
        assert_eq!(
            kinds("SMSTO:13800138000:你好"),
            one(Phone, "+8613800138000")
        );
        assert_eq!(
            kinds("weixin://contacts/profile/Lily_2024"),
            one(Wechat, "lily_2024")
        );
        assert_eq!(
            kinds("https://u.wechat.com/EFxyzAbc-12"),
            one(Url, "https://u.wechat.com/EFxyzAbc-12")
        );
        assert_eq!(
            kinds("http://wpa.qq.com/msgrd?v=3&uin=123456789&site=qq"),
            one(Qq, "123456789")
        );
        assert_eq!(
            kinds("mqqapi://card/show_pslcard?src_type=internal&uin=87654321"),
            one(Qq, "87654321")
        );
        assert_eq!(
            kinds("HTTPS://Example.COM/a#x"),
            one(Url, "https://example.com/a")
        );
        assert_eq!(kinds(" 138 0013 8000 "), one(Phone, "+8613800138000"));
        assert_eq!(kinds("wxid_abc123"), one(Wechat, "wxid_abc123"));
        assert_eq!(kinds("微信：Lily2024"), one(Wechat, "lily2024"));
        assert_eq!(
            kinds("MECARD:N:Li;TEL:13900001111;;"),
            one(Phone, "+8613900001111")
        );
    }

    #[test]
    fn what_is_not_a_contact_says_nothing() {
        for raw in [
            "",
            "WIFI:S:cafe;T:WPA;P:secret;;",
            "mailto:a@example.com",
            "weixin://dl/moments",
            "javascript:alert(1)",
            "hello",
            "欢迎光临",
            "tel:12345",
        ] {
            assert!(classify(raw).is_empty(), "{raw}");
        }
    }
}
