//! Contacts in printed text: phone numbers, WeChat ids (after 微信 / VX /
//! wx / 加V … labels), QQ numbers (after QQ labels) and web addresses, from
//! the lines an OCR model read, normalised with the domain's rules.
//!
//! Pure functions of the text. Cards are written to be read by people, so
//! the rules follow how they are written: labels with or without a colon,
//! full-width digits and colons, numbers split by spaces or dashes, and the
//! confusions OCR makes (`O` for `0`, `l` for `1`) inside numbers.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Region, Source};
use crate::domain::contact::{Contact, ContactKind};

/// One line of text read off the photo.
#[derive(Clone, Debug)]
pub struct TextLine {
    pub text: String,
    /// 0..1, the recogniser's confidence in the line.
    pub confidence: f32,
    /// The line's box in the upright photo.
    pub region: Region,
}

/// The contacts in the lines, each with the box of the part of its line
/// where it was read.
pub fn extract(lines: &[TextLine]) -> Vec<Found> {
    let mut found = Vec::new();
    for line in lines {
        let chars: Vec<char> = line.text.chars().collect();
        for (contact, confidence, span) in extract_str(&line.text) {
            found.push(Found {
                contact,
                source: Source::Text,
                confidence: (confidence * line.confidence).clamp(0.0, 1.0),
                region: span_region(&line.region, &chars, span),
            });
        }
    }
    found
}

/// The contacts in one piece of text: each with how sure the reading is
/// (before the recogniser's own confidence) and its range of characters
/// (not bytes) in `text`.
pub fn extract_str(text: &str) -> Vec<(Contact, f32, Range<usize>)> {
    let plain: Vec<char> = text.chars().map(half_width).collect();
    let plain_str: String = plain.iter().collect();
    let char_at = byte_to_char(&plain_str);
    let mut found = Vec::new();
    labelled_ids(&plain_str, &char_at, &mut found);
    phones(&plain, &mut found);
    urls(&plain_str, &char_at, &mut found);
    found
}

/// Full-width ASCII forms (`１３８`, `：`) and the ideographic space as
/// their ASCII selves; one character for one, so positions still match.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        // Dashes and the long bar printed or read between digit groups.
        '—' | '–' | '―' | '‐' | '·' => '-',
        _ => c,
    }
}

/// The character index of every byte offset of `s` (a char boundary's).
fn byte_to_char(s: &str) -> Vec<usize> {
    let mut at = vec![0; s.len() + 1];
    let mut n = 0;
    for (i, c) in s.char_indices() {
        for slot in &mut at[i..i + c.len_utf8()] {
            *slot = n;
        }
        n += 1;
    }
    at[s.len()] = n;
    at
}

/// Separators people put between a label and what it labels.
const LABEL_GAP: &str = r"[\s:：.\-_~=>/|]*";

/// Chinese WeChat labels, which may run straight into the id.
static WECHAT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:微信|威信|薇信|徽信|维信|[Vv]信|加[Vv]|\+[Vv]|加微)(?:号码|号)?{LABEL_GAP}"
    ))
    .unwrap()
});

/// Latin WeChat labels (vx, wx, wechat, V:): only with a gap or 号 after
/// them, or `wxid_…` and plain words would match.
static WECHAT_LATIN_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^A-Za-z0-9_])(vx|wx|weixin|wechat|v)(号)?([\s:.\-_~=>/|]*)").unwrap()
});

static QQ_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // "QQ:" after an id that OCR glued to it (`lily2024QQ:123…`) is a label too.
    Regex::new(&format!(
        r"(?i)(?:(?:^|[^A-Za-z0-9])(?:qq|q)号?(?:号码)?{LABEL_GAP}|qq[:：]{LABEL_GAP}|(?:扣扣|企鹅|球球|抠抠)号?(?:号码)?{LABEL_GAP})"
    ))
    .unwrap()
});

/// An id or number right after a label: Latin letters, digits, `_` and `-`.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_\-]+").unwrap());

/// Digits after a QQ label, perhaps in groups.
static QQ_DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+(?: \d+)*").unwrap());

/// Ids that name themselves (`wxid_…`), with no label needed.
static WXID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:^|[^A-Za-z0-9_])(wxid_[A-Za-z0-9_\-]{3,15})").unwrap());

/// Labels that OCR, dropping the space, glues onto the end of an id before
/// the next label's colon (`VX:lily2024QQ:12345`).
const GLUED_LABELS: [&str; 6] = ["qq", "tel", "vx", "wx", "电话", "v"];

fn labelled_ids(s: &str, char_at: &[usize], found: &mut Vec<(Contact, f32, Range<usize>)>) {
    let chinese = WECHAT_LABEL.find_iter(s).map(|m| m.end());
    let latin = WECHAT_LATIN_LABEL.captures_iter(s).filter_map(|c| {
        let (word, hao, gap) = (c.get(1)?, c.get(2), c.get(3)?);
        // A lone V is a label only with a colon: "V:abc123".
        let is_label = if word.as_str().eq_ignore_ascii_case("v") {
            gap.as_str().contains(':')
        } else {
            hao.is_some() || !gap.as_str().is_empty()
        };
        is_label.then(|| gap.end())
    });
    let mut label_ends: Vec<usize> = chinese.chain(latin).collect();
    label_ends.sort_unstable();
    label_ends.dedup();
    for start in label_ends {
        let rest = &s[start..];
        let Some(token) = TOKEN.find(rest) else {
            continue;
        };
        let mut id = token.as_str().trim_end_matches(['-', '_']);
        let after = &rest[token.end()..];
        if after.starts_with([':', '：']) {
            let lower = id.to_ascii_lowercase();
            if let Some(glued) = GLUED_LABELS.iter().find(|l| lower.ends_with(*l)) {
                id = &id[..id.len() - glued.len()];
            }
        }
        let span = char_at[start]..char_at[start + id.len()];
        if id.starts_with(|c: char| c.is_ascii_alphabetic()) {
            if let Ok(contact) = Contact::parse(ContactKind::Wechat, id) {
                found.push((contact, 0.93, span));
            }
        } else if id.chars().all(|c| c.is_ascii_digit()) {
            // WeChat finds people by their phone number: "微信 138…" is a
            // phone; the phone scan picks it up.
        }
    }
    for m in WXID.captures_iter(s) {
        let id = m.get(1).expect("group 1 always takes part");
        if let Ok(contact) = Contact::parse(ContactKind::Wechat, id.as_str()) {
            found.push((contact, 0.85, char_at[id.start()]..char_at[id.end()]));
        }
    }
    for label in QQ_LABEL.find_iter(s) {
        let rest = &s[label.end()..];
        let Some(groups) = QQ_DIGITS.find(rest) else {
            continue;
        };
        // Groups split by single spaces, as long as they stay a QQ number's
        // length: "QQ 1234 5678 13800138000" is a QQ number and a phone.
        let mut end = 0;
        let mut len = 0;
        for group in groups.as_str().split(' ') {
            if len + group.len() > 11 {
                break;
            }
            len += group.len();
            end += group.len() + usize::from(end > 0);
        }
        let digits = &groups.as_str()[..end];
        let start = label.end();
        let span = char_at[start]..char_at[start + end];
        if let Ok(contact) = Contact::parse(ContactKind::Qq, digits) {
            found.push((contact, 0.93, span));
        }
    }
}

/// Phone labels: a number after one is surely a phone.
static PHONE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:电话|手机|热线|联系|致电|预约|咨询|tel|phone|mobile|☎|📞|✆|电)号?(?:码)?[\s:：.\-_~=>/|]*$")
        .unwrap()
});

fn is_digit_like(c: char) -> bool {
    matches!(c, 'O' | 'o' | 'D' | 'l' | 'I' | '|' | 'i' | 'L')
}

fn digit_of(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        'O' | 'o' | 'D' => Some('0'),
        'l' | 'I' | '|' | 'i' | 'L' => Some('1'),
        _ => None,
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '一' | '_')
}

/// Phone numbers: runs of digit groups, split where a valid number ends.
fn phones(s: &[char], found: &mut Vec<(Contact, f32, Range<usize>)>) {
    // Groups of digits (OCR look-alikes counted when they touch a digit),
    // with where each starts and ends.
    let mut groups: Vec<(String, Range<usize>, usize)> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let starts_group = s[i].is_ascii_digit()
            || (s[i] == '+' && s.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        if !starts_group {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        let mut lookalikes = 0;
        if s[i] == '+' {
            digits.push('+');
            i += 1;
        }
        while i < s.len() {
            let c = s[i];
            if c.is_ascii_digit() {
                digits.push(c);
            } else if is_digit_like(c)
                && (s
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_digit() || is_digit_like(*n))
                    && digits.chars().last().is_some_and(|d| d.is_ascii_digit()))
            {
                digits.push(digit_of(c).expect("a look-alike"));
                lookalikes += 1;
            } else {
                break;
            }
            i += 1;
        }
        groups.push((digits, start..i, lookalikes));
    }
    // A number is consecutive groups with only separators between them,
    // not glued to Latin letters or digits on either side (an id's digits).
    let joined = |a: &Range<usize>, b: &Range<usize>| {
        b.start - a.end <= 2 && s[a.end..b.start].iter().all(|&c| is_separator(c))
    };
    let glued_before = |r: &Range<usize>| {
        r.start > 0 && (s[r.start - 1].is_ascii_alphanumeric() || s[r.start - 1] == '_')
    };
    let glued_after = |r: &Range<usize>| {
        s.get(r.end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    };
    let mut g = 0;
    while g < groups.len() {
        // The longest valid number starting at group g.
        let mut best = None;
        let mut digits = String::new();
        let mut lookalikes = 0;
        for h in g..groups.len() {
            if h > g && !joined(&groups[h - 1].1, &groups[h].1) {
                break;
            }
            digits.push_str(&groups[h].0);
            lookalikes += groups[h].2;
            if digits.len() > 16 {
                break;
            }
            if let Ok(contact) = Contact::parse(ContactKind::Phone, &digits) {
                best = Some((contact, h, lookalikes));
            }
        }
        let Some((contact, last, lookalikes)) = best else {
            g += 1;
            continue;
        };
        let span = groups[g].1.start..groups[last].1.end;
        if glued_before(&span) || glued_after(&span) {
            g = last + 1;
            continue;
        }
        let before: String = s[span.start.saturating_sub(8)..span.start].iter().collect();
        let labelled = PHONE_LABEL.is_match(&before);
        let mobile = contact.value().starts_with("+861");
        let mut confidence = match (labelled, mobile) {
            (true, _) => 0.97,
            (false, true) => 0.92,
            // Unlabelled landlines could be any number on the card.
            (false, false) => 0.7,
        };
        confidence *= 0.85_f32.powi(lookalikes as i32);
        found.push((contact, confidence, span));
        g = last + 1;
    }
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+").unwrap()
});

fn urls(s: &str, char_at: &[usize], found: &mut Vec<(Contact, f32, Range<usize>)>) {
    for m in URL.find_iter(s) {
        let text = m.as_str().trim_end_matches(['.', ',', ')', ';']);
        let full = if text.to_ascii_lowercase().starts_with("www.") {
            format!("http://{text}")
        } else {
            text.to_owned()
        };
        if let Ok(contact) = Contact::parse(ContactKind::Url, &full) {
            let span = char_at[m.start()]..char_at[m.start() + text.len()];
            found.push((contact, 0.85, span));
        }
    }
}

/// The box of characters `span` of a line, assuming the line runs left to
/// right across its box and Chinese characters are about twice as wide as
/// Latin letters and digits.
fn span_region(line: &Region, chars: &[char], span: Range<usize>) -> Region {
    let weight = |c: &char| if c.is_ascii() { 1.0 } else { 1.8 };
    let total: f32 = chars.iter().map(weight).sum::<f32>().max(1.0);
    let before: f32 = chars[..span.start.min(chars.len())]
        .iter()
        .map(weight)
        .sum();
    let inside: f32 = chars[span.start.min(chars.len())..span.end.min(chars.len())]
        .iter()
        .map(weight)
        .sum();
    Region {
        x: line.x + line.width * before / total,
        y: line.y,
        width: line.width * inside / total,
        height: line.height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is read from `text`: (kind, value) in the order found.
    fn read(text: &str) -> Vec<(&'static str, String)> {
        let mut found: Vec<_> = extract_str(text)
            .into_iter()
            .map(|(c, _, _)| (c.kind().as_str(), c.value().to_owned()))
            .collect();
        found.sort();
        found.dedup();
        found
    }

    fn phone(e164: &str) -> (&'static str, String) {
        ("phone", e164.to_owned())
    }
    fn wechat(id: &str) -> (&'static str, String) {
        ("wechat", id.to_owned())
    }
    fn qq(n: &str) -> (&'static str, String) {
        ("qq", n.to_owned())
    }

    #[test]
    fn phone_numbers_as_cards_print_them() {
        for (text, e164) in [
            ("13800138000", "+8613800138000"),
            ("电话：138 0013 8000", "+8613800138000"),
            ("热线 138-0013-8000 全天服务", "+8613800138000"),
            ("预约电话15912345678美女上门", "+8615912345678"),
            ("１３９ ０００１ １１１２", "+8613900011112"),
            ("Tel:+86 186 1234 5678", "+8618612345678"),
            ("手机：138一0013一8000", "+8613800138000"),
            ("0755-8888 9999", "+8675588889999"),
            ("电话:177O0l23456", "+8617700123456"),
        ] {
            assert_eq!(read(text), vec![phone(e164)], "{text}");
        }
    }

    #[test]
    fn two_numbers_on_one_line_are_two() {
        assert_eq!(
            read("13800138000 13900139000"),
            vec![phone("+8613800138000"), phone("+8613900139000")]
        );
    }

    #[test]
    fn wechat_ids_after_their_labels() {
        for (text, id) in [
            ("微信：Lily_2024", "lily_2024"),
            ("微信号:abc123456", "abc123456"),
            ("VX: sweet-girl88", "sweet-girl88"),
            ("vx:meimei520", "meimei520"),
            ("V信 yy66688", "yy66688"),
            ("加V：kk778899 安全可靠", "kk778899"),
            ("wx：Anna_1990", "anna_1990"),
            ("WeChat: Happy_Day9", "happy_day9"),
            ("薇信xiaomei888", "xiaomei888"),
            ("加微mm12345", "mm12345"),
            ("wxid_k2j3h4g5", "wxid_k2j3h4g5"),
        ] {
            assert_eq!(read(text), vec![wechat(id)], "{text}");
        }
    }

    #[test]
    fn labels_glued_by_ocr_are_split() {
        assert_eq!(
            read("VX:lily2024QQ:12345678"),
            vec![qq("12345678"), wechat("lily2024")]
        );
    }

    #[test]
    fn a_qq_number_then_a_phone() {
        assert_eq!(
            read("QQ 1234 5678 13800138000"),
            vec![phone("+8613800138000"), qq("12345678")]
        );
    }

    #[test]
    fn a_phone_after_a_wechat_label_is_a_phone() {
        assert_eq!(read("微信同号 13800138000"), vec![phone("+8613800138000")]);
        assert_eq!(read("微信：13800138000"), vec![phone("+8613800138000")]);
    }

    #[test]
    fn qq_numbers_after_their_labels() {
        for (text, n) in [
            ("QQ:12345678", "12345678"),
            ("QQ号 987654321", "987654321"),
            ("扣扣：２７６５４３２１", "27654321"),
            ("qq 1234 5678", "12345678"),
            ("QQ:12345678 电话", "12345678"),
        ] {
            assert_eq!(read(text), vec![qq(n)], "{text}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            read("官网 www.Example.com/a 详询"),
            vec![("url", "http://www.example.com/a".to_owned())]
        );
        assert_eq!(
            read("https://u.wechat.com/abc"),
            vec![("url", "https://u.wechat.com/abc".to_owned())]
        );
    }

    #[test]
    fn noise_is_not_a_contact() {
        for text in [
            "学生妹 少妇 上门服务",
            "2024年05月01日",
            "价格 300 500 800",
            "房号 1203",
            "id abc12345",
            "lily13800138000",
            "12345678901234567890",
            "微信",
            "VX:",
            "QQ:0123",
            "wechat pay",
        ] {
            assert_eq!(read(text), vec![], "{text}");
        }
    }

    #[test]
    fn boxes_cover_the_part_of_the_line() {
        let line = TextLine {
            text: "VX:abc123".into(),
            confidence: 0.9,
            region: Region {
                x: 0.1,
                y: 0.5,
                width: 0.9,
                height: 0.1,
            },
        };
        let found = extract(&[line]);
        assert_eq!(found.len(), 1);
        let r = found[0].region;
        assert!(
            (r.x - 0.4).abs() < 1e-4 && (r.width - 0.6).abs() < 1e-4,
            "{r:?}"
        );
        assert!((found[0].confidence - 0.93 * 0.9).abs() < 1e-4);
        assert_eq!(found[0].source, Source::Text);
    }
}
