//! The `gatehouse` binary: parse flags, set up logging, run the chosen subcommand.

use clap::Parser;
use gatehouse::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(args) => gatehouse::serve::serve(args).await,
        Command::Sandbox(args) => gatehouse::serve::sandbox(args).await,
        Command::User(args) => gatehouse::admin::user(args).await,
        Command::Journal(args) => gatehouse::admin::journal(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gatehouse: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
