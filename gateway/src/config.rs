//! Settings, read once at start from flags, the environment or a `.env` file.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use common::duration::parse_duration;
use common::telemetry::LogFormat;

use crate::client_addr::TrustedProxies;

/// The REST gateway; with `--embedded`, the whole system in one process.
#[derive(Debug, Parser)]
#[command(name = "gateway", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Log lines as text or json.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// Run auth-service and todo-service in this process too (in-memory store unless
    /// REDIS_URL or REDIS_DSN is set, random secrets unless given, a demo user).
    #[arg(long)]
    pub embedded: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub gateway: GatewayArgs,
    #[command(flatten, next_help_heading = "Embedded mode")]
    pub embedded_args: EmbeddedArgs,
}

impl Cli {
    /// The gateway's connection limits.
    pub fn http_limits(&self) -> crate::startup::HttpLimits {
        crate::startup::HttpLimits {
            max_connections: self.gateway.max_connections,
            header_read_timeout: self.gateway.header_read_timeout,
            max_in_flight: self.server().max_in_flight,
        }
    }

    /// The in-flight cap and grace period, shared by the gateway and, in embedded mode, the
    /// two services (one `MAX_IN_FLIGHT` and one `SHUTDOWN_GRACE` for all).
    pub fn server(&self) -> &common::server_args::ServerArgs {
        &self.embedded_args.auth.server
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exit 0 if GET /healthz at GATEWAY_LISTEN_ADDR answers 200 (for container health checks).
    Health {
        #[arg(long, env = "GATEWAY_LISTEN_ADDR", default_value = "127.0.0.1:8080")]
        gateway_listen_addr: SocketAddr,
    },
}

/// Flags and variables of the gateway itself.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Address the HTTP server listens on.
    #[arg(long, env = "GATEWAY_LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub gateway_listen_addr: SocketAddr,
    /// Where auth-service answers gRPC.
    #[arg(
        long,
        env = "AUTH_SERVICE_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_service_url: String,
    /// Where todo-service answers gRPC.
    #[arg(
        long,
        env = "TODO_SERVICE_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub todo_service_url: String,
    /// Open HTTP connections at once; more are closed when accepted.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 16_384)]
    pub max_connections: usize,
    /// A client must send each request's headers within this time; idle connections close.
    #[arg(long, env = "HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// Comma-separated IP addresses of proxies whose X-Forwarded-For is believed.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "", value_parser = TrustedProxies::parse)]
    pub trusted_proxies: TrustedProxies,
    /// The longest the gateway waits for either service.
    #[arg(long, env = "UPSTREAM_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub upstream_timeout: Duration,
}

/// What the embedded mode needs to start the two services.
#[derive(Debug, Clone, Args)]
pub struct EmbeddedArgs {
    #[command(flatten)]
    pub auth: auth_service::config::ServeArgs,
    /// Address todo-service listens on.
    #[arg(long, env = "TODO_LISTEN_ADDR", default_value = "127.0.0.1:50052")]
    pub todo_listen_addr: SocketAddr,
    /// Prefix of every key todo-service writes.
    #[arg(long, env = "TODO_KEY_PREFIX", default_value = "todo")]
    pub todo_key_prefix: String,
    /// Phone number of the demo user.
    #[arg(long, env = "DEMO_PHONE", default_value = "+15555550100")]
    pub demo_phone: String,
    #[command(flatten)]
    pub sms: todo_service::config::SmsArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let cli = Cli::try_parse_from(["gateway"]).expect("no flag is required");
        assert!(!cli.embedded);
        assert_eq!(
            cli.gateway.gateway_listen_addr.to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(cli.gateway.todo_service_url, "http://127.0.0.1:50052");
        assert_eq!(
            cli.embedded_args.auth.listen_addr.to_string(),
            "127.0.0.1:50051"
        );
        assert_eq!(
            cli.embedded_args.todo_listen_addr.to_string(),
            "127.0.0.1:50052"
        );
    }

    #[test]
    fn the_help_names_every_flag_once() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
