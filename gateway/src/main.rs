use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;

use gateway::config::Cli;
use gateway::upstream::Upstream;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A .env file fills in variables that the environment does not set.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    common::telemetry::init(cli.log_format, "info", std::io::stderr);

    let shutdown = common::shutdown::signal();
    if cli.embedded {
        return gateway::embedded::run(&cli.gateway, &cli.embedded_args, shutdown).await;
    }
    let args = &cli.gateway;
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
    gateway::startup::serve(listener, upstream, shutdown).await
}
