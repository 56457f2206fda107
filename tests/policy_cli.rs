//! `iamdrill policy ...` run as a real binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/policy")
        .join(name)
}

/// `policy eval --jsonl` with piped standard input and output.
fn jsonl_child() -> std::process::Child {
    bin()
        .args(["policy", "eval", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard output read as one JSON value per line.
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const CASE_JSON: &str = r#"{"name":"j","request":{"principal":"arn:aws:iam::123456789012:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},"policies":{"identity":[{"name":"p","document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}}]},"expect":"Allow"}"#;

#[test]
fn eval_prints_decision_and_explanation() {
    let o = run(&[
        "policy",
        "eval",
        data("w01-w02-own-bucket.yaml").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Decision: ExplicitDeny"), "{out}");
    assert!(out.contains("statement \"NoLogs\""), "{out}");
    assert!(out.contains("Expectation: met"), "{out}");
}

#[test]
fn eval_json_is_structured() {
    let o = run(&[
        "policy",
        "eval",
        data("w17-missing-variable.yaml").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["expectation_met"], true);
    let s = &v["evaluation"]["deciding_statement"];
    assert_eq!(s["policy"], "team-objects");
    assert_eq!(s["index"], 1);
    assert_eq!(s["sid"], "OnlyOwnTeam");
}

#[test]
fn eval_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        CASE_JSON.replace("\"expect\":\"Allow\"", "\"expect\":\"ExplicitDeny\""),
    )
    .unwrap();
    let o = run(&["policy", "eval", wrong.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("NOT met: expected ExplicitDeny, got Allow"),
        "{}",
        stdout(&o)
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "request:\n  principal: arn:aws:iam::123456789012:user/a\n  action: s3:GetObject\n  resource: arn:aws:s3:::b/k\npolicies:\n  identity:\n    - name: p\n      document:\n        Statement:\n          - Effect: Allow\n            Action: s3:*\n            Resource: \"*\"\n            Principal: \"*\"\n").unwrap();
    let o = run(&["policy", "eval", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.yaml:"), "{err}");
    assert!(err.contains("Statement[0].Principal"), "{err}");

    let missing = run(&["policy", "eval", "/nonexistent/case.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read the file"));
}

#[test]
fn jsonl_streams_one_result_per_line() {
    let mut child = jsonl_child();
    {
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{CASE_JSON}").unwrap();
        writeln!(stdin).unwrap();
        writeln!(
            stdin,
            "{}",
            CASE_JSON
                .replace("s3:GetObject", "ec2:RunInstances")
                .replace("\"expect\":\"Allow\",", "")
                .replace(",\"expect\":\"Allow\"", "")
        )
        .unwrap();
        writeln!(stdin, "{{\"request\": 1}}").unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "Allow");
    assert_eq!(lines[1]["decision"], "ImplicitDeny");
    assert!(
        lines[2]["error"]["display"]
            .as_str()
            .unwrap()
            .contains("stdin line 4")
    );

    let mut child = jsonl_child();
    writeln!(child.stdin.take().unwrap(), "{CASE_JSON}").unwrap();
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn jsonl_keeps_input_order_across_batches_and_threads() {
    // 3,000 lines: several batches, each split between the threads; every 7th line is invalid
    // and every 5th expects the wrong decision.
    let mut input = String::new();
    for i in 0..3000 {
        let line = if i % 7 == 3 {
            format!("{{\"name\": \"bad {i}\", \"request\": 1}}")
        } else if i % 5 == 0 {
            CASE_JSON
                .replace("\"name\":\"j\"", &format!("\"name\":\"case {i}\""))
                .replace("\"expect\":\"Allow\"", "\"expect\":\"ExplicitDeny\"")
        } else {
            CASE_JSON.replace("\"name\":\"j\"", &format!("\"name\":\"case {i}\""))
        };
        input.push_str(&line);
        input.push('\n');
    }
    let mut child = jsonl_child();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "an invalid line makes the exit code 2"
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3000);
    for (i, v) in lines.iter().enumerate() {
        if i % 7 == 3 {
            let shown = v["error"]["display"].as_str().unwrap();
            assert!(shown.contains(&format!("stdin line {}", i + 1)), "{shown}");
        } else {
            assert_eq!(v["case"], format!("case {i}"));
            assert_eq!(v["decision"], "Allow");
            assert_eq!(v["expectation_met"], i % 5 != 0, "line {}", i + 1);
        }
    }
}

#[test]
fn jsonl_reports_a_line_that_is_not_utf8_and_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(CASE_JSON.as_bytes());
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(b"{\"name\": \"caf\xe9\"}\n");
    input.extend_from_slice(CASE_JSON.replace("\"j\"", "\"last\"").as_bytes());
    let mut child = jsonl_child();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["case"], "j");
    assert_eq!(lines[1]["error"]["file"], "stdin line 2");
    assert_eq!(lines[1]["error"]["column"], 14);
    assert_eq!(lines[1]["error"]["message"], "the line is not valid UTF-8");
    assert_eq!(lines[2]["case"], "last");
}

#[test]
fn jsonl_says_when_standard_input_cannot_be_read() {
    let o = bin()
        .args(["policy", "eval", "--jsonl"])
        .stdin(std::fs::File::open(env!("CARGO_MANIFEST_DIR")).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("iamdrill: cannot read standard input: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn jsonl_answers_each_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader};
    let mut child = jsonl_child();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    for i in 0..3 {
        // The next case is sent only after the answer to this one has been read.
        writeln!(
            stdin,
            "{}",
            CASE_JSON.replace("\"j\"", &format!("\"q{i}\""))
        )
        .unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        out.read_line(&mut answer).unwrap();
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["case"], format!("q{i}"));
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn test_command_summarises() {
    let mut files: Vec<String> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["policy", "test"];
    args.extend(files.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.lines().last().unwrap().ends_with(" passed, 0 failed"),
        "{out}"
    );

    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        CASE_JSON.replace("\"expect\":\"Allow\"", "\"expect\":\"ImplicitDeny\""),
    )
    .unwrap();
    let right = dir.path().join("right.json");
    std::fs::write(&right, CASE_JSON).unwrap();
    let o = run(&[
        "policy",
        "test",
        right.to_str().unwrap(),
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("PASS"), "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert_eq!(out.lines().last().unwrap(), "1 passed, 1 failed");

    let o = run(&["policy", "test", right.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 0);
}

#[test]
fn check_validates_and_lints() {
    let dir = tempfile::tempdir().unwrap();
    let lint = dir.path().join("bucket.json");
    std::fs::write(
        &lint,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}\n  ]\n}\n",
    )
    .unwrap();
    // A security warning alone exits 0, and 1 with --strict.
    let o = run(&["policy", "check", lint.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("checked as bucket policy"), "{out}");
    assert!(
        out.contains(
            ":4:38: security warning [principal-star-without-condition]: Statement[0].Principal"
        ),
        "{out}"
    );
    let o = run(&["policy", "check", lint.to_str().unwrap(), "--strict"]);
    assert_eq!(o.status.code(), Some(1));

    let o = run(&["policy", "check", lint.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "principal-star-without-condition");
    assert_eq!(v["findings"][0]["severity"], "security-warning");
    assert_eq!(v["findings"][0]["pos"]["line"], 4);
    assert_eq!(v["security_warnings"], 1);

    let clean = dir.path().join("clean.json");
    std::fs::write(&clean, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#).unwrap();
    let o = run(&["policy", "check", clean.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, "{\"Statement\": [{\"Effect\": \"Allow\",\n \"NotPrincipal\": {\"AWS\": \"123456789012\"}, \"Action\": \"s3:*\", \"Resource\": \"*\"}]}").unwrap();
    let o = run(&["policy", "check", invalid.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(
        out.contains("invalid.json:2:18: error [invalid-policy]: Statement[0].NotPrincipal"),
        "{out}"
    );

    let o = run(&["policy", "check", clean.to_str().unwrap(), "--type", "scp"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("checked as SCP"));
}
