//! The interview state machine: questions one after another against the clock.
//!
//! Each operation takes `now`; nothing sleeps or reads the system clock. Time is only spent while a
//! question is being answered and the interview is not paused: reading the graded answer and rating
//! it is free. Each question's budget is the time left divided by the questions left, so time saved
//! on one question carries over to the rest.

use std::time::{Duration, Instant};

use super::grade::{Answer, CardGrade, PointGrade, Verdict, expected_points, grade_card};
use super::report::{MockReport, QuestionReport, QuestionStatus};
use super::select::is_askable;
use super::timer::Countdown;
use crate::deck::model::{Card, CardKind};

/// Credit for a key point the learner covered after a hint revealed it (a full key point is 1.0).
pub const HINT_CREDIT: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Created, clocks not started.
    Ready,
    /// A question is open for typing.
    Answering,
    /// The question was graded; waiting for the learner's 1–4 rating.
    Reviewing,
    Finished,
}

/// Something that happened, for the screen to react to.
#[derive(Debug, Clone, PartialEq)]
pub enum MockEvent {
    /// The question's time ran out and what was typed was graded.
    TimedOut { index: usize },
}

/// A key point revealed by a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Index into the card's key points (scenario steps, hidden table cells).
    pub index: usize,
    pub text: String,
    pub label: Option<String>,
}

/// The learner rated a card: the caller logs this review (mode `mock`) with the scheduler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated {
    pub card_id: String,
    pub rating: u8,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    #[error("a mock interview needs at least one question")]
    NoQuestions,
    #[error(
        "card `{card}` cannot be asked in a mock interview: it has no key points, table or scenario to grade"
    )]
    Unaskable { card: String },
    #[error("the interview has not started")]
    NotStarted,
    #[error("no question is open for an answer")]
    NotAnswering,
    #[error("there is no graded question waiting for a rating")]
    NotReviewing,
    #[error("the interview is paused; press p to resume")]
    Paused,
    #[error("the interview is over")]
    Finished,
    #[error("every key point of this question is already revealed")]
    NoMoreHints,
    #[error("the verdict has no key point {0}")]
    NoSuchPoint(usize),
    #[error("a rating is 1 (again), 2 (hard), 3 (good) or 4 (easy), not {0}")]
    BadRating(u8),
    #[error(transparent)]
    Grade(#[from] super::grade::GradeError),
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    status: QuestionStatus,
    budget: Duration,
    used: Duration,
    answer: Option<Answer>,
    grade: Option<CardGrade>,
    hints: Vec<usize>,
    rating: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct MockSession {
    cards: Vec<Card>,
    total: Duration,
    seed: Option<u64>,
    phase: Phase,
    paused: bool,
    current: usize,
    countdown: Countdown,
    draft: Answer,
    hints: Vec<usize>,
    outcomes: Vec<Outcome>,
}

/// A grading with every expected point missed.
fn all_missed(card: &Card) -> CardGrade {
    CardGrade {
        card_id: card.id.clone(),
        points: expected_points(card)
            .into_iter()
            .enumerate()
            .map(|(i, (text, label))| PointGrade {
                text,
                label,
                covered: false,
                span: None,
                words: Vec::new(),
                part: i,
                matched: None,
                contradicted: false,
                evidence: None,
                flipped: false,
            })
            .collect(),
    }
}

fn empty_answer(card: &Card) -> Answer {
    match card.kind {
        CardKind::Scenario => {
            Answer::Steps(vec![
                String::new();
                card.scenario.as_ref().map_or(0, |s| s.steps.len())
            ])
        }
        CardKind::Table | CardKind::Basic => Answer::Text(String::new()),
    }
}

impl MockSession {
    /// A new interview over `cards` (in order) lasting `total`.
    pub fn new(cards: Vec<Card>, total: Duration, seed: Option<u64>) -> Result<Self, SessionError> {
        if cards.is_empty() {
            return Err(SessionError::NoQuestions);
        }
        if let Some(card) = cards.iter().find(|c| !is_askable(c)) {
            return Err(SessionError::Unaskable {
                card: card.id.clone(),
            });
        }
        let draft = empty_answer(&cards[0]);
        Ok(MockSession {
            cards,
            total,
            seed,
            phase: Phase::Ready,
            paused: false,
            current: 0,
            countdown: Countdown::new(Duration::ZERO),
            draft,
            hints: Vec::new(),
            outcomes: Vec::new(),
        })
    }

    /// Starts the clocks on the first question.
    pub fn start(&mut self, now: Instant) -> Result<(), SessionError> {
        match self.phase {
            Phase::Ready => {
                self.open_question(0, now);
                Ok(())
            }
            Phase::Finished => Err(SessionError::Finished),
            _ => Ok(()),
        }
    }

    fn open_question(&mut self, index: usize, now: Instant) {
        let left = self.cards.len() - index;
        let remaining = self.total.saturating_sub(self.used_before_current());
        self.current = index;
        self.countdown = Countdown::new(remaining / left as u32);
        self.countdown.start(now);
        self.draft = empty_answer(&self.cards[index]);
        self.hints.clear();
        self.phase = Phase::Answering;
        self.paused = false;
    }

    fn used_before_current(&self) -> Duration {
        self.outcomes.iter().map(|o| o.used).sum()
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Zero-based index of the current question.
    pub fn index(&self) -> usize {
        self.current
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    pub fn cards(&self) -> &[Card] {
        &self.cards
    }

    pub fn current_card(&self) -> Option<&Card> {
        match self.phase {
            Phase::Answering | Phase::Reviewing => self.cards.get(self.current),
            _ => None,
        }
    }

    pub fn draft(&self) -> &Answer {
        &self.draft
    }

    /// Replaces what the learner has typed for the open question.
    pub fn set_draft(&mut self, answer: Answer) -> Result<(), SessionError> {
        self.require_answering()?;
        self.draft = answer;
        Ok(())
    }

    fn require_answering(&self) -> Result<(), SessionError> {
        match self.phase {
            Phase::Ready => Err(SessionError::NotStarted),
            Phase::Finished => Err(SessionError::Finished),
            Phase::Reviewing => Err(SessionError::NotAnswering),
            Phase::Answering if self.paused => Err(SessionError::Paused),
            Phase::Answering => Ok(()),
        }
    }

    /// The current question's budget.
    pub fn question_limit(&self) -> Duration {
        self.countdown.limit
    }

    pub fn question_remaining(&self, now: Instant) -> Duration {
        match self.phase {
            Phase::Answering => self.countdown.remaining(now),
            Phase::Reviewing => self
                .countdown
                .limit
                .saturating_sub(self.outcomes.last().map_or(Duration::ZERO, |o| o.used)),
            _ => Duration::ZERO,
        }
    }

    /// For the countdown gauge: 1.0 when the question opens, 0.0 at time-out.
    pub fn question_fraction_left(&self, now: Instant) -> f64 {
        match self.phase {
            Phase::Answering => self.countdown.fraction_left(now),
            _ => 0.0,
        }
    }

    pub fn total(&self) -> Duration {
        self.total
    }

    /// Time spent answering so far (the overall clock).
    pub fn overall_elapsed(&self, now: Instant) -> Duration {
        let current = match self.phase {
            Phase::Answering => self.countdown.elapsed(now).min(self.countdown.limit),
            _ => Duration::ZERO,
        };
        self.used_before_current() + current
    }

    pub fn overall_remaining(&self, now: Instant) -> Duration {
        self.total.saturating_sub(self.overall_elapsed(now))
    }

    /// How long the event loop may wait before the clocks need redrawing or a time-out is due.
    pub fn next_wakeup(&self, now: Instant) -> Option<Duration> {
        (self.phase == Phase::Answering && !self.paused)
            .then(|| self.countdown.until_next_second(now))
    }

    /// Pauses both clocks, or resumes them.
    pub fn toggle_pause(&mut self, now: Instant) -> Result<bool, SessionError> {
        match self.phase {
            Phase::Answering => {}
            Phase::Ready => return Err(SessionError::NotStarted),
            Phase::Finished => return Err(SessionError::Finished),
            Phase::Reviewing => return Err(SessionError::NotAnswering),
        }
        if self.paused {
            self.countdown.start(now);
        } else {
            self.countdown.pause(now);
        }
        self.paused = !self.paused;
        Ok(self.paused)
    }

    /// Checks the clock: when the question's time is up, grades what was typed.
    pub fn tick(&mut self, now: Instant) -> Result<Option<MockEvent>, SessionError> {
        if self.phase == Phase::Answering && !self.paused && self.countdown.expired(now) {
            let index = self.current;
            self.close_question(QuestionStatus::TimedOut, now)?;
            return Ok(Some(MockEvent::TimedOut { index }));
        }
        Ok(None)
    }

    /// Grades the typed answer and shows the verdict.
    pub fn submit(&mut self, now: Instant) -> Result<&CardGrade, SessionError> {
        self.require_answering()?;
        if self.countdown.expired(now) {
            self.close_question(QuestionStatus::TimedOut, now)?;
        } else {
            self.close_question(QuestionStatus::Answered, now)?;
        }
        self.last_grade().ok_or(SessionError::NotReviewing)
    }

    /// Gives up the question: every key point counts as missed.
    pub fn skip(&mut self, now: Instant) -> Result<(), SessionError> {
        self.require_answering()?;
        self.close_question(QuestionStatus::Skipped, now)
    }

    fn close_question(&mut self, status: QuestionStatus, now: Instant) -> Result<(), SessionError> {
        let card = &self.cards[self.current];
        let grade = match status {
            QuestionStatus::Skipped => all_missed(card),
            // A learner's submit with an answer that cannot be graded changes nothing, so they can
            // correct it; a time-out must move on, so it records every point as missed.
            QuestionStatus::Answered => grade_card(card, &self.draft)?,
            _ => grade_card(card, &self.draft).unwrap_or_else(|_| all_missed(card)),
        };
        self.countdown.pause(now);
        let used = self.countdown.elapsed(now).min(self.countdown.limit);
        let answer = std::mem::replace(&mut self.draft, empty_answer(card));
        self.outcomes.push(Outcome {
            status,
            budget: self.countdown.limit,
            used,
            answer: (status != QuestionStatus::Skipped).then_some(answer),
            grade: Some(grade),
            hints: std::mem::take(&mut self.hints),
            rating: None,
        });
        self.paused = false;
        self.phase = Phase::Reviewing;
        Ok(())
    }

    /// Reveals the next key point not yet revealed; it then earns only `HINT_CREDIT`.
    pub fn hint(&mut self) -> Result<Hint, SessionError> {
        self.require_answering()?;
        let points = expected_points(&self.cards[self.current]);
        let index = (0..points.len())
            .find(|i| !self.hints.contains(i))
            .ok_or(SessionError::NoMoreHints)?;
        self.hints.push(index);
        let (text, label) = points[index].clone();
        Ok(Hint { index, text, label })
    }

    /// Key points revealed so far on the open question.
    pub fn hints(&self) -> Vec<Hint> {
        let Some(card) = self.cards.get(self.current) else {
            return Vec::new();
        };
        let points = expected_points(card);
        self.hints
            .iter()
            .filter_map(|&i| {
                points.get(i).map(|(text, label)| Hint {
                    index: i,
                    text: text.clone(),
                    label: label.clone(),
                })
            })
            .collect()
    }

    /// The grading of the question being reviewed (or the last one graded).
    pub fn last_grade(&self) -> Option<&CardGrade> {
        self.outcomes.last().and_then(|o| o.grade.as_ref())
    }

    /// The score of the question being reviewed, hints taken into account.
    pub fn last_score(&self) -> Option<f64> {
        self.outcomes.last().map(score_of)
    }

    /// Flips the grader's verdict on key point `index` of the reviewed question (covered ↔ missed;
    /// a contradicted point becomes covered). Flipping again restores the grader's verdict. The
    /// score, the rating suggestion and the report use the flipped verdicts and keep the flips.
    pub fn flip(&mut self, index: usize) -> Result<(), SessionError> {
        if self.phase != Phase::Reviewing {
            return Err(SessionError::NotReviewing);
        }
        let grade = self
            .outcomes
            .last_mut()
            .and_then(|o| o.grade.as_mut())
            .ok_or(SessionError::NotReviewing)?;
        if grade.flip(index) {
            Ok(())
        } else {
            Err(SessionError::NoSuchPoint(index))
        }
    }

    /// The rating the verdict suggests for the reviewed question (see [`suggest_rating`]).
    pub fn suggested_rating(&self) -> Option<u8> {
        self.outcomes
            .last()
            .map(|o| suggest_rating(o.status, score_of(o), &o.hints))
    }

    /// Records the learner's rating of the reviewed question and opens the next one (or finishes).
    pub fn rate(&mut self, rating: u8, now: Instant) -> Result<Rated, SessionError> {
        if !(1..=4).contains(&rating) {
            return Err(SessionError::BadRating(rating));
        }
        match self.phase {
            Phase::Reviewing => {}
            Phase::Finished => return Err(SessionError::Finished),
            _ => return Err(SessionError::NotReviewing),
        }
        let Some(outcome) = self.outcomes.last_mut() else {
            return Err(SessionError::NotReviewing);
        };
        outcome.rating = Some(rating);
        let rated = Rated {
            card_id: self.cards[self.current].id.clone(),
            rating,
        };
        if self.current + 1 < self.cards.len() {
            self.open_question(self.current + 1, now);
        } else {
            self.phase = Phase::Finished;
        }
        Ok(rated)
    }

    /// Ends the interview now. The open question is recorded as abandoned (not graded) and the
    /// rest as not reached; the report is partial unless every question was rated.
    pub fn quit(&mut self, now: Instant) -> MockReport {
        if self.phase == Phase::Answering {
            self.countdown.pause(now);
            let used = self.countdown.elapsed(now).min(self.countdown.limit);
            let card = &self.cards[self.current];
            let answer = std::mem::replace(&mut self.draft, empty_answer(card));
            self.outcomes.push(Outcome {
                status: QuestionStatus::Abandoned,
                budget: self.countdown.limit,
                used,
                answer: Some(answer),
                grade: None,
                hints: std::mem::take(&mut self.hints),
                rating: None,
            });
        }
        self.phase = Phase::Finished;
        self.paused = false;
        self.report()
    }

    /// The report so far (complete once the phase is `Finished` after the last rating).
    pub fn report(&self) -> MockReport {
        let complete = self.phase == Phase::Finished
            && self.outcomes.len() == self.cards.len()
            && self.outcomes.iter().all(|o| o.rating.is_some());
        let questions = self
            .cards
            .iter()
            .enumerate()
            .map(|(i, card)| question_report(card, self.outcomes.get(i)))
            .collect();
        MockReport::new(self.seed, millis(self.total), !complete, questions)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Covered key points (hinted ones at `HINT_CREDIT`) minus contradicted ones, over all, after the
/// learner's flips: from -1.5 (all contradicted) to 1.
fn score_of(o: &Outcome) -> f64 {
    let Some(grade) = &o.grade else { return 0.0 };
    if grade.points.is_empty() {
        return 0.0;
    }
    let credit: f64 = grade
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| match p.effective() {
            Verdict::Covered if o.hints.contains(&i) => HINT_CREDIT,
            v => v.credit(),
        })
        .sum();
    credit / grade.points.len() as f64
}

/// The rating a verdict suggests: 1 (again) below 30% or when skipped, 2 (hard) below 60%, 3 (good)
/// below 90% or with hints, else 4 (easy).
pub fn suggest_rating(status: QuestionStatus, score: f64, hints: &[usize]) -> u8 {
    if status == QuestionStatus::Skipped || score < 0.3 {
        1
    } else if score < 0.6 {
        2
    } else if score < 0.9 || !hints.is_empty() {
        3
    } else {
        4
    }
}

fn describe(p: &PointGrade) -> String {
    match &p.label {
        Some(l) => format!("{l}: {}", p.text),
        None => p.text.clone(),
    }
}

fn question_report(card: &Card, outcome: Option<&Outcome>) -> QuestionReport {
    let expected = expected_points(card);
    let (status, budget, used, answer, points, hints, rating, score) = match outcome {
        Some(o) => (
            o.status,
            o.budget,
            o.used,
            o.answer.clone(),
            o.grade
                .as_ref()
                .map(|g| g.points.clone())
                .unwrap_or_default(),
            o.hints.clone(),
            o.rating,
            score_of(o),
        ),
        None => (
            QuestionStatus::NotReached,
            Duration::ZERO,
            Duration::ZERO,
            None,
            Vec::new(),
            Vec::new(),
            None,
            0.0,
        ),
    };
    let suggested = outcome.map(|o| suggest_rating(o.status, score_of(o), &o.hints));
    let missed = if points.is_empty() {
        expected
            .iter()
            .map(|(t, l)| match l {
                Some(l) => format!("{l}: {t}"),
                None => t.clone(),
            })
            .collect()
    } else {
        points
            .iter()
            .filter(|p| p.effective() != Verdict::Covered)
            .map(describe)
            .collect()
    };
    QuestionReport {
        card_id: card.id.clone(),
        topic: card.topic.clone(),
        kind: card.kind,
        question: card.question.clone(),
        status,
        score,
        covered: points
            .iter()
            .filter(|p| p.effective() == Verdict::Covered)
            .count(),
        contradicted: points
            .iter()
            .filter(|p| p.effective() == Verdict::Contradicted)
            .count(),
        flips: points.iter().filter(|p| p.flipped).count(),
        suggested_rating: suggested.filter(|_| status.is_scored()),
        total: expected.len(),
        budget_ms: millis(budget),
        used_ms: millis(used),
        missed,
        hints: hints
            .iter()
            .filter_map(|&i| expected.get(i).map(|(t, _)| t.clone()))
            .collect(),
        rating,
        answer,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::KeyPoint;

    fn basic(id: &str, points: &[&str]) -> Card {
        Card {
            id: id.into(),
            kind: CardKind::Basic,
            topic: "sts".into(),
            tags: vec![],
            difficulty: Default::default(),
            question: format!("question {id}"),
            answer: String::new(),
            table: None,
            scenario: None,
            key_points: points.iter().map(|p| KeyPoint::new(*p)).collect(),
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn empty_or_ungradable_interview_is_refused() {
        assert_eq!(
            MockSession::new(vec![], secs(60), None).unwrap_err(),
            SessionError::NoQuestions
        );
        let err = MockSession::new(vec![basic("a", &[])], secs(60), None).unwrap_err();
        assert_eq!(err, SessionError::Unaskable { card: "a".into() });
    }

    #[test]
    fn an_ungradable_submit_keeps_the_draft_and_a_time_out_moves_on() {
        let t0 = Instant::now();
        let mut s = MockSession::new(vec![basic("a", &["x"])], secs(60), None).unwrap();
        s.start(t0).unwrap();
        s.set_draft(Answer::Steps(vec!["not a text".into()]))
            .unwrap();
        assert!(matches!(
            s.submit(t0 + secs(1)).unwrap_err(),
            SessionError::Grade(_)
        ));
        assert_eq!(s.phase(), Phase::Answering);
        assert_eq!(s.draft(), &Answer::Steps(vec!["not a text".into()]));
        assert_eq!(
            s.tick(t0 + secs(61)).unwrap(),
            Some(MockEvent::TimedOut { index: 0 })
        );
        assert_eq!(s.last_score(), Some(0.0));
        assert_eq!(s.report().questions[0].missed, ["x"]);
    }

    #[test]
    fn budget_splits_and_carries_over() {
        let t0 = Instant::now();
        let cards = vec![basic("a", &["x"]), basic("b", &["y"]), basic("c", &["z"])];
        let mut s = MockSession::new(cards, secs(300), None).unwrap();
        s.start(t0).unwrap();
        assert_eq!(s.question_limit(), secs(100));
        s.submit(t0 + secs(40)).unwrap();
        s.rate(3, t0 + secs(500)).unwrap(); // review time is free
        assert_eq!(s.question_limit(), secs(130));
        assert_eq!(s.overall_elapsed(t0 + secs(510)), secs(50));
    }

    #[test]
    fn operations_in_the_wrong_phase_are_errors() {
        let t0 = Instant::now();
        let mut s = MockSession::new(vec![basic("a", &["x"])], secs(60), None).unwrap();
        assert_eq!(s.submit(t0).unwrap_err(), SessionError::NotStarted);
        s.start(t0).unwrap();
        assert_eq!(s.rate(3, t0).unwrap_err(), SessionError::NotReviewing);
        assert!(s.toggle_pause(t0).unwrap());
        assert_eq!(
            s.set_draft(Answer::Text("x".into())).unwrap_err(),
            SessionError::Paused
        );
        assert_eq!(s.skip(t0).unwrap_err(), SessionError::Paused);
        assert!(!s.toggle_pause(t0).unwrap());
        s.submit(t0 + secs(1)).unwrap();
        assert_eq!(s.rate(0, t0).unwrap_err(), SessionError::BadRating(0));
        assert_eq!(s.rate(5, t0).unwrap_err(), SessionError::BadRating(5));
        assert_eq!(s.hint().unwrap_err(), SessionError::NotAnswering);
        s.rate(4, t0).unwrap();
        assert_eq!(s.phase(), Phase::Finished);
        assert_eq!(s.submit(t0).unwrap_err(), SessionError::Finished);
        assert!(!s.report().partial);
    }

    #[test]
    fn hints_reveal_key_points_in_turn_and_cost_credit() {
        let t0 = Instant::now();
        let mut s = MockSession::new(
            vec![basic("a", &["temporary credentials", "session token"])],
            secs(60),
            None,
        )
        .unwrap();
        s.start(t0).unwrap();
        let h = s.hint().unwrap();
        assert_eq!((h.index, h.text.as_str()), (0, "temporary credentials"));
        assert_eq!(s.hint().unwrap().index, 1);
        assert_eq!(s.hint().unwrap_err(), SessionError::NoMoreHints);
        assert_eq!(s.hints().len(), 2);
        s.set_draft(Answer::Text(
            "temporary credentials with a session token".into(),
        ))
        .unwrap();
        s.submit(t0 + secs(5)).unwrap();
        assert_eq!(s.last_score(), Some(HINT_CREDIT));
        s.rate(2, t0).unwrap();
        let r = s.report();
        assert_eq!(r.hints_used, 2);
        assert_eq!(r.low_rated, ["a"]);
    }

    #[test]
    fn skip_scores_zero_and_lists_every_point_as_missed() {
        let t0 = Instant::now();
        let mut s = MockSession::new(vec![basic("a", &["p1", "p2"])], secs(60), None).unwrap();
        s.start(t0).unwrap();
        s.set_draft(Answer::Text("p1 p2".into())).unwrap();
        s.skip(t0 + secs(3)).unwrap();
        assert_eq!(s.last_score(), Some(0.0));
        let r = s.quit(t0 + secs(4));
        assert!(r.partial); // not rated
        assert_eq!(r.questions[0].status, QuestionStatus::Skipped);
        assert_eq!(r.questions[0].missed, ["p1", "p2"]);
        assert_eq!(r.questions[0].used_ms, 3000);
    }

    #[test]
    fn submit_after_the_deadline_counts_as_timed_out() {
        let t0 = Instant::now();
        let mut s = MockSession::new(vec![basic("a", &["x"])], secs(60), None).unwrap();
        s.start(t0).unwrap();
        s.submit(t0 + secs(75)).unwrap();
        let r = s.report();
        assert_eq!(r.questions[0].status, QuestionStatus::TimedOut);
        assert_eq!(r.questions[0].used_ms, 60_000);
    }

    #[test]
    fn next_wakeup_only_while_answering() {
        let t0 = Instant::now();
        let mut s = MockSession::new(vec![basic("a", &["x"])], secs(60), None).unwrap();
        assert_eq!(s.next_wakeup(t0), None);
        s.start(t0).unwrap();
        assert_eq!(
            s.next_wakeup(t0 + Duration::from_millis(250)),
            Some(Duration::from_millis(750))
        );
        s.toggle_pause(t0 + secs(1)).unwrap();
        assert_eq!(s.next_wakeup(t0 + secs(2)), None);
    }
}
