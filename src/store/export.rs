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
        let mut answer = html_escape(&view.answer.text);
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
                t.push_str(&format!("<td>{}</td>", html_escape(c)));
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
                html_escape(&step.prompt),
                html_escape(&step.answer)
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
            html_escape(&card.question),
            html_escape(&sc.situation)
        ),
        None => html_escape(&card.question),
    }
}

/// Writes cards as a tab-separated file Anki imports (File > Import): front, back, tags, with
/// Anki's header lines. Fields are HTML (newlines as `<br>`), tags are the topic and card tags.
pub fn write_anki_tsv<'a>(
    cards: impl IntoIterator<Item = &'a Card>,
    out: &mut dyn Write,
) -> std::io::Result<u64> {
    writeln!(out, "#separator:tab")?;
    writeln!(out, "#html:true")?;
    writeln!(out, "#tags column:3")?;
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
            "{}\t{}\t{}",
            card_front(card),
            card_back(card),
            tags.join(" ")
        )?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{CardKind, Difficulty, KeyPoint};

    #[test]
    fn anki_tsv_escapes_fields() {
        let card = Card {
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
        };
        let mut out = Vec::new();
        assert_eq!(write_anki_tsv([&card], &mut out).unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(3).unwrap();
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert_eq!(fields[0], "What does a &lt;grant&gt; do?&#9;Tab");
        assert_eq!(
            fields[1],
            "Line one<br>Line &amp; two<br><br><ul><li>delegation</li></ul>"
        );
        assert_eq!(fields[2], "iamdrill::kms key_policy");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain-id"), "plain-id");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
