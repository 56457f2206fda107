//! `iamdrill decks check|list`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use color_eyre::Result;
use serde::Serialize;

use super::output;
use crate::context::Context;
use crate::deck::model::{CardKind, TOPICS};

#[derive(Debug, Args)]
pub struct DecksArgs {
    #[command(subcommand)]
    pub command: DecksCommand,
}

#[derive(Debug, Subcommand)]
pub enum DecksCommand {
    /// Validate deck files or folders (the built-in decks when no path is given).
    ///
    /// Every problem is printed as `file:line:column: message`; the exit status is 1 when any is found.
    ///
    /// Warnings (dangling references such as "see Q5", outdated AWS names) print as
    /// `file:line:column: warning: message` and do not fail the check unless `--strict` is given.
    Check {
        /// Deck files or folders of `.yaml` decks.
        paths: Vec<PathBuf>,
        /// Exit with status 1 when there are warnings too.
        #[arg(long)]
        strict: bool,
    },
    /// List the loaded decks with card counts per topic and kind.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, args: DecksArgs) -> Result<ExitCode> {
    match args.command {
        DecksCommand::Check { paths, strict } => {
            let report = crate::deck::check_paths_with_warnings(&paths);
            let mut text = String::new();
            for p in &report.problems {
                text.push_str(&output::clean(&p.to_string()));
                text.push('\n');
            }
            for w in &report.warnings {
                text.push_str(&output::clean(&format!(
                    "{}:{}:{}: warning: {}",
                    w.file, w.line, w.column, w.message
                )));
                text.push('\n');
            }
            let (problems, warnings) = (report.problems.len(), report.warnings.len());
            let found = match (problems, warnings) {
                (0, 0) => "no problems".to_string(),
                (p, 0) => output::count(p as u64, "problem", "problems"),
                (0, w) => format!(
                    "no problems, {}",
                    output::count(w as u64, "warning", "warnings")
                ),
                (p, w) => format!(
                    "{}, {}",
                    output::count(p as u64, "problem", "problems"),
                    output::count(w as u64, "warning", "warnings")
                ),
            };
            text.push_str(&format!(
                "{} checked, {found}\n",
                output::count(report.checked as u64, "deck file", "deck files")
            ));
            output::emit(&text)?;
            Ok(if problems > 0 || (strict && warnings > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        DecksCommand::List { json } => {
            let lib = output::library(ctx);
            let listing = Listing::of(&lib);
            if json {
                output::print_json(&listing)?;
            } else {
                output::emit(&output::clean(&listing.render()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Debug, Serialize, Default)]
struct Counts {
    total: usize,
    basic: usize,
    table: usize,
    scenario: usize,
}

impl Counts {
    fn add(&mut self, kind: CardKind) {
        self.total += 1;
        match kind {
            CardKind::Basic => self.basic += 1,
            CardKind::Table => self.table += 1,
            CardKind::Scenario => self.scenario += 1,
        }
    }
}

#[derive(Debug, Serialize)]
struct DeckEntry {
    id: String,
    title: String,
    origin: String,
    cards: Counts,
}

#[derive(Debug, Serialize)]
struct Listing {
    decks: Vec<DeckEntry>,
    topics: BTreeMap<String, Counts>,
    total: Counts,
}

impl Listing {
    fn of(lib: &crate::deck::Library) -> Listing {
        let mut topics: BTreeMap<String, Counts> = BTreeMap::new();
        let mut total = Counts::default();
        let mut decks = Vec::new();
        for (deck, origin) in lib.decks.iter().zip(&lib.origins) {
            let mut counts = Counts::default();
            for card in &deck.cards {
                counts.add(card.kind);
                total.add(card.kind);
                topics.entry(card.topic.clone()).or_default().add(card.kind);
            }
            decks.push(DeckEntry {
                id: deck.id.clone(),
                title: deck.title.clone(),
                origin: origin.clone(),
                cards: counts,
            });
        }
        Listing {
            decks,
            topics,
            total,
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("{:<22} {:>5}  {}\n", "DECK", "CARDS", "TITLE"));
        for d in &self.decks {
            out.push_str(&format!("{:<22} {:>5}  {}\n", d.id, d.cards.total, d.title));
        }
        out.push('\n');
        // Built-in topics in their documented order, then those decks declare, then any others.
        let mut order: Vec<&str> = TOPICS.iter().map(|(t, _)| *t).collect();
        let mut others: Vec<&str> = self
            .topics
            .keys()
            .map(String::as_str)
            .filter(|t| !order.contains(t))
            .collect();
        others.sort_by_key(|t| crate::deck::model::topic_order(t));
        order.extend(others);
        // The slug column is as wide as the longest listed topic.
        let w = order
            .iter()
            .filter(|t| self.topics.contains_key(**t))
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0)
            .max("TOPIC".len());
        out.push_str(&format!(
            "{:<w$} {:>5} {:>5} {:>5} {:>8}  TITLE\n",
            "TOPIC", "TOTAL", "BASIC", "TABLE", "SCENARIO"
        ));
        for t in order {
            if let Some(c) = self.topics.get(t) {
                out.push_str(&format!(
                    "{:<w$} {:>5} {:>5} {:>5} {:>8}  {}\n",
                    t,
                    c.total,
                    c.basic,
                    c.table,
                    c.scenario,
                    crate::deck::model::topic_title(t)
                ));
            }
        }
        let c = &self.total;
        out.push_str(&format!(
            "{:<w$} {:>5} {:>5} {:>5} {:>8}\n",
            "all", c.total, c.basic, c.table, c.scenario
        ));
        out
    }
}
