//! What a verified caller can do with their todos. Transport-free: `grpc.rs` calls in here.
//! The user is always the verified caller, never a field of the request.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::auth::Caller;
use crate::error::TodoError;
use crate::outbox::Notification;
use crate::todos::{
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageToken, Todo, TodoPatch, TodoStore, TodoTitle,
};

/// The caller's todos, over a store.
pub struct Todos {
    store: Arc<dyn TodoStore>,
    /// Whether a new todo queues an SMS (off without Vonage credentials).
    notify: bool,
}

impl Todos {
    pub fn new(store: Arc<dyn TodoStore>, notify: bool) -> Self {
        Self { store, notify }
    }

    /// Stores a new todo and queues its SMS in the same step.
    ///
    /// # Errors
    /// `InvalidArgument` for a bad title; `Store` when the store is down (nothing written).
    pub async fn create(&self, caller: &Caller, title: &str) -> Result<Todo, TodoError> {
        let title =
            TodoTitle::parse(title).map_err(|e| TodoError::InvalidArgument(e.to_string()))?;
        let todo = Todo {
            id: Uuid::now_v7(),
            user_id: caller.user_id,
            title: title.as_str().to_owned(),
            completed: false,
            created_at: unix_now(),
        };
        let notification = self.notify.then(|| Notification {
            todo_id: todo.id,
            user_id: caller.user_id,
            username: caller.username.clone(),
            phone: caller.phone.clone(),
        });
        self.store.create(&todo, notification.as_ref()).await?;
        tracing::info!(todo_id = %todo.id, sms_queued = notification.is_some(), "todo created");
        Ok(todo)
    }

    /// A page of the caller's todos, newest first, and the token of the next page.
    ///
    /// # Errors
    /// `InvalidArgument` for a negative size or a foreign page token.
    pub async fn list(
        &self,
        caller: &Caller,
        page_size: i32,
        page_token: &str,
    ) -> Result<(Page, Option<String>), TodoError> {
        let size = match usize::try_from(page_size) {
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(size) => size.min(MAX_PAGE_SIZE),
            Err(_) => {
                return Err(TodoError::InvalidArgument(
                    "page size must not be negative".into(),
                ));
            }
        };
        let after = if page_token.is_empty() {
            None
        } else {
            let token = PageToken::decode(page_token)
                .map_err(|e| TodoError::InvalidArgument(e.to_string()))?;
            Some(token.0)
        };
        let page = self.store.list(caller.user_id, after, size).await?;
        let next = page.next_after.map(|id| PageToken(id).encode());
        Ok((page, next))
    }

    /// One of the caller's todos.
    ///
    /// # Errors
    /// `NotFound` when the caller has no such todo.
    pub async fn get(&self, caller: &Caller, id: &str) -> Result<Todo, TodoError> {
        let id = parse_id(id)?;
        self.store
            .get(caller.user_id, id)
            .await?
            .ok_or(TodoError::NotFound)
    }

    /// Changes the title and/or the completed flag.
    ///
    /// # Errors
    /// `InvalidArgument` for a bad title or an empty change; `NotFound` as for `get`.
    pub async fn update(
        &self,
        caller: &Caller,
        id: &str,
        title: Option<&str>,
        completed: Option<bool>,
    ) -> Result<Todo, TodoError> {
        let id = parse_id(id)?;
        let title = title
            .map(TodoTitle::parse)
            .transpose()
            .map_err(|e| TodoError::InvalidArgument(e.to_string()))?;
        if title.is_none() && completed.is_none() {
            return Err(TodoError::InvalidArgument(
                "give a title, completed, or both".into(),
            ));
        }
        let patch = TodoPatch { title, completed };
        let todo = self
            .store
            .update(caller.user_id, id, &patch)
            .await?
            .ok_or(TodoError::NotFound)?;
        tracing::info!(todo_id = %id, "todo updated");
        Ok(todo)
    }

    /// Deletes one of the caller's todos.
    ///
    /// # Errors
    /// `NotFound` as for `get`.
    pub async fn delete(&self, caller: &Caller, id: &str) -> Result<(), TodoError> {
        let id = parse_id(id)?;
        if !self.store.delete(caller.user_id, id).await? {
            return Err(TodoError::NotFound);
        }
        tracing::info!(todo_id = %id, "todo deleted");
        Ok(())
    }
}

fn parse_id(id: &str) -> Result<Uuid, TodoError> {
    Uuid::parse_str(id.trim())
        .map_err(|_| TodoError::InvalidArgument("todo id must be a UUID".into()))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
