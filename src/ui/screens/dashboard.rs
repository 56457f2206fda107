//! Dashboard: today's work per topic, streak, recent reviews, the interview countdown, and actions.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::srs::plan::Plan;
use crate::store::Stats;
use crate::ui::theme::Theme;
use crate::ui::widgets::charts::heatmap_lines;
use crate::ui::{Action, Effect, Input, Open, Purpose, Scope};

/// The dashboard's actions, in menu order: (action, key label, text).
pub const MENU: &[(Action, &str, &str)] = &[
    (Action::Review, "r", "Review due cards"),
    (Action::Cram, "c", "Cram topics"),
    (Action::Mock, "m", "Mock interview"),
    (Action::Browse, "b", "Browse cards"),
    (Action::Stats, "s", "Statistics"),
    (Action::Lab, "l", "Policy lab"),
    (Action::Back, "q", "Quit"),
];

#[derive(Debug, Clone)]
pub struct DashboardScreen {
    pub stats: Stats,
    pub plan: Option<Plan>,
    pub selected: usize,
    pub theme: Theme,
    /// Whether the policy lab is available in this build.
    pub lab: bool,
    /// New cards today's review will introduce (the daily limit less those already started).
    pub new_today: u32,
    /// The topic list scrolls (PgUp/PgDn, the mouse wheel) when it is longer than its box.
    pub topics_scroll: crate::ui::Scroll,
}

impl DashboardScreen {
    pub fn new(stats: Stats, plan: Option<Plan>, theme: Theme, lab: bool) -> Self {
        DashboardScreen {
            stats,
            plan,
            selected: 0,
            theme,
            lab,
            new_today: u32::MAX,
            topics_scroll: Default::default(),
        }
    }

    pub fn context(&self) -> Scope {
        Scope::Dashboard
    }

    fn menu(&self) -> Vec<&(Action, &'static str, &'static str)> {
        MENU.iter()
            .filter(|(a, _, _)| self.lab || *a != Action::Lab)
            .collect()
    }

    fn run(&self, action: Action) -> Effect {
        match action {
            Action::Review => Effect::Open(Open::Review { topics: Vec::new() }),
            Action::Cram => Effect::Open(Open::TopicPicker(Purpose::Cram)),
            Action::Mock => Effect::Open(Open::TopicPicker(Purpose::Mock)),
            Action::Browse => Effect::Open(Open::Browser {
                filter: String::new(),
            }),
            Action::Search => Effect::Open(Open::Search),
            Action::Stats => Effect::Open(Open::Stats),
            Action::Lab if self.lab => Effect::Open(Open::Lab),
            Action::Back => Effect::Back,
            _ => Effect::None,
        }
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        let n = self.menu().len();
        match input {
            Input::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::Down) => self.selected = (self.selected + 1).min(n - 1),
            Input::Action(Action::Top) => self.selected = 0,
            Input::Action(Action::Bottom) => self.selected = n - 1,
            Input::Action(Action::Select) => {
                let action = self.menu()[self.selected].0;
                return self.run(action);
            }
            ref
            scrolling @ (Input::Action(Action::PageUp | Action::PageDown) | Input::Mouse(_)) => {
                self.topics_scroll.handle(scrolling);
            }
            Input::Action(a) => return self.run(a),
            _ => {}
        }
        Effect::None
    }

    fn totals(&self) -> (u32, u32, u32) {
        self.stats.topics.iter().fold((0, 0, 0), |(d, n, l), t| {
            (d + t.due, n + t.new, l + t.learning)
        })
    }

    fn summary_lines(&self) -> Vec<Line<'static>> {
        let t = &self.theme;
        let (due, new, learning) = self.totals();
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{due}"), t.title),
            Span::styled(" due  ", t.text),
            Span::styled(format!("{}", new.min(self.new_today)), t.title),
            Span::styled(format!(" new (of {new} unseen)  "), t.text),
            Span::styled(format!("{learning}"), t.title),
            Span::styled(" learning", t.text),
        ])];
        let streak = self.stats.streak;
        lines.push(Line::from(vec![
            Span::styled("Streak: ", t.dim),
            Span::styled(
                format!("{streak} day{}", if streak == 1 { "" } else { "s" }),
                t.text,
            ),
            Span::styled(
                format!("  · today {} answered", self.stats.reviews_today),
                t.dim,
            ),
        ]));
        match &self.plan {
            Some(plan) if plan.interview_date.day_number() < self.stats.today.day_number() => {
                lines.push(Line::from(vec![
                    Span::styled("Interview ", t.dim),
                    Span::styled(plan.interview_date.to_string(), t.title),
                    Span::styled(" has passed", t.text),
                ]));
                lines.push(Line::from(Span::styled(
                    "Next one? iamdrill plan --interview-date YYYY-MM-DD",
                    t.dim,
                )));
            }
            Some(plan) => {
                let mean = if plan.topics.is_empty() {
                    0.0
                } else {
                    plan.topics.iter().map(|p| p.predicted_recall).sum::<f32>()
                        / plan.topics.len() as f32
                };
                lines.push(Line::from(vec![
                    Span::styled("Interview ", t.dim),
                    Span::styled(plan.interview_date.to_string(), t.title),
                    Span::styled(
                        match plan.days_left {
                            0 => " · today".to_string(),
                            1 => " · 1 day left".to_string(),
                            n => format!(" · {n} days left"),
                        },
                        t.text,
                    ),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("Predicted recall then: ", t.dim),
                    Span::styled(format!("{:.0}%", mean * 100.0), t.text),
                    Span::styled(
                        format!(
                            " · {:.0} reviews/day to reach {:.0}%",
                            plan.reviews_per_day.ceil(),
                            plan.target * 100.0
                        ),
                        t.dim,
                    ),
                ]));
            }
            None => lines.push(Line::from(Span::styled(
                "No interview date: iamdrill plan --interview-date YYYY-MM-DD",
                t.dim,
            ))),
        }
        lines
    }

    /// The topic table in `room` lines (its header included), scrolled by PgUp/PgDn, and which
    /// topics show (first, last, of) when not all fit.
    fn topic_lines(
        &self,
        width: u16,
        room: usize,
    ) -> (Vec<Line<'static>>, Option<(usize, usize, usize)>) {
        let t = &self.theme;
        let name_w = (width as usize).saturating_sub(18).clamp(8, 22);
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{:<name_w$} {:>4} {:>4} {:>4}",
                "topic", "due", "new", "lrn"
            ),
            t.dim,
        ))];
        let total = self.stats.topics.len();
        let visible = room.saturating_sub(1).max(1);
        let offset =
            self.topics_scroll
                .offset(total, u16::try_from(visible).unwrap_or(u16::MAX)) as usize;
        for tc in self.stats.topics.iter().skip(offset).take(visible) {
            let style = if tc.due > 0 { t.text } else { t.dim };
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<name_w$} {:>4} {:>4} {:>4}",
                    crate::ui::text::truncate(&tc.topic, name_w),
                    tc.due,
                    tc.new,
                    tc.learning
                ),
                style,
            )));
        }
        let range = (total > visible).then(|| (offset + 1, (offset + visible).min(total), total));
        (lines, range)
    }

    fn menu_lines(&self) -> Vec<Line<'static>> {
        let t = &self.theme;
        self.menu()
            .iter()
            .enumerate()
            .map(|(i, (_, key, text))| {
                let cursor = if i == self.selected { "› " } else { "  " };
                let style = if i == self.selected {
                    t.selected
                } else {
                    t.text
                };
                Line::from(vec![
                    Span::styled(cursor.to_string(), style),
                    Span::styled(format!("{key} "), t.key),
                    Span::styled(text.to_string(), style),
                ])
            })
            .collect()
    }
}

impl Widget for &DashboardScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let summary = self.summary_lines();
        let menu = self.menu_lines();
        if area.width < 60 || area.height < 18 {
            // Narrow: one column, most important first.
            let mut lines = summary;
            lines.push(Line::default());
            // Short windows leave the menu to the footer, which names the same keys.
            if (area.height as usize) >= lines.len() + menu.len() + 8 {
                lines.extend(menu);
                lines.push(Line::default());
            }
            let room = (area.height as usize).saturating_sub(lines.len() + 1);
            let (topics, range) = self.topic_lines(area.width, room);
            lines.extend(topics);
            if let Some((first, last, total)) = range {
                lines.push(Line::from(Span::styled(
                    format!("topics {first}-{last} of {total} · PgUp/PgDn"),
                    t.dim,
                )));
            }
            Paragraph::new(lines).render(area, buf);
            return;
        }
        let [top, bottom] = Layout::vertical([
            Constraint::Length(summary.len() as u16 + 2),
            Constraint::Min(0),
        ])
        .areas(area);
        Paragraph::new(summary)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" Today ", t.title)),
            )
            .render(top, buf);
        let [left, right] =
            Layout::horizontal([Constraint::Length(38), Constraint::Min(20)]).areas(bottom);
        let [menu_area, topics_area] = Layout::vertical([
            Constraint::Length(menu.len() as u16 + 2),
            Constraint::Min(0),
        ])
        .areas(left);
        Paragraph::new(menu)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" Actions ", t.title)),
            )
            .render(menu_area, buf);
        let weeks = ((right.width.saturating_sub(6)) / 2).clamp(4, 52) as usize;
        let days: Vec<(crate::srs::Date, u32)> = self
            .stats
            .reviews_per_day
            .iter()
            .map(|d| (d.date, d.count))
            .collect();
        let heat = heatmap_lines(&days, self.stats.today, weeks, t);
        let heat_h = heat.len() as u16 + 2;
        let [heat_area, topic_right] =
            Layout::vertical([Constraint::Length(heat_h), Constraint::Min(0)]).areas(right);
        Paragraph::new(heat)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" Reviews, recent weeks ", t.title)),
            )
            .render(heat_area, buf);
        let topic_area = if topics_area.height >= 4 {
            topics_area
        } else {
            topic_right
        };
        let (topics, range) = self.topic_lines(
            topic_area.width.saturating_sub(2),
            topic_area.height.saturating_sub(2) as usize,
        );
        let title = match range {
            Some((first, last, total)) => format!(" Topics {first}-{last} of {total} · PgDn "),
            None => " Topics ".to_string(),
        };
        Paragraph::new(topics)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(title, t.title)),
            )
            .render(topic_area, buf);
        if topic_area == topics_area && topic_right.height >= 3 {
            let (due, new, learning) = self.totals();
            let hint = if due + learning + new.min(self.new_today) == 0 {
                "Nothing due today: r shows when the next card is due and offers more new cards or studying ahead."
            } else {
                "Press r to review today's cards."
            };
            Paragraph::new(Line::from(Span::styled(hint, t.dim)))
                .wrap(Wrap { trim: true })
                .render(topic_right, buf);
        }
    }
}
