//! Grading a typed answer against a card's key points: the one grader behind the mock screen,
//! `iamdrill grade` and the tests.
//!
//! Each card kind has one answer shape, the same in the app and on the command line:
//! * basic: one free text;
//! * scenario: one text per step ([`Answer::Steps`]); a single text is split into steps by
//!   [`split_steps`] (`Step N:` lines, `---` lines or blank lines). Each step is graded against its
//!   own key points only;
//! * table: one free text, one row a line (`| label | cell | cell |`, `label: cells`, or a
//!   sentence naming the row). Typed rows are matched to the table's rows by label and content.
//!
//! What a key point needs is described in [`super::matcher`]. A key point is covered, missed or
//! contradicted; a contradiction scores below a blank answer. The learner may flip a verdict
//! (covered ↔ missed) before rating; scores use the flipped verdicts.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex};

use serde::{Deserialize, Serialize};

use super::matcher::{Doc, Echo, Found, Point};
use super::text::tokenize;
use crate::deck::model::{Card, CardKind, KeyPoint, Scenario, Table};

/// A scenario answer of at least this many words, with hardly any function words across its
/// steps, is a list of keywords.
const SALAD_WORDS: usize = 8;
/// …and fewer function words than one in this many: terse steps ("Event history, filter on
/// TerminateInstances.") keep a few, a list of terms has next to none.
const SALAD_STEP_RATIO: usize = 10;

/// What a contradicted key point costs, against 1 for a covered one: a stated falsehood weighs
/// more than a stated fact, so an answer that gets as much wrong as right scores below a blank.
pub const CONTRADICTION_PENALTY: f64 = 1.5;

/// A byte range in the graded answer text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The grader's verdict on one key point.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Covered,
    #[default]
    Missed,
    /// The answer says the opposite.
    Contradicted,
}

impl Verdict {
    pub fn credit(self) -> f64 {
        match self {
            Verdict::Covered => 1.0,
            Verdict::Missed => 0.0,
            Verdict::Contradicted => -CONTRADICTION_PENALTY,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Covered => "covered",
            Verdict::Missed => "missed",
            Verdict::Contradicted => "contradicted",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The verdict on one key point (or one hidden table cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointGrade {
    /// The key point as the examiner wrote it (a hidden cell's value).
    pub text: String,
    /// Where the key point belongs: a scenario step's prompt, or `row / column` of a table cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The grader found the point.
    pub covered: bool,
    /// From the first to the last word that earned (or contradicted) the point, in part `part`.
    pub span: Option<Span>,
    /// The individual words that earned (or contradicted) the point, for highlighting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Span>,
    /// Which answer text the spans refer to: 0 for a single text, else the step index.
    #[serde(default)]
    pub part: usize,
    /// The phrase that matched (the key point's text, an accepted alternative, or `claim`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// The answer says the opposite ("roles do not rotate credentials").
    #[serde(default)]
    pub contradicted: bool,
    /// The answer's words that earned or contradicted the point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The learner flipped the grader's verdict (covered ↔ missed) before rating.
    #[serde(default, skip_serializing_if = "is_false")]
    pub flipped: bool,
}

impl PointGrade {
    fn missed(text: String, label: Option<String>, part: usize) -> Self {
        PointGrade {
            text,
            label,
            covered: false,
            span: None,
            words: Vec::new(),
            part,
            matched: None,
            contradicted: false,
            evidence: None,
            flipped: false,
        }
    }

    /// The grader's verdict.
    pub fn verdict(&self) -> Verdict {
        if self.covered {
            Verdict::Covered
        } else if self.contradicted {
            Verdict::Contradicted
        } else {
            Verdict::Missed
        }
    }

    /// The verdict that counts: the grader's, or the learner's flip of it.
    pub fn effective(&self) -> Verdict {
        match (self.flipped, self.verdict()) {
            (false, v) => v,
            (true, Verdict::Covered) => Verdict::Missed,
            (true, _) => Verdict::Covered,
        }
    }
}

/// The grading of one answer to one card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardGrade {
    pub card_id: String,
    pub points: Vec<PointGrade>,
}

impl CardGrade {
    /// Key points covered (after the learner's flips).
    pub fn covered(&self) -> usize {
        self.count(Verdict::Covered)
    }

    pub fn contradicted(&self) -> usize {
        self.count(Verdict::Contradicted)
    }

    fn count(&self, v: Verdict) -> usize {
        self.points.iter().filter(|p| p.effective() == v).count()
    }

    pub fn total(&self) -> usize {
        self.points.len()
    }

    /// Covered key points minus contradicted ones (at `CONTRADICTION_PENALTY` each), over all key
    /// points: from -1.5 to 1, 0 for a blank answer or a card without key points.
    pub fn score(&self) -> f64 {
        if self.points.is_empty() {
            return 0.0;
        }
        let credit: f64 = self.points.iter().map(|p| p.effective().credit()).sum();
        credit / self.points.len() as f64
    }

    /// Flips key point `index` (covered ↔ missed); false when there is no such point.
    pub fn flip(&mut self, index: usize) -> bool {
        match self.points.get_mut(index) {
            Some(p) => {
                p.flipped = !p.flipped;
                true
            }
            None => false,
        }
    }
}

/// What the learner typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// One free text (basic and table cards; a scenario answered in one text is split into steps).
    Text(String),
    /// One text per scenario step, in step order.
    Steps(Vec<String>),
    /// The hidden cells of a table card, one text each (reports of earlier versions).
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
}

/// Grades an answer to `card`: the one entry point of grading.
pub fn grade_card(card: &Card, answer: &Answer) -> Result<CardGrade, GradeError> {
    let points = match card.kind {
        CardKind::Basic => match answer {
            Answer::Text(text) => {
                if card.key_points.is_empty() {
                    return Err(GradeError::NoKeyPoints {
                        card: card.id.clone(),
                    });
                }
                grade_text(&card.question, &card.key_points, text)
            }
            other => return Err(wrong_shape(card, "basic", other)),
        },
        CardKind::Scenario => grade_scenario(card, answer)?,
        CardKind::Table => grade_table(card, answer)?,
    };
    Ok(CardGrade {
        card_id: card.id.clone(),
        points,
    })
}

fn wrong_shape(card: &Card, kind: &'static str, a: &Answer) -> GradeError {
    GradeError::WrongAnswerShape {
        card: card.id.clone(),
        kind,
        given: match a {
            Answer::Text(_) => "a text",
            Answer::Steps(_) => "a list of steps",
            Answer::Cells(_) => "a list of table cells",
        },
    }
}

/// Grades a free text against key points; `question` supplies the echo words.
pub fn grade_text(question: &str, key_points: &[KeyPoint], answer: &str) -> Vec<PointGrade> {
    let compiled = cached(
        &TEXT_CACHE,
        content_hash(question, key_points, None),
        || {
            let mut echo = Echo::new(&[question], false);
            echo.add_common(key_points);
            let points: Vec<Point> = key_points
                .iter()
                .map(|kp| Point::compile(kp, &echo))
                .collect();
            (echo, points)
        },
    );
    let (echo, points) = &*compiled;
    let mut doc = Doc::new(answer);
    doc.mark_salad(points);
    key_points
        .iter()
        .zip(points)
        .map(|(kp, point)| {
            let found = point.find(&doc, echo);
            point_grade(kp.text.clone(), None, 0, answer, &doc, found, 0)
        })
        .collect()
}

/// A verdict with spans (shifted by `offset`) and the evidence quoted from `text`.
fn point_grade(
    text: String,
    label: Option<String>,
    part: usize,
    answer: &str,
    doc: &Doc,
    found: Found,
    offset: usize,
) -> PointGrade {
    let words: Vec<Span> = found
        .words
        .iter()
        .map(|&(a, b)| Span {
            start: doc.tokens[a].start + offset,
            end: doc.tokens[b].end + offset,
        })
        .collect();
    let span = match (words.first(), words.last()) {
        (Some(a), Some(b)) => Some(Span {
            start: a.start,
            end: b.end.max(a.end),
        }),
        _ => None,
    };
    let evidence = span
        .and_then(|s| answer.get(s.start - offset..s.end - offset))
        .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "));
    PointGrade {
        text,
        label,
        covered: found.covered,
        span,
        words,
        part,
        matched: found.matched,
        contradicted: found.contradicted,
        evidence,
        flipped: false,
    }
}

/// The parts of a scenario answer written as one text: `Step N:` (or `N.` / `N)`) lines, `---`
/// lines or blank lines separate them. Returns each step's text range; parts beyond the last step
/// belong to it, steps without a part are empty.
pub fn split_steps(text: &str, steps: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(0usize, 0usize); steps];
    if steps == 0 {
        return out;
    }
    let numbered = numbered_parts(text);
    let parts: Vec<(Option<usize>, usize, usize)> = if numbered.len() >= 2.min(steps) {
        numbered
    } else {
        let separated = separated_parts(text);
        separated.into_iter().map(|(s, e)| (None, s, e)).collect()
    };
    let mut next = 0;
    for (number, s, e) in parts {
        let step = match number {
            Some(n) if (1..=steps).contains(&n) => n - 1,
            _ => next.min(steps - 1),
        };
        if out[step].1 > out[step].0 {
            out[step].1 = e; // a later part for the same step continues it
        } else {
            out[step] = (s, e);
        }
        next = step + 1;
    }
    out
}

/// Parts introduced by `Step N` / `N.` / `N)` at the start of a line. Where any line starts with
/// `Step N`, only those lines start parts (a numbered list inside a step stays in it).
fn numbered_parts(text: &str) -> Vec<(Option<usize>, usize, usize)> {
    let all = numbered_marks(text);
    let worded: Vec<(usize, usize, usize)> = all
        .iter()
        .filter(|m| m.3)
        .map(|m| (m.0, m.1, m.2))
        .collect();
    let marks: Vec<(usize, usize, usize)> = if worded.is_empty() {
        all.iter().map(|m| (m.0, m.1, m.2)).collect()
    } else {
        worded
    };
    let mut out = Vec::new();
    for (i, &(n, _, start)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(text.len(), |m| m.1);
        let (s, e) = trim_range(text, start.min(end), end);
        out.push((Some(n), s, e));
    }
    out
}

/// (number, line start, text start, written as `Step N`) of each numbered line.
fn numbered_marks(text: &str) -> Vec<(usize, usize, usize, bool)> {
    let mut marks: Vec<(usize, usize, usize, bool)> = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let lower = trimmed.to_ascii_lowercase();
        let (rest, offset) = match lower.strip_prefix("step") {
            Some(r) => (r.trim_start(), trimmed.len() - r.trim_start().len()),
            None => (lower.as_str(), 0),
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = rest[digits..].chars().next();
        let marked = digits > 0
            && digits <= 2
            && (after.is_some_and(|c| matches!(c, '.' | ')' | ':' | '-' | '—'))
                || (offset > 0 && after.is_none_or(char::is_whitespace)));
        if marked {
            let n: usize = rest[..digits].parse().unwrap_or(0);
            let body = offset
                + digits
                + after.map_or(0, |c| usize::from(!c.is_whitespace()) * c.len_utf8());
            let body_start = (pos + lead + body).min(pos + line.len());
            marks.push((n, pos, body_start, offset > 0));
        }
        pos += line.len();
    }
    marks
}

/// Parts separated by blank lines or `---` lines.
fn separated_parts(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let separator = t.is_empty() || (t.len() >= 3 && t.chars().all(|c| c == '-'));
        match (separator, start) {
            (false, None) => {
                start = Some(pos);
                end = pos + line.trim_end().len();
            }
            (false, Some(_)) => end = pos + line.trim_end().len(),
            (true, Some(s)) => {
                out.push((s, end));
                start = None;
            }
            (true, None) => {}
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push((s, end));
    }
    out
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

/// The answer shape of `card` for a typed text (an answer file), with each part's byte offset in
/// the text: the same shape the app builds.
pub fn answer_from_text(card: &Card, text: &str) -> (Answer, Vec<usize>) {
    match (&card.kind, &card.scenario) {
        (CardKind::Scenario, Some(sc)) if !sc.steps.is_empty() => {
            let ranges = split_steps(text, sc.steps.len());
            let parts = ranges
                .iter()
                .map(|&(s, e)| text[s..e].to_string())
                .collect();
            (Answer::Steps(parts), ranges.iter().map(|r| r.0).collect())
        }
        _ => (Answer::Text(text.to_string()), vec![0]),
    }
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
            scenario_units(card)
                .into_iter()
                .zip(prompts)
                .map(|(unit, prompt)| (unit.text, Some(prompt.to_string())))
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

/// A step compiled for grading: the words its prompt already names, its points, its unit.
type CompiledStep = (Echo, Vec<Point>, StepUnit);

/// Compiled key points by card content: the same card is compiled once, not on every grading.
static STEP_CACHE: LazyLock<Mutex<HashMap<u64, Arc<Vec<CompiledStep>>>>> =
    LazyLock::new(Default::default);
/// A free-text answer's echo words and compiled key points.
type CompiledText = (Echo, Vec<Point>);
static TEXT_CACHE: LazyLock<Mutex<HashMap<u64, Arc<CompiledText>>>> =
    LazyLock::new(Default::default);
/// Cards kept compiled; past this the cache starts over.
const CACHE_CARDS: usize = 512;

/// What a card's compiled key points depend on, hashed field by field (no formatting).
fn content_hash(question: &str, key_points: &[KeyPoint], scenario: Option<&Scenario>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    question.hash(&mut h);
    hash_key_points(key_points, &mut h);
    if let Some(sc) = scenario {
        sc.situation.hash(&mut h);
        sc.steps.len().hash(&mut h);
        for step in &sc.steps {
            step.phase.hash(&mut h);
            step.prompt.hash(&mut h);
            step.answer.hash(&mut h);
            hash_key_points(&step.key_points, &mut h);
        }
    }
    h.finish()
}

fn hash_key_points(key_points: &[KeyPoint], h: &mut impl Hasher) {
    key_points.len().hash(h);
    for kp in key_points {
        kp.text.hash(h);
        kp.accept.hash(h);
        match &kp.claim {
            Some(c) => {
                1u8.hash(h);
                c.subject.hash(h);
                c.relation.hash(h);
                c.object.hash(h);
            }
            None => 0u8.hash(h),
        }
    }
}

fn cached<T>(cache: &Mutex<HashMap<u64, Arc<T>>>, key: u64, build: impl FnOnce() -> T) -> Arc<T> {
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let built = Arc::new(build());
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CACHE_CARDS {
            c.clear();
        }
        c.insert(key, built.clone());
    }
    built
}

fn compiled_steps(card: &Card, scenario: &Scenario) -> Arc<Vec<CompiledStep>> {
    let key = content_hash(&card.question, &card.key_points, Some(scenario));
    cached(&STEP_CACHE, key, || {
        scenario
            .steps
            .iter()
            .zip(scenario_units(card))
            .map(|(step, unit)| {
                // The step's own key points; the words its prompt already names are understood.
                let mut echo =
                    Echo::new(&[&card.question, &scenario.situation, &step.prompt], true);
                echo.add_common(&card.key_points);
                let points = unit
                    .points
                    .iter()
                    .map(|kp| Point::compile(kp, &echo))
                    .collect();
                (echo, points, unit)
            })
            .collect()
    })
}

/// What one scenario step is graded on: the key points placed at the step, or (with none) the
/// step's model answer.
#[derive(Debug, Clone)]
pub struct StepUnit {
    /// The key points' texts (or the model answer's first sentence), for the verdict.
    pub text: String,
    pub points: Vec<KeyPoint>,
}

/// One graded unit per scenario step, in step order.
pub fn scenario_units(card: &Card) -> Vec<StepUnit> {
    let Some(scenario) = &card.scenario else {
        return Vec::new();
    };
    let placed = scenario_points(card);
    scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let points: Vec<KeyPoint> = placed
                .iter()
                .filter(|(_, s)| *s == i)
                .map(|(kp, _)| kp.clone())
                .collect();
            if points.is_empty() {
                let text = first_sentence(&step.answer);
                StepUnit {
                    points: vec![KeyPoint::new(text.clone())],
                    text,
                }
            } else {
                StepUnit {
                    text: points
                        .iter()
                        .map(|k| k.text.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    points,
                }
            }
        })
        .collect()
}

/// The first sentence of a model answer, without markup.
fn first_sentence(answer: &str) -> String {
    let plain: String = answer
        .lines()
        .map(|l| l.trim_start_matches(['-', '*', ' ']))
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "");
    let end = plain
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | ':' | ';') && plain[i + 1..].starts_with(' ') || c == '\n'
        })
        .map_or(plain.len(), |(i, _)| i);
    plain[..end].trim().to_string()
}

fn grade_scenario(card: &Card, answer: &Answer) -> Result<Vec<PointGrade>, GradeError> {
    let scenario = card
        .scenario
        .as_ref()
        .ok_or_else(|| GradeError::MissingScenario {
            card: card.id.clone(),
        })?;
    // A single text is split into steps exactly as `iamdrill grade` does; spans then refer to it.
    let (texts, offsets): (Vec<String>, Vec<usize>) = match answer {
        Answer::Steps(texts) => (texts.clone(), vec![0; texts.len()]),
        Answer::Text(text) => match answer_from_text(card, text) {
            (Answer::Steps(parts), offsets) => (parts, offsets),
            _ => (vec![text.clone()], vec![0]),
        },
        Answer::Cells(_) => return Err(wrong_shape(card, "scenario", answer)),
    };
    let single = matches!(answer, Answer::Text(_));
    let compiled = compiled_steps(card, scenario);
    let mut steps: Vec<(Doc, &Echo, &Vec<Point>, &StepUnit)> = compiled
        .iter()
        .enumerate()
        .map(|(i, (echo, points, unit))| {
            let text = texts.get(i).map(String::as_str).unwrap_or("");
            let mut doc = Doc::new(text);
            doc.mark_salad(points);
            (doc, echo, points, unit)
        })
        .collect();
    // Steps answered with bare keywords throughout: the walkthrough is a list, not an answer.
    let (words, function) = steps.iter().fold((0, 0), |(w, f), (d, ..)| {
        let (dw, df) = d.structure();
        (w + dw, f + df)
    });
    let naming = steps.iter().filter(|(d, _, p, _)| d.names_any(p)).count();
    if words >= SALAD_WORDS && function * SALAD_STEP_RATIO < words && naming >= 2 {
        steps.iter_mut().for_each(|(d, ..)| d.all_salad());
    }
    let mut out = Vec::new();
    for (i, (step, (doc, echo, points, unit))) in scenario.steps.iter().zip(steps).enumerate() {
        let unit = unit.clone();
        let text = texts.get(i).map(String::as_str).unwrap_or("");
        let part = if single { 0 } else { i };
        let offset = offsets.get(i).copied().unwrap_or(0);
        let found: Vec<Found> = points.iter().map(|p| p.find(&doc, echo)).collect();
        // The step is covered when one of its key points is, contradicted when one is
        // contradicted and none covered.
        let pick = found
            .iter()
            .position(|f| f.covered)
            .or_else(|| found.iter().position(|f| f.contradicted));
        let found = pick.map(|k| found[k].clone()).unwrap_or_default();
        out.push(point_grade(
            unit.text,
            Some(step.prompt.clone()),
            part,
            text,
            &doc,
            found,
            offset,
        ));
    }
    Ok(out)
}

fn grade_table(card: &Card, answer: &Answer) -> Result<Vec<PointGrade>, GradeError> {
    let Some(table) = card.table.as_ref() else {
        return match answer {
            Answer::Text(text) if !card.key_points.is_empty() => {
                Ok(grade_text(&card.question, &card.key_points, text))
            }
            _ => Err(GradeError::MissingTable {
                card: card.id.clone(),
            }),
        };
    };
    let hidden = hidden_cells(table);
    let mut out: Vec<PointGrade> = hidden
        .iter()
        .enumerate()
        .map(|(i, &(r, c))| {
            PointGrade::missed(table.rows[r][c].clone(), Some(cell_label(table, r, c)), i)
        })
        .collect();
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
                out[idx] = grade_cell(&out[idx], &cell.text, ci, 0);
            }
        }
        Answer::Text(text) => {
            let rows = typed_rows(text);
            // One line of words without row labels, cells or sentence structure names the
            // table's terms; it asserts nothing about any cell.
            if rows.iter().all(|r| r.label.is_none() && r.cells.is_empty())
                && Doc::new(text).listy_overall()
            {
                return Ok(out);
            }
            let names = ColumnNames::new(table);
            for (typed, r) in assign_rows(table, text, &rows) {
                let row = &rows[typed];
                let chunks = column_chunks(text, row.content, &names);
                // Cells typed in order (`| a | b |`, `label: a; b`) unless the parts name their
                // columns ("SCPs restrict principals; RCPs restrict resources").
                // A row answered with one column's name only ("More secure: roles") says yes
                // for that column and no for the others.
                let only = only_column(text, row.content, &names);
                let positional =
                    (row.piped || chunks.is_empty()) && row.cells.len() + 1 == table.headers.len();
                for (idx, &(hr, hc)) in hidden.iter().enumerate() {
                    if hr != r {
                        continue;
                    }
                    // The value typed for this column: its cell, or the chunk naming the column
                    // ("max 1 hour"); a value given there that is not the cell's contradicts it.
                    // A cell typed in its column that does not match is a different value; in
                    // prose only a different number surely is (other words may paraphrase it),
                    // or the value of another column of the row (the columns swapped).
                    let numbers = |s: usize, e: usize| {
                        has_number(&text[s..e]) && has_number(&table.rows[hr][hc])
                    };
                    let (s, e, said, own) = if positional {
                        let (s, e) = row.cells[hc - 1];
                        (s, e, true, true)
                    } else if let Some(&(s, e)) = chunks.get(&hc) {
                        // Parts as many as the columns, each naming its own: typed in place.
                        let in_place = row.cells.len() + 1 == table.headers.len();
                        (s, e, in_place || numbers(s, e), true)
                    } else {
                        (row.content.0, row.content.1, false, false)
                    };
                    if let (Some(c), Some(want)) = (only, yes_no(&table.rows[hr][hc])) {
                        let said = c == hc;
                        let mut g = out[idx].clone();
                        g.covered = said == want;
                        g.contradicted = said != want;
                        g.matched = g.covered.then(|| g.text.clone());
                        let (s, e) = row.content;
                        g.span = Some(Span { start: s, end: e });
                        g.words = vec![Span { start: s, end: e }];
                        g.evidence =
                            Some(text[s..e].split_whitespace().collect::<Vec<_>>().join(" "));
                        out[idx] = g;
                        continue;
                    }
                    let mut g = grade_cell(&out[idx], &text[s..e], 0, s);
                    let swapped = own
                        && !g.covered
                        && !g.contradicted
                        && other_column_says(table, hr, hc, &text[s..e]);
                    if (said || swapped) && !g.covered && !g.contradicted && has_value(&text[s..e])
                    {
                        g.contradicted = true;
                        g.span = Some(Span { start: s, end: e });
                        g.evidence =
                            Some(text[s..e].split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                    out[idx] = g;
                }
            }
        }
        Answer::Steps(_) => return Err(wrong_shape(card, "table", answer)),
    }
    Ok(out)
}

/// One typed line of a table answer: its label (if written apart) and its content.
#[derive(Debug, Clone)]
struct TypedRow {
    label: Option<(usize, usize)>,
    /// The cells when written as `| a | b |` or separated by `;`.
    cells: Vec<(usize, usize)>,
    /// Everything after the label (the whole line without one).
    content: (usize, usize),
    /// The whole line.
    line: (usize, usize),
    /// Written as `| a | b |`: the cells stand in the table's column order.
    piped: bool,
}

/// Splits a table answer into rows: lines, and sentences within a line that is not a pipe row.
fn typed_rows(text: &str) -> Vec<TypedRow> {
    let mut rows = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let base = pos;
        pos += line.len();
        let (s, e) = trim_range(text, base, base + line.trim_end().len());
        if s == e {
            continue;
        }
        let body = &text[s..e];
        if body.starts_with('|') {
            if body.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                continue;
            }
            let mut cells = Vec::new();
            let mut cell_start = s + 1;
            for (i, ch) in body.char_indices().skip(1) {
                if ch == '|' {
                    cells.push(trim_range(text, cell_start, s + i));
                    cell_start = s + i + 1;
                }
            }
            if cell_start < e {
                cells.push(trim_range(text, cell_start, e));
            }
            if cells.is_empty() {
                continue;
            }
            let label = cells.remove(0);
            let content = match (cells.first(), cells.last()) {
                (Some(a), Some(b)) => (a.0, b.1),
                _ => (label.1, label.1),
            };
            rows.push(TypedRow {
                label: Some(label),
                cells,
                content,
                line: (s, e),
                piped: true,
            });
            continue;
        }
        // Sentences of a prose line are rows of their own.
        let mut start = s;
        let bytes = body.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let at = s + i;
            let end_of_sentence = b == b'.'
                && bytes.get(i + 1).is_some_and(|n| *n == b' ')
                && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase);
            if end_of_sentence {
                rows.push(prose_row(text, start, at));
                start = at + 1;
            }
        }
        rows.push(prose_row(text, start, e));
    }
    rows.retain(|r| r.line.0 < r.line.1);
    rows
}

/// `label: cells` or `label - cells`; cells separated by `;` count one by one.
fn prose_row(text: &str, s: usize, e: usize) -> TypedRow {
    let (s, e) = trim_range(text, s, e);
    let body = &text[s..e];
    let sep = body
        .char_indices()
        .find(|&(i, c)| {
            (c == ':' && body[i + 1..].starts_with(' '))
                || ((c == '-' || c == '–' || c == '—')
                    && body[..i].ends_with(' ')
                    && body[i + c.len_utf8()..].starts_with(' '))
        })
        .map(|(i, c)| (i, c.len_utf8()));
    let (label, content) = match sep {
        Some((i, len)) => (
            Some(trim_range(text, s, s + i)),
            trim_range(text, s + i + len, e),
        ),
        None => (None, (s, e)),
    };
    let mut cells = Vec::new();
    if label.is_some() && text[content.0..content.1].contains(';') {
        let mut start = content.0;
        for (i, c) in text[content.0..content.1].char_indices() {
            if c == ';' {
                cells.push(trim_range(text, start, content.0 + i));
                start = content.0 + i + 1;
            }
        }
        cells.push(trim_range(text, start, content.1));
    }
    TypedRow {
        label,
        cells,
        content,
        line: (s, e),
        piped: false,
    }
}

/// How a typed row names a table's value columns: the header's words (without words every value
/// header shares, "IAM" of "IAM User" / "IAM Role") and, where it tells the columns apart, the
/// initial of the header ("U" for "IAM User").
struct ColumnNames {
    words: Vec<Vec<String>>,
    initial: Vec<Option<char>>,
}

impl ColumnNames {
    fn new(table: &Table) -> Self {
        let all: Vec<Vec<String>> = table.headers.iter().map(|h| label_stems(h)).collect();
        let values = &all[1.min(all.len())..];
        let shared: Vec<String> = values
            .first()
            .map(|first| {
                first
                    .iter()
                    .filter(|w| values.len() > 1 && values.iter().all(|v| v.contains(w)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let words: Vec<Vec<String>> = all
            .iter()
            .map(|h| {
                let own: Vec<String> = h.iter().filter(|w| !shared.contains(w)).cloned().collect();
                if own.is_empty() { h.clone() } else { own }
            })
            .collect();
        let firsts: Vec<Option<char>> = words
            .iter()
            .map(|w| w.first().and_then(|w| w.chars().next()))
            .collect();
        let initial = firsts
            .iter()
            .enumerate()
            .map(|(c, f)| {
                let unique = firsts
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(o, g)| o == c || g != f);
                f.filter(|_| c > 0 && unique)
            })
            .collect();
        ColumnNames { words, initial }
    }

    /// The value column `t` names, if any.
    fn named_by(&self, t: &crate::mock::text::Token, original: &str) -> Option<usize> {
        if t.stop || t.negation {
            return None;
        }
        (1..self.words.len()).find(|&c| {
            self.words[c]
                .iter()
                .any(|hs| *hs == t.stem || (t.raw.len() >= 3 && hs.starts_with(&t.raw)))
                || (original.len() == 1
                    && original.chars().all(|ch| ch.is_ascii_uppercase())
                    && self.initial[c] == t.raw.chars().next())
        })
    }
}

/// The chunks of a typed row (split at commas, semicolons and ` / `) that name exactly one
/// column (its header, a word the header starts with: "max" for "Maximum", or its initial),
/// without the header words.
fn column_chunks(
    text: &str,
    content: (usize, usize),
    names: &ColumnNames,
) -> std::collections::HashMap<usize, (usize, usize)> {
    let mut out: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut start = content.0;
    let body = &text[content.0..content.1];
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    for (i, c) in body.char_indices() {
        let slash = c == '/' && body[..i].ends_with(' ') && body[i + 1..].starts_with(' ');
        if c == ',' || c == ';' || slash {
            bounds.push((start, content.0 + i));
            start = content.0 + i + 1;
        }
    }
    bounds.push((start, content.1));
    // A chunk naming no column goes on with the one before ("RCPs any caller, outsiders
    // included").
    let mut last: Option<usize> = None;
    for (s, e) in bounds {
        let toks = tokenize(&text[s..e]);
        let named: Vec<(usize, usize)> = toks
            .iter()
            .enumerate()
            .filter_map(|(ti, t)| {
                names
                    .named_by(t, &text[s + t.start..s + t.end])
                    .map(|c| (c, ti))
            })
            .collect();
        let columns: HashSet<usize> = named.iter().map(|n| n.0).collect();
        if columns.is_empty() {
            if let (Some(c), Some(b)) = (last, toks.last())
                && let Some(range) = out.get_mut(&c)
            {
                range.1 = s + b.end;
            }
            continue;
        }
        if columns.len() != 1 {
            last = None;
            continue;
        }
        let (c, _) = named[0];
        last = (!out.contains_key(&c)).then_some(c);
        // The chunk without the header words.
        let rest: Vec<&crate::mock::text::Token> = toks
            .iter()
            .enumerate()
            .filter(|(ti, _)| !named.iter().any(|n| n.1 == *ti))
            .map(|(_, t)| t)
            .collect();
        if let (Some(a), Some(b)) = (rest.first(), rest.last()) {
            out.entry(c).or_insert((s + a.start, s + b.end));
        }
    }
    out
}

/// The one column a typed row's content consists of naming ("users", "the role"), if so.
fn only_column(text: &str, content: (usize, usize), names: &ColumnNames) -> Option<usize> {
    let body = &text[content.0..content.1];
    let toks = tokenize(body);
    let mut named = None;
    for t in toks.iter().filter(|t| !t.stop) {
        match names.named_by(t, &body[t.start..t.end]) {
            Some(c) if named.is_none_or(|n| n == c) => named = Some(c),
            _ => return None,
        }
    }
    named
}

/// Whether `typed` gives the value of another column of the row instead of column `col`'s.
fn other_column_says(table: &Table, row: usize, col: usize, typed: &str) -> bool {
    let own = &table.rows[row][col];
    let doc = Doc::plain(typed);
    let echo = Echo::default();
    table.rows[row]
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(c, cell)| *c != col && cell_main(cell) != cell_main(own))
        .filter(|(_, cell)| cell.chars().any(char::is_alphanumeric))
        .any(|(_, cell)| {
            if let (Some(want), Some(said)) = (yes_no(cell), yes_no(typed)) {
                return want == said;
            }
            Point::compile(&KeyPoint::new(cell_main(cell)), &echo)
                .find(&doc, &echo)
                .covered
        })
}

fn has_number(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
}

/// A typed value says something: a number or a content word.
fn has_value(s: &str) -> bool {
    tokenize(s).iter().any(|t| !t.stop)
}

/// Content stems of a text, without function words and without anything in brackets.
fn label_stems(s: &str) -> Vec<String> {
    let main = s.split('(').next().unwrap_or(s);
    tokenize(main)
        .into_iter()
        .filter(|t| !t.stop && !t.negation)
        .map(|t| t.stem)
        .collect()
}

/// A word of a label: its stem and its lower-case form.
type LabelWord = (String, String);

/// Content words of a label, without function words and without anything in brackets.
fn label_words(s: &str) -> Vec<LabelWord> {
    let main = s.split('(').next().unwrap_or(s);
    tokenize(main)
        .into_iter()
        .filter(|t| !t.stop && !t.negation)
        .map(|t| (t.stem, t.raw))
        .collect()
}

/// Whether a typed word stands for a label word: the same word, a typo of it, its start
/// ("creds"), or an abbreviation keeping its first and last letters ("pwd", "mgmt", "acct").
fn word_stands_for(typed: &LabelWord, label: &LabelWord) -> bool {
    super::matcher::words_match(&typed.0, &label.0)
        || (typed.0.len() >= 3 && label.0.starts_with(typed.0.as_str()))
        || abbreviates(&typed.1, &label.1)
}

/// "pwd" for "password": at least three letters, the word's first and last, the rest in order.
fn abbreviates(short: &str, word: &str) -> bool {
    let n = short.chars().count();
    if n < 3 || n >= word.chars().count() || !short.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    if short.chars().next() != word.chars().next() || short.chars().last() != word.chars().last() {
        return false;
    }
    let mut rest = word.chars();
    short.chars().all(|c| rest.any(|w| w == c))
}

/// "LT" for "Long-term": a short typed word spelling the initials of consecutive label words.
fn initials_of(typed: &LabelWord, label: &[LabelWord]) -> bool {
    let t = &typed.1;
    let n = t.chars().count();
    if !(2..=4).contains(&n) || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let initials: String = label
        .iter()
        .flat_map(|w| w.1.split('-').filter_map(|p| p.chars().next()))
        .collect();
    initials.contains(t.as_str())
}

/// Pairs typed rows with table rows by label and content together (best pairs first), so short
/// labels, abbreviations and any row order work; a line whose label names no row is paired by
/// its content alone when it gives most of a row's distinctive cells. Returns (typed row, table
/// row).
fn assign_rows(table: &Table, text: &str, rows: &[TypedRow]) -> Vec<(usize, usize)> {
    let table_labels: Vec<Vec<LabelWord>> = table
        .rows
        .iter()
        .map(|r| label_words(r.first().map(String::as_str).unwrap_or("")))
        .collect();
    let header: Vec<String> = table.headers.iter().flat_map(|h| label_stems(h)).collect();
    // A cell tells its row apart when no other row has it in that column and it has two words.
    let distinctive = |ri: usize, ci: usize| -> bool {
        let cell = cell_main(&table.rows[ri][ci]);
        label_stems(cell).len() >= 2
            && table
                .rows
                .iter()
                .enumerate()
                .all(|(o, r)| o == ri || r.get(ci).is_none_or(|c| cell_main(c) != cell))
    };
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (ti, row) in rows.iter().enumerate() {
        let line_words = label_words(&text[row.line.0..row.line.1]);
        // A header line names the columns, not a row.
        if !line_words.is_empty()
            && line_words
                .iter()
                .all(|s| header.iter().any(|h| super::matcher::words_match(h, &s.0)))
        {
            continue;
        }
        let typed_label = row.label.map(|(s, e)| label_words(&text[s..e]));
        for (ri, label) in table_labels.iter().enumerate() {
            if label.is_empty() {
                continue;
            }
            // A typed label that is part of the row's label ("Role chaining" for "Role chaining
            // (role credentials assume a role)"), or the row's label said in the line.
            let by_label = typed_label.as_ref().map_or(0.0, |t| {
                if t.is_empty() {
                    0.0
                } else {
                    t.iter()
                        .filter(|s| {
                            label.iter().any(|l| word_stands_for(s, l)) || initials_of(s, label)
                        })
                        .count() as f64
                        / t.len() as f64
                }
            });
            let in_line = label
                .iter()
                .filter(|l| line_words.iter().any(|w| word_stands_for(l, w)))
                .count() as f64
                / label.len() as f64;
            let label_score = by_label.max(in_line);
            let content = &text[row.content.0..row.content.1];
            let cells: Vec<&String> = table.rows[ri].iter().skip(1).collect();
            let content_doc = Doc::plain(content);
            let echo = Echo::default();
            let covered: Vec<usize> = cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.chars().any(char::is_alphanumeric))
                .filter(|(_, c)| {
                    Point::compile(&KeyPoint::new(cell_main(c)), &echo)
                        .find(&content_doc, &echo)
                        .covered
                })
                .map(|(i, _)| i + 1)
                .collect();
            let content_score = covered.len() as f64 / cells.len().max(1) as f64;
            let telling = covered.iter().filter(|&&c| distinctive(ri, c)).count();
            if label_score >= 0.5 || (label_score > 0.0 && content_score > 0.0) {
                pairs.push((2.0 * label_score + content_score, ti, ri));
            } else if label_score == 0.0 && telling * 2 >= cells.len().max(1) {
                pairs.push((content_score, ti, ri));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut typed_used = vec![false; rows.len()];
    let mut table_used = vec![false; table.rows.len()];
    let mut out = Vec::new();
    for (_, ti, ri) in pairs {
        if !typed_used[ti] && !table_used[ri] {
            typed_used[ti] = true;
            table_used[ri] = true;
            out.push((ti, ri));
        }
    }
    out
}

/// A cell's text without its bracketed remark: "36 hours (1 hour with root credentials)" is
/// earned by "36 hours".
fn cell_main(cell: &str) -> &str {
    match cell.find('(') {
        Some(i) if cell[..i].chars().any(char::is_alphanumeric) => cell[..i].trim_end(),
        _ => cell,
    }
}

/// A yes/no value: a leading yes or no, else a negation (no) or a word of having (yes).
fn yes_no(s: &str) -> Option<bool> {
    let toks = tokenize(s);
    let first = toks.first()?;
    match first.raw.as_str() {
        "yes" | "y" | "true" | "required" => return Some(true),
        "no" | "n" | "false" | "none" | "not" => return Some(false),
        _ => {}
    }
    if toks.iter().any(|t| t.negation) {
        return Some(false);
    }
    toks.iter()
        .any(|t| {
            matches!(
                t.raw.as_str(),
                "has" | "have" | "required" | "always" | "must" | "yes" | "supported" | "can"
            )
        })
        .then_some(true)
}

/// A one-word value typed short: its start ("temp" for "Temporary") or an abbreviation ("mgmt").
fn by_short_form(value: &str, doc: &Doc) -> Option<Found> {
    let words = tokenize(value);
    let [word] = words.as_slice() else {
        return None;
    };
    let t = doc.tokens.iter().position(|t| {
        !t.stop
            && t.raw.chars().count() >= 4
            && (word.raw.starts_with(t.raw.as_str()) || abbreviates(&t.raw, &word.raw))
    })?;
    Some(Found {
        covered: true,
        contradicted: false,
        words: vec![(t, t)],
        matched: Some(value.to_string()),
    })
}

/// Grades the typed text of one cell against the cell's value, keeping label and position.
fn grade_cell(expected: &PointGrade, answer: &str, part: usize, offset: usize) -> PointGrade {
    let (text, label) = (expected.text.clone(), expected.label.clone());
    let doc = Doc::plain(answer);
    if let Some(want) = yes_no(&text) {
        let said = yes_no(answer);
        let found = Found {
            covered: said == Some(want),
            contradicted: said == Some(!want),
            words: doc.tokens.first().map(|_| (0, 0)).into_iter().collect(),
            matched: (said == Some(want)).then(|| text.clone()),
        };
        let found = if said.is_some() {
            found
        } else {
            Found::default()
        };
        return point_grade(text, label, part, answer, &doc, found, offset);
    }
    let echo = Echo::default();
    let mut found = Point::compile(&KeyPoint::new(cell_main(&text)), &echo).find(&doc, &echo);
    if !found.covered && !found.contradicted {
        found = by_short_form(cell_main(&text), &doc)
            .unwrap_or_else(|| super::matcher::by_antonym(cell_main(&text), &doc));
    }
    point_grade(text, label, part, answer, &doc, found, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{Claim, Scenario, Step};

    fn card(kind: CardKind) -> Card {
        Card {
            id: "c1".into(),
            kind,
            topic: "cross-account".into(),
            tags: vec![],
            difficulty: Default::default(),
            question: "How does cross-account access work?".into(),
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

    fn scenario_card() -> Card {
        let step = |prompt: &str, answer: &str| Step {
            phase: None,
            prompt: prompt.into(),
            answer: answer.into(),
            key_points: Vec::new(),
        };
        Card {
            scenario: Some(Scenario {
                situation: "Account A must read a bucket in account B.".into(),
                steps: vec![
                    step("Where do you create the role?", "A role in account B."),
                    step("Who does its trust policy name?", "Account A as principal."),
                    step(
                        "What must the caller be allowed?",
                        "sts:AssumeRole on the role.",
                    ),
                    step("What does AssumeRole return?", "Temporary credentials."),
                ],
            }),
            key_points: vec![
                KeyPoint::new("create a role in account B"),
                KeyPoint::new("the trust policy names account A as principal"),
                KeyPoint::new("the caller's identity policy allows sts:AssumeRole"),
                KeyPoint::new("AssumeRole returns temporary credentials"),
            ],
            ..card(CardKind::Scenario)
        }
    }

    #[test]
    fn a_step_is_graded_against_its_own_text_only() {
        let c = scenario_card();
        let placed: Vec<usize> = scenario_points(&c).iter().map(|p| p.1).collect();
        assert_eq!(placed, [0, 1, 2, 3]);
        // Step 3's text says what step 4 wants; step 4 is blank.
        let answer = Answer::Steps(vec![
            "Create a role in account B.".into(),
            "Its trust policy names account A as the principal.".into(),
            "The caller's identity policy allows sts:AssumeRole, which returns temporary credentials.".into(),
            String::new(),
        ]);
        let g = grade_card(&c, &answer).unwrap();
        let v: Vec<Verdict> = g.points.iter().map(PointGrade::verdict).collect();
        assert_eq!(
            v,
            [
                Verdict::Covered,
                Verdict::Covered,
                Verdict::Covered,
                Verdict::Missed
            ]
        );
    }

    #[test]
    fn one_text_splits_into_the_same_steps_the_app_builds() {
        let c = scenario_card();
        let steps = vec![
            "Create a role in account B.".to_string(),
            "Its trust policy names account A as the principal.".to_string(),
            String::new(),
            "AssumeRole returns temporary credentials.".to_string(),
        ];
        let text = "Step 1: Create a role in account B.\nStep 2: Its trust policy names account A as the principal.\nStep 4: AssumeRole returns temporary credentials.\n";
        let (answer, offsets) = answer_from_text(&c, text);
        assert_eq!(answer, Answer::Steps(steps.clone()));
        assert_eq!(&text[offsets[3]..offsets[3] + 10], "AssumeRole");
        let by_steps = grade_card(&c, &Answer::Steps(steps)).unwrap();
        let by_text = grade_card(&c, &Answer::Text(text.into())).unwrap();
        for (a, b) in by_steps.points.iter().zip(&by_text.points) {
            assert_eq!((a.verdict(), &a.evidence), (b.verdict(), &b.evidence));
        }
        // Spans of a single text point into that text.
        let s = by_text.points[3].span.unwrap();
        assert_eq!(
            &text[s.start..s.end],
            "AssumeRole returns temporary credentials"
        );
        // Blank lines separate steps too.
        let (answer, _) = answer_from_text(&c, "role in B\n\ntrusts A\n---\nAssumeRole\n");
        assert_eq!(
            answer,
            Answer::Steps(vec![
                "role in B".into(),
                "trusts A".into(),
                "AssumeRole".into(),
                String::new()
            ])
        );
    }

    fn table_card() -> Card {
        Card {
            table: Some(Table {
                headers: vec!["Call".into(), "Maximum".into(), "Default".into()],
                rows: vec![
                    vec!["AssumeRole".into(), "12 hours".into(), "1 hour".into()],
                    vec![
                        "Role chaining (role credentials assume a role)".into(),
                        "1 hour".into(),
                        "1 hour".into(),
                    ],
                    vec![
                        "GetSessionToken".into(),
                        "36 hours (1 hour with root credentials)".into(),
                        "12 hours".into(),
                    ],
                ],
            }),
            ..card(CardKind::Table)
        }
    }

    fn covered(g: &CardGrade) -> Vec<bool> {
        g.points.iter().map(|p| p.covered).collect()
    }

    #[test]
    fn typed_rows_match_by_label_and_content_in_any_order() {
        let c = table_card();
        let text = "| GetSessionToken | 36 hours | 12 hours |\n| Role chaining | 1 hour | 1 hour |\n| AssumeRole | 12 hours | 1 hour |\n";
        assert_eq!(
            covered(&grade_card(&c, &Answer::Text(text.into())).unwrap()),
            [true; 6]
        );
        let text =
            "Role chaining: max 1 hour, default 1 hour\nGetSessionToken: 36h max, 12h default\n";
        let g = grade_card(&c, &Answer::Text(text.into())).unwrap();
        assert_eq!(covered(&g), [false, false, true, true, true, true]);
        let s = g.points[4].span.unwrap();
        assert_eq!(&text[s.start..s.end], "36h");
        // A header line is not a row; wrong values are missed.
        let text =
            "| Call | Maximum | Default |\n|---|---|---|\n| AssumeRole | 6 hours | 2 hours |";
        assert_eq!(
            covered(&grade_card(&c, &Answer::Text(text.into())).unwrap()),
            [false; 6]
        );
    }

    fn user_role_card() -> Card {
        let row = |a: &str, b: &str, c: &str| vec![a.to_string(), b.to_string(), c.to_string()];
        Card {
            table: Some(Table {
                headers: vec!["Feature".into(), "IAM User".into(), "IAM Role".into()],
                rows: vec![
                    row("Long-term credentials", "Yes", "No"),
                    row("Password", "Yes", "No"),
                    row("Access Keys", "Permanent", "Temporary"),
                ],
            }),
            ..card(CardKind::Table)
        }
    }

    fn verdicts(c: &Card, text: &str) -> Vec<Verdict> {
        grade_card(c, &Answer::Text(text.into()))
            .unwrap()
            .points
            .iter()
            .map(PointGrade::verdict)
            .collect()
    }

    #[test]
    fn columns_are_named_by_header_words_or_initials_and_labels_may_be_abbreviated() {
        use Verdict::{Contradicted as X, Covered as C, Missed as M};
        let c = user_role_card();
        // Initials name the columns ("U", "R"), labels are abbreviated ("LT creds", "Pwd").
        assert_eq!(
            verdicts(
                &c,
                "Pwd: U yes / R no\nLT creds: U yes / R no\nKeys: U permanent, R temp\n"
            ),
            [C, C, C, C, C, C]
        );
        // Parts naming their column in any order; a chunk naming none goes on with the one before.
        assert_eq!(
            verdicts(
                &c,
                "Access keys: temporary for a role, permanent for a user.\n"
            ),
            [M, M, M, M, C, C]
        );
        // The columns' values swapped contradict both cells.
        assert_eq!(
            verdicts(
                &c,
                "Access keys: users get temporary keys, roles permanent ones.\n"
            ),
            [M, M, M, M, X, X]
        );
    }

    #[test]
    fn a_row_answered_with_a_column_s_name_says_yes_for_it_and_no_for_the_others() {
        use Verdict::{Contradicted as X, Covered as C};
        let row = |a: &str, b: &str, c: &str| vec![a.to_string(), b.to_string(), c.to_string()];
        let c = Card {
            table: Some(Table {
                headers: vec!["Feature".into(), "IAM User".into(), "IAM Role".into()],
                rows: vec![row("More Secure", "No", "Yes")],
            }),
            ..card(CardKind::Table)
        };
        assert_eq!(verdicts(&c, "More secure: roles.\n"), [C, C]);
        assert_eq!(verdicts(&c, "More secure: users.\n"), [X, X]);
    }

    #[test]
    fn a_line_of_table_words_earns_nothing() {
        let c = user_role_card();
        assert_eq!(
            verdicts(
                &c,
                "IAM user IAM role long-term credentials password access keys permanent temporary yes no"
            ),
            [Verdict::Missed; 6]
        );
    }

    #[test]
    fn a_one_concept_cell_is_judged_by_its_antonym_too() {
        let row = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        let c = Card {
            table: Some(Table {
                headers: vec!["Aspect".into(), "SCP".into()],
                rows: vec![
                    row("Effect on permissions", "Restricts only"),
                    row("Service-linked roles", "Exempt"),
                ],
            }),
            ..card(CardKind::Table)
        };
        assert_eq!(
            verdicts(
                &c,
                "Effect on permissions: it can grant permissions.\nService-linked roles: it never restricts them.\n"
            ),
            [Verdict::Contradicted, Verdict::Covered]
        );
    }

    #[test]
    fn abbreviations_keep_first_and_last_letters() {
        assert!(abbreviates("pwd", "password"));
        assert!(abbreviates("mgmt", "management"));
        assert!(abbreviates("acct", "account"));
        assert!(!abbreviates("sat", "situation"));
        assert!(!abbreviates("password", "password"));
        let w = |s: &str| (s.to_string(), s.to_string());
        assert!(initials_of(&w("lt"), &[w("long-term"), w("credentials")]));
        assert!(!initials_of(&w("lc"), &[w("long-term"), w("credentials")]));
    }

    #[test]
    fn cells_of_earlier_reports_still_grade() {
        let c = table_card();
        let g = grade_card(
            &c,
            &Answer::Cells(vec![CellAnswer {
                row: 0,
                col: 1,
                text: "12 h".into(),
            }]),
        )
        .unwrap();
        assert!(g.points[0].covered);
        let err = grade_card(
            &c,
            &Answer::Cells(vec![CellAnswer {
                row: 9,
                col: 1,
                text: String::new(),
            }]),
        );
        assert!(matches!(err, Err(GradeError::NoSuchCell { .. })));
    }

    #[test]
    fn contradictions_score_below_a_blank_and_flips_change_the_score() {
        let c = Card {
            answer: "A".into(),
            key_points: vec![
                KeyPoint {
                    claim: Some(Claim {
                        subject: vec!["both accounts".into()],
                        relation: "must allow".into(),
                        object: vec![],
                    }),
                    ..KeyPoint::new("both accounts must allow the access")
                },
                KeyPoint::new("assume a role in the other account"),
            ],
            ..card(CardKind::Basic)
        };
        let blank = grade_card(&c, &Answer::Text(String::new())).unwrap();
        assert_eq!(blank.score(), 0.0);
        let mut wrong = grade_card(
            &c,
            &Answer::Text("Only one side needs to allow the access.".into()),
        )
        .unwrap();
        assert_eq!(wrong.points[0].verdict(), Verdict::Contradicted);
        assert_eq!(
            wrong.points[0].evidence.as_deref(),
            Some("Only one side needs to allow")
        );
        assert!(wrong.score() < blank.score());
        assert!(wrong.flip(0));
        assert_eq!(wrong.points[0].effective(), Verdict::Covered);
        assert_eq!(wrong.score(), 0.5);
        assert!(!wrong.flip(7));
    }

    #[test]
    fn answer_shapes_are_checked() {
        let c = Card {
            key_points: vec![KeyPoint::new("x")],
            ..card(CardKind::Basic)
        };
        assert!(matches!(
            grade_card(&c, &Answer::Steps(vec![])),
            Err(GradeError::WrongAnswerShape { .. })
        ));
        let empty = card(CardKind::Basic);
        assert!(matches!(
            grade_card(&empty, &Answer::Text("x".into())),
            Err(GradeError::NoKeyPoints { .. })
        ));
    }
}
