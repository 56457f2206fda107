//! Statistics queries, the mock interview table, rebuild and prune.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{TransactionBehavior, params};
use serde::Serialize;

use super::review::{STATE_COLUMNS, card_number, write_state};
use super::schema::SLOT_MS;
use super::{Result, Store, StoreError, state_from_row};
use crate::srs::clock::Date;
use crate::srs::fxhash::FxHashMap;
use crate::srs::plan::{Plan, plan};
use crate::srs::queue::{CardProgress, CardRef};
use crate::srs::scheduler::CardState;
use crate::srs::stats::{
    self, CardTable, DayCount, Leech, StateCounts, TopicCounts, TopicRecall, TopicRetention,
};

/// Days of answers `stats` shows (and counts the streak in before reading older days).
const STATS_DAYS: i64 = 365;

/// A stored mock interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MockSessionRow {
    pub id: i64,
    pub started_at: i64,
    pub finished_at: i64,
    pub report_json: String,
}

/// What `iamdrill progress rebuild` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebuildReport {
    /// Cards whose state was derived from the log.
    pub cards: u64,
    /// Cards whose stored state differed from the log (and was corrected).
    pub corrected: u64,
    pub reviews: u64,
}

/// What `iamdrill progress prune` removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    pub cards: Vec<String>,
    pub reviews: u64,
}

/// Everything `iamdrill stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub today: Date,
    pub streak: u32,
    pub reviews_today: u32,
    pub total_reviews: u64,
    /// Answers per day over the last 365 days (days without answers left out).
    pub reviews_per_day: Vec<DayCount>,
    /// Cards due on each of the next 30 days.
    pub forecast: Vec<DayCount>,
    pub retention: Vec<TopicRetention>,
    pub recall: Vec<TopicRecall>,
    pub states: StateCounts,
    pub topics: Vec<TopicCounts>,
    pub leeches: Vec<Leech>,
    pub desired_retention: f32,
    pub interview_date: Option<Date>,
    pub personal_parameters: bool,
}

impl Store {
    /// Answers per learner's day (day number → count), all time (from the counts kept per
    /// quarter hour).
    pub fn reviews_by_day(&self) -> Result<BTreeMap<i64, u32>> {
        self.reviews_by_day_from(i64::MIN)
    }

    /// Answers per learner's day from day `first` on (the counts of later quarter hours only,
    /// read through the counts' primary key).
    pub fn reviews_by_day_from(&self, first: i64) -> Result<BTreeMap<i64, u32>> {
        let from_slot = if first == i64::MIN {
            i64::MIN
        } else {
            self.clock.day_start(first).div_euclid(SLOT_MS)
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT slot, sum(answers) FROM review_counts WHERE slot >= ?1 GROUP BY slot",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([from_slot]).map_err(|e| self.err(e))?;
        let mut map = BTreeMap::new();
        // Slots come in order: one day lookup per run of slots on the same day.
        let mut day_end = i64::MIN;
        let mut day = 0;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let slot: i64 = row.get(0).map_err(|e| self.err(e))?;
            let n: u32 = row.get(1).map_err(|e| self.err(e))?;
            let at = slot.saturating_mul(SLOT_MS);
            if at >= day_end {
                day = self.clock.day(at);
                day_end = self.clock.day_start(day + 1);
            }
            *map.entry(day).or_insert(0) += n;
        }
        Ok(map)
    }

    /// Answers per day over the last `STATS_DAYS` days and the streak. The streak is counted
    /// in that window; a streak as long as the window goes on back a day at a time, each day one
    /// probe of the counts' primary key, so a streak of years does not read years of counts.
    fn recent_days(&self, today: i64) -> Result<(BTreeMap<i64, u32>, u32)> {
        let first = today - (STATS_DAYS - 1);
        let recent = self.reviews_by_day_from(first)?;
        let mut streak = stats::streak(&recent, today);
        let start = if recent.contains_key(&today) {
            today
        } else {
            today - 1
        };
        if i64::from(streak) > start - first {
            let mut day = start - i64::from(streak);
            while self.answered_on(day)? {
                streak += 1;
                day -= 1;
            }
        }
        Ok((recent, streak))
    }

    /// Whether any answer was given on learner's day `day`.
    fn answered_on(&self, day: i64) -> Result<bool> {
        let from = self.clock.day_start(day).div_euclid(SLOT_MS);
        let to = self.clock.day_start(day + 1).div_euclid(SLOT_MS);
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM review_counts
                                WHERE slot >= ?1 AND slot < ?2 AND answers > 0)",
            )
            .and_then(|mut s| s.query_row([from, to], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Days in a row with answers, up to today.
    pub fn streak(&self, now: i64) -> Result<u32> {
        Ok(self.recent_days(self.clock.day(now))?.1)
    }

    /// Per-topic due / new / learning / total counts for the topic picker and the dashboard.
    pub fn topic_counts<'a, I>(&self, cards: I, now: i64) -> Result<Vec<TopicCounts>>
    where
        I: IntoIterator,
        I::Item: Into<CardRef<'a>>,
    {
        let cards: Vec<CardRef<'a>> = cards.into_iter().map(Into::into).collect();
        let progress = self.progress_of(&cards)?;
        Ok(stats::topic_counts(
            cards.iter().copied(),
            &progress,
            &self.clock,
            now,
        ))
    }

    /// The progress of each of `cards`, position by position (cards never answered or
    /// flagged have the default): one pass over the card states and one over the flags.
    fn progress_at(
        &self,
        cards: &[CardRef<'_>],
        positions: &FxHashMap<&str, u32>,
        repeats: &[(usize, usize)],
    ) -> Result<Vec<CardProgress>> {
        let e = |err| self.err(err);
        let mut progress = vec![CardProgress::default(); cards.len()];
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT card_id, {STATE_COLUMNS} FROM cards"))
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            if let Some(&i) = positions.get(id) {
                progress[i as usize].state = state_from_row(row, 1).map_err(e)?;
            }
        }
        drop(rows);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT card_id, suspended, buried_until_day FROM card_flags")
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            if let Some(&i) = positions.get(id) {
                let p = &mut progress[i as usize];
                p.suspended = row.get::<_, i64>(1).map_err(e)? != 0;
                p.buried_until = row.get(2).map_err(e)?;
            }
        }
        for &(i, first) in repeats {
            progress[i] = progress[first];
        }
        Ok(progress)
    }

    /// Per-card answer counts of `cards`, position by position: all answers, and answers to
    /// cards in review (interval ≥ 1 day) and how many of them passed; and the number of
    /// answers to any card (cards no longer in the decks too), from the same pass.
    fn answers_at(
        &self,
        cards: usize,
        positions: &FxHashMap<&str, u32>,
        repeats: &[(usize, usize)],
    ) -> Result<(Vec<stats::CardAnswers>, u64)> {
        let e = |err| self.err(err);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, k.answers, k.mature, k.mature_passed
                 FROM card_counts AS k JOIN card_ids AS c ON c.n = k.card",
            )
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        let mut answers = vec![stats::CardAnswers::default(); cards];
        let mut total: i64 = 0;
        while let Some(row) = rows.next().map_err(e)? {
            let n: i64 = row.get(1).map_err(e)?;
            total = total.saturating_add(n);
            if n <= 0 {
                continue;
            }
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            if let Some(&i) = positions.get(id) {
                answers[i as usize] = stats::CardAnswers {
                    answers: u32::try_from(n).unwrap_or(u32::MAX),
                    mature: row.get(2).map_err(e)?,
                    passed: row.get(3).map_err(e)?,
                };
            }
        }
        for &(i, first) in repeats {
            answers[i] = answers[first];
        }
        Ok((answers, total.max(0) as u64))
    }

    /// All statistics over the given cards. The cost grows with the cards and the last year's
    /// days, not with the review log: counts come from the aggregates the log keeps. Each
    /// table is read once, into values kept position by position along `cards`.
    pub fn stats<'a, I>(&self, cards: I, now: i64) -> Result<Stats>
    where
        I: IntoIterator,
        I::Item: Into<CardRef<'a>>,
    {
        let cards: Vec<CardRef<'a>> = cards.into_iter().map(Into::into).collect();
        let (positions, repeats) = stats::card_positions(&cards);
        let progress = self.progress_at(&cards, &positions, &repeats)?;
        let (answers, total_reviews) = self.answers_at(cards.len(), &positions, &repeats)?;
        let today = self.clock.day(now);
        let (by_day, streak) = self.recent_days(today)?;
        let reviews_per_day = by_day
            .range(today - (STATS_DAYS - 1)..=today)
            .map(|(&d, &count)| DayCount {
                date: Date::from_day_number(d),
                count,
            })
            .collect();
        let c = || cards.iter().copied();
        let progress = CardTable::new(&cards, &progress, &positions);
        let answers = CardTable::new(&cards, &answers, &positions);
        Ok(Stats {
            today: Date::from_day_number(today),
            streak,
            reviews_today: by_day.get(&today).copied().unwrap_or(0),
            total_reviews,
            reviews_per_day,
            forecast: stats::due_forecast(c(), &progress, &self.clock, now, 30),
            retention: stats::retention_by_topic(c(), |id| {
                answers.get(id).copied().filter(|a| a.answers > 0)
            }),
            recall: stats::predicted_recall(c(), &progress, &self.scheduler, now),
            states: stats::state_counts(c(), &progress, &self.clock, now),
            topics: stats::topic_counts(c(), &progress, &self.clock, now),
            leeches: stats::leeches(c(), &progress),
            desired_retention: self.scheduler.config().desired_retention,
            interview_date: self.interview_date()?,
            personal_parameters: self.fsrs_parameters()?.is_some(),
        })
    }

    /// The interview plan for `date`.
    pub fn plan<'a, I>(&self, cards: I, date: Date, now: i64) -> Result<Plan>
    where
        I: IntoIterator,
        I::Item: Into<CardRef<'a>>,
    {
        let cards: Vec<CardRef<'a>> = cards.into_iter().map(Into::into).collect();
        let progress = self.progress_of(&cards)?;
        Ok(plan(
            cards.iter().copied(),
            &progress,
            &self.scheduler,
            &self.clock,
            now,
            date,
        ))
    }

    /// Number of review log entries, from the per-card counts the log keeps (one row per card
    /// answered rather than one per answer).
    pub fn counted_answers(&self) -> Result<u64> {
        self.conn
            .prepare_cached("SELECT COALESCE(SUM(answers), 0) FROM card_counts")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// Number of review log entries.
    pub fn review_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM review_log", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// Stores a finished mock interview; the caller serializes its report to JSON.
    pub fn save_mock_session(
        &mut self,
        started_at: i64,
        finished_at: i64,
        report_json: &str,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO mock_sessions (started_at, finished_at, report_json) VALUES (?1, ?2, ?3)",
                params![started_at, finished_at, report_json],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stored mock interviews, oldest first.
    pub fn mock_sessions(&self) -> Result<Vec<MockSessionRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, started_at, finished_at, report_json FROM mock_sessions ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(MockSessionRow {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    report_json: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Derives every card's state again from the review log (the state after its latest
    /// rescheduling answer) and replaces the `cards` table with it, in one transaction.
    pub fn rebuild(&mut self) -> Result<RebuildReport> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let old = self.load_progress()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let reviews: i64 = tx
            .query_row("SELECT COUNT(*) FROM review_log", [], |r| r.get(0))
            .map_err(e)?;
        let reviews = reviews.max(0) as u64;
        let latest: Vec<(String, i64, CardState)> = {
            let mut stmt = tx
                .prepare(&format!(
                    // The latest answer in the order sync replays in (order time, device
                    // id, sequence number): imported answers may be older than their ids, and
                    // a clock set back does not reorder a device's own answers.
                    "SELECT c.id, l.id, {STATE_COLUMNS} FROM (
                         SELECT *, ROW_NUMBER() OVER (
                             PARTITION BY card ORDER BY COALESCE(order_at, reviewed_at) DESC,
                                 (SELECT id FROM sync_devices WHERE n = device) DESC,
                                 seq DESC, id DESC) AS n
                         FROM review_log WHERE rescheduled = 1) AS l
                     JOIN card_ids AS c ON c.n = l.card
                     WHERE l.n = 1"
                ))
                .map_err(e)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, state_from_row(r, 2)?)))
                .map_err(e)?;
            rows.collect::<rusqlite::Result<_>>().map_err(e)?
        };
        tx.execute("DELETE FROM cards", []).map_err(e)?;
        tx.execute_batch(super::schema::RECOUNT).map_err(e)?;
        let mut corrected = 0;
        for (card, id, st) in &latest {
            if old.get(card).map(|p| p.state) != Some(*st) {
                corrected += 1;
            }
            write_state(&tx, card, st, *id).map_err(e)?;
        }
        corrected += old
            .iter()
            .filter(|(id, p)| !p.state.is_new() && !latest.iter().any(|(c, _, _)| c == *id))
            .count() as u64;
        tx.commit().map_err(e)?;
        Ok(RebuildReport {
            cards: latest.len() as u64,
            corrected,
            reviews,
        })
    }

    /// Ids of cards with history (log, state or flags) that are not in `known`.
    pub fn orphans(&self, known: &HashSet<&str>) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id FROM card_ids AS c
                 WHERE EXISTS (SELECT 1 FROM review_log WHERE card = c.n)
                 UNION SELECT card_id FROM cards UNION SELECT card_id FROM card_flags ORDER BY 1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let id = row.map_err(|e| self.err(e))?;
            if !known.contains(id.as_str()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Answers logged for these cards.
    pub fn history_count(&self, cards: &[String]) -> Result<u64> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT COALESCE((SELECT answers FROM card_counts
                                  WHERE card = (SELECT n FROM card_ids WHERE id = ?1)), 0)",
            )
            .map_err(|e| self.err(e))?;
        let mut n = 0u64;
        for card in cards {
            let c: i64 = stmt
                .query_row([card], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            n += c.max(0) as u64;
        }
        Ok(n)
    }

    /// Removes the history (log, state, flags) of these cards, in one transaction. The caller
    /// chooses them (see [`Store::orphans`]).
    pub fn prune(&mut self, cards: &[String]) -> Result<PruneReport> {
        let cards = cards.to_vec();
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let mut reviews = 0u64;
        for card in &cards {
            if let Some(n) = card_number(&tx, card).map_err(e)? {
                tx.execute(
                    "DELETE FROM review_before WHERE review_id IN (SELECT id FROM review_log WHERE card = ?1)",
                    [n],
                )
                .map_err(e)?;
                reviews += tx
                    .execute("DELETE FROM review_log WHERE card = ?1", [n])
                    .map_err(e)? as u64;
                tx.execute("DELETE FROM card_ids WHERE n = ?1", [n])
                    .map_err(e)?;
            }
            tx.execute("DELETE FROM cards WHERE card_id = ?1", [card])
                .map_err(e)?;
            tx.execute("DELETE FROM card_flags WHERE card_id = ?1", [card])
                .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(PruneReport { cards, reviews })
    }

    /// Runs SQLite's integrity check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: result,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::srs::clock::DAY_MS;
    use crate::srs::queue::CardRef;
    use crate::srs::scheduler::Rating;
    use crate::srs::session::SessionKind;
    use crate::store::Store;
    use crate::store::import::CsvReview;

    const NOW: i64 = 1_780_000_000_000;
    const CARDS: [&str; 4] = ["a", "b", "c", "d"];

    #[derive(Debug, Clone)]
    enum Op {
        Answer { rating: u8, minutes: i64 },
        Cram { rating: u8 },
        Mock { card: usize, rating: u8, days: i64 },
        Undo,
        Import { card: usize, rating: u8, days: i64 },
        Forget { card: usize },
        Prune { card: usize },
        Rebuild,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (1u8..=4, 0i64..3000).prop_map(|(rating, minutes)| Op::Answer { rating, minutes }),
            1 => (1u8..=4).prop_map(|rating| Op::Cram { rating }),
            1 => (0usize..4, 1u8..=4, -30i64..30)
                .prop_map(|(card, rating, days)| Op::Mock { card, rating, days }),
            2 => Just(Op::Undo),
            1 => (0usize..4, 1u8..=4, -60i64..60)
                .prop_map(|(card, rating, days)| Op::Import { card, rating, days }),
            1 => (0usize..4).prop_map(|card| Op::Forget { card }),
            1 => (0usize..4).prop_map(|card| Op::Prune { card }),
            1 => Just(Op::Rebuild),
        ]
    }

    /// A streak longer than the year `stats` reads is counted on, day by day, and agrees with
    /// the streak over every day's counts; a gap ends it.
    #[test]
    fn a_streak_longer_than_the_window_is_counted_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let today = store.clock().day(NOW);
        // Every day for 500 days, except 450 days ago.
        let rows: Vec<CsvReview> = (0..500)
            .filter(|d| *d != 450)
            .map(|d| CsvReview {
                card_id: CARDS[d as usize % 4].to_string(),
                at: NOW - d * DAY_MS,
                rating: 3,
                state: 2,
                duration_ms: 900,
            })
            .collect();
        store.import_reviews(&rows).unwrap();
        let all = crate::srs::stats::streak(&store.reviews_by_day().unwrap(), today);
        assert_eq!(all, 450);
        assert_eq!(store.streak(NOW).unwrap(), all);
        let refs = CARDS.map(|id| CardRef { id, topic: "kms" });
        let stats = store.stats(refs, NOW).unwrap();
        assert_eq!(stats.streak, 450);
        assert_eq!(stats.total_reviews, 499);
        assert_eq!(stats.reviews_per_day.len(), 365);
        // Tomorrow, before answering: the streak still counts up to yesterday.
        assert_eq!(store.streak(NOW + DAY_MS).unwrap(), 450);
    }

    /// The counts as kept, and as derived from the log again.
    fn counts(store: &Store) -> [Vec<String>; 2] {
        let rows = |sql: &str| -> Vec<String> {
            store
                .conn
                .prepare(sql)
                .unwrap()
                .query_map([], |r| {
                    (0..r.as_ref().column_count())
                        .map(|i| r.get::<_, i64>(i).map(|v| v.to_string()))
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|v| v.join(","))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let kept = [
            rows("SELECT * FROM review_counts ORDER BY 1, 2, 3"),
            rows("SELECT * FROM card_counts ORDER BY 1"),
        ];
        let derived = [
            rows(
                "SELECT reviewed_at / 900000, mode, phase_before, count(*), sum(rating > 1)
                 FROM review_log GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            ),
            rows(
                "SELECT card, count(*), sum(phase_before = 2), sum(phase_before = 2 AND rating > 1),
                        max(id), (SELECT rating FROM review_log AS r
                                  WHERE r.card = l.card ORDER BY id DESC LIMIT 1)
                 FROM review_log AS l GROUP BY card ORDER BY 1",
            ),
        ];
        assert_eq!(kept, derived);
        kept
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever happens to the log, the counts equal a count of the log.
        #[test]
        fn counts_follow_the_log(ops in proptest::collection::vec(op(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
            store.set_limits(100, 100).unwrap();
            let refs: Vec<CardRef<'_>> =
                CARDS.iter().map(|id| CardRef { id, topic: "kms" }).collect();
            let review = SessionKind::Review { topics: vec![] };
            let mut now = NOW;
            let mut session = store.start_session(refs.iter().copied(), review.clone(), now).unwrap();
            for op in ops {
                match op {
                    Op::Answer { rating, minutes } => {
                        now += minutes * 60_000;
                        if session.current().is_none() {
                            now += DAY_MS;
                            session = store
                                .start_session(refs.iter().copied(), review.clone(), now)
                                .unwrap();
                        }
                        let rating = Rating::from_number(i64::from(rating)).unwrap();
                        let _ = store.answer(&mut session, rating, 1000, now).unwrap();
                    }
                    Op::Cram { rating } => {
                        let kind = SessionKind::Cram { topics: vec![], reschedule: false };
                        let mut cram = store.start_session(refs.iter().copied(), kind, now).unwrap();
                        let rating = Rating::from_number(i64::from(rating)).unwrap();
                        store.answer(&mut cram, rating, 500, now).unwrap();
                    }
                    Op::Mock { card, rating, days } => {
                        let rating = Rating::from_number(i64::from(rating)).unwrap();
                        store.record_mock(CARDS[card], rating, 700, now + days * DAY_MS).unwrap();
                    }
                    // An undo the store refuses (answered again elsewhere) changes nothing.
                    Op::Undo => {
                        let _ = store.undo(&mut session, now);
                    }
                    Op::Import { card, rating, days } => {
                        let row = CsvReview {
                            card_id: CARDS[card].to_string(),
                            at: now + days * DAY_MS,
                            rating,
                            state: 2,
                            duration_ms: 900,
                        };
                        store.import_reviews(&[row]).unwrap();
                    }
                    Op::Forget { card } => {
                        store.forget(CARDS[card], now).unwrap();
                    }
                    Op::Prune { card } => {
                        store.prune(&[CARDS[card].to_string()]).unwrap();
                    }
                    Op::Rebuild => {
                        store.rebuild().unwrap();
                    }
                }
                counts(&store);
            }
            let total: u64 = store.reviews_by_day().unwrap().values().map(|&n| u64::from(n)).sum();
            prop_assert_eq!(total, store.review_count().unwrap());
            prop_assert_eq!(store.counted_answers().unwrap(), store.review_count().unwrap());
            let logged: i64 = store
                .conn
                .query_row("SELECT count(*) FROM review_log", [], |r| r.get(0))
                .unwrap();
            prop_assert_eq!(total, logged as u64);
        }
    }
}
