//! Every rule of the evaluation spec as a test, and the worked examples W1-W17 (case files).

use iamdrill::policy::case::{Format, load_cases, parse_case};
use iamdrill::policy::{Decision, Evaluation, PolicyType};

fn eval(yaml: &str) -> Evaluation {
    match parse_case(yaml, Format::Yaml, "inline.yaml", None) {
        Ok(c) => c.evaluate(),
        Err(e) => panic!("{e}\n{yaml}"),
    }
}

fn decision(yaml: &str) -> Decision {
    eval(yaml).decision
}

const USER: &str = "arn:aws:iam::111122223333:user/alice";

/// A case with a user of 111122223333 calling `action` on `resource` and the given `policies:` YAML
/// (already indented by two spaces).
fn case(principal: &str, action: &str, resource: &str, extra: &str) -> String {
    format!(
        "request:\n  principal: {principal}\n  action: {action}\n  resource: {resource}\n{extra}"
    )
}

const ALLOW_S3: &str =
    r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "*" }] }"#;
const ALLOW_ALL: &str =
    r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "*", Resource: "*" }] }"#;
const ALLOW_EC2: &str =
    r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "ec2:*", Resource: "*" }] }"#;

fn bucket_policy(principal: &str) -> String {
    format!(
        r#"  resource:
    name: bp
    kind: bucket
    document: {{ Version: "2012-10-17", Statement: [{{ Effect: Allow, Principal: {principal}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }}] }}
"#
    )
}

#[test]
fn worked_examples_w1_to_w17() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/policy");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut seen = std::collections::BTreeSet::new();
    let mut count = 0;
    for f in files {
        for c in load_cases(&f).unwrap_or_else(|e| panic!("{e}")) {
            let ev = c.evaluate();
            let name = c.name.clone().unwrap_or_default();
            assert!(c.expect.is_some(), "{name} has no expect");
            if let Err(why) = c.check(&ev) {
                panic!("{}: {name}: {why}\n{}", f.display(), ev.render_text());
            }
            if let Some(w) = name.split_whitespace().next() {
                seen.insert(
                    w.trim_end_matches(|ch: char| ch.is_ascii_lowercase())
                        .to_string(),
                );
            }
            count += 1;
        }
    }
    for i in 1..=17 {
        assert!(seen.contains(&format!("W{i}")), "W{i} missing: {seen:?}");
    }
    assert!(count >= 37, "{count}");
}

#[test]
fn default_is_implicit_deny() {
    let ev = eval(&case(USER, "s3:GetObject", "arn:aws:s3:::b/k", ""));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert!(
        ev.rule.contains("no identity-based policy allows"),
        "{}",
        ev.rule
    );
}

#[test]
fn root_user_has_full_access_in_its_account_but_not_past_a_deny() {
    let root = "arn:aws:iam::111122223333:root";
    assert_eq!(
        decision(&case(root, "s3:GetObject", "arn:aws:s3:::b/k", "")),
        Decision::Allow
    );
    let deny = "policies:\n  resource:\n    kind: bucket\n    document: { Statement: [{ Effect: Deny, Principal: \"*\", Action: \"s3:*\", Resource: \"*\" }] }\n";
    assert_eq!(
        decision(&case(root, "s3:GetObject", "arn:aws:s3:::b/k", deny)),
        Decision::ExplicitDeny
    );
    // A key policy that does not name the account locks even the root user out.
    let key = "policies:\n  resource:\n    kind: key\n    document: { Statement: [{ Effect: Allow, Principal: { AWS: \"arn:aws:iam::111122223333:role/Admin\" }, Action: \"kms:*\", Resource: \"*\" }] }\n";
    assert_eq!(
        decision(&case(
            root,
            "kms:Decrypt",
            "arn:aws:kms:eu-west-1:111122223333:key/k1",
            key
        )),
        Decision::ImplicitDeny
    );
}

#[test]
fn explicit_deny_in_any_policy_type_wins() {
    let deny_doc = r#"{ Statement: [{ Effect: Deny, Action: "s3:GetObject", Resource: "*" }] }"#;
    let with_identity_allow =
        format!("policies:\n  identity:\n    - {{ name: allow, document: {ALLOW_S3} }}\n");
    for (slot, ty) in [
        ("boundary", PolicyType::Boundary),
        ("session", PolicyType::Session),
    ] {
        let doc = if slot == "session" {
            format!(
                "{with_identity_allow}  session:\n    - {{ name: deny, document: {deny_doc} }}\n"
            )
        } else {
            format!("{with_identity_allow}  boundary: {{ name: deny, document: {deny_doc} }}\n")
        };
        let ev = eval(&case(
            "arn:aws:sts::111122223333:assumed-role/R/s",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &doc,
        ));
        assert_eq!(ev.decision, Decision::ExplicitDeny, "{slot}");
        assert_eq!(ev.deciding_statement.as_ref().unwrap().policy_type, ty);
    }
    let bucket = format!(
        "{with_identity_allow}  resource:\n    name: bp\n    kind: bucket\n    document: {{ Statement: [{{ Effect: Deny, Principal: {{ AWS: \"111122223333\" }}, Action: \"s3:*\", Resource: \"*\" }}] }}\n"
    );
    let ev = eval(&case(USER, "s3:GetObject", "arn:aws:s3:::b/k", &bucket));
    assert_eq!(ev.decision, Decision::ExplicitDeny);
    assert!(ev.rule.contains("overrides the Allow"), "{}", ev.rule);
}

fn org(scps: &str, rcps: &str, accounts: &str) -> String {
    format!(
        "organization:\n  id: o-test\n  management_account: \"999999999999\"\n{accounts}{scps}{rcps}"
    )
}

fn level(kind: &str, levels: &[(&str, &str)]) -> String {
    let mut s = format!("  {kind}:\n");
    for (name, doc) in levels {
        s.push_str(&format!("    - name: {name}\n      policies:\n        - {{ name: {name}-policy, document: {doc} }}\n"));
    }
    s
}

#[test]
fn scps_need_an_allow_at_every_level_and_never_grant() {
    let identity =
        format!("policies:\n  identity:\n    - {{ name: admin, document: {ALLOW_ALL} }}\n");
    let chain = level(
        "scps",
        &[
            ("Root", ALLOW_ALL),
            ("OU Dev", ALLOW_EC2),
            ("Account", ALLOW_ALL),
        ],
    );
    let ev = eval(&case(
        USER,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        &format!("{}{identity}", org(&chain, "", "")),
    ));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    let p = ev.deciding_policy.unwrap();
    assert_eq!(
        (p.policy_type, p.level.as_deref()),
        (PolicyType::Scp, Some("OU Dev"))
    );
    // SCPs grant nothing: all levels allow, identity silent.
    let chain = level("scps", &[("Root", ALLOW_ALL)]);
    assert_eq!(
        decision(&case(
            USER,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &org(&chain, "", "")
        )),
        Decision::ImplicitDeny
    );
}

#[test]
fn scp_scope_exceptions() {
    let identity =
        format!("policies:\n  identity:\n    - {{ name: admin, document: {ALLOW_ALL} }}\n");
    let deny_all = r#"{ Statement: [{ Effect: Deny, Action: "*", Resource: "*" }] }"#;
    let chain = level("scps", &[("Root", deny_all)]);
    let with_org = |p: &str, accounts: &str| {
        case(
            p,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!("{}{identity}", org(&chain, "", accounts)),
        )
    };
    // Member account user and root user: affected.
    assert_eq!(decision(&with_org(USER, "")), Decision::ExplicitDeny);
    assert_eq!(
        decision(&with_org("arn:aws:iam::111122223333:root", "")),
        Decision::ExplicitDeny
    );
    // Management account: not affected.
    let ev = eval(&with_org("arn:aws:iam::999999999999:user/admin", ""));
    assert_eq!(ev.decision, Decision::Allow);
    assert!(ev.steps.iter().any(|s| s.contains("management account")));
    // Service-linked role: not affected.
    let slr = "{ arn: \"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s\", role_arn: \"arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX\" }";
    let ev = eval(&with_org(slr, ""));
    assert_eq!(ev.decision, Decision::Allow, "{}", ev.render_text());
    // A principal outside the organization: not affected.
    let ev = eval(&with_org(USER, "  accounts: [\"222222222222\"]\n"));
    assert_eq!(ev.decision, Decision::Allow);
    assert!(
        ev.steps
            .iter()
            .any(|s| s.contains("outside the organization"))
    );
}

#[test]
fn rcps_need_an_allow_at_every_level_and_have_exceptions() {
    let grant = format!("policies:\n  identity:\n    - {{ name: admin, document: {ALLOW_ALL} }}\n");
    let rcp_full =
        r#"{ Statement: [{ Effect: Allow, Principal: "*", Action: "*", Resource: "*" }] }"#;
    let rcp_s3_only =
        r#"{ Statement: [{ Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*" }] }"#;
    let chain = level("rcps", &[("Root", rcp_full), ("OU Data", rcp_s3_only)]);
    let c = |action: &str, resource: &str| {
        case(
            USER,
            action,
            resource,
            &format!("{}{grant}", org("", &chain, "")),
        )
    };
    assert_eq!(
        decision(&c("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::Allow
    );
    let ev = eval(&c(
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:111122223333:key/k",
    ));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert_eq!(
        ev.deciding_policy.unwrap().level.as_deref(),
        Some("OU Data")
    );
    // kms:RetireGrant and AWS managed keys are not subject to RCPs.
    assert_eq!(
        decision(&c(
            "kms:RetireGrant",
            "arn:aws:kms:eu-west-1:111122223333:key/k"
        )),
        Decision::Allow
    );
    let managed = case(
        USER,
        "kms:Decrypt",
        "{ arn: \"arn:aws:kms:eu-west-1:111122223333:key/k\", aws_managed_key: true }",
        &format!("{}{grant}", org("", &chain, "")),
    );
    assert_eq!(decision(&managed), Decision::Allow);
    // Resources of the management account are not subject to RCPs.
    let mgmt = case(
        "arn:aws:iam::999999999999:user/a",
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:999999999999:key/k",
        &format!("{}{grant}", org("", &chain, "")),
    );
    assert_eq!(decision(&mgmt), Decision::Allow);
}

#[test]
fn same_account_resource_policy_table() {
    let ec2_boundary = format!("  boundary: {{ name: boundary, document: {ALLOW_EC2} }}\n");
    let ec2_session = format!("  session:\n    - {{ name: session, document: {ALLOW_EC2} }}\n");
    let session_arn = "arn:aws:sts::111122223333:assumed-role/R/s";
    let role_arn = "arn:aws:iam::111122223333:role/R";
    let fed = "{ arn: \"arn:aws:sts::111122223333:federated-user/bob\", federated_by: \"arn:aws:iam::111122223333:user/bob\" }";
    let rows: Vec<(&str, String, &str, Decision)> = vec![
        // (caller, principal named, limit, expected)
        (
            USER,
            format!("{{ AWS: \"{USER}\" }}"),
            ec2_boundary.as_str(),
            Decision::Allow,
        ),
        (
            session_arn,
            format!("{{ AWS: \"{session_arn}\" }}"),
            ec2_boundary.as_str(),
            Decision::Allow,
        ),
        (
            session_arn,
            format!("{{ AWS: \"{session_arn}\" }}"),
            ec2_session.as_str(),
            Decision::Allow,
        ),
        (
            session_arn,
            format!("{{ AWS: \"{role_arn}\" }}"),
            ec2_boundary.as_str(),
            Decision::ImplicitDeny,
        ),
        (
            session_arn,
            format!("{{ AWS: \"{role_arn}\" }}"),
            ec2_session.as_str(),
            Decision::ImplicitDeny,
        ),
        (
            session_arn,
            format!("{{ AWS: \"{role_arn}\" }}"),
            "",
            Decision::Allow,
        ),
        (
            fed,
            "{ AWS: \"arn:aws:sts::111122223333:federated-user/bob\" }".into(),
            ec2_session.as_str(),
            Decision::Allow,
        ),
        (
            fed,
            "{ AWS: \"arn:aws:iam::111122223333:user/bob\" }".into(),
            ec2_session.as_str(),
            Decision::ImplicitDeny,
        ),
        (
            fed,
            "{ AWS: \"arn:aws:iam::111122223333:user/bob\" }".into(),
            "",
            Decision::Allow,
        ),
        (
            session_arn,
            "\"*\"".into(),
            ec2_boundary.as_str(),
            Decision::Allow,
        ),
        // Naming the account delegates to identity policies, which are silent here.
        (
            USER,
            "{ AWS: \"111122223333\" }".into(),
            "",
            Decision::ImplicitDeny,
        ),
    ];
    for (caller, named, limit, want) in rows {
        let yaml = case(
            caller,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!("policies:\n{}{limit}", bucket_policy(&named)),
        );
        let ev = eval(&yaml);
        assert_eq!(
            ev.decision,
            want,
            "{caller} named {named} with {limit}\n{}",
            ev.render_text()
        );
    }
}

#[test]
fn cross_account_needs_both_sides() {
    let resource = "{ arn: \"arn:aws:s3:::b/k\", account: \"222222222222\" }";
    let identity = format!("  identity:\n    - {{ name: id, document: {ALLOW_S3} }}\n");
    let bp = bucket_policy(&format!("{{ AWS: \"{USER}\" }}"));
    let bp_account = bucket_policy("{ AWS: \"arn:aws:iam::111122223333:root\" }");
    let c = |p: &str| case(USER, "s3:GetObject", resource, &format!("policies:\n{p}"));
    assert_eq!(decision(&c(&identity)), Decision::ImplicitDeny);
    let ev = eval(&c(&bp));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert!(ev.rule.contains("cross-account"), "{}", ev.rule);
    assert_eq!(decision(&c(&format!("{identity}{bp}"))), Decision::Allow);
    assert_eq!(
        decision(&c(&format!("{identity}{bp_account}"))),
        Decision::Allow
    );
    let ev = eval(&c(&format!(
        "{identity}{bp}  boundary: {{ name: b, document: {ALLOW_EC2} }}\n"
    )));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert_eq!(
        ev.deciding_policy.unwrap().policy_type,
        PolicyType::Boundary
    );
}

#[test]
fn trust_and_key_policies_must_allow_the_principal() {
    let role = "arn:aws:iam::111122223333:role/Target";
    let assume = r#"{ Statement: [{ Effect: Allow, Action: "sts:AssumeRole", Resource: "*" }] }"#;
    let trust = |p: &str| {
        format!(
            "  trust: {{ name: trust, document: {{ Statement: [{{ Effect: Allow, Principal: {p}, Action: \"sts:AssumeRole\" }}] }} }}\n"
        )
    };
    let c = |p: &str| case(USER, "sts:AssumeRole", role, &format!("policies:\n{p}"));
    let identity = format!("  identity:\n    - {{ name: id, document: {assume} }}\n");
    let other = trust("{ AWS: \"arn:aws:iam::111122223333:user/bob\" }");
    let ev = eval(&c(&format!("{identity}{other}")));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert!(ev.rule.contains("trust policy must allow"), "{}", ev.rule);
    let account = trust("{ AWS: \"111122223333\" }");
    assert_eq!(
        decision(&c(&format!("{identity}{account}"))),
        Decision::Allow
    );
    assert_eq!(decision(&c(&account)), Decision::ImplicitDeny);
    assert_eq!(
        decision(&c(&trust(&format!("{{ AWS: \"{USER}\" }}")))),
        Decision::Allow
    );
    // Cross-account assumption: the caller's identity policy and the trust policy.
    let xrole = "{ arn: \"arn:aws:iam::222222222222:role/Target\" }";
    let xc = |p: &str| case(USER, "sts:AssumeRole", xrole, &format!("policies:\n{p}"));
    assert_eq!(
        decision(&xc(&format!("{identity}{account}"))),
        Decision::Allow
    );
    assert_eq!(decision(&xc(&account)), Decision::ImplicitDeny);
    // Key policy: identity allow is not enough unless the key policy enables IAM policies.
    let kms_id = format!("  identity:\n    - {{ name: id, document: {ALLOW_ALL} }}\n");
    let key = |p: &str| {
        format!(
            "  resource: {{ name: key, kind: key, document: {{ Statement: [{{ Effect: Allow, Principal: {p}, Action: \"kms:*\", Resource: \"*\" }}] }} }}\n"
        )
    };
    let kc = |p: &str| {
        case(
            USER,
            "kms:Decrypt",
            "arn:aws:kms:eu-west-1:111122223333:key/k",
            &format!("policies:\n{p}"),
        )
    };
    let ev = eval(&kc(&format!(
        "{kms_id}{}",
        key("{ AWS: \"arn:aws:iam::111122223333:role/Admin\" }")
    )));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert_eq!(ev.deciding_policy.unwrap().name, "key");
    assert_eq!(
        decision(&kc(&format!(
            "{kms_id}{}",
            key("{ AWS: \"arn:aws:iam::111122223333:root\" }")
        ))),
        Decision::Allow
    );
}

#[test]
fn service_principals_need_a_resource_policy_grant() {
    let svc = "cloudtrail.amazonaws.com";
    let bp = |p: &str| {
        format!(
            "policies:\n  resource: {{ name: bp, kind: bucket, document: {{ Statement: [{{ Effect: Allow, Principal: {{ Service: {p} }}, Action: \"s3:PutObject\", Resource: \"*\" }}] }} }}\n"
        )
    };
    assert_eq!(
        decision(&case(svc, "s3:PutObject", "arn:aws:s3:::trail/k", &bp(svc))),
        Decision::Allow
    );
    assert_eq!(
        decision(&case(
            svc,
            "s3:PutObject",
            "arn:aws:s3:::trail/k",
            &bp("config.amazonaws.com")
        )),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_action_not_resource_not_principal() {
    // NotAction: the Resource still limits the statement.
    let doc =
        r#"{ Statement: [{ Effect: Allow, NotAction: "iam:*", Resource: "arn:aws:s3:::b/*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {doc} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::b/k", &p)),
        Decision::Allow
    );
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::other/k", &p)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&case(USER, "iam:GetUser", "arn:aws:s3:::b/k", &p)),
        Decision::ImplicitDeny
    );
    // Deny + NotResource grants nothing.
    let doc =
        r#"{ Statement: [{ Effect: Deny, Action: "s3:*", NotResource: "arn:aws:s3:::b/*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {doc} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::b/k", &p)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::x/k", &p)),
        Decision::ExplicitDeny
    );
    // NotPrincipal: listed with its account -> excluded; others denied; a boundary always denies.
    let np = format!(
        "  identity:\n    - {{ name: id, document: {ALLOW_S3} }}\n  resource:\n    name: bp\n    kind: bucket\n    document: {{ Statement: [{{ Effect: Deny, NotPrincipal: {{ AWS: [\"{USER}\", \"arn:aws:iam::111122223333:root\"] }}, Action: \"s3:*\", Resource: \"*\" }}] }}\n"
    );
    assert_eq!(
        decision(&case(
            USER,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!("policies:\n{np}")
        )),
        Decision::Allow
    );
    assert_eq!(
        decision(&case(
            "arn:aws:iam::111122223333:user/bob",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!("policies:\n{np}")
        )),
        Decision::ExplicitDeny
    );
    let with_boundary = format!("policies:\n{np}  boundary: {{ name: b, document: {ALLOW_S3} }}\n");
    let ev = eval(&case(
        USER,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        &with_boundary,
    ));
    assert_eq!(ev.decision, Decision::ExplicitDeny);
    assert!(
        ev.notes.iter().any(|n| n.contains("NotPrincipal")),
        "{:?}",
        ev.notes
    );
}

#[test]
fn case_rules_and_wildcards() {
    let doc = r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "S3:get*", Resource: "arn:aws:s3:::Bucket/*", Condition: { StringEquals: { "AWS:USERNAME": "alice" } } }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {doc} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::Bucket/k", &p)),
        Decision::Allow
    );
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::bucket/k", &p)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&case(
            "arn:aws:iam::111122223333:user/Alice",
            "s3:GetObject",
            "arn:aws:s3:::Bucket/k",
            &p
        )),
        Decision::ImplicitDeny
    );
    let q = r#"{ Statement: [{ Effect: Allow, Action: "s3:Get?bject", Resource: "*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {q} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::b/k", &p)),
        Decision::Allow
    );
}

#[test]
fn policy_variables() {
    // Version 2008-10-17 treats ${...} literally.
    let old = r#"{ Version: "2008-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/${aws:username}/*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {old} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::b/alice/k", &p)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decision(&case(
            USER,
            "s3:GetObject",
            "arn:aws:s3:::b/${aws:username}/k",
            &p
        )),
        Decision::Allow
    );
    // A variable without a value matches nothing in Resource; a default fills it.
    let tag = r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {tag} }}\n");
    let ev = eval(&case(USER, "s3:GetObject", "arn:aws:s3:::b/red/k", &p));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    assert!(
        ev.statements[0]
            .reason
            .as_ref()
            .unwrap()
            .detail
            .contains("has no value")
    );
    let tagged = format!("{{ arn: \"{USER}\", tags: {{ team: red }} }}");
    assert_eq!(
        decision(&case(&tagged, "s3:GetObject", "arn:aws:s3:::b/red/k", &p)),
        Decision::Allow
    );
    let dflt = r#"{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*" }] }"#;
    let p = format!("policies:\n  identity:\n    - {{ name: id, document: {dflt} }}\n");
    assert_eq!(
        decision(&case(USER, "s3:GetObject", "arn:aws:s3:::b/shared/k", &p)),
        Decision::Allow
    );
}

#[test]
fn condition_logic_and_or_and_explanations() {
    let doc = r#"{ Statement: [{ Sid: Office, Effect: Allow, Action: "s3:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"] }, Bool: { "aws:SecureTransport": "true" } } }] }"#;
    let p = |ctx: &str| {
        format!("policies:\n  identity:\n    - {{ name: office, document: {doc} }}\n")
            .replace("policies:", &format!("  context: {ctx}\npolicies:"))
    };
    let c = |ctx: &str| case(USER, "s3:GetObject", "arn:aws:s3:::b/k", &p(ctx));
    assert_eq!(
        decision(&c(
            r#"{ "aws:SourceIp": "198.51.100.7", "aws:SecureTransport": true }"#
        )),
        Decision::Allow
    );
    let ev = eval(&c(
        r#"{ "aws:SourceIp": "192.0.2.1", "aws:SecureTransport": true }"#,
    ));
    assert_eq!(ev.decision, Decision::ImplicitDeny);
    let reason = ev.statements[0].reason.clone().unwrap();
    assert_eq!(reason.element, "Condition");
    assert_eq!(reason.operator.as_deref(), Some("IpAddress"));
    assert_eq!(reason.key.as_deref(), Some("aws:SourceIp"));
    let ev = eval(&c(r#"{ "aws:SourceIp": "198.51.100.7" }"#));
    assert_eq!(
        ev.statements[0].reason.as_ref().unwrap().key.as_deref(),
        Some("aws:SecureTransport")
    );
    // The explanation is data: policy name and statement index of the decider.
    let ev = eval(&c(
        r#"{ "aws:SourceIp": "198.51.100.7", "aws:SecureTransport": true }"#,
    ));
    let s = ev.deciding_statement.unwrap();
    assert_eq!(
        (s.policy.as_str(), s.index, s.sid.as_deref()),
        ("office", 0, Some("Office"))
    );
    let json = serde_json::to_value(&ev.statements).unwrap();
    assert_eq!(json[0]["statement"]["policy"], "office");
}
