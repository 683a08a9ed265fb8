//! Users in process memory, for the embedded mode and tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{User, UserStore, Username};
use crate::store::StoreError;

/// Users in a map behind a mutex; lost on exit.
#[derive(Default)]
pub struct MemoryUsers {
    users: Mutex<BTreeMap<Username, User>>,
}

impl MemoryUsers {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Username, User>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl UserStore for MemoryUsers {
    async fn insert(&self, user: &User) -> Result<bool, StoreError> {
        let mut users = self.lock();
        if users.contains_key(&user.username) {
            return Ok(false);
        }
        users.insert(user.username.clone(), user.clone());
        Ok(true)
    }

    async fn find(&self, username: &Username) -> Result<Option<User>, StoreError> {
        Ok(self.lock().get(username).cloned())
    }

    async fn list(&self) -> Result<Vec<User>, StoreError> {
        Ok(self.lock().values().cloned().collect())
    }

    async fn remove(&self, username: &Username) -> Result<Option<User>, StoreError> {
        Ok(self.lock().remove(username))
    }
}
