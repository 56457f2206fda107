//! Every screen drawn at 80x24 and at a small size; colour checked where it carries meaning.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

use iamdrill::deck::{self, CardKind, Library};
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::theme::{Theme, ThemeKind};
use iamdrill::ui::{Keymap, Open};

const NOW: i64 = 1_780_000_000_000;

fn app(dir: &tempfile::TempDir, kind: ThemeKind, open: Option<Open>) -> App {
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    match open {
        Some(o) => App::with(lib, store, Theme::new(kind), Keymap::default(), NOW, o),
        None => App::new(lib, store, Theme::new(kind), Keymap::default(), NOW),
    }
}

fn press(app: &mut App, c: char) {
    app.on_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        NOW + 4_000,
    );
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t
}

fn snap(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24).backend());
    insta::assert_snapshot!(format!("{name}_40x12"), draw(app, 40, 12).backend());
    // Small sizes never panic.
    for (w, h) in [(20, 8), (25, 9), (19, 7), (1, 1)] {
        draw(app, w, h);
    }
}

fn until_kind(app: &mut App, kind: CardKind) {
    for _ in 0..200 {
        if let Some(Screen::Review { screen, .. }) = app.top()
            && screen.card.as_ref().map(|c| c.kind) == Some(kind)
        {
            return;
        }
        press(app, 'b');
    }
    panic!("no {kind:?} card");
}

#[test]
fn dashboard() {
    let dir = tempfile::tempdir().unwrap();
    snap("dashboard", &app(&dir, ThemeKind::Mono, None));
}

#[test]
fn topic_picker() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, None);
    press(&mut a, 'c');
    press(&mut a, ' ');
    snap("topic_picker", &a);
}

#[test]
fn review_question_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Mono,
        Some(Open::Cram {
            topics: vec!["kms".into()],
            reschedule: true,
        }),
    );
    until_kind(&mut a, CardKind::Basic);
    snap("review_question", &a);
    press(&mut a, ' ');
    snap("review_answer", &a);
}

#[test]
fn table_drill() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Mono,
        Some(Open::Cram {
            topics: vec!["iam-identities".into()],
            reschedule: true,
        }),
    );
    until_kind(&mut a, CardKind::Table);
    snap("table_drill_question", &a);
    press(&mut a, ' ');
    snap("table_drill_answer", &a);
}

#[test]
fn scenario_walkthrough_and_ordering() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Mono,
        Some(Open::Cram {
            topics: vec!["scenarios".into()],
            reschedule: true,
        }),
    );
    until_kind(&mut a, CardKind::Scenario);
    press(&mut a, ' ');
    press(&mut a, ' ');
    snap("scenario_walk", &a);
    press(&mut a, 'o');
    snap("scenario_ordering", &a);
}

#[test]
fn stats_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, None);
    press(&mut a, 's');
    snap("stats", &a);
    press(&mut a, '?');
    snap("stats_help", &a);
}

/// The cell where `text` starts on the screen.
fn find_cell(buf: &ratatui::buffer::Buffer, text: &str) -> Option<(u16, u16)> {
    let want: Vec<String> = text.chars().map(|c| c.to_string()).collect();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let fits = want.iter().enumerate().all(|(k, s)| {
                let xx = x + k as u16;
                xx < buf.area.width && buf[(xx, y)].symbol() == s
            });
            if fits {
                return Some((x, y));
            }
        }
    }
    None
}

#[test]
fn rating_buttons_and_selection_carry_more_than_colour() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Auto,
        Some(Open::Cram {
            topics: vec!["kms".into()],
            reschedule: true,
        }),
    );
    until_kind(&mut a, CardKind::Basic);
    press(&mut a, ' ');
    let t = draw(&a, 80, 24);
    let buf = t.backend().buffer();
    let (x, y) = find_cell(buf, "1 Again").expect("rating buttons");
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    assert_ne!(buf[(x, y)].fg, ratatui::style::Color::Reset);
    // The dashboard's selected action is reversed, not only coloured.
    let dir = tempfile::tempdir().unwrap();
    let d = app(&dir, ThemeKind::Auto, None);
    let t = draw(&d, 80, 24);
    let buf = t.backend().buffer();
    let (x, y) = find_cell(buf, "Review due cards").expect("menu");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn search_and_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, None);
    press(&mut a, '/');
    for c in "confused deputy".chars() {
        press(&mut a, c);
    }
    snap("search", &a);
    a.on_key(
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        NOW + 5_000,
    );
    assert!(matches!(a.top(), Some(Screen::Card(_))));
    snap("card", &a);
    press(&mut a, 'v');
    snap("card_variants", &a);
}

#[test]
fn search_highlights_matches_with_more_than_colour() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Auto, None);
    press(&mut a, '/');
    for c in "envelope".chars() {
        press(&mut a, c);
    }
    let t = draw(&a, 80, 24);
    let buf = t.backend().buffer();
    let (x, y) = find_cell(buf, "Envelope").expect("a highlighted result");
    let cell = &buf[(x, y)];
    assert!(cell.modifier.contains(Modifier::UNDERLINED), "{cell:?}");
}

#[test]
fn correction_box_border_stands_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Auto,
        Some(Open::Card("kms-key-policy-vs-iam".into())),
    );
    // Scroll to the correction box.
    for _ in 0..40 {
        press(&mut a, 'j');
    }
    let t = draw(&a, 80, 24);
    let buf = t.backend().buffer();
    let (x, y) = find_cell(buf, "Correction").expect("the correction box");
    let cell = &buf[(x, y)];
    assert!(cell.modifier.contains(Modifier::BOLD));
    assert_ne!(cell.fg, ratatui::style::Color::Reset);
}

#[test]
fn card_browser() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        ThemeKind::Mono,
        Some(Open::Browser {
            filter: String::new(),
        }),
    );
    // One card suspended and one made a leech-free review card through the store.
    press(&mut a, 'j');
    press(&mut a, 's');
    press(&mut a, ' ');
    snap("browser", &a);
}
