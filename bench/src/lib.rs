//! loadgen: drives the system with fixed scenarios (gRPC `Verify`; HTTP `todo`, `login`,
//! `refresh`, `mixed` through the gateway), bounded in time and count, against loopback only,
//! and reports throughput, latency percentiles and errors by status.

pub mod cli;
pub mod http1;
pub mod report;
pub mod scenarios;
