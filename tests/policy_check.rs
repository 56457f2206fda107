//! `policy check` against a corpus of policies whose expected findings were written before the
//! checker ran on them (`tests/data/policy-check/expected.yaml`), and its SARIF output against
//! the SARIF 2.1.0 schema.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use iamdrill::policy::check::check;
use iamdrill::policy::document::{PolicyType, ResourceKind, parse_policy};
use iamdrill::policy::json;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/policy-check")
}

fn split(ty: Option<&str>) -> (PolicyType, ResourceKind) {
    match ty {
        None => (PolicyType::Identity, ResourceKind::Other),
        Some("bucket") => (PolicyType::Resource, ResourceKind::Bucket),
        Some("trust") => (PolicyType::Resource, ResourceKind::Trust),
        Some("key") => (PolicyType::Resource, ResourceKind::Key),
        Some("scp") => (PolicyType::Scp, ResourceKind::Other),
        Some(other) => panic!("unknown type {other} in expected.yaml"),
    }
}

#[derive(serde::Deserialize)]
struct Expected {
    cases: Vec<ExpectedCase>,
}

#[derive(serde::Deserialize)]
struct ExpectedCase {
    file: String,
    #[serde(rename = "type")]
    ty: Option<String>,
    expect: Vec<String>,
}

#[test]
fn corpus_findings_match_expectations() {
    let text = std::fs::read_to_string(dir().join("expected.yaml")).unwrap();
    let expected: Expected = serde_yaml::from_str(&text).unwrap();
    assert!(expected.cases.len() >= 40, "{}", expected.cases.len());
    let mut failures = Vec::new();
    let mut ids_seen = BTreeSet::new();
    for c in &expected.cases {
        let text = std::fs::read_to_string(dir().join(&c.file)).unwrap();
        let (ty, kind) = split(c.ty.as_deref());
        let policy = parse_policy(&text, ty, kind).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        let root = json::parse(&text).unwrap();
        let findings = check(&policy, &root, ty, kind);
        for f in &findings {
            assert!(f.pos.is_some(), "{}: {f:?} has no position", c.file);
            assert!(!f.fix.is_empty(), "{}: {f:?} has no fix", c.file);
            ids_seen.insert(f.id);
        }
        let got: BTreeSet<String> = findings
            .iter()
            .map(|f| format!("{} {}", f.id, f.path))
            .collect();
        let want: BTreeSet<String> = c.expect.iter().cloned().collect();
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  found    {got:?}\n  {:#?}",
                c.file, findings
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every item the checker is meant to find appears in the corpus.
    for id in [
        "unknown-action",
        "unknown-service",
        "service-wildcard",
        "wildcard-matches-no-action",
        "allow-not-action",
        "allow-not-resource",
        "duplicate-sid",
        "variable-without-version",
        "principal-star-without-condition",
        "privilege-escalation",
        "unknown-condition-key",
        "invalid-value",
        "short-arn-value",
        "operator-type-mismatch",
        "resource-not-supported",
        "condition-key-not-supported",
        "redundant-action",
        "redundant-resource",
    ] {
        assert!(ids_seen.contains(id), "{id} never found by the corpus");
    }
    let findings: usize = expected.cases.iter().map(|c| c.expect.len()).sum();
    println!(
        "policy check corpus: {} policies, {} expected findings of {} ids, all found, none extra",
        expected.cases.len(),
        findings,
        ids_seen.len()
    );
}

#[test]
fn text_from_the_policy_cannot_drive_the_terminal_or_forge_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("hostile.json");
    std::fs::write(
        &path,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:Principle\u001b]0;owned\u0007\nfake.json:1:1: error [x]\u202eTag":"a"}}}]}"#,
    )
    .unwrap();
    let o = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{out:?}");
    assert!(
        !out.lines().any(|l| l.starts_with("fake.json")),
        "a line break in the policy starts a line of its own: {out}"
    );
    assert!(out.contains("[unknown-condition-key]"), "{out}");
    // JSON keeps the data, escaped.
    let o = run(&["policy", "check", path.to_str().unwrap(), "--json"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        v["findings"][0]["path"]
            .as_str()
            .unwrap()
            .contains('\u{1b}')
    );
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_reports_all_findings_with_positions_and_exit_codes() {
    let kitchen = dir().join("42-everything-at-once.json");
    let o = run(&["policy", "check", kitchen.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "errors exit 1");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "42-everything-at-once.json:8:9: error [unknown-action]: Statement[0].Action[0]"
        ),
        "{out}"
    );
    assert!(out.contains("did you mean s3:GetObject?"), "{out}");
    assert!(out.contains("5 errors, 1 security warning,"), "{out}");

    let warn_only = dir().join("15-passrole-star.json");
    let o = run(&["policy", "check", warn_only.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "warnings alone exit 0");
    let o = run(&["policy", "check", warn_only.to_str().unwrap(), "--strict"]);
    assert_eq!(o.status.code(), Some(1), "--strict makes warnings fail");

    let o = run(&[
        "policy",
        "check",
        kitchen.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 5);
    let first = &v["findings"][0];
    assert_eq!(first["id"], "unknown-action");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "Statement[0].Action[0]");
    assert_eq!(first["pos"]["line"], 8);
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for file in [
        "42-everything-at-once.json",
        "01-clean-s3-read.json",
        "13-principal-star-bucket.json",
    ] {
        let path = dir().join(file);
        let o = run(&[
            "policy",
            "check",
            path.to_str().unwrap(),
            "--format",
            "sarif",
        ]);
        let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        assert_eq!(log["version"], "2.1.0");
        let results = log["runs"][0]["results"].as_array().unwrap();
        if file.starts_with("42") {
            assert_eq!(results.len(), 6);
            assert_eq!(
                results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
                8
            );
        }
    }
    // A document that is not valid still gives a valid SARIF log.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"Statement\": [{\"Effect\": \"Allow\"}]").unwrap();
    let o = run(&[
        "policy",
        "check",
        bad.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(validator.is_valid(&log));
}
