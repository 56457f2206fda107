//! Generates a large progress database for benchmarks, and measures opening it.
//!
//! ```sh
//! cargo run --release --example gen_collection -- generate /tmp/big            # 100,000 cards, 1,000,000 reviews
//! cargo run --release --example gen_collection -- generate /tmp/small 2000 20000
//! /usr/bin/time -v target/release/examples/gen_collection queue /tmp/big      # open + decks + today's queue; peak RSS
//! cargo run --release --example gen_collection -- decks /tmp/big/decks 100000 20 /tmp/big/hashcards
//! ```
//!
//! The database is `DIR/progress.sqlite3`. `queue` rebuilds the generated cards in memory from
//! the card count; `decks` writes the same cards (same ids and topics) as YAML deck files, and
//! optionally the same questions as hashcards Markdown files (`Q:` / `A:`), so whole commands
//! can be timed on them (see `benches/scale.sh`).

use std::process::ExitCode;
use std::time::Instant;

use iamdrill::deck::Library;
use iamdrill::srs::{SessionKind, now_ms};
use iamdrill::store::Store;
use iamdrill::store::generate::{GenSpec, generate_collection, generated_deck};

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_collection generate DIR [CARDS [REVIEWS]] | gen_collection queue DIR [CARDS] \
         | gen_collection decks DIR CARDS FILES [HASHCARDS_DIR]"
    );
    ExitCode::from(2)
}

fn number(arg: Option<&String>, default: usize) -> Option<usize> {
    match arg {
        None => Some(default),
        Some(a) => a.replace('_', "").parse().ok(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cmd), Some(dir)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let dir = std::path::PathBuf::from(dir);
    let db = dir.join(iamdrill::context::paths::DATABASE_FILE);
    match cmd.as_str() {
        "generate" => {
            let (Some(cards), Some(reviews)) =
                (number(args.get(2), 100_000), number(args.get(3), 1_000_000))
            else {
                return usage();
            };
            if db.exists() {
                eprintln!(
                    "gen_collection: {} exists; choose an empty directory",
                    db.display()
                );
                return ExitCode::from(2);
            }
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("gen_collection: cannot create {}: {e}", dir.display());
                return ExitCode::from(2);
            }
            let t = Instant::now();
            let spec = GenSpec {
                cards,
                reviews,
                now: now_ms(),
                seed: 42,
            };
            match generate_collection(&db, &spec) {
                Ok((store, _)) => {
                    let n = store.review_count().unwrap_or(0);
                    println!(
                        "generated {cards} cards, {n} reviews in {:.1?} -> {}",
                        t.elapsed(),
                        db.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gen_collection: {e}");
                    ExitCode::from(1)
                }
            }
        }
        "queue" => {
            let Some(cards) = number(args.get(2), 100_000) else {
                return usage();
            };
            let t = Instant::now();
            let store = match Store::open_path(&db) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("gen_collection: {e}");
                    return ExitCode::from(1);
                }
            };
            let mut decks = iamdrill::deck::builtin_decks();
            decks.push(generated_deck(cards));
            let lib = Library::from_decks(decks);
            let session = match store.start_session(
                lib.cards(),
                SessionKind::Review { topics: vec![] },
                now_ms(),
            ) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("gen_collection: {e}");
                    return ExitCode::from(1);
                }
            };
            let p = session.progress();
            println!(
                "open + decks ({} cards) + today's queue: {:.1?}; queue {} review, {} learning, {} new",
                lib.len(),
                t.elapsed(),
                p.review,
                p.learning,
                p.new
            );
            ExitCode::SUCCESS
        }
        "decks" => {
            let (Some(cards), Some(files)) = (number(args.get(2), 0), number(args.get(3), 0))
            else {
                return usage();
            };
            if cards == 0 || files == 0 {
                return usage();
            }
            let hashcards = args.get(4).map(std::path::PathBuf::from);
            match write_decks(&dir, cards, files, hashcards.as_deref()) {
                Ok(()) => {
                    println!(
                        "wrote {cards} cards in {files} deck files -> {}",
                        dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gen_collection: {e}");
                    ExitCode::from(1)
                }
            }
        }
        _ => usage(),
    }
}

/// Writes the generated cards into `files` YAML decks in `dir` (cards spread evenly, in id
/// order), and the same questions as hashcards decks in `hashcards` when given.
fn write_decks(
    dir: &std::path::Path,
    cards: usize,
    files: usize,
    hashcards: Option<&std::path::Path>,
) -> std::io::Result<()> {
    use std::io::Write;
    let deck = generated_deck(cards);
    std::fs::create_dir_all(dir)?;
    if let Some(h) = hashcards {
        std::fs::create_dir_all(h)?;
    }
    let per_file = cards.div_ceil(files);
    for (f, chunk) in deck.cards.chunks(per_file.max(1)).enumerate() {
        let n = f + 1;
        let mut yaml = std::io::BufWriter::new(std::fs::File::create(
            dir.join(format!("generated-{n:03}.yaml")),
        )?);
        writeln!(yaml, "id: generated-{n:03}")?;
        writeln!(yaml, "title: Generated deck {n}")?;
        writeln!(yaml, "cards:")?;
        for c in chunk {
            writeln!(yaml, "- id: {}", c.id)?;
            writeln!(yaml, "  topic: {}", c.topic)?;
            writeln!(yaml, "  question: {}", c.question)?;
            writeln!(yaml, "  answer: {}", c.answer)?;
            writeln!(yaml, "  key_points:")?;
            writeln!(yaml, "  - {}", c.answer.to_lowercase())?;
        }
        yaml.flush()?;
        if let Some(h) = hashcards {
            let mut md = std::io::BufWriter::new(std::fs::File::create(
                h.join(format!("generated-{n:03}.md")),
            )?);
            for c in chunk {
                writeln!(md, "Q: {}\nA: {}\n", c.question, c.answer)?;
            }
            md.flush()?;
        }
    }
    Ok(())
}
