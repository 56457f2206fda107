//! Generated drills: "Allowed, explicitly denied or implicitly denied — and which policy decides?"
//!
//! Each drill comes from a template and a variant number; the same `(template, variant)`
//! always builds the same case, so a drill's id (`drill-<template>-<variant>`) can be scheduled
//! like a card and rebuilt later with [`by_id`]. The answer is computed by the engine.

use serde_json::{Value, json};

use super::case::{self, Case, Expect};
use super::document::{PolicyType, ResourceKind};
use super::eval::{Decision, Evaluation, NamedPolicy, OrgLevel, Organization, PolicySet};
use super::request::{Principal, Request, Resource};

/// The question every drill asks.
pub const QUESTION: &str =
    "Allowed, explicitly denied or implicitly denied — and which policy decides?";

/// Template names, in a fixed order.
pub const TEMPLATES: &[&str] = &[
    "deny-wins",
    "boundary",
    "scp-chain",
    "cross-account",
    "mfa",
    "resource-grant",
];

/// Variants per template (variant numbers are taken modulo this).
pub const VARIANTS: u32 = 64;

/// One generated drill with its engine-computed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    /// `drill-<template>-<variant>`.
    pub id: String,
    pub template: &'static str,
    pub variant: u32,
    /// The scenario in words, with the policies as compact JSON, ending with [`QUESTION`].
    pub prompt: String,
    pub case: Case,
    pub answer: Evaluation,
}

impl Drill {
    /// Policy names the learner can pick from (as they appear in the case).
    pub fn options(&self) -> Vec<String> {
        let mut out = Vec::new();
        let p = &self.case.policies;
        out.extend(p.identity.iter().map(|n| n.name.clone()));
        out.extend(p.resource.iter().map(|n| n.name.clone()));
        out.extend(p.boundary.iter().map(|n| n.name.clone()));
        out.extend(p.session.iter().map(|n| n.name.clone()));
        if let Some(o) = &self.case.organization {
            out.extend(o.scps.iter().map(|l| l.name.clone()));
        }
        out
    }

    /// The policy (or organization level) that decides, as named in [`Drill::options`].
    pub fn deciding_policy(&self) -> Option<String> {
        let options = self.options();
        case::deciding_names(&self.answer)
            .into_iter()
            .find(|n| options.contains(n))
    }

    /// True when the decision matches and the named policy is the deciding one.
    pub fn check(&self, decision: Decision, policy: Option<&str>) -> bool {
        if decision != self.answer.decision {
            return false;
        }
        match (self.deciding_policy(), policy) {
            (Some(_), Some(got)) => case::deciding_names(&self.answer).iter().any(|n| n == got),
            (None, _) => true,
            (Some(_), None) => false,
        }
    }
}

/// SplitMix64: a tiny, fixed PRNG so drills stay identical across crate upgrades.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// Templates only build valid documents (every variant is built by the tests).
fn np(name: &str, ty: PolicyType, kind: ResourceKind, doc: Value) -> Option<NamedPolicy> {
    NamedPolicy::from_value(name, ty, kind, doc).ok()
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

fn request(
    principal: &str,
    action: &str,
    resource: &str,
    account: Option<&str>,
) -> Option<Request> {
    Some(Request {
        principal: Principal::from_arn(principal, None).ok()?,
        action: action.to_string(),
        resource: Resource {
            arn: resource.to_string(),
            account: account.map(str::to_string),
            aws_managed_key: false,
        },
        context: Default::default(),
    })
}

const ACCT: &str = "123456789012";
const OTHER: &str = "210987654321";

const S3_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
];

fn s3_resource(action: &str, bucket: &str) -> String {
    if action == "s3:ListBucket" {
        format!("arn:aws:s3:::{bucket}")
    } else {
        format!("arn:aws:s3:::{bucket}/reports/q3.csv")
    }
}

fn build_case(template: &str, variant: u32) -> Option<Case> {
    let mut r =
        Mix(0xD1CE_5EED ^ ((variant as u64) << 8) ^ (template.len() as u64 * 0x1_0000_0001));
    for b in template.bytes() {
        r.0 = r.0.rotate_left(5) ^ b as u64;
    }
    let user = format!(
        "arn:aws:iam::{ACCT}:user/{}",
        r.pick(&["dana", "lee", "omar", "ines"])
    );
    let bucket = r.pick(&["finance-data", "team-logs", "ml-artifacts"]);
    let mut set = PolicySet::default();
    let mut org = None;
    let req = match template {
        "deny-wins" => {
            let action = r.pick(S3_ACTIONS);
            let denied = if r.coin() { action } else { r.pick(S3_ACTIONS) };
            let resource = s3_resource(action, bucket);
            set.identity.push(np(
                "team-s3-access",
                PolicyType::Identity,
                ResourceKind::Other,
                allow(&["s3:*"], "*"),
            )?);
            let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Guardrail", "Effect": "Deny", "Action": denied, "Resource": "*"}]});
            match r.below(3) {
                0 => set.identity.push(np(
                    "guardrail",
                    PolicyType::Identity,
                    ResourceKind::Other,
                    deny,
                )?),
                1 => {
                    let mut b = allow(&["s3:*"], "*");
                    b["Statement"]
                        .as_array_mut()?
                        .push(deny["Statement"][0].clone());
                    set.boundary = Some(np(
                        "team-boundary",
                        PolicyType::Boundary,
                        ResourceKind::Other,
                        b,
                    )?);
                }
                _ => {
                    let bp = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Guardrail", "Effect": "Deny", "Principal": "*", "Action": denied, "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]}]});
                    set.resource = Some(np(
                        "bucket-policy",
                        PolicyType::Resource,
                        ResourceKind::Bucket,
                        bp,
                    )?);
                }
            }
            request(&user, action, &resource, Some(ACCT))?
        }
        "boundary" => {
            let action = r.pick(S3_ACTIONS);
            let identity: Vec<&str> = S3_ACTIONS.iter().copied().filter(|_| r.coin()).collect();
            let identity = if identity.is_empty() {
                vec!["s3:Get*"]
            } else {
                identity
            };
            let boundary: Vec<&str> = ["s3:Get*", "s3:List*", "s3:Put*", "ec2:*"]
                .iter()
                .copied()
                .filter(|_| r.coin())
                .collect();
            let boundary = if boundary.is_empty() {
                vec!["ec2:*"]
            } else {
                boundary
            };
            set.identity.push(np(
                "developer-policy",
                PolicyType::Identity,
                ResourceKind::Other,
                allow(&identity, "*"),
            )?);
            set.boundary = Some(np(
                "developer-boundary",
                PolicyType::Boundary,
                ResourceKind::Other,
                allow(&boundary, "*"),
            )?);
            request(&user, action, &s3_resource(action, bucket), Some(ACCT))?
        }
        "scp-chain" => {
            let services = ["s3", "ec2", "dynamodb", "lambda"];
            let service = services[r.below(services.len())];
            let action = match service {
                "s3" => "s3:GetObject",
                "ec2" => "ec2:RunInstances",
                "dynamodb" => "dynamodb:PutItem",
                _ => "lambda:InvokeFunction",
            };
            let ou = r.pick(&["OU Prod", "OU Sandbox", "OU Workloads"]);
            let allowed: Vec<String> = services
                .iter()
                .filter(|_| r.coin())
                .map(|s| format!("{s}:*"))
                .collect();
            let allowed: Vec<&str> = if allowed.is_empty() {
                vec!["ec2:*"]
            } else {
                allowed.iter().map(String::as_str).collect()
            };
            let full = np(
                "FullAWSAccess",
                PolicyType::Scp,
                ResourceKind::Other,
                allow(&["*"], "*"),
            )?;
            let management = r.below(4) == 0;
            let account = if management { "999999999999" } else { ACCT };
            org = Some(Organization {
                id: Some("o-drill0001".into()),
                management_account: "999999999999".into(),
                accounts: vec![ACCT.into(), "999999999999".into()],
                scps: vec![
                    OrgLevel {
                        name: "Root".into(),
                        policies: vec![full.clone()],
                    },
                    OrgLevel {
                        name: ou.into(),
                        policies: vec![np(
                            "allow-list",
                            PolicyType::Scp,
                            ResourceKind::Other,
                            allow(&allowed, "*"),
                        )?],
                    },
                    OrgLevel {
                        name: format!("Account {account}"),
                        policies: vec![full.clone()],
                    },
                ],
                rcps: Vec::new(),
            });
            set.identity.push(np(
                "AdministratorAccess",
                PolicyType::Identity,
                ResourceKind::Other,
                allow(&["*"], "*"),
            )?);
            let resource = match service {
                "s3" => format!("arn:aws:s3:::{bucket}/reports/q3.csv"),
                "ec2" => format!("arn:aws:ec2:eu-west-1:{account}:instance/*"),
                "dynamodb" => format!("arn:aws:dynamodb:eu-west-1:{account}:table/orders"),
                _ => format!("arn:aws:lambda:eu-west-1:{account}:function:resize"),
            };
            let principal = format!("arn:aws:iam::{account}:user/ops");
            request(&principal, action, &resource, Some(account))?
        }
        "cross-account" => {
            let action = r.pick(&["s3:GetObject", "s3:PutObject"]);
            if r.below(4) != 0 {
                set.identity.push(np(
                    "partner-access",
                    PolicyType::Identity,
                    ResourceKind::Other,
                    allow(&[action], &format!("arn:aws:s3:::{bucket}/*")),
                )?);
            } else {
                set.identity.push(np(
                    "partner-access",
                    PolicyType::Identity,
                    ResourceKind::Other,
                    allow(&["s3:ListBucket"], &format!("arn:aws:s3:::{bucket}")),
                )?);
            }
            let granted = match r.below(3) {
                0 => Some(format!("arn:aws:iam::{ACCT}:root")),
                1 => Some(user.clone()),
                _ => None,
            };
            let principal = granted.unwrap_or_else(|| "arn:aws:iam::333333333333:root".into());
            let bp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": format!("arn:aws:s3:::{bucket}/*")}]});
            set.resource = Some(np(
                "bucket-policy",
                PolicyType::Resource,
                ResourceKind::Bucket,
                bp,
            )?);
            request(
                &user,
                action,
                &format!("arn:aws:s3:::{bucket}/shared/data.csv"),
                Some(OTHER),
            )?
        }
        "mfa" => {
            let op = r.pick(&["Bool", "BoolIfExists"]);
            let action = r.pick(&["ec2:StopInstances", "s3:GetObject", "iam:ChangePassword"]);
            set.identity.push(np(
                "operator",
                PolicyType::Identity,
                ResourceKind::Other,
                allow(&["ec2:*", "s3:*", "iam:ChangePassword"], "*"),
            )?);
            let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "RequireMFA", "Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"], "Resource": "*", "Condition": {op: {"aws:MultiFactorAuthPresent": "false"}}}]});
            set.identity.push(np(
                "require-mfa",
                PolicyType::Identity,
                ResourceKind::Other,
                deny,
            )?);
            let mut req = request(
                &user,
                action,
                &format!("arn:aws:s3:::{bucket}/reports/q3.csv"),
                Some(ACCT),
            )?;
            match r.below(3) {
                0 => {}
                1 => {
                    req.context
                        .insert("aws:multifactorauthpresent".into(), vec!["false".into()]);
                }
                _ => {
                    req.context
                        .insert("aws:multifactorauthpresent".into(), vec!["true".into()]);
                }
            }
            req
        }
        "resource-grant" => {
            let session = format!("arn:aws:sts::{ACCT}:assumed-role/AnalyticsRole/job-7");
            let role = format!("arn:aws:iam::{ACCT}:role/AnalyticsRole");
            let (caller, named) = match r.below(3) {
                0 => (user.clone(), user.clone()),
                1 => (session.clone(), role),
                _ => (session.clone(), session),
            };
            set.identity.push(np(
                "analytics-policy",
                PolicyType::Identity,
                ResourceKind::Other,
                allow(&["athena:*"], "*"),
            )?);
            if r.coin() {
                set.boundary = Some(np(
                    "analytics-boundary",
                    PolicyType::Boundary,
                    ResourceKind::Other,
                    allow(&["athena:*", "glue:*"], "*"),
                )?);
            }
            let bp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": named}, "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]});
            set.resource = Some(np(
                "bucket-policy",
                PolicyType::Resource,
                ResourceKind::Bucket,
                bp,
            )?);
            request(
                &caller,
                "s3:GetObject",
                &format!("arn:aws:s3:::{bucket}/reports/q3.csv"),
                Some(ACCT),
            )?
        }
        _ => return None,
    };
    Some(Case {
        name: Some(format!("drill-{template}-{variant}")),
        description: None,
        request: req,
        organization: org,
        policies: set,
        expect: None::<Expect>,
    })
}

fn prompt(case: &Case) -> String {
    let r = &case.request;
    let mut out = format!(
        "{} calls {} on {}",
        r.principal.arn, r.action, r.resource.arn
    );
    if let Some(a) = &r.resource.account
        && Some(a) != r.principal.account.as_ref()
    {
        out.push_str(&format!(" (owned by account {a})"));
    }
    out.push('.');
    if !r.context.is_empty() {
        let keys: Vec<String> = r
            .context
            .iter()
            .map(|(k, v)| format!("{k} = {}", v.join(", ")))
            .collect();
        out.push_str(&format!(" Context: {}.", keys.join("; ")));
    }
    out.push('\n');
    let line = |np: &NamedPolicy| {
        let label = if np.policy_type == PolicyType::Resource {
            np.kind.label()
        } else {
            np.policy_type.label()
        };
        format!("- {label} \"{}\": {}\n", np.name, np.json())
    };
    if let Some(o) = &case.organization {
        let member = r.principal.account.as_deref() != Some(o.management_account.as_str());
        out.push_str(&format!(
            "The account is {} of the organization (management account {}).\n",
            if member {
                "a member"
            } else {
                "the management account"
            },
            o.management_account
        ));
        for l in &o.scps {
            for p in &l.policies {
                out.push_str(&format!(
                    "- SCP \"{}\" at {}: {}\n",
                    p.name,
                    l.name,
                    p.json()
                ));
            }
        }
    }
    let p = &case.policies;
    for n in p
        .identity
        .iter()
        .chain(p.resource.iter())
        .chain(p.boundary.iter())
        .chain(p.session.iter())
    {
        out.push_str(&line(n));
    }
    out.push_str(QUESTION);
    out
}

/// Builds one drill; `None` for an unknown template.
pub fn build(template: &str, variant: u32) -> Option<Drill> {
    let template = *TEMPLATES.iter().find(|t| **t == template)?;
    let variant = variant % VARIANTS;
    let case = build_case(template, variant)?;
    let answer = case.evaluate();
    Some(Drill {
        id: format!("drill-{template}-{variant}"),
        template,
        variant,
        prompt: prompt(&case),
        case,
        answer,
    })
}

/// Rebuilds a drill from its id (`drill-<template>-<variant>`).
pub fn by_id(id: &str) -> Option<Drill> {
    let rest = id.strip_prefix("drill-")?;
    let (template, variant) = rest.rsplit_once('-')?;
    let variant: u32 = variant.parse().ok()?;
    if variant >= VARIANTS {
        return None;
    }
    build(template, variant)
}

/// `n` drills chosen by `seed`, cycling through the templates.
pub fn generate(seed: u64, n: usize) -> Vec<Drill> {
    let mut r = Mix(seed);
    (0..n)
        .filter_map(|i| {
            let template = TEMPLATES[(i + r.below(TEMPLATES.len())) % TEMPLATES.len()];
            build(template, r.below(VARIANTS as usize) as u32)
        })
        .collect()
}

/// The fixed seed of the built-in "Policy drills" deck: changing it changes card ids and loses
/// the learners' scheduling history of these cards.
pub const DECK_SEED: u64 = 0x1A4D_D811;

/// How many drills the built-in deck holds.
pub const DECK_SIZE: usize = 24;

/// The id of the built-in deck of generated drills.
pub const DECK_ID: &str = "policy-drills";

/// The request, each policy as a ```json block, then the question, as card markup.
fn card_question(case: &Case) -> String {
    let r = &case.request;
    let mut out = format!(
        "{} calls {} on {}",
        r.principal.arn, r.action, r.resource.arn
    );
    if let Some(a) = &r.resource.account
        && Some(a) != r.principal.account.as_ref()
    {
        out.push_str(&format!(" (owned by account {a})"));
    }
    out.push('.');
    if !r.context.is_empty() {
        let keys: Vec<String> = r
            .context
            .iter()
            .map(|(k, v)| format!("{k} = {}", v.join(", ")))
            .collect();
        out.push_str(&format!(" Context: {}.", keys.join("; ")));
    }
    out.push_str("\n\n");
    let block = |label: &str, np: &NamedPolicy| {
        let json = np.pretty();
        format!("{label} \"{}\":\n\n```json\n{json}\n```\n\n", np.name)
    };
    if let Some(o) = &case.organization {
        let member = r.principal.account.as_deref() != Some(o.management_account.as_str());
        out.push_str(&format!(
            "The account is {} of the organization (management account {}).\n\n",
            if member {
                "a member"
            } else {
                "the management account"
            },
            o.management_account
        ));
        for l in &o.scps {
            for p in &l.policies {
                out.push_str(&block(&format!("SCP at {}", l.name), p));
            }
        }
    }
    let p = &case.policies;
    for n in p
        .identity
        .iter()
        .chain(p.resource.iter())
        .chain(p.boundary.iter())
        .chain(p.session.iter())
    {
        let label = if n.policy_type == PolicyType::Resource {
            n.kind.label()
        } else {
            n.policy_type.label()
        };
        let mut label = label.to_string();
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        out.push_str(&block(&label, n));
    }
    out.push_str(QUESTION);
    out
}

impl Drill {
    /// The drill as a flashcard: topic evaluation-logic, the engine's decision and explanation as
    /// the answer, the decision word and the deciding policy as key points.
    pub fn card(&self) -> crate::deck::Card {
        use crate::deck::{Card, CardKind, Difficulty, KeyPoint};
        let ev = &self.answer;
        let decides = self.deciding_policy();
        let mut answer = format!("{} ({}).", ev.decision, ev.decision.words());
        if let Some(name) = &decides {
            answer.push_str(&format!(" Deciding policy: \"{name}\""));
            if let Some(s) = &ev.deciding_statement {
                answer.push_str(&format!(", {}", s.label()));
            }
            answer.push('.');
        }
        answer.push_str(&format!("\n\n{}", ev.rule));
        if !ev.steps.is_empty() {
            answer.push('\n');
            for s in &ev.steps {
                answer.push_str(&format!("\n- {s}"));
            }
        }
        for n in &ev.notes {
            answer.push_str(&format!("\n\nNote: {n}"));
        }
        let decision_word = match ev.decision {
            Decision::Allow => KeyPoint {
                text: "allowed".into(),
                accept: vec!["allow".into()],
                claim: None,
            },
            Decision::ExplicitDeny => KeyPoint {
                text: "explicitly denied".into(),
                accept: vec!["explicit deny".into()],
                claim: None,
            },
            Decision::ImplicitDeny => KeyPoint {
                text: "implicitly denied".into(),
                accept: vec!["implicit deny".into()],
                claim: None,
            },
        };
        let mut key_points = vec![decision_word];
        if let Some(name) = decides {
            key_points.push(KeyPoint::new(name));
        }
        Card {
            id: self.id.clone(),
            kind: CardKind::Basic,
            topic: "evaluation-logic".into(),
            tags: vec!["generated".into(), format!("drill-{}", self.template)],
            difficulty: Difficulty::Professional,
            question: card_question(&self.case),
            answer,
            table: None,
            scenario: None,
            key_points,
            source: None,
            variants: Vec::new(),
            corrections: Vec::new(),
            note: None,
            references: Vec::new(),
        }
    }
}

/// The built-in "Policy drills" deck: `n` drills from the fixed [`DECK_SEED`], each id once.
pub fn deck(n: usize) -> crate::deck::Deck {
    let mut seen = std::collections::HashSet::new();
    let mut cards = Vec::new();
    // Draw more than needed so repeated (template, variant) pairs do not shrink the deck.
    for d in generate(DECK_SEED, n.saturating_mul(4)) {
        if cards.len() == n {
            break;
        }
        if seen.insert(d.id.clone()) {
            cards.push(d.card());
        }
    }
    crate::deck::Deck {
        id: DECK_ID.into(),
        title: "Policy drills".into(),
        description: "Generated requests: allowed, explicitly denied or implicitly denied, and which policy decides. Answers computed by the policy engine.".into(),
        topics: Vec::new(),
        cards,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drill_deck_has_stable_unique_ids_and_engine_answers() {
        let a = deck(DECK_SIZE);
        let b = deck(DECK_SIZE);
        assert_eq!(a, b);
        assert_eq!(a.cards.len(), DECK_SIZE);
        let mut ids: Vec<&str> = a.cards.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), DECK_SIZE);
        for c in &a.cards {
            assert_eq!(c.topic, "evaluation-logic");
            assert!(c.question.contains("```json\n{"), "{}", c.question);
            assert!(c.question.ends_with(QUESTION));
            let d = by_id(&c.id).unwrap();
            let word = d.answer.decision.words();
            assert!(c.answer.contains(word), "{}: {}", c.id, c.answer);
            assert_eq!(c.key_points[0].text, word);
            if let Some(p) = d.deciding_policy() {
                assert!(c.key_points.iter().any(|k| k.text == p), "{}", c.id);
            }
        }
        // The deck passes the same validation as a deck file (seeded with the built-in ids).
        let yaml = serde_yaml::to_string(&a).unwrap();
        let builtin = crate::deck::builtin_decks();
        let mut seen = crate::deck::Seen::default();
        seen.add_label(
            builtin
                .iter()
                .flat_map(|d| d.cards.iter().map(|c| c.id.as_str())),
            "a built-in deck",
        );
        let checked = crate::deck::parse_and_check(&yaml, "policy-drills", &seen);
        assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn every_variant_builds_and_round_trips_by_id() {
        for t in TEMPLATES {
            for v in 0..VARIANTS {
                let d = build(t, v).unwrap();
                assert_eq!(d.id, format!("drill-{t}-{v}"));
                assert!(d.prompt.ends_with(QUESTION));
                let again = by_id(&d.id).unwrap();
                assert_eq!(again.case, d.case);
                assert_eq!(again.answer.decision, d.answer.decision);
                assert!(d.check(d.answer.decision, d.deciding_policy().as_deref()));
            }
        }
    }

    #[test]
    fn templates_produce_all_three_outcomes() {
        for t in TEMPLATES {
            let decisions: std::collections::HashSet<_> = (0..VARIANTS)
                .map(|v| build(t, v).unwrap().answer.decision)
                .collect();
            assert!(decisions.len() >= 2, "{t}: {decisions:?}");
        }
        let all: std::collections::HashSet<_> = generate(7, 200)
            .into_iter()
            .map(|d| d.answer.decision)
            .collect();
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn generate_is_deterministic() {
        let a: Vec<String> = generate(42, 20).into_iter().map(|d| d.id).collect();
        let b: Vec<String> = generate(42, 20).into_iter().map(|d| d.id).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
        assert_ne!(
            a,
            generate(43, 20)
                .into_iter()
                .map(|d| d.id)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn wrong_answers_are_rejected() {
        let d = generate(1, 30)
            .into_iter()
            .find(|d| d.answer.decision != Decision::Allow)
            .unwrap();
        assert!(!d.check(Decision::Allow, None));
        if d.deciding_policy().is_some() {
            assert!(!d.check(d.answer.decision, Some("no-such-policy")));
        }
    }

    #[test]
    fn unknown_ids() {
        assert!(by_id("drill-nope-1").is_none());
        assert!(by_id("drill-mfa-999").is_none());
        assert!(by_id("card-1").is_none());
    }
}
