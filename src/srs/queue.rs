//! Building today's queue and the cram queue from the decks' cards and the stored progress.

use std::collections::HashMap;
use std::sync::Arc;

use super::clock::DayClock;
use super::fxhash::FxHashMap;
use super::scheduler::{CardState, Scheduler};

/// Default daily limit of new cards.
pub const DEFAULT_NEW_LIMIT: u32 = 20;
/// Default daily limit of review cards.
pub const DEFAULT_REVIEW_LIMIT: u32 = 200;

/// What the store knows about one card.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CardProgress {
    pub state: CardState,
    pub suspended: bool,
    /// Hidden until this day number (exclusive of later days: visible again on `buried_until`).
    pub buried_until: Option<i64>,
}

impl CardProgress {
    /// Suspended, or buried for `today`.
    pub fn hidden(&self, today: i64) -> bool {
        self.suspended || self.buried_until.is_some_and(|d| d > today)
    }
}

/// What the store knows about cards, by id: a map owned (`HashMap<String, _>`) or one that
/// borrows the ids of the loaded decks (`FxHashMap<&str, _>`, built without a copy per card).
pub trait ProgressLookup {
    /// The progress of card `id` (`None`: never answered, no flags).
    fn progress(&self, id: &str) -> Option<&CardProgress>;
}

impl<S: std::hash::BuildHasher> ProgressLookup for HashMap<String, CardProgress, S> {
    fn progress(&self, id: &str) -> Option<&CardProgress> {
        self.get(id)
    }
}

impl<S: std::hash::BuildHasher> ProgressLookup for HashMap<&str, CardProgress, S> {
    fn progress(&self, id: &str) -> Option<&CardProgress> {
        self.get(id)
    }
}

/// The progress of a list of cards, looked up once per card: a lookup of the cards in the
/// order of their list (as each statistic and queue walks them) follows the list and costs
/// no hashing; any other id is looked up in the map.
pub struct ListProgress<'l, 'a> {
    cards: &'l [CardRef<'a>],
    found: Vec<Option<&'l CardProgress>>,
    next: std::cell::Cell<usize>,
    map: &'l FxHashMap<&'a str, CardProgress>,
}

impl<'l, 'a> ListProgress<'l, 'a> {
    pub fn new(cards: &'l [CardRef<'a>], map: &'l FxHashMap<&'a str, CardProgress>) -> Self {
        ListProgress {
            cards,
            found: cards.iter().map(|c| map.get(c.id)).collect(),
            next: std::cell::Cell::new(0),
            map,
        }
    }
}

impl ProgressLookup for ListProgress<'_, '_> {
    fn progress(&self, id: &str) -> Option<&CardProgress> {
        let next = self.next.get();
        for i in [next, 0] {
            // The same string (address and length) as the list's card: no need to compare text.
            if self.cards.get(i).is_some_and(|c| std::ptr::eq(c.id, id)) {
                self.next.set(i + 1);
                return self.found[i];
            }
        }
        self.map.get(id)
    }
}

/// The progress of a list of cards held in the list's order (see `Store::progress_list`): a
/// lookup that walks the list in order takes each card's progress by position, with no
/// hashing; any other id is looked up in a map built on first need.
pub struct AlignedProgress<'l, 'a> {
    cards: &'l [CardRef<'a>],
    list: &'l [CardProgress],
    next: std::cell::Cell<usize>,
    by_id: std::cell::OnceCell<FxHashMap<&'a str, usize>>,
}

impl<'l, 'a> AlignedProgress<'l, 'a> {
    /// `list[i]` is the progress of `cards[i]`.
    pub fn new(cards: &'l [CardRef<'a>], list: &'l [CardProgress]) -> Self {
        assert_eq!(cards.len(), list.len(), "one progress per card");
        AlignedProgress {
            cards,
            list,
            next: std::cell::Cell::new(0),
            by_id: std::cell::OnceCell::new(),
        }
    }
}

impl ProgressLookup for AlignedProgress<'_, '_> {
    fn progress(&self, id: &str) -> Option<&CardProgress> {
        let next = self.next.get();
        for i in [next, 0] {
            // The same string (address and length) as the list's card: no need to compare text.
            if self.cards.get(i).is_some_and(|c| std::ptr::eq(c.id, id)) {
                self.next.set(i + 1);
                return self.list.get(i);
            }
        }
        let by_id = self.by_id.get_or_init(|| {
            let mut map = FxHashMap::default();
            for (i, c) in self.cards.iter().enumerate() {
                map.entry(c.id).or_insert(i);
            }
            map
        });
        by_id.get(id).and_then(|&i| self.list.get(i))
    }
}

/// A card as the queue sees it: its id and topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardRef<'a> {
    pub id: &'a str,
    pub topic: &'a str,
}

impl<'a> From<&'a crate::deck::model::Card> for CardRef<'a> {
    fn from(c: &'a crate::deck::model::Card) -> Self {
        CardRef {
            id: &c.id,
            topic: &c.topic,
        }
    }
}

/// Limits and filters of a review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueOptions {
    pub new_limit: u32,
    pub review_limit: u32,
    /// Only these topics (empty: all).
    pub topics: Vec<String>,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            new_limit: DEFAULT_NEW_LIMIT,
            review_limit: DEFAULT_REVIEW_LIMIT,
            topics: Vec::new(),
        }
    }
}

/// What was already done today (counts against the daily limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DoneToday {
    /// New cards answered for the first time today.
    pub new: u32,
    /// Review-phase cards answered today.
    pub reviews: u32,
}

/// A queue ready for a session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Queue {
    /// Reviews and new cards, interleaved, in the order they are shown.
    pub main: Vec<Arc<str>>,
    /// Learning cards of today with the instant each is due.
    pub learning: Vec<(i64, Arc<str>)>,
    /// States of every queued card.
    pub states: FxHashMap<Arc<str>, CardState>,
}

/// Whether a topic passes a filter (an empty filter passes everything).
pub fn topic_selected(topics: &[String], topic: &str) -> bool {
    topics.is_empty() || topics.iter().any(|t| t == topic)
}

/// How a card stands today, as far as the queue is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing {
    /// Never answered.
    New,
    /// In learning or review and due by the end of today.
    Due(CardState),
    /// Answered and not due today.
    NotDue,
    /// Suspended, or buried for today.
    Hidden,
}

/// The standing of a card from its full progress (`None`: never answered).
pub fn standing(progress: Option<&CardProgress>, clock: &DayClock, today: i64) -> Standing {
    match progress {
        None => Standing::New,
        Some(p) if p.hidden(today) => Standing::Hidden,
        Some(p) if p.state.is_new() => Standing::New,
        Some(p) if clock.day(p.state.due) <= today => Standing::Due(p.state),
        Some(_) => Standing::NotDue,
    }
}

/// Today's queue: learning cards due today; review cards due today, least recallable first,
/// up to the review limit; new cards in deck order up to the new limit; reviews and new cards
/// interleaved evenly. Suspended and buried cards are left out. `standing` tells how each card
/// stands (see [`standing`]); the store answers it from an index instead of loading every card.
pub fn build_review_queue<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    standing: impl Fn(&str) -> Standing,
    options: &QueueOptions,
    done: DoneToday,
    scheduler: &Scheduler,
    now: i64,
) -> Queue {
    let new_room = options.new_limit.saturating_sub(done.new) as usize;
    let review_room = options.review_limit.saturating_sub(done.reviews) as usize;
    let mut reviews: Vec<(f32, i64, &'a str, CardState)> = Vec::new();
    let mut new: Vec<&'a str> = Vec::new();
    let mut learning: Vec<(i64, &'a str, CardState)> = Vec::new();
    let mut seen: std::collections::HashSet<&str, super::fxhash::FxBuildHasher> =
        Default::default();
    for card in cards {
        if !topic_selected(&options.topics, card.topic) {
            continue;
        }
        // Ids are unique in a library; `seen` guards other sources at the cost of a set insert
        // only for cards that enter the queue.
        match standing(card.id) {
            Standing::New => {
                if new.len() < new_room && seen.insert(card.id) {
                    new.push(card.id);
                }
            }
            Standing::Due(st) if st.phase.is_learning() => {
                if seen.insert(card.id) {
                    learning.push((st.due, card.id, st));
                }
            }
            Standing::Due(st) => {
                if seen.insert(card.id) {
                    reviews.push((scheduler.retrievability(&st, now), st.due, card.id, st));
                }
            }
            Standing::NotDue | Standing::Hidden => {}
        }
    }
    reviews.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    reviews.truncate(review_room);
    let mut q = Queue::default();
    let intern = |id: &str, st: CardState, states: &mut FxHashMap<Arc<str>, CardState>| {
        let id: Arc<str> = Arc::from(id);
        states.insert(id.clone(), st);
        id
    };
    let (r, n) = (reviews.len(), new.len());
    let total = r + n;
    let (mut ri, mut ni) = (0, 0);
    for i in 0..total {
        let want_new = (i + 1) * n / total.max(1);
        if ri >= r || (ni < want_new && ni < n) {
            let id = intern(new[ni], CardState::default(), &mut q.states);
            q.main.push(id);
            ni += 1;
        } else {
            let id = intern(reviews[ri].2, reviews[ri].3, &mut q.states);
            q.main.push(id);
            ri += 1;
        }
    }
    learning.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    for (due, id, st) in learning {
        let id = intern(id, st, &mut q.states);
        q.learning.push((due, id));
    }
    q
}

/// The cram queue: every card of the chosen topics that is not suspended, regardless of due
/// date, least recallable first (never-seen cards count as 0 and keep deck order).
pub fn build_cram_queue<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &HashMap<String, CardProgress>,
    topics: &[String],
    scheduler: &Scheduler,
    now: i64,
) -> Queue {
    let mut all: Vec<(f32, usize, &'a str, CardState)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, card) in cards.into_iter().enumerate() {
        if !topic_selected(topics, card.topic) || !seen.insert(card.id) {
            continue;
        }
        let p = progress.get(card.id).copied().unwrap_or_default();
        if p.suspended {
            continue;
        }
        all.push((scheduler.retrievability(&p.state, now), i, card.id, p.state));
    }
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut q = Queue::default();
    for (_, _, id, st) in all {
        let id: Arc<str> = Arc::from(id);
        q.states.insert(id.clone(), st);
        q.main.push(id);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_progress_answers_as_the_map_in_any_order() {
        let ids: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        let cards: Vec<CardRef<'_>> = ids.iter().map(|id| CardRef { id, topic: "kms" }).collect();
        let mut map: FxHashMap<&str, CardProgress> = FxHashMap::default();
        for (i, c) in cards.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
            let mut p = CardProgress::default();
            p.state.reps = i as u32 + 1;
            map.insert(c.id, p);
        }
        let list = ListProgress::new(&cards, &map);
        // In order twice (as two statistics walk the cards), backwards, and with ids that are
        // equal text but other strings.
        let order: Vec<usize> = (0..6).chain(0..6).chain((0..6).rev()).collect();
        for i in order {
            assert_eq!(list.progress(cards[i].id), map.get(cards[i].id), "{i}");
            let copy = ids[i].clone();
            assert_eq!(list.progress(&copy), map.get(copy.as_str()), "{i}");
        }
        assert_eq!(list.progress("none"), None);
    }
    #[test]
    fn aligned_progress_answers_by_position_or_by_id() {
        let ids: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        let cards: Vec<CardRef<'_>> = ids.iter().map(|id| CardRef { id, topic: "kms" }).collect();
        let list: Vec<CardProgress> = (0..6)
            .map(|i| {
                let mut p = CardProgress::default();
                p.state.reps = i + 1;
                p
            })
            .collect();
        let aligned = AlignedProgress::new(&cards, &list);
        let order: Vec<usize> = (0..6).chain(0..6).chain((0..6).rev()).collect();
        for i in order {
            assert_eq!(aligned.progress(cards[i].id), Some(&list[i]), "{i}");
            let copy = ids[i].clone();
            assert_eq!(aligned.progress(&copy), Some(&list[i]), "{i}");
        }
        assert_eq!(aligned.progress("none"), None);
    }

    use crate::srs::clock::DAY_MS;
    use crate::srs::scheduler::{Phase, SchedulerConfig};
    use proptest::prelude::*;

    const NOW: i64 = 1_780_000_000_000;

    fn review_state(due: i64, stability: f32) -> CardState {
        CardState {
            phase: Phase::Review,
            stability,
            difficulty: 5.0,
            due,
            last_review: Some(due - DAY_MS * 3),
            step: 0,
            interval_days: 3,
            reps: 3,
            lapses: 0,
        }
    }

    fn deck(n: usize, topics: &[&str]) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("c{i:04}"), topics[i % topics.len()].to_string()))
            .collect()
    }

    fn refs(d: &[(String, String)]) -> Vec<CardRef<'_>> {
        d.iter().map(|(id, topic)| CardRef { id, topic }).collect()
    }

    #[test]
    fn least_recallable_reviews_come_first_and_new_cards_interleave() {
        let s = Scheduler::new(SchedulerConfig::default()).unwrap();
        let clock = DayClock::default();
        let d = deck(6, &["kms"]);
        let mut progress: HashMap<String, CardProgress> = HashMap::new();
        progress.insert(
            "c0000".into(),
            CardProgress {
                state: review_state(NOW - DAY_MS, 30.0),
                ..Default::default()
            },
        );
        progress.insert(
            "c0001".into(),
            CardProgress {
                state: review_state(NOW - DAY_MS, 1.0),
                ..Default::default()
            },
        );
        progress.insert(
            "c0002".into(),
            CardProgress {
                state: review_state(NOW + 5 * DAY_MS, 1.0),
                ..Default::default()
            },
        );
        progress.insert(
            "c0003".into(),
            CardProgress {
                state: review_state(NOW - DAY_MS, 1.0),
                suspended: true,
                buried_until: None,
            },
        );
        let today = clock.day(NOW);
        let st = |id: &str| standing(progress.get(id), &clock, today);
        let q = build_review_queue(
            refs(&d),
            st,
            &QueueOptions::default(),
            DoneToday::default(),
            &s,
            NOW,
        );
        let ids: Vec<&str> = q.main.iter().map(|s| &**s).collect();
        assert_eq!(ids, ["c0001", "c0004", "c0000", "c0005"]);
    }

    proptest! {
        #[test]
        fn queues_respect_limits_and_filters(
            n in 0usize..120,
            seen_mask in prop::collection::vec(any::<bool>(), 120),
            new_limit in 0u32..30,
            review_limit in 0u32..30,
            done_new in 0u32..25,
            done_rev in 0u32..25,
            filter in prop::sample::subsequence(vec!["kms", "sts", "mfa"], 0..3),
        ) {
            let s = Scheduler::new(SchedulerConfig::default()).unwrap();
            let clock = DayClock::default();
            let d = deck(n, &["kms", "sts", "mfa", "cloudtrail"]);
            let mut progress = HashMap::new();
            for (i, (id, _)) in d.iter().enumerate() {
                if seen_mask[i] {
                    progress.insert(id.clone(), CardProgress { state: review_state(NOW - (i as i64) * 1000, 2.0), ..Default::default() });
                }
            }
            let topics: Vec<String> = filter.iter().map(|s| s.to_string()).collect();
            let opts = QueueOptions { new_limit, review_limit, topics: topics.clone() };
            let done = DoneToday { new: done_new, reviews: done_rev };
            let today = clock.day(NOW);
            let st = |id: &str| standing(progress.get(id), &clock, today);
            let q = build_review_queue(refs(&d), st, &opts, done, &s, NOW);
            let topic_of: HashMap<&str, &str> = d.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let new_count = q.main.iter().filter(|id| q.states[*id].is_new()).count() as u32;
            let rev_count = q.main.len() as u32 - new_count;
            prop_assert!(new_count <= new_limit.saturating_sub(done_new));
            prop_assert!(rev_count <= review_limit.saturating_sub(done_rev));
            for id in &q.main {
                prop_assert!(topic_selected(&topics, topic_of[&**id]));
            }
            // Fills up to the limits when cards are available.
            let avail_new = d.iter().enumerate().filter(|(i, (_, t))| !seen_mask[*i] && topic_selected(&topics, t)).count() as u32;
            prop_assert_eq!(new_count, avail_new.min(new_limit.saturating_sub(done_new)));
        }

        #[test]
        fn cram_ignores_due_dates(n in 1usize..60, due_offsets in prop::collection::vec(-30i64..300, 60)) {
            let s = Scheduler::new(SchedulerConfig::default()).unwrap();
            let d = deck(n, &["kms", "sts"]);
            let mut progress = HashMap::new();
            for (i, (id, _)) in d.iter().enumerate() {
                if i % 3 != 0 {
                    let st = review_state(NOW + due_offsets[i] * DAY_MS, 1.0 + i as f32);
                    progress.insert(id.clone(), CardProgress { state: st, ..Default::default() });
                }
            }
            let topics = vec!["kms".to_string()];
            let q = build_cram_queue(refs(&d), &progress, &topics, &s, NOW);
            let expected = d.iter().filter(|(_, t)| t == "kms").count();
            prop_assert_eq!(q.main.len(), expected);
            let rs: Vec<f32> = q.main.iter().map(|id| s.retrievability(&q.states[id], NOW)).collect();
            for w in rs.windows(2) {
                prop_assert!(w[0] <= w[1]);
            }
        }
    }
}
