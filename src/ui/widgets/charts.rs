//! Charts drawn as text: a calendar heatmap and horizontal bars with their numbers beside them.
//! Intensity uses glyphs of increasing density, so it reads without colour.

use ratatui::text::{Line, Span};

use crate::srs::Date;
use crate::ui::text::{truncate, width};
use crate::ui::theme::Theme;

/// Glyphs from no reviews to the most.
pub const HEAT_GLYPHS: [&str; 5] = ["·", "░", "▒", "▓", "█"];

/// A calendar of the last `weeks` weeks ending today: rows Monday..Sunday, one column per week,
/// plus a legend line.
pub fn heatmap_lines(
    days: &[(Date, u32)],
    today: Date,
    weeks: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let weeks = weeks.max(1);
    let today_n = today.day_number();
    // Monday = 0 (1970-01-01 was a Thursday, day number 0 in the store's calendar).
    let weekday = |n: i64| (n + 3).rem_euclid(7);
    let last_monday = today_n - weekday(today_n);
    let first = last_monday - 7 * (weeks as i64 - 1);
    let counts: std::collections::HashMap<i64, u32> =
        days.iter().map(|(d, c)| (d.day_number(), *c)).collect();
    let max = counts
        .iter()
        .filter(|(d, _)| **d >= first)
        .map(|(_, c)| *c)
        .max()
        .unwrap_or(0);
    let level = |c: u32| -> usize {
        if c == 0 || max == 0 {
            0
        } else {
            1 + ((c as usize - 1) * 4 / max as usize).min(3)
        }
    };
    let names = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
    let mut lines = Vec::new();
    for (row, name) in names.iter().enumerate() {
        let mut spans = vec![Span::styled(format!("{name} "), theme.dim)];
        for w in 0..weeks {
            let day = first + 7 * w as i64 + row as i64;
            if day > today_n {
                spans.push(Span::raw("  "));
                continue;
            }
            let l = level(counts.get(&day).copied().unwrap_or(0));
            spans.push(Span::styled(format!("{} ", HEAT_GLYPHS[l]), theme.heat[l]));
        }
        lines.push(Line::from(spans));
    }
    let total: u32 = counts
        .iter()
        .filter(|(d, _)| **d >= first)
        .map(|(_, c)| *c)
        .sum();
    let mut legend = vec![Span::styled("   less ", theme.dim)];
    for (l, g) in HEAT_GLYPHS.iter().enumerate() {
        legend.push(Span::styled(*g, theme.heat[l]));
    }
    legend.push(Span::styled(
        format!(" more · {total} in {weeks} wk"),
        theme.dim,
    ));
    lines.push(Line::from(legend));
    lines
}

/// One bar: a label, its value out of `max`, and the text printed beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub max: f64,
    pub text: String,
}

/// Horizontal bars: `label ████▌     text`, fitting `width`.
pub fn bar_lines(bars: &[Bar], width_cells: u16, theme: &Theme) -> Vec<Line<'static>> {
    let w = width_cells as usize;
    let label_w = bars
        .iter()
        .map(|b| width(&b.label))
        .max()
        .unwrap_or(0)
        .min(w / 3)
        .max(1);
    let text_w = bars
        .iter()
        .map(|b| width(&b.text))
        .max()
        .unwrap_or(0)
        .min(w / 3);
    let bar_w = w.saturating_sub(label_w + text_w + 3).max(1);
    bars.iter()
        .map(|b| {
            let frac = if b.max > 0.0 {
                (b.value / b.max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let eighths = (frac * bar_w as f64 * 8.0).round() as usize;
            let full = eighths / 8;
            let part = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8];
            let mut bar = "█".repeat(full);
            bar.push_str(part);
            let pad = bar_w.saturating_sub(width(&bar));
            let label = truncate(&b.label, label_w);
            Line::from(vec![
                Span::styled(format!("{label:<label_w$} "), theme.text),
                Span::styled(bar, theme.bar),
                Span::raw(" ".repeat(pad + 1)),
                Span::styled(truncate(&b.text, text_w.max(1)), theme.dim),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ThemeKind;

    #[test]
    fn heatmap_marks_review_days_with_denser_glyphs() {
        let t = Theme::new(ThemeKind::Mono);
        let today = Date::new(2026, 11, 28).unwrap(); // a Saturday
        let days = [(today, 10), (Date::new(2026, 11, 27).unwrap(), 1)];
        let lines = heatmap_lines(&days, today, 2, &t);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text[4], "Fr · ░ ");
        assert_eq!(text[5], "Sa · █ ");
        assert_eq!(text[6], "Su ·   ");
        assert!(text[7].contains("11 in 2 wk"));
    }

    #[test]
    fn bars_scale_and_print_their_numbers() {
        let t = Theme::new(ThemeKind::Mono);
        let bars = [
            Bar {
                label: "kms".into(),
                value: 1.0,
                max: 1.0,
                text: "100%".into(),
            },
            Bar {
                label: "sts".into(),
                value: 0.5,
                max: 1.0,
                text: "50%".into(),
            },
        ];
        let lines = bar_lines(&bars, 20, &t);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text[0], "kms ██████████ 100%");
        assert_eq!(text[1], "sts █████      50%");
        for l in &lines {
            assert!(l.width() <= 20);
        }
    }
}
