//! Command line: subcommands and their dispatch. Each subsystem owns its own arguments and runner.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use color_eyre::Result;

#[derive(Debug, Parser)]
#[command(
    name = "iamdrill",
    version,
    about = "Drill AWS IAM and security interview questions in the terminal",
    after_help = "Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.\nConfiguration: config.yaml in the configuration directory (see `iamdrill paths`, `iamdrill config example`)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand understands.
#[derive(Debug, Clone, Default, Args)]
pub struct Global {
    /// Directory holding the progress database (default: the platform's data directory).
    #[arg(long, global = true, env = "IAMDRILL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Extra deck directory or file to load besides the built-in decks (repeatable).
    #[arg(long = "decks", global = true, value_name = "PATH")]
    pub decks: Vec<PathBuf>,
    /// Write a debug log to the state directory (RUST_LOG=<level> also does).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and list decks.
    Decks(crate::deck::cli::DecksArgs),
    /// Compile Q&A documents (text guides or Markdown notes) into YAML decks.
    Compile(crate::compile::cli::CompileArgs),
    /// Print where iamdrill keeps its data and configuration.
    Paths {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show, check or print an example of the configuration file.
    Config(crate::config::ConfigArgs),
    /// Print shell completions (bash, zsh, fish, powershell).
    Completions(crate::ecosystem::CompletionsArgs),
    /// Print the man page, or write it into a directory.
    Man(crate::ecosystem::ManArgs),
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Err(message) = crate::logging::init(cli.global.verbose) {
        eprintln!("iamdrill: {message}");
        return Ok(ExitCode::from(2));
    }
    match cli.command {
        None => {
            // A broken configuration stops the app instead of being guessed at.
            if let Err(problem) = crate::config::Config::load_default() {
                eprintln!("iamdrill: {problem}");
                return Ok(ExitCode::from(2));
            }
            eprintln!("iamdrill: the full-screen app is not available in this build");
            Ok(ExitCode::from(2))
        }
        Some(Command::Decks(args)) => crate::deck::cli::run(&cli.global, args),
        Some(Command::Compile(args)) => crate::compile::cli::run(&cli.global, args),
        Some(Command::Paths { json }) => crate::config::run_paths(&cli.global, json),
        Some(Command::Config(args)) => crate::config::run(&cli.global, args),
        Some(Command::Completions(args)) => crate::ecosystem::run_completions(&cli.global, args),
        Some(Command::Man(args)) => crate::ecosystem::run_man(&cli.global, args),
    }
}
