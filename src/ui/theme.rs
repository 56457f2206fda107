//! Styles used by every screen. Colour is never the only signal: every coloured style also carries a
//! modifier (bold, italic, underline, reversed) or comes with a text marker, and with `NO_COLOR` set
//! the theme keeps the modifiers and drops the colours.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeKind {
    /// Colours chosen to read on both dark and light backgrounds.
    Auto,
    Dark,
    Light,
    /// No colours at all (`NO_COLOR`).
    Mono,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub kind: ThemeKind,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: hints, counts, sources.
    pub dim: Style,
    /// Titles and headings.
    pub title: Style,
    /// Borders of panels.
    pub border: Style,
    /// The focused element / selected row.
    pub selected: Style,
    /// Keys in hints and help (`q`, `Enter`).
    pub key: Style,
    /// Inline code and code blocks.
    pub code: Style,
    /// JSON syntax.
    pub json_key: Style,
    pub json_string: Style,
    pub json_literal: Style,
    pub json_punct: Style,
    /// Key points marked in answers.
    pub key_point: Style,
    /// Corrections box.
    pub correction: Style,
    pub correction_border: Style,
    /// A wrong source passage, marked where it is shown (always with its `⟦…⟧✗1` marker).
    pub wrong: Style,
    /// Good / bad outcomes (always paired with a text marker such as ✓ / ✗).
    pub good: Style,
    pub bad: Style,
    pub warn: Style,
    /// Matched characters in search results.
    pub matched: Style,
    /// Hidden cells in table drills and the cells revealed.
    pub hidden: Style,
    pub revealed: Style,
    /// Rating buttons: Again, Hard, Good, Easy.
    pub ratings: [Style; 4],
    /// Heatmap intensity levels, from none to most.
    pub heat: [Style; 5],
    /// Bars in charts.
    pub bar: Style,
}

impl Theme {
    /// The theme for this environment: `NO_COLOR` (any non-empty value) gives [`ThemeKind::Mono`].
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::new(ThemeKind::Mono),
            _ => Theme::new(ThemeKind::Auto),
        }
    }

    pub fn new(kind: ThemeKind) -> Theme {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        if kind == ThemeKind::Mono {
            return Theme {
                kind,
                text: plain,
                dim: plain.add_modifier(Modifier::DIM),
                title: bold,
                border: plain,
                selected: plain.add_modifier(Modifier::REVERSED),
                key: bold,
                code: plain.add_modifier(Modifier::ITALIC),
                json_key: bold,
                json_string: plain,
                json_literal: plain.add_modifier(Modifier::ITALIC),
                json_punct: plain,
                key_point: plain.add_modifier(Modifier::UNDERLINED),
                correction: plain,
                correction_border: bold,
                wrong: plain.add_modifier(Modifier::CROSSED_OUT),
                good: bold,
                bad: bold,
                warn: bold,
                matched: plain.add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
                hidden: plain.add_modifier(Modifier::REVERSED),
                revealed: plain.add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
                ratings: [bold, bold, bold, bold],
                heat: [plain.add_modifier(Modifier::DIM), plain, plain, bold, bold],
                bar: plain,
            };
        }
        let (accent, code_fg, dim_fg) = match kind {
            ThemeKind::Light => (Color::Blue, Color::Magenta, Color::DarkGray),
            ThemeKind::Dark => (Color::LightCyan, Color::LightYellow, Color::Gray),
            _ => (Color::Blue, Color::Magenta, Color::DarkGray),
        };
        let fg = |c: Color| plain.fg(c);
        Theme {
            kind,
            text: plain,
            dim: fg(dim_fg),
            title: fg(accent).add_modifier(Modifier::BOLD),
            border: fg(dim_fg),
            selected: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            key: fg(accent).add_modifier(Modifier::BOLD),
            code: fg(code_fg),
            json_key: fg(Color::Blue).add_modifier(Modifier::BOLD),
            json_string: fg(Color::Green),
            json_literal: fg(Color::Magenta),
            json_punct: fg(dim_fg),
            key_point: plain.add_modifier(Modifier::UNDERLINED),
            correction: plain,
            correction_border: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            wrong: fg(Color::Red).add_modifier(Modifier::CROSSED_OUT),
            good: fg(Color::Green).add_modifier(Modifier::BOLD),
            bad: fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            matched: fg(accent).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            hidden: plain.add_modifier(Modifier::REVERSED),
            revealed: fg(Color::Green).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ratings: [
                fg(Color::Red).add_modifier(Modifier::BOLD),
                fg(Color::Yellow).add_modifier(Modifier::BOLD),
                fg(Color::Green).add_modifier(Modifier::BOLD),
                fg(Color::Blue).add_modifier(Modifier::BOLD),
            ],
            heat: [
                fg(dim_fg),
                fg(Color::Green),
                fg(Color::Green),
                fg(Color::Green).add_modifier(Modifier::BOLD),
                fg(Color::Green).add_modifier(Modifier::BOLD),
            ],
            bar: fg(accent),
        }
    }
}

impl Theme {
    /// Sets the foreground colour of named styles (`title`, `key`, `good`, `bad`, …) from the
    /// configuration; unknown names are ignored (the configuration check reports them). The mono
    /// theme keeps no colours.
    pub fn apply_colors(&mut self, colors: &[(String, ratatui::style::Color)]) {
        if self.kind == ThemeKind::Mono {
            return;
        }
        for (name, color) in colors {
            if name == "accent" {
                for s in [&mut self.title, &mut self.key, &mut self.bar] {
                    *s = s.fg(*color);
                }
                continue;
            }
            let style = match name.as_str() {
                "selected" => &mut self.selected,
                "text" => &mut self.text,
                "dim" => &mut self.dim,
                "title" => &mut self.title,
                "border" => &mut self.border,
                "key" => &mut self.key,
                "code" => &mut self.code,
                "key_point" => &mut self.key_point,
                "correction" => &mut self.correction_border,
                "good" => &mut self.good,
                "bad" => &mut self.bad,
                "warn" => &mut self.warn,
                "matched" => &mut self.matched,
                "revealed" => &mut self.revealed,
                "bar" => &mut self.bar,
                _ => continue,
            };
            *style = style.fg(*color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_theme_has_no_colours_but_keeps_signals() {
        let t = Theme::new(ThemeKind::Mono);
        for s in [
            t.text, t.title, t.selected, t.good, t.bad, t.matched, t.hidden, t.revealed,
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.matched.add_modifier.contains(Modifier::UNDERLINED));
    }

    #[test]
    fn coloured_styles_also_carry_a_modifier() {
        let t = Theme::new(ThemeKind::Auto);
        for s in [t.good, t.bad, t.warn, t.matched, t.revealed, t.title, t.key] {
            assert!(!s.add_modifier.is_empty(), "{s:?}");
        }
    }
}
