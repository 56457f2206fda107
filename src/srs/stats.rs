//! Statistics over the decks' cards and their progress: per-topic counts, states, forecast,
//! retention, predicted recall, streak, leeches. Pure: the store supplies the data.

use std::collections::BTreeMap;

use serde::Serialize;

use super::clock::{Date, DayClock};
use super::fxhash::FxHashMap;
use super::queue::{CardRef, ProgressLookup};
use super::scheduler::{LEECH_LAPSES, Phase, Scheduler};
use crate::deck::model::topic_title;

/// Counts for the topic picker and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TopicCounts {
    pub topic: String,
    pub title: String,
    /// Review cards due today (suspended and buried left out).
    pub due: u32,
    /// Cards never answered (not limited by the daily new-card limit).
    pub new: u32,
    /// Cards in (re)learning.
    pub learning: u32,
    pub total: u32,
}

/// Cards by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct StateCounts {
    pub new: u32,
    pub learning: u32,
    pub review: u32,
    pub relearning: u32,
    pub suspended: u32,
    pub buried: u32,
    pub leeches: u32,
}

/// A count on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub date: Date,
    pub count: u32,
}

/// One topic's answers, and its true retention: the passed share of answers to cards with an
/// interval of 1 day or more (`reviews` of them, `passed` passed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRetention {
    pub topic: String,
    pub title: String,
    /// Every answer to the topic's cards, in any mode and phase.
    pub answers: u32,
    pub reviews: u32,
    pub passed: u32,
    pub retention: Option<f32>,
}

/// Mean predicted probability of recall of one topic's answered cards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRecall {
    pub topic: String,
    pub title: String,
    pub cards_seen: u32,
    pub predicted_recall: Option<f32>,
}

/// A card forgotten 8 times or more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leech {
    pub card_id: String,
    pub topic: String,
    pub lapses: u32,
}

/// Topic order: the model's topic list, then declared topics, then others alphabetically.
fn topic_rank(topic: &str) -> (usize, String) {
    crate::deck::model::topic_order(topic)
}

/// Topics and their values in topic order. Aggregates are keyed by the borrowed topic, so
/// counting 100,000 cards allocates nothing per card.
fn sorted_topics<T>(map: FxHashMap<&str, T>) -> Vec<(String, T)> {
    let mut v: Vec<(String, T)> = map.into_iter().map(|(t, x)| (t.to_string(), x)).collect();
    v.sort_by_key(|(t, _)| topic_rank(t));
    v
}

/// Per-topic due / new / learning / total counts.
pub fn topic_counts<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
    clock: &DayClock,
    now: i64,
) -> Vec<TopicCounts> {
    let today = clock.day(now);
    let mut map: FxHashMap<&str, TopicCounts> = FxHashMap::default();
    for card in cards {
        let c = map.entry(card.topic).or_insert_with(|| TopicCounts {
            topic: card.topic.to_string(),
            title: topic_title(card.topic).to_string(),
            ..Default::default()
        });
        c.total += 1;
        let p = progress.progress(card.id).copied().unwrap_or_default();
        if p.hidden(today) {
            continue;
        }
        match p.state.phase {
            Phase::New => c.new += 1,
            Phase::Learning | Phase::Relearning => c.learning += 1,
            Phase::Review => {
                if clock.day(p.state.due) <= today {
                    c.due += 1;
                }
            }
        }
    }
    sorted_topics(map).into_iter().map(|(_, c)| c).collect()
}

/// Cards of the decks by state.
pub fn state_counts<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
    clock: &DayClock,
    now: i64,
) -> StateCounts {
    let today = clock.day(now);
    let mut s = StateCounts::default();
    for card in cards {
        let p = progress.progress(card.id).copied().unwrap_or_default();
        if p.suspended {
            s.suspended += 1;
        } else if p.hidden(today) {
            s.buried += 1;
        }
        if p.state.lapses >= LEECH_LAPSES {
            s.leeches += 1;
        }
        match p.state.phase {
            Phase::New => s.new += 1,
            Phase::Learning => s.learning += 1,
            Phase::Review => s.review += 1,
            Phase::Relearning => s.relearning += 1,
        }
    }
    s
}

/// Cards due on each of the next `days` days (overdue cards count for today).
pub fn due_forecast<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
    clock: &DayClock,
    now: i64,
    days: u32,
) -> Vec<DayCount> {
    let today = clock.day(now);
    let mut counts = vec![0u32; days as usize];
    for card in cards {
        let Some(p) = progress.progress(card.id) else {
            continue;
        };
        if p.suspended || p.state.phase == Phase::New {
            continue;
        }
        let mut day = clock.day(p.state.due).max(today);
        if let Some(b) = p.buried_until {
            day = day.max(b);
        }
        if let Some(c) = counts.get_mut((day - today) as usize) {
            *c += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| DayCount {
            date: Date::from_day_number(today + i as i64),
            count,
        })
        .collect()
}

/// Mean retrievability now of each topic's answered cards.
pub fn predicted_recall<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
    scheduler: &Scheduler,
    now: i64,
) -> Vec<TopicRecall> {
    let mut map: FxHashMap<&str, (u32, f64)> = FxHashMap::default();
    for card in cards {
        let e = map.entry(card.topic).or_default();
        if let Some(p) = progress
            .progress(card.id)
            .filter(|p| !p.state.is_new() && !p.suspended)
        {
            e.0 += 1;
            e.1 += f64::from(scheduler.retrievability(&p.state, now));
        }
    }
    sorted_topics(map)
        .into_iter()
        .map(|(topic, (n, sum))| TopicRecall {
            title: topic_title(&topic).to_string(),
            topic,
            cards_seen: n,
            predicted_recall: (n > 0).then(|| (sum / f64::from(n)) as f32),
        })
        .collect()
}

/// Retention per topic from per-card (answers, passed) counts of mature answers.
pub fn retention_by_topic<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    per_card: impl Fn(&str) -> Option<CardAnswers>,
) -> Vec<TopicRetention> {
    let mut map: FxHashMap<&str, CardAnswers> = FxHashMap::default();
    for card in cards {
        let e = map.entry(card.topic).or_default();
        if let Some(c) = per_card(card.id) {
            e.answers += c.answers;
            e.mature += c.mature;
            e.passed += c.passed;
        }
    }
    sorted_topics(map)
        .into_iter()
        .map(|(topic, c)| (topic, c.answers, c.mature, c.passed))
        .map(|(topic, answers, reviews, passed)| TopicRetention {
            title: topic_title(&topic).to_string(),
            topic,
            answers,
            reviews,
            passed,
            retention: (reviews > 0).then(|| passed as f32 / reviews as f32),
        })
        .collect()
}

/// One card's answer counts: all of them, those given in review (interval of 1 day or more),
/// and those of the latter that passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardAnswers {
    pub answers: u32,
    pub mature: u32,
    pub passed: u32,
}

/// Values kept position by position for a list of cards (the store reads the progress and the
/// answer counts of every card of the decks into one): looking up a card of that list in the
/// list's order, as every statistic walks it, follows the list and costs no hashing; any other
/// id is found through `positions`.
#[derive(Debug)]
pub struct CardTable<'l, 'a, T> {
    cards: &'l [CardRef<'a>],
    values: &'l [T],
    positions: &'l FxHashMap<&'a str, u32>,
    next: std::cell::Cell<usize>,
}

impl<'l, 'a, T> CardTable<'l, 'a, T> {
    /// `values[i]` belongs to `cards[i]`; `positions` maps each id to a position holding it.
    pub fn new(
        cards: &'l [CardRef<'a>],
        values: &'l [T],
        positions: &'l FxHashMap<&'a str, u32>,
    ) -> Self {
        debug_assert_eq!(cards.len(), values.len());
        CardTable {
            cards,
            values,
            positions,
            next: std::cell::Cell::new(0),
        }
    }

    /// The value of card `id`.
    pub fn get(&self, id: &str) -> Option<&'l T> {
        let next = self.next.get();
        for i in [next, 0] {
            // The same string (address and length) as the list's card: no need to compare text.
            if self.cards.get(i).is_some_and(|c| std::ptr::eq(c.id, id)) {
                self.next.set(i + 1);
                return self.values.get(i);
            }
        }
        let i = *self.positions.get(id)? as usize;
        self.values.get(i)
    }
}

impl ProgressLookup for CardTable<'_, '_, super::queue::CardProgress> {
    fn progress(&self, id: &str) -> Option<&super::queue::CardProgress> {
        self.get(id)
    }
}

/// Each card's position in `cards` (a repeated id: its first position), and the positions
/// that repeat an earlier card's id, with that card's position.
pub fn card_positions<'a>(cards: &[CardRef<'a>]) -> (FxHashMap<&'a str, u32>, Vec<(usize, usize)>) {
    let mut positions = FxHashMap::with_capacity_and_hasher(cards.len(), Default::default());
    let mut repeats = Vec::new();
    for (i, c) in cards.iter().enumerate() {
        let at = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(&first) = positions.get(c.id) {
            repeats.push((i, first as usize));
        } else {
            positions.insert(c.id, at);
        }
    }
    (positions, repeats)
}

/// Leeches among the decks' cards, most lapses first.
pub fn leeches<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
) -> Vec<Leech> {
    let mut v: Vec<Leech> = cards
        .into_iter()
        .filter_map(|c| {
            let p = progress.progress(c.id)?;
            (p.state.lapses >= LEECH_LAPSES).then(|| Leech {
                card_id: c.id.to_string(),
                topic: c.topic.to_string(),
                lapses: p.state.lapses,
            })
        })
        .collect();
    v.sort_by(|a, b| b.lapses.cmp(&a.lapses).then(a.card_id.cmp(&b.card_id)));
    v
}

/// Days in a row with at least one answer, ending today (or yesterday when nothing was
/// answered yet today). `days` holds day numbers with answers.
pub fn streak(days: &BTreeMap<i64, u32>, today: i64) -> u32 {
    let mut day = if days.contains_key(&today) {
        today
    } else {
        today - 1
    };
    let mut n = 0;
    while days.get(&day).is_some_and(|c| *c > 0) {
        n += 1;
        day -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::queue::CardProgress;
    use crate::srs::scheduler::CardState;
    use std::collections::HashMap;

    #[test]
    fn streak_counts_back_from_today_or_yesterday() {
        let days: BTreeMap<i64, u32> = [(10, 3), (11, 1), (12, 5), (14, 2)].into_iter().collect();
        assert_eq!(streak(&days, 14), 1);
        assert_eq!(streak(&days, 13), 3);
        assert_eq!(streak(&days, 15), 1);
        assert_eq!(streak(&days, 16), 0);
    }

    #[test]
    fn counts_per_topic_and_forecast() {
        let clock = DayClock::default();
        let now = 100 * DAY_MS + 12 * 3_600_000;
        let cards = [("a", "kms"), ("b", "kms"), ("c", "sts"), ("d", "sts")];
        let refs: Vec<CardRef> = cards
            .iter()
            .map(|(id, topic)| CardRef { id, topic })
            .collect();
        let mut progress = HashMap::new();
        let rev = |due| CardState {
            phase: Phase::Review,
            stability: 3.0,
            difficulty: 5.0,
            due,
            last_review: Some(due - 3 * DAY_MS),
            interval_days: 3,
            reps: 2,
            ..Default::default()
        };
        progress.insert(
            "a".to_string(),
            CardProgress {
                state: rev(now - DAY_MS),
                ..Default::default()
            },
        );
        progress.insert(
            "b".to_string(),
            CardProgress {
                state: rev(now + 2 * DAY_MS),
                ..Default::default()
            },
        );
        progress.insert(
            "c".to_string(),
            CardProgress {
                state: rev(now),
                suspended: true,
                buried_until: None,
            },
        );
        let t = topic_counts(refs.iter().copied(), &progress, &clock, now);
        assert_eq!(
            t[0],
            TopicCounts {
                topic: "sts".into(),
                title: topic_title("sts").into(),
                due: 0,
                new: 1,
                learning: 0,
                total: 2
            }
        );
        assert_eq!(t[1].topic, "kms");
        assert_eq!((t[1].due, t[1].new, t[1].total), (1, 0, 2));
        let f = due_forecast(refs.iter().copied(), &progress, &clock, now, 30);
        assert_eq!(f.len(), 30);
        assert_eq!((f[0].count, f[1].count, f[2].count), (1, 0, 1));
        let s = state_counts(refs.iter().copied(), &progress, &clock, now);
        assert_eq!((s.new, s.review, s.suspended), (1, 3, 1));
    }
}
