//! The Arn operators compare six parts; explanations name every reason a statement applies;
//! numbers, dates and CIDR blocks are read the way AWS reads them.

use iamdrill::policy::case::{Format, load_cases, parse_case};
use iamdrill::policy::{Decision, Evaluation};

fn eval(yaml: &str) -> Evaluation {
    match parse_case(yaml, Format::Yaml, "inline.yaml", None) {
        Ok(c) => c.evaluate(),
        Err(e) => panic!("{e}\n{yaml}"),
    }
}

/// The `why` list of the first statement that applies, joined.
fn why(ev: &Evaluation) -> String {
    ev.statements
        .iter()
        .filter(|t| t.applies)
        .flat_map(|t| t.why.iter().cloned())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn arn_operators_compare_six_parts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/policy/arn-short-values.yaml");
    let cases = load_cases(&path).unwrap_or_else(|e| panic!("{e}"));
    let want = [
        Decision::ImplicitDeny,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
        Decision::Allow,
    ];
    assert_eq!(cases.len(), want.len());
    for (c, want) in cases.iter().zip(want) {
        let ev = c.evaluate();
        assert_eq!(ev.decision, want, "{:?}\n{}", c.name, ev.render_text());
        c.check(&ev).unwrap();
    }
    // The explanation of the guard says why the short value never matches.
    let ev = cases[1].evaluate();
    let w = why(&ev);
    assert!(w.contains("fewer than six"), "{w}");
    let ev = cases[0].evaluate();
    let text = ev.render_text();
    assert!(text.contains("fewer than six"), "{text}");
}

const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/App/job";

fn not_principal_case(listed: &str) -> String {
    format!(
        r#"request:
  principal: {SESSION}
  action: s3:GetObject
  resource: arn:aws:s3:::b/k
policies:
  identity:
    - {{ name: id, document: {{ Version: "2012-10-17", Statement: [{{ Effect: Allow, Action: "s3:*", Resource: "*" }}] }} }}
  resource:
    name: bp
    kind: bucket
    document: {{ Version: "2012-10-17", Statement: [{{ Effect: Deny, NotPrincipal: {{ AWS: {listed} }}, Action: "s3:*", Resource: "*" }}] }}
"#
    )
}

#[test]
fn not_principal_explains_what_the_list_lacks() {
    let ev = eval(&not_principal_case(
        r#"["arn:aws:iam::111122223333:role/App", "111122223333"]"#,
    ));
    assert_eq!(ev.decision, Decision::ExplicitDeny);
    let w = why(&ev);
    assert!(w.contains("does not exclude"), "{w}");
    assert!(w.contains("the role session ARN"), "{w}");
    assert!(!w.contains("and its role"), "{w}");
    assert!(ev.render_text().contains("lacks the role session ARN"));
    // Listed with its role, session ARN and account: excluded.
    let ev = eval(&not_principal_case(&format!(
        r#"["arn:aws:iam::111122223333:role/App", "{SESSION}", "111122223333"]"#
    )));
    assert_eq!(ev.decision, Decision::Allow);
    // Without the account.
    let ev = eval(&not_principal_case(&format!(
        r#"["arn:aws:iam::111122223333:role/App", "{SESSION}"]"#
    )));
    assert_eq!(ev.decision, Decision::ExplicitDeny);
    assert!(why(&ev).contains("lacks its account"), "{}", why(&ev));
}

#[test]
fn missing_variable_in_not_resource_is_named() {
    let yaml = r#"request:
  principal: arn:aws:iam::111122223333:user/alice
  action: s3:GetObject
  resource: arn:aws:s3:::b/k
policies:
  identity:
    - name: id
      document:
        Version: "2012-10-17"
        Statement:
          - { Effect: Allow, Action: "s3:*", Resource: "*" }
          - { Effect: Deny, Action: "s3:*", NotResource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*" }
"#;
    let ev = eval(yaml);
    assert_eq!(ev.decision, Decision::ExplicitDeny);
    let w = why(&ev);
    assert!(w.contains("aws:PrincipalTag/team"), "{w}");
    assert!(w.contains("NotResource has no value"), "{w}");
}

fn condition_case(condition: &str, context: &str) -> String {
    format!(
        r#"request:
  principal: arn:aws:iam::111122223333:user/alice
  action: s3:GetObject
  resource: arn:aws:s3:::b/k
  context: {context}
policies:
  identity:
    - name: id
      document:
        Version: "2012-10-17"
        Statement:
          - {{ Effect: Allow, Action: "s3:*", Resource: "*", Condition: {condition} }}
"#
    )
}

#[test]
fn if_exists_null_and_negated_reasons_are_named() {
    let table = [
        (
            r#"{ StringEqualsIfExists: { "ec2:InstanceType": "t3.micro" } }"#,
            "{}",
            "IfExists makes the condition true",
        ),
        (
            r#"{ "Null": { "aws:TokenIssueTime": "true" } }"#,
            "{}",
            "missing from the request, as required",
        ),
        (
            r#"{ "Null": { "aws:SourceIp": "false" } }"#,
            r#"{ "aws:SourceIp": "203.0.113.9" }"#,
            "present in the request, as required",
        ),
        (
            r#"{ StringNotEquals: { "aws:PrincipalTag/team": "red" } }"#,
            "{}",
            "a negated operator is true when the key is missing",
        ),
        (
            r#"{ "ForAllValues:StringEquals": { "aws:TagKeys": "team" } }"#,
            "{}",
            "ForAllValues is true when there are no request values",
        ),
        (
            r#"{ StringNotEquals: { "aws:username": "${aws:PrincipalTag/x}" } }"#,
            r#"{ "aws:username": "alice" }"#,
            "the variable aws:PrincipalTag/x has no value",
        ),
        (
            r#"{ NumericNotEquals: { "s3:max-keys": "0x10" } }"#,
            r#"{ "s3:max-keys": "16" }"#,
            "is not a number",
        ),
    ];
    for (cond, ctx, want) in table {
        let ev = eval(&condition_case(cond, ctx));
        assert_eq!(ev.decision, Decision::Allow, "{cond}\n{}", ev.render_text());
        let w = why(&ev);
        assert!(w.contains(want), "{cond}: {w}");
    }
    // A plain match needs no extra reason.
    let ev = eval(&condition_case(
        r#"{ StringEquals: { "aws:username": "alice" } }"#,
        r#"{ "aws:username": "alice" }"#,
    ));
    assert_eq!(ev.decision, Decision::Allow);
    assert!(why(&ev).is_empty());
}

#[test]
fn numbers_dates_and_cidrs_read_as_aws_reads_them() {
    // (condition, context, decision, text the explanation must contain)
    let table = [
        (
            r#"{ NumericEquals: { "s3:max-keys": "1e3" } }"#,
            r#"{ "s3:max-keys": "1000" }"#,
            Decision::ImplicitDeny,
            "\"1e3\" is not a number",
        ),
        (
            r#"{ NumericEquals: { "s3:max-keys": "1000" } }"#,
            r#"{ "s3:max-keys": "1000" }"#,
            Decision::Allow,
            "",
        ),
        (
            r#"{ NumericEquals: { "s3:max-keys": "0x10" } }"#,
            r#"{ "s3:max-keys": "16" }"#,
            Decision::ImplicitDeny,
            "\"0x10\" is not a number",
        ),
        (
            r#"{ NumericLessThan: { "s3:max-keys": "2.5" } }"#,
            r#"{ "s3:max-keys": "2" }"#,
            Decision::Allow,
            "",
        ),
        (
            r#"{ NumericLessThan: { "s3:max-keys": "-1" } }"#,
            r#"{ "s3:max-keys": "-2" }"#,
            Decision::Allow,
            "",
        ),
        (
            r#"{ NumericLessThan: { "s3:max-keys": " 5" } }"#,
            r#"{ "s3:max-keys": "2" }"#,
            Decision::ImplicitDeny,
            "is not a number",
        ),
        (
            r#"{ IpAddress: { "aws:SourceIp": "203.0.113.0/255" } }"#,
            r#"{ "aws:SourceIp": "203.0.113.9" }"#,
            Decision::ImplicitDeny,
            "is not an IP address or CIDR block",
        ),
        (
            r#"{ IpAddress: { "aws:SourceIp": "203.0.113.0/+24" } }"#,
            r#"{ "aws:SourceIp": "203.0.113.9" }"#,
            Decision::ImplicitDeny,
            "is not an IP address or CIDR block",
        ),
        (
            r#"{ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }"#,
            r#"{ "aws:SourceIp": "203.0.113.9" }"#,
            Decision::Allow,
            "",
        ),
        (
            r#"{ DateLessThan: { "aws:CurrentTime": "2024-02-30x" } }"#,
            r#"{ "aws:CurrentTime": "2024-01-01T00:00:00Z" }"#,
            Decision::ImplicitDeny,
            "is not a date",
        ),
        (
            r#"{ DateLessThan: { "aws:CurrentTime": "2025-01-01" } }"#,
            r#"{ "aws:CurrentTime": "2024-01-01T00:00:00Z" }"#,
            Decision::Allow,
            "",
        ),
    ];
    for (cond, ctx, want, text) in table {
        let ev = eval(&condition_case(cond, ctx));
        let rendered = ev.render_text();
        assert_eq!(ev.decision, want, "{cond}\n{rendered}");
        assert!(rendered.contains(text), "{cond}: {rendered}");
    }
}
