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
    Serve(Box<ServeArgs>),
    /// Exit 0 if the service at TODO_LISTEN_ADDR answers SERVING (for container health checks).
    Health {
        #[arg(long, env = "TODO_LISTEN_ADDR", default_value = "127.0.0.1:50052")]
        listen_addr: std::net::SocketAddr,
    },
}

/// Runs what the command line asked for.
///
/// # Errors
/// Whatever stops the service; `main` prints it and exits non-zero.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let args = match cli.command {
        Some(Command::Serve(args)) => *args,
        Some(Command::Health { listen_addr }) => {
            let addr = common::probe::local(listen_addr);
            let timeout = std::time::Duration::from_secs(2);
            return common::probe::grpc_serving(addr, "todo.v1.TodoService", timeout).await;
        }
        None => cli.serve,
    };
    let config = Config::from_args(&args)?;
    let app = startup::build(&config).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on TODO_LISTEN_ADDR {}", config.listen_addr))?;
    common::shutdown::serve_until_signal(
        |stop| startup::serve(listener, app, stop),
        args.server.shutdown_grace,
    )
    .await
}
