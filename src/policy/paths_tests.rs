//! A differential check between the two ways a case is read: the positioned path (`policy
//! eval`, the lab: every document through the positioned JSON tree) and the bulk path
//! (`policy eval --jsonl`: documents deserialized straight into the model). Random cases,
//! rich in conditions (every operator family, `IfExists`, set operators, `Null`, policy
//! variables, malformed values), must give the same evaluation both ways.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::case::{self, Format, RawCase};
use super::eval::Evaluation;

/// The positioned path: the case text as `policy eval` reads a `.json` file.
fn positioned(text: &str) -> Result<Evaluation, String> {
    case::parse_case(text, Format::Json, "t.json", None)
        .map(|c| c.evaluate())
        .map_err(|e| e.to_string())
}

/// The bulk path alone (no fallback to the positioned one).
fn bulk(text: &str) -> Result<Evaluation, String> {
    let raw =
        super::fast::with(|| serde_json::from_str::<RawCase>(text)).map_err(|e| e.to_string())?;
    case::convert(raw, "t.json")
        .map(|c| c.evaluate())
        .map_err(|e| e.to_string())
}

/// Lines of statements in the policy text are known only to the positioned path.
fn without_lines(mut ev: Evaluation) -> Evaluation {
    if let Some(s) = &mut ev.deciding_statement {
        s.line = None;
    }
    for s in &mut ev.supporting {
        s.line = None;
    }
    for t in &mut ev.statements {
        t.statement.line = None;
    }
    ev
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "*",
    "ec2:RunInstances",
    "iam:?et*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*",
    "arn:aws:s3:::other/*",
    "arn:aws:ec2:*:*:instance/*",
];

/// Condition blocks: one operator and key with values, covering every operator family.
fn condition_pool() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("StringEquals", "aws:username", json!("alice")),
        ("StringNotEquals", "aws:username", json!(["alice", "bob"])),
        (
            "StringEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("RED"),
        ),
        (
            "StringNotEqualsIfExists",
            "aws:PrincipalTag/team",
            json!("red"),
        ),
        (
            "StringLike",
            "s3:prefix",
            json!(["home/${aws:username}/*", "pub*"]),
        ),
        ("StringNotLike", "s3:prefix", json!("tmp/*")),
        ("StringLikeIfExists", "ec2:InstanceType", json!("t2.*")),
        (
            "StringEquals",
            "s3:ExistingObjectTag/team",
            json!("${aws:PrincipalTag/team}"),
        ),
        ("NumericLessThan", "s3:max-keys", json!("10")),
        (
            "NumericGreaterThanEquals",
            "aws:MultiFactorAuthAge",
            json!(3600),
        ),
        ("NumericEquals", "s3:max-keys", json!("1e3")),
        (
            "NumericNotEqualsIfExists",
            "s3:max-keys",
            json!(["5", "7.5"]),
        ),
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2030-01-01T00:00:00Z"),
        ),
        ("DateGreaterThan", "aws:CurrentTime", json!("2020-06-30")),
        ("DateNotEquals", "aws:EpochTime", json!("1700000000")),
        ("DateLessThanEquals", "aws:CurrentTime", json!("not a date")),
        ("Bool", "aws:SecureTransport", json!("false")),
        ("Bool", "aws:SecureTransport", json!(true)),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", json!("TRUE")),
        (
            "IpAddress",
            "aws:SourceIp",
            json!(["203.0.113.0/24", "2001:db8::/32"]),
        ),
        ("NotIpAddress", "aws:SourceIp", json!("10.0.0.0/8")),
        ("IpAddress", "aws:SourceIp", json!("198.51.100.0/255")),
        ("ArnLike", "aws:SourceArn", json!("arn:aws:sns:*:*:topic*")),
        ("ArnLike", "aws:SourceArn", json!("arn:aws:sns:*")),
        ("ArnNotLike", "aws:SourceArn", json!("arn:aws:sns:*:topic1")),
        (
            "ArnEquals",
            "aws:SourceArn",
            json!("arn:aws:sns:us-east-1:111122223333:topic1"),
        ),
        (
            "ArnNotEqualsIfExists",
            "aws:SourceArn",
            json!("arn:aws:sqs:*:*:*"),
        ),
        ("Null", "aws:PrincipalTag/team", json!("true")),
        ("Null", "aws:SourceIp", json!(false)),
        (
            "ForAllValues:StringLike",
            "aws:TagKeys",
            json!(["key1*", "env"]),
        ),
        ("ForAnyValue:StringEquals", "aws:TagKeys", json!("env")),
        ("ForAllValues:StringNotLike", "aws:TagKeys", json!("key1*")),
        (
            "ForAnyValue:StringNotEqualsIfExists",
            "aws:TagKeys",
            json!(["a", "b"]),
        ),
        ("BinaryEquals", "aws:username", json!("YWxpY2U=")),
    ]
}

/// Values a request may carry for a key (absent when not picked).
fn context_pool(key: &str) -> Vec<Value> {
    match key {
        "aws:username" => vec![json!("alice"), json!("bob"), json!("")],
        "aws:PrincipalTag/team" => vec![json!("red"), json!("Red"), json!("blue")],
        "s3:prefix" => vec![json!("home/alice/x"), json!("pub/a"), json!("tmp/x")],
        "ec2:InstanceType" => vec![json!("t2.micro"), json!("m5.large")],
        "s3:ExistingObjectTag/team" => vec![json!("red"), json!("blue")],
        "s3:max-keys" => vec![json!("5"), json!("1000"), json!("7.5"), json!("ten")],
        "aws:MultiFactorAuthAge" => vec![json!("100"), json!("7200")],
        "aws:CurrentTime" => vec![json!("2025-01-01T00:00:00Z"), json!("2031-05-05T00:00:00Z")],
        "aws:EpochTime" => vec![json!("1700000000"), json!("1600000000")],
        "aws:SecureTransport" | "aws:MultiFactorAuthPresent" => {
            vec![json!("true"), json!("false"), json!("TRUE")]
        }
        "aws:SourceIp" => vec![
            json!("203.0.113.7"),
            json!("10.1.2.3"),
            json!("2001:db8::1"),
        ],
        "aws:SourceArn" => vec![
            json!("arn:aws:sns:us-east-1:111122223333:topic1"),
            json!("arn:aws:sqs:us-east-1:111122223333:jobs"),
        ],
        "aws:TagKeys" => vec![
            json!(["key1a", "env"]),
            json!([]),
            json!(["key2"]),
            json!("env"),
        ],
        _ => vec![json!("x")],
    }
}

const KEYS: &[&str] = &[
    "aws:username",
    "aws:PrincipalTag/team",
    "s3:prefix",
    "ec2:InstanceType",
    "s3:ExistingObjectTag/team",
    "s3:max-keys",
    "aws:MultiFactorAuthAge",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:MultiFactorAuthPresent",
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:TagKeys",
];

fn statement(with_principal: bool) -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::sample::select(ACTIONS),
        prop::bool::weighted(0.15),
        prop::sample::select(RESOURCES),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        0..3usize,
    )
        .prop_map(
            move |(deny, not_action, action, not_resource, resource, conds, who)| {
                let mut v = json!({ "Effect": if deny { "Deny" } else { "Allow" } });
                v[if not_action { "NotAction" } else { "Action" }] = json!(action);
                v[if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }] = json!(resource);
                let pool = condition_pool();
                let mut block = serde_json::Map::new();
                for pick in conds {
                    let (op, key, values) = pick.get(&pool).clone();
                    block
                        .entry(op)
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .expect("an operator block")
                        .insert(key.to_string(), values);
                }
                if !block.is_empty() {
                    v["Condition"] = Value::Object(block);
                }
                if with_principal {
                    v["Principal"] = match who {
                        0 => json!("*"),
                        1 => json!({"AWS": "111122223333"}),
                        _ => json!({"AWS": "arn:aws:iam::111122223333:user/alice"}),
                    };
                }
                v
            },
        )
}

fn document(with_principal: bool) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(statement(with_principal), 1..4),
        prop::sample::select(vec![json!("2012-10-17"), json!("2012-10-17"), Value::Null]),
    )
        .prop_map(|(statements, version)| {
            let mut d = json!({ "Statement": statements });
            if !version.is_null() {
                d["Version"] = version;
            }
            d
        })
}

fn case() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(document(false), 0..3),
        prop::option::of(document(true)),
        prop::option::weighted(0.25, document(false)),
        prop::sample::select(vec![
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/R/alice",
            "arn:aws:iam::444455556666:user/bob",
        ]),
        prop::sample::select(vec![
            "s3:GetObject",
            "s3:ListBucket",
            "ec2:RunInstances",
            "iam:GetUser",
        ]),
        prop::sample::select(vec![
            "arn:aws:s3:::b/alice/report.csv",
            "arn:aws:s3:::b/shared/x",
            "arn:aws:s3:::other/x",
        ]),
        prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), KEYS.len()),
    )
        .prop_map(
            |(identity, resource, boundary, principal, action, res, ctx)| {
                let mut context = serde_json::Map::new();
                for (key, (present, pick)) in KEYS.iter().zip(ctx) {
                    if present {
                        context.insert(key.to_string(), pick.get(&context_pool(key)).clone());
                    }
                }
                let mut policies = json!({
                    "identity": identity
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| json!({"name": format!("id{i}"), "document": d}))
                        .collect::<Vec<_>>(),
                });
                if let Some(d) = resource {
                    policies["resource"] =
                        json!({"name": "bucket", "kind": "bucket", "document": d});
                }
                if let Some(d) = boundary {
                    policies["boundary"] = json!({"name": "boundary", "document": d});
                }
                json!({
                    "request": {
                        "principal": principal,
                        "action": action,
                        "resource": res,
                        "context": context,
                    },
                    "policies": policies,
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Both paths accept the same cases and evaluate them the same way: decision, deciding
    /// statement and policy, rule, steps, notes, and every statement's trace with its reasons.
    #[test]
    fn positioned_and_bulk_paths_give_the_same_evaluation(c in case()) {
        let text = c.to_string();
        let slow = positioned(&text).map(without_lines);
        let fast = bulk(&text).map(without_lines);
        match (&slow, &fast) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", text),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "one path accepts, the other rejects: {:?} vs {:?}\n{}", slow.err(), fast.err(), text),
        }
    }
}

/// The generator reaches every decision and mostly valid cases, so the property is not vacuous.
#[test]
fn generated_cases_reach_every_decision() {
    use super::eval::Decision;
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut allow, mut explicit, mut implicit, mut invalid) = (0, 0, 0, 0);
    for _ in 0..400 {
        let text = case().new_tree(&mut runner).unwrap().current().to_string();
        match positioned(&text).map(|e| e.decision) {
            Ok(Decision::Allow) => allow += 1,
            Ok(Decision::ExplicitDeny) => explicit += 1,
            Ok(Decision::ImplicitDeny) => implicit += 1,
            Err(_) => invalid += 1,
        }
    }
    println!(
        "generated cases: allow {allow}, explicit deny {explicit}, implicit deny {implicit}, invalid {invalid}"
    );
    assert!(
        allow >= 20 && explicit >= 20 && implicit >= 20 && invalid < 200,
        "allow {allow}, explicit deny {explicit}, implicit deny {implicit}, invalid {invalid}"
    );
}
