use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::BlobKey;
use crate::clock::unix_now;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks the URLs of the local-file store, which this service
/// serves itself under `/v1/blobs/{key}?expires=..&signature=..`.
///
/// The signature is HMAC-SHA256 over the key and the expiry, with a key
/// derived from the service's signing secret for this one purpose, so a
/// signature can neither be moved to another object nor outlive its expiry.
#[derive(Clone)]
pub struct UrlSigner {
    mac: HmacSha256,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedUrlError {
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature does not match")]
    BadSignature,
}

impl UrlSigner {
    pub fn new(signing_secret: &[u8]) -> Self {
        let key = crate::secrets::derive(signing_secret, b"tipline/blob-url/v1");
        Self {
            mac: HmacSha256::new_from_slice(&key).expect("HMAC takes any key"),
        }
    }

    /// The query string (`expires=..&signature=..`) that lets a GET of `key`
    /// through until `expires_in` from now.
    pub fn sign(&self, key: &BlobKey, expires_in: Duration) -> String {
        let expires = unix_now().saturating_add(expires_in.as_secs().max(1));
        let signature = hex::encode(self.tag(key, expires));
        format!("expires={expires}&signature={signature}")
    }

    /// Checks a signature in constant time, then the expiry; answers how long
    /// the URL stays valid.
    pub fn verify(
        &self,
        key: &BlobKey,
        expires: u64,
        signature: &str,
    ) -> Result<Duration, SignedUrlError> {
        let given = hex::decode(signature).map_err(|_| SignedUrlError::BadSignature)?;
        let mut mac = self.mac.clone();
        mac.update(&message(key, expires));
        mac.verify_slice(&given)
            .map_err(|_| SignedUrlError::BadSignature)?;
        match expires.checked_sub(unix_now()) {
            Some(left) if left > 0 => Ok(Duration::from_secs(left)),
            _ => Err(SignedUrlError::Expired),
        }
    }

    fn tag(&self, key: &BlobKey, expires: u64) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(&message(key, expires));
        mac.finalize().into_bytes().to_vec()
    }
}

fn message(key: &BlobKey, expires: u64) -> Vec<u8> {
    format!("GET\n{key}\n{expires}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(query: &str) -> (u64, String) {
        let mut expires = 0;
        let mut signature = String::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("expires", v)) => expires = v.parse().unwrap(),
                Some(("signature", v)) => signature = v.to_owned(),
                _ => {}
            }
        }
        (expires, signature)
    }

    #[test]
    fn a_signature_fits_one_key_one_expiry_one_secret() {
        let signer = UrlSigner::new(b"0123456789abcdef0123456789abcdef");
        let key = BlobKey::parse("media/a/display.jpg").unwrap();
        let (expires, sig) = parts(&signer.sign(&key, Duration::from_secs(60)));
        let left = signer.verify(&key, expires, &sig).unwrap();
        assert!(
            left <= Duration::from_secs(60) && left >= Duration::from_secs(58),
            "{left:?}"
        );

        let other = BlobKey::parse("media/b/display.jpg").unwrap();
        assert_eq!(
            signer.verify(&other, expires, &sig),
            Err(SignedUrlError::BadSignature)
        );
        assert_eq!(
            signer.verify(&key, expires + 1, &sig),
            Err(SignedUrlError::BadSignature)
        );
        assert_eq!(
            signer.verify(&key, expires, "zz"),
            Err(SignedUrlError::BadSignature)
        );
        let stranger = UrlSigner::new(b"another secret, another service.");
        assert_eq!(
            stranger.verify(&key, expires, &sig),
            Err(SignedUrlError::BadSignature)
        );
    }

    #[test]
    fn an_honest_signature_still_expires() {
        let signer = UrlSigner::new(b"0123456789abcdef0123456789abcdef");
        let key = BlobKey::parse("k").unwrap();
        let past = unix_now() - 10;
        let sig = hex::encode(signer.tag(&key, past));
        assert_eq!(
            signer.verify(&key, past, &sig),
            Err(SignedUrlError::Expired)
        );
    }
}
