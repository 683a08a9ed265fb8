//! Shared set-up for the unit tests of the stores.

use testkit::RedisServer;

use crate::store::Stores;

pub use testkit::redis_pool;

/// A private redis-server and every store on it, under a random key prefix.
pub async fn redis_stores() -> (RedisServer, Stores) {
    let (redis, pool) = redis_pool().await.expect("a private redis-server starts");
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    (redis, Stores::redis(pool, &prefix))
}
