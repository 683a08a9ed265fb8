//! Sessions in Redis; each operation is one round trip (a command or a Lua script).

use async_trait::async_trait;
use fred::prelude::{HashesInterface, Pool};
use fred::types::scripts::Script;
use uuid::Uuid;

use super::{
    NewSession, RevokeOutcome, Rotation, RotationOutcome, SessionKey, SessionOwner, SessionStore,
    SessionToken, millis,
};
use crate::store::StoreError;

/// Opens a session and adds it to the user's index, pruning ids whose session has expired.
/// KEYS: session, index. ARGV: ttl ms, session id, session key prefix, then field/value pairs.
const CREATE: &str = r"
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[3] .. sid) == 0 then redis.call('SREM', KEYS[2], sid) end
end
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return 1
";

/// Rotates the session's tokens if the presented refresh jti is current.
/// KEYS: session, index. ARGV: presented jti, new refresh jti, new access jti, now ms,
/// grace ms, ttl ms, session id.
const ROTATE: &str = r"
local s = redis.call('HMGET', KEYS[1], 'rt', 'prt', 'rot', 'username', 'phone')
if not s[1] then return {'missing'} end
if s[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'rt', ARGV[2], 'at', ARGV[3], 'prt', ARGV[1], 'rot', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
  return {'rotated', s[4], s[5]}
end
if s[2] == ARGV[1] and tonumber(ARGV[4]) - tonumber(s[3]) < tonumber(ARGV[5]) then
  return {'grace'}
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[7])
return {'reused'}
";

/// Deletes the session if the token is current: 1, or -1 (replaced), or 0 (no session).
/// KEYS: session. ARGV: field (`at` or `rt`), jti.
const REVOKE: &str = r"
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if current ~= ARGV[2] then return -1 end
redis.call('DEL', KEYS[1])
return 1
";

/// Deletes every session in the user's index, then the index.
/// KEYS: index. ARGV: session key prefix.
const REVOKE_ALL: &str = r"
local ended = 0
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  ended = ended + redis.call('DEL', ARGV[1] .. sid)
end
redis.call('DEL', KEYS[1])
return ended
";

/// Sessions in Redis.
pub struct RedisSessions {
    pool: Pool,
    prefix: String,
    create: Script,
    rotate: Script,
    revoke: Script,
    revoke_all: Script,
}

impl RedisSessions {
    pub fn new(pool: Pool, prefix: &str) -> Self {
        Self {
            pool,
            prefix: prefix.to_owned(),
            create: Script::from_lua(CREATE),
            rotate: Script::from_lua(ROTATE),
            revoke: Script::from_lua(REVOKE),
            revoke_all: Script::from_lua(REVOKE_ALL),
        }
    }

    /// `<prefix>:{u:<user id>}:s:`, to which a session id is appended.
    fn session_prefix(&self, user_id: Uuid) -> String {
        format!("{}:{{u:{user_id}}}:s:", self.prefix)
    }

    fn session_key(&self, key: SessionKey) -> String {
        format!("{}{}", self.session_prefix(key.user_id), key.session_id)
    }

    fn index_key(&self, user_id: Uuid) -> String {
        format!("{}:{{u:{user_id}}}:sessions", self.prefix)
    }
}

#[async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, session: &NewSession) -> Result<(), StoreError> {
        let key = session.key;
        let args: Vec<String> = vec![
            millis(session.ttl).to_string(),
            key.session_id.to_string(),
            self.session_prefix(key.user_id),
            "username".into(),
            session.owner.username.clone(),
            "phone".into(),
            session.owner.phone.clone(),
            "at".into(),
            session.access_jti.to_string(),
            "rt".into(),
            session.refresh_jti.to_string(),
        ];
        let keys = vec![self.session_key(key), self.index_key(key.user_id)];
        let _: i64 = self
            .create
            .evalsha_with_reload(self.pool.next(), keys, args)
            .await?;
        Ok(())
    }

    async fn current_owner(
        &self,
        key: SessionKey,
        access_jti: Uuid,
    ) -> Result<Option<SessionOwner>, StoreError> {
        let (at, username, phone): (Option<String>, Option<String>, Option<String>) = self
            .pool
            .hmget(self.session_key(key), vec!["at", "username", "phone"])
            .await?;
        let current = at.is_some_and(|at| at == access_jti.to_string());
        Ok(match (current, username, phone) {
            (true, Some(username), Some(phone)) => Some(SessionOwner { username, phone }),
            _ => None,
        })
    }

    async fn rotate(
        &self,
        key: SessionKey,
        rotation: &Rotation,
    ) -> Result<RotationOutcome, StoreError> {
        let keys = vec![self.session_key(key), self.index_key(key.user_id)];
        let args = vec![
            rotation.presented_jti.to_string(),
            rotation.new_refresh_jti.to_string(),
            rotation.new_access_jti.to_string(),
            rotation.now_ms.to_string(),
            millis(rotation.grace).to_string(),
            millis(rotation.ttl).to_string(),
            key.session_id.to_string(),
        ];
        let reply: Vec<String> = self
            .rotate
            .evalsha_with_reload(self.pool.next(), keys, args)
            .await?;
        match reply.as_slice() {
            [status, username, phone] if status == "rotated" => {
                Ok(RotationOutcome::Rotated(SessionOwner {
                    username: username.clone(),
                    phone: phone.clone(),
                }))
            }
            [status] if status == "grace" => Ok(RotationOutcome::RecentlyReplaced),
            [status] if status == "reused" => Ok(RotationOutcome::Reused),
            [status] if status == "missing" => Ok(RotationOutcome::Missing),
            other => Err(StoreError::Corrupt(format!("rotation reply {other:?}"))),
        }
    }

    async fn revoke(
        &self,
        key: SessionKey,
        token: SessionToken,
    ) -> Result<RevokeOutcome, StoreError> {
        let (field, jti) = match token {
            SessionToken::Access(jti) => ("at", jti),
            SessionToken::Refresh(jti) => ("rt", jti),
        };
        // The user's index keeps the id until the next login prunes it; that costs nothing.
        let outcome: i64 = self
            .revoke
            .evalsha_with_reload(
                self.pool.next(),
                vec![self.session_key(key)],
                vec![field.to_owned(), jti.to_string()],
            )
            .await?;
        Ok(match outcome {
            1 => RevokeOutcome::Revoked,
            -1 => RevokeOutcome::Replaced,
            _ => RevokeOutcome::Missing,
        })
    }

    async fn revoke_all(&self, user_id: Uuid) -> Result<usize, StoreError> {
        let ended: i64 = self
            .revoke_all
            .evalsha_with_reload(
                self.pool.next(),
                vec![self.index_key(user_id)],
                vec![self.session_prefix(user_id)],
            )
            .await?;
        Ok(usize::try_from(ended).unwrap_or(0))
    }
}
