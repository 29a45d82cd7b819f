//! Pure rules of the domain: no I/O, no HTTP, no database.

mod role;

pub use role::Role;
