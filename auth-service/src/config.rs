//! Settings, read once at start from flags, the environment or a `.env` file.
//!
//! The names keep the tutorial's (`ACCESS_SECRET`, `REFRESH_SECRET`, `REDIS_DSN`) working.
//! [`Config`] is a plain struct, so tests build one without touching the environment.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use common::duration::parse_duration;
use common::redis::{DEFAULT_URL, RedisArgs, RedisSettings};
use common::server_args::ServerArgs;
use jsonwebtoken::Algorithm;
use secrecy::SecretString;

use crate::throttle::ThrottleSettings;
use crate::token::TokenSettings;

/// Where users and sessions are kept.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// In process memory (embedded mode, tests); lost on exit.
    Memory,
    Redis {
        settings: RedisSettings,
        /// Every key starts with this.
        key_prefix: String,
    },
}

/// Flags and variables that say where the store is (shared by `serve` and `users`).
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    #[command(flatten)]
    pub redis: RedisArgs,
    /// Prefix of every key this service writes.
    #[arg(long, env = "AUTH_KEY_PREFIX", default_value = "auth")]
    pub key_prefix: String,
}

impl StoreArgs {
    /// Redis at `REDIS_URL`, else `REDIS_DSN`, else the local default.
    pub fn store_config(&self) -> StoreConfig {
        let url = self.redis.url().unwrap_or_else(|| DEFAULT_URL.to_owned());
        StoreConfig::Redis {
            settings: self.redis.settings(url),
            key_prefix: self.key_prefix.clone(),
        }
    }
}

/// Flags and variables of the `serve` command.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the gRPC server listens on.
    #[arg(long, env = "AUTH_LISTEN_ADDR", default_value = "127.0.0.1:50051")]
    pub listen_addr: SocketAddr,
    #[command(flatten)]
    pub server: ServerArgs,
    /// HMAC secret of access tokens, at least 32 bytes.
    #[arg(long, env = "ACCESS_SECRET", hide_env_values = true)]
    pub access_secret: Option<String>,
    /// HMAC secret of refresh tokens, at least 32 bytes, not the access secret.
    #[arg(long, env = "REFRESH_SECRET", hide_env_values = true)]
    pub refresh_secret: Option<String>,
    /// Signing algorithm: HS256, HS384 or HS512.
    #[arg(long, env = "JWT_ALGORITHM", default_value = "HS256")]
    pub jwt_algorithm: String,
    /// The `iss` claim issued and required.
    #[arg(long, env = "JWT_ISSUER", default_value = "auth-service")]
    pub jwt_issuer: String,
    /// The `aud` claim issued and required.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "todo-app")]
    pub jwt_audience: String,
    /// Access token lifetime (15m, 900, ...).
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value = "15m", value_parser = parse_duration)]
    pub access_token_ttl: Duration,
    /// Refresh token and session lifetime.
    #[arg(long, env = "REFRESH_TOKEN_TTL", default_value = "7d", value_parser = parse_duration)]
    pub refresh_token_ttl: Duration,
    /// How long a just-replaced refresh token is refused without revoking its session.
    #[arg(long, env = "REFRESH_REUSE_GRACE", default_value = "10s", value_parser = parse_duration)]
    pub refresh_reuse_grace: Duration,
    /// Failed logins per username before it is throttled, within the window.
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_USER", default_value_t = 10)]
    pub login_max_failures_per_user: u32,
    /// Failed logins per client address before it is throttled, within the window.
    #[arg(long, env = "LOGIN_MAX_FAILURES_PER_ADDRESS", default_value_t = 50)]
    pub login_max_failures_per_address: u32,
    /// The window of the failed-login counts.
    #[arg(long, env = "LOGIN_THROTTLE_WINDOW", default_value = "15m", value_parser = parse_duration)]
    pub login_throttle_window: Duration,
    /// Password hashes computed at once (argon2 is slow on purpose).
    #[arg(long, env = "PASSWORD_HASH_CONCURRENCY", default_value_t = default_hash_slots())]
    pub password_hash_concurrency: usize,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Half the CPUs (at least one): a login flood then leaves the other half to token checks.
fn default_hash_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// Everything the service needs to start, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen_addr: SocketAddr,
    pub access_secret: SecretString,
    pub refresh_secret: SecretString,
    pub tokens: TokenSettings,
    pub refresh_reuse_grace: Duration,
    pub throttle: ThrottleSettings,
    pub password_hash_concurrency: usize,
    pub max_in_flight: usize,
    /// Longest wait for a hashing slot before a login is shed.
    pub password_hash_wait: Duration,
    pub store: StoreConfig,
}

impl Config {
    /// Checks the flags: both secrets present, a known algorithm, positive lifetimes.
    ///
    /// # Errors
    /// A message that names the variable at fault.
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let secret = |value: &Option<String>, name: &str| -> anyhow::Result<SecretString> {
            match value {
                Some(value) if !value.is_empty() => Ok(SecretString::from(value.clone())),
                _ => bail!("{name} is not set: give it at least 32 random bytes"),
            }
        };
        let algorithm: Algorithm = args
            .jwt_algorithm
            .trim()
            .to_ascii_uppercase()
            .parse()
            .with_context(|| format!("JWT_ALGORITHM `{}` is unknown", args.jwt_algorithm))?;
        if args.access_token_ttl.is_zero() || args.refresh_token_ttl.is_zero() {
            bail!("ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL must be longer than zero");
        }
        if args.access_token_ttl > args.refresh_token_ttl {
            bail!("ACCESS_TOKEN_TTL must not be longer than REFRESH_TOKEN_TTL");
        }

        Ok(Self {
            listen_addr: args.listen_addr,
            access_secret: secret(&args.access_secret, "ACCESS_SECRET")?,
            refresh_secret: secret(&args.refresh_secret, "REFRESH_SECRET")?,
            tokens: TokenSettings {
                algorithm,
                issuer: args.jwt_issuer.clone(),
                audience: args.jwt_audience.clone(),
                access_ttl: args.access_token_ttl,
                refresh_ttl: args.refresh_token_ttl,
            },
            refresh_reuse_grace: args.refresh_reuse_grace,
            throttle: ThrottleSettings {
                max_failures_per_user: args.login_max_failures_per_user.max(1),
                max_failures_per_address: args.login_max_failures_per_address.max(1),
                window: args.login_throttle_window,
            },
            password_hash_concurrency: args.password_hash_concurrency,
            max_in_flight: args.server.max_in_flight,
            password_hash_wait: Duration::from_secs(5),
            store: args.store.store_config(),
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> anyhow::Result<Config> {
        let cli = Cli::try_parse_from(std::iter::once("auth-service").chain(args.iter().copied()))?;
        Config::from_args(&cli.serve)
    }

    const SECRETS: [&str; 4] = [
        "--access-secret",
        "0123456789abcdef0123456789abcdef",
        "--refresh-secret",
        "fedcba9876543210fedcba9876543210",
    ];

    #[test]
    fn defaults_follow_the_contract() {
        let config = parse(&SECRETS).expect("secrets are enough");
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:50051");
        assert_eq!(config.tokens.access_ttl, Duration::from_secs(900));
        assert_eq!(config.tokens.refresh_ttl, Duration::from_secs(7 * 86_400));
        assert_eq!(config.refresh_reuse_grace, Duration::from_secs(10));
        assert_eq!(config.tokens.algorithm, Algorithm::HS256);
    }

    #[test]
    fn a_missing_secret_is_named() {
        let err = parse(&SECRETS[..2]).expect_err("no refresh secret");
        assert!(err.to_string().contains("REFRESH_SECRET"), "{err}");
    }

    #[test]
    fn lifetimes_take_human_durations_and_bare_seconds() {
        let mut args = SECRETS.to_vec();
        args.extend(["--access-token-ttl", "3s", "--refresh-token-ttl", "120"]);
        let config = parse(&args).unwrap();
        assert_eq!(config.tokens.access_ttl, Duration::from_secs(3));
        assert_eq!(config.tokens.refresh_ttl, Duration::from_secs(120));
    }

    #[test]
    fn the_tutorial_redis_dsn_is_understood() {
        let mut args = SECRETS.to_vec();
        args.extend(["--redis-dsn", "cache:6380"]);
        let config = parse(&args).unwrap();
        let StoreConfig::Redis { settings, .. } = config.store else {
            panic!("expected redis");
        };
        assert_eq!(settings.url, "redis://cache:6380");
    }

    #[test]
    fn an_unknown_algorithm_is_refused() {
        let mut args = SECRETS.to_vec();
        args.extend(["--jwt-algorithm", "none"]);
        assert!(parse(&args).is_err());
    }
}
