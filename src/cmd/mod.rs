//! The command line: argument definitions (clap derive) and one thin handler module per command
//! group. `main` parses the arguments, [`run`] builds the [`Context`] once and hands it to the
//! handler or to the terminal app.

pub mod backup;
pub mod cards;
pub mod compile;
pub mod config;
pub mod decks;
pub mod ecosystem;
pub mod grade;
pub mod mock;
pub mod output;
pub mod plain;
pub mod policy;
pub mod progress;
pub mod study;
pub mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use color_eyre::Result;

use crate::context::{Context, Options, Paths, logging};

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
    /// Directory holding config.yaml and the decks/ folder (default: the platform's
    /// configuration directory).
    #[arg(long, global = true, env = "IAMDRILL_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Extra deck directory or file to load besides the built-in decks (repeatable).
    #[arg(long = "decks", global = true, value_name = "PATH")]
    pub decks: Vec<PathBuf>,
    /// Review as if it were this time (RFC 3339, e.g. 2026-12-24T09:00:00Z); the clock runs on
    /// from there, and answers are stored with that time.
    #[arg(long, global = true, env = "IAMDRILL_NOW", value_name = "TIME",
          value_parser = parse_now)]
    pub now: Option<i64>,
    /// Write a debug log to the state directory (RUST_LOG=<level> also does).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

fn parse_now(text: &str) -> Result<i64, String> {
    crate::context::clock::parse_rfc3339(text).map_err(|e| e.to_string())
}

impl Global {
    /// What the context is built from.
    pub fn options(&self) -> Options {
        Options {
            data_dir: self.data_dir.clone(),
            config_dir: self.config_dir.clone(),
            decks: self.decks.clone(),
            now_ms: self.now,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and list decks.
    Decks(decks::DecksArgs),
    /// Compile Q&A documents (text guides or Markdown notes) into YAML decks.
    Compile(compile::CompileArgs),
    /// Grade a typed answer against a card's key points, as the mock interview does.
    Grade(grade::GradeArgs),
    /// Review today's cards (`--plain` for a line-by-line session).
    Review(study::ReviewArgs),
    /// Review every card of the chosen topics regardless of due date, least recallable first.
    Cram(study::CramArgs),
    /// List cards with their state and due date; suspend, unsuspend, unbury, forget them.
    Cards(cards::CardsArgs),
    /// Show what is due today, per topic.
    Due(progress::DueArgs),
    /// Show progress statistics.
    Stats(progress::StatsArgs),
    /// Predicted recall on the interview date and the reviews a day needed.
    Plan(progress::PlanArgs),
    /// Fit personal FSRS parameters to your review log.
    Optimize(progress::OptimizeArgs),
    /// Export the review log or the cards.
    Export(progress::ExportArgs),
    /// Maintain the progress database (rebuild, prune).
    Progress(progress::ProgressArgs),
    /// Copy the progress database, answers in the write-ahead log included, to a backup file.
    Backup(backup::BackupArgs),
    /// Replace the progress with a backup (the current progress is backed up first).
    Restore(backup::RestoreArgs),
    /// Add a review log exported on another machine (`export reviews`) to this one.
    Import(backup::ImportArgs),
    /// A timed mock interview (`mock history` lists past ones).
    Mock(mock::MockArgs),
    /// Exchange progress with your other machines through a synced folder (`--status`: what
    /// each machine sent).
    Sync(sync::SyncArgs),
    /// Print where iamdrill keeps its data and configuration.
    Paths {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate IAM policies offline: eval a case, test case files, check a policy document.
    Policy(policy::PolicyArgs),
    /// Show, check or print an example of the configuration file.
    Config(config::ConfigArgs),
    /// Print shell completions (bash, zsh, fish, powershell).
    Completions(ecosystem::CompletionsArgs),
    /// Print the man page, or write it into a directory.
    Man(ecosystem::ManArgs),
}

/// Runs the command line: the commands that inspect or repair the configuration run without it;
/// every other command, and the app, runs in a [`Context`] built once here, so a broken
/// configuration stops them all the same way.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let options = cli.global.options();
    let paths = Paths::resolve(options.data_dir.as_deref(), options.config_dir.as_deref());
    if let Err(message) = logging::init(cli.global.verbose, &paths.log) {
        output::error(&message);
        return Ok(ExitCode::from(2));
    }
    let command = match cli.command {
        Some(Command::Config(args)) => return config::run(&paths, args),
        Some(Command::Paths { json }) => return config::run_paths(&paths, json),
        Some(Command::Completions(args)) => return ecosystem::run_completions(args),
        Some(Command::Man(args)) => return ecosystem::run_man(args),
        other => other,
    };
    let ctx = match Context::build(&options) {
        Ok(ctx) => ctx,
        Err(problem) => {
            output::error(&problem);
            return Ok(ExitCode::from(2));
        }
    };
    // Commands wait for a lock held by another process and say so; the app keeps its screen.
    crate::store::announce_lock_waits(command.is_some());
    match command {
        None => crate::ui::app::open(&ctx, None),
        Some(Command::Decks(args)) => decks::run(&ctx, args),
        Some(Command::Compile(args)) => compile::run(&ctx, args),
        Some(Command::Grade(args)) => grade::run(&ctx, args),
        Some(Command::Review(args)) => study::run_review(&ctx, args),
        Some(Command::Cram(args)) => study::run_cram(&ctx, args),
        Some(Command::Cards(args)) => cards::run(&ctx, args),
        Some(Command::Due(args)) => progress::run_due(&ctx, args),
        Some(Command::Stats(args)) => progress::run_stats(&ctx, args),
        Some(Command::Plan(args)) => progress::run_plan(&ctx, args),
        Some(Command::Optimize(args)) => progress::run_optimize(&ctx, args),
        Some(Command::Export(args)) => progress::run_export(&ctx, args),
        Some(Command::Progress(args)) => progress::run_progress(&ctx, args),
        Some(Command::Backup(args)) => backup::run_backup(&ctx, args),
        Some(Command::Restore(args)) => backup::run_restore(&ctx, args),
        Some(Command::Import(args)) => backup::run_import(&ctx, args),
        Some(Command::Mock(args)) => mock::run(&ctx, args),
        Some(Command::Sync(args)) => sync::run(&ctx, args),
        Some(Command::Policy(args)) => policy::run(&ctx, args),
        // Routed above without a context; the same handlers serve them here.
        Some(Command::Config(args)) => config::run(&ctx.paths, args),
        Some(Command::Paths { json }) => config::run_paths(&ctx.paths, json),
        Some(Command::Completions(args)) => ecosystem::run_completions(args),
        Some(Command::Man(args)) => ecosystem::run_man(args),
    }
}
