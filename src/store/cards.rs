//! Card maintenance for the card browser and `iamdrill cards`: the last rating of every card,
//! unbury, forget (reset to new) and reschedule to today, each one durable transaction.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;

use super::review::{read_flags, write_flags};
use super::{Result, Store};
use crate::deck::ids::{PassThrough, id_hash};
use crate::deck::model::Card;
use crate::srs::browse::Row;
use crate::srs::clock::Date;
use crate::srs::queue::{CardProgress, CardRef};
use crate::srs::scheduler::Rating;

/// What lies ahead once a session ends: when the next card is due, how many come up in the
/// next days, how many cards were never seen, and today's retention.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outlook {
    /// The earliest due instant after `now` of a card that is not hidden.
    pub next_due: Option<i64>,
    /// Answered cards due from now to the end of the day `ahead_days` after today.
    pub due_ahead: u32,
    /// Cards never answered (and not suspended or buried).
    pub unseen: u32,
    /// Cards due on each of the next days (tomorrow first).
    pub forecast: Vec<(Date, u32)>,
    /// Review-phase answers today: (recalled, all).
    pub retention_today: (u32, u32),
}

/// Where each card of a list is, found by a 64-bit hash of its id (no copy of the ids, and a
/// table small enough to stay in cache at 100,000 cards). Cards whose hash an earlier card
/// has (the same id again, or a collision) are kept apart and looked up by their text.
struct Places<'c, 'a> {
    cards: &'c [CardRef<'a>],
    by_hash: HashMap<u64, u32, BuildHasherDefault<PassThrough>>,
    others: HashMap<&'a str, Vec<u32>>,
}

impl<'c, 'a> Places<'c, 'a> {
    fn new(cards: &'c [CardRef<'a>]) -> Self {
        let mut places = Places {
            cards,
            by_hash: HashMap::with_capacity_and_hasher(cards.len(), Default::default()),
            others: HashMap::new(),
        };
        for (i, c) in cards.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match places.by_hash.entry(id_hash(c.id)) {
                Entry::Vacant(v) => {
                    v.insert(i);
                }
                Entry::Occupied(_) => places.others.entry(c.id).or_default().push(i),
            }
        }
        places
    }

    /// The positions of the cards with this id.
    fn of(&self, id: &str) -> impl Iterator<Item = usize> {
        let first = self
            .by_hash
            .get(&id_hash(id))
            .filter(|&&i| self.cards[i as usize].id == id);
        let more = self.others.get(id).map_or(&[][..], Vec::as_slice);
        first.into_iter().chain(more).map(|&i| i as usize)
    }
}

/// The settings key holding extra new cards allowed today (`DAY:COUNT`).
const EXTRA_NEW: &str = "extra_new_today";

impl Store {
    /// The progress of each of `cards`, in the list's order (never answered: the default): one
    /// pass over the card states and one over the flags, each row matched to its cards by the
    /// hash of its id. Rows of cards not in `cards` are skipped.
    pub fn progress_list(&self, cards: &[CardRef<'_>]) -> Result<Vec<CardProgress>> {
        let e = |err| self.err(err);
        let places = Places::new(cards);
        let mut list = vec![CardProgress::default(); cards.len()];
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT card_id, {} FROM cards",
                super::review::STATE_COLUMNS
            ))
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            let mut places_of = places.of(id).peekable();
            if places_of.peek().is_some() {
                let state = super::state_from_row(row, 1).map_err(e)?;
                places_of.for_each(|i| list[i].state = state);
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
            let suspended = row.get::<_, i64>(1).map_err(e)? != 0;
            let buried_until: Option<i64> = row.get(2).map_err(e)?;
            for i in places.of(id) {
                list[i].suspended = suspended;
                list[i].buried_until = buried_until;
            }
        }
        Ok(list)
    }

    /// New cards allowed today beyond the daily limit ("learn more").
    pub fn extra_new_today(&self, now: i64) -> Result<u32> {
        let today = self.clock.day(now);
        Ok(self
            .setting(EXTRA_NEW)?
            .and_then(|v| {
                let (day, n) = v.split_once(':')?;
                (day.parse::<i64>().ok()? == today).then(|| n.parse::<u32>().ok())?
            })
            .unwrap_or(0))
    }

    /// Today's limit of new cards: the daily limit and the extra cards asked for today.
    pub fn new_limit_today(&self, now: i64) -> Result<u32> {
        Ok(self.new_limit()?.saturating_add(self.extra_new_today(now)?))
    }

    /// Allows `n` more new cards today (on top of earlier extra ones); tomorrow the daily limit
    /// applies again.
    pub fn add_new_today(&mut self, n: u32, now: i64) -> Result<u32> {
        let total = self.extra_new_today(now)?.saturating_add(n);
        let value = format!("{}:{total}", self.clock.day(now));
        self.set_setting(EXTRA_NEW, Some(&value))?;
        Ok(total)
    }

    /// The outlook over these cards at `now` (see [`Outlook`]); `days` is how far study ahead
    /// and the forecast look.
    pub fn outlook<'a>(
        &self,
        cards: impl IntoIterator<Item = &'a Card>,
        now: i64,
        days: u32,
    ) -> Result<Outlook> {
        let progress = self.load_progress()?;
        let today = self.clock.day(now);
        let horizon = self.clock.day_start(today + 1 + i64::from(days));
        let mut out = Outlook {
            forecast: (1..=i64::from(days.max(7)))
                .map(|d| (Date::from_day_number(today + d), 0))
                .collect(),
            ..Outlook::default()
        };
        for card in cards {
            let Some(p) = progress.get(&card.id) else {
                out.unseen += 1;
                continue;
            };
            if p.hidden(today) {
                continue;
            }
            if p.state.is_new() {
                out.unseen += 1;
                continue;
            }
            let due = p.state.due;
            if due > now {
                out.next_due = Some(out.next_due.map_or(due, |d: i64| d.min(due)));
            }
            if due < horizon && self.clock.day(due) > today {
                out.due_ahead += 1;
            }
            let d = self.clock.day(due) - today;
            if d >= 1
                && let Some(slot) = out.forecast.get_mut((d - 1) as usize)
            {
                slot.1 += 1;
            }
        }
        let start = self.clock.day_start(today);
        out.retention_today = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(passed), 0), COALESCE(SUM(answers), 0) FROM review_counts
                 WHERE slot >= ?1 AND phase_before = 2",
            )
            .and_then(|mut s| {
                s.query_row([start.div_euclid(super::schema::SLOT_MS)], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Answered cards due after today and by the end of the day `days` after today, least
    /// recallable first: what studying ahead shows.
    pub fn due_ahead<'a>(
        &self,
        cards: impl IntoIterator<Item = &'a Card>,
        now: i64,
        days: u32,
    ) -> Result<Vec<&'a Card>> {
        let progress = self.load_progress()?;
        let today = self.clock.day(now);
        let horizon = self.clock.day_start(today + 1 + i64::from(days));
        Ok(cards
            .into_iter()
            .filter(|c| {
                progress.get(&c.id).is_some_and(|p| {
                    !p.hidden(today)
                        && !p.state.is_new()
                        && p.state.due < horizon
                        && self.clock.day(p.state.due) > today
                })
            })
            .collect())
    }

    /// The card browser's rows for these cards at `now` (see [`crate::srs::browse`]).
    pub fn browse_rows<'a>(
        &self,
        cards: impl IntoIterator<Item = &'a Card>,
        now: i64,
    ) -> Result<Vec<Row>> {
        let progress = self.load_progress()?;
        let last = self.last_ratings()?;
        Ok(crate::srs::browse::rows(
            cards,
            &progress,
            &last,
            &self.scheduler,
            &self.clock,
            now,
        ))
    }

    /// The rating of every card's latest answer (any mode), keyed by card id.
    pub fn last_ratings(&self) -> Result<HashMap<String, Rating>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, k.last_rating FROM card_counts AS k JOIN card_ids AS c ON c.n = k.card",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, n) = row.map_err(|e| self.err(e))?;
            if let Some(rating) = Rating::from_number(n) {
                out.insert(id, rating);
            }
        }
        Ok(out)
    }

    /// Lifts a card's burial at `now`. Returns whether it was buried.
    pub fn unbury(&mut self, card_id: &str, now: i64) -> Result<bool> {
        self.write_tx(|tx| {
            let (suspended, buried) = read_flags(tx, card_id)?;
            if buried.is_some() {
                write_flags(tx, card_id, suspended, None)?;
                super::sync::record_flag_changes(
                    tx,
                    card_id,
                    (suspended, buried),
                    (suspended, None),
                    now,
                )?;
            }
            Ok(buried.is_some())
        })
    }

    /// Resets a card to new: its scheduling state is removed and its past answers stop counting
    /// for its schedule (they stay in the log for statistics, marked as not rescheduling, so
    /// `progress rebuild` keeps the card new). The forget is an event that every synced device
    /// replays at the same place in the history (`now`). Returns whether the card had a state.
    pub fn forget(&mut self, card_id: &str, now: i64) -> Result<bool> {
        self.forget_at(card_id, now)
    }

    /// Makes a card that has been answered due now (new cards are available already). The log
    /// entry its state comes from is updated too, so `progress rebuild` keeps the new due date.
    /// Returns whether anything changed.
    pub fn reschedule_today(&mut self, card_id: &str, now: i64) -> Result<bool> {
        self.due_now_at(card_id, now)
    }
}

#[cfg(test)]
mod tests {
    use crate::srs::clock::DAY_MS;
    use crate::srs::queue::CardRef;
    use crate::srs::scheduler::Rating;
    use crate::srs::session::SessionKind;
    use crate::store::Store;

    const NOW: i64 = 1_780_000_000_000;

    #[test]
    fn forget_unbury_and_reschedule_survive_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let cards = [("a", "kms"), ("b", "kms"), ("c", "kms")];
        let refs: Vec<CardRef<'_>> = cards
            .iter()
            .map(|(id, topic)| CardRef { id, topic })
            .collect();
        let mut s = store
            .start_session(
                refs.iter().copied(),
                SessionKind::Review { topics: vec![] },
                NOW,
            )
            .unwrap();
        // a: Easy (review, due in days); b: buried; c: Again.
        store.answer(&mut s, Rating::Easy, 1000, NOW).unwrap();
        store.bury(&mut s, NOW).unwrap();
        store.answer(&mut s, Rating::Again, 1000, NOW).unwrap();
        let last = store.last_ratings().unwrap();
        assert_eq!(last.get("a"), Some(&Rating::Easy));
        assert_eq!(last.get("c"), Some(&Rating::Again));
        assert!(store.unbury("b", NOW).unwrap());
        assert!(!store.unbury("b", NOW).unwrap());
        assert!(!store.load_progress().unwrap().contains_key("b"));

        let due_a = store.card_state("a").unwrap().unwrap().due;
        assert!(due_a > NOW + DAY_MS);
        assert!(store.reschedule_today("a", NOW + 10).unwrap());
        assert_eq!(store.card_state("a").unwrap().unwrap().due, NOW + 10);
        assert!(
            !store.reschedule_today("b", NOW).unwrap(),
            "new cards need nothing"
        );

        assert!(store.forget("c", NOW).unwrap());
        assert!(store.card_state("c").unwrap().is_none());
        store.rebuild().unwrap();
        assert!(
            store.card_state("c").unwrap().is_none(),
            "forgotten stays new"
        );
        assert_eq!(store.card_state("a").unwrap().unwrap().due, NOW + 10);
        // The log keeps every answer.
        assert_eq!(store.review_count().unwrap(), 2);
    }

    #[test]
    fn progress_list_is_progress_of_in_list_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let cards: Vec<(String, &str)> = (0..30).map(|i| (format!("c{i}"), "kms")).collect();
        let refs: Vec<CardRef<'_>> = cards
            .iter()
            .map(|(id, topic)| CardRef { id, topic })
            .collect();
        let mut s = store
            .start_session(
                refs.iter().copied(),
                SessionKind::Review { topics: vec![] },
                NOW,
            )
            .unwrap();
        store.answer(&mut s, Rating::Easy, 1000, NOW).unwrap();
        store.bury(&mut s, NOW).unwrap();
        store.answer(&mut s, Rating::Again, 1000, NOW).unwrap();
        store.set_suspended("c20", true, NOW).unwrap();
        // The same card twice, and a card the store never saw.
        let mut list_cards = refs.clone();
        list_cards.insert(0, refs[2]);
        list_cards.push(CardRef {
            id: "elsewhere",
            topic: "kms",
        });
        let list = store.progress_list(&list_cards).unwrap();
        let map = store.progress_of(&list_cards).unwrap();
        assert_eq!(list.len(), list_cards.len());
        for (c, p) in list_cards.iter().zip(&list) {
            assert_eq!(Some(p), map.get(c.id), "{}", c.id);
        }
        let answered = list.iter().filter(|p| p.state.reps > 0).count();
        assert_eq!(answered, 3, "c2 is listed twice: {list:?}");
        assert!(list[21].suspended && list.iter().filter(|p| p.suspended).count() == 1);
        assert!(list.iter().any(|p| p.buried_until.is_some()));
    }

    #[test]
    fn extra_new_cards_count_for_today_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        store.set_limits(1, 200).unwrap();
        let cards: Vec<(String, &str)> = (0..10).map(|i| (format!("c{i}"), "kms")).collect();
        let refs: Vec<CardRef<'_>> = cards
            .iter()
            .map(|(id, topic)| CardRef { id, topic })
            .collect();
        let review = || SessionKind::Review { topics: vec![] };
        let s = store
            .start_session(refs.iter().copied(), review(), NOW)
            .unwrap();
        assert_eq!(s.progress().new, 1);
        assert_eq!(store.add_new_today(5, NOW).unwrap(), 5);
        assert_eq!(store.add_new_today(2, NOW).unwrap(), 7);
        let s = store
            .start_session(refs.iter().copied(), review(), NOW)
            .unwrap();
        assert_eq!(s.progress().new, 8);
        let s = store
            .start_session(refs.iter().copied(), review(), NOW + DAY_MS)
            .unwrap();
        assert_eq!(
            s.progress().new,
            1,
            "tomorrow the daily limit applies again"
        );
    }
}
