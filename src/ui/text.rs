//! Text helpers for drawing: display width, wrapping by cells, and defence against control
//! characters reaching the terminal.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Replaces control characters (other than none) with visible placeholders so that no text drawn by
/// the app can move the cursor or change the terminal. Deck text is already checked at load; this
/// covers everything else (file names, user input, policy documents).
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            // Line breaks and tabs in text drawn on one line read as spaces.
            '\n' | '\t' => ' ',
            c if c.is_control() || crate::deck::load::is_forbidden_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Wraps text to `max` cells per line, breaking at spaces where possible and inside words that are
/// longer than a line. Wide characters are never split.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0;
        for word in para.split(' ') {
            let w = width(word);
            let sep = usize::from(!line.is_empty());
            if line_w + sep + w <= max {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += sep + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
            } else {
                for ch in word.chars() {
                    let cw = ch.width().unwrap_or(0);
                    if line_w + cw > max {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0;
                    }
                    line.push(ch);
                    line_w += cw;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Cuts text to at most `max` cells, adding `…` when it was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// `n` and the noun in the right number: `1 day`, `2 days`, `0 days`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("a\n\nb", 5), ["a", "", "b"]);
    }

    #[test]
    fn wide_characters_count_two_cells() {
        assert_eq!(wrap("日本語テキスト", 4), ["日本", "語テ", "キス", "ト"]);
        assert_eq!(truncate("日本語", 4), "日…");
    }

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count(1u32, "day", "days"), "1 day");
        assert_eq!(count(0u32, "day", "days"), "0 days");
        assert_eq!(count(12u64, "reply", "replies"), "12 replies");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(sanitize("a\u{1b}[2Jb\u{7}"), "a\u{FFFD}[2Jb\u{FFFD}");
    }
}
