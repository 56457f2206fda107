//! Speed of the progress store (targets: open + built-in decks + today's queue ≤ 15 ms; the same
//! with 100,000 cards and 1,000,000 logged reviews ≤ 200 ms; answering a card at 1,000,000
//! reviews ≤ 2 ms median; `stats` over 100,000 cards at 1,000,000 reviews ≤ 200 ms; an answer
//! in cram over 100,000 cards ≤ 1 ms).
//!
//! `cargo bench --bench store`. The large collection is generated once per run (about 20 s);
//! set `IAMDRILL_BENCH_CARDS` / `IAMDRILL_BENCH_REVIEWS` to change its size. Whole commands on
//! deck files are timed by `benches/scale.sh`.

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

    let builtin = builtin_decks();
    let all: Vec<&Card> = builtin
        .iter()
        .flat_map(|d| &d.cards)
        .chain(&generated.cards)
        .collect();
    let store = Store::open_path(&big_db).unwrap();
    c.bench_function(&format!("stats, {cards} cards / {reviews} reviews"), |b| {
        b.iter(|| black_box(store.stats(all.iter().copied(), now_ms()).unwrap()))
    });
    drop(store);

    // Answering: a review session without daily limits over the generated cards. When it runs
    // out, the clock moves on a day and a new session starts, outside the measured time, so
    // every measured iteration answers one card.
    let mut store = Store::open_path(&big_db).unwrap();
    store.set_limits(u32::MAX, u32::MAX).unwrap();
    let mut now = now_ms();
    let mut session = store
        .start_session(&generated.cards, review(), now)
        .unwrap();
    let mut i = 0u64;
    c.bench_function(&format!("answer a card at {reviews} reviews"), |b| {
        b.iter_custom(|iters| {
            let mut measured = std::time::Duration::ZERO;
            for _ in 0..iters {
                while session.current().is_none() {
                    now += 86_400_000;
                    session = store
                        .start_session(&generated.cards, review(), now)
                        .unwrap();
                }
                i += 1;
                now += 1000;
                let rating = Rating::ALL[(i % 4) as usize];
                let t = std::time::Instant::now();
                let answered = store.answer(&mut session, rating, 4000, now).unwrap();
                measured += t.elapsed();
                assert!(
                    answered.is_some(),
                    "every measured iteration answers a card"
                );
                black_box(answered);
            }
            measured
        })
    });

    // Answering in cram over every generated card: the session is started once, outside the
    // measured time (the queue holds all the cards, so it does not run out within a run).
    let cram = || SessionKind::Cram {
        topics: vec![],
        reschedule: true,
    };
    let mut session = store.start_session(&generated.cards, cram(), now).unwrap();
    c.bench_function(
        &format!("cram answer over {cards} cards at {reviews} reviews"),
        |b| {
            b.iter_custom(|iters| {
                let mut measured = std::time::Duration::ZERO;
                for _ in 0..iters {
                    while session.current().is_none() {
                        session = store.start_session(&generated.cards, cram(), now).unwrap();
                    }
                    i += 1;
                    now += 1000;
                    let rating = Rating::ALL[(i % 4) as usize];
                    let t = std::time::Instant::now();
                    let answered = store.answer(&mut session, rating, 4000, now).unwrap();
                    measured += t.elapsed();
                    assert!(
                        answered.is_some(),
                        "every measured iteration answers a card"
                    );
                    black_box(answered);
                }
                measured
            })
        },
    );
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(store);
