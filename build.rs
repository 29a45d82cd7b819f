//! Makes cargo re-embed the web bundle when it changes: rust-embed reads
//! `web/dist` at compile time in release builds, which cargo does not track.
fn main() {
    println!("cargo:rerun-if-changed=web/dist");
}
