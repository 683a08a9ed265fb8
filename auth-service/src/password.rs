//! Password hashing with argon2id, on tokio's blocking pool under a bound, so a login flood
//! queues for a few hashing slots instead of taking every core from token checks.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The most bytes a new password may have.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why hashing did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Every hashing slot stayed busy for longer than the wait allowed.
    #[error("password hashing is saturated")]
    Busy,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Hashes and checks passwords, at most `concurrency` at a time.
pub struct Passwords {
    slots: Arc<Semaphore>,
    max_wait: Duration,
    /// Checked when the user does not exist, so that a miss costs as long as a wrong password.
    dummy_hash: String,
}

impl Passwords {
    /// Builds the hasher; computes the dummy hash once, here.
    ///
    /// # Errors
    /// Only if argon2 cannot hash at all.
    pub fn new(concurrency: usize, max_wait: Duration) -> anyhow::Result<Self> {
        let dummy = uuid::Uuid::new_v4().to_string();
        let dummy_hash = hash_now(dummy.as_bytes()).context("cannot compute the dummy hash")?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            max_wait,
            dummy_hash,
        })
    }

    /// The PHC string of a fresh argon2id hash with a random salt.
    ///
    /// # Errors
    /// [`PasswordError::Busy`] when no slot frees up in time.
    pub async fn hash(&self, password: SecretString) -> Result<String, PasswordError> {
        self.run(move || hash_now(password.expose_secret().as_bytes()))
            .await?
            .map_err(PasswordError::Unexpected)
    }

    /// Whether `password` matches `hash`; with no hash, checks the dummy and answers `false`.
    ///
    /// # Errors
    /// [`PasswordError::Busy`] when no slot frees up in time.
    pub async fn verify(
        &self,
        password: SecretString,
        hash: Option<String>,
    ) -> Result<bool, PasswordError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let matches = self
            .run(move || {
                Argon2::default()
                    .verify_password(password.expose_secret().as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(known && matches)
    }

    async fn run<T, F>(&self, work: F) -> Result<T, PasswordError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = tokio::time::timeout(self.max_wait, Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|_| PasswordError::Busy)?
            .context("hashing slots closed")?;
        let answer = tokio::task::spawn_blocking(move || {
            let answer = work();
            drop(slot);
            answer
        })
        .await
        .context("hashing task failed")?;
        Ok(answer)
    }
}

fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password)
        .map_err(|err| anyhow::anyhow!("argon2: {err}"))?;
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwords() -> Passwords {
        Passwords::new(2, Duration::from_secs(5)).expect("argon2 works")
    }

    #[tokio::test]
    async fn a_hash_matches_its_password_only() {
        let passwords = passwords();
        let hash = passwords.hash("correct horse".into()).await.unwrap();

        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            passwords
                .verify("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_matches_even_the_dummy_password() {
        let passwords = passwords();
        assert!(!passwords.verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn a_saturated_pool_answers_busy_instead_of_queueing_forever() {
        let passwords = Passwords::new(1, Duration::from_millis(1)).unwrap();
        let _held = Arc::clone(&passwords.slots).acquire_owned().await.unwrap();

        let answer = passwords.verify("x".into(), None).await;
        assert!(matches!(answer, Err(PasswordError::Busy)), "{answer:?}");
    }
}
