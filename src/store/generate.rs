//! Synthetic collections for benchmarks and load tests: `cards` generated cards spread over the
//! topics and `reviews` logged answers, simulated with the scheduler so that every logged state
//! and the derived card states are consistent. Deterministic for a given seed.

use std::path::Path;

use rusqlite::TransactionBehavior;

use super::review::{NewReview, insert_review, intern_card, write_state};
use super::{Result, Store};
use crate::deck::model::{Card, CardKind, Deck, Difficulty, TOPICS};
use crate::srs::clock::DAY_MS;
use crate::srs::scheduler::{CardState, Rating};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSpec {
    pub cards: usize,
    pub reviews: usize,
    /// The last answers happen shortly before this instant (unix ms).
    pub now: i64,
    pub seed: u64,
}

/// A small deterministic generator (xorshift64*); the collection only needs to look varied.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// The generated cards, as one deck.
pub fn generated_deck(cards: usize) -> Deck {
    let cards = (0..cards)
        .map(|i| Card {
            id: format!("gen-{i:06}"),
            kind: CardKind::Basic,
            topic: TOPICS[i % TOPICS.len()].0.to_string(),
            tags: Vec::new(),
            difficulty: Difficulty::Professional,
            // Worded so that `decks check` finds nothing to warn about ("question 5" reads
            // as a pointer to another card).
            question: format!("What does generated card {i} ask?"),
            answer: format!("Generated answer {i}"),
            table: None,
            scenario: None,
            key_points: Vec::new(),
            source: None,
            variants: Vec::new(),
            corrections: Vec::new(),
            note: None,
            references: Vec::new(),
        })
        .collect();
    Deck {
        id: "generated".into(),
        title: "Generated collection".into(),
        description: String::new(),
        topics: Vec::new(),
        cards,
    }
}

fn rating_for(rng: &mut Rng, recall: f32) -> Rating {
    if rng.unit() >= recall {
        return Rating::Again;
    }
    match rng.below(10) {
        0 => Rating::Hard,
        1 => Rating::Easy,
        _ => Rating::Good,
    }
}

/// Simulates `n` answers starting at `start`; returns (time, rating, before, after) per answer.
fn simulate(
    store: &Store,
    rng: &mut Rng,
    start: i64,
    n: usize,
) -> Vec<(i64, Rating, CardState, CardState)> {
    let sched = store.scheduler();
    let clock = store.clock();
    let mut st = CardState::default();
    let mut t = start;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let recall = if st.is_new() {
            0.7
        } else {
            sched.retrievability(&st, t)
        };
        let rating = rating_for(rng, recall);
        let after = sched.next(&st, rating, t, &clock);
        out.push((t, rating, st, after));
        st = after;
        // Answer when due, give or take a little.
        t = st.due.max(t + 1000) + rng.below(3_600_000) as i64;
    }
    out
}

impl Store {
    /// Writes a generated collection into an empty store and returns its cards.
    pub fn generate(&mut self, spec: &GenSpec) -> Result<Deck> {
        let deck = generated_deck(spec.cards);
        let mut rng = Rng(spec.seed | 1);
        let per_card = spec.reviews / spec.cards.max(1);
        let extra = spec.reviews % spec.cards.max(1);
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        // Simulate first (needs &self), then write everything in one transaction.
        let mut histories = Vec::with_capacity(deck.cards.len());
        for (i, card) in deck.cards.iter().enumerate() {
            let n = per_card + usize::from(i < extra);
            let mut probe = Rng(rng.next() | 1);
            let mut replay = Rng(probe.0);
            // Simulate from day 0, then replay the same history shifted by whole days (so day
            // boundaries, and with them every interval, stay the same) to end 1-20 days before now.
            let base = self.clock.day_start(0);
            let end = simulate(self, &mut probe, base, n)
                .last()
                .map(|h| h.0)
                .unwrap_or(base);
            let end_gap = (1 + rng.below(20) as i64) * DAY_MS;
            let shift_days = (spec.now - end_gap - end).div_euclid(DAY_MS);
            let start = base + shift_days * DAY_MS;
            histories.push((card.id.clone(), simulate(self, &mut replay, start, n)));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        for (id, history) in &histories {
            let card = intern_card(&tx, id).map_err(e)?;
            let mut last = None;
            for (t, rating, before, after) in history {
                let duration = 2000 + rng.below(20_000) as i64;
                let review_id = insert_review(
                    &tx,
                    &NewReview {
                        id: None,
                        card,
                        reviewed_at: *t,
                        rating: rating.number(),
                        duration_ms: duration,
                        mode: 0,
                        rescheduled: true,
                        phase_before: before.phase.number(),
                        before_id: last.map(|(_, id)| id),
                        after,
                    },
                )
                .map_err(e)?;
                last = Some((*after, review_id));
            }
            if let Some((st, review_id)) = last {
                write_state(&tx, id, &st, review_id).map_err(e)?;
            }
        }
        tx.commit().map_err(e)?;
        Ok(deck)
    }
}

/// Creates a store at `path` holding a generated collection; returns the store and its cards.
pub fn generate_collection(path: &Path, spec: &GenSpec) -> Result<(Store, Deck)> {
    let mut store = Store::open_path(path)?;
    let deck = store.generate(spec)?;
    Ok((store, deck))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_collection_is_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let spec = GenSpec {
            cards: 40,
            reviews: 410,
            now: 1_780_000_000_000,
            seed: 7,
        };
        let (mut store, deck) = generate_collection(&dir.path().join("g.sqlite3"), &spec).unwrap();
        assert_eq!(deck.cards.len(), 40);
        assert_eq!(store.review_count().unwrap(), 410);
        let progress = store.load_progress().unwrap();
        assert_eq!(progress.len(), 40);
        let rebuilt = store.rebuild().unwrap();
        assert_eq!(rebuilt.corrected, 0);
        assert!(
            progress
                .values()
                .all(|p| p.state.last_review.is_some_and(|t| t <= spec.now))
        );
    }
}
