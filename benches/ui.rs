//! Speed of the screens (target: a full review frame with a long answer ≤ 1 ms). Search has its
//! own bench, `benches/search.rs`.
//!
//! `cargo bench --bench ui`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Widget;

use iamdrill::deck::{self, CardKind, Library};
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
}

criterion_group!(ui, benches);
criterion_main!(ui);
