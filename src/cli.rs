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
    /// Grade a typed answer against a card's key points, as the mock interview does.
    Grade(crate::mock::cli::GradeArgs),
    /// Review today's cards (`--plain` for a line-by-line session).
    Review(crate::srs::cli::ReviewArgs),
    /// Review every card of the chosen topics regardless of due date, least recallable first.
    Cram(crate::srs::cli::CramArgs),
    /// Show what is due today, per topic.
    Due(crate::srs::cli::DueArgs),
    /// Show progress statistics.
    Stats(crate::srs::cli::StatsArgs),
    /// Predicted recall on the interview date and the reviews a day needed.
    Plan(crate::srs::cli::PlanArgs),
    /// Fit personal FSRS parameters to your review log.
    Optimize(crate::srs::cli::OptimizeArgs),
    /// Export the review log or the cards.
    Export(crate::srs::cli::ExportArgs),
    /// Maintain the progress database (rebuild, prune).
    Progress(crate::srs::cli::ProgressArgs),
    /// A timed mock interview (`mock history` lists past ones).
    Mock(crate::mock::mock_cli::MockArgs),
    /// Print where iamdrill keeps its data and configuration.
    Paths {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate IAM policies offline: eval a case, test case files, check a policy document.
    Policy(crate::policy::cli::PolicyArgs),
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
            crate::ui::app::open(&cli.global, None)
        }
        Some(Command::Decks(args)) => crate::deck::cli::run(&cli.global, args),
        Some(Command::Compile(args)) => crate::compile::cli::run(&cli.global, args),
        Some(Command::Grade(args)) => crate::mock::cli::run(&cli.global, args),
        Some(Command::Review(args)) => crate::srs::cli::run_review(&cli.global, args),
        Some(Command::Cram(args)) => crate::srs::cli::run_cram(&cli.global, args),
        Some(Command::Due(args)) => crate::srs::cli::run_due(&cli.global, args),
        Some(Command::Stats(args)) => crate::srs::cli::run_stats(&cli.global, args),
        Some(Command::Plan(args)) => crate::srs::cli::run_plan(&cli.global, args),
        Some(Command::Optimize(args)) => crate::srs::cli::run_optimize(&cli.global, args),
        Some(Command::Export(args)) => crate::srs::cli::run_export(&cli.global, args),
        Some(Command::Progress(args)) => crate::srs::cli::run_progress(&cli.global, args),
        Some(Command::Mock(args)) => crate::mock::mock_cli::run(&cli.global, args),
        Some(Command::Paths { json }) => crate::config::run_paths(&cli.global, json),
        Some(Command::Policy(args)) => crate::policy::cli::run(&cli.global, args),
        Some(Command::Config(args)) => crate::config::run(&cli.global, args),
        Some(Command::Completions(args)) => crate::ecosystem::run_completions(&cli.global, args),
        Some(Command::Man(args)) => crate::ecosystem::run_man(&cli.global, args),
    }
}
