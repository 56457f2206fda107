//! Speed of the screens (targets: a full review frame with a long answer ≤ 1 ms; a search
//! keystroke over the built-in decks ≤ 2 ms and over 100,000 cards ≤ 20 ms).
//!
//! `cargo bench --bench ui`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Widget;

use iamdrill::deck::{self, Card, CardKind, Library};
use iamdrill::search::Searcher;
use iamdrill::srs::SessionProgress;
use iamdrill::ui::screens::review::ReviewScreen;
use iamdrill::ui::theme::{Theme, ThemeKind};

/// The built-in card with the longest answer, revealed.
fn long_answer_screen(lib: &Library) -> ReviewScreen {
    let card = lib
        .cards()
        .filter(|c| c.kind == CardKind::Basic)
        .max_by_key(|c| c.answer.len() + c.note.as_ref().map_or(0, String::len))
        .cloned()
        .unwrap();
    let mut screen = ReviewScreen::new("Review", Theme::new(ThemeKind::Auto), 0);
    screen.show(Some(card), None, SessionProgress::default(), 0);
    screen.handle(iamdrill::ui::Input::Action(iamdrill::ui::Action::Reveal));
    screen
}

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
    let screen = long_answer_screen(&lib);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    c.bench_function("draw review frame, long answer, 80x24", |b| {
        b.iter(|| {
            terminal
                .draw(|f| {
                    let area = f.area();
                    black_box(&screen).render(area, f.buffer_mut());
                })
                .unwrap();
        })
    });

    let searcher = Searcher::new(lib.cards());
    c.bench_function("search keystroke, built-in decks", |b| {
        b.iter(|| black_box(searcher.search(black_box("kms key polic"), 200)))
    });

    let cards = many_cards(&lib, 100_000);
    let big = Searcher::new(cards.iter());
    let mut group = c.benchmark_group("search 100k");
    group.sample_size(20);
    // A keystroke narrows the matches of the query before it.
    let (_, before) = big.search_in("kms key poli", 200, None);
    group.bench_function("search keystroke, 100,000 cards", |b| {
        b.iter(|| black_box(big.search_in(black_box("kms key polic"), 200, Some(&before))))
    });
    group.bench_function("search first keystroke, 100,000 cards", |b| {
        b.iter(|| black_box(big.search_in(black_box("k"), 200, None)))
    });
    group.bench_function("search pasted query, 100,000 cards", |b| {
        b.iter(|| black_box(big.search_in(black_box("kms key polic"), 200, None)))
    });
    group.finish();
}

criterion_group!(ui, benches);
criterion_main!(ui);
