//! Who is calling: passwords, access tokens (JWT), refresh tokens.
//! Pure mechanisms; the flows that use them (login, refresh, sign-out) are in
//! `crate::accounts`, the HTTP extractor in `crate::http::auth`.

pub mod password;
pub mod refresh;
pub mod tokens;
