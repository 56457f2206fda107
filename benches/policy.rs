//! Policy engine speed: one 6-policy evaluation (target <= 10 us) and the `--jsonl` path
//! (parse + evaluate + serialize; target >= 100,000 cases/s): one 6-policy line on one thread,
//! and the 39 cases shipped in the Policy Lab puzzles in batches on every core, which is how
//! `policy eval --jsonl` runs.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iamdrill::policy::case::{Format, parse_case, parse_json_line};
use iamdrill::policy::jsonl::{Outcome, Pool, eval_line};
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
    let pool = Pool::new(threads);
    let (outs, tally) = pool.eval(&batch, 1);
    assert_eq!(tally.lines, lines);
    assert!(
        !tally.invalid && !tally.missed,
        "every lab case meets its expectation"
    );
    outs.into_iter().for_each(|b| pool.spares().give(b));
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function(
        format!("lab cases, batch of {lines} on {threads} threads"),
        |b| {
            b.iter(|| {
                let (outs, _) = pool.eval(black_box(&batch), 1);
                // Written out and handed back, as the writer thread of `--jsonl` does.
                outs.into_iter().for_each(|b| pool.spares().give(b));
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
