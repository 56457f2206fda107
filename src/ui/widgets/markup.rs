//! Answers as styled, wrapped lines: paragraphs, bullets with hanging indents, code blocks with JSON
//! colouring, inline code, pipe tables, key points and the correction box.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::deck::learner::{CLOSE, Fix, LearnerCard, OPEN, SIGN};
use crate::deck::markup::{Block, Inline, inlines, parse};
use crate::deck::model::{Card, KeyPoint};
use crate::ui::text::{sanitize, width};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{CellShow, table_lines};

/// A word as shown: one or more styled pieces with no space between them (`Deny` in code style
/// followed by a comma is one word, so no space appears before the comma).
type Word = Vec<(String, Style)>;

/// Styled words wrapped into lines of at most `max` cells; `first` and `rest` prefix the lines.
fn wrap_spans(
    words: Vec<Word>,
    max: usize,
    first: (String, Style),
    rest: String,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = vec![Span::styled(first.0.clone(), first.1)];
    let mut used = width(&first.0);
    let indent = width(&rest);
    let mut empty = true;
    for word in words {
        let w: usize = word.iter().map(|(s, _)| width(s)).sum();
        let need = if empty { w } else { w + 1 };
        if !empty && used + need > max {
            lines.push(Line::from(std::mem::take(&mut current)));
            current.push(Span::raw(rest.clone()));
            used = indent;
            empty = true;
        }
        if !empty {
            current.push(Span::raw(" "));
            used += 1;
        }
        // A word longer than a whole line is cut into pieces.
        let long = w > max.saturating_sub(indent).max(1);
        for (piece, style) in word {
            let mut piece = piece;
            while long && used + width(&piece) > max {
                let room = max.saturating_sub(used);
                let cut: String = if room == 0 {
                    String::new()
                } else {
                    crate::ui::text::wrap(&piece, room)
                        .into_iter()
                        .next()
                        .unwrap_or_default()
                };
                if !cut.is_empty() {
                    piece = piece[cut.len()..].to_string();
                    current.push(Span::styled(cut, style));
                } else if used == indent {
                    break;
                }
                lines.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(rest.clone()));
                used = indent;
            }
            used += width(&piece);
            current.push(Span::styled(piece, style));
        }
        empty = false;
    }
    lines.push(Line::from(current));
    lines
}

/// Byte ranges in a text.
type Ranges = Vec<(usize, usize)>;

/// Byte ranges of marked wrong passages (`⟦…⟧`) and of the correction signs after them (`✗1`).
fn wrong_ranges(text: &str) -> (Ranges, Ranges) {
    let (mut wrong, mut signs) = (Vec::new(), Vec::new());
    let mut from = 0;
    while let Some(open) = text[from..].find(OPEN).map(|i| from + i) {
        let Some(close) = text[open..]
            .find(CLOSE)
            .map(|i| open + i + CLOSE.len_utf8())
        else {
            break;
        };
        wrong.push((open, close));
        let rest = &text[close..];
        let sign_len = match rest.strip_prefix(SIGN) {
            Some(digits) => {
                SIGN.len_utf8() + digits.len()
                    - digits
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .len()
            }
            None => 0,
        };
        if sign_len > 0 {
            signs.push((close, close + sign_len));
        }
        from = close + sign_len;
    }
    (wrong, signs)
}

/// One line of plain text as spans, marked wrong passages (`⟦…⟧`) crossed out and their signs
/// (`✗1`) in the bad style. `inside` carries an open mark over to the next line of a wrapped
/// text.
pub fn marked_spans(
    text: &str,
    base: Style,
    theme: &Theme,
    inside: &mut bool,
) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut style = if *inside {
        base.patch(theme.wrong)
    } else {
        base
    };
    let mut sign = false;
    let flush = |current: &mut String, style: Style, spans: &mut Vec<Span<'static>>| {
        if !current.is_empty() {
            spans.push(Span::styled(std::mem::take(current), style));
        }
    };
    for c in text.chars() {
        if sign && !(c == SIGN || c.is_ascii_digit()) {
            flush(&mut current, style, &mut spans);
            sign = false;
            style = base;
        }
        if c == OPEN {
            flush(&mut current, style, &mut spans);
            *inside = true;
            style = base.patch(theme.wrong);
        }
        current.push(c);
        if c == CLOSE && *inside {
            flush(&mut current, style, &mut spans);
            *inside = false;
            sign = true;
            style = base.patch(theme.bad);
        }
    }
    flush(&mut current, style, &mut spans);
    spans
}

/// Words of a line of markup with their styles: inline code, marked wrong passages and their
/// correction signs, and key-point phrases underlined.
fn styled_words(text: &str, theme: &Theme, marks: &[String]) -> Vec<Word> {
    let text = sanitize(text);
    let lower = text.to_lowercase();
    // Byte ranges of key-point phrases in the text (lower-casing keeps ASCII offsets; phrases
    // found at other offsets only lose their underline).
    let mut marked: Vec<(usize, usize)> = Vec::new();
    for m in marks {
        if m.len() < 3 {
            continue;
        }
        let mut from = 0;
        while let Some(i) = lower[from..].find(m.as_str()) {
            marked.push((from + i, from + i + m.len()));
            from += i + m.len();
        }
    }
    let (wrong, signs) = wrong_ranges(&text);
    let inside =
        |ranges: &[(usize, usize)], pos: usize| ranges.iter().any(|(a, b)| pos >= *a && pos < *b);
    // Points where a word's style may change.
    let mut cuts: Vec<usize> = wrong
        .iter()
        .chain(&signs)
        .flat_map(|&(a, b)| [a, b])
        .collect();
    cuts.sort_unstable();
    let mut out: Vec<Word> = Vec::new();
    let mut prev_space = true;
    for piece in inlines(&text) {
        let (s, base) = match piece {
            Inline::Text(s) => (s, theme.text),
            Inline::Code(s) => (s, theme.code),
        };
        // `inlines` returns slices of `text`.
        let start = s.as_ptr() as usize - text.as_ptr() as usize;
        let mut pos = start;
        for (k, word) in s.split(' ').enumerate() {
            if !word.is_empty() {
                let glue = k == 0 && !prev_space && !out.is_empty();
                let mut pieces: Word = Vec::new();
                let end = pos + word.len();
                let mut at = pos;
                for &cut in cuts.iter().filter(|&&c| c > pos && c < end).chain([&end]) {
                    if cut <= at {
                        continue;
                    }
                    let mut style = base;
                    if inside(&marked, at) {
                        style = style.patch(theme.key_point);
                    }
                    if inside(&wrong, at) {
                        style = style.patch(theme.wrong);
                    } else if inside(&signs, at) {
                        style = style.patch(theme.bad);
                    }
                    pieces.push((text[at..cut].to_string(), style));
                    at = cut;
                }
                match out.last_mut() {
                    Some(last) if glue => last.extend(pieces),
                    _ => out.push(pieces),
                }
            }
            pos += word.len() + 1;
        }
        prev_space = s.ends_with(' ');
    }
    out
}

/// JSON (or a JSON fragment) as coloured lines; never fails on broken JSON.
pub fn json_lines(code: &str, theme: &Theme, max: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for raw in code.lines() {
        let raw = sanitize(raw);
        let mut spans = Vec::new();
        let chars: Vec<char> = raw.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                let mut j = i + 1;
                while j < chars.len() && !(chars[j] == '"' && chars[j - 1] != '\\') {
                    j += 1;
                }
                let s: String = chars[i..(j + 1).min(chars.len())].iter().collect();
                // A string followed by a colon is a key.
                let rest: String = chars[(j + 1).min(chars.len())..].iter().collect();
                let style = if rest.trim_start().starts_with(':') {
                    theme.json_key
                } else {
                    theme.json_string
                };
                spans.push(Span::styled(s, style));
                i = j + 1;
            } else if "{}[],:".contains(c) {
                spans.push(Span::styled(c.to_string(), theme.json_punct));
                i += 1;
            } else {
                let mut j = i;
                while j < chars.len() && chars[j] != '"' && !"{}[],:".contains(chars[j]) {
                    j += 1;
                }
                let s: String = chars[i..j].iter().collect();
                let style = if s.trim().is_empty() {
                    theme.code
                } else {
                    theme.json_literal
                };
                spans.push(Span::styled(s, style));
                i = j;
            }
        }
        let line = Line::from(spans);
        if line.width() <= max {
            lines.push(line);
        } else {
            // Long lines wrap by cells, keeping styles per piece.
            for piece in crate::ui::text::wrap(&raw, max) {
                lines.push(Line::from(Span::styled(piece, theme.code)));
            }
        }
    }
    lines
}

/// A question: plain one-paragraph questions as title lines; a question with more paragraphs
/// (generated policy drills carry their policies as ```json blocks) shows its first paragraph
/// as the title and the rest as markup.
pub fn question_lines(question: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let (head, rest) = match question.split_once("\n\n") {
        Some((h, r)) => (h, r),
        None => (question, ""),
    };
    let mut lines: Vec<Line<'static>> = crate::ui::text::wrap(&sanitize(head), width as usize)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.title)))
        .collect();
    if !rest.trim().is_empty() {
        lines.push(Line::default());
        lines.extend(markup_lines(rest, width, theme, &[]));
    }
    lines
}

/// The lowercase phrases of key points (texts and accepted alternatives) to underline in a text.
fn mark_phrases(key_points: &[KeyPoint]) -> Vec<String> {
    key_points
        .iter()
        .flat_map(|k| std::iter::once(&k.text).chain(k.accept.iter()))
        .map(|s| s.to_lowercase())
        .collect()
}

/// Answer markup as lines wrapped to `width`. Key points found in the text are underlined.
pub fn markup_lines(
    text: &str,
    width: u16,
    theme: &Theme,
    key_points: &[KeyPoint],
) -> Vec<Line<'static>> {
    let max = (width as usize).max(8);
    let marks = mark_phrases(key_points);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut prev_bullet = false;
    for block in parse(text) {
        let is_bullet = matches!(block, Block::Bullet { .. });
        if !(lines.is_empty() || is_bullet && prev_bullet) {
            lines.push(Line::default());
        }
        prev_bullet = is_bullet;
        match block {
            Block::Paragraph(p) => {
                lines.extend(wrap_spans(
                    styled_words(&p, theme, &marks),
                    max,
                    (String::new(), theme.text),
                    String::new(),
                ));
            }
            Block::Bullet { level, text } => {
                let pad = "  ".repeat(level);
                let marker = if level == 0 { "• " } else { "◦ " };
                lines.extend(wrap_spans(
                    styled_words(&text, theme, &marks),
                    max,
                    (format!("{pad}{marker}"), theme.key),
                    format!("{pad}  "),
                ));
            }
            Block::Code { lang, text, .. } => {
                let l = lang.to_lowercase();
                if l.starts_with("json") {
                    lines.extend(json_lines(&text, theme, max));
                } else {
                    for raw in text.lines() {
                        for piece in crate::ui::text::wrap(&sanitize(raw), max) {
                            lines.push(Line::from(Span::styled(piece, theme.code)));
                        }
                    }
                }
            }
            Block::Table(rows) => {
                if let Some((head, body)) = rows.split_first() {
                    let n = head.len();
                    let body: Vec<Vec<String>> = body
                        .iter()
                        .map(|r| {
                            (0..n)
                                .map(|i| r.get(i).cloned().unwrap_or_default())
                                .collect()
                        })
                        .collect();
                    lines.extend(table_lines(head, &body, width, theme, &|_, _| {
                        CellShow::Normal
                    }));
                }
            }
        }
    }
    lines
}

/// The key points as a list with a marker.
pub fn key_points_lines(key_points: &[KeyPoint], width: u16, theme: &Theme) -> Vec<Line<'static>> {
    if key_points.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::from(Span::styled("Key points", theme.title))];
    for k in key_points {
        lines.extend(wrap_spans(
            styled_words(&k.text, theme, &[]),
            (width as usize).max(8),
            ("● ".into(), theme.key),
            "  ".into(),
        ));
    }
    lines
}

/// A correction in its own box: what the source got wrong, and the AWS references.
pub fn correction_box_lines(
    note: &str,
    references: &[String],
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    boxed_lines(" Correction ", "!", note, references, width, theme)
}

/// The correction of a marked wrong passage, in a box titled with its sign (`✗1`).
pub fn fix_lines(fix: &Fix<'_>, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let title = format!(" {} Correction ", fix.label());
    let right = fix.correction.right.trim().replace('`', "");
    boxed_lines(
        &title,
        &fix.label(),
        &right,
        &fix.correction.references,
        width,
        theme,
    )
}

/// Text and references in a box with a title on its top border (`short` when narrow).
fn boxed_lines(
    title: &str,
    short: &str,
    text: &str,
    references: &[String],
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let w = (width as usize).max(12);
    let inner = w.saturating_sub(4);
    let border = theme.correction_border;
    let title = if w >= width_of(title) + 4 {
        title
    } else {
        short
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("┌─", border),
        Span::styled(title.to_string(), border),
        Span::styled("─".repeat(w.saturating_sub(3 + width_of(title))), border),
        Span::styled("┐", border),
    ])];
    let mut body: Vec<(String, Style)> = Vec::new();
    for l in crate::ui::text::wrap(&sanitize(text), inner) {
        body.push((l, theme.correction));
    }
    for (text, style) in body {
        let pad = inner.saturating_sub(width_of(&text));
        lines.push(Line::from(vec![
            Span::styled("│ ", border),
            Span::styled(text, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(" │", border),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!("└{}┘", "─".repeat(w.saturating_sub(2))),
        border,
    )));
    lines.extend(reference_lines(references, theme));
    lines
}

/// References (web addresses), one a line and never split, so a terminal can select and open
/// them: a long one runs past the text width rather than being broken.
pub fn reference_lines(references: &[String], theme: &Theme) -> Vec<Line<'static>> {
    references
        .iter()
        .map(|r| Line::from(Span::styled(sanitize(r), theme.dim)))
        .collect()
}

fn width_of(s: &str) -> usize {
    width(s)
}

/// The boxes of the corrections with these numbers.
fn fixes_lines(
    view: &LearnerCard<'_>,
    numbers: &[usize],
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for fix in view.fixes_numbered(numbers) {
        lines.push(Line::default());
        lines.extend(fix_lines(&fix, width, theme));
    }
    lines
}

/// A card's revealed answer: the answer text (or a scenario's steps) with its wrong source
/// passages marked and corrected, key points, and the card's correction.
pub fn answer_lines(
    card: &Card,
    width: u16,
    theme: &Theme,
    show_key_points: bool,
) -> Vec<Line<'static>> {
    let view = card.learner_view();
    let mut lines = Vec::new();
    match &card.scenario {
        Some(sc) if card.kind == crate::deck::CardKind::Scenario => {
            let mut phase: Option<&str> = None;
            for (i, step) in sc.steps.iter().enumerate() {
                if let Some(p) = step.phase.as_deref()
                    && phase != Some(p)
                {
                    phase = Some(p);
                    if !lines.is_empty() {
                        lines.push(Line::default());
                    }
                    lines.push(Line::from(Span::styled(format!("── {p} ──"), theme.title)));
                }
                let marks = if show_key_points {
                    mark_phrases(&step.key_points)
                } else {
                    Vec::new()
                };
                let words = styled_words(&step.answer, theme, &marks);
                lines.extend(wrap_spans(
                    words,
                    (width as usize).max(8),
                    (format!("{}. ", i + 1), theme.key),
                    "   ".into(),
                ));
            }
        }
        _ => {
            if view.shows_answer() {
                lines.extend(markup_lines(
                    &view.answer.text,
                    width,
                    theme,
                    if show_key_points {
                        &card.key_points
                    } else {
                        &[]
                    },
                ));
                lines.extend(fixes_lines(&view, &view.answer.numbers, width, theme));
            }
        }
    }
    if show_key_points && !card.key_points.is_empty() {
        lines.push(Line::default());
        lines.extend(key_points_lines(&card.key_points, width, theme));
    }
    if let Some(note) = &card.note {
        lines.push(Line::default());
        lines.extend(correction_box_lines(note, &card.references, width, theme));
    } else if !card.references.is_empty() {
        lines.push(Line::default());
        lines.extend(reference_lines(&card.references, theme));
    }
    lines
}

/// The other guides' versions of a card's question: each with its wrong passages marked and
/// their corrections right after it.
pub fn variant_lines(card: &Card, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let view = card.learner_view();
    let mut lines = Vec::new();
    for v in &view.variants {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        let title = format!("[{}] {}", v.source, v.question.text);
        lines.extend(wrap_spans(
            styled_words(&title, theme, &[])
                .into_iter()
                .map(|w| {
                    w.into_iter()
                        .map(|(s, st)| (s, theme.title.patch(st)))
                        .collect()
                })
                .collect(),
            (width as usize).max(8),
            (String::new(), theme.title),
            String::new(),
        ));
        lines.extend(markup_lines(&v.answer.text, width, theme, &[]));
        lines.extend(fixes_lines(&view, &v.numbers(), width, theme));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ThemeKind;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn bullets_hang_and_wrap() {
        let t = Theme::new(ThemeKind::Mono);
        let lines = markup_lines("Intro.\n\n- one two three four five\n- six", 14, &t, &[]);
        assert_eq!(
            text(&lines),
            ["Intro.", "", "• one two", "  three four", "  five", "• six"]
        );
    }

    #[test]
    fn key_points_are_underlined() {
        let t = Theme::new(ThemeKind::Mono);
        let kp = [KeyPoint::new("explicit deny")];
        let lines = markup_lines("An explicit deny always wins.", 40, &t, &kp);
        let span = lines[0].spans.iter().find(|s| s.content == "deny").unwrap();
        assert!(
            span.style
                .add_modifier
                .contains(ratatui::style::Modifier::UNDERLINED)
        );
        let plain = lines[0]
            .spans
            .iter()
            .find(|s| s.content == "always")
            .unwrap();
        assert!(
            !plain
                .style
                .add_modifier
                .contains(ratatui::style::Modifier::UNDERLINED)
        );
    }

    #[test]
    fn punctuation_after_inline_code_has_no_space_before_it() {
        let t = Theme::new(ThemeKind::Mono);
        let lines = markup_lines(
            "With a matching `Deny`, the answer is no; see `userIdentity`. Use `aws:SourceArn`: always.",
            200,
            &t,
            &[],
        );
        assert_eq!(
            text(&lines),
            [
                "With a matching Deny, the answer is no; see userIdentity. Use aws:SourceArn: always."
            ]
        );
        // A glued word still wraps as one word.
        let lines = markup_lines("aaaa bbbb `Deny`, cc", 10, &t, &[]);
        assert_eq!(text(&lines), ["aaaa bbbb", "Deny, cc"]);
    }

    #[test]
    fn marked_wrong_passages_are_crossed_out_and_signed() {
        let t = Theme::new(ThemeKind::Mono);
        let lines = markup_lines("Use ⟦conditions like aws:ExternalId⟧✗1 now.", 200, &t, &[]);
        assert_eq!(
            text(&lines),
            ["Use ⟦conditions like aws:ExternalId⟧✗1 now."]
        );
        let style_of = |s: &str| {
            lines[0]
                .spans
                .iter()
                .find(|x| x.content == s)
                .unwrap()
                .style
        };
        assert!(
            style_of("like")
                .add_modifier
                .contains(ratatui::style::Modifier::CROSSED_OUT)
        );
        assert!(
            !style_of("Use")
                .add_modifier
                .contains(ratatui::style::Modifier::CROSSED_OUT)
        );
        assert_eq!(style_of("✗1"), t.text.patch(t.bad));
    }

    #[test]
    fn marks_carry_over_wrapped_table_lines() {
        let t = Theme::new(ThemeKind::Mono);
        let mut inside = false;
        let first = marked_spans("via STS (⟦expire", t.text, &t, &mut inside);
        assert!(inside);
        assert_eq!(first.last().unwrap().style, t.text.patch(t.wrong));
        let second = marked_spans("1–12h⟧✗2)", t.text, &t, &mut inside);
        assert!(!inside);
        let texts: Vec<&str> = second.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["1–12h⟧", "✗2", ")"]);
        assert_eq!(second[0].style, t.text.patch(t.wrong));
        assert_eq!(second[1].style, t.text.patch(t.bad));
        assert_eq!(second[2].style, t.text);
    }

    #[test]
    fn json_keys_and_strings_differ() {
        let t = Theme::new(ThemeKind::Auto);
        let lines = json_lines("{\"Effect\": \"Allow\", \"n\": 1", &t, 80);
        let key = lines[0]
            .spans
            .iter()
            .find(|s| s.content == "\"Effect\"")
            .unwrap();
        let val = lines[0]
            .spans
            .iter()
            .find(|s| s.content == "\"Allow\"")
            .unwrap();
        assert_eq!(key.style, t.json_key);
        assert_eq!(val.style, t.json_string);
    }

    #[test]
    fn nothing_is_wider_than_asked() {
        let t = Theme::new(ThemeKind::Mono);
        let text = "A very-long-word-that-does-not-fit-anywhere and `inline code` then:\n\n```json\n{\"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"s3:*\"}]}\n```\n\n| a | b |\n|---|---|\n| long cell text here | x |";
        for w in 8..60u16 {
            for l in markup_lines(text, w, &t, &[]) {
                assert!(l.width() <= w.max(8) as usize, "width {w}: {l:?}");
            }
            let url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html";
            let lines = correction_box_lines("Note text that wraps.", &[url.into()], w.max(12), &t);
            for l in &lines {
                // The address is whole on its own line, outside the box.
                if l.to_string() == url {
                    continue;
                }
                assert!(l.width() <= w.max(12) as usize, "width {w}: {l:?}");
            }
            assert_eq!(lines.last().map(|l| l.to_string()).as_deref(), Some(url));
        }
    }
}
