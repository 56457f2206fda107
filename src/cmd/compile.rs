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
    let cards: usize = output.decks.iter().map(|d| d.cards.len()).sum();
    super::output::say(&format_args!(
        "wrote {} deck(s), {cards} card(s) to {}",
        output.files.len(),
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
