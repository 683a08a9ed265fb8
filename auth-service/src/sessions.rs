//! Session metadata: what makes a signed token still good, and what revokes it at once.
//!
//! A session is opened at login and holds the owner's username and phone (so one read answers
//! `Verify`), the `jti` of the current access token and of the current refresh token, and the
//! refresh token it replaced last with the time of that rotation (for the reuse grace period).
//!
//! Redis key scheme (documented here only):
//! - `<prefix>:{u:<user id>}:s:<session id>`: a hash with fields `username`, `phone`,
//!   `at` (access jti), `rt` (refresh jti), `prt` (previous refresh jti), `rot` (Unix ms of
//!   the last rotation). TTL: the refresh lifetime, set again at each rotation.
//! - `<prefix>:{u:<user id>}:sessions`: a set of the user's session ids, so that removing a
//!   user revokes every session. TTL: the refresh lifetime, set again at each login and
//!   rotation.
//!
//! Both keys of a user share the hash tag `{u:<user id>}`, so every script touches one slot
//! and Redis Cluster works. The ids in keys come only from verified tokens whose claims parsed
//! as UUIDs, or from ids this service made: no token can name an arbitrary key.

mod memory;
mod redis;

use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

pub use self::memory::MemorySessions;
pub use self::redis::RedisSessions;
use crate::store::StoreError;

/// Which session: the owner's id and the session's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionKey {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

/// What `Verify` learns from the session besides the token's own claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    pub username: String,
    /// E.164.
    pub phone: String,
}

/// A session to open at login.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub key: SessionKey,
    pub owner: SessionOwner,
    pub access_jti: Uuid,
    pub refresh_jti: Uuid,
    /// How long the session lives unless rotated: the refresh token's lifetime.
    pub ttl: Duration,
}

/// A refresh: the token presented and the pair that replaces it.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub presented_jti: Uuid,
    pub new_access_jti: Uuid,
    pub new_refresh_jti: Uuid,
    /// Unix milliseconds, from the caller's clock.
    pub now_ms: i64,
    /// How long the replaced token may come back without revoking the session.
    pub grace: Duration,
    pub ttl: Duration,
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationOutcome {
    /// The presented token was current; the new pair is now the session's.
    Rotated(SessionOwner),
    /// The presented token was replaced within the grace period: refused, nothing revoked.
    RecentlyReplaced,
    /// The presented token was used before: the whole session is now revoked.
    Reused,
    /// No such session (logged out, revoked or expired).
    Missing,
}

/// A token of a session, by kind and `jti`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionToken {
    Access(Uuid),
    Refresh(Uuid),
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// The session is gone now.
    Revoked,
    /// The token was replaced by a refresh: refused, the session lives on.
    Replaced,
    /// No such session.
    Missing,
}

/// Open sessions, with atomic rotation and immediate revocation.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Opens a session.
    async fn create(&self, session: &NewSession) -> Result<(), StoreError>;

    /// The owner, if the session exists and `access_jti` is its current access token.
    async fn current_owner(
        &self,
        key: SessionKey,
        access_jti: Uuid,
    ) -> Result<Option<SessionOwner>, StoreError>;

    /// Swaps the session's tokens for a new pair, atomically: of two rotations with one
    /// token, exactly one wins.
    async fn rotate(
        &self,
        key: SessionKey,
        rotation: &Rotation,
    ) -> Result<RotationOutcome, StoreError>;

    /// Ends a session if `token` is one of its current tokens.
    async fn revoke(
        &self,
        key: SessionKey,
        token: SessionToken,
    ) -> Result<RevokeOutcome, StoreError>;

    /// Ends every session of a user; returns how many there were.
    async fn revoke_all(&self, user_id: Uuid) -> Result<usize, StoreError>;
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
