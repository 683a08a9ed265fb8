//! The flags every server takes: its in-flight cap and its shutdown grace period.

use std::time::Duration;

use crate::duration::parse_duration;

/// How a server sheds load and stops.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Requests worked on at once; more are refused at once (gRPC UNAVAILABLE, HTTP 503).
    #[arg(long, env = "MAX_IN_FLIGHT", default_value_t = 1024)]
    pub max_in_flight: usize,
    /// How long a stopping server may take to finish the requests in flight.
    #[arg(long, env = "SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,
}
