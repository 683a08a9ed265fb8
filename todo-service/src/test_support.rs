//! Shared set-up for the unit tests of the stores.

use std::sync::Arc;
use std::time::Duration;

use testkit::RedisServer;

use crate::keys::Keys;
use crate::outbox::{MemoryOutbox, Outbox, RedisOutbox};
use crate::todos::{MemoryTodos, RedisTodos, TodoStore};

/// The todo store and outbox in memory.
pub fn memory_stores() -> (Arc<dyn TodoStore>, Arc<dyn Outbox>) {
    let outbox = Arc::new(MemoryOutbox::default());
    (Arc::new(MemoryTodos::new(Arc::clone(&outbox))), outbox)
}

/// The todo store and outbox on a private Redis.
pub async fn redis_stores() -> (RedisServer, Arc<dyn TodoStore>, Arc<dyn Outbox>) {
    let (server, pool) = testkit::redis_pool()
        .await
        .expect("a private redis-server starts");
    let keys = Keys::new(&format!("t{}", uuid::Uuid::new_v4().simple()));
    let outbox = RedisOutbox::new(pool.clone(), keys.clone(), Duration::from_millis(20));
    (
        server,
        Arc::new(RedisTodos::new(pool, keys)),
        Arc::new(outbox),
    )
}
