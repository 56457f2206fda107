//! A linear scan that refuses YAML or JSON nested deeper than a limit before any parser sees it.
//! Parsers take time that grows faster than the input on deeply nested flow collections
//! (`[[[[…`, `{a: {a: …`), and only apply their own depth limits after that work; this scan
//! makes the cost of hostile nesting one pass over the bytes.
//!
//! It counts flow brackets (`[`, `{`) that are still open and, on each line, the block entries
//! (`- `, `? `) that open a new level on the same line. Quoting is ignored on purpose: the limit
//! is far above what any real file nests, so brackets inside text cannot reach it.

use super::load::Pos;

/// Deepest nesting accepted by [`check`] for the files iamdrill reads.
pub const MAX_NESTING: usize = 128;

/// Refuses `text` when its nesting goes deeper than `limit`, naming where.
pub fn check(text: &str, limit: usize) -> Result<(), (Pos, String)> {
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut column = 0usize;
    // Block entries opened on the current line so far, and whether only entries came yet.
    let mut entries = 0usize;
    let mut line_start = true;
    let mut prev = b'\n';
    let too_deep = |line, column| {
        Err((
            Pos { line, column },
            format!("nesting deeper than {limit} levels"),
        ))
    };
    for &b in text.as_bytes() {
        column += 1;
        match b {
            b'\n' => {
                line += 1;
                column = 0;
                entries = 0;
                line_start = true;
            }
            b'[' | b'{' => {
                depth += 1;
                line_start = false;
                if depth + entries > limit {
                    return too_deep(line, column);
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                line_start = false;
            }
            b' ' | b'\t' => {
                if line_start && matches!(prev, b'-' | b'?') {
                    entries += 1;
                    if depth + entries > limit {
                        return too_deep(line, column);
                    }
                }
            }
            b'-' | b'?' if line_start => {}
            _ => line_start = false,
        }
        prev = b;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_files_pass() {
        let yaml = "cards:\n  - id: a\n    q: \"[what] {is} this?\"\n    tags: [a, b, {c: [d]}]\n  - - x\n    - y\n";
        assert!(check(yaml, 8).is_ok());
        let json = r#"{"Statement":[{"Action":["s3:GetObject"],"Condition":{"A":{"b":"c"}}}]}"#;
        assert!(check(json, 8).is_ok());
        // Closing brackets with no opening one never go below zero.
        assert!(check("]]]] [a]", 1).is_ok());
    }

    #[test]
    fn deep_flow_nesting_is_refused_where_it_goes_too_deep() {
        let text = format!("id: x\ntitle: {}", "[".repeat(100_000));
        let (pos, message) = check(&text, MAX_NESTING).unwrap_err();
        assert_eq!(
            (pos.line, pos.column),
            (2, "title: ".len() + MAX_NESTING + 1)
        );
        assert_eq!(message, "nesting deeper than 128 levels");
        let text = "{a: ".repeat(100_000);
        assert_eq!(check(&text, 4).unwrap_err().0.column, 4 * 4 + 1);
    }

    #[test]
    fn block_entries_on_one_line_count_as_levels() {
        let text = format!("x:\n  {}y\n", "- ".repeat(10));
        let (pos, _) = check(&text, 5).unwrap_err();
        assert_eq!(pos.line, 2);
        assert!(check(&text, 10).is_ok());
        // A dash inside text is not an entry.
        assert!(check("a: b - - - - - - c\n", 2).is_ok());
    }
}
