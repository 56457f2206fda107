//! The interview plan: predicted recall per topic on the interview date and the reviews a day
//! needed to bring every card to the target retention by then.
//!
//! The estimate simulates each card forward with FSRS, assuming every answer is Good: a new card
//! takes its learning steps, then each card is reviewed whenever it falls due before the
//! interview, and once more on the eve of the interview if its predicted recall on the day would
//! still be below the target.

use std::collections::HashMap;

use serde::Serialize;

use super::clock::{DAY_MS, Date, DayClock};
use super::queue::{CardRef, ProgressLookup};
use super::scheduler::{CardState, Phase, Rating, Scheduler};
use crate::deck::model::topic_title;

/// The plan for one topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicPlan {
    pub topic: String,
    pub title: String,
    pub cards: u32,
    /// Mean predicted recall on the interview date without further study (new cards count 0).
    pub predicted_recall: f32,
    /// Cards whose predicted recall on the date is below the target.
    pub below_target: u32,
    /// Reviews needed from now to the interview.
    pub reviews_needed: u32,
    pub reviews_per_day: f32,
}

/// The interview plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub interview_date: Date,
    /// Study days left, today included (0 when the date is today or past).
    pub days_left: u32,
    pub target: f32,
    pub topics: Vec<TopicPlan>,
    pub reviews_needed: u32,
    pub reviews_per_day: f32,
}

const MAX_SIMULATED_REVIEWS: u32 = 64;

/// Reviews one card needs before `at` to be recalled with probability `target` at `at`.
fn reviews_needed(
    st: CardState,
    scheduler: &Scheduler,
    clock: &DayClock,
    now: i64,
    at: i64,
    target: f32,
) -> u32 {
    let mut st = st;
    let mut t = now;
    let mut n = 0;
    if st.phase == Phase::New {
        if at <= now {
            return 0;
        }
        // Learning steps: Good until the card graduates.
        while st.phase != Phase::Review && n < MAX_SIMULATED_REVIEWS {
            st = scheduler.next(&st, Rating::Good, t, clock);
            t = st.due.max(t);
            n += 1;
        }
    }
    while n < MAX_SIMULATED_REVIEWS {
        if scheduler.retrievability(&st, at) >= target && !st.phase.is_learning() {
            break;
        }
        let when = st.due.max(now);
        if when >= at {
            // Not due before the interview but too weak on the day: review on the eve.
            let eve = (at - DAY_MS).max(now);
            if eve >= at {
                break;
            }
            st = scheduler.next(&st, Rating::Good, eve, clock);
            n += 1;
            if st.phase.is_learning() {
                continue;
            }
            break;
        }
        st = scheduler.next(&st, Rating::Good, when, clock);
        n += 1;
    }
    n
}

/// Builds the plan for `date` over the decks' cards (suspended cards left out).
pub fn plan<'a>(
    cards: impl IntoIterator<Item = CardRef<'a>>,
    progress: &impl ProgressLookup,
    scheduler: &Scheduler,
    clock: &DayClock,
    now: i64,
    date: Date,
) -> Plan {
    let target = scheduler.config().desired_retention;
    let interview_day = date.day_number();
    let at = clock.day_start(interview_day);
    let days_left = u32::try_from((interview_day - clock.day(now)).max(0)).unwrap_or(u32::MAX);
    let mut map: HashMap<&str, (u32, f64, u32, u32)> = HashMap::new();
    for card in cards {
        let p = progress.progress(card.id).copied().unwrap_or_default();
        if p.suspended {
            continue;
        }
        let e = map.entry(card.topic).or_default();
        let r = scheduler.retrievability(&p.state, at);
        e.0 += 1;
        e.1 += f64::from(r);
        if r < target {
            e.2 += 1;
        }
        e.3 += reviews_needed(p.state, scheduler, clock, now, at, target);
    }
    let per_day = |n: u32| {
        if days_left == 0 {
            n as f32
        } else {
            n as f32 / days_left as f32
        }
    };
    let mut topics: Vec<TopicPlan> = map
        .into_iter()
        .map(|(topic, (cards, sum, below, needed))| TopicPlan {
            title: topic_title(topic).to_string(),
            predicted_recall: if cards == 0 {
                0.0
            } else {
                (sum / f64::from(cards)) as f32
            },
            topic: topic.to_string(),
            cards,
            below_target: below,
            reviews_needed: needed,
            reviews_per_day: per_day(needed),
        })
        .collect();
    topics.sort_by_key(|t| crate::deck::model::topic_order(&t.topic));
    let total: u32 = topics.iter().map(|t| t.reviews_needed).sum();
    Plan {
        interview_date: date,
        days_left,
        target,
        topics,
        reviews_needed: total,
        reviews_per_day: per_day(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::queue::CardProgress;
    use crate::srs::scheduler::SchedulerConfig;

    #[test]
    fn new_cards_need_work_and_strong_cards_do_not() {
        let s = Scheduler::new(SchedulerConfig::default()).unwrap();
        let clock = DayClock::default();
        let now = Date::new(2026, 11, 1).unwrap().day_number() * DAY_MS + 10 * 3_600_000;
        let strong = CardState {
            phase: Phase::Review,
            stability: 400.0,
            difficulty: 3.0,
            due: now + 300 * DAY_MS,
            last_review: Some(now - DAY_MS),
            interval_days: 300,
            reps: 6,
            ..Default::default()
        };
        let mut progress = HashMap::new();
        progress.insert(
            "strong".to_string(),
            CardProgress {
                state: strong,
                ..Default::default()
            },
        );
        let cards = [
            CardRef {
                id: "strong",
                topic: "kms",
            },
            CardRef {
                id: "fresh",
                topic: "sts",
            },
        ];
        let p = plan(
            cards,
            &progress,
            &s,
            &clock,
            now,
            Date::new(2026, 11, 15).unwrap(),
        );
        assert_eq!(p.days_left, 14);
        let kms = p.topics.iter().find(|t| t.topic == "kms").unwrap();
        let sts = p.topics.iter().find(|t| t.topic == "sts").unwrap();
        assert_eq!(kms.reviews_needed, 0);
        assert!(kms.predicted_recall > 0.9);
        assert!(sts.reviews_needed >= 3, "{sts:?}");
        assert_eq!(sts.predicted_recall, 0.0);
        assert_eq!(p.reviews_needed, sts.reviews_needed);
        assert!((p.reviews_per_day - p.reviews_needed as f32 / 14.0).abs() < 1e-6);
    }
}
