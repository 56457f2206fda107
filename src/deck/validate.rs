//! Semantic checks of a parsed deck, each problem located in the deck's file.

use super::learner;
use std::cell::OnceCell;

use super::load::{Pos, PosIndex, Positions, Problem, index_positions};
use super::markup::{self, Block};
use super::model::{Card, CardKind, Claim, Deck, KeyPoint, TOPICS, TopicInfo, is_builtin_topic};
use std::collections::HashMap;

/// Whether `id` is a kebab-case slug: lowercase letters, digits and single dashes.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A path below the deck (`cards[3].topic`), rendered only when a problem is located at it.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn at(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    fn write(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write(out);
        }
        match self.seg {
            Seg::Root => {}
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                use std::fmt::Write;
                let _ = write!(out, "[{i}]");
            }
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// A problem with the card it belongs to: 0 for the deck itself, `i + 1` for `cards[i]`, so the
/// problems of two checks can be merged in the order of the file.
pub(crate) type Tagged = (usize, Problem);

struct Checker<'a, 't> {
    file: &'a str,
    positions: &'a Positions<'t>,
    card: usize,
    problems: Vec<Tagged>,
}

impl Checker<'_, '_> {
    fn at(&mut self, path: &Path<'_>, message: impl Into<String>) {
        let pos = self.positions.find(&path.render());
        self.problems.push((
            self.card,
            Problem {
                file: self.file.to_string(),
                line: pos.line,
                column: pos.column,
                message: message.into(),
            },
        ));
    }

    /// Checks the fenced code blocks of a markup field; JSON blocks must parse.
    fn markup(&mut self, path: &Path<'_>, text: &str) {
        if !text.contains("```") {
            return;
        }
        for block in markup::parse(text) {
            if let Block::Code {
                lang,
                text: code,
                line,
            } = block
                && lang.eq_ignore_ascii_case("json")
                && let Err(e) = serde_json::from_str::<serde_json::Value>(&code)
            {
                let path = path.render();
                let base = self.positions.find(&path);
                // A block scalar (`|`) is located at its first content line and column, so the
                // error maps exactly; in other scalar styles the position is the scalar's start.
                let (line_no, column) = if self.positions.is_block(&path) {
                    (
                        base.line + line + e.line(),
                        base.column - 1 + e.column().max(1),
                    )
                } else {
                    (base.line, base.column)
                };
                self.problems.push((
                    self.card,
                    Problem {
                        file: self.file.to_string(),
                        line: line_no,
                        column,
                        message: format!("JSON code block does not parse: {}", json_message(&e)),
                    },
                ));
            }
        }
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Card ids taken before a deck is checked: by other decks, or earlier files.
pub trait KnownIds {
    /// Where `id` was first defined (`a built-in deck`, `file:line`), if it is taken. Only
    /// called for ids that are slugs; the answer is only built for a duplicate.
    fn first_defined(&self, id: &str) -> Option<String>;
}

/// Ids seen while checking several decks (`decks check`), each with where it was first defined.
#[derive(Debug, Default)]
pub struct Seen {
    ids: HashMap<String, (usize, usize)>,
    sources: Vec<(String, DeckSource, OnceCell<PosIndex>)>,
}

/// Where the text of a deck checked earlier can be read again, to locate a first definition.
#[derive(Debug, Clone)]
pub enum DeckSource {
    /// Not a file: duplicates name this label instead of a line.
    Label,
    /// Text built into the binary.
    Static(&'static str),
    /// A file on disk, read again only to report a duplicate.
    File(std::path::PathBuf),
}

impl DeckSource {
    /// The positions in the deck's text (empty when it cannot be read any more).
    pub fn positions(&self) -> PosIndex {
        let text = match self {
            DeckSource::Label => return PosIndex::default(),
            DeckSource::Static(text) => std::borrow::Cow::Borrowed(*text),
            DeckSource::File(path) => match super::read_deck_file(path) {
                Ok(text) => std::borrow::Cow::Owned(text),
                Err(_) => return PosIndex::default(),
            },
        };
        index_positions(&text).unwrap_or_default()
    }
}

impl Seen {
    /// Records ids taken elsewhere; duplicates name `label` as their first definition.
    pub fn add_label<'i>(&mut self, ids: impl IntoIterator<Item = &'i str>, label: &str) {
        let source = self.sources.len();
        self.sources
            .push((label.to_string(), DeckSource::Label, OnceCell::new()));
        for id in ids {
            self.ids.entry(id.to_string()).or_insert((source, 0));
        }
    }

    /// Records the ids of a checked deck (the first definition of each wins).
    pub fn add_deck(&mut self, deck: &Deck, file: &str, source: DeckSource) {
        let ids: Vec<&str> = deck.cards.iter().map(|c| c.id.as_str()).collect();
        self.add_ids(&ids, file, source);
    }

    /// Records the card ids of a checked deck, in file order (the first definition wins).
    pub fn add_ids(&mut self, ids: &[&str], file: &str, source: DeckSource) {
        let n = self.sources.len();
        self.sources
            .push((file.to_string(), source, OnceCell::new()));
        for (i, &id) in ids.iter().enumerate() {
            if is_slug(id) && !self.ids.contains_key(id) {
                self.ids.insert(id.to_string(), (n, i));
            }
        }
    }
}

impl KnownIds for Seen {
    fn first_defined(&self, id: &str) -> Option<String> {
        let &(source, card) = self.ids.get(id)?;
        let (name, source, index) = &self.sources[source];
        if let DeckSource::Label = source {
            return Some(name.clone());
        }
        let index = index.get_or_init(|| source.positions());
        Some(format!("{name}:{}", index.find(&id_path(card)).line))
    }
}

/// The path of a card's id: `cards[3].id`.
pub fn id_path(card: usize) -> String {
    format!("cards[{card}].id")
}

/// Checks one deck against the ids taken before it (see [`KnownIds`]).
pub fn check_deck(
    deck: &Deck,
    file: &str,
    positions: &Positions<'_>,
    known: &dyn KnownIds,
) -> Vec<Problem> {
    let contents = check_contents(deck, file, positions);
    let card_ids: Vec<&str> = deck.cards.iter().map(|c| c.id.as_str()).collect();
    let ids = check_ids(
        &card_ids,
        file,
        &|card| positions.find(&id_path(card)),
        known,
    );
    merge(contents, ids)
}

/// Everything [`check_deck`] checks except duplicate ids, which need the decks checked before;
/// the problems are tagged for [`merge`].
pub(crate) fn check_contents(deck: &Deck, file: &str, positions: &Positions<'_>) -> Vec<Tagged> {
    let mut c = Checker {
        file,
        positions,
        card: 0,
        problems: Vec::new(),
    };
    let root = Path::ROOT;
    if !is_slug(&deck.id) {
        c.at(
            &root.key("id"),
            format!(
                "deck id `{}` must be a kebab-case slug (a-z, 0-9, -)",
                deck.id
            ),
        );
    }
    if deck.title.trim().is_empty() {
        c.at(&root.key("title"), "deck title is empty");
    }
    check_topics(&mut c, &deck.topics);
    let cards = root.key("cards");
    for (i, card) in deck.cards.iter().enumerate() {
        c.card = i + 1;
        let p = cards.at(i);
        if !is_builtin_topic(&card.topic) && !deck.topics.iter().any(|t| t.slug == card.topic) {
            let known: Vec<&str> = TOPICS.iter().map(|(t, _)| *t).collect();
            c.at(
                &p.key("topic"),
                format!(
                    "unknown topic `{}`; known topics: {} (or declare it under `topics:` in this file)",
                    card.topic,
                    known.join(", ")
                ),
            );
        }
        check_card(&mut c, card, &p);
    }
    c.problems
}

/// Duplicate card ids: taken by `known`, or earlier in the same deck. Tagged for [`merge`].
///
/// `id_pos` gives where `cards[i].id` is in this deck's file; it is only asked for a duplicate.
pub(crate) fn check_ids(
    ids: &[&str],
    file: &str,
    id_pos: &dyn Fn(usize) -> Pos,
    known: &dyn KnownIds,
) -> Vec<Tagged> {
    let mut problems = Vec::new();
    let mut local: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (i, &id) in ids.iter().enumerate() {
        if !is_slug(id) {
            continue;
        }
        let first = if let Some(first) = known.first_defined(id) {
            first
        } else if let Some(&j) = local.get(id) {
            format!("{file}:{}", id_pos(j).line)
        } else {
            local.insert(id, i);
            continue;
        };
        let pos = id_pos(i);
        problems.push((
            i + 1,
            Problem {
                file: file.to_string(),
                line: pos.line,
                column: pos.column,
                message: format!("duplicate card id `{id}` (first defined at {first})"),
            },
        ));
    }
    problems
}

/// The problems of [`check_contents`] and [`check_ids`] in the order of the file: a card's
/// duplicate id comes first among its problems, as the id is checked first.
pub(crate) fn merge(contents: Vec<Tagged>, ids: Vec<Tagged>) -> Vec<Problem> {
    if ids.is_empty() {
        return contents.into_iter().map(|(_, p)| p).collect();
    }
    let mut out = Vec::with_capacity(contents.len() + ids.len());
    let mut contents = contents.into_iter().peekable();
    for (card, problem) in ids {
        while let Some((_, p)) = contents.next_if(|(c, _)| *c < card) {
            out.push(p);
        }
        out.push(problem);
    }
    out.extend(contents.map(|(_, p)| p));
    out
}

/// A deck's own topics: kebab-case slugs that no built-in topic has and no other entry repeats,
/// each with a title.
fn check_topics(c: &mut Checker<'_, '_>, topics: &[TopicInfo]) {
    let list = Path::ROOT.key("topics");
    for (i, t) in topics.iter().enumerate() {
        let p = list.at(i);
        if !is_slug(&t.slug) {
            c.at(
                &p.key("slug"),
                format!(
                    "topic slug `{}` must be a kebab-case slug (a-z, 0-9, -)",
                    t.slug
                ),
            );
        } else if is_builtin_topic(&t.slug) {
            c.at(
                &p.key("slug"),
                format!(
                    "`{}` is a built-in topic: cards can use it without declaring it",
                    t.slug
                ),
            );
        } else if topics[..i].iter().any(|o| o.slug == t.slug) {
            c.at(
                &p.key("slug"),
                format!("topic `{}` is declared twice", t.slug),
            );
        }
        if t.title.trim().is_empty() {
            c.at(
                &p.key("title"),
                format!("topic `{}` has an empty title", t.slug),
            );
        }
    }
}

fn check_card(c: &mut Checker<'_, '_>, card: &Card, p: &Path<'_>) {
    if !is_slug(&card.id) {
        c.at(
            &p.key("id"),
            format!(
                "card id `{}` must be a kebab-case slug (a-z, 0-9, -)",
                card.id
            ),
        );
    }
    if card.question.trim().is_empty() {
        c.at(&p.key("question"), "question is empty");
    }
    match card.kind {
        CardKind::Basic => {
            if card.answer.trim().is_empty() {
                c.at(&p.key("answer"), "a basic card needs an `answer`");
            }
            if card.key_points.is_empty() {
                c.at(
                    &p.key("id"),
                    "a basic card needs at least one entry in `key_points`",
                );
            }
        }
        CardKind::Table => match &card.table {
            None => c.at(
                &p.key("id"),
                "a table card needs a `table` with `headers` and `rows`",
            ),
            Some(t) => {
                let table = p.key("table");
                if t.headers.len() < 2 {
                    c.at(&table.key("headers"), "a table needs at least two headers");
                }
                if t.rows.is_empty() {
                    c.at(&table.key("rows"), "a table needs at least one row");
                }
                let rows = table.key("rows");
                for (r, row) in t.rows.iter().enumerate() {
                    if row.len() != t.headers.len() {
                        c.at(
                            &rows.at(r),
                            format!(
                                "row {} has {} cells but the table has {} headers",
                                r + 1,
                                row.len(),
                                t.headers.len()
                            ),
                        );
                    }
                }
            }
        },
        CardKind::Scenario => match &card.scenario {
            None => c.at(
                &p.key("id"),
                "a scenario card needs a `scenario` with `situation` and `steps`",
            ),
            Some(s) => {
                let scenario = p.key("scenario");
                if s.situation.trim().is_empty() {
                    c.at(&scenario.key("situation"), "scenario situation is empty");
                }
                let steps = scenario.key("steps");
                if s.steps.is_empty() {
                    c.at(&steps, "a scenario needs at least one step");
                }
                let graded_by_step = s.has_step_key_points();
                for (i, step) in s.steps.iter().enumerate() {
                    let sp = steps.at(i);
                    if step.prompt.trim().is_empty() {
                        c.at(&sp.key("prompt"), "step prompt is empty");
                    }
                    if step.answer.trim().is_empty() {
                        c.at(&sp.key("answer"), "step answer is empty");
                    }
                    c.markup(&sp.key("answer"), &step.answer);
                    if graded_by_step && step.key_points.is_empty() {
                        c.at(
                            &sp.key("prompt"),
                            format!(
                                "step {} has no `key_points` while other steps of this scenario have them; give every step its key points, or none",
                                i + 1
                            ),
                        );
                    }
                    check_key_points(c, &step.key_points, &sp.key("key_points"));
                }
            }
        },
    }
    if card.kind != CardKind::Table && card.table.is_some() {
        c.at(
            &p.key("table"),
            "`table` is only read on cards with `kind: table`",
        );
    }
    if card.kind != CardKind::Scenario && card.scenario.is_some() {
        c.at(
            &p.key("scenario"),
            "`scenario` is only read on cards with `kind: scenario`",
        );
    }
    check_key_points(c, &card.key_points, &p.key("key_points"));
    c.markup(&p.key("answer"), &card.answer);
    let variants = p.key("variants");
    for (i, v) in card.variants.iter().enumerate() {
        c.markup(&variants.at(i).key("answer"), &v.answer);
    }
    if !card.corrections.is_empty() {
        check_corrections(c, card, p);
    }
    if card.note.is_some() && card.references.is_empty() {
        c.at(
            &p.key("note"),
            "a note (correction) needs at least one reference URL in `references`",
        );
    }
    let references = p.key("references");
    for (i, r) in card.references.iter().enumerate() {
        if !(r.starts_with("https://") || r.starts_with("http://"))
            || r.contains(char::is_whitespace)
        {
            c.at(&references.at(i), format!("reference `{r}` is not a URL"));
        }
    }
}

/// Each correction names a passage the card really shows as source wording, never one in what
/// the learner is asked or graded on, and says what is right with a reference.
fn check_corrections(c: &mut Checker<'_, '_>, card: &Card, p: &Path<'_>) {
    let marked = learner::marked_fields(card);
    let unmarked = learner::unmarked_fields(card);
    let corrections = p.key("corrections");
    for (i, fix) in card.corrections.iter().enumerate() {
        let cp = corrections.at(i);
        if fix.wrong.trim().is_empty() {
            c.at(&cp.key("wrong"), "the wrong passage is empty");
            continue;
        }
        if fix.right.trim().is_empty() {
            c.at(&cp.key("right"), "the correction says nothing");
        }
        let references = cp.key("references");
        if fix.references.is_empty() {
            c.at(&references, "a correction needs at least one reference URL");
        }
        for (k, r) in fix.references.iter().enumerate() {
            if !r.starts_with("https://") || r.contains(char::is_whitespace) {
                c.at(
                    &references.at(k),
                    format!("reference `{r}` is not an https URL"),
                );
            }
        }
        if !marked
            .iter()
            .any(|(_, text)| text.contains(fix.wrong.as_str()))
        {
            c.at(
                &cp.key("wrong"),
                format!(
                    "`{}` appears neither in the answer nor in a variant; quote the wrong passage exactly",
                    fix.wrong
                ),
            );
        }
        for (field, text) in &unmarked {
            if text.contains(fix.wrong.as_str()) {
                c.at(
                    &p.key(field),
                    format!(
                        "`{field}` repeats the wrong passage `{}`; learners are asked and graded on it, so word it correctly",
                        fix.wrong
                    ),
                );
            }
        }
    }
}

fn check_key_points(c: &mut Checker<'_, '_>, key_points: &[KeyPoint], path: &Path<'_>) {
    for (i, kp) in key_points.iter().enumerate() {
        let kp_path = path.at(i);
        if kp.text.trim().is_empty() {
            c.at(&kp_path, "key point is empty");
        }
        if kp.accept.iter().any(|a| a.trim().is_empty()) {
            c.at(&kp_path, "key point has an empty accepted alternative");
        }
        if let Some(claim) = &kp.claim {
            check_claim(c, claim, &kp_path.key("claim"));
        }
    }
}

/// A claim needs a subject and a relation, each with at least one word that is not a function
/// word, and nothing empty.
fn check_claim(c: &mut Checker<'_, '_>, claim: &Claim, path: &Path<'_>) {
    let meaningful = |s: &str| {
        s.split(|ch: char| !ch.is_alphanumeric())
            .any(|w| w.len() > 1)
    };
    if claim.subject.is_empty() {
        c.at(
            &path.key("subject"),
            "a claim needs at least one subject concept",
        );
    }
    for (field, list) in [("subject", &claim.subject), ("object", &claim.object)] {
        let field_path = path.key(field);
        for (i, concept) in list.iter().enumerate() {
            if !meaningful(concept) {
                let item = field_path.at(i);
                let at = if list.len() == 1 { &field_path } else { &item };
                c.at(
                    at,
                    format!("claim {field} `{concept}` names no concept; write the words of the concept, e.g. `explicit deny`"),
                );
            }
        }
    }
    if !meaningful(&claim.relation) {
        c.at(
            &path.key("relation"),
            "a claim needs a relation such as `overrides`, `must allow` or `does not matter`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load::parse_deck_lazily;

    fn problems(text: &str) -> Vec<String> {
        let (deck, positions) = parse_deck_lazily(text, "t.yaml").expect("parses");
        check_deck(&deck, "t.yaml", &positions, &Seen::default())
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }

    const HEAD: &str = "id: t\ntitle: T\ncards:\n";

    #[test]
    fn slugs() {
        assert!(is_slug("iam-user-vs-role"));
        assert!(!is_slug("IAM"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug(""));
    }

    #[test]
    fn unknown_topic_is_located_at_the_topic() {
        let text = format!(
            "{HEAD}  - id: a\n    topic: nope\n    question: Q\n    answer: A\n    key_points: [k]\n"
        );
        assert_eq!(
            problems(&text),
            vec![
                "t.yaml:5:12: unknown topic `nope`; known topics: iam-identities, policies, evaluation-logic, explicit-deny, least-privilege, mfa, sts, cross-account, trust-policies, organizations, identity-center, federation, kms, secrets-manager, s3-security, data-perimeter, cloudtrail, guardduty, security-hub, detection-services, privilege-escalation, scenarios, general (or declare it under `topics:` in this file)"
            ]
        );
    }

    #[test]
    fn duplicate_ids_name_the_first_definition() {
        let card =
            "  - id: a\n    topic: kms\n    question: Q\n    answer: A\n    key_points: [k]\n";
        let text = format!("{HEAD}{card}{card}");
        assert_eq!(
            problems(&text),
            vec!["t.yaml:9:9: duplicate card id `a` (first defined at t.yaml:4)"]
        );
    }

    #[test]
    fn claims_need_a_subject_and_a_relation_and_are_located() {
        let text = format!(
            "{HEAD}  - id: a\n    topic: kms\n    question: Q\n    answer: A\n    key_points:\n      - text: k\n        claim: {{subject: [], relation: \"-\"}}\n      - text: j\n        claim:\n          subject: [SCP, \"?\"]\n          relation: must allow\n"
        );
        let p = problems(&text);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("t.yaml:10:") && p[0].contains("at least one subject"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("t.yaml:10:") && p[1].contains("needs a relation"),
            "{p:?}"
        );
        assert!(
            p[2].starts_with("t.yaml:13:") && p[2].contains("claim subject `?` names no concept"),
            "{p:?}"
        );
    }

    #[test]
    fn ragged_table_rows_are_located() {
        let text = format!(
            "{HEAD}  - id: a\n    kind: table\n    topic: kms\n    question: Q\n    table:\n      headers: [x, y]\n      rows:\n        - [1, 2]\n        - [1]\n"
        );
        assert_eq!(
            problems(&text),
            vec!["t.yaml:12:11: row 2 has 1 cells but the table has 2 headers"]
        );
    }

    #[test]
    fn bad_json_block_is_located_inside_the_block() {
        let text = format!(
            "{HEAD}  - id: a\n    topic: kms\n    question: Q\n    answer: |\n      Example:\n      ```json\n      {{\"Effect\": \"Allow\",}}\n      ```\n    key_points: [k]\n"
        );
        let p = problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("t.yaml:10:26:"), "{p:?}");
        assert!(p[0].contains("JSON code block does not parse"), "{p:?}");
    }

    #[test]
    fn step_key_points_are_all_or_none_and_located() {
        let text = format!(
            "{HEAD}  - id: a\n    kind: scenario\n    topic: kms\n    question: Q\n    scenario:\n      situation: S\n      steps:\n        - prompt: First?\n          answer: Deactivate the key.\n          key_points: [deactivate the key]\n        - prompt: Then?\n          answer: Read CloudTrail.\n        - prompt: Last?\n          answer: Use roles.\n          key_points:\n            - text: use roles\n              accept: ['']\n"
        );
        assert_eq!(
            problems(&text),
            vec![
                "t.yaml:14:19: step 2 has no `key_points` while other steps of this scenario have them; give every step its key points, or none",
                "t.yaml:19:19: key point has an empty accepted alternative",
            ]
        );
        // Steps without key points at all are fine: the card's key points are placed at steps.
        let text = format!(
            "{HEAD}  - id: a\n    kind: scenario\n    topic: kms\n    question: Q\n    scenario:\n      situation: S\n      steps:\n        - prompt: First?\n          answer: Deactivate the key.\n"
        );
        assert!(problems(&text).is_empty());
    }

    #[test]
    fn kinds_need_their_parts() {
        let text =
            format!("{HEAD}  - id: a\n    kind: scenario\n    topic: kms\n    question: Q\n");
        assert_eq!(
            problems(&text),
            vec!["t.yaml:4:9: a scenario card needs a `scenario` with `situation` and `steps`"]
        );
        let text = format!("{HEAD}  - id: a\n    topic: kms\n    question: Q\n    answer: A\n");
        assert_eq!(
            problems(&text),
            vec!["t.yaml:4:9: a basic card needs at least one entry in `key_points`"]
        );
    }

    #[test]
    fn corrections_must_quote_shown_wording_only() {
        let text = format!(
            "{HEAD}  - id: a\n    topic: kms\n    question: Is a CMK a key type?\n    answer: Use a CMK.\n    key_points: [k]\n    corrections:\n      - wrong: CMK\n        right: Say KMS key.\n        references: [https://docs.aws.amazon.com/kms/]\n      - wrong: nowhere\n        right: x\n        references: []\n"
        );
        assert_eq!(
            problems(&text),
            vec![
                "t.yaml:6:15: `question` repeats the wrong passage `CMK`; learners are asked and graded on it, so word it correctly",
                "t.yaml:15:21: a correction needs at least one reference URL",
                "t.yaml:13:16: `nowhere` appears neither in the answer nor in a variant; quote the wrong passage exactly",
            ]
        );
    }

    #[test]
    fn notes_need_references() {
        let text = format!(
            "{HEAD}  - id: a\n    topic: kms\n    question: Q\n    answer: A\n    key_points: [k]\n    note: wrong\n    references: [docs]\n"
        );
        assert_eq!(
            problems(&text),
            vec!["t.yaml:10:18: reference `docs` is not a URL"]
        );
    }
}
