//! The clock every command and the app read "now" from: the system clock, or the system clock
//! shifted so that the program starts at a chosen instant (`--now`, `IAMDRILL_NOW`). Time still
//! flows from that instant, so timers and learning steps behave as they would on that day.

use std::fmt;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Added to the system time, in milliseconds (0 for the real time).
    offset_ms: i64,
}

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock { offset_ms: 0 }
    }

    /// A clock that reads `start_ms` now and advances in real time from there.
    pub fn starting_at(start_ms: i64) -> Clock {
        Clock {
            offset_ms: start_ms.saturating_sub(system_ms()),
        }
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        system_ms().saturating_add(self.offset_ms)
    }

    /// Whether the time was moved by `--now`.
    pub fn is_shifted(&self) -> bool {
        self.offset_ms != 0
    }
}

fn system_ms() -> i64 {
    crate::srs::clock::now_ms()
}

/// A `--now` value that is not an RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a time: {} (expected RFC 3339, e.g. 2026-12-24T09:00:00Z or 2026-12-24T09:00:00+01:00)",
            self.input.escape_debug(),
            self.reason
        )
    }
}

impl std::error::Error for TimeError {}

/// Parses an RFC 3339 date-time (`2026-12-24T09:00:00Z`, `2026-12-24 09:00:00.5+01:00`) into
/// unix milliseconds.
pub fn parse_rfc3339(input: &str) -> Result<i64, TimeError> {
    let err = |reason| TimeError {
        input: input.to_string(),
        reason,
    };
    let s = input.trim();
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return Err(err("too short or not ASCII"));
    }
    let date: crate::srs::Date = s[..10].parse().map_err(|_| err("bad date part"))?;
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(err("the date and the time must be separated by `T`"));
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, TimeError> {
        let part = &s[r];
        if part.len() != 2 || !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err("bad time part"));
        }
        Ok(part.parse::<i64>().unwrap_or(0))
    };
    if b[13] != b':' || b[16] != b':' {
        return Err(err("the time must be written HH:MM:SS"));
    }
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return Err(err("hour, minute or second out of range"));
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(err("a fraction of a second needs digits"));
        }
        let frac = &s[start..i.min(start + 3)];
        millis = frac.parse::<i64>().unwrap_or(0) * 10i64.pow(3 - frac.len() as u32);
    }
    let offset_secs = match &s[i..] {
        "Z" | "z" => 0,
        tz if tz.len() == 6
            && matches!(tz.as_bytes()[0], b'+' | b'-')
            && tz.as_bytes()[3] == b':' =>
        {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return Err(err("time zone offset out of range"));
            }
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (oh * 3600 + om * 60)
        }
        _ => return Err(err("the time zone must be `Z` or ±HH:MM")),
    };
    let secs = date.day_number() * 86_400 + h * 3600 + m * 60 + sec.min(59) - offset_secs;
    Ok(secs * 1000 + millis)
}

/// Unix milliseconds as an RFC 3339 UTC time with milliseconds (`2026-12-24T09:00:00.000Z`).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let day = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let date = crate::srs::Date::from_day_number(day);
    format!(
        "{date}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-12-24T09:00:00Z"), Ok(1_798_102_800_000));
        assert_eq!(
            parse_rfc3339("2026-12-24T10:00:00+01:00"),
            parse_rfc3339("2026-12-24T09:00:00Z")
        );
        assert_eq!(
            parse_rfc3339("2026-12-24t09:00:00.25z"),
            Ok(1_798_102_800_250)
        );
        assert_eq!(
            parse_rfc3339("2026-12-24 08:30:00-00:30"),
            Ok(1_798_102_800_000)
        );
    }

    #[test]
    fn times_format_and_parse_back() {
        for ms in [0, 1_798_102_800_250, 951_782_400_000 - 1] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Ok(ms), "{ms}");
        }
        assert_eq!(
            format_rfc3339(1_798_102_800_000),
            "2026-12-24T09:00:00.000Z"
        );
    }

    #[test]
    fn bad_times_are_refused() {
        for bad in [
            "",
            "2026-12-24",
            "2026-12-24T09:00Z",
            "2026-13-24T09:00:00Z",
            "2026-02-30T09:00:00Z",
            "2026-12-24T24:00:00Z",
            "2026-12-24T09:00:00",
            "2026-12-24T09:00:00+1:00",
            "2026-12-24T09:00:00.Z",
            "2026-12-24X09:00:00Z",
            "２０２６-12-24T09:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?}");
        }
        let e = parse_rfc3339("tomorrow\x1b[2J").unwrap_err().to_string();
        assert!(!e.contains('\x1b'), "{e:?}");
    }

    #[test]
    fn a_shifted_clock_starts_at_the_instant_and_advances() {
        let start = parse_rfc3339("2026-12-24T09:00:00Z").unwrap();
        let clock = Clock::starting_at(start);
        let now = clock.now_ms();
        assert!(now >= start && now < start + 60_000, "{now} vs {start}");
        assert!(clock.is_shifted());
        assert!(!Clock::system().is_shifted());
    }
}
