//! Pausable clocks driven by the caller's `now`: nothing here reads the system clock.

use std::time::{Duration, Instant};

/// Accumulates running time between `start`/`resume` and `pause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stopwatch {
    accumulated: Duration,
    running_since: Option<Instant>,
}

impl Stopwatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts (or resumes) the clock; no effect when it is already running.
    pub fn start(&mut self, now: Instant) {
        if self.running_since.is_none() {
            self.running_since = Some(now);
        }
    }

    /// Stops the clock, keeping the time run so far; no effect when it is stopped.
    pub fn pause(&mut self, now: Instant) {
        if let Some(since) = self.running_since.take() {
            self.accumulated += now.saturating_duration_since(since);
        }
    }

    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        self.accumulated
            + self
                .running_since
                .map(|since| now.saturating_duration_since(since))
                .unwrap_or_default()
    }
}

/// A time limit on top of a stopwatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    pub limit: Duration,
    watch: Stopwatch,
}

impl Countdown {
    pub fn new(limit: Duration) -> Self {
        Countdown {
            limit,
            watch: Stopwatch::new(),
        }
    }

    pub fn start(&mut self, now: Instant) {
        self.watch.start(now);
    }

    pub fn pause(&mut self, now: Instant) {
        self.watch.pause(now);
    }

    pub fn is_running(&self) -> bool {
        self.watch.is_running()
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        self.watch.elapsed(now)
    }

    pub fn remaining(&self, now: Instant) -> Duration {
        self.limit.saturating_sub(self.elapsed(now))
    }

    pub fn expired(&self, now: Instant) -> bool {
        self.elapsed(now) >= self.limit
    }

    /// Fraction of the limit still left, 1.0 at the start, 0.0 at the end (for a gauge).
    pub fn fraction_left(&self, now: Instant) -> f64 {
        if self.limit.is_zero() {
            return 0.0;
        }
        (self.remaining(now).as_secs_f64() / self.limit.as_secs_f64()).clamp(0.0, 1.0)
    }

    /// How long until the displayed whole second changes (for the event-poll timeout).
    pub fn until_next_second(&self, now: Instant) -> Duration {
        let rem = self.remaining(now);
        if rem.is_zero() {
            return Duration::ZERO;
        }
        let frac = Duration::from_nanos(u64::from(rem.subsec_nanos()));
        if frac.is_zero() {
            Duration::from_secs(1)
        } else {
            frac
        }
    }
}

/// Formats a duration as `m:ss` (or `h:mm:ss` past an hour).
pub fn clock_text(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn stopwatch_counts_only_running_time() {
        let t0 = Instant::now();
        let mut w = Stopwatch::new();
        assert_eq!(w.elapsed(t0), Duration::ZERO);
        w.start(t0);
        assert_eq!(w.elapsed(t0 + secs(10)), secs(10));
        w.pause(t0 + secs(10));
        assert_eq!(w.elapsed(t0 + secs(100)), secs(10));
        w.pause(t0 + secs(50)); // already paused: nothing changes
        w.start(t0 + secs(100));
        w.start(t0 + secs(105)); // already running: nothing changes
        assert_eq!(w.elapsed(t0 + secs(110)), secs(20));
    }

    #[test]
    fn clock_going_backwards_does_not_underflow() {
        let t0 = Instant::now();
        let mut w = Stopwatch::new();
        w.start(t0 + secs(10));
        assert_eq!(w.elapsed(t0), Duration::ZERO);
        w.pause(t0);
        assert_eq!(w.elapsed(t0 + secs(99)), Duration::ZERO);
    }

    #[test]
    fn countdown_expires_and_reports_fraction() {
        let t0 = Instant::now();
        let mut c = Countdown::new(secs(60));
        c.start(t0);
        assert_eq!(c.remaining(t0 + secs(15)), secs(45));
        assert_eq!(c.fraction_left(t0 + secs(15)), 0.75);
        assert!(!c.expired(t0 + secs(59)));
        c.pause(t0 + secs(59));
        assert!(!c.expired(t0 + secs(600)));
        c.start(t0 + secs(600));
        assert!(c.expired(t0 + secs(601)));
        assert_eq!(c.remaining(t0 + secs(700)), Duration::ZERO);
        assert_eq!(c.fraction_left(t0 + secs(700)), 0.0);
        assert_eq!(Countdown::new(Duration::ZERO).fraction_left(t0), 0.0);
    }

    #[test]
    fn next_second_boundary() {
        let t0 = Instant::now();
        let mut c = Countdown::new(secs(10));
        c.start(t0);
        assert_eq!(c.until_next_second(t0), secs(1));
        assert_eq!(
            c.until_next_second(t0 + Duration::from_millis(300)),
            Duration::from_millis(700)
        );
        assert_eq!(c.until_next_second(t0 + secs(11)), Duration::ZERO);
    }

    #[test]
    fn clock_text_formats() {
        assert_eq!(clock_text(secs(0)), "0:00");
        assert_eq!(clock_text(secs(225)), "3:45");
        assert_eq!(clock_text(secs(3725)), "1:02:05");
    }
}
