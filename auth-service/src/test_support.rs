//! Shared set-up for the unit tests of the stores.

use std::time::Duration;

use common::redis::RedisSettings;
use fred::prelude::Pool;
use testkit::RedisServer;

use crate::store::Stores;

/// A private redis-server and a pool on it.
pub async fn redis_pool() -> (RedisServer, Pool) {
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

/// A private redis-server and every store on it, under a random key prefix.
pub async fn redis_stores() -> (RedisServer, Stores) {
    let (redis, pool) = redis_pool().await;
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    (redis, Stores::redis(pool, &prefix))
}
