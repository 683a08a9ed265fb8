//! auth-service: logs users in and issues, verifies, rotates and revokes their JWTs. Session
//! metadata lives in Redis (or memory), so a logout or a detected token reuse takes effect on
//! the very next call, on every replica.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod grpc;
pub mod password;
pub mod sessions;
pub mod startup;
pub mod store;
pub mod throttle;
pub mod token;
pub mod users;

#[cfg(test)]
mod test_support;
