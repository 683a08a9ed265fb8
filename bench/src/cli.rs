//! The command line: one scenario per run, bounded in time and count, loopback only.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use common::duration::parse_duration;

use crate::scenarios::{self, Credentials, HttpScenario, Limits};

/// The longest run allowed.
const MAX_DURATION: Duration = Duration::from_secs(300);
/// The most connections or callers allowed.
const MAX_CONCURRENCY: usize = 1024;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scenario {
    /// AuthService.Verify over gRPC.
    Verify,
    /// POST /todo through the gateway.
    Todo,
    /// POST /login through the gateway (argon2: slow on purpose).
    Login,
    /// POST /token/refresh through the gateway, rotating each time.
    Refresh,
    /// 90 % todo, 8 % refresh, 2 % login.
    Mixed,
}

/// Loads the system on loopback and prints throughput, latency percentiles and errors.
#[derive(Debug, Parser)]
#[command(name = "loadgen", version)]
pub struct Cli {
    pub scenario: Scenario,
    /// The gateway (HTTP scenarios).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub gateway: String,
    /// auth-service (verify scenario).
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub auth: String,
    /// Concurrent connections (HTTP) or callers (verify).
    #[arg(long, short = 'c', default_value_t = 32)]
    pub connections: usize,
    /// gRPC channels the verify callers share.
    #[arg(long, default_value_t = 4)]
    pub channels: usize,
    /// Sessions whose tokens the verify callers use.
    #[arg(long, default_value_t = 64)]
    pub sessions: usize,
    /// How long to record (after the warm-up).
    #[arg(long, short = 'd', default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Unrecorded warm-up before the measurement.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// Stop after this many requests even before the duration ends.
    #[arg(long, default_value_t = 5_000_000)]
    pub max_requests: u64,
    #[arg(long, default_value = "username")]
    pub username: String,
    #[arg(long, default_value = "password")]
    pub password: String,
    /// Also write the summary as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Runs the scenario and prints its summary.
///
/// # Errors
/// On a non-loopback target, out-of-bounds settings, or an unreachable system.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if cli.duration > MAX_DURATION || cli.connections > MAX_CONCURRENCY {
        bail!("runs are bounded: at most {MAX_DURATION:?} and {MAX_CONCURRENCY} connections");
    }
    let credentials = Credentials {
        username: cli.username.clone(),
        password: cli.password.clone(),
    };
    let limits = Limits {
        warmup: cli.warmup,
        duration: cli.duration,
        max_requests: cli.max_requests,
    };

    let (recorder, budget) = match cli.scenario {
        Scenario::Verify => {
            loopback_authority(&cli.auth)?;
            scenarios::verify(
                &cli.auth,
                &credentials,
                cli.connections,
                cli.channels,
                cli.sessions,
                limits,
            )
            .await?
        }
        http => {
            let authority = loopback_authority(&cli.gateway)?;
            let scenario = match http {
                Scenario::Todo => HttpScenario::Todo,
                Scenario::Login => HttpScenario::Login,
                Scenario::Refresh => HttpScenario::Refresh,
                _ => HttpScenario::Mixed,
            };
            scenarios::http(&authority, &credentials, scenario, cli.connections, limits).await?
        }
    };

    let measured = Instant::now().min(budget.deadline) - budget.record_from.min(Instant::now());
    let name = format!("{:?}", cli.scenario).to_lowercase();
    let summary = recorder.summary(&name, measured);
    println!("{summary}");
    if let Some(path) = &cli.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// `host:port` of a loopback URL; anything else is refused.
fn loopback_authority(url: &str) -> anyhow::Result<String> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("`{url}` is not a URL"))?;
    let host = uri.host().context("the URL has no host")?;
    let host_ip = host.trim_start_matches('[').trim_end_matches(']');
    let loopback =
        host == "localhost" || host_ip.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("load is only sent to loopback addresses, not `{host}`");
    }
    let port = uri.port_u16().unwrap_or(80);
    Ok(format!("{host}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert_eq!(
            loopback_authority("http://127.0.0.1:8080").unwrap(),
            "127.0.0.1:8080"
        );
        assert!(loopback_authority("http://localhost:9").is_ok());
        assert!(loopback_authority("http://[::1]:9").is_ok());
        for remote in [
            "http://10.0.0.1:8080",
            "http://example.com",
            "http://192.168.1.1",
        ] {
            assert!(loopback_authority(remote).is_err(), "{remote}");
        }
    }
}
