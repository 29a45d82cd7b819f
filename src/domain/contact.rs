//! Suspect contacts read off a card: phone numbers, WeChat ids, QQ numbers
//! and URLs (usually from a QR code), each normalised so that the same
//! contact written two ways is one contact — that is what groups tips into
//! leads.

use std::fmt;

use super::phone::MobileNumber;

/// What a contact is; stored as its name (`tip_contacts.kind`,
/// `first_reports.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum ContactKind {
    Phone,
    Wechat,
    Qq,
    Url,
}

super::named_set!(ContactKind, "contact kind");

impl ContactKind {
    pub const ALL: [ContactKind; 4] = [
        ContactKind::Phone,
        ContactKind::Wechat,
        ContactKind::Qq,
        ContactKind::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Wechat => "wechat",
            ContactKind::Qq => "qq",
            ContactKind::Url => "url",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A normalised contact.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Contact {
    kind: ContactKind,
    value: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidContact(&'static str);

impl Contact {
    pub fn parse(kind: ContactKind, raw: &str) -> Result<Self, InvalidContact> {
        let raw = raw.trim();
        let value = match kind {
            ContactKind::Phone => normalize_phone(raw)?,
            ContactKind::Wechat => normalize_wechat(raw)?,
            ContactKind::Qq => normalize_qq(raw)?,
            ContactKind::Url => normalize_url(raw)?,
        };
        Ok(Self { kind, value })
    }

    pub fn kind(&self) -> ContactKind {
        self.kind
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Suspects' contacts are case data: not for logs either.
        write!(f, "Contact({}, …)", self.kind.as_str())
    }
}

/// Mainland mobiles and landlines, to E.164. A landline is an area code
/// (`010`, `02x`, or a 4-digit `0xxx`) and a 7–8 digit local number.
fn normalize_phone(raw: &str) -> Result<String, InvalidContact> {
    if let Ok(mobile) = MobileNumber::parse(raw) {
        return Ok(mobile.e164().to_owned());
    }
    const BAD: InvalidContact =
        InvalidContact("not a mainland mobile or landline number (e.g. 13800138000, 010-62345678)");
    let mut digits = String::new();
    let mut plus = false;
    for c in raw.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return Err(BAD),
        }
    }
    let national = if plus {
        // +86 10 1234 5678: the trunk 0 is dropped after the country code.
        format!("0{}", digits.strip_prefix("86").ok_or(BAD)?)
    } else if let Some(rest) = digits.strip_prefix("0086") {
        format!("0{rest}")
    } else {
        digits
    };
    let rest = national.strip_prefix('0').ok_or(BAD)?;
    // Two-digit area codes: 10 (Beijing) and 20–29; others have three digits.
    let area_len = if rest.starts_with("10") || rest.starts_with('2') {
        2
    } else {
        3
    };
    if rest.len() < area_len || rest.starts_with('0') || rest.starts_with('1') && area_len == 3 {
        return Err(BAD);
    }
    let local = &rest[area_len..];
    if !(7..=8).contains(&local.len()) || local.starts_with(['0', '1']) {
        return Err(BAD);
    }
    Ok(format!("+86{rest}"))
}

/// WeChat ids: 6–20 characters, a letter first, then letters, digits, `_`
/// or `-`; case does not matter.
fn normalize_wechat(raw: &str) -> Result<String, InvalidContact> {
    let id = raw
        .strip_prefix("wxid:")
        .or_else(|| raw.strip_prefix("微信:"))
        .or_else(|| raw.strip_prefix("微信："))
        .unwrap_or(raw)
        .trim()
        .to_ascii_lowercase();
    let valid = (6..=20).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(id)
    } else {
        Err(InvalidContact(
            "not a WeChat id (6-20 letters, digits, _ or -, starting with a letter)",
        ))
    }
}

/// QQ numbers: 5–11 digits, not starting with 0.
fn normalize_qq(raw: &str) -> Result<String, InvalidContact> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let valid = (5..=11).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(digits)
    } else {
        Err(InvalidContact(
            "not a QQ number (5-11 digits, not starting with 0)",
        ))
    }
}

/// http(s) URLs, as the `url` crate normalises them (lower-case host,
/// default port dropped), without the fragment.
fn normalize_url(raw: &str) -> Result<String, InvalidContact> {
    const BAD: InvalidContact = InvalidContact("not an http(s) URL");
    if raw.len() > 2000 {
        return Err(InvalidContact("a URL of more than 2000 characters"));
    }
    let mut url = url::Url::parse(raw).map_err(|_| BAD)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(BAD);
    }
    url.set_fragment(None);
    let normalized = url.to_string();
    // Percent-encoding and punycode can lengthen it: the stored form counts.
    if normalized.len() > 2000 {
        return Err(InvalidContact("a URL of more than 2000 characters"));
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: ContactKind, raw: &str) -> Result<String, InvalidContact> {
        Contact::parse(kind, raw).map(|c| c.value().to_owned())
    }

    #[test]
    fn phones() {
        for (raw, e164) in [
            ("138 0013 8000", "+8613800138000"),
            ("010-62345678", "+861062345678"),
            ("(021) 6123 4567", "+862161234567"),
            ("+86 10 6234 5678", "+861062345678"),
            ("0755-8888 9999", "+8675588889999"),
            ("0571 8765432", "+865718765432"),
        ] {
            assert_eq!(value(ContactKind::Phone, raw).as_deref(), Ok(e164), "{raw}");
        }
        for bad in [
            "12345",
            "010-123",
            "+1 212 555 0100",
            "abc",
            "0010-12345678",
            "010-01234567",
        ] {
            assert!(value(ContactKind::Phone, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wechat_qq_url() {
        assert_eq!(
            value(ContactKind::Wechat, " Lily_2024 ").as_deref(),
            Ok("lily_2024")
        );
        assert_eq!(
            value(ContactKind::Wechat, "微信：Abc123x").as_deref(),
            Ok("abc123x")
        );
        for bad in ["abc", "1abcdef", "abc def1", "a".repeat(21).as_str()] {
            assert!(value(ContactKind::Wechat, bad).is_err(), "{bad}");
        }
        assert_eq!(
            value(ContactKind::Qq, "12345 678").as_deref(),
            Ok("12345678")
        );
        for bad in ["1234", "012345", "123456789012", "12a45"] {
            assert!(value(ContactKind::Qq, bad).is_err(), "{bad}");
        }
        assert_eq!(
            value(ContactKind::Url, "HTTPS://Example.COM:443/x?a=1#frag").as_deref(),
            Ok("https://example.com/x?a=1")
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.example/",
            "not a url",
            "weixin://dl",
        ] {
            assert!(value(ContactKind::Url, bad).is_err(), "{bad}");
        }
    }

    /// The reporter's app checks contacts as they are typed with its own
    /// copy of these rules; the cases it is tested on must be what the
    /// service does, or the app would let through what the service refuses.
    #[test]
    fn the_reporter_apps_cases_are_the_services_rules() {
        let cases: Vec<serde_json::Value> = serde_json::from_str(include_str!(
            "../../web/src/reporter/report/contact-cases.json"
        ))
        .unwrap();
        assert!(cases.len() > 40, "the app's cases went missing");
        for case in cases {
            let kind = ContactKind::parse(case["kind"].as_str().unwrap()).unwrap();
            let input = case["input"].as_str().unwrap();
            let expected = case["normalised"].as_str();
            assert_eq!(value(kind, input).ok().as_deref(), expected, "{case}");
        }
    }
}
