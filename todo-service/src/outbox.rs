//! The SMS outbox: notifications queued in the same atomic step that stores their todo, then
//! taken by workers, acknowledged only once Vonage has accepted them, and moved to a
//! dead-letter list (with the reason) when they cannot be sent. Nothing is dropped silently.
//!
//! Redis keeps one stream per shard (`<prefix>:{s<NN>}:sms`, see `todos.rs`) read through a
//! consumer group, so replicas share the work; entries a crashed worker left pending are
//! claimed by another after an idle time. Memory mode is an in-process queue.

mod memory;
mod redis;

use std::time::Duration;

use async_trait::async_trait;
use common::redis::StoreError;
use uuid::Uuid;

pub use self::memory::MemoryOutbox;
pub use self::redis::RedisOutbox;

/// An SMS to send about a new todo.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    pub todo_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    /// E.164.
    pub phone: String,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("todo_id", &self.todo_id)
            .field("user_id", &self.user_id)
            .field("phone", &common::phone::mask(&self.phone))
            .finish_non_exhaustive()
    }
}

impl Notification {
    /// The stream entry's field/value pairs, flattened.
    pub fn to_fields(&self) -> Vec<String> {
        vec![
            "todo_id".into(),
            self.todo_id.to_string(),
            "user_id".into(),
            self.user_id.to_string(),
            "username".into(),
            self.username.clone(),
            "phone".into(),
            self.phone.clone(),
        ]
    }

    /// Reads the pairs written by [`Notification::to_fields`].
    pub fn from_fields(fields: &[String]) -> Option<Self> {
        let get = |name: &str| {
            fields
                .chunks_exact(2)
                .find(|pair| pair[0] == name)
                .map(|pair| pair[1].clone())
        };
        Some(Self {
            todo_id: get("todo_id")?.parse().ok()?,
            user_id: get("user_id")?.parse().ok()?,
            username: get("username")?,
            phone: get("phone")?,
        })
    }
}

/// A queued notification handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The entry's id in its queue.
    pub id: String,
    pub shard: u32,
    /// `None` when the entry could not be read; it goes to the dead letters.
    pub notification: Option<Notification>,
}

/// A notification that was given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub notification: Option<Notification>,
    pub reason: String,
}

/// The queue between `CreateTodo` and the SMS workers.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Up to `max` entries no worker has taken yet, now taken by `consumer`.
    async fn fetch(&self, consumer: &str, max: usize) -> Result<Vec<Delivery>, StoreError>;

    /// Entries another worker took but left idle for `min_idle`, now taken by `consumer`.
    async fn reclaim(
        &self,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Resets the entry's idle time; `false` if another worker has taken it over.
    async fn keep(&self, consumer: &str, delivery: &Delivery) -> Result<bool, StoreError>;

    /// Removes a delivered entry.
    async fn ack(&self, delivery: &Delivery) -> Result<(), StoreError>;

    /// Moves an entry to the dead letters with its reason.
    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> Result<(), StoreError>;

    /// Every dead letter, oldest first (for operators and tests).
    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError>;

    /// Entries queued and not yet acknowledged or dead-lettered.
    async fn backlog(&self) -> Result<usize, StoreError>;

    /// Waits until new work may be there, or `max_wait` passes.
    async fn wait_for_work(&self, max_wait: Duration);
}

#[cfg(test)]
mod tests;
