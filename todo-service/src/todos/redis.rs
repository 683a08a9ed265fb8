//! Todos in Redis (layout in `keys.rs`); every operation is one round trip.

use async_trait::async_trait;
use common::redis::StoreError;
use fred::prelude::{HashesInterface, Pool};
use fred::types::scripts::Script;
use uuid::Uuid;

use super::{Page, Todo, TodoPatch, TodoStore};
use crate::keys::Keys;
use crate::outbox::Notification;

/// Stores the todo, indexes it, and queues its SMS, all or nothing.
/// KEYS: todos, order, outbox. ARGV: id, json, then the notification's field/value pairs.
const CREATE: &str = r"
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
if #ARGV > 2 then redis.call('XADD', KEYS[3], '*', unpack(ARGV, 3)) end
return 1
";

/// Up to `count` todos below `max` in id order, newest first. KEYS: todos, order.
/// ARGV: max (`+` or `(<id>`), count.
const LIST: &str = r"
local ids = redis.call('ZREVRANGEBYLEX', KEYS[2], ARGV[1], '-', 'LIMIT', 0, ARGV[2])
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))
";

/// Changes the title and/or the completed flag of an existing todo. KEYS: todos.
/// ARGV: id, set title (1/0), title, set completed (1/0), completed (1/0).
const UPDATE: &str = r"
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
local todo = cjson.decode(json)
if ARGV[2] == '1' then todo['title'] = ARGV[3] end
if ARGV[4] == '1' then todo['completed'] = (ARGV[5] == '1') end
json = cjson.encode(todo)
redis.call('HSET', KEYS[1], ARGV[1], json)
return json
";

/// Deletes a todo and its index entry. KEYS: todos, order. ARGV: id.
const DELETE: &str = r"
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
";

/// Todos in Redis.
pub struct RedisTodos {
    pool: Pool,
    keys: Keys,
    create: Script,
    list: Script,
    update: Script,
    delete: Script,
}

impl RedisTodos {
    pub fn new(pool: Pool, keys: Keys) -> Self {
        Self {
            pool,
            keys,
            create: Script::from_lua(CREATE),
            list: Script::from_lua(LIST),
            update: Script::from_lua(UPDATE),
            delete: Script::from_lua(DELETE),
        }
    }
}

fn decode(json: &str) -> Result<Todo, StoreError> {
    serde_json::from_str(json).map_err(|err| StoreError::Corrupt(format!("todo record: {err}")))
}

#[async_trait]
impl TodoStore for RedisTodos {
    async fn create(
        &self,
        todo: &Todo,
        notification: Option<&Notification>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(todo)
            .map_err(|err| StoreError::Corrupt(format!("todo record: {err}")))?;
        let keys = vec![
            self.keys.todos(todo.user_id),
            self.keys.order(todo.user_id),
            self.keys.outbox(Keys::shard_of(todo.user_id)),
        ];
        let mut args = vec![todo.id.to_string(), json];
        if let Some(notification) = notification {
            args.extend(notification.to_fields());
        }
        let _: i64 = self
            .create
            .evalsha_with_reload(self.pool.next(), keys, args)
            .await?;
        Ok(())
    }

    async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Option<Todo>, StoreError> {
        let json: Option<String> = self
            .pool
            .hget(self.keys.todos(user_id), id.to_string())
            .await?;
        json.as_deref().map(decode).transpose()
    }

    async fn list(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let keys = vec![self.keys.todos(user_id), self.keys.order(user_id)];
        let max = after.map_or_else(|| "+".to_owned(), |id| format!("({id}"));
        let args = vec![max, (limit + 1).to_string()];
        let values: Vec<Option<String>> = self
            .list
            .evalsha_with_reload(self.pool.next(), keys, args)
            .await?;

        let todos = values
            .into_iter()
            .flatten()
            .map(|json| decode(&json))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetched(todos, limit))
    }

    async fn update(
        &self,
        user_id: Uuid,
        id: Uuid,
        patch: &TodoPatch,
    ) -> Result<Option<Todo>, StoreError> {
        let flag = |set: bool| if set { "1" } else { "0" }.to_owned();
        let args = vec![
            id.to_string(),
            flag(patch.title.is_some()),
            patch
                .title
                .as_ref()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            flag(patch.completed.is_some()),
            flag(patch.completed.unwrap_or(false)),
        ];
        let json: Option<String> = self
            .update
            .evalsha_with_reload(self.pool.next(), vec![self.keys.todos(user_id)], args)
            .await?;
        json.as_deref().map(decode).transpose()
    }

    async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let keys = vec![self.keys.todos(user_id), self.keys.order(user_id)];
        let removed: i64 = self
            .delete
            .evalsha_with_reload(self.pool.next(), keys, vec![id.to_string()])
            .await?;
        Ok(removed > 0)
    }
}
