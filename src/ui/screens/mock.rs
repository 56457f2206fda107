//! The timed mock interview: a question with its countdown gauge and the overall clock, typed
//! answers (one input per scenario step or hidden table cell), the graded verdict with the words
//! that earned each key point, the learner's 1-4 rating, and the end-of-interview report.
//!
//! The app's time is unix milliseconds; the mock domain wants `Instant`s. The screen keeps an
//! origin pair (an `Instant` and the ms value it stands for) and converts, so tests drive the
//! clocks with plain ms values.

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::context::keymap::Scope;
use crate::deck::model::{Card, CardKind, topic_title};
use crate::mock::grade::{Answer, PointGrade, Verdict, hidden_cells};
use crate::mock::report::{MockReport, QuestionStatus};
use crate::mock::session::{MockEvent, MockSession, Phase};
use crate::mock::timer::clock_text;
use crate::ui::text::{sanitize, truncate, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::charts::{Bar, bar_lines};
use crate::ui::widgets::input::{Edit, TextInput};
use crate::ui::widgets::markup::answer_lines;
use crate::ui::widgets::table::{CellShow, table_lines};
use crate::ui::{Action, Effect, Input};

/// How to set up an interview (`iamdrill mock` flags; the dashboard uses the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockOptions {
    pub minutes: u64,
    pub questions: usize,
    pub topics: Vec<String>,
    /// Reproduces a selection; when absent one is picked and shown on the report.
    pub seed: Option<u64>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            minutes: 30,
            questions: 8,
            topics: Vec::new(),
            seed: None,
        }
    }
}

/// Chooses the questions: weak topics (predicted recall, misses in past reports) and unseen cards
/// (no review yet) weigh more.
pub fn start_session(
    lib: &crate::deck::Library,
    store: &crate::store::Store,
    opts: &MockOptions,
    now: i64,
) -> Result<MockSession, String> {
    use crate::mock::select::{SelectOptions, TopicWeakness, select};
    let err = |e: crate::store::StoreError| e.to_string();
    let mut weak = TopicWeakness::default();
    let stats = store.stats(lib.cards(), now).map_err(err)?;
    for r in &stats.recall {
        if let Some(p) = r.predicted_recall {
            weak.recall.insert(r.topic.clone(), f64::from(p));
        }
    }
    for row in store.mock_sessions().map_err(err)? {
        // A report that no longer parses (an older format) only loses its weight here.
        if let Ok(report) = MockReport::from_json(&row.report_json) {
            weak.add_mock_report(&report);
        }
    }
    let seen: std::collections::HashSet<String> =
        store.load_progress().map_err(err)?.into_keys().collect();
    let seed = opts
        .seed
        .unwrap_or_else(|| (now as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16);
    let select_opts = SelectOptions {
        questions: opts.questions,
        topics: opts.topics.clone(),
        seed,
    };
    let picked: Vec<Card> = select(lib.cards(), &weak, &seen, &select_opts)
        .into_iter()
        .cloned()
        .collect();
    if picked.is_empty() {
        return Err(if opts.topics.is_empty() {
            "no card can be asked in a mock interview".into()
        } else {
            format!(
                "no card of {} {} can be asked in a mock interview",
                if opts.topics.len() == 1 {
                    "topic"
                } else {
                    "topics"
                },
                opts.topics.join(", ")
            )
        });
    }
    MockSession::new(
        picked,
        Duration::from_secs(opts.minutes.saturating_mul(60)),
        Some(seed),
    )
    .map_err(|e| e.to_string())
}

/// The confirmation asked before an interview is abandoned.
pub const QUIT_QUESTION: &str =
    "Quit the interview? What you answered so far is saved as a partial report.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A question is open (or paused).
    Question,
    /// The verdict on the last question, waiting for the 1-4 rating.
    Grade {
        status: QuestionStatus,
    },
    Report,
}

/// One answer field: the whole answer, a scenario step, or a hidden table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub label: Option<String>,
    pub input: TextInput,
}

/// A rating the app must log with the scheduler (mode mock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRating {
    pub card_id: String,
    pub rating: u8,
    pub duration_ms: u64,
}

/// A card the learner missed and rated low: when it is due again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAgain {
    pub card_id: String,
    pub due: i64,
}

pub struct MockScreen {
    pub session: MockSession,
    origin: (Instant, i64),
    /// The app's time (unix ms) at the last input or tick.
    pub now: i64,
    pub started_at: i64,
    pub parts: Vec<Part>,
    /// The part being typed.
    pub part: usize,
    /// Keys go to the text input.
    pub focused: bool,
    pub view: View,
    /// The key point selected in the verdict (to flip it).
    pub point: usize,
    pub message: Option<String>,
    pub scroll: crate::ui::Scroll,
    pub report: Option<MockReport>,
    /// Ratings not yet logged by the app.
    pub pending: Vec<PendingRating>,
    pub due_again: Vec<DueAgain>,
    /// The report was stored.
    pub saved: bool,
    /// A "yes" to the quit question also leaves the app (Ctrl-C rather than q).
    pub quit_app: bool,
    pub theme: Theme,
}

fn parts_for(card: &Card) -> Vec<Part> {
    let plain = || {
        vec![Part {
            label: None,
            input: TextInput::new(),
        }]
    };
    match card.kind {
        CardKind::Scenario => match &card.scenario {
            Some(sc) if !sc.steps.is_empty() => sc
                .steps
                .iter()
                .map(|s| Part {
                    label: Some(s.prompt.clone()),
                    input: TextInput::new(),
                })
                .collect(),
            _ => plain(),
        },
        // A table is answered as text, one row a line, the same as `iamdrill grade`.
        CardKind::Table | CardKind::Basic => plain(),
    }
}

impl MockScreen {
    /// Starts `session` at `now` (unix ms).
    pub fn new(mut session: MockSession, theme: Theme, now: i64) -> Self {
        let origin = (Instant::now(), now);
        let _ = session.start(origin.0);
        let parts = session.current_card().map(parts_for).unwrap_or_default();
        MockScreen {
            session,
            origin,
            now,
            started_at: now,
            parts,
            part: 0,
            focused: true,
            view: View::Question,
            point: 0,
            message: None,
            scroll: Default::default(),
            report: None,
            pending: Vec::new(),
            due_again: Vec::new(),
            saved: false,
            quit_app: false,
            theme,
        }
    }

    /// The `Instant` standing for app time `ms` (times before the origin count as the origin).
    pub fn instant(&self, ms: i64) -> Instant {
        let delta = u64::try_from(ms.saturating_sub(self.origin.1)).unwrap_or(0);
        self.origin.0 + Duration::from_millis(delta)
    }

    /// The interview is still running (quitting needs a confirmation).
    pub fn is_live(&self) -> bool {
        self.view != View::Report
    }

    pub fn context(&self) -> Scope {
        match self.view {
            View::Report => Scope::MockReport,
            _ => Scope::Mock,
        }
    }

    /// Keys go to the answer field.
    pub fn takes_text(&self) -> bool {
        self.view == View::Question && self.focused && !self.session.is_paused()
    }

    pub fn title(&self) -> String {
        match self.view {
            View::Report => "Mock interview report".into(),
            _ => format!(
                "Mock interview · question {}/{}",
                self.session.index() + 1,
                self.session.len()
            ),
        }
    }

    /// How long the event loop may wait before the clocks need redrawing.
    pub fn next_wakeup(&self, now: i64) -> Option<Duration> {
        self.session.next_wakeup(self.instant(now))
    }

    /// Time passed: a question whose time ran out is graded with what was typed.
    pub fn tick(&mut self, now: i64) {
        self.now = now;
        self.check_time();
    }

    fn check_time(&mut self) -> bool {
        if self.view != View::Question {
            return false;
        }
        match self.session.tick(self.instant(self.now)) {
            Ok(Some(MockEvent::TimedOut { .. })) => {
                self.view = View::Grade {
                    status: QuestionStatus::TimedOut,
                };
                self.focused = false;
                self.scroll.reset();
                self.point = 0;
                self.message = Some("Time is up: what you typed was graded.".into());
                true
            }
            Ok(None) => false,
            Err(e) => {
                self.message = Some(e.to_string());
                false
            }
        }
    }

    fn answer(&self) -> Answer {
        let Some(card) = self.session.current_card() else {
            return Answer::Text(String::new());
        };
        let texts = || self.parts.iter().map(|p| p.input.text());
        match card.kind {
            CardKind::Scenario if self.parts.iter().all(|p| p.label.is_some()) => {
                Answer::Steps(texts().collect())
            }
            _ => Answer::Text(texts().collect::<Vec<_>>().join("\n")),
        }
    }

    fn sync_draft(&mut self) {
        let answer = self.answer();
        if let Err(e) = self.session.set_draft(answer) {
            self.message = Some(e.to_string());
        }
    }

    fn submit(&mut self) {
        self.sync_draft();
        let now = self.instant(self.now);
        let timed_out = self.session.question_remaining(now).is_zero();
        match self.session.submit(now) {
            Ok(_) => {
                self.view = View::Grade {
                    status: if timed_out {
                        QuestionStatus::TimedOut
                    } else {
                        QuestionStatus::Answered
                    },
                };
                self.focused = false;
                self.scroll.reset();
                self.point = 0;
                self.message = None;
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    fn rate(&mut self, rating: u8) {
        let index = self.session.index();
        let used = self
            .session
            .report()
            .questions
            .get(index)
            .map_or(0, |q| q.used_ms);
        match self.session.rate(rating, self.instant(self.now)) {
            Ok(rated) => {
                self.pending.push(PendingRating {
                    card_id: rated.card_id,
                    rating: rated.rating,
                    duration_ms: used,
                });
                self.message = None;
                self.scroll.reset();
                if self.session.phase() == Phase::Finished {
                    self.report = Some(self.session.report());
                    self.view = View::Report;
                } else {
                    self.open_next();
                }
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    fn open_next(&mut self) {
        self.parts = self
            .session
            .current_card()
            .map(parts_for)
            .unwrap_or_default();
        self.part = 0;
        self.focused = true;
        self.view = View::Question;
    }

    /// Ends the interview early (after the learner confirmed): the open question is recorded as
    /// abandoned and the partial report is shown, to be saved by the app.
    pub fn abandon(&mut self) {
        if self.view == View::Report {
            return;
        }
        self.sync_draft();
        let report = self.session.quit(self.instant(self.now));
        self.report = Some(report);
        self.view = View::Report;
        self.focused = false;
        self.scroll.reset();
        self.message = None;
    }

    /// The report JSON to store, once the interview is over and not yet saved.
    pub fn report_to_save(&self) -> Option<&MockReport> {
        (!self.saved).then_some(self.report.as_ref()).flatten()
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        if self.check_time() {
            // The key that arrived after the time-out is not typed into the next view.
            return Effect::None;
        }
        match self.view {
            View::Question => self.handle_question(input),
            View::Grade { .. } => self.handle_grade(input),
            View::Report => self.handle_report(input),
        }
    }

    fn confirm_quit(&mut self, app: bool) -> Effect {
        self.quit_app = app;
        Effect::Confirm(QUIT_QUESTION.into())
    }

    fn handle_question(&mut self, input: Input) -> Effect {
        let now = self.instant(self.now);
        match input {
            Input::Key(ev) => return self.handle_typing(ev),
            Input::Paste(text) => {
                if self.takes_text()
                    && let Some(p) = self.parts.get_mut(self.part)
                {
                    p.input.insert_str(&text);
                    self.sync_draft();
                }
            }
            Input::Action(Action::Submit) => self.submit(),
            Input::Action(Action::Pause) => match self.session.toggle_pause(now) {
                Ok(true) => self.message = Some("Paused: both clocks are stopped.".into()),
                Ok(false) => self.message = None,
                Err(e) => self.message = Some(e.to_string()),
            },
            Input::Action(Action::Hint) => match self.session.hint() {
                Ok(h) => {
                    self.message = Some(format!(
                        "Hint used: this key point now earns half credit ({} revealed).",
                        self.session.hints().len()
                    ));
                    let _ = h;
                }
                Err(e) => self.message = Some(e.to_string()),
            },
            Input::Action(Action::Skip) => match self.session.skip(now) {
                Ok(()) => {
                    self.view = View::Grade {
                        status: QuestionStatus::Skipped,
                    };
                    self.focused = false;
                    self.scroll.reset();
                    self.point = 0;
                    self.message = None;
                }
                Err(e) => self.message = Some(e.to_string()),
            },
            Input::Action(Action::Edit) | Input::Action(Action::Select)
                if !self.session.is_paused() =>
            {
                self.focused = true;
            }
            Input::Action(Action::Right) => self.move_part(1),
            Input::Action(Action::Left) => self.move_part(-1),
            ref scrolling @ Input::Action(
                Action::Up | Action::Down | Action::PageUp | Action::PageDown,
            ) => {
                self.scroll.handle(scrolling);
            }
            Input::Action(Action::Back) => return self.confirm_quit(false),
            Input::Action(Action::Quit) => return self.confirm_quit(true),
            _ => {}
        }
        Effect::None
    }

    fn move_part(&mut self, by: isize) {
        let n = self.parts.len();
        if n > 1 {
            self.part = self.part.saturating_add_signed(by).min(n - 1);
        }
    }

    fn handle_typing(&mut self, ev: KeyEvent) -> Effect {
        if self.session.is_paused() {
            self.message = Some("Paused: Ctrl-P or p resumes.".into());
            return Effect::None;
        }
        match ev.code {
            KeyCode::Esc => {
                self.focused = false;
                return Effect::None;
            }
            KeyCode::Tab if self.parts.len() > 1 => {
                self.move_part(1);
                return Effect::None;
            }
            KeyCode::BackTab => {
                self.move_part(-1);
                return Effect::None;
            }
            _ => {}
        }
        self.focused = true;
        let Some(p) = self.parts.get_mut(self.part) else {
            return Effect::None;
        };
        match p.input.handle_key(&ev) {
            Edit::Changed => self.sync_draft(),
            Edit::Moved | Edit::Ignored => {}
        }
        Effect::None
    }

    fn handle_grade(&mut self, input: Input) -> Effect {
        let points = self.session.last_grade().map_or(0, |g| g.points.len());
        match input {
            Input::Action(Action::Rate(n)) => self.rate(n),
            Input::Action(Action::Right) if points > 0 => {
                self.point = (self.point + 1).min(points - 1);
            }
            Input::Action(Action::Left) => self.point = self.point.saturating_sub(1),
            Input::Action(Action::Toggle) => match self.session.flip(self.point) {
                Ok(()) => {
                    self.message = Some(format!(
                        "Key point {} flipped: the score and the suggested rating use your verdict.",
                        self.point + 1
                    ))
                }
                Err(e) => self.message = Some(e.to_string()),
            },
            ref scrolling if self.scroll.handle(scrolling) => {}
            Input::Action(Action::Back) => return self.confirm_quit(false),
            Input::Action(Action::Quit) => return self.confirm_quit(true),
            _ => {}
        }
        Effect::None
    }

    fn handle_report(&mut self, input: Input) -> Effect {
        match input {
            ref scrolling if self.scroll.handle(scrolling) => {}
            Input::Action(Action::Back) => return Effect::Back,
            Input::Action(Action::Quit) => return Effect::Quit,
            _ => {}
        }
        Effect::None
    }

    // ---- drawing ----

    fn clocks_lines(&self, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let now = self.instant(self.now);
        let s = &self.session;
        let left = s.question_remaining(now);
        let frac = s.question_fraction_left(now).clamp(0.0, 1.0);
        let total = format!(
            "Q{}/{} · total {} left",
            s.index() + 1,
            s.len(),
            clock_text(s.overall_remaining(now))
        );
        let clock = format!(" {} / {}", clock_text(left), clock_text(s.question_limit()));
        let bar_w = (width as usize)
            .saturating_sub(crate::ui::text::width(&clock))
            .max(4);
        let filled = ((frac * bar_w as f64).round() as usize).min(bar_w);
        let style = if frac < 0.2 { t.bad } else { t.bar };
        let mut header = vec![Span::styled(total, t.title)];
        if s.is_paused() {
            header.push(Span::styled(
                "  PAUSED",
                t.warn.add_modifier(Modifier::BOLD),
            ));
        }
        vec![
            Line::from(header),
            Line::from(vec![
                Span::styled("█".repeat(filled), style),
                Span::styled("░".repeat(bar_w - filled), t.dim),
                Span::styled(clock, t.text),
            ]),
        ]
    }

    fn question_lines(&self, card: &Card, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let w = (width as usize).max(8);
        let mut lines = vec![Line::from(Span::styled(
            format!("{} · {}", topic_title(&card.topic), kind_name(card.kind)),
            t.dim,
        ))];
        lines.extend(crate::ui::widgets::markup::question_lines(
            &card.question,
            w as u16,
            t,
        ));
        if let Some(table) = &card.table
            && card.kind == CardKind::Table
        {
            lines.push(Line::default());
            let hidden = hidden_cells(table);
            let show = |r: usize, c: usize| {
                if hidden.contains(&(r, c)) {
                    CellShow::Hidden
                } else {
                    CellShow::Normal
                }
            };
            lines.extend(table_lines(&table.headers, &table.rows, width, t, &show));
            lines.push(Line::from(Span::styled(
                "Type the ? cells, one row a line: `label: value; value` or `| label | value |`",
                t.dim,
            )));
        }
        if self.parts.len() > 1 {
            lines.push(Line::default());
            for (i, p) in self.parts.iter().enumerate() {
                let mark = if i == self.part {
                    "▶"
                } else if p.input.is_empty() {
                    "·"
                } else {
                    "✎"
                };
                let label = p.label.clone().unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} {}. ", i + 1), t.key),
                    Span::styled(
                        truncate(&sanitize(&label), w.saturating_sub(6)),
                        if i == self.part { t.selected } else { t.text },
                    ),
                ]));
            }
        }
        let hints = self.session.hints();
        if !hints.is_empty() {
            lines.push(Line::default());
            for h in hints {
                let text = match &h.label {
                    Some(l) => format!("Hint ({l}): {}", h.text),
                    None => format!("Hint: {}", h.text),
                };
                for l in wrap(&sanitize(&text), w) {
                    lines.push(Line::from(Span::styled(l, t.warn)));
                }
            }
        }
        lines
    }

    fn render_question(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let Some(card) = self.session.current_card() else {
            return;
        };
        // The answer field takes about half the screen: answers are paragraphs.
        let input_h = (area.height.saturating_sub(3) / 2).max(3);
        let [clocks, body, input, msg] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(input_h),
            Constraint::Length(1),
        ])
        .areas(area);
        Paragraph::new(self.clocks_lines(area.width)).render(clocks, buf);
        let lines = self.question_lines(card, body.width.min(crate::ui::READABLE_WIDTH));
        let offset = self.scroll.offset(lines.len(), body.height);
        Paragraph::new(lines).scroll((offset, 0)).render(body, buf);
        let part = self.parts.get(self.part);
        let title = match part.and_then(|p| p.label.as_deref()) {
            Some(label) if self.parts.len() > 1 => format!(
                " {}/{} {} ",
                self.part + 1,
                self.parts.len(),
                truncate(&sanitize(label), (area.width as usize).saturating_sub(12))
            ),
            _ => " Your answer ".into(),
        };
        let border = if self.takes_text() { t.title } else { t.border };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(title);
        let inner = block.inner(input);
        block.render(input, buf);
        if let Some(p) = part {
            // The field scrolls so that the cursor's row is always in view.
            let (lines, row) = p.input.view(inner.width, t.text, self.takes_text());
            let skip = (row + 1).saturating_sub(inner.height as usize);
            Paragraph::new(lines)
                .scroll((u16::try_from(skip).unwrap_or(u16::MAX), 0))
                .render(inner, buf);
            if skip > 0 && inner.width > 4 {
                let more = Span::styled("▲ more", t.dim);
                buf.set_span(inner.x + inner.width.saturating_sub(7), input.y, &more, 7);
            }
        }
        let message = match (&self.message, self.session.is_paused()) {
            (_, true) => Line::from(Span::styled(
                "PAUSED · Ctrl-P or p resumes",
                t.warn.add_modifier(Modifier::BOLD),
            )),
            (Some(m), _) => Line::from(Span::styled(sanitize(m), t.warn)),
            (None, _) if !self.focused => Line::from(Span::styled(
                "i or Enter types · h hint · p pause · s skip",
                t.dim,
            )),
            (None, _) if self.parts.len() > 1 => Line::from(Span::styled(
                "Enter: new line · Tab: next step · Esc leaves the field",
                t.dim,
            )),
            (None, _) => Line::from(Span::styled(
                "Enter: new line or paragraph · Esc leaves the field",
                t.dim,
            )),
        };
        message.render(msg, buf);
    }

    fn grade_lines(&self, status: QuestionStatus, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let w = (width as usize).max(8);
        let mut lines = Vec::new();
        let Some(card) = self.session.current_card() else {
            return lines;
        };
        let Some(grade) = self.session.last_grade() else {
            return lines;
        };
        let score = self.session.last_score().unwrap_or(0.0);
        let status_text = match status {
            QuestionStatus::TimedOut => "time out",
            QuestionStatus::Skipped => "skipped",
            _ => "answered",
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("Q{}/{} ", self.session.index() + 1, self.session.len()),
                t.title,
            ),
            Span::styled(
                format!(
                    "{status_text} · {} · {}/{} key points",
                    percent(score),
                    grade.covered(),
                    grade.total()
                ),
                t.text,
            ),
        ]));
        for l in wrap(&sanitize(&card.question), w) {
            lines.push(Line::from(Span::styled(l, t.dim)));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Key points", t.title)));
        let hint_texts: Vec<String> = self
            .session
            .report()
            .questions
            .get(self.session.index())
            .map(|q| q.hints.clone())
            .unwrap_or_default();
        let hinted: Vec<usize> = grade
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| hint_texts.iter().any(|h| h.ends_with(&p.text)))
            .map(|(i, _)| i)
            .collect();
        for (i, p) in grade.points.iter().enumerate() {
            lines.extend(point_lines(p, hinted.contains(&i), i == self.point, w, t));
        }
        lines.push(Line::from(Span::styled(
            "Tab selects a key point · f flips it if you disagree",
            t.dim,
        )));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Your answer", t.title)));
        let mut any = false;
        for (i, part) in self.parts.iter().enumerate() {
            let text = part.input.text();
            if text.trim().is_empty() {
                continue;
            }
            any = true;
            if let Some(label) = &part.label {
                lines.push(Line::from(Span::styled(
                    truncate(&sanitize(label), w),
                    t.dim,
                )));
            }
            let marks: Vec<(usize, usize)> = grade
                .points
                .iter()
                .filter(|p| p.effective() == Verdict::Covered && !p.flipped && p.part == i)
                .flat_map(|p| {
                    let words: Vec<(usize, usize)> =
                        p.words.iter().map(|s| (s.start, s.end)).collect();
                    if words.is_empty() {
                        p.span.map(|s| (s.start, s.end)).into_iter().collect()
                    } else {
                        words
                    }
                })
                .collect();
            lines.extend(highlighted_lines(&text, &marks, w, t));
        }
        if !any {
            lines.push(Line::from(Span::styled("(nothing typed)", t.dim)));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Model answer", t.title)));
        lines.extend(answer_lines(card, width, t, false));
        lines.push(Line::default());
        if let Some(r) = self.session.suggested_rating() {
            let name = ["again", "hard", "good", "easy"][usize::from(r.clamp(1, 4)) - 1];
            lines.push(Line::from(vec![
                Span::styled("Suggested rating: ", t.text),
                Span::styled(
                    format!("{r} {name}"),
                    t.ratings[usize::from(r.clamp(1, 4)) - 1],
                ),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled("How well did you know it? ", t.text),
            Span::styled("1", t.ratings[0]),
            Span::styled(" again · ", t.dim),
            Span::styled("2", t.ratings[1]),
            Span::styled(" hard · ", t.dim),
            Span::styled("3", t.ratings[2]),
            Span::styled(" good · ", t.dim),
            Span::styled("4", t.ratings[3]),
            Span::styled(" easy", t.dim),
        ]));
        lines
    }

    fn report_lines(&self, report: &MockReport, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let w = (width as usize).max(8);
        let mut lines = Vec::new();
        let mut head = vec![Span::styled(
            format!("Score {}", percent(report.score)),
            t.title,
        )];
        head.push(Span::styled(
            format!(
                " · {} used of {}",
                clock_text(Duration::from_millis(report.used_ms)),
                clock_text(Duration::from_millis(report.planned_ms))
            ),
            t.text,
        ));
        if report.partial {
            head.push(Span::styled(" · partial (quit early)", t.warn));
        }
        lines.push(Line::from(head));
        if let Some(seed) = report.seed {
            lines.push(Line::from(Span::styled(
                format!("Repeat it: iamdrill mock --seed {seed}"),
                t.dim,
            )));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Questions", t.title)));
        for (i, q) in report.questions.iter().enumerate() {
            let (mark, style) = match q.status {
                QuestionStatus::Answered | QuestionStatus::TimedOut if q.score >= 0.5 => {
                    ("✓", t.good)
                }
                QuestionStatus::NotReached | QuestionStatus::Abandoned => ("·", t.dim),
                _ => ("✗", t.bad),
            };
            let status = match q.status {
                QuestionStatus::Answered => String::new(),
                QuestionStatus::TimedOut => " time out".into(),
                QuestionStatus::Skipped => " skipped".into(),
                QuestionStatus::Abandoned => " abandoned".into(),
                QuestionStatus::NotReached => " not reached".into(),
            };
            let head = format!(
                "{:>2}. {mark} {:>4} {}/{}{status} ",
                i + 1,
                percent(q.score),
                clock_text(Duration::from_millis(q.used_ms)),
                clock_text(Duration::from_millis(q.budget_ms)),
            );
            let rest = w.saturating_sub(crate::ui::text::width(&head));
            lines.push(Line::from(vec![
                Span::styled(head, style),
                Span::styled(truncate(&sanitize(&q.question), rest), t.text),
            ]));
        }
        if !report.topics.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled("Per topic", t.title)));
            let bars: Vec<Bar> = report
                .topics
                .iter()
                .map(|tp| Bar {
                    label: tp.title.clone(),
                    value: tp.score,
                    max: 1.0,
                    text: format!("{} of {}", percent(tp.score), tp.questions),
                })
                .collect();
            lines.extend(bar_lines(&bars, width, t));
        }
        let missed: Vec<(&str, &str)> = report.missed_key_points().collect();
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Missed key points ({})", missed.len()),
            t.title,
        )));
        for (card, point) in missed {
            for (k, l) in wrap(&sanitize(&format!("{point} ({card})")), w.saturating_sub(2))
                .into_iter()
                .enumerate()
            {
                let lead = if k == 0 { "✗ " } else { "  " };
                lines.push(Line::from(vec![
                    Span::styled(lead, t.bad),
                    Span::styled(l, t.text),
                ]));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "Hints used: {} · verdicts you flipped: {}",
                report.hints_used, report.flips
            ),
            t.text,
        )));
        if !self.due_again.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Due again because of misses",
                t.title,
            )));
            for d in &self.due_again {
                let when = crate::srs::scheduler::format_interval(d.due.saturating_sub(self.now));
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", d.card_id), t.text),
                    Span::styled(format!("due in {when}"), t.dim),
                ]));
            }
        }
        lines
    }
}

/// A 0.0-1.0 score as a whole percentage (never "-0%").
/// A -1.0–1.0 score as a whole percentage (never "-0%"; below zero when contradictions outweigh).
pub fn percent(score: f64) -> String {
    let v = (score * 100.0).round();
    if v == 0.0 {
        "0%".into()
    } else {
        format!("{v}%")
    }
}

fn kind_name(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Basic => "concept",
        CardKind::Table => "comparison table: fill in the hidden cells",
        CardKind::Scenario => "scenario: answer step by step",
    }
}

/// One key point's verdict: ✓ covered, ✗ missed or ! contradicted (markers, not colour alone),
/// with the words that earned or contradicted it, and whether the learner flipped it.
fn point_lines(
    p: &PointGrade,
    hinted: bool,
    selected: bool,
    w: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    let verdict = p.effective();
    let (mark, style) = match verdict {
        Verdict::Covered => ("✓ ", t.good),
        Verdict::Missed => ("✗ ", t.bad),
        Verdict::Contradicted => ("! ", t.bad),
    };
    let mut text = match &p.label {
        Some(l) => format!("{l}: {}", p.text),
        None => p.text.clone(),
    };
    match (verdict, &p.evidence) {
        (Verdict::Covered, Some(e)) if !p.flipped => text.push_str(&format!(" ← \"{e}\"")),
        (Verdict::Contradicted, Some(e)) => {
            text.push_str(&format!(" (contradicted: \"{e}\")"));
        }
        (Verdict::Contradicted, None) => text.push_str(" (your answer says the opposite)"),
        _ => {}
    }
    if p.flipped {
        text.push_str(&format!(
            " (flipped by you; grader: {})",
            p.verdict().name()
        ));
    }
    if hinted {
        text.push_str(" (hint)");
    }
    let mut out = Vec::new();
    for (k, l) in wrap(&sanitize(&text), w.saturating_sub(3))
        .into_iter()
        .enumerate()
    {
        let cursor = if k == 0 && selected { "›" } else { " " };
        out.push(Line::from(vec![
            Span::styled(cursor, t.key),
            Span::styled(if k == 0 { mark } else { "  " }, style),
            Span::styled(
                l,
                if verdict == Verdict::Covered {
                    t.text
                } else {
                    t.dim
                },
            ),
        ]));
    }
    out
}

/// `text` wrapped to `w`, with the byte ranges in `marks` drawn in the matched style.
fn highlighted_lines(
    text: &str,
    marks: &[(usize, usize)],
    w: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    let matched = t.matched.add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        let mut word_start = offset;
        for word in raw.split_inclusive(' ') {
            let ww = crate::ui::text::width(word);
            if used + ww > w && used > 0 {
                out.push(Line::from(std::mem::take(&mut spans)));
                used = 0;
            }
            // Split the word into marked and unmarked pieces.
            let mut piece = String::new();
            let mut piece_marked = false;
            for (i, c) in word.char_indices() {
                let at = word_start + i;
                let m = marks.iter().any(|&(s, e)| at >= s && at < e) && !c.is_whitespace();
                if m != piece_marked && !piece.is_empty() {
                    let style: Style = if piece_marked { matched } else { t.text };
                    spans.push(Span::styled(sanitize(&piece), style));
                    piece.clear();
                }
                piece_marked = m;
                piece.push(c);
            }
            if !piece.is_empty() {
                let style: Style = if piece_marked { matched } else { t.text };
                spans.push(Span::styled(sanitize(&piece), style));
            }
            used += ww;
            word_start += word.len();
        }
        out.push(Line::from(spans));
        offset += raw.len() + 1;
    }
    out
}

impl Widget for &MockScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let [title, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        Line::from(Span::styled(self.title(), t.title)).render(title, buf);
        match self.view {
            View::Question => self.render_question(body, buf),
            View::Grade { status } => {
                let [main, msg] =
                    Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(body);
                let lines = self.grade_lines(status, main.width.min(crate::ui::READABLE_WIDTH));
                let offset = self.scroll.offset(lines.len(), main.height);
                Paragraph::new(lines).scroll((offset, 0)).render(main, buf);
                let line = match &self.message {
                    Some(m) => Line::from(Span::styled(sanitize(m), t.warn)),
                    None => {
                        Line::from(Span::styled("1-4 rates and opens the next question", t.dim))
                    }
                };
                line.render(msg, buf);
            }
            View::Report => {
                if let Some(report) = &self.report {
                    let lines =
                        self.report_lines(report, body.width.min(crate::ui::READABLE_WIDTH));
                    let offset = self.scroll.offset(lines.len(), body.height);
                    Paragraph::new(lines).scroll((offset, 0)).render(body, buf);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{Difficulty, KeyPoint};
    use crate::ui::theme::ThemeKind;

    fn card(id: &str, points: &[&str]) -> Card {
        Card {
            id: id.into(),
            kind: CardKind::Basic,
            topic: "identities".into(),
            tags: vec![],
            difficulty: Difficulty::default(),
            question: format!("Question {id}?"),
            answer: "The answer.".into(),
            table: None,
            scenario: None,
            key_points: points.iter().map(|p| KeyPoint::new(*p)).collect(),
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    fn screen() -> MockScreen {
        let session = MockSession::new(
            vec![card("a", &["temporary credentials"]), card("b", &["MFA"])],
            Duration::from_secs(120),
            Some(7),
        )
        .unwrap();
        MockScreen::new(session, Theme::new(ThemeKind::Mono), 1_000)
    }

    #[test]
    fn app_time_maps_onto_the_session_clock() {
        let mut s = screen();
        assert_eq!(s.session.question_limit(), Duration::from_secs(60));
        s.tick(31_000);
        assert_eq!(
            s.session.question_remaining(s.instant(s.now)),
            Duration::from_secs(30)
        );
        assert_eq!(s.instant(0), s.instant(1_000), "earlier times clamp");
        s.tick(61_000);
        assert_eq!(
            s.view,
            View::Grade {
                status: QuestionStatus::TimedOut
            }
        );
    }

    #[test]
    fn table_cards_take_rows_as_text_and_the_verdict_can_be_flipped() {
        use crate::deck::model::Table;
        let mut c = card("t", &[]);
        c.kind = CardKind::Table;
        c.table = Some(Table {
            headers: vec!["Call".into(), "Maximum".into()],
            rows: vec![
                vec!["AssumeRole".into(), "12 hours".into()],
                vec!["GetSessionToken".into(), "36 hours".into()],
            ],
        });
        let session = MockSession::new(vec![c], Duration::from_secs(60), None).unwrap();
        let mut s = MockScreen::new(session, Theme::new(ThemeKind::Mono), 0);
        assert_eq!(s.parts.len(), 1, "one text for the whole table");
        s.handle(Input::Paste("GetSessionToken: 36 h".into()));
        s.handle(Input::Action(Action::Submit));
        assert_eq!(
            s.view,
            View::Grade {
                status: QuestionStatus::Answered
            }
        );
        let covered: Vec<bool> = s
            .session
            .last_grade()
            .unwrap()
            .points
            .iter()
            .map(|p| p.covered)
            .collect();
        assert_eq!(covered, [false, true]);
        assert_eq!(s.session.suggested_rating(), Some(2));
        // The learner disagrees with the first verdict: Tab stays on it, f flips it.
        s.handle(Input::Action(Action::Toggle));
        let g = s.session.last_grade().unwrap();
        assert!(g.points[0].flipped);
        assert_eq!(g.covered(), 2);
        assert_eq!(s.session.suggested_rating(), Some(4));
        s.handle(Input::Action(Action::Rate(4)));
        let report = s.report.as_ref().expect("finished");
        assert_eq!(report.flips, 1);
        assert_eq!(report.questions[0].covered, 2);
        assert_eq!(report.flipped_points()[0].card_id, "t");
    }

    #[test]
    fn highlighted_words_use_the_matched_style() {
        let t = Theme::new(ThemeKind::Mono);
        let lines = highlighted_lines("uses temporary credentials", &[(5, 14)], 80, &t);
        let marked: Vec<&Span> = lines[0]
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::BOLD))
            .collect();
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].content, "temporary");
    }
}
