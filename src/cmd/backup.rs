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
            eprintln!("Nothing was changed.");
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
            eprintln!("Nothing was written.");
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
    reviews: u64,
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
    let done = BackupDone {
        reviews: inspect(&file)?.reviews,
        file,
    };
    if args.json {
        print_json(&done)?;
    } else {
        emit(&format!(
            "Backed up {} answer(s) to {}\nRestore it with: iamdrill restore {}\n",
            done.reviews,
            clean(&done.file.display().to_string()),
            clean(&done.file.display().to_string())
        ))?;
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
        "Replace the current progress ({current} answer(s)) with {} ({} answer(s))? \
         The current progress is backed up to {} first.",
        args.file.display(),
        info.reviews,
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
            "Restored {} answer(s) from {}.\nThe replaced progress ({} answer(s)) is in {}\n",
            report.restored.reviews,
            clean(&args.file.display().to_string()),
            report.previous_reviews,
            clean(&report.previous_backup.display().to_string())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
