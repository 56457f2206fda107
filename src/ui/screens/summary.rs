//! The end of a review session (or a session with nothing to show): what was done, how it
//! went, what comes next, and the ways to go on studying today.

use ratatui::text::{Line, Span};

use crate::srs::clock::{Date, DayClock};
use crate::srs::format_interval;
use crate::store::Outlook;
use crate::ui::text::{sanitize, wrap};
use crate::ui::theme::Theme;

/// How many new cards `n` adds, and how many days `a` studies ahead.
pub const LEARN_MORE: u32 = 5;
pub const AHEAD_DAYS: u32 = 3;

/// Everything the summary shows, gathered when the session runs out of cards.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub answered: u32,
    /// Again, Hard, Good, Easy.
    pub ratings: [u32; 4],
    pub elapsed_ms: i64,
    /// Cards that became leeches in this session.
    pub leeches: Vec<String>,
    pub outlook: Outlook,
    /// A learning card of this session comes back at this instant.
    pub learning_back: Option<i64>,
    pub clock: DayClock,
}

/// `today at 14:05`, `tomorrow`, `in 3 days (2026-12-06)`.
pub fn when(due: i64, now: i64, clock: &DayClock) -> String {
    let days = clock.day(due) - clock.day(now);
    match days {
        d if d <= 0 => format!("in {}", format_interval(due - now)),
        1 => format!("tomorrow ({})", Date::from_day_number(clock.day(due))),
        d => format!("in {d} days ({})", Date::from_day_number(clock.day(due))),
    }
}

impl Summary {
    pub fn lines(&self, width: u16, now: i64, t: &Theme) -> Vec<Line<'static>> {
        let w = width as usize;
        let mut lines = Vec::new();
        let o = &self.outlook;
        if self.answered == 0 {
            lines.push(Line::from(Span::styled("Nothing to review now.", t.title)));
        } else {
            lines.push(Line::from(Span::styled(
                format!(
                    "✓ Session complete: {} in {}",
                    crate::ui::text::count(self.answered, "answer", "answers"),
                    super::review::fmt_clock(self.elapsed_ms)
                ),
                t.good,
            )));
            let names = ["Again", "Hard", "Good", "Easy"];
            let mut spans = vec![Span::styled("Ratings: ", t.dim)];
            for (i, n) in self.ratings.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" · ", t.dim));
                }
                spans.push(Span::styled(format!("{} {n}", names[i]), t.ratings[i]));
            }
            lines.push(Line::from(spans));
        }
        let (passed, all) = o.retention_today;
        lines.push(Line::from(vec![
            Span::styled("Today's retention: ", t.dim),
            Span::styled(
                if all == 0 {
                    "no review cards answered today".to_string()
                } else {
                    format!(
                        "{:.0}% ({passed} of {} recalled)",
                        f64::from(passed) * 100.0 / f64::from(all),
                        crate::ui::text::count(all, "review card", "review cards")
                    )
                },
                t.text,
            ),
        ]));
        if !self.leeches.is_empty() {
            let text = format!(
                "! Leech{} found: {} (forgotten 8 times: reword the card in your notes or suspend it in the browser)",
                if self.leeches.len() == 1 { "" } else { "es" },
                self.leeches
                    .iter()
                    .map(|s| sanitize(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for l in wrap(&text, w) {
                lines.push(Line::from(Span::styled(l, t.warn)));
            }
        }
        lines.push(Line::default());
        if let Some(back) = self.learning_back {
            lines.push(Line::from(format!(
                "A learning card comes back {}; this screen picks it up.",
                when(back, now, &self.clock)
            )));
        }
        match o.next_due {
            Some(due) => lines.push(Line::from(vec![
                Span::styled("Next card due: ", t.dim),
                Span::styled(when(due, now, &self.clock), t.text),
            ])),
            None if o.unseen == 0 => {
                lines.push(Line::from(Span::styled("No card is scheduled.", t.dim)))
            }
            None => {}
        }
        let days: Vec<String> = o
            .forecast
            .iter()
            .take(7)
            .enumerate()
            .map(|(i, (_, n))| {
                if i == 0 {
                    format!("tomorrow {n}")
                } else {
                    format!("+{}d {n}", i + 1)
                }
            })
            .collect();
        if !days.is_empty() {
            for l in wrap(&format!("Due: {}", days.join(" · ")), w) {
                lines.push(Line::from(Span::styled(l, t.dim)));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("What next:", t.title)));
        let key = |k: &str, text: String| {
            Line::from(vec![
                Span::styled(format!("  {k}  "), t.key),
                Span::styled(text, t.text),
            ])
        };
        if o.unseen > 0 {
            lines.push(key(
                "n",
                format!(
                    "learn {LEARN_MORE} more new cards today ({} not yet seen)",
                    o.unseen
                ),
            ));
        } else {
            lines.push(Line::from(Span::styled(
                "  n  (every card has been seen: no new cards left)",
                t.dim,
            )));
        }
        if o.due_ahead > 0 {
            lines.push(key(
                "a",
                format!(
                    "study ahead: {} due in the next {AHEAD_DAYS} days",
                    crate::ui::text::count(o.due_ahead, "card", "cards")
                ),
            ));
        } else {
            lines.push(Line::from(Span::styled(
                format!("  a  (no card is due in the next {AHEAD_DAYS} days)"),
                t.dim,
            )));
        }
        lines.push(key(
            "c",
            "cram chosen topics, regardless of due dates".into(),
        ));
        lines.push(key("m", "mock interview".into()));
        lines.push(key("q", "back to the dashboard".into()));
        lines
    }
}
