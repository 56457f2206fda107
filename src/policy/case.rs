//! Case files: a request, the policies by type, an optional organization and an optional
//! expectation, written in YAML or JSON. See docs/policy-case.md for the format.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::document::{PolicyType, ResourceKind};
use super::eval::{self, Decision, Evaluation, NamedPolicy, OrgLevel, Organization, PolicySet};
use super::json::{self, Node, PathPart, Pos};
use super::request::{Principal, PrincipalKind, Request, Resource};

/// A case ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: Option<String>,
    pub description: Option<String>,
    pub request: Request,
    pub organization: Option<Organization>,
    pub policies: PolicySet,
    pub expect: Option<Expect>,
}

/// What the case author expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expect {
    pub decision: Decision,
    /// Name of the deciding policy (or organization level), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl Case {
    pub fn evaluate(&self) -> Evaluation {
        eval::evaluate(&self.request, &self.policies, self.organization.as_ref())
    }

    /// Compares an evaluation with `expect`; `Err` says what differs.
    pub fn check(&self, ev: &Evaluation) -> Result<(), String> {
        let Some(expect) = &self.expect else {
            return Ok(());
        };
        if ev.decision != expect.decision {
            return Err(format!("expected {}, got {}", expect.decision, ev.decision));
        }
        if let Some(want) = &expect.policy
            && !deciding_names(ev).iter().any(|n| n == want)
        {
            return Err(format!(
                "expected the decision to come from \"{want}\", it came from {}",
                deciding_names(ev)
                    .first()
                    .map(|n| format!("\"{n}\""))
                    .unwrap_or_else(|| "no single policy".into())
            ));
        }
        Ok(())
    }
}

/// Names under which the deciding policy can be referred to (policy name, organization level).
pub fn deciding_names(ev: &Evaluation) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &ev.deciding_policy {
        out.push(p.name.clone());
        if let Some(l) = &p.level {
            out.push(l.clone());
        }
    }
    if let Some(s) = &ev.deciding_statement {
        out.push(s.policy.clone());
    }
    out
}

/// A case file that could not be read: what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CaseError {
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The format of a case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// `.json` is JSON, anything else YAML.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Yaml,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Raw (serde) structure

/// Policy slot markers: which policy type a document in that slot is validated as.
pub(crate) trait Slot {
    const TYPE: PolicyType;
    const DEFAULT_KIND: ResourceKind = ResourceKind::Other;
}
pub(crate) struct IdentitySlot;
pub(crate) struct ResourceSlot;
pub(crate) struct TrustSlot;
pub(crate) struct BoundarySlot;
pub(crate) struct SessionSlot;
pub(crate) struct ScpSlot;
pub(crate) struct RcpSlot;
impl Slot for IdentitySlot {
    const TYPE: PolicyType = PolicyType::Identity;
}
impl Slot for ResourceSlot {
    const TYPE: PolicyType = PolicyType::Resource;
}
impl Slot for TrustSlot {
    const TYPE: PolicyType = PolicyType::Resource;
    const DEFAULT_KIND: ResourceKind = ResourceKind::Trust;
}
impl Slot for BoundarySlot {
    const TYPE: PolicyType = PolicyType::Boundary;
}
impl Slot for SessionSlot {
    const TYPE: PolicyType = PolicyType::Session;
}
impl Slot for ScpSlot {
    const TYPE: PolicyType = PolicyType::Scp;
}
impl Slot for RcpSlot {
    const TYPE: PolicyType = PolicyType::Rcp;
}

const DOC_ERROR: &str = "invalid policy document";

/// A policy entry: `{name, kind, document | file}`. An inline document is validated while
/// deserializing so YAML errors point at the entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry<S> {
    name: Option<String>,
    kind: Option<ResourceKind>,
    policy: Option<NamedPolicy>,
    file: Option<String>,
    _slot: PhantomData<S>,
}

impl<'de, S: Slot> Deserialize<'de> for Entry<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<S>(PhantomData<S>);
        impl<'de, S: Slot> Visitor<'de> for V<S> {
            type Value = Entry<S>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a policy entry with name and document (or file)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry<S>, A::Error> {
                let mut name: Option<String> = None;
                let mut kind: Option<ResourceKind> = None;
                let mut document: Option<Node> = None;
                // Read by the fast path, with the kind it was validated as.
                let mut fast_policy: Option<(super::document::Policy, ResourceKind)> = None;
                let mut file: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(map.next_value()?),
                        "kind" => kind = Some(map.next_value()?),
                        "document" if super::fast::enabled() => {
                            let kind = kind.unwrap_or(S::DEFAULT_KIND);
                            let seed = super::fast::PolicySeed { ty: S::TYPE, kind };
                            fast_policy = Some((map.next_value_seed(seed)?, kind));
                        }
                        "document" => document = Some(map.next_value()?),
                        "file" => file = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["name", "kind", "document", "file"],
                            ));
                        }
                    }
                }
                let kind_final = kind.unwrap_or(S::DEFAULT_KIND);
                if S::TYPE != PolicyType::Resource && kind.is_some() {
                    return Err(de::Error::custom(
                        "`kind` is only for resource-based policies",
                    ));
                }
                if let Some((policy, validated_as)) = fast_policy {
                    // Only a trust policy is validated differently from other resource
                    // policies (no Resource, no NotPrincipal): `kind` may follow `document`.
                    let trust = |k| k == ResourceKind::Trust;
                    if file.is_some() || trust(validated_as) != trust(kind_final) {
                        return Err(de::Error::custom(
                            "read again: the document was validated as another kind",
                        ));
                    }
                    return Ok(Entry {
                        policy: Some(NamedPolicy {
                            // Named by the case reader (which knows the default name).
                            name: String::new(),
                            policy_type: S::TYPE,
                            kind: kind_final,
                            policy,
                            document: None,
                        }),
                        name,
                        kind,
                        file: None,
                        _slot: PhantomData,
                    });
                }
                let policy = match (document, &file) {
                    (Some(_), Some(_)) => {
                        return Err(de::Error::custom(
                            "give either `document` or `file`, not both",
                        ));
                    }
                    (None, None) => {
                        return Err(de::Error::custom(
                            "a policy entry needs `document` or `file`",
                        ));
                    }
                    (None, Some(_)) => None,
                    (Some(doc), None) => {
                        let nm = name.clone().unwrap_or_default();
                        let np = match doc {
                            Node {
                                value: json::Value::String(text),
                                ..
                            } => NamedPolicy::parse(&nm, S::TYPE, kind_final, &text),
                            other => NamedPolicy::from_node(&nm, S::TYPE, kind_final, other),
                        }
                        .map_err(|e| de::Error::custom(format!("{DOC_ERROR}: {e}")))?;
                        Some(np)
                    }
                };
                Ok(Entry {
                    name,
                    kind,
                    policy,
                    file,
                    _slot: PhantomData,
                })
            }
        }
        d.deserialize_map(V::<S>(PhantomData))
    }
}

#[derive(Deserialize, Default)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping of policies: identity, resource, trust, boundary, session"
)]
pub(crate) struct RawPolicies {
    #[serde(default)]
    identity: Vec<Entry<IdentitySlot>>,
    #[serde(default)]
    resource: Option<Entry<ResourceSlot>>,
    #[serde(default)]
    trust: Option<Entry<TrustSlot>>,
    #[serde(default)]
    boundary: Option<Entry<BoundarySlot>>,
    #[serde(default)]
    session: Vec<Entry<SessionSlot>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an organization level: a mapping with name and policies"
)]
pub(crate) struct RawLevel<S: Slot> {
    name: String,
    #[serde(default = "Vec::new", bound(deserialize = "S: Slot"))]
    policies: Vec<Entry<S>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an organization: a mapping with management_account, and optionally id, accounts, scps, rcps"
)]
pub(crate) struct RawOrg {
    #[serde(default)]
    id: Option<String>,
    management_account: String,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    scps: Vec<RawLevel<ScpSlot>>,
    #[serde(default)]
    rcps: Vec<RawLevel<RcpSlot>>,
}

/// A value written either as a string or as a mapping with more detail.
struct StringOrMap<T, F>(F, &'static str, PhantomData<T>);

impl<'de, T: Deserialize<'de>, F: FnOnce(&str) -> Result<T, String>> Visitor<'de>
    for StringOrMap<T, F>
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

fn string_or_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
    expecting: &'static str,
    from_str: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    d.deserialize_any(StringOrMap(from_str, expecting, PhantomData))
}

fn principal<'de, D: Deserializer<'de>>(d: D) -> Result<RawPrincipalFull, D::Error> {
    string_or_map(
        d,
        "a principal ARN, or a mapping with arn and type, tags, role_arn, federated_by, service_linked, canonical_user",
        |s| {
            Ok(RawPrincipalFull {
                arn: s.to_string(),
                ..RawPrincipalFull::default()
            })
        },
    )
}

fn resource<'de, D: Deserializer<'de>>(d: D) -> Result<RawResource, D::Error> {
    string_or_map(
        d,
        "a resource ARN, or a mapping with arn, account and aws_managed_key",
        |s| {
            Ok(RawResource {
                arn: s.to_string(),
                ..RawResource::default()
            })
        },
    )
}

fn expect<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawExpect>, D::Error> {
    string_or_map(
        d,
        "a decision (Allow, ExplicitDeny, ImplicitDeny), or a mapping with decision and policy",
        |s| {
            let decision = match s {
                "Allow" => Decision::Allow,
                "ExplicitDeny" => Decision::ExplicitDeny,
                "ImplicitDeny" => Decision::ImplicitDeny,
                other => {
                    return Err(format!(
                        "unknown decision \"{other}\" (use Allow, ExplicitDeny or ImplicitDeny)"
                    ));
                }
            };
            Ok(RawExpect {
                decision,
                policy: None,
            })
        },
    )
    .map(Some)
}

#[derive(Deserialize, Default)]
#[serde(
    deny_unknown_fields,
    expecting = "a principal mapping with arn, and optionally type, tags, role_arn, federated_by, service_linked, canonical_user"
)]
pub(crate) struct RawPrincipalFull {
    arn: String,
    #[serde(default, rename = "type")]
    kind: Option<PrincipalKind>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    role_arn: Option<String>,
    #[serde(default)]
    federated_by: Option<String>,
    #[serde(default)]
    service_linked: Option<bool>,
    #[serde(default)]
    canonical_user: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(
    deny_unknown_fields,
    expecting = "a resource mapping with arn, and optionally account and aws_managed_key"
)]
pub(crate) struct RawResource {
    arn: String,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    aws_managed_key: bool,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a request: a mapping with principal, action, resource and optionally context"
)]
pub(crate) struct RawRequest {
    #[serde(deserialize_with = "principal")]
    principal: RawPrincipalFull,
    action: String,
    #[serde(deserialize_with = "resource")]
    resource: RawResource,
    #[serde(default)]
    context: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an expectation mapping with decision and optionally policy"
)]
pub(crate) struct RawExpect {
    decision: Decision,
    #[serde(default)]
    policy: Option<String>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a case: a mapping with request and policies, and optionally name, description, organization, expect"
)]
pub(crate) struct RawCase {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    request: RawRequest,
    #[serde(default)]
    organization: Option<RawOrg>,
    #[serde(default)]
    policies: RawPolicies,
    #[serde(default, deserialize_with = "expect")]
    expect: Option<RawExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with a `cases:` list")]
struct RawCaseList {
    cases: Vec<RawCase>,
}

// ---------------------------------------------------------------------------------------------
// Conversion

struct Cx<'a> {
    file: &'a str,
    base_dir: Option<&'a Path>,
}

impl Cx<'_> {
    fn err(&self, message: impl Into<String>) -> CaseError {
        CaseError {
            file: self.file.to_string(),
            pos: None,
            message: message.into(),
        }
    }

    fn entry<S: Slot>(
        &self,
        e: Entry<S>,
        default_name: fmt::Arguments,
        where_: fmt::Arguments,
    ) -> Result<NamedPolicy, CaseError> {
        let name = e.name.unwrap_or_else(|| default_name.to_string());
        let kind = e.kind.unwrap_or(S::DEFAULT_KIND);
        if let Some(mut np) = e.policy {
            np.name = name;
            return Ok(np);
        }
        let Some(file) = e.file else {
            return Err(self.err(format!(
                "{where_}: a policy entry needs `document` or `file`"
            )));
        };
        let path: PathBuf = match self.base_dir {
            Some(dir) => dir.join(&file),
            None => PathBuf::from(&file),
        };
        let text =
            crate::deck::read::read_text_bounded(&path, MAX_CASE_FILE_BYTES).map_err(|e| {
                CaseError {
                    file: self.file.to_string(),
                    pos: None,
                    message: format!("{where_}: cannot read policy file {}: {e}", path.display()),
                }
            })?;
        NamedPolicy::parse(&name, S::TYPE, kind, &text).map_err(|e| CaseError {
            file: path.display().to_string(),
            pos: e.pos,
            message: format!("{}: {}", e.path, e.message),
        })
    }

    fn case(&self, raw: RawCase) -> Result<Case, CaseError> {
        let r = raw.request;
        let f = r.principal;
        let mut principal = Principal::from_arn(&f.arn, f.kind)
            .map(|mut p| {
                p.tags = f.tags;
                if f.role_arn.is_some() {
                    p.role_arn = f.role_arn;
                }
                p.federated_by = f.federated_by;
                p.canonical_user = f.canonical_user;
                p.service_linked = f.service_linked.unwrap_or(false)
                    || p.role_arn
                        .as_deref()
                        .is_some_and(|r| r.contains(":role/aws-service-role/"));
                p
            })
            .map_err(|e| self.err(format!("request.principal: {e}")))?;
        if principal.kind == PrincipalKind::RoleSession
            && principal
                .role_arn
                .as_deref()
                .is_some_and(|r| r.contains(":role/aws-service-role/"))
        {
            principal.service_linked = true;
        }
        let resource = Resource {
            arn: r.resource.arn,
            account: r.resource.account,
            aws_managed_key: r.resource.aws_managed_key,
        };
        if resource.arn != "*" && !super::document::valid_resource_arn(&resource.arn) {
            return Err(self.err(format!(
                "request.resource: malformed ARN \"{}\" (expected arn:partition:service:region:account:resource)",
                resource.arn
            )));
        }
        if !r.action.contains(':') {
            return Err(self.err(format!(
                "request.action: \"{}\" is not service:Action",
                r.action
            )));
        }
        let mut context = BTreeMap::new();
        for (k, v) in r.context {
            let vals = match v {
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(|i| scalar(i).ok_or(()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| self.err(format!("request.context.{k}: list entries must be strings, numbers or booleans")))?,
                other => vec![scalar(other).ok_or_else(|| {
                    self.err(format!("request.context.{k}: a value must be a string, number, boolean or a list of them"))
                })?],
            };
            let mut k = k;
            k.make_ascii_lowercase();
            context.insert(k, vals);
        }
        let request = Request {
            principal,
            action: r.action,
            resource,
            context,
        };

        let p = raw.policies;
        if p.resource.is_some() && p.trust.is_some() {
            return Err(self.err("policies: give either `resource` or `trust` (a trust policy is the role's resource-based policy), not both"));
        }
        let mut set = PolicySet::default();
        for (i, e) in p.identity.into_iter().enumerate() {
            set.identity.push(self.entry(
                e,
                format_args!("identity policy {}", i + 1),
                format_args!("policies.identity[{i}]"),
            )?);
        }
        if let Some(e) = p.resource {
            let label = e.kind.unwrap_or_default().label();
            set.resource = Some(self.entry(
                e,
                format_args!("{label}"),
                format_args!("policies.resource"),
            )?);
        }
        if let Some(e) = p.trust {
            set.resource = Some(self.entry(
                e,
                format_args!("trust policy"),
                format_args!("policies.trust"),
            )?);
        }
        if let Some(e) = p.boundary {
            set.boundary = Some(self.entry(
                e,
                format_args!("permissions boundary"),
                format_args!("policies.boundary"),
            )?);
        }
        for (i, e) in p.session.into_iter().enumerate() {
            set.session.push(self.entry(
                e,
                format_args!("session policy {}", i + 1),
                format_args!("policies.session[{i}]"),
            )?);
        }
        let organization = match raw.organization {
            None => None,
            Some(o) => {
                let mut scps = Vec::new();
                for (li, l) in o.scps.into_iter().enumerate() {
                    let mut policies = Vec::new();
                    for (i, e) in l.policies.into_iter().enumerate() {
                        policies.push(self.entry(
                            e,
                            format_args!("{} SCP {}", l.name, i + 1),
                            format_args!("organization.scps[{li}].policies[{i}]"),
                        )?);
                    }
                    scps.push(OrgLevel {
                        name: l.name,
                        policies,
                    });
                }
                let mut rcps = Vec::new();
                for (li, l) in o.rcps.into_iter().enumerate() {
                    let mut policies = Vec::new();
                    for (i, e) in l.policies.into_iter().enumerate() {
                        policies.push(self.entry(
                            e,
                            format_args!("{} RCP {}", l.name, i + 1),
                            format_args!("organization.rcps[{li}].policies[{i}]"),
                        )?);
                    }
                    rcps.push(OrgLevel {
                        name: l.name,
                        policies,
                    });
                }
                Some(Organization {
                    id: o.id,
                    management_account: o.management_account,
                    accounts: o.accounts,
                    scps,
                    rcps,
                })
            }
        };
        let expect = raw.expect.map(|e| Expect {
            decision: e.decision,
            policy: e.policy,
        });
        Ok(Case {
            name: raw.name,
            description: raw.description,
            request,
            organization,
            policies: set,
            expect,
        })
    }
}

fn scalar(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn yaml_error(file: &str, e: &serde_yaml::Error) -> CaseError {
    let mut message = e.to_string();
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    CaseError {
        file: file.to_string(),
        pos: e.location().map(|l| Pos {
            line: l.line(),
            column: l.column(),
        }),
        message,
    }
}

/// Finds the first invalid inline policy document in a JSON case tree (for a precise position).
fn locate_json_document_error(root: &Node, file: &str) -> Option<CaseError> {
    type Candidate<'n> = (Vec<String>, PolicyType, ResourceKind, &'n Node);
    fn push_entry<'n>(
        c: &mut Vec<Candidate<'n>>,
        path: Vec<String>,
        ty: PolicyType,
        default_kind: ResourceKind,
        entry: &'n Node,
    ) {
        if let Some(doc) = entry.get("document") {
            let kind = entry
                .get("kind")
                .and_then(|k| k.as_str())
                .and_then(|k| {
                    serde_json::from_value::<ResourceKind>(serde_json::Value::String(k.into())).ok()
                })
                .unwrap_or(default_kind);
            let mut p = path;
            p.push("document".into());
            c.push((p, ty, kind, doc));
        }
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let cases: Vec<(String, &Node)> = match root.get("cases") {
        Some(Node {
            value: json::Value::Array(items),
            ..
        }) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (format!("cases[{i}]."), n))
            .collect(),
        _ => vec![(String::new(), root)],
    };
    for (prefix, case) in cases {
        if let Some(pol) = case.get("policies") {
            for (slot, ty, kind) in [
                ("identity", PolicyType::Identity, ResourceKind::Other),
                ("session", PolicyType::Session, ResourceKind::Other),
            ] {
                if let Some(json::Value::Array(items)) = pol.get(slot).map(|n| &n.value) {
                    for (i, e) in items.iter().enumerate() {
                        push_entry(
                            &mut candidates,
                            vec![format!("{prefix}policies.{slot}[{i}]")],
                            ty,
                            kind,
                            e,
                        );
                    }
                }
            }
            for (slot, ty, kind) in [
                ("resource", PolicyType::Resource, ResourceKind::Other),
                ("trust", PolicyType::Resource, ResourceKind::Trust),
                ("boundary", PolicyType::Boundary, ResourceKind::Other),
            ] {
                if let Some(e) = pol.get(slot) {
                    push_entry(
                        &mut candidates,
                        vec![format!("{prefix}policies.{slot}")],
                        ty,
                        kind,
                        e,
                    );
                }
            }
        }
        if let Some(org) = case.get("organization") {
            for (slot, ty) in [("scps", PolicyType::Scp), ("rcps", PolicyType::Rcp)] {
                if let Some(json::Value::Array(levels)) = org.get(slot).map(|n| &n.value) {
                    for (li, l) in levels.iter().enumerate() {
                        if let Some(json::Value::Array(items)) = l.get("policies").map(|n| &n.value)
                        {
                            for (i, e) in items.iter().enumerate() {
                                push_entry(
                                    &mut candidates,
                                    vec![format!(
                                        "{prefix}organization.{slot}[{li}].policies[{i}]"
                                    )],
                                    ty,
                                    ResourceKind::Other,
                                    e,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    for (path, ty, kind, doc) in candidates {
        let result = match &doc.value {
            json::Value::String(text) => match json::parse(text) {
                Ok(n) => super::document::Policy::from_node(&n, ty, kind)
                    .map(|_| ())
                    .map_err(|mut e| {
                        e.pos = doc.pos;
                        e
                    }),
                Err(e) => Err(super::document::PolicyError {
                    path: "(document)".into(),
                    pos: doc.pos,
                    message: e.to_string(),
                }),
            },
            _ => super::document::Policy::from_node(doc, ty, kind).map(|_| ()),
        };
        if let Err(e) = result {
            return Some(CaseError {
                file: file.to_string(),
                pos: e.pos,
                message: format!("{}: {DOC_ERROR}: {}: {}", path.join("."), e.path, e.message),
            });
        }
    }
    None
}

fn json_cases(text: &str, file: &str, many: bool) -> Result<Vec<RawCase>, CaseError> {
    let tree = json::parse(text).map_err(|e| CaseError {
        file: file.to_string(),
        pos: Some(e.pos),
        message: e.message,
    })?;
    let parsed = if many {
        serde_json::from_str::<RawCaseList>(text).map(|l| l.cases)
    } else {
        serde_json::from_str::<RawCase>(text).map(|c| vec![c])
    };
    parsed.map_err(|e| {
        if e.to_string().contains(DOC_ERROR)
            && let Some(found) = locate_json_document_error(&tree, file)
        {
            return found;
        }
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        CaseError {
            file: file.to_string(),
            pos: Some(Pos {
                line: e.line(),
                column: e.column(),
            }),
            message,
        }
    })
}

/// Parses the text of a case file. `file` names it in errors; `base_dir` resolves `file:` entries.
/// A file whose top level has `cases:` holds a list of cases.
pub fn parse_cases(
    text: &str,
    format: Format,
    file: &str,
    base_dir: Option<&Path>,
) -> Result<Vec<Case>, CaseError> {
    let raws = match format {
        Format::Json => {
            let many = json::parse(text)
                .ok()
                .is_some_and(|n| n.at(&[PathPart::Key("cases")]).is_some());
            json_cases(text, file, many)?
        }
        Format::Yaml => {
            // Linear: serde's parser spends super-linear time on deep flow nesting.
            crate::deck::nesting::check(text, crate::deck::nesting::MAX_NESTING).map_err(
                |(pos, message)| CaseError {
                    file: file.to_string(),
                    pos: Some(Pos {
                        line: pos.line,
                        column: pos.column,
                    }),
                    message,
                },
            )?;
            let many = text.lines().any(|l| l.starts_with("cases:"));
            if many {
                serde_yaml::from_str::<RawCaseList>(text)
                    .map(|l| l.cases)
                    .map_err(|e| yaml_error(file, &e))?
            } else {
                vec![serde_yaml::from_str::<RawCase>(text).map_err(|e| yaml_error(file, &e))?]
            }
        }
    };
    let cx = Cx { file, base_dir };
    raws.into_iter().map(|r| cx.case(r)).collect()
}

/// Parses one case (a file holding exactly one case).
pub fn parse_case(
    text: &str,
    format: Format,
    file: &str,
    base_dir: Option<&Path>,
) -> Result<Case, CaseError> {
    let mut cases = parse_cases(text, format, file, base_dir)?;
    if cases.len() != 1 {
        return Err(CaseError {
            file: file.to_string(),
            pos: None,
            message: format!("expected one case, found {}", cases.len()),
        });
    }
    Ok(cases.remove(0))
}

/// Largest case or policy file read (a regular file; devices and named pipes are refused).
pub const MAX_CASE_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads a case file (YAML, or JSON when the name ends in `.json`).
pub fn load_cases(path: &Path) -> Result<Vec<Case>, CaseError> {
    let file = path.display().to_string();
    let text =
        crate::deck::read::read_text_bounded(path, MAX_CASE_FILE_BYTES).map_err(|e| CaseError {
            file: file.clone(),
            pos: None,
            message: format!("cannot read the file: {e}"),
        })?;
    parse_cases(&text, Format::of_path(path), &file, path.parent())
}

/// Parses one JSON case from a line of `--jsonl` input (no `file:` entries resolved
/// relative to anything but the working directory).
pub fn parse_json_line(line: &str, line_no: usize) -> Result<Case, CaseError> {
    // Documents straight into the model first; a line that path rejects is read again below
    // the positioned way, so the error names its place (and the file name is only written then).
    if let Ok(raw) = super::fast::with(|| serde_json::from_str::<RawCase>(line))
        && let Ok(case) = (Cx {
            file: "",
            base_dir: None,
        })
        .case(raw)
    {
        return Ok(case);
    }
    let file = format!("stdin line {line_no}");
    let raw = serde_json::from_str::<RawCase>(line).map_err(|e| {
        if e.to_string().contains(DOC_ERROR)
            && let Ok(tree) = json::parse(line)
            && let Some(found) = locate_json_document_error(&tree, &file)
        {
            return found;
        }
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        CaseError {
            file: file.clone(),
            pos: Some(Pos {
                line: e.line(),
                column: e.column(),
            }),
            message,
        }
    })?;
    Cx {
        file: &file,
        base_dir: None,
    }
    .case(raw)
}

/// Converts a raw case deserialized elsewhere (lab puzzles embed cases).
pub(crate) fn convert(raw: RawCase, file: &str) -> Result<Case, CaseError> {
    Cx {
        file,
        base_dir: None,
    }
    .case(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
name: w1
request:
  principal: arn:aws:iam::123456789012:user/carlossalazar
  action: s3:PutObject
  resource: arn:aws:s3:::carlossalazar-logs/x
policies:
  identity:
    - name: own-bucket
      document:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "s3:*"
            Resource: ["arn:aws:s3:::carlossalazar", "arn:aws:s3:::carlossalazar/*"]
          - Effect: Deny
            Action: "s3:*"
            Resource: "arn:aws:s3:::*log*"
expect: ExplicitDeny
"#;

    #[test]
    fn yaml_case_evaluates() {
        let c = parse_case(YAML, Format::Yaml, "w1.yaml", None).unwrap();
        let ev = c.evaluate();
        assert_eq!(ev.decision, Decision::ExplicitDeny);
        assert!(c.check(&ev).is_ok());
        assert_eq!(ev.deciding_statement.as_ref().unwrap().index, 1);
    }

    #[test]
    fn yaml_document_errors_point_at_the_entry() {
        let bad = YAML.replace("Effect: Deny", "Effect: deny");
        let e = parse_case(&bad, Format::Yaml, "w1.yaml", None).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("w1.yaml:"), "{s}");
        assert!(s.contains("Statement[1].Effect"), "{s}");
        assert!(e.pos.is_some(), "{s}");
    }

    #[test]
    fn json_document_errors_are_exact() {
        let text = "{\"request\": {\"principal\": \"arn:aws:iam::123456789012:user/a\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"},\n \"policies\": {\"identity\": [{\"name\": \"p\", \"document\": {\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Principal\": \"*\"}]}}]}}";
        let e = parse_case(text, Format::Json, "c.json", None).unwrap_err();
        assert_eq!(
            e.pos,
            Some(Pos {
                line: 3,
                column: 71
            }),
            "{e}"
        );
        assert!(e.message.contains("policies.identity[0].document"), "{e}");
        assert!(e.message.contains("Statement[0].Principal"), "{e}");
    }

    #[test]
    fn structural_errors_have_positions() {
        let e = parse_case(
            "request:\n  principal: x\n  actoin: s3:GetObject\n",
            Format::Yaml,
            "c.yaml",
            None,
        )
        .unwrap_err();
        assert!(e.pos.is_some(), "{e}");
        let e = parse_case("{\"request\": 3}", Format::Json, "c.json", None).unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(1));
        // What was expected is said in the case format's words, not the reader's type names.
        assert!(
            e.message
                .contains("expected a request: a mapping with principal, action, resource"),
            "{e}"
        );
        let e = parse_json_line("{\"request\": {\"principal\": []}}", 4).unwrap_err();
        assert!(
            e.message.contains("expected a principal ARN, or a mapping"),
            "{e}"
        );
        let e = parse_case("[]", Format::Json, "c.json", None).unwrap_err();
        assert!(!e.message.contains("Raw"), "{e}");
        let e = parse_case("{\"request\": ", Format::Json, "c.json", None).unwrap_err();
        assert!(e.message.contains("end of input"), "{e}");
    }

    #[test]
    fn many_cases_in_one_file() {
        let text = format!(
            "cases:\n{}",
            YAML.lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
                .replacen("  name: w1", "- name: w1", 1)
        );
        let cases = parse_cases(&text, Format::Yaml, "many.yaml", None).unwrap();
        assert_eq!(cases.len(), 1);
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// Every shipped lab case is read by the fast path, and both paths build the same case.
    #[test]
    fn lab_cases_take_the_fast_path_and_agree_with_the_positioned_one() {
        let lines = super::super::lab::builtin_case_lines();
        assert!(lines.len() >= 30, "{}", lines.len());
        for line in &lines {
            let raw = super::super::fast::with(|| serde_json::from_str::<RawCase>(line))
                .unwrap_or_else(|e| panic!("{e}: {line}"));
            let fast = Cx {
                file: "t",
                base_dir: None,
            }
            .case(raw)
            .unwrap();
            let slow_raw = serde_json::from_str::<RawCase>(line).unwrap();
            let mut slow = Cx {
                file: "t",
                base_dir: None,
            }
            .case(slow_raw)
            .unwrap();
            // The positioned path keeps the documents; the fast one does not.
            let strip = |ps: &mut [NamedPolicy]| ps.iter_mut().for_each(|p| p.document = None);
            strip(&mut slow.policies.identity);
            strip(&mut slow.policies.session);
            strip(slow.policies.resource.as_mut_slice());
            strip(slow.policies.boundary.as_mut_slice());
            if let Some(o) = &mut slow.organization {
                for l in o.scps.iter_mut().chain(o.rcps.iter_mut()) {
                    strip(&mut l.policies);
                }
            }
            assert_eq!(fast, slow, "{line}");
        }
    }
}
