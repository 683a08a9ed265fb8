//! Settings, read once at start from flags, the environment or a `.env` file.
//! [`Config`] is a plain struct, so tests and the embedded mode build one directly.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use common::duration::parse_duration;
use common::redis::{DEFAULT_URL, RedisArgs, RedisSettings};
use common::server_args::ServerArgs;
use secrecy::SecretString;

use crate::delivery::{RetryPolicy, WorkerSettings};
use crate::sms::{DEFAULT_API_URL, VonageSettings};

/// Where todos and the SMS outbox are kept.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// In process memory (embedded mode, tests); lost on exit.
    Memory,
    Redis {
        settings: RedisSettings,
        key_prefix: String,
    },
}

/// Vonage and the worker that talks to it; absent when SMS is off.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub vonage: VonageSettings,
    pub worker: WorkerSettings,
}

/// Everything the service needs to start, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen_addr: SocketAddr,
    pub auth_service_url: String,
    /// The deadline of each auth check.
    pub auth_timeout: Duration,
    pub max_in_flight: usize,
    pub store: StoreConfig,
    pub sms: Option<SmsConfig>,
}

/// Flags and variables of the SMS notifications.
#[derive(Debug, Clone, Args)]
pub struct SmsArgs {
    /// Vonage API key; SMS is off without it.
    #[arg(long, env = "VONAGE_API_KEY")]
    pub vonage_api_key: Option<String>,
    /// Vonage API secret; SMS is off without it.
    #[arg(long, env = "VONAGE_API_SECRET", hide_env_values = true)]
    pub vonage_api_secret: Option<String>,
    /// Sender: a number in digits or an alphanumeric sender id.
    #[arg(long, env = "VONAGE_FROM", default_value = "TodoApp")]
    pub vonage_from: String,
    /// The Messages API endpoint.
    #[arg(long, env = "VONAGE_API_URL", default_value = DEFAULT_API_URL)]
    pub vonage_api_url: String,
    /// The longest one Vonage request may take.
    #[arg(long, env = "SMS_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub sms_timeout: Duration,
    /// Attempts per SMS before it is dead-lettered.
    #[arg(long, env = "SMS_MAX_ATTEMPTS", default_value_t = 8)]
    pub sms_max_attempts: u32,
    /// The first retry's wait; it doubles up to SMS_BACKOFF_MAX.
    #[arg(long, env = "SMS_BACKOFF_BASE", default_value = "1s", value_parser = parse_duration)]
    pub sms_backoff_base: Duration,
    #[arg(long, env = "SMS_BACKOFF_MAX", default_value = "60s", value_parser = parse_duration)]
    pub sms_backoff_max: Duration,
    /// SMS sent at once by this process.
    #[arg(long, env = "SMS_CONCURRENCY", default_value_t = 4)]
    pub sms_concurrency: usize,
    /// An SMS idle this long in a stopped worker's hands is taken over.
    #[arg(long, env = "SMS_RECLAIM_IDLE", default_value = "15s", value_parser = parse_duration)]
    pub sms_reclaim_idle: Duration,
    /// How often an idle worker looks for new SMS.
    #[arg(long, env = "SMS_POLL_INTERVAL", default_value = "250ms", value_parser = parse_duration)]
    pub sms_poll_interval: Duration,
}

impl SmsArgs {
    /// The SMS settings, or `None` (SMS off) without credentials.
    pub fn sms_config(&self) -> Option<SmsConfig> {
        let key = self.vonage_api_key.clone().filter(|k| !k.is_empty())?;
        let secret = self.vonage_api_secret.clone().filter(|s| !s.is_empty())?;
        Some(SmsConfig {
            vonage: VonageSettings {
                api_url: self.vonage_api_url.clone(),
                api_key: key,
                api_secret: SecretString::from(secret),
                from: self.vonage_from.clone(),
                timeout: self.sms_timeout,
            },
            worker: WorkerSettings {
                consumer: format!("todo-{}", uuid::Uuid::new_v4().simple()),
                concurrency: self.sms_concurrency.max(1),
                retry: RetryPolicy {
                    max_attempts: self.sms_max_attempts.max(1),
                    base_delay: self.sms_backoff_base,
                    max_delay: self.sms_backoff_max,
                },
                reclaim_idle: self.sms_reclaim_idle,
                poll_interval: self.sms_poll_interval,
            },
        })
    }
}

/// Flags and variables of the `serve` command.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the gRPC server listens on.
    #[arg(long, env = "TODO_LISTEN_ADDR", default_value = "127.0.0.1:50052")]
    pub listen_addr: SocketAddr,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Where auth-service answers Verify.
    #[arg(
        long,
        env = "AUTH_SERVICE_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_service_url: String,
    /// Deadline of each auth check.
    #[arg(long, env = "AUTH_TIMEOUT", default_value = "1s", value_parser = parse_duration)]
    pub auth_timeout: Duration,
    #[command(flatten)]
    pub redis: RedisArgs,
    /// Prefix of every key this service writes.
    #[arg(long, env = "TODO_KEY_PREFIX", default_value = "todo")]
    pub key_prefix: String,
    #[command(flatten)]
    pub sms: SmsArgs,
}

impl Config {
    /// Checks the flags; Redis at `REDIS_URL`, else `REDIS_DSN`, else the local default.
    ///
    /// # Errors
    /// A message that names the variable at fault.
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        if args.auth_timeout.is_zero() {
            anyhow::bail!("AUTH_TIMEOUT must be longer than zero");
        }
        let url = args.redis.url().unwrap_or_else(|| DEFAULT_URL.to_owned());
        Ok(Self {
            listen_addr: args.listen_addr,
            auth_service_url: args.auth_service_url.clone(),
            auth_timeout: args.auth_timeout,
            max_in_flight: args.server.max_in_flight,
            store: StoreConfig::Redis {
                settings: args.redis.settings(url),
                key_prefix: args.key_prefix.clone(),
            },
            sms: args.sms.sms_config(),
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

    fn parse(args: &[&str]) -> Config {
        let cli = Cli::try_parse_from(std::iter::once("todo-service").chain(args.iter().copied()))
            .expect("flags parse");
        Config::from_args(&cli.serve).expect("config is valid")
    }

    #[test]
    fn defaults_follow_the_contract_and_sms_is_off_without_credentials() {
        let config = parse(&[]);
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:50052");
        assert_eq!(config.auth_service_url, "http://127.0.0.1:50051");
        assert_eq!(config.auth_timeout, Duration::from_secs(1));
        assert!(config.sms.is_none());
    }

    #[test]
    fn credentials_turn_sms_on_with_the_default_endpoint() {
        let config = parse(&["--vonage-api-key", "k", "--vonage-api-secret", "s"]);
        let sms = config.sms.expect("sms is on");
        assert_eq!(sms.vonage.api_url, DEFAULT_API_URL);
        assert!(
            !format!("{sms:?}").contains("\"s\""),
            "the secret is not in Debug"
        );
    }
}
