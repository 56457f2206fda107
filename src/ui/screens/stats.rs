//! Statistics: review heatmap, due forecast, retention and predicted recall per topic, card states,
//! leeches. Pictures first, numbers beside them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::store::Stats;
use crate::ui::theme::Theme;
use crate::ui::widgets::charts::{Bar, bar_lines, heatmap_lines};
use crate::ui::{Effect, Input};

#[derive(Debug, Clone)]
pub struct StatsScreen {
    pub stats: Stats,
    pub scroll: crate::ui::Scroll,
    pub theme: Theme,
    /// Past mock interviews (oldest first): a label and the score, 0.0-1.0.
    pub mock_scores: Vec<(String, f64)>,
}

impl StatsScreen {
    pub fn new(stats: Stats, theme: Theme) -> Self {
        StatsScreen {
            stats,
            scroll: Default::default(),
            theme,
            mock_scores: Vec::new(),
        }
    }

    /// Scrolls; q/Esc close the screen through the app's default.
    pub fn handle(&mut self, input: Input) -> Effect {
        self.scroll.handle(&input);
        Effect::None
    }

    pub fn lines(&self, width: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let s = &self.stats;
        let heading = |text: &str| Line::from(Span::styled(text.to_string(), t.title));
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{}", s.total_reviews), t.title),
            Span::styled(" reviews · streak ", t.text),
            Span::styled(format!("{}", s.streak), t.title),
            Span::styled(
                format!(
                    " {} · today {}",
                    if s.streak == 1 { "day" } else { "days" },
                    s.reviews_today
                ),
                t.text,
            ),
            Span::styled(
                format!(" · target retention {:.0}%", s.desired_retention * 100.0),
                t.dim,
            ),
        ])];
        lines.push(Line::default());
        lines.push(heading("Reviews per day"));
        let weeks = (width.saturating_sub(6) / 2).clamp(4, 52) as usize;
        let days: Vec<(crate::srs::Date, u32)> = s
            .reviews_per_day
            .iter()
            .map(|d| (d.date, d.count))
            .collect();
        lines.extend(heatmap_lines(&days, s.today, weeks, t));
        lines.push(Line::default());
        lines.push(heading("Due in the next 30 days"));
        let max_due = s.forecast.iter().map(|d| d.count).max().unwrap_or(0).max(1) as f64;
        let forecast: Vec<Bar> = s
            .forecast
            .iter()
            .take(14)
            .enumerate()
            .map(|(i, d)| Bar {
                label: if i == 0 {
                    "today".into()
                } else {
                    format!("+{i}d")
                },
                value: f64::from(d.count),
                max: max_due,
                text: d.count.to_string(),
            })
            .collect();
        lines.extend(bar_lines(&forecast, width, t));
        let later: u32 = s.forecast.iter().skip(14).map(|d| d.count).sum();
        lines.push(Line::from(Span::styled(
            format!("days 15-30: {later} due"),
            t.dim,
        )));
        lines.push(Line::default());
        lines.push(heading("Predicted recall now, per topic"));
        let recall: Vec<Bar> = s
            .recall
            .iter()
            .map(|r| Bar {
                label: r.topic.clone(),
                value: f64::from(r.predicted_recall.unwrap_or(0.0)),
                max: 1.0,
                text: match r.predicted_recall {
                    Some(p) => format!("{:.0}% of {} seen", p * 100.0, r.cards_seen),
                    None => "not studied".into(),
                },
            })
            .collect();
        lines.extend(bar_lines(&recall, width, t));
        lines.push(Line::default());
        lines.push(heading(
            "True retention per topic (answers at 1 day or more)",
        ));
        let retention: Vec<Bar> = s
            .retention
            .iter()
            .map(|r| Bar {
                label: r.topic.clone(),
                value: f64::from(r.retention.unwrap_or(0.0)),
                max: 1.0,
                text: match (r.retention, r.answers) {
                    (Some(p), n) => format!(
                        "{:.0}% ({}/{}) of {}",
                        p * 100.0,
                        r.passed,
                        r.reviews,
                        crate::ui::text::count(n, "answer", "answers")
                    ),
                    (None, 0) => "not studied".into(),
                    (None, n) => format!(
                        "{}, none at 1 day+",
                        crate::ui::text::count(n, "answer", "answers")
                    ),
                },
            })
            .collect();
        lines.extend(bar_lines(&retention, width, t));
        lines.push(Line::default());
        lines.push(heading("Cards by state"));
        let st = &s.states;
        let states = [
            ("new", st.new),
            ("learning", st.learning),
            ("review", st.review),
            ("relearning", st.relearning),
            ("suspended", st.suspended),
            ("buried", st.buried),
        ];
        let max_state = states.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
        let state_bars: Vec<Bar> = states
            .iter()
            .map(|(name, n)| Bar {
                label: (*name).into(),
                value: f64::from(*n),
                max: max_state,
                text: n.to_string(),
            })
            .collect();
        lines.extend(bar_lines(&state_bars, width, t));
        lines.push(Line::default());
        lines.push(heading("Mock interviews"));
        if self.mock_scores.is_empty() {
            lines.push(Line::from(Span::styled(
                "None yet: press m on the dashboard or run `iamdrill mock`.",
                t.dim,
            )));
        } else {
            // The latest ten, oldest at the top.
            let skip = self.mock_scores.len().saturating_sub(10);
            let bars: Vec<Bar> = self.mock_scores[skip..]
                .iter()
                .map(|(label, score)| Bar {
                    label: label.clone(),
                    value: *score,
                    max: 1.0,
                    text: crate::ui::screens::mock::percent(*score),
                })
                .collect();
            lines.extend(bar_lines(&bars, width, t));
        }
        lines.push(Line::default());
        lines.push(heading(&format!(
            "Leeches (forgotten 8 times or more): {}",
            s.leeches.len()
        )));
        for l in &s.leeches {
            lines.push(Line::from(vec![
                Span::styled("! ", t.bad),
                Span::raw(format!("{} ({}) — {} lapses", l.card_id, l.topic, l.lapses)),
            ]));
        }
        lines
    }
}

impl Widget for &StatsScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = self.lines(area.width);
        let offset = self.scroll.offset(lines.len(), area.height);
        Paragraph::new(lines).scroll((offset, 0)).render(area, buf);
    }
}
