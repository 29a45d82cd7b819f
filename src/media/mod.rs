//! Media: what the service does to the photos reporters upload.
//!
//! `pipeline` turns an upload's bytes into the renditions the service shows
//! (display copy and thumbnail), refusing what is not an image or is hostile.
//! It is pure and synchronous: no I/O, no HTTP, no storage, no database. The
//! upload endpoint owns streaming limits, keeping the original as evidence and
//! running the pipeline on a blocking thread behind a semaphore. `phash` is
//! the perceptual hash that finds the same picture uploaded again.

pub mod phash;
pub mod pipeline;
pub mod upload;
