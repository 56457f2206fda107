//! `iamdrill mock history` run as a binary against a database holding past interviews.

use std::process::Command;
use std::time::{Duration, Instant};

use iamdrill::deck::{self, CardKind, Library};
use iamdrill::mock::grade::Answer;
use iamdrill::mock::session::MockSession;
use iamdrill::store::Store;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
}

/// Stores an interview over the first basic card, answered with `text`.
fn save_interview(store: &mut Store, text: &str, at: i64) {
    let lib = Library::from_decks(deck::builtin_decks());
    let card = lib
        .cards()
        .find(|c| c.kind == CardKind::Basic && c.key_points.len() >= 2)
        .unwrap()
        .clone();
    let t0 = Instant::now();
    let mut s = MockSession::new(vec![card], Duration::from_secs(60), Some(5)).unwrap();
    s.start(t0).unwrap();
    s.set_draft(Answer::Text(text.into())).unwrap();
    s.submit(t0 + Duration::from_secs(20)).unwrap();
    s.rate(3, t0 + Duration::from_secs(21)).unwrap();
    let json = s.report().to_json().unwrap();
    store.save_mock_session(at, at + 30_000, &json).unwrap();
}

fn key_point_text() -> String {
    let lib = Library::from_decks(deck::builtin_decks());
    let card = lib
        .cards()
        .find(|c| c.kind == CardKind::Basic && c.key_points.len() >= 2)
        .unwrap();
    card.key_points
        .iter()
        .map(|k| k.text.clone())
        .collect::<Vec<_>>()
        .join(". ")
}

#[test]
fn history_lists_sessions_with_scores_and_trend() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store =
            Store::open_path(&dir.path().join(iamdrill::context::paths::DATABASE_FILE)).unwrap();
        save_interview(&mut store, "I do not know", 1_780_000_000_000);
        save_interview(&mut store, &key_point_text(), 1_780_086_400_000);
    }
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "history", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["questions"], 1);
    assert!(rows[0]["trend"].is_null());
    let (first, second) = (
        rows[0]["score"].as_f64().unwrap(),
        rows[1]["score"].as_f64().unwrap(),
    );
    assert!(second > first, "{first} then {second}");
    assert!((rows[1]["trend"].as_f64().unwrap() - (second - first)).abs() < 1e-9);

    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "history"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2026-05-29 20:26 UTC"), "{text}");
    assert!(text.contains("▲ +"), "{text}");
}

#[test]
fn history_without_sessions_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "history"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No mock interviews yet"));
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "history", "--json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}

#[test]
fn unknown_topic_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "--topic", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown topic `nope`"));
}

/// Stores an interview of two questions quit after the first, answered with `text`.
fn save_partial_interview(store: &mut Store, text: &str, at: i64) {
    let lib = Library::from_decks(deck::builtin_decks());
    let cards: Vec<_> = lib
        .cards()
        .filter(|c| c.kind == CardKind::Basic && c.key_points.len() >= 2)
        .take(2)
        .cloned()
        .collect();
    let t0 = Instant::now();
    let mut s = MockSession::new(cards, Duration::from_secs(120), Some(5)).unwrap();
    s.start(t0).unwrap();
    s.set_draft(Answer::Text(text.into())).unwrap();
    s.submit(t0 + Duration::from_secs(20)).unwrap();
    s.rate(3, t0 + Duration::from_secs(21)).unwrap();
    let report = s.quit(t0 + Duration::from_secs(22));
    assert!(report.partial);
    store
        .save_mock_session(at, at + 30_000, &report.to_json().unwrap())
        .unwrap();
}

#[test]
fn the_trend_compares_complete_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store =
            Store::open_path(&dir.path().join(iamdrill::context::paths::DATABASE_FILE)).unwrap();
        save_interview(&mut store, "I do not know", 1_780_000_000_000);
        // Quit after one question answered well: its score is not a run's score.
        save_partial_interview(&mut store, &key_point_text(), 1_780_043_200_000);
        save_interview(&mut store, &key_point_text(), 1_780_086_400_000);
    }
    let out = bin()
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["mock", "history", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["partial"], true);
    assert!(rows[1]["trend"].is_null(), "a run quit early has no trend");
    let (first, third) = (
        rows[0]["score"].as_f64().unwrap(),
        rows[2]["score"].as_f64().unwrap(),
    );
    assert!(
        (rows[2]["trend"].as_f64().unwrap() - (third - first)).abs() < 1e-9,
        "the complete run is compared with the previous complete run"
    );
}
