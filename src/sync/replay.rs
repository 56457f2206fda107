//! The order events are replayed in, and the replay of one card's events with the scheduler.
//!
//! Answers, forgets and "due today" are replayed per card in [`OrderKey`] order (time, then
//! device id, then sequence number). Suspend and bury resolve last-writer-wins in the same
//! order, each on its own: a suspend on one device and a bury on another both stand.

use std::collections::{BTreeMap, BTreeSet};

use super::{DeviceId, Event, EventId, EventKind};
use crate::srs::clock::DayClock;
use crate::srs::scheduler::{CardState, Rating, Scheduler};

/// The position of an event in the merged history: every device sorts the same events the
/// same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderKey {
    pub at: i64,
    pub device: DeviceId,
    pub seq: u64,
}

impl OrderKey {
    pub fn of(device: &DeviceId, event: &Event) -> OrderKey {
        OrderKey {
            at: event.order_at,
            device: device.clone(),
            seq: event.seq,
        }
    }
}

/// A step of a card's schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CardOp {
    /// An answer given at `at`; `reschedules` is false for cram answers that leave the
    /// schedule alone.
    Answer {
        at: i64,
        rating: Rating,
        reschedules: bool,
    },
    /// Reset to new.
    Forget,
    /// Made due at `at` if it was due later.
    DueNow { at: i64 },
}

/// Where a replay starts: the state after the answers before the replayed ones.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StartState {
    pub state: CardState,
    /// Whether `state` is the state after an answer before the replayed ones (false: the card
    /// is new, or was forgotten since).
    pub from_answer: bool,
}

/// The answer a state comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// None: a new card.
    New,
    /// The answer before the replayed ones.
    Start,
    /// The replayed op at this index (an answer).
    Op(usize),
}

/// One replayed answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerOutcome {
    /// The index of the answer in the ops.
    pub op: usize,
    /// The answer the state before it is the state after of.
    pub before: Source,
    pub after: CardState,
    /// Whether it counts for the card's schedule (it reschedules and no forget follows it).
    pub rescheduled: bool,
}

/// What a replay of one card found.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub answers: Vec<AnswerOutcome>,
    /// The state after the start answer when a replayed "due today" changed it.
    pub start_after: Option<CardState>,
    /// The card's state after every op, and the answer it comes from.
    pub state: CardState,
    pub source: Source,
    /// The index of the last forget: the answers before it, also those before the replayed
    /// ones, no longer count for the schedule.
    pub last_forget: Option<usize>,
}

/// Replays one card's ops, sorted by [`OrderKey`], from `start`.
pub fn replay_card(
    start: StartState,
    ops: &[CardOp],
    scheduler: &Scheduler,
    clock: &DayClock,
) -> Replayed {
    let mut state = start.state;
    let mut source = if start.from_answer {
        Source::Start
    } else {
        Source::New
    };
    let mut out = Replayed {
        answers: Vec::new(),
        start_after: None,
        state,
        source,
        last_forget: None,
    };
    for (i, op) in ops.iter().enumerate() {
        match *op {
            CardOp::Answer {
                at,
                rating,
                reschedules,
            } => {
                let before = source;
                if reschedules {
                    state = scheduler.next(&state, rating, at, clock);
                    source = Source::Op(i);
                }
                out.answers.push(AnswerOutcome {
                    op: i,
                    before,
                    after: state,
                    rescheduled: reschedules,
                });
            }
            CardOp::Forget => {
                state = CardState::default();
                source = Source::New;
                out.last_forget = Some(i);
                for a in &mut out.answers {
                    a.rescheduled = false;
                }
            }
            CardOp::DueNow { at } => {
                if source != Source::New && state.due > at {
                    state.due = at;
                    match source {
                        Source::Start => out.start_after = Some(state),
                        Source::Op(k) => {
                            if let Some(a) = out.answers.iter_mut().rev().find(|a| a.op == k) {
                                a.after = state;
                            }
                        }
                        Source::New => {}
                    }
                }
            }
        }
    }
    out.state = state;
    out.source = source;
    out
}

/// A change of a card's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    Suspend,
    Unsuspend,
    /// Buried until the start of this day number.
    Bury(i64),
    Unbury,
}

/// A card's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    pub suspended: bool,
    pub buried_until: Option<i64>,
}

/// The flags after `ops` (sorted by [`OrderKey`]): the last suspend or unsuspend decides
/// `suspended`, the last bury or unbury `buried_until`; a flag no op touches keeps `current`.
pub fn resolve_flags(current: Flags, ops: &[FlagOp]) -> Flags {
    let mut out = current;
    for op in ops {
        match *op {
            FlagOp::Suspend => out.suspended = true,
            FlagOp::Unsuspend => out.suspended = false,
            FlagOp::Bury(day) => out.buried_until = Some(day),
            FlagOp::Unbury => out.buried_until = None,
        }
    }
    out
}

/// A card after replaying every event.
#[derive(Debug, Clone, PartialEq)]
pub struct CardOutcome {
    /// `None`: new (never answered, or forgotten since).
    pub state: Option<CardState>,
    pub flags: Flags,
    /// The answers that count, by event id, with their state after.
    pub answers: Vec<(EventId, CardState, bool)>,
}

/// Replays a whole history from nothing: what any device holds once it has every event. The
/// reference the incremental replay of the store is checked against.
pub fn replay_all(
    events: &BTreeMap<EventId, Event>,
    scheduler: &Scheduler,
    clock: &DayClock,
) -> BTreeMap<String, CardOutcome> {
    let retracted: BTreeSet<EventId> = events
        .iter()
        .filter_map(|(id, e)| match e.kind {
            EventKind::Retract { seq } => Some(EventId {
                device: id.device.clone(),
                seq,
            }),
            _ => None,
        })
        .collect();
    let mut by_card: BTreeMap<&str, Vec<(OrderKey, &EventId, &Event)>> = BTreeMap::new();
    for (id, e) in events {
        if let Some(card) = e.kind.card()
            && !retracted.contains(id)
        {
            by_card
                .entry(card)
                .or_default()
                .push((OrderKey::of(&id.device, e), id, e));
        }
    }
    let mut out = BTreeMap::new();
    for (card, mut list) in by_card {
        list.sort_by(|a, b| a.0.cmp(&b.0));
        let mut ops = Vec::new();
        let mut ids = Vec::new();
        let mut flag_ops = Vec::new();
        for (_, id, e) in &list {
            match &e.kind {
                EventKind::Answer {
                    rating,
                    reschedules,
                    ..
                } => {
                    let Some(rating) = Rating::from_number(i64::from(*rating)) else {
                        continue;
                    };
                    ops.push(CardOp::Answer {
                        at: e.at,
                        rating,
                        reschedules: *reschedules,
                    });
                    ids.push(Some((*id).clone()));
                }
                EventKind::Forget { .. } => {
                    ops.push(CardOp::Forget);
                    ids.push(None);
                }
                EventKind::DueNow { .. } => {
                    ops.push(CardOp::DueNow { at: e.at });
                    ids.push(None);
                }
                EventKind::Suspend { .. } => flag_ops.push(FlagOp::Suspend),
                EventKind::Unsuspend { .. } => flag_ops.push(FlagOp::Unsuspend),
                EventKind::Bury { until_day, .. } => flag_ops.push(FlagOp::Bury(*until_day)),
                EventKind::Unbury { .. } => flag_ops.push(FlagOp::Unbury),
                _ => {}
            }
        }
        let replayed = replay_card(StartState::default(), &ops, scheduler, clock);
        let answers = replayed
            .answers
            .iter()
            .filter_map(|a| Some((ids[a.op].clone()?, a.after, a.rescheduled)))
            .collect();
        out.insert(
            card.to_string(),
            CardOutcome {
                state: (replayed.source != Source::New).then_some(replayed.state),
                flags: resolve_flags(Flags::default(), &flag_ops),
                answers,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::scheduler::SchedulerConfig;

    const T: i64 = 1_780_000_000_000;

    fn scheduler() -> Scheduler {
        Scheduler::new(SchedulerConfig::default()).unwrap()
    }

    fn answer(at: i64, rating: Rating) -> CardOp {
        CardOp::Answer {
            at,
            rating,
            reschedules: true,
        }
    }

    #[test]
    fn a_replay_from_the_middle_equals_a_replay_from_the_start() {
        let s = scheduler();
        let clock = DayClock::default();
        let ops = [
            answer(T, Rating::Good),
            answer(T + DAY_MS, Rating::Good),
            CardOp::DueNow { at: T + 2 * DAY_MS },
            answer(T + 3 * DAY_MS, Rating::Hard),
            CardOp::Answer {
                at: T + 4 * DAY_MS,
                rating: Rating::Again,
                reschedules: false,
            },
            answer(T + 9 * DAY_MS, Rating::Easy),
        ];
        let whole = replay_card(StartState::default(), &ops, &s, &clock);
        for split in 1..ops.len() {
            let head = replay_card(StartState::default(), &ops[..split], &s, &clock);
            let start = StartState {
                state: head.state,
                from_answer: head.source != Source::New,
            };
            let tail = replay_card(start, &ops[split..], &s, &clock);
            assert_eq!(tail.state, whole.state, "split at {split}");
        }
        assert_eq!(whole.source, Source::Op(5));
        // The cram answer leaves the state and points at the answer before it.
        assert_eq!(whole.answers[3].before, Source::Op(3));
        assert!(!whole.answers[3].rescheduled);
        assert_eq!(whole.answers[3].after, whole.answers[2].after);
    }

    #[test]
    fn forget_resets_and_earlier_answers_stop_counting() {
        let s = scheduler();
        let clock = DayClock::default();
        let ops = [
            answer(T, Rating::Easy),
            CardOp::Forget,
            CardOp::DueNow { at: T + 1 },
        ];
        let r = replay_card(StartState::default(), &ops, &s, &clock);
        assert_eq!(r.source, Source::New);
        assert_eq!(r.state, CardState::default());
        assert!(!r.answers[0].rescheduled);
        assert_eq!(r.last_forget, Some(1));
        let ops = [CardOp::Forget, answer(T, Rating::Good)];
        let r = replay_card(StartState::default(), &ops, &s, &clock);
        assert_eq!(r.answers[0].before, Source::New);
        assert!(r.answers[0].rescheduled);
        assert_eq!(
            r.state,
            s.next(&CardState::default(), Rating::Good, T, &clock)
        );
    }

    #[test]
    fn due_now_moves_an_answered_card_and_the_answer_it_comes_from() {
        let s = scheduler();
        let clock = DayClock::default();
        let start = StartState {
            state: s.next(&CardState::default(), Rating::Easy, T, &clock),
            from_answer: true,
        };
        let r = replay_card(start, &[CardOp::DueNow { at: T + 5 }], &s, &clock);
        assert_eq!(r.state.due, T + 5);
        assert_eq!(r.start_after.map(|st| st.due), Some(T + 5));
        // Due already: nothing changes.
        let r = replay_card(
            start,
            &[CardOp::DueNow {
                at: T + 30 * DAY_MS,
            }],
            &s,
            &clock,
        );
        assert_eq!(r.start_after, None);
    }

    #[test]
    fn flags_are_last_writer_wins_each_on_its_own() {
        let f = resolve_flags(
            Flags::default(),
            &[FlagOp::Suspend, FlagOp::Bury(9), FlagOp::Unsuspend],
        );
        assert_eq!(
            f,
            Flags {
                suspended: false,
                buried_until: Some(9)
            }
        );
        let kept = Flags {
            suspended: true,
            buried_until: None,
        };
        assert_eq!(resolve_flags(kept, &[FlagOp::Unbury]), kept);
    }
}
