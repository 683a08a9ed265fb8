//! The Redis connection every service builds from `REDIS_URL` (or the tutorial's `REDIS_DSN`).
//!
//! `redis://` and `rediss://` name one server, `redis-cluster://` a cluster and
//! `redis-sentinel://` a set of sentinels; fred understands all of them. Commands are bounded
//! by a timeout, and the pool reconnects by itself, so a Redis outage turns into errors for
//! the calls made during it and nothing more.

use std::time::Duration;

use anyhow::Context;
use fred::prelude::{Builder, ClientLike, Config, Pool, ReconnectPolicy};

pub use fred;

/// A store call that did not complete, whatever the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Redis could not be reached or did not answer in time.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Redis answered something this code did not write.
    #[error("unexpected data in store: {0}")]
    Corrupt(String),
}

impl From<fred::error::Error> for StoreError {
    fn from(err: fred::error::Error) -> Self {
        use fred::error::ErrorKind;
        match err.kind() {
            ErrorKind::Parse | ErrorKind::Protocol => Self::Corrupt(err.to_string()),
            _ => Self::Unavailable(err.to_string()),
        }
    }
}

/// How a service reaches Redis.
#[derive(Clone)]
pub struct RedisSettings {
    /// The connection URL; may hold a password, so it is never logged whole.
    pub url: String,
    /// The longest any one command (connecting included) may take.
    pub timeout: Duration,
    /// Connections in the pool; fred pipelines on each one.
    pub pool_size: usize,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &redact(&self.url))
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

/// The Redis flags and variables every service takes.
#[derive(Debug, Clone, clap::Args)]
pub struct RedisArgs {
    /// Redis URL: redis://, rediss://, redis-cluster://host:port?node=..., redis-sentinel://...
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// The tutorial's name for the Redis address (host:port), used when REDIS_URL is unset.
    #[arg(long, env = "REDIS_DSN")]
    pub redis_dsn: Option<String>,
    /// Longest wait for any one Redis command, connecting included.
    #[arg(long, env = "REDIS_TIMEOUT", default_value = "1s", value_parser = crate::duration::parse_duration)]
    pub redis_timeout: Duration,
    /// Connections in the Redis pool.
    #[arg(long, env = "REDIS_POOL_SIZE", default_value_t = 4)]
    pub redis_pool_size: usize,
}

impl RedisArgs {
    /// The URL given, if any (`REDIS_URL`, else `REDIS_DSN`).
    pub fn url(&self) -> Option<String> {
        url_from(self.redis_url.as_deref(), self.redis_dsn.as_deref())
    }

    /// The settings for `url`.
    pub fn settings(&self, url: String) -> RedisSettings {
        RedisSettings {
            url,
            timeout: self.redis_timeout,
            pool_size: self.redis_pool_size,
        }
    }
}

/// Where a service binary looks for Redis when it is given no URL.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// Picks the Redis URL from `REDIS_URL`, else from the tutorial's `REDIS_DSN` (`host:port`).
pub fn url_from(redis_url: Option<&str>, redis_dsn: Option<&str>) -> Option<String> {
    fn non_empty(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    if let Some(url) = non_empty(redis_url) {
        return Some(url.to_owned());
    }
    non_empty(redis_dsn).map(|dsn| {
        if dsn.contains("://") {
            dsn.to_owned()
        } else {
            format!("redis://{dsn}")
        }
    })
}

/// The URL with any user name and password replaced by `***`, fit for a log line.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Builds the pool and starts connecting; waits at most `settings.timeout` for the first
/// connection, then goes on (calls fail with a timeout until Redis answers).
///
/// # Errors
/// When the URL cannot be parsed or the pool cannot be built.
pub async fn connect(settings: &RedisSettings) -> anyhow::Result<Pool> {
    let config = Config::from_url(&settings.url)
        .with_context(|| format!("REDIS_URL `{}` is not valid", redact(&settings.url)))?;
    let pool = Builder::from_config(config)
        .with_performance_config(|perf| {
            perf.default_command_timeout = settings.timeout;
        })
        .with_connection_config(|conn| {
            conn.connection_timeout = settings.timeout;
            conn.internal_command_timeout = settings.timeout;
            conn.max_command_attempts = 2;
            conn.tcp.nodelay = Some(true);
        })
        // Retry forever, from 50 ms up to 2 s apart: the service heals when Redis returns.
        .set_policy(ReconnectPolicy::new_exponential(0, 50, 2_000, 2))
        .build_pool(settings.pool_size.max(1))
        .context("cannot build the Redis client pool")?;

    pool.connect();
    match tokio::time::timeout(settings.timeout, pool.wait_for_connect()).await {
        Ok(Ok(())) => tracing::info!(redis = %redact(&settings.url), "connected to redis"),
        Ok(Err(err)) => {
            tracing::warn!(redis = %redact(&settings.url), error = %err, "redis not reachable yet");
        }
        Err(_) => tracing::warn!(redis = %redact(&settings.url), "redis not reachable yet"),
    }
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_url_wins_over_the_tutorial_dsn() {
        assert_eq!(
            url_from(Some("redis://a:1"), Some("b:2")).as_deref(),
            Some("redis://a:1")
        );
        assert_eq!(url_from(None, Some("b:2")).as_deref(), Some("redis://b:2"));
        assert_eq!(url_from(Some(" "), None), None);
        assert_eq!(url_from(None, None), None);
    }

    #[test]
    fn credentials_never_reach_the_log() {
        assert_eq!(
            redact("redis://user:hunter2@cache:6379/0"),
            "redis://***@cache:6379/0"
        );
        assert_eq!(redact("redis://cache:6379"), "redis://cache:6379");
        assert_eq!(
            redact("redis-sentinel://:pw@s1:26379?sentinelServiceName=m"),
            "redis-sentinel://***@s1:26379?sentinelServiceName=m"
        );
    }
}
