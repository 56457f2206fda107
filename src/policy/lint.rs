//! Lints for classic policy mistakes (on top of validation).

use serde::Serialize;

use super::condition::{OpBase, parse_cidr};
use super::document::{Effect, Policy, PolicyType, PrincipalEntry, ResourceKind};
use super::json::Pos;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `principal-star-without-condition`.
    pub code: &'static str,
    pub path: String,
    pub pos: Option<Pos>,
    pub message: String,
}

fn private_range(cidr: &str) -> bool {
    use std::net::IpAddr;
    let Some((net, bits)) = parse_cidr(cidr) else {
        return false;
    };
    match net {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            // A block counts as private when it lies inside a private range.
            (o[0] == 10 && bits >= 8)
                || (o[0] == 172 && (16..32).contains(&o[1]) && bits >= 12)
                || (o[0] == 192 && o[1] == 168 && bits >= 16)
                || (o[0] == 127 && bits >= 8)
                || (o[0] == 169 && o[1] == 254 && bits >= 16)
                || (o[0] == 100 && (64..128).contains(&o[1]) && bits >= 10)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            ((s[0] & 0xfe00) == 0xfc00 && bits >= 7)
                || ((s[0] & 0xffc0) == 0xfe80 && bits >= 10)
                || v6.is_loopback()
        }
    }
}

/// Runs every lint over a valid policy.
pub fn lint(policy: &Policy, ty: PolicyType, kind: ResourceKind) -> Vec<Finding> {
    let mut out = Vec::new();
    let many = policy.statements.len() > 1;
    for (i, st) in policy.statements.iter().enumerate() {
        let path = if many {
            format!("Statement[{i}]")
        } else {
            "Statement".to_string()
        };
        if ty == PolicyType::Resource
            && st.effect == Effect::Allow
            && !st.not_principal
            && st.conditions.is_empty()
            && st
                .principal
                .as_ref()
                .is_some_and(|p| p.contains(&PrincipalEntry::Any))
        {
            out.push(Finding {
                code: "principal-star-without-condition",
                path: format!("{path}.Principal"),
                pos: st.pos,
                message: format!(
                    "Allow to Principal \"*\" without a Condition in a {} opens it to everyone, including anonymous callers and other accounts; name the principals or add conditions such as aws:PrincipalOrgID or aws:SourceAccount",
                    kind.label()
                ),
            });
        }
        if st.effect == Effect::Allow
            && !st.not_action
            && st.actions.iter().any(|a| a == "*")
            && !st.not_resource
            && st
                .resources
                .as_ref()
                .is_some_and(|r| r.iter().any(|r| r == "*"))
        {
            out.push(Finding {
                code: "admin-star",
                path: format!("{path}.Action"),
                pos: st.pos,
                message: "Allow of Action \"*\" on Resource \"*\" grants full administrator access; grant only the actions and resources needed".into(),
            });
        }
        for c in &st.conditions {
            let cpath = format!("{path}.Condition.{}.{}", c.operator_text, c.key);
            if c.key_lc == "aws:sourceip"
                && matches!(c.operator.base, OpBase::IpAddress | OpBase::NotIpAddress)
                && c.values.iter().any(|v| private_range(v))
            {
                out.push(Finding {
                    code: "source-ip-private-range",
                    path: cpath.clone(),
                    pos: c.pos,
                    message: "aws:SourceIp with a private range never matches: it holds the public address, and requests through a VPC endpoint carry aws:VpcSourceIp instead; use aws:VpcSourceIp or aws:SourceVpce".into(),
                });
            }
            if st.effect == Effect::Deny
                && c.key_lc == "aws:multifactorauthpresent"
                && c.operator.base == OpBase::Bool
                && !c.operator.if_exists
                && c.operator.set.is_none()
                && c.values.iter().any(|v| v.eq_ignore_ascii_case("false"))
            {
                out.push(Finding {
                    code: "mfa-bool-deny",
                    path: cpath,
                    pos: c.pos,
                    message: "Deny with Bool aws:MultiFactorAuthPresent \"false\" does not fire for long-term access keys, where the key is absent; use BoolIfExists".into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::document::parse_policy;

    fn codes(text: &str, ty: PolicyType, kind: ResourceKind) -> Vec<&'static str> {
        let p = parse_policy(text, ty, kind).unwrap();
        lint(&p, ty, kind).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn each_lint_fires_and_stays_quiet_when_fixed() {
        let bucket = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
        assert_eq!(
            codes(bucket, PolicyType::Resource, ResourceKind::Bucket),
            vec!["principal-star-without-condition"]
        );
        let fixed = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}"#;
        assert!(codes(fixed, PolicyType::Resource, ResourceKind::Bucket).is_empty());
        let admin = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        assert_eq!(
            codes(admin, PolicyType::Identity, ResourceKind::Other),
            vec!["admin-star"]
        );
        let ip = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}}}"#;
        assert_eq!(
            codes(ip, PolicyType::Identity, ResourceKind::Other),
            vec!["source-ip-private-range"]
        );
        let public = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#;
        assert!(codes(public, PolicyType::Identity, ResourceKind::Other).is_empty());
        let mfa = r#"{"Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}"#;
        assert_eq!(
            codes(mfa, PolicyType::Identity, ResourceKind::Other),
            vec!["mfa-bool-deny"]
        );
        let mfa_ok = mfa.replace("\"Bool\"", "\"BoolIfExists\"");
        assert!(codes(&mfa_ok, PolicyType::Identity, ResourceKind::Other).is_empty());
    }

    #[test]
    fn private_ranges() {
        assert!(private_range("10.1.0.0/16"));
        assert!(private_range("172.31.0.0/16"));
        assert!(!private_range("172.32.0.0/16"));
        assert!(private_range("192.168.1.1"));
        assert!(private_range("fd00::/8"));
        assert!(!private_range("203.0.113.0/24"));
        assert!(!private_range("0.0.0.0/0"));
    }
}
