//! Speed of search (target: ≤ 20 ms per keystroke and for a pasted query over 100,000 cards;
//! ≤ 2 ms per keystroke over the built-in decks).
//!
//! `cargo bench --bench search`. The 100,000 cards are the built-in ones repeated, each with its
//! own id and question.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use iamdrill::deck::{self, Card, Library};
use iamdrill::search::Searcher;

/// `n` cards made from the built-in ones, each with its own id and question.
fn many_cards(lib: &Library, n: usize) -> Vec<Card> {
    let base: Vec<&Card> = lib.cards().collect();
    (0..n)
        .map(|i| {
            let mut c = base[i % base.len()].clone();
            c.id = format!("{}-{i}", c.id);
            c.question = format!("{} (case {i})", c.question);
            c
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let lib = Library::from_decks(deck::builtin_decks());
    let searcher = Searcher::new(lib.cards());
    c.bench_function("search keystroke, built-in decks", |b| {
        b.iter(|| black_box(searcher.search(black_box("kms key polic"), 200)))
    });

    let cards = many_cards(&lib, 100_000);
    let big = Searcher::new(cards.iter());
    let mut group = c.benchmark_group("search 100k");
    group.sample_size(10);
    // Opening the search screen builds the searcher.
    group.bench_function("build, 100,000 cards", |b| {
        b.iter(|| black_box(Searcher::new(black_box(&cards).iter())))
    });
    group.sample_size(20);
    // A keystroke narrows the matches of the query before it.
    let (_, before) = big.search_in("kms key poli", 200, None);
    group.bench_function("keystroke, 100,000 cards", |b| {
        b.iter(|| black_box(big.search_in(black_box("kms key polic"), 200, Some(&before))))
    });
    group.bench_function("first keystroke, 100,000 cards", |b| {
        b.iter(|| black_box(big.search_in(black_box("k"), 200, None)))
    });
    for query in [
        "kms key polic",
        "credential lifetimes",
        "passrole",
        "envlope encrption",
    ] {
        group.bench_function(format!("pasted \"{query}\", 100,000 cards"), |b| {
            b.iter(|| black_box(big.search_in(black_box(query), 200, None)))
        });
    }
    group.finish();
}

criterion_group!(search, benches);
criterion_main!(search);
