//! Flashcard review: question → reveal → rate, with table drills, scenario walkthroughs and the
//! ordering drill. Store writes (answer, undo, suspend, bury) are effects performed by the app.

use std::cell::Cell;
use std::collections::HashSet;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::deck::model::{Card, CardKind};
use crate::mock::grade::{Answer, Verdict, grade_card};
use crate::srs::{Preview, Rating, SessionProgress};
use crate::ui::text::{sanitize, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::input::TextInput;
use crate::ui::widgets::markup::{answer_lines, markup_lines, variant_lines};
use crate::ui::widgets::table::{CellShow, table_lines};
use crate::ui::{Action, Effect, Input, Open, Scope};

/// A store operation on the review session, performed by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOp {
    Answer { rating: Rating, duration_ms: i64 },
    Undo,
    Suspend,
    Bury,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableDrill {
    /// One column hidden.
    Column(usize),
    /// About a third of the cells hidden.
    Cells,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordering {
    /// Step indices in the shuffled order shown.
    pub shuffled: Vec<usize>,
    /// Step indices as the learner placed them.
    pub placed: Vec<usize>,
    pub cursor: usize,
    pub checked: bool,
}

impl Ordering {
    /// How many steps are in their right place.
    pub fn score(&self) -> usize {
        self.placed
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == **s)
            .count()
    }
    fn remaining(&self) -> Vec<usize> {
        self.shuffled
            .iter()
            .copied()
            .filter(|s| !self.placed.contains(s))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Question,
    /// Scenario: `shown` steps are visible; the last one's answer is visible when `answer_shown`.
    Walk {
        shown: usize,
        answer_shown: bool,
        marks: Vec<bool>,
    },
    Order(Ordering),
    Answer,
}

#[derive(Debug, Clone)]
pub struct ReviewScreen {
    pub title: String,
    pub card: Option<Card>,
    pub stage: Stage,
    pub previews: Option<[Preview; 4]>,
    pub progress: SessionProgress,
    pub scroll: u16,
    pub show_variants: bool,
    pub table_drill: TableDrill,
    pub hidden: HashSet<(usize, usize)>,
    pub card_started: i64,
    pub session_started: i64,
    pub now: i64,
    /// When the session has no card now but learning cards come back later.
    pub next_learning: Option<i64>,
    pub message: Option<String>,
    pub theme: Theme,
    pub can_undo: bool,
    /// Steps had / steps in the last walkthrough or ordering drill of this card.
    pub last_marks: Option<(usize, usize)>,
    /// Steps missed in the walkthrough.
    pub missed: Vec<usize>,
    /// The session's topics (empty: all), for going on from its summary.
    pub topics: Vec<String>,
    /// When the session ran out of cards: the clock in the header stops there.
    pub ended_at: Option<i64>,
    /// Cards that became leeches in this session.
    pub leeches: Vec<String>,
    /// Shown once the session has no card (gathered by the app).
    pub summary: Option<super::summary::Summary>,
    /// The walkthrough's answer field for the current step.
    pub step_input: TextInput,
    /// The field takes the keys (until Esc leaves it for this step).
    pub step_typing: bool,
    /// What the learner typed for each step, with the grader's verdict.
    pub step_grades: Vec<Option<StepGrade>>,
    /// The view follows the current step (or highlighted step) until the learner scrolls.
    follow: bool,
    /// The scroll offset and body height of the last frame drawn, so scrolling starts where the
    /// view is and a page is the body's height.
    view: Cell<(u16, u16)>,
}

/// A walkthrough step answered in the field, graded by the mock's grader against that step's own
/// key points (or its model answer) only.
#[derive(Debug, Clone, PartialEq)]
pub struct StepGrade {
    pub typed: String,
    pub verdict: Verdict,
    /// What the step is graded on.
    pub point: String,
    /// The typed words that earned (or contradicted) it.
    pub evidence: Option<String>,
}

/// Grades the text typed for one step of a scenario card against that step only.
pub fn grade_step(card: &Card, step: usize, typed: &str) -> Option<StepGrade> {
    let n = card.scenario.as_ref()?.steps.len();
    if step >= n {
        return None;
    }
    let mut parts = vec![String::new(); n];
    parts[step] = typed.to_string();
    let grade = grade_card(card, &Answer::Steps(parts)).ok()?;
    let point = grade.points.into_iter().nth(step)?;
    Some(StepGrade {
        typed: typed.to_string(),
        verdict: point.verdict(),
        point: point.text,
        evidence: point.evidence,
    })
}

fn seed_of(id: &str, salt: u64) -> u64 {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf29ce484222325 ^ salt;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl ReviewScreen {
    pub fn new(title: impl Into<String>, theme: Theme, now: i64) -> Self {
        ReviewScreen {
            title: title.into(),
            card: None,
            stage: Stage::Question,
            previews: None,
            progress: SessionProgress::default(),
            scroll: 0,
            show_variants: false,
            table_drill: TableDrill::Column(1),
            hidden: HashSet::new(),
            card_started: now,
            session_started: now,
            now,
            next_learning: None,
            message: None,
            theme,
            can_undo: false,
            last_marks: None,
            missed: Vec::new(),
            topics: Vec::new(),
            ended_at: None,
            leeches: Vec::new(),
            summary: None,
            step_input: TextInput::new(),
            step_typing: true,
            step_grades: Vec::new(),
            follow: true,
            view: Cell::new((0, 0)),
        }
    }

    /// The walkthrough invites typing: the current step is not shown yet and the learner has not
    /// left the field. Letters are text then, so no single key changes the card.
    pub fn takes_text(&self) -> bool {
        self.card.is_some()
            && !self.show_variants
            && self.step_typing
            && matches!(
                self.stage,
                Stage::Walk {
                    answer_shown: false,
                    ..
                }
            )
    }

    pub fn context(&self) -> Scope {
        if self.card.is_none() {
            return Scope::Summary;
        }
        match &self.stage {
            Stage::Walk { .. } if self.takes_text() => Scope::ScenarioTyping,
            Stage::Walk { .. } => Scope::Scenario,
            Stage::Order(_) => Scope::Ordering,
            _ => Scope::Review,
        }
    }

    /// Shows a new current card (or none), after the session moved.
    pub fn show(
        &mut self,
        card: Option<Card>,
        previews: Option<[Preview; 4]>,
        progress: SessionProgress,
        now: i64,
    ) {
        let changed = self.card.as_ref().map(|c| &c.id) != card.as_ref().map(|c| &c.id);
        self.card = card;
        if self.card.is_none() {
            self.ended_at.get_or_insert(now);
        } else {
            self.ended_at = None;
            self.summary = None;
        }
        self.previews = previews;
        self.progress = progress;
        if changed || self.stage != Stage::Question {
            self.stage = Stage::Question;
            self.scroll = 0;
            self.show_variants = false;
            self.card_started = now;
            self.last_marks = None;
            self.missed.clear();
            self.new_step();
            self.step_grades.clear();
            self.follow = true;
        }
        self.table_drill = match &self.card {
            Some(c) if c.kind == CardKind::Table => {
                let cols = c
                    .table
                    .as_ref()
                    .map(|t| t.headers.len())
                    .unwrap_or(2)
                    .max(2);
                TableDrill::Column(
                    1 + (seed_of(&c.id, progress.answered as u64) as usize) % (cols - 1),
                )
            }
            _ => TableDrill::Column(1),
        };
        self.rehide();
    }

    fn rehide(&mut self) {
        self.hidden.clear();
        let Some(t) = self.card.as_ref().and_then(|c| c.table.as_ref()) else {
            return;
        };
        match self.table_drill {
            TableDrill::Column(col) => {
                for r in 0..t.rows.len() {
                    self.hidden.insert((r, col));
                }
            }
            TableDrill::Cells => {
                let seed = seed_of(self.card.as_ref().map(|c| c.id.as_str()).unwrap_or(""), 7);
                for r in 0..t.rows.len() {
                    for c in 1..t.headers.len() {
                        if seed_of(&format!("{r}:{c}"), seed).is_multiple_of(3) {
                            self.hidden.insert((r, c));
                        }
                    }
                }
                if self.hidden.is_empty() && !t.rows.is_empty() {
                    self.hidden.insert((0, 1));
                }
            }
        }
    }

    fn steps_len(&self) -> usize {
        self.card
            .as_ref()
            .and_then(|c| c.scenario.as_ref())
            .map(|s| s.steps.len())
            .unwrap_or(0)
    }

    fn rate(&self, n: u8) -> Effect {
        let revealed = matches!(self.stage, Stage::Answer)
            || matches!(&self.stage, Stage::Order(o) if o.checked);
        match (Rating::from_number(i64::from(n)), revealed) {
            (Some(rating), true) => Effect::Session(SessionOp::Answer {
                rating,
                duration_ms: (self.now - self.card_started).max(0),
            }),
            _ => Effect::None,
        }
    }

    /// The rating a walkthrough or ordering drill suggests from the steps the learner had.
    pub fn suggested_rating(&self) -> Option<Rating> {
        let (had, total) = match &self.stage {
            Stage::Order(o) if o.checked => (o.score(), o.shuffled.len()),
            Stage::Answer => self.last_marks?,
            _ => return None,
        };
        let share = had as f32 / total.max(1) as f32;
        Some(match share {
            s if s >= 0.99 => Rating::Good,
            s if s >= 0.6 => Rating::Hard,
            _ => Rating::Again,
        })
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        self.message = None;
        let Some(card) = self.card.clone() else {
            let topics = self.topics.clone();
            return match input {
                Input::Action(Action::Undo) if self.can_undo => Effect::Session(SessionOp::Undo),
                Input::Action(Action::LearnMore) => Effect::Replace(Open::LearnMore {
                    topics,
                    n: super::summary::LEARN_MORE,
                }),
                Input::Action(Action::StudyAhead) => Effect::Replace(Open::StudyAhead {
                    topics,
                    days: super::summary::AHEAD_DAYS,
                }),
                Input::Action(Action::Cram) => {
                    Effect::Replace(Open::TopicPicker(crate::ui::Purpose::Cram))
                }
                Input::Action(Action::Mock) => {
                    Effect::Replace(Open::TopicPicker(crate::ui::Purpose::Mock))
                }
                input => {
                    // The summary scrolls when the window is short.
                    self.scroll_view(&input);
                    Effect::None
                }
            };
        };
        if self.takes_text() {
            match &input {
                Input::Key(ev) => {
                    let space = ev.code == ratatui::crossterm::event::KeyCode::Char(' ')
                        && ev.modifiers.is_empty();
                    if space && self.step_input.is_empty() {
                        // Nothing typed: Space shows the step, as when the answer is said.
                        self.advance(&card);
                    } else {
                        self.step_input.handle_key(ev);
                    }
                    return Effect::None;
                }
                Input::Paste(text) => {
                    self.step_input.insert_str(text);
                    return Effect::None;
                }
                Input::Action(Action::Submit) => {
                    self.check_step(&card);
                    return Effect::None;
                }
                Input::Action(Action::Edit) => {
                    self.step_typing = false;
                    self.message = Some(
                        "Left the answer field: letters are commands again (i: type the step)."
                            .into(),
                    );
                    return Effect::None;
                }
                _ => {}
            }
        }
        let ordering = matches!(&self.stage, Stage::Order(o) if !o.checked);
        // In the ordering drill the arrows move between steps instead.
        let arrow = matches!(input, Input::Action(Action::Up | Action::Down));
        if !(ordering && arrow) && self.scroll_view(&input) {
            return Effect::None;
        }
        match input {
            Input::Action(action) => self.on_action(action, &card),
            _ => Effect::None,
        }
    }

    /// Scrolls the body: a line, a page (the body's height), to the top or the bottom, from where
    /// the view was last drawn. The view stops following the current step.
    fn scroll_view(&mut self, input: &Input) -> bool {
        let (shown, height) = self.view.get();
        let page = height.saturating_sub(1).max(1);
        let mut offset = shown;
        match input {
            Input::Action(Action::PageDown) => offset = offset.saturating_add(page),
            Input::Action(Action::PageUp) => offset = offset.saturating_sub(page),
            // Drawing stops at the last line.
            Input::Action(Action::Bottom) => offset = u16::MAX,
            other => {
                if !crate::ui::scroll(&mut offset, other) {
                    return false;
                }
            }
        }
        self.scroll = offset;
        self.follow = false;
        true
    }

    /// A fresh, focused answer field for the next walkthrough step.
    fn new_step(&mut self) {
        self.step_input = TextInput::new();
        self.step_typing = true;
    }

    /// Grades what was typed for the current step (if anything) and shows the step's answer.
    fn check_step(&mut self, card: &Card) {
        let n = self.steps_len();
        let Stage::Walk {
            shown,
            answer_shown: false,
            ..
        } = &self.stage
        else {
            return;
        };
        let step = shown.saturating_sub(1);
        let typed = self.step_input.text();
        if !typed.trim().is_empty() {
            self.step_grades.resize(n, None);
            if let Some(slot) = self.step_grades.get_mut(step) {
                *slot = grade_step(card, step, &typed);
            }
        }
        self.step_input = TextInput::new();
        self.advance(card);
    }

    /// The grader's verdict on the current step, when one was typed.
    fn current_grade(&self) -> Option<&StepGrade> {
        let Stage::Walk { shown, .. } = &self.stage else {
            return None;
        };
        self.step_grades.get(shown.checked_sub(1)?)?.as_ref()
    }

    fn on_action(&mut self, action: Action, card: &Card) -> Effect {
        if let Stage::Order(o) = &mut self.stage
            && !o.checked
            && matches!(action, Action::Up | Action::Down)
        {
            self.follow = true;
            let n = o.remaining().len();
            o.cursor = match action {
                Action::Up => o.cursor.saturating_sub(1),
                _ => (o.cursor + 1).min(n.saturating_sub(1)),
            };
            return Effect::None;
        }
        match action {
            Action::Rate(n) => return self.rate(n),
            Action::Undo if self.can_undo => return Effect::Session(SessionOp::Undo),
            Action::Suspend => return Effect::Session(SessionOp::Suspend),
            Action::Bury => return Effect::Session(SessionOp::Bury),
            Action::Variants => {
                if card.variants.is_empty() {
                    self.message = Some("This question has no other versions.".into());
                } else {
                    self.show_variants = !self.show_variants;
                    self.scroll = 0;
                }
            }
            Action::Mode => self.switch_mode(card),
            Action::Reveal | Action::Select => self.advance(card),
            Action::Got | Action::Missed => self.mark(action == Action::Got),
            Action::Edit => match self.stage {
                Stage::Walk {
                    answer_shown: false,
                    ..
                } => {
                    self.step_typing = true;
                    self.follow = true;
                }
                Stage::Walk { .. } => {
                    self.message = Some("This step is shown: y had it · n missed it.".into());
                }
                _ => {}
            },
            Action::Submit => {
                if let Stage::Order(o) = &mut self.stage
                    && o.placed.len() == o.shuffled.len()
                {
                    o.checked = true;
                    self.last_marks = Some((o.score(), o.shuffled.len()));
                    self.scroll = 0;
                }
            }
            _ => {}
        }
        Effect::None
    }

    fn switch_mode(&mut self, card: &Card) {
        match card.kind {
            CardKind::Table if self.stage == Stage::Question => {
                self.table_drill = match self.table_drill {
                    TableDrill::Column(c) => {
                        let cols = card.table.as_ref().map(|t| t.headers.len()).unwrap_or(2);
                        if c + 1 < cols {
                            TableDrill::Column(c + 1)
                        } else {
                            TableDrill::Cells
                        }
                    }
                    TableDrill::Cells => TableDrill::Column(1),
                };
                self.rehide();
            }
            CardKind::Scenario if matches!(self.stage, Stage::Question | Stage::Walk { .. }) => {
                let n = self.steps_len();
                let mut shuffled: Vec<usize> = (0..n).collect();
                // A deterministic shuffle that never leaves the steps in order (when n > 1).
                let seed = seed_of(&card.id, self.progress.answered as u64);
                shuffled.sort_by_key(|i| seed_of(&i.to_string(), seed));
                if n > 1 && shuffled.iter().enumerate().all(|(i, s)| i == *s) {
                    shuffled.reverse();
                }
                self.stage = Stage::Order(Ordering {
                    shuffled,
                    placed: Vec::new(),
                    cursor: 0,
                    checked: false,
                });
                self.scroll = 0;
            }
            _ => {}
        }
    }

    fn advance(&mut self, card: &Card) {
        let n = self.steps_len();
        self.follow = true;
        match &mut self.stage {
            Stage::Question if card.kind == CardKind::Scenario && n > 0 => {
                self.stage = Stage::Walk {
                    shown: 1,
                    answer_shown: false,
                    marks: Vec::new(),
                };
                self.new_step();
                self.step_grades.clear();
            }
            Stage::Question => {
                self.stage = Stage::Answer;
                self.scroll = 0;
            }
            Stage::Walk { answer_shown, .. } if !*answer_shown => *answer_shown = true,
            Stage::Walk { .. } => {
                self.message = Some("Mark the step: y had it, n missed it.".into());
            }
            Stage::Order(o) if !o.checked => {
                let remaining = o.remaining();
                if let Some(&step) = remaining.get(o.cursor) {
                    o.placed.push(step);
                    o.cursor = o.cursor.min(remaining.len().saturating_sub(2));
                }
                if o.placed.len() == o.shuffled.len() {
                    o.checked = true;
                    self.last_marks = Some((o.score(), o.shuffled.len()));
                }
            }
            _ => {}
        }
    }

    fn mark(&mut self, got: bool) {
        let n = self.steps_len();
        if let Stage::Walk {
            shown,
            answer_shown,
            marks,
        } = &mut self.stage
        {
            if !*answer_shown {
                *answer_shown = true;
                return;
            }
            marks.push(got);
            self.follow = true;
            if *shown < n {
                *shown += 1;
                *answer_shown = false;
                self.new_step();
            } else {
                let had = marks.iter().filter(|m| **m).count();
                self.last_marks = Some((had, n));
                self.missed = marks
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| !**m)
                    .map(|(i, _)| i)
                    .collect();
                self.stage = Stage::Answer;
                self.scroll = 0;
            }
        }
    }
}

/// The scroll offset moved as little as needed to show `focus` (a range of line indices) in a
/// view of `height` lines; the focus's first line wins when the range is taller than the view.
fn keep_in_view(scroll: u16, focus: Option<(usize, usize)>, height: u16) -> u16 {
    let Some((first, last)) = focus else {
        return scroll;
    };
    let (first, last) = (first as u16, last as u16);
    let mut scroll = scroll;
    if last >= scroll.saturating_add(height) {
        scroll = last + 1 - height.min(last + 1);
    }
    scroll.min(first)
}

pub(crate) fn fmt_clock(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

impl ReviewScreen {
    fn header(&self) -> Line<'static> {
        let t = &self.theme;
        let p = &self.progress;
        let position = p.answered + u32::from(self.card.is_some());
        let total = p.answered + p.remaining();
        Line::from(vec![
            Span::styled(self.title.clone(), t.title),
            Span::styled(format!("  card {position}/{total}"), t.text),
            Span::styled(
                format!(
                    "  new {} · learning {} · review {}",
                    p.new, p.learning, p.review
                ),
                t.dim,
            ),
            Span::styled(
                format!(
                    "  time {}",
                    fmt_clock(self.ended_at.unwrap_or(self.now) - self.session_started)
                ),
                t.dim,
            ),
        ])
    }

    fn table_show(&self, revealed: bool) -> impl Fn(usize, usize) -> CellShow + '_ {
        move |r, c| match (self.hidden.contains(&(r, c)), revealed) {
            (true, false) => CellShow::Hidden,
            (true, true) => CellShow::Revealed,
            _ => CellShow::Normal,
        }
    }

    /// The scrollable body for the current stage.
    pub fn body_lines(&self, width: u16) -> Vec<Line<'static>> {
        self.body(width).0
    }

    /// The body, and the lines (first, last) that must stay in view: the highlighted step of an
    /// ordering drill, which long steps would otherwise push below the screen.
    fn body(&self, width: u16) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
        let t = &self.theme;
        let Some(card) = &self.card else {
            return match &self.summary {
                Some(s) => (s.lines(width, self.now, &self.theme), None),
                None => (self.done_lines(), None),
            };
        };
        let mut focus = None;
        let w = width as usize;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let kind = match card.kind {
            CardKind::Basic => "",
            CardKind::Table => " · table",
            CardKind::Scenario => " · scenario",
        };
        lines.push(Line::from(Span::styled(
            format!("{}{kind} · {:?}", card.topic, card.difficulty).to_lowercase(),
            t.dim,
        )));
        lines.extend(crate::ui::widgets::markup::question_lines(
            &card.question,
            w as u16,
            t,
        ));
        lines.push(Line::default());
        if self.show_variants {
            lines.push(Line::from(Span::styled(
                "Other guides ask it this way (v to go back):",
                t.dim,
            )));
            lines.push(Line::default());
            lines.extend(variant_lines(card, width, t));
            return (lines, None);
        }
        match (&self.stage, card.kind) {
            (Stage::Question, CardKind::Table) => {
                if let Some(table) = &card.table {
                    lines.extend(table_lines(
                        &table.headers,
                        &table.rows,
                        width,
                        t,
                        &self.table_show(false),
                    ));
                }
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    "Recall the ? cells, then Space to reveal · d: hide another column / random cells",
                    t.dim,
                )));
            }
            (Stage::Question, CardKind::Scenario) => {
                if let Some(sc) = &card.scenario {
                    for l in wrap(&sanitize(&sc.situation), w) {
                        lines.push(Line::from(l));
                    }
                    lines.push(Line::default());
                    lines.push(Line::from(Span::styled(
                        format!(
                            "{} steps. Space: walk through them one at a time · o: ordering drill",
                            sc.steps.len()
                        ),
                        t.dim,
                    )));
                }
            }
            (Stage::Question, _) => {
                lines.push(Line::from(Span::styled(
                    "Think of your answer, then Space to reveal.",
                    t.dim,
                )));
            }
            (
                Stage::Walk {
                    shown,
                    answer_shown,
                    marks,
                },
                _,
            ) => {
                if let Some(sc) = &card.scenario {
                    for l in wrap(&sanitize(&sc.situation), w) {
                        lines.push(Line::from(Span::styled(l, t.dim)));
                    }
                    let mut phase: Option<&str> = None;
                    for (i, step) in sc.steps.iter().enumerate().take(*shown) {
                        let current = i + 1 == *shown;
                        if current {
                            focus = Some((lines.len(), lines.len()));
                        }
                        if let Some(p) = step.phase.as_deref()
                            && phase != Some(p)
                        {
                            phase = Some(p);
                            lines.push(Line::default());
                            lines.push(Line::from(Span::styled(format!("── {p} ──"), t.title)));
                        }
                        let mark = match marks.get(i) {
                            Some(true) => Span::styled("✓ ", t.good),
                            Some(false) => Span::styled("✗ ", t.bad),
                            None => Span::styled("• ", t.key),
                        };
                        let prompt = format!("Step {}: {}", i + 1, sanitize(&step.prompt));
                        for (k, l) in wrap(&prompt, w.saturating_sub(2)).into_iter().enumerate() {
                            let lead = if k == 0 {
                                mark.clone()
                            } else {
                                Span::raw("  ")
                            };
                            lines.push(Line::from(vec![lead, Span::styled(l, t.text)]));
                        }
                        if let Some(g) = self.step_grades.get(i).and_then(Option::as_ref) {
                            lines.extend(self.grade_lines(g, w));
                        }
                        if i + 1 < *shown || *answer_shown {
                            for l in markup_lines(
                                &step.answer,
                                width.saturating_sub(2),
                                t,
                                &step.key_points,
                            ) {
                                let mut spans = vec![Span::raw("  ")];
                                spans.extend(l.spans);
                                lines.push(Line::from(spans));
                            }
                        } else if self.step_typing || !self.step_input.is_empty() {
                            let field = self.step_input.lines(
                                width.saturating_sub(4),
                                t.text,
                                self.takes_text(),
                            );
                            for (k, l) in field.into_iter().enumerate() {
                                let lead = if k == 0 { "  › " } else { "    " };
                                let mut spans = vec![Span::styled(lead, t.key)];
                                spans.extend(l.spans);
                                lines.push(Line::from(spans));
                            }
                        }
                        if current && let Some(f) = focus.as_mut() {
                            f.1 = lines.len().saturating_sub(1);
                        }
                    }
                }
            }
            (Stage::Order(o), _) => {
                let start = lines.len();
                let (order, highlighted) = self.order_lines(card, o, width);
                focus = highlighted.map(|(a, b)| (start + a, start + b));
                lines.extend(order);
            }
            (Stage::Answer, CardKind::Scenario) => {
                if let Some((had, total)) = self.last_marks {
                    lines.push(Line::from(Span::styled(
                        format!("You had {had} of {total} steps."),
                        t.title,
                    )));
                    if !self.missed.is_empty() {
                        lines.push(Line::from(Span::styled("Missed:", t.bad)));
                        if let Some(sc) = &card.scenario {
                            for &i in &self.missed {
                                if let Some(step) = sc.steps.get(i) {
                                    for (k, l) in wrap(&sanitize(&step.answer), w.saturating_sub(4))
                                        .into_iter()
                                        .enumerate()
                                    {
                                        let lead = if k == 0 {
                                            format!("✗ {}. ", i + 1)
                                        } else {
                                            "    ".into()
                                        };
                                        lines.push(Line::from(vec![
                                            Span::styled(lead, t.bad),
                                            Span::raw(l),
                                        ]));
                                    }
                                }
                            }
                        }
                    }
                    lines.push(Line::default());
                }
                lines.extend(answer_lines(card, width, t, true));
            }
            (Stage::Answer, CardKind::Table) => {
                if let Some(table) = &card.table {
                    lines.extend(table_lines(
                        &table.headers,
                        &table.rows,
                        width,
                        t,
                        &self.table_show(true),
                    ));
                }
                lines.push(Line::default());
                lines.extend(answer_lines(card, width, t, true));
            }
            (Stage::Answer, _) => lines.extend(answer_lines(card, width, t, true)),
        }
        (lines, focus)
    }

    /// What was typed for a step and the grader's verdict on it.
    fn grade_lines(&self, g: &StepGrade, w: usize) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = Vec::new();
        for (k, l) in wrap(&sanitize(&g.typed), w.saturating_sub(8))
            .into_iter()
            .enumerate()
        {
            let lead = if k == 0 { "  You: " } else { "       " };
            lines.push(Line::from(vec![
                Span::styled(lead, t.dim),
                Span::styled(l, t.text),
            ]));
        }
        let (mark, word, style) = match g.verdict {
            Verdict::Covered => ("✓", "had it", t.good),
            Verdict::Missed => ("✗", "missed", t.bad),
            Verdict::Contradicted => ("✗", "said the opposite of", t.bad),
        };
        let said = format!("  {mark} Grader: you {word}: {}", sanitize(&g.point));
        for (k, l) in wrap(&said, w).into_iter().enumerate() {
            let l = if k == 0 { l } else { format!("    {l}") };
            lines.push(Line::from(Span::styled(l, style)));
        }
        lines
    }

    /// The walkthrough's prompt under the body: what to do with the current step. It stays on
    /// screen however long the steps are.
    fn walk_hint(&self) -> Option<String> {
        let Stage::Walk { answer_shown, .. } = &self.stage else {
            return None;
        };
        if self.card.is_none() || self.show_variants {
            return None;
        }
        Some(if *answer_shown {
            match self.current_grade().map(|g| g.verdict) {
                Some(Verdict::Covered) => {
                    "The grader says you had it. y: I had it · n: I missed it".to_string()
                }
                Some(_) => "The grader says you missed it. y: I had it · n: I missed it".into(),
                None => "y: I had it · n: I missed it".into(),
            }
        } else if self.takes_text() {
            if self.step_input.is_empty() {
                "Type the step, Enter checks it · or say it, then Space shows it · Esc: commands"
                    .into()
            } else {
                "Enter checks the typed step and shows it · Esc: commands".into()
            }
        } else {
            "Say the step, then Space to reveal it · i: type it".into()
        })
    }

    /// The ordering drill's lines, and the line range of the highlighted step while placing.
    fn order_lines(
        &self,
        card: &Card,
        o: &Ordering,
        width: u16,
    ) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
        let t = &self.theme;
        let w = width as usize;
        let Some(sc) = &card.scenario else {
            return (Vec::new(), None);
        };
        let mut lines = Vec::new();
        let mut highlighted = None;
        let step_text = |i: usize| sanitize(&sc.steps[i].answer.replace('`', ""));
        if !o.checked {
            lines.push(Line::from(Span::styled(
                "Put the steps in order: Enter places the highlighted step.",
                t.dim,
            )));
            for (k, &i) in o.remaining().iter().enumerate() {
                let style = if k == o.cursor { t.selected } else { t.text };
                let cursor = if k == o.cursor { "› " } else { "  " };
                let first = lines.len();
                for (n, l) in wrap(&step_text(i), w.saturating_sub(2))
                    .into_iter()
                    .enumerate()
                {
                    lines.push(Line::from(Span::styled(
                        format!("{}{l}", if n == 0 { cursor } else { "  " }),
                        style,
                    )));
                }
                if k == o.cursor && lines.len() > first {
                    highlighted = Some((first, lines.len() - 1));
                }
            }
            if !o.placed.is_empty() {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled("Your order:", t.title)));
                for (pos, &i) in o.placed.iter().enumerate() {
                    lines.push(Line::from(format!(
                        "{}. {}",
                        pos + 1,
                        crate::ui::text::truncate(&step_text(i), w.saturating_sub(4))
                    )));
                }
            }
        } else {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} of {} steps in the right place.",
                    o.score(),
                    o.shuffled.len()
                ),
                t.title,
            )));
            for (pos, &i) in o.placed.iter().enumerate() {
                let (mark, style) = if pos == i {
                    ("✓", t.good)
                } else {
                    ("✗", t.bad)
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} {}. ", pos + 1), style),
                    Span::raw(crate::ui::text::truncate(
                        &step_text(i),
                        w.saturating_sub(6),
                    )),
                ]));
            }
            lines.push(Line::default());
            lines.push(Line::from(Span::styled("The right order:", t.title)));
            for (i, step) in sc.steps.iter().enumerate() {
                let phase = step
                    .phase
                    .as_deref()
                    .map(|p| format!("[{p}] "))
                    .unwrap_or_default();
                lines.push(Line::from(format!(
                    "{}. {phase}{}",
                    i + 1,
                    crate::ui::text::truncate(&step_text(i), w.saturating_sub(6 + phase.len()))
                )));
            }
        }
        (lines, highlighted)
    }

    fn done_lines(&self) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "Session complete: {} answered in {}.",
                self.progress.answered,
                fmt_clock(self.now - self.session_started)
            ),
            t.good,
        ))];
        if let Some(due) = self.next_learning {
            let wait = ((due - self.now).max(0) + 59_999) / 60_000;
            lines.push(Line::from(format!(
                "A learning card comes back in {wait} min; this screen picks it up."
            )));
        }
        lines.push(Line::from(Span::styled(
            "q: back to the dashboard · u: undo the last answer",
            t.dim,
        )));
        lines
    }

    fn rating_line(&self, width: u16) -> Option<Line<'static>> {
        let t = &self.theme;
        let revealed = matches!(self.stage, Stage::Answer)
            || matches!(&self.stage, Stage::Order(o) if o.checked);
        if !revealed || self.card.is_none() {
            return None;
        }
        let previews = self.previews.as_ref()?;
        let suggested = self.suggested_rating();
        let wide = width >= 50;
        let mut spans = Vec::new();
        for (i, p) in previews.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(if wide { " │ " } else { " " }, t.dim));
            }
            let mark = if suggested == Some(p.rating) {
                "◆"
            } else {
                ""
            };
            // Narrow windows drop the words and keep the keys and intervals.
            let name = if wide {
                format!(" {}", p.rating.label())
            } else {
                String::new()
            };
            spans.push(Span::styled(
                format!("{}{mark}{name}", p.rating.number()),
                t.ratings[i],
            ));
            spans.push(Span::styled(format!(" {}", p.label), t.text));
        }
        Some(Line::from(spans))
    }
}

impl Widget for &ReviewScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let rating = self.rating_line(area.width);
        let mut bottom_lines = Vec::new();
        let width = area.width.max(1) as usize;
        if let Some(m) = &self.message {
            for l in wrap(m, width) {
                bottom_lines.push(Line::from(Span::styled(l, t.warn)));
            }
        }
        if let Some(h) = self.walk_hint() {
            for l in wrap(&h, width) {
                bottom_lines.push(Line::from(Span::styled(l, t.dim)));
            }
        }
        if let Some(r) = rating {
            bottom_lines.push(r);
        }
        // The body keeps at least a few lines; what does not fit of the bottom is cut.
        let bottom_h = (bottom_lines.len() as u16).min(area.height.saturating_sub(4) / 2);
        let [head, body, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(bottom_h),
        ])
        .areas(area);
        Paragraph::new(self.header()).render(head, buf);
        let (lines, focus) = self.body(body.width.min(crate::ui::READABLE_WIDTH));
        let max_scroll = (lines.len() as u16).saturating_sub(body.height);
        let follow = self.follow || matches!(self.stage, Stage::Order(_));
        let scroll = if follow {
            keep_in_view(self.scroll, focus, body.height)
        } else {
            self.scroll
        }
        .min(max_scroll);
        self.view.set((scroll, body.height));
        Paragraph::new(lines).scroll((scroll, 0)).render(body, buf);
        if scroll < max_scroll && body.width > 4 {
            let more = Span::styled("▼ more", t.dim);
            buf.set_span(
                body.x + body.width.saturating_sub(7),
                body.y + body.height - 1,
                &more,
                7,
            );
        }
        Paragraph::new(bottom_lines)
            .wrap(Wrap { trim: true })
            .render(bottom, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::keep_in_view;

    #[test]
    fn the_view_moves_only_as_far_as_the_focus_needs() {
        // No focus: the scroll stays.
        assert_eq!(keep_in_view(7, None, 10), 7);
        // Already visible.
        assert_eq!(keep_in_view(0, Some((2, 4)), 10), 0);
        // Below the view: scroll until its last line is the view's last line.
        assert_eq!(keep_in_view(0, Some((12, 14)), 10), 5);
        // Above the view: scroll up to its first line.
        assert_eq!(keep_in_view(9, Some((3, 4)), 10), 3);
        // Taller than the view: its first line wins.
        assert_eq!(keep_in_view(0, Some((5, 30)), 10), 5);
    }
}
