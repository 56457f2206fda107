//! The light markup of answers: paragraphs, `- ` bullets, fenced code blocks with a language, and
//! `inline code`. Parsing never fails: anything unrecognised is a paragraph.

/// One block of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Consecutive non-empty lines joined with spaces.
    Paragraph(String),
    /// A `- ` or `* ` item; `level` counts two-space indents.
    Bullet { level: usize, text: String },
    /// A fenced block; `lang` is what follows the opening fence (may be empty).
    Code {
        lang: String,
        text: String,
        line: usize,
    },
    /// A pipe table (`| a | b |` lines; separator lines are skipped). The first row is the header.
    Table(Vec<Vec<String>>),
}

/// A run of inline text: plain or code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline<'a> {
    Text(&'a str),
    Code(&'a str),
}

/// Splits markup into blocks. `line` in code blocks is the 0-based line of the opening fence.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut lines = text.lines().enumerate();
    let flush = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
    };
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            flush(&mut para, &mut blocks);
            let mut body = Vec::new();
            for (_, l) in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                body.push(l);
            }
            blocks.push(Block::Code {
                lang: lang.trim().to_string(),
                text: body.join("\n"),
                line: n,
            });
        } else if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1 {
            flush(&mut para, &mut blocks);
            let cells: Vec<String> = trimmed[1..trimmed.len() - 1]
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            let separator = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if !separator {
                match blocks.last_mut() {
                    Some(Block::Table(rows)) => rows.push(cells),
                    _ => blocks.push(Block::Table(vec![cells])),
                }
            }
        } else if trimmed.is_empty() {
            flush(&mut para, &mut blocks);
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            flush(&mut para, &mut blocks);
            let indent = line.len() - trimmed.len();
            blocks.push(Block::Bullet {
                level: indent / 2,
                text: item.trim().to_string(),
            });
        } else if let Some(Block::Bullet { text: prev, .. }) = blocks.last_mut()
            && para.is_empty()
            && line.starts_with("  ")
        {
            // An indented line continues the bullet above it.
            prev.push(' ');
            prev.push_str(trimmed);
        } else {
            para.push(trimmed);
        }
    }
    flush(&mut para, &mut blocks);
    blocks
}

/// Splits a line into plain text and `code` spans. An unmatched backtick is plain text.
pub fn inlines(text: &str) -> Vec<Inline<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        match after.find('`') {
            Some(end) if end > 0 => {
                if start > 0 {
                    out.push(Inline::Text(&rest[..start]));
                }
                out.push(Inline::Code(&after[..end]));
                rest = &after[end + 1..];
            }
            _ => break,
        }
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest));
    }
    out
}

/// The answer as plain text (for plain mode and search): code fences dropped, bullets kept.
pub fn to_plain(text: &str) -> String {
    let mut out = String::new();
    for block in parse(text) {
        match block {
            Block::Paragraph(p) => {
                out.push_str(&p.replace('`', ""));
                out.push('\n');
            }
            Block::Bullet { level, text } => {
                out.push_str(&"  ".repeat(level));
                out.push_str("- ");
                out.push_str(&text.replace('`', ""));
                out.push('\n');
            }
            Block::Table(rows) => {
                for row in rows {
                    out.push_str(&row.join(" | ").replace('`', ""));
                    out.push('\n');
                }
            }
            Block::Code { text, .. } => {
                for l in text.lines() {
                    out.push_str("    ");
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paragraphs_bullets_and_code() {
        let text = "First line\ncontinues.\n\n- one\n  - nested\n- two\n  wrapped\n\n```json\n{\"a\": 1}\n```\nAfter.";
        let blocks = parse(text);
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("First line continues.".into()),
                Block::Bullet {
                    level: 0,
                    text: "one".into()
                },
                Block::Bullet {
                    level: 1,
                    text: "nested".into()
                },
                Block::Bullet {
                    level: 0,
                    text: "two wrapped".into()
                },
                Block::Code {
                    lang: "json".into(),
                    text: "{\"a\": 1}".into(),
                    line: 8
                },
                Block::Paragraph("After.".into()),
            ]
        );
    }

    #[test]
    fn parses_pipe_tables() {
        let blocks = parse("| A | B |\n|---|---|\n| 1 | 2 |\nafter");
        assert_eq!(
            blocks,
            vec![
                Block::Table(vec![
                    vec!["A".into(), "B".into()],
                    vec!["1".into(), "2".into()]
                ]),
                Block::Paragraph("after".into()),
            ]
        );
    }

    #[test]
    fn splits_inline_code() {
        assert_eq!(
            inlines("call `sts:AssumeRole` now `x"),
            vec![
                Inline::Text("call "),
                Inline::Code("sts:AssumeRole"),
                Inline::Text(" now `x")
            ]
        );
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(to_plain("Use `x`.\n- a"), "Use x.\n- a\n");
    }
}
