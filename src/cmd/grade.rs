//! `iamdrill grade --card ID --answer-file F [--json]`: the mock interview's grading outside the TUI.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, eyre};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

use crate::context::Context;
use crate::deck::model::Card;
use crate::mock::grade::{Answer, CardGrade, Span, Verdict, grade_card};

/// Answer files larger than this are refused: a typed interview answer is a few kilobytes.
pub const MAX_ANSWER_BYTES: u64 = 1 << 20;

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Id of the card to grade against (see `iamdrill decks list`).
    #[arg(long, value_name = "ID")]
    pub card: String,
    /// File holding the typed answer (`-` for standard input). For a scenario card, separate the
    /// steps with `Step N:` lines, `---` lines or blank lines; for a table card, write one row a
    /// line (`| label | cell | cell |` or `label: cell; cell`).
    #[arg(long, value_name = "FILE")]
    pub answer_file: PathBuf,
    /// Print JSON: each key point with its `verdict` (covered, missed, contradicted), the
    /// `evidence` words and their `span` (byte range in the file).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: GradeArgs) -> Result<ExitCode> {
    let library = super::output::library(ctx);
    let Some(card) = library.card(&args.card) else {
        super::output::error(&unknown_card_message(&args.card, library.cards()));
        return Ok(ExitCode::from(2));
    };
    let text = match read_answer(&args.answer_file) {
        Ok(text) => text,
        Err(e) => {
            super::output::error(&format!("{e:#}"));
            return Ok(ExitCode::from(2));
        }
    };
    // The same grader and answer shape as the app; spans are byte ranges in the file.
    let grade = match grade_card(card, &Answer::Text(text.clone())) {
        Ok(g) => g,
        Err(e) => {
            super::output::error(&format!("{}: {e}", args.answer_file.display()));
            return Ok(ExitCode::from(2));
        }
    };
    let written = if args.json {
        let mut out = super::output::stdout_json();
        serde_json::to_writer_pretty(&mut out, &JsonGrade::new(card, &grade, &text))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush())
    } else {
        let mut out = super::output::stdout();
        write_text(&mut out, card, &grade, &text).and_then(|()| out.flush())
    };
    match written {
        // The reader went away (`| head`): not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

/// "unknown card" with the closest ids as suggestions.
pub fn unknown_card_message<'a>(id: &str, cards: impl Iterator<Item = &'a Card>) -> String {
    let matcher = SkimMatcherV2::default();
    // Candidates from the fuzzy matcher, closest spelling first.
    let mut close: Vec<(usize, &str)> = cards
        .filter(|c| matcher.fuzzy_match(&c.id, id).is_some())
        .map(|c| (crate::mock::text::edit_distance(&c.id, id), c.id.as_str()))
        .collect();
    close.sort();
    let mut msg = format!("no card with id `{id}` in the loaded decks");
    if !close.is_empty() {
        let names: Vec<String> = close
            .iter()
            .take(3)
            .map(|(_, c)| format!("`{c}`"))
            .collect();
        msg.push_str(&format!("; did you mean {}?", names.join(", ")));
    } else {
        msg.push_str("; `iamdrill decks list` shows the decks");
    }
    msg
}

fn read_answer(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut bytes)
            .wrap_err("cannot read the answer from standard input")?;
    } else {
        crate::deck::read::check_regular(path, MAX_ANSWER_BYTES)
            .wrap_err_with(|| format!("cannot read answer file {}", path.display()))?;
        let file = std::fs::File::open(path)
            .wrap_err_with(|| format!("cannot read answer file {}", path.display()))?;
        file.take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut bytes)
            .wrap_err_with(|| format!("cannot read answer file {}", path.display()))?;
    }
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(eyre!(
            "answer file {} is larger than {} bytes; a typed answer should be much shorter",
            path.display(),
            MAX_ANSWER_BYTES
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = line_column(&String::from_utf8_lossy(&e.into_bytes()[..at]));
        eyre!(
            "{}:{line}:{column}: the answer is not valid UTF-8 text (byte {at}); save it as UTF-8",
            path.display()
        )
    })
}

/// 1-based line and column just after `prefix`.
fn line_column(prefix: &str) -> (usize, usize) {
    let line = prefix.matches('\n').count() + 1;
    let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[derive(Debug, Serialize)]
struct JsonGrade<'a> {
    card: &'a str,
    question: &'a str,
    covered: usize,
    contradicted: usize,
    total: usize,
    /// Covered minus contradicted key points (a contradiction costs 1.5), over all: from -1.5 to 1.
    score: f64,
    key_points: Vec<JsonPoint<'a>>,
}

#[derive(Debug, Serialize)]
struct JsonPoint<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    verdict: Verdict,
    covered: bool,
    /// Byte range in the answer file, or null.
    span: Option<Span>,
    /// The answer text inside `span`.
    #[serde(skip_serializing_if = "Option::is_none")]
    span_text: Option<&'a str>,
    words: &'a [Span],
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<&'a str>,
    contradicted: bool,
    /// The answer's words that earned or contradicted the point.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

impl<'a> JsonGrade<'a> {
    fn new(card: &'a Card, grade: &'a CardGrade, text: &'a str) -> Self {
        JsonGrade {
            card: &card.id,
            question: &card.question,
            covered: grade.covered(),
            contradicted: grade.contradicted(),
            total: grade.total(),
            score: grade.score(),
            key_points: grade
                .points
                .iter()
                .map(|p| JsonPoint {
                    text: &p.text,
                    label: p.label.as_deref(),
                    verdict: p.verdict(),
                    covered: p.covered,
                    span: p.span,
                    span_text: p.span.and_then(|s| text.get(s.start..s.end)),
                    words: &p.words,
                    matched: p.matched.as_deref(),
                    contradicted: p.contradicted,
                    evidence: p.evidence.as_deref(),
                })
                .collect(),
        }
    }
}

fn write_text(
    out: &mut impl Write,
    card: &Card,
    grade: &CardGrade,
    text: &str,
) -> std::io::Result<()> {
    writeln!(out, "{}: {}", card.id, card.question)?;
    for p in &grade.points {
        let label = p
            .label
            .as_deref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        write!(out, "  {:<12} {label}{}", p.verdict().name(), p.text)?;
        if let Some(s) = p.span {
            let quoted = text.get(s.start..s.end).unwrap_or("").replace('\n', " ");
            let how = if p.covered { "<-" } else { "contradicted by" };
            write!(out, "  {how} \"{quoted}\" (bytes {}..{})", s.start, s.end)?;
        } else if p.contradicted {
            write!(out, "  (the answer says the opposite)")?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "score: {}/{} key points covered, {} contradicted ({:.0}%)",
        grade.covered(),
        grade.total(),
        grade.contradicted(),
        grade.score() * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{CardKind, KeyPoint, Scenario, Step};

    fn card(kind: CardKind) -> Card {
        Card {
            id: "sts-output".into(),
            kind,
            topic: "sts".into(),
            tags: vec![],
            difficulty: Default::default(),
            question: "What does STS return?".into(),
            answer: String::new(),
            table: None,
            scenario: (kind == CardKind::Scenario).then(|| Scenario {
                situation: "Keys leaked.".into(),
                steps: vec![
                    Step {
                        phase: None,
                        prompt: "First?".into(),
                        answer: "Deactivate the key".into(),
                        key_points: Vec::new(),
                    },
                    Step {
                        phase: None,
                        prompt: "Then?".into(),
                        answer: "Review CloudTrail".into(),
                        key_points: Vec::new(),
                    },
                ],
            }),
            key_points: if kind == CardKind::Basic {
                vec![KeyPoint::new("session token")]
            } else {
                vec![]
            },
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    #[test]
    fn unknown_card_suggests_close_ids() {
        let c = card(CardKind::Basic);
        let msg = unknown_card_message("sts-outpt", std::iter::once(&c));
        assert!(msg.contains("no card with id `sts-outpt`"), "{msg}");
        assert!(msg.contains("did you mean `sts-output`"), "{msg}");
        let msg = unknown_card_message("zzz", std::iter::once(&c));
        assert!(msg.contains("decks list"), "{msg}");
    }

    #[test]
    fn text_report_quotes_the_matched_words() {
        let c = card(CardKind::Basic);
        let text = "You get a session token.";
        let g = grade_card(&c, &Answer::Text(text.into())).unwrap();
        let mut out = Vec::new();
        write_text(&mut out, &c, &g, text).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("covered      session token  <- \"session token\" (bytes 10..23)"),
            "{out}"
        );
        assert!(
            out.contains("score: 1/1 key points covered, 0 contradicted (100%)"),
            "{out}"
        );
    }

    #[test]
    fn line_and_column_of_a_byte() {
        assert_eq!(line_column(""), (1, 1));
        assert_eq!(line_column("ab\ncd"), (2, 3));
    }
}
