//! Plain review mode: questions and answers as lines on stdin/stdout, for terminals without a
//! full screen, screen readers and scripts.
//!
//! For each card the question is printed; an empty line reveals the answer and the four ratings
//! with their intervals; `1`-`4` rates (the answer is stored before the next question is
//! printed), `u` undoes, `s` suspends, `b` buries, `q` quits. Anything else gets a one-line hint
//! and is asked again. End of input ends the session.

use std::io::{BufRead, Write};

use color_eyre::Result;
use serde::Serialize;

use crate::deck::Library;
use crate::deck::model::{Card, topic_title};
use crate::srs::clock::DayClock;
use crate::srs::scheduler::Rating;
use crate::srs::session::{Session, SessionKind};
use crate::store::Store;

/// What a plain session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PlainSummary {
    pub answered: u32,
    pub undone: u32,
    pub suspended: u32,
    pub buried: u32,
}

enum Stage {
    Question,
    Answer,
}

enum Input {
    Line(String),
    End,
}

fn read(input: &mut dyn BufRead) -> Result<Input> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(Input::End);
    }
    Ok(Input::Line(line.trim().to_lowercase()))
}

fn print_question(out: &mut dyn Write, card: &Card, session: &Session) -> Result<()> {
    let p = session.progress();
    writeln!(out)?;
    writeln!(
        out,
        "[{} new, {} learning, {} review left] {} ({})",
        p.new,
        p.learning,
        p.review,
        topic_title(&card.topic),
        card.id
    )?;
    writeln!(out, "Q: {}", card.question.trim())?;
    if let Some(sc) = &card.scenario {
        writeln!(out, "{}", sc.situation.trim())?;
    }
    writeln!(
        out,
        "(Enter: show the answer, u: undo, s: suspend, b: bury, q: quit)"
    )?;
    Ok(())
}

fn print_answer(
    out: &mut dyn Write,
    card: &Card,
    session: &Session,
    store: &Store,
    clock: &DayClock,
    now: i64,
) -> Result<()> {
    writeln!(out, "A:")?;
    // What a learner may see: wrong source passages marked, each followed by its correction.
    write!(out, "{}", card.learner_view().plain_answer())?;
    if let Some(previews) = session.previews(store.scheduler(), clock, now) {
        let buttons: Vec<String> = previews
            .iter()
            .map(|p| format!("{} {} ({})", p.rating.number(), p.rating.label(), p.label))
            .collect();
        writeln!(
            out,
            "Rate: {}   (u: undo, s: suspend, b: bury, q: quit)",
            buttons.join("   ")
        )?;
    }
    Ok(())
}

/// Runs a plain session over the library's cards. `now` gives the current time in unix ms.
pub fn run_plain(
    store: &mut Store,
    library: &Library,
    kind: SessionKind,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    now: &mut dyn FnMut() -> i64,
) -> Result<PlainSummary> {
    let clock = store.clock();
    let mut session = store.start_session(library.cards(), kind, now())?;
    let mut summary = PlainSummary::default();
    let mut stage = Stage::Question;
    let mut shown_at = now();
    let mut last_shown: Option<String> = None;
    loop {
        let t = now();
        session.refresh(t);
        let Some(card_id) = session.current().map(str::to_string) else {
            match session.next_learning_due() {
                Some(due) => writeln!(
                    out,
                    "\nDone for now: {} come back in {}.",
                    super::output::count(
                        session.progress().learning as u64,
                        "learning card",
                        "learning cards"
                    ),
                    crate::srs::scheduler::format_interval(due - t)
                )?,
                None => writeln!(
                    out,
                    "\nNothing more to review. Answered {}.",
                    summary.answered
                )?,
            }
            out.flush()?;
            return Ok(summary);
        };
        let Some(card) = library.card(&card_id) else {
            // Cards come from the library, so this only happens if the decks changed underneath.
            writeln!(
                out,
                "Card `{card_id}` is no longer in the decks; burying it."
            )?;
            store.bury(&mut session, t)?;
            continue;
        };
        if matches!(stage, Stage::Question) && last_shown.as_deref() != Some(card_id.as_str()) {
            print_question(out, card, &session)?;
            shown_at = t;
            last_shown = Some(card_id.clone());
        }
        out.flush()?;
        let line = match read(input)? {
            Input::End => return Ok(summary),
            Input::Line(l) => l,
        };
        match (line.as_str(), &stage) {
            ("q", _) => {
                writeln!(out, "Stopped. Answered {}.", summary.answered)?;
                out.flush()?;
                return Ok(summary);
            }
            ("u", _) => match store.undo(&mut session, now())? {
                Some(id) => {
                    summary.undone += 1;
                    summary.answered = summary.answered.saturating_sub(1);
                    writeln!(out, "Undone: {id}")?;
                    stage = Stage::Question;
                    last_shown = None;
                }
                None => writeln!(out, "Nothing to undo.")?,
            },
            ("s", _) => {
                store.suspend(&mut session, now())?;
                summary.suspended += 1;
                writeln!(out, "Suspended {card_id}.")?;
                stage = Stage::Question;
                last_shown = None;
            }
            ("b", _) => {
                store.bury(&mut session, now())?;
                summary.buried += 1;
                writeln!(out, "Buried {card_id} until tomorrow.")?;
                stage = Stage::Question;
                last_shown = None;
            }
            ("", Stage::Question) => {
                print_answer(out, card, &session, store, &clock, now())?;
                stage = Stage::Answer;
            }
            (n @ ("1" | "2" | "3" | "4"), Stage::Answer) => {
                let rating = n
                    .parse::<i64>()
                    .ok()
                    .and_then(Rating::from_number)
                    .unwrap_or(Rating::Good);
                let t = now();
                let duration =
                    u32::try_from((t - shown_at).clamp(0, i64::from(u32::MAX))).unwrap_or(u32::MAX);
                store.answer(&mut session, rating, duration, t)?;
                summary.answered += 1;
                writeln!(out, "Saved: {} ({card_id}).", rating.label())?;
                stage = Stage::Question;
                last_shown = None;
            }
            (_, Stage::Question) => writeln!(
                out,
                "Press Enter to see the answer (or u undo, s suspend, b bury, q quit)."
            )?,
            (_, Stage::Answer) => writeln!(
                out,
                "Type 1 Again, 2 Hard, 3 Good or 4 Easy (or u undo, s suspend, b bury, q quit)."
            )?,
        }
    }
}
