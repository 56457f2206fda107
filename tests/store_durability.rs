//! Durability: a child killed with SIGKILL in the middle of answering loses no acknowledged
//! answer and leaves a sound file; two processes answering at once lose nothing; a damaged
//! file gives a clear error and is left alone.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::Connection;

fn spawn_cram(data: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["cram", "--plain"])
        .env("IAMDRILL_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a cram process and fails with its exit status and what it printed on error.
fn assert_finished(child: Child, name: &str) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "process {name}: {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feeds "reveal, Good" forever (until the child is gone) and reports every acknowledged
/// answer's card id as it is printed.
fn drive(child: &mut Child) -> mpsc::Receiver<String> {
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || while stdin.write_all(b"\n3\n").is_ok() {});
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("Saved: Good (") {
                let id = rest.trim_end_matches(").").to_string();
                if tx.send(id).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn log_since(db: &std::path::Path, after_id: i64) -> Vec<(i64, String)> {
    if !db.exists() {
        return Vec::new();
    }
    let conn = Connection::open(db).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'reviews'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if tables == 0 {
        // Killed before the schema was committed.
        return Vec::new();
    }
    conn.prepare("SELECT id, card_id FROM reviews WHERE id > ?1 ORDER BY id")
        .unwrap()
        .query_map([after_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn integrity(db: &std::path::Path) -> String {
    if !db.exists() {
        return "ok".into();
    }
    let conn = Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A count from the environment (the long runs on demand), else `default`.
fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// 24 kill rounds; `IAMDRILL_KILL_ROUNDS=500 cargo test --test store_durability sigkill --
/// --nocapture` runs a long version and prints the totals.
#[test]
fn sigkill_while_answering_loses_no_acknowledged_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("progress.sqlite3");
    let mut last_id = 0;
    let mut total_acked = 0;
    let rounds = env_count("IAMDRILL_KILL_ROUNDS", 24);
    // A deterministic spread of kill moments, from before the first answer to deep into a run.
    for round in 0..rounds {
        let mut child = spawn_cram(dir.path());
        let acks = drive(&mut child);
        let mut acked = Vec::new();
        // Wait for a number of acknowledgements (0-40), then kill at once, mid-stream.
        let want = (round * 7) % 41;
        let deadline = Instant::now() + Duration::from_secs(20);
        while (acked.len() as u64) < want && Instant::now() < deadline {
            match acks.recv_timeout(Duration::from_millis(200)) {
                Ok(id) => acked.push(id),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if round % 3 == 1 {
            std::thread::sleep(Duration::from_micros(round * 400));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acknowledgements printed before the kill still count.
        while let Ok(id) = acks.recv_timeout(Duration::from_millis(50)) {
            acked.push(id);
        }
        assert_eq!(integrity(&db), "ok", "round {round}");
        let log = log_since(&db, last_id);
        // Every acknowledged answer is stored, in order; at most one more was committed
        // without its acknowledgement reaching us.
        let stored: Vec<&String> = log.iter().map(|(_, c)| c).collect();
        assert!(
            stored.len() >= acked.len() && stored.len() <= acked.len() + 1,
            "round {round}: {} stored, {} acked",
            stored.len(),
            acked.len()
        );
        for (a, s) in acked.iter().zip(&stored) {
            assert_eq!(a, *s, "round {round}");
        }
        total_acked += acked.len();
        if let Some((id, _)) = log.last() {
            last_id = *id;
        }
    }
    assert!(total_acked > 100, "the rounds answered {total_acked} cards");
    println!("{rounds} SIGKILL rounds: {total_acked} answers acknowledged, 0 lost");
    // The store opens afterwards and its state agrees with the log.
    let status = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["progress", "rebuild", "--yes", "--json"])
        .env("IAMDRILL_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(report["corrected"], 0, "{report}");
}

/// Two writers; `IAMDRILL_WRITERS=5 cargo test --test store_durability processes -- --nocapture`
/// runs more at once and prints the totals.
#[test]
fn two_processes_answering_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("progress.sqlite3");
    let cards = iamdrill::context::load_library(&[]).len();
    let writers = env_count("IAMDRILL_WRITERS", 2) as usize;
    let mut children: Vec<Child> = (0..writers).map(|_| spawn_cram(dir.path())).collect();
    let receivers: Vec<_> = children.iter_mut().map(drive).collect();
    // Each cram session answers every card once with Good, then ends.
    let collect = |rx: mpsc::Receiver<String>| {
        let mut v = Vec::new();
        while let Ok(id) = rx.recv_timeout(Duration::from_secs(30)) {
            v.push(id);
        }
        v
    };
    let threads: Vec<_> = receivers
        .into_iter()
        .map(|rx| std::thread::spawn(move || collect(rx)))
        .collect();
    let acked: Vec<Vec<String>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for (i, child) in children.into_iter().enumerate() {
        assert_finished(child, &format!("writer {i}"));
    }
    for a in &acked {
        assert_eq!(a.len(), cards);
    }
    assert_eq!(integrity(&db), "ok");
    let log = log_since(&db, 0);
    assert_eq!(log.len(), writers * cards);
    // Every card was answered once by each writer and its state reflects every answer.
    let conn = Connection::open(&db).unwrap();
    let reps: Vec<i64> = conn
        .prepare("SELECT reps FROM cards")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(reps.len(), cards);
    assert!(reps.iter().all(|&r| r == writers as i64), "{reps:?}");
    println!(
        "{writers} concurrent writers: {} answers acknowledged, {} stored, 0 lost",
        writers * cards,
        log.len()
    );
}

#[test]
fn damaged_file_gives_a_clear_error_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("progress.sqlite3");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&db, &garbage).unwrap();
    for cmd in [
        &["due"][..],
        &["stats", "--json"],
        &["review", "--plain"],
        &["export", "reviews"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
            .args(cmd)
            .env("IAMDRILL_DATA_DIR", dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(err.contains(&db.display().to_string()), "{cmd:?}: {err}");
        assert!(err.contains("damaged or is not a database"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), garbage);

    // A real progress file whose pages were overwritten in the middle.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("progress.sqlite3");
    {
        let mut store = iamdrill::store::Store::open_path(&db).unwrap();
        for i in 0..400 {
            store
                .record_mock(
                    &format!("card-{i}"),
                    iamdrill::srs::Rating::Good,
                    1000,
                    1_780_000_000_000 + i,
                )
                .unwrap();
        }
    }
    // Fold the WAL into the main file, then damage the middle of it.
    Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let mut bytes = std::fs::read(&db).unwrap();
    let len = bytes.len();
    assert!(len > 16 * 4096, "{len}");
    for b in &mut bytes[4096..len - 4096] {
        *b ^= 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["stats"])
        .env("IAMDRILL_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("progress.sqlite3"), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
