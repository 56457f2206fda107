//! Topic picker: multi-select of topics with due / new / total counts, for review, cram and mock.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::srs::stats::TopicCounts;
use crate::ui::theme::Theme;
use crate::ui::{Action, Effect, Input, Open, Purpose, Scope};

#[derive(Debug, Clone)]
pub struct TopicPickerScreen {
    pub purpose: Purpose,
    pub topics: Vec<TopicCounts>,
    pub marked: Vec<bool>,
    pub selected: usize,
    pub theme: Theme,
    /// A mock interview's length in minutes and its number of questions, chosen here.
    pub mock: Option<(u64, usize)>,
}

/// The lengths and question counts a mock interview can be given in the picker.
pub const MOCK_MINUTES: std::ops::RangeInclusive<u64> = 5..=180;
pub const MOCK_QUESTIONS: std::ops::RangeInclusive<usize> = 1..=40;

impl TopicPickerScreen {
    pub fn new(purpose: Purpose, topics: Vec<TopicCounts>, theme: Theme) -> Self {
        let marked = vec![false; topics.len()];
        TopicPickerScreen {
            purpose,
            topics,
            marked,
            selected: 0,
            theme,
            mock: None,
        }
    }

    pub fn context(&self) -> Scope {
        Scope::TopicPicker
    }

    pub fn title(&self) -> &'static str {
        match self.purpose {
            Purpose::Review => "Review: choose topics",
            Purpose::Cram => "Cram: choose topics",
            Purpose::Mock => "Mock interview: choose topics",
        }
    }

    /// The marked topics (none marked = all topics).
    pub fn chosen(&self) -> Vec<String> {
        self.topics
            .iter()
            .zip(&self.marked)
            .filter(|(_, m)| **m)
            .map(|(t, _)| t.topic.clone())
            .collect()
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        let n = self.topics.len();
        match input {
            Input::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Input::Action(Action::Down) if n > 0 => self.selected = (self.selected + 1).min(n - 1),
            Input::Action(Action::Top) => self.selected = 0,
            Input::Action(Action::Bottom) => self.selected = n.saturating_sub(1),
            Input::Action(Action::PageUp) => self.selected = self.selected.saturating_sub(10),
            Input::Action(Action::PageDown) if n > 0 => {
                self.selected = (self.selected + 10).min(n - 1)
            }
            Input::Action(Action::Toggle) => {
                if let Some(m) = self.marked.get_mut(self.selected) {
                    *m = !*m;
                }
            }
            Input::Action(Action::All) => {
                let all = self.marked.iter().all(|m| *m);
                self.marked.iter_mut().for_each(|m| *m = !all);
            }
            Input::Action(
                action @ (Action::Left | Action::Right | Action::Fewer | Action::More),
            ) => {
                if let Some((minutes, questions)) = &mut self.mock {
                    match action {
                        Action::Left => *minutes = minutes.saturating_sub(5),
                        Action::Right => *minutes = minutes.saturating_add(5),
                        Action::Fewer => *questions = questions.saturating_sub(1),
                        _ => *questions = questions.saturating_add(1),
                    }
                    *minutes = (*minutes).clamp(*MOCK_MINUTES.start(), *MOCK_MINUTES.end());
                    *questions = (*questions).clamp(*MOCK_QUESTIONS.start(), *MOCK_QUESTIONS.end());
                }
            }
            Input::Action(Action::Select) => {
                let topics = self.chosen();
                if let (Purpose::Mock, Some((minutes, questions))) = (self.purpose, self.mock) {
                    return Effect::Replace(Open::MockWith(
                        crate::ui::screens::mock::MockOptions {
                            minutes,
                            questions,
                            topics,
                            seed: None,
                        },
                    ));
                }
                return Effect::Replace(match self.purpose {
                    Purpose::Review => Open::Review { topics },
                    Purpose::Cram => Open::Cram {
                        topics,
                        reschedule: true,
                    },
                    Purpose::Mock => Open::Mock { topics },
                });
            }
            Input::Mouse(m) => {
                use ratatui::crossterm::event::MouseEventKind;
                match m.kind {
                    MouseEventKind::ScrollUp => self.selected = self.selected.saturating_sub(1),
                    MouseEventKind::ScrollDown if n > 0 => {
                        self.selected = (self.selected + 1).min(n - 1)
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Effect::None
    }
}

impl Widget for &TopicPickerScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let mut lines = Vec::new();
        let marked = self.marked.iter().filter(|m| **m).count();
        let summary = if marked == 0 {
            "No topic marked: all topics.".to_string()
        } else {
            format!(
                "{} marked.",
                crate::ui::text::count(marked as u64, "topic", "topics")
            )
        };
        lines.push(Line::from(Span::styled(summary, t.dim)));
        if let Some((minutes, questions)) = self.mock {
            let q = if questions == 1 {
                "question"
            } else {
                "questions"
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("Interview: {minutes} min · {questions} {q}"),
                    t.title,
                ),
                Span::styled("  ←/→ length · -/+ questions", t.dim),
            ]));
        }
        let wide = area.width >= 50;
        let head = if wide {
            format!(
                "     {:<22} {:>4} {:>4} {:>4} {:>5}",
                "topic", "due", "new", "lrn", "total"
            )
        } else {
            format!("     {:<10} {:>4} {:>4}", "topic", "due", "new")
        };
        lines.push(Line::from(Span::styled(head, t.dim)));
        // The selected topic's title (and a deck's description of it) on the last line.
        let about = self.topics.get(self.selected).map(|tc| {
            match crate::deck::model::topic_description(&tc.topic) {
                Some(d) => format!("{} — {d}", tc.title),
                None => tc.title.clone(),
            }
        });
        let about = about.filter(|_| area.height >= 6);
        // Keep the selection visible.
        let rows = area
            .height
            .saturating_sub(lines.len() as u16 + u16::from(about.is_some()))
            as usize;
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        for (i, (tc, m)) in self
            .topics
            .iter()
            .zip(&self.marked)
            .enumerate()
            .skip(first)
            .take(rows)
        {
            let mark = if *m { "[x]" } else { "[ ]" };
            let cursor = if i == self.selected { "›" } else { " " };
            let text = if wide {
                format!(
                    "{cursor}{mark} {:<22} {:>4} {:>4} {:>4} {:>5}",
                    crate::ui::text::truncate(&tc.topic, 22),
                    tc.due,
                    tc.new,
                    tc.learning,
                    tc.total
                )
            } else {
                format!(
                    "{cursor}{mark} {:<10} {:>4} {:>4}",
                    crate::ui::text::truncate(&tc.topic, 10),
                    tc.due,
                    tc.new
                )
            };
            let style = if i == self.selected {
                t.selected
            } else {
                t.text
            };
            lines.push(Line::from(Span::styled(text, style)));
        }
        Paragraph::new(lines).render(area, buf);
        if let Some(about) = about {
            let [_, last] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
            Paragraph::new(Line::from(Span::styled(
                crate::ui::text::truncate(&crate::ui::text::sanitize(&about), area.width as usize),
                t.dim,
            )))
            .render(last, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ThemeKind;

    fn counts(topic: &str) -> TopicCounts {
        TopicCounts {
            topic: topic.into(),
            title: topic.into(),
            due: 1,
            new: 2,
            learning: 0,
            total: 3,
        }
    }

    #[test]
    fn marking_and_starting() {
        let mut p = TopicPickerScreen::new(
            Purpose::Cram,
            vec![counts("kms"), counts("sts")],
            Theme::new(ThemeKind::Mono),
        );
        p.handle(Input::Action(Action::Down));
        p.handle(Input::Action(Action::Toggle));
        assert_eq!(p.chosen(), ["sts"]);
        assert_eq!(
            p.handle(Input::Action(Action::Select)),
            Effect::Replace(Open::Cram {
                topics: vec!["sts".into()],
                reschedule: true
            })
        );
        p.handle(Input::Action(Action::All));
        assert_eq!(p.chosen(), ["kms", "sts"]);
        p.handle(Input::Action(Action::All));
        assert!(p.chosen().is_empty());
        // Length and size only change a mock interview.
        p.handle(Input::Action(Action::Right));
        assert_eq!(p.mock, None);
    }

    #[test]
    fn a_mock_interview_gets_its_length_and_questions_here() {
        let mut p = TopicPickerScreen::new(
            Purpose::Mock,
            vec![counts("kms"), counts("sts")],
            Theme::new(ThemeKind::Mono),
        );
        p.mock = Some((30, 2));
        p.handle(Input::Action(Action::Right));
        p.handle(Input::Action(Action::More));
        for _ in 0..5 {
            p.handle(Input::Action(Action::Fewer));
        }
        assert_eq!(p.mock, Some((35, 1)), "at least one question");
        for _ in 0..100 {
            p.handle(Input::Action(Action::Left));
        }
        assert_eq!(p.mock, Some((5, 1)), "at least five minutes");
        p.handle(Input::Action(Action::Toggle));
        assert_eq!(
            p.handle(Input::Action(Action::Select)),
            Effect::Replace(Open::MockWith(crate::ui::screens::mock::MockOptions {
                minutes: 5,
                questions: 1,
                topics: vec!["kms".into()],
                seed: None,
            }))
        );
    }
}
