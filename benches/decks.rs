//! Speed of loading decks from files and of a session over them at 100,000 cards.
//!
//! Targets: loading 100,000 cards from deck files and building today's queue (`due`) ≤ 150 ms;
//! the same cards in 200 files cost no more than in 20; an answer in cram over 100,000 cards
//! (answer, then the progress line of the next card) ≤ 1 ms.
//!
//! `cargo bench --bench decks`. The deck files (100,000 cards in 20 and in 200 files) and a
//! progress database with 1,000,000 reviews are generated once per run (the database takes
//! about 20 s); `IAMDRILL_BENCH_CARDS` / `IAMDRILL_BENCH_REVIEWS` change the sizes.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use iamdrill::context::load_library;
use iamdrill::deck::model::TOPICS;
use iamdrill::deck::{KnownIds, parse_and_check};
use iamdrill::srs::{Rating, SessionKind, now_ms};
use iamdrill::store::Store;
use iamdrill::store::generate::{GenSpec, generate_collection};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// One card as a deck file writes it: the ids match the generated progress database.
fn card_yaml(i: usize) -> String {
    let topic = TOPICS[i % TOPICS.len()].0;
    format!(
        "  - id: gen-{i:06}\n    topic: {topic}\n    question: Generated prompt {i} about {topic}?\n    answer: |\n      Generated answer {i}. An explicit deny in any policy overrides an allow;\n      use `aws:PrincipalOrgID` in resource policies.\n    key_points: [explicit deny overrides allow, principal org id {i}]\n"
    )
}

fn deck_yaml(f: usize, cards: std::ops::Range<usize>) -> String {
    let mut text = format!("id: gen-deck-{f:03}\ntitle: Generated deck {f}\ncards:\n");
    for i in cards {
        text.push_str(&card_yaml(i));
    }
    text
}

/// Writes `cards` cards split over `files` deck files into `dir`.
fn write_decks(dir: &Path, cards: usize, files: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let per = cards.div_ceil(files);
    for f in 0..files {
        let range = (f * per).min(cards)..((f + 1) * per).min(cards);
        std::fs::write(dir.join(format!("deck-{f:03}.yaml")), deck_yaml(f, range)).unwrap();
    }
}

struct NoIds;

impl KnownIds for NoIds {
    fn first_defined(&self, _: &str) -> Option<String> {
        None
    }
}

fn review() -> SessionKind {
    SessionKind::Review { topics: vec![] }
}

fn benches(c: &mut Criterion) {
    let text = deck_yaml(0, 0..5000);
    c.bench_function("parse + check one deck file of 5,000 cards", |b| {
        b.iter(|| black_box(parse_and_check(&text, "deck.yaml", &NoIds).unwrap()))
    });

    let cards = env_number("IAMDRILL_BENCH_CARDS", 100_000);
    let reviews = env_number("IAMDRILL_BENCH_REVIEWS", 1_000_000);
    let tmp = tempfile::tempdir().unwrap();
    let in_20 = tmp.path().join("decks-20");
    let in_200 = tmp.path().join("decks-200");
    write_decks(&in_20, cards, 20);
    write_decks(&in_200, cards, 200);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for (dir, files) in [(&in_20, 20), (&in_200, 200)] {
        let paths: Vec<PathBuf> = vec![dir.clone()];
        group.bench_function(format!("{cards} cards from {files} files"), |b| {
            b.iter(|| {
                let lib = load_library(&paths);
                assert!(lib.problems.is_empty());
                black_box(lib.len())
            })
        });
    }

    let db = tmp.path().join("progress.sqlite3");
    let spec = GenSpec {
        cards,
        reviews,
        now: now_ms(),
        seed: 42,
    };
    drop(generate_collection(&db, &spec).unwrap());
    let paths = vec![in_20.clone()];
    group.bench_function(
        format!("load + due: {cards} cards from 20 files, {reviews} reviews"),
        |b| {
            b.iter(|| {
                let lib = load_library(&paths);
                let store = Store::open_path(&db).unwrap();
                let session = store
                    .start_session(lib.cards(), review(), now_ms())
                    .unwrap();
                black_box(session.progress())
            })
        },
    );
    group.finish();

    // Cram over every card: each answer is committed, then the next card's progress line is
    // worked out as the review screen does.
    let lib = load_library(&paths);
    let mut store = Store::open_path(&db).unwrap();
    let cram = SessionKind::Cram {
        topics: vec![],
        reschedule: true,
    };
    let mut session = store
        .start_session(lib.cards(), cram.clone(), now_ms())
        .unwrap();
    let mut n = 0u64;
    c.bench_function(&format!("answer in cram over {} cards", lib.len()), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if session.current().is_none() {
                    session = store
                        .start_session(lib.cards(), cram.clone(), now_ms())
                        .unwrap();
                }
                n += 1;
                let rating = Rating::ALL[(n % 4) as usize];
                let t = Instant::now();
                store.answer(&mut session, rating, 4000, now_ms()).unwrap();
                black_box(session.progress());
                total += t.elapsed();
            }
            total
        })
    });
}

criterion_group! {
    name = decks;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(decks);
