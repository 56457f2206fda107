//! One context for every command: the configuration's `deck_dirs` are seen by every command that
//! reads decks, a broken configuration stops every command with the same located error, and
//! `--now` moves the clock of every command.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A home with its own data and configuration directories, and a deck folder named in
/// config.yaml's `deck_dirs` (relative to the configuration directory).
struct Home {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

const CARD_ID: &str = "vpc-flow-logs-basics";
const QUESTION: &str = "What do VPC flow logs record?";

impl Home {
    fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::create_dir_all(root.join("my-decks")).unwrap();
        std::fs::write(root.join("config/config.yaml"), config).unwrap();
        std::fs::write(
            root.join("my-decks/networking.yaml"),
            format!(
                "id: networking\ntitle: Networking\ncards:\n  - id: {CARD_ID}\n    topic: general\n    question: {QUESTION}\n    answer: Accepted and rejected IP traffic metadata for network interfaces.\n    key_points: [ip traffic metadata]\n"
            ),
        )
        .unwrap();
        Home { _dir: dir, root }
    }

    fn with_deck_dirs() -> Home {
        Home::new("deck_dirs: [../my-decks]\n")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_iamdrill"));
        c.args(args)
            .env("IAMDRILL_DATA_DIR", self.root.join("data"))
            .env("IAMDRILL_CONFIG_DIR", self.root.join("config"))
            .env("HOME", &self.root)
            .env("XDG_CONFIG_HOME", self.root.join("xdg-config"))
            .env("XDG_DATA_HOME", self.root.join("xdg-data"))
            .env("XDG_STATE_HOME", self.root.join("xdg-state"))
            .env_remove("IAMDRILL_NOW")
            .env_remove("RUST_LOG");
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "{args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args, "");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }

    fn database(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.root.join("data/progress.sqlite3")).unwrap()
    }

    fn reviews_of(&self, card: &str) -> Vec<i64> {
        self.database()
            .prepare("SELECT reviewed_at FROM reviews WHERE card_id = ?1 ORDER BY id")
            .unwrap()
            .query_map([card], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

fn topic<'a>(due: &'a Value, slug: &str) -> Option<&'a Value> {
    due["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == slug)
}

#[test]
fn decks_from_config_deck_dirs_are_seen_by_every_command() {
    let home = Home::with_deck_dirs();

    // decks list
    let list = home.json(&["decks", "list", "--json"]);
    assert!(list.to_string().contains("networking"), "{list}");

    // due: the user's card is new in topic `general`
    let due = home.json(&["due", "--json", "--topic", "general"]);
    assert_eq!(topic(&due, "general").unwrap()["new"], 1, "{due}");

    // stats: one more new card than without the configuration's decks
    let stats = home.json(&["stats", "--json"]);
    let plain_home = Home::new("");
    let plain_stats = plain_home.json(&["stats", "--json"]);
    assert_eq!(
        stats["states"]["new"].as_i64().unwrap(),
        plain_stats["states"]["new"].as_i64().unwrap() + 1
    );

    // export cards
    let tsv = home.ok(&["export", "cards", "--topic", "general"], "");
    assert!(tsv.contains(QUESTION), "{tsv}");

    // cram --topic and review --plain answer the user's card
    let out = home.ok(
        &["cram", "--plain", "--no-reschedule", "--topic", "general"],
        "\n3\n",
    );
    assert!(out.contains(QUESTION), "{out}");
    let out = home.ok(&["review", "--plain", "--topic", "general"], "\n3\n");
    assert!(out.contains(QUESTION), "{out}");
    assert_eq!(home.reviews_of(CARD_ID).len(), 2);

    // progress prune keeps the history of the configuration's decks
    let pruned = home.json(&["progress", "prune", "--json"]);
    assert_eq!(home.reviews_of(CARD_ID).len(), 2, "{pruned}");
}

#[test]
fn a_broken_configuration_stops_every_command_the_same_way() {
    let home = Home::new("new_per_day: twenty\n");
    let config = home.root.join("config/config.yaml");
    let expected = format!("{}:1:14:", config.display());
    let commands: &[&[&str]] = &[
        &["due"],
        &["stats"],
        &["plan"],
        &["review", "--plain"],
        &["cram", "--plain", "--topic", "general"],
        &["export", "cards"],
        &["export", "reviews"],
        &["decks", "list"],
        &["progress", "prune", "--dry-run"],
        &["mock", "history"],
        &[
            "grade",
            "--card",
            "explicit-deny-wins",
            "--answer-file",
            "-",
        ],
        &["policy", "check", "/nonexistent.json"],
    ];
    for args in commands {
        let out = home.run(args, "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
        assert!(
            !home.root.join("data/progress.sqlite3").exists(),
            "{args:?} opened the database"
        );
    }
    // The commands that find and fix a configuration still run.
    let out = home.run(&["config", "check"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&expected));
    home.ok(&["paths"], "");
    home.ok(&["config", "example"], "");
}

#[test]
fn a_missing_configuration_file_is_not_an_error() {
    let home = Home::new("");
    std::fs::remove_file(home.root.join("config/config.yaml")).unwrap();
    let out = home.ok(&["config", "check"], "");
    assert!(out.contains("no config file, defaults in use"), "{out}");
}

/// Unix milliseconds of an RFC 3339 time.
fn at(text: &str) -> i64 {
    iamdrill::context::clock::parse_rfc3339(text).unwrap()
}

#[test]
fn now_moves_the_clock_of_every_command() {
    let home = Home::with_deck_dirs();
    let start = "2026-12-24T09:00:00Z";
    // An Easy answer on the new card, given "on" 24 December.
    let out = home.ok(
        &["--now", start, "review", "--plain", "--topic", "general"],
        "\n4\n",
    );
    assert!(out.contains(QUESTION), "{out}");
    let times = home.reviews_of(CARD_ID);
    assert_eq!(times.len(), 1);
    assert!(
        times[0] >= at(start) && times[0] < at(start) + 60_000,
        "stored at {} instead of {start}",
        times[0]
    );

    // That day, nothing of the topic is due any more; weeks later the card is due again.
    let due = home.json(&["--now", start, "due", "--json", "--topic", "general"]);
    assert_eq!(due["today"], "2026-12-24", "{due}");
    assert_eq!(topic(&due, "general").unwrap()["due"], 0, "{due}");
    assert_eq!(topic(&due, "general").unwrap()["new"], 0, "{due}");
    let later = home.json(&[
        "--now",
        "2027-03-01T09:00:00Z",
        "due",
        "--json",
        "--topic",
        "general",
    ]);
    assert_eq!(later["today"], "2027-03-01", "{later}");
    assert_eq!(topic(&later, "general").unwrap()["due"], 1, "{later}");

    // The environment variable does the same.
    let out = home
        .command(&["due", "--json"])
        .env("IAMDRILL_NOW", "2027-03-01T09:00:00Z")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["today"], "2027-03-01");

    // A time that is not RFC 3339 is a usage error naming the option.
    let out = home.run(&["--now", "tomorrow", "due"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
}

#[test]
fn the_context_of_the_app_and_the_commands_is_one() {
    // The library the app would show is the one the commands read.
    let home = Home::with_deck_dirs();
    let options = iamdrill::context::Options {
        data_dir: Some(home.root.join("data")),
        config_dir: Some(home.root.join("config")),
        ..Default::default()
    };
    let ctx = iamdrill::context::Context::build(&options).unwrap();
    assert!(ctx.library().card(CARD_ID).is_some());
    assert_eq!(
        ctx.deck_paths,
        vec![Path::new(&home.root.join("config")).join("../my-decks")]
    );
}
