//! `iamdrill review` and `iamdrill cram`: the full-screen review, or a line-by-line one
//! (`--plain`) for screen readers and scripts.

use std::process::ExitCode;

use clap::Args;
use color_eyre::Result;

use super::output::{library, usage};
use crate::context::Context;
use crate::deck::Library;
use crate::srs::session::SessionKind;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Questions and answers as plain lines on stdin/stdout.
    #[arg(long)]
    pub plain: bool,
    /// Only cards of this topic, by slug or title (repeatable).
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
    /// Only cards of this topic, by slug or title (repeatable; none: every topic).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Log the answers but leave the cards' schedules alone.
    #[arg(long)]
    pub no_reschedule: bool,
}

/// Turns `--topic` values (slugs or titles, any case) into the slugs of the loaded cards; the
/// error lists the topics there are.
pub fn check_topics(lib: &Library, topics: &[String]) -> Result<Vec<String>, String> {
    super::cards::resolve_topics(lib, topics)
}

/// The full-screen review: the app opened on the review or cram flow.
fn full_screen_review(ctx: &Context, kind: SessionKind) -> Result<ExitCode> {
    let open = match kind {
        SessionKind::Review { topics } => crate::ui::Open::Review { topics },
        SessionKind::Cram { topics, reschedule } => crate::ui::Open::Cram { topics, reschedule },
    };
    crate::ui::app::open(ctx, Some(open))
}

fn run_session(ctx: &Context, kind: SessionKind, plain: bool) -> Result<ExitCode> {
    let lib = library(ctx);
    let topics = match check_topics(&lib, kind.topics()) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let kind = match kind {
        SessionKind::Review { .. } => SessionKind::Review { topics },
        SessionKind::Cram { reschedule, .. } => SessionKind::Cram { topics, reschedule },
    };
    if !plain {
        return full_screen_review(ctx, kind);
    }
    let mut store = ctx.open_store()?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = super::output::stdout();
    let clock = ctx.clock;
    let mut now = move || clock.now_ms();
    super::plain::run_plain(&mut store, &lib, kind, &mut input, &mut out, &mut now)?;
    Ok(ExitCode::SUCCESS)
}

/// `iamdrill review`.
pub fn run_review(ctx: &Context, args: ReviewArgs) -> Result<ExitCode> {
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
    run_session(ctx, kind, args.plain)
}

/// `iamdrill cram`.
pub fn run_cram(ctx: &Context, args: CramArgs) -> Result<ExitCode> {
    let kind = SessionKind::Cram {
        topics: args.topics,
        reschedule: !args.no_reschedule,
    };
    run_session(ctx, kind, args.plain)
}
