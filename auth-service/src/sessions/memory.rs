//! Sessions in process memory, for the embedded mode and tests. One mutex makes every
//! operation atomic, as the Redis scripts are.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use async_trait::async_trait;
use uuid::Uuid;

use super::{
    NewSession, RevokeOutcome, Rotation, RotationOutcome, SessionKey, SessionOwner, SessionStore,
    SessionToken, millis,
};
use crate::store::StoreError;

struct Entry {
    owner: SessionOwner,
    access_jti: Uuid,
    refresh_jti: Uuid,
    /// The refresh jti replaced last, and when (Unix ms).
    previous_refresh: Option<(Uuid, i64)>,
    expires_at: Instant,
}

/// Sessions in a map behind a mutex; lost on exit.
#[derive(Default)]
pub struct MemorySessions {
    sessions: Mutex<HashMap<SessionKey, Entry>>,
}

impl MemorySessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<SessionKey, Entry>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live session at `key`, dropping it if it has expired.
    fn live(sessions: &mut HashMap<SessionKey, Entry>, key: SessionKey) -> Option<&mut Entry> {
        if sessions
            .get(&key)
            .is_some_and(|e| e.expires_at <= Instant::now())
        {
            sessions.remove(&key);
        }
        sessions.get_mut(&key)
    }
}

#[async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, session: &NewSession) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut sessions = self.lock();
        sessions.retain(|_, entry| entry.expires_at > now);
        sessions.insert(
            session.key,
            Entry {
                owner: session.owner.clone(),
                access_jti: session.access_jti,
                refresh_jti: session.refresh_jti,
                previous_refresh: None,
                expires_at: now + session.ttl,
            },
        );
        Ok(())
    }

    async fn current_owner(
        &self,
        key: SessionKey,
        access_jti: Uuid,
    ) -> Result<Option<SessionOwner>, StoreError> {
        let mut sessions = self.lock();
        Ok(Self::live(&mut sessions, key)
            .filter(|entry| entry.access_jti == access_jti)
            .map(|entry| entry.owner.clone()))
    }

    async fn rotate(
        &self,
        key: SessionKey,
        rotation: &Rotation,
    ) -> Result<RotationOutcome, StoreError> {
        let mut sessions = self.lock();
        let Some(entry) = Self::live(&mut sessions, key) else {
            return Ok(RotationOutcome::Missing);
        };

        if entry.refresh_jti == rotation.presented_jti {
            entry.previous_refresh = Some((entry.refresh_jti, rotation.now_ms));
            entry.refresh_jti = rotation.new_refresh_jti;
            entry.access_jti = rotation.new_access_jti;
            entry.expires_at = Instant::now() + rotation.ttl;
            return Ok(RotationOutcome::Rotated(entry.owner.clone()));
        }

        let within_grace = entry.previous_refresh.is_some_and(|(jti, at)| {
            jti == rotation.presented_jti && rotation.now_ms - at < millis(rotation.grace)
        });
        if within_grace {
            return Ok(RotationOutcome::RecentlyReplaced);
        }
        sessions.remove(&key);
        Ok(RotationOutcome::Reused)
    }

    async fn revoke(
        &self,
        key: SessionKey,
        token: SessionToken,
    ) -> Result<RevokeOutcome, StoreError> {
        let mut sessions = self.lock();
        let Some(entry) = Self::live(&mut sessions, key) else {
            return Ok(RevokeOutcome::Missing);
        };
        let current = match token {
            SessionToken::Access(jti) => entry.access_jti == jti,
            SessionToken::Refresh(jti) => entry.refresh_jti == jti,
        };
        if !current {
            return Ok(RevokeOutcome::Replaced);
        }
        sessions.remove(&key);
        Ok(RevokeOutcome::Revoked)
    }

    async fn revoke_all(&self, user_id: Uuid) -> Result<usize, StoreError> {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|key, _| key.user_id != user_id);
        Ok(before - sessions.len())
    }
}
