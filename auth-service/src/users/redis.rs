//! Users in Redis: one JSON string per user at `<prefix>:user:{<username>}`.

use async_trait::async_trait;
use fred::prelude::{ClientLike, KeysInterface, Pool};
use fred::types::Expiration;
use fred::types::SetOptions;
use futures::TryStreamExt;

use super::{User, UserStore, Username};
use crate::store::StoreError;

/// Users in Redis.
pub struct RedisUsers {
    pool: Pool,
    prefix: String,
}

impl RedisUsers {
    pub fn new(pool: Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: prefix.to_owned(),
        }
    }

    fn key(&self, username: &Username) -> String {
        format!("{}:user:{{{}}}", self.prefix, username.as_str())
    }

    async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let client = self.pool.next();
        let pattern = format!("{}:user:{{*}}", self.prefix);
        let keys: Vec<fred::types::Key> = if client.is_clustered() {
            client
                .scan_cluster_buffered(pattern, Some(500), None)
                .try_collect()
                .await?
        } else {
            client
                .scan_buffered(pattern, Some(500), None)
                .try_collect()
                .await?
        };
        Ok(keys
            .iter()
            .filter_map(|key| key.as_str().map(str::to_owned))
            .collect())
    }
}

fn decode(json: &str) -> Result<User, StoreError> {
    serde_json::from_str(json).map_err(|err| StoreError::Corrupt(format!("user record: {err}")))
}

#[async_trait]
impl UserStore for RedisUsers {
    async fn insert(&self, user: &User) -> Result<bool, StoreError> {
        let json = serde_json::to_string(user)
            .map_err(|err| StoreError::Corrupt(format!("user record: {err}")))?;
        let set: Option<String> = self
            .pool
            .set(
                self.key(&user.username),
                json,
                None::<Expiration>,
                Some(SetOptions::NX),
                false,
            )
            .await?;
        Ok(set.is_some())
    }

    async fn find(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let json: Option<String> = self.pool.get(self.key(username)).await?;
        json.as_deref().map(decode).transpose()
    }

    async fn list(&self) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::new();
        for key in self.keys().await? {
            let json: Option<String> = self.pool.get(key).await?;
            if let Some(json) = json {
                users.push(decode(&json)?);
            }
        }
        users.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
        Ok(users)
    }

    async fn remove(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let json: Option<String> = self.pool.getdel(self.key(username)).await?;
        json.as_deref().map(decode).transpose()
    }
}
