//! Policy Lab through the app: snapshots of the list, a puzzle, a verdict and a case; styles of
//! the highlighted statement and the ✓/✗ markers; flows from the dashboard to a verdict, context
//! toggles, and policy edits through an injected editor.

#[allow(dead_code)]
mod common;
use common::screen::terminal_text;

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

use iamdrill::deck::{self, Library};
use iamdrill::policy::Decision;
use iamdrill::policy::lab::builtin_puzzles;
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::screens::lab::{LabScreen, View};
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

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE), NOW + 1_000);
}

fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

fn lab(app: &App) -> &LabScreen {
    match app.top() {
        Some(Screen::Lab(s)) => s,
        _ => panic!("not on the lab screen (status: {:?})", app.status),
    }
}

fn case_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/lab/mfa-case.yaml")
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

/// The index of the puzzle with this id, and of its right and of a wrong choice.
fn puzzle(id: &str) -> (usize, usize, usize) {
    let puzzles = builtin_puzzles().unwrap();
    let i = puzzles.iter().position(|p| p.id == id).unwrap();
    let p = &puzzles[i];
    let right = p.choices.iter().position(|c| c.id == p.answer).unwrap();
    let wrong = (0..p.choices.len()).find(|&c| c != right).unwrap();
    (i, right, wrong)
}

fn first_puzzle_id() -> String {
    builtin_puzzles().unwrap()[0].id.clone()
}

#[test]
fn snapshots_of_the_list_a_puzzle_and_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::Lab));
    snap("lab_list", &a);
    ch(&mut a, '1');
    snap("lab_puzzle", &a);
    let (_, right, _) = puzzle(&first_puzzle_id());
    ch(&mut a, char::from(b'1' + right as u8));
    snap("lab_verdict", &a);
}

#[test]
fn snapshot_of_a_verdict_with_the_deciding_deny_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::Lab));
    let puzzles = builtin_puzzles().unwrap();
    // A puzzle decided by an explicit Deny statement.
    let i = puzzles
        .iter()
        .position(|p| {
            iamdrill::policy::lab::check_answer(p, &p.answer)
                .evaluation
                .decision
                == Decision::ExplicitDeny
        })
        .expect("a puzzle decided by an explicit deny");
    let (_, right, _) = puzzle(&puzzles[i].id);
    for _ in 0..i {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    ch(&mut a, char::from(b'1' + right as u8));
    snap("lab_verdict_deny", &a);
    // The highlighted statement is on screen once scrolled to, marked ▶ in bold.
    let mut found = false;
    for _ in 0..80 {
        let t = draw(&a, 80, 24);
        let buf = t.backend().buffer();
        if (0..buf.area.height)
            .any(|y| buf[(0, y)].symbol() == "▶" && buf[(0, y)].modifier.contains(Modifier::BOLD))
        {
            found = true;
            break;
        }
        key(&mut a, KeyCode::Right);
    }
    assert!(
        found,
        "the deciding statement is highlighted in the verdict"
    );
}

#[test]
fn snapshot_of_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    snap("lab_case", &a);
}

#[test]
fn deciding_statement_is_marked_and_styled_and_verdicts_carry_text_markers() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(&dir, ThemeKind::Dark, Some(Open::LabCase(case_file())));
    let t = draw(&a, 80, 60);
    let buf = t.backend().buffer();
    let text = terminal_text(&t);
    assert!(text.contains("✗ ExplicitDeny"), "{text}");
    // Every line of the deciding Deny statement has the ▶ gutter and the selected style; the
    // Allow statement has neither.
    let theme = Theme::new(ThemeKind::Dark);
    let mut marked = Vec::new();
    for y in 0..buf.area.height {
        if buf[(0, y)].symbol() == "▶" {
            marked.push(y);
            let cell = &buf[(0, y)];
            assert!(cell.modifier.contains(Modifier::BOLD));
            assert_eq!(cell.bg, theme.selected.bg.unwrap_or(cell.bg));
            if let Some(fg) = theme.selected.fg {
                assert_eq!(buf[(0, y)].fg, fg);
            }
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    let statement: Vec<&str> = marked.iter().map(|&y| lines[y as usize]).collect();
    assert!(
        statement.iter().any(|l| l.contains("DenyWithoutMfa")),
        "{statement:?}"
    );
    assert!(!statement.iter().any(|l| l.contains("AllowStop")));
    assert!(statement.first().unwrap().trim_start_matches('▶').trim() == "{");
    assert!(statement.last().unwrap().trim_start_matches('▶').trim() == "}");

    // Verdicts: ✓ on the right choice, ✗ on the wrong one, in the good / bad styles.
    let mut a = app(&dir, ThemeKind::Dark, Some(Open::Lab));
    let (i, right, wrong) = puzzle(&first_puzzle_id());
    assert_eq!(i, 0);
    ch(&mut a, '1');
    ch(&mut a, char::from(b'1' + wrong as u8));
    let t = draw(&a, 80, 24);
    let text = terminal_text(&t);
    let buf = t.backend().buffer();
    let find = |mark: &str, num: usize| {
        text.lines()
            .position(|l| l.starts_with(&format!("{mark} {}", num + 1)))
            .unwrap_or_else(|| panic!("no {mark} on choice {}:\n{text}", num + 1))
    };
    let y_ok = find("✓", right) as u16;
    let y_bad = find("✗", wrong) as u16;
    assert_eq!(Some(buf[(0, y_ok)].fg), theme.good.fg);
    assert_eq!(Some(buf[(0, y_bad)].fg), theme.bad.fg);
    assert!(text.contains("✗ Not"), "{text}");
}

#[test]
fn dashboard_l_pick_a_puzzle_right_culprit_then_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, None);
    assert!(matches!(a.top(), Some(Screen::Dashboard(_))));
    ch(&mut a, 'l');
    assert!(matches!(lab(&a).view, View::List));
    // The third puzzle, reached with arrows.
    let id = builtin_puzzles().unwrap()[2].id.clone();
    let (_, right, wrong) = puzzle(&id);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    match &lab(&a).view {
        View::Puzzle { index, .. } => assert_eq!(*index, 2),
        v => panic!("{v:?}"),
    }
    for _ in 0..right {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    match &lab(&a).view {
        View::Puzzle {
            verdict: Some(v), ..
        } => {
            assert!(v.correct, "{}", v.explanation);
            assert!(!v.explanation.is_empty());
        }
        v => panic!("{v:?}"),
    }
    let text = terminal_text(&draw(&a, 80, 24));
    assert!(text.contains("✓ Right"), "{text}");

    // q returns to the choices; a wrong answer is told why and which choice was right.
    ch(&mut a, 'q');
    ch(&mut a, char::from(b'1' + wrong as u8));
    match &lab(&a).view {
        View::Puzzle {
            verdict: Some(v), ..
        } => {
            assert!(!v.correct);
            assert!(v.correct_choice.is_some());
        }
        v => panic!("{v:?}"),
    }
    let text = terminal_text(&draw(&a, 80, 24));
    assert!(text.contains("✗ Not"), "{text}");
    assert!(text.contains("The culprit:"), "{text}");
    // Back out to the list, then to the dashboard.
    ch(&mut a, 'q');
    ch(&mut a, 'q');
    ch(&mut a, 'q');
    assert!(matches!(a.top(), Some(Screen::Dashboard(_))));
}

#[test]
fn a_puzzle_step_opens_as_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::Lab));
    ch(&mut a, '1');
    let (_, right, _) = puzzle(&first_puzzle_id());
    ch(&mut a, char::from(b'1' + right as u8));
    ch(&mut a, 'e');
    assert!(matches!(lab(&a).view, View::Case(_)));
    ch(&mut a, 'q');
    assert!(matches!(
        lab(&a).view,
        View::Puzzle {
            verdict: Some(_),
            ..
        }
    ));
}

fn case_decision(a: &App) -> Decision {
    match &lab(a).view {
        View::Case(c) => c.evaluation.decision,
        v => panic!("{v:?}"),
    }
}

#[test]
fn toggling_mfa_changes_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    assert_eq!(case_decision(&a), Decision::ExplicitDeny);
    ch(&mut a, '1'); // MFA present: true
    assert_eq!(case_decision(&a), Decision::Allow);
    let text = terminal_text(&draw(&a, 80, 24));
    assert!(text.contains("✓ Allow"), "{text}");
    ch(&mut a, '1'); // false
    assert_eq!(case_decision(&a), Decision::ExplicitDeny);
    ch(&mut a, '1'); // absent again
    assert_eq!(case_decision(&a), Decision::ExplicitDeny);
}

#[test]
fn editing_a_policy_through_the_editor_re_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    let seen = Rc::new(RefCell::new(String::new()));
    let seen2 = Rc::clone(&seen);
    // The editor deletes the Deny statement's condition-free twin: it rewrites the policy to
    // deny only iam:* actions.
    a.editor = Box::new(move |text: &str| {
        *seen2.borrow_mut() = text.to_string();
        Ok(text.replace("\"Action\": \"*\"", "\"Action\": \"iam:*\""))
    });
    // Select the second policy (RequireMfa) and edit it.
    key(&mut a, KeyCode::Tab);
    ch(&mut a, 'e');
    assert!(
        seen.borrow().contains("DenyWithoutMfa"),
        "{}",
        seen.borrow()
    );
    assert!(a.redraw, "the app redraws after handing the terminal over");
    assert_eq!(case_decision(&a), Decision::Allow);
    match &lab(&a).view {
        View::Case(c) => {
            assert!(c.error.is_none());
            assert!(c.case.policies.identity[1].json().contains("iam:*"));
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn an_invalid_edit_shows_the_located_error_and_keeps_the_old_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    a.editor =
        Box::new(|text: &str| Ok(text.replacen("\"Effect\": \"Allow\"", "\"Effect\": Allow", 1)));
    ch(&mut a, 'e');
    let (error, before) = match &lab(&a).view {
        View::Case(c) => (c.error.clone(), c.case.policies.identity[0].clone()),
        v => panic!("{v:?}"),
    };
    let error = error.expect("an error is shown");
    assert!(error.contains("Ec2Operator"), "{error}");
    assert!(error.contains("line"), "the error gives the line: {error}");
    assert_eq!(before.name, "Ec2Operator");
    assert!(before.json().contains("\"Allow\""));
    assert_eq!(case_decision(&a), Decision::ExplicitDeny);
    let text = terminal_text(&draw(&a, 80, 24));
    assert!(text.contains("✗ \"Ec2Operator\" not changed"), "{text}");

    // An editor that fails changes nothing either.
    a.editor =
        Box::new(|_: &str| Err("`false` exited with exit status: 1; nothing changed".into()));
    ch(&mut a, 'e');
    match &lab(&a).view {
        View::Case(c) => assert!(c.error.as_deref().unwrap().contains("editor failed")),
        v => panic!("{v:?}"),
    }
}

#[cfg(unix)]
#[test]
fn the_editor_command_runs_on_a_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("ed.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/Allow/Deny/' \"$1\"\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out =
        iamdrill::ui::app::edit_with(&[script.display().to_string()], "{\"Effect\": \"Allow\"}")
            .unwrap();
    assert_eq!(out, "{\"Effect\": \"Deny\"}");
    let err = iamdrill::ui::app::edit_with(&["false".to_string()], "{}").unwrap_err();
    assert!(err.contains("nothing changed"), "{err}");
}

#[test]
fn a_missing_case_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(
        &dir,
        ThemeKind::Mono,
        Some(Open::LabCase(dir.path().join("nope.yaml"))),
    );
    assert!(matches!(a.top(), Some(Screen::Dashboard(_))));
    assert!(a.status.as_deref().unwrap().contains("nope.yaml"));
}

#[test]
fn the_lab_footer_and_help_come_from_the_keymap() {
    let km = Keymap::default();
    let help = km.help(iamdrill::ui::Scope::LabCase);
    assert!(help.iter().any(|(k, h)| k == "e" && h.contains("$EDITOR")));
    assert!(help.iter().any(|(k, h)| k == "1" && h.contains("MFA")));
    let footer = km.footer(iamdrill::ui::Scope::Lab);
    assert!(
        footer.iter().any(|(k, h)| k == "1-9" && *h == "pick"),
        "{footer:?}"
    );
}

#[test]
fn wide_windows_show_policies_side_by_side_narrow_ones_stacked() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    let wide = terminal_text(&draw(&a, 120, 40));
    assert!(
        wide.lines()
            .any(|l| l.contains("\"Ec2Operator\"") && l.contains("\"RequireMfa\"")),
        "{wide}"
    );
    let narrow = terminal_text(&draw(&a, 80, 60));
    assert!(
        !narrow
            .lines()
            .any(|l| l.contains("policy \"Ec2Operator\"") && l.contains("policy \"RequireMfa\"")),
        "{narrow}"
    );
}

/// End shows the last line of a view taller than the window, a key down from there changes
/// nothing, and Home comes back to the first screen.
fn end_and_home_scroll(a: &mut App, down: KeyCode) {
    let first = terminal_text(&draw(a, 40, 12));
    key(a, KeyCode::End);
    let bottom = terminal_text(&draw(a, 40, 12));
    assert_ne!(first, bottom, "End did not scroll");
    key(a, down);
    assert_eq!(
        terminal_text(&draw(a, 40, 12)),
        bottom,
        "scrolled past the end"
    );
    key(a, KeyCode::Home);
    assert_eq!(
        terminal_text(&draw(a, 40, 12)),
        first,
        "Home did not come back"
    );
    key(a, KeyCode::PageDown);
    assert_ne!(
        terminal_text(&draw(a, 40, 12)),
        first,
        "PgDn did not scroll"
    );
}

#[test]
fn end_home_and_pages_scroll_a_case_and_a_puzzle_story() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::LabCase(case_file())));
    end_and_home_scroll(&mut a, KeyCode::Down);
    let mut a = app(&dir, ThemeKind::Mono, Some(Open::Lab));
    ch(&mut a, '1');
    // In a puzzle, Up/Down pick a choice; → scrolls the story a line.
    end_and_home_scroll(&mut a, KeyCode::Right);
}
