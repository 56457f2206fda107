//! `iamdrill review --plain` driven by a script on stdin; the database is checked afterwards.

use std::io::Write;
use std::process::{Command, Stdio};

use rusqlite::Connection;

fn kms_cards() -> Vec<String> {
    let lib = iamdrill::context::load_library(&[]);
    lib.cards()
        .filter(|c| c.topic == "kms")
        .map(|c| c.id.clone())
        .collect()
}

fn run(data: &std::path::Path, args: &[&str], script: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .env("IAMDRILL_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn scripted_plain_review_is_stored() {
    let cards = kms_cards();
    assert!(
        cards.len() >= 6,
        "the built-in decks have at least 6 KMS cards"
    );
    let dir = tempfile::tempdir().unwrap();
    // reveal+Good, reveal+Easy, reveal+Again, a bad line, reveal+undo, reveal+Hard,
    // suspend, bury, a bad rating, reveal+Good; then end of input.
    let script = "\n3\n\n4\n\n1\nx\n\nu\n\n2\ns\nb\n\n9\n3\n";
    let (code, out, err) = run(dir.path(), &["review", "--plain", "--topic", "kms"], script);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("Q: "), "{out}");
    assert!(
        out.contains("Rate: 1 Again (1m)   2 Hard (6m)   3 Good (10m)   4 Easy ("),
        "{out}"
    );
    assert!(out.contains("Press Enter to see the answer"), "{out}");
    assert!(
        out.contains("Type 1 Again, 2 Hard, 3 Good or 4 Easy"),
        "{out}"
    );
    assert!(out.contains(&format!("Undone: {}", cards[2])), "{out}");
    assert!(out.contains(&format!("Suspended {}.", cards[3])), "{out}");
    assert!(
        out.contains(&format!("Buried {} until tomorrow.", cards[4])),
        "{out}"
    );

    let db = Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let log: Vec<(String, i64, String)> = db
        .prepare("SELECT card_id, rating, mode FROM reviews ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expect: Vec<(String, i64, String)> = [(0, 3), (1, 4), (2, 2), (5, 3)]
        .iter()
        .map(|&(i, r)| (cards[i].clone(), r, "review".to_string()))
        .collect();
    assert_eq!(log, expect);
    let flags: Vec<(String, i64, Option<i64>)> = db
        .prepare("SELECT card_id, suspended, buried_until_day FROM card_flags ORDER BY card_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(flags.len(), 2);
    let suspended = flags.iter().find(|f| f.0 == cards[3]).unwrap();
    assert_eq!((suspended.1, suspended.2), (1, None));
    let buried = flags.iter().find(|f| f.0 == cards[4]).unwrap();
    assert_eq!(buried.1, 0);
    assert!(buried.2.is_some());
    let phases: Vec<(String, i64)> = db
        .prepare("SELECT card_id, phase FROM cards ORDER BY card_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let phase_of = |id: &str| phases.iter().find(|p| p.0 == id).map(|p| p.1);
    assert_eq!(
        phase_of(&cards[0]),
        Some(1),
        "Good on a new card: second learning step"
    );
    assert_eq!(phase_of(&cards[1]), Some(2), "Easy graduates");
    assert_eq!(phase_of(&cards[2]), Some(1));
    assert_eq!(phase_of(&cards[3]), None);
}

#[test]
fn learning_cards_come_back_and_quit_stops() {
    let cards = kms_cards();
    let dir = tempfile::tempdir().unwrap();
    // Six cards answered Again, then each comes back (learn-ahead) and is answered Easy; then q.
    let mut script = "\n1\n".repeat(cards.len());
    script.push_str(&"\n4\n".repeat(cards.len()));
    script.push_str("q\n");
    let (code, out, err) = run(
        dir.path(),
        &["review", "--plain", "--topic", "kms"],
        &script,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Nothing more to review."), "{out}");
    let db = Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n as usize, 2 * cards.len());
    let graduated: i64 = db
        .query_row("SELECT COUNT(*) FROM cards WHERE phase = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(graduated as usize, cards.len());
}

#[test]
fn cram_without_rescheduling_and_bad_topics() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(
        dir.path(),
        &["cram", "--topic", "kms", "--plain", "--no-reschedule"],
        "\n1\n\n3\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Rate: 1 Again (-)"), "{out}");
    let db = Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let modes: Vec<String> = db
        .prepare("SELECT mode || rescheduled FROM reviews ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(modes, ["cram0", "cram0"]);
    let states: i64 = db
        .query_row("SELECT COUNT(*) FROM cards", [], |r| r.get(0))
        .unwrap();
    assert_eq!(states, 0);

    let (code, _, err) = run(
        dir.path(),
        &["review", "--plain", "--topic", "no-such-topic"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown topic `no-such-topic`"), "{err}");
}
