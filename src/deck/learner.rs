//! What a learner may see of a card.
//!
//! Cards keep their source's wording, and the source has known errors. Each one a card still
//! shows is listed in the card's [`Correction`]s; here every occurrence of such a wrong passage is
//! marked and numbered, and the numbered correction goes with the text that contains it. Every
//! output path (the app's screens, plain mode, the exports, search) takes a card's texts from
//! [`Card::learner_view`], so none of them can show a wrong passage without its correction.
//!
//! In a text, a marked passage reads `⟦wrong words⟧✗1`; correction `✗1` says what is right.

use std::borrow::Cow;

use super::markup::to_plain;
use super::model::{Card, CardKind, Correction};

/// Opens a marked wrong passage.
pub const OPEN: char = '⟦';
/// Closes a marked wrong passage; the correction's sign and number follow at once.
pub const CLOSE: char = '⟧';
/// The sign of a correction: `✗1` after a passage, and before the correction itself.
pub const SIGN: char = '✗';

/// A text as a learner may see it: its wrong passages marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked<'a> {
    /// The text (light markup where the field is markup), with each wrong passage as
    /// `⟦passage⟧✗N`. Borrowed when nothing in it is wrong.
    pub text: Cow<'a, str>,
    /// Numbers of the corrections whose passages this text contains, in order of appearance.
    pub numbers: Vec<usize>,
}

impl Marked<'_> {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// A numbered correction of a card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix<'a> {
    pub number: usize,
    pub correction: &'a Correction,
}

impl Fix<'_> {
    /// `✗1`: how the mark after the wrong passage and the correction itself are labelled.
    pub fn label(&self) -> String {
        format!("{SIGN}{}", self.number)
    }

    /// The correction as one plain line: `✗1 Correction: … See https://…`.
    pub fn plain(&self) -> String {
        let mut line = format!(
            "{} Correction: {}",
            self.label(),
            to_plain(&self.correction.right)
                .trim_end()
                .replace('\n', " ")
        );
        if !self.correction.references.is_empty() {
            line.push_str(" See ");
            line.push_str(&self.correction.references.join(", "));
        }
        line
    }
}

/// Another guide's version of the question, marked.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerVariant<'a> {
    pub source: &'a str,
    pub question: Marked<'a>,
    pub answer: Marked<'a>,
}

impl LearnerVariant<'_> {
    /// The numbers of the corrections this version needs, in order, each once.
    pub fn numbers(&self) -> Vec<usize> {
        let mut out = self.question.numbers.clone();
        for n in &self.answer.numbers {
            if !out.contains(n) {
                out.push(*n);
            }
        }
        out
    }
}

/// Everything of a card a learner may see that carries source wording, marked, with the
/// corrections numbered in order of first appearance (answer first, then the variants).
///
/// The other fields (question, key points, table, scenario, note) are shown as they are: deck
/// validation refuses a card whose corrections' passages appear in them.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerCard<'a> {
    pub card: &'a Card,
    pub answer: Marked<'a>,
    pub variants: Vec<LearnerVariant<'a>>,
    /// The card's corrections in number order (number = index + 1); only those that occur.
    fixes: Vec<&'a Correction>,
}

impl Card {
    /// What a learner may see of this card (see [`crate::deck::learner`]).
    pub fn learner_view(&self) -> LearnerCard<'_> {
        let mut order: Vec<usize> = Vec::new();
        let answer = mark(&self.answer, &self.corrections, &mut order);
        let variants = self
            .variants
            .iter()
            .map(|v| LearnerVariant {
                source: &v.source,
                question: mark(&v.question, &self.corrections, &mut order),
                answer: mark(&v.answer, &self.corrections, &mut order),
            })
            .collect();
        LearnerCard {
            card: self,
            answer,
            variants,
            fixes: order.iter().map(|&i| &self.corrections[i]).collect(),
        }
    }
}

impl<'a> LearnerCard<'a> {
    /// Every correction that applies to what is shown, in number order.
    pub fn fixes(&self) -> impl Iterator<Item = Fix<'a>> + '_ {
        self.fixes.iter().enumerate().map(|(i, c)| Fix {
            number: i + 1,
            correction: c,
        })
    }

    /// The corrections with these numbers, in the order given.
    pub fn fixes_numbered(&self, numbers: &[usize]) -> Vec<Fix<'a>> {
        numbers
            .iter()
            .filter_map(|&n| {
                self.fixes.get(n.wrapping_sub(1)).map(|c| Fix {
                    number: n,
                    correction: c,
                })
            })
            .collect()
    }

    /// Whether the revealed side shows [`LearnerCard::answer`]. A scenario card shows its
    /// walkthrough steps instead, as the review screen does.
    pub fn shows_answer(&self) -> bool {
        let walkthrough = self.card.kind == CardKind::Scenario && self.card.scenario.is_some();
        !self.answer.is_empty() && !walkthrough
    }

    /// The revealed side as plain lines, as plain mode prints it: the answer (or the table, or
    /// the walkthrough), the corrections of what was shown, the key points, and the card's
    /// correction note with its references.
    pub fn plain_answer(&self) -> String {
        let card = self.card;
        let mut out = String::new();
        if self.shows_answer() {
            out.push_str(&to_plain(&self.answer.text));
            for fix in self.fixes_numbered(&self.answer.numbers) {
                out.push_str(&fix.plain());
                out.push('\n');
            }
        }
        if let Some(t) = &card.table {
            out.push_str(&t.headers.join(" | "));
            out.push('\n');
            for row in &t.rows {
                out.push_str(&row.join(" | "));
                out.push('\n');
            }
        }
        if let Some(sc) = &card.scenario {
            for step in &sc.steps {
                if let Some(phase) = &step.phase {
                    out.push_str(&format!("[{phase}]\n"));
                }
                out.push_str(&format!("- {}\n", step.prompt.trim()));
                out.push_str(&to_plain(&step.answer));
            }
        }
        if !card.key_points.is_empty() {
            out.push_str("Key points:\n");
            for k in &card.key_points {
                out.push_str(&format!("- {}\n", k.text));
            }
        }
        match &card.note {
            Some(note) => {
                out.push_str(&format!("Correction: {}\n", note.trim()));
                for r in &card.references {
                    out.push_str(&format!("  {r}\n"));
                }
            }
            None if !card.references.is_empty() => {
                out.push_str("References:\n");
                for r in &card.references {
                    out.push_str(&format!("  {r}\n"));
                }
            }
            None => {}
        }
        out
    }

    /// The other guides' versions as plain lines, each followed by its corrections.
    pub fn plain_variants(&self) -> String {
        let mut out = String::new();
        for v in &self.variants {
            out.push_str(&format!("[{}] {}\n", v.source, v.question.text.trim()));
            out.push_str(&to_plain(&v.answer.text));
            for fix in self.fixes_numbered(&v.numbers()) {
                out.push_str(&fix.plain());
                out.push('\n');
            }
        }
        out
    }
}

/// The fields of a card shown as source wording, where a wrong passage is marked: the answer and
/// the variants. Each with its path below the card (`answer`, `variants[0].answer`).
pub fn marked_fields(card: &Card) -> Vec<(String, &str)> {
    let mut out = vec![("answer".to_string(), card.answer.as_str())];
    for (i, v) in card.variants.iter().enumerate() {
        out.push((format!("variants[{i}].question"), v.question.as_str()));
        out.push((format!("variants[{i}].answer"), v.answer.as_str()));
    }
    out
}

/// The fields of a card shown as they are, so a wrong passage must never be in them: what a
/// learner is asked and graded on (question, key points, table cells, scenario steps). Each with
/// its path below the card.
pub fn unmarked_fields(card: &Card) -> Vec<(String, &str)> {
    let mut out = vec![("question".to_string(), card.question.as_str())];
    for (i, k) in card.key_points.iter().enumerate() {
        out.push((format!("key_points[{i}]"), k.text.as_str()));
        for a in &k.accept {
            out.push((format!("key_points[{i}]"), a.as_str()));
        }
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
                let path = format!("scenario.steps[{i}].key_points[{k}]");
                out.push((path.clone(), kp.text.as_str()));
                for a in &kp.accept {
                    out.push((path.clone(), a.as_str()));
                }
            }
        }
    }
    out
}

/// Marks every occurrence of the corrections' passages in `text`. `order` holds the indices of
/// the corrections numbered so far (number = position + 1) and grows as new ones occur.
fn mark<'a>(text: &'a str, corrections: &[Correction], order: &mut Vec<usize>) -> Marked<'a> {
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (ci, c) in corrections.iter().enumerate() {
        if c.wrong.is_empty() {
            continue;
        }
        for (at, _) in text.match_indices(c.wrong.as_str()) {
            found.push((at, at + c.wrong.len(), ci));
        }
    }
    if found.is_empty() {
        return Marked {
            text: Cow::Borrowed(text),
            numbers: Vec::new(),
        };
    }
    // Earliest first; of two starting together the longer; overlapping passages are one mark.
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len() + 8 * found.len());
    let mut numbers = Vec::new();
    let mut done = 0;
    for (start, end, ci) in found {
        if start < done {
            continue;
        }
        let number = match order.iter().position(|&i| i == ci) {
            Some(p) => p + 1,
            None => {
                order.push(ci);
                order.len()
            }
        };
        if !numbers.contains(&number) {
            numbers.push(number);
        }
        out.push_str(&text[done..start]);
        out.push(OPEN);
        out.push_str(&text[start..end]);
        out.push(CLOSE);
        out.push(SIGN);
        out.push_str(&number.to_string());
        done = end;
    }
    out.push_str(&text[done..]);
    Marked {
        text: Cow::Owned(out),
        numbers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{KeyPoint, Variant};

    fn card() -> Card {
        Card {
            id: "c".into(),
            kind: CardKind::Basic,
            topic: "sts".into(),
            tags: vec![],
            difficulty: Default::default(),
            question: "How long do sessions last?".into(),
            answer: "Sessions last 1-12h; `aws:ExternalId` stops confused deputies.".into(),
            table: None,
            scenario: None,
            key_points: vec![KeyPoint::new("up to 12 hours")],
            source: Some("guide-1 Q1".into()),
            variants: vec![Variant {
                source: "guide-2 Q1".into(),
                question: "What is STS?".into(),
                answer: "Credentials expire 1-12h, or 1-12h again.".into(),
            }],
            corrections: vec![
                Correction {
                    wrong: "aws:ExternalId".into(),
                    right: "The key is `sts:ExternalId`.".into(),
                    references: vec!["https://docs.aws.amazon.com/a".into()],
                },
                Correction {
                    wrong: "1-12h".into(),
                    right: "From 15 minutes to the role's maximum.".into(),
                    references: vec![],
                },
            ],
            note: None,
            references: vec![],
        }
    }

    #[test]
    fn wrong_passages_are_marked_and_numbered_in_order_of_appearance() {
        let c = card();
        let v = c.learner_view();
        assert_eq!(
            v.answer.text,
            "Sessions last ⟦1-12h⟧✗1; `⟦aws:ExternalId⟧✗2` stops confused deputies."
        );
        assert_eq!(v.answer.numbers, vec![1, 2]);
        assert_eq!(
            v.variants[0].answer.text,
            "Credentials expire ⟦1-12h⟧✗1, or ⟦1-12h⟧✗1 again."
        );
        assert_eq!(v.variants[0].numbers(), vec![1]);
        let fixes: Vec<String> = v.fixes().map(|f| f.plain()).collect();
        assert_eq!(
            fixes,
            [
                "✗1 Correction: From 15 minutes to the role's maximum.",
                "✗2 Correction: The key is sts:ExternalId. See https://docs.aws.amazon.com/a",
            ]
        );
    }

    #[test]
    fn text_without_wrong_passages_is_borrowed() {
        let mut c = card();
        c.corrections.clear();
        let v = c.learner_view();
        assert!(matches!(v.answer.text, Cow::Borrowed(_)));
        assert!(v.fixes().next().is_none());
    }

    #[test]
    fn overlapping_passages_make_one_mark() {
        let mut c = card();
        c.answer = "expire 1-12h".into();
        c.corrections[0].wrong = "expire 1-12h".into();
        let v = c.learner_view();
        assert_eq!(v.answer.text, "⟦expire 1-12h⟧✗1");
        assert_eq!(v.answer.numbers, vec![1]);
    }

    #[test]
    fn plain_answer_puts_each_correction_after_the_text_that_needs_it() {
        let mut c = card();
        c.note = Some("The guide's range is wrong.".into());
        c.references = vec!["https://docs.aws.amazon.com/b".into()];
        let plain = c.learner_view().plain_answer();
        let marked = plain.find("⟦1-12h⟧✗1").unwrap();
        let fix = plain.find("✗1 Correction: From 15 minutes").unwrap();
        assert!(marked < fix, "{plain}");
        assert!(
            plain.contains(
                "Correction: The guide's range is wrong.\n  https://docs.aws.amazon.com/b"
            ),
            "{plain}"
        );
        let variants = c.learner_view().plain_variants();
        assert!(
            variants.starts_with("[guide-2 Q1] What is STS?\n"),
            "{variants}"
        );
        assert!(variants.contains("✗1 Correction"), "{variants}");
        assert!(!variants.contains("✗2"), "{variants}");
    }
}
