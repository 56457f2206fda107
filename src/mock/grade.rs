//! Grading a typed answer against a card's key points.
//!
//! A key point (or one of its accepted alternatives) is a phrase. Its content words (stop words and
//! negation words removed) are looked for in the answer, one sentence at a time, within a window of a
//! few words. Words compare equal when their stems match, when two adjacent words spell the other
//! (`guard duty` / `GuardDuty`), or when one is a typo of the other: same first letter, at least five
//! letters, and within one edit (two for words of eight letters or more), or — for dropped letters —
//! the skim fuzzy matcher finds the shorter word as a subsequence of the longer with little length
//! difference. The edit bound is what keeps subsequence matching from crediting "deny" inside
//! "identity".
//!
//! Words that only repeat the question ("echo" words) do not earn a key point on their own. A phrase
//! of up to two remaining words needs all of them, a longer one about 60% (at most five).
//!
//! Polarity: a word is negated when `not`, `no`, `never`, `don't`, `cannot`, `without`… precede it in
//! its clause. A key point without a negation is only earned by words that are not negated ("roles
//! do not rotate credentials" does not earn "roles rotate credentials"; it is reported as
//! contradicted); a key point with a negation ("GuardDuty does not block traffic") needs a negated
//! match.

use std::collections::HashSet;
use std::sync::LazyLock;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::{Deserialize, Serialize};

use super::text::{Token, edit_distance, tokenize};
use crate::deck::model::{Card, CardKind, KeyPoint, Table};

static SKIM: LazyLock<SkimMatcherV2> = LazyLock::new(SkimMatcherV2::default);

/// A byte range in the graded answer text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The verdict on one key point (or one step of a scenario, or one hidden table cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointGrade {
    /// The key point as the examiner wrote it (a step's answer, a hidden cell's value).
    pub text: String,
    /// Where the key point belongs: a scenario step's prompt, or `row / column` of a table cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub covered: bool,
    /// From the first to the last word that earned the point, in answer part `part`.
    pub span: Option<Span>,
    /// The individual words that earned the point, for highlighting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Span>,
    /// Which answer text the spans refer to: 0 for a single text, else the step or cell index.
    #[serde(default)]
    pub part: usize,
    /// The phrase that matched: the key point's text or one of its accepted alternatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// The answer says the opposite ("roles do not rotate credentials").
    #[serde(default)]
    pub contradicted: bool,
}

/// The grading of one answer to one card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardGrade {
    pub card_id: String,
    pub points: Vec<PointGrade>,
}

impl CardGrade {
    pub fn covered(&self) -> usize {
        self.points.iter().filter(|p| p.covered).count()
    }

    pub fn total(&self) -> usize {
        self.points.len()
    }

    /// Fraction of key points covered, 0.0 when there are none.
    pub fn score(&self) -> f64 {
        if self.points.is_empty() {
            0.0
        } else {
            self.covered() as f64 / self.points.len() as f64
        }
    }
}

/// What the learner typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// One free text (basic cards; scenario and table cards answered in one go).
    Text(String),
    /// One text per scenario step, in step order.
    Steps(Vec<String>),
    /// The hidden cells of a table card.
    Cells(Vec<CellAnswer>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellAnswer {
    pub row: usize,
    pub col: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GradeError {
    #[error("card `{card}` has no key points to grade against; add `key_points` to the card")]
    NoKeyPoints { card: String },
    #[error("card `{card}` is a {kind} card but the answer is {given}")]
    WrongAnswerShape {
        card: String,
        kind: &'static str,
        given: &'static str,
    },
    #[error("card `{card}` is a table card without a `table`")]
    MissingTable { card: String },
    #[error("card `{card}` is a scenario card without a `scenario`")]
    MissingScenario { card: String },
    #[error(
        "card `{card}`: the answer names cell row {row}, column {col}, which is not a hidden cell"
    )]
    NoSuchCell {
        card: String,
        row: usize,
        col: usize,
    },
    #[error(
        "card `{card}` is a table card: write the table rows as `| row label | cell | cell |`, one row a line"
    )]
    NoTableRows { card: String },
}

/// Grades an answer to `card`.
pub fn grade_card(card: &Card, answer: &Answer) -> Result<CardGrade, GradeError> {
    let points = match (card.kind, answer) {
        (CardKind::Basic, Answer::Text(text)) => {
            if card.key_points.is_empty() {
                return Err(GradeError::NoKeyPoints {
                    card: card.id.clone(),
                });
            }
            grade_text(&card.question, &card.key_points, text)
        }
        (CardKind::Scenario, answer) => grade_scenario(card, answer)?,
        (CardKind::Table, answer) => grade_table(card, answer)?,
        (CardKind::Basic, other) => {
            return Err(GradeError::WrongAnswerShape {
                card: card.id.clone(),
                kind: "basic",
                given: shape(other),
            });
        }
    };
    Ok(CardGrade {
        card_id: card.id.clone(),
        points,
    })
}

fn shape(a: &Answer) -> &'static str {
    match a {
        Answer::Text(_) => "a text",
        Answer::Steps(_) => "a list of steps",
        Answer::Cells(_) => "a list of table cells",
    }
}

/// Grades a free text against key points; `question` supplies the echo words.
pub fn grade_text(question: &str, key_points: &[KeyPoint], answer: &str) -> Vec<PointGrade> {
    let mut echo = echo_stems(&[question], false);
    echo.stems.extend(common_stems(key_points));
    let tokens = tokenize(answer);
    key_points
        .iter()
        .map(|kp| grade_point(kp, &tokens, &echo, None, 0, 0))
        .collect()
}

/// Words of the question (and scenario prompt) that a key point may repeat.
#[derive(Debug, Default)]
struct Echo {
    stems: HashSet<String>,
    /// The answer replies to one step's prompt, so the echo words are understood ("deactivate it"
    /// answers "what do you do with the key first?"). In a free answer they must be said.
    implicit: bool,
}

/// Words shared by more than half of a card's (three or more) key points: they tell the key points
/// apart no better than the question's own words do, so they cannot earn a point alone.
fn common_stems(key_points: &[KeyPoint]) -> HashSet<String> {
    if key_points.len() < 3 {
        return HashSet::new();
    }
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for kp in key_points {
        let stems: HashSet<String> = std::iter::once(&kp.text)
            .chain(&kp.accept)
            .flat_map(|p| tokenize(p))
            .filter(|t| !t.stop && !t.negation)
            .map(|t| t.stem)
            .collect();
        for stem in stems {
            *counts.entry(stem).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n * 2 > key_points.len())
        .map(|(stem, _)| stem)
        .collect()
}

fn echo_stems(texts: &[&str], implicit: bool) -> Echo {
    let stems = texts
        .iter()
        .flat_map(|t| tokenize(t))
        .filter(|t| !t.stop && !t.negation)
        .map(|t| t.stem)
        .collect();
    Echo { stems, implicit }
}

fn grade_point(
    kp: &KeyPoint,
    tokens: &[Token],
    echo: &Echo,
    label: Option<String>,
    part: usize,
    offset: usize,
) -> PointGrade {
    let mut contradicted = false;
    let mut best: Option<(PhraseMatch, &str)> = None;
    let mut reversed = false;
    for phrase in std::iter::once(&kp.text).chain(kp.accept.iter()) {
        let m = match_phrase(phrase, tokens, echo);
        // "an allow overrides a deny" must not earn "deny beats allow" through other words.
        reversed |= m.reversed;
        if m.covered {
            let better = best.as_ref().is_none_or(|(b, _)| {
                m.words.first().map(|w| w.start) < b.words.first().map(|w| w.start)
            });
            if better {
                best = Some((m, phrase));
            }
        } else if m.contradicted {
            contradicted = true;
        }
    }
    if reversed {
        best = None;
        contradicted = true;
    }
    match best {
        Some((m, phrase)) => {
            let words: Vec<Span> = m
                .words
                .iter()
                .map(|w| Span {
                    start: w.start + offset,
                    end: w.end + offset,
                })
                .collect();
            let span = match (words.first(), words.last()) {
                (Some(a), Some(b)) => Some(Span {
                    start: a.start,
                    end: b.end,
                }),
                _ => None,
            };
            PointGrade {
                text: kp.text.clone(),
                label,
                covered: true,
                span,
                words,
                part,
                matched: Some(phrase.to_string()),
                contradicted: false,
            }
        }
        None => PointGrade {
            text: kp.text.clone(),
            label,
            covered: false,
            span: None,
            words: Vec::new(),
            part,
            matched: None,
            contradicted,
        },
    }
}

#[derive(Debug, Clone, Default)]
struct PhraseMatch {
    covered: bool,
    contradicted: bool,
    /// The answer states the phrase's relation the other way round.
    reversed: bool,
    words: Vec<Span>,
}

struct KeyToken {
    raw: String,
    stem: String,
    echo: bool,
    /// The word is inside a negation in the key point itself.
    negated: bool,
}

/// A place in the answer that matches key words `bits`, using answer tokens `first..=last`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The first key word matched.
    key: usize,
    bits: u32,
    first: usize,
    last: usize,
    negated: bool,
}

const MAX_KEY_WORDS: usize = 32;

fn match_phrase(phrase: &str, answer: &[Token], echo: &Echo) -> PhraseMatch {
    let ptoks = tokenize(phrase);

    let mut content: Vec<&Token> = ptoks.iter().filter(|t| !t.stop && !t.negation).collect();
    if content.is_empty() {
        content = ptoks.iter().filter(|t| !t.negation).collect();
    }
    let mut seen = HashSet::new();
    let keys: Vec<KeyToken> = content
        .into_iter()
        .filter(|t| seen.insert(t.stem.clone()))
        .take(MAX_KEY_WORDS)
        .map(|t| KeyToken {
            raw: t.raw.clone(),
            stem: t.stem.clone(),
            echo: echo.stems.contains(&t.stem),
            negated: t.negated,
        })
        .collect();
    if keys.is_empty() {
        return PhraseMatch::default();
    }
    // A negation with nothing after it ("roles have none") leaves every key word positive.
    let key_negated = keys.iter().any(|k| k.negated);
    let all_mask: u32 = if keys.len() == 32 {
        u32::MAX
    } else {
        (1u32 << keys.len()) - 1
    };
    // Words that only repeat the question cannot earn the point alone.
    let fresh_mask: u32 = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.echo)
        .fold(0, |m, (i, _)| m | (1 << i));
    let required_fresh = required_words(fresh_mask.count_ones() as usize);
    let max_span = (2 * keys.len() + 4).max(8);

    let candidates = find_candidates(&keys, answer);
    let mut result = PhraseMatch::default();
    let mut best_key: Option<(u32, usize)> = None; // (count, span length) of the best covered window
    let mut ends: Vec<usize> = Vec::new();
    let mut best_range = (0, 0);
    let mut reversals: Vec<(usize, usize)> = Vec::new();
    for (si, start) in candidates.iter().enumerate() {
        // Windows start at a candidate's first word; candidates are sorted by (first, last).
        if si > 0 && candidates[si - 1].first == start.first {
            continue;
        }
        let sentence = answer[start.first].sentence;
        let limit = start.first + max_span;
        let in_reach = candidates[si..]
            .iter()
            .take_while(|c| c.first < limit && answer[c.first].sentence == sentence)
            .count();
        let window = &candidates[si..si + in_reach];
        ends.clear();
        ends.extend(
            window
                .iter()
                .map(|c| c.last)
                .filter(|&e| e < limit && answer[e].sentence == sentence),
        );
        ends.sort_unstable();
        ends.dedup();
        for &end in &ends {
            let inside = || window.iter().filter(move |c| c.last <= end);
            let (mut good, mut bad, mut any_negated) = (0u32, 0u32, false);
            for c in inside() {
                if c.negated == keys[c.key].negated {
                    good |= c.bits;
                    any_negated |= c.negated;
                } else {
                    bad |= c.bits;
                }
            }
            let enough = |bits: u32| {
                let total = (bits & all_mask).count_ones() as usize;
                if fresh_mask == 0 {
                    total >= keys.len()
                } else {
                    (bits & fresh_mask).count_ones() as usize >= required_fresh
                        && (echo.implicit || total >= keys.len().min(2))
                }
            };
            let polarity_ok = !key_negated || any_negated;
            if enough(good) && polarity_ok {
                let key = (good.count_ones(), end - start.first);
                let better =
                    best_key.is_none_or(|(c, len)| key.0 > c || (key.0 == c && key.1 < len));
                if !better {
                    continue;
                }
                let mut seen = 0u32;
                let chosen: Vec<Candidate> = inside()
                    .filter(|c| c.negated == keys[c.key].negated)
                    .filter(|c| {
                        let new = c.bits & !seen != 0;
                        seen |= c.bits;
                        new
                    })
                    .copied()
                    .collect();
                if fresh_mask == 0 && !in_sequence(&chosen, answer) {
                    continue;
                }
                // With a key word said twice the order is ambiguous: only read a reversal when
                // every matched word occurs once in the window.
                let unique = inside()
                    .filter(|c| c.negated == keys[c.key].negated)
                    .fold((0u32, true), |(seen, ok), c| {
                        (seen | c.bits, ok && c.bits & seen == 0)
                    })
                    .1;
                if unique && reversed(&chosen, answer) {
                    reversals.push((start.first, end));
                    continue;
                }
                best_range = (start.first, end);
                best_key = Some(key);
                result.covered = true;
                result.contradicted = false;
                result.words = spans_of(&chosen, answer);
            } else if enough(good | bad) && !result.covered {
                result.contradicted = true;
            }
        }
    }
    // A window read the other way round over the same words outweighs a smaller one inside it.
    if result.covered
        && reversals
            .iter()
            .any(|&(a, b)| a <= best_range.1 && best_range.0 <= b)
    {
        result = PhraseMatch {
            covered: false,
            contradicted: true,
            reversed: true,
            words: Vec::new(),
        };
    } else if !reversals.is_empty() {
        result.reversed = true;
        result.contradicted |= !result.covered;
    }
    result
}

/// Whether the chosen words stand in the key's order with only stop words between them: a phrase
/// made only of the question's (or the card's common) words must be said as such.
fn in_sequence(chosen: &[Candidate], answer: &[Token]) -> bool {
    let mut sorted: Vec<&Candidate> = chosen.iter().collect();
    sorted.sort_by_key(|c| c.key);
    sorted
        .windows(2)
        .all(|w| w[0].last < w[1].first && answer[w[0].last + 1..w[1].first].iter().all(|t| t.stop))
}

/// Whether the answer swaps what stands on either side of a key word: "an allow overrides an
/// explicit deny" for "an explicit deny overrides any allow". A passive ("is overridden by")
/// keeps the meaning and is not a reversal.
fn reversed(chosen: &[Candidate], answer: &[Token]) -> bool {
    let mut placed: Vec<(usize, usize)> = Vec::new(); // (key index, answer position)
    for c in chosen {
        for k in 0..32 {
            if c.bits & (1 << k) != 0 {
                placed.push((k, c.first));
            }
        }
    }
    placed.sort_unstable();
    placed.iter().any(|&(k, pos)| {
        let before: Vec<usize> = placed.iter().filter(|p| p.0 < k).map(|p| p.1).collect();
        let after: Vec<usize> = placed.iter().filter(|p| p.0 > k).map(|p| p.1).collect();
        let passive = answer.get(pos + 1).is_some_and(|t| t.raw == "by")
            || answer.get(pos + 2).is_some_and(|t| t.raw == "by");
        !before.is_empty()
            && !after.is_empty()
            && before.iter().all(|&b| b > pos)
            && after.iter().all(|&a| a < pos)
            && !passive
    })
}

fn spans_of(chosen: &[Candidate], answer: &[Token]) -> Vec<Span> {
    let mut idx: Vec<usize> = chosen.iter().flat_map(|c| c.first..=c.last).collect();
    idx.sort_unstable();
    idx.dedup();
    idx.into_iter()
        .map(|i| Span {
            start: answer[i].start,
            end: answer[i].end,
        })
        .collect()
}

fn find_candidates(keys: &[KeyToken], answer: &[Token]) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Two key words written as one answer word: `secretsmanager` for Secrets Manager.
    let key_pairs: Vec<String> = keys
        .windows(2)
        .map(|w| format!("{}{}", w[0].raw, w[1].raw))
        .collect();
    for (j, a) in answer.iter().enumerate() {
        if a.negation {
            continue;
        }
        for (i, k) in keys.iter().enumerate() {
            if words_match(&k.raw, &k.stem, &a.raw, &a.stem) {
                out.push(Candidate {
                    key: i,
                    bits: 1 << i,
                    first: j,
                    last: j,
                    negated: a.negated,
                });
            }
            // One key word written as two or three answer words: `guard duty` for GuardDuty.
            if k.raw.len() >= 6 && a.raw.len() < k.raw.len() && k.raw.starts_with(a.raw.as_str()) {
                let mut len = a.raw.len();
                let mut negated = a.negated;
                for (n, b) in answer.iter().enumerate().skip(j + 1).take(2) {
                    if b.negation
                        || b.sentence != a.sentence
                        || !k.raw[len..].starts_with(b.raw.as_str())
                    {
                        break;
                    }
                    len += b.raw.len();
                    negated |= b.negated;
                    if len == k.raw.len() {
                        out.push(Candidate {
                            key: i,
                            bits: 1 << i,
                            first: j,
                            last: n,
                            negated,
                        });
                        break;
                    }
                }
            }
            if key_pairs.get(i).is_some_and(|pair| *pair == a.raw) {
                out.push(Candidate {
                    key: i,
                    bits: (1 << i) | (1 << (i + 1)),
                    first: j,
                    last: j,
                    negated: a.negated,
                });
            }
        }
    }
    // "Deactivate it": a pronoun right after a fresh key word stands for the words the question
    // already named (the echo words).
    let echo_bits: u32 = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.echo)
        .fold(0, |m, (i, _)| m | (1 << i));
    if echo_bits != 0 {
        let mut extra = Vec::new();
        for (j, a) in answer.iter().enumerate().skip(1) {
            if !PRONOUNS.contains(&a.raw.as_str()) || answer[j - 1].sentence != a.sentence {
                continue;
            }
            let after_fresh = out
                .iter()
                .any(|c| c.last == j - 1 && c.bits & !echo_bits != 0);
            if after_fresh {
                for (i, _) in keys.iter().enumerate().filter(|(_, k)| k.echo) {
                    extra.push(Candidate {
                        key: i,
                        bits: 1 << i,
                        first: j,
                        last: j,
                        negated: a.negated,
                    });
                }
            }
        }
        out.extend(extra);
    }
    out.sort_by_key(|c| (c.first, c.last));
    out
}

const PRONOUNS: &[&str] = &["it", "them", "this", "that", "these", "those"];

/// How many of a phrase's content words an answer must contain.
fn required_words(n: usize) -> usize {
    if n <= REQUIRE_ALL_UP_TO {
        n
    } else {
        (n * REQUIRED_PERCENT).div_ceil(100).min(5)
    }
}

const REQUIRE_ALL_UP_TO: usize = 2;
const REQUIRED_PERCENT: usize = 60;

fn words_match(kraw: &str, kstem: &str, araw: &str, astem: &str) -> bool {
    kstem == astem || kraw == araw || typo(kraw, araw) || typo(kstem, astem)
}

/// Whether `a` and `b` are the same word with a typo in one of them.
pub fn typo(a: &str, b: &str) -> bool {
    if a.as_bytes().first() != b.as_bytes().first() || a.len().abs_diff(b.len()) > 12 {
        return false;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    let (ls, ll) = (short.chars().count(), long.chars().count());
    if ls < 5 || short.chars().next() != long.chars().next() {
        return false;
    }
    let bound = if ll >= 8 { 2 } else { 1 };
    if ll - ls > bound + 1 {
        return false;
    }
    if edit_distance(short, long) <= bound {
        return true;
    }
    // Dropped letters: the short word is a subsequence of the long one and nearly as long.
    ls * 5 >= ll * 4 && SKIM.fuzzy_match(long, short).is_some()
}

/// The points a scenario card is graded on, each with the step it belongs to: the steps' own key
/// points when the steps carry them; otherwise the card's key points (each placed at the step whose
/// prompt and model answer share most words with it) or, for a card without key points, each
/// step's model answer.
pub fn scenario_points(card: &Card) -> Vec<(KeyPoint, usize)> {
    let Some(scenario) = &card.scenario else {
        return Vec::new();
    };
    if scenario.has_step_key_points() {
        return scenario
            .steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.key_points.iter().map(move |kp| (kp.clone(), i)))
            .collect();
    }
    if card.key_points.is_empty() {
        return scenario
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (KeyPoint::new(s.answer.clone()), i))
            .collect();
    }
    let step_stems: Vec<HashSet<String>> = scenario
        .steps
        .iter()
        .map(|s| {
            tokenize(&format!("{}\n{}", s.prompt, s.answer))
                .into_iter()
                .filter(|t| !t.stop && !t.negation)
                .map(|t| t.stem)
                .collect()
        })
        .collect();
    card.key_points
        .iter()
        .map(|kp| {
            let content = |p: &str| -> HashSet<String> {
                tokenize(p)
                    .into_iter()
                    .filter(|t| !t.stop && !t.negation)
                    .map(|t| t.stem)
                    .collect()
            };
            let main = content(&kp.text);
            let alternatives: HashSet<String> = kp
                .accept
                .iter()
                .flat_map(|a| content(a))
                .filter(|w| !main.contains(w))
                .collect();
            // Words found in many steps ("key") say little about where a point belongs; the key
            // point's own words count twice as much as its alternatives'.
            let mut best = (0, 0.0f64);
            for (i, stems) in step_stems.iter().enumerate() {
                let rarity =
                    |w: &String| 1.0 / step_stems.iter().filter(|s| s.contains(w)).count() as f64;
                let overlap: f64 = main
                    .intersection(stems)
                    .map(|w| 2.0 * rarity(w))
                    .sum::<f64>()
                    + alternatives.intersection(stems).map(rarity).sum::<f64>();
                if overlap > best.1 {
                    best = (i, overlap);
                }
            }
            (kp.clone(), best.0)
        })
        .collect()
}

/// What a card is graded on, as (text, label): key points; scenario points labelled with their
/// step's prompt; a table's hidden cells labelled `row / column`. Hints reveal these in order.
pub fn expected_points(card: &Card) -> Vec<(String, Option<String>)> {
    match card.kind {
        CardKind::Scenario => {
            let prompts: Vec<&str> = card
                .scenario
                .iter()
                .flat_map(|s| &s.steps)
                .map(|s| s.prompt.as_str())
                .collect();
            scenario_points(card)
                .into_iter()
                .map(|(kp, step)| (kp.text, prompts.get(step).map(|p| p.to_string())))
                .collect()
        }
        CardKind::Table => match &card.table {
            Some(t) => hidden_cells(t)
                .into_iter()
                .map(|(r, c)| (t.rows[r][c].clone(), Some(cell_label(t, r, c))))
                .collect(),
            None => card
                .key_points
                .iter()
                .map(|k| (k.text.clone(), None))
                .collect(),
        },
        CardKind::Basic => card
            .key_points
            .iter()
            .map(|k| (k.text.clone(), None))
            .collect(),
    }
}

fn grade_scenario(card: &Card, answer: &Answer) -> Result<Vec<PointGrade>, GradeError> {
    let scenario = card
        .scenario
        .as_ref()
        .ok_or_else(|| GradeError::MissingScenario {
            card: card.id.clone(),
        })?;
    let points = scenario_points(card);
    let prompt = |step: usize| scenario.steps.get(step).map(|s| s.prompt.clone());
    // Words most graded points share say little about which point an answer makes.
    let common = if scenario.has_step_key_points() {
        let graded: Vec<KeyPoint> = points.iter().map(|(kp, _)| kp.clone()).collect();
        common_stems(&graded)
    } else {
        common_stems(&card.key_points)
    };
    let mut out = Vec::new();
    match answer {
        Answer::Text(text) => {
            let mut echo = echo_stems(&[&card.question, &scenario.situation], false);
            echo.stems.extend(common.iter().cloned());
            let tokens = tokenize(text);
            for (kp, step) in &points {
                out.push(grade_point(kp, &tokens, &echo, prompt(*step), 0, 0));
            }
        }
        Answer::Steps(texts) => {
            let parts: Vec<(Vec<Token>, Echo)> = scenario
                .steps
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let text = texts.get(i).map(String::as_str).unwrap_or("");
                    let mut echo =
                        echo_stems(&[&card.question, &scenario.situation, &step.prompt], true);
                    echo.stems.extend(common.iter().cloned());
                    (tokenize(text), echo)
                })
                .collect();
            for (kp, step) in &points {
                // The point's own step first; an examiner also credits it said at another step.
                let order = std::iter::once(*step).chain((0..parts.len()).filter(|i| i != step));
                let mut verdict: Option<PointGrade> = None;
                for i in order {
                    let Some((tokens, echo)) = parts.get(i) else {
                        continue;
                    };
                    let g = grade_point(kp, tokens, echo, prompt(*step), i, 0);
                    if g.covered {
                        verdict = Some(g);
                        break;
                    }
                    if verdict.is_none() || i == *step {
                        verdict = Some(g);
                    }
                }
                out.push(verdict.unwrap_or_else(|| {
                    grade_point(kp, &[], &Echo::default(), prompt(*step), *step, 0)
                }));
            }
        }
        Answer::Cells(_) => {
            return Err(GradeError::WrongAnswerShape {
                card: card.id.clone(),
                kind: "scenario",
                given: shape(answer),
            });
        }
    }
    Ok(out)
}

/// The cells a table question hides: every non-empty cell outside the first (label) column.
pub fn hidden_cells(table: &Table) -> Vec<(usize, usize)> {
    table
        .rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .skip(1)
                // "-" or "—" stands for "not applicable": nothing to recall.
                .filter(|(_, cell)| cell.chars().any(char::is_alphanumeric))
                .map(move |(c, _)| (r, c))
        })
        .collect()
}

fn cell_label(table: &Table, row: usize, col: usize) -> String {
    let label = table
        .rows
        .get(row)
        .and_then(|r| r.first())
        .map(String::as_str)
        .unwrap_or("");
    let header = table.headers.get(col).map(String::as_str).unwrap_or("");
    format!("{label} / {header}")
}

fn grade_table(card: &Card, answer: &Answer) -> Result<Vec<PointGrade>, GradeError> {
    let table = card
        .table
        .as_ref()
        .ok_or_else(|| GradeError::MissingTable {
            card: card.id.clone(),
        })?;
    let hidden = hidden_cells(table);
    // (hidden index) -> (answer text, part, byte offset of that text in the part)
    let mut given: Vec<Option<(&str, usize, usize)>> = vec![None; hidden.len()];
    match answer {
        Answer::Cells(cells) => {
            for (ci, cell) in cells.iter().enumerate() {
                let idx = hidden
                    .iter()
                    .position(|&(r, c)| r == cell.row && c == cell.col)
                    .ok_or(GradeError::NoSuchCell {
                        card: card.id.clone(),
                        row: cell.row,
                        col: cell.col,
                    })?;
                given[idx] = Some((cell.text.as_str(), ci, 0));
            }
        }
        Answer::Text(text) => {
            let rows = parse_table_rows(text);
            if rows.is_empty() {
                if card.key_points.is_empty() {
                    return Err(GradeError::NoTableRows {
                        card: card.id.clone(),
                    });
                }
                return Ok(grade_text(&card.question, &card.key_points, text));
            }
            for (pos, row) in rows.iter().enumerate() {
                let Some(r) = match_row(table, row, text, pos) else {
                    continue;
                };
                for (c, &(s, e)) in row.iter().enumerate().skip(1) {
                    if let Some(idx) = hidden.iter().position(|&h| h == (r, c)) {
                        given[idx] = Some((&text[s..e], 0, s));
                    }
                }
            }
        }
        Answer::Steps(_) => {
            return Err(GradeError::WrongAnswerShape {
                card: card.id.clone(),
                kind: "table",
                given: shape(answer),
            });
        }
    }
    let mut out = Vec::new();
    for (idx, &(r, c)) in hidden.iter().enumerate() {
        let expected = &table.rows[r][c];
        let label = Some(cell_label(table, r, c));
        let (text, part, offset) = given[idx].unwrap_or(("", idx, 0));
        out.push(grade_cell(expected, text, label, part, offset));
    }
    Ok(out)
}

/// Byte ranges of the cells of each `| a | b | c |` line in `text`.
fn parse_table_rows(text: &str) -> Vec<Vec<(usize, usize)>> {
    let mut rows = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let base = line_start;
        line_start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if !trimmed.starts_with('|') {
            continue;
        }
        // Separator lines like |---|---|.
        if trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue;
        }
        let lead = body.len() - trimmed.len();
        let mut cells = Vec::new();
        let mut cell_start = base + lead + 1;
        for (i, ch) in trimmed.char_indices().skip(1) {
            if ch == '|' {
                cells.push(trim_range(text, cell_start, base + lead + i));
                cell_start = base + lead + i + 1;
            }
        }
        let end = base + body.len();
        if cell_start < end && !text[cell_start..end].trim().is_empty() {
            cells.push(trim_range(text, cell_start, end));
        }
        rows.push(cells);
    }
    rows
}

fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    if lead == s.len() {
        return (start, start);
    }
    let trail = s.len() - s.trim_end().len();
    (start + lead, end - trail)
}

/// Which table row an answered row is: by its label, else a header line is skipped, else by position.
fn match_row(table: &Table, row: &[(usize, usize)], text: &str, pos: usize) -> Option<usize> {
    let label = row.first().map(|&(s, e)| normalise(&text[s..e]))?;
    if let Some(r) = table
        .rows
        .iter()
        .position(|r| r.first().is_some_and(|l| normalise(l) == label))
    {
        return Some(r);
    }
    if table.headers.first().is_some_and(|h| normalise(h) == label) {
        return None;
    }
    let header_given = !table.headers.is_empty();
    let index = if header_given && pos > 0 {
        pos - 1
    } else {
        pos
    };
    (index < table.rows.len()).then_some(index)
}

fn normalise(s: &str) -> String {
    tokenize(s)
        .into_iter()
        .map(|t| t.stem)
        .collect::<Vec<_>>()
        .join(" ")
}

fn yes_no(s: &str) -> Option<bool> {
    let first = tokenize(s).into_iter().next()?;
    match first.raw.as_str() {
        "yes" | "y" | "true" | "required" => Some(true),
        "no" | "n" | "false" | "none" => Some(false),
        _ => None,
    }
}

fn grade_cell(
    expected: &str,
    answer: &str,
    label: Option<String>,
    part: usize,
    offset: usize,
) -> PointGrade {
    let tokens = tokenize(answer);
    if let Some(want) = yes_no(expected) {
        let covered = yes_no(answer) == Some(want);
        let words: Vec<Span> = if covered {
            tokens
                .first()
                .map(|t| Span {
                    start: t.start + offset,
                    end: t.end + offset,
                })
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        return PointGrade {
            text: expected.to_string(),
            label,
            covered,
            span: words.first().copied(),
            words,
            part,
            matched: covered.then(|| expected.to_string()),
            contradicted: yes_no(answer) == Some(!want),
        };
    }
    let kp = KeyPoint::new(expected.to_string());
    grade_point(&kp, &tokens, &Echo::default(), label, part, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{Scenario, Step};

    fn kp(text: &str) -> KeyPoint {
        KeyPoint::new(text)
    }

    fn covered(key: &str, answer: &str) -> bool {
        grade_text("", &[kp(key)], answer)[0].covered
    }

    fn card(kind: CardKind) -> Card {
        Card {
            id: "c1".into(),
            kind,
            topic: "iam-identities".into(),
            tags: vec![],
            difficulty: Default::default(),
            question: "What is an IAM role?".into(),
            answer: String::new(),
            table: None,
            scenario: None,
            key_points: vec![],
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    #[test]
    fn normalisation_of_case_punctuation_and_verb_forms() {
        assert!(covered(
            "rotate credentials automatically",
            "Credentials are ROTATED automatically!"
        ));
        assert!(covered(
            "explicit deny wins",
            "an explicit Deny always wins."
        ));
        assert!(covered("policies are evaluated", "policy evaluation"));
    }

    #[test]
    fn typos_are_forgiven() {
        assert!(covered("temporary credentials", "temporay credentails"));
        assert!(covered("permissions boundary", "permision boundry"));
        assert!(covered("GuardDuty", "guard duty"));
        assert!(covered("guard duty", "GuardDuty"));
    }

    #[test]
    fn subsequence_matches_do_not_overmatch() {
        assert!(!covered("deny", "identity"));
        assert!(!covered("symmetric key", "asymmetric key"));
        assert!(!covered("rule", "role"));
        assert!(!typo("deny", "identity"));
        assert!(typo("authentication", "authntication"));
    }

    #[test]
    fn negation_is_not_credited() {
        let g = grade_text(
            "",
            &[kp("roles rotate credentials")],
            "Roles do not rotate credentials.",
        );
        assert!(!g[0].covered);
        assert!(g[0].contradicted);
        for answer in [
            "roles never rotate credentials",
            "roles don't rotate their credentials",
            "roles can't rotate credentials",
            "roles cannot rotate credentials",
            "roles doesnt rotate credentials",
        ] {
            assert!(!covered("roles rotate credentials", answer), "{answer}");
        }
        assert!(covered(
            "roles rotate credentials",
            "Roles don't have passwords, they rotate credentials automatically"
        ));
    }

    #[test]
    fn negated_key_points_need_a_negated_answer() {
        let key = "GuardDuty does not block traffic";
        assert!(covered(
            key,
            "GuardDuty doesn't block the traffic, it only alerts"
        ));
        assert!(!covered(key, "GuardDuty blocks malicious traffic"));
    }

    #[test]
    fn swapped_subject_and_object_is_not_credited() {
        let key = "an explicit deny overrides any allow";
        let g = grade_text(
            "",
            &[kp(key)],
            "An allow in a resource policy overrides an explicit deny.",
        );
        assert!(!g[0].covered);
        assert!(g[0].contradicted);
        assert!(covered(key, "Any allow is overridden by an explicit deny."));
        assert!(covered(
            key,
            "An explicit deny in any policy overrides every allow."
        ));
        // Another phrasing of the same key point is not earned either.
        let key = KeyPoint {
            text: key.into(),
            accept: vec!["deny beats allow".into()],
        };
        let g = grade_text(
            "",
            &[key],
            "An allow in a resource policy overrides an explicit deny.",
        );
        assert!(!g[0].covered && g[0].contradicted);
    }

    #[test]
    fn accepted_alternatives_count() {
        let key = KeyPoint {
            text: "disable the access key".into(),
            accept: vec!["deactivate".into()],
        };
        let g = grade_text("", &[key], "First I would deactivate it in IAM.");
        assert!(g[0].covered);
        assert_eq!(g[0].matched.as_deref(), Some("deactivate"));
    }

    #[test]
    fn spans_point_at_the_matched_words() {
        let answer = "Well, an explicit deny always wins over allows.";
        let g = grade_text("", &[kp("explicit deny wins")], answer);
        let span = g[0].span.unwrap();
        assert_eq!(&answer[span.start..span.end], "explicit deny always wins");
        let words: Vec<&str> = g[0].words.iter().map(|w| &answer[w.start..w.end]).collect();
        assert_eq!(words, ["explicit", "deny", "wins"]);
    }

    #[test]
    fn echo_words_alone_do_not_earn_a_point() {
        let g = grade_text(
            "Why does AWS recommend roles instead of users?",
            &[kp("roles use temporary credentials")],
            "Because roles are recommended over users.",
        );
        assert!(!g[0].covered);
    }

    #[test]
    fn words_must_be_in_one_sentence() {
        assert!(!covered(
            "temporary credentials",
            "It is temporary. Credentials are stored."
        ));
    }

    #[test]
    fn basic_card_without_key_points_is_an_error() {
        let c = card(CardKind::Basic);
        let err = grade_card(&c, &Answer::Text("x".into())).unwrap_err();
        assert!(matches!(err, GradeError::NoKeyPoints { .. }));
        assert!(err.to_string().contains("c1"));
    }

    fn table_card() -> Card {
        let mut c = card(CardKind::Table);
        c.table = Some(Table {
            headers: vec!["Feature".into(), "IAM user".into(), "IAM role".into()],
            rows: vec![
                vec!["Long-term credentials".into(), "Yes".into(), "No".into()],
                vec!["Access keys".into(), "Permanent".into(), "Temporary".into()],
            ],
        });
        c
    }

    #[test]
    fn table_cells_are_graded() {
        let c = table_card();
        let cells = vec![
            CellAnswer {
                row: 0,
                col: 1,
                text: "yes".into(),
            },
            CellAnswer {
                row: 0,
                col: 2,
                text: "yes".into(),
            },
            CellAnswer {
                row: 1,
                col: 1,
                text: "permanant".into(),
            },
            CellAnswer {
                row: 1,
                col: 2,
                text: "temporary, via STS".into(),
            },
        ];
        let g = grade_card(&c, &Answer::Cells(cells)).unwrap();
        let v: Vec<bool> = g.points.iter().map(|p| p.covered).collect();
        assert_eq!(v, [true, false, true, true]);
        assert!(g.points[1].contradicted);
        assert_eq!(
            g.points[1].label.as_deref(),
            Some("Long-term credentials / IAM role")
        );
        assert_eq!(g.score(), 0.75);
    }

    #[test]
    fn table_answered_as_markdown_rows() {
        let c = table_card();
        let text = "| Feature | IAM user | IAM role |\n|---|---|---|\n| Access keys | permanent | temporary |\n| long-term credentials | yes | no |\n";
        let g = grade_card(&c, &Answer::Text(text.into())).unwrap();
        assert!(g.points.iter().all(|p| p.covered), "{g:?}");
        let p = &g.points[3];
        let s = p.span.unwrap();
        assert_eq!(&text[s.start..s.end], "temporary");
    }

    #[test]
    fn blank_cells_in_table_rows() {
        let rows = parse_table_rows("| |A\n|  | x |");
        assert_eq!(rows, [vec![(1, 1), (3, 4)], vec![(6, 6), (10, 11)]]);
    }

    #[test]
    fn table_text_without_rows_is_an_error() {
        let c = table_card();
        let err = grade_card(&c, &Answer::Text("users have keys".into())).unwrap_err();
        assert!(matches!(err, GradeError::NoTableRows { .. }));
        let err = grade_card(
            &c,
            &Answer::Cells(vec![CellAnswer {
                row: 5,
                col: 1,
                text: "x".into(),
            }]),
        )
        .unwrap_err();
        assert!(matches!(err, GradeError::NoSuchCell { row: 5, .. }));
    }

    #[test]
    fn scenario_key_points_are_placed_at_their_steps() {
        let mut c = card(CardKind::Scenario);
        c.question = "Access keys leaked on GitHub. What do you do?".into();
        c.scenario = Some(Scenario {
            situation: "An IAM user's keys are public.".into(),
            steps: vec![
                Step {
                    phase: None,
                    prompt: "What do you do first with the key?".into(),
                    answer: "Deactivate it at once and treat it as compromised.".into(),
                    key_points: Vec::new(),
                },
                Step {
                    phase: None,
                    prompt: "How do you investigate?".into(),
                    answer: "Search CloudTrail in every Region for the key's activity.".into(),
                    key_points: Vec::new(),
                },
                Step {
                    phase: None,
                    prompt: "How do you prevent it?".into(),
                    answer: "Use roles instead of long-term keys.".into(),
                    key_points: Vec::new(),
                },
            ],
        });
        c.key_points = vec![
            KeyPoint::new("review CloudTrail for everything the key did"),
            KeyPoint::new("deactivate the exposed key immediately"),
            KeyPoint::new("replace long-term keys with roles"),
        ];
        let placed: Vec<usize> = scenario_points(&c).iter().map(|(_, s)| *s).collect();
        assert_eq!(placed, [1, 0, 2]);
        let labels: Vec<Option<String>> = expected_points(&c).into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            labels[1].as_deref(),
            Some("What do you do first with the key?")
        );
        // Said at the wrong step still counts; the span refers to the step where it was said.
        let g = grade_card(
            &c,
            &Answer::Steps(vec![
                "Deactivate the key immediately, then review CloudTrail for what the key did."
                    .into(),
                "".into(),
                "nothing".into(),
            ]),
        )
        .unwrap();
        let v: Vec<(bool, usize)> = g.points.iter().map(|p| (p.covered, p.part)).collect();
        assert_eq!(v, [(true, 0), (true, 0), (false, 2)]);
    }

    #[test]
    fn step_key_points_are_graded_at_their_own_steps() {
        let mut c = card(CardKind::Scenario);
        c.question =
            "An instance's role credentials are used from outside AWS. What do you do?".into();
        let step = |prompt: &str, answer: &str, points: &[&str]| Step {
            phase: None,
            prompt: prompt.into(),
            answer: answer.into(),
            key_points: points.iter().map(|p| KeyPoint::new(*p)).collect(),
        };
        c.scenario = Some(Scenario {
            situation: "GuardDuty reports InstanceCredentialExfiltration.OutsideAWS.".into(),
            steps: vec![
                step(
                    "How do you cut off the stolen session?",
                    "Revoke active sessions of the role.",
                    &["revoke sessions issued before now"],
                ),
                step(
                    "How do you keep evidence?",
                    "Snapshot the EBS volumes before anything else changes.",
                    &["snapshot the EBS volumes", "capture memory"],
                ),
            ],
        });
        // Card-level key points are a summary; the steps' own points are what is graded.
        c.key_points = vec![KeyPoint::new("terminate the instance")];
        let placed: Vec<(String, usize)> = scenario_points(&c)
            .into_iter()
            .map(|(kp, s)| (kp.text, s))
            .collect();
        assert_eq!(
            placed,
            [
                ("revoke sessions issued before now".to_string(), 0),
                ("snapshot the EBS volumes".to_string(), 1),
                ("capture memory".to_string(), 1),
            ]
        );
        let g = grade_card(
            &c,
            &Answer::Steps(vec![
                "Revoke every session issued before now.".into(),
                "Snapshot the EBS volumes.".into(),
            ]),
        )
        .unwrap();
        let v: Vec<(bool, usize)> = g.points.iter().map(|p| (p.covered, p.part)).collect();
        assert_eq!(v, [(true, 0), (true, 1), (false, 1)]);
        assert_eq!(
            g.points[2].label.as_deref(),
            Some("How do you keep evidence?")
        );
    }

    #[test]
    fn scenario_steps_are_graded_one_by_one() {
        let mut c = card(CardKind::Scenario);
        c.question =
            "A developer pushed access keys to a public GitHub repository. What do you do?".into();
        c.scenario = Some(Scenario {
            situation: "Keys for an IAM user with admin rights are public.".into(),
            steps: vec![
                Step {
                    phase: Some("Immediate".into()),
                    prompt: "First?".into(),
                    answer: "Deactivate the key".into(),
                    key_points: Vec::new(),
                },
                Step {
                    phase: None,
                    prompt: "Then?".into(),
                    answer: "Review CloudTrail for activity by the key".into(),
                    key_points: Vec::new(),
                },
            ],
        });
        let g = grade_card(
            &c,
            &Answer::Steps(vec![
                "deactivate it right away".into(),
                "I'd ignore it".into(),
            ]),
        )
        .unwrap();
        assert!(g.points[0].covered);
        assert!(!g.points[1].covered);
        assert_eq!(g.points[1].part, 1);
        let g = grade_card(
            &c,
            &Answer::Text("Deactivate the key, then review CloudTrail for what it did.".into()),
        )
        .unwrap();
        assert_eq!(g.covered(), 2);
        let err = grade_card(&c, &Answer::Cells(vec![])).unwrap_err();
        assert!(matches!(err, GradeError::WrongAnswerShape { .. }));
    }
}
