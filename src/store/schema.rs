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
];

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
