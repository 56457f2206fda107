//! Turns an item's damaged answer lines into light markup, tables, scenario steps and key points.

use crate::deck::model::{KeyPoint, Scenario, Step, Table};

/// Words that often follow an identifier whose inline-code formatting was lost (`AssumeRolewith`).
const GLUE_WORDS: &[&str] = &[
    "with",
    "handles",
    "handle",
    "via",
    "on",
    "and",
    "or",
    "for",
    "the",
    "to",
    "from",
    "in",
    "is",
    "are",
    "allows",
    "allow",
    "returns",
    "call",
    "calls",
    "permission",
    "permissions",
    "policy",
    "key",
    "keys",
    "condition",
    "action",
    "actions",
    "api",
    "field",
    "when",
    "if",
    "as",
    "by",
];

/// Labels that introduce part of an answer (`Immediate Actions:`), lower-cased without the colon.
fn phase_of_label(label: &str) -> Option<&'static str> {
    let l = label.trim().trim_end_matches(':').to_lowercase();
    match l.as_str() {
        "immediate actions" | "immediate" | "immediate steps" | "short-term" | "short term" => {
            Some("Immediate")
        }
        "long-term" | "long term" | "long-term actions" | "long-term fixes" => Some("Long-term"),
        _ => None,
    }
}

/// Splits `CamelCaseIdentifierword` into the identifier and a following common word.
fn split_glued_identifier(token: &str) -> Option<(&str, &str)> {
    if !token.chars().all(|c| c.is_ascii_alphanumeric() || c == ':') || token.starts_with(':') {
        return None;
    }
    let upper_count = token.chars().filter(|c| c.is_ascii_uppercase()).count();
    let first_upper = token.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if upper_count < if first_upper { 2 } else { 1 } {
        return None;
    }
    let mut words: Vec<&str> = GLUE_WORDS.to_vec();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in words {
        // Two-letter words end too many identifiers (`Region`, `Operator`): only after an action name.
        if w.len() == 2 && (!token.contains(':') || token.ends_with("ion")) {
            continue;
        }
        if let Some(ident) = token.strip_suffix(w)
            && ident.len() >= 4
            && ident
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && ident.chars().skip(1).any(|c| c.is_ascii_uppercase())
        {
            return Some((ident, &token[ident.len()..]));
        }
    }
    None
}

/// `kms:GenerateDataKeyandkms:Decrypt?` → (`kms:GenerateDataKey`, `and`, `kms:Decrypt?`).
fn split_glued_pair(token: &str) -> Option<(&str, &str, &str)> {
    if token.matches(':').count() != 2 {
        return None;
    }
    for conj in ["and", "or"] {
        for (i, _) in token.match_indices(conj) {
            let (a, rest) = (&token[..i], &token[i + conj.len()..]);
            let b_ok = rest.split_once(':').is_some_and(|(svc, action)| {
                !svc.is_empty()
                    && svc
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && action.starts_with(|c: char| c.is_ascii_uppercase())
            });
            if a.contains(':') && a.ends_with(|c: char| c.is_ascii_alphanumeric()) && b_ok {
                return Some((a, conj, rest.trim_end_matches(['.', ',', '?', ')'])));
            }
        }
    }
    None
}

/// Repairs words glued by lost formatting and marks API names as inline code.
pub fn repair_prose(line: &str) -> String {
    // Identifier lists glued by commas: `calls:CreateUser,AttachPolicy` → `calls: CreateUser, AttachPolicy`.
    let mut s = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        s.push(c);
        let next = chars.get(i + 1).copied();
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        if c == ','
            && next.is_some_and(|n| n.is_ascii_alphabetic())
            && prev.is_some_and(|p| !p.is_ascii_digit())
        {
            s.push(' ');
        }
        // `calls:CreateUser` (a label glued to an API name), not `aws:SourceIp` or `s3:GetObject`.
        if c == ':' && next.is_some_and(|n| n.is_ascii_uppercase()) {
            let word: String = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let word: String = word.chars().rev().collect();
            if ["calls", "actions", "apis", "operations", "permissions"].contains(&word.as_str()) {
                s.push(' ');
            }
        }
    }
    let mut out = Vec::new();
    for token in s.split(' ') {
        // Two action names glued by a conjunction: `kms:GenerateDataKeyandkms:Decrypt`.
        if let Some((a, conj, b)) = split_glued_pair(token) {
            let tail = &token[token.find(b).map(|i| i + b.len()).unwrap_or(token.len())..];
            out.push(format!("`{a}` {conj} `{b}`{tail}"));
            continue;
        }
        let core = token.trim_end_matches(['.', ',', ';', ')', '?']);
        let tail = &token[core.len()..];
        if let Some((ident, word)) = split_glued_identifier(core) {
            out.push(format!("`{ident}` {word}{tail}"));
        } else {
            out.push(token.to_string());
        }
    }
    out.join(" ")
}

/// Splits `text"or` style glue at the end of JSON fragments: `"Effect":"Allow"or` → (`"Effect":"Allow"`, `or`).
fn split_fragment_tail(line: &str) -> (String, Option<String>) {
    let t = line.trim_end();
    if let Some(i) = t.rfind(['"', '}', ']']) {
        let tail = &t[i + 1..];
        let prose = tail
            .split_whitespace()
            .filter(|w| w.chars().all(char::is_alphabetic))
            .count()
            >= 2;
        let starts = tail.chars().next();
        if starts.is_some_and(|c| c.is_alphabetic() || c == '→')
            || (starts.is_some_and(|c| matches!(c, ',' | ')')) && prose)
        {
            return (t[..=i].to_string(), Some(tail.trim().to_string()));
        }
    }
    (t.to_string(), None)
}

/// Splits `AdministratorAccessSCP:` into `AdministratorAccess` and `SCP:`.
fn split_glued_label(line: &str) -> Vec<String> {
    let t = line.trim_end();
    if let Some(body) = t.strip_suffix(':') {
        let bytes: Vec<char> = body.chars().collect();
        // Find the last lowercase→uppercase boundary where the remainder is one word.
        for i in (1..bytes.len()).rev() {
            if bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase() {
                let rest: String = bytes[i..].iter().collect();
                let head: String = bytes[..i].iter().collect();
                if rest.chars().all(|c| c.is_ascii_alphanumeric()) && !head.ends_with(' ') {
                    // Only split when the head is itself a complete word or identifier.
                    let head_word = head.rsplit(' ').next().unwrap_or("");
                    if head_word.chars().filter(|c| c.is_ascii_uppercase()).count() >= 1
                        && rest.len() >= 3
                        && (rest.chars().all(|c| c.is_ascii_uppercase())
                            || [
                                "Result", "Reason", "Good", "Bad", "Example", "Flow", "Benefits",
                            ]
                            .contains(&rest.as_str()))
                    {
                        return vec![head, format!("{rest}:")];
                    }
                }
                break;
            }
        }
    }
    vec![t.to_string()]
}

fn json_depth_change(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_str = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_str {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_str = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Re-indents JSON lines by nesting depth, two spaces a level.
fn indent_json(lines: &[String]) -> String {
    let mut out = Vec::new();
    let mut depth: i32 = 0;
    for l in lines {
        let t = l.trim();
        let closes_first = t.starts_with(['}', ']']);
        let level = if closes_first { depth - 1 } else { depth }.max(0);
        out.push(format!("{}{}", "  ".repeat(level as usize), t));
        depth += json_depth_change(t);
    }
    out.join("\n")
}

/// A pipe-table line's cells.
fn table_cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') || !t.ends_with('|') || t.len() < 2 {
        return None;
    }
    Some(
        t[1..t.len() - 1]
            .split('|')
            .map(|c| repair_prose(c.trim()))
            .collect(),
    )
}

fn is_separator_row(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// The answer converted: markup, an optional table, and the bullets (for key points and steps).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Converted {
    pub markup: String,
    pub table: Option<Table>,
    /// (phase label in force, bullet text) for every top-level bullet, in order.
    pub bullets: Vec<(Option<String>, String)>,
}

enum Piece {
    Para(String),
    Bullet(String),
    Code(String, String),
}

/// Splits `first. - second? - third` (bullets run together when line breaks were lost).
fn split_run_on_bullets(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '?' | '!' | ')') {
            continue;
        }
        // `. - X` or `.- X` with X upper-case.
        let rest = &text[i + c.len_utf8()..];
        let after = rest.strip_prefix(" - ").or_else(|| rest.strip_prefix("- "));
        if let Some(after) = after
            && after.starts_with(|ch: char| ch.is_uppercase())
            && k > 0
        {
            parts.push(text[start..i + c.len_utf8()].trim().to_string());
            start = text.len() - after.len();
        }
    }
    parts.push(text[start..].trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Whether a line is the rest of a line broken where inline code was lost: it starts in lower case,
/// with a quote, or with an identifier glued to the next word (`AssumeRolewith`).
fn continues_broken_line(t: &str) -> bool {
    let first_word = t.split(' ').next().unwrap_or("");
    t.starts_with(|c: char| c.is_lowercase() || matches!(c, '"' | '(' | '`'))
        || (first_word.contains(',') && !first_word.ends_with(','))
        || split_glued_identifier(first_word.trim_end_matches(['.', ',', ')'])).is_some()
}

/// Converts answer lines into markup.
pub fn convert(body: &[String]) -> Converted {
    // 1. Drop the `Answer` label; split glued tails.
    let mut lines: Vec<String> = Vec::new();
    for (i, l) in body.iter().enumerate() {
        let t = l.trim();
        if i == 0 && (t == "Answer" || t.starts_with("Answer:") || t.starts_with("Answer (")) {
            // Keep what follows `Answer:` on the same line.
            if let Some(rest) = t
                .split_once(':')
                .map(|(_, r)| r.trim())
                .filter(|r| !r.is_empty())
            {
                lines.push(rest.to_string());
            }
            continue;
        }
        // A JSON block glued to the prose that follows it: `}→ User can …`.
        if let Some(rest) = t.strip_prefix(['}', ']']).filter(|r| {
            r.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '→')
        }) {
            lines.push(t[..1].to_string());
            lines.push(rest.to_string());
            continue;
        }
        if t.starts_with('"') {
            let (frag, tail) = split_fragment_tail(t);
            // A one-line fragment with prose after it was inline code inside a sentence.
            let prose_tail = tail.as_ref().is_some_and(|t| t.starts_with([',', ')']));
            if json_depth_change(&frag) == 0 && prose_tail {
                lines.push(format!("`{frag}`{}", tail.unwrap_or_default()));
                continue;
            }
            lines.push(frag);
            if let Some(tail) = tail {
                lines.extend(split_glued_label(&tail));
            }
            continue;
        }
        lines.extend(split_glued_label(l));
    }

    // 2. Group into pieces.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut table: Option<Table> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.trim();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if let Some(lang) = t.strip_prefix("```") {
            // A fenced block written as such (Markdown notes): kept as it is.
            let lang = lang.trim().to_string();
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                body.push(lines[i].clone());
                i += 1;
            }
            i += 1;
            pieces.push(Piece::Code(lang, body.join("\n")));
            continue;
        }
        if t == "json" {
            // A code block's language tag left alone on its line.
            i += 1;
            continue;
        }
        if t.starts_with(['{', '['])
            || (t.starts_with('"') && t.contains("\":") && !t.contains('`'))
        {
            let mut block = Vec::new();
            let mut depth = 0;
            while i < lines.len() {
                let l = lines[i].trim().to_string();
                if l.is_empty() {
                    i += 1;
                    if depth <= 0 {
                        break;
                    }
                    continue;
                }
                depth += json_depth_change(&l);
                block.push(l);
                i += 1;
                if depth <= 0 {
                    break;
                }
            }
            let joined = block.join("\n");
            let whole = serde_json::from_str::<serde_json::Value>(&joined).is_ok();
            if block.len() == 1 && !whole {
                pieces.push(Piece::Para(format!("`{}`", block[0])));
            } else {
                let lang = if whole { "json" } else { "json-fragment" };
                pieces.push(Piece::Code(lang.to_string(), indent_json(&block)));
            }
            continue;
        }
        if let Some(header) = table_cells(t) {
            let mut rows = Vec::new();
            i += 1;
            while i < lines.len() {
                match table_cells(&lines[i]) {
                    Some(cells) if is_separator_row(&cells) => {}
                    Some(cells) => rows.push(cells),
                    None => break,
                }
                i += 1;
            }
            if table.is_none() {
                table = Some(Table {
                    headers: header,
                    rows,
                });
            }
            continue;
        }
        if let Some(b) = t.strip_prefix("- ") {
            pieces.push(Piece::Bullet(b.trim().to_string()));
        } else if let Some(Piece::Bullet(prev)) = pieces.last_mut()
            && !prev.ends_with(['.', '!', '?'])
            && !t.ends_with(':')
            && continues_broken_line(t)
        {
            // A line broken by lost inline code continues the bullet above.
            if !prev.ends_with('(') {
                prev.push(' ');
            }
            prev.push_str(t);
        } else {
            pieces.push(Piece::Para(t.to_string()));
        }
        i += 1;
    }

    // 3. Split `sentence. - next bullet` runs and repair prose.
    let mut expanded: Vec<Piece> = Vec::new();
    for p in pieces {
        match p {
            Piece::Bullet(text) => {
                for part in split_run_on_bullets(&text) {
                    expanded.push(Piece::Bullet(part));
                }
            }
            Piece::Para(text) => {
                // `… (e.g., older CLI).- Attach this …`: the first part stays a paragraph.
                for (k, part) in split_run_on_bullets(&text).into_iter().enumerate() {
                    expanded.push(if k == 0 {
                        Piece::Para(part)
                    } else {
                        Piece::Bullet(part)
                    });
                }
            }
            other => expanded.push(other),
        }
    }

    let mut markup = String::new();
    let mut bullets = Vec::new();
    let mut phase: Option<String> = None;
    let mut prev_bullet = false;
    for p in expanded {
        match p {
            Piece::Para(t) => {
                if let Some(ph) = phase_of_label(&t) {
                    phase = Some(ph.to_string());
                }
                if !markup.is_empty() {
                    markup.push_str("\n\n");
                }
                markup.push_str(&repair_prose(&t));
                prev_bullet = false;
            }
            Piece::Bullet(t) => {
                let t = repair_prose(&t);
                if !markup.is_empty() {
                    markup.push_str(if prev_bullet { "\n" } else { "\n\n" });
                }
                markup.push_str("- ");
                markup.push_str(&t);
                bullets.push((phase.clone(), t));
                prev_bullet = true;
            }
            Piece::Code(lang, code) => {
                if !markup.is_empty() {
                    markup.push_str("\n\n");
                }
                markup.push_str(&format!("```{lang}\n{code}\n```"));
                prev_bullet = false;
            }
        }
    }
    Converted {
        markup,
        table,
        bullets,
    }
}

/// Strips markup from a phrase for use as a key point.
fn plain_phrase(s: &str) -> String {
    s.replace('`', "")
        .trim()
        .trim_end_matches(['.', ':', ';', ','])
        .trim()
        .to_string()
}

/// Key points derived from an answer: its bullets (up to eight), else its first sentence.
pub fn derive_key_points(conv: &Converted, question: &str) -> Vec<KeyPoint> {
    let mut points: Vec<KeyPoint> = conv
        .bullets
        .iter()
        .map(|(_, b)| plain_phrase(b))
        .filter(|b| !b.is_empty())
        .take(8)
        .map(KeyPoint::new)
        .collect();
    if points.is_empty() {
        let plain = crate::deck::markup::to_plain(&conv.markup);
        let first = plain
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.ends_with(':'))
            .unwrap_or(question);
        let sentence = first.split(". ").next().unwrap_or(first);
        points.push(KeyPoint::new(plain_phrase(sentence)));
    }
    points
}

/// Scenario steps from bullets, with phases where the answer labels them.
pub fn derive_scenario(conv: &Converted, question: &str) -> Scenario {
    let total = conv.bullets.len();
    let steps = conv
        .bullets
        .iter()
        .enumerate()
        .map(|(i, (phase, text))| Step {
            phase: phase.clone(),
            prompt: match phase {
                Some(p) => format!("{p}: step {} of {total}?", i + 1),
                None => format!("Step {} of {total}?", i + 1),
            },
            answer: text.clone(),
            key_points: Vec::new(),
        })
        .collect();
    Scenario {
        situation: question.to_string(),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(String::from).collect()
    }

    #[test]
    fn repairs_glued_identifiers() {
        assert_eq!(
            repair_prose("AssumeRolewith Role ARN"),
            "`AssumeRole` with Role ARN"
        );
        assert_eq!(
            repair_prose("BoolIfExistshandles cases where MFA key is missing"),
            "`BoolIfExists` handles cases where MFA key is missing"
        );
        assert_eq!(
            repair_prose("Audit all IAM API calls:CreateUser,AttachPolicy,AssumeRole."),
            "Audit all IAM API calls: CreateUser, AttachPolicy, AssumeRole."
        );
        assert_eq!(
            repair_prose("keys aws:SourceIp,aws:RequestedRegion"),
            "keys aws:SourceIp, aws:RequestedRegion"
        );
        assert_eq!(repair_prose("Plain words stay."), "Plain words stay.");
    }

    #[test]
    fn json_blocks_become_fenced_code() {
        let c = convert(&lines(
            "Answer\nA JSON document defining permissions.\nExample:\n{\n\"Version\":\"2012-10-17\",\n\"Statement\":[\n{\n\"Effect\":\"Allow\"\n}\n]\n}",
        ));
        assert_eq!(
            c.markup,
            "A JSON document defining permissions.\n\nExample:\n\n```json\n{\n  \"Version\":\"2012-10-17\",\n  \"Statement\":[\n    {\n      \"Effect\":\"Allow\"\n    }\n  ]\n}\n```"
        );
    }

    #[test]
    fn glued_fragments_and_labels_are_split() {
        let c = convert(&lines(
            "Answer\nEffect\n\"Effect\":\"Allow\"or\n\"Effect\":\"Deny\"Action\n\"Action\":\"s3:GetObject\"",
        ));
        assert_eq!(
            c.markup,
            "Effect\n\n`\"Effect\":\"Allow\"`\n\nor\n\n`\"Effect\":\"Deny\"`\n\nAction\n\n`\"Action\":\"s3:GetObject\"`"
        );
        let c = convert(&lines(
            "Answer\nUser policy:\nAdministratorAccessSCP:\nDeny EC2 TerminationResult:\nCannot terminate EC2.",
        ));
        assert_eq!(
            c.markup,
            "User policy:\n\nAdministratorAccess\n\nSCP:\n\nDeny EC2 Termination\n\nResult:\n\nCannot terminate EC2."
        );
    }

    #[test]
    fn broken_bullets_are_rejoined_and_split() {
        let c = convert(&lines(
            "Flow:\n- User requests\nAssumeRolewith Role ARN and session name. - STS returns temporary credentials.\n- User uses those creds.",
        ));
        assert_eq!(
            c.markup,
            "Flow:\n\n- User requests `AssumeRole` with Role ARN and session name.\n- STS returns temporary credentials.\n- User uses those creds."
        );
    }

    #[test]
    fn fenced_blocks_are_kept() {
        let c = convert(&lines("Example:\n```json\n{\"a\": [1,\n  2]}\n```\nAfter."));
        assert_eq!(
            c.markup,
            "Example:\n\n```json\n{\"a\": [1,\n  2]}\n```\n\nAfter."
        );
    }

    #[test]
    fn tables_are_extracted() {
        let c = convert(&lines("| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\nAfter."));
        let t = c.table.unwrap();
        assert_eq!(t.headers, ["A", "B"]);
        assert_eq!(t.rows, [vec!["1", "2"], vec!["3", "4"]]);
        assert_eq!(c.markup, "After.");
    }

    #[test]
    fn phases_come_from_labels() {
        let c = convert(&lines(
            "Answer\nImmediate Actions:\n- Disable key\nLong-Term:\n- Use roles",
        ));
        assert_eq!(
            c.bullets,
            [
                (Some("Immediate".into()), "Disable key".into()),
                (Some("Long-term".into()), "Use roles".into())
            ]
        );
        let s = derive_scenario(&c, "Leaked key?");
        assert_eq!(s.steps[1].prompt, "Long-term: step 2 of 2?");
    }

    #[test]
    fn key_points_from_bullets_or_first_sentence() {
        let c = convert(&lines(
            "Because roles:\n- Use temporary credentials\n- Rotate automatically",
        ));
        let k: Vec<String> = derive_key_points(&c, "Q")
            .into_iter()
            .map(|k| k.text)
            .collect();
        assert_eq!(k, ["Use temporary credentials", "Rotate automatically"]);
        let c = convert(&lines("Records AWS API activity. More text."));
        let k: Vec<String> = derive_key_points(&c, "Q")
            .into_iter()
            .map(|k| k.text)
            .collect();
        assert_eq!(k, ["Records AWS API activity"]);
    }
}
