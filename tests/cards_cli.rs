//! `iamdrill cards`: list with filters and JSON, and suspend / unsuspend / forget by id.

use std::process::{Command, Output, Stdio};

fn run(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .env("IAMDRILL_DATA_DIR", data)
        .env("IAMDRILL_CONFIG_DIR", data.join("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(data: &std::path::Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn suspend_list_unsuspend_and_forget_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let all: serde_json::Value =
        serde_json::from_str(&ok(data, &["cards", "list", "--json"])).unwrap();
    let n = all.as_array().unwrap().len();
    assert!(n > 100, "{n}");
    assert_eq!(all[0]["state"], "new");

    let out = ok(data, &["cards", "suspend", "kms-key-policy-vs-iam"]);
    assert_eq!(out, "kms-key-policy-vs-iam: suspended\n");
    let out = ok(data, &["cards", "list", "--state", "suspended"]);
    assert!(
        out.contains("kms-key-policy-vs-iam") && out.ends_with("1 card\n"),
        "{out}"
    );
    // Topic by slug or by title, any case.
    let by_slug = ok(data, &["cards", "list", "--topic", "kms", "--json"]);
    let by_title = ok(
        data,
        &["cards", "list", "--topic", "aws kms and cloudhsm", "--json"],
    );
    assert_eq!(by_slug, by_title);
    let kms: serde_json::Value = serde_json::from_str(&by_slug).unwrap();
    assert!(kms.as_array().unwrap().iter().all(|c| c["topic"] == "kms"));

    let out = ok(data, &["cards", "unsuspend", "kms-key-policy-vs-iam"]);
    assert_eq!(out, "kms-key-policy-vs-iam: unsuspended\n");
    let out = ok(data, &["cards", "unsuspend", "kms-key-policy-vs-iam"]);
    assert!(out.contains("not suspended, nothing to do"), "{out}");
    let out = ok(data, &["cards", "forget", "kms-key-policy-vs-iam"]);
    assert!(out.contains("new already"), "{out}");
    // A backup was taken first, and the output says where.
    let backups: Vec<_> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("before-forget"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(out.contains(&backups[0]), "{out}");
    let out = ok(data, &["cards", "list", "--state", "suspended"]);
    assert!(out.ends_with("0 cards\n"), "{out}");
}

#[test]
fn unknown_ids_topics_and_states_are_refused_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = run(
        data,
        &["cards", "suspend", "kms-key-policy-vs-iam", "no-such-card"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`no-such-card`") && err.contains("cards list"),
        "{err}"
    );
    let out = ok(data, &["cards", "list", "--state", "suspended"]);
    assert!(out.ends_with("0 cards\n"), "nothing was suspended: {out}");
    let out = run(data, &["cards", "list", "--topic", "networking"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown topic `networking`"));
    let out = run(data, &["cards", "list", "--state", "lost"]);
    assert_eq!(out.status.code(), Some(2));
}
