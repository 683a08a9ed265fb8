//! Users: who may log in, with an argon2id password hash and a phone number for SMS.
//!
//! Redis keeps each user as one JSON string at `<prefix>:user:{<username>}`. The braces are a
//! hash tag, and usernames cannot contain braces, so each user is one key in one slot and
//! Redis Cluster works. User records have no TTL: they live until removed.

mod memory;
mod redis;

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use self::memory::MemoryUsers;
pub use self::redis::RedisUsers;
use crate::store::StoreError;

/// The longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// A username: 1 to 64 of `a-z 0-9 . _ - @`, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("username must be 1 to {MAX_USERNAME_CHARS} of the characters a-z 0-9 . _ - @")]
pub struct InvalidUsername;

impl Username {
    /// Lower-cases and checks a username.
    ///
    /// # Errors
    /// [`InvalidUsername`] for an empty, long or oddly spelled name.
    pub fn parse(text: &str) -> Result<Self, InvalidUsername> {
        let name = text.trim().to_lowercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
        if name.is_empty() || name.len() > MAX_USERNAME_CHARS || !name.chars().all(allowed) {
            return Err(InvalidUsername);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = InvalidUsername;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> Self {
        name.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored user.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub username: Username,
    /// E.164, checked when the user was added.
    pub phone: String,
    /// The PHC string of an argon2id hash.
    pub password_hash: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("phone", &common::phone::mask(&self.phone))
            .finish_non_exhaustive()
    }
}

/// Users by username.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Adds a user; `false` when the username is taken (nothing changes then).
    async fn insert(&self, user: &User) -> Result<bool, StoreError>;
    /// The user with this name, if any.
    async fn find(&self, username: &Username) -> Result<Option<User>, StoreError>;
    /// Every user, sorted by username.
    async fn list(&self) -> Result<Vec<User>, StoreError>;
    /// Removes a user and returns what was removed.
    async fn remove(&self, username: &Username) -> Result<Option<User>, StoreError>;
}

#[cfg(test)]
mod tests;
