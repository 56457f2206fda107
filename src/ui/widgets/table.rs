//! Comparison tables drawn as real tables that fit the width: columns share it by content, cells
//! wrap, and drill cells can be hidden ("?") or highlighted once revealed.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::ui::text::{sanitize, width, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::markup::marked_spans;

/// How one cell is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellShow {
    Normal,
    /// Hidden for recall: drawn as `?`.
    Hidden,
    /// Was hidden, now revealed: highlighted.
    Revealed,
}

/// Column widths that fit `total` cells of content (borders excluded). When the longest words
/// fit side by side each column gets at least its longest word, so no word is broken; the rest is
/// shared by content.
fn column_widths(natural: &[usize], words: &[usize], total: usize) -> Vec<usize> {
    let n = natural.len().max(1);
    let sum: usize = natural.iter().sum();
    if sum <= total {
        return natural.iter().map(|w| (*w).max(1)).collect();
    }
    // Each column: its longest word, and up to a fair minimum so short columns stay whole.
    let fair = (total / n).clamp(1, 8);
    let base: Vec<usize> = natural
        .iter()
        .zip(words)
        .map(|(n, w)| (*w).max(fair).min(*n).max(1))
        .collect();
    if base.iter().sum::<usize>() <= total {
        let mut widths = base.clone();
        let mut left = total - base.iter().sum::<usize>();
        let wants: usize = natural.iter().zip(&base).map(|(n, b)| n - b).sum();
        for (i, w) in widths.iter_mut().enumerate() {
            *w += (natural[i] - base[i]) * left / wants.max(1);
        }
        left = total.saturating_sub(widths.iter().sum());
        let mut i = 0;
        while left > 0 && i < widths.len() * 4 {
            let k = i % widths.len();
            if widths[k] < natural[k] {
                widths[k] += 1;
                left -= 1;
            }
            i += 1;
        }
        return widths;
    }
    // Share the width: each column gets at least a fair minimum, the rest by content.
    let min = (total / n).clamp(1, 8);
    let mut widths: Vec<usize> = natural.iter().map(|w| (*w).min(min).max(1)).collect();
    let mut left = total.saturating_sub(widths.iter().sum());
    let wants: usize = natural
        .iter()
        .zip(&widths)
        .map(|(n, w)| n.saturating_sub(*w))
        .sum();
    if wants > 0 {
        for (i, w) in widths.iter_mut().enumerate() {
            let want = natural[i].saturating_sub(*w);
            let extra = want * left / wants.max(1);
            *w += extra;
        }
        left = total.saturating_sub(widths.iter().sum());
        // Hand out what rounding left.
        let mut i = 0;
        while left > 0 && i < widths.len() * 4 {
            let k = i % widths.len();
            if widths[k] < natural[k] {
                widths[k] += 1;
                left -= 1;
            }
            i += 1;
        }
    }
    widths
}

/// The table as lines of at most `width` cells.
pub fn table_lines(
    headers: &[String],
    rows: &[Vec<String>],
    width_cells: u16,
    theme: &Theme,
    show: &dyn Fn(usize, usize) -> CellShow,
) -> Vec<Line<'static>> {
    let n = headers.len().max(1);
    let cell = |r: usize, c: usize| -> String {
        let text = rows
            .get(r)
            .and_then(|row| row.get(c))
            .map(|s| sanitize(s))
            .unwrap_or_default();
        if show(r, c) == CellShow::Hidden {
            "?".into()
        } else {
            text.replace('`', "")
        }
    };
    let mut natural = vec![1usize; n];
    let mut words = vec![1usize; n];
    let longest = |text: &str| text.split(' ').map(width).max().unwrap_or(0);
    for (c, h) in headers.iter().enumerate() {
        natural[c] = natural[c].max(width(&sanitize(h)));
        words[c] = words[c].max(longest(&sanitize(h)));
    }
    for r in 0..rows.len() {
        for c in 0..n {
            let text = cell(r, c);
            natural[c] = natural[c].max(width(&text));
            words[c] = words[c].max(longest(&text));
        }
    }
    if (width_cells as usize) < 4 * n + 1 {
        return stacked_lines(headers, rows, width_cells, theme, show);
    }
    // Borders: "│ " before each column and " │" at the end: 3 per column + 1.
    let total = (width_cells as usize).saturating_sub(3 * n + 1).max(n);
    let widths = column_widths(&natural, &words, total);
    let border = theme.border;
    let rule = |left: &str, mid: &str, right: &str| {
        let mut s = String::from(left);
        for (i, w) in widths.iter().enumerate() {
            s.push_str(&"─".repeat(w + 2));
            s.push_str(if i + 1 == widths.len() { right } else { mid });
        }
        Line::from(Span::styled(s, border))
    };
    let row_lines = |cells: Vec<(String, Style)>| -> Vec<Line<'static>> {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|((t, _), w)| wrap(t, *w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        // Whether each cell's wrong-passage mark is still open at the end of the line above.
        let mut open = vec![false; widths.len()];
        (0..height)
            .map(|k| {
                let mut spans = Vec::new();
                for (c, w) in widths.iter().enumerate() {
                    spans.push(Span::styled("│ ", border));
                    let text = wrapped[c].get(k).cloned().unwrap_or_default();
                    let pad = w.saturating_sub(width(&text));
                    spans.extend(marked_spans(&text, cells[c].1, theme, &mut open[c]));
                    spans.push(Span::raw(" ".repeat(pad + 1)));
                }
                spans.push(Span::styled("│", border));
                Line::from(spans)
            })
            .collect()
    };
    let mut lines = vec![rule("┌", "┬", "┐")];
    lines.extend(row_lines(
        headers.iter().map(|h| (sanitize(h), theme.title)).collect(),
    ));
    lines.push(rule("├", "┼", "┤"));
    for r in 0..rows.len() {
        let cells = (0..n)
            .map(|c| {
                let style = match show(r, c) {
                    CellShow::Normal if c == 0 => theme.title,
                    CellShow::Normal => theme.text,
                    CellShow::Hidden => theme.hidden,
                    CellShow::Revealed => theme.revealed,
                };
                (cell(r, c), style)
            })
            .collect();
        lines.extend(row_lines(cells));
    }
    lines.push(rule("└", "┴", "┘"));
    lines
}

/// Too narrow for columns: each row as `header: value` lines.
fn stacked_lines(
    headers: &[String],
    rows: &[Vec<String>],
    width_cells: u16,
    theme: &Theme,
    show: &dyn Fn(usize, usize) -> CellShow,
) -> Vec<Line<'static>> {
    let w = (width_cells as usize).max(1);
    let mut lines = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            lines.push(Line::from(Span::styled("─".repeat(w.min(8)), theme.border)));
        }
        for (c, h) in headers.iter().enumerate() {
            let (text, style) = match show(r, c) {
                CellShow::Hidden => ("?".to_string(), theme.hidden),
                CellShow::Revealed => (row.get(c).cloned().unwrap_or_default(), theme.revealed),
                CellShow::Normal => (
                    row.get(c).cloned().unwrap_or_default(),
                    if c == 0 { theme.title } else { theme.text },
                ),
            };
            let joined = format!("{}: {}", sanitize(h), sanitize(&text).replace('`', ""));
            for (k, piece) in wrap(&joined, w).into_iter().enumerate() {
                let s = if k == 0 && c > 0 {
                    theme.text.patch(style)
                } else {
                    style
                };
                lines.push(Line::from(Span::styled(piece, s)));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ThemeKind;
    use proptest::prelude::*;

    fn owned(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn long_words_are_kept_whole_when_they_fit_side_by_side() {
        let t = Theme::new(crate::ui::theme::ThemeKind::Mono);
        let headers = vec!["API".to_string(), "Who calls it".to_string()];
        let rows = owned(&[
            &[
                "AssumeRoleWithWebIdentity",
                "an app signed in with an OIDC provider such as Cognito, Google or a CI system",
            ],
            &["AssumeRole", "a principal with credentials"],
        ]);
        let lines = table_lines(&headers, &rows, 60, &t, &|_, _| CellShow::Normal);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert!(
            text.iter().any(|l| l.contains("AssumeRoleWithWebIdentity")),
            "{text:#?}"
        );
        for l in &text {
            assert!(crate::ui::text::width(l) <= 60, "{l}");
        }
    }

    #[test]
    fn draws_a_boxed_table_with_hidden_cells() {
        let t = Theme::new(ThemeKind::Mono);
        let headers = vec!["Feature".to_string(), "User".into(), "Role".into()];
        let rows = owned(&[
            &["Password", "Yes", "No"],
            &["Keys", "Permanent", "Temporary"],
        ]);
        let lines = table_lines(&headers, &rows, 80, &t, &|r, c| {
            if c == 2 && r == 1 {
                CellShow::Hidden
            } else {
                CellShow::Normal
            }
        });
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text[0], "┌──────────┬───────────┬──────┐");
        assert_eq!(text[1], "│ Feature  │ User      │ Role │");
        assert_eq!(text[4], "│ Keys     │ Permanent │ ?    │");
        let q = lines[4].spans.iter().find(|s| s.content == "?").unwrap();
        assert_eq!(q.style, t.hidden);
    }

    proptest! {
        #[test]
        fn never_wider_than_the_width(w in 1u16..140, cols in 2usize..5, text in "[a-z ]{0,40}") {
            let t = Theme::new(ThemeKind::Mono);
            let headers: Vec<String> = (0..cols).map(|i| format!("Header {i}")).collect();
            let rows = vec![(0..cols).map(|_| text.clone()).collect::<Vec<_>>(); 3];
            for l in table_lines(&headers, &rows, w, &t, &|_, _| CellShow::Normal) {
                prop_assert!(l.width() <= w as usize, "{} > {}", l.width(), w);
            }
        }
    }
}
