//! Login throttling: failed logins counted per username and per client address in fixed
//! windows, in the shared store so every replica sees the same counts. Past a limit, logins
//! for that name or from that address are refused, the right password included, until the
//! window ends; a successful login clears the username's count.
//!
//! Redis keys: `<prefix>:{throttle}:u:<username>` and `<prefix>:{throttle}:a:<ip address>`,
//! counters whose TTL is the window. One hash tag, so one script sees both; only parsed
//! usernames and IP addresses ever name a key.

mod memory;
mod redis;

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use common::redis::StoreError;

pub use self::memory::MemoryThrottle;
pub use self::redis::RedisThrottle;
use crate::users::Username;

/// Limits of failed logins.
#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    pub max_failures_per_user: u32,
    pub max_failures_per_address: u32,
    pub window: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            max_failures_per_user: 10,
            max_failures_per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// One counted thing and its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// `u:<username>` or `a:<address>`.
    pub name: String,
    pub limit: u32,
}

/// The counters a login attempt touches.
pub fn counters(
    settings: &ThrottleSettings,
    username: Option<&Username>,
    address: Option<IpAddr>,
) -> Vec<Counter> {
    let mut counters = Vec::with_capacity(2);
    if let Some(name) = username {
        counters.push(Counter {
            name: format!("u:{}", name.as_str()),
            limit: settings.max_failures_per_user,
        });
    }
    if let Some(address) = address {
        counters.push(Counter {
            name: format!("a:{address}"),
            limit: settings.max_failures_per_address,
        });
    }
    counters
}

/// Counts failed logins.
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// How long until the attempt may be made, if any counter is at its limit.
    async fn blocked(&self, counters: &[Counter]) -> Result<Option<Duration>, StoreError>;
    /// Counts one failure on each counter; a counter's first failure opens its window.
    async fn record_failure(
        &self,
        counters: &[Counter],
        window: Duration,
    ) -> Result<(), StoreError>;
    /// Forgets a counter (a successful login clears its username's).
    async fn reset(&self, counter: &Counter) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests;
