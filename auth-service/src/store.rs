//! Where users, sessions and failed-login counts live: Redis for real deployments, memory for the embedded mode and
//! unit tests. Both stores answer the same traits ([`crate::users::UserStore`],
//! [`crate::sessions::SessionStore`]); this module picks one from the configuration.

use std::sync::Arc;

pub use common::redis::StoreError;
use fred::prelude::Pool;

use crate::sessions::{MemorySessions, RedisSessions, SessionStore};
use crate::throttle::{LoginThrottle, MemoryThrottle, RedisThrottle};
use crate::users::{MemoryUsers, RedisUsers, UserStore};

/// Both stores, ready to share between tasks.
#[derive(Clone)]
pub struct Stores {
    pub users: Arc<dyn UserStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub throttle: Arc<dyn LoginThrottle>,
}

impl Stores {
    /// Every store in process memory; lost on exit.
    pub fn in_memory() -> Self {
        Self {
            users: Arc::new(MemoryUsers::default()),
            sessions: Arc::new(MemorySessions::default()),
            throttle: Arc::new(MemoryThrottle::default()),
        }
    }

    /// Every store in Redis, under keys that start with `prefix`.
    pub fn redis(pool: Pool, prefix: &str) -> Self {
        Self {
            users: Arc::new(RedisUsers::new(pool.clone(), prefix)),
            sessions: Arc::new(RedisSessions::new(pool.clone(), prefix)),
            throttle: Arc::new(RedisThrottle::new(pool, prefix)),
        }
    }
}
