//! The card model shared by decks, scheduler, review screens and the mock interview.

use serde::{Deserialize, Serialize};

/// The topics every deck draws from. Guides' section headings map onto these.
pub const TOPICS: &[(&str, &str)] = &[
    ("iam-identities", "IAM users, groups and roles"),
    ("policies", "Policy types and elements"),
    ("evaluation-logic", "Policy evaluation logic"),
    ("explicit-deny", "Explicit and implicit deny"),
    ("least-privilege", "Least privilege and Access Analyzer"),
    ("mfa", "Multi-factor authentication"),
    ("sts", "AWS STS and temporary credentials"),
    ("cross-account", "Cross-account access"),
    ("trust-policies", "Trust policies and confused deputy"),
    ("organizations", "AWS Organizations and its policies"),
    ("identity-center", "IAM Identity Center"),
    ("federation", "Federation: OIDC, SAML and Cognito"),
    ("kms", "AWS KMS and CloudHSM"),
    ("secrets-manager", "Secrets Manager and Parameter Store"),
    ("s3-security", "S3 access control and Object Lock"),
    (
        "data-perimeter",
        "Data perimeters and VPC endpoint policies",
    ),
    ("cloudtrail", "CloudTrail"),
    ("guardduty", "GuardDuty"),
    ("security-hub", "Security Hub"),
    ("detection-services", "Detection and investigation services"),
    ("privilege-escalation", "Privilege escalation paths"),
    ("scenarios", "Scenarios and architecture"),
    ("general", "General security practice"),
];

/// A topic a deck declares for its own cards (`topics:` in the deck file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicInfo {
    pub slug: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A declared topic as every part of the program sees it, once its deck is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Declared {
    slug: &'static str,
    title: &'static str,
    description: &'static str,
}

/// Topics declared by the decks loaded so far, in the order first seen. The first declaration
/// of a slug wins. Strings are kept for the life of the process (a handful per deck).
static DECLARED: std::sync::RwLock<Vec<Declared>> = std::sync::RwLock::new(Vec::new());

fn declared() -> std::sync::RwLockReadGuard<'static, Vec<Declared>> {
    DECLARED.read().unwrap_or_else(|e| e.into_inner())
}

/// Makes a deck's declared topics known to titles, ordering and `--topic` filters. Built-in
/// slugs and slugs already declared are left as they are.
pub fn declare_topics(topics: &[TopicInfo]) {
    if topics.is_empty() {
        return;
    }
    let mut all = DECLARED.write().unwrap_or_else(|e| e.into_inner());
    for t in topics {
        if is_builtin_topic(&t.slug) || all.iter().any(|d| d.slug == t.slug) {
            continue;
        }
        all.push(Declared {
            slug: Box::leak(t.slug.clone().into_boxed_str()),
            title: Box::leak(t.title.trim().to_string().into_boxed_str()),
            description: Box::leak(t.description.trim().to_string().into_boxed_str()),
        });
    }
}

/// One of the topics in [`TOPICS`].
pub fn is_builtin_topic(topic: &str) -> bool {
    TOPICS.iter().any(|(t, _)| *t == topic)
}

/// A built-in topic or one a loaded deck declares.
pub fn is_known_topic(topic: &str) -> bool {
    is_builtin_topic(topic) || declared().iter().any(|d| d.slug == topic)
}

/// The title of a topic: built-in, declared by a deck, or else the slug itself.
pub fn topic_title(topic: &str) -> &str {
    if let Some((_, title)) = TOPICS.iter().find(|(t, _)| *t == topic) {
        return title;
    }
    match declared().iter().find(|d| d.slug == topic) {
        Some(d) => d.title,
        None => topic,
    }
}

/// What a deck says its declared topic covers (built-in topics have none).
pub fn topic_description(topic: &str) -> Option<&'static str> {
    declared()
        .iter()
        .find(|d| d.slug == topic && !d.description.is_empty())
        .map(|d| d.description)
}

/// Where a topic sorts in per-topic lists: built-in topics in their documented order, then
/// declared ones in the order their decks were loaded, then any other slug by name.
pub fn topic_order(topic: &str) -> (usize, String) {
    if let Some(i) = TOPICS.iter().position(|(t, _)| *t == topic) {
        return (i, String::new());
    }
    match declared().iter().position(|d| d.slug == topic) {
        Some(i) => (TOPICS.len() + i, String::new()),
        None => (usize::MAX, topic.to_string()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Topics of this deck's own, for cards whose subject no built-in topic covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicInfo>,
    pub cards: Vec<Card>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Associate,
    #[default]
    Professional,
    Senior,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    #[default]
    Basic,
    Table,
    Scenario,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Stable slug; progress is keyed by it.
    pub id: String,
    #[serde(default)]
    pub kind: CardKind,
    pub topic: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub difficulty: Difficulty,
    pub question: String,
    /// Light markup: paragraphs, `- ` bullets, fenced code blocks with a language, `inline code`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_points: Vec<KeyPoint>,
    /// Where the card comes from, e.g. `guide-2 Q17`; empty for cards written for iamdrill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The same question as asked by other guides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Known errors in the source wording the card shows (its answer or a variant): each wrong
    /// passage is marked wherever it is shown, and its correction follows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    /// A correction of the source, or a remark, shown in its own box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub situation: String,
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Whether the steps carry their own key points (then those, not the card's, are graded).
    pub fn has_step_key_points(&self) -> bool {
        self.steps.iter().any(|s| !s.key_points.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// e.g. `Immediate`, `Long-term`; steps without a phase belong to the one before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    pub prompt: String,
    pub answer: String,
    /// What an interviewer listens for in the answer to this step. When the steps of a scenario
    /// carry their own key points, a typed step answer is graded against its own step's points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_points: Vec<KeyPoint>,
}

/// A phrase an interviewer listens for. In YAML either a plain string or `{text, accept, claim}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "KeyPointRepr", into = "KeyPointRepr")]
pub struct KeyPoint {
    pub text: String,
    /// Accepted alternative phrasings.
    pub accept: Vec<String>,
    /// What the key point claims, where the relation between its concepts matters.
    pub claim: Option<Claim>,
}

/// A key point as a claim: its subject concepts stand in `relation` to its object concepts
/// ("explicit deny" → "overrides" → "allow"). A negation in the relation ("does not matter",
/// "cannot override") makes the claim a negative one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// One concept or a list of concepts, all needed, on the subject side.
    #[serde(with = "one_or_many")]
    pub subject: Vec<String>,
    pub relation: String,
    /// Concepts on the object side (optional).
    #[serde(default, with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub object: Vec<String>,
}

/// `subject: SCP` or `subject: [SCP, RCP]`.
mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        One(String),
        Many(Vec<String>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::One(s) => vec![s],
            Repr::Many(v) => v,
        })
    }

    pub fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        match v {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum KeyPointRepr {
    Plain(String),
    Full {
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        accept: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        claim: Option<Claim>,
    },
}

impl From<KeyPointRepr> for KeyPoint {
    fn from(r: KeyPointRepr) -> Self {
        match r {
            KeyPointRepr::Plain(text) => KeyPoint::new(text),
            KeyPointRepr::Full {
                text,
                accept,
                claim,
            } => KeyPoint {
                text,
                accept,
                claim,
            },
        }
    }
}

impl From<KeyPoint> for KeyPointRepr {
    fn from(k: KeyPoint) -> Self {
        if k.accept.is_empty() && k.claim.is_none() {
            KeyPointRepr::Plain(k.text)
        } else {
            KeyPointRepr::Full {
                text: k.text,
                accept: k.accept,
                claim: k.claim,
            }
        }
    }
}

impl KeyPoint {
    pub fn new(text: impl Into<String>) -> Self {
        KeyPoint {
            text: text.into(),
            accept: Vec::new(),
            claim: None,
        }
    }
}

/// A wrong passage of source wording and what is right instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The wrong passage, exactly as the card's answer or a variant words it.
    pub wrong: String,
    /// What is right, in light markup (inline code only).
    pub right: String,
    /// AWS documentation that backs the correction.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub source: String,
    pub question: String,
    pub answer: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `stats` and `plan` print a topic's title in a 42-column field; a longer title would
    /// push the numbers out of their columns.
    #[test]
    fn topic_titles_fit_the_stats_and_plan_columns() {
        for (slug, title) in TOPICS {
            assert!(
                title.chars().count() <= 42,
                "title of {slug} is longer than 42 characters: {title}"
            );
        }
    }

    #[test]
    fn declared_topics_get_titles_order_and_descriptions() {
        let t = |slug: &str, title: &str| TopicInfo {
            slug: slug.into(),
            title: title.into(),
            description: format!("About {title}."),
        };
        assert!(!is_known_topic("test-networking"));
        assert_eq!(topic_title("test-networking"), "test-networking");
        declare_topics(&[t("test-networking", "Networking"), t("kms", "Not KMS")]);
        declare_topics(&[t("test-networking", "Second title")]);
        assert!(is_known_topic("test-networking"));
        assert_eq!(
            topic_title("test-networking"),
            "Networking",
            "the first declaration wins"
        );
        assert_eq!(
            topic_title("kms"),
            "AWS KMS and CloudHSM",
            "built-in titles stay"
        );
        assert_eq!(
            topic_description("test-networking"),
            Some("About Networking.")
        );
        assert_eq!(topic_description("kms"), None);
        assert!(topic_order("test-networking") > topic_order("general"));
        assert!(topic_order("test-networking") < topic_order("zz-undeclared"));
    }

    #[test]
    fn topic_slugs_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for (slug, _) in TOPICS {
            assert!(seen.insert(*slug), "topic {slug} is listed twice");
            assert!(
                crate::deck::validate::is_slug(slug),
                "{slug} is not a kebab-case slug"
            );
        }
    }
}
