//! Decks may declare their own topics (slug, title, description): every command then knows them
//! by slug and title, lists them after the built-in topics, and a card whose topic is neither
//! built in nor declared in its file is reported with its location.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const DECK: &str = "\
id: networking
title: Networking
topics:
  - slug: networking
    title: VPC networking
    description: Flow logs, endpoints and security groups
cards:
  - id: vpc-flow-logs-basics
    topic: networking
    question: What do VPC flow logs record?
    answer: Metadata of accepted and rejected IP traffic for network interfaces.
    key_points: [ip traffic metadata]
  - id: kms-in-a-user-deck
    topic: kms
    question: What does a KMS grant do?
    answer: It delegates use of a key.
    key_points: [delegation]
";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .arg("--decks")
        .arg(dir.join("decks"))
        .env("IAMDRILL_DATA_DIR", dir.join("data"))
        .env("IAMDRILL_CONFIG_DIR", dir.join("config"))
        .env_remove("IAMDRILL_NOW")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn home(deck: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("decks")).unwrap();
    std::fs::write(dir.path().join("decks/networking.yaml"), deck).unwrap();
    dir
}

#[test]
fn a_declared_topic_is_known_by_slug_and_title_everywhere() {
    let dir = home(DECK);
    let d = dir.path();
    let decks = d.join("decks");
    let check = ok(d, &["decks", "check", decks.to_str().unwrap()]);
    assert!(
        check.contains("1 deck file checked, no problems"),
        "{check}"
    );

    let due: Value =
        serde_json::from_str(&ok(d, &["due", "--json", "--topic", "networking"])).unwrap();
    let topics = due["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 1, "{due}");
    assert_eq!(topics[0]["topic"], "networking");
    assert_eq!(topics[0]["title"], "VPC networking");
    assert_eq!(topics[0]["total"], 1);
    // By title too, in any case.
    let by_title: Value =
        serde_json::from_str(&ok(d, &["due", "--json", "--topic", "vpc networking"])).unwrap();
    assert_eq!(by_title["topics"], due["topics"]);

    // After every built-in topic, in `due`, `stats` and `decks list`.
    let all: Value = serde_json::from_str(&ok(d, &["due", "--json"])).unwrap();
    let slugs: Vec<&str> = all["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"].as_str().unwrap())
        .collect();
    assert_eq!(slugs.last(), Some(&"networking"), "{slugs:?}");
    let stats: Value = serde_json::from_str(&ok(d, &["stats", "--json"])).unwrap();
    let last = stats["retention"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["topic"].as_str(), last["title"].as_str()),
        (Some("networking"), Some("VPC networking"))
    );
    let listing = ok(d, &["decks", "list"]);
    let line = listing
        .lines()
        .find(|l| l.starts_with("networking ") && l.contains("VPC networking"))
        .unwrap_or_else(|| panic!("{listing}"));
    assert!(line.contains(" 1 "), "{line}");
}

#[test]
fn an_undeclared_or_badly_declared_topic_is_located() {
    let bad = DECK
        .replace(
            "    description: Flow logs, endpoints and security groups\n",
            "    description: Flow logs, endpoints and security groups\n  - slug: kms\n    title: Mine\n",
        )
        .replace("    topic: networking\n", "    topic: routing\n");
    let dir = home(&bad);
    let decks = dir.path().join("decks");
    let out = run(dir.path(), &["decks", "check", decks.to_str().unwrap()]);
    assert!(!out.status.success());
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("networking.yaml:7:11: `kms` is a built-in topic"),
        "{text}"
    );
    assert!(
        text.contains("networking.yaml:11:12: unknown topic `routing`"),
        "{text}"
    );
    assert!(text.contains("declare it under `topics:`"), "{text}");
}
