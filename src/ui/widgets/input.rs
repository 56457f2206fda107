//! A multi-line text input: typing, Enter for a new line, Backspace/Delete, arrows, Home/End,
//! Ctrl-U (delete to the start of the line) and pasted text. The cursor is a char index.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::ui::text::sanitize;

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Enter on an empty line: the caller submits (the empty line is not kept).
    EnterOnEmptyLine,
    /// Not an editing key.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    lines: Vec<String>,
    row: usize,
    /// Char index in `lines[row]`.
    col: usize,
}

impl Default for TextInput {
    fn default() -> Self {
        TextInput {
            lines: vec![String::new()],
            row: 0,
            col: 0,
        }
    }
}

fn byte_at(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

impl TextInput {
    pub fn new() -> Self {
        Self::default()
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.is_empty())
    }

    /// Cursor as (line, char column).
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn line_len(&self, row: usize) -> usize {
        self.lines.get(row).map_or(0, |l| l.chars().count())
    }

    fn insert_char(&mut self, c: char) {
        if c == '\n' {
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col);
            let rest = line.split_off(at);
            self.row += 1;
            self.lines.insert(self.row, rest);
            self.col = 0;
        } else {
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col);
            line.insert(at, c);
            self.col += 1;
        }
    }

    /// Inserts text at the cursor (typed or pasted). Carriage returns become newlines, tabs spaces,
    /// other control characters are dropped.
    pub fn insert_str(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in text.chars() {
            match c {
                '\n' => self.insert_char('\n'),
                '\t' => self.insert_char(' '),
                c if c.is_control() => {}
                c => self.insert_char(c),
            }
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, ev: &KeyEvent) -> Edit {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            KeyCode::Char('u') if ctrl => {
                if self.col == 0 {
                    return Edit::Ignored;
                }
                let line = &mut self.lines[self.row];
                let at = byte_at(line, self.col);
                line.replace_range(..at, "");
                self.col = 0;
                Edit::Changed
            }
            KeyCode::Char(_) if ctrl => Edit::Ignored,
            KeyCode::Char(c) => {
                self.insert_char(c);
                Edit::Changed
            }
            KeyCode::Tab => {
                self.insert_char(' ');
                Edit::Changed
            }
            KeyCode::Enter => {
                if self.lines[self.row].trim().is_empty() && self.col == self.line_len(self.row) {
                    // Drop the empty line the learner ended with.
                    if self.lines.len() > 1 && self.lines[self.row].is_empty() {
                        self.lines.remove(self.row);
                        self.row = self.row.saturating_sub(1).min(self.lines.len() - 1);
                        self.col = self.line_len(self.row);
                    }
                    return Edit::EnterOnEmptyLine;
                }
                self.insert_char('\n');
                Edit::Changed
            }
            KeyCode::Backspace => {
                if self.col > 0 {
                    let line = &mut self.lines[self.row];
                    let at = byte_at(line, self.col - 1);
                    line.remove(at);
                    self.col -= 1;
                    Edit::Changed
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                    self.lines[self.row].push_str(&line);
                    Edit::Changed
                } else {
                    Edit::Ignored
                }
            }
            KeyCode::Delete => {
                if self.col < self.line_len(self.row) {
                    let line = &mut self.lines[self.row];
                    let at = byte_at(line, self.col);
                    line.remove(at);
                    Edit::Changed
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].push_str(&next);
                    Edit::Changed
                } else {
                    Edit::Ignored
                }
            }
            KeyCode::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len(self.row);
                }
                Edit::Moved
            }
            KeyCode::Right => {
                if self.col < self.line_len(self.row) {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
                Edit::Moved
            }
            KeyCode::Up => {
                if self.row > 0 {
                    self.row -= 1;
                    self.col = self.col.min(self.line_len(self.row));
                }
                Edit::Moved
            }
            KeyCode::Down => {
                if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = self.col.min(self.line_len(self.row));
                }
                Edit::Moved
            }
            KeyCode::Home => {
                self.col = 0;
                Edit::Moved
            }
            KeyCode::End => {
                self.col = self.line_len(self.row);
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }

    /// The text wrapped to `width` cells, with the cursor drawn (reversed) when `focused`.
    pub fn lines(&self, width: u16, text: Style, focused: bool) -> Vec<Line<'static>> {
        let max = (width as usize).max(2);
        let cursor_style = text.add_modifier(Modifier::REVERSED);
        let mut out = Vec::new();
        for (r, line) in self.lines.iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut current = String::new();
            let mut used = 0;
            let flush = |current: &mut String, spans: &mut Vec<Span<'static>>| {
                if !current.is_empty() {
                    spans.push(Span::styled(sanitize(current), text));
                    current.clear();
                }
            };
            let cursor_here = focused && r == self.row;
            for (i, &c) in chars.iter().enumerate() {
                let w = c.width().unwrap_or(0).max(1);
                if used + w > max {
                    flush(&mut current, &mut spans);
                    out.push(Line::from(std::mem::take(&mut spans)));
                    used = 0;
                }
                if cursor_here && i == self.col {
                    flush(&mut current, &mut spans);
                    spans.push(Span::styled(c.to_string(), cursor_style));
                } else {
                    current.push(c);
                }
                used += w;
            }
            flush(&mut current, &mut spans);
            if cursor_here && self.col >= chars.len() {
                if used + 1 > max {
                    out.push(Line::from(std::mem::take(&mut spans)));
                }
                spans.push(Span::styled(" ", cursor_style));
            }
            out.push(Line::from(spans));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &mut TextInput, code: KeyCode) -> Edit {
        input.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn typed(input: &mut TextInput, s: &str) {
        for c in s.chars() {
            key(input, KeyCode::Char(c));
        }
    }

    #[test]
    fn typing_newlines_and_enter_on_empty_line() {
        let mut i = TextInput::new();
        typed(&mut i, "roles");
        assert_eq!(key(&mut i, KeyCode::Enter), Edit::Changed);
        typed(&mut i, "use STS");
        assert_eq!(i.text(), "roles\nuse STS");
        assert_eq!(key(&mut i, KeyCode::Enter), Edit::Changed);
        assert_eq!(key(&mut i, KeyCode::Enter), Edit::EnterOnEmptyLine);
        assert_eq!(
            i.text(),
            "roles\nuse STS",
            "the trailing empty line is dropped"
        );
    }

    #[test]
    fn editing_keys() {
        let mut i = TextInput::new();
        typed(&mut i, "abc");
        key(&mut i, KeyCode::Left);
        key(&mut i, KeyCode::Backspace);
        assert_eq!(i.text(), "ac");
        key(&mut i, KeyCode::Home);
        key(&mut i, KeyCode::Delete);
        assert_eq!(i.text(), "c");
        key(&mut i, KeyCode::End);
        typed(&mut i, "é€");
        assert_eq!(i.text(), "cé€");
        assert_eq!(i.cursor(), (0, 3));
        key(&mut i, KeyCode::Enter);
        typed(&mut i, "xy");
        key(&mut i, KeyCode::Up);
        assert_eq!(i.cursor(), (0, 2));
        key(&mut i, KeyCode::Down);
        key(&mut i, KeyCode::Home);
        key(&mut i, KeyCode::Backspace);
        assert_eq!(i.text(), "cé€xy", "backspace at a line start joins lines");
        i.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(i.text(), "xy");
        assert_eq!(
            i.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Edit::Ignored
        );
        assert_eq!(i.text(), "xy");
    }

    #[test]
    fn paste_normalises_line_ends_and_drops_controls() {
        let mut i = TextInput::new();
        i.insert_str("a\r\nb\rc\td\u{1b}[31m");
        assert_eq!(i.text(), "a\nb\nc d[31m");
        assert_eq!(i.cursor(), (2, 7));
    }

    #[test]
    fn rendering_wraps_and_draws_the_cursor() {
        let mut i = TextInput::new();
        typed(&mut i, "abcdef");
        let lines = i.lines(4, Style::default(), true);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, vec!["abcd", "ef "]);
        let cursor = lines[1].spans.last().unwrap();
        assert!(cursor.style.add_modifier.contains(Modifier::REVERSED));
        let unfocused = i.lines(10, Style::default(), false);
        assert_eq!(unfocused[0].to_string(), "abcdef");
    }
}
