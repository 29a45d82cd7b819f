//! tipline: citizen tip reporting. `main.rs` parses the command line; every
//! command is a function here, so tests and tools reuse them.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod app;
pub mod auth;
pub mod blob;
pub mod bootstrap;
pub mod casework;
pub mod clock;
pub mod commands;
pub mod config;
pub mod context;
pub mod deadlines;
pub mod domain;
pub mod error;
pub mod feed;
pub mod forwarding;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod limits;
pub mod media;
pub mod moderation;
pub mod reading;
pub mod reporting;
pub mod sealer;
pub mod secrets;
pub mod seed;
pub mod server;
pub mod stats;
pub mod store;
pub mod suggestions;
pub mod telemetry;
pub mod units;
pub mod vocabulary;
pub mod webhooks;
