//! What every service shares: logging, bearer parsing, durations, E.164 phone numbers, load
//! shedding and server flags, the Redis connection from `REDIS_URL`/`REDIS_DSN`, reflection,
//! the shutdown signal, and the probes behind the containers' health checks.

pub mod bearer;
pub mod duration;
pub mod grpc;
pub mod limit;
pub mod phone;
pub mod probe;
pub mod redis;
pub mod server_args;
pub mod shutdown;
pub mod telemetry;
