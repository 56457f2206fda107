//! Search from anywhere: a query line, results updated on every keystroke with the matched
//! characters highlighted; Enter opens the card.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use std::rc::Rc;

use crate::deck::Library;
use crate::search::{Field, Hit, Searcher};
use crate::ui::text::{sanitize, truncate, width};
use crate::ui::theme::Theme;
use crate::ui::{Action, Effect, Input, Open};

pub struct SearchScreen {
    pub query: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    searcher: Rc<Searcher>,
    theme: Theme,
    /// Topic and kind per hit, looked up once per query.
    labels: Vec<String>,
    /// The first visible row (kept so clicks map to rows).
    top: std::cell::Cell<usize>,
    /// The query the candidates belong to, and every card it matched.
    last_query: String,
    candidates: Vec<u32>,
}

const LIMIT: usize = 200;

impl SearchScreen {
    pub fn new(lib: &Library, theme: Theme) -> Self {
        SearchScreen::with_searcher(Rc::new(Searcher::new(lib.cards())), theme)
    }

    /// The screen over a searcher already built (the app keeps one per library: building it
    /// reads every card).
    pub fn with_searcher(searcher: Rc<Searcher>, theme: Theme) -> Self {
        SearchScreen {
            query: String::new(),
            hits: Vec::new(),
            selected: 0,
            searcher,
            theme,
            labels: Vec::new(),
            top: std::cell::Cell::new(0),
            last_query: String::new(),
            candidates: Vec::new(),
        }
    }

    /// The searcher this screen reads.
    pub fn searcher(&self) -> &Rc<Searcher> {
        &self.searcher
    }

    fn refresh(&mut self, lib: &Library) {
        // Typing more narrows the matches: search only among the last query's.
        let narrowing =
            !self.last_query.trim().is_empty() && self.query.starts_with(&self.last_query);
        let within = narrowing.then_some(self.candidates.as_slice());
        let (hits, candidates) = self.searcher.search_in(&self.query, LIMIT, within);
        self.hits = hits;
        self.candidates = candidates;
        self.last_query = self.query.clone();
        self.labels = self
            .hits
            .iter()
            .map(|h| match lib.card(&h.card_id) {
                Some(c) => format!("{} · {:?}", c.topic, c.kind).to_lowercase(),
                None => String::new(),
            })
            .collect();
        self.selected = 0;
    }

    pub fn handle(&mut self, input: Input, lib: &Library) -> Effect {
        let n = self.hits.len();
        match input {
            Input::Key(ev) => {
                let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
                match ev.code {
                    KeyCode::Char('u') if ctrl => self.query.clear(),
                    KeyCode::Char('w') if ctrl => {
                        let trimmed = self.query.trim_end().to_string();
                        let cut = trimmed.rfind(' ').map(|i| i + 1).unwrap_or(0);
                        self.query.truncate(cut);
                    }
                    KeyCode::Char(c) if !ctrl => self.query.push(c),
                    KeyCode::Backspace => {
                        self.query.pop();
                    }
                    _ => return Effect::None,
                }
                self.refresh(lib);
            }
            Input::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::Down) if n > 0 => self.selected = (self.selected + 1).min(n - 1),
            Input::Action(Action::PageUp) => self.selected = self.selected.saturating_sub(10),
            Input::Action(Action::PageDown) if n > 0 => {
                self.selected = (self.selected + 10).min(n - 1)
            }
            Input::Action(Action::Select) => {
                if let Some(h) = self.hits.get(self.selected) {
                    return Effect::Open(Open::Card(h.card_id.clone()));
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            Input::Mouse(m) => match m.kind {
                MouseEventKind::ScrollUp => self.selected = self.selected.saturating_sub(1),
                MouseEventKind::ScrollDown if n > 0 => {
                    self.selected = (self.selected + 1).min(n - 1)
                }
                MouseEventKind::Down(MouseButton::Left) => {
                    // Rows start on the third line of the screen; two lines per result.
                    let row = (m.row as usize).saturating_sub(2) / 2 + self.top.get();
                    if row < n {
                        if row == self.selected {
                            return Effect::Open(Open::Card(self.hits[row].card_id.clone()));
                        }
                        self.selected = row;
                    }
                }
                _ => {}
            },
            _ => {}
        }
        Effect::None
    }
}

impl Widget for &SearchScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let [input, info, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let shown = sanitize(&self.query);
        let room = (input.width as usize).saturating_sub(3);
        let visible = if width(&shown) > room {
            let skip = shown.chars().count().saturating_sub(room);
            shown.chars().skip(skip).collect()
        } else {
            shown
        };
        Paragraph::new(Line::from(vec![
            Span::styled("/ ", t.key),
            Span::raw(visible),
            Span::styled("▏", t.key),
        ]))
        .render(input, buf);
        let count = if self.query.trim().is_empty() {
            "Type to search questions, answers, tags and topics.".to_string()
        } else {
            crate::ui::text::count(self.hits.len() as u64, "result", "results")
        };
        Paragraph::new(Line::from(Span::styled(count, t.dim))).render(info, buf);
        let rows = (list.height / 2).max(1) as usize;
        let top = self.selected.saturating_sub(rows - 1);
        self.top.set(top);
        let mut lines = Vec::new();
        let w = list.width as usize;
        for (i, hit) in self.hits.iter().enumerate().skip(top).take(rows) {
            let sel = i == self.selected;
            let base = if sel { t.selected } else { t.text };
            let cursor = if sel { "› " } else { "  " };
            let mut spans = vec![Span::styled(cursor, base)];
            let snippet = sanitize(&hit.snippet);
            let mut used = 2;
            for (k, ch) in snippet.chars().enumerate() {
                let cw = width(&ch.to_string());
                if used + cw > w.saturating_sub(1) {
                    spans.push(Span::styled("…", base));
                    break;
                }
                used += cw;
                let style = if hit.positions.contains(&k) {
                    base.patch(t.matched)
                } else {
                    base
                };
                spans.push(Span::styled(ch.to_string(), style));
            }
            lines.push(Line::from(spans));
            let field = match hit.field {
                Field::Question => "question",
                Field::Id => "id",
                Field::Answer => "answer",
                Field::Tags => "tags",
                Field::Topic => "topic",
            };
            if hit.corrections.is_empty() {
                let label = format!(
                    "    {} · in {field}",
                    self.labels.get(i).map(String::as_str).unwrap_or("")
                );
                lines.push(Line::from(Span::styled(truncate(&label, w), t.dim)));
            } else {
                // The snippet shows a wrong source passage: its correction takes the second line.
                let fix = format!("    {}", sanitize(&hit.corrections.join(" · ")));
                lines.push(Line::from(Span::styled(truncate(&fix, w), t.warn)));
            }
        }
        Paragraph::new(lines).render(list, buf);
    }
}
