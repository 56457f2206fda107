//! Migration 3: the review log of schema 2 (card ids and JSON states in every row) moves into
//! `review_log` (typed columns, interned card ids). Every answer keeps its id, time, rating,
//! duration, mode, phases and both states exactly: the state before an answer becomes a
//! reference to the answer it came from when it is that answer's state after (nearly always),
//! and is kept in `review_before` otherwise.

use rusqlite::Transaction;

use super::review::{insert_review_v3, write_before_state};
use crate::srs::fxhash::FxHashMap;
use crate::srs::scheduler::CardState;

fn parse_state(id: i64, column: usize, json: &str) -> rusqlite::Result<CardState> {
    serde_json::from_str(json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("review log entry {id}: the card state is not valid: {e}").into(),
        )
    })
}

fn mode_number(mode: &str) -> u8 {
    match mode {
        "cram" => 1,
        "mock" => 2,
        _ => 0,
    }
}

/// Copies every row of the schema 2 `reviews` table into `review_log`, then replaces the table
/// with the compatibility view.
pub(crate) fn convert_v2_log(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "INSERT INTO card_ids (id) SELECT DISTINCT card_id FROM reviews ORDER BY card_id;",
    )?;
    let numbers: FxHashMap<String, i64> = {
        let mut stmt = tx.prepare("SELECT id, n FROM card_ids")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // The latest answer seen for each card (by id) and the state after it.
    let mut previous: FxHashMap<i64, (i64, CardState)> = FxHashMap::default();
    let mut stmt = tx.prepare(
        "SELECT id, card_id, reviewed_at, rating, duration_ms, mode, rescheduled, phase_before,
                state_before, state_after
         FROM reviews ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let card_id: String = r.get(1)?;
        let card = numbers[&card_id];
        let before = parse_state(id, 8, r.get_ref(8)?.as_str()?)?;
        let after = parse_state(id, 9, r.get_ref(9)?.as_str()?)?;
        let mode: String = r.get(5)?;
        let before_id = match previous.get(&card) {
            Some(&(prev, st)) if st == before => Some(prev),
            _ => None,
        };
        insert_review_v3(
            tx,
            &super::review::NewReview {
                id: Some(id),
                card,
                reviewed_at: r.get(2)?,
                rating: r.get(3)?,
                duration_ms: r.get(4)?,
                mode: mode_number(&mode),
                rescheduled: r.get(6)?,
                phase_before: r.get(7)?,
                before_id,
                after: &after,
            },
        )?;
        if before_id.is_none() && before != CardState::default() {
            write_before_state(tx, id, &before)?;
        }
        previous.insert(card, (id, after));
    }
    drop(rows);
    drop(stmt);
    tx.execute_batch("DROP TABLE reviews;")?;
    tx.execute_batch(super::schema::REVIEWS_VIEW)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, params};

    use crate::srs::clock::{DAY_MS, DayClock};
    use crate::srs::scheduler::{CardState, Rating, Scheduler, SchedulerConfig};
    use crate::store::Store;
    use crate::store::schema::{APPLICATION_ID, MIGRATIONS, Migration};

    const NOW: i64 = 1_780_000_000_000;

    /// A schema 2 log row.
    struct V2Row {
        card: &'static str,
        at: i64,
        rating: Rating,
        mode: &'static str,
        rescheduled: bool,
        before: CardState,
        after: CardState,
    }

    /// Answers to `card` at these times, each building on the one before (as the store wrote
    /// them), starting from `st`.
    fn chain(
        card: &'static str,
        st: &mut CardState,
        times: &[(i64, Rating)],
        mode: &'static str,
        rescheduled: bool,
    ) -> Vec<V2Row> {
        let sched = Scheduler::new(SchedulerConfig::default()).unwrap();
        let clock = DayClock::default();
        times
            .iter()
            .map(|&(at, rating)| {
                let before = *st;
                let after = if rescheduled {
                    sched.next(&before, rating, at, &clock)
                } else {
                    before
                };
                *st = after;
                V2Row {
                    card,
                    at,
                    rating,
                    mode,
                    rescheduled,
                    before,
                    after,
                }
            })
            .collect()
    }

    /// A schema 2 database holding every kind of row older versions wrote: plain answers, cram
    /// answers that did not reschedule, mock answers, forgotten cards (answers marked as not
    /// rescheduling), an import whose answers are older than their ids, an edited state, and a
    /// card id that needs quoting in CSV.
    fn v2_database(path: &std::path::Path) -> Vec<V2Row> {
        let conn = Connection::open(path).unwrap();
        for m in &MIGRATIONS[..2] {
            let Migration::Sql(sql) = m else {
                unreachable!("schema 1 and 2 are plain SQL")
            };
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        let g = Rating::Good;
        let mut rows = Vec::new();
        let mut a = CardState::default();
        rows.extend(chain(
            "a",
            &mut a,
            &[(NOW, g), (NOW + 600_000, g)],
            "review",
            true,
        ));
        rows.extend(chain(
            "a",
            &mut a,
            &[(NOW + 700_000, Rating::Hard)],
            "cram",
            false,
        ));
        rows.extend(chain(
            "a",
            &mut a,
            &[(NOW + 3 * DAY_MS, Rating::Again)],
            "mock",
            true,
        ));
        let mut b = CardState::default();
        rows.extend(chain(
            "b",
            &mut b,
            &[(NOW, Rating::Easy), (NOW + 9 * DAY_MS, g)],
            "review",
            true,
        ));
        for r in rows.iter_mut().filter(|r| r.card == "b") {
            r.rescheduled = false; // forgotten
        }
        let mut b = CardState::default();
        rows.extend(chain(
            "b",
            &mut b,
            &[(NOW + 10 * DAY_MS, g)],
            "review",
            true,
        ));
        // Imported: the later ids hold the earlier answers.
        let mut c = CardState::default();
        let mut imported = chain(
            "c,\"x\"",
            &mut c,
            &[(NOW - 5 * DAY_MS, g), (NOW - 2 * DAY_MS, g), (NOW, g)],
            "review",
            true,
        );
        imported.rotate_left(1);
        rows.extend(imported);
        let mut d = CardState::default();
        rows.extend(chain(
            "d",
            &mut d,
            &[(NOW, g), (NOW + DAY_MS, g)],
            "review",
            true,
        ));
        let last = rows.len() - 1;
        rows[last].before.stability += 0.5; // edited
        let mut insert = conn
            .prepare(
                "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, mode, rescheduled,
                                      phase_before, state_before, state_after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        for (i, r) in rows.iter().enumerate() {
            insert
                .execute(params![
                    r.card,
                    r.at,
                    r.rating.number(),
                    1000 + i as i64,
                    r.mode,
                    r.rescheduled,
                    r.before.phase.number(),
                    serde_json::to_string(&r.before).unwrap(),
                    serde_json::to_string(&r.after).unwrap(),
                ])
                .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO cards VALUES ('a', 3, 2.5, 6.1, 1780259200000, 1780259200000, 0, 0, 3, 1, 4);
             INSERT INTO card_flags VALUES ('d', 1, NULL);",
        )
        .unwrap();
        rows
    }

    fn dump(conn: &Connection, sql: &str) -> Vec<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| {
                let n = r.as_ref().column_count();
                (0..n)
                    .map(|i| Ok(format!("{:?}", r.get_ref(i)?)))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|v| v.join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn v2_export(conn: &Connection) -> Vec<u8> {
        let mut out = Vec::new();
        let mut stmt = conn
            .prepare("SELECT card_id, reviewed_at, rating, phase_before, duration_ms FROM reviews ORDER BY id")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            crate::store::export::write_row(&mut out, r)
                .unwrap()
                .unwrap();
        }
        out
    }

    #[test]
    fn a_schema_2_log_migrates_with_every_answer_and_state_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        let rows = v2_database(&path);
        let (log_before, cards_before, flags_before, csv_before) = {
            let conn = Connection::open(&path).unwrap();
            (
                dump(
                    &conn,
                    "SELECT id, card_id, reviewed_at, rating, duration_ms, mode, rescheduled, phase_before FROM reviews ORDER BY id",
                ),
                dump(&conn, "SELECT * FROM cards ORDER BY card_id"),
                dump(&conn, "SELECT * FROM card_flags ORDER BY card_id"),
                v2_export(&conn),
            )
        };
        let store = Store::open_path(&path).unwrap();
        assert_eq!(store.review_count().unwrap(), rows.len() as u64);
        let log_after = dump(
            &store.conn,
            "SELECT id, card_id, reviewed_at, rating, duration_ms, mode, rescheduled, phase_before FROM reviews ORDER BY id",
        );
        assert_eq!(log_after, log_before);
        assert_eq!(
            dump(&store.conn, "SELECT * FROM cards ORDER BY card_id"),
            cards_before
        );
        assert_eq!(
            dump(&store.conn, "SELECT * FROM card_flags ORDER BY card_id"),
            flags_before
        );
        for (i, r) in rows.iter().enumerate() {
            let id = i as i64 + 1;
            assert_eq!(
                super::super::review::state_before(&store.conn, id).unwrap(),
                Some(r.before),
                "state before answer {id}"
            );
            assert_eq!(
                super::super::review::state_after(&store.conn, id).unwrap(),
                Some(r.after),
                "state after answer {id}"
            );
        }
        // Only the imported and the edited answers needed their state before kept apart.
        let kept: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM review_before", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 2);
        let mut csv = Vec::new();
        store.export_reviews_csv(&mut csv).unwrap();
        let header = format!("{}\n", crate::store::import::CSV_HEADER);
        assert_eq!(csv, [header.as_bytes(), &csv_before].concat());
    }
}
