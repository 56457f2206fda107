//! Time in the scheduler: unix milliseconds, the learner's day (with a rollover hour, as Anki does),
//! and calendar dates for the interview plan. Pure: nothing here reads the system clock except
//! [`now_ms`], which only the command layer calls.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The current time in unix milliseconds. Only the command layer and the app loop call this;
/// everything else takes `now` as a parameter.
pub fn now_ms() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        // A clock set before 1970: treat it as the epoch; scheduling copes with time going backwards.
        Err(_) => 0,
    }
}

/// Maps instants to the learner's day numbers. A day starts at `rollover_hour` local time, so a
/// late-night session still counts for the day it started in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayClock {
    /// Offset of local time from UTC, in seconds (east positive).
    pub utc_offset_secs: i64,
    /// Hour (0-23, local time) at which a new day starts.
    pub rollover_hour: u8,
}

impl Default for DayClock {
    fn default() -> Self {
        DayClock {
            utc_offset_secs: 0,
            rollover_hour: 4,
        }
    }
}

impl DayClock {
    fn shift_ms(&self) -> i64 {
        self.utc_offset_secs * 1000 - i64::from(self.rollover_hour) * 3_600_000
    }

    /// The day number (days since 1970-01-01 in the learner's calendar) of an instant.
    pub fn day(&self, ts_ms: i64) -> i64 {
        (ts_ms.saturating_add(self.shift_ms())).div_euclid(DAY_MS)
    }

    /// The instant a day starts.
    pub fn day_start(&self, day: i64) -> i64 {
        day.saturating_mul(DAY_MS).saturating_sub(self.shift_ms())
    }

    /// Whole days between two instants (0 when `later` is not later: a clock moving backwards).
    pub fn days_between(&self, earlier: i64, later: i64) -> u32 {
        let d = self.day(later) - self.day(earlier);
        u32::try_from(d.max(0)).unwrap_or(u32::MAX)
    }
}

/// A calendar date (proleptic Gregorian), as given to `--interview-date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Error parsing a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date: {reason} (expected YYYY-MM-DD, e.g. 2026-12-01)")]
pub struct DateError {
    pub input: String,
    pub reason: &'static str,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    pub fn day_number(&self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day number (`civil_from_days`).
    pub fn from_day_number(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = if m <= 2 { y + 1 } else { y };
        Date {
            year: i32::try_from(y).unwrap_or(i32::MAX),
            month: m,
            day: d,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| DateError {
            input: s.to_string(),
            reason,
        };
        let t = s.trim();
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(err("wrong shape"));
        }
        if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(err("only digits and dashes are allowed"));
        }
        let year: i32 = parts[0].parse().map_err(|_| err("bad year"))?;
        let month: u8 = parts[1].parse().map_err(|_| err("bad month"))?;
        let day: u8 = parts[2].parse().map_err(|_| err("bad day"))?;
        if !(1..=12).contains(&month) {
            return Err(err("month must be 01-12"));
        }
        Date::new(year, month, day).ok_or_else(|| err("that month has no such day"))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().day_number(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().day_number(), 11_017);
        for z in [-800_000, -1, 0, 1, 11_016, 20_000, 60_000] {
            assert_eq!(Date::from_day_number(z).day_number(), z);
        }
    }

    #[test]
    fn parses_and_rejects_dates() {
        assert_eq!(
            "2026-12-01".parse::<Date>().unwrap(),
            Date::new(2026, 12, 1).unwrap()
        );
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "tomorrow",
            "2026-00-10",
            "2026-04-31",
        ] {
            let e = bad.parse::<Date>().unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
        }
    }

    #[test]
    fn day_rolls_over_at_the_rollover_hour() {
        let clock = DayClock {
            utc_offset_secs: 3600,
            rollover_hour: 4,
        };
        // 1970-01-02 02:30 UTC is 03:30 local: still day 0.
        let t = DAY_MS + 2 * 3_600_000 + 30 * 60_000;
        assert_eq!(clock.day(t), 0);
        // 03:30 UTC is 04:30 local: day 1.
        assert_eq!(clock.day(t + 3_600_000), 1);
        assert_eq!(clock.day(clock.day_start(1)), 1);
        assert_eq!(clock.day(clock.day_start(1) - 1), 0);
        assert_eq!(clock.days_between(t + DAY_MS * 3, t), 0);
    }
}
