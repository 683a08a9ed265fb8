//! Shared set-up for the unit tests of the stores.

use std::sync::Arc;
use std::time::Duration;

use common::redis::RedisSettings;
use fred::prelude::Pool;
use testkit::RedisServer;

use crate::keys::Keys;
use crate::outbox::{MemoryOutbox, Outbox, RedisOutbox};
use crate::todos::{MemoryTodos, RedisTodos, TodoStore};

/// A private redis-server and a pool on it.
pub async fn redis() -> (RedisServer, Pool) {
    let redis = RedisServer::start()
        .await
        .expect("a private redis-server starts");
    let settings = RedisSettings {
        url: redis.url(),
        timeout: Duration::from_secs(2),
        pool_size: 2,
    };
    let pool = common::redis::connect(&settings)
        .await
        .expect("redis pool builds");
    (redis, pool)
}

/// The todo store and outbox in memory.
pub fn memory_stores() -> (Arc<dyn TodoStore>, Arc<dyn Outbox>) {
    let outbox = Arc::new(MemoryOutbox::default());
    (Arc::new(MemoryTodos::new(Arc::clone(&outbox))), outbox)
}

/// The todo store and outbox on a private Redis.
pub async fn redis_stores() -> (RedisServer, Arc<dyn TodoStore>, Arc<dyn Outbox>) {
    let (server, pool) = redis().await;
    let keys = Keys::new(&format!("t{}", uuid::Uuid::new_v4().simple()));
    let outbox = RedisOutbox::new(pool.clone(), keys.clone(), Duration::from_millis(20));
    (
        server,
        Arc::new(RedisTodos::new(pool, keys)),
        Arc::new(outbox),
    )
}
