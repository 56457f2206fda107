//! Semantic checks of a parsed deck, each problem located in the deck's file.

use std::collections::HashMap;

use super::learner;
use super::load::{PosIndex, Problem};
use super::markup::{self, Block};
use super::model::{Card, CardKind, Claim, Deck, KeyPoint, TOPICS, is_known_topic};

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

struct Checker<'a> {
    file: &'a str,
    index: &'a PosIndex,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at(&mut self, path: &str, message: impl Into<String>) {
        let pos = self.index.find(path);
        self.problems.push(Problem {
            file: self.file.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        });
    }

    /// Checks the fenced code blocks of a markup field; JSON blocks must parse.
    fn markup(&mut self, path: &str, text: &str) {
        for block in markup::parse(text) {
            if let Block::Code {
                lang,
                text: code,
                line,
            } = block
                && lang.eq_ignore_ascii_case("json")
                && let Err(e) = serde_json::from_str::<serde_json::Value>(&code)
            {
                let base = self.index.find(path);
                // A block scalar (`|`) is located at its first content line and column, so the
                // error maps exactly; in other scalar styles the position is the scalar's start.
                let (line_no, column) = if self.index.is_block(path) {
                    (
                        base.line + line + e.line(),
                        base.column - 1 + e.column().max(1),
                    )
                } else {
                    (base.line, base.column)
                };
                self.problems.push(Problem {
                    file: self.file.to_string(),
                    line: line_no,
                    column,
                    message: format!("JSON code block does not parse: {}", json_message(&e)),
                });
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

/// Checks one deck; `seen` collects card ids across decks to find duplicates.
pub fn check_deck(
    deck: &Deck,
    file: &str,
    index: &PosIndex,
    seen: &mut HashMap<String, String>,
) -> Vec<Problem> {
    let mut c = Checker {
        file,
        index,
        problems: Vec::new(),
    };
    if !is_slug(&deck.id) {
        c.at(
            "id",
            format!(
                "deck id `{}` must be a kebab-case slug (a-z, 0-9, -)",
                deck.id
            ),
        );
    }
    if deck.title.trim().is_empty() {
        c.at("title", "deck title is empty");
    }
    for (i, card) in deck.cards.iter().enumerate() {
        check_card(&mut c, card, &format!("cards[{i}]"), seen);
    }
    c.problems
}

fn check_card(c: &mut Checker<'_>, card: &Card, p: &str, seen: &mut HashMap<String, String>) {
    let here = format!("{}:{}", c.file, c.index.find(&format!("{p}.id")).line);
    if !is_slug(&card.id) {
        c.at(
            &format!("{p}.id"),
            format!(
                "card id `{}` must be a kebab-case slug (a-z, 0-9, -)",
                card.id
            ),
        );
    } else if let Some(first) = seen.get(&card.id) {
        c.at(
            &format!("{p}.id"),
            format!("duplicate card id `{}` (first defined at {first})", card.id),
        );
    } else {
        seen.insert(card.id.clone(), here);
    }
    if !is_known_topic(&card.topic) {
        let known: Vec<&str> = TOPICS.iter().map(|(t, _)| *t).collect();
        c.at(
            &format!("{p}.topic"),
            format!(
                "unknown topic `{}`; known topics: {}",
                card.topic,
                known.join(", ")
            ),
        );
    }
    if card.question.trim().is_empty() {
        c.at(&format!("{p}.question"), "question is empty");
    }
    match card.kind {
        CardKind::Basic => {
            if card.answer.trim().is_empty() {
                c.at(&format!("{p}.answer"), "a basic card needs an `answer`");
            }
            if card.key_points.is_empty() {
                c.at(
                    &format!("{p}.id"),
                    "a basic card needs at least one entry in `key_points`",
                );
            }
        }
        CardKind::Table => match &card.table {
            None => c.at(
                &format!("{p}.id"),
                "a table card needs a `table` with `headers` and `rows`",
            ),
            Some(t) => {
                if t.headers.len() < 2 {
                    c.at(
                        &format!("{p}.table.headers"),
                        "a table needs at least two headers",
                    );
                }
                if t.rows.is_empty() {
                    c.at(&format!("{p}.table.rows"), "a table needs at least one row");
                }
                for (r, row) in t.rows.iter().enumerate() {
                    if row.len() != t.headers.len() {
                        c.at(
                            &format!("{p}.table.rows[{r}]"),
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
                &format!("{p}.id"),
                "a scenario card needs a `scenario` with `situation` and `steps`",
            ),
            Some(s) => {
                if s.situation.trim().is_empty() {
                    c.at(
                        &format!("{p}.scenario.situation"),
                        "scenario situation is empty",
                    );
                }
                if s.steps.is_empty() {
                    c.at(
                        &format!("{p}.scenario.steps"),
                        "a scenario needs at least one step",
                    );
                }
                let graded_by_step = s.has_step_key_points();
                for (i, step) in s.steps.iter().enumerate() {
                    let sp = format!("{p}.scenario.steps[{i}]");
                    if step.prompt.trim().is_empty() {
                        c.at(&format!("{sp}.prompt"), "step prompt is empty");
                    }
                    if step.answer.trim().is_empty() {
                        c.at(&format!("{sp}.answer"), "step answer is empty");
                    }
                    c.markup(&format!("{sp}.answer"), &step.answer);
                    if graded_by_step && step.key_points.is_empty() {
                        c.at(
                            &format!("{sp}.prompt"),
                            format!(
                                "step {} has no `key_points` while other steps of this scenario have them; give every step its key points, or none",
                                i + 1
                            ),
                        );
                    }
                    check_key_points(c, &step.key_points, &format!("{sp}.key_points"));
                }
            }
        },
    }
    if card.kind != CardKind::Table && card.table.is_some() {
        c.at(
            &format!("{p}.table"),
            "`table` is only read on cards with `kind: table`",
        );
    }
    if card.kind != CardKind::Scenario && card.scenario.is_some() {
        c.at(
            &format!("{p}.scenario"),
            "`scenario` is only read on cards with `kind: scenario`",
        );
    }
    check_key_points(c, &card.key_points, &format!("{p}.key_points"));
    c.markup(&format!("{p}.answer"), &card.answer);
    for (i, v) in card.variants.iter().enumerate() {
        c.markup(&format!("{p}.variants[{i}].answer"), &v.answer);
    }
    check_corrections(c, card, p);
    if card.note.is_some() && card.references.is_empty() {
        c.at(
            &format!("{p}.note"),
            "a note (correction) needs at least one reference URL in `references`",
        );
    }
    for (i, r) in card.references.iter().enumerate() {
        if !(r.starts_with("https://") || r.starts_with("http://"))
            || r.contains(char::is_whitespace)
        {
            c.at(
                &format!("{p}.references[{i}]"),
                format!("reference `{r}` is not a URL"),
            );
        }
    }
}

/// Each correction names a passage the card really shows as source wording, never one in what
/// the learner is asked or graded on, and says what is right with a reference.
fn check_corrections(c: &mut Checker<'_>, card: &Card, p: &str) {
    let marked = learner::marked_fields(card);
    let unmarked = learner::unmarked_fields(card);
    for (i, fix) in card.corrections.iter().enumerate() {
        let cp = format!("{p}.corrections[{i}]");
        if fix.wrong.trim().is_empty() {
            c.at(&format!("{cp}.wrong"), "the wrong passage is empty");
            continue;
        }
        if fix.right.trim().is_empty() {
            c.at(&format!("{cp}.right"), "the correction says nothing");
        }
        if fix.references.is_empty() {
            c.at(
                &format!("{cp}.references"),
                "a correction needs at least one reference URL",
            );
        }
        for (k, r) in fix.references.iter().enumerate() {
            if !r.starts_with("https://") || r.contains(char::is_whitespace) {
                c.at(
                    &format!("{cp}.references[{k}]"),
                    format!("reference `{r}` is not an https URL"),
                );
            }
        }
        if !marked
            .iter()
            .any(|(_, text)| text.contains(fix.wrong.as_str()))
        {
            c.at(
                &format!("{cp}.wrong"),
                format!(
                    "`{}` appears neither in the answer nor in a variant; quote the wrong passage exactly",
                    fix.wrong
                ),
            );
        }
        for (field, text) in &unmarked {
            if text.contains(fix.wrong.as_str()) {
                c.at(
                    &format!("{p}.{field}"),
                    format!(
                        "`{field}` repeats the wrong passage `{}`; learners are asked and graded on it, so word it correctly",
                        fix.wrong
                    ),
                );
            }
        }
    }
}

fn check_key_points(c: &mut Checker<'_>, key_points: &[KeyPoint], path: &str) {
    for (i, kp) in key_points.iter().enumerate() {
        let kp_path = format!("{path}[{i}]");
        if kp.text.trim().is_empty() {
            c.at(&kp_path, "key point is empty");
        }
        if kp.accept.iter().any(|a| a.trim().is_empty()) {
            c.at(&kp_path, "key point has an empty accepted alternative");
        }
        if let Some(claim) = &kp.claim {
            check_claim(c, claim, &format!("{kp_path}.claim"));
        }
    }
}

/// A claim needs a subject and a relation, each with at least one word that is not a function
/// word, and nothing empty.
fn check_claim(c: &mut Checker<'_>, claim: &Claim, path: &str) {
    let meaningful = |s: &str| {
        s.split(|ch: char| !ch.is_alphanumeric())
            .any(|w| w.len() > 1)
    };
    if claim.subject.is_empty() {
        c.at(
            &format!("{path}.subject"),
            "a claim needs at least one subject concept",
        );
    }
    for (field, list) in [("subject", &claim.subject), ("object", &claim.object)] {
        for (i, concept) in list.iter().enumerate() {
            if !meaningful(concept) {
                let at = if list.len() == 1 {
                    format!("{path}.{field}")
                } else {
                    format!("{path}.{field}[{i}]")
                };
                c.at(
                    &at,
                    format!("claim {field} `{concept}` names no concept; write the words of the concept, e.g. `explicit deny`"),
                );
            }
        }
    }
    if !meaningful(&claim.relation) {
        c.at(
            &format!("{path}.relation"),
            "a claim needs a relation such as `overrides`, `must allow` or `does not matter`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load::parse_deck;

    fn problems(text: &str) -> Vec<String> {
        let (deck, index) = parse_deck(text, "t.yaml").expect("parses");
        check_deck(&deck, "t.yaml", &index, &mut HashMap::new())
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
                "t.yaml:5:12: unknown topic `nope`; known topics: iam-identities, policies, evaluation-logic, explicit-deny, least-privilege, mfa, sts, cross-account, trust-policies, organizations, identity-center, federation, kms, secrets-manager, s3-security, data-perimeter, cloudtrail, guardduty, security-hub, detection-services, privilege-escalation, scenarios, general"
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
