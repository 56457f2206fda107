//! The deck compiler: Q&A documents → YAML decks.
//!
//! 1. [`parse`] finds every item of each document (three text formats and Markdown);
//! 2. [`convert`] repairs damaged formatting and turns each answer into light markup, tables,
//!    scenario steps and derived key points;
//! 3. items asking the same question are merged into one card, the others kept as variants — by the
//!    curation catalog when one is given (items sharing an id), otherwise by question similarity;
//! 4. a curation overlay (corrections, curated key points, scenario steps) and added cards apply;
//! 5. cards are grouped into decks and written as YAML. Identical input gives identical bytes.

pub mod convert;
pub mod curation;
pub mod parse;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::deck::load::{Problem, strip_forbidden};
use crate::deck::model::{Card, CardKind, Deck, Difficulty, Table, Variant};

pub use curation::Curation;

/// A document to compile: its name (for sources and messages) and text.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub text: String,
}

/// What the compiler made, and what it did.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// (file name, YAML text), in deck order.
    pub files: Vec<(String, String)>,
    pub decks: Vec<Deck>,
    pub report: Report,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Items found per document and guide: (document, guide, count).
    pub items: Vec<(String, usize, usize)>,
    /// card id → the sources merged into it, main first.
    pub merges: Vec<(String, Vec<String>)>,
    /// heading → topic, as mapped.
    pub topics: Vec<(String, String)>,
    /// Lines outside any item: (document, line, text).
    pub skipped: Vec<(String, usize, String)>,
    /// Questions without an answer, left out: (document, line, question).
    pub incomplete: Vec<(String, usize, String)>,
    /// Card ids patched by the overlay, and the errata items each corrects.
    pub corrected: Vec<(String, Vec<String>)>,
    pub added: Vec<String>,
    /// Wrong source passages marked on cards: (card id, the source item that words it so).
    pub marked: Vec<(String, String)>,
}

impl Report {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let total: usize = self.items.iter().map(|(_, _, n)| n).sum();
        out.push_str(&format!("items found: {total}\n"));
        for (doc, guide, n) in &self.items {
            out.push_str(&format!("  {doc} guide-{guide}: {n}\n"));
        }
        out.push_str(&format!("merges: {}\n", self.merges.len()));
        for (id, sources) in &self.merges {
            out.push_str(&format!("  {id}: {}\n", sources.join(" + ")));
        }
        out.push_str("section headings → topics:\n");
        for (h, t) in &self.topics {
            out.push_str(&format!("  {h} → {t}\n"));
        }
        out.push_str(&format!("corrected cards: {}\n", self.corrected.len()));
        for (id, errata) in &self.corrected {
            if !errata.is_empty() {
                out.push_str(&format!("  {id}: {}\n", errata.join(", ")));
            }
        }
        out.push_str(&format!(
            "wrong passages marked with their correction: {}\n",
            self.marked.len()
        ));
        for (id, source) in &self.marked {
            out.push_str(&format!("  {id}: {source}\n"));
        }
        out.push_str(&format!("added cards: {}\n", self.added.len()));
        out.push_str(&format!(
            "questions without an answer (left out): {}\n",
            self.incomplete.len()
        ));
        for (doc, line, text) in &self.incomplete {
            let short: String = text.chars().take(70).collect();
            out.push_str(&format!("  {doc}:{line}: {short}\n"));
        }
        out.push_str(&format!("skipped lines: {}\n", self.skipped.len()));
        for (doc, line, text) in &self.skipped {
            let short: String = text.chars().take(70).collect();
            out.push_str(&format!("  {doc}:{line}: {short}\n"));
        }
        out
    }
}

/// Maps a section heading onto the shared topic list.
pub fn topic_for_heading(heading: &str) -> &'static str {
    let h = heading.to_lowercase();
    const RULES: &[(&[&str], &str)] = &[
        (&["privilege escalation", "privesc"], "privilege-escalation"),
        (
            &["users vs", "iam users", "iam roles", "identities"],
            "iam-identities",
        ),
        (&["evaluation"], "evaluation-logic"),
        (&["explicit deny", "implicit deny"], "explicit-deny"),
        (&["least privilege"], "least-privilege"),
        (&["mfa", "multi-factor"], "mfa"),
        (
            &["identity center", "sso", "single sign"],
            "identity-center",
        ),
        (
            &["federation", "oidc", "saml", "cognito", "web identity"],
            "federation",
        ),
        (&["cross-account", "cross account"], "cross-account"),
        (&["trust"], "trust-policies"),
        (&["sts", "security token"], "sts"),
        (
            &["scp", "organizations", "service control", "rcp"],
            "organizations",
        ),
        (
            &["data perimeter", "vpc endpoint", "privatelink"],
            "data-perimeter",
        ),
        (
            &["s3", "object lock", "presigned", "access point", "bucket"],
            "s3-security",
        ),
        (&["kms", "key management", "encryption", "cloudhsm"], "kms"),
        (&["secrets", "parameter store"], "secrets-manager"),
        (
            &[
                "macie",
                "inspector",
                "detective",
                "security lake",
                "aws config",
                "config rules",
            ],
            "detection-services",
        ),
        (&["cloudtrail", "audit", "logging"], "cloudtrail"),
        (&["guardduty", "threat"], "guardduty"),
        (&["security hub"], "security-hub"),
        (
            &["scenario", "architect", "integrated", "incident"],
            "scenarios",
        ),
        (&["polic"], "policies"),
    ];
    for (needles, topic) in RULES {
        if needles.iter().any(|n| h.contains(n)) {
            return topic;
        }
    }
    "general"
}

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "what",
    "which",
    "do",
    "does",
    "you",
    "and",
    "of",
    "to",
    "in",
    "for",
    "with",
    "on",
    "would",
    "your",
    "explain",
    "between",
    "difference",
    "vs",
    "versus",
    "it",
    "its",
    "can",
    "use",
    "aws",
    "iam",
];

/// Lower-cased content words of a question, lightly stemmed.
fn question_words(q: &str) -> HashSet<String> {
    q.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .map(|w| {
            w.strip_suffix('s')
                .filter(|s| s.len() > 2)
                .unwrap_or(w)
                .to_string()
        })
        .collect()
}

/// Similarity (Dice coefficient) of two questions' content words.
pub fn similarity(a: &str, b: &str) -> f64 {
    dice(&question_words(a), &question_words(b))
}

/// The Dice coefficient of two word sets (0 when either is empty).
fn dice(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() + b.len()) as f64 * 2.0
}

/// Questions at least this similar (Dice coefficient) are merged when no catalog decides.
pub const MERGE_THRESHOLD: f64 = 0.85;

/// A slug from a question: its first content words.
pub fn slugify(text: &str) -> String {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .take(6)
        .map(String::from)
        .collect();
    if words.is_empty() {
        "card".to_string()
    } else {
        words.join("-")
    }
}

/// Groups items by question similarity: each item joins the first earlier group whose first
/// question is at least [`MERGE_THRESHOLD`] similar and that has no item of its guide yet, or
/// starts a group under a fresh id. Candidates come from a prefix-filter index (tokens ordered
/// rarest first; two sets this similar share a token among their first few), so the cost grows
/// with the items, not with their square, and the groups are the same as comparing every pair.
fn group_by_similarity(items: &[(&str, usize)]) -> Vec<(String, Vec<usize>)> {
    let words: Vec<HashSet<String>> = items.iter().map(|(q, _)| question_words(q)).collect();
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for w in words.iter().flatten() {
        *frequency.entry(w.as_str()).or_default() += 1;
    }
    // Every shared token is at least this share of a set's size (see the size bound of the
    // Dice coefficient); a small margin keeps the prefix on the safe side of rounding.
    let share = MERGE_THRESHOLD / (2.0 - MERGE_THRESHOLD);
    let prefix = |set: &HashSet<String>| -> Vec<String> {
        let mut tokens: Vec<&String> = set.iter().collect();
        tokens.sort_by(|a, b| {
            frequency[a.as_str()]
                .cmp(&frequency[b.as_str()])
                .then(a.cmp(b))
        });
        let min_overlap = ((share * tokens.len() as f64) - 1e-9).ceil().max(1.0) as usize;
        let len = (tokens.len() + 1)
            .saturating_sub(min_overlap)
            .clamp(1, tokens.len());
        tokens.into_iter().take(len).cloned().collect()
    };
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    // Prefix token of a group's first question -> the groups, in creation order.
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for (i, &(question, guide)) in items.iter().enumerate() {
        let mine = if words[i].is_empty() {
            Vec::new()
        } else {
            prefix(&words[i])
        };
        let mut candidates: Vec<usize> = mine
            .iter()
            .filter_map(|t| index.get(t))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let same = candidates.into_iter().find(|&g| {
            let members = &groups[g].1;
            let first = members[0];
            dice(&words[first], &words[i]) >= MERGE_THRESHOLD
                && items[first].1 != guide
                && members.iter().all(|&m| items[m].1 != guide)
        });
        match same {
            Some(g) => groups[g].1.push(i),
            None => {
                let base = slugify(question);
                let mut id = base.clone();
                let n = next_suffix.entry(base.clone()).or_insert(2);
                while used_ids.contains(&id) {
                    id = format!("{base}-{n}");
                    *n += 1;
                }
                used_ids.insert(id.clone());
                for t in mine {
                    index.entry(t).or_default().push(groups.len());
                }
                groups.push((id, vec![i]));
            }
        }
    }
    groups
}

struct Found {
    doc: String,
    item: parse::Item,
    conv: convert::Converted,
}

impl Found {
    fn source(&self, multi_doc: bool) -> String {
        if multi_doc {
            format!("{} {}", self.doc, self.item.source_ref())
        } else {
            self.item.source_ref()
        }
    }
}

/// Compiles documents into decks.
pub fn compile(docs: &[Document], curation: Option<&Curation>) -> Result<Output, Vec<Problem>> {
    let multi_doc = docs.len() > 1;
    let mut report = Report::default();
    let mut found: Vec<Found> = Vec::new();
    let mut heading_topics: BTreeMap<String, String> = BTreeMap::new();
    for doc in docs {
        let text = strip_forbidden(&doc.text);
        let parsed = parse::parse(&text);
        let mut per_guide: BTreeMap<usize, usize> = BTreeMap::new();
        for item in parsed.items {
            *per_guide.entry(item.guide).or_default() += 1;
            heading_topics
                .entry(item.heading.clone())
                .or_insert_with(|| topic_for_heading(&item.heading).to_string());
            let conv = convert::convert(&item.body);
            found.push(Found {
                doc: doc.name.clone(),
                item,
                conv,
            });
        }
        for (g, n) in per_guide {
            report.items.push((doc.name.clone(), g, n));
        }
        for (line, text) in parsed.skipped {
            report.skipped.push((doc.name.clone(), line, text));
        }
        for (line, text) in parsed.incomplete {
            report.incomplete.push((doc.name.clone(), line, text));
        }
    }
    report.topics = heading_topics
        .into_iter()
        .filter(|(h, _)| !h.is_empty())
        .collect();

    // Group items into cards: by catalog id, else by similarity.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut problems = Vec::new();
    match curation {
        Some(cur) => {
            let mut index: HashMap<String, usize> = HashMap::new();
            for (i, f) in found.iter().enumerate() {
                let source = f.source(multi_doc);
                match cur.entry(&source) {
                    Some(entry) => match index.get(&entry.id) {
                        Some(&g) => groups[g].1.push(i),
                        None => {
                            index.insert(entry.id.clone(), groups.len());
                            groups.push((entry.id.clone(), vec![i]));
                        }
                    },
                    None => problems.push(cur.problem_at_catalog(format!(
                        "{source} (\"{}\", line {}) has no catalog entry",
                        f.item.question, f.item.line
                    ))),
                }
            }
            for missing in cur.unused_entries(found.iter().map(|f| f.source(multi_doc))) {
                problems.push(missing);
            }
        }
        None => {
            let items: Vec<(&str, usize)> = found
                .iter()
                .map(|f| (f.item.question.as_str(), f.item.guide))
                .collect();
            groups = group_by_similarity(&items);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut cards: Vec<Card> = Vec::new();
    for (id, members) in &groups {
        let mut members = members.clone();
        if let Some(cur) = curation
            && let Some(pos) = members.iter().position(|&m| {
                cur.entry(&found[m].source(multi_doc))
                    .is_some_and(|e| e.primary)
            })
        {
            let main = members.remove(pos);
            members.insert(0, main);
        }
        let main = &found[members[0]];
        let entry = curation.and_then(|c| c.entry(&main.source(multi_doc)));
        let topic = entry
            .map(|e| e.topic.clone())
            .unwrap_or_else(|| topic_for_heading(&main.item.heading).to_string());
        let kind = entry
            .and_then(|e| e.kind)
            .unwrap_or_else(|| auto_kind(main));
        let mut card = Card {
            id: id.clone(),
            kind,
            topic,
            tags: entry.map(|e| e.tags.clone()).unwrap_or_default(),
            difficulty: entry
                .and_then(|e| e.difficulty)
                .unwrap_or(Difficulty::Professional),
            question: convert::repair_prose(&main.item.question),
            answer: main.conv.markup.clone(),
            table: None,
            scenario: None,
            key_points: convert::derive_key_points(&main.conv, &main.item.question),
            source: Some(main.source(multi_doc)),
            variants: Vec::new(),
            corrections: Vec::new(),
            note: None,
            references: Vec::new(),
        };
        match kind {
            CardKind::Table => {
                card.table = main.conv.table.clone();
                // A table is drilled by its cells, not by phrases derived from the question.
                if main.conv.bullets.is_empty() {
                    card.key_points.clear();
                }
                if card.table.is_none() {
                    problems.push(Problem {
                        file: main.doc.clone(),
                        line: main.item.line,
                        column: 1,
                        message: format!(
                            "{} is catalogued as a table but has no table",
                            card.source.as_deref().unwrap_or("")
                        ),
                    });
                }
            }
            CardKind::Scenario => {
                card.scenario = Some(convert::derive_scenario(&main.conv, &card.question));
            }
            CardKind::Basic => {
                if let Some(t) = &main.conv.table {
                    card.answer = with_table_markup(&card.answer, t);
                }
            }
        }
        for &m in &members[1..] {
            let f = &found[m];
            let mut answer = f.conv.markup.clone();
            if let Some(t) = &f.conv.table {
                answer = with_table_markup(&answer, t);
            }
            card.variants.push(Variant {
                source: f.source(multi_doc),
                question: convert::repair_prose(&f.item.question),
                answer,
            });
        }
        if members.len() > 1 {
            report.merges.push((
                card.id.clone(),
                members
                    .iter()
                    .map(|&m| found[m].source(multi_doc))
                    .collect(),
            ));
        }
        cards.push(card);
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    if let Some(cur) = curation {
        cur.apply(&mut cards, &mut report)?;
    }

    let decks = group_into_decks(docs, curation, cards);
    let files = decks
        .iter()
        .map(|d| (format!("{}.yaml", d.id), render_deck(d, docs)))
        .collect();
    Ok(Output {
        files,
        decks,
        report,
    })
}

/// Table kind when the answer is mostly a table, else basic.
fn auto_kind(f: &Found) -> CardKind {
    match &f.conv.table {
        Some(_) if f.conv.markup.lines().count() <= 6 => CardKind::Table,
        _ => CardKind::Basic,
    }
}

/// Appends a table to markup as a pipe table.
fn with_table_markup(markup: &str, t: &Table) -> String {
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", t.headers.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(t.headers.len())));
    for row in &t.rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    if markup.is_empty() {
        out.trim_end().to_string()
    } else {
        format!("{}\n\n{markup}", out.trim_end())
    }
}

fn group_into_decks(docs: &[Document], curation: Option<&Curation>, cards: Vec<Card>) -> Vec<Deck> {
    match curation.filter(|c| !c.decks.is_empty()) {
        Some(cur) => {
            let mut decks: Vec<Deck> = cur
                .decks
                .iter()
                .map(|d| Deck {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    description: d.description.clone(),
                    topics: Vec::new(),
                    cards: Vec::new(),
                })
                .collect();
            for card in cards {
                let at = cur
                    .decks
                    .iter()
                    .position(|d| d.topics.contains(&card.topic))
                    .unwrap_or(cur.decks.len() - 1);
                decks[at].cards.push(card);
            }
            decks
        }
        None => {
            let stem = docs
                .first()
                .map(|d| d.name.rsplit('/').next().unwrap_or(&d.name).to_string())
                .unwrap_or_default();
            let stem = stem.split('.').next().unwrap_or("notes").to_string();
            vec![Deck {
                id: slugify(&stem),
                title: stem,
                description: format!(
                    "Compiled from {}",
                    docs.iter()
                        .map(|d| d.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                topics: Vec::new(),
                cards,
            }]
        }
    }
}

/// The YAML of a deck, with a header naming where it was generated from.
pub fn render_deck(deck: &Deck, docs: &[Document]) -> String {
    let sources: Vec<&str> = docs.iter().map(|d| d.name.as_str()).collect();
    let yaml = serde_yaml::to_string(deck).unwrap_or_default();
    format!(
        "# Generated by `iamdrill compile` from {}. Do not edit: change the sources or the curation files and compile again.\n{yaml}",
        sources.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_map_to_topics() {
        assert_eq!(
            topic_for_heading("3. Policy Evaluation Logic"),
            "evaluation-logic"
        );
        assert_eq!(topic_for_heading("IAM Users vs. Roles"), "iam-identities");
        assert_eq!(
            topic_for_heading("Cross-Account Access & Trust Policies"),
            "cross-account"
        );
        assert_eq!(topic_for_heading("KMS (Key Management Service)"), "kms");
        assert_eq!(
            topic_for_heading("Advanced Architect-Level Scenario Questions"),
            "scenarios"
        );
        assert_eq!(topic_for_heading("Misc"), "general");
        assert_eq!(
            topic_for_heading("Privilege Escalation Paths"),
            "privilege-escalation"
        );
        assert_eq!(topic_for_heading("OIDC Federation for CI"), "federation");
        assert_eq!(topic_for_heading("VPC Endpoint Policies"), "data-perimeter");
        assert_eq!(topic_for_heading("S3 Object Lock"), "s3-security");
        assert_eq!(topic_for_heading("CloudHSM"), "kms");
        assert_eq!(
            topic_for_heading("Macie and Inspector"),
            "detection-services"
        );
        assert_eq!(topic_for_heading("CloudTrail Logging"), "cloudtrail");
    }

    #[test]
    fn similar_questions_from_different_guides_merge() {
        let doc = Document {
            name: "notes.md".into(),
            text: "# STS\nQ1: What is AWS STS?\nAnswer\nIssues temporary credentials.\n# STS\nQ1: What is STS?\nAnswer\nTemporary credentials service.\n".into(),
        };
        let out = compile(&[doc], None).unwrap();
        assert_eq!(out.decks[0].cards.len(), 1);
        assert_eq!(out.decks[0].cards[0].variants.len(), 1);
        assert_eq!(out.report.merges.len(), 1);
    }

    #[test]
    fn output_is_deterministic_and_loads() {
        let doc = Document {
            name: "notes.md".into(),
            text: "# KMS\nQ: What is envelope encryption?\nA: Data keys encrypt data; the KMS key encrypts data keys.\n\n# CloudTrail\nQ: Are data events logged by default?\nA: No.\n".into(),
        };
        let a = compile(std::slice::from_ref(&doc), None).unwrap();
        let b = compile(std::slice::from_ref(&doc), None).unwrap();
        assert_eq!(a.files, b.files);
        let (name, yaml) = &a.files[0];
        assert_eq!(name, "notes.yaml");
        let deck = crate::deck::parse_and_check(yaml, name, &crate::deck::Seen::default()).unwrap();
        assert_eq!(deck.cards.len(), 2);
        assert_eq!(deck.cards[0].topic, "kms");
        assert_eq!(deck.cards[1].topic, "cloudtrail");
    }

    /// The grouping as it was first written: every item against every group.
    fn group_pairwise(items: &[(&str, usize)]) -> Vec<(String, Vec<usize>)> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        let mut used_ids: HashSet<String> = HashSet::new();
        for (i, &(q, guide)) in items.iter().enumerate() {
            let same = groups.iter_mut().find(|(_, members)| {
                let first = items[members[0]];
                similarity(first.0, q) >= MERGE_THRESHOLD
                    && first.1 != guide
                    && members.iter().all(|&m| items[m].1 != guide)
            });
            match same {
                Some((_, members)) => members.push(i),
                None => {
                    let base = slugify(q);
                    let mut id = base.clone();
                    let mut n = 2;
                    while used_ids.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    used_ids.insert(id.clone());
                    groups.push((id, vec![i]));
                }
            }
        }
        groups
    }

    proptest::proptest! {
        #[test]
        fn indexed_grouping_equals_pairwise_grouping(
            items in proptest::collection::vec(
                (proptest::collection::vec(0usize..9, 0..8), 0usize..3),
                0..60,
            )
        ) {
            const VOCAB: [&str; 9] =
                ["kms", "key", "role", "trust", "policy", "deny", "session", "bucket", "2"];
            let questions: Vec<(String, usize)> = items
                .iter()
                .map(|(ws, g)| {
                    let words: Vec<&str> = ws.iter().map(|&w| VOCAB[w]).collect();
                    (format!("What is {}?", words.join(" ")), *g)
                })
                .collect();
            let refs: Vec<(&str, usize)> =
                questions.iter().map(|(q, g)| (q.as_str(), *g)).collect();
            proptest::prop_assert_eq!(group_by_similarity(&refs), group_pairwise(&refs));
        }
    }
}
