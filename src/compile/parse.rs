//! Finds the question-and-answer items of a document.
//!
//! Understood formats, also mixed in one document:
//! - numbered items `Q7: question` under section headings `3. Policy Evaluation Logic` (a new guide
//!   starts where the numbering starts again);
//! - unnumbered items `Q: question A: answer` (the answer may start on the same line) under plain
//!   headings;
//! - Markdown: `#` headings and `Q:` / `A:` pairs.
//!
//! Lines that talk about interviews in general (a guide's introduction, a "most important topics"
//! list) are commentary: they end the current answer and are reported as skipped.

/// One question-and-answer item as found in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based guide number inside the document.
    pub guide: usize,
    /// The question number: the document's own for numbered items, else the position in the guide.
    pub number: usize,
    /// The nearest heading above the item.
    pub heading: String,
    pub question: String,
    /// The answer lines as found (after repairs), without the `Answer` label.
    pub body: Vec<String>,
    /// 1-based line of the question in the document.
    pub line: usize,
}

impl Item {
    /// `guide-2 Q17`.
    pub fn source_ref(&self) -> String {
        format!("guide-{} Q{}", self.guide, self.number)
    }
}

/// What parsing found besides items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub items: Vec<Item>,
    /// Lines outside any item that were not headings: (line number, text).
    pub skipped: Vec<(usize, String)>,
    /// Questions with no answer (left out of the items): (line number, question).
    pub incomplete: Vec<(usize, String)>,
}

enum Line<'a> {
    /// `Q12: text` (numbered).
    Numbered(usize, &'a str),
    /// `Q: text` with an optional answer after ` A:` on the same line.
    Unnumbered(&'a str, Option<&'a str>),
    /// `A: text` on its own line.
    AnswerStart(&'a str),
    Heading(String),
    Text(&'a str),
}

/// Splits glued lines: `}Q7: …` and `]Q14: …` (a JSON block running into the next question).
fn split_glued_questions(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let mut rest = line;
        // Find `Q<digits>:` preceded by a closing bracket or quote.
        loop {
            let found = rest.char_indices().find_map(|(i, c)| {
                if c != 'Q' || i == 0 {
                    return None;
                }
                let prev = rest[..i].chars().next_back()?;
                if !matches!(prev, '}' | ']' | '"') {
                    return None;
                }
                let after = &rest[i + 1..];
                let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
                (digits > 0 && after[digits..].starts_with(':')).then_some(i)
            });
            match found {
                Some(i) => {
                    out.push((n + 1, rest[..i].to_string()));
                    rest = &rest[i..];
                }
                None => break,
            }
        }
        out.push((n + 1, rest.to_string()));
    }
    out
}

fn classify(line: &str) -> Line<'_> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix('#') {
        return Line::Heading(rest.trim_start_matches('#').trim().to_string());
    }
    if let Some(rest) = t.strip_prefix("Q:") {
        let rest = rest.trim();
        // Unnumbered item with the answer on the same line: `Q: … A: …`.
        if let Some(i) = rest.find(" A:") {
            return Line::Unnumbered(rest[..i].trim(), Some(rest[i + 3..].trim()));
        }
        return Line::Unnumbered(rest, None);
    }
    if let Some(rest) = t.strip_prefix("A:") {
        return Line::AnswerStart(rest.trim());
    }
    if let Some(rest) = t.strip_prefix('Q') {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty()
            && let Some(q) = rest[digits.len()..].strip_prefix(':')
            && let Ok(n) = digits.parse()
        {
            return Line::Numbered(n, q.trim());
        }
    }
    if let Some(h) = numbered_heading(t) {
        return Line::Heading(h);
    }
    Line::Text(line)
}

/// `3. Policy Evaluation Logic` → `Policy Evaluation Logic`.
fn numbered_heading(t: &str) -> Option<String> {
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = t[digits..].strip_prefix(". ")?;
    let first = rest.chars().next()?;
    let ends_like_sentence = rest.ends_with(['.', ':', '?', '!', ',', ';']);
    (first.is_uppercase() && rest.len() <= 80 && !ends_like_sentence)
        .then(|| rest.trim().to_string())
}

/// A short title-like line: no sentence punctuation at its end, not a bullet or code.
fn looks_like_title(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().count() <= 70
        && !t.ends_with(['.', ':', '?', '!', ',', ';', '{', '}', '[', ']', '"'])
        && !t.starts_with(['-', '*', '{', '[', '"', '|', '`'])
        && !t.contains('→')
        && t.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Commentary about interviews in general: not part of any answer.
fn is_commentary(t: &str) -> bool {
    let t = t.trim();
    let lower = t.to_lowercase();
    !t.starts_with(['-', '*', '|'])
        && !t.ends_with(':')
        && (lower.contains("interview") || lower.starts_with("this covers"))
}

/// Finds every item of a document.
pub fn parse(text: &str) -> Parsed {
    let lines = split_glued_questions(text);
    let mut parsed = Parsed::default();
    let mut guide = 0usize;
    let mut last_number = 0usize;
    let mut unnumbered_in_guide = 0usize;
    let mut in_unnumbered_guide = false;
    let mut heading = String::new();
    let mut current: Option<Item> = None;
    let mut commentary = false;

    // For each line, whether the next non-empty line after it is a question: one pass from
    // the end (a scan forward per line is quadratic in runs of blank lines).
    let mut next_is_question_at = vec![false; lines.len()];
    let mut following = false;
    for (i, (_, l)) in lines.iter().enumerate().rev() {
        next_is_question_at[i] = following;
        if !l.trim().is_empty() {
            following = matches!(classify(l), Line::Numbered(..) | Line::Unnumbered(..));
        }
    }

    for (i, (line_no, line)) in lines.iter().enumerate() {
        let next_is_question = next_is_question_at[i];
        match classify(line) {
            Line::Numbered(n, q) => {
                if let Some(item) = current.take() {
                    parsed.items.push(item);
                }
                if guide == 0 || n <= last_number || in_unnumbered_guide {
                    guide += 1;
                    in_unnumbered_guide = false;
                }
                last_number = n;
                commentary = false;
                current = Some(Item {
                    guide,
                    number: n,
                    heading: heading.clone(),
                    question: q.to_string(),
                    body: Vec::new(),
                    line: *line_no,
                });
            }
            Line::Unnumbered(q, answer) => {
                if let Some(item) = current.take() {
                    parsed.items.push(item);
                }
                if guide == 0 || !in_unnumbered_guide {
                    guide += 1;
                    in_unnumbered_guide = true;
                    unnumbered_in_guide = 0;
                    last_number = 0;
                }
                unnumbered_in_guide += 1;
                commentary = false;
                let mut body = Vec::new();
                if let Some(a) = answer.filter(|a| !a.is_empty()) {
                    body.push(a.to_string());
                }
                current = Some(Item {
                    guide,
                    number: unnumbered_in_guide,
                    heading: heading.clone(),
                    question: q.to_string(),
                    body,
                    line: *line_no,
                });
            }
            Line::AnswerStart(a) => match current.as_mut() {
                Some(item) if !a.is_empty() => item.body.push(a.to_string()),
                Some(_) => {}
                None => parsed.skipped.push((*line_no, line.clone())),
            },
            Line::Heading(h) => {
                if let Some(item) = current.take() {
                    parsed.items.push(item);
                }
                commentary = false;
                heading = h;
            }
            Line::Text(t) => {
                if t.trim().is_empty() {
                    if let Some(item) = current.as_mut() {
                        item.body.push(String::new());
                    }
                    continue;
                }
                if current.is_some() && next_is_question && looks_like_title(t) && !is_label_like(t)
                {
                    // A plain heading right above the next question ends this item.
                    if let Some(item) = current.take() {
                        parsed.items.push(item);
                    }
                    heading = t.trim().to_string();
                    continue;
                }
                if current.is_none() && next_is_question && looks_like_title(t) {
                    heading = t.trim().to_string();
                    continue;
                }
                if is_commentary(t) {
                    commentary = true;
                    if let Some(item) = current.take() {
                        parsed.items.push(item);
                    }
                }
                match current.as_mut() {
                    Some(item) if !commentary => item.body.push(t.to_string()),
                    _ => parsed.skipped.push((*line_no, t.to_string())),
                }
            }
        }
    }
    if let Some(item) = current.take() {
        parsed.items.push(item);
    }
    for item in &mut parsed.items {
        while item.body.last().is_some_and(|l| l.trim().is_empty()) {
            item.body.pop();
        }
    }
    let (items, incomplete): (Vec<Item>, Vec<Item>) = std::mem::take(&mut parsed.items)
        .into_iter()
        .partition(|item| !item.body.is_empty());
    parsed.items = items;
    parsed.incomplete = incomplete
        .into_iter()
        .map(|item| (item.line, item.question))
        .collect();
    parsed
}

/// Sub-labels that belong to answers even when a question follows (none end a title check today,
/// kept for clarity of intent).
fn is_label_like(t: &str) -> bool {
    t.trim().ends_with(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_guides_restart_numbering() {
        let doc = "Intro about interview topics.\n1. Users\nQ1: What?\nAnswer\n- a\nQ2: Why?\nb.\n1. Users again\nQ1: What now?\nAnswer:\nc.\n";
        let p = parse(doc);
        let refs: Vec<String> = p.items.iter().map(|i| i.source_ref()).collect();
        assert_eq!(refs, ["guide-1 Q1", "guide-1 Q2", "guide-2 Q1"]);
        assert_eq!(p.items[0].heading, "Users");
        assert_eq!(p.items[0].body, ["Answer", "- a"]);
        assert_eq!(p.items[2].heading, "Users again");
        assert_eq!(
            p.skipped,
            [(1, "Intro about interview topics.".to_string())]
        );
    }

    #[test]
    fn glued_json_is_split_from_the_next_question() {
        let doc = "Q6: Policy?\n{\n\"a\": 1\n}Q7: Components\nAnswer\n\"x\":\"y\"]Q8: Types\n";
        let p = parse(doc);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].body, ["{", "\"a\": 1", "}"]);
        assert_eq!(p.items[1].question, "Components");
        // The last question has no answer yet: named, not made a card.
        assert_eq!(p.incomplete, [(6, "Types".to_string())]);
    }

    #[test]
    fn unnumbered_items_with_inline_answers() {
        let doc = "IAM Users vs. Roles\nQ: What is a user? A:\n- one\nKMS\nQ: What is KMS? A: A key service.\n";
        let p = parse(doc);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].source_ref(), "guide-1 Q1");
        assert_eq!(p.items[0].heading, "IAM Users vs. Roles");
        assert_eq!(p.items[0].body, ["- one"]);
        assert_eq!(p.items[1].heading, "KMS");
        assert_eq!(p.items[1].body, ["A key service."]);
    }

    #[test]
    fn markdown_notes() {
        let doc = "# STS\n\nQ: What does STS issue?\nA: Temporary credentials.\n\n- expire\n\n## KMS\nQ: Envelope?\nA:\nData keys.\n";
        let p = parse(doc);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].heading, "STS");
        assert_eq!(p.items[0].body, ["Temporary credentials.", "", "- expire"]);
        assert_eq!(p.items[1].heading, "KMS");
        assert_eq!(p.items[1].body, ["Data keys."]);
    }

    #[test]
    fn commentary_ends_an_answer() {
        let doc = "Q53: Zero trust?\n- verify\nMost Important Interview Topics to Master\n- IAM\n1. Next\nQ1: Again?\nyes.\n";
        let p = parse(doc);
        assert_eq!(p.items[0].body, ["- verify"]);
        assert_eq!(p.skipped.len(), 2);
    }

    #[test]
    fn a_question_without_an_answer_is_reported_not_kept() {
        let p = parse(
            "# KMS\n\nQ: What is KMS?\nA: A key service.\n\nQ: Only a question?\n\nQ: Next?\nA: yes\n",
        );
        let questions: Vec<&str> = p.items.iter().map(|i| i.question.as_str()).collect();
        assert_eq!(questions, ["What is KMS?", "Next?"]);
        assert_eq!(p.incomplete, [(6, "Only a question?".to_string())]);
    }
}
