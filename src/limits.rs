//! Rate limits over the database's shared counters: each event is counted
//! first and then compared with the limit, in one statement per key, so
//! parallel requests on any number of nodes cannot slip past a check.
//!
//! Keys name people (a phone number, an address, a session), so what the
//! table keeps is a keyed hash of each: the counters work, and a copy of
//! the table tells nobody who tried what.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sea_orm::DbErr;
use sha2::Sha256;

use crate::app::AppState;
use crate::clock::unix_now;
use crate::store::rate_counters;

/// One counter and its maximum per window.
#[derive(Clone, Debug)]
pub struct Limit {
    pub key: String,
    pub max: u32,
}

impl Limit {
    pub fn new(key: impl Into<String>, max: u32) -> Self {
        Self {
            key: key.into(),
            max,
        }
    }
}

/// A limit was passed: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub retry_after: u64,
}

/// Counts one event against every limit. `Ok(Err(_))` when any of them is
/// now past its maximum; the event stays counted either way.
fn stored_key(state: &AppState, key: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&state.counter_secret[..]).expect("HMAC takes any key");
    mac.update(key.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..20])
}

pub async fn hit(
    state: &AppState,
    limits: &[Limit],
    window: Duration,
) -> Result<Result<(), Exceeded>, DbErr> {
    let window = window.as_secs() as i64;
    let now = unix_now() as i64;
    let mut retry_after = None;
    for limit in limits {
        let key = stored_key(state, &limit.key);
        let counter = rate_counters::hit(&state.db, &key, now, window).await?;
        if counter.count > limit.max as i32 {
            let left = (counter.window_start + window - now).max(1) as u64;
            retry_after = Some(retry_after.map_or(left, |r: u64| r.max(left)));
        }
    }
    Ok(match retry_after {
        Some(retry_after) => Err(Exceeded { retry_after }),
        None => Ok(()),
    })
}

/// Takes back one event from every limit (it turned out not to count).
pub async fn unhit(state: &AppState, limits: &[Limit]) -> Result<(), DbErr> {
    for limit in limits {
        rate_counters::unhit(&state.db, &stored_key(state, &limit.key)).await?;
    }
    Ok(())
}

/// The part of a client address that one client controls: the address for
/// IPv4, the /64 network for IPv6 (every host gets a whole /64).
pub fn address_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(
            address_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1"
        );
        assert_eq!(address_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
