//! Who is calling: passwords now; tokens, receipts and roles' permissions
//! come with the accounts work.

pub mod password;
