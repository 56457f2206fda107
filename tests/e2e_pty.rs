//! The real binary in a pseudo-terminal: open the dashboard, review one card, quit, and find the
//! review in the database.

mod common;
use common::pty::Term;

#[test]
fn review_one_card_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), &[], 80, 24);
    // The first start greets the learner; any key goes on to the dashboard.
    term.wait_for("Welcome to iamdrill");
    term.send(" ");
    term.wait_for("Review due cards");
    term.send("r");
    term.wait_for("card 1/");
    // Reveal: basic and table cards at once, scenarios step by step.
    term.reveal();
    term.send("3");
    term.wait_for("card 2/");
    term.send("q");
    term.wait_for("Review due cards");
    term.send("q");
    assert!(term.wait_exit());
    let conn = rusqlite::Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_tiny_window_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), &[], 18, 6);
    term.wait_for("too small");
    let mut ctrl_c = String::new();
    ctrl_c.push('\u{3}');
    term.send(&ctrl_c);
    term.wait_exit();
}
