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
use crate::deck::model::{Card, CardKind};
use crate::mock::grade::{Answer, CardGrade, Span, grade_card};

/// Answer files larger than this are refused: a typed interview answer is a few kilobytes.
pub const MAX_ANSWER_BYTES: u64 = 1 << 20;

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Id of the card to grade against (see `iamdrill decks list`).
    #[arg(long, value_name = "ID")]
    pub card: String,
    /// File holding the typed answer (`-` for standard input). For a scenario card, one paragraph
    /// per step (separated by blank lines) grades step by step; for a table card, write the rows
    /// as `| row label | cell | cell |`.
    #[arg(long, value_name = "FILE")]
    pub answer_file: PathBuf,
    /// Print JSON: each key point with `covered` and the matched `span` (byte range in the file).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: GradeArgs) -> Result<ExitCode> {
    let library = super::output::library(ctx);
    let Some(card) = library.card(&args.card) else {
        eprintln!(
            "iamdrill: {}",
            unknown_card_message(&args.card, library.cards())
        );
        return Ok(ExitCode::from(2));
    };
    let text = match read_answer(&args.answer_file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("iamdrill: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let (answer, offsets) = answer_for(card, &text);
    let grade = match grade_card(card, &answer) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("iamdrill: {}: {e}", args.answer_file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let grade = to_file_offsets(grade, &offsets);
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &JsonGrade::new(card, &grade, &text))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_text(&mut out, card, &grade, &text)
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

/// The answer shape for a card, and for each answer part its byte offset in the file.
pub fn answer_for(card: &Card, text: &str) -> (Answer, Vec<usize>) {
    if card.kind == CardKind::Scenario {
        let steps = card.scenario.as_ref().map_or(0, |s| s.steps.len());
        let blocks = paragraphs(text);
        if steps > 1 && blocks.len() == steps {
            let offsets = blocks.iter().map(|&(s, _)| s).collect();
            let parts = blocks
                .iter()
                .map(|&(s, e)| text[s..e].to_string())
                .collect();
            return (Answer::Steps(parts), offsets);
        }
    }
    (Answer::Text(text.to_string()), vec![0])
}

/// Byte ranges of the blank-line separated paragraphs of `text`.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
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

fn to_file_offsets(mut grade: CardGrade, offsets: &[usize]) -> CardGrade {
    for p in &mut grade.points {
        let Some(&off) = offsets.get(p.part).filter(|_| offsets.len() > 1) else {
            continue;
        };
        let shift = |s: &mut Span| {
            s.start += off;
            s.end += off;
        };
        if let Some(s) = p.span.as_mut() {
            shift(s);
        }
        p.words.iter_mut().for_each(shift);
        p.part = 0;
    }
    grade
}

#[derive(Debug, Serialize)]
struct JsonGrade<'a> {
    card: &'a str,
    question: &'a str,
    covered: usize,
    total: usize,
    score: f64,
    key_points: Vec<JsonPoint<'a>>,
}

#[derive(Debug, Serialize)]
struct JsonPoint<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
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
}

impl<'a> JsonGrade<'a> {
    fn new(card: &'a Card, grade: &'a CardGrade, text: &'a str) -> Self {
        JsonGrade {
            card: &card.id,
            question: &card.question,
            covered: grade.covered(),
            total: grade.total(),
            score: grade.score(),
            key_points: grade
                .points
                .iter()
                .map(|p| JsonPoint {
                    text: &p.text,
                    label: p.label.as_deref(),
                    covered: p.covered,
                    span: p.span,
                    span_text: p.span.and_then(|s| text.get(s.start..s.end)),
                    words: &p.words,
                    matched: p.matched.as_deref(),
                    contradicted: p.contradicted,
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
        let mark = if p.covered { "covered" } else { "missed " };
        let label = p
            .label
            .as_deref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        write!(out, "  {mark}  {label}{}", p.text)?;
        if let Some(s) = p.span {
            let quoted = text.get(s.start..s.end).unwrap_or("").replace('\n', " ");
            write!(out, "  <- \"{quoted}\" (bytes {}..{})", s.start, s.end)?;
        } else if p.contradicted {
            write!(out, "  (the answer says the opposite)")?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "score: {}/{} key points ({:.0}%)",
        grade.covered(),
        grade.total(),
        grade.score() * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{KeyPoint, Scenario, Step};

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
    fn scenario_paragraphs_become_steps_with_file_offsets() {
        let c = card(CardKind::Scenario);
        let text = "Deactivate the key now.\n\n  \nThen review CloudTrail.\n";
        let (answer, offsets) = answer_for(&c, text);
        assert_eq!(
            answer,
            Answer::Steps(vec![
                "Deactivate the key now.".into(),
                "Then review CloudTrail.".into()
            ])
        );
        let g = to_file_offsets(grade_card(&c, &answer).unwrap(), &offsets);
        let s = g.points[1].span.unwrap();
        assert_eq!(&text[s.start..s.end], "review CloudTrail");
        // One paragraph: graded as a whole against every step.
        let (answer, _) = answer_for(&c, "Deactivate the key, review CloudTrail");
        assert!(matches!(answer, Answer::Text(_)));
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
            out.contains("covered  session token  <- \"session token\" (bytes 10..23)"),
            "{out}"
        );
        assert!(out.contains("score: 1/1 key points (100%)"), "{out}");
    }

    #[test]
    fn line_and_column_of_a_byte() {
        assert_eq!(line_column(""), (1, 1));
        assert_eq!(line_column("ab\ncd"), (2, 3));
    }
}
