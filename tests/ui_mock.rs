//! The mock interview through the app: a two-question interview with a pause and a time-out,
//! ratings logged as mode mock, the report stored; snapshots of the question, verdict and report.

#[allow(dead_code)]
mod common;
use common::screen::screen_text;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use iamdrill::deck::{self, Library};
use iamdrill::mock::report::QuestionStatus;
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::screens::mock::{MockOptions, MockScreen, View};
use iamdrill::ui::theme::{Theme, ThemeKind};
use iamdrill::ui::{Keymap, Open};

const NOW: i64 = 1_780_000_000_000;

fn app(dir: &tempfile::TempDir, kind: ThemeKind) -> App {
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let mut app = App::new(lib, store, Theme::new(kind), Keymap::default(), NOW);
    app.open_mock(&MockOptions {
        minutes: 2,
        questions: 2,
        topics: vec![],
        seed: Some(11),
    });
    assert!(app.status.is_none(), "{:?}", app.status);
    app
}

fn mock(app: &App) -> &MockScreen {
    match app.top() {
        Some(Screen::Mock(s)) => s,
        _ => panic!("not on the mock screen"),
    }
}

fn key(app: &mut App, code: KeyCode, at: i64) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE), NOW + at);
}

fn ctrl(app: &mut App, c: char, at: i64) {
    app.on_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        NOW + at,
    );
}

fn typed(app: &mut App, s: &str, at: i64) {
    for c in s.chars() {
        key(app, KeyCode::Char(c), at);
    }
}

fn count(dir: &tempfile::TempDir, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn two_questions_with_a_pause_and_a_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Mono);
    let first = mock(&app).session.cards()[0].id.clone();
    // Letters are typed into the answer, even the command letters h, p and s.
    typed(&mut app, "hps", 1_000);
    assert_eq!(mock(&app).parts[0].input.text(), "hps");
    assert!(!mock(&app).session.is_paused());
    // Pause: no time passes while paused, however long.
    ctrl(&mut app, 'p', 10_000);
    assert!(mock(&app).session.is_paused());
    typed(&mut app, "x", 11_000);
    assert_eq!(
        mock(&app).parts[0].input.text(),
        "hps",
        "typing is ignored while paused"
    );
    app.tick(NOW + 500_000);
    assert_eq!(mock(&app).view, View::Question);
    // Resume at 500 s: 50 s of the 60 s budget are left.
    ctrl(&mut app, 'p', 500_000);
    assert!(!mock(&app).session.is_paused());
    app.tick(NOW + 549_000);
    assert_eq!(mock(&app).view, View::Question);
    app.tick(NOW + 550_500);
    assert_eq!(
        mock(&app).view,
        View::Grade {
            status: QuestionStatus::TimedOut
        },
        "the time-out grades what was typed"
    );
    key(&mut app, KeyCode::Char('3'), 551_000);
    assert_eq!(
        count(&dir, "SELECT COUNT(*) FROM reviews WHERE mode = 'mock'"),
        1
    );
    let card: String = rusqlite::Connection::open(dir.path().join("progress.sqlite3"))
        .unwrap()
        .query_row("SELECT card_id FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(card, first);
    // Second question: Esc leaves the field, then plain h reveals a hint; Ctrl-S submits.
    assert_eq!(mock(&app).view, View::Question);
    key(&mut app, KeyCode::Esc, 552_000);
    key(&mut app, KeyCode::Char('h'), 553_000);
    assert_eq!(mock(&app).session.hints().len(), 1);
    key(&mut app, KeyCode::Char('i'), 554_000);
    typed(&mut app, "temporary credentials", 555_000);
    ctrl(&mut app, 's', 560_000);
    assert_eq!(
        mock(&app).view,
        View::Grade {
            status: QuestionStatus::Answered
        }
    );
    key(&mut app, KeyCode::Char('1'), 561_000);
    assert_eq!(mock(&app).view, View::Report);
    assert_eq!(
        count(&dir, "SELECT COUNT(*) FROM reviews WHERE mode = 'mock'"),
        2
    );
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
    let report = mock(&app).report.clone().unwrap();
    assert!(!report.partial);
    assert_eq!(report.seed, Some(11));
    assert_eq!(report.questions[0].status, QuestionStatus::TimedOut);
    assert_eq!(report.questions[0].used_ms, 60_000);
    assert_eq!(report.questions[1].hints.len(), 1);
    assert_eq!(
        mock(&app).due_again.len(),
        1,
        "the card rated 1 is due again"
    );
    // q closes the report.
    key(&mut app, KeyCode::Char('q'), 562_000);
    assert!(matches!(app.top(), Some(Screen::Dashboard(_))));
}

#[test]
fn quitting_mid_interview_asks_and_saves_a_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Mono);
    typed(&mut app, "roles", 1_000);
    ctrl(&mut app, 'c', 2_000);
    assert!(!app.quit, "Ctrl-C asks first");
    assert!(app.popup.is_some());
    key(&mut app, KeyCode::Char('n'), 3_000);
    assert!(app.popup.is_none());
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 0);
    ctrl(&mut app, 'c', 4_000);
    key(&mut app, KeyCode::Char('y'), 5_000);
    assert!(app.quit);
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
    let json: String = rusqlite::Connection::open(dir.path().join("progress.sqlite3"))
        .unwrap()
        .query_row("SELECT report_json FROM mock_sessions", [], |r| r.get(0))
        .unwrap();
    let report = iamdrill::mock::report::MockReport::from_json(&json).unwrap();
    assert!(report.partial);
    assert_eq!(report.questions[0].status, QuestionStatus::Abandoned);
}

#[test]
fn dashboard_m_opens_the_picker_for_a_mock() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let mut app = App::with(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
        Open::Mock { topics: vec![] },
    );
    assert!(app.status.is_none(), "{:?}", app.status);
    assert_eq!(mock(&app).session.len(), 8);
    ctrl(&mut app, 's', 1_000);
    assert!(matches!(mock(&app).view, View::Grade { .. }));
}

#[test]
fn paste_goes_into_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Mono);
    app.on_paste("line one\r\nline two".into(), NOW + 1_000);
    assert_eq!(mock(&app).parts[0].input.text(), "line one\nline two");
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t
}

fn snap(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24).backend());
    insta::assert_snapshot!(format!("{name}_40x12"), draw(app, 40, 12).backend());
}

#[test]
fn snapshots_of_question_verdict_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Dark);
    typed(&mut app, "short term credentials from STS", 20_000);
    app.tick(NOW + 30_000);
    snap("mock_question", &app);
    ctrl(&mut app, 's', 31_000);
    snap("mock_grade", &app);
    // Covered and missed key points carry ✓ / ✗ markers in the good / bad styles.
    let theme = Theme::new(ThemeKind::Dark);
    let term = draw(&app, 80, 24);
    let buf = term.backend().buffer();
    let mut seen = 0;
    for cell in buf.content() {
        match cell.symbol() {
            "✓" => {
                assert_eq!(cell.fg, theme.good.fg.unwrap_or(cell.fg));
                seen += 1;
            }
            "✗" => {
                assert_eq!(cell.fg, theme.bad.fg.unwrap_or(cell.fg));
                seen += 1;
            }
            _ => {}
        }
    }
    assert!(seen > 0, "the verdict shows key point markers");
    key(&mut app, KeyCode::Char('2'), 32_000);
    ctrl(&mut app, 'n', 33_000);
    key(&mut app, KeyCode::Char('1'), 34_000);
    assert_eq!(mock(&app).view, View::Report);
    snap("mock_report", &app);
}

#[test]
fn stats_screen_plots_past_interview_scores() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut app = app(&dir, ThemeKind::Mono);
        ctrl(&mut app, 'c', 1_000);
        key(&mut app, KeyCode::Char('y'), 2_000);
        assert!(app.quit);
    }
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let app = App::with(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
        Open::Stats,
    );
    let Some(Screen::Stats(s)) = app.top() else {
        panic!("not on the stats screen")
    };
    assert_eq!(s.mock_scores.len(), 1);
    let text: Vec<String> = s.lines(80).iter().map(|l| l.to_string()).collect();
    let at = text.iter().position(|l| l == "Mock interviews").unwrap();
    assert!(
        text[at + 1].starts_with("2026-05-28 #1"),
        "{}",
        text[at + 1]
    );
    assert!(text[at + 1].ends_with("0%"), "{}", text[at + 1]);
}

#[test]
fn q_outside_the_answer_asks_then_shows_the_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Mono);
    typed(&mut app, "q", 1_000);
    assert_eq!(
        mock(&app).parts[0].input.text(),
        "q",
        "q is typed while the field has focus"
    );
    key(&mut app, KeyCode::Esc, 2_000);
    key(&mut app, KeyCode::Char('q'), 3_000);
    assert!(app.popup.is_some());
    key(&mut app, KeyCode::Char('y'), 4_000);
    assert!(!app.quit);
    assert_eq!(mock(&app).view, View::Report);
    assert!(mock(&app).report.as_ref().unwrap().partial);
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
}

#[test]
fn ending_from_outside_saves_the_running_interview_as_partial() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Dark);
    typed(&mut a, "least privilege", 1_000);
    // Ctrl-Z asks the loop to suspend; nothing in the interview changes.
    ctrl(&mut a, 'z', 2_000);
    assert!(a.background);
    assert!(mock(&a).is_live());
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 0);
    a.save_in_flight(NOW + 3_000);
    assert!(a.quit);
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
    let partial = count(
        &dir,
        "SELECT json_extract(report_json, '$.partial') FROM mock_sessions",
    );
    assert_eq!(partial, 1);
    // Saving again (a second signal) stores nothing twice.
    a.save_in_flight(NOW + 4_000);
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
}

#[test]
fn the_answer_editor_keeps_paragraphs_wraps_words_and_follows_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&dir, ThemeKind::Mono);
    // Paragraphs: Enter on an empty line is a blank line, not a submission.
    typed(&mut app, "First, deactivate the exposed access key.", 1_000);
    key(&mut app, KeyCode::Enter, 1_000);
    key(&mut app, KeyCode::Enter, 1_000);
    assert_eq!(mock(&app).view, View::Question, "Enter never submits");
    // A long answer: many wrapped rows, more than the field holds at 80x24.
    for n in 0..12 {
        typed(
            &mut app,
            &format!("Paragraph {n} says AssumeRoleWithWebIdentity returns temporary credentials."),
            1_000,
        );
        key(&mut app, KeyCode::Enter, 1_000);
    }
    typed(&mut app, "The last words", 1_000);
    let text = mock(&app).parts[0].input.text();
    assert!(text.starts_with("First, deactivate the exposed access key.\n\nParagraph 0"));
    for (w, h) in [(80, 24), (40, 12)] {
        let screen = screen_text(&app, w, h);
        assert!(
            screen.contains("The last words"),
            "the cursor's row is in view at {w}x{h}:\n{screen}"
        );
        // Words are never split: the long API name is whole wherever it shows.
        for line in screen.lines().filter(|l| l.contains("AssumeRole")) {
            assert!(
                line.contains("AssumeRoleWithWebIdentity") || w < 30,
                "a word split at {w}x{h}: {line}"
            );
        }
    }
    // The cursor moves up to the first paragraph: the field scrolls back to it.
    for _ in 0..40 {
        key(&mut app, KeyCode::Up, 1_000);
    }
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("First, deactivate"), "{screen}");
    // Ctrl-S submits.
    ctrl(&mut app, 's', 2_000);
    assert!(matches!(mock(&app).view, View::Grade { .. }));
}

#[test]
fn the_picker_sets_the_interview_length_and_question_count() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let mut app = App::new(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
    );
    key(&mut app, KeyCode::Char('m'), 0);
    assert!(matches!(app.top(), Some(Screen::Picker(_))));
    assert!(
        screen_text(&app, 80, 24).contains("Interview: 30 min · 8 questions"),
        "{}",
        screen_text(&app, 80, 24)
    );
    key(&mut app, KeyCode::Left, 0);
    key(&mut app, KeyCode::Left, 0);
    for _ in 0..5 {
        key(&mut app, KeyCode::Char('-'), 0);
    }
    assert!(screen_text(&app, 80, 24).contains("Interview: 20 min · 3 questions"));
    key(&mut app, KeyCode::Enter, 0);
    assert_eq!(mock(&app).session.len(), 3);
    assert_eq!(mock(&app).session.total().as_secs(), 20 * 60);
}

#[test]
fn an_interview_opened_alone_returns_to_the_shell_when_its_report_closes() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let mut app = App::new(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        NOW,
    );
    app.open_alone(Open::MockWith(MockOptions {
        minutes: 2,
        questions: 1,
        topics: vec![],
        seed: Some(3),
    }));
    assert_eq!(app.stack.len(), 1, "nothing under the interview");
    ctrl(&mut app, 's', 1_000);
    key(&mut app, KeyCode::Char('3'), 2_000);
    assert_eq!(mock(&app).view, View::Report);
    assert!(!app.quit);
    key(&mut app, KeyCode::Char('q'), 3_000);
    assert!(app.quit, "the report closes to the shell");
    assert_eq!(count(&dir, "SELECT COUNT(*) FROM mock_sessions"), 1);
}
