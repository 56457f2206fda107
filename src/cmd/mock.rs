//! `iamdrill mock [--minutes 30] [--questions 8] [--topic T]... [--seed N]` opens the timed
//! interview in the terminal app; `iamdrill mock history [--json]` lists past interviews.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use color_eyre::Result;
use serde::Serialize;

use crate::context::Context;
use crate::mock::report::MockReport;
use crate::store::Store;
use crate::ui::screens::mock::{MockOptions, percent};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MockArgs {
    #[command(subcommand)]
    pub command: Option<MockCommand>,
    /// Length of the interview in minutes, split across the questions [default: 30, or `mock.minutes`
    /// in the configuration].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub minutes: Option<u64>,
    /// Number of questions [default: 8, or `mock.questions` in the configuration].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub questions: Option<u64>,
    /// Only ask cards of this topic, by slug or title (repeatable; see `iamdrill decks list`).
    #[arg(long = "topic", value_name = "T")]
    pub topics: Vec<String>,
    /// Reproduce a selection (the report shows the seed of every interview).
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// List past interviews: date, questions, score and the trend against the previous complete
    /// one (runs quit early have no trend).
    History {
        #[arg(long)]
        json: bool,
    },
}

/// One past interview as `mock history` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub id: i64,
    pub started_at: i64,
    pub finished_at: i64,
    /// Questions asked and questions scored.
    pub questions: usize,
    pub scored: usize,
    pub score: f64,
    /// Score change against the previous complete interview (percentage points / 100); none for
    /// a run quit early.
    pub trend: Option<f64>,
    pub partial: bool,
    pub seed: Option<u64>,
    /// Verdicts the learner flipped, kept so disagreements with the grader can be reviewed.
    pub flipped: Vec<crate::mock::report::FlippedPoint>,
}

/// Past interviews, oldest first, with their trend. Rows whose report cannot be read are reported
/// as problems rather than dropped silently.
pub fn history(store: &Store) -> Result<(Vec<HistoryRow>, Vec<String>)> {
    let mut rows: Vec<HistoryRow> = Vec::new();
    let mut problems = Vec::new();
    for row in store.mock_sessions()? {
        let report = match MockReport::from_json(&row.report_json) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!(
                    "mock session {} has an unreadable report: {e}",
                    row.id
                ));
                continue;
            }
        };
        // Like with like: a complete run against the previous complete run. A run quit early
        // scored only the questions it reached, so it gets no trend and sets none.
        let trend = if report.partial {
            None
        } else {
            rows.iter()
                .rev()
                .find(|r| !r.partial)
                .map(|prev| report.score - prev.score)
        };
        rows.push(HistoryRow {
            id: row.id,
            started_at: row.started_at,
            finished_at: row.finished_at,
            questions: report.questions.len(),
            scored: report
                .questions
                .iter()
                .filter(|q| q.status.is_scored())
                .count(),
            score: report.score,
            trend,
            partial: report.partial,
            seed: report.seed,
            flipped: report.flipped_points(),
        });
    }
    Ok((rows, problems))
}

fn date_text(ms: i64) -> String {
    let day = ms.div_euclid(86_400_000);
    let secs = ms.rem_euclid(86_400_000) / 1000;
    let d = crate::srs::clock::Date::from_day_number(day);
    format!("{d} {:02}:{:02} UTC", secs / 3600, secs % 3600 / 60)
}

pub fn run(ctx: &Context, mut args: MockArgs) -> Result<ExitCode> {
    match args.command {
        Some(MockCommand::History { json }) => {
            let store = ctx.open_store()?;
            let (rows, problems) = history(&store)?;
            for p in &problems {
                super::output::warn(p);
            }
            let written = if json {
                let mut out = super::output::stdout_json();
                serde_json::to_writer_pretty(&mut out, &rows)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
                    .and_then(|()| out.flush())
            } else {
                let mut out = super::output::stdout();
                write_history(&mut out, &rows).and_then(|()| out.flush())
            };
            match written {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
                Err(e) => Err(e.into()),
                Ok(()) => Ok(ExitCode::SUCCESS),
            }
        }
        None => {
            let lib = super::output::library(ctx);
            match super::study::check_topics(&lib, &args.topics) {
                Ok(t) => args.topics = t,
                Err(e) => return super::output::usage(e),
            }
            let opts = MockOptions {
                minutes: args.minutes.unwrap_or(u64::from(ctx.config.mock.minutes)),
                questions: args
                    .questions
                    .map_or(ctx.config.mock.questions as usize, |q| {
                        usize::try_from(q).unwrap_or(8)
                    }),
                topics: args.topics,
                seed: args.seed,
            };
            crate::ui::app::open(ctx, Some(crate::ui::Open::MockWith(opts)))
        }
    }
}

fn write_history(out: &mut impl Write, rows: &[HistoryRow]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(
            out,
            "No mock interviews yet: start one with `iamdrill mock`."
        );
    }
    writeln!(
        out,
        "{:<4} {:<22} {:>9} {:>6} {:>7}",
        "#", "date", "questions", "score", "trend"
    )?;
    for r in rows {
        let trend = match r.trend {
            None => "-".to_string(),
            Some(t) => {
                let pts = (t * 100.0).round();
                if pts > 0.0 {
                    format!("▲ +{pts}")
                } else if pts < 0.0 {
                    format!("▼ {pts}")
                } else {
                    "= 0".to_string()
                }
            }
        };
        let questions = if r.partial {
            format!("{}/{}*", r.scored, r.questions)
        } else {
            r.questions.to_string()
        };
        writeln!(
            out,
            "{:<4} {:<22} {:>9} {:>6} {:>7}",
            r.id,
            date_text(r.started_at),
            questions,
            percent(r.score),
            trend
        )?;
    }
    if rows.iter().any(|r| r.partial) {
        writeln!(
            out,
            "* quit early: questions scored of questions planned; no trend (trends compare complete runs)"
        )?;
    }
    Ok(())
}
