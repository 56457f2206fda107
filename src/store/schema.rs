//! Database schema and versioned migrations (tracked in `PRAGMA user_version`).

/// `PRAGMA application_id` of an iamdrill progress database ("IAMD").
pub const APPLICATION_ID: i64 = 0x4941_4D44;

/// Migrations in order; migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: review log, derived card state, flags, settings, mock interview sessions.
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
    // 2: covering indexes for today's counts (time, mode, phase) and for the cards due by a date.
    r#"
DROP INDEX reviews_by_time;
CREATE INDEX reviews_by_time ON reviews (reviewed_at, mode, phase_before, rating);
CREATE INDEX cards_by_due ON cards (due, phase, stability, difficulty, last_review, step, interval_days, reps, lapses);
"#,
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}
