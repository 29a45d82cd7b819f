use std::fmt;

/// An object key that is safe as a file path and as an S3 key: one or more
/// `/`-separated segments of ASCII letters, digits, `-`, `_` and `.`, none
/// empty and none starting with a dot (so no `.` or `..`, and no hidden
/// files). The service makes its keys from random ids, never from a client's
/// file name; a key read from a URL is parsed here before any use.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

#[derive(Debug, thiserror::Error)]
#[error("invalid object key: {0}")]
pub struct InvalidBlobKey(&'static str);

const MAX_LEN: usize = 512;

impl BlobKey {
    pub fn parse(key: &str) -> Result<Self, InvalidBlobKey> {
        if key.is_empty() {
            return Err(InvalidBlobKey("empty"));
        }
        if key.len() > MAX_LEN {
            return Err(InvalidBlobKey("too long"));
        }
        for segment in key.split('/') {
            if segment.is_empty() {
                return Err(InvalidBlobKey("empty segment"));
            }
            if segment.starts_with('.') {
                return Err(InvalidBlobKey("segment starts with a dot"));
            }
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
            if !segment.chars().all(allowed) {
                return Err(InvalidBlobKey("character outside [A-Za-z0-9._-]"));
            }
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobKey({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_service_keys() {
        for key in ["media/0192f0c2-7a1b/display.jpg", "a", "x/y.z/w_1-2"] {
            assert_eq!(BlobKey::parse(key).unwrap().as_str(), key);
        }
    }

    #[test]
    fn refuses_anything_that_could_leave_the_store() {
        for key in [
            "",
            "../etc/passwd",
            "a/../b",
            "a/./b",
            "/abs",
            "a//b",
            "a/",
            ".hidden",
            "a\\b",
            "a/%2e%2e/b",
            "a b",
            "ключ",
            "a\0b",
        ] {
            assert!(BlobKey::parse(key).is_err(), "{key:?} was accepted");
        }
        assert!(BlobKey::parse(&"a".repeat(513)).is_err());
    }
}
