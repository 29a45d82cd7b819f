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
                    .iter()
                    .copied()
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

/// A closed set that is only names: the enum, `ALL`, `as_str`, the text
/// form of [`named_set!`], and storage as that text. For the sets with no
/// rules of their own (unit kinds, who wrote a message, the steps of a
/// lead's history; the store's own lifecycles use it too).
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($set:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType)]
        #[sea_orm(value_type = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        $crate::domain::named_set!($name, $set);
    };
}
pub(crate) use closed_set;

pub mod contact;
pub mod geo;
pub mod jurisdiction;
pub mod lead;
mod phone;
mod role;
pub mod tip;
pub mod unit;

pub use phone::{InvalidMobileNumber, MobileNumber};
pub use role::Role;
