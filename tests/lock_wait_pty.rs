//! The app while another process holds the database's write lock: it shows that it waits,
//! saves the answer once the lock is free, and lets the learner give up with Esc (the answer is
//! then not saved and the card stays on screen).
#![cfg(unix)]

mod common;
use common::pty::Term;

fn reviews(dir: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("progress.sqlite3")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    conn.query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap()
}

/// Another writer: holds the write lock from `BEGIN IMMEDIATE` until dropped.
fn hold_write_lock(dir: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(dir.join("progress.sqlite3")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

#[test]
fn the_app_shows_a_lock_wait_saves_after_it_and_esc_gives_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), &["review"], 80, 24);
    term.wait_for("card 1/");

    // Wait, then the lock is released: the answer is saved and the notice goes away.
    let lock = hold_write_lock(dir.path());
    term.reveal();
    term.send("3");
    term.wait_for("for another iamdrill process");
    // Still waiting a while later, and the notice counts the time.
    term.wait_for("Waiting 1 s");
    drop(lock);
    let s = term.wait_for("card 2/");
    term.wait_until("the notice gone", |s| {
        !s.contains("another iamdrill process")
    });
    assert!(!s.contains("could not save"), "{s}");
    assert_eq!(reviews(dir.path()), 1);

    // Esc gives up: nothing saved, the card stays, the app says why.
    let lock = hold_write_lock(dir.path());
    term.reveal();
    term.send("3");
    term.wait_for("for another iamdrill process");
    term.send("\u{1b}");
    let s = term.wait_for("could not save");
    assert!(s.contains("card 2/"), "{s}");
    drop(lock);
    assert_eq!(reviews(dir.path()), 1);

    // The same card can be answered again once the lock is free.
    term.reveal();
    term.send("3");
    term.wait_for("card 3/");
    assert_eq!(reviews(dir.path()), 2);
    term.send("q");
    term.wait_for("Review due cards");
    term.send("q");
    assert!(term.wait_exit());
}
