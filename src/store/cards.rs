//! Card maintenance for the card browser and `iamdrill cards`: the last rating of every card,
//! unbury, forget (reset to new) and reschedule to today, each one durable transaction.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::review::{read_flags, state_json, write_flags, write_state};
use super::{Result, Store};
use crate::deck::model::Card;
use crate::srs::browse::Row;
use crate::srs::scheduler::{CardState, Rating};

impl Store {
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
                "SELECT card_id, rating FROM reviews
                 WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY card_id)",
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

    /// Lifts a card's burial. Returns whether it was buried.
    pub fn unbury(&mut self, card_id: &str) -> Result<bool> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let (suspended, buried) = read_flags(&tx, card_id).map_err(e)?;
        if buried.is_some() {
            write_flags(&tx, card_id, suspended, None).map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(buried.is_some())
    }

    /// Resets a card to new: its scheduling state is removed and its past answers stop counting
    /// for its schedule (they stay in the log for statistics, marked as not rescheduling, so
    /// `progress rebuild` keeps the card new). Returns whether the card had a state.
    pub fn forget(&mut self, card_id: &str) -> Result<bool> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let removed = tx
            .execute("DELETE FROM cards WHERE card_id = ?1", [card_id])
            .map_err(e)?;
        tx.execute(
            "UPDATE reviews SET rescheduled = 0 WHERE card_id = ?1",
            [card_id],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(removed > 0)
    }

    /// Makes a card that has been answered due now (new cards are available already). The log
    /// entry its state comes from is updated too, so `progress rebuild` keeps the new due date.
    /// Returns whether anything changed.
    pub fn reschedule_today(&mut self, card_id: &str, now: i64) -> Result<bool> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let row: Option<(i64, i64)> = tx
            .query_row(
                "SELECT review_id, due FROM cards WHERE card_id = ?1",
                [card_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(e)?;
        let Some((review_id, due)) = row else {
            return Ok(false);
        };
        if due <= now {
            return Ok(false);
        }
        let mut st: CardState = match super::review::read_state(&tx, card_id).map_err(e)? {
            Some(st) => st,
            None => return Ok(false),
        };
        st.due = now;
        write_state(&tx, card_id, &st, review_id).map_err(e)?;
        tx.execute(
            "UPDATE reviews SET state_after = ?1 WHERE id = ?2 AND card_id = ?3",
            params![state_json(&st), review_id, card_id],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(true)
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
        assert!(store.unbury("b").unwrap());
        assert!(!store.unbury("b").unwrap());
        assert!(!store.load_progress().unwrap().contains_key("b"));

        let due_a = store.card_state("a").unwrap().unwrap().due;
        assert!(due_a > NOW + DAY_MS);
        assert!(store.reschedule_today("a", NOW + 10).unwrap());
        assert_eq!(store.card_state("a").unwrap().unwrap().due, NOW + 10);
        assert!(
            !store.reschedule_today("b", NOW).unwrap(),
            "new cards need nothing"
        );

        assert!(store.forget("c").unwrap());
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
}
