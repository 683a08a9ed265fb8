//! The Redis key layout of todo-service (documented here only).
//!
//! A user's keys and one outbox stream share a hash tag `{s<NN>}`, a shard picked from the
//! user id ([`SHARDS`] of them), so storing a todo and queueing its SMS is one Lua script in
//! one slot, and Redis Cluster works:
//! - `<prefix>:{s<NN>}:u:<user id>:todos`: a hash, todo id to the todo as JSON.
//! - `<prefix>:{s<NN>}:u:<user id>:order`: a sorted set of the todo ids, all scored 0 so they
//!   sort by id; ids are UUIDv7, so that is creation order.
//! - `<prefix>:{s<NN>}:sms`: the SMS outbox stream, read through the consumer group
//!   [`SMS_GROUP`].
//! - `<prefix>:{s<NN>}:sms:dead`: notifications given up on, each with its reason.
//!
//! Todos have no TTL: they live until deleted. The user id in a key always comes from the
//! verified principal, never from a request.

use uuid::Uuid;

/// Shards of the key space; part of the layout, so changing it strands stored data.
pub const SHARDS: u32 = 16;
/// The consumer group the SMS workers share.
pub const SMS_GROUP: &str = "sms-workers";

/// Builds key names under one prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The shard of a user's keys and outbox.
    pub fn shard_of(user_id: Uuid) -> u32 {
        u32::from(user_id.as_bytes()[15]) % SHARDS
    }

    fn user(&self, user_id: Uuid) -> String {
        format!(
            "{}:{{s{:02}}}:u:{user_id}",
            self.prefix,
            Self::shard_of(user_id)
        )
    }

    pub fn todos(&self, user_id: Uuid) -> String {
        format!("{}:todos", self.user(user_id))
    }

    pub fn order(&self, user_id: Uuid) -> String {
        format!("{}:order", self.user(user_id))
    }

    pub fn outbox(&self, shard: u32) -> String {
        format!("{}:{{s{shard:02}}}:sms", self.prefix)
    }

    pub fn dead_letters(&self, shard: u32) -> String {
        format!("{}:{{s{shard:02}}}:sms:dead", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str) -> &str {
        let open = key.find('{').expect("key has a hash tag");
        let close = key[open..].find('}').expect("tag closes") + open;
        &key[open..=close]
    }

    #[test]
    fn a_users_keys_and_their_outbox_share_one_hash_tag() {
        let keys = Keys::new("todo");
        let user = Uuid::new_v4();
        let shard = Keys::shard_of(user);

        assert_eq!(tag(&keys.todos(user)), tag(&keys.order(user)));
        assert_eq!(tag(&keys.todos(user)), tag(&keys.outbox(shard)));
        assert_eq!(tag(&keys.outbox(shard)), tag(&keys.dead_letters(shard)));
        assert!(shard < SHARDS);
    }
}
