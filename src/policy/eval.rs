//! The evaluation engine: decides a request against every policy type and explains why.
//!
//! Follows the AWS evaluation logic (explicit deny first; RCP and SCP allows at every level;
//! resource-based grants by principal type in one account; both sides across accounts).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use super::condition::{self, write_list};
use super::document::{Effect, Policy, PolicyType, PrincipalEntry, ResourceKind, Statement};
use super::json::Node;
use super::pattern;
use super::request::{Context, Principal, PrincipalKind, Request};

/// A policy with the name it is shown under.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    pub name: String,
    pub policy_type: PolicyType,
    /// For resource-based policies: bucket, key, trust or other.
    pub kind: ResourceKind,
    pub policy: Policy,
    /// The document as written (serializes to JSON in source order; see [`NamedPolicy::display`]).
    /// `None` for policies read by bulk evaluation (`policy eval --jsonl`), which never shows them.
    pub document: Option<Node>,
}

impl NamedPolicy {
    /// Parses `text` as a policy of the given type.
    pub fn parse(
        name: &str,
        policy_type: PolicyType,
        kind: ResourceKind,
        text: &str,
    ) -> Result<NamedPolicy, super::document::PolicyError> {
        let node = super::json::parse(text).map_err(|e| super::document::PolicyError {
            path: "(document)".into(),
            pos: Some(e.pos),
            message: e.message,
        })?;
        Self::from_node(name, policy_type, kind, node)
    }

    /// Validates a JSON tree as a policy of the given type.
    pub fn from_node(
        name: &str,
        policy_type: PolicyType,
        kind: ResourceKind,
        document: Node,
    ) -> Result<NamedPolicy, super::document::PolicyError> {
        Ok(NamedPolicy {
            name: name.to_string(),
            policy_type,
            kind,
            policy: Policy::from_node(&document, policy_type, kind)?,
            document: Some(document),
        })
    }

    /// The document as compact JSON text (empty when it was not kept).
    pub fn json(&self) -> String {
        self.document
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The document as indented JSON text (empty when it was not kept).
    pub fn pretty(&self) -> String {
        self.document
            .as_ref()
            .and_then(|d| serde_json::to_string_pretty(d).ok())
            .unwrap_or_default()
    }

    /// Validates a JSON value as a policy of the given type.
    pub fn from_value(
        name: &str,
        policy_type: PolicyType,
        kind: ResourceKind,
        document: serde_json::Value,
    ) -> Result<NamedPolicy, super::document::PolicyError> {
        Self::from_node(name, policy_type, kind, Node::from_serde(&document))
    }

    /// Pretty JSON text of the document and the 1-based line where each statement starts,
    /// so a UI can show the policy and highlight a statement by index.
    pub fn display(&self) -> (String, Vec<usize>) {
        let text = self.pretty();
        let lines = match super::json::parse(&text) {
            Ok(node) => match node.get("Statement") {
                Some(st) => match &st.value {
                    super::json::Value::Array(items) => items
                        .iter()
                        .map(|n| n.pos.map(|p| p.line).unwrap_or(0))
                        .collect(),
                    _ => vec![st.pos.map(|p| p.line).unwrap_or(0)],
                },
                None => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        (text, lines)
    }
}

/// The policies that apply to the principal and the resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    pub identity: Vec<NamedPolicy>,
    /// Bucket policy, key policy, role trust policy, ...
    pub resource: Option<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
    pub session: Vec<NamedPolicy>,
}

/// One level of an organization chain (root, an OU, the account) with its policies.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgLevel {
    pub name: String,
    pub policies: Vec<NamedPolicy>,
}

/// An AWS Organizations organization.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Organization {
    /// `o-...`: fills `aws:PrincipalOrgID` / `aws:ResourceOrgID`.
    pub id: Option<String>,
    pub management_account: String,
    /// The accounts in the organization; empty means the principal's and the resource's accounts.
    pub accounts: Vec<String>,
    /// SCP chain of the principal's account, root first. Empty = no SCP restriction.
    pub scps: Vec<OrgLevel>,
    /// RCP chain of the resource's account, root first. Empty = only RCPFullAWSAccess.
    pub rcps: Vec<OrgLevel>,
}

impl Organization {
    fn contains(&self, account: &str, req_accounts: &[&str]) -> bool {
        account == self.management_account
            || if self.accounts.is_empty() {
                req_accounts.contains(&account)
            } else {
                self.accounts.iter().any(|a| a == account)
            }
    }
}

/// The three possible outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn words(self) -> &'static str {
        match self {
            Decision::Allow => "allowed",
            Decision::ExplicitDeny => "explicitly denied",
            Decision::ImplicitDeny => "implicitly denied",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        })
    }
}

/// A policy, by name and type (and organization level for SCPs and RCPs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    pub name: String,
    pub policy_type: PolicyType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// One statement of one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    pub policy: String,
    pub policy_type: PolicyType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// 0-based index in the policy's Statement list.
    pub index: usize,
    /// Left out of JSON when the statement has no Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    /// Line of the statement in the policy text, when known (left out of JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl StatementRef {
    /// `Sid "X"` or `statement #2` (1-based for people).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement \"{sid}\""),
            _ => format!("statement #{}", self.index + 1),
        }
    }
}

/// Why a statement did not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `Action`, `NotAction`, `Resource`, `NotResource`, `Principal`, `NotPrincipal`, `Condition` or `Scope`.
    pub element: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// What happened to one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    pub statement: StatementRef,
    /// True when action, resource, principal and conditions all matched.
    pub applies: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Mismatch>,
    /// For a statement that applies: the reasons beyond plain matches (a principal not
    /// excluded by NotPrincipal, a NotResource entry with a variable that has no value, a
    /// missing key under IfExists, a negated operator or Null, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

/// How a resource-based policy names the caller (decides which implicit denies it overrides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    Everyone,
    User,
    RoleSession,
    FederatedUser,
    Service,
    WebIdentity,
    CanonicalUser,
    /// The role whose session is calling: limited by boundary and session policy.
    Role,
    /// The IAM user who federated: limited by boundary and session policy.
    FederatingUser,
    /// The caller's account: delegates to the account's own identity policies.
    Account,
}

impl Grant {
    fn rank(self) -> u8 {
        match self {
            Grant::Account => 0,
            Grant::Role | Grant::FederatingUser => 1,
            _ => 2,
        }
    }
    fn limited(self) -> bool {
        matches!(self, Grant::Role | Grant::FederatingUser)
    }
    fn words(self) -> &'static str {
        match self {
            Grant::Everyone => "everyone (\"*\")",
            Grant::User => "the IAM user",
            Grant::RoleSession => "the role session",
            Grant::FederatedUser => "the federated user session",
            Grant::Service => "the service principal",
            Grant::WebIdentity => "the identity provider",
            Grant::CanonicalUser => "the canonical user",
            Grant::Role => "the role (the caller is its session)",
            Grant::FederatingUser => "the IAM user who federated",
            Grant::Account => "the caller's account",
        }
    }
}

/// The decision with its explanation. All data, so a UI can highlight the deciding statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub decision: Decision,
    /// The statement that decided: the explicit Deny, or the Allow that granted access.
    pub deciding_statement: Option<StatementRef>,
    /// Other Allow statements the decision needed (e.g. the other side of a cross-account call).
    pub supporting: Vec<StatementRef>,
    /// The policy that decided; for an implicit deny, the policy that failed to allow.
    pub deciding_policy: Option<PolicyRef>,
    /// The deciding rule in plain words.
    pub rule: String,
    /// Evaluation steps in order, in plain words.
    pub steps: Vec<Cow<'static, str>>,
    /// Readings of the documentation the engine chose where the docs are ambiguous.
    pub notes: Vec<String>,
    /// Every statement of every policy with whether it applied and why not.
    pub statements: Vec<StatementTrace>,
}

impl Evaluation {
    /// Human-readable report.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Decision: {}", self.decision);
        let _ = writeln!(out, "Rule: {}", self.rule);
        if let Some(s) = &self.deciding_statement {
            let _ = writeln!(
                out,
                "Deciding: {} of {} \"{}\"{}",
                s.label(),
                s.policy_type.label(),
                s.policy,
                level_suffix(&s.level)
            );
        } else if let Some(p) = &self.deciding_policy {
            let _ = writeln!(
                out,
                "Deciding: {} \"{}\"{}",
                p.policy_type.label(),
                p.name,
                level_suffix(&p.level)
            );
        }
        for s in &self.supporting {
            let _ = writeln!(
                out,
                "Also needed: {} of {} \"{}\"",
                s.label(),
                s.policy_type.label(),
                s.policy
            );
        }
        if !self.steps.is_empty() {
            let _ = writeln!(out, "Steps:");
            for (i, s) in self.steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {s}", i + 1);
            }
        }
        let _ = writeln!(out, "Statements:");
        for t in &self.statements {
            let s = &t.statement;
            let what = if t.applies {
                let mut w = format!("applies ({:?})", s.effect);
                for (i, why) in t.why.iter().enumerate() {
                    w.push_str(if i == 0 { ": " } else { "; " });
                    w.push_str(why);
                }
                w
            } else {
                match &t.reason {
                    Some(r) => format!("does not apply: {}: {}", r.element, r.detail),
                    None => "does not apply".into(),
                }
            };
            let _ = writeln!(
                out,
                "  [{}] {}{} {}: {what}",
                s.policy_type.label(),
                s.policy,
                level_suffix(&s.level),
                s.label()
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "Note: {n}");
        }
        out
    }
}

fn level_suffix(level: &Option<String>) -> String {
    level
        .as_ref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default()
}

struct Env<'a> {
    req: &'a Request,
    action_lc: String,
    ctx: Context<'a>,
    has_boundary: bool,
}

/// Result of one policy: statements that applied (with their grant for resource policies).
struct PolicyOutcome<'a> {
    np: &'a NamedPolicy,
    level: Option<&'a str>,
    applied: Vec<(usize, Option<Grant>)>,
}

impl PolicyOutcome<'_> {
    fn first(&self, effect: Effect) -> Option<(usize, Option<Grant>)> {
        self.applied
            .iter()
            .copied()
            .find(|(i, _)| self.np.policy.statements[*i].effect == effect)
    }
    fn sref(&self, index: usize) -> StatementRef {
        sref(self.np, self.level, index)
    }
}

fn sref(np: &NamedPolicy, level: Option<&str>, index: usize) -> StatementRef {
    let st = &np.policy.statements[index];
    StatementRef {
        policy: np.name.clone(),
        policy_type: np.policy_type,
        level: level.map(str::to_string),
        index,
        sid: st.sid.clone(),
        effect: st.effect,
        line: st.pos.map(|p| p.line),
    }
}

fn role_name_matches(policy_arn: &str, role_arn: &str) -> bool {
    // Partition, account and role name (the path is not part of the comparison).
    fn split(a: &str) -> Option<(&str, &str, &str)> {
        let parts = pattern::split6_str(a)?;
        let name = parts[5].strip_prefix("role/")?;
        Some((parts[1], parts[4], name.rsplit('/').next().unwrap_or("")))
    }
    match (split(policy_arn), split(role_arn)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn principal_match(entries: &[PrincipalEntry], p: &Principal) -> Option<Grant> {
    let mut best: Option<Grant> = None;
    for e in entries {
        let g = match e {
            PrincipalEntry::Any => Some(Grant::Everyone),
            PrincipalEntry::Account(a) => {
                (p.account.as_deref() == Some(a.as_str())).then_some(Grant::Account)
            }
            PrincipalEntry::Arn(a) => {
                if *a == p.arn {
                    match p.kind {
                        PrincipalKind::User => Some(Grant::User),
                        PrincipalKind::RoleSession => Some(Grant::RoleSession),
                        PrincipalKind::FederatedUser => Some(Grant::FederatedUser),
                        _ => None,
                    }
                } else if p.kind == PrincipalKind::RoleSession
                    && p.role_arn
                        .as_deref()
                        .is_some_and(|r| role_name_matches(a, r))
                {
                    Some(Grant::Role)
                } else if p.kind == PrincipalKind::FederatedUser
                    && p.federated_by.as_deref() == Some(a.as_str())
                {
                    Some(Grant::FederatingUser)
                } else {
                    None
                }
            }
            PrincipalEntry::Service(s) => {
                (p.kind == PrincipalKind::Service && p.arn == *s).then_some(Grant::Service)
            }
            PrincipalEntry::Federated(f) => {
                (p.kind == PrincipalKind::WebIdentity && p.arn == *f).then_some(Grant::WebIdentity)
            }
            PrincipalEntry::CanonicalUser(c) => {
                (p.canonical_user.as_deref() == Some(c.as_str())).then_some(Grant::CanonicalUser)
            }
        };
        if let Some(g) = g
            && best.is_none_or(|b| g.rank() > b.rank())
        {
            best = Some(g);
        }
    }
    best
}

/// Documented NotPrincipal reading: a principal escapes the Deny only when it is listed
/// together with its account (and, for a role session, with its role).
fn not_principal_excludes(entries: &[PrincipalEntry], p: &Principal) -> bool {
    if entries.contains(&PrincipalEntry::Any) {
        return true;
    }
    let listed_arn = |a: &str| {
        entries
            .iter()
            .any(|e| matches!(e, PrincipalEntry::Arn(x) if x == a))
    };
    let account = p
        .account
        .as_ref()
        .is_some_and(|a| entries.contains(&PrincipalEntry::Account(a.clone())));
    match p.kind {
        PrincipalKind::Root => account,
        PrincipalKind::User | PrincipalKind::FederatedUser => account && listed_arn(&p.arn),
        PrincipalKind::RoleSession => {
            account
                && listed_arn(&p.arn)
                && p.role_arn.as_deref().is_some_and(|r| {
                    entries
                        .iter()
                        .any(|e| matches!(e, PrincipalEntry::Arn(x) if role_name_matches(x, r)))
                })
        }
        PrincipalKind::Service => entries.contains(&PrincipalEntry::Service(p.arn.clone())),
        PrincipalKind::WebIdentity => entries.contains(&PrincipalEntry::Federated(p.arn.clone())),
        PrincipalKind::Anonymous => false,
    }
}

fn resource_matches(pat: &str, arn: &str, env: &Env, vars: bool) -> Result<bool, String> {
    if vars && pat.contains("${") {
        match pattern::substitute(pat, |k| condition::ContextLookup::single(&env.ctx, k)) {
            Ok(toks) => Ok(pattern::arn_match(&toks, arn)),
            Err(pattern::MissingVariable(k)) => Err(k),
        }
    } else {
        Ok(pattern::arn_match_str(pat, arn))
    }
}

/// Why a principal is not excluded by a NotPrincipal list (for the explanation).
fn not_principal_gap(entries: &[PrincipalEntry], p: &Principal) -> String {
    let listed_arn = entries
        .iter()
        .any(|e| matches!(e, PrincipalEntry::Arn(x) if *x == p.arn));
    let account = p
        .account
        .as_ref()
        .is_some_and(|a| entries.contains(&PrincipalEntry::Account(a.clone())));
    let role = p.role_arn.as_deref().is_some_and(|r| {
        entries
            .iter()
            .any(|e| matches!(e, PrincipalEntry::Arn(x) if role_name_matches(x, r)))
    });
    let mut missing = Vec::new();
    match p.kind {
        PrincipalKind::Root => missing.push("its account"),
        PrincipalKind::User | PrincipalKind::FederatedUser => {
            if !listed_arn {
                missing.push("its own ARN");
            }
            if !account {
                missing.push("its account");
            }
        }
        PrincipalKind::RoleSession => {
            if !listed_arn {
                missing.push("the role session ARN");
            }
            if !role {
                missing.push("its role");
            }
            if !account {
                missing.push("its account");
            }
        }
        PrincipalKind::Anonymous => {
            missing.push("a principal (anonymous callers cannot be listed)")
        }
        _ => missing.push("its name"),
    }
    let mut d = format!("NotPrincipal does not exclude {}: the list ", p.arn);
    write_list(&mut d, entries);
    let _ = write!(
        d,
        " lacks {}; a caller escapes a NotPrincipal Deny only when it is listed together with its account (and a role session with its role and session ARN), so the statement applies to it",
        missing.join(" and ")
    );
    d
}

fn check_statement(
    st: &Statement,
    policy: &Policy,
    env: &Env,
) -> Result<(Option<Grant>, Vec<String>), Mismatch> {
    let mut why = Vec::new();
    let mm = |element: &'static str, detail: String| Mismatch {
        element,
        detail,
        operator: None,
        key: None,
    };
    // `what` followed by a list of patterns.
    let listed = |what: std::fmt::Arguments, items: &[String]| {
        let mut d = String::with_capacity(128);
        let _ = d.write_fmt(what);
        write_list(&mut d, items);
        d
    };
    let hit = st
        .actions
        .iter()
        .any(|a| pattern::glob(a, &env.action_lc, false));
    if st.not_action && hit {
        return Err(mm(
            "NotAction",
            listed(
                format_args!("{} is excluded by NotAction ", env.req.action),
                &st.actions,
            ),
        ));
    }
    if !st.not_action && !hit {
        return Err(mm(
            "Action",
            listed(
                format_args!("{} does not match ", env.req.action),
                &st.actions,
            ),
        ));
    }
    let vars = policy.variables_enabled();
    if let Some(resources) = &st.resources {
        let arn = &env.req.resource.arn;
        let mut hit = false;
        let mut missing = Vec::new();
        for r in resources {
            match resource_matches(r, arn, env, vars) {
                Ok(true) => {
                    hit = true;
                    break;
                }
                Ok(false) => {}
                Err(k) => missing.push(k),
            }
        }
        if st.not_resource && hit {
            return Err(mm(
                "NotResource",
                listed(format_args!("{arn} is excluded by NotResource "), resources),
            ));
        }
        if st.not_resource && !missing.is_empty() {
            why.push(format!(
                "the variable {} in NotResource has no value, so that entry excludes nothing and the statement applies to {arn}",
                missing.join(", ")
            ));
        }
        if !st.not_resource && !hit {
            let mut detail = listed(format_args!("{arn} does not match "), resources);
            if !missing.is_empty() {
                let _ = write!(
                    detail,
                    " (the variable {} has no value, so that entry matches nothing)",
                    missing.join(", ")
                );
            }
            return Err(mm("Resource", detail));
        }
    }
    let mut grant = None;
    if let Some(entries) = &st.principal {
        let p = &env.req.principal;
        if st.not_principal {
            if not_principal_excludes(entries, p) {
                if env.has_boundary && st.effect == Effect::Deny {
                    // Documented: a Deny with NotPrincipal always denies a principal with a boundary.
                    why.push(format!(
                        "{} is listed in NotPrincipal, but a Deny with NotPrincipal always applies to a principal that has a permissions boundary",
                        p.arn
                    ));
                } else {
                    return Err(mm(
                        "NotPrincipal",
                        format!("{} is excluded by NotPrincipal", p.arn),
                    ));
                }
            } else {
                why.push(not_principal_gap(entries, p));
            }
        } else {
            match principal_match(entries, p) {
                Some(g) => grant = Some(g),
                None => {
                    let mut detail = format!("{} is not named in Principal ", p.arn);
                    write_list(&mut detail, entries);
                    return Err(mm("Principal", detail));
                }
            }
        }
    }
    for c in &st.conditions {
        match condition::evaluate_explained(c, &env.ctx, vars) {
            Ok(Some(w)) => why.push(w),
            Ok(None) => {}
            Err(f) => {
                return Err(Mismatch {
                    element: "Condition",
                    detail: f.detail,
                    operator: Some(f.operator),
                    key: Some(f.key),
                });
            }
        }
    }
    Ok((grant, why))
}

fn run_policy<'a>(
    np: &'a NamedPolicy,
    level: Option<&'a str>,
    env: &Env,
    traces: &mut Vec<StatementTrace>,
) -> PolicyOutcome<'a> {
    let mut applied = Vec::new();
    for (i, st) in np.policy.statements.iter().enumerate() {
        let r = check_statement(st, &np.policy, env);
        let (applies, reason, why) = match r {
            Ok((g, why)) => {
                applied.push((i, g));
                (true, None, why)
            }
            Err(m) => (false, Some(m), Vec::new()),
        };
        traces.push(StatementTrace {
            statement: sref(np, level, i),
            applies,
            reason,
            why,
        });
    }
    PolicyOutcome { np, level, applied }
}

fn skip_policy(np: &NamedPolicy, level: Option<&str>, why: &str, traces: &mut Vec<StatementTrace>) {
    for i in 0..np.policy.statements.len() {
        traces.push(StatementTrace {
            statement: sref(np, level, i),
            applies: false,
            reason: Some(Mismatch {
                element: "Scope",
                detail: why.to_string(),
                operator: None,
                key: None,
            }),
            why: Vec::new(),
        });
    }
}

struct Out {
    steps: Vec<Cow<'static, str>>,
    notes: Vec<String>,
    traces: Vec<StatementTrace>,
}

impl Out {
    fn finish(
        self,
        decision: Decision,
        deciding_statement: Option<StatementRef>,
        supporting: Vec<StatementRef>,
        deciding_policy: Option<PolicyRef>,
        rule: String,
    ) -> Evaluation {
        Evaluation {
            decision,
            deciding_statement,
            supporting,
            deciding_policy,
            rule,
            steps: self.steps,
            notes: self.notes,
            statements: self.traces,
        }
    }
}

fn describe(sr: &StatementRef) -> String {
    let mut out = String::with_capacity(96);
    let _ = write!(out, "the {} \"{}\"", sr.policy_type.label(), sr.policy);
    if let (PolicyType::Scp | PolicyType::Rcp, Some(level)) = (sr.policy_type, &sr.level) {
        let _ = write!(out, " attached to {level}");
    }
    let _ = match &sr.sid {
        Some(sid) if !sid.is_empty() => write!(out, " (statement \"{sid}\")"),
        _ => write!(out, " (statement #{})", sr.index + 1),
    };
    out
}

fn group_ref(policies: &[NamedPolicy], ty: PolicyType) -> PolicyRef {
    PolicyRef {
        name: match policies {
            [one] => one.name.clone(),
            [] => format!("(no {})", ty.label()),
            many => many
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
        },
        policy_type: ty,
        level: None,
    }
}

/// Evaluates `req` against `set` and the organization's SCPs and RCPs.
pub fn evaluate(req: &Request, set: &PolicySet, org: Option<&Organization>) -> Evaluation {
    let mut out = Out {
        steps: Vec::new(),
        notes: Vec::new(),
        traces: Vec::new(),
    };
    let p = &req.principal;
    let p_acct = p.account.as_deref();
    let r_acct: Option<&str> = match req.resource.owner() {
        Some(a) => Some(a),
        None => {
            if p_acct.is_some() && req.resource.arn != "*" {
                out.notes.push(format!(
                    "the resource ARN carries no account, so the resource is taken to be in the caller's account {}; give resource.account for cross-account cases",
                    p_acct.unwrap_or_default()
                ));
            }
            p_acct
        }
    };
    let req_accounts: Vec<&str> = [p_acct, r_acct].into_iter().flatten().collect();
    let principal_in_org =
        org.is_some_and(|o| p_acct.is_some_and(|a| o.contains(a, &req_accounts)));
    let resource_in_org = org.is_some_and(|o| r_acct.is_some_and(|a| o.contains(a, &req_accounts)));

    // Scope of SCPs and RCPs.
    let scp_skip: Option<&'static str> = match org {
        None => None,
        Some(o) => {
            if matches!(
                p.kind,
                PrincipalKind::Service | PrincipalKind::Anonymous | PrincipalKind::WebIdentity
            ) {
                Some("SCPs do not apply: the caller is not a principal of a member account")
            } else if !principal_in_org {
                Some("SCPs do not apply: the caller's account is outside the organization")
            } else if p_acct == Some(o.management_account.as_str()) {
                Some("SCPs do not apply: the caller is in the management account")
            } else if p.service_linked {
                Some("SCPs do not apply: the caller is a service-linked role")
            } else {
                None
            }
        }
    };
    let rcp_skip: Option<&'static str> = match org {
        None => None,
        Some(o) => {
            if !resource_in_org {
                Some("RCPs do not apply: the resource's account is outside the organization")
            } else if r_acct == Some(o.management_account.as_str()) {
                Some("RCPs do not apply: the resource is in the management account")
            } else if p.service_linked {
                Some("RCPs do not apply: the caller is a service-linked role")
            } else if req.action.eq_ignore_ascii_case("kms:RetireGrant") {
                Some("RCPs do not apply to kms:RetireGrant")
            } else if req.resource.aws_managed_key {
                Some("RCPs do not apply to AWS managed KMS keys")
            } else {
                None
            }
        }
    };

    let env = Env {
        req,
        action_lc: req.action.to_ascii_lowercase(),
        ctx: Context::build(
            req,
            org.and_then(|o| o.id.as_deref()),
            principal_in_org,
            resource_in_org,
        ),
        has_boundary: set.boundary.is_some(),
    };

    // Evaluate every statement once.
    let mut scp_levels: Vec<(&OrgLevel, Vec<PolicyOutcome>)> = Vec::new();
    let mut rcp_levels: Vec<(&OrgLevel, Vec<PolicyOutcome>)> = Vec::new();
    if let Some(o) = org {
        for lvl in &o.scps {
            if let Some(why) = &scp_skip {
                for np in &lvl.policies {
                    skip_policy(np, Some(&lvl.name), why, &mut out.traces);
                }
            } else {
                let outs = lvl
                    .policies
                    .iter()
                    .map(|np| run_policy(np, Some(&lvl.name), &env, &mut out.traces))
                    .collect();
                scp_levels.push((lvl, outs));
            }
        }
        for lvl in &o.rcps {
            if let Some(why) = &rcp_skip {
                for np in &lvl.policies {
                    skip_policy(np, Some(&lvl.name), why, &mut out.traces);
                }
            } else {
                let outs = lvl
                    .policies
                    .iter()
                    .map(|np| run_policy(np, Some(&lvl.name), &env, &mut out.traces))
                    .collect();
                rcp_levels.push((lvl, outs));
            }
        }
        match &scp_skip {
            Some(why) => out.steps.push((*why).into()),
            None if o.scps.is_empty() => out
                .steps
                .push("no SCP chain given: SCPs treated as FullAWSAccess".into()),
            None => {}
        }
        match &rcp_skip {
            Some(why) => out.steps.push((*why).into()),
            None if o.rcps.is_empty() => out
                .steps
                .push("no RCP chain given: only RCPFullAWSAccess applies".into()),
            None => {}
        }
    }
    let no_identity_side = matches!(
        p.kind,
        PrincipalKind::Service | PrincipalKind::Anonymous | PrincipalKind::WebIdentity
    );
    let is_root = p.kind == PrincipalKind::Root;
    let resource = set
        .resource
        .as_ref()
        .map(|np| run_policy(np, None, &env, &mut out.traces));
    let identity: Vec<PolicyOutcome> = set
        .identity
        .iter()
        .map(|np| run_policy(np, None, &env, &mut out.traces))
        .collect();
    let boundary = set
        .boundary
        .as_ref()
        .map(|np| run_policy(np, None, &env, &mut out.traces));
    let session: Vec<PolicyOutcome> = set
        .session
        .iter()
        .map(|np| run_policy(np, None, &env, &mut out.traces))
        .collect();

    let first_allow = |outs: &[PolicyOutcome]| -> Option<StatementRef> {
        outs.iter()
            .find_map(|o| o.first(Effect::Allow).map(|(i, _)| o.sref(i)))
    };
    let identity_allow = first_allow(&identity);

    // 1. Explicit deny anywhere.
    let mut deny: Option<StatementRef> = None;
    for (_, outs) in scp_levels.iter().chain(rcp_levels.iter()) {
        if deny.is_none() {
            deny = outs
                .iter()
                .find_map(|o| o.first(Effect::Deny).map(|(i, _)| o.sref(i)));
        }
    }
    for o in resource
        .iter()
        .chain(identity.iter())
        .chain(boundary.iter())
        .chain(session.iter())
    {
        if deny.is_none() {
            deny = o.first(Effect::Deny).map(|(i, _)| o.sref(i));
        }
    }
    if set.boundary.is_some()
        && deny.as_ref().is_some_and(|d| {
            let np_st = out
                .traces
                .iter()
                .find(|t| t.statement == *d)
                .map(|t| t.applies)
                .unwrap_or(false);
            np_st
                && [set.resource.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|np| np.name == d.policy && np.policy.statements[d.index].not_principal)
        })
    {
        out.notes.push(
            "documented: a Deny with NotPrincipal always denies a principal that has a permissions boundary, even when it is listed"
                .into(),
        );
    }
    if let Some(d) = deny {
        let over = identity_allow
            .as_ref()
            .map(|a| format!(" overrides the Allow in {}", describe(a)))
            .unwrap_or_else(|| " overrides any Allow".into());
        let rule = format!("an explicit Deny in {}{over}", describe(&d));
        out.steps
            .push(format!("explicit Deny found in {}", describe(&d)).into());
        let pref = PolicyRef {
            name: d.policy.clone(),
            policy_type: d.policy_type,
            level: d.level.clone(),
        };
        return out.finish(
            Decision::ExplicitDeny,
            Some(d),
            Vec::new(),
            Some(pref),
            rule,
        );
    }
    out.steps.push("no explicit Deny applies".into());

    // 2. RCPs: an Allow at every level of the resource's account chain.
    for (lvl, outs) in &rcp_levels {
        if !outs.iter().any(|o| o.first(Effect::Allow).is_some()) {
            let rule = format!(
                "no RCP attached to {} allows {} on this resource; RCPs need an Allow at every level (root, each OU, the account)",
                lvl.name, req.action
            );
            out.steps
                .push(format!("RCPs: no Allow at {}", lvl.name).into());
            let pref = PolicyRef {
                name: lvl.name.clone(),
                policy_type: PolicyType::Rcp,
                level: Some(lvl.name.clone()),
            };
            return out.finish(Decision::ImplicitDeny, None, Vec::new(), Some(pref), rule);
        }
    }
    if !rcp_levels.is_empty() {
        out.steps.push("RCPs allow at every level".into());
    }
    // 3. SCPs: an Allow at every level of the principal's account chain.
    for (lvl, outs) in &scp_levels {
        if !outs.iter().any(|o| o.first(Effect::Allow).is_some()) {
            let rule = format!(
                "no SCP attached to {} allows {}; SCPs need an Allow at every level from the root to the account, and they cap even AdministratorAccess",
                lvl.name, req.action
            );
            out.steps
                .push(format!("SCPs: no Allow at {}", lvl.name).into());
            let pref = PolicyRef {
                name: lvl.name.clone(),
                policy_type: PolicyType::Scp,
                level: Some(lvl.name.clone()),
            };
            return out.finish(Decision::ImplicitDeny, None, Vec::new(), Some(pref), rule);
        }
    }
    if !scp_levels.is_empty() {
        out.steps.push("SCPs allow at every level".into());
    }

    // 4. Resource-based policy grant.
    let mut grant: Option<(StatementRef, Grant)> = None;
    if let Some(o) = &resource {
        for (i, g) in &o.applied {
            if o.np.policy.statements[*i].effect != Effect::Allow {
                continue;
            }
            let g = g.unwrap_or(Grant::Account);
            if grant.as_ref().is_none_or(|(_, b)| g.rank() > b.rank()) {
                grant = Some((o.sref(*i), g));
            }
        }
    }
    let resource_kind = set.resource.as_ref().map(|np| np.kind);
    let must_allow = matches!(resource_kind, Some(ResourceKind::Trust | ResourceKind::Key));
    let resource_ref = || {
        set.resource.as_ref().map(|np| PolicyRef {
            name: np.name.clone(),
            policy_type: PolicyType::Resource,
            level: None,
        })
    };
    let resource_label = resource_kind
        .map(|k| k.label())
        .unwrap_or("resource-based policy");

    if let Some((sr, g)) = &grant {
        out.steps
            .push(format!("{} grants access to {}", describe(sr), g.words()).into());
    } else if set.resource.is_some() {
        out.steps
            .push(format!("the {resource_label} does not allow this principal").into());
    }

    // Principals with no identity side (services, identity providers, anonymous).
    if no_identity_side {
        return match grant {
            Some((sr, g)) if g != Grant::Account => {
                let rule = format!(
                    "{} allows {} and nothing denies it",
                    describe(&sr),
                    g.words()
                );
                out.finish(
                    Decision::Allow,
                    Some(sr.clone()),
                    Vec::new(),
                    resource_ref(),
                    rule,
                )
            }
            _ => {
                let rule = format!(
                    "{} has no identity-based policies, so only a resource-based policy naming it can allow the request, and none does",
                    p.arn
                );
                let pref = resource_ref().or(Some(PolicyRef {
                    name: "(no resource-based policy)".into(),
                    policy_type: PolicyType::Resource,
                    level: None,
                }));
                out.finish(Decision::ImplicitDeny, None, Vec::new(), pref, rule)
            }
        };
    }

    // 5. Identity side: identity policies, then permissions boundary and session policies.
    if is_root && !identity.iter().any(|o| o.first(Effect::Allow).is_some()) {
        out.steps.push(
            "the account root user has full access in its own account without identity policies"
                .into(),
        );
    }
    let identity_ok = identity_allow.is_some() || is_root;
    let boundary_ok = boundary
        .as_ref()
        .is_none_or(|o| o.first(Effect::Allow).is_some());
    let session_ok = session.is_empty() || session.iter().any(|o| o.first(Effect::Allow).is_some());
    if let Some(a) = &identity_allow {
        out.steps
            .push(format!("{} allows the action", describe(a)).into());
    } else if !is_root {
        out.steps
            .push("no identity-based policy allows the action".into());
    }
    if boundary.is_some() {
        out.steps.push(if boundary_ok {
            "the permissions boundary allows the action".into()
        } else {
            "the permissions boundary does not allow the action".into()
        });
    }
    if !session.is_empty() {
        out.steps.push(if session_ok {
            "the session policy allows the action".into()
        } else {
            "the session policy does not allow the action".into()
        });
    }
    let boundary_ref = || group_ref(set.boundary.as_slice(), PolicyType::Boundary);
    let limits_fail = |out: Out, via: &str| -> Evaluation {
        if !boundary_ok {
            let rule = format!(
                "{via}, but the permissions boundary does not allow {}; a boundary caps what identity policies can grant",
                req.action
            );
            out.finish(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                Some(boundary_ref()),
                rule,
            )
        } else {
            let rule = format!(
                "{via}, but the session policy does not allow {}; a session policy caps the session's permissions",
                req.action
            );
            out.finish(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                Some(group_ref(&set.session, PolicyType::Session)),
                rule,
            )
        }
    };
    let identity_words = |a: &Option<StatementRef>| match a {
        Some(a) => format!("{} allows it", describe(a)),
        None => "the account root user has full access in its own account".to_string(),
    };

    let same_account = p_acct.is_some() && p_acct == r_acct;
    if same_account {
        out.steps.push(
            "same account: an Allow in the identity side OR the resource-based policy is enough"
                .into(),
        );
        if must_allow && grant.is_none() {
            let rule = format!(
                "a {resource_label} must allow the principal (or its account) itself; this one does not, whatever the identity policies say"
            );
            return out.finish(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                resource_ref(),
                rule,
            );
        }
        let direct = grant.as_ref().filter(|(_, g)| *g != Grant::Account);
        let resource_path =
            direct.is_some_and(|(_, g)| !g.limited() || (boundary_ok && session_ok));
        if let Some((sr, g)) = direct
            && resource_path
        {
            if matches!(g, Grant::Everyone) && (boundary.is_some() || !session.is_empty()) {
                out.notes.push("documented reading: a resource-policy grant to Principal \"*\" is treated like a grant naming the session, so boundary and session policy do not limit it".into());
            }
            let rule = format!(
                "same account: {} grants it to {}, which an implicit deny in the identity policy{} does not limit",
                describe(sr),
                g.words(),
                if g.limited() {
                    ""
                } else {
                    ", boundary or session policy"
                }
            );
            let supporting = identity_allow.clone().into_iter().collect();
            return out.finish(
                Decision::Allow,
                Some(sr.clone()),
                supporting,
                resource_ref(),
                rule,
            );
        }
        if identity_ok && boundary_ok && session_ok {
            let rule = format!(
                "same account: {} and nothing denies it",
                identity_words(&identity_allow)
            );
            let supporting = grant.as_ref().map(|(s, _)| s.clone()).into_iter().collect();
            let pref = identity_allow.as_ref().map(|a| PolicyRef {
                name: a.policy.clone(),
                policy_type: PolicyType::Identity,
                level: None,
            });
            return out.finish(
                Decision::Allow,
                identity_allow.clone(),
                supporting,
                pref,
                rule,
            );
        }
        if let Some((sr, g)) = direct {
            // Limited grant (role ARN / federating user) blocked by boundary or session policy.
            return limits_fail(out, &format!("{} grants it to {}", describe(sr), g.words()));
        }
        if identity_ok {
            return limits_fail(out, &identity_words(&identity_allow));
        }
        let rule = format!(
            "no identity-based policy allows {} and no resource-based policy grants it to this principal, so it is implicitly denied",
            req.action
        );
        return out.finish(
            Decision::ImplicitDeny,
            None,
            Vec::new(),
            Some(group_ref(&set.identity, PolicyType::Identity)),
            rule,
        );
    }

    // 6. Cross-account: both the caller's side and the resource's policy must allow.
    out.steps.push(
        format!(
            "cross-account ({} -> {}): the caller's identity side AND the resource's {resource_label} must both allow",
            p_acct.unwrap_or("?"),
            r_acct.unwrap_or("?")
        )
        .into(),
    );
    if !identity_ok {
        let rule = format!(
            "cross-account: the caller's account {} must allow {} in an identity-based policy, and none does",
            p_acct.unwrap_or("?"),
            req.action
        );
        return out.finish(
            Decision::ImplicitDeny,
            None,
            Vec::new(),
            Some(group_ref(&set.identity, PolicyType::Identity)),
            rule,
        );
    }
    if !(boundary_ok && session_ok) {
        return limits_fail(
            out,
            &format!("cross-account: {}", identity_words(&identity_allow)),
        );
    }
    match grant {
        Some((sr, g)) => {
            let rule = format!(
                "cross-account: {} in account {} and {} grants it to {} in account {}",
                identity_words(&identity_allow),
                p_acct.unwrap_or("?"),
                describe(&sr),
                g.words(),
                r_acct.unwrap_or("?")
            );
            let supporting = vec![sr];
            let pref = identity_allow.as_ref().map(|a| PolicyRef {
                name: a.policy.clone(),
                policy_type: PolicyType::Identity,
                level: None,
            });
            out.finish(
                Decision::Allow,
                identity_allow.clone(),
                supporting,
                pref,
                rule,
            )
        }
        None => {
            let rule = match &set.resource {
                Some(_) => format!(
                    "cross-account: the {resource_label} in account {} does not allow this principal, and the resource's account must allow it too",
                    r_acct.unwrap_or("?")
                ),
                None => format!(
                    "cross-account: there is no resource-based policy in account {}, and the resource's account must allow the caller too",
                    r_acct.unwrap_or("?")
                ),
            };
            let pref = resource_ref().or(Some(PolicyRef {
                name: "(no resource-based policy)".into(),
                policy_type: PolicyType::Resource,
                level: None,
            }));
            out.finish(Decision::ImplicitDeny, None, Vec::new(), pref, rule)
        }
    }
}
