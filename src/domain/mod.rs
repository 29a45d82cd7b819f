//! Pure rules of the domain: no I/O, no HTTP, no database.

mod phone;
mod role;

pub use phone::{InvalidMobileNumber, MobileNumber};
pub use role::Role;
