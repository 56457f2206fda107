//! Data safety of the progress store, run through the real binary: no command deletes or
//! overwrites progress without being asked to, destructive commands take a backup first, and
//! backups, restores and exports never damage the live database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use iamdrill::srs::{Rating, now_ms};
use iamdrill::store::Store;

struct Home {
    _dir: tempfile::TempDir,
    data: PathBuf,
    root: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Home {
            data: root.join("data"),
            root,
            _dir: dir,
        }
    }

    fn db(&self) -> PathBuf {
        self.data.join("progress.sqlite3")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_iamdrill"))
            .args(args)
            .env("IAMDRILL_DATA_DIR", &self.data)
            .env("IAMDRILL_CONFIG_DIR", self.root.join("config"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    /// Logs answers to cards that are in no deck (as if their deck were not loaded).
    fn answer_unloaded(&self, n: usize) {
        std::fs::create_dir_all(&self.data).unwrap();
        let mut store = Store::open_path(&self.db()).unwrap();
        for i in 0..n {
            store
                .record_mock(
                    &format!("my-deck-card-{i}"),
                    Rating::Good,
                    1000,
                    now_ms() - 1000 + i as i64,
                )
                .unwrap();
        }
    }

    fn reviews(&self) -> u64 {
        Store::open_path(&self.db())
            .unwrap()
            .review_count()
            .unwrap()
    }

    fn backups(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.data.join("backups"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}

fn backups_named(home: &Home, kind: &str) -> Vec<PathBuf> {
    home.backups()
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(&format!("-{kind}.sqlite3")))
        .collect()
}

#[test]
fn prune_deletes_nothing_unless_cards_are_named_and_confirmed() {
    let home = Home::new();
    home.answer_unloaded(3);
    // No selection: a list and the way to delete, nothing deleted.
    let out = home.ok(&["progress", "prune"]);
    assert!(out.contains("Nothing was deleted"), "{out}");
    assert!(out.contains("my-deck-card-0"), "{out}");
    assert_eq!(home.reviews(), 3);
    // --all without a terminal and without --yes: refused.
    let err = home.fails(&["progress", "prune", "--all"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(home.reviews(), 3);
    assert!(backups_named(&home, "before-prune").is_empty());
    // A named card that is loaded is refused.
    let err = home.fails(&["progress", "prune", "--yes", "explicit-deny-wins"], 2);
    assert!(err.contains("in the loaded decks"), "{err}");
    // One named card, confirmed: a backup first, then only that card goes.
    let out = home.ok(&["progress", "prune", "--yes", "my-deck-card-1"]);
    assert!(out.contains("Backup of the history before"), "{out}");
    assert_eq!(home.reviews(), 2);
    let backups = backups_named(&home, "before-prune");
    assert_eq!(backups.len(), 1);
    assert_eq!(
        iamdrill::store::backup::inspect(&backups[0])
            .unwrap()
            .reviews,
        3
    );
    // The backup brings it back.
    let file = backups[0].to_str().unwrap();
    home.ok(&["restore", "--yes", file]);
    assert_eq!(home.reviews(), 3);
}

#[test]
fn rebuild_asks_and_backs_up_first() {
    let home = Home::new();
    home.answer_unloaded(2);
    let err = home.fails(&["progress", "rebuild"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert!(backups_named(&home, "before-rebuild").is_empty());
    home.ok(&["progress", "rebuild", "--yes"]);
    assert_eq!(backups_named(&home, "before-rebuild").len(), 1);
    assert_eq!(home.reviews(), 2);
}

#[test]
fn backup_and_restore_round_trip_and_refuse_bad_files() {
    let home = Home::new();
    home.answer_unloaded(4);
    // The answers are still in the write-ahead log of an open connection: the backup has them.
    let holder = Store::open_path(&home.db()).unwrap();
    let file = home.root.join("moved.sqlite3");
    let out = home.ok(&["backup", file.to_str().unwrap()]);
    assert!(out.contains("Backed up 4 answers"), "{out}");
    drop(holder);
    // An existing file needs --force.
    let err = home.fails(&["backup", file.to_str().unwrap()], 2);
    assert!(err.contains("--force"), "{err}");
    home.ok(&["backup", "--force", file.to_str().unwrap()]);
    // Never onto the live database files.
    for live in [
        "progress.sqlite3",
        "progress.sqlite3-wal",
        "progress.sqlite3-shm",
    ] {
        let target = home.data.join(live);
        home.fails(&["backup", "--force", target.to_str().unwrap()], 2);
    }
    assert_eq!(home.reviews(), 4);
    // Without a file: a time-stamped backup in the backups folder.
    home.ok(&["backup"]);
    assert_eq!(backups_named(&home, "manual").len(), 1);

    // Restore on another machine (a fresh data directory).
    let other = Home::new();
    let out = other.ok(&["restore", "--yes", file.to_str().unwrap()]);
    assert!(out.contains("Restored 4 answers"), "{out}");
    assert_eq!(other.reviews(), 4);
    assert_eq!(backups_named(&other, "before-restore").len(), 1);

    // Files that are not sound iamdrill progress are refused; nothing changes.
    let text = home.root.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let foreign = home.root.join("photos.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE photos (id); INSERT INTO photos VALUES (1);")
        .unwrap();
    let damaged = home.root.join("damaged.sqlite3");
    let mut bytes = std::fs::read(&file).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096..len] {
        *b ^= 0x5a;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    for bad in [&text, &foreign, &damaged, &home.root.join("missing")] {
        let err = other.fails(&["restore", "--yes", bad.to_str().unwrap()], 2);
        assert!(err.contains("cannot restore"), "{err}");
    }
    assert_eq!(other.reviews(), 4);
    // Without --yes and without a terminal, restore changes nothing.
    let err = other.fails(&["restore", file.to_str().unwrap()], 2);
    assert!(err.contains("--yes"), "{err}");
}

#[test]
fn export_never_writes_onto_the_database_and_asks_before_overwriting() {
    let home = Home::new();
    home.answer_unloaded(2);
    let before = home.reviews();
    for live in [
        "progress.sqlite3",
        "progress.sqlite3-wal",
        "progress.sqlite3-shm",
    ] {
        let target = home.data.join(live);
        let err = home.fails(
            &[
                "export",
                "reviews",
                "--force",
                "-o",
                target.to_str().unwrap(),
            ],
            2,
        );
        assert!(err.contains("progress database"), "{err}");
    }
    // Through another name for the same directory too.
    let sneaky = home.data.join("backups/../progress.sqlite3");
    std::fs::create_dir_all(home.data.join("backups")).unwrap();
    home.fails(
        &[
            "export",
            "reviews",
            "--force",
            "-o",
            sneaky.to_str().unwrap(),
        ],
        2,
    );
    assert_eq!(home.reviews(), before);
    assert!(std::fs::metadata(home.db()).unwrap().len() > 0);

    let out = home.root.join("reviews.csv");
    std::fs::write(&out, "keep me").unwrap();
    let err = home.fails(&["export", "reviews", "-o", out.to_str().unwrap()], 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    home.ok(&["export", "reviews", "--force", "-o", out.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&home.root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_daily_backup_is_taken_once() {
    let home = Home::new();
    home.ok(&["due"]);
    home.ok(&["stats"]);
    assert_eq!(backups_named(&home, "daily").len(), 1);
    // backup_keep: 0 turns it off.
    let off = Home::new();
    std::fs::create_dir_all(off.root.join("config")).unwrap();
    std::fs::write(off.root.join("config/config.yaml"), "backup_keep: 0\n").unwrap();
    off.ok(&["due"]);
    assert!(backups_named(&off, "daily").is_empty());
    std::fs::write(off.root.join("config/config.yaml"), "backup_keep: 9999\n").unwrap();
    let err = off.fails(&["due"], 2);
    assert!(err.contains("backup_keep"), "{err}");
}

#[cfg(unix)]
#[test]
fn files_and_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    home.ok(&["due"]);
    home.ok(&["backup"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.data), 0o700);
    assert_eq!(mode(&home.db()), 0o600);
    assert_eq!(mode(&home.data.join("backups")), 0o700);
    for b in home.backups() {
        assert_eq!(mode(&b), 0o600, "{}", b.display());
    }
}

#[test]
fn import_reviews_round_trips_export_and_skips_duplicates() {
    let home = Home::new();
    home.answer_unloaded(5);
    let csv = home.root.join("reviews.csv");
    home.ok(&["export", "reviews", "-o", csv.to_str().unwrap()]);
    let other = Home::new();
    let err = other.fails(&["import", "reviews", csv.to_str().unwrap()], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(other.reviews(), 0);
    let out = other.ok(&[
        "import",
        "reviews",
        "--yes",
        "--json",
        csv.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["imported"].as_u64(), v["duplicates"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(v["cards"], 5);
    let again = other.ok(&[
        "import",
        "reviews",
        "--yes",
        "--json",
        csv.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        (v["imported"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(other.reviews(), 5);
    assert_eq!(backups_named(&other, "before-import").len(), 2);
    // A broken file is located and changes nothing.
    let bad = home.root.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{}\nc,1780000000000,9,0,0\n",
            iamdrill::store::import::CSV_HEADER
        ),
    )
    .unwrap();
    let err = other.fails(&["import", "reviews", "--yes", bad.to_str().unwrap()], 2);
    assert!(err.contains(&format!("{}:2:", bad.display())), "{err}");
    let err = other.fails(&["import", "reviews", "--yes", "/dev/null"], 2);
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(other.reviews(), 5);
}

#[test]
fn a_damaged_database_is_read_only_and_can_be_rescued() {
    let home = Home::new();
    std::fs::create_dir_all(&home.data).unwrap();
    {
        let mut store = Store::open_path(&home.db()).unwrap();
        for i in 0..2000 {
            store
                .record_mock(
                    &format!("card-{i}"),
                    Rating::Good,
                    1000,
                    now_ms() - 10_000_000 + i,
                )
                .unwrap();
        }
    }
    rusqlite::Connection::open(home.db())
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    // Damage one page in the middle of the file.
    let mut bytes = std::fs::read(home.db()).unwrap();
    let pages = bytes.len() / 4096;
    let page = pages / 2;
    for b in &mut bytes[page * 4096 + 100..page * 4096 + 4000] {
        *b ^= 0x5a;
    }
    std::fs::write(home.db(), &bytes).unwrap();

    // Answering refuses and writes nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["review", "--plain"])
        .env("IAMDRILL_DATA_DIR", &home.data)
        .env("IAMDRILL_CONFIG_DIR", home.root.join("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            let _ = c.stdin.take().unwrap().write_all(b"\n3\n\n3\nq\n");
            c.wait_with_output()
        })
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is damaged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Saved"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(home.db()).unwrap(),
        bytes,
        "the damaged file changed"
    );
    // The warning says it once.
    assert_eq!(err.matches("warning:").count(), 1, "{err}");

    // Export rescues the readable answers; backup copies the file.
    let csv = home.root.join("rescued.csv");
    home.ok(&["export", "reviews", "-o", csv.to_str().unwrap()]);
    let rescued = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
    assert!(rescued > 1000, "only {rescued} answers rescued");
    let copy = home.root.join("copy.sqlite3");
    home.ok(&["backup", copy.to_str().unwrap()]);
    assert!(copy.exists());
    assert_eq!(
        std::fs::read(home.db()).unwrap(),
        bytes,
        "the damaged file changed"
    );
    // No daily backup of a damaged file.
    assert!(backups_named(&home, "daily").is_empty());

    // Moved aside, the rescued answers come back through import.
    std::fs::rename(home.db(), home.root.join("damaged.sqlite3")).unwrap();
    home.ok(&["import", "reviews", "--yes", csv.to_str().unwrap()]);
    assert_eq!(home.reviews() as usize, rescued);
}

#[test]
fn a_command_waits_for_the_lock_and_says_so_once() {
    use std::io::BufRead;
    let home = Home::new();
    home.answer_unloaded(1);
    let holder = rusqlite::Connection::open(home.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["due"])
        .env("IAMDRILL_DATA_DIR", &home.data)
        .env("IAMDRILL_CONFIG_DIR", home.root.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if line.contains("waiting for another iamdrill process") {
                let _ = tx.send(());
            }
            all.push(line);
        }
        all
    });
    // The lock is held until the command says it waits (or a minute passes on a slow machine).
    let announced = rx.recv_timeout(std::time::Duration::from_secs(60)).is_ok();
    holder.execute_batch("COMMIT;").unwrap();
    let status = child.wait().unwrap();
    let lines = reader.join().unwrap();
    assert!(announced, "{lines:?}");
    assert!(status.success(), "{lines:?}");
    let waits = lines
        .iter()
        .filter(|l| l.contains("waiting for another"))
        .count();
    assert_eq!(waits, 1, "{lines:?}");
}
