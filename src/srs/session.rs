//! A review session: which card is shown, what comes next, and how to step back.
//!
//! The session is pure state. Every change that must be stored goes through
//! [`crate::store::Store`] (`answer`, `undo`, `suspend`, `bury`), which commits to the database
//! first and then updates the session, so the next card is only shown once the answer is safe.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::Serialize;

use super::clock::DayClock;
use super::fxhash::FxHashMap;
use super::queue::Queue;
use super::scheduler::{CardState, Phase, Preview, Rating, Scheduler};

/// How far ahead a learning card may be shown early when nothing else is left (as Anki does).
pub const LEARN_AHEAD_MS: i64 = 20 * 60_000;
/// How many steps back undo can go.
pub const UNDO_DEPTH: usize = 50;
/// In cram, a card answered Again comes back after this many other cards.
pub const CRAM_AGAIN_GAP: usize = 3;

/// Which queue a session runs over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SessionKind {
    /// Today's due reviews, learning cards and new cards (optionally limited to topics).
    Review { topics: Vec<String> },
    /// Every card of the topics, least recallable first, regardless of due date. With
    /// `reschedule: false` answers are logged but leave scheduling untouched.
    Cram {
        topics: Vec<String>,
        reschedule: bool,
    },
}

impl SessionKind {
    pub fn topics(&self) -> &[String] {
        match self {
            SessionKind::Review { topics } | SessionKind::Cram { topics, .. } => topics,
        }
    }

    pub fn is_cram(&self) -> bool {
        matches!(self, SessionKind::Cram { .. })
    }

    /// Whether answers change the cards' schedules.
    pub fn reschedules(&self) -> bool {
        match self {
            SessionKind::Review { .. } => true,
            SessionKind::Cram { reschedule, .. } => *reschedule,
        }
    }
}

/// Counts for the progress line of the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SessionProgress {
    /// Answers given in this session (undone ones excluded).
    pub answered: u32,
    /// Cards still to show, by kind (the current card included).
    pub new: u32,
    pub learning: u32,
    pub review: u32,
}

impl SessionProgress {
    pub fn remaining(&self) -> u32 {
        self.new + self.learning + self.review
    }
}

/// Where the current card was taken from, so undo can put it back.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    /// The front of the main queue.
    Main,
    /// This place in the learning list, with the instant it was due.
    Learning(usize, i64),
}

/// Where an answered card went back into the queue.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Requeued {
    No,
    /// Pushed at the end of the learning list.
    Learning,
    /// Inserted at this place in the main queue.
    Main(usize),
}

/// What one step changed, so undo reverses exactly that instead of restoring a copy of the queue.
#[derive(Debug, Clone, PartialEq)]
struct Change {
    /// Where the card of the step had been taken from.
    origin: Option<Origin>,
    /// Its state before the step.
    state: Option<CardState>,
    requeued: Requeued,
    answered: u32,
    ratings: [u32; 4],
    counts: Counts,
}

/// What an undo entry reverts in the store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UndoAction {
    /// Delete this log entry and restore the card's state from it.
    Answer { review_id: i64 },
    /// Restore the card's flags.
    Flags {
        suspended: bool,
        buried_until: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UndoEntry {
    pub(crate) card: Arc<str>,
    pub(crate) action: UndoAction,
    change: Change,
}

/// Cards still to show by kind (the current card included), kept as cards come and go so the
/// progress line costs the same with 100 or 100,000 cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    new: u32,
    learning: u32,
    review: u32,
}

impl Counts {
    fn slot(&mut self, state: Option<&CardState>) -> &mut u32 {
        match state.map(|s| s.phase) {
            Some(Phase::New) | None => &mut self.new,
            Some(Phase::Learning | Phase::Relearning) => &mut self.learning,
            Some(Phase::Review) => &mut self.review,
        }
    }

    fn add(&mut self, state: Option<&CardState>) {
        *self.slot(state) += 1;
    }

    fn remove(&mut self, state: Option<&CardState>) {
        let n = self.slot(state);
        *n = n.saturating_sub(1);
    }
}

/// A review or cram session.
#[derive(Debug, Clone)]
pub struct Session {
    kind: SessionKind,
    main: VecDeque<Arc<str>>,
    learning: Vec<(i64, Arc<str>)>,
    current: Option<Arc<str>>,
    /// Where `current` was taken from.
    origin: Option<Origin>,
    states: FxHashMap<Arc<str>, CardState>,
    undo: VecDeque<UndoEntry>,
    answered: u32,
    /// Answers given in this session by rating (Again, Hard, Good, Easy), undone ones excluded.
    ratings: [u32; 4],
    counts: Counts,
}

impl Session {
    /// A session over a built queue, with its first card chosen at `now`.
    pub fn new(kind: SessionKind, queue: Queue, now: i64) -> Session {
        let mut counts = Counts::default();
        for id in queue
            .main
            .iter()
            .chain(queue.learning.iter().map(|(_, id)| id))
        {
            counts.add(queue.states.get(id));
        }
        let mut s = Session {
            kind,
            main: queue.main.into(),
            learning: queue.learning,
            current: None,
            origin: None,
            states: queue.states,
            undo: VecDeque::new(),
            answered: 0,
            ratings: [0; 4],
            counts,
        };
        s.advance(now);
        s
    }

    pub fn kind(&self) -> &SessionKind {
        &self.kind
    }

    /// The card to show, or `None` when the session is over (or only learning cards due later
    /// are left: see [`Session::next_learning_due`] and [`Session::refresh`]).
    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// The stored state of the current card as of the session's last update.
    pub fn current_state(&self) -> Option<&CardState> {
        self.current.as_ref().and_then(|id| self.states.get(id))
    }

    /// The four buttons with their intervals for the current card.
    pub fn previews(
        &self,
        scheduler: &Scheduler,
        clock: &DayClock,
        now: i64,
    ) -> Option<[Preview; 4]> {
        let st = self.current_state().copied()?;
        if !self.kind.reschedules() {
            // Answers change nothing: show that on every button.
            return Some(Rating::ALL.map(|rating| Preview {
                rating,
                interval_ms: 0,
                label: "-".into(),
            }));
        }
        Some(scheduler.previews(&st, now, clock))
    }

    /// Answers given and cards left, by kind (kept up to date, not counted again).
    pub fn progress(&self) -> SessionProgress {
        SessionProgress {
            answered: self.answered,
            new: self.counts.new,
            learning: self.counts.learning,
            review: self.counts.review,
        }
    }

    /// Answers given in this session by rating: Again, Hard, Good, Easy.
    pub fn ratings(&self) -> [u32; 4] {
        self.ratings
    }

    /// When the next learning card waiting in this session becomes due.
    pub fn next_learning_due(&self) -> Option<i64> {
        self.learning.iter().map(|(due, _)| *due).min()
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// With no current card, pick one again (a learning card may have become due).
    pub fn refresh(&mut self, now: i64) {
        if self.current.is_none() {
            self.advance(now);
        }
    }

    fn advance(&mut self, now: i64) {
        let earliest = |learning: &Vec<(i64, Arc<str>)>, limit: i64| {
            learning
                .iter()
                .enumerate()
                .filter(|(_, (due, _))| *due <= limit)
                .min_by_key(|(_, (due, _))| *due)
                .map(|(i, _)| i)
        };
        let take_learning = |s: &mut Session, i: usize| {
            let (due, id) = s.learning.remove(i);
            s.current = Some(id);
            s.origin = Some(Origin::Learning(i, due));
        };
        if let Some(i) = earliest(&self.learning, now) {
            take_learning(self, i);
        } else if let Some(id) = self.main.pop_front() {
            self.current = Some(id);
            self.origin = Some(Origin::Main);
        } else if let Some(i) = earliest(&self.learning, now.saturating_add(LEARN_AHEAD_MS)) {
            take_learning(self, i);
        } else {
            self.current = None;
            self.origin = None;
        }
    }

    /// Puts the current card back where [`Session::advance`] took it from.
    fn unadvance(&mut self) {
        let (Some(id), Some(origin)) = (self.current.take(), self.origin.take()) else {
            return;
        };
        match origin {
            Origin::Main => self.main.push_front(id),
            Origin::Learning(i, due) => self.learning.insert(i.min(self.learning.len()), (due, id)),
        }
    }

    /// Starts recording a step on the current card (before anything changes).
    fn change(&self, card: &Arc<str>) -> Change {
        Change {
            origin: self.origin,
            state: self.states.get(card).copied(),
            requeued: Requeued::No,
            answered: self.answered,
            ratings: self.ratings,
            counts: self.counts,
        }
    }

    fn push_undo(&mut self, card: Arc<str>, action: UndoAction, change: Change) {
        self.undo.push_back(UndoEntry {
            card,
            action,
            change,
        });
        if self.undo.len() > UNDO_DEPTH {
            self.undo.pop_front();
        }
    }

    /// Records an answer the store has committed as `review_id`, with the card's new state.
    pub(crate) fn answered(&mut self, review_id: i64, rating: Rating, after: CardState, now: i64) {
        let Some(card) = self.current.clone() else {
            return;
        };
        let mut change = self.change(&card);
        self.counts.remove(change.state.as_ref());
        self.answered += 1;
        self.ratings[usize::from(rating.number() - 1)] += 1;
        self.states.insert(card.clone(), after);
        self.current = None;
        self.origin = None;
        match &self.kind {
            SessionKind::Review { .. } => {
                if after.phase.is_learning() {
                    self.learning.push((after.due, card.clone()));
                    self.counts.add(Some(&after));
                    change.requeued = Requeued::Learning;
                }
            }
            SessionKind::Cram { .. } => {
                if rating == Rating::Again {
                    let at = CRAM_AGAIN_GAP.min(self.main.len());
                    self.main.insert(at, card.clone());
                    self.counts.add(Some(&after));
                    change.requeued = Requeued::Main(at);
                }
            }
        }
        self.push_undo(card, UndoAction::Answer { review_id }, change);
        self.advance(now);
    }

    /// Removes the current card from the session after the store suspended or buried it.
    pub(crate) fn removed(&mut self, suspended: bool, buried_until: Option<i64>, now: i64) {
        let Some(card) = self.current.clone() else {
            return;
        };
        let change = self.change(&card);
        self.counts.remove(change.state.as_ref());
        self.current = None;
        self.origin = None;
        self.push_undo(
            card,
            UndoAction::Flags {
                suspended,
                buried_until,
            },
            change,
        );
        self.advance(now);
    }

    pub(crate) fn last_undo(&self) -> Option<&UndoEntry> {
        self.undo.back()
    }

    /// Puts the session back as it was before the last step, once the store reverted it.
    pub(crate) fn undone(&mut self) -> Option<Arc<str>> {
        let UndoEntry { card, change, .. } = self.undo.pop_back()?;
        // The card shown since goes back first, then the answered card leaves the place it
        // was queued at, and is current again.
        self.unadvance();
        match change.requeued {
            Requeued::No => {}
            Requeued::Learning => {
                self.learning.pop();
            }
            Requeued::Main(at) => {
                self.main.remove(at);
            }
        }
        match change.state {
            Some(st) => self.states.insert(card.clone(), st),
            None => self.states.remove(&card),
        };
        self.current = Some(card.clone());
        self.origin = change.origin;
        self.answered = change.answered;
        self.ratings = change.ratings;
        self.counts = change.counts;
        Some(card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::scheduler::SchedulerConfig;
    use proptest::prelude::*;

    const NOW: i64 = 1_780_000_000_000;

    fn queue(ids: &[&str]) -> Queue {
        let mut q = Queue::default();
        for id in ids {
            let id: Arc<str> = Arc::from(*id);
            q.states.insert(id.clone(), CardState::default());
            q.main.push(id);
        }
        q
    }

    #[test]
    fn learning_cards_return_within_the_session() {
        let s = Scheduler::new(SchedulerConfig::default()).unwrap();
        let clock = DayClock::default();
        let mut session = Session::new(
            SessionKind::Review { topics: vec![] },
            queue(&["a", "b"]),
            NOW,
        );
        assert_eq!(session.current(), Some("a"));
        let after = s.next(&CardState::default(), Rating::Again, NOW, &clock);
        session.answered(1, Rating::Again, after, NOW);
        assert_eq!(session.current(), Some("b"));
        assert_eq!(
            session.progress(),
            SessionProgress {
                answered: 1,
                new: 1,
                learning: 1,
                review: 0
            }
        );
        let after_b = s.next(&CardState::default(), Rating::Easy, NOW, &clock);
        session.answered(2, Rating::Easy, after_b, NOW + 1000);
        // Only `a` is left, due in a minute: shown early (learn-ahead).
        assert_eq!(session.current(), Some("a"));
        let grad = s.next(&after, Rating::Easy, NOW + 60_000, &clock);
        session.answered(3, Rating::Easy, grad, NOW + 60_000);
        assert_eq!(session.current(), None);
        assert_eq!(session.progress().remaining(), 0);
    }

    #[test]
    fn learning_card_beyond_learn_ahead_waits() {
        let mut q = queue(&[]);
        let id: Arc<str> = Arc::from("x");
        q.states.insert(
            id.clone(),
            CardState {
                phase: Phase::Learning,
                due: NOW + DAY_MS / 2,
                ..Default::default()
            },
        );
        q.learning.push((NOW + DAY_MS / 2, id));
        let mut session = Session::new(SessionKind::Review { topics: vec![] }, q, NOW);
        assert_eq!(session.current(), None);
        assert_eq!(session.next_learning_due(), Some(NOW + DAY_MS / 2));
        session.refresh(NOW + DAY_MS / 2);
        assert_eq!(session.current(), Some("x"));
    }

    #[test]
    fn undo_restores_the_session_exactly() {
        let s = Scheduler::new(SchedulerConfig::default()).unwrap();
        let clock = DayClock::default();
        let mut session = Session::new(
            SessionKind::Review { topics: vec![] },
            queue(&["a", "b", "c"]),
            NOW,
        );
        let before = (
            session.main.clone(),
            session.learning.clone(),
            session.current.clone(),
            session.progress(),
        );
        let after = s.next(&CardState::default(), Rating::Again, NOW, &clock);
        session.answered(7, Rating::Again, after, NOW);
        session.removed(false, Some(5), NOW);
        assert_eq!(session.current(), Some("c"));
        assert_eq!(session.last_undo().map(|u| &*u.card), Some("b"));
        assert_eq!(session.undone().as_deref(), Some("b"));
        assert_eq!(
            session.last_undo().map(|u| u.action.clone()),
            Some(UndoAction::Answer { review_id: 7 })
        );
        assert_eq!(session.undone().as_deref(), Some("a"));
        assert_eq!(
            (
                session.main.clone(),
                session.learning.clone(),
                session.current.clone(),
                session.progress()
            ),
            before
        );
        assert_eq!(session.current_state(), Some(&CardState::default()));
        assert!(!session.can_undo());
    }

    /// The progress line counted the slow way: every queued card looked up.
    fn recount(s: &Session) -> SessionProgress {
        let mut p = SessionProgress {
            answered: s.answered,
            ..Default::default()
        };
        let mut count = |id: &Arc<str>| match s.states.get(id).map(|s| s.phase) {
            Some(Phase::New) | None => p.new += 1,
            Some(Phase::Learning | Phase::Relearning) => p.learning += 1,
            Some(Phase::Review) => p.review += 1,
        };
        s.current.iter().for_each(&mut count);
        s.main.iter().for_each(&mut count);
        s.learning.iter().for_each(|(_, id)| count(id));
        p
    }

    #[derive(Debug, Clone)]
    enum Op {
        Answer(u8),
        Remove,
        Undo,
        Wait(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..4).prop_map(Op::Answer),
            1 => Just(Op::Remove),
            2 => Just(Op::Undo),
            1 => (0i64..3_600_000).prop_map(Op::Wait),
        ]
    }

    type View = (
        VecDeque<Arc<str>>,
        Vec<(i64, Arc<str>)>,
        Option<Arc<str>>,
        SessionProgress,
        [u32; 4],
    );

    fn view(s: &Session) -> View {
        (
            s.main.clone(),
            s.learning.clone(),
            s.current.clone(),
            s.progress(),
            s.ratings,
        )
    }

    proptest! {
        /// The kept counts always equal a recount, and undoing every step (each one reverted
        /// right after it, or all at the end) gives back the session exactly as it was.
        #[test]
        fn counts_stay_right_and_undo_reverses_every_step(
            cram in any::<bool>(),
            ops in prop::collection::vec(op(), 0..40),
        ) {
            let s = Scheduler::new(SchedulerConfig::default()).unwrap();
            let clock = DayClock::default();
            let kind = if cram {
                SessionKind::Cram { topics: vec![], reschedule: true }
            } else {
                SessionKind::Review { topics: vec![] }
            };
            let mut q = queue(&["a", "b", "c", "d", "e", "f"]);
            let review: Arc<str> = Arc::from("r");
            q.states.insert(review.clone(), review_state());
            q.main.insert(2, review);
            let mut session = Session::new(kind, q, NOW);
            let mut now = NOW;
            let mut views = vec![view(&session)];
            for op in ops {
                match op {
                    Op::Answer(r) => {
                        if let Some(st) = session.current_state().copied() {
                            let rating = Rating::ALL[usize::from(r)];
                            let after = s.next(&st, rating, now, &clock);
                            views.push(view(&session));
                            session.answered(1, rating, after, now);
                        }
                    }
                    Op::Remove => {
                        if session.current().is_some() {
                            views.push(view(&session));
                            session.removed(true, None, now);
                        }
                    }
                    Op::Undo => {
                        if session.undone().is_some() {
                            let before = views.pop().unwrap();
                            prop_assert_eq!(view(&session), before);
                        }
                    }
                    Op::Wait(ms) => {
                        now += ms;
                        session.refresh(now);
                    }
                }
                prop_assert_eq!(session.progress(), recount(&session));
            }
            while session.undone().is_some() {
                let before = views.pop().unwrap();
                prop_assert_eq!(view(&session), before);
                prop_assert_eq!(session.progress(), recount(&session));
            }
        }
    }

    fn review_state() -> CardState {
        CardState {
            phase: Phase::Review,
            stability: 3.0,
            difficulty: 5.0,
            due: NOW - DAY_MS,
            last_review: Some(NOW - 4 * DAY_MS),
            step: 0,
            interval_days: 3,
            reps: 3,
            lapses: 0,
        }
    }

    #[test]
    fn cram_brings_failed_cards_back_soon() {
        let kind = SessionKind::Cram {
            topics: vec![],
            reschedule: false,
        };
        let mut session = Session::new(kind, queue(&["a", "b", "c", "d", "e"]), NOW);
        session.answered(1, Rating::Again, CardState::default(), NOW);
        let order: Vec<&str> = std::iter::once(session.current().unwrap())
            .chain(session.main.iter().map(|s| &**s))
            .collect();
        assert_eq!(order, ["b", "c", "d", "a", "e"]);
    }
}
