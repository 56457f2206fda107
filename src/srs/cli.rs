//! Commands of the scheduler and the progress store: `review`, `cram`, `due`, `stats`, `plan`,
//! `optimize`, `export` and `progress`. This is the command layer: it reads the clock and the
//! terminal; the logic lives in the pure `srs` modules and in `crate::store`.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::Result;
use color_eyre::eyre::WrapErr;
use serde::Serialize;

use super::clock::{Date, now_ms};
use super::queue::CardRef;
use super::session::SessionKind;
use crate::cli::Global;
use crate::deck::Library;
use crate::deck::model::topic_title;
use crate::store::{OptimizeOutcome, Store, write_anki_tsv};

/// Options of a review started from the command line; the full-screen review takes them too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOptions {
    pub kind: SessionKind,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Questions and answers as plain lines on stdin/stdout.
    #[arg(long)]
    pub plain: bool,
    /// Only cards of this topic (repeatable).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Every card of the topics regardless of due date, least recallable first.
    #[arg(long)]
    pub cram: bool,
    /// With --cram: log the answers but leave the cards' schedules alone.
    #[arg(long, requires = "cram")]
    pub no_reschedule: bool,
}

#[derive(Debug, Args)]
pub struct CramArgs {
    /// Questions and answers as plain lines on stdin/stdout.
    #[arg(long)]
    pub plain: bool,
    /// Only cards of this topic (repeatable; none: every topic).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Log the answers but leave the cards' schedules alone.
    #[arg(long)]
    pub no_reschedule: bool,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Only this topic (repeatable).
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
    },
    /// The cards of the loaded decks.
    Cards {
        #[arg(long, value_enum, default_value = "anki-tsv")]
        format: CardsFormat,
        /// Only this topic (repeatable).
        #[arg(long = "topic", value_name = "TOPIC")]
        topics: Vec<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    #[command(subcommand)]
    pub command: ProgressCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProgressCommand {
    /// Derive every card's state again from the review log.
    Rebuild {
        #[arg(long)]
        json: bool,
    },
    /// Delete the history of cards that are no longer in any deck.
    Prune {
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Bad input on the command line: message and exit status 2.
fn usage(msg: impl std::fmt::Display) -> Result<ExitCode> {
    eprintln!("iamdrill: {msg}");
    Ok(ExitCode::from(2))
}

fn load_library(global: &Global) -> Library {
    let lib = crate::deck::load_all(global);
    for p in &lib.problems {
        eprintln!("iamdrill: warning: {p}");
    }
    lib
}

/// Checks `--topic` values against the loaded cards; the error lists the topics there are.
fn check_topics(lib: &Library, topics: &[String]) -> Result<(), String> {
    let known: HashSet<&str> = lib.cards().map(|c| c.topic.as_str()).collect();
    let unknown: Vec<&String> = topics
        .iter()
        .filter(|t| !known.contains(t.as_str()))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let mut list: Vec<&str> = known.into_iter().collect();
    list.sort_unstable();
    Err(format!(
        "unknown topic {}; topics of the loaded decks: {}",
        unknown
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", "),
        list.join(", ")
    ))
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

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    emit(&text)
}

fn pct(v: Option<f32>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

/// The full-screen review: the app opened on the review or cram flow.
fn full_screen_review(global: &Global, options: ReviewOptions) -> Result<ExitCode> {
    let open = match options.kind {
        SessionKind::Review { topics } => crate::ui::Open::Review { topics },
        SessionKind::Cram { topics, reschedule } => crate::ui::Open::Cram { topics, reschedule },
    };
    crate::ui::app::open(global, Some(open))
}

fn run_session(global: &Global, kind: SessionKind, plain: bool) -> Result<ExitCode> {
    let lib = load_library(global);
    if let Err(e) = check_topics(&lib, kind.topics()) {
        return usage(e);
    }
    if !plain {
        return full_screen_review(global, ReviewOptions { kind });
    }
    let config = match crate::config::Config::load_default() {
        Ok(c) => c,
        Err(problem) => return usage(problem.to_string()),
    };
    let mut store = Store::open(global)?;
    crate::ui::app::apply_config(&config, &mut store)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    super::plain::run_plain(&mut store, &lib, kind, &mut input, &mut out, &mut now_ms)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill review`.
pub fn run_review(global: &Global, args: ReviewArgs) -> Result<ExitCode> {
    let kind = if args.cram {
        SessionKind::Cram {
            topics: args.topics,
            reschedule: !args.no_reschedule,
        }
    } else {
        SessionKind::Review {
            topics: args.topics,
        }
    };
    run_session(global, kind, args.plain)
}

/// `iamdrill cram`.
pub fn run_cram(global: &Global, args: CramArgs) -> Result<ExitCode> {
    let kind = SessionKind::Cram {
        topics: args.topics,
        reschedule: !args.no_reschedule,
    };
    run_session(global, kind, args.plain)
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
pub fn run_due(global: &Global, args: DueArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let lib = load_library(global);
    if let Err(e) = check_topics(&lib, &args.topics) {
        return usage(e);
    }
    let store = Store::open(global)?;
    let now = now_ms();
    let selected = || {
        lib.cards()
            .filter(|c| super::queue::topic_selected(&args.topics, &c.topic))
            .map(CardRef::from)
    };
    let session = store.start_session(selected(), SessionKind::Review { topics: vec![] }, now)?;
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
        topics: store.topic_counts(selected(), now)?,
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
    say!(
        o,
        "{:<42} {:>5} {:>8} {:>5} {:>6}",
        "topic",
        "due",
        "learning",
        "new",
        "total"
    );
    for t in &report.topics {
        say!(
            o,
            "{:<42} {:>5} {:>8} {:>5} {:>6}",
            t.title,
            t.due,
            t.learning,
            t.new,
            t.total
        );
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill stats`.
pub fn run_stats(global: &Global, args: StatsArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let lib = load_library(global);
    let store = Store::open(global)?;
    let now = now_ms();
    let stats = store.stats(lib.cards(), now)?;
    if args.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &stats.states;
    say!(
        o,
        "Today {}: {} answers, streak {} day(s), {} answers in all",
        stats.today,
        stats.reviews_today,
        stats.streak,
        stats.total_reviews
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
    say!(
        o,
        "{:<42} {:>10} {:>8} {:>10}",
        "topic",
        "retention",
        "answers",
        "recall now"
    );
    for (ret, rec) in stats.retention.iter().zip(&stats.recall) {
        say!(
            o,
            "{:<42} {:>10} {:>8} {:>10}",
            ret.title,
            pct(ret.retention),
            ret.reviews,
            pct(rec.predicted_recall)
        );
    }
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
            say!(
                o,
                "  {} ({}, {} lapses)",
                l.card_id,
                topic_title(&l.topic),
                l.lapses
            );
        }
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill plan`.
pub fn run_plan(global: &Global, args: PlanArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let lib = load_library(global);
    let mut store = Store::open(global)?;
    let now = now_ms();
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
        "Interview on {} ({} day(s) left), target recall {:.0}%: {} reviews in all, {:.1} a day",
        plan.interview_date,
        plan.days_left,
        plan.target * 100.0,
        plan.reviews_needed,
        plan.reviews_per_day
    );
    say!(o);
    say!(
        o,
        "{:<42} {:>6} {:>11} {:>7} {:>8} {:>6}",
        "topic",
        "cards",
        "recall then",
        "below",
        "reviews",
        "a day"
    );
    for t in &plan.topics {
        say!(
            o,
            "{:<42} {:>6} {:>11} {:>7} {:>8} {:>6.1}",
            t.title,
            t.cards,
            pct(Some(t.predicted_recall)),
            t.below_target,
            t.reviews_needed,
            t.reviews_per_day
        );
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill optimize`.
pub fn run_optimize(global: &Global, args: OptimizeArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let mut store = Store::open(global)?;
    let outcome = store.optimize()?;
    if args.json {
        print_json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    match outcome {
        OptimizeOutcome::NotEnoughReviews { have, needed } => say!(
            o,
            "Not enough reviews to fit personal parameters yet: {have} usable review(s), {needed} more needed \
             (reviews on a later day than the card's previous answer count). The default parameters stay."
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

fn open_output(path: &Option<PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).wrap_err_with(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// `iamdrill export`.
pub fn run_export(global: &Global, args: ExportArgs) -> Result<ExitCode> {
    match args.what {
        ExportWhat::Reviews {
            format: ReviewsFormat::Csv,
            output,
        } => {
            let store = Store::open(global)?;
            let mut out = open_output(&output)?;
            // Written to memory first so that a closed pipe surfaces as an I/O error of stdout.
            let mut buf = Vec::new();
            let n = store.export_reviews_csv(&mut buf)?;
            out.write_all(&buf)?;
            out.flush()?;
            if let Some(p) = output {
                eprintln!("Wrote {n} review(s) to {}", p.display());
            }
        }
        ExportWhat::Cards {
            format: CardsFormat::AnkiTsv,
            topics,
            output,
        } => {
            let lib = load_library(global);
            if let Err(e) = check_topics(&lib, &topics) {
                return usage(e);
            }
            let mut out = open_output(&output)?;
            let cards = lib
                .cards()
                .filter(|c| super::queue::topic_selected(&topics, &c.topic));
            let n = write_anki_tsv(cards, &mut out).wrap_err("cannot write the export")?;
            out.flush()?;
            if let Some(p) = output {
                eprintln!("Wrote {n} card(s) to {}", p.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill progress`.
pub fn run_progress(global: &Global, args: ProgressArgs) -> Result<ExitCode> {
    let mut o = String::new();
    let mut store = Store::open(global)?;
    match args.command {
        ProgressCommand::Rebuild { json } => {
            let r = store.rebuild()?;
            if json {
                print_json(&r)?;
            } else {
                say!(
                    o,
                    "Rebuilt the state of {} card(s) from {} logged answer(s); {} corrected.",
                    r.cards,
                    r.reviews,
                    r.corrected
                );
            }
        }
        ProgressCommand::Prune { dry_run, json } => {
            let lib = load_library(global);
            if !lib.problems.is_empty() && !dry_run {
                return usage(
                    "some decks failed to load (see the warnings above); fix them before pruning, \
                     or their cards' history would be deleted",
                );
            }
            let known: HashSet<&str> = lib.cards().map(|c| c.id.as_str()).collect();
            if dry_run {
                let cards = store.orphans(&known)?;
                if json {
                    print_json(&serde_json::json!({ "dry_run": true, "cards": cards }))?;
                } else if cards.is_empty() {
                    say!(
                        o,
                        "Every card with history is in the decks; nothing to prune."
                    );
                } else {
                    say!(
                        o,
                        "Would delete the history of {} card(s) no longer in the decks:",
                        cards.len()
                    );
                    for c in cards {
                        say!(o, "  {c}");
                    }
                }
            } else {
                let r = store.prune(&known)?;
                if json {
                    print_json(&r)?;
                } else {
                    say!(
                        o,
                        "Deleted the history of {} card(s) no longer in the decks ({} answer(s)).",
                        r.cards.len(),
                        r.reviews
                    );
                    for c in &r.cards {
                        say!(o, "  {c}");
                    }
                }
            }
        }
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}
