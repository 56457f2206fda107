//! Policy validation modelled on IAM Access Analyzer: every finding of a valid document at
//! once, each with a severity, an id, the JSON path (with indexes) and line:column, and a
//! one-line fix. Checks against the embedded service reference ([`super::reference`]):
//! unknown services, actions and condition keys (with "did you mean"), wildcards that match
//! no action, resources and condition keys no action of the statement supports, operator and
//! key type mismatches; and on the document itself: invalid values, duplicate Sids, policy
//! variables without Version 2012-10-17, Allow with NotAction or NotResource, and grants of
//! privilege-escalation actions. The lints of [`super::lint`] are included.
//!
//! Access Analyzer's checks: <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>

use serde::Serialize;

use super::condition::{OpBase, value_problem};
use super::document::{Effect, Policy, PolicyType, ResourceKind, Statement};
use super::json::{Node, Pos, Value};
use super::lint;
use super::pattern;
use super::reference::{KeyType, Reference, reference};

/// How serious a finding is (Access Analyzer's four finding types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable id, e.g. `unknown-action`.
    pub id: &'static str,
    pub severity: Severity,
    /// JSON path with indexes, e.g. `Statement[0].Action[1]`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<Pos>,
    pub message: String,
    /// One line saying how to fix it.
    pub fix: String,
}

/// A string element of a statement with its path and position.
struct Item<'a> {
    text: &'a str,
    path: String,
    pos: Option<Pos>,
}

/// The strings of `Action`, `Resource`, ... of a statement node.
fn items<'a>(st: &'a Node, base: &str, key: &str) -> Vec<Item<'a>> {
    match st.get(key) {
        Some(Node {
            value: Value::String(s),
            pos,
        }) => vec![Item {
            text: s,
            path: format!("{base}.{key}"),
            pos: *pos,
        }],
        Some(Node {
            value: Value::Array(list),
            ..
        }) => list
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                n.as_str().map(|text| Item {
                    text,
                    path: format!("{base}.{key}[{i}]"),
                    pos: n.pos,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Statement nodes with their JSON paths (`Statement[i]`, or `Statement` for a lone object).
fn statement_nodes(root: &Node) -> Vec<(&Node, String)> {
    match root.get("Statement") {
        Some(Node {
            value: Value::Array(list),
            ..
        }) => list
            .iter()
            .enumerate()
            .map(|(i, n)| (n, format!("Statement[{i}]")))
            .collect(),
        Some(n) => vec![(n, "Statement".to_string())],
        None => Vec::new(),
    }
}

/// Actions that let a principal raise its own permissions when granted on every resource.
/// Published escalation paths: <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-versions.html>,
/// <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>.
const ESCALATION: &[&str] = &[
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "sts:AssumeRole",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
];

/// Runs every check over a valid policy. `root` is the document's JSON tree.
pub fn check(policy: &Policy, root: &Node, ty: PolicyType, kind: ResourceKind) -> Vec<Finding> {
    let r = reference();
    let mut out = Vec::new();
    let nodes = statement_nodes(root);
    for ((st_node, base), st) in nodes.iter().zip(&policy.statements) {
        check_actions(r, st, st_node, base, &mut out);
        check_resources(r, st, st_node, base, &mut out);
        check_conditions(r, st, st_node, base, &mut out);
        check_effect_shape(st, st_node, base, &mut out);
        check_escalation(st, st_node, base, &mut out);
        check_redundant(st_node, base, &mut out);
    }
    check_sids(&nodes, &mut out);
    check_variables(policy, root, &nodes, &mut out);
    for f in lint::lint(policy, ty, kind) {
        let index = f
            .path
            .strip_prefix("Statement[")
            .and_then(|p| p.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(0);
        let Some((st_node, base)) = nodes.get(index) else {
            continue;
        };
        let rest = f
            .path
            .split_once('.')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let element = rest.split('.').next().unwrap_or_default();
        // The Principal or Action value itself rather than the statement.
        let pos = match st_node.get(element) {
            Some(n) if matches!(element, "Principal" | "Action") => n.pos.or(f.pos),
            _ => f.pos,
        };
        let path = format!("{base}.{rest}");
        let (severity, fix) = match f.code {
            "principal-star-without-condition" => (
                Severity::SecurityWarning,
                "name the principals, or add a condition such as aws:PrincipalOrgID or aws:SourceAccount",
            ),
            "admin-star" => (
                Severity::SecurityWarning,
                "grant only the actions and resources the principal needs",
            ),
            "source-ip-private-range" => (
                Severity::Warning,
                "use aws:VpcSourceIp or aws:SourceVpce for private addresses",
            ),
            _ => (Severity::Warning, "use BoolIfExists"),
        };
        out.push(Finding {
            id: f.code,
            severity,
            path,
            pos,
            message: f.message,
            fix: fix.to_string(),
        });
    }
    out.sort_by_key(|f| (f.pos.map(|p| (p.line, p.column)), f.severity));
    out
}

fn push(
    out: &mut Vec<Finding>,
    id: &'static str,
    severity: Severity,
    item: &Item,
    message: String,
    fix: String,
) {
    out.push(Finding {
        id,
        severity,
        path: item.path.clone(),
        pos: item.pos,
        message,
        fix,
    });
}

fn check_actions(r: &Reference, st: &Statement, node: &Node, base: &str, out: &mut Vec<Finding>) {
    let key = if st.not_action { "NotAction" } else { "Action" };
    for item in items(node, base, key) {
        let a = item.text;
        if a == "*" {
            continue;
        }
        let Some((prefix, name)) = a.split_once(':') else {
            continue;
        };
        if pattern::has_wildcard(prefix) {
            push(
                out,
                "service-wildcard",
                Severity::Error,
                &item,
                format!(
                    "\"{a}\" has a wildcard in the service prefix; IAM does not expand wildcards in service names"
                ),
                "name the service, e.g. s3:GetObject, and list several services separately".into(),
            );
            continue;
        }
        let Some(service) = r.service(prefix) else {
            let hint = r
                .suggest_service(prefix)
                .map(|s| format!("did you mean {s}? "))
                .unwrap_or_default();
            push(
                out,
                "unknown-service",
                Severity::Error,
                &item,
                format!("\"{prefix}\" in \"{a}\" is not an AWS service prefix"),
                format!("{hint}use a prefix from the Service Authorization Reference"),
            );
            continue;
        };
        if pattern::has_wildcard(name) {
            if r.expand(a).is_ok_and(|m| m.is_empty()) {
                push(
                    out,
                    "wildcard-matches-no-action",
                    Severity::Error,
                    &item,
                    format!("\"{a}\" matches no action of {}", service.name),
                    format!(
                        "check the spelling; `iamdrill policy expand '{prefix}:*'` lists the actions"
                    ),
                );
            }
        } else if service.action(name).is_none() {
            let hint = r
                .suggest_action(service, name)
                .map(|s| format!("did you mean {s}?"))
                .unwrap_or_else(|| {
                    format!("`iamdrill policy expand '{prefix}:*'` lists the actions")
                });
            push(
                out,
                "unknown-action",
                Severity::Error,
                &item,
                format!("\"{a}\" is not an action of {}", service.name),
                hint,
            );
        }
    }
}

/// The actions a statement's `Action` grants, from the reference (empty for NotAction, `*`
/// or any unknown service, where nothing can be said).
fn granted<'r>(r: &'r Reference, st: &Statement) -> Option<Vec<super::reference::Match<'r>>> {
    if st.not_action || st.actions.iter().any(|a| a == "*") {
        return None;
    }
    let mut all = Vec::new();
    for a in &st.actions {
        let (prefix, _) = a.split_once(':')?;
        if pattern::has_wildcard(prefix) {
            return None;
        }
        all.extend(r.expand(a).ok()?);
    }
    (!all.is_empty()).then_some(all)
}

/// A resource ARN format such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}` as a
/// glob (`arn:*:s3:::*/*`).
fn format_glob(arn: &str) -> String {
    let mut out = String::with_capacity(arn.len());
    let mut rest = arn;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push('*');
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Whether an ARN pattern of a policy and an ARN format glob can name the same ARN, compared
/// part by part like ARNs are (partition, service, region, account, resource), so a `*` of
/// one part does not reach into the next.
fn arns_intersect(format: &str, res: &str) -> bool {
    match (pattern::split6_str(format), pattern::split6_str(res)) {
        (Some(f), Some(r)) => f
            .iter()
            .zip(&r)
            .all(|(f, r)| pattern::globs_intersect(f, r)),
        _ => pattern::globs_intersect(format, res),
    }
}

fn check_resources(r: &Reference, st: &Statement, node: &Node, base: &str, out: &mut Vec<Finding>) {
    if st.not_resource {
        return;
    }
    let Some(actions) = granted(r, st) else {
        return;
    };
    for item in items(node, base, "Resource") {
        let res = item.text;
        if res == "*" || res.contains("${") {
            continue;
        }
        // Some ARN of an action's resource type matches the entry.
        let supported = actions.iter().any(|m| {
            m.action.resources.iter().any(|(name, _)| {
                m.service
                    .resource(name)
                    .is_some_and(|rt| arns_intersect(&format_glob(&rt.arn), res))
            })
        });
        if !supported {
            let names: Vec<String> = actions.iter().take(3).map(|m| m.full_name()).collect();
            push(
                out,
                "resource-not-supported",
                Severity::Warning,
                &item,
                format!(
                    "no action of the statement ({}{}) works on a resource like \"{res}\", so this entry grants nothing",
                    names.join(", "),
                    if actions.len() > 3 { ", ..." } else { "" }
                ),
                "use the ARN format of the actions' resource types (`iamdrill policy expand ACTION --json` lists them)".into(),
            );
        }
    }
}

/// True when the reference's key `listed` (maybe a `${...}` template) names `key_lc`.
fn key_listed(listed: &str, key_lc: &str) -> bool {
    let l = listed.to_ascii_lowercase();
    match l.split_once("${") {
        Some((prefix, rest)) => {
            let suffix = rest.split_once('}').map(|(_, s)| s).unwrap_or("");
            key_lc.starts_with(prefix) && key_lc.ends_with(suffix)
        }
        None => l == key_lc,
    }
}

/// The operator families a key type accepts.
fn type_fits(op: OpBase, ty: KeyType) -> bool {
    use OpBase::*;
    match op.positive() {
        Null | BinaryEquals => true,
        StringEquals | StringEqualsIgnoreCase | StringLike => {
            matches!(ty, KeyType::String | KeyType::Arn | KeyType::Other)
        }
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => matches!(ty, KeyType::Numeric | KeyType::Other),
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => matches!(ty, KeyType::Date | KeyType::Other),
        Bool => matches!(ty, KeyType::Bool | KeyType::Other),
        IpAddress => matches!(ty, KeyType::IpAddress | KeyType::Other),
        ArnEquals | ArnLike => matches!(ty, KeyType::Arn | KeyType::Other),
        _ => true,
    }
}

fn family(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "String",
        KeyType::Arn => "Arn or String",
        KeyType::Bool => "Bool",
        KeyType::Numeric => "Numeric",
        KeyType::Date => "Date",
        KeyType::IpAddress => "IpAddress",
        KeyType::Other => "any",
    }
}

fn check_conditions(
    r: &Reference,
    st: &Statement,
    node: &Node,
    base: &str,
    out: &mut Vec<Finding>,
) {
    let actions = granted(r, st);
    for c in &st.conditions {
        let cpath = format!("{base}.Condition.{}.{}", c.operator_text, c.key);
        let key_node = node
            .get("Condition")
            .and_then(|n| n.get(&c.operator_text))
            .and_then(|n| n.get(&c.key));
        let item = Item {
            text: &c.key,
            path: cpath.clone(),
            pos: c.pos,
        };
        // Values: invalid for the operator.
        let values: Vec<Item> = match key_node {
            Some(Node {
                value: Value::Array(list),
                ..
            }) => list
                .iter()
                .enumerate()
                .map(|(i, n)| Item {
                    text: n.as_str().unwrap_or(""),
                    path: format!("{cpath}[{i}]"),
                    pos: n.pos,
                })
                .collect(),
            Some(n) => vec![Item {
                text: n.as_str().unwrap_or(""),
                path: cpath.clone(),
                pos: n.pos,
            }],
            None => Vec::new(),
        };
        for (v, raw) in values.iter().zip(&c.values) {
            if let Some(problem) = value_problem(c.operator.base, raw) {
                let (id, fix) = match c.operator.base.positive() {
                    OpBase::ArnEquals | OpBase::ArnLike => (
                        "short-arn-value",
                        "write all six parts, with * for the parts that may vary (arn:aws:sns:*:*:topic1)",
                    ),
                    _ => ("invalid-value", "write the value in the operator's format"),
                };
                push(out, id, Severity::Error, v, problem, fix.into());
            }
        }
        let prefix = c.key_lc.split_once(':').map(|(p, _)| p).unwrap_or("");
        let info = r.condition_key(&c.key);
        let Some(info) = info else {
            // Keys of identity providers (`accounts.google.com:aud`, OIDC URLs) are open-ended.
            let checkable = prefix == "aws" || r.service(prefix).is_some();
            if checkable {
                let hint = r
                    .suggest_condition_key(&c.key)
                    .map(|k| format!("did you mean {k}?"))
                    .unwrap_or_else(|| {
                        "check the key in the Service Authorization Reference".into()
                    });
                push(
                    out,
                    "unknown-condition-key",
                    if prefix == "aws" {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    &item,
                    format!(
                        "\"{}\" is not a known condition key, so it is never in a request",
                        c.key
                    ),
                    hint,
                );
            }
            continue;
        };
        if !type_fits(c.operator.base, info.ty) {
            push(
                out,
                "operator-type-mismatch",
                Severity::Error,
                &item,
                format!(
                    "{} compares {} values, but {} is of type {}",
                    c.operator_text,
                    c.operator.base.positive().name(),
                    c.key,
                    info.label()
                ),
                format!("use a {} operator", family(info.ty)),
            );
        }
        if info.multivalued && c.operator.set.is_none() && c.operator.base != OpBase::Null {
            push(
                out,
                "multivalued-key-without-set-operator",
                Severity::Warning,
                &item,
                format!(
                    "{} can hold several values, and {} without ForAnyValue/ForAllValues compares them as if it held one",
                    c.key, c.operator_text
                ),
                format!("write ForAnyValue:{0} or ForAllValues:{0}", c.operator_text),
            );
        }
        if !info.multivalued && c.operator.set.is_some() {
            push(
                out,
                "set-operator-on-single-valued-key",
                Severity::Warning,
                &item,
                format!(
                    "{} has a single value; {} is meant for multivalued keys (ForAllValues is also true when the key is missing)",
                    c.key, c.operator_text
                ),
                "drop the ForAllValues/ForAnyValue prefix".into(),
            );
        }
        // A service key that no action of the statement supports.
        if prefix != "aws"
            && let Some(actions) = &actions
            && actions
                .iter()
                .any(|m| m.service.prefix.eq_ignore_ascii_case(prefix))
            && !actions.iter().any(|m| {
                m.action
                    .condition_keys
                    .iter()
                    .any(|k| key_listed(k, &c.key_lc))
                    || m.action.resources.iter().any(|(name, _)| {
                        m.service.resource(name).is_some_and(|rt| {
                            rt.condition_keys.iter().any(|k| key_listed(k, &c.key_lc))
                        })
                    })
            })
        {
            push(
                out,
                "condition-key-not-supported",
                Severity::Warning,
                &item,
                format!("no action of the statement supports the condition key {}, so requests never carry it", c.key),
                "use a key the actions list (`iamdrill policy expand ACTION`) or move the condition".into(),
            );
        }
    }
}

fn check_effect_shape(st: &Statement, node: &Node, base: &str, out: &mut Vec<Finding>) {
    if st.effect != Effect::Allow {
        return;
    }
    let star_resource = st
        .resources
        .as_ref()
        .is_some_and(|r| r.iter().any(|r| r == "*"));
    if st.not_action {
        let item = Item {
            text: "",
            path: format!("{base}.NotAction"),
            pos: node.get("NotAction").and_then(|n| n.pos),
        };
        push(
            out,
            "allow-not-action",
            if star_resource && !st.not_resource {
                Severity::SecurityWarning
            } else {
                Severity::Warning
            },
            &item,
            format!(
                "Allow with NotAction grants every action not listed{}, including actions of services added later",
                if star_resource {
                    " on every resource"
                } else {
                    ""
                }
            ),
            "list the actions to allow in Action instead".into(),
        );
    }
    if st.not_resource {
        let item = Item {
            text: "",
            path: format!("{base}.NotResource"),
            pos: node.get("NotResource").and_then(|n| n.pos),
        };
        push(
            out,
            "allow-not-resource",
            Severity::SecurityWarning,
            &item,
            "Allow with NotResource grants the actions on every resource not listed, including resources created later".into(),
            "list the resources to allow in Resource instead".into(),
        );
    }
}

fn check_escalation(st: &Statement, node: &Node, base: &str, out: &mut Vec<Finding>) {
    if st.effect != Effect::Allow || st.actions.iter().any(|a| a == "*") {
        return; // `*` is reported as admin-star.
    }
    let every_resource = st.not_resource
        || st
            .resources
            .as_ref()
            .is_some_and(|r| r.iter().any(|r| r == "*"));
    if !every_resource {
        return;
    }
    let grants = |target: &str| {
        let hit = st.actions.iter().any(|a| pattern::glob(a, target, true));
        hit != st.not_action
    };
    let found: Vec<&str> = ESCALATION.iter().copied().filter(|a| grants(a)).collect();
    if found.is_empty() {
        return;
    }
    let key = if st.not_action { "NotAction" } else { "Action" };
    let item = Item {
        text: "",
        path: format!("{base}.{key}"),
        pos: node.get(key).and_then(|n| n.pos),
    };
    let shown: Vec<&str> = found.iter().take(4).copied().collect();
    push(
        out,
        "privilege-escalation",
        Severity::SecurityWarning,
        &item,
        format!(
            "the statement grants {}{} on every resource: each lets the principal give itself more permissions (pass or assume a more powerful role, change or attach policies, create credentials)",
            shown.join(", "),
            if found.len() > 4 { ", ..." } else { "" }
        ),
        "limit Resource to the roles, users or policies needed (and iam:PassRole with an iam:PassedToService condition)".into(),
    );
}

/// Entries of `Action`, `NotAction`, `Resource` or `NotResource` that another entry of the same
/// list already covers (`s3:GetObject` beside `s3:Get*`): Access Analyzer's "redundant action"
/// and "redundant resource" suggestions.
fn check_redundant(node: &Node, base: &str, out: &mut Vec<Finding>) {
    for (key, ignore_case) in [
        ("Action", true),
        ("NotAction", true),
        ("Resource", false),
        ("NotResource", false),
    ] {
        let list = items(node, base, key);
        for (i, item) in list.iter().enumerate() {
            let cover = list.iter().enumerate().find(|(j, other)| {
                *j != i
                    // A `?` cannot stand for the any-length `*` of the entry it would cover.
                    && !(item.text.contains('*') && other.text.contains('?'))
                    // `s*:GetObject` is an error of its own, not a cover.
                    && !other.text.split_once(':').is_some_and(|(p, _)| pattern::has_wildcard(p))
                    && pattern::glob(other.text, item.text, ignore_case)
                    // Of two equal entries, the later one is the redundant one.
                    && (!pattern::glob(item.text, other.text, ignore_case) || *j < i)
            });
            if let Some((_, other)) = cover {
                let id = if key.ends_with("Action") {
                    "redundant-action"
                } else {
                    "redundant-resource"
                };
                push(
                    out,
                    id,
                    Severity::Suggestion,
                    item,
                    format!(
                        "\"{}\" is already covered by \"{}\" ({})",
                        item.text, other.text, other.path
                    ),
                    "remove the entry".into(),
                );
            }
        }
    }
}

fn check_sids(nodes: &[(&Node, String)], out: &mut Vec<Finding>) {
    let mut seen: Vec<&str> = Vec::new();
    for (node, base) in nodes {
        let Some(sid_node) = node.get("Sid") else {
            continue;
        };
        let Some(sid) = sid_node.as_str() else {
            continue;
        };
        if seen.contains(&sid) && !sid.is_empty() {
            let item = Item {
                text: sid,
                path: format!("{base}.Sid"),
                pos: sid_node.pos,
            };
            push(
                out,
                "duplicate-sid",
                Severity::Error,
                &item,
                format!(
                    "the Sid \"{sid}\" is used by an earlier statement; Sids must be unique in a policy"
                ),
                "rename one of the statements".into(),
            );
        }
        seen.push(sid);
    }
}

fn check_variables(
    policy: &Policy,
    root: &Node,
    nodes: &[(&Node, String)],
    out: &mut Vec<Finding>,
) {
    if policy.variables_enabled() {
        return;
    }
    for (node, base) in nodes {
        let mut hits: Vec<Item> = Vec::new();
        for key in ["Resource", "NotResource"] {
            hits.extend(
                items(node, base, key)
                    .into_iter()
                    .filter(|i| i.text.contains("${")),
            );
        }
        if let Some(Node {
            value: Value::Object(ops),
            ..
        }) = node.get("Condition")
        {
            for (op, _, keys) in ops {
                if let Value::Object(keys) = &keys.value {
                    for (key, _, values) in keys {
                        let kpath = format!("{base}.Condition.{op}.{key}");
                        match &values.value {
                            Value::String(v) => hits.push(Item {
                                text: v,
                                path: kpath,
                                pos: values.pos,
                            }),
                            Value::Array(list) => {
                                for (i, n) in list.iter().enumerate() {
                                    if let Some(v) = n.as_str() {
                                        hits.push(Item {
                                            text: v,
                                            path: format!("{kpath}[{i}]"),
                                            pos: n.pos,
                                        });
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        for item in hits.into_iter().filter(|i| i.text.contains("${")) {
            let version = root.get("Version").and_then(Node::as_str);
            push(
                out,
                "variable-without-version",
                Severity::Error,
                &item,
                format!(
                    "\"{}\" holds a policy variable, but {} so it is read literally and matches nothing",
                    item.text,
                    match version {
                        Some(v) => format!("the policy Version is \"{v}\""),
                        None => "the policy has no Version (2008-10-17 applies)".into(),
                    }
                ),
                "add \"Version\": \"2012-10-17\" at the top of the policy".into(),
            );
        }
    }
}

/// The findings as a SARIF 2.1.0 log (one run, one rule per finding id), for code scanning.
/// <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>
pub fn sarif(file: &str, findings: &[Finding]) -> serde_json::Value {
    use serde_json::json;
    let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.id).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    };
    let rules: Vec<serde_json::Value> = rule_ids
        .iter()
        .map(|id| {
            let f = findings
                .iter()
                .find(|f| f.id == *id)
                .expect("an id of a finding");
            json!({
                "id": id,
                "shortDescription": { "text": id.replace('-', " ") },
                "help": { "text": f.fix },
                "defaultConfiguration": { "level": level(f.severity) },
                "properties": { "tags": ["security", "iam"], "severity": f.severity.label() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "physicalLocation": { "artifactLocation": { "uri": file } },
                "logicalLocations": [{ "fullyQualifiedName": f.path, "kind": "object" }],
            });
            if let Some(p) = f.pos {
                location["physicalLocation"]["region"] =
                    json!({ "startLine": p.line, "startColumn": p.column });
            }
            json!({
                "ruleId": f.id,
                "ruleIndex": rule_ids.iter().position(|r| *r == f.id).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": format!("{} Fix: {}", f.message, f.fix) },
                "locations": [location],
                "properties": { "severity": f.severity.label(), "jsonPath": f.path },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "iamdrill policy check",
                "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::document::parse_policy;
    use crate::policy::json;

    fn ids(text: &str) -> Vec<&'static str> {
        let p = parse_policy(text, PolicyType::Identity, ResourceKind::Other).unwrap();
        let node = json::parse(text).unwrap();
        check(&p, &node, PolicyType::Identity, ResourceKind::Other)
            .into_iter()
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn clean_policy_has_no_findings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringLike":{"s3:prefix":"home/*"}}}]}"#;
        assert_eq!(ids(text), Vec::<&str>::new());
    }

    #[test]
    fn typos_are_found_with_suggestions() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObjekt","s4:GetObject","s*:GetObject","s3:Gett*"],"Resource":"arn:aws:s3:::b/*"}]}"#;
        let p = parse_policy(text, PolicyType::Identity, ResourceKind::Other).unwrap();
        let node = json::parse(text).unwrap();
        let f = check(&p, &node, PolicyType::Identity, ResourceKind::Other);
        let ids: Vec<_> = f.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [
                "unknown-action",
                "unknown-service",
                "service-wildcard",
                "wildcard-matches-no-action"
            ]
        );
        assert_eq!(f[0].path, "Statement[0].Action[0]");
        assert!(f[0].fix.contains("s3:GetObject"), "{}", f[0].fix);
        assert!(f[1].fix.contains("did you mean s3"), "{}", f[1].fix);
        assert_eq!(f[0].pos.unwrap().line, 1);
    }

    #[test]
    fn redundant_entries_are_suggestions_and_equal_entries_keep_the_first() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:getobject","s3:GetObject","s3:Get?bject","s3:List*"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b/a?c"]}]}"#;
        let p = parse_policy(text, PolicyType::Identity, ResourceKind::Other).unwrap();
        let node = json::parse(text).unwrap();
        let f = check(&p, &node, PolicyType::Identity, ResourceKind::Other);
        let got: Vec<(&str, &str, Severity)> = f
            .iter()
            .map(|f| (f.id, f.path.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "redundant-action",
                    "Statement[0].Action[0]",
                    Severity::Suggestion
                ),
                (
                    "redundant-action",
                    "Statement[0].Action[1]",
                    Severity::Suggestion
                ),
                (
                    "redundant-resource",
                    "Statement[0].Resource[1]",
                    Severity::Suggestion
                ),
            ]
        );
        // `s3:Get?bject` covers both spellings of s3:GetObject; of those two equal entries the
        // second is reported against the first.
        assert!(
            f[0].message.contains("(Statement[0].Action[2])"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message.contains("(Statement[0].Action[0])"),
            "{}",
            f[1].message
        );
        // A `?` never covers a `*`.
        assert_eq!(
            ids(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get?bject","s3:Get*bject"],"Resource":"arn:aws:s3:::b/*"}]}"#
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn escalation_names_the_actions_as_aws_spells_them() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"IAM:passrole","Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"}]}"#;
        let p = parse_policy(text, PolicyType::Identity, ResourceKind::Other).unwrap();
        let node = json::parse(text).unwrap();
        let f = check(&p, &node, PolicyType::Identity, ResourceKind::Other);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id, "privilege-escalation");
        assert_eq!(f[0].severity, Severity::SecurityWarning);
        assert!(f[0].message.contains("iam:PassRole"), "{}", f[0].message);
    }

    #[test]
    fn a_misspelt_tag_key_suggests_the_key_with_its_tag() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipleTag/team":"red"}}}]}"#;
        let p = parse_policy(text, PolicyType::Identity, ResourceKind::Other).unwrap();
        let node = json::parse(text).unwrap();
        let f = check(&p, &node, PolicyType::Identity, ResourceKind::Other);
        assert_eq!(
            f[0].path,
            "Statement[0].Condition.StringEquals.aws:PrincipleTag/team"
        );
        assert_eq!(f[0].fix, "did you mean aws:PrincipalTag/team?");
    }

    #[test]
    fn arn_patterns_meet_formats_part_by_part() {
        let stream = "arn:*:logs:*:*:log-group:*:log-stream:*";
        assert!(arns_intersect(
            stream,
            "arn:aws:logs:*:*:log-group:/aws/lambda/*:*"
        ));
        assert!(!arns_intersect(
            "arn:*:dynamodb:*:*:table/*",
            "arn:aws:s3:::b/*"
        ));
        assert!(!arns_intersect("arn:*:s3:::*/*", "arn:aws:s3:::b"));
        assert!(arns_intersect("arn:*:s3:::*", "arn:aws:s3:::b*"));
    }

    #[test]
    fn format_globs() {
        assert_eq!(
            format_glob("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            "arn:*:s3:::*/*"
        );
    }
}
