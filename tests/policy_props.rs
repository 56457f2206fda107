//! Properties of the evaluation: adding a Deny or removing an Allow never turns a denial into
//! Allow; statement and policy order never change the decision.

use std::collections::BTreeMap;

use iamdrill::policy::{
    Decision, NamedPolicy, OrgLevel, Organization, PolicySet, PolicyType, Principal, Request,
    Resource, ResourceKind, evaluate,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: &[&str] = &[
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "*",
    "ec2:*",
    "iam:Get*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::other/*",
    "arn:aws:ec2:*:*:instance/*",
];
const REQUEST_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "ec2:RunInstances",
    "iam:GetUser",
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/R/s",
    "arn:aws:iam::111122223333:root",
];

#[derive(Debug, Clone)]
struct St {
    deny: bool,
    not_action: bool,
    action: usize,
    not_resource: bool,
    resource: usize,
    cond: usize,
    principal: usize,
}

fn st() -> impl Strategy<Value = St> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        0..ACTIONS.len(),
        prop::bool::weighted(0.15),
        0..RESOURCES.len(),
        0..4usize,
        0..4usize,
    )
        .prop_map(
            |(deny, not_action, action, not_resource, resource, cond, principal)| St {
                deny,
                not_action,
                action,
                not_resource,
                resource,
                cond,
                principal,
            },
        )
}

fn statement(s: &St, with_principal: bool) -> Value {
    let mut v = json!({"Effect": if s.deny { "Deny" } else { "Allow" }});
    v[if s.not_action { "NotAction" } else { "Action" }] = json!(ACTIONS[s.action]);
    v[if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    }] = json!(RESOURCES[s.resource]);
    match s.cond {
        1 => v["Condition"] = json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
        2 => v["Condition"] = json!({"StringEquals": {"aws:username": "alice"}}),
        3 => v["Condition"] = json!({"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "red"}}),
        _ => {}
    }
    if with_principal {
        v["Principal"] = match s.principal {
            0 => json!("*"),
            1 => json!({"AWS": "111122223333"}),
            2 => json!({"AWS": "arn:aws:iam::111122223333:user/alice"}),
            _ => json!({"AWS": "arn:aws:iam::111122223333:role/R"}),
        };
    }
    v
}

fn policy(name: &str, ty: PolicyType, kind: ResourceKind, sts: &[St]) -> NamedPolicy {
    let with_principal = ty == PolicyType::Resource;
    let doc = json!({"Version": "2012-10-17", "Statement": sts.iter().map(|s| statement(s, with_principal)).collect::<Vec<_>>()});
    NamedPolicy::from_value(name, ty, kind, doc).unwrap()
}

#[derive(Debug, Clone)]
struct World {
    identity: Vec<Vec<St>>,
    resource: Option<Vec<St>>,
    boundary: Option<Vec<St>>,
    session: Option<Vec<St>>,
    scp: Option<Vec<Vec<St>>>,
    principal: usize,
    action: usize,
    cross_account: bool,
    mfa: Option<bool>,
}

fn sts() -> impl Strategy<Value = Vec<St>> {
    prop::collection::vec(st(), 1..4)
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(sts(), 0..3),
        prop::option::of(sts()),
        prop::option::weighted(0.3, sts()),
        prop::option::weighted(0.3, sts()),
        prop::option::weighted(0.3, prop::collection::vec(sts(), 1..3)),
        0..PRINCIPALS.len(),
        0..REQUEST_ACTIONS.len(),
        prop::bool::weighted(0.25),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                identity,
                resource,
                boundary,
                session,
                scp,
                principal,
                action,
                cross_account,
                mfa,
            )| World {
                identity,
                resource,
                boundary,
                session,
                scp,
                principal,
                action,
                cross_account,
                mfa,
            },
        )
}

fn decide(w: &World) -> Decision {
    let mut set = PolicySet::default();
    for (i, p) in w.identity.iter().enumerate() {
        set.identity.push(policy(
            &format!("id{i}"),
            PolicyType::Identity,
            ResourceKind::Other,
            p,
        ));
    }
    set.resource = w
        .resource
        .as_ref()
        .map(|p| policy("bucket", PolicyType::Resource, ResourceKind::Bucket, p));
    set.boundary = w
        .boundary
        .as_ref()
        .map(|p| policy("boundary", PolicyType::Boundary, ResourceKind::Other, p));
    if let Some(p) = &w.session {
        set.session.push(policy(
            "session",
            PolicyType::Session,
            ResourceKind::Other,
            p,
        ));
    }
    let org = w.scp.as_ref().map(|levels| Organization {
        id: Some("o-1".into()),
        management_account: "999999999999".into(),
        accounts: Vec::new(),
        scps: levels
            .iter()
            .enumerate()
            .map(|(i, p)| OrgLevel {
                name: format!("L{i}"),
                policies: vec![policy(
                    &format!("scp{i}"),
                    PolicyType::Scp,
                    ResourceKind::Other,
                    p,
                )],
            })
            .collect(),
        rcps: Vec::new(),
    });
    let action = REQUEST_ACTIONS[w.action];
    let arn = if action.starts_with("s3:") {
        "arn:aws:s3:::b/k"
    } else {
        "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"
    };
    let mut context = BTreeMap::new();
    if let Some(m) = w.mfa {
        context.insert(
            "aws:multifactorauthpresent".to_string(),
            vec![m.to_string()],
        );
    }
    let req = Request {
        principal: Principal::from_arn(PRINCIPALS[w.principal], None).unwrap(),
        action: action.into(),
        resource: Resource {
            arn: arn.into(),
            account: Some(
                if w.cross_account {
                    "222222222222"
                } else {
                    "111122223333"
                }
                .into(),
            ),
            aws_managed_key: false,
        },
        context,
    };
    evaluate(&req, &set, org.as_ref()).decision
}

/// Every statement list in the world, addressed by index (for mutation).
fn lists(w: &mut World) -> Vec<&mut Vec<St>> {
    let mut out: Vec<&mut Vec<St>> = w.identity.iter_mut().collect();
    out.extend(w.resource.iter_mut());
    out.extend(w.boundary.iter_mut());
    out.extend(w.session.iter_mut());
    if let Some(levels) = w.scp.as_mut() {
        out.extend(levels.iter_mut());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_a_deny_never_allows(w in world(), extra in st(), pick in any::<prop::sample::Index>()) {
        let before = decide(&w);
        let mut w2 = w.clone();
        let mut ls = lists(&mut w2);
        prop_assume!(!ls.is_empty());
        let i = pick.index(ls.len());
        ls[i].push(St { deny: true, ..extra });
        let after = decide(&w2);
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn removing_an_allow_never_allows(w in world(), pick in any::<prop::sample::Index>(), pick_st in any::<prop::sample::Index>()) {
        let before = decide(&w);
        let mut w2 = w.clone();
        let mut ls = lists(&mut w2);
        let candidates: Vec<usize> = (0..ls.len()).filter(|i| ls[*i].iter().any(|s| !s.deny) && ls[*i].len() > 1).collect();
        prop_assume!(!candidates.is_empty());
        let li = candidates[pick.index(candidates.len())];
        let allows: Vec<usize> = ls[li].iter().enumerate().filter(|(_, s)| !s.deny).map(|(i, _)| i).collect();
        let si = allows[pick_st.index(allows.len())];
        ls[li].remove(si);
        if before != Decision::Allow {
            prop_assert_ne!(decide(&w2), Decision::Allow);
        }
    }

    #[test]
    fn order_never_changes_the_decision(w in world()) {
        let before = decide(&w);
        let mut w2 = w.clone();
        for l in lists(&mut w2) {
            l.reverse();
        }
        w2.identity.reverse();
        prop_assert_eq!(decide(&w2), before);
        let mut w3 = w.clone();
        for l in lists(&mut w3) {
            l.rotate_left(1);
        }
        if !w3.identity.is_empty() {
            w3.identity.rotate_left(1);
        }
        prop_assert_eq!(decide(&w3), before);
    }
}
