//! What every service shares: the tracing subscriber, bearer-header parsing, human durations,
//! E.164 phone numbers, load shedding, the Redis connection built from `REDIS_URL`/`REDIS_DSN`, the
//! shutdown signal and the health probes of container health checks.

pub mod bearer;
pub mod duration;
pub mod limit;
pub mod phone;
pub mod probe;
pub mod redis;
pub mod reflection;
pub mod server_args;
pub mod shutdown;
pub mod telemetry;
