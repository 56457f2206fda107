//! FSRS-6 scheduling through the `fsrs` crate, with same-day learning steps in front of it.
//!
//! Memory state (stability, difficulty) is updated by FSRS on every answer, including same-day
//! answers (FSRS-6 models them with its short-term stability formula). Learning steps only decide
//! *when* a new or failed card comes back within the day; once it graduates its interval is the
//! FSRS interval for the desired retention.

use serde::{Deserialize, Serialize};

use super::clock::{DAY_MS, DayClock};

/// The four answer buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    pub fn from_number(n: i64) -> Option<Rating> {
        match n {
            1 => Some(Rating::Again),
            2 => Some(Rating::Hard),
            3 => Some(Rating::Good),
            4 => Some(Rating::Easy),
            _ => None,
        }
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn label(self) -> &'static str {
        match self {
            Rating::Again => "Again",
            Rating::Hard => "Hard",
            Rating::Good => "Good",
            Rating::Easy => "Easy",
        }
    }

    /// Whether the answer counts as recalled.
    pub fn passed(self) -> bool {
        self != Rating::Again
    }
}

/// Where a card is in its life, numbered as FSRS tools number `review_state`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    #[default]
    New = 0,
    Learning = 1,
    Review = 2,
    Relearning = 3,
}

impl Phase {
    pub fn from_number(n: i64) -> Option<Phase> {
        match n {
            0 => Some(Phase::New),
            1 => Some(Phase::Learning),
            2 => Some(Phase::Review),
            3 => Some(Phase::Relearning),
            _ => None,
        }
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::New => "new",
            Phase::Learning => "learning",
            Phase::Review => "review",
            Phase::Relearning => "relearning",
        }
    }

    /// Learning or relearning: comes back within the day.
    pub fn is_learning(self) -> bool {
        matches!(self, Phase::Learning | Phase::Relearning)
    }
}

/// The scheduling state of one card. A card never answered is `CardState::default()` (phase New).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct CardState {
    #[serde(rename = "p")]
    pub phase: Phase,
    /// FSRS stability in days (0 while new).
    #[serde(rename = "s")]
    pub stability: f32,
    /// FSRS difficulty, 1-10 (0 while new).
    #[serde(rename = "d")]
    pub difficulty: f32,
    /// When the card is next due (unix ms; 0 while new).
    #[serde(rename = "due")]
    pub due: i64,
    /// When it was last answered in a way that updated its memory state (unix ms).
    #[serde(rename = "lr", default, skip_serializing_if = "Option::is_none")]
    pub last_review: Option<i64>,
    /// Index of the current learning or relearning step.
    #[serde(rename = "st", default)]
    pub step: u8,
    /// Scheduled interval in days once in review (0 while learning).
    #[serde(rename = "iv", default)]
    pub interval_days: u32,
    /// Answers that updated the memory state.
    #[serde(rename = "r", default)]
    pub reps: u32,
    /// Times a review card was forgotten.
    #[serde(rename = "l", default)]
    pub lapses: u32,
}

impl CardState {
    pub fn is_new(&self) -> bool {
        self.phase == Phase::New
    }

    pub fn memory(&self) -> Option<fsrs::MemoryState> {
        (self.reps > 0 && self.stability > 0.0).then_some(fsrs::MemoryState {
            stability: self.stability,
            difficulty: self.difficulty,
        })
    }
}

/// Default desired retention.
pub const DEFAULT_RETENTION: f32 = 0.90;
/// Allowed range of desired retention.
pub const RETENTION_RANGE: std::ops::RangeInclusive<f32> = 0.70..=0.97;
/// Lapses after which a card is a leech.
pub const LEECH_LAPSES: u32 = 8;

/// Scheduler settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulerConfig {
    /// FSRS parameters (21 numbers); empty means the crate's defaults.
    pub parameters: Vec<f32>,
    pub desired_retention: f32,
    /// Same-day steps for new cards, in seconds.
    pub learning_steps: Vec<u32>,
    /// Same-day steps for forgotten review cards, in seconds.
    pub relearning_steps: Vec<u32>,
    pub max_interval_days: u32,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            parameters: Vec::new(),
            desired_retention: DEFAULT_RETENTION,
            learning_steps: vec![60, 600],
            relearning_steps: vec![600],
            max_interval_days: 36_500,
        }
    }
}

/// Errors building a scheduler.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("desired retention {0} is outside 0.70-0.97")]
    Retention(f32),
    #[error("FSRS parameters are invalid ({0:?}); run `iamdrill optimize` again or reset them")]
    Parameters(fsrs::FSRSError),
}

/// What one button would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    pub rating: Rating,
    /// Time until the card would be due again, in milliseconds.
    pub interval_ms: i64,
    /// The interval formatted for the button, e.g. `10m`, `1d`, `3.2mo`.
    pub label: String,
}

/// FSRS with learning steps.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: fsrs::FSRS,
    decay: f32,
    config: SchedulerConfig,
}

impl Scheduler {
    pub fn new(config: SchedulerConfig) -> Result<Scheduler, SchedulerError> {
        if !RETENTION_RANGE.contains(&config.desired_retention) {
            return Err(SchedulerError::Retention(config.desired_retention));
        }
        let filled = fsrs::check_and_fill_parameters(&config.parameters)
            .map_err(SchedulerError::Parameters)?;
        let fsrs = fsrs::FSRS::new(&filled).map_err(SchedulerError::Parameters)?;
        let decay = filled.get(20).copied().unwrap_or(fsrs::FSRS6_DEFAULT_DECAY);
        Ok(Scheduler {
            fsrs,
            decay,
            config,
        })
    }

    pub fn config(&self) -> &SchedulerConfig {
        &self.config
    }

    pub fn fsrs(&self) -> &fsrs::FSRS {
        &self.fsrs
    }

    /// Probability of recall at `at` (0 for a new card); a time before the last review counts as
    /// no time elapsed.
    pub fn retrievability(&self, state: &CardState, at: i64) -> f32 {
        let (Some(mem), Some(last)) = (state.memory(), state.last_review) else {
            return 0.0;
        };
        let days = ((at - last).max(0) as f64 / DAY_MS as f64) as f32;
        fsrs::current_retrievability(mem, days, self.decay).clamp(0.0, 1.0)
    }

    /// The state after answering `rating` at `now`.
    pub fn next(&self, state: &CardState, rating: Rating, now: i64, clock: &DayClock) -> CardState {
        self.all_next(state, now, clock)[rating as usize - 1]
    }

    /// The interval each button would give, for the review screen.
    pub fn previews(&self, state: &CardState, now: i64, clock: &DayClock) -> [Preview; 4] {
        let next = self.all_next(state, now, clock);
        Rating::ALL.map(|rating| {
            let interval_ms = (next[rating as usize - 1].due - now).max(0);
            Preview {
                rating,
                interval_ms,
                label: format_interval(interval_ms),
            }
        })
    }

    fn memory_after(&self, state: &CardState, now: i64, clock: &DayClock) -> [fsrs::ItemState; 4] {
        let elapsed = match state.last_review {
            Some(last) => clock.days_between(last, now),
            None => 0,
        };
        let retention = self.config.desired_retention;
        let computed = self
            .fsrs
            .next_states(state.memory(), retention, elapsed)
            .or_else(|_| self.fsrs.next_states(None, retention, 0));
        match computed {
            Ok(n) => [n.again, n.hard, n.good, n.easy],
            // Unreachable with validated parameters; keep the card's memory rather than panic.
            Err(_) => {
                let memory = fsrs::MemoryState {
                    stability: state.stability.max(0.01),
                    difficulty: state.difficulty.clamp(1.0, 10.0),
                };
                [0.0f32, 1.0, 1.0, 1.0].map(|interval| fsrs::ItemState { memory, interval })
            }
        }
    }

    fn days(&self, interval: f32) -> u32 {
        let max = self.config.max_interval_days.max(1);
        if !interval.is_finite() {
            return 1;
        }
        (interval.round() as i64).clamp(1, i64::from(max)) as u32
    }

    fn all_next(&self, state: &CardState, now: i64, clock: &DayClock) -> [CardState; 4] {
        let mem = self.memory_after(state, now, clock);
        let mut out = [*state; 4];
        for (i, o) in out.iter_mut().enumerate() {
            o.stability = mem[i].memory.stability;
            o.difficulty = mem[i].memory.difficulty;
            o.last_review = Some(now);
            o.reps = state.reps.saturating_add(1);
        }
        // Day intervals for the three passing answers, kept strictly ordered as Anki does.
        let mut hard = self.days(mem[1].interval);
        let mut good = self.days(mem[2].interval);
        let mut easy = self.days(mem[3].interval);
        if state.phase == Phase::Review {
            hard = hard.min(good);
            good = good.max(hard + 1);
            easy = easy.max(good + 1);
        } else {
            easy = easy.max(good + 1);
        }
        let graduate = |o: &mut CardState, days: u32| {
            o.phase = Phase::Review;
            o.step = 0;
            o.interval_days = days;
            o.due = now.saturating_add(i64::from(days) * DAY_MS);
        };
        let at_step = |o: &mut CardState, phase: Phase, step: usize, delay_secs: u32| {
            o.phase = phase;
            o.step = u8::try_from(step).unwrap_or(u8::MAX);
            o.interval_days = 0;
            o.due = now.saturating_add(i64::from(delay_secs) * 1000);
        };
        let [again_s, hard_s, good_s, easy_s] = &mut out;
        match state.phase {
            Phase::Review => {
                again_s.lapses = state.lapses.saturating_add(1);
                match self.config.relearning_steps.first() {
                    Some(&d) => at_step(again_s, Phase::Relearning, 0, d),
                    None => graduate(again_s, self.days(mem[0].interval)),
                }
                graduate(hard_s, hard);
                graduate(good_s, good);
                graduate(easy_s, easy);
            }
            Phase::New | Phase::Learning | Phase::Relearning => {
                let (phase, steps) = if state.phase == Phase::Relearning {
                    (Phase::Relearning, &self.config.relearning_steps)
                } else {
                    (Phase::Learning, &self.config.learning_steps)
                };
                let step = if state.phase == Phase::New {
                    0
                } else {
                    usize::from(state.step)
                };
                match steps.first() {
                    None => {
                        graduate(again_s, self.days(mem[0].interval));
                        graduate(hard_s, hard);
                        graduate(good_s, good);
                    }
                    Some(&first) => {
                        at_step(again_s, phase, 0, first);
                        // Hard repeats the current step; on the first step, halfway to the next.
                        let hard_delay = match (step, steps.get(step), steps.get(1)) {
                            (0, _, Some(&second)) => (first + second) / 2,
                            (0, _, None) => (first.saturating_mul(3) / 2).min(first + 86_400),
                            (_, Some(&cur), _) => cur,
                            _ => first,
                        };
                        at_step(hard_s, phase, step.min(steps.len() - 1), hard_delay);
                        match steps.get(step + 1) {
                            Some(&next) => at_step(good_s, phase, step + 1, next),
                            None => graduate(good_s, good),
                        }
                    }
                }
                graduate(easy_s, easy);
            }
        }
        out
    }
}

/// Formats an interval for a button: `45s`, `10m`, `1.5h`, `3d`, `3.2mo`, `1.1y`.
pub fn format_interval(ms: i64) -> String {
    let secs = ms.max(0) as f64 / 1000.0;
    let trim = |v: f64, unit: &str| {
        let r = (v * 10.0).round() / 10.0;
        if (r - r.round()).abs() < f64::EPSILON {
            format!("{}{unit}", r.round() as i64)
        } else {
            format!("{r:.1}{unit}")
        }
    };
    if secs < 60.0 {
        format!("{}s", secs.round() as i64)
    } else if secs < 3600.0 {
        format!("{}m", (secs / 60.0).round() as i64)
    } else if secs < 86_400.0 {
        trim(secs / 3600.0, "h")
    } else {
        let days = secs / 86_400.0;
        if days < 30.0 {
            format!("{}d", days.round() as i64)
        } else if days < 365.0 {
            trim(days / 30.4375, "mo")
        } else {
            trim(days / 365.25, "y")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_780_000_000_000;

    fn sched() -> Scheduler {
        Scheduler::new(SchedulerConfig::default()).unwrap()
    }

    fn answer(s: &Scheduler, st: CardState, ratings: &[(Rating, i64)]) -> CardState {
        let clock = DayClock::default();
        ratings
            .iter()
            .fold(st, |st, &(r, at)| s.next(&st, r, at, &clock))
    }

    #[test]
    fn new_card_goes_through_learning_steps() {
        let s = sched();
        let clock = DayClock::default();
        let st = CardState::default();
        let p = s.previews(&st, T0, &clock);
        let labels: Vec<&str> = p.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels[0], "1m");
        assert_eq!(labels[1], "6m");
        assert_eq!(labels[2], "10m");
        assert!(p[3].interval_ms >= DAY_MS, "easy graduates: {labels:?}");
        let after_good = s.next(&st, Rating::Good, T0, &clock);
        assert_eq!(after_good.phase, Phase::Learning);
        assert_eq!(after_good.step, 1);
        assert_eq!(after_good.due, T0 + 600_000);
        let graduated = s.next(&after_good, Rating::Good, T0 + 600_000, &clock);
        assert_eq!(graduated.phase, Phase::Review);
        assert!(graduated.interval_days >= 1);
        assert_eq!(graduated.reps, 2);
    }

    #[test]
    fn lapse_goes_to_relearning_and_counts() {
        let s = sched();
        let st = answer(&s, CardState::default(), &[(Rating::Easy, T0)]);
        let due = st.due;
        let lapsed = answer(&s, st, &[(Rating::Again, due)]);
        assert_eq!(lapsed.phase, Phase::Relearning);
        assert_eq!(lapsed.lapses, 1);
        assert_eq!(lapsed.due, due + 600_000);
        assert!(lapsed.stability < st.stability);
        let back = answer(&s, lapsed, &[(Rating::Good, due + 600_000)]);
        assert_eq!(back.phase, Phase::Review);
        assert_eq!(back.lapses, 1);
    }

    #[test]
    fn review_intervals_are_ordered() {
        let s = sched();
        let clock = DayClock::default();
        let st = answer(
            &s,
            CardState::default(),
            &[(Rating::Good, T0), (Rating::Good, T0 + 600_000)],
        );
        let p = s.previews(&st, st.due, &clock);
        assert!(p[0].interval_ms < p[1].interval_ms);
        assert!(p[1].interval_ms < p[2].interval_ms);
        assert!(p[2].interval_ms < p[3].interval_ms);
    }

    #[test]
    fn clock_moving_backwards_does_not_break_scheduling() {
        let s = sched();
        let st = answer(&s, CardState::default(), &[(Rating::Easy, T0)]);
        let earlier = T0 - 5 * DAY_MS;
        let next = answer(&s, st, &[(Rating::Good, earlier)]);
        assert!(next.stability.is_finite() && next.stability > 0.0);
        assert!(next.due > earlier);
        assert_eq!(s.retrievability(&st, earlier), 1.0);
    }

    #[test]
    fn formats_intervals() {
        assert_eq!(format_interval(30_000), "30s");
        assert_eq!(format_interval(600_000), "10m");
        assert_eq!(format_interval(90 * 60_000), "1.5h");
        assert_eq!(format_interval(DAY_MS), "1d");
        assert_eq!(format_interval(97 * DAY_MS), "3.2mo");
        assert_eq!(format_interval(400 * DAY_MS), "1.1y");
    }

    #[test]
    fn rejects_retention_out_of_range() {
        let cfg = SchedulerConfig {
            desired_retention: 0.99,
            ..Default::default()
        };
        assert!(matches!(
            Scheduler::new(cfg),
            Err(SchedulerError::Retention(_))
        ));
    }

    fn arb_rating() -> impl Strategy<Value = Rating> {
        prop::sample::select(Rating::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn intervals_grow_with_the_rating(
            history in prop::collection::vec((arb_rating(), 0i64..40), 0..12),
            extra_days in 0i64..60,
        ) {
            let s = sched();
            let clock = DayClock::default();
            let mut st = CardState::default();
            let mut now = T0;
            for (r, gap) in history {
                now += gap * DAY_MS / 3;
                st = s.next(&st, r, now, &clock);
            }
            now = now.max(st.due) + extra_days * DAY_MS / 4;
            let p = s.previews(&st, now, &clock);
            for w in p.windows(2) {
                prop_assert!(w[0].interval_ms <= w[1].interval_ms, "{:?}", p);
            }
            // Again shortens: never longer than the current interval.
            if st.phase == Phase::Review {
                prop_assert!(p[0].interval_ms < i64::from(st.interval_days.max(1)) * DAY_MS + 1);
            }
        }

        #[test]
        fn retrievability_falls_with_time(days_a in 0u32..400, more in 1u32..400) {
            let s = sched();
            let st = answer(&s, CardState::default(), &[(Rating::Good, T0), (Rating::Good, T0 + 600_000)]);
            let last = st.last_review.unwrap();
            let ra = s.retrievability(&st, last + i64::from(days_a) * DAY_MS);
            let rb = s.retrievability(&st, last + i64::from(days_a + more) * DAY_MS);
            prop_assert!(rb < ra || (ra == 0.0 && rb == 0.0), "{ra} {rb}");
            prop_assert!((0.0..=1.0).contains(&rb));
        }
    }
}
