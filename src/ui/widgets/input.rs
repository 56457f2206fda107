//! A multi-line text input: typing, Enter for a new line (an empty line starts a paragraph),
//! Backspace/Delete, arrows, Home/End, Ctrl-U (delete to the start of the line) and pasted text.
//! Drawn word-wrapped with the cursor visible; [`TextInput::view`] tells the caller which wrapped
//! row holds the cursor so a field scrolls to it. Submitting is the caller's key (not Enter).
//!
//! Written here rather than taken from `ratatui-textarea` (0.8, the maintained fork that follows
//! ratatui 0.30): it draws long lines unwrapped, and answers are paragraphs of prose.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use std::cell::Cell;

use unicode_width::UnicodeWidthChar;

use crate::ui::text::sanitize;

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    lines: Vec<String>,
    row: usize,
    /// Char index in `lines[row]`.
    col: usize,
    /// The width the text was last wrapped to (0 before the first draw): Up and Down move by
    /// the rows the user sees.
    wrapped_at: Cell<u16>,
}

impl Default for TextInput {
    fn default() -> Self {
        TextInput {
            lines: vec![String::new()],
            row: 0,
            col: 0,
            wrapped_at: Cell::new(0),
        }
    }
}

fn byte_at(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

fn cells(c: &char) -> usize {
    c.width().unwrap_or(0).max(1)
}

/// Where the rows of one line start (char indices) when it is wrapped to `max` cells: after the
/// last space that fits, or inside a word longer than a row. Text fills all but the last column,
/// which a space or the cursor may take.
fn row_starts(chars: &[char], max: usize) -> Vec<usize> {
    let mut starts = vec![0usize];
    let mut used = 0;
    let mut last_space: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let w = cells(&chars[i]);
        let start = *starts.last().unwrap_or(&0);
        let limit = if chars[i] == ' ' { max } else { max - 1 };
        if used + w > limit && i > start {
            let cut = match last_space {
                Some(sp) if sp > start => sp + 1,
                _ => i,
            };
            starts.push(cut);
            used = chars[cut..i].iter().map(cells).sum();
            last_space = None;
            continue;
        }
        if chars[i] == ' ' {
            last_space = Some(i);
        }
        used += w;
        i += 1;
    }
    starts
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
                self.move_row(false);
                Edit::Moved
            }
            KeyCode::Down => {
                self.move_row(true);
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

    /// The wrapped rows of line `row` as char ranges, at the width last drawn (whole lines before
    /// the first draw).
    fn rows_of(&self, row: usize) -> (Vec<char>, Vec<(usize, usize)>) {
        let chars: Vec<char> = self.lines[row].chars().collect();
        let max = match self.wrapped_at.get() {
            0 => usize::MAX,
            w => usize::from(w).max(2),
        };
        let starts = row_starts(&chars, max);
        let ranges = starts
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, starts.get(k + 1).copied().unwrap_or(chars.len())))
            .collect();
        (chars, ranges)
    }

    /// Moves the cursor one wrapped row down (or up), to the cell nearest the column it is at.
    fn move_row(&mut self, down: bool) {
        let (chars, rows) = self.rows_of(self.row);
        let last = rows.len() - 1;
        let k = rows
            .iter()
            .rposition(|&(start, _)| start <= self.col)
            .unwrap_or(0);
        let x: usize = chars[rows[k].0..self.col].iter().map(cells).sum();
        let (row, k) = match (down, k) {
            (true, k) if k < last => (self.row, k + 1),
            (true, _) if self.row + 1 < self.lines.len() => (self.row + 1, 0),
            (false, k) if k > 0 => (self.row, k - 1),
            (false, _) if self.row > 0 => (self.row - 1, usize::MAX),
            _ => return,
        };
        let (chars, rows) = self.rows_of(row);
        let k = k.min(rows.len() - 1);
        let (start, end) = rows[k];
        // A row that is not its line's last ends where the next begins: the cursor stays before.
        let end = if k + 1 < rows.len() { end - 1 } else { end };
        let mut col = start;
        let mut at = 0;
        while col < end && at + cells(&chars[col]) <= x {
            at += cells(&chars[col]);
            col += 1;
        }
        self.row = row;
        self.col = col;
    }

    /// The text wrapped to `width` cells, with the cursor drawn (reversed) when `focused`.
    pub fn lines(&self, width: u16, text: Style, focused: bool) -> Vec<Line<'static>> {
        self.view(width, text, focused).0
    }

    /// The text word-wrapped to `width` cells (a word longer than a row is cut), the cursor drawn
    /// (reversed) when `focused`, and the index of the row that holds the cursor.
    pub fn view(&self, width: u16, text: Style, focused: bool) -> (Vec<Line<'static>>, usize) {
        self.wrapped_at.set(width);
        let max = (width as usize).max(2);
        let cursor_style = text.add_modifier(Modifier::REVERSED);
        let mut out = Vec::new();
        let mut cursor_row = 0;
        for (r, line) in self.lines.iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let cursor = (r == self.row).then_some(self.col);
            let starts = row_starts(&chars, max);
            for (k, &start) in starts.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(chars.len());
                let last = k + 1 == starts.len();
                let mut spans: Vec<Span<'static>> = Vec::new();
                let here = cursor.filter(|&c| c >= start && (c < end || (last && c == end)));
                match here {
                    Some(c) if focused => {
                        let before: String = chars[start..c].iter().collect();
                        if !before.is_empty() {
                            spans.push(Span::styled(sanitize(&before), text));
                        }
                        let at = chars.get(c).filter(|_| c < end).copied().unwrap_or(' ');
                        spans.push(Span::styled(sanitize(&at.to_string()), cursor_style));
                        if c + 1 < end {
                            let after: String = chars[c + 1..end].iter().collect();
                            spans.push(Span::styled(sanitize(&after), text));
                        }
                    }
                    _ => {
                        let row: String = chars[start..end].iter().collect();
                        if !row.is_empty() {
                            spans.push(Span::styled(sanitize(&row), text));
                        }
                    }
                }
                let row_width: usize = chars[start..end]
                    .iter()
                    .map(|c| c.width().unwrap_or(0).max(1))
                    .sum();
                if focused && here == Some(end) && end == chars.len() && row_width >= max {
                    // A full row: the cursor after it starts the next row.
                    if let Some(cur) = spans.pop() {
                        out.push(Line::from(spans));
                        spans = vec![cur];
                    }
                }
                if here.is_some() {
                    cursor_row = out.len();
                }
                out.push(Line::from(spans));
            }
        }
        (out, cursor_row)
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
    fn enter_always_starts_a_new_line_so_answers_have_paragraphs() {
        let mut i = TextInput::new();
        typed(&mut i, "roles");
        assert_eq!(key(&mut i, KeyCode::Enter), Edit::Changed);
        assert_eq!(key(&mut i, KeyCode::Enter), Edit::Changed);
        typed(&mut i, "use STS");
        assert_eq!(i.text(), "roles\n\nuse STS");
        assert_eq!(i.cursor(), (2, 7));
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
    fn up_and_down_move_by_the_rows_drawn() {
        let mut i = TextInput::new();
        // At 12 cells: "first line " / "wraps into " / "three rows" and a second line "ok".
        typed(&mut i, "first line wraps into three rows\nok");
        let (drawn, _) = rows(&i, 12);
        assert_eq!(drawn.len(), 4, "{drawn:?}");
        key(&mut i, KeyCode::Up); // from "ok" (col 2) to the last wrapped row of line 0
        assert_eq!(i.cursor(), (0, 24), "{drawn:?}");
        key(&mut i, KeyCode::Up); // "wraps into " at the same cell
        assert_eq!(i.cursor(), (0, 13));
        key(&mut i, KeyCode::Up);
        assert_eq!(i.cursor(), (0, 2));
        key(&mut i, KeyCode::Up); // the top row: nowhere to go
        assert_eq!(i.cursor(), (0, 2));
        key(&mut i, KeyCode::End);
        key(&mut i, KeyCode::Home);
        key(&mut i, KeyCode::Down);
        key(&mut i, KeyCode::Down);
        key(&mut i, KeyCode::Down);
        assert_eq!(i.cursor(), (1, 0));
        // A column past a shorter row's end stops at that row's end, before the next row.
        let mut i = TextInput::new();
        typed(&mut i, "aaaa bbbbbbbbb");
        let _ = rows(&i, 8); // "aaaa " / "bbbbbbb" / "bb"
        key(&mut i, KeyCode::Up);
        key(&mut i, KeyCode::Up);
        assert_eq!(i.cursor(), (0, 2));
        key(&mut i, KeyCode::End);
        key(&mut i, KeyCode::Up);
        assert_eq!(i.cursor().0, 0);
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
        assert_eq!(text, vec!["abc", "def "]);
        let cursor = lines[1].spans.last().unwrap();
        assert!(cursor.style.add_modifier.contains(Modifier::REVERSED));
        let unfocused = i.lines(10, Style::default(), false);
        assert_eq!(unfocused[0].to_string(), "abcdef");
    }

    fn rows(i: &TextInput, width: u16) -> (Vec<String>, usize) {
        let (lines, row) = i.view(width, Style::default(), true);
        (lines.iter().map(|l| l.to_string()).collect(), row)
    }

    #[test]
    fn words_wrap_whole_and_the_cursor_row_is_known() {
        let mut i = TextInput::new();
        typed(&mut i, "AssumeRole returns temporary credentials");
        let (text, row) = rows(&i, 16);
        assert_eq!(
            text,
            vec!["AssumeRole ", "returns ", "temporary ", "credentials "]
        );
        assert_eq!(row, 3, "the cursor is at the end");
        // A word longer than the row is cut.
        let mut long = TextInput::new();
        typed(&mut long, "AssumeRoleWithWebIdentity");
        let (text, _) = rows(&long, 10);
        assert_eq!(text, vec!["AssumeRol", "eWithWebI", "dentity "]);
        // The cursor inside the text: on the row that holds its character, drawn on it.
        key(&mut i, KeyCode::Home);
        for _ in 0..12 {
            key(&mut i, KeyCode::Right);
        }
        let (lines, row) = i.view(16, Style::default(), true);
        assert_eq!(row, 1);
        let cursor = lines[1]
            .spans
            .iter()
            .find(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .unwrap();
        assert_eq!(cursor.content, "e");
        // Paragraphs: an empty line is a row of its own; the cursor row counts every row above.
        key(&mut i, KeyCode::End);
        key(&mut i, KeyCode::Enter);
        key(&mut i, KeyCode::Enter);
        typed(&mut i, "x");
        let (text, row) = rows(&i, 16);
        assert_eq!(text[4], "");
        assert_eq!(text[5], "x ");
        assert_eq!(row, 5);
    }

    #[test]
    fn every_width_and_position_draws_the_cursor_once() {
        let mut i = TextInput::new();
        i.insert_str("one two  three\n\nfour fivesixseveneight nine");
        for width in 2..20u16 {
            for _ in 0..40 {
                let (lines, row) = i.view(width, Style::default(), true);
                let cursors: Vec<usize> = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| {
                        l.spans
                            .iter()
                            .any(|s| s.style.add_modifier.contains(Modifier::REVERSED))
                    })
                    .map(|(n, _)| n)
                    .collect();
                assert_eq!(cursors, vec![row], "width {width}, cursor {:?}", i.cursor());
                for l in &lines {
                    assert!(l.width() <= usize::from(width).max(2), "{l:?}");
                }
                key(&mut i, KeyCode::Left);
            }
            key(&mut i, KeyCode::Down);
            key(&mut i, KeyCode::Down);
            key(&mut i, KeyCode::End);
        }
    }
}
