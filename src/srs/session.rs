//! A review session: which card is shown, what comes next, and how to step back.
//!
//! The session is pure state. Every change that must be stored goes through
//! [`crate::store::Store`] (`answer`, `undo`, `suspend`, `bury`), which commits to the database
//! first and then updates the session, so the next card is only shown once the answer is safe.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::clock::DayClock;
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

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    main: VecDeque<Arc<str>>,
    learning: Vec<(i64, Arc<str>)>,
    current: Option<Arc<str>>,
    state: Option<CardState>,
    answered: u32,
    ratings: [u32; 4],
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
    snapshot: Snapshot,
}

/// A review or cram session.
#[derive(Debug, Clone)]
pub struct Session {
    kind: SessionKind,
    main: VecDeque<Arc<str>>,
    learning: Vec<(i64, Arc<str>)>,
    current: Option<Arc<str>>,
    states: HashMap<Arc<str>, CardState>,
    undo: Vec<UndoEntry>,
    answered: u32,
    /// Answers given in this session by rating (Again, Hard, Good, Easy), undone ones excluded.
    ratings: [u32; 4],
}

impl Session {
    /// A session over a built queue, with its first card chosen at `now`.
    pub fn new(kind: SessionKind, queue: Queue, now: i64) -> Session {
        let mut s = Session {
            kind,
            main: queue.main.into(),
            learning: queue.learning,
            current: None,
            states: queue.states,
            undo: Vec::new(),
            answered: 0,
            ratings: [0; 4],
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

    pub fn progress(&self) -> SessionProgress {
        let mut p = SessionProgress {
            answered: self.answered,
            ..Default::default()
        };
        let mut count = |id: &Arc<str>| match self.states.get(id).map(|s| s.phase) {
            Some(Phase::New) | None => p.new += 1,
            Some(Phase::Learning | Phase::Relearning) => p.learning += 1,
            Some(Phase::Review) => p.review += 1,
        };
        self.current.iter().for_each(&mut count);
        self.main.iter().for_each(&mut count);
        self.learning.iter().for_each(|(_, id)| count(id));
        p
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
        if let Some(i) = earliest(&self.learning, now) {
            self.current = Some(self.learning.remove(i).1);
        } else if let Some(id) = self.main.pop_front() {
            self.current = Some(id);
        } else if let Some(i) = earliest(&self.learning, now.saturating_add(LEARN_AHEAD_MS)) {
            self.current = Some(self.learning.remove(i).1);
        } else {
            self.current = None;
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            main: self.main.clone(),
            learning: self.learning.clone(),
            current: self.current.clone(),
            state: self.current_state().copied(),
            answered: self.answered,
            ratings: self.ratings,
        }
    }

    fn push_undo(&mut self, card: Arc<str>, action: UndoAction) {
        let snapshot = self.snapshot();
        self.undo.push(UndoEntry {
            card,
            action,
            snapshot,
        });
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Records an answer the store has committed as `review_id`, with the card's new state.
    pub(crate) fn answered(&mut self, review_id: i64, rating: Rating, after: CardState, now: i64) {
        let Some(card) = self.current.clone() else {
            return;
        };
        self.push_undo(card.clone(), UndoAction::Answer { review_id });
        self.answered += 1;
        self.ratings[usize::from(rating.number() - 1)] += 1;
        self.states.insert(card.clone(), after);
        self.current = None;
        match &self.kind {
            SessionKind::Review { .. } => {
                if after.phase.is_learning() {
                    self.learning.push((after.due, card));
                }
            }
            SessionKind::Cram { .. } => {
                if rating == Rating::Again {
                    let at = CRAM_AGAIN_GAP.min(self.main.len());
                    self.main.insert(at, card);
                }
            }
        }
        self.advance(now);
    }

    /// Removes the current card from the session after the store suspended or buried it.
    pub(crate) fn removed(&mut self, suspended: bool, buried_until: Option<i64>, now: i64) {
        let Some(card) = self.current.clone() else {
            return;
        };
        self.push_undo(
            card,
            UndoAction::Flags {
                suspended,
                buried_until,
            },
        );
        self.current = None;
        self.advance(now);
    }

    pub(crate) fn last_undo(&self) -> Option<&UndoEntry> {
        self.undo.last()
    }

    /// Puts the session back as it was before the last step, once the store reverted it.
    pub(crate) fn undone(&mut self) -> Option<Arc<str>> {
        let entry = self.undo.pop()?;
        let Snapshot {
            main,
            learning,
            current,
            state,
            answered,
            ratings,
        } = entry.snapshot;
        self.ratings = ratings;
        self.main = main;
        self.learning = learning;
        self.current = current;
        self.answered = answered;
        if let (Some(id), Some(st)) = (&self.current, state) {
            self.states.insert(id.clone(), st);
        }
        Some(entry.card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::scheduler::SchedulerConfig;

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
