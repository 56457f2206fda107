//! `backup`, `restore` and `import`: moving progress between files and machines, and the
//! question every command that replaces or deletes progress asks first.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use color_eyre::Result;
use serde::Serialize;

use super::output::{clean, emit, print_json, usage};
use crate::context::Context;
use crate::store::backup::inspect;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Write the backup to this file (default: a time-stamped file in the data directory's
    /// backups/ folder).
    pub file: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `iamdrill backup` (or a progress.sqlite3 copied from another machine).
    pub file: PathBuf,
    /// Do not ask; needed when standard input is not a terminal.
    #[arg(long)]
    pub yes: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The answer to a question that guards a destructive step.
pub enum Consent {
    Given,
    Refused,
    /// Not a terminal and no `--yes`: the message says what to do.
    Missing(String),
}

/// Asks `question` on the terminal (default no) unless `yes` was given; without a terminal,
/// consent must come from the flag (`flag` names it in the message).
pub fn consent(question: &str, yes: bool, flag: &str) -> Consent {
    if yes {
        return Consent::Given;
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Consent::Missing(format!(
            "standard input is not a terminal, so nothing was changed; pass {flag} to go ahead"
        ));
    }
    eprint!("{} [y/N] ", clean(question));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match stdin.lock().read_line(&mut line) {
        Ok(_) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Consent::Given,
        _ => Consent::Refused,
    }
}

/// Runs `consent` and turns a refusal into the command's exit: `Ok(None)` means go ahead.
pub fn ask(question: &str, yes: bool, flag: &str) -> Result<Option<ExitCode>> {
    match consent(question, yes, flag) {
        Consent::Given => Ok(None),
        Consent::Refused => {
            super::output::say(&"Nothing was changed.");
            Ok(Some(ExitCode::from(1)))
        }
        Consent::Missing(message) => usage(message).map(Some),
    }
}

/// Whether an output file may be written: it does not exist, `--force` was given, or the user
/// agrees to replace it. `Ok(None)` means go ahead.
pub fn may_overwrite(path: &Path, force: bool) -> Result<Option<ExitCode>> {
    if force || std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    match consent(
        &format!("{} exists. Replace it?", path.display()),
        false,
        "--force",
    ) {
        Consent::Given => Ok(None),
        Consent::Refused => {
            super::output::say(&"Nothing was written.");
            Ok(Some(ExitCode::from(1)))
        }
        Consent::Missing(_) => usage(format!(
            "{} exists; pass --force to replace it (nothing was written)",
            path.display()
        ))
        .map(Some),
    }
}

/// The automatic backups kept of each kind taken before a destructive command.
pub fn keep(ctx: &Context) -> usize {
    (ctx.config.backup_keep as usize).max(1)
}

#[derive(Serialize)]
struct BackupDone {
    file: PathBuf,
    /// Answers in the copy; unknown when the database is damaged.
    reviews: Option<u64>,
}

/// `iamdrill backup [FILE]`.
pub fn run_backup(ctx: &Context, args: BackupArgs) -> Result<ExitCode> {
    let store = ctx.open_store()?;
    let file = match &args.file {
        Some(f) => {
            if let Some(code) = may_overwrite(f, args.force)? {
                return Ok(code);
            }
            store.backup_to(f)?;
            f.clone()
        }
        None => store.backup_into(&ctx.backup_dir(), "manual", ctx.now_ms(), usize::MAX)?,
    };
    // A copy of a damaged database is damaged too: it keeps what SQLite's own tools can rescue.
    let reviews = match store.damage() {
        None => Some(inspect(&file)?.reviews),
        Some(_) => None,
    };
    let done = BackupDone { reviews, file };
    if args.json {
        print_json(&done)?;
    } else {
        let file = clean(&done.file.display().to_string());
        let text = match done.reviews {
            Some(n) => format!(
                "Backed up {} to {file}\nRestore it with: iamdrill restore {file}\n",
                super::output::count(n, "answer", "answers")
            ),
            None => format!(
                "Copied the damaged database to {file}; `sqlite3 {file} .recover` can rescue more of it\n"
            ),
        };
        emit(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill restore FILE`.
pub fn run_restore(ctx: &Context, args: RestoreArgs) -> Result<ExitCode> {
    let info = match inspect(&args.file) {
        Ok(info) => info,
        Err(e) => return usage(format!("cannot restore: {e}")),
    };
    let mut store = ctx.open_store()?;
    let current = store.review_count()?;
    let question = format!(
        "Replace the current progress ({}) with {} ({})? \
         The current progress is backed up to {} first.",
        super::output::count(current, "answer", "answers"),
        args.file.display(),
        super::output::count(info.reviews as u64, "answer", "answers"),
        ctx.backup_dir().display()
    );
    if let Some(code) = ask(&question, args.yes, "--yes")? {
        return Ok(code);
    }
    let report = store.restore_from(&args.file, &ctx.backup_dir(), ctx.now_ms(), keep(ctx))?;
    if args.json {
        print_json(&report)?;
    } else {
        emit(&format!(
            "Restored {} from {}.\nThe replaced progress ({}) is in {}\n",
            super::output::count(report.restored.reviews, "answer", "answers"),
            clean(&args.file.display().to_string()),
            super::output::count(report.previous_reviews, "answer", "answers"),
            clean(&report.previous_backup.display().to_string())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Debug, clap::Subcommand)]
pub enum ImportWhat {
    /// A review log written by `iamdrill export reviews` (CSV); answers already in the log are
    /// skipped, and the cards that get new answers have their state derived again.
    Reviews {
        /// The CSV file.
        file: PathBuf,
        /// Do not ask; needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Largest review log `import reviews` reads (about ten million answers).
const MAX_CSV_BYTES: u64 = 1 << 30;

/// Reads a regular file of at most `max` bytes as UTF-8 text.
fn read_text(path: &Path, max: u64) -> std::result::Result<String, String> {
    crate::deck::read::read_text_bounded(path, max)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `iamdrill import reviews FILE`.
pub fn run_import(ctx: &Context, args: ImportArgs) -> Result<ExitCode> {
    let ImportWhat::Reviews { file, yes, json } = args.what;
    let text = match read_text(&file, MAX_CSV_BYTES) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let rows = match crate::store::import::parse_reviews_csv(&text, &file.display().to_string()) {
        Ok(rows) => rows,
        Err(e) => return usage(e),
    };
    let mut store = ctx.open_store()?;
    let question = format!(
        "Add the {} of {} to the review log (answers already there are skipped)? \
         A backup goes to {} first.",
        super::output::count(rows.len() as u64, "answer", "answers"),
        file.display(),
        ctx.backup_dir().display()
    );
    if let Some(code) = ask(&question, yes, "--yes")? {
        return Ok(code);
    }
    let backup = store.backup_into(&ctx.backup_dir(), "before-import", ctx.now_ms(), keep(ctx))?;
    let r = store.import_reviews(&rows)?;
    if json {
        print_json(&serde_json::json!({
            "read": r.read,
            "imported": r.imported,
            "duplicates": r.duplicates,
            "cards": r.cards,
            "backup": backup,
        }))?;
    } else {
        emit(&format!(
            "Imported {} of {} ({} already in the log, skipped); the state of {} \
             was derived again.\nBackup of the progress before: {}\n",
            r.imported,
            super::output::count(r.read as u64, "answer", "answers"),
            r.duplicates,
            super::output::count(r.cards as u64, "card", "cards"),
            clean(&backup.display().to_string())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
