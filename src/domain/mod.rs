//! Pure rules of the domain: no I/O, no HTTP, no database.

pub mod contact;
pub mod geo;
pub mod jurisdiction;
pub mod lead;
mod phone;
mod role;
pub mod tip;

pub use phone::{InvalidMobileNumber, MobileNumber};
pub use role::Role;
