//! Command line: subcommands and their dispatch. Each subsystem owns its own arguments and runner.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use color_eyre::Result;

#[derive(Debug, Parser)]
#[command(
    name = "iamdrill",
    version,
    about = "Drill AWS IAM and security interview questions in the terminal"
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and list decks.
    Decks(crate::deck::cli::DecksArgs),
    /// Compile Q&A documents (text guides or Markdown notes) into YAML decks.
    Compile(crate::compile::cli::CompileArgs),
    /// Grade a typed answer against a card's key points, as the mock interview does.
    Grade(crate::mock::cli::GradeArgs),
    /// A timed mock interview (`mock history` lists past ones).
    Mock(crate::mock::mock_cli::MockArgs),
    /// Print where iamdrill keeps its data and configuration.
    Paths,
    /// Evaluate IAM policies offline: eval a case, test case files, check a policy document.
    Policy(crate::policy::cli::PolicyArgs),
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        None => crate::ui::app::open(&cli.global, None),
        Some(Command::Decks(args)) => crate::deck::cli::run(&cli.global, args),
        Some(Command::Compile(args)) => crate::compile::cli::run(&cli.global, args),
        Some(Command::Grade(args)) => crate::mock::cli::run(&cli.global, args),
        Some(Command::Mock(args)) => crate::mock::mock_cli::run(&cli.global, args),
        Some(Command::Paths) => {
            let data = crate::paths::data_dir(cli.global.data_dir.as_ref());
            println!("data:     {}", data.display());
            println!("database: {}", crate::paths::database_path(&data).display());
            println!("config:   {}", crate::paths::config_dir().display());
            println!("state:    {}", crate::paths::state_dir().display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Policy(args)) => crate::policy::cli::run(&cli.global, args),
    }
}
