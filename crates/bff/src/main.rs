//! The `gatehouse` binary: parse flags, set up logging, run the chosen subcommand.

use clap::Parser;
use gatehouse::config::{Cli, Command, LogFormat};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Pretty => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let result = match cli.command {
        Command::Serve(args) => gatehouse::serve::serve(args).await,
        Command::Sandbox(args) => gatehouse::serve::sandbox(args).await,
        Command::User(args) => gatehouse::admin::user(args).await,
        Command::Journal(args) => gatehouse::admin::journal(args).await,
        Command::Token(args) => gatehouse::admin::token(args).await,
        Command::Migrate(args) => gatehouse::admin::migrate(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gatehouse: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
