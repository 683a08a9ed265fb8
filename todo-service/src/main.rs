use clap::Parser;

use todo_service::cli::{Cli, run};

// glibc malloc showed up as a fifth of the CPU under load (BENCHMARKS.md); mimalloc is faster
// and has no per-arena lock contention.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A .env file fills in variables that the environment does not set.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    common::telemetry::init(cli.log_format, "info", std::io::stderr);
    run(cli).await
}
