//! Todos in process memory, for the embedded mode and tests. One mutex makes each operation
//! atomic, the outbox included.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use common::redis::StoreError;
use uuid::Uuid;

use super::{Page, Todo, TodoPatch, TodoStore};
use crate::outbox::{MemoryOutbox, Notification};

/// Todos per user, ordered by (time-ordered) id.
#[derive(Default)]
pub struct MemoryTodos {
    users: Mutex<HashMap<Uuid, BTreeMap<Uuid, Todo>>>,
    outbox: Arc<MemoryOutbox>,
}

impl MemoryTodos {
    /// A store that queues notifications on `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        Self {
            users: Mutex::default(),
            outbox,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, BTreeMap<Uuid, Todo>>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl TodoStore for MemoryTodos {
    async fn create(
        &self,
        todo: &Todo,
        notification: Option<&Notification>,
    ) -> Result<(), StoreError> {
        let mut users = self.lock();
        users
            .entry(todo.user_id)
            .or_default()
            .insert(todo.id, todo.clone());
        if let Some(notification) = notification {
            self.outbox.push(notification.clone());
        }
        Ok(())
    }

    async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Option<Todo>, StoreError> {
        Ok(self
            .lock()
            .get(&user_id)
            .and_then(|todos| todos.get(&id))
            .cloned())
    }

    async fn list(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let users = self.lock();
        let Some(todos) = users.get(&user_id) else {
            return Ok(Page::from_overfetched(Vec::new(), limit));
        };
        let older = match after {
            Some(after) => todos.range(..after),
            None => todos.range(..),
        };
        let page = older
            .rev()
            .take(limit + 1)
            .map(|(_, t)| t.clone())
            .collect();
        Ok(Page::from_overfetched(page, limit))
    }

    async fn update(
        &self,
        user_id: Uuid,
        id: Uuid,
        patch: &TodoPatch,
    ) -> Result<Option<Todo>, StoreError> {
        let mut users = self.lock();
        let Some(todo) = users.get_mut(&user_id).and_then(|todos| todos.get_mut(&id)) else {
            return Ok(None);
        };
        if let Some(title) = &patch.title {
            todo.title = title.as_str().to_owned();
        }
        if let Some(completed) = patch.completed {
            todo.completed = completed;
        }
        Ok(Some(todo.clone()))
    }

    async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .get_mut(&user_id)
            .is_some_and(|todos| todos.remove(&id).is_some()))
    }
}
