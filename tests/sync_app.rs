//! The app's side of sync: the dashboard's title line says when it synced and what came in,
//! fits small terminals, and shows a device name from the folder only as harmless text.

use iamdrill::deck::{self, Library};
use iamdrill::srs::scheduler::Rating;
use iamdrill::store::Store;
use iamdrill::store::sync::{Background, sync_in_background, sync_note};
use iamdrill::sync::{DeviceId, Event, EventKind, encode_event, encode_header, file_name};
use iamdrill::ui::Keymap;
use iamdrill::ui::app::App;
use iamdrill::ui::theme::{Theme, ThemeKind};

const NOW: i64 = 1_780_000_000_000;

fn screen(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// A synced dashboard: `laptop` answered two cards, and a device whose name is hostile sent
/// one answer; the desktop syncs in the background and opens its dashboard.
fn synced_app(dir: &std::path::Path) -> App {
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    let lib = Library::from_decks(deck::builtin_decks());
    let ids: Vec<String> = lib.cards().take(3).map(|c| c.id.clone()).collect();
    let mut laptop = Store::open_path(&dir.join("laptop.sqlite3")).unwrap();
    laptop.record_mock(&ids[0], Rating::Good, 900, NOW).unwrap();
    laptop
        .record_mock(&ids[1], Rating::Easy, 900, NOW + 1)
        .unwrap();
    laptop.sync_folder(&shared, "laptop", NOW + 2).unwrap();

    let evil = DeviceId::from_bits(0xe);
    let mut text = encode_header(&evil);
    for (seq, kind) in [
        (
            1,
            EventKind::Name {
                name: "\u{1b}[31mred\u{202e}evil".into(),
            },
        ),
        (
            2,
            EventKind::Answer {
                card: ids[2].clone(),
                rating: 3,
                mode: 0,
                duration_ms: 100,
                phase_before: 0,
                reschedules: true,
            },
        ),
    ] {
        text.push_str(&encode_event(&Event {
            seq,
            order_at: NOW,
            at: NOW,
            kind,
        }));
    }
    std::fs::write(shared.join(file_name(&evil)), text).unwrap();

    let db = dir.join("desktop.sqlite3");
    let opener = {
        let db = db.clone();
        move || Store::open_path(&db)
    };
    let outcome = sync_in_background(
        opener,
        shared,
        "desktop".into(),
        NOW + 3,
        std::time::Duration::from_secs(60),
    );
    assert!(matches!(outcome, Background::Done(_)), "{outcome:?}");
    let store = Store::open_path(&db).unwrap();
    let note = sync_note(&outcome, None, &store.clock());
    let mut app = App::new(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW + 4,
    );
    app.sync_note = Some(iamdrill::ui::text::sanitize(&note));
    app
}

#[test]
fn the_dashboard_title_says_what_came_in_and_the_answers_count() {
    let dir = tempfile::tempdir().unwrap();
    let app = synced_app(dir.path());
    let lines = screen(&app, 120, 24);
    let title = &lines[0];
    assert!(title.contains("synced "), "{title}");
    assert!(title.contains("2 answers from laptop"), "{title}");
    assert!(
        !title.contains('\u{1b}') && !title.contains('\u{202e}'),
        "{title:?}"
    );
    assert!(title.contains("red") && title.contains("evil"), "{title}");
    // The imported answers count on the dashboard.
    assert!(
        lines.iter().any(|l| l.contains("today 3 answered")),
        "{}",
        lines.join("\n")
    );
    // Small terminals cut the line; nothing panics.
    for (w, h) in [(80, 24), (40, 12)] {
        let lines = screen(&app, w, h);
        assert!(lines[0].starts_with("iamdrill"), "{w}x{h}: {}", lines[0]);
    }
    // Tinier still, the app says so instead.
    screen(&app, 20, 6);
}
