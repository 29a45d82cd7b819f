//! The integration tests: one binary (one link on a slow machine), a module
//! per area. Each test talks HTTP to a real app on 127.0.0.1, on the backend
//! the run was started for (see `helpers`).

mod contract;
mod helpers;

mod accounts;
mod audit;
mod authz;
mod blobs;
mod cli;
mod errors;
mod faults;
mod lifecycle;
mod live;
mod migrations;
mod moderation;
mod nodes;
mod ops;
mod readiness;
mod reporting;
mod spec;
mod suggestions;
mod throttle;
mod units;
