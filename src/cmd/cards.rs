//! `iamdrill cards`: list cards with their state, due date and memory, and suspend, unsuspend,
//! unbury, forget (reset to new) or make due today by id: the card browser's actions for scripts.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::Result;
use serde::Serialize;

use super::output::{clean, emit, library, print_json, usage};
use crate::context::Context;
use crate::deck::Library;
use crate::srs::browse::{Column, Filter, Row, kind_name, sort};
use crate::srs::clock::Date;

#[derive(Debug, Args)]
pub struct CardsArgs {
    #[command(subcommand)]
    pub command: CardsCommand,
}

#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// List cards: id, topic, kind, state, due date, interval, stability, recall now, lapses,
    /// last rating (soonest due first).
    List(ListArgs),
    /// Suspend cards: they leave every queue until unsuspended.
    Suspend(IdsArgs),
    /// Unsuspend cards: they come back to the queues.
    Unsuspend(IdsArgs),
    /// Lift the burial of cards buried until tomorrow.
    Unbury(IdsArgs),
    /// Reset cards to new (their answers stay in the log for statistics).
    Forget(IdsArgs),
    /// Make answered cards due today.
    Due(IdsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    New,
    Learning,
    Review,
    Suspended,
    Buried,
    Leech,
    /// Due by the end of today.
    Due,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only cards of this topic, by slug or title (repeatable).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Only cards in this state (repeatable: all must hold).
    #[arg(long = "state", value_enum, value_name = "STATE")]
    pub states: Vec<StateArg>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IdsArgs {
    /// Card ids (as `cards list` prints them).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// A card as `cards list --json` prints it.
#[derive(Debug, Serialize)]
struct CardJson<'a> {
    id: &'a str,
    topic: &'a str,
    kind: &'static str,
    state: &'static str,
    suspended: bool,
    buried: bool,
    leech: bool,
    /// Learner's date the card is due (none while new).
    due: Option<String>,
    due_today: bool,
    interval_days: u32,
    stability_days: Option<f32>,
    /// Predicted recall now, 0-1.
    recall: Option<f32>,
    lapses: u32,
    last_rating: Option<&'static str>,
}

pub fn run(ctx: &Context, args: CardsArgs) -> Result<ExitCode> {
    let lib = library(ctx);
    match args.command {
        CardsCommand::List(a) => list(ctx, &lib, a),
        CardsCommand::Suspend(a) => change(ctx, &lib, a, Change::Suspend),
        CardsCommand::Unsuspend(a) => change(ctx, &lib, a, Change::Unsuspend),
        CardsCommand::Unbury(a) => change(ctx, &lib, a, Change::Unbury),
        CardsCommand::Forget(a) => change(ctx, &lib, a, Change::Forget),
        CardsCommand::Due(a) => change(ctx, &lib, a, Change::Due),
    }
}

/// Turns `--topic` values (slugs or titles, any case) into slugs; the error lists the topics.
pub fn resolve_topics(lib: &Library, topics: &[String]) -> Result<Vec<String>, String> {
    let mut known: Vec<&str> = lib.cards().map(|c| c.topic.as_str()).collect();
    known.sort_unstable();
    known.dedup();
    resolve_among(&known, topics)
}

/// [`resolve_topics`] among `known`, the sorted topics of the loaded cards.
pub fn resolve_among(known: &[&str], topics: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for t in topics {
        let found = known.iter().find(|slug| {
            slug.eq_ignore_ascii_case(t)
                || crate::deck::model::topic_title(slug).eq_ignore_ascii_case(t.trim())
        });
        match found {
            Some(slug) => out.push(slug.to_string()),
            None => {
                return Err(format!(
                    "unknown topic `{}`; topics of the loaded decks: {}",
                    clean(t),
                    known.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

fn list(ctx: &Context, lib: &Library, args: ListArgs) -> Result<ExitCode> {
    let topics = match resolve_topics(lib, &args.topics) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let mut filter_text: Vec<String> = topics.iter().map(|t| format!("topic:{t}")).collect();
    for s in &args.states {
        let name = format!("{s:?}").to_lowercase();
        filter_text.push(format!("is:{name}"));
    }
    let filter = match Filter::parse(&filter_text.join(" ")) {
        Ok(f) => f,
        Err(e) => return usage(e),
    };
    let store = ctx.open_store()?;
    let now = ctx.now_ms();
    let clock = store.clock();
    let mut rows: Vec<Row> = store
        .browse_rows(lib.cards(), now)?
        .into_iter()
        .filter(|r| filter.matches(r))
        .collect();
    sort(&mut rows, Column::Due, false);
    let date = |due: Option<i64>| due.map(|d| Date::from_day_number(clock.day(d)).to_string());
    if args.json {
        let out: Vec<CardJson> = rows
            .iter()
            .map(|r| CardJson {
                id: &r.id,
                topic: &r.topic,
                kind: kind_name(r.kind),
                state: r.status.name(),
                suspended: r.suspended,
                buried: r.buried,
                leech: r.is_leech(),
                due: date(r.due),
                due_today: r.due_today,
                interval_days: r.interval_days,
                stability_days: r.stability,
                recall: r.retrievability,
                lapses: r.lapses,
                last_rating: r.last_rating.map(|x| x.label()),
            })
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let id_w = rows
        .iter()
        .map(|r| r.id.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 48);
    let mut o = format!(
        "{:<id_w$}  {:<20} {:<8} {:<9} {:<10} {:>5} {:>6} {:>6} {:>6} {:<5}\n",
        "id", "topic", "kind", "state", "due", "ivl", "stab", "recall", "lapses", "last"
    );
    for r in &rows {
        o.push_str(&format!(
            "{:<id_w$}  {:<20} {:<8} {:<9} {:<10} {:>5} {:>6} {:>6} {:>6} {:<5}\n",
            clean(&r.id),
            clean(&r.topic),
            kind_name(r.kind),
            r.status.name(),
            date(r.due).unwrap_or_else(|| "-".into()),
            if r.interval_days > 0 {
                format!("{}d", r.interval_days)
            } else {
                "-".into()
            },
            r.stability
                .map(|s| format!("{s:.1}d"))
                .unwrap_or_else(|| "-".into()),
            r.retrievability
                .map(|x| format!("{:.0}%", x * 100.0))
                .unwrap_or_else(|| "-".into()),
            r.lapses,
            r.last_rating.map(|x| x.label()).unwrap_or("-"),
        ));
    }
    o.push_str(&format!(
        "{}\n",
        match rows.len() {
            1 => "1 card".to_string(),
            n => format!("{n} cards"),
        }
    ));
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Suspend,
    Unsuspend,
    Unbury,
    Forget,
    Due,
}

fn change(ctx: &Context, lib: &Library, args: IdsArgs, what: Change) -> Result<ExitCode> {
    // Every id is checked before anything changes.
    let unknown: Vec<&String> = args
        .ids
        .iter()
        .filter(|id| lib.card(id).is_none())
        .collect();
    if !unknown.is_empty() {
        return usage(format!(
            "no card {} in the loaded decks; `iamdrill cards list` shows the ids",
            unknown
                .iter()
                .map(|id| format!("`{}`", clean(id)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut store = ctx.open_store()?;
    let now = ctx.now_ms();
    let mut o = String::new();
    // Forgetting resets what was learnt: a backup first, as before every destructive command.
    let backup = match what {
        Change::Forget => Some(store.backup_into(
            &ctx.backup_dir(),
            "before-forget",
            now,
            crate::cmd::backup::keep(ctx),
        )?),
        _ => None,
    };
    for id in &args.ids {
        let (changed, done, nothing) = match what {
            Change::Suspend => (
                store.set_suspended(id, true, now)?,
                "suspended",
                "already suspended",
            ),
            Change::Unsuspend => (
                store.set_suspended(id, false, now)?,
                "unsuspended",
                "not suspended",
            ),
            Change::Unbury => (store.unbury(id, now)?, "unburied", "not buried"),
            Change::Forget => (store.forget(id, now)?, "reset to new", "new already"),
            Change::Due => (
                store.reschedule_today(id, now)?,
                "due today",
                "new or due already",
            ),
        };
        let id = clean(id);
        if changed {
            o.push_str(&format!("{id}: {done}\n"));
        } else {
            o.push_str(&format!("{id}: {nothing}, nothing to do\n"));
        }
    }
    if let Some(path) = backup {
        o.push_str(&format!(
            "Backup of the progress before: {} (iamdrill restore FILE brings it back)\n",
            clean(&path.display().to_string())
        ));
    }
    emit(&o)?;
    Ok(ExitCode::SUCCESS)
}
