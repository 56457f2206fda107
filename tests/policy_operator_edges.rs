//! One row per documented edge of the condition operators: the condition, the request context,
//! and the decision AWS documents, with the page that documents it. Each row is evaluated the
//! positioned way (`policy eval`) and the bulk way (`policy eval --jsonl`), which must agree.

use iamdrill::policy::Decision;
use iamdrill::policy::case::{Format, parse_case, parse_json_line};
use serde_json::{Value, json};

const OPS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const MULTI: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const MULTI_LOGIC: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html";

/// How the condition is used: in an Allow (the decision is Allow when it holds), or in a Deny
/// beside an Allow of everything (explicit deny when it holds).
#[derive(Clone, Copy)]
enum In {
    Allow,
    Deny,
}

struct Row {
    edge: &'static str,
    doc: String,
    within: In,
    condition: Value,
    context: Value,
    holds: bool,
}

fn row(edge: &'static str, doc: &str, condition: Value, context: Value, holds: bool) -> Row {
    Row {
        edge,
        doc: doc.to_string(),
        within: In::Allow,
        condition,
        context,
        holds,
    }
}

fn case(r: &Row) -> String {
    let statement = |effect: &str| json!({"Effect": effect, "Action": "sqs:SendMessage", "Resource": "*", "Condition": r.condition});
    let statements = match r.within {
        In::Allow => json!([statement("Allow")]),
        In::Deny => json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}, statement("Deny")]),
    };
    json!({
        "request": {
            "principal": "arn:aws:iam::111111111111:user/bob",
            "action": "sqs:SendMessage",
            "resource": "arn:aws:sqs:us-east-1:111111111111:jobs",
            "context": r.context,
        },
        "policies": {"identity": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}]},
    })
    .to_string()
}

fn rows() -> Vec<Row> {
    let ifexists = format!("{OPS}#Conditions_IfExists");
    let null = format!("{OPS}#Conditions_Null");
    let string = format!("{OPS}#Conditions_String");
    let boolean = format!("{OPS}#Conditions_Boolean");
    let date = format!("{OPS}#Conditions_Date");
    let ip = format!("{OPS}#Conditions_IPAddress");
    let arn = format!("{OPS}#Conditions_ARN");
    let numeric = format!("{OPS}#Conditions_Numeric");
    let src = |v: &str| json!({"aws:SourceArn": v});
    let topic = "arn:aws:sns:us-east-1:111111111111:topic1";
    let mut rows = vec![
        // A key missing from the request: false, except negated operators.
        row(
            "StringLike, key missing",
            OPS,
            json!({"StringLike": {"ec2:InstanceType": "t2.*"}}),
            json!({}),
            false,
        ),
        row(
            "StringNotEquals, key missing",
            OPS,
            json!({"StringNotEquals": {"aws:PrincipalTag/team": "red"}}),
            json!({}),
            true,
        ),
        row(
            "ArnNotLike, key missing",
            OPS,
            json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}),
            json!({}),
            true,
        ),
        // IfExists.
        row(
            "StringLikeIfExists, key missing",
            &ifexists,
            json!({"StringLikeIfExists": {"ec2:InstanceType": "t2.*"}}),
            json!({}),
            true,
        ),
        row(
            "StringLikeIfExists, key present and not matching",
            &ifexists,
            json!({"StringLikeIfExists": {"ec2:InstanceType": "t2.*"}}),
            json!({"ec2:InstanceType": "m5.large"}),
            false,
        ),
        row(
            "StringLikeIfExists, key present and matching",
            &ifexists,
            json!({"StringLikeIfExists": {"ec2:InstanceType": "t2.*"}}),
            json!({"ec2:InstanceType": "t2.micro"}),
            true,
        ),
        // Null.
        row(
            "Null true, key missing",
            &null,
            json!({"Null": {"aws:TokenIssueTime": "true"}}),
            json!({}),
            true,
        ),
        row(
            "Null true, key present",
            &null,
            json!({"Null": {"aws:TokenIssueTime": "true"}}),
            json!({"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}),
            false,
        ),
        row(
            "Null false, key present",
            &null,
            json!({"Null": {"aws:TokenIssueTime": "false"}}),
            json!({"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}),
            true,
        ),
        row(
            "Null false, key missing",
            &null,
            json!({"Null": {"aws:TokenIssueTime": "false"}}),
            json!({}),
            false,
        ),
        // Set operators.
        row(
            "ForAllValues, key missing",
            MULTI,
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}),
            json!({}),
            true,
        ),
        row(
            "ForAllValues, empty set",
            MULTI,
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}),
            json!({"aws:TagKeys": []}),
            true,
        ),
        row(
            "ForAllValues, every value listed",
            MULTI,
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}),
            json!({"aws:TagKeys": ["team", "env"]}),
            true,
        ),
        row(
            "ForAllValues, one value not listed",
            MULTI,
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}),
            json!({"aws:TagKeys": ["env", "cost"]}),
            false,
        ),
        row(
            "ForAnyValue, key missing",
            MULTI,
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}),
            json!({}),
            false,
        ),
        row(
            "ForAnyValue, empty set",
            MULTI,
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}),
            json!({"aws:TagKeys": []}),
            false,
        ),
        row(
            "ForAnyValue, one value listed",
            MULTI,
            json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}),
            json!({"aws:TagKeys": ["cost", "env"]}),
            true,
        ),
        // Several values: OR; a negated operator: none may match.
        row(
            "StringEquals with two values, the second matches",
            MULTI_LOGIC,
            json!({"StringEquals": {"aws:PrincipalTag/team": ["blue", "red"]}}),
            json!({"aws:PrincipalTag/team": "red"}),
            true,
        ),
        row(
            "StringNotEquals with two values, one matches",
            MULTI_LOGIC,
            json!({"StringNotEquals": {"aws:PrincipalTag/team": ["blue", "red"]}}),
            json!({"aws:PrincipalTag/team": "red"}),
            false,
        ),
        // Case.
        row(
            "StringEqualsIgnoreCase, other case",
            &string,
            json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "RED"}}),
            json!({"aws:PrincipalTag/team": "red"}),
            true,
        ),
        row(
            "StringEquals, other case",
            &string,
            json!({"StringEquals": {"aws:PrincipalTag/team": "RED"}}),
            json!({"aws:PrincipalTag/team": "red"}),
            false,
        ),
        row(
            "condition key names are case-insensitive",
            OPS,
            json!({"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "red"}}),
            json!({"aws:PrincipalTag/team": "red"}),
            true,
        ),
        // Bool. The page writes "true"/"false" and does not say whether case matters; the engine
        // reads the value case-insensitively, like the JSON boolean.
        row(
            "Bool \"true\"",
            &boolean,
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"aws:SecureTransport": "true"}),
            true,
        ),
        row(
            "Bool JSON true",
            &boolean,
            json!({"Bool": {"aws:SecureTransport": true}}),
            json!({"aws:SecureTransport": "true"}),
            true,
        ),
        row(
            "Bool \"TRUE\" (engine's reading)",
            &boolean,
            json!({"Bool": {"aws:SecureTransport": "TRUE"}}),
            json!({"aws:SecureTransport": "true"}),
            true,
        ),
        row(
            "Bool \"false\" against true",
            &boolean,
            json!({"Bool": {"aws:SecureTransport": "false"}}),
            json!({"aws:SecureTransport": "true"}),
            false,
        ),
        // Dates: ISO 8601 with or without the time, and epoch seconds.
        row(
            "DateLessThan, ISO 8601 date and time",
            &date,
            json!({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
            json!({"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
            true,
        ),
        row(
            "DateLessThan, ISO 8601 date only",
            &date,
            json!({"DateLessThan": {"aws:CurrentTime": "2025-06-01"}}),
            json!({"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
            false,
        ),
        row(
            "DateGreaterThan, epoch seconds",
            &date,
            json!({"DateGreaterThan": {"aws:CurrentTime": "1735689600"}}),
            json!({"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
            true,
        ),
        row(
            "DateLessThan, a value that is not a date never matches",
            &date,
            json!({"DateLessThan": {"aws:CurrentTime": "next tuesday"}}),
            json!({"aws:CurrentTime": "2025-06-01T12:00:00Z"}),
            false,
        ),
        // Numbers.
        row(
            "NumericLessThan, integer",
            &numeric,
            json!({"NumericLessThan": {"s3:max-keys": "10"}}),
            json!({"s3:max-keys": "5"}),
            true,
        ),
        row(
            "NumericLessThan, exponent is not a number",
            &numeric,
            json!({"NumericLessThan": {"s3:max-keys": "1e3"}}),
            json!({"s3:max-keys": "5"}),
            false,
        ),
        // IP addresses.
        row(
            "IpAddress, IPv4 CIDR",
            &ip,
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            json!({"aws:SourceIp": "203.0.113.7"}),
            true,
        ),
        row(
            "IpAddress, IPv4 outside the CIDR",
            &ip,
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            json!({"aws:SourceIp": "198.51.100.7"}),
            false,
        ),
        row(
            "IpAddress, IPv6 CIDR",
            &ip,
            json!({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
            json!({"aws:SourceIp": "2001:db8:1234::1"}),
            true,
        ),
        row(
            "IpAddress, an address alone is /32",
            &ip,
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}),
            json!({"aws:SourceIp": "203.0.113.7"}),
            true,
        ),
        row(
            "IpAddress, prefix /255 is invalid and never matches",
            &ip,
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/255"}}),
            json!({"aws:SourceIp": "203.0.113.7"}),
            false,
        ),
        row(
            "NotIpAddress, key missing",
            &ip,
            json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            json!({}),
            true,
        ),
        // ARNs: six colon-separated parts compared separately, wildcards within a part.
        row(
            "ArnLike, six parts with wildcards",
            &arn,
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:topic*"}}),
            src(topic),
            true,
        ),
        row(
            "ArnLike, wildcard inside a part",
            &arn,
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-*:111111111111:*"}}),
            src(topic),
            true,
        ),
        row(
            "ArnLike, fewer than six parts never matches",
            &arn,
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}}),
            src(topic),
            false,
        ),
        row(
            "ArnEquals, fewer than six parts never matches",
            &arn,
            json!({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:topic1"}}),
            src(topic),
            false,
        ),
        row(
            "ArnLike, another service",
            &arn,
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:sqs:*:*:*"}}),
            src(topic),
            false,
        ),
    ];
    // Deny statements.
    let mut deny = |edge, doc: &str, condition, context, holds| {
        let mut r = row(edge, doc, condition, context, holds);
        r.within = In::Deny;
        rows.push(r);
    };
    deny(
        "Deny with a negated IfExists operator, key missing, still denies",
        &ifexists,
        json!({"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "red"}}),
        json!({}),
        true,
    );
    deny(
        "Deny with Bool false on a missing MFA key does not deny",
        &boolean,
        json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
        json!({}),
        false,
    );
    deny(
        "Deny with BoolIfExists false on a missing MFA key denies",
        &ifexists,
        json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        json!({}),
        true,
    );
    deny(
        "Deny with ArnNotLike of fewer than six parts denies every ARN",
        &arn,
        json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:topic1"}}),
        src(topic),
        true,
    );
    deny(
        "Deny with ForAllValues:StringNotLike, a key not allowed",
        MULTI,
        json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}),
        json!({"aws:TagKeys": ["key2:audit"]}),
        true,
    );
    deny(
        "Deny with ForAllValues:StringNotLike, key missing",
        MULTI,
        json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}),
        json!({}),
        true,
    );
    rows
}

#[test]
fn every_documented_operator_edge() {
    let rows = rows();
    assert!(rows.len() >= 40, "{}", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        assert!(
            r.doc.starts_with("https://docs.aws.amazon.com/"),
            "{}",
            r.edge
        );
        let text = case(r);
        let want = match (r.within, r.holds) {
            (In::Allow, true) => Decision::Allow,
            (In::Allow, false) => Decision::ImplicitDeny,
            (In::Deny, true) => Decision::ExplicitDeny,
            (In::Deny, false) => Decision::Allow,
        };
        let positioned = parse_case(&text, Format::Json, "edge.json", None)
            .unwrap_or_else(|e| panic!("{}: {e}", r.edge))
            .evaluate()
            .decision;
        let bulk = parse_json_line(&text, 1)
            .unwrap_or_else(|e| panic!("{}: {e}", r.edge))
            .evaluate()
            .decision;
        if positioned != want || bulk != want {
            failures.push(format!(
                "{}: expected {want}, positioned path {positioned}, bulk path {bulk} ({})",
                r.edge, r.doc
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
