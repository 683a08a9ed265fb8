//! The command line: serve (alone or `--embedded`), or probe a running gateway's health.

use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

use crate::config::{Cli, Command};
use crate::state::AppState;
use crate::upstream::Upstream;

/// Runs what the command line asked for.
///
/// # Errors
/// Whatever stops the gateway; `main` prints it and exits non-zero.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Health {
        gateway_listen_addr,
    }) = cli.command
    {
        return probe(common::probe::local(gateway_listen_addr)).await;
    }

    let grace = cli.server().shutdown_grace;
    let limits = cli.http_limits();
    if cli.embedded {
        return common::shutdown::serve_until_signal(
            |stop| async move {
                crate::embedded::run(&cli.gateway, &cli.embedded_args, limits, stop).await
            },
            grace,
        )
        .await;
    }

    let args = cli.gateway;
    let upstream = Upstream::new(
        &args.auth_service_url,
        &args.todo_service_url,
        args.upstream_timeout,
    )?;
    let listener = TcpListener::bind(args.gateway_listen_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on GATEWAY_LISTEN_ADDR {}",
                args.gateway_listen_addr
            )
        })?;
    let state = AppState::new(upstream, args.trusted_proxies);
    common::shutdown::serve_until_signal(
        |stop| crate::startup::serve(listener, state, limits, stop),
        grace,
    )
    .await
}

async fn probe(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()?;
    let response = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .with_context(|| format!("no answer from {addr}"))?;
    if !response.status().is_success() {
        bail!("healthz answered {}", response.status());
    }
    Ok(())
}
