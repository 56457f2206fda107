//! Deck files the loader leaves out are shown in the app where they can be read: a popup at
//! start, a note on the dashboard, and `!` to show them again.

#[allow(dead_code)]
mod common;
use common::screen::screen_text;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use iamdrill::context::load_library;
use iamdrill::store::Store;
use iamdrill::ui::Keymap;
use iamdrill::ui::app::{App, Popup};
use iamdrill::ui::theme::{Theme, ThemeKind};

const NOW: i64 = 1_780_000_000_000;

const GOOD: &str = "id: mine\ntitle: Mine\ncards:\n  - id: mine-one\n    topic: general\n    kind: basic\n    question: What is one?\n    answer: One.\n    key_points:\n      - text: one\n";

fn app_with_decks(dir: &tempfile::TempDir, files: &[(&str, &str)]) -> App {
    let decks = dir.path().join("decks");
    std::fs::create_dir_all(&decks).unwrap();
    for (name, text) in files {
        std::fs::write(decks.join(name), text).unwrap();
    }
    let lib = load_library(&[decks]);
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    App::new(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
    )
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE), NOW + 5_000);
}

#[test]
fn problems_open_at_start_close_with_q_and_come_back_with_bang() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_decks(
        &dir,
        &[
            ("good.yaml", GOOD),
            ("broken.yaml", "id: broken\ntitle: [unclosed\n"),
        ],
    );
    assert_eq!(app.lib.problems.len(), 1, "{:?}", app.lib.problems);
    assert!(matches!(app.popup, Some(Popup::Problems { .. })));
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("1 deck problem "), "{text}");
    assert!(text.contains("broken.yaml:3:1"), "{text}");
    // The good deck loaded.
    assert!(app.lib.card("mine-one").is_some());

    key(&mut app, KeyCode::Char('q'));
    assert!(app.popup.is_none());
    assert!(!app.quit, "q closes the popup, it does not quit");
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("1 deck problem: ! shows"), "{text}");

    key(&mut app, KeyCode::Char('!'));
    assert!(matches!(app.popup, Some(Popup::Problems { .. })));
    key(&mut app, KeyCode::Esc);
    assert!(app.popup.is_none());
}

#[test]
fn no_problems_no_popup_and_bang_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_decks(&dir, &[("good.yaml", GOOD)]);
    assert!(app.popup.is_none());
    assert!(!screen_text(&app, 80, 24).contains("deck problem"));
    key(&mut app, KeyCode::Char('!'));
    assert!(app.popup.is_none());
    assert!(
        screen_text(&app, 80, 24).contains("Every deck file loaded without problems"),
        "{}",
        screen_text(&app, 80, 24)
    );
}

#[test]
fn many_hostile_problems_scroll_sanitised_at_every_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let names: Vec<String> = (0..40)
        .map(|i| format!("bad-{i:02}-\u{1b}]0;PWNED\u{7}\u{202e}.yaml"))
        .collect();
    for name in &names {
        files.push((name.as_str(), "cards: {\n"));
    }
    let mut app = app_with_decks(&dir, &files);
    assert_eq!(app.lib.problems.len(), 40);
    for (w, h) in [(80, 24), (40, 12), (20, 8), (10, 4), (200, 60)] {
        let text = screen_text(&app, w, h);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }
    // Scrolling to the end shows the last file; further scrolling stays there. (Scrolling is
    // bounded by the window last drawn in.)
    screen_text(&app, 80, 24);
    key(&mut app, KeyCode::End);
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("bad-39"), "{text}");
    // Past the end nothing moves, and one step up moves at once.
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let at_end = screen_text(&app, 80, 24);
    assert_eq!(at_end, text);
    key(&mut app, KeyCode::Up);
    assert_ne!(screen_text(&app, 80, 24), at_end);
    key(&mut app, KeyCode::Home);
    let text = screen_text(&app, 80, 24);
    assert!(
        text.contains("bad-00") && !text.contains("bad-39"),
        "{text}"
    );
}

#[test]
fn the_dashboard_drawn_from_the_card_index_is_the_loaded_one() {
    use iamdrill::context::{load_index_cached, load_library_cached};
    use iamdrill::deck::DeckCache;
    use iamdrill::ui::app::Loading;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let decks = dir.path().join("decks");
    std::fs::create_dir_all(&decks).unwrap();
    std::fs::write(decks.join("good.yaml"), GOOD).unwrap();
    std::fs::write(decks.join("broken.yaml"), "id: broken\ntitle: [unclosed\n").unwrap();
    let cache_dir = dir.path().join("deck-cache");
    let paths = vec![decks.clone()];
    let full = app_with_decks(&dir, &[]);
    let index = Arc::new(load_index_cached(&paths, &DeckCache::new(&cache_dir)));
    let load = Box::new(move || {
        Arc::new(load_library_cached(
            &paths,
            Some(&DeckCache::new(&cache_dir)),
        ))
    });
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let mut app = App::loading(
        Loading { index, load },
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
    );
    // Before the library is loaded: the same screen, the problem popup included.
    assert!(matches!(app.popup, Some(Popup::Problems { .. })));
    assert_eq!(screen_text(&app, 80, 24), screen_text(&full, 80, 24));
    assert!(app.lib.card("mine-one").is_none());
    app.finish_loading();
    assert!(app.lib.card("mine-one").is_some());
    assert_eq!(app.lib.problems, full.lib.problems);
    assert_eq!(screen_text(&app, 80, 24), screen_text(&full, 80, 24));
}
