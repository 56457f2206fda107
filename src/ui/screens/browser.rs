//! The card browser: every card in a table (topic, kind, state, due, interval, stability, recall
//! now, lapses, last rating), sorted by any column, narrowed by a filter, with marks for acting
//! on several cards at once (unsuspend, suspend, unbury, forget, make due today), the card itself
//! and its AWS reference one key away.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::deck::Library;
use crate::srs::browse::{Column, Filter, IS_WORDS, Row, kind_name, sort};
use crate::srs::clock::{DAY_MS, Date, DayClock};
use crate::srs::format_interval;
use crate::ui::text::{sanitize, truncate, width};
use crate::ui::theme::Theme;
use crate::ui::{Action, Effect, Input, Open, Scope};

/// What the browser asks the store to do to a set of cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOp {
    Suspend,
    Unsuspend,
    Unbury,
    Forget,
    RescheduleToday,
}

impl CardOp {
    /// The past tense for messages ("Unsuspended 2 cards").
    pub fn done(self) -> &'static str {
        match self {
            CardOp::Suspend => "Suspended",
            CardOp::Unsuspend => "Unsuspended",
            CardOp::Unbury => "Unburied",
            CardOp::Forget => "Reset to new",
            CardOp::RescheduleToday => "Made due today",
        }
    }

    /// Why nothing changed.
    pub fn nothing(self) -> &'static str {
        match self {
            CardOp::Suspend => "already suspended",
            CardOp::Unsuspend => "not suspended",
            CardOp::Unbury => "not buried",
            CardOp::Forget => "new already",
            CardOp::RescheduleToday => "new or due already",
        }
    }
}

/// `1 card`, `3 cards`.
pub fn cards(n: usize) -> String {
    if n == 1 {
        "1 card".into()
    } else {
        format!("{n} cards")
    }
}

pub struct BrowserScreen {
    /// Every card, in the current sort order.
    pub rows: Vec<Row>,
    /// Positions in `rows` that pass the filter.
    pub shown: Vec<usize>,
    /// Index into `shown`.
    pub cursor: usize,
    pub marked: HashSet<String>,
    pub filter: String,
    pub filter_error: Option<String>,
    /// The filter line has the keyboard.
    pub typing: bool,
    pub sort: Column,
    pub descending: bool,
    /// What the last action did.
    pub message: Option<String>,
    /// `F` was pressed once: the next `F` resets the cards.
    pub forget_armed: bool,
    /// The first AWS reference of each card.
    references: HashMap<String, String>,
    clock: DayClock,
    now: i64,
    theme: Theme,
    /// First visible row and rows per page, as last drawn (for clicks and paging).
    top: Cell<usize>,
    page: Cell<usize>,
}

impl BrowserScreen {
    pub fn new(
        lib: &Library,
        rows: Vec<Row>,
        filter: &str,
        clock: DayClock,
        now: i64,
        theme: Theme,
    ) -> Self {
        let references = lib
            .cards()
            .filter_map(|c| c.references.first().map(|r| (c.id.clone(), r.clone())))
            .collect();
        let mut s = BrowserScreen {
            rows,
            shown: Vec::new(),
            cursor: 0,
            marked: HashSet::new(),
            filter: filter.to_string(),
            filter_error: None,
            typing: false,
            sort: Column::Due,
            descending: false,
            message: None,
            forget_armed: false,
            references,
            clock,
            now,
            theme,
            top: Cell::new(0),
            page: Cell::new(10),
        };
        s.resort();
        s
    }

    pub fn context(&self) -> Scope {
        if self.typing {
            Scope::BrowserFilter
        } else {
            Scope::Browser
        }
    }

    /// The highlighted row.
    pub fn current(&self) -> Option<&Row> {
        self.shown.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// New rows from the store (after an action or coming back from a card); the highlighted
    /// card stays highlighted.
    pub fn reload(&mut self, rows: Vec<Row>, now: i64) {
        let keep = self.current().map(|r| r.id.clone());
        self.rows = rows;
        self.now = now;
        self.resort();
        if let Some(id) = keep
            && let Some(pos) = self.shown.iter().position(|&i| self.rows[i].id == id)
        {
            self.cursor = pos;
        }
    }

    fn resort(&mut self) {
        let keep = self.current().map(|r| r.id.clone());
        sort(&mut self.rows, self.sort, self.descending);
        self.refilter();
        if let Some(id) = keep
            && let Some(pos) = self.shown.iter().position(|&i| self.rows[i].id == id)
        {
            self.cursor = pos;
        }
    }

    fn refilter(&mut self) {
        match Filter::parse(&self.filter) {
            Ok(f) => {
                self.filter_error = None;
                self.shown = (0..self.rows.len())
                    .filter(|&i| f.matches(&self.rows[i]))
                    .collect();
            }
            // A half-typed `is:` keeps the last good list; the line says what is wrong.
            Err(e) => self.filter_error = Some(e),
        }
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    /// The cards an action applies to: the marked ones that are shown, else the highlighted one.
    pub fn targets(&self) -> Vec<String> {
        let marked: Vec<String> = self
            .shown
            .iter()
            .map(|&i| &self.rows[i].id)
            .filter(|id| self.marked.contains(*id))
            .cloned()
            .collect();
        if marked.is_empty() {
            self.current()
                .map(|r| vec![r.id.clone()])
                .unwrap_or_default()
        } else {
            marked
        }
    }

    fn op(&self, op: CardOp) -> Effect {
        let ids = self.targets();
        if ids.is_empty() {
            return Effect::None;
        }
        Effect::Cards { op, ids }
    }

    fn move_by(&mut self, delta: isize) {
        let n = self.shown.len();
        if n == 0 {
            return;
        }
        self.cursor = self.cursor.saturating_add_signed(delta).min(n - 1);
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        let forget = input == Input::Action(Action::Forget);
        if !forget && self.forget_armed {
            self.forget_armed = false;
            self.message = None;
        }
        if self.typing {
            return self.handle_typing(input);
        }
        let page = self.page.get().max(1) as isize;
        match input {
            Input::Action(Action::Up) => self.move_by(-1),
            Input::Action(Action::Down) => self.move_by(1),
            Input::Action(Action::PageUp) => self.move_by(-page),
            Input::Action(Action::PageDown) => self.move_by(page),
            Input::Action(Action::Top) => self.cursor = 0,
            Input::Action(Action::Bottom) => self.cursor = self.shown.len().saturating_sub(1),
            Input::Action(Action::Search) => self.typing = true,
            Input::Action(Action::Select) => {
                if let Some(r) = self.current() {
                    return Effect::Open(Open::Card(r.id.clone()));
                }
            }
            Input::Action(Action::Toggle) => {
                if let Some(id) = self.current().map(|r| r.id.clone()) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.move_by(1);
                }
            }
            Input::Action(Action::All) => {
                let shown: Vec<String> = self
                    .shown
                    .iter()
                    .map(|&i| self.rows[i].id.clone())
                    .collect();
                if shown.iter().all(|id| self.marked.contains(id)) {
                    self.marked.clear();
                } else {
                    self.marked.extend(shown);
                }
            }
            Input::Action(Action::Right | Action::Left) => {
                let i = Column::ALL
                    .iter()
                    .position(|c| *c == self.sort)
                    .unwrap_or(0);
                let n = Column::ALL.len();
                let next = if input == Input::Action(Action::Right) {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.sort = Column::ALL[next];
                self.resort();
            }
            Input::Action(Action::Reverse) => {
                self.descending = !self.descending;
                self.resort();
            }
            Input::Action(Action::Suspend) => return self.op(CardOp::Suspend),
            Input::Action(Action::Unsuspend) => return self.op(CardOp::Unsuspend),
            Input::Action(Action::Unbury) => return self.op(CardOp::Unbury),
            Input::Action(Action::RescheduleToday) => return self.op(CardOp::RescheduleToday),
            Input::Action(Action::Forget) => {
                let n = self.targets().len();
                if n == 0 {
                    return Effect::None;
                }
                if self.forget_armed {
                    self.forget_armed = false;
                    return self.op(CardOp::Forget);
                }
                self.forget_armed = true;
                self.message = Some(format!(
                    "Press F again to reset {} to new (their answers stay in the log); any other key cancels.",
                    cards(n)
                ));
            }
            Input::Action(Action::OpenLink) => {
                let Some(row) = self.current() else {
                    return Effect::None;
                };
                match self.references.get(&row.id) {
                    Some(url) => return Effect::OpenUrl(url.clone()),
                    None => self.message = Some(format!("{} has no AWS reference.", row.id)),
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            Input::Mouse(m) => match m.kind {
                MouseEventKind::ScrollUp => self.move_by(-3),
                MouseEventKind::ScrollDown => self.move_by(3),
                MouseEventKind::Down(MouseButton::Left) => {
                    // The table's rows start on the fourth line.
                    if let Some(row) = (m.row as usize).checked_sub(3) {
                        let pos = row + self.top.get();
                        if pos < self.shown.len() && row < self.page.get() {
                            if pos == self.cursor {
                                return self.handle(Input::Action(Action::Select));
                            }
                            self.cursor = pos;
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
        Effect::None
    }

    fn handle_typing(&mut self, input: Input) -> Effect {
        match input {
            Input::Key(ev) => {
                let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
                match ev.code {
                    KeyCode::Char('u') if ctrl => self.filter.clear(),
                    KeyCode::Char('w') if ctrl => {
                        let trimmed = self.filter.trim_end().to_string();
                        let cut = trimmed.rfind(' ').map(|i| i + 1).unwrap_or(0);
                        self.filter.truncate(cut);
                    }
                    KeyCode::Char(c) if !ctrl => self.filter.push(c),
                    KeyCode::Backspace => {
                        self.filter.pop();
                    }
                    _ => return Effect::None,
                }
                self.cursor = 0;
                self.refilter();
            }
            Input::Paste(text) => {
                self.filter.push_str(&text.replace(['\n', '\r', '\t'], " "));
                self.cursor = 0;
                self.refilter();
            }
            Input::Action(Action::Up) => self.move_by(-1),
            Input::Action(Action::Down) => self.move_by(1),
            Input::Action(Action::Select | Action::Back) => self.typing = false,
            _ => {}
        }
        Effect::None
    }

    /// How a due date reads in the table: `today`, `in 3d`, `2d late`; `-` while new.
    fn due_text(&self, row: &Row) -> String {
        let Some(due) = row.due else {
            return "-".into();
        };
        let days = self.clock.day(due) - self.clock.day(self.now);
        match days {
            0 => "today".into(),
            d if d > 0 => format!("in {}", format_interval(d * DAY_MS)),
            d => format!("{} late", format_interval(-d * DAY_MS)),
        }
    }

    fn cell(&self, row: &Row, column: Column) -> String {
        match column {
            Column::Id => sanitize(&row.id),
            Column::Topic => sanitize(&row.topic),
            Column::Kind => kind_name(row.kind).into(),
            Column::State => row.status.name().into(),
            Column::Due => self.due_text(row),
            Column::Interval => {
                if row.interval_days > 0 {
                    format!("{}d", row.interval_days)
                } else {
                    "-".into()
                }
            }
            Column::Stability => row
                .stability
                .map(|s| format_interval((f64::from(s) * DAY_MS as f64) as i64))
                .unwrap_or_else(|| "-".into()),
            Column::Recall => row
                .retrievability
                .map(|r| format!("{:.0}%", r * 100.0))
                .unwrap_or_else(|| "-".into()),
            Column::Lapses => row.lapses.to_string(),
            Column::Rating => row
                .last_rating
                .map(|r| r.label().to_string())
                .unwrap_or_else(|| "-".into()),
        }
    }

    /// The columns that fit in `w` cells with their widths, in table order.
    fn layout(&self, w: usize) -> Vec<(Column, usize)> {
        const ID_MIN: usize = 14;
        // Most useful first; each costs its width and a separator.
        let wanted: [(Column, usize); 9] = [
            (Column::State, 9),
            (Column::Due, 9),
            (Column::Topic, 14),
            (Column::Recall, 6),
            (Column::Lapses, 3),
            (Column::Rating, 5),
            (Column::Interval, 5),
            (Column::Stability, 6),
            (Column::Kind, 8),
        ];
        let mut used = 2 + ID_MIN;
        let mut chosen: Vec<(Column, usize)> = Vec::new();
        for (c, cw) in wanted {
            if used + 1 + cw <= w {
                used += 1 + cw;
                chosen.push((c, cw));
            }
        }
        let id_w = w.saturating_sub(used - ID_MIN).clamp(4, 40);
        let mut out = vec![(Column::Id, id_w)];
        for c in Column::ALL {
            if let Some(&(_, cw)) = chosen.iter().find(|(x, _)| *x == c) {
                out.push((c, cw));
            }
        }
        out
    }

    fn header(&self, cols: &[(Column, usize)]) -> Line<'static> {
        let t = &self.theme;
        let mut spans = vec![Span::raw("  ")];
        for (i, (c, w)) in cols.iter().enumerate() {
            let mut name = match c {
                Column::Lapses => "lap".to_string(),
                Column::Interval => "ivl".to_string(),
                Column::Stability => "stab".to_string(),
                Column::Rating => "last".to_string(),
                c => c.name().to_string(),
            };
            if *c == self.sort {
                name.push(if self.descending { '▼' } else { '▲' });
            }
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let style = if *c == self.sort { t.title } else { t.dim };
            spans.push(Span::styled(pad(&name, *w, numeric(*c)), style));
        }
        Line::from(spans)
    }

    fn row_line(&self, row: &Row, cols: &[(Column, usize)], highlighted: bool) -> Line<'static> {
        let t = &self.theme;
        let marked = self.marked.contains(&row.id);
        let style = if highlighted {
            t.selected
        } else if row.suspended || row.buried {
            t.dim
        } else {
            t.text
        };
        let mut spans = vec![
            Span::styled(if highlighted { "›" } else { " " }, t.key),
            Span::styled(if marked { "*" } else { " " }, t.key),
        ];
        for (i, (c, w)) in cols.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" ", style));
            }
            let text = truncate(&self.cell(row, *c), *w);
            let cell_style = match c {
                Column::State if row.is_leech() && !highlighted => t.warn,
                _ => style,
            };
            spans.push(Span::styled(pad(&text, *w, numeric(*c)), cell_style));
        }
        Line::from(spans)
    }

    fn detail_lines(&self, w: usize, room: usize) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut head = Vec::new();
        if let Some(m) = &self.message {
            head.push(Line::from(Span::styled(truncate(&sanitize(m), w), t.warn)));
        }
        let Some(row) = self.current() else {
            head.truncate(room);
            return head;
        };
        head.push(Line::from(Span::styled(
            truncate(&sanitize(&row.question), w),
            t.text,
        )));
        let mut facts = vec![sanitize(&row.topic), kind_name(row.kind).to_string()];
        if let Some(due) = row.due {
            let date = Date::from_day_number(self.clock.day(due));
            facts.push(format!("due {date}"));
        }
        facts.push(match row.lapses {
            1 => "1 lapse".to_string(),
            n => format!("{n} lapses"),
        });
        if row.is_leech() {
            facts.push("leech".into());
        }
        head.push(Line::from(Span::styled(
            truncate(&facts.join(" · "), w),
            t.dim,
        )));
        // The reference is never cut short: it continues on the next line when it is wider
        // than the window (`o` opens it; M turns the mouse off to select it).
        let tail: Vec<Line<'static>> = match self.references.get(&row.id) {
            Some(url) => {
                let url = sanitize(url);
                let chars: Vec<char> = url.chars().collect();
                chars
                    .chunks(w.max(1))
                    .map(|c| Line::from(Span::styled(c.iter().collect::<String>(), t.text)))
                    .collect()
            }
            None => vec![Line::from(Span::styled(
                truncate("No AWS reference on this card.", w),
                t.dim,
            ))],
        };
        let keep_tail = tail.len().min(room.saturating_sub(1));
        head.truncate(room - keep_tail);
        head.extend(tail.into_iter().take(keep_tail));
        head
    }
}

fn numeric(c: Column) -> bool {
    matches!(
        c,
        Column::Interval | Column::Stability | Column::Recall | Column::Lapses
    )
}

/// Pads (or cuts) to exactly `w` cells, right-aligned for numbers.
fn pad(text: &str, w: usize, right: bool) -> String {
    let text = truncate(text, w);
    let fill = " ".repeat(w.saturating_sub(width(&text)));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

impl Widget for &BrowserScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let detail_h: u16 = if area.height >= 16 { 4 } else { 2 };
        let [filter, info, header, list, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(detail_h),
        ])
        .areas(area);
        let w = area.width as usize;
        let filter_line = if self.typing {
            Line::from(vec![
                Span::styled("Filter: ", t.key),
                Span::raw(sanitize(&self.filter)),
                Span::styled("▏", t.key),
            ])
        } else if self.filter.is_empty() {
            Line::from(vec![
                Span::styled("/", t.key),
                Span::styled(
                    " filter: words, is:suspended, is:leech, is:due, topic:kms, kind:table",
                    t.dim,
                ),
            ])
        } else {
            Line::from(vec![
                Span::styled("Filter: ", t.dim),
                Span::raw(sanitize(&self.filter)),
                Span::styled("  (/ edits)", t.dim),
            ])
        };
        Paragraph::new(filter_line).render(filter, buf);
        let info_line = match &self.filter_error {
            Some(e) => Line::from(Span::styled(
                truncate(&format!("✗ {}", sanitize(e)), w),
                t.bad,
            )),
            None => {
                let mut text = format!(
                    "{} of {} · by {} {}",
                    cards(self.shown.len()),
                    self.rows.len(),
                    self.sort.name(),
                    if self.descending { "▼" } else { "▲" }
                );
                if !self.marked.is_empty() {
                    text.push_str(&format!(" · {} marked", self.marked.len()));
                }
                Line::from(Span::styled(truncate(&text, w), t.dim))
            }
        };
        Paragraph::new(info_line).render(info, buf);
        let cols = self.layout(w.saturating_sub(2));
        Paragraph::new(self.header(&cols)).render(header, buf);
        let rows_h = list.height as usize;
        self.page.set(rows_h.max(1));
        if self.shown.is_empty() {
            let hint = if self.filter.is_empty() {
                "No cards are loaded.".to_string()
            } else {
                format!("No card matches. Filter words: {IS_WORDS} after is:")
            };
            Paragraph::new(Line::from(Span::styled(truncate(&hint, w), t.dim))).render(list, buf);
        } else {
            let mut top = self.top.get().min(self.cursor);
            if self.cursor >= top + rows_h {
                top = self.cursor + 1 - rows_h;
            }
            self.top.set(top);
            let lines: Vec<Line> = self
                .shown
                .iter()
                .enumerate()
                .skip(top)
                .take(rows_h)
                .map(|(pos, &i)| self.row_line(&self.rows[i], &cols, pos == self.cursor))
                .collect();
            Paragraph::new(lines).render(list, buf);
        }
        Paragraph::new(self.detail_lines(w, detail_h as usize)).render(detail, buf);
    }
}
