//! `iamdrill compile SOURCE... --out DIR [--report]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use color_eyre::Result;
use color_eyre::eyre::WrapErr;

use crate::compile::{Curation, Document, compile};
use crate::context::Context;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iamdrill compile notes.md --out my-decks --report\n  iamdrill compile assets/sources/000_60ef4366b9cba9df.txt --curation assets/curation --out decks"
)]
pub struct CompileArgs {
    /// Q&A documents: text guides or Markdown notes with `#` headings and `Q:` / `A:` pairs.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Directory to write the decks into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Curation directory (catalog.yaml, overlay.yaml, added.yaml, decks.yaml).
    #[arg(long, value_name = "DIR")]
    pub curation: Option<PathBuf>,
    /// Print what was found, merged, corrected and skipped.
    #[arg(long)]
    pub report: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_ctx: &Context, args: CompileArgs) -> Result<ExitCode> {
    let mut docs = Vec::new();
    for path in &args.sources {
        let text = match crate::deck::read_deck_file(path) {
            Ok(text) => text,
            Err(p) => {
                super::output::say(&p);
                return Ok(ExitCode::from(2));
            }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        docs.push(Document { name, text });
    }
    let curation = match &args.curation {
        Some(dir) => match Curation::load(dir) {
            Ok(c) => Some(c),
            Err(problems) => {
                for p in problems {
                    super::output::say(&p);
                }
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let output = match compile(&docs, curation.as_ref()) {
        Ok(o) => o,
        Err(problems) => {
            for p in problems {
                super::output::say(&p);
            }
            return Ok(ExitCode::from(2));
        }
    };
    // Messages name each document as it was given on the command line.
    let shown: std::collections::HashMap<&str, String> = docs
        .iter()
        .zip(&args.sources)
        .map(|(d, p)| (d.name.as_str(), p.display().to_string()))
        .collect();
    let located =
        |doc: &str, line: usize| format!("{}:{line}", shown.get(doc).map_or(doc, |s| s.as_str()));
    for (doc, line, question) in &output.report.incomplete {
        super::output::warn(&format_args!(
            "{}: a question without an answer, left out: {question}",
            located(doc, *line)
        ));
    }
    let cards: usize = output.decks.iter().map(|d| d.cards.len()).sum();
    if cards == 0 {
        for (doc, line, text) in &output.report.skipped {
            let short: String = text.chars().take(70).collect();
            super::output::say(&format_args!("{}: skipped: {short}", located(doc, *line)));
        }
        super::output::error(&format_args!(
            "found no question-and-answer items (lines starting `Q:` followed by `A:`) in {}; nothing was written",
            args.sources
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Ok(ExitCode::from(1));
    }
    std::fs::create_dir_all(&args.out)
        .wrap_err_with(|| format!("cannot create {}", args.out.display()))?;
    for (name, yaml) in &output.files {
        let path = args.out.join(name);
        std::fs::write(&path, yaml).wrap_err_with(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        super::output::print_json(&output.report)?;
    } else if args.report {
        super::output::emit(&output.report.render())?;
    }
    super::output::say(&format_args!(
        "wrote {}, {} to {}{}",
        super::output::count(output.files.len() as u64, "deck", "decks"),
        super::output::count(cards as u64, "card", "cards"),
        args.out.display(),
        match output.report.skipped.len() {
            0 => String::new(),
            n => format!(
                "; {} outside any item skipped (--report lists them)",
                super::output::count(n as u64, "line", "lines")
            ),
        }
    ));
    Ok(ExitCode::SUCCESS)
}
