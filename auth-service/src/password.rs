//! Password hashing with argon2id on a few dedicated threads of the lowest scheduling
//! priority, under a bound: a login flood queues for those slots and yields the CPU to token
//! checks instead of taking every core from them.

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

/// Checked when the user does not exist, so that a miss costs as long as a wrong password:
/// the argon2id hash, with this crate's default parameters, of a random password nobody
/// knows. A constant, so a starting service does not spend 19 MiB and a hash on it.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$63lp3WrzbIO+e2dmsYka8g$B+WkhYsvdrYchGcWH9aKFbK5VEeF29utWEQCrd3CtmQ";

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and checks passwords, at most `concurrency` at a time.
pub struct Passwords {
    slots: Arc<Semaphore>,
    max_wait: Duration,
    /// The hashing threads' queue; they stop when it is dropped.
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Passwords {
    /// Builds the hasher.
    ///
    /// # Errors
    /// None today; kept fallible for hashers that check their parameters.
    pub fn new(concurrency: usize, max_wait: Duration) -> anyhow::Result<Self> {
        let threads = concurrency.max(1);
        Ok(Self {
            slots: Arc::new(Semaphore::new(threads)),
            max_wait,
            jobs: start_hashing_threads(threads)?,
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
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
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
        let (answer_tx, answer_rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer_tx.send(work());
            drop(slot);
        });
        self.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("hashing threads stopped"))?;
        Ok(answer_rx.await.context("hashing job failed")?)
    }
}

/// Starts `count` threads that run hashing jobs at the lowest priority the OS grants.
fn start_hashing_threads(count: usize) -> anyhow::Result<std::sync::mpsc::Sender<Job>> {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = Arc::new(std::sync::Mutex::new(queue));
    for n in 0..count {
        let queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                if let Err(err) = thread_priority::set_current_thread_priority(
                    thread_priority::ThreadPriority::Min,
                ) {
                    tracing::debug!(error = ?err, "cannot lower the hashing thread's priority");
                }
                loop {
                    // One thread waits on the queue at a time; the lock is held only then.
                    let next = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match next {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .context("cannot start a hashing thread")?;
    }
    Ok(jobs)
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

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_now(b"any password").unwrap();
        let params = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(
            params(DUMMY_HASH),
            params(&real),
            "same algorithm, version and cost"
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
