//! Commands that report on or maintain progress: `due`, `stats`, `plan`, `optimize`, `export` and
//! `progress`. The logic lives in the pure `srs` modules and in `crate::store`.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::Result;
use color_eyre::eyre::WrapErr;
use serde::Serialize;

use super::backup::{ask, keep, may_overwrite};
use super::output::{clean, emit, library, print_json, usage};
use super::study::check_topics;
use crate::context::Context;
use crate::srs::clock::Date;
use crate::srs::queue::CardRef;
use crate::store::files::{refuse_live_database, write_atomically};
use crate::store::{OptimizeOutcome, write_anki_tsv};

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Only this topic, by slug or title (repeatable).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The interview date (remembered for next time and for the dashboard).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub interview_date: Option<String>,
    /// Forget the remembered interview date.
    #[arg(long, conflicts_with = "interview_date")]
    pub clear: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: ExportWhat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewsFormat {
    /// card_id, review_time, review_rating, review_state, review_duration (FSRS tools).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CardsFormat {
    /// Tab-separated front, back and tags for Anki's File > Import.
    AnkiTsv,
}

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// The review log.
    Reviews {
        #[arg(long, value_enum, default_value = "csv")]
        format: ReviewsFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// The cards of the loaded decks.
    Cards {
        #[arg(long, value_enum, default_value = "anki-tsv")]
        format: CardsFormat,
        /// Only this topic, by slug or title (repeatable).
        #[arg(long = "topic", value_name = "TOPIC")]
        topics: Vec<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    #[command(subcommand)]
    pub command: ProgressCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProgressCommand {
    /// Derive every card's state again from the review log (a backup is taken first).
    Rebuild {
        /// Do not ask; needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete the history of cards that are in none of the loaded decks. Without CARD or --all it
    /// only lists them; deleting takes a backup first.
    Prune {
        /// Cards whose history to delete (each must be in none of the loaded decks).
        #[arg(value_name = "CARD")]
        cards: Vec<String>,
        /// Delete the history of every card in none of the loaded decks (decks from config.yaml,
        /// the decks folder and --decks count as loaded).
        #[arg(long, conflicts_with = "cards")]
        all: bool,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask; needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Appends a line to a report.
macro_rules! say {
    ($o:expr) => {
        $o.push('\n')
    };
    ($o:expr, $($t:tt)*) => {{
        $o.push_str(&format!($($t)*));
        $o.push('\n');
    }};
}

/// A per-topic table row: the slug `--topic` takes, the numbers, and the title. On a terminal the
/// title is cut (with `…`) to what is left of its width, so rows never wrap; piped, it is whole.
fn topic_row(slug: &str, numbers: &str, title: &str) -> String {
    let head = format!("{slug:<20} {numbers}  ");
    let room = terminal_columns().map_or(usize::MAX, |w| {
        w.saturating_sub(crate::ui::text::width(&head)).max(12)
    });
    format!("{head}{}", crate::ui::text::truncate(title, room))
}

/// The width of the terminal standard output goes to, if it goes to one.
fn terminal_columns() -> Option<usize> {
    use std::io::IsTerminal;
    std::io::stdout()
        .is_terminal()
        .then(|| ratatui::crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w)))
}

fn pct(v: Option<f32>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

#[derive(Serialize)]
struct DueReport {
    today: Date,
    /// Today's queue with the daily limits applied.
    queue: QueueCounts,
    topics: Vec<crate::srs::stats::TopicCounts>,
}

#[derive(Serialize)]
struct QueueCounts {
    review: u32,
    learning: u32,
    new: u32,
    new_limit: u32,
    review_limit: u32,
}

/// `iamdrill due`.
///
/// Only ids and topics are needed, so the cards come from the card index, not the library.
pub fn run_due(ctx: &Context, mut args: DueArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let since_start = || crate::context::logging::since_start().as_secs_f64() * 1000.0;
    let index = ctx.card_index();
    log::debug!(
        "{} cards indexed {:.1} ms after start",
        index.len(),
        since_start()
    );
    for p in &index.problems {
        super::output::warn(p);
    }
    match super::cards::resolve_among(&index.card_topics(), &args.topics) {
        Ok(t) => args.topics = t,
        Err(e) => return usage(e),
    }
    let store = ctx.open_store()?;
    let now = ctx.now_ms();
    let selected = || {
        index
            .cards()
            .filter(|(_, topic)| crate::srs::queue::topic_selected(&args.topics, topic))
            .map(|(id, topic)| CardRef { id, topic })
    };
    log::debug!("store opened {:.1} ms after start", since_start());
    let (session, topics) = store.due_today(selected(), now)?;
    log::debug!("today's queue built {:.1} ms after start", since_start());
    let p = session.progress();
    let report = DueReport {
        today: Date::from_day_number(store.clock().day(now)),
        queue: QueueCounts {
            review: p.review,
            learning: p.learning,
            new: p.new,
            new_limit: store.new_limit()?,
            review_limit: store.review_limit()?,
        },
        topics,
    };
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        o,
        "Today ({}): {} review, {} learning, {} new (limits: {} new, {} reviews a day)",
        report.today,
        p.review,
        p.learning,
        p.new,
        report.queue.new_limit,
        report.queue.review_limit
    );
    say!(o);
    let numbers = format!("{:>5} {:>8} {:>5} {:>6}", "due", "learning", "new", "total");
    say!(o, "{}", topic_row("topic", &numbers, "title"));
    for t in &report.topics {
        let numbers = format!("{:>5} {:>8} {:>5} {:>6}", t.due, t.learning, t.new, t.total);
        say!(o, "{}", topic_row(&t.topic, &numbers, &t.title));
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill stats`.
///
/// Only ids and topics are needed, so the cards come from the card index, not the library.
pub fn run_stats(ctx: &Context, args: StatsArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let index = ctx.card_index();
    for p in &index.problems {
        super::output::warn(p);
    }
    let store = ctx.open_store()?;
    let now = ctx.now_ms();
    let cards = index.cards().map(|(id, topic)| CardRef { id, topic });
    let stats = store.stats(cards, now)?;
    if args.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &stats.states;
    say!(
        o,
        "Today {}: {}, streak {}, {} in all",
        stats.today,
        crate::ui::text::count(stats.reviews_today, "answer", "answers"),
        crate::ui::text::count(stats.streak, "day", "days"),
        crate::ui::text::count(stats.total_reviews, "answer", "answers")
    );
    say!(
        o,
        "Cards: {} new, {} learning, {} review, {} relearning; {} suspended, {} buried, {} leeches",
        s.new,
        s.learning,
        s.review,
        s.relearning,
        s.suspended,
        s.buried,
        s.leeches
    );
    say!(
        o,
        "Desired retention {:.0}%, {} parameters{}",
        stats.desired_retention * 100.0,
        if stats.personal_parameters {
            "personal"
        } else {
            "default"
        },
        stats
            .interview_date
            .map(|d| format!(", interview on {d}"))
            .unwrap_or_default()
    );
    say!(o);
    let numbers = format!("{:>7} {:>9} {:>6}", "answers", "retention", "recall");
    say!(o, "{}", topic_row("topic", &numbers, "title"));
    for (ret, rec) in stats.retention.iter().zip(&stats.recall) {
        let numbers = format!(
            "{:>7} {:>9} {:>6}",
            ret.answers,
            pct(ret.retention),
            pct(rec.predicted_recall)
        );
        say!(o, "{}", topic_row(&ret.topic, &numbers, &ret.title));
    }
    say!(
        o,
        "retention: share of answers passed at an interval of 1 day or more; recall: predicted now"
    );
    say!(o);
    let forecast: Vec<String> = stats
        .forecast
        .iter()
        .take(14)
        .map(|d| d.count.to_string())
        .collect();
    say!(o, "Due in the next 14 days: {}", forecast.join(" "));
    let recent: Vec<String> = stats
        .reviews_per_day
        .iter()
        .rev()
        .take(7)
        .map(|d| format!("{} {}", d.date, d.count))
        .collect();
    if !recent.is_empty() {
        say!(o, "Recent days: {}", recent.join(", "));
    }
    if !stats.leeches.is_empty() {
        say!(o);
        say!(o, "Leeches (forgotten 8 times or more):");
        for l in &stats.leeches {
            say!(o, "  {} ({}, {} lapses)", l.card_id, l.topic, l.lapses);
        }
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill plan`.
pub fn run_plan(ctx: &Context, args: PlanArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let lib = library(ctx);
    let mut store = ctx.open_store()?;
    let now = ctx.now_ms();
    let today = store.clock().day(now);
    if args.clear {
        store.set_interview_date(None)?;
        if args.json {
            print_json(&serde_json::json!({ "interview_date": null }))?;
        } else {
            say!(o, "Interview date cleared.");
        }
        emit(&o)?;
        return Ok(ExitCode::SUCCESS);
    }
    let date = match &args.interview_date {
        Some(text) => match text.parse::<Date>() {
            Ok(d) if d.day_number() < today => {
                return usage(format!("the interview date {d} is in the past"));
            }
            Ok(d) => {
                store.set_interview_date(Some(d))?;
                d
            }
            Err(e) => return usage(format!("--interview-date: {e}")),
        },
        None => match store.interview_date()? {
            Some(d) => d,
            None => {
                return usage(
                    "no interview date yet: run `iamdrill plan --interview-date YYYY-MM-DD`",
                );
            }
        },
    };
    let plan = store.plan(lib.cards(), date, now)?;
    if args.json {
        print_json(&plan)?;
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        o,
        "Interview on {} ({} left), target recall {:.0}%: {} reviews in all, {:.1} a day",
        plan.interview_date,
        crate::ui::text::count(plan.days_left, "day", "days"),
        plan.target * 100.0,
        plan.reviews_needed,
        plan.reviews_per_day
    );
    say!(o);
    let numbers = format!(
        "{:>5} {:>6} {:>5} {:>7} {:>5}",
        "cards", "recall", "below", "reviews", "a day"
    );
    say!(o, "{}", topic_row("topic", &numbers, "title"));
    for t in &plan.topics {
        let numbers = format!(
            "{:>5} {:>6} {:>5} {:>7} {:>5.1}",
            t.cards,
            pct(Some(t.predicted_recall)),
            t.below_target,
            t.reviews_needed,
            t.reviews_per_day
        );
        say!(o, "{}", topic_row(&t.topic, &numbers, &t.title));
    }
    say!(
        o,
        "recall: predicted on the interview date; below: cards under the target then"
    );
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill optimize`.
pub fn run_optimize(ctx: &Context, args: OptimizeArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let mut store = ctx.open_store()?;
    let outcome = store.optimize()?;
    if args.json {
        print_json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    match outcome {
        OptimizeOutcome::NotEnoughReviews { have, needed } => say!(
            o,
            "Not enough reviews to fit personal parameters yet: {}, {needed} more needed \
             (reviews on a later day than the card's previous answer count). The default parameters stay.",
            super::output::count(have as u64, "usable review", "usable reviews")
        ),
        OptimizeOutcome::Fitted(r) => {
            say!(o, "Fitted FSRS parameters on {} reviews.", r.reviews);
            say!(
                o,
                "  log loss: {:.4} before, {:.4} after",
                r.log_loss_before,
                r.log_loss_after
            );
            say!(
                o,
                "  RMSE:     {:.4} before, {:.4} after",
                r.rmse_before,
                r.rmse_after
            );
            if r.kept {
                say!(
                    o,
                    "The new parameters predict your reviews better and are kept."
                );
            } else {
                say!(
                    o,
                    "The new parameters are not better; the current ones stay."
                );
            }
        }
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an export: to standard output, or completely or not at all to a file (never onto the
/// progress database's files; an existing file only with `--force` or the user's yes).
fn write_output(
    ctx: &Context,
    path: Option<&PathBuf>,
    force: bool,
    bytes: &[u8],
) -> Result<Option<ExitCode>> {
    match path {
        None => emit_bytes(bytes).map(|()| None),
        Some(p) => {
            if let Err(e) = refuse_live_database(&ctx.paths.database, p) {
                return usage(e).map(Some);
            }
            if let Some(code) = may_overwrite(p, force)? {
                return Ok(Some(code));
            }
            write_atomically(&ctx.paths.database, p, |w| w.write_all(bytes))?;
            Ok(None)
        }
    }
}

/// A writer that notes whether the reader went away (a closed pipe is not an error).
struct PipeWatch<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeWatch<W> {
    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        r
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

fn store_io(store: &crate::store::Store, e: std::io::Error) -> crate::store::StoreError {
    crate::store::StoreError::Io {
        path: store.path().to_path_buf(),
        message: format!("cannot write the export: {e}"),
    }
}

/// Raw bytes to standard output; a closed pipe is not an error.
fn emit_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// `iamdrill export`.
pub fn run_export(ctx: &Context, args: ExportArgs) -> Result<ExitCode> {
    match args.what {
        ExportWhat::Reviews {
            format: ReviewsFormat::Csv,
            output,
            force,
        } => {
            let store = ctx.open_store()?;
            // Rows go out as they are read: memory stays small whatever the log's size.
            let Some(p) = output else {
                let mut out = PipeWatch {
                    inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
                    closed: false,
                };
                let written = store
                    .export_reviews_csv(&mut out)
                    .and_then(|n| out.flush().map(|()| n).map_err(|e| store_io(&store, e)));
                return match written {
                    Err(_) if out.closed => Ok(ExitCode::SUCCESS),
                    Err(e) => Err(e.into()),
                    Ok(_) => Ok(ExitCode::SUCCESS),
                };
            };
            if let Err(e) = refuse_live_database(&ctx.paths.database, &p) {
                return usage(e);
            }
            if let Some(code) = may_overwrite(&p, force)? {
                return Ok(code);
            }
            let mut n = 0;
            let mut failure = None;
            let written = write_atomically(&ctx.paths.database, &p, |w| {
                match store.export_reviews_csv(w) {
                    Ok(count) => {
                        n = count;
                        Ok(())
                    }
                    Err(e) => {
                        let io = std::io::Error::other(e.to_string());
                        failure = Some(e);
                        Err(io)
                    }
                }
            });
            if let Some(e) = failure {
                return Err(e.into());
            }
            written?;
            super::output::say(&format_args!(
                "Wrote {} to {}",
                super::output::count(n, "review", "reviews"),
                p.display()
            ));
        }
        ExportWhat::Cards {
            format: CardsFormat::AnkiTsv,
            topics,
            output,
            force,
        } => {
            let lib = library(ctx);
            let topics = match check_topics(&lib, &topics) {
                Ok(t) => t,
                Err(e) => return usage(e),
            };
            let cards = lib
                .cards()
                .filter(|c| crate::srs::queue::topic_selected(&topics, &c.topic));
            let mut buf = Vec::new();
            let n = write_anki_tsv(cards, &mut buf).wrap_err("cannot write the export")?;
            if let Some(code) = write_output(ctx, output.as_ref(), force, &buf)? {
                return Ok(code);
            }
            if let Some(p) = output {
                super::output::say(&format_args!(
                    "Wrote {} to {}",
                    super::output::count(n, "card", "cards"),
                    p.display()
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill progress`.
pub fn run_progress(ctx: &Context, args: ProgressArgs) -> Result<ExitCode> {
    match args.command {
        ProgressCommand::Rebuild { yes, json } => run_rebuild(ctx, yes, json),
        ProgressCommand::Prune {
            cards,
            all,
            dry_run,
            yes,
            json,
        } => run_prune(ctx, &cards, all, dry_run, yes, json),
    }
}

fn run_rebuild(ctx: &Context, yes: bool, json: bool) -> Result<ExitCode> {
    let mut o = String::new();
    let mut store = ctx.open_store()?;
    let question = format!(
        "Derive the state of every card again from the {}? A backup goes to {} first.",
        super::output::count(store.review_count()?, "logged answer", "logged answers"),
        ctx.backup_dir().display()
    );
    if let Some(code) = ask(&question, yes, "--yes")? {
        return Ok(code);
    }
    let backup = store.backup_into(&ctx.backup_dir(), "before-rebuild", ctx.now_ms(), keep(ctx))?;
    let r = store.rebuild()?;
    if json {
        print_json(&serde_json::json!({
            "cards": r.cards,
            "corrected": r.corrected,
            "reviews": r.reviews,
            "backup": backup,
        }))?;
    } else {
        say!(
            o,
            "Rebuilt the state of {} from {}; {} corrected.",
            super::output::count(r.cards, "card", "cards"),
            super::output::count(r.reviews, "logged answer", "logged answers"),
            r.corrected
        );
        say!(
            o,
            "Backup of the state before: {}",
            clean(&backup.display().to_string())
        );
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

fn run_prune(
    ctx: &Context,
    chosen: &[String],
    all: bool,
    dry_run: bool,
    yes: bool,
    json: bool,
) -> Result<ExitCode> {
    let mut o = String::new();
    let lib = library(ctx);
    let mut store = ctx.open_store()?;
    if !lib.problems.is_empty() && !dry_run && (all || !chosen.is_empty()) {
        return usage(
            "some decks failed to load (see the warnings above); fix them before pruning, \
             or their cards' history would be deleted",
        );
    }
    let known: HashSet<&str> = lib.cards().map(|c| c.id.as_str()).collect();
    let orphans = store.orphans(&known)?;
    for card in chosen {
        if known.contains(card.as_str()) {
            return usage(format!(
                "card `{card}` is in the loaded decks; prune only deletes the history of cards in none of them"
            ));
        }
        if !orphans.contains(card) {
            return usage(format!("card `{card}` has no history to delete"));
        }
    }
    let selected = all || !chosen.is_empty();
    let targets: Vec<String> = if chosen.is_empty() {
        orphans
    } else {
        chosen.to_vec()
    };
    let answers = store.history_count(&targets)?;
    if dry_run || !selected || targets.is_empty() {
        if json {
            print_json(
                &serde_json::json!({ "dry_run": true, "cards": targets, "reviews": answers }),
            )?;
        } else if targets.is_empty() {
            say!(
                o,
                "Every card with history is in the loaded decks; nothing to prune."
            );
        } else {
            say!(
                o,
                "{} {} in none of the loaded decks ({}):",
                if selected {
                    "Would delete the history of"
                } else {
                    "History of"
                },
                super::output::count(targets.len() as u64, "card", "cards"),
                super::output::count(answers, "answer", "answers")
            );
            for c in &targets {
                say!(o, "  {}", clean(c));
            }
            if !selected {
                say!(o);
                say!(
                    o,
                    "Nothing was deleted. Decks that are not loaded now (check --decks and \
                     deck_dirs) count as gone: to delete, name the cards \
                     (`iamdrill progress prune CARD...`) or pass --all."
                );
            }
        }
        emit(&o)?;
        return Ok(ExitCode::SUCCESS);
    }
    let question = format!(
        "Delete the history of {} ({})? A backup goes to {} first.",
        super::output::count(targets.len() as u64, "card", "cards"),
        super::output::count(answers, "answer", "answers"),
        ctx.backup_dir().display()
    );
    if let Some(code) = ask(&question, yes, "--yes")? {
        return Ok(code);
    }
    let backup = store.backup_into(&ctx.backup_dir(), "before-prune", ctx.now_ms(), keep(ctx))?;
    let r = store.prune(&targets)?;
    if json {
        print_json(&serde_json::json!({
            "cards": r.cards,
            "reviews": r.reviews,
            "backup": backup,
        }))?;
    } else {
        say!(
            o,
            "Deleted the history of {} in none of the loaded decks ({}).",
            super::output::count(r.cards.len() as u64, "card", "cards"),
            super::output::count(r.reviews, "answer", "answers")
        );
        for c in &r.cards {
            say!(o, "  {}", clean(c));
        }
        say!(
            o,
            "Backup of the history before: {} (iamdrill restore FILE brings it back)",
            clean(&backup.display().to_string())
        );
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}
