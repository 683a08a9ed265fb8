//! The outbox in Redis streams, one per shard, each read through one consumer group.
//! Every operation is a Lua script on one stream's slot, so it works on Redis Cluster.

use std::time::Duration;

use async_trait::async_trait;
use common::redis::StoreError;
use fred::prelude::{Pool, Value};
use fred::types::scripts::Script;

use super::{DeadLetter, Delivery, Notification, Outbox};
use crate::keys::{Keys, SHARDS, SMS_GROUP};

/// Takes new entries; makes the group first if Redis lost it (a restart without persistence).
/// KEYS: stream. ARGV: group, consumer, count.
const FETCH: &str = r"
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
if not reply then return {} end
return reply[1][2]
";

/// Takes entries left idle by another consumer. KEYS: stream.
/// ARGV: group, consumer, min idle ms, count.
const RECLAIM: &str = r"
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
return redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0', 'COUNT', ARGV[4])[2]
";

/// Resets an entry's idle time if this consumer still holds it. KEYS: stream.
/// ARGV: group, entry id, consumer.
const KEEP: &str = r"
local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
if #mine == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1
";

/// Acknowledges and deletes an entry. KEYS: stream. ARGV: group, entry id.
const ACK: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// Copies an entry to the dead letters with its reason, then removes it.
/// KEYS: stream, dead letters. ARGV: group, entry id, reason.
const DEAD_LETTER: &str = r"
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
local fields = {'reason', ARGV[3], 'entry_id', ARGV[2]}
if #entry == 1 then
  for _, v in ipairs(entry[1][2]) do table.insert(fields, v) end
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
";

/// Entries not yet acknowledged. KEYS: stream.
const BACKLOG: &str = r"
return redis.call('XLEN', KEYS[1])
";

/// The outbox in Redis.
pub struct RedisOutbox {
    pool: Pool,
    keys: Keys,
    poll_interval: Duration,
    fetch: Script,
    reclaim: Script,
    keep: Script,
    ack: Script,
    dead_letter: Script,
    backlog: Script,
}

impl RedisOutbox {
    /// An outbox whose idle workers look for new entries every `poll_interval`.
    pub fn new(pool: Pool, keys: Keys, poll_interval: Duration) -> Self {
        Self {
            pool,
            keys,
            poll_interval,
            fetch: Script::from_lua(FETCH),
            reclaim: Script::from_lua(RECLAIM),
            keep: Script::from_lua(KEEP),
            ack: Script::from_lua(ACK),
            dead_letter: Script::from_lua(DEAD_LETTER),
            backlog: Script::from_lua(BACKLOG),
        }
    }

    async fn run<R: fred::types::FromValue>(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<R, StoreError> {
        Ok(script
            .evalsha_with_reload(self.pool.next(), keys, args)
            .await?)
    }
}

/// Reads `[[id, [field, value, ...]], ...]` as deliveries of `shard`.
fn deliveries(shard: u32, reply: Value) -> Vec<Delivery> {
    let Value::Array(entries) = reply else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter_map(|entry| {
            let Value::Array(mut parts) = entry else {
                return None;
            };
            let fields = parts.pop()?;
            let id = parts.pop()?.as_string()?;
            let fields: Vec<String> = match fields {
                Value::Array(values) => values.iter().filter_map(Value::as_string).collect(),
                _ => Vec::new(),
            };
            Some(Delivery {
                id,
                shard,
                notification: Notification::from_fields(&fields),
            })
        })
        .collect()
}

#[async_trait]
impl Outbox for RedisOutbox {
    async fn fetch(&self, consumer: &str, max: usize) -> Result<Vec<Delivery>, StoreError> {
        let mut taken = Vec::new();
        for shard in 0..SHARDS {
            let left = max.saturating_sub(taken.len());
            if left == 0 {
                break;
            }
            let args = vec![SMS_GROUP.to_owned(), consumer.to_owned(), left.to_string()];
            let reply: Value = self
                .run(&self.fetch, vec![self.keys.outbox(shard)], args)
                .await?;
            taken.extend(deliveries(shard, reply));
        }
        Ok(taken)
    }

    async fn reclaim(
        &self,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut taken = Vec::new();
        for shard in 0..SHARDS {
            let left = max.saturating_sub(taken.len());
            if left == 0 {
                break;
            }
            let args = vec![
                SMS_GROUP.to_owned(),
                consumer.to_owned(),
                min_idle.as_millis().to_string(),
                left.to_string(),
            ];
            let reply: Value = self
                .run(&self.reclaim, vec![self.keys.outbox(shard)], args)
                .await?;
            taken.extend(deliveries(shard, reply));
        }
        Ok(taken)
    }

    async fn keep(&self, consumer: &str, delivery: &Delivery) -> Result<bool, StoreError> {
        let args = vec![
            SMS_GROUP.to_owned(),
            delivery.id.clone(),
            consumer.to_owned(),
        ];
        let kept: i64 = self
            .run(&self.keep, vec![self.keys.outbox(delivery.shard)], args)
            .await?;
        Ok(kept == 1)
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), StoreError> {
        let args = vec![SMS_GROUP.to_owned(), delivery.id.clone()];
        let _: i64 = self
            .run(&self.ack, vec![self.keys.outbox(delivery.shard)], args)
            .await?;
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> Result<(), StoreError> {
        let keys = vec![
            self.keys.outbox(delivery.shard),
            self.keys.dead_letters(delivery.shard),
        ];
        let args = vec![SMS_GROUP.to_owned(), delivery.id.clone(), reason.to_owned()];
        let _: i64 = self.run(&self.dead_letter, keys, args).await?;
        Ok(())
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        use fred::prelude::StreamsInterface;
        let mut letters = Vec::new();
        for shard in 0..SHARDS {
            let reply: Value = self
                .pool
                .xrange(self.keys.dead_letters(shard), "-", "+", None)
                .await?;
            if let Value::Array(entries) = reply {
                letters.extend(entries.into_iter().map(dead_letter_of));
            }
        }
        Ok(letters)
    }

    async fn backlog(&self) -> Result<usize, StoreError> {
        let mut total = 0_usize;
        for shard in 0..SHARDS {
            let len: i64 = self
                .run(&self.backlog, vec![self.keys.outbox(shard)], Vec::new())
                .await?;
            total += usize::try_from(len).unwrap_or(0);
        }
        Ok(total)
    }

    async fn wait_for_work(&self, max_wait: Duration) {
        tokio::time::sleep(self.poll_interval.min(max_wait)).await;
    }
}

fn dead_letter_of(entry: Value) -> DeadLetter {
    let fields: Vec<String> = match entry {
        Value::Array(mut parts) => match parts.pop() {
            Some(Value::Array(values)) => values.iter().filter_map(Value::as_string).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let reason = fields
        .chunks_exact(2)
        .find(|pair| pair[0] == "reason")
        .map(|pair| pair[1].clone())
        .unwrap_or_default();
    DeadLetter {
        notification: Notification::from_fields(&fields),
        reason,
    }
}
