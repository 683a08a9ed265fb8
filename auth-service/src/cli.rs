//! The command line: `serve` (the default) and the `users` admin commands.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};
use common::telemetry::LogFormat;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::config::{Config, ServeArgs, StoreArgs};
use crate::password::Passwords;
use crate::{accounts, startup};

/// Issues, verifies, rotates and revokes JWTs; sessions live in Redis.
#[derive(Debug, Parser)]
#[command(name = "auth-service", version, args_conflicts_with_subcommands = true)]
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
    /// Serve gRPC (what a bare `auth-service` does).
    Serve(Box<ServeArgs>),
    /// Exit 0 if the service at AUTH_LISTEN_ADDR answers SERVING (for container health checks).
    Health {
        #[arg(long, env = "AUTH_LISTEN_ADDR", default_value = "127.0.0.1:50051")]
        listen_addr: std::net::SocketAddr,
    },
    /// Add, list or remove users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user; the password is the first line of standard input.
    Add {
        username: String,
        /// Phone number in international form, e.g. "+44 7700 900123".
        #[arg(long)]
        phone: String,
    },
    /// List users (phone numbers masked).
    List,
    /// Remove a user and end all their sessions.
    Remove { username: String },
}

/// Runs what the command line asked for.
///
/// # Errors
/// Whatever stops the command; `main` prints it and exits non-zero.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(&cli.serve).await,
        Some(Command::Serve(args)) => serve(&args).await,
        Some(Command::Users { command, store }) => users(command, &store).await,
        Some(Command::Health { listen_addr }) => {
            let addr = common::probe::local(listen_addr);
            let timeout = std::time::Duration::from_secs(2);
            common::probe::grpc_serving(addr, "auth.v1.AuthService", timeout).await
        }
    }
}

async fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let config = Config::from_args(args)?;
    let stores = startup::connect_stores(&config.store).await?;
    let auth = startup::build(&config, stores).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on AUTH_LISTEN_ADDR {}", config.listen_addr))?;
    common::shutdown::serve_until_signal(
        |stop| startup::serve(listener, auth, stop),
        args.server.shutdown_grace,
    )
    .await
}

async fn users(command: UsersCommand, store: &StoreArgs) -> anyhow::Result<()> {
    let stores = startup::connect_stores(&store.store_config()).await?;
    match command {
        UsersCommand::Add { username, phone } => {
            let password = read_password()?;
            let passwords = Passwords::new(1, std::time::Duration::from_secs(30))?;
            let user = accounts::add_user(&stores, &passwords, &username, &phone, password).await?;
            println!("added {} ({})", user.username, user.id);
        }
        UsersCommand::List => {
            for user in stores.users.list().await? {
                let phone = common::phone::mask(&user.phone);
                println!("{}\t{}\t{phone}", user.username, user.id);
            }
        }
        UsersCommand::Remove { username } => {
            let (user, revoked) = accounts::remove_user(&stores, &username).await?;
            println!("removed {} and ended {revoked} session(s)", user.username);
        }
    }
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok(SecretString::from(password))
}
