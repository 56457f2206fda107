//! IAM JSON policy documents: the model and a validating parser with precise errors.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::{Operator, parse_operator};
use super::json::{self, Node, Pos, Value};

/// Where a policy sits in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyType {
    /// Service control policy (organization, limits principals of member accounts).
    Scp,
    /// Resource control policy (organization, limits resources of member accounts).
    Rcp,
    /// Resource-based policy: bucket policy, key policy, role trust policy, ...
    Resource,
    /// Identity-based policy attached to the user or role (managed or inline).
    Identity,
    /// Permissions boundary of the user or role.
    Boundary,
    /// Session policy passed when the session was created.
    Session,
}

impl PolicyType {
    pub fn label(self) -> &'static str {
        match self {
            PolicyType::Scp => "SCP",
            PolicyType::Rcp => "RCP",
            PolicyType::Resource => "resource-based policy",
            PolicyType::Identity => "identity-based policy",
            PolicyType::Boundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }
}

/// What kind of resource a resource-based policy is attached to. Trust policies and
/// KMS key policies must allow the principal themselves (an identity policy alone is not enough).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Bucket,
    Key,
    Trust,
    #[default]
    Other,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Bucket => "bucket policy",
            ResourceKind::Key => "key policy",
            ResourceKind::Trust => "trust policy",
            ResourceKind::Other => "resource-based policy",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Version`; policy variables are only substituted in `2012-10-17`.
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl Policy {
    /// True when `${...}` policy variables are substituted (Version 2012-10-17).
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Principal` or `NotPrincipal` (see `not_principal`); `None` when absent.
    pub principal: Option<Vec<PrincipalEntry>>,
    pub not_principal: bool,
    /// Lower-cased action patterns of `Action` or `NotAction`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// Resource patterns; `None` when the statement has no Resource element (trust policies).
    pub resources: Option<Vec<String>>,
    pub not_resource: bool,
    pub conditions: Vec<Condition>,
    /// Position of the statement object in the policy text.
    pub pos: Option<Pos>,
}

/// One principal named in `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Any,
    /// An account: 12-digit id or `arn:aws:iam::ID:root`.
    Account(String),
    /// An IAM user, role, role session, federated user session, ... ARN.
    Arn(String),
    Service(String),
    Federated(String),
    CanonicalUser(String),
}

impl fmt::Display for PrincipalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrincipalEntry::Any => write!(f, "*"),
            PrincipalEntry::Account(a) => write!(f, "account {a}"),
            PrincipalEntry::Arn(a) => write!(f, "{a}"),
            PrincipalEntry::Service(s) => write!(f, "service {s}"),
            PrincipalEntry::Federated(s) => write!(f, "federated {s}"),
            PrincipalEntry::CanonicalUser(s) => write!(f, "canonical user {s}"),
        }
    }
}

/// One condition: operator, key and values (`"StringEquals": {"aws:username": ["a", "b"]}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator_text: String,
    /// The key as written.
    pub key: String,
    /// The key lower-cased (condition keys are case-insensitive).
    pub key_lc: String,
    pub values: Vec<String>,
    pub pos: Option<Pos>,
}

/// A policy that failed validation: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub struct PolicyError {
    /// Path inside the document, e.g. `Statement[1].Effect`.
    pub path: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = self.pos {
            write!(f, "{pos}: ")?;
        }
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Parses a JSON policy document of the given type.
pub fn parse_policy(text: &str, ty: PolicyType, kind: ResourceKind) -> Result<Policy, PolicyError> {
    let node = json::parse(text).map_err(|e| PolicyError {
        path: "(document)".into(),
        pos: Some(e.pos),
        message: e.message,
    })?;
    Policy::from_node(&node, ty, kind)
}

struct Ctx {
    ty: PolicyType,
    kind: ResourceKind,
}

/// A path inside a document (`Statement[0].Condition.Bool`), written out only for an error.
#[derive(Debug, Clone, Copy)]
enum JPath<'a> {
    Root(&'a str),
    Key(&'a JPath<'a>, &'a str),
    Index(&'a JPath<'a>, usize),
}

impl fmt::Display for JPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JPath::Root(name) => f.write_str(name),
            JPath::Key(parent, key) => write!(f, "{parent}.{key}"),
            JPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn err(path: impl fmt::Display, node: &Node, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.to_string(),
        pos: node.pos,
        message: message.into(),
    }
}

impl Policy {
    /// Validates and converts a JSON tree (positions are kept in errors and statements).
    pub fn from_node(
        node: &Node,
        ty: PolicyType,
        kind: ResourceKind,
    ) -> Result<Policy, PolicyError> {
        let ctx = Ctx { ty, kind };
        let Value::Object(members) = &node.value else {
            return Err(err(
                "(document)",
                node,
                format!("a policy must be a JSON object, found {}", node.kind()),
            ));
        };
        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for (key, key_pos, value) in members {
            match key.as_str() {
                "Version" => {
                    let v = value
                        .as_str()
                        .ok_or_else(|| err("Version", value, "Version must be a string"))?;
                    if v != "2012-10-17" && v != "2008-10-17" {
                        return Err(err(
                            "Version",
                            value,
                            format!("unknown Version \"{v}\" (use \"2012-10-17\")"),
                        ));
                    }
                    version = Some(v.to_string());
                }
                "Id" => {
                    id = Some(
                        value
                            .as_str()
                            .ok_or_else(|| err("Id", value, "Id must be a string"))?
                            .to_string(),
                    );
                }
                "Statement" => statement = Some(value),
                other => {
                    return Err(PolicyError {
                        path: other.to_string(),
                        pos: *key_pos,
                        message: format!(
                            "unknown element \"{other}\" (a policy has Version, Id and Statement)"
                        ),
                    });
                }
            }
        }
        let Some(statement) = statement else {
            return Err(err(
                "(document)",
                node,
                "the policy has no Statement element",
            ));
        };
        let root = JPath::Root("Statement");
        let statements = match &statement.value {
            Value::Object(_) => vec![parse_statement(statement, root, &ctx)?],
            Value::Array(items) => {
                if items.is_empty() {
                    return Err(err("Statement", statement, "Statement is an empty array"));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| parse_statement(s, JPath::Index(&root, i), &ctx))
                    .collect::<Result<Vec<_>, _>>()?
            }
            _ => {
                return Err(err(
                    "Statement",
                    statement,
                    format!(
                        "Statement must be an object or an array of objects, found {}",
                        statement.kind()
                    ),
                ));
            }
        };
        Ok(Policy {
            version,
            id,
            statements,
        })
    }
}

fn string_list<'a>(
    node: &'a Node,
    path: JPath,
    what: &str,
) -> Result<Vec<(&'a str, &'a Node)>, PolicyError> {
    match &node.value {
        Value::String(s) => Ok(vec![(s.as_str(), node)]),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(err(path, node, format!("{what} is an empty array")));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, n)| match &n.value {
                    Value::String(s) => Ok((s.as_str(), n)),
                    _ => Err(err(
                        JPath::Index(&path, i),
                        n,
                        format!("{what} entries must be strings, found {}", n.kind()),
                    )),
                })
                .collect()
        }
        _ => Err(err(
            path,
            node,
            format!(
                "{what} must be a string or an array of strings, found {}",
                node.kind()
            ),
        )),
    }
}

fn parse_statement<'n>(node: &'n Node, path: JPath, ctx: &Ctx) -> Result<Statement, PolicyError> {
    let Value::Object(members) = &node.value else {
        return Err(err(
            path,
            node,
            format!("a statement must be an object, found {}", node.kind()),
        ));
    };
    let mut sid = None;
    let mut effect = None;
    // (value, Not..., the key as written)
    let mut principal: Option<(&'n Node, bool, &'n str)> = None;
    let mut action: Option<(&'n Node, bool, &'n str)> = None;
    let mut resource: Option<(&'n Node, bool, &'n str)> = None;
    let mut condition = None;
    for (key, key_pos, value) in members {
        let p = JPath::Key(&path, key);
        let set = |slot: &mut Option<(&'n Node, bool, &'n str)>, not: bool, other: &str| {
            if slot.is_some() {
                return Err(PolicyError {
                    path: p.to_string(),
                    pos: *key_pos,
                    message: format!("a statement cannot have both {key} and {other}"),
                });
            }
            *slot = Some((value, not, key.as_str()));
            Ok(())
        };
        match key.as_str() {
            "Sid" => {
                sid = Some(
                    value
                        .as_str()
                        .ok_or_else(|| err(p, value, "Sid must be a string"))?
                        .to_string(),
                );
            }
            "Effect" => {
                effect = Some(match value.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    Some(other) => {
                        return Err(err(
                            p,
                            value,
                            format!(
                                "Effect must be \"Allow\" or \"Deny\" (case-sensitive), found \"{other}\""
                            ),
                        ));
                    }
                    None => {
                        return Err(err(
                            p,
                            value,
                            format!("Effect must be a string, found {}", value.kind()),
                        ));
                    }
                });
            }
            "Principal" => set(&mut principal, false, "NotPrincipal")?,
            "NotPrincipal" => set(&mut principal, true, "Principal")?,
            "Action" => set(&mut action, false, "NotAction")?,
            "NotAction" => set(&mut action, true, "Action")?,
            "Resource" => set(&mut resource, false, "NotResource")?,
            "NotResource" => set(&mut resource, true, "Resource")?,
            "Condition" => condition = Some((value, key.as_str())),
            other => {
                return Err(PolicyError {
                    path: p.to_string(),
                    pos: *key_pos,
                    message: format!(
                        "unknown element \"{other}\" (a statement has Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition; names are case-sensitive)"
                    ),
                });
            }
        }
    }
    let Some(effect) = effect else {
        return Err(err(path, node, "the statement has no Effect"));
    };

    // Principal
    let takes_principal = matches!(ctx.ty, PolicyType::Resource | PolicyType::Rcp);
    let (principal_entries, not_principal) = match principal {
        None => {
            if ctx.ty == PolicyType::Resource {
                return Err(err(
                    path,
                    node,
                    format!(
                        "a {} statement needs a Principal or NotPrincipal",
                        ctx.kind.label()
                    ),
                ));
            }
            (None, false)
        }
        Some((value, not, key)) => {
            let p = JPath::Key(&path, key);
            let element = if not { "NotPrincipal" } else { "Principal" };
            if !takes_principal {
                return Err(err(
                    p,
                    value,
                    format!(
                        "{element} is not allowed in an {} (it applies to the principal it is attached to)",
                        ctx.ty.label()
                    ),
                ));
            }
            if not && effect == Effect::Allow {
                return Err(err(
                    p,
                    value,
                    "NotPrincipal can only be used with \"Effect\": \"Deny\"",
                ));
            }
            if not && ctx.kind == ResourceKind::Trust {
                return Err(err(
                    p,
                    value,
                    "NotPrincipal is not allowed in a role trust policy",
                ));
            }
            (Some(parse_principal(value, p)?), not)
        }
    };

    // Action
    let Some((action_node, not_action, action_key)) = action else {
        return Err(err(path, node, "the statement has no Action or NotAction"));
    };
    let action_path = JPath::Key(&path, action_key);
    let mut actions = Vec::new();
    for (i, (a, n)) in string_list(action_node, action_path, "Action")?
        .into_iter()
        .enumerate()
    {
        if !valid_action(a) {
            let p = if matches!(action_node.value, Value::Array(_)) {
                format!("{action_path}[{i}]")
            } else {
                action_path.to_string()
            };
            return Err(err(
                &p,
                n,
                format!("malformed action \"{a}\" (expected \"service:Action\" or \"*\")"),
            ));
        }
        actions.push(a.to_ascii_lowercase());
    }

    // Resource
    let (resources, not_resource) = match resource {
        None => match ctx.ty {
            PolicyType::Scp | PolicyType::Rcp => (Some(vec!["*".to_string()]), false),
            PolicyType::Resource if ctx.kind == ResourceKind::Trust => (None, false),
            _ => {
                return Err(err(
                    path,
                    node,
                    "the statement has no Resource or NotResource",
                ));
            }
        },
        Some((value, not, key)) => {
            let p = JPath::Key(&path, key);
            if ctx.kind == ResourceKind::Trust && ctx.ty == PolicyType::Resource {
                return Err(err(
                    p,
                    value,
                    "a role trust policy cannot have Resource or NotResource",
                ));
            }
            let mut out = Vec::new();
            for (i, (r, n)) in string_list(value, p, "Resource")?.into_iter().enumerate() {
                if !valid_resource_arn(r) {
                    let ep = if matches!(value.value, Value::Array(_)) {
                        format!("{p}[{i}]")
                    } else {
                        p.to_string()
                    };
                    return Err(err(
                        &ep,
                        n,
                        format!(
                            "malformed ARN \"{r}\" (expected \"*\" or arn:partition:service:region:account:resource)"
                        ),
                    ));
                }
                out.push(r.to_string());
            }
            (Some(out), not)
        }
    };

    // Condition
    let mut conditions = Vec::new();
    if let Some((cnode, ckey)) = condition {
        let cpath = JPath::Key(&path, ckey);
        let Value::Object(ops) = &cnode.value else {
            return Err(err(
                cpath,
                cnode,
                format!("Condition must be an object, found {}", cnode.kind()),
            ));
        };
        for (op_text, op_pos, block) in ops {
            let op_path = JPath::Key(&cpath, op_text);
            let operator = parse_operator(op_text).map_err(|message| PolicyError {
                path: op_path.to_string(),
                pos: *op_pos,
                message,
            })?;
            let Value::Object(keys) = &block.value else {
                return Err(err(
                    op_path,
                    block,
                    format!(
                        "the {op_text} block must be an object of condition keys, found {}",
                        block.kind()
                    ),
                ));
            };
            if keys.is_empty() {
                return Err(err(
                    op_path,
                    block,
                    format!("the {op_text} block has no condition keys"),
                ));
            }
            for (key, key_pos, values) in keys {
                let key_path = JPath::Key(&op_path, key);
                let vals = condition_values(values, key_path)?;
                if matches!(operator.base, super::condition::OpBase::Null) {
                    for (v, n) in vals.iter().zip(value_nodes(values)) {
                        if !valid_flag(v) {
                            return Err(err(
                                key_path,
                                n,
                                format!("Null takes \"true\" or \"false\", found \"{v}\""),
                            ));
                        }
                    }
                }
                if matches!(operator.base, super::condition::OpBase::Bool) {
                    for (v, n) in vals.iter().zip(value_nodes(values)) {
                        if !valid_flag(v) {
                            return Err(err(
                                key_path,
                                n,
                                format!("Bool takes \"true\" or \"false\", found \"{v}\""),
                            ));
                        }
                    }
                }
                conditions.push(Condition {
                    operator,
                    operator_text: op_text.clone(),
                    key: key.clone(),
                    key_lc: key.to_ascii_lowercase(),
                    values: vals,
                    pos: *key_pos,
                });
            }
        }
    }

    Ok(Statement {
        sid,
        effect,
        principal: principal_entries,
        not_principal,
        actions,
        not_action,
        resources,
        not_resource,
        conditions,
        pos: node.pos,
    })
}

fn value_nodes(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![node],
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn condition_values(node: &Node, path: JPath) -> Result<Vec<String>, PolicyError> {
    match &node.value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(err(path, node, "a condition key needs at least one value"));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    scalar_text(n).ok_or_else(|| {
                        err(
                            format!("{path}[{i}]"),
                            n,
                            format!("condition values must be strings, numbers or booleans, found {}", n.kind()),
                        )
                    })
                })
                .collect()
        }
        _ => scalar_text(node).map(|v| vec![v]).ok_or_else(|| {
            err(
                path,
                node,
                format!("condition values must be strings, numbers, booleans or an array of them, found {}", node.kind()),
            )
        }),
    }
}

/// True for `*` and for `service:Action` patterns (letters, digits, `-`, `_`, wildcards).
pub(crate) fn valid_action(a: &str) -> bool {
    a == "*"
        || a.split_once(':').is_some_and(|(svc, act)| {
            !svc.is_empty()
                && !act.is_empty()
                && svc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?')
                && act.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '*' || c == '?' || c == '-' || c == '_'
                })
        })
}

/// The entry for one value of a `Principal` member (`"AWS"`, `"Service"`, ...): `None` for an
/// unknown principal type, `Some(Err(message))` for a malformed value.
pub(crate) fn principal_entry(kind: &str, s: &str) -> Option<Result<PrincipalEntry, String>> {
    Some(match kind {
        "AWS" => {
            if s == "*" {
                Ok(PrincipalEntry::Any)
            } else if is_account_id(s) {
                Ok(PrincipalEntry::Account(s.to_string()))
            } else if s.starts_with("arn:") {
                let parts: Vec<&str> = s.splitn(6, ':').collect();
                if parts.len() != 6 || !is_account_id(parts[4]) || parts[5].is_empty() {
                    Err(format!("malformed principal ARN \"{s}\""))
                } else if s.contains('*') || s.contains('?') {
                    Err(format!(
                        "wildcards cannot match part of a principal ARN (\"{s}\"); use \"*\" with an aws:PrincipalArn condition"
                    ))
                } else if parts[2] == "iam" && parts[5] == "root" {
                    Ok(PrincipalEntry::Account(parts[4].to_string()))
                } else {
                    Ok(PrincipalEntry::Arn(s.to_string()))
                }
            } else {
                Err(format!(
                    "malformed AWS principal \"{s}\" (expected \"*\", a 12-digit account id or an ARN)"
                ))
            }
        }
        "Service" => {
            if s.is_empty() || s.contains('*') {
                Err(format!("malformed service principal \"{s}\""))
            } else {
                Ok(PrincipalEntry::Service(s.to_ascii_lowercase()))
            }
        }
        "Federated" => Ok(PrincipalEntry::Federated(s.to_string())),
        "CanonicalUser" => Ok(PrincipalEntry::CanonicalUser(s.to_string())),
        _ => return None,
    })
}

/// True when a `Null` or `Bool` condition value is `true` or `false` (any case).
pub(crate) fn valid_flag(v: &str) -> bool {
    v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
}

/// True for `*` and for ARNs with six colon-separated parts.
pub fn valid_resource_arn(r: &str) -> bool {
    // Six parts: at least five colons.
    r == "*" || (r.starts_with("arn:") && r.bytes().filter(|&b| b == b':').count() >= 5)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn parse_principal(node: &Node, path: JPath) -> Result<Vec<PrincipalEntry>, PolicyError> {
    match &node.value {
        Value::String(s) if s == "*" => Ok(vec![PrincipalEntry::Any]),
        Value::String(s) => Err(err(
            path,
            node,
            format!(
                "a principal string must be \"*\"; name \"{s}\" inside {{\"AWS\": ...}}, {{\"Service\": ...}}, ..."
            ),
        )),
        Value::Object(members) => {
            if members.is_empty() {
                return Err(err(path, node, "the principal object is empty"));
            }
            let mut out = Vec::new();
            for (key, key_pos, value) in members {
                let p = JPath::Key(&path, key);
                let list = string_list(value, p, key)?;
                for (i, (s, n)) in list.into_iter().enumerate() {
                    let ep = || {
                        if matches!(value.value, Value::Array(_)) {
                            format!("{p}[{i}]")
                        } else {
                            p.to_string()
                        }
                    };
                    let entry = match principal_entry(key, s) {
                        Some(Ok(entry)) => entry,
                        Some(Err(message)) => return Err(err(ep(), n, message)),
                        None => {
                            return Err(PolicyError {
                                path: p.to_string(),
                                pos: *key_pos,
                                message: format!(
                                    "unknown principal type \"{key}\" (use AWS, Service, Federated or CanonicalUser)"
                                ),
                            });
                        }
                    };
                    out.push(entry);
                }
            }
            Ok(out)
        }
        _ => Err(err(
            path,
            node,
            format!(
                "a principal must be \"*\" or an object, found {}",
                node.kind()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(text: &str) -> Result<Policy, PolicyError> {
        parse_policy(text, PolicyType::Identity, ResourceKind::Other)
    }

    #[test]
    fn statement_object_or_array() {
        let p = identity(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:Get*","Resource":"*"}}"#).unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].actions, vec!["s3:get*"]);
        let p = identity(r#"{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:s3:::b"}]}"#).unwrap();
        assert!(p.statements[0].not_action && p.statements[0].not_resource);
        assert_eq!(p.statements[0].sid.as_deref(), Some("A"));
        assert!(!p.variables_enabled());
    }

    #[test]
    fn principals_parse() {
        let p = parse_policy(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a"],"Service":"Lambda.amazonaws.com"},"Action":"s3:*","Resource":"*"}}"#,
            PolicyType::Resource,
            ResourceKind::Bucket,
        )
        .unwrap();
        assert_eq!(
            p.statements[0].principal.as_ref().unwrap(),
            &vec![
                PrincipalEntry::Account("111122223333".into()),
                PrincipalEntry::Account("111122223333".into()),
                PrincipalEntry::Arn("arn:aws:iam::111122223333:user/a".into()),
                PrincipalEntry::Service("lambda.amazonaws.com".into()),
            ]
        );
    }

    #[test]
    fn errors_have_path_and_position() {
        let e = identity("{\n \"Statement\": [\n  {\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n ]\n}").unwrap_err();
        assert_eq!(e.path, "Statement[0].Effect");
        assert_eq!(
            e.pos,
            Some(Pos {
                line: 3,
                column: 14
            })
        );
        assert!(
            e.to_string()
                .starts_with("3:14: Statement[0].Effect: Effect must be")
        );
    }

    #[test]
    fn trust_policy_rules() {
        let ok = parse_policy(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
            PolicyType::Resource,
            ResourceKind::Trust,
        )
        .unwrap();
        assert!(ok.statements[0].resources.is_none());
        let e = parse_policy(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}"#,
            PolicyType::Resource,
            ResourceKind::Trust,
        )
        .unwrap_err();
        assert_eq!(e.path, "Statement.Resource");
    }

    #[test]
    fn scp_resource_defaults_to_star() {
        let p = parse_policy(
            r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
            PolicyType::Scp,
            ResourceKind::Other,
        )
        .unwrap();
        assert_eq!(p.statements[0].resources, Some(vec!["*".to_string()]));
    }
}
