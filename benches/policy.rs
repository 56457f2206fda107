//! Policy engine speed: one 6-policy evaluation (target <= 10 us) and the `--jsonl` path
//! (parse + evaluate + serialize; target >= 100,000 cases/s): one 6-policy line on one thread,
//! and the 39 cases shipped in the Policy Lab puzzles, 1,024 lines through the worker pool on
//! every core, which is how `policy eval --jsonl` runs. Also wildcard matching on 100 kB texts,
//! and `policy check`: loading the embedded service reference, and checking one document.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iamdrill::policy::case::{Format, parse_case, parse_json_line};
use iamdrill::policy::jsonl::{Item, Outcome, Pool, Tally, eval_line};
use std::sync::Arc;

/// Identity (2), bucket policy, boundary, session policy and an SCP: six policies.
const CASE: &str = r#"{
  "name": "six policies",
  "request": {
    "principal": {"arn": "arn:aws:sts::111122223333:assumed-role/AppRole/job", "tags": {"team": "data"}},
    "action": "s3:PutObject",
    "resource": {"arn": "arn:aws:s3:::app-bucket/data/team/file.json", "account": "111122223333"},
    "context": {"aws:SecureTransport": true, "aws:SourceIp": "203.0.113.9", "aws:MultiFactorAuthPresent": "true",
                "s3:x-amz-server-side-encryption": "aws:kms"}
  },
  "organization": {
    "management_account": "999999999999",
    "scps": [{"name": "Root", "policies": [{"name": "guardrails", "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Sid": "NoLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
      {"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "Null": {"aws:RequestedRegion": "false"}}}]}}]}]
  },
  "policies": {
    "identity": [
      {"name": "app-s3", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::app-bucket", "arn:aws:s3:::app-bucket/*"]},
        {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::app-bucket/data/${aws:PrincipalTag/team}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}}]}},
      {"name": "deny-unencrypted", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}}
    ],
    "resource": {"name": "app-bucket-policy", "kind": "bucket", "document": {"Version": "2012-10-17", "Statement": [
      {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-bucket", "arn:aws:s3:::app-bucket/*"],
       "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
      {"Sid": "AppRole", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/AppRole"}, "Action": ["s3:GetObject", "s3:PutObject"],
       "Resource": "arn:aws:s3:::app-bucket/*"}]}},
    "boundary": {"name": "boundary", "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["s3:*", "kms:*", "logs:*"], "Resource": "*"}]}},
    "session": [{"name": "session", "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-bucket/*"}]}}]
  },
  "expect": "Allow"
}"#;

fn bench(c: &mut Criterion) {
    let case = parse_case(CASE, Format::Json, "bench.json", None).expect("bench case parses");
    assert_eq!(case.evaluate().decision, iamdrill::policy::Decision::Allow);
    c.bench_function("evaluate 6-policy case", |b| {
        b.iter(|| black_box(&case).evaluate())
    });

    let line: String = CASE.lines().map(str::trim).collect::<Vec<_>>().join("");
    let mut out = Vec::new();
    assert_eq!(
        eval_line(line.as_bytes(), 1, &mut out),
        Outcome::Met,
        "{}",
        String::from_utf8_lossy(&out)
    );
    let mut group = c.benchmark_group("jsonl");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse + evaluate + serialize one line", |b| {
        b.iter(|| {
            out.clear();
            eval_line(black_box(line.as_bytes()), 1, &mut out)
        })
    });
    group.bench_function("parse one line", |b| {
        b.iter(|| parse_json_line(black_box(&line), 1))
    });
    let ev = case.evaluate();
    group.bench_function("serialize one evaluation", |b| {
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&ev))
        })
    });

    let corpus = iamdrill::policy::lab::builtin_case_lines();
    assert!(corpus.len() >= 30, "{} lab cases", corpus.len());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lines = 1024;
    let batch: Vec<u8> = (0..lines)
        .flat_map(|i| format!("{}\n", corpus[i % corpus.len()]).into_bytes())
        .collect();
    let batch = Arc::new(batch);
    // The pool as `--jsonl` runs it: results put back in order on another thread, which
    // hands the buffers back; here it reports each share's tally instead of printing.
    let (mut pool, mut output) = Pool::new(threads);
    let (tally_tx, tally_rx) = std::sync::mpsc::channel::<Tally>();
    std::thread::spawn(move || {
        while let Some(item) = output.next_item() {
            match item {
                Item::Results(buf, tally) => {
                    output.give_back(buf);
                    if tally_tx.send(tally).is_err() {
                        return;
                    }
                }
                Item::Flush => {}
                // Ends the thread, so the benchmark stops on the failure instead of waiting.
                Item::Failed(_) => return,
            }
        }
    });
    let run = |pool: &mut Pool| {
        let lines = pool.submit(&batch, 1).expect("the output is read");
        let mut tally = Tally::default();
        while tally.lines < lines {
            tally.add(tally_rx.recv().expect("the output thread runs"));
        }
        tally
    };
    let tally = run(&mut pool);
    assert_eq!(tally.lines, lines);
    assert!(
        !tally.invalid && !tally.missed,
        "every lab case meets its expectation"
    );
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function(
        format!("lab cases, {lines} lines on {threads} threads"),
        |b| b.iter(|| run(black_box(&mut pool))),
    );
    group.finish();
}

/// Wildcard matching on long input: `*aaa…b` against 100,000 `a`s, the worst case of a
/// backtracking matcher, and an ordinary action pattern.
fn wildcard(c: &mut Criterion) {
    use iamdrill::policy::pattern::glob;
    let text = "a".repeat(100_000);
    let pattern = format!("*{}b", "a".repeat(1_000));
    assert!(!glob(&pattern, &text, false));
    let mut group = c.benchmark_group("wildcard");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("*a{1000}b vs a{100000}", |b| {
        b.iter(|| glob(black_box(&pattern), black_box(&text), false))
    });
    group.bench_function("*a?a*b vs a{100000}", |b| {
        b.iter(|| glob(black_box("*a?a*b"), black_box(&text), false))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("s3:Get*Object* vs s3:getobjectversion", |b| {
        b.iter(|| {
            glob(
                black_box("s3:get*object*"),
                black_box("s3:getobjectversion"),
                false,
            )
        })
    });
    group.finish();
}

/// `policy check`: loading the embedded service reference (once per command), and checking a
/// document with findings of most kinds once it is loaded.
fn check(c: &mut Criterion) {
    use iamdrill::policy::document::{PolicyType, ResourceKind, parse_policy};
    use iamdrill::policy::{check, json, reference};
    let mut group = c.benchmark_group("check");
    group.sample_size(20);
    group.bench_function(
        "load the service reference (inflate + parse + index)",
        |b| b.iter(|| black_box(reference::load().expect("reference loads"))),
    );
    let text = include_str!("../tests/data/policy-check/42-everything-at-once.json");
    let (ty, kind) = (PolicyType::Identity, ResourceKind::Other);
    reference::reference();
    group.bench_function("parse + check 42-everything-at-once.json", |b| {
        b.iter(|| {
            let policy = parse_policy(black_box(text), ty, kind).expect("policy parses");
            let root = json::parse(text).expect("JSON parses");
            black_box(check::check(&policy, &root, ty, kind))
        })
    });
    group.finish();
}

criterion_group!(benches, bench, wildcard, check);
criterion_main!(benches);
