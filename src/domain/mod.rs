//! Pure rules of the domain: no I/O, no HTTP, no database.
//!
//! The closed sets here (tip and lead states, contact kinds, roles) are
//! also the types of their database columns: [`named_set!`] gives each its
//! text form, and a `DeriveValueType` derive stores it as that text, so
//! the columns stayed strings and no migration was needed. That derive is
//! the one thing this module knows of the store.

/// A name outside one of the closed sets: bad input, or a row written by a
/// newer version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a {set}")]
pub struct UnknownName {
    pub set: &'static str,
    pub name: String,
}

/// `Display` and `FromStr` of a closed set by the names its `as_str` gives
/// (and `ALL` lists): the text the API shows and the database keeps. Values
/// order by name, as the text always sorted: lists keep their order, and
/// rows locked in that order still are (see `store::tips::count_added`).
macro_rules! named_set {
    ($t:ty, $set:literal) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $t {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $t {
            type Err = $crate::domain::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::domain::UnknownName {
                        set: $set,
                        name: s.to_owned(),
                    })
            }
        }
    };
}
pub(crate) use named_set;

pub mod contact;
pub mod geo;
pub mod jurisdiction;
pub mod lead;
mod phone;
mod role;
pub mod tip;

pub use phone::{InvalidMobileNumber, MobileNumber};
pub use role::Role;
