//! Warnings of `iamdrill decks check`: text that is valid but would mislead a learner.
//!
//! - Dangling references: "see Q5", "as in Q12", "as mentioned above", "the previous question".
//!   Cards are met one at a time and in any order, so such a pointer leads nowhere.
//! - Outdated AWS names ("Azure AD", "CMK", "Security Hub" where its standards and controls are
//!   meant, …), from the list kept in `assets/outdated-names.yaml`.
//!
//! A finding inside a wrong passage the card marks and corrects (its `corrections`) is not
//! reported: the learner sees it marked, with the correction beside it.

use std::sync::OnceLock;

use serde::Deserialize;

use super::load::{Pos, Positions, Problem};
use super::model::{Card, Deck};

/// One outdated name and what AWS calls it now.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutdatedName {
    pub old: Vec<String>,
    pub new: String,
    #[serde(default)]
    pub current: Vec<String>,
    #[serde(default)]
    pub unless_next: Vec<String>,
    #[serde(default)]
    pub only_with: Vec<String>,
    pub reference: String,
}

const OUTDATED_NAMES: &str = include_str!("../../assets/outdated-names.yaml");

/// The outdated names, parsed once from the list embedded in the binary.
pub fn outdated_names() -> &'static [OutdatedName] {
    static NAMES: OnceLock<Vec<OutdatedName>> = OnceLock::new();
    // The list is part of the binary and parsed by a test, so this cannot fail in a release.
    NAMES.get_or_init(|| serde_yaml::from_str(OUTDATED_NAMES).unwrap_or_default())
}

/// A finding in one text: byte range and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Warnings for one deck. `raw` is the deck file's text, used to place each warning on the
/// words it is about.
pub fn lint_deck(deck: &Deck, file: &str, positions: &Positions<'_>) -> Vec<Problem> {
    let raw = positions.text();
    // Line starts, found once for the whole file when the first warning needs a position.
    let lines: std::cell::OnceCell<LineStarts> = std::cell::OnceCell::new();
    let mut out = Vec::new();
    for (i, card) in deck.cards.iter().enumerate() {
        for (field, text) in texts(card) {
            let findings = lint_text(text, &wrong_ranges(card, text));
            if findings.is_empty() {
                continue;
            }
            let path = format!("cards[{i}].{field}");
            for f in findings {
                let lines = lines.get_or_init(|| LineStarts::new(raw));
                let pos = locate(
                    raw,
                    lines,
                    positions,
                    &path,
                    text,
                    f.start,
                    &text[f.start..f.end],
                );
                out.push(Problem {
                    file: file.to_string(),
                    line: pos.line,
                    column: pos.column,
                    message: f.message,
                });
            }
        }
    }
    out
}

/// Findings in one text, leaving out those inside the `marked` byte ranges.
pub fn lint_text(text: &str, marked: &[(usize, usize)]) -> Vec<Finding> {
    let mut found = dangling_references(text);
    found.extend(outdated(text, outdated_names()));
    found.retain(|f| !marked.iter().any(|&(a, b)| f.start >= a && f.end <= b));
    found.sort_by_key(|f| f.start);
    found
}

/// Every text of a card a learner can see, with its path below the card. The corrections' wrong
/// passages are left out: they are quoted to be marked.
fn texts(card: &Card) -> Vec<(String, &str)> {
    let mut out = vec![
        ("question".to_string(), card.question.as_str()),
        ("answer".to_string(), card.answer.as_str()),
    ];
    if let Some(note) = &card.note {
        out.push(("note".to_string(), note.as_str()));
    }
    // Accepted alternatives are what a learner may type, not text shown; an old name there
    // lets an answer that uses it still count.
    for (i, k) in card.key_points.iter().enumerate() {
        out.push((format!("key_points[{i}]"), k.text.as_str()));
    }
    if let Some(t) = &card.table {
        for (i, h) in t.headers.iter().enumerate() {
            out.push((format!("table.headers[{i}]"), h.as_str()));
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                out.push((format!("table.rows[{r}][{c}]"), cell.as_str()));
            }
        }
    }
    if let Some(sc) = &card.scenario {
        out.push(("scenario.situation".to_string(), sc.situation.as_str()));
        for (i, st) in sc.steps.iter().enumerate() {
            out.push((format!("scenario.steps[{i}].prompt"), st.prompt.as_str()));
            out.push((format!("scenario.steps[{i}].answer"), st.answer.as_str()));
            for (k, kp) in st.key_points.iter().enumerate() {
                out.push((
                    format!("scenario.steps[{i}].key_points[{k}]"),
                    kp.text.as_str(),
                ));
            }
        }
    }
    for (i, v) in card.variants.iter().enumerate() {
        out.push((format!("variants[{i}].question"), v.question.as_str()));
        out.push((format!("variants[{i}].answer"), v.answer.as_str()));
    }
    for (i, c) in card.corrections.iter().enumerate() {
        out.push((format!("corrections[{i}].right"), c.right.as_str()));
    }
    out
}

/// Byte ranges of `text` taken by the card's marked wrong passages.
fn wrong_ranges(card: &Card, text: &str) -> Vec<(usize, usize)> {
    card.corrections
        .iter()
        .filter(|c| !c.wrong.is_empty())
        .flat_map(|c| {
            text.match_indices(c.wrong.as_str())
                .map(|(at, w)| (at, at + w.len()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Words of `text` (runs of letters, digits and `#`) with their byte offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || c == '#';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// `Q5`, `Q12`: a question number.
fn is_question_number(w: &str) -> bool {
    w.len() > 1 && w.starts_with('Q') && w[1..].chars().all(|c| c.is_ascii_digit())
}

/// A number, possibly written `#5`.
fn is_number(w: &str) -> bool {
    let w = w.strip_prefix('#').unwrap_or(w);
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit())
}

const POINTING: &[&str] = &[
    "see",
    "as",
    "shown",
    "mentioned",
    "described",
    "listed",
    "discussed",
    "explained",
    "noted",
    "covered",
    "defined",
    "given",
    "stated",
];
const BACK: &[&str] = &["above", "earlier", "previously"];
const ORDINAL: &[&str] = &["previous", "preceding", "next", "earlier", "last", "above"];
const UNIT: &[&str] = &[
    "question",
    "questions",
    "answer",
    "answers",
    "card",
    "section",
];

/// Pointers to other questions: `Q5`, `question 5`, `see above`, `the previous question`,
/// `question above`. ("The answer below" is left alone: it usually means this card's own text.)
pub fn dangling_references(text: &str) -> Vec<Finding> {
    let ws = words(text);
    let lower: Vec<String> = ws.iter().map(|(_, w)| w.to_lowercase()).collect();
    let mut out = Vec::new();
    let span = |a: usize, b: usize| (ws[a].0, ws[b].0 + ws[b].1.len());
    for i in 0..ws.len() {
        let next = lower.get(i + 1).map(String::as_str);
        let (range, what) = if is_question_number(ws[i].1) {
            (span(i, i), "another question")
        } else if (lower[i] == "question" || lower[i] == "questions")
            && ws.get(i + 1).is_some_and(|(_, w)| is_number(w))
        {
            (span(i, i + 1), "another question")
        } else if POINTING.contains(&lower[i].as_str()) && next.is_some_and(|n| BACK.contains(&n)) {
            (span(i, i + 1), "text outside this card")
        } else if (ORDINAL.contains(&lower[i].as_str()) && next.is_some_and(|n| UNIT.contains(&n)))
            || ((lower[i] == "question" || lower[i] == "questions")
                && matches!(next, Some("above") | Some("below")))
        {
            (span(i, i + 1), "another question")
        } else {
            continue;
        };
        out.push(Finding {
            start: range.0,
            end: range.1,
            message: format!(
                "`{}` points at {what}, which a learner does not see with this card (cards come one at a time, in any order); say what it refers to",
                &text[range.0..range.1]
            ),
        });
    }
    out
}

/// Whether `name` has no lower-case letters (`CMK`, `AWS SSO`): matched in capitals only, so
/// that `aws sso login`, a command, is not taken for the old product name.
fn is_acronym(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_lowercase())
}

/// Words before an old name that show the text is telling its history ("formerly AWS SSO").
const HISTORY: &[&str] = &[
    "formerly",
    "previously",
    "successor",
    "once called",
    "was called",
    "renamed",
    "used to be",
];

/// Byte offsets where `name` occurs in `text` as whole words.
fn find_word(text: &str, name: &str) -> Vec<usize> {
    let (hay, needle) = if is_acronym(name) {
        (text.to_string(), name.to_string())
    } else {
        (text.to_ascii_lowercase(), name.to_ascii_lowercase())
    };
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    hay.match_indices(needle.as_str())
        .map(|(at, _)| at)
        .filter(|&at| {
            !is_word(text[..at].chars().next_back())
                && !is_word(text[at + needle.len()..].chars().next())
        })
        .collect()
}

/// The sentence of `text` around byte range `start..end` (table cells and lines count as
/// sentences).
fn sentence(text: &str, start: usize, end: usize) -> &str {
    let is_break = |s: &str, i: usize| {
        let c = s[i..].chars().next();
        matches!(c, Some('\n' | '|'))
            || (matches!(c, Some('.' | '?' | '!' | ';'))
                && s[i + 1..].chars().next().is_none_or(char::is_whitespace))
    };
    let from = (0..start)
        .rev()
        .filter(|&i| text.is_char_boundary(i))
        .find(|&i| is_break(text, i))
        .map_or(0, |i| i + 1);
    let to = (end..text.len())
        .filter(|&i| text.is_char_boundary(i))
        .find(|&i| is_break(text, i))
        .unwrap_or(text.len());
    &text[from..to]
}

/// Whether `text` may hold an outdated name of the built-in list: one pass of an automaton
/// over every old name, ignoring ASCII case (the checks below are stricter, so nothing they
/// find is missed). Most texts hold none and cost only this pass.
fn may_hold_outdated(text: &str) -> bool {
    static ANY: OnceLock<Option<aho_corasick::AhoCorasick>> = OnceLock::new();
    let automaton = ANY.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(outdated_names().iter().flat_map(|n| n.old.iter()))
            .ok()
    });
    automaton.as_ref().is_none_or(|a| a.is_match(text))
}

/// Outdated names in `text`.
pub fn outdated(text: &str, names: &[OutdatedName]) -> Vec<Finding> {
    if std::ptr::eq(names, outdated_names()) && !may_hold_outdated(text) {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in names {
        let current: Vec<&str> = if name.current.is_empty() {
            vec![name.new.as_str()]
        } else {
            name.current.iter().map(String::as_str).collect()
        };
        if current
            .iter()
            .any(|c| lower.contains(&c.to_ascii_lowercase()))
        {
            continue;
        }
        for old in &name.old {
            for at in find_word(text, old) {
                let end = at + old.len();
                let after = text[end..].trim_start();
                let next: String = after.chars().take_while(|c| c.is_alphanumeric()).collect();
                if name
                    .unless_next
                    .iter()
                    .any(|u| u.eq_ignore_ascii_case(&next))
                {
                    continue;
                }
                // The three words before the name.
                let before: Vec<String> = words(&text[..at])
                    .iter()
                    .rev()
                    .take(3)
                    .rev()
                    .map(|(_, w)| w.to_lowercase())
                    .collect();
                let before = before.join(" ");
                if HISTORY.iter().any(|h| !find_word(&before, h).is_empty()) {
                    continue;
                }
                if !name.only_with.is_empty() {
                    let s = sentence(text, at, end);
                    if !name.only_with.iter().any(|w| !find_word(s, w).is_empty()) {
                        continue;
                    }
                }
                out.push(Finding {
                    start: at,
                    end,
                    message: format!(
                        "`{}` is an outdated name: AWS now says {} ({})",
                        &text[at..end],
                        name.new,
                        name.reference
                    ),
                });
            }
        }
    }
    out
}

/// The byte offset where each line of a text starts, so that a position costs a search, not a
/// walk from the top of the file (a deck with a warning on every card stays linear).
struct LineStarts {
    starts: Vec<usize>,
}

impl LineStarts {
    fn new(raw: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', raw.as_bytes()).map(|i| i + 1));
        LineStarts { starts }
    }

    /// The byte offset of a 1-based line and column (in characters) in `raw`.
    fn offset_of(&self, raw: &str, pos: Pos) -> usize {
        let line = pos.line.clamp(1, self.starts.len());
        let line_start = self.starts[line - 1];
        raw[line_start..]
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(raw.len(), |(i, _)| line_start + i)
    }

    /// The 1-based line and column (in characters) of byte `offset` in `raw`.
    fn pos_of(&self, raw: &str, offset: usize) -> Pos {
        let offset = offset.min(raw.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        Pos {
            line,
            column: raw[line_start..offset].chars().count() + 1,
        }
    }
}

/// Where the words `needle`, found at byte `at` of the field `text` at `path`, are in the file:
/// the same occurrence searched from where the field starts, or the field's start when the file
/// words it differently (a folded line, an escape).
#[allow(clippy::too_many_arguments)]
fn locate(
    raw: &str,
    lines: &LineStarts,
    index: &Positions<'_>,
    path: &str,
    text: &str,
    at: usize,
    needle: &str,
) -> Pos {
    let base = index.find(path);
    let from = lines.offset_of(raw, base);
    let nth = text[..at].matches(needle).count();
    match raw[from..].match_indices(needle).nth(nth) {
        Some((i, _)) => lines.pos_of(raw, from + i),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::load::parse_deck_lazily;

    fn messages(text: &str) -> Vec<String> {
        lint_text(text, &[])
            .into_iter()
            .map(|f| text[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn the_list_of_outdated_names_parses() {
        let names: Vec<OutdatedName> = serde_yaml::from_str(OUTDATED_NAMES).unwrap();
        assert!(names.len() >= 5);
        assert_eq!(outdated_names().len(), names.len());
        for n in names {
            assert!(
                n.reference.starts_with("https://docs.aws.amazon.com/"),
                "{n:?}"
            );
        }
    }

    #[test]
    fn dangling_references_are_found() {
        assert_eq!(
            messages("Deny wins (see Q5). As in question 12, and as mentioned above."),
            ["Q5", "question 12", "mentioned above"]
        );
        assert_eq!(
            messages("Unlike the previous question, the answer below lists steps."),
            ["previous question"]
        );
        assert!(messages("Quotas above 10,000 need a request; see the list below.").is_empty());
    }

    #[test]
    fn outdated_names_are_found_unless_the_text_knows_the_new_name() {
        assert_eq!(
            messages("Sign in with Azure AD or Okta. Encrypt with a CMK."),
            ["Azure AD", "CMK"]
        );
        assert!(messages("Azure AD is now Microsoft Entra ID.").is_empty());
        assert!(messages("A customer managed key (once called a CMK).").is_empty());
        assert!(messages("Use cmk-prod as the alias.").is_empty());
        assert!(messages("Run aws sso login first.").is_empty());
        assert!(messages("IAM Identity Center, formerly AWS SSO.").is_empty());
        assert_eq!(
            messages("The successor to AWS SSO reads users from Azure AD or Okta."),
            ["Azure AD"]
        );
        assert_eq!(messages("Sign in through AWS SSO."), ["AWS SSO"]);
    }

    #[test]
    fn security_hub_is_outdated_only_for_standards_and_controls() {
        assert_eq!(
            messages("Security Hub runs CIS and PCI checks."),
            ["Security Hub"]
        );
        assert!(messages("GuardDuty findings flow to Security Hub.").is_empty());
        assert!(messages("Security Hub CSPM runs CIS checks.").is_empty());
        assert!(
            messages("Findings go to Security Hub. Controls are evaluated by Config.").is_empty()
        );
    }

    #[test]
    fn marked_passages_are_not_reported() {
        let text = "Keys: Customer-managed keys (CMKs): rotation.";
        let at = text.find("Customer").unwrap();
        assert!(lint_text(text, &[(at, text.len())]).is_empty());
        assert_eq!(lint_text(text, &[]).len(), 1);
    }

    #[test]
    fn warnings_point_at_the_words_in_the_file() {
        let raw = "id: t\ntitle: T\ncards:\n  - id: a\n    topic: kms\n    question: What is a key?\n    answer: |\n      A key.\n      Deny wins (see Q5).\n    key_points: [Azure AD]\n";
        let (deck, positions) = parse_deck_lazily(raw, "t.yaml").unwrap();
        let found: Vec<String> = lint_deck(&deck, "t.yaml", &positions)
            .iter()
            .map(|p| format!("{}:{}", p.line, p.column))
            .collect();
        assert_eq!(found, ["9:22", "10:18"]);
    }

    #[test]
    fn line_starts_agree_with_a_walk_from_the_top() {
        let raw = "a: b\n\n  caf\u{e9} \u{1f512} x\nlast line";
        let lines = LineStarts::new(raw);
        for (offset, _) in raw.char_indices().chain([(raw.len(), ' ')]) {
            let pos = lines.pos_of(raw, offset);
            assert_eq!(
                pos,
                crate::deck::load::pos_of_offset(raw, offset),
                "{offset}"
            );
            assert_eq!(lines.offset_of(raw, pos), offset, "{offset}");
        }
    }
}
