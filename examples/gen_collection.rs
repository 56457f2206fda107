//! Generates a large progress database for benchmarks, and measures opening it.
//!
//! ```sh
//! cargo run --release --example gen_collection -- generate /tmp/big            # 100,000 cards, 1,000,000 reviews
//! cargo run --release --example gen_collection -- generate /tmp/small 2000 20000
//! /usr/bin/time -v target/release/examples/gen_collection queue /tmp/big      # open + decks + today's queue; peak RSS
//! ```
//!
//! The database is `DIR/progress.sqlite3`; the generated cards are rebuilt in memory from the
//! card count (they are not stored in deck files).

use std::process::ExitCode;
use std::time::Instant;

use iamdrill::deck::Library;
use iamdrill::srs::{SessionKind, now_ms};
use iamdrill::store::Store;
use iamdrill::store::generate::{GenSpec, generate_collection, generated_deck};

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_collection generate DIR [CARDS [REVIEWS]] | gen_collection queue DIR [CARDS]"
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
        _ => usage(),
    }
}
