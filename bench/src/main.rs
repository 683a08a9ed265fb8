use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = bench::cli::Cli::parse();
    bench::cli::run(cli).await
}
