//! Every invalid policy form gets an error with its JSON path and line:column.

use iamdrill::policy::json::Pos;
use iamdrill::policy::{PolicyType, ResourceKind, parse_policy};

struct Bad {
    text: &'static str,
    ty: PolicyType,
    kind: ResourceKind,
    path: &'static str,
    fragment: &'static str,
    pos: (usize, usize),
}

const I: PolicyType = PolicyType::Identity;
const R: PolicyType = PolicyType::Resource;
const O: ResourceKind = ResourceKind::Other;

fn cases() -> Vec<Bad> {
    vec![
        Bad {
            text: "{\"Version\":\"2012-10-17\",\n \"Statment\": []}",
            ty: I,
            kind: O,
            path: "Statment",
            fragment: "unknown element \"Statment\"",
            pos: (2, 2),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Conditions\": {}}}",
            ty: I,
            kind: O,
            path: "Statement.Conditions",
            fragment: "unknown element \"Conditions\"",
            pos: (1, 67),
        },
        Bad {
            text: "{\"Statement\": [{\"Effect\": \"Permit\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
            ty: I,
            kind: O,
            path: "Statement[0].Effect",
            fragment: "Effect must be \"Allow\" or \"Deny\"",
            pos: (1, 27),
        },
        Bad {
            text: "{\"Statement\": [{\"Effect\": \"Allow\", \"NotPrincipal\": {\"AWS\": \"123456789012\"}, \"Action\": \"s3:*\", \"Resource\": \"*\"}]}",
            ty: R,
            kind: ResourceKind::Bucket,
            path: "Statement[0].NotPrincipal",
            fragment: "NotPrincipal can only be used with \"Effect\": \"Deny\"",
            pos: (1, 52),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement.Principal",
            fragment: "Principal is not allowed in an identity-based policy",
            pos: (1, 48),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: PolicyType::Boundary,
            kind: O,
            path: "Statement.Principal",
            fragment: "not allowed in an permissions boundary",
            pos: (1, 48),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n  \"Condition\": {\"StringEqual\": {\"aws:username\": \"a\"}}}}",
            ty: I,
            kind: O,
            path: "Statement.Condition.StringEqual",
            fragment: "unknown condition operator \"StringEqual\"",
            pos: (2, 17),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:bucket\"}}",
            ty: I,
            kind: O,
            path: "Statement.Resource",
            fragment: "malformed ARN \"arn:aws:s3:bucket\"",
            pos: (1, 65),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": [\"*\", \"bucket/*\"]}}",
            ty: I,
            kind: O,
            path: "Statement.Resource[1]",
            fragment: "malformed ARN",
            pos: (1, 71),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::12345:user/a\"}, \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: R,
            kind: O,
            path: "Statement.Principal.AWS",
            fragment: "malformed principal ARN",
            pos: (1, 56),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/*\"}, \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: R,
            kind: O,
            path: "Statement.Principal.AWS",
            fragment: "wildcards cannot match part of a principal ARN",
            pos: (1, 56),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"User\": \"bob\"}, \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: R,
            kind: O,
            path: "Statement.Principal.User",
            fragment: "unknown principal type \"User\"",
            pos: (1, 49),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"bob\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: R,
            kind: O,
            path: "Statement.Principal",
            fragment: "a principal string must be \"*\"",
            pos: (1, 48),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement.NotAction",
            fragment: "cannot have both NotAction and Action",
            pos: (1, 53),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement",
            fragment: "no Action or NotAction",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Statement\": {\"Action\": \"*\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement",
            fragment: "no Effect",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement",
            fragment: "no Resource or NotResource",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Version\": \"2012-10-17\"}",
            ty: I,
            kind: O,
            path: "(document)",
            fragment: "no Statement element",
            pos: (1, 1),
        },
        Bad {
            text: "{\"Statement\": \"Allow all\"}",
            ty: I,
            kind: O,
            path: "Statement",
            fragment: "Statement must be an object or an array",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Statement\": []}",
            ty: I,
            kind: O,
            path: "Statement",
            fragment: "empty array",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Version\": \"2012-10-18\", \"Statement\": []}",
            ty: I,
            kind: O,
            path: "Version",
            fragment: "unknown Version",
            pos: (1, 13),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:username\": {\"a\": 1}}}}}",
            ty: I,
            kind: O,
            path: "Statement.Condition.StringEquals.aws:username",
            fragment: "condition values must be",
            pos: (1, 117),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": {\"Null\": {\"aws:username\": \"maybe\"}}}}",
            ty: I,
            kind: O,
            path: "Statement.Condition.Null.aws:username",
            fragment: "Null takes \"true\" or \"false\"",
            pos: (1, 109),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": [\"x\"]}}",
            ty: I,
            kind: O,
            path: "Statement.Condition",
            fragment: "Condition must be an object",
            pos: (1, 83),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"GetObject\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "Statement.Action",
            fragment: "malformed action \"GetObject\"",
            pos: (1, 45),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\", \"Resource\": \"*\"}}",
            ty: R,
            kind: ResourceKind::Trust,
            path: "Statement.Resource",
            fragment: "trust policy cannot have Resource",
            pos: (1, 125),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}",
            ty: R,
            kind: ResourceKind::Bucket,
            path: "Statement",
            fragment: "needs a Principal",
            pos: (1, 15),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\",\n \"Action\": \"s3:*\", \"Resource\": \"*\",}}",
            ty: I,
            kind: O,
            path: "(document)",
            fragment: "expected a string key",
            pos: (2, 36),
        },
        Bad {
            text: "{\"Statement\": {\"Effect\": \"Allow\", \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}}",
            ty: I,
            kind: O,
            path: "(document)",
            fragment: "duplicate key \"Effect\"",
            pos: (1, 35),
        },
        Bad {
            text: "[]",
            ty: I,
            kind: O,
            path: "(document)",
            fragment: "must be a JSON object",
            pos: (1, 1),
        },
    ]
}

#[test]
fn each_invalid_form_is_located() {
    for (i, b) in cases().into_iter().enumerate() {
        let e = match parse_policy(b.text, b.ty, b.kind) {
            Ok(_) => panic!("case {i} parsed: {}", b.text),
            Err(e) => e,
        };
        assert_eq!(e.path, b.path, "case {i}: {e}");
        assert!(e.message.contains(b.fragment), "case {i}: {e}");
        assert_eq!(
            e.pos,
            Some(Pos {
                line: b.pos.0,
                column: b.pos.1
            }),
            "case {i}: {e}"
        );
    }
}

#[test]
fn valid_forms_parse() {
    let ok = [
        (
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            I,
            O,
        ),
        (
            r#"{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/a","123456789012"]},"Action":"s3:*","Resource":"*"}]}"#,
            R,
            ResourceKind::Bucket,
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#,
            R,
            ResourceKind::Trust,
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
            R,
            ResourceKind::Bucket,
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b*"]}}}]}"#,
            I,
            O,
        ),
        (
            r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Principal":"*"}]}"#,
            PolicyType::Rcp,
            O,
        ),
    ];
    for (text, ty, kind) in ok {
        if let Err(e) = parse_policy(text, ty, kind) {
            panic!("{text}: {e}");
        }
    }
}
