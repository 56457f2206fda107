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
        Some(Command::Review(args)) => crate::srs::cli::run_review(&cli.global, args),
        Some(Command::Cram(args)) => crate::srs::cli::run_cram(&cli.global, args),
        Some(Command::Due(args)) => crate::srs::cli::run_due(&cli.global, args),
        Some(Command::Stats(args)) => crate::srs::cli::run_stats(&cli.global, args),
        Some(Command::Plan(args)) => crate::srs::cli::run_plan(&cli.global, args),
        Some(Command::Optimize(args)) => crate::srs::cli::run_optimize(&cli.global, args),
        Some(Command::Export(args)) => crate::srs::cli::run_export(&cli.global, args),
        Some(Command::Progress(args)) => crate::srs::cli::run_progress(&cli.global, args),
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
