//! Speed of the progress store (targets: open + built-in decks + today's queue ≤ 15 ms; the same
//! with 100,000 cards and 1,000,000 logged reviews ≤ 200 ms; answering a card at 1,000,000
//! reviews ≤ 2 ms median).
//!
//! `cargo bench --bench store`. The large collection is generated once per run (about 20 s);
//! set `IAMDRILL_BENCH_CARDS` / `IAMDRILL_BENCH_REVIEWS` to change its size.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iamdrill::deck::builtin_decks;
use iamdrill::deck::model::Card;
use iamdrill::srs::{Rating, SessionKind, now_ms};
use iamdrill::store::Store;
use iamdrill::store::generate::{GenSpec, generate_collection};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn review() -> SessionKind {
    SessionKind::Review { topics: vec![] }
}

fn benches(c: &mut Criterion) {
    // A used store over the built-in decks: a few days of answers.
    let small = tempfile::tempdir().unwrap();
    let small_db = small.path().join("progress.sqlite3");
    {
        let mut store = Store::open_path(&small_db).unwrap();
        let decks = builtin_decks();
        let cards: Vec<&Card> = decks.iter().flat_map(|d| &d.cards).collect();
        let now = now_ms();
        for day in (1..4).rev() {
            let t = now - day * 86_400_000;
            let mut s = store
                .start_session(cards.iter().copied(), review(), t)
                .unwrap();
            while s.current().is_some() {
                store.answer(&mut s, Rating::Good, 5000, t).unwrap();
            }
        }
    }
    c.bench_function("open + built-in decks + today's queue", |b| {
        b.iter(|| {
            let store = Store::open_path(&small_db).unwrap();
            let decks = builtin_decks();
            let session = store
                .start_session(decks.iter().flat_map(|d| &d.cards), review(), now_ms())
                .unwrap();
            black_box(session.progress())
        })
    });

    let cards = env_number("IAMDRILL_BENCH_CARDS", 100_000);
    let reviews = env_number("IAMDRILL_BENCH_REVIEWS", 1_000_000);
    let big = tempfile::tempdir().unwrap();
    let big_db = big.path().join("progress.sqlite3");
    let spec = GenSpec {
        cards,
        reviews,
        now: now_ms(),
        seed: 42,
    };
    let (store, generated) = generate_collection(&big_db, &spec).unwrap();
    drop(store);
    let name = format!("open + built-in decks + today's queue, {cards} cards / {reviews} reviews");
    c.bench_function(&name, |b| {
        b.iter(|| {
            let store = Store::open_path(&big_db).unwrap();
            let decks = builtin_decks();
            let all = decks.iter().flat_map(|d| &d.cards).chain(&generated.cards);
            let session = store.start_session(all, review(), now_ms()).unwrap();
            black_box(session.progress())
        })
    });

    let mut store = Store::open_path(&big_db).unwrap();
    let mut session = store
        .start_session(&generated.cards, review(), now_ms())
        .unwrap();
    let mut i = 0u64;
    c.bench_function(&format!("answer a card at {reviews} reviews"), |b| {
        b.iter(|| {
            if session.current().is_none() {
                session = store
                    .start_session(&generated.cards, review(), now_ms())
                    .unwrap();
            }
            i += 1;
            let rating = Rating::ALL[(i % 4) as usize];
            black_box(store.answer(&mut session, rating, 4000, now_ms()).unwrap())
        })
    });
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(store);
