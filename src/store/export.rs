//! Exports: the review log as CSV in the column layout FSRS tools read, and cards as an
//! Anki-importable TSV.

use std::io::Write;

use super::{Result, Store, StoreError};
use crate::deck::learner::Fix;
use crate::deck::model::Card;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV line from a row of (card_id, reviewed_at, rating, phase_before, duration_ms).
pub(super) fn write_row(
    out: &mut dyn Write,
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<std::io::Result<()>> {
    let card: String = r.get(0)?;
    let at: i64 = r.get(1)?;
    let rating: i64 = r.get(2)?;
    let state: i64 = r.get(3)?;
    let duration: i64 = r.get(4)?;
    Ok(writeln!(
        out,
        "{},{at},{rating},{state},{duration}",
        csv_field(&card)
    ))
}

/// Answers read at a time from a damaged log: a damaged page loses one block, not the rest.
const RESCUE_BLOCK: i64 = 256;

impl Store {
    /// The rows of a damaged log that can still be read, block by block of ids; blocks that
    /// cannot be read are skipped and logged.
    fn export_damaged_csv(&self, out: &mut dyn Write) -> Result<u64> {
        let io = |e: std::io::Error| StoreError::Invalid {
            path: self.path.clone(),
            reason: format!("cannot write the export: {e}"),
        };
        let last: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM review_log", [], |r| {
                r.get(0)
            })
            .unwrap_or(i64::from(u32::MAX));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, l.reviewed_at, l.rating, l.phase_before, l.duration_ms
                 FROM review_log AS l JOIN card_ids AS c ON c.n = l.card
                 WHERE l.id BETWEEN ?1 AND ?2 ORDER BY l.id",
            )
            .map_err(|e| self.err(e))?;
        let mut n = 0;
        let mut start = 1;
        while start <= last {
            let end = start.saturating_add(RESCUE_BLOCK - 1);
            let mut block = Vec::new();
            let mut rows_in_block = 0;
            let read = (|| -> rusqlite::Result<()> {
                let mut rows = stmt.query([start, end])?;
                while let Some(r) = rows.next()? {
                    write_row(&mut block, r)?
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    rows_in_block += 1;
                }
                Ok(())
            })();
            match read {
                Ok(()) => {
                    out.write_all(&block).map_err(io)?;
                    n += rows_in_block;
                }
                Err(e) => log::warn!("answers {start}-{end} cannot be read: {e}"),
            }
            start = end.saturating_add(1);
        }
        Ok(n)
    }

    /// Writes the review log as CSV: `card_id,review_time,review_rating,review_state,review_duration`
    /// (time in unix milliseconds, state 0 new / 1 learning / 2 review / 3 relearning as the
    /// card was when answered, duration in milliseconds), oldest first. Returns the row count.
    pub fn export_reviews_csv(&self, out: &mut dyn Write) -> Result<u64> {
        let io = |e: std::io::Error| StoreError::Invalid {
            path: self.path.clone(),
            reason: format!("cannot write the export: {e}"),
        };
        writeln!(
            out,
            "card_id,review_time,review_rating,review_state,review_duration"
        )
        .map_err(io)?;
        if self.damage.is_some() {
            return self.export_damaged_csv(out);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, l.reviewed_at, l.rating, l.phase_before, l.duration_ms
                 FROM review_log AS l JOIN card_ids AS c ON c.n = l.card ORDER BY l.id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            write_row(out, r).map_err(|e| self.err(e))?.map_err(io)?;
            n += 1;
        }
        Ok(n)
    }
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("<br>"),
            '\t' => o.push_str("&#9;"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// Card markup as HTML: fenced code blocks become `<pre><code>` with their indentation kept, inline
/// `code` becomes `<code>`, and other line breaks become `<br>`. An unclosed fence runs to the end.
fn markup_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut in_fence = false;
    let mut first_in_block = true;
    for (i, line) in s.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            if in_fence {
                out.push_str("</code></pre>");
            } else {
                if i > 0 && !out.ends_with("</pre>") {
                    out.push_str("<br>");
                }
                out.push_str("<pre><code>");
                first_in_block = true;
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            if !first_in_block {
                out.push_str("<br>");
            }
            first_in_block = false;
            out.push_str(&html_escape(line).replace(' ', "&nbsp;"));
            continue;
        }
        if i > 0 && !out.ends_with("</pre>") {
            out.push_str("<br>");
        }
        for (j, piece) in line.split('`').enumerate() {
            if j % 2 == 1 {
                out.push_str(&format!("<code>{}</code>", html_escape(piece)));
            } else {
                out.push_str(&html_escape(piece));
            }
        }
    }
    if in_fence {
        out.push_str("</code></pre>");
    }
    out
}

/// A correction as HTML: its sign, what is right, and links to the references.
fn fix_html(fix: &Fix<'_>) -> String {
    let links: Vec<String> = fix
        .correction
        .references
        .iter()
        .map(|r| format!("<a href=\"{0}\">{0}</a>", html_escape(r)))
        .collect();
    format!(
        "<div><b>{} Correction:</b> {} {}</div>",
        fix.label(),
        html_escape(fix.correction.right.trim()),
        links.join(" ")
    )
}

/// The back of a card: what a learner may see of it (see [`crate::deck::learner`]), with wrong
/// source passages marked and each followed by its correction.
fn card_back(card: &Card) -> String {
    let view = card.learner_view();
    let mut parts = Vec::new();
    if view.shows_answer() {
        let mut answer = markup_html(&view.answer.text);
        for fix in view.fixes_numbered(&view.answer.numbers) {
            answer.push_str(&fix_html(&fix));
        }
        parts.push(answer);
    }
    if let Some(table) = &card.table {
        let mut t = String::from("<table><tr>");
        for h in &table.headers {
            t.push_str(&format!("<th>{}</th>", html_escape(h)));
        }
        t.push_str("</tr>");
        for row in &table.rows {
            t.push_str("<tr>");
            for c in row {
                t.push_str(&format!("<td>{}</td>", markup_html(c)));
            }
            t.push_str("</tr>");
        }
        t.push_str("</table>");
        parts.push(t);
    }
    if let Some(sc) = &card.scenario {
        for step in &sc.steps {
            let phase = step
                .phase
                .as_deref()
                .map(|p| format!("[{}] ", html_escape(p)))
                .unwrap_or_default();
            parts.push(format!(
                "{phase}<b>{}</b><br>{}",
                markup_html(&step.prompt),
                markup_html(&step.answer)
            ));
        }
    }
    if !card.key_points.is_empty() {
        let items: String = card
            .key_points
            .iter()
            .map(|k| format!("<li>{}</li>", html_escape(&k.text)))
            .collect();
        parts.push(format!("<ul>{items}</ul>"));
    }
    if let Some(note) = &card.note {
        let links: String = card
            .references
            .iter()
            .map(|r| format!("<br><a href=\"{0}\">{0}</a>", html_escape(r)))
            .collect();
        parts.push(format!("<i>{}</i>{links}", html_escape(note)));
    }
    parts.join("<br><br>")
}

fn card_front(card: &Card) -> String {
    match &card.scenario {
        Some(sc) => format!(
            "{}<br><br>{}",
            markup_html(&card.question),
            markup_html(&sc.situation)
        ),
        None => markup_html(&card.question),
    }
}

/// The stable Anki note id of a card: its id cannot hold tabs or spaces, so it needs no escaping
/// beyond what any field gets.
fn anki_guid(id: &str) -> String {
    format!("iamdrill:{}", html_escape(id))
}

/// Writes cards as a tab-separated file Anki imports (File > Import): front, back, tags and a GUID,
/// with Anki's header lines. Fields are HTML (newlines as `<br>`, code as `<pre>`/`<code>`), tags
/// are the topic and card tags. The GUID is `iamdrill:` and the card id, the same in every export,
/// so importing a newer export updates the notes instead of adding duplicates.
pub fn write_anki_tsv<'a>(
    cards: impl IntoIterator<Item = &'a Card>,
    out: &mut dyn Write,
) -> std::io::Result<u64> {
    writeln!(out, "#separator:tab")?;
    writeln!(out, "#html:true")?;
    writeln!(out, "#tags column:3")?;
    writeln!(out, "#guid column:4")?;
    let mut n = 0;
    for card in cards {
        let tags: Vec<String> = std::iter::once(format!("iamdrill::{}", card.topic))
            .chain(
                card.tags
                    .iter()
                    .map(|t| t.replace(char::is_whitespace, "_")),
            )
            .collect();
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            card_front(card),
            card_back(card),
            tags.join(" "),
            anki_guid(&card.id)
        )?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{CardKind, Difficulty, KeyPoint};

    fn sample_card() -> Card {
        Card {
            id: "kms-grants".into(),
            kind: CardKind::Basic,
            topic: "kms".into(),
            tags: vec!["key policy".into()],
            difficulty: Difficulty::Professional,
            question: "What does a <grant> do?\tTab".into(),
            answer: "Line one\nLine & two".into(),
            table: None,
            scenario: None,
            key_points: vec![KeyPoint::new("delegation")],
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    #[test]
    fn anki_tsv_escapes_fields() {
        let card = sample_card();
        let mut out = Vec::new();
        assert_eq!(write_anki_tsv([&card], &mut out).unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(4).unwrap();
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "{line}");
        assert_eq!(fields[0], "What does a &lt;grant&gt; do?&#9;Tab");
        assert_eq!(
            fields[1],
            "Line one<br>Line &amp; two<br><br><ul><li>delegation</li></ul>"
        );
        assert_eq!(fields[2], "iamdrill::kms key_policy");
        assert_eq!(fields[3], "iamdrill:kms-grants");
        assert!(text.contains("#guid column:4\n"), "{text}");
    }

    #[test]
    fn anki_guids_are_the_same_in_every_export() {
        let export = |answer: &str| {
            let mut card = sample_card();
            card.answer = answer.into();
            let mut out = Vec::new();
            write_anki_tsv([&card], &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            text.lines()
                .nth(4)
                .unwrap()
                .split('\t')
                .nth(3)
                .unwrap()
                .to_string()
        };
        assert_eq!(export("first wording"), export("second wording"));
    }

    #[test]
    fn code_stays_preformatted() {
        let html = markup_html(
            "Attach this:\n\n```json\n{\n  \"Effect\": \"Deny\"\n}\n```\nThen call `sts:AssumeRole` <now>.",
        );
        assert_eq!(
            html,
            "Attach this:<br><br><pre><code>{<br>&nbsp;&nbsp;&quot;Effect&quot;:&nbsp;&quot;Deny&quot;<br>}</code></pre>\
             Then call <code>sts:AssumeRole</code> &lt;now&gt;."
        );
        assert_eq!(
            markup_html("```\nunclosed"),
            "<pre><code>unclosed</code></pre>"
        );
        assert_eq!(markup_html("a\nb"), "a<br>b");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain-id"), "plain-id");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
