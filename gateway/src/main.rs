use clap::Parser;

use gateway::cli::run;
use gateway::config::Cli;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A .env file fills in variables that the environment does not set.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    common::telemetry::init(cli.log_format, "info", std::io::stderr);
    run(cli).await
}
