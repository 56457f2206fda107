//! Answers, undo, suspend and bury: each one durable transaction.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::schema::{LOG_STATE_COLUMNS, log_state_values};
use super::{Result, Store, StoreError, state_from_row};
use crate::srs::queue::{
    AlignedProgress, CardRef, DoneToday, ProgressLookup, Queue, QueueOptions, build_cram_queue,
    build_review_queue, standing, topic_selected,
};
use crate::srs::scheduler::{CardState, LEECH_LAPSES, Phase, Rating};
use crate::srs::session::{Session, SessionKind, UndoAction};
use crate::srs::stats::{TopicCounts, topic_counts};

/// Where an answer was given; logged with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewMode {
    Review,
    Cram,
    Mock,
}

impl ReviewMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewMode::Review => "review",
            ReviewMode::Cram => "cram",
            ReviewMode::Mock => "mock",
        }
    }

    /// The number stored in `review_log.mode`.
    pub(crate) fn number(self) -> u8 {
        match self {
            ReviewMode::Review => 0,
            ReviewMode::Cram => 1,
            ReviewMode::Mock => 2,
        }
    }
}

/// A committed answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answered {
    /// Id of the review log entry.
    pub review_id: i64,
    pub card_id: String,
    pub rating: Rating,
    pub before: CardState,
    pub after: CardState,
    /// This answer made the card a leech (its 8th lapse).
    pub became_leech: bool,
}

pub(crate) const STATE_COLUMNS: &str =
    "phase, stability, difficulty, due, last_review, step, interval_days, reps, lapses";

impl Store {
    /// Starts a session over the given cards (normally every card of the loaded decks).
    pub fn start_session<'a, I>(&self, cards: I, kind: SessionKind, now: i64) -> Result<Session>
    where
        I: IntoIterator,
        I::Item: Into<CardRef<'a>>,
    {
        let queue = match &kind {
            SessionKind::Review { topics } => {
                let cards: Vec<CardRef<'a>> = cards
                    .into_iter()
                    .map(Into::into)
                    .filter(|c| topic_selected(topics, c.topic))
                    .collect();
                let progress = self.progress_of(&cards)?;
                self.review_queue(&cards, &progress, topics, now)?
            }
            SessionKind::Cram { topics, .. } => {
                let progress = self.load_progress()?;
                let cards = cards.into_iter().map(Into::into);
                build_cram_queue(cards, &progress, topics, &self.scheduler, now)
            }
        };
        Ok(Session::new(kind, queue, now))
    }

    /// Today's review session over `cards` and their counts per topic, from one read of the
    /// cards' progress (what `iamdrill due` shows).
    pub fn due_today<'a, I>(&self, cards: I, now: i64) -> Result<(Session, Vec<TopicCounts>)>
    where
        I: IntoIterator,
        I::Item: Into<CardRef<'a>>,
    {
        let cards: Vec<CardRef<'a>> = cards.into_iter().map(Into::into).collect();
        let progress = self.progress_list(&cards)?;
        let progress = AlignedProgress::new(&cards, &progress);
        let queue = self.review_queue(&cards, &progress, &[], now)?;
        let topics = topic_counts(cards.iter().copied(), &progress, &self.clock, now);
        let kind = SessionKind::Review { topics: vec![] };
        Ok((Session::new(kind, queue, now), topics))
    }

    /// Today's review queue over `cards` (already filtered by topic) with their progress.
    fn review_queue<'a>(
        &self,
        cards: &[CardRef<'a>],
        progress: &impl ProgressLookup,
        topics: &[String],
        now: i64,
    ) -> Result<Queue> {
        let options = QueueOptions {
            new_limit: self.new_limit_today(now)?,
            review_limit: self.review_limit()?,
            topics: topics.to_vec(),
        };
        let done = self.done_today(now)?;
        let today = self.clock.day(now);
        Ok(build_review_queue(
            cards.iter().copied(),
            |id| standing(progress.progress(id), &self.clock, today),
            &options,
            done,
            &self.scheduler,
            now,
        ))
    }

    /// New cards started and review cards answered today (in review mode).
    pub fn done_today(&self, now: i64) -> Result<DoneToday> {
        let start = self.clock.day_start(self.clock.day(now));
        self.conn
            .prepare_cached(
                "SELECT COALESCE(SUM(answers * (phase_before = 0)), 0),
                        COALESCE(SUM(answers * (phase_before = 2)), 0)
                 FROM review_counts WHERE slot >= ?1 AND mode = 0",
            )
            .and_then(|mut s| {
                s.query_row([start.div_euclid(super::schema::SLOT_MS)], |r| {
                    Ok(DoneToday {
                        new: r.get(0)?,
                        reviews: r.get(1)?,
                    })
                })
            })
            .map_err(|e| self.err(e))
    }

    /// The stored state of a card (`None`: never answered).
    pub fn card_state(&self, card_id: &str) -> Result<Option<CardState>> {
        read_state(&self.conn, card_id).map_err(|e| self.err(e))
    }

    /// Answers the session's current card and commits the answer durably; only then does the
    /// session move to its next card. `None` when the session has no current card.
    pub fn answer(
        &mut self,
        session: &mut Session,
        rating: Rating,
        duration_ms: u32,
        now: i64,
    ) -> Result<Option<Answered>> {
        let Some(card) = session.current().map(str::to_string) else {
            return Ok(None);
        };
        let mode = if session.kind().is_cram() {
            ReviewMode::Cram
        } else {
            ReviewMode::Review
        };
        let answered = self.log_answer(
            &card,
            rating,
            duration_ms,
            now,
            mode,
            session.kind().reschedules(),
        )?;
        session.answered(answered.review_id, rating, answered.after, now);
        Ok(Some(answered))
    }

    /// Records a rating given in a mock interview (mode `mock`); it updates the card's schedule
    /// like a review.
    pub fn record_mock(
        &mut self,
        card_id: &str,
        rating: Rating,
        duration_ms: u32,
        now: i64,
    ) -> Result<Answered> {
        self.log_answer(card_id, rating, duration_ms, now, ReviewMode::Mock, true)
    }

    fn log_answer(
        &mut self,
        card_id: &str,
        rating: Rating,
        duration_ms: u32,
        now: i64,
        mode: ReviewMode,
        reschedule: bool,
    ) -> Result<Answered> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let card = intern_card(&tx, card_id).map_err(e)?;
        let stored = read_state_and_source(&tx, card_id).map_err(e)?;
        let before = stored.map(|(st, _)| st).unwrap_or_default();
        let after = if reschedule {
            self.scheduler.next(&before, rating, now, &self.clock)
        } else {
            before
        };
        // The state before is the state after the answer it came from, when the two agree.
        let before_id = match stored {
            Some((st, source)) if state_after(&tx, source).map_err(e)? == Some(st) => Some(source),
            _ => None,
        };
        let review_id = insert_review(
            &tx,
            &NewReview {
                id: None,
                card,
                reviewed_at: now,
                rating: rating.number(),
                duration_ms: i64::from(duration_ms),
                mode: mode.number(),
                rescheduled: reschedule,
                phase_before: before.phase.number(),
                before_id,
                after: &after,
            },
        )
        .map_err(e)?;
        if before_id.is_none() && before != CardState::default() {
            write_before_state(&tx, review_id, &before).map_err(e)?;
        }
        if reschedule {
            write_state(&tx, card_id, &after, review_id).map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(Answered {
            review_id,
            card_id: card_id.to_string(),
            rating,
            before,
            after,
            became_leech: before.lapses < LEECH_LAPSES && after.lapses >= LEECH_LAPSES,
        })
    }

    /// Undoes the session's last step (answer, suspend or bury): the log entry is deleted and
    /// the card's state restored exactly, and the session shows that card again. Returns the
    /// card id, or `None` when there is nothing to undo.
    /// `now` is the time of the undo (the event other devices drop the answer by).
    pub fn undo(&mut self, session: &mut Session, now: i64) -> Result<Option<String>> {
        let Some(entry) = session.last_undo().cloned() else {
            return Ok(None);
        };
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let card = entry.card.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        match entry.action {
            UndoAction::Answer { review_id } => {
                let row: Option<(String, bool, Option<i64>)> = tx
                    .query_row(
                        "SELECT c.id, l.rescheduled, l.before_id
                         FROM review_log AS l JOIN card_ids AS c ON c.n = l.card WHERE l.id = ?1",
                        [review_id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()
                    .map_err(e)?;
                let Some((logged_card, rescheduled, before_id)) = row else {
                    return Err(StoreError::UndoConflict {
                        path,
                        card,
                        reason: "its log entry is gone (pruned or undone elsewhere)".into(),
                    });
                };
                if logged_card != card {
                    return Err(StoreError::UndoConflict {
                        path,
                        card,
                        reason: format!("log entry {review_id} belongs to `{logged_card}`"),
                    });
                }
                if rescheduled {
                    let current: Option<i64> = tx
                        .query_row(
                            "SELECT review_id FROM cards WHERE card_id = ?1",
                            [&card],
                            |r| r.get(0),
                        )
                        .optional()
                        .map_err(e)?;
                    if current != Some(review_id) {
                        return Err(StoreError::UndoConflict {
                            path,
                            card,
                            reason: "it was answered again since (in another window?)".into(),
                        });
                    }
                    let before = state_before(&tx, review_id).map_err(e)?.ok_or_else(|| {
                        StoreError::BadRow {
                            path: path.clone(),
                            id: review_id,
                            reason: "the answer its state before comes from is missing".into(),
                        }
                    })?;
                    let previous_id: Option<i64> = match before_id {
                        Some(id) => Some(id),
                        None => tx
                            .query_row(
                                "SELECT MAX(id) FROM review_log WHERE card = ?1 AND rescheduled = 1 AND id < ?2",
                                params![card_number(&tx, &card).map_err(e)?, review_id],
                                |r| r.get(0),
                            )
                            .map_err(e)?,
                    };
                    if before.phase == Phase::New && before.reps == 0 {
                        tx.execute("DELETE FROM cards WHERE card_id = ?1", [&card])
                            .map_err(e)?;
                    } else {
                        write_state(&tx, &card, &before, previous_id.unwrap_or(0)).map_err(e)?;
                    }
                }
                super::sync::record_retract(&tx, review_id, now).map_err(e)?;
                delete_review(&tx, review_id).map_err(e)?;
            }
            UndoAction::Flags {
                suspended,
                buried_until,
            } => {
                let before = read_flags(&tx, &card).map_err(e)?;
                write_flags(&tx, &card, suspended, buried_until).map_err(e)?;
                super::sync::record_flag_changes(
                    &tx,
                    &card,
                    before,
                    (suspended, buried_until),
                    now,
                )
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(session.undone().map(|c| c.to_string()))
    }

    /// Suspends the current card (never shown until unsuspended) and moves on.
    pub fn suspend(&mut self, session: &mut Session, now: i64) -> Result<Option<String>> {
        self.flag_current(session, now, true)
    }

    /// Buries the current card until tomorrow and moves on.
    pub fn bury(&mut self, session: &mut Session, now: i64) -> Result<Option<String>> {
        self.flag_current(session, now, false)
    }

    fn flag_current(
        &mut self,
        session: &mut Session,
        now: i64,
        suspend: bool,
    ) -> Result<Option<String>> {
        let Some(card) = session.current().map(str::to_string) else {
            return Ok(None);
        };
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tomorrow = self.clock.day(now) + 1;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let (suspended, buried) = read_flags(&tx, &card).map_err(e)?;
        let after = if suspend {
            (true, buried)
        } else {
            (suspended, Some(tomorrow))
        };
        write_flags(&tx, &card, after.0, after.1).map_err(e)?;
        super::sync::record_flag_changes(&tx, &card, (suspended, buried), after, now).map_err(e)?;
        tx.commit().map_err(e)?;
        session.removed(suspended, buried, now);
        Ok(Some(card))
    }

    /// Suspends or unsuspends a card by id at `now`. Returns whether anything changed.
    pub fn set_suspended(&mut self, card_id: &str, suspended: bool, now: i64) -> Result<bool> {
        self.write_tx(|tx| {
            let (was, buried) = read_flags(tx, card_id)?;
            if was != suspended {
                write_flags(tx, card_id, suspended, buried)?;
                super::sync::record_flag_changes(
                    tx,
                    card_id,
                    (was, buried),
                    (suspended, buried),
                    now,
                )?;
            }
            Ok(was != suspended)
        })
    }
}

/// A row for `review_log`.
pub(crate) struct NewReview<'a> {
    /// `None`: the next id.
    pub id: Option<i64>,
    /// The card's number in `card_ids`.
    pub card: i64,
    pub reviewed_at: i64,
    pub rating: u8,
    pub duration_ms: i64,
    pub mode: u8,
    pub rescheduled: bool,
    pub phase_before: u8,
    /// The answer whose state after is this answer's state before (`None`: a new card, or the
    /// state is in `review_before`).
    pub before_id: Option<i64>,
    pub after: &'a CardState,
}

/// Inserts a review log row; returns its id.
pub(crate) fn insert_review(
    conn: &rusqlite::Connection,
    r: &NewReview<'_>,
) -> rusqlite::Result<i64> {
    let sql = format!(
        "INSERT INTO review_log (id, card, reviewed_at, rating, duration_ms, mode, rescheduled,
                                 phase_before, before_id, {LOG_STATE_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {})",
        log_state_values(10, "?3")
    );
    insert_review_with(conn, &sql, r)
}

/// Inserts a review log row into the log of schemas 3 to 7 (the state's times as they are):
/// what the upgrade to schema 3 writes.
pub(crate) fn insert_review_v3(
    conn: &rusqlite::Connection,
    r: &NewReview<'_>,
) -> rusqlite::Result<i64> {
    let sql = format!(
        "INSERT INTO review_log (id, card, reviewed_at, rating, duration_ms, mode, rescheduled,
                                 phase_before, before_id, {STATE_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    );
    insert_review_with(conn, &sql, r)
}

fn insert_review_with(
    conn: &rusqlite::Connection,
    sql: &str,
    r: &NewReview<'_>,
) -> rusqlite::Result<i64> {
    let st = r.after;
    conn.prepare_cached(sql)?.execute(with_state(
        st,
        &[
            &r.id,
            &r.card,
            &r.reviewed_at,
            &r.rating,
            &r.duration_ms,
            &r.mode,
            &r.rescheduled,
            &r.phase_before,
            &r.before_id,
        ],
        &[],
    ))?;
    Ok(conn.last_insert_rowid())
}

/// The parameters of a statement: `before`, the card state's columns in [`STATE_COLUMNS`]
/// order, then `after`.
fn with_state<'a>(
    st: &'a CardState,
    before: &[&'a dyn rusqlite::ToSql],
    after: &[&'a dyn rusqlite::ToSql],
) -> rusqlite::ParamsFromIter<Vec<Box<dyn rusqlite::ToSql + 'a>>> {
    let mut out: Vec<Box<dyn rusqlite::ToSql + 'a>> =
        Vec::with_capacity(before.len() + 9 + after.len());
    out.extend(
        before
            .iter()
            .map(|p| Box::new(*p) as Box<dyn rusqlite::ToSql + 'a>),
    );
    out.push(Box::new(st.phase.number()));
    out.push(Box::new(f64::from(st.stability)));
    out.push(Box::new(f64::from(st.difficulty)));
    out.push(Box::new(&st.due));
    out.push(Box::new(&st.last_review));
    out.push(Box::new(&st.step));
    out.push(Box::new(&st.interval_days));
    out.push(Box::new(&st.reps));
    out.push(Box::new(&st.lapses));
    out.extend(
        after
            .iter()
            .map(|p| Box::new(*p) as Box<dyn rusqlite::ToSql + 'a>),
    );
    rusqlite::params_from_iter(out)
}

/// Replaces the state after a logged answer.
pub(crate) fn update_state_after(
    conn: &rusqlite::Connection,
    review_id: i64,
    st: &CardState,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE review_log SET phase = ?2, stability = ?3, difficulty = ?4,
             due_in = ?5 - reviewed_at, last_review_ago = reviewed_at - ?6, step = ?7,
             interval_days = ?8, reps = ?9, lapses = ?10
         WHERE id = ?1",
    )?
    .execute(with_state(st, &[&review_id], &[]))?;
    Ok(())
}

/// Keeps the state before an answer that is not the state after another answer.
pub(crate) fn write_before_state(
    conn: &rusqlite::Connection,
    review_id: i64,
    st: &CardState,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO review_before (review_id, {STATE_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(with_state(st, &[&review_id], &[]))?;
    Ok(())
}

/// The state after a logged answer (`None`: no such answer).
pub(crate) fn state_after(
    conn: &rusqlite::Connection,
    review_id: i64,
) -> rusqlite::Result<Option<CardState>> {
    conn.prepare_cached(&format!(
        "SELECT {STATE_COLUMNS} FROM review_log WHERE id = ?1"
    ))?
    .query_row([review_id], |r| state_from_row(r, 0))
    .optional()
}

/// The state before a logged answer (`None`: no such answer, or the answer it refers to is
/// missing).
pub(crate) fn state_before(
    conn: &rusqlite::Connection,
    review_id: i64,
) -> rusqlite::Result<Option<CardState>> {
    let kept = conn
        .prepare_cached(&format!(
            "SELECT {STATE_COLUMNS} FROM review_before WHERE review_id = ?1"
        ))?
        .query_row([review_id], |r| state_from_row(r, 0))
        .optional()?;
    if kept.is_some() {
        return Ok(kept);
    }
    let before_id: Option<Option<i64>> = conn
        .prepare_cached("SELECT before_id FROM review_log WHERE id = ?1")?
        .query_row([review_id], |r| r.get(0))
        .optional()?;
    match before_id {
        None => Ok(None),
        Some(None) => Ok(Some(CardState::default())),
        Some(Some(source)) => state_after(conn, source),
    }
}

/// Deletes a logged answer. Later answers of the card whose state before referred to it keep
/// that state in `review_before`.
pub(crate) fn delete_review(conn: &rusqlite::Connection, review_id: i64) -> rusqlite::Result<()> {
    if let Some(after) = state_after(conn, review_id)? {
        let dependents: Vec<i64> = conn
            .prepare_cached(
                "SELECT id FROM review_log
                 WHERE card = (SELECT card FROM review_log WHERE id = ?1) AND id > ?1
                   AND before_id = ?1",
            )?
            .query_map([review_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in dependents {
            write_before_state(conn, id, &after)?;
            conn.prepare_cached("UPDATE review_log SET before_id = NULL WHERE id = ?1")?
                .execute([id])?;
        }
    }
    conn.prepare_cached("DELETE FROM review_before WHERE review_id = ?1")?
        .execute([review_id])?;
    conn.prepare_cached("DELETE FROM review_log WHERE id = ?1")?
        .execute([review_id])?;
    Ok(())
}

/// The number of a card id in `card_ids` (`None`: never logged).
pub(crate) fn card_number(
    conn: &rusqlite::Connection,
    card_id: &str,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT n FROM card_ids WHERE id = ?1")?
        .query_row([card_id], |r| r.get(0))
        .optional()
}

/// The number of a card id in `card_ids`, adding it when new.
pub(crate) fn intern_card(conn: &rusqlite::Connection, card_id: &str) -> rusqlite::Result<i64> {
    if let Some(n) = card_number(conn, card_id)? {
        return Ok(n);
    }
    conn.prepare_cached("INSERT INTO card_ids (id) VALUES (?1)")?
        .execute([card_id])?;
    Ok(conn.last_insert_rowid())
}

/// A card's stored state and the answer it comes from.
fn read_state_and_source(
    conn: &rusqlite::Connection,
    card_id: &str,
) -> rusqlite::Result<Option<(CardState, i64)>> {
    conn.prepare_cached(&format!(
        "SELECT {STATE_COLUMNS}, review_id FROM cards WHERE card_id = ?1"
    ))?
    .query_row([card_id], |r| Ok((state_from_row(r, 0)?, r.get(9)?)))
    .optional()
}

pub(crate) fn read_state(
    conn: &rusqlite::Connection,
    card_id: &str,
) -> rusqlite::Result<Option<CardState>> {
    conn.prepare_cached(&format!(
        "SELECT {STATE_COLUMNS} FROM cards WHERE card_id = ?1"
    ))?
    .query_row([card_id], |r| state_from_row(r, 0))
    .optional()
}

pub(crate) fn write_state(
    conn: &rusqlite::Connection,
    card_id: &str,
    st: &CardState,
    review_id: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO cards (card_id, {STATE_COLUMNS}, review_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(with_state(st, &[&card_id], &[&review_id]))?;
    Ok(())
}

pub(crate) fn read_flags(
    conn: &rusqlite::Connection,
    card_id: &str,
) -> rusqlite::Result<(bool, Option<i64>)> {
    Ok(conn
        .prepare_cached("SELECT suspended, buried_until_day FROM card_flags WHERE card_id = ?1")?
        .query_row([card_id], |r| Ok((r.get::<_, i64>(0)? != 0, r.get(1)?)))
        .optional()?
        .unwrap_or((false, None)))
}

pub(crate) fn write_flags(
    conn: &rusqlite::Connection,
    card_id: &str,
    suspended: bool,
    buried_until: Option<i64>,
) -> rusqlite::Result<()> {
    if !suspended && buried_until.is_none() {
        conn.prepare_cached("DELETE FROM card_flags WHERE card_id = ?1")?
            .execute([card_id])?;
    } else {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO card_flags (card_id, suspended, buried_until_day) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![card_id, suspended, buried_until])?;
    }
    Ok(())
}
