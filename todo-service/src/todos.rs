//! Todos: the title rules, page tokens, and the store trait with its Redis and memory forms.
//! The Redis key layout is in `keys.rs`.

mod memory;
mod redis;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::redis::StoreError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use self::memory::MemoryTodos;
pub use self::redis::RedisTodos;
use crate::outbox::Notification;

/// The most characters a title may have, after trimming.
pub const MAX_TITLE_CHARS: usize = 200;
/// Todos per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The most todos per page.
pub const MAX_PAGE_SIZE: usize = 100;

/// A title: trimmed, 1 to 200 characters, at least one of them visible, no control
/// characters and no bidirectional overrides (which can disguise text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoTitle(String);

/// Why a title was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "title must be 1 to {MAX_TITLE_CHARS} visible characters after trimming, without control characters"
)]
pub struct InvalidTitle;

impl TodoTitle {
    /// Trims and checks a title.
    ///
    /// # Errors
    /// [`InvalidTitle`] for an empty or too long title.
    pub fn parse(text: &str) -> Result<Self, InvalidTitle> {
        let title = text.trim();
        let chars = title.chars().count();
        let visible = title
            .chars()
            .any(|c| !c.is_whitespace() && !is_invisible(c));
        if chars > MAX_TITLE_CHARS || !visible || title.chars().any(is_forbidden) {
            return Err(InvalidTitle);
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Control characters (newlines, escapes, NUL) and bidirectional overrides and isolates.
fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width characters: allowed inside a title (emoji sequences join with U+200D), but a
/// title of nothing else shows nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// A stored todo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub completed: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TodoPatch {
    pub title: Option<TodoTitle>,
    pub completed: Option<bool>,
}

/// One page of a user's todos, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub todos: Vec<Todo>,
    /// The last id of this page when more todos follow.
    pub next_after: Option<Uuid>,
}

impl Page {
    /// A page made of up to `limit + 1` todos, newest first: the one past `limit` only says
    /// that more follow, and the page's last id is then where the next one starts.
    pub fn from_overfetched(mut todos: Vec<Todo>, limit: usize) -> Self {
        let more = todos.len() > limit;
        todos.truncate(limit);
        Self {
            next_after: more.then(|| todos.last().map(|t| t.id)).flatten(),
            todos,
        }
    }
}

/// Where the next page starts: opaque to callers (`v1.<base64 of the last id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageToken(pub Uuid);

/// Why a page token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("page token is malformed")]
pub struct InvalidPageToken;

impl PageToken {
    pub fn encode(self) -> String {
        format!("v1.{}", URL_SAFE_NO_PAD.encode(self.0.as_bytes()))
    }

    /// Reads a token given out by [`PageToken::encode`].
    ///
    /// # Errors
    /// [`InvalidPageToken`] for anything else.
    pub fn decode(text: &str) -> Result<Self, InvalidPageToken> {
        let encoded = text.strip_prefix("v1.").ok_or(InvalidPageToken)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| InvalidPageToken)?;
        Uuid::from_slice(&bytes)
            .map(Self)
            .map_err(|_| InvalidPageToken)
    }
}

/// Each user's todos.
#[async_trait]
pub trait TodoStore: Send + Sync {
    /// Stores a todo and, in the same atomic step, queues its notification.
    async fn create(
        &self,
        todo: &Todo,
        notification: Option<&Notification>,
    ) -> Result<(), StoreError>;
    async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Option<Todo>, StoreError>;
    /// Up to `limit` todos older than `after` (or the newest), newest first.
    async fn list(
        &self,
        user_id: Uuid,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Page, StoreError>;
    async fn update(
        &self,
        user_id: Uuid,
        id: Uuid,
        patch: &TodoPatch,
    ) -> Result<Option<Todo>, StoreError>;
    /// `false` when there was no such todo.
    async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests;
