//! Failed-login counters in Redis, each operation one script.

use std::time::Duration;

use async_trait::async_trait;
use common::redis::StoreError;
use fred::prelude::{KeysInterface, Pool};
use fred::types::scripts::Script;

use super::{Counter, LoginThrottle};

/// The longest remaining window (ms) among counters at their limit, or 0.
/// KEYS: counters. ARGV: their limits, in the same order.
const BLOCKED: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', key)
    if ttl > wait then wait = ttl end
  end
end
return wait
";

/// Counts a failure on each counter; the first failure opens the window.
/// KEYS: counters. ARGV: window ms.
const FAIL: &str = r"
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 or redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return 1
";

/// Failed-login counters in Redis.
pub struct RedisThrottle {
    pool: Pool,
    prefix: String,
    blocked: Script,
    fail: Script,
}

impl RedisThrottle {
    pub fn new(pool: Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: prefix.to_owned(),
            blocked: Script::from_lua(BLOCKED),
            fail: Script::from_lua(FAIL),
        }
    }

    fn key(&self, counter: &Counter) -> String {
        format!("{}:{{throttle}}:{}", self.prefix, counter.name)
    }

    fn keys(&self, counters: &[Counter]) -> Vec<String> {
        counters.iter().map(|c| self.key(c)).collect()
    }
}

#[async_trait]
impl LoginThrottle for RedisThrottle {
    async fn blocked(&self, counters: &[Counter]) -> Result<Option<Duration>, StoreError> {
        if counters.is_empty() {
            return Ok(None);
        }
        let limits: Vec<String> = counters.iter().map(|c| c.limit.to_string()).collect();
        let wait_ms: i64 = self
            .blocked
            .evalsha_with_reload(self.pool.next(), self.keys(counters), limits)
            .await?;
        Ok(u64::try_from(wait_ms)
            .ok()
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis))
    }

    async fn record_failure(
        &self,
        counters: &[Counter],
        window: Duration,
    ) -> Result<(), StoreError> {
        if counters.is_empty() {
            return Ok(());
        }
        let _: i64 = self
            .fail
            .evalsha_with_reload(
                self.pool.next(),
                self.keys(counters),
                vec![window.as_millis().to_string()],
            )
            .await?;
        Ok(())
    }

    async fn reset(&self, counter: &Counter) -> Result<(), StoreError> {
        let _: i64 = self.pool.del(self.key(counter)).await?;
        Ok(())
    }
}
