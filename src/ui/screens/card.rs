//! One card, read-only: question, answer, key points, correction, and the other guides' versions.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::deck::model::{Card, CardKind};
use crate::ui::text::{sanitize, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::markup::{answer_lines, variant_lines};
use crate::ui::widgets::table::{CellShow, table_lines};
use crate::ui::{Action, Effect, Input, Open};

pub struct CardScreen {
    pub card: Card,
    pub scroll: crate::ui::Scroll,
    pub show_variants: bool,
    theme: Theme,
}

impl CardScreen {
    pub fn new(card: &Card, theme: Theme) -> Self {
        CardScreen {
            card: card.clone(),
            scroll: Default::default(),
            show_variants: false,
            theme,
        }
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        if self.scroll.handle(&input) {
            return Effect::None;
        }
        match input {
            Input::Action(Action::Variants) => {
                self.show_variants = !self.show_variants;
                self.scroll.reset();
            }
            Input::Action(Action::Review) => {
                return Effect::Open(Open::ReviewCard(self.card.id.clone()));
            }
            Input::Action(Action::OpenLink) => {
                if let Some(url) = self.card.references.first() {
                    return Effect::OpenUrl(url.clone());
                }
            }
            Input::Action(Action::Back) => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    pub fn lines(&self, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let c = &self.card;
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{} · {:?} · {:?}{}",
                c.topic,
                c.kind,
                c.difficulty,
                c.source
                    .as_deref()
                    .map(|s| format!(" · {s}"))
                    .unwrap_or_default()
            )
            .to_lowercase(),
            t.dim,
        ))];
        lines.extend(crate::ui::widgets::markup::question_lines(
            &c.question,
            width,
            t,
        ));
        lines.push(Line::default());
        if self.show_variants {
            if c.variants.is_empty() {
                lines.push(Line::from(Span::styled(
                    "No other guide asks this question.",
                    t.dim,
                )));
            }
            lines.extend(variant_lines(c, width, t));
            return lines;
        }
        match c.kind {
            CardKind::Table => {
                if let Some(table) = &c.table {
                    lines.extend(table_lines(
                        &table.headers,
                        &table.rows,
                        width,
                        t,
                        &|_, _| CellShow::Normal,
                    ));
                    lines.push(Line::default());
                }
            }
            CardKind::Scenario => {
                if let Some(s) = &c.scenario {
                    for l in wrap(&sanitize(&s.situation), width as usize) {
                        lines.push(Line::from(Span::styled(l, t.dim)));
                    }
                    lines.push(Line::default());
                }
            }
            CardKind::Basic => {}
        }
        lines.extend(answer_lines(c, width, t, true));
        if !c.variants.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!(
                    "v: {} of this question",
                    crate::ui::text::count(
                        c.variants.len() as u64,
                        "other version",
                        "other versions"
                    )
                ),
                t.dim,
            )));
        }
        lines
    }
}

impl Widget for &CardScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = self.lines(area.width.min(crate::ui::READABLE_WIDTH));
        let offset = self.scroll.offset(lines.len(), area.height);
        Paragraph::new(lines).scroll((offset, 0)).render(area, buf);
    }
}
