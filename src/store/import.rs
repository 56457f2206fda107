//! Importing a review log written by `iamdrill export reviews` (CSV), e.g. from another
//! machine: answers already in the log are skipped, and the state of every card that got new
//! answers is derived again by replaying its answers in time order.

use std::collections::BTreeSet;

use rusqlite::{TransactionBehavior, params};
use serde::Serialize;

use super::review::{
    NewReview, card_number, insert_review, intern_card, update_state_after, write_state,
};
use super::{Result, ReviewMode, Store, StoreError};
use crate::srs::scheduler::{CardState, Rating};

/// The header `export reviews` writes.
pub const CSV_HEADER: &str = "card_id,review_time,review_rating,review_state,review_duration";

/// One answer read from the CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvReview {
    pub card_id: String,
    /// Unix milliseconds.
    pub at: i64,
    pub rating: u8,
    /// Phase of the card when answered (0 new, 1 learning, 2 review, 3 relearning).
    pub state: u8,
    pub duration_ms: i64,
}

/// A CSV problem with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CsvError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Answers in the file.
    pub read: u64,
    /// Answers added to the log.
    pub imported: u64,
    /// Answers already in the log (or twice in the file), skipped.
    pub duplicates: u64,
    /// Cards whose state was derived again.
    pub cards: u64,
}

/// Splits one CSV line into fields with their starting columns (1-based, in characters);
/// fields may be quoted with `"` and `""` inside.
fn split_csv(line: &str) -> std::result::Result<Vec<(usize, String)>, (usize, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let start = i + 1;
        let mut field = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err((start, "a quoted field is not closed".into())),
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        field.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        field.push(c);
                        i += 1;
                    }
                }
            }
            if !matches!(chars.get(i), None | Some(',')) {
                return Err((i + 1, "expected `,` after a quoted field".into()));
            }
        } else {
            while let Some(&c) = chars.get(i) {
                if c == ',' {
                    break;
                }
                field.push(c);
                i += 1;
            }
        }
        fields.push((start, field));
        if chars.get(i) == Some(&',') {
            i += 1;
        } else {
            return Ok(fields);
        }
    }
}

/// Reads a review log in the layout of `export reviews`. Every problem names the file, line and
/// column.
pub fn parse_reviews_csv(text: &str, file: &str) -> std::result::Result<Vec<CsvReview>, CsvError> {
    let err = |line: usize, column: usize, message: String| CsvError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_start_matches('\u{feff}').trim_end() == CSV_HEADER => {}
        _ => {
            return Err(err(
                1,
                1,
                format!(
                    "expected the header `{CSV_HEADER}` (the file `iamdrill export reviews` writes)"
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv(line.trim_end_matches('\r')).map_err(|(c, m)| err(n, c, m))?;
        if fields.len() != 5 {
            return Err(err(
                n,
                1,
                format!("expected 5 fields, found {}", fields.len()),
            ));
        }
        let number = |k: usize, what: &str, lo: i64, hi: i64| {
            let (col, text) = &fields[k];
            match text.trim().parse::<i64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(v),
                _ => Err(err(
                    n,
                    *col,
                    format!("{what} must be a whole number from {lo} to {hi}, found `{text}`"),
                )),
            }
        };
        let card_id = fields[0].1.clone();
        if card_id.is_empty() || card_id.chars().any(char::is_control) {
            return Err(err(
                n,
                1,
                "card_id is empty or holds control characters".into(),
            ));
        }
        out.push(CsvReview {
            card_id,
            at: number(1, "review_time", 0, 253_402_300_799_999)?,
            rating: number(2, "review_rating", 1, 4)? as u8,
            state: number(3, "review_state", 0, 3)? as u8,
            duration_ms: number(4, "review_duration", 0, i64::from(u32::MAX))?,
        });
    }
    Ok(out)
}

impl Store {
    /// Adds the answers that are not in the log yet (same card, time and rating) and derives the
    /// state of each card that got new answers again, in one transaction.
    pub fn import_reviews(&mut self, rows: &[CsvReview]) -> Result<ImportReport> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let mut report = ImportReport {
            read: rows.len() as u64,
            ..ImportReport::default()
        };
        let mut touched = BTreeSet::new();
        {
            let mut exists = tx
                .prepare(
                    "SELECT 1 FROM review_log WHERE card = ?1 AND reviewed_at = ?2 AND rating = ?3 LIMIT 1",
                )
                .map_err(e)?;
            let placeholder = CardState::default();
            for r in rows {
                if let Some(card) = card_number(&tx, &r.card_id).map_err(e)?
                    && exists.exists(params![card, r.at, r.rating]).map_err(e)?
                {
                    report.duplicates += 1;
                    continue;
                }
                let card = intern_card(&tx, &r.card_id).map_err(e)?;
                // The states are derived below, once all of the card's answers are in.
                let id = insert_review(
                    &tx,
                    &NewReview {
                        id: None,
                        card,
                        reviewed_at: r.at,
                        rating: r.rating,
                        duration_ms: r.duration_ms,
                        mode: ReviewMode::Review.number(),
                        rescheduled: true,
                        phase_before: r.state,
                        before_id: None,
                        after: &placeholder,
                    },
                )
                .map_err(e)?;
                // Ordered by the time it was given, as the states below are (and as synced
                // devices and `progress rebuild` order it), not by when it was imported.
                tx.prepare_cached("UPDATE review_log SET order_at = reviewed_at WHERE id = ?1")
                    .and_then(|mut s| s.execute([id]))
                    .map_err(e)?;
                report.imported += 1;
                touched.insert(r.card_id.clone());
            }
        }
        for card in &touched {
            let answers: Vec<(i64, i64, i64, bool)> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id, reviewed_at, rating, rescheduled FROM review_log
                         WHERE card = (SELECT n FROM card_ids WHERE id = ?1)
                         ORDER BY reviewed_at, id",
                    )
                    .map_err(e)?;
                let rows = stmt
                    .query_map([card], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? != 0))
                    })
                    .map_err(e)?;
                rows.collect::<rusqlite::Result<_>>().map_err(e)?
            };
            let mut state = CardState::default();
            let mut last = None;
            // The answer before in time: its state after is the next one's state before.
            let mut previous: Option<i64> = None;
            for (id, at, rating, rescheduled) in answers {
                let rating = Rating::from_number(rating).ok_or_else(|| StoreError::BadRow {
                    path: path.clone(),
                    id,
                    reason: format!("rating {rating} is not 1-4"),
                })?;
                if rescheduled {
                    state = self.scheduler.next(&state, rating, at, &self.clock);
                    last = Some(id);
                }
                update_state_after(&tx, id, &state).map_err(e)?;
                tx.execute(
                    "UPDATE review_log SET before_id = ?2 WHERE id = ?1",
                    params![id, previous],
                )
                .map_err(e)?;
                tx.execute("DELETE FROM review_before WHERE review_id = ?1", [id])
                    .map_err(e)?;
                previous = Some(id);
            }
            if let Some(id) = last {
                write_state(&tx, card, &state, id).map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        report.cards = touched.len() as u64;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000_000;

    #[test]
    fn csv_lines_are_read_and_problems_located() {
        let text = format!("{CSV_HEADER}\n\"a,\"\"b\",{NOW},3,0,1200\nplain,{NOW},1,2,0\n");
        let rows = parse_reviews_csv(&text, "f.csv").unwrap();
        assert_eq!(rows[0].card_id, "a,\"b");
        assert_eq!((rows[1].rating, rows[1].state), (1, 2));
        let bad = format!("{CSV_HEADER}\nx,{NOW},5,0,0\n");
        let e = parse_reviews_csv(&bad, "f.csv").unwrap_err();
        assert_eq!((e.line, e.column), (2, 17), "{e}");
        assert!(
            e.to_string().starts_with("f.csv:2:17: review_rating"),
            "{e}"
        );
        let e = parse_reviews_csv("id,when\n", "f.csv").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse_reviews_csv(&format!("{CSV_HEADER}\n\"open,1,1,1,1\n"), "f").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
    }

    #[test]
    fn import_round_trips_export_and_skips_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Store::open_path(&dir.path().join("a.sqlite3")).unwrap();
        for (i, r) in [Rating::Good, Rating::Again, Rating::Good, Rating::Easy]
            .into_iter()
            .enumerate()
        {
            a.record_mock("card-x", r, 1000, NOW + i as i64 * 86_400_000)
                .unwrap();
            a.record_mock("card-y", r, 500, NOW + i as i64 * 3_600_000)
                .unwrap();
        }
        let mut csv = Vec::new();
        a.export_reviews_csv(&mut csv).unwrap();
        let rows = parse_reviews_csv(std::str::from_utf8(&csv).unwrap(), "a.csv").unwrap();
        let mut b = Store::open_path(&dir.path().join("b.sqlite3")).unwrap();
        // b already has the latest answer to card-y: the imported ones come before it in time
        // though after it in the log.
        b.record_mock("card-y", Rating::Easy, 500, NOW + 3 * 3_600_000)
            .unwrap();
        let report = b.import_reviews(&rows).unwrap();
        assert_eq!(
            report,
            ImportReport {
                read: 8,
                imported: 7,
                duplicates: 1,
                cards: 2
            }
        );
        assert_eq!(
            b.card_state("card-x").unwrap(),
            a.card_state("card-x").unwrap()
        );
        assert_eq!(
            b.card_state("card-y").unwrap(),
            a.card_state("card-y").unwrap()
        );
        // Importing again changes nothing; a rebuild agrees with the derived states.
        let again = b.import_reviews(&rows).unwrap();
        assert_eq!((again.imported, again.duplicates), (0, 8));
        let mut round = Vec::new();
        b.export_reviews_csv(&mut round).unwrap();
        assert_eq!(round.len(), csv.len());
        let rebuilt = b.rebuild().unwrap();
        assert_eq!(rebuilt.corrected, 0);
    }
}
