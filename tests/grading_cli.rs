//! `iamdrill grade` run as a program on the built-in decks.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn grade(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .arg("grade")
        .args(args)
        .current_dir(dir)
        // Keep the user's own decks out of the test.
        .env("XDG_CONFIG_HOME", dir)
        .env("HOME", dir)
        .output()
        .expect("run iamdrill")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write answer");
    path.display().to_string()
}

#[test]
fn json_lists_each_key_point_with_covered_and_span() {
    let dir = tempfile::tempdir().unwrap();
    let text = "An IAM user is a long-term identity in one account with a console password and access keys. \
                It can have MFA. People should federate instead of using IAM users.";
    let file = write(dir.path(), "a.txt", text);
    let out = grade(
        dir.path(),
        &["--card", "iam-user", "--answer-file", &file, "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(v["card"], "iam-user");
    let points = v["key_points"].as_array().unwrap();
    assert_eq!(points.len() as u64, v["total"].as_u64().unwrap());
    assert!(v["covered"].as_u64().unwrap() >= 3, "{v:#}");
    for p in points {
        assert!(p["covered"].is_boolean());
        if p["covered"] == true {
            let (s, e) = (
                p["span"]["start"].as_u64().unwrap() as usize,
                p["span"]["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(p["span_text"].as_str().unwrap(), &text[s..e]);
        } else {
            assert!(p["span"].is_null());
        }
    }
}

#[test]
fn negated_answer_earns_nothing_and_text_output_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "a.txt",
        "An IAM user does not have a password or access keys, and it can't have MFA.\n",
    );
    let out = grade(dir.path(), &["--card", "iam-user", "--answer-file", &file]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("contradicted long-term credentials such as a console password"),
        "{stdout}"
    );
    assert!(
        stdout.contains("contradicted by \"password or access keys\""),
        "{stdout}"
    );
    // Contradictions score below a blank answer.
    assert!(
        stdout.contains("score: 0/4 key points covered, 2 contradicted (-75%)"),
        "{stdout}"
    );
}

#[test]
fn table_rows_and_scenario_steps() {
    let dir = tempfile::tempdir().unwrap();
    let table = "| Feature | IAM User | IAM Role |\n|---|---|---|\n| Long-term credentials | yes | no |\n| Password | yes | no |\n";
    let file = write(dir.path(), "t.txt", table);
    let out = grade(
        dir.path(),
        &[
            "--card",
            "iam-user-vs-role",
            "--answer-file",
            &file,
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Four of the hidden cells answered right, the rest missing.
    assert_eq!(v["covered"], 4, "{v:#}");
    assert!(v["total"].as_u64().unwrap() > 4);

    // Steps are marked; a step left out earns nothing, and each step is graded on its own.
    let answer = "Step 1: Deactivate the exposed key immediately.\nStep 6: Review CloudTrail for everything the key did.\n";
    let file = write(dir.path(), "s.txt", answer);
    let out = grade(
        dir.path(),
        &[
            "--card",
            "leaked-access-key",
            "--answer-file",
            &file,
            "--json",
        ],
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The card's steps carry their own key points: each covered point is labelled with its step.
    let covered: Vec<(&str, &str)> = v["key_points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["covered"] == true)
        .map(|p| {
            (
                p["label"].as_str().unwrap(),
                p["span_text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        covered,
        [
            (
                "What do you do first with the exposed key?",
                "Deactivate the exposed key immediately"
            ),
            (
                "How do you build the timeline and keep the evidence?",
                "Review CloudTrail"
            ),
        ]
    );
    // One unit per step; only the two steps answered are covered, each by its own text.
    let points = v["key_points"].as_array().unwrap();
    let covered_steps: Vec<&str> = points
        .iter()
        .filter(|p| p["verdict"] == "covered")
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        covered_steps,
        [
            "What do you do first with the exposed key?",
            "How do you build the timeline and keep the evidence?"
        ]
    );
    assert!(points.iter().all(|p| p["verdict"] != "contradicted"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.txt", "anything");
    let out = grade(dir.path(), &["--card", "iam-usr", "--answer-file", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no card with id `iam-usr`") && err.contains("`iam-user`"),
        "{err}"
    );

    let out = grade(
        dir.path(),
        &["--card", "iam-user", "--answer-file", "missing.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot read answer file missing.txt"), "{err}");

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"line one\nab\xff\xfe").unwrap();
    let out = grade(
        dir.path(),
        &["--card", "iam-user", "--answer-file", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.txt:2:3: the answer is not valid UTF-8"),
        "{err}"
    );

    let file = write(dir.path(), "t.txt", "users have keys, roles do not");
    let out = grade(
        dir.path(),
        &["--card", "iam-user-vs-role", "--answer-file", &file],
    );
    // A table card answered in prose is graded on its key points.
    assert!(out.status.success());
}
