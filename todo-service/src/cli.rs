//! The command line: `serve`, which a bare `todo-service` also does.

use anyhow::Context;
use clap::{Parser, Subcommand};
use common::telemetry::LogFormat;
use tokio::net::TcpListener;

use crate::config::{Config, ServeArgs};
use crate::startup;

/// Stores each user's todos behind an auth check, and texts the owner of each new todo.
#[derive(Debug, Parser)]
#[command(name = "todo-service", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Log lines as text or json.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve gRPC (what a bare `todo-service` does).
    Serve(ServeArgs),
}

/// Runs what the command line asked for.
///
/// # Errors
/// Whatever stops the service; `main` prints it and exits non-zero.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    let config = Config::from_args(&args)?;
    let app = startup::build(&config).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on TODO_LISTEN_ADDR {}", config.listen_addr))?;
    startup::serve(listener, app, common::shutdown::signal()).await
}
