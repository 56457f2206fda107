//! Database schema and versioned migrations (tracked in `PRAGMA user_version`).

/// `PRAGMA application_id` of an iamdrill progress database ("IAMD").
pub const APPLICATION_ID: i64 = 0x4941_4D44;

/// One step of the schema: SQL, or SQL followed by a data conversion written in Rust.
pub enum Migration {
    Sql(&'static str),
    WithData(
        &'static str,
        fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ),
}

/// Migrations in order; migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    // 1: review log, derived card state, flags, settings, mock interview sessions.
    Migration::Sql(
        r#"
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    card_id       TEXT    NOT NULL,
    reviewed_at   INTEGER NOT NULL,              -- unix milliseconds
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),
    mode          TEXT    NOT NULL CHECK (mode IN ('review', 'cram', 'mock')),
    rescheduled   INTEGER NOT NULL CHECK (rescheduled IN (0, 1)),
    phase_before  INTEGER NOT NULL CHECK (phase_before BETWEEN 0 AND 3),
    state_before  TEXT    NOT NULL,              -- JSON of the card state
    state_after   TEXT    NOT NULL
);
CREATE INDEX reviews_by_card ON reviews (card_id, id);
CREATE INDEX reviews_by_time ON reviews (reviewed_at);

CREATE TABLE cards (
    card_id        TEXT PRIMARY KEY,
    phase          INTEGER NOT NULL,
    stability      REAL    NOT NULL,
    difficulty     REAL    NOT NULL,
    due            INTEGER NOT NULL,
    last_review    INTEGER,
    step           INTEGER NOT NULL,
    interval_days  INTEGER NOT NULL,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    review_id      INTEGER NOT NULL               -- the log entry this state comes from
) WITHOUT ROWID;

CREATE TABLE card_flags (
    card_id           TEXT PRIMARY KEY,
    suspended         INTEGER NOT NULL DEFAULT 0,
    buried_until_day  INTEGER
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE mock_sessions (
    id           INTEGER PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    report_json  TEXT    NOT NULL
);
"#,
    ),
    // 2: covering indexes for today's counts (time, mode, phase) and for the cards due by a date.
    Migration::Sql(
        r#"
DROP INDEX reviews_by_time;
CREATE INDEX reviews_by_time ON reviews (reviewed_at, mode, phase_before, rating);
CREATE INDEX cards_by_due ON cards (due, phase, stability, difficulty, last_review, step, interval_days, reps, lapses);
"#,
    ),
    // 3: the review log in typed columns: card ids interned in `card_ids`, the state after each
    // answer as columns, the state before it as a reference to the answer it came from.
    Migration::WithData(REVIEW_LOG_V3, super::migrate3::convert_v2_log),
    // 4: counts kept with the log (by triggers, in the transaction that writes the log), so
    // statistics do not read the whole log; they replace the index by time.
    Migration::WithData(COUNTS_V4, recount),
    // 5: sync through a shared folder: this database's device id, event ids on the log and
    // the mock interviews (the history so far becomes this device's events), the other
    // events (suspend, bury, forget, ...), and how far each file of the folder was read.
    Migration::WithData(super::sync::SYNC_V5, super::sync::assign_local_events),
    // 6: a sync replays a card from all its answers, read by the index on the card: the
    // index by card and order time is not needed (about 22 bytes per answer).
    Migration::Sql("DROP INDEX review_log_by_order;"),
    // 7: no query reads the card states by due date (the queue and the statistics read every
    // card's state, the rest reads one card by its id), and an index entry ends with the row id
    // anyway, so the index on (card, id) held the answer's id twice (about 6 + 4 bytes per
    // answer at 100,000 cards and 1,000,000 answers).
    Migration::Sql(
        r#"
DROP INDEX cards_by_due;
DROP INDEX review_log_by_card;
CREATE INDEX review_log_by_card ON review_log (card);
"#,
    ),
    // 8: the state after an answer keeps its due time and its last review relative to the
    // answer's time (a review's last review is the answer itself: 0, stored in no bytes; a due
    // time weeks away fits 4 bytes instead of 6). `due` and `last_review` stay readable as
    // before, as virtual columns computed from them.
    Migration::Sql(LOG_TIMES_V8),
];

/// An upgrade from an earlier version than this one shrinks every answer in place, which
/// leaves free space inside the pages rather than free pages: the file is rewritten after it.
pub const REWRITTEN_AT: i64 = 8;

/// Schema 8: `due_in` (due − reviewed_at) and `last_review_ago` (reviewed_at − last_review)
/// hold the state's times; writers set these two, readers read `due` and `last_review`.
const LOG_TIMES_V8: &str = r#"
ALTER TABLE review_log RENAME COLUMN due TO due_in;
ALTER TABLE review_log RENAME COLUMN last_review TO last_review_ago;
UPDATE review_log SET due_in = due_in - reviewed_at, last_review_ago = reviewed_at - last_review_ago;
ALTER TABLE review_log ADD COLUMN due INTEGER GENERATED ALWAYS AS (reviewed_at + due_in) VIRTUAL;
ALTER TABLE review_log ADD COLUMN last_review INTEGER
    GENERATED ALWAYS AS (reviewed_at - last_review_ago) VIRTUAL;
"#;

/// The state columns of `review_log` as they are written (schema 8), in the order of
/// `review::STATE_COLUMNS`; the values of `due_in` and `last_review_ago` are computed from the
/// answer's time (see [`log_state_values`]).
pub const LOG_STATE_COLUMNS: &str =
    "phase, stability, difficulty, due_in, last_review_ago, step, interval_days, reps, lapses";

/// The SQL values for [`LOG_STATE_COLUMNS`] when the state's columns are parameters `first`
/// to `first + 8` in `STATE_COLUMNS` order and the answer's time is `at` (a parameter such as
/// `?3`, or `reviewed_at` in an UPDATE).
pub fn log_state_values(first: usize, at: &str) -> String {
    let p = |i: usize| format!("?{}", first + i);
    format!(
        "{}, {}, {}, {} - {at}, {at} - {}, {}, {}, {}, {}",
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8)
    )
}

/// Answers per quarter hour: every time zone's day starts on a quarter hour, so any learner's
/// day is a whole number of slots.
pub const SLOT_MS: i64 = 900_000;

/// Schema 4: `review_counts` (answers and passed answers per quarter hour, mode and phase) and
/// `card_counts` (per card: answers, answers in review and passed ones, the latest answer and
/// its rating), kept by triggers on `review_log`, whose answers are fixed once written (only
/// their states and `rescheduled` change).
const COUNTS_V4: &str = r#"
DROP INDEX review_log_by_time;

CREATE TABLE review_counts (
    slot          INTEGER NOT NULL,              -- floor(reviewed_at / 900000): UTC quarter hours
    mode          INTEGER NOT NULL,
    phase_before  INTEGER NOT NULL,
    answers       INTEGER NOT NULL,
    passed        INTEGER NOT NULL,              -- rating > 1
    PRIMARY KEY (slot, mode, phase_before)
) WITHOUT ROWID;

CREATE TABLE card_counts (
    card          INTEGER PRIMARY KEY,           -- card_ids.n
    answers       INTEGER NOT NULL,
    mature        INTEGER NOT NULL,              -- answers with phase_before = 2 (review)
    mature_passed INTEGER NOT NULL,
    last_id       INTEGER NOT NULL,              -- the latest answer
    last_rating   INTEGER NOT NULL
);

CREATE TRIGGER review_log_fixed BEFORE UPDATE OF card, reviewed_at, rating, mode, phase_before
ON review_log BEGIN
    SELECT RAISE(ABORT, 'a logged answer cannot be changed, only its states');
END;

CREATE TRIGGER review_log_counted AFTER INSERT ON review_log BEGIN
    INSERT INTO review_counts (slot, mode, phase_before, answers, passed)
    VALUES (NEW.reviewed_at / 900000 - (NEW.reviewed_at % 900000 < 0), NEW.mode,
            NEW.phase_before, 1, NEW.rating > 1)
    ON CONFLICT DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed;
    INSERT INTO card_counts (card, answers, mature, mature_passed, last_id, last_rating)
    VALUES (NEW.card, 1, NEW.phase_before = 2, NEW.phase_before = 2 AND NEW.rating > 1,
            NEW.id, NEW.rating)
    ON CONFLICT DO UPDATE SET
        answers = answers + 1,
        mature = mature + excluded.mature,
        mature_passed = mature_passed + excluded.mature_passed,
        last_rating = CASE WHEN excluded.last_id > last_id THEN excluded.last_rating ELSE last_rating END,
        last_id = max(last_id, excluded.last_id);
END;

CREATE TRIGGER review_log_uncounted AFTER DELETE ON review_log BEGIN
    UPDATE review_counts SET answers = answers - 1, passed = passed - (OLD.rating > 1)
    WHERE slot = OLD.reviewed_at / 900000 - (OLD.reviewed_at % 900000 < 0)
      AND mode = OLD.mode AND phase_before = OLD.phase_before;
    DELETE FROM review_counts
    WHERE slot = OLD.reviewed_at / 900000 - (OLD.reviewed_at % 900000 < 0)
      AND mode = OLD.mode AND phase_before = OLD.phase_before AND answers <= 0;
    UPDATE card_counts SET
        answers = answers - 1,
        mature = mature - (OLD.phase_before = 2),
        mature_passed = mature_passed - (OLD.phase_before = 2 AND OLD.rating > 1)
    WHERE card = OLD.card;
    UPDATE card_counts SET
        last_id = COALESCE((SELECT max(id) FROM review_log WHERE card = OLD.card), 0),
        last_rating = COALESCE((SELECT rating FROM review_log WHERE card = OLD.card
                                ORDER BY id DESC LIMIT 1), 0)
    WHERE card = OLD.card AND last_id = OLD.id;
    DELETE FROM card_counts WHERE card = OLD.card AND answers <= 0;
END;
"#;

/// Derives the counts of schema 4 from the log (the migration, and `progress rebuild`).
pub const RECOUNT: &str = r#"
DELETE FROM review_counts;
DELETE FROM card_counts;
INSERT INTO review_counts (slot, mode, phase_before, answers, passed)
SELECT reviewed_at / 900000 - (reviewed_at % 900000 < 0) AS slot, mode, phase_before,
       count(*), sum(rating > 1)
FROM review_log GROUP BY slot, mode, phase_before;
INSERT INTO card_counts (card, answers, mature, mature_passed, last_id, last_rating)
SELECT card, count(*), sum(phase_before = 2), sum(phase_before = 2 AND rating > 1), max(id), 0
FROM review_log GROUP BY card;
UPDATE card_counts SET last_rating = (SELECT rating FROM review_log WHERE id = last_id);
"#;

fn recount(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(RECOUNT)
}

/// Schema 3 of the review log. `reviews` stays readable as a view with the columns of schema 2
/// less the JSON states.
const REVIEW_LOG_V3: &str = r#"
CREATE TABLE card_ids (
    n   INTEGER PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE
);

CREATE TABLE review_log (
    id            INTEGER PRIMARY KEY,
    card          INTEGER NOT NULL REFERENCES card_ids (n),
    reviewed_at   INTEGER NOT NULL,              -- unix milliseconds
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),
    mode          INTEGER NOT NULL CHECK (mode BETWEEN 0 AND 2),   -- 0 review, 1 cram, 2 mock
    rescheduled   INTEGER NOT NULL CHECK (rescheduled IN (0, 1)),
    phase_before  INTEGER NOT NULL CHECK (phase_before BETWEEN 0 AND 3),
    -- The state before the answer: the state after answer `before_id` (NULL: a new card's
    -- default state), unless `review_before` holds it.
    before_id     INTEGER,
    -- The state after the answer (the same as before when it did not reschedule).
    phase         INTEGER NOT NULL CHECK (phase BETWEEN 0 AND 3),
    stability     REAL    NOT NULL,
    difficulty    REAL    NOT NULL,
    due           INTEGER NOT NULL,
    last_review   INTEGER,
    step          INTEGER NOT NULL,
    interval_days INTEGER NOT NULL,
    reps          INTEGER NOT NULL,
    lapses        INTEGER NOT NULL
);
CREATE INDEX review_log_by_card ON review_log (card, id);
CREATE INDEX review_log_by_time ON review_log (reviewed_at, mode, phase_before, rating);

-- The state before an answer when it is not the state after another answer (rare: logs
-- imported out of order, states edited by older versions).
CREATE TABLE review_before (
    review_id     INTEGER PRIMARY KEY REFERENCES review_log (id) ON DELETE CASCADE,
    phase         INTEGER NOT NULL,
    stability     REAL    NOT NULL,
    difficulty    REAL    NOT NULL,
    due           INTEGER NOT NULL,
    last_review   INTEGER,
    step          INTEGER NOT NULL,
    interval_days INTEGER NOT NULL,
    reps          INTEGER NOT NULL,
    lapses        INTEGER NOT NULL
);
"#;

/// The view that keeps schema 2's `reviews` readable (created after the data moved).
pub(crate) const REVIEWS_VIEW: &str = r#"
CREATE VIEW reviews AS
SELECT l.id, c.id AS card_id, l.reviewed_at, l.rating, l.duration_ms,
       CASE l.mode WHEN 0 THEN 'review' WHEN 1 THEN 'cram' ELSE 'mock' END AS mode,
       l.rescheduled, l.phase_before
FROM review_log AS l LEFT JOIN card_ids AS c ON c.n = l.card;
"#;

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Takes a database of this version back to schema 7's `review_log` (for upgrade tests).
#[cfg(test)]
pub(crate) const BACK_TO_V7: &str = r#"
ALTER TABLE review_log DROP COLUMN due;
ALTER TABLE review_log DROP COLUMN last_review;
UPDATE review_log SET due_in = due_in + reviewed_at, last_review_ago = reviewed_at - last_review_ago;
ALTER TABLE review_log RENAME COLUMN due_in TO due;
ALTER TABLE review_log RENAME COLUMN last_review_ago TO last_review;
PRAGMA user_version = 7;
"#;

#[cfg(test)]
mod tests {
    use super::latest_version;
    use crate::srs::scheduler::Rating;
    use crate::store::Store;

    const T: i64 = 1_780_000_000_000;
    const DAY: i64 = 86_400_000;

    fn one(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Every answer with its state after, as text, in id order (the reals exactly).
    fn log(store: &Store) -> Vec<String> {
        let mut s = store
            .conn
            .prepare(
                "SELECT l.id, c.id, l.reviewed_at, l.rating, l.duration_ms, l.mode, l.rescheduled,
                        l.before_id, l.phase, l.stability, l.difficulty, l.due, l.last_review,
                        l.step, l.interval_days, l.reps, l.lapses, l.device, l.seq, l.order_at
                 FROM review_log AS l JOIN card_ids AS c ON c.n = l.card ORDER BY l.id",
            )
            .unwrap();
        s.query_map([], |r| {
            let v: Vec<rusqlite::types::Value> =
                (0..20).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            Ok(format!("{v:?}"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    #[test]
    fn schemas_7_and_8_keep_every_answer_and_give_the_free_space_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        let before = {
            let mut store = Store::open_path(&path).unwrap();
            for i in 0..300 {
                let card = format!("card-{}", i % 40);
                let rating = [Rating::Good, Rating::Again, Rating::Hard, Rating::Easy][i % 4];
                store
                    .record_mock(&card, rating, 900, T + i as i64 * DAY / 7)
                    .unwrap();
            }
            // Back to schema 6, with as many free pages as the dropped index of schema 6 leaves.
            store.conn.execute_batch(super::BACK_TO_V7).unwrap();
            store
                .conn
                .execute_batch(
                    "DROP INDEX review_log_by_card;
                     CREATE INDEX review_log_by_card ON review_log (card, id);
                     CREATE INDEX cards_by_due ON cards (due, phase, stability, difficulty,
                         last_review, step, interval_days, reps, lapses);
                     CREATE TABLE dropped (x TEXT);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                     INSERT INTO dropped SELECT hex(randomblob(200)) FROM n;
                     DROP TABLE dropped;
                     PRAGMA user_version = 6;",
                )
                .unwrap();
            assert!(one(&store, "PRAGMA freelist_count") * 2 > one(&store, "PRAGMA page_count"));
            (log(&store), store.load_progress().unwrap())
        };
        let store = Store::open_path(&path).unwrap();
        assert_eq!(one(&store, "PRAGMA user_version"), latest_version());
        assert_eq!(log(&store), before.0);
        assert_eq!(store.load_progress().unwrap(), before.1);
        assert_eq!(one(&store, "PRAGMA freelist_count"), 0);
        // Every answer rescheduled: its last review is itself.
        assert_eq!(
            one(
                &store,
                "SELECT count(*) FROM review_log WHERE last_review_ago = 0"
            ),
            300
        );
        assert_eq!(
            one(
                &store,
                "SELECT count(*) FROM review_log WHERE reviewed_at + due_in = due"
            ),
            300
        );
        let index: String = store
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'review_log_by_card'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            index,
            "CREATE INDEX review_log_by_card ON review_log (card)"
        );
        assert_eq!(
            one(
                &store,
                "SELECT count(*) FROM sqlite_schema WHERE name = 'cards_by_due'"
            ),
            0
        );
        let check: String = store
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }

    /// The plan of every query that reads one card's answers or state: found through an index,
    /// never a scan of the log or of the card states.
    #[test]
    fn one_cards_answers_and_state_are_read_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let queries = [
            "SELECT 1 FROM review_log WHERE card = 1 AND reviewed_at = 2 AND rating = 3 LIMIT 1",
            "SELECT MAX(id) FROM review_log WHERE card = 1 AND rescheduled = 1 AND id < 9",
            "SELECT id FROM review_log WHERE card = (SELECT card FROM review_log WHERE id = 5) AND id > 5",
            "SELECT max(id) FROM review_log WHERE card = 1",
            "SELECT rating FROM review_log WHERE card = 1 ORDER BY id DESC LIMIT 1",
            "SELECT id, order_at, device, seq, reviewed_at FROM review_log WHERE card = 1",
            "SELECT seq FROM review_log WHERE device = 1 AND seq BETWEEN 2 AND 3",
            "SELECT l.seq FROM review_log AS l WHERE l.device = 1 AND l.seq > 2 ORDER BY l.seq",
            "SELECT phase, due, review_id FROM cards WHERE card_id = 'a'",
        ];
        for sql in queries {
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = stmt
                .query_map([], |r| r.get(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(
                plan.iter().all(|step| !step.starts_with("SCAN")),
                "{sql}: {plan:?}"
            );
        }
    }
}
