use std::fmt;

/// A mainland China mobile number in E.164 (`+8613800138000`): eleven digits
/// starting `13`–`19` after the country code. Parsing accepts how people write
/// them — `13800138000`, `+86 138 0013 8000`, `0086-138-0013-8000`,
/// `(+86) 13800138000` — and nothing else, so two spellings of one number
/// are always the same account.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a mainland China mobile number (11 digits starting with 13–19, optionally +86)")]
pub struct InvalidMobileNumber;

impl MobileNumber {
    pub fn parse(input: &str) -> Result<Self, InvalidMobileNumber> {
        let input = input.trim();
        let mut digits = String::with_capacity(16);
        let mut international = false;
        for c in input.chars() {
            match c {
                '0'..='9' => digits.push(c),
                // A `+` only before the first digit: `+86 …` or `(+86) …`.
                '+' if digits.is_empty() && !international => international = true,
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(InvalidMobileNumber),
            }
        }
        let national = if international {
            // Written with a country code, it must be China's.
            digits.strip_prefix("86")
        } else if let Some(rest) = digits.strip_prefix("0086") {
            Some(rest)
        } else if digits.len() == 13 {
            digits.strip_prefix("86")
        } else {
            Some(digits.as_str())
        };
        let national = national.ok_or(InvalidMobileNumber)?;
        let valid = national.len() == 11
            && national.starts_with('1')
            && matches!(national.as_bytes()[1], b'3'..=b'9');
        if valid {
            Ok(Self(format!("+86{national}")))
        } else {
            Err(InvalidMobileNumber)
        }
    }

    /// `+8613800138000`.
    pub fn e164(&self) -> &str {
        &self.0
    }
}

/// Phone numbers identify people: they are never printed whole.
impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MobileNumber(+86*******{})", &self.0[self.0.len() - 4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_number_are_one_number() {
        for spelling in [
            "13800138000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086-138-0013-8000",
            "(+86) 138-0013-8000",
            "86 13800138000",
            " 138 0013 8000 ",
        ] {
            assert_eq!(
                MobileNumber::parse(spelling).map(|n| n.e164().to_owned()),
                Ok("+8613800138000".to_owned()),
                "{spelling}"
            );
        }
    }

    #[test]
    fn other_numbers_are_refused() {
        for bad in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "+1 415 555 0100",
            "010-12345678",
            "+86 10 1234 5678",
            "1380013800O",
            "13800138000+",
            "+86+13800138000",
            "٣800138000",
        ] {
            assert_eq!(MobileNumber::parse(bad), Err(InvalidMobileNumber), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_number() {
        let n = MobileNumber::parse("13800138000").unwrap();
        assert_eq!(format!("{n:?}"), "MobileNumber(+86*******8000)");
    }
}
