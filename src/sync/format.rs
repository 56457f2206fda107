//! The line format of a device file (format version 1).
//!
//! ```text
//! iamdrill-sync<TAB>1<TAB>3f9c0a7e5b2d4c18              header: format version, device id
//! 1<TAB>1780000000000<TAB>1780000000000<TAB>answer<TAB>iam-001<TAB>3<TAB>review<TAB>4200<TAB>0<TAB>1
//! 2<TAB>1780000060000<TAB>1780000060000<TAB>suspend<TAB>kms-004
//! ```
//!
//! Every event is one line ending in a newline: sequence number, order time, clock time (unix
//! milliseconds), kind, then the kind's fields:
//!
//! | kind | fields |
//! | --- | --- |
//! | `answer` | card, rating 1-4, mode (`review`, `cram`, `mock`), duration ms, phase before (0 new, 1 learning, 2 review, 3 relearning), reschedules (0/1) |
//! | `suspend`, `unsuspend`, `unbury`, `forget`, `due` | card |
//! | `bury` | card, the day number it is buried until |
//! | `retract` | the sequence number of an answer of this device that was undone |
//! | `mock` | started at, finished at, report (JSON; its longest strings cut so that the line fits in [`MAX_LINE`] bytes) |
//! | `name` | the device's name |
//!
//! Text fields escape `\` as `\\`, tab as `\t`, newline as `\n` and carriage return as `\r`.
//! A last line without its newline is a line still being written (or copied by a sync tool
//! mid-write): it is left for the next read. A carriage return before a newline is ignored.

use std::fmt;

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;
/// The first field of the header line.
pub const MAGIC: &str = "iamdrill-sync";
/// The longest line read (a mock interview report is the longest event).
pub const MAX_LINE: usize = 1 << 20;
/// The longest card id or device name.
pub const MAX_TEXT: usize = 512;

/// One event of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its number on its device (increasing in the order the device made its events).
    pub seq: u64,
    /// The time it is ordered by: its clock time, or the device's previous event's order time
    /// when the clock went back.
    pub order_at: i64,
    /// The device's clock when it happened (unix ms).
    pub at: i64,
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// An answer. `mode`: 0 review, 1 cram, 2 mock. `reschedules`: whether it updates the
    /// card's schedule (cram without rescheduling does not).
    Answer {
        card: String,
        rating: u8,
        mode: u8,
        duration_ms: u32,
        phase_before: u8,
        reschedules: bool,
    },
    Suspend {
        card: String,
    },
    Unsuspend {
        card: String,
    },
    /// Buried until the start of day number `until_day` (in the burying device's calendar).
    Bury {
        card: String,
        until_day: i64,
    },
    Unbury {
        card: String,
    },
    /// Reset to new: answers before it stop counting for the card's schedule.
    Forget {
        card: String,
    },
    /// Made due at the event's time (if it was due later).
    DueNow {
        card: String,
    },
    /// This device's answer number `seq` was undone.
    Retract {
        seq: u64,
    },
    /// A finished mock interview.
    Mock {
        started_at: i64,
        finished_at: i64,
        report: String,
    },
    /// The device's name from now on.
    Name {
        name: String,
    },
}

impl EventKind {
    /// The card the event is about.
    pub fn card(&self) -> Option<&str> {
        match self {
            EventKind::Answer { card, .. }
            | EventKind::Suspend { card }
            | EventKind::Unsuspend { card }
            | EventKind::Bury { card, .. }
            | EventKind::Unbury { card }
            | EventKind::Forget { card }
            | EventKind::DueNow { card } => Some(card),
            EventKind::Retract { .. } | EventKind::Mock { .. } | EventKind::Name { .. } => None,
        }
    }

    fn word(&self) -> &'static str {
        match self {
            EventKind::Answer { .. } => "answer",
            EventKind::Suspend { .. } => "suspend",
            EventKind::Unsuspend { .. } => "unsuspend",
            EventKind::Bury { .. } => "bury",
            EventKind::Unbury { .. } => "unbury",
            EventKind::Forget { .. } => "forget",
            EventKind::DueNow { .. } => "due",
            EventKind::Retract { .. } => "retract",
            EventKind::Mock { .. } => "mock",
            EventKind::Name { .. } => "name",
        }
    }
}

const MODES: [&str; 3] = ["review", "cram", "mock"];

/// The header of a device file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub version: u64,
    pub device: super::DeviceId,
}

/// Why a device file cannot be read (from where it failed on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// A line that is not an event (`line` counts from 1, the header included).
    Line {
        line: u64,
        column: usize,
        message: String,
    },
    /// The file is in a format version newer than this build reads.
    Newer { version: u64 },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Line {
                line,
                column,
                message,
            } => write!(f, "{line}:{column}: {message}"),
            FormatError::Newer { version } => write!(
                f,
                "written by a newer iamdrill (sync format {version}; this build reads format \
                 {FORMAT_VERSION}); nothing of it was read: update iamdrill on this device"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// The header line of a device file.
pub fn encode_header(device: &super::DeviceId) -> String {
    format!("{MAGIC}\t{FORMAT_VERSION}\t{device}\n")
}

/// One event as a line (with its newline).
pub fn encode_event(e: &Event) -> String {
    let mut out = format!("{}\t{}\t{}\t{}", e.seq, e.order_at, e.at, e.kind.word());
    let mut text = |s: &str| {
        out.push('\t');
        escape_into(s, &mut out);
    };
    match &e.kind {
        EventKind::Answer {
            card,
            rating,
            mode,
            duration_ms,
            phase_before,
            reschedules,
        } => {
            text(card);
            let mode = MODES.get(usize::from(*mode)).copied().unwrap_or("review");
            out.push_str(&format!(
                "\t{rating}\t{mode}\t{duration_ms}\t{phase_before}\t{}",
                u8::from(*reschedules)
            ));
        }
        EventKind::Suspend { card }
        | EventKind::Unsuspend { card }
        | EventKind::Unbury { card }
        | EventKind::Forget { card }
        | EventKind::DueNow { card } => text(card),
        EventKind::Bury { card, until_day } => {
            text(card);
            out.push_str(&format!("\t{until_day}"));
        }
        EventKind::Retract { seq } => out.push_str(&format!("\t{seq}")),
        EventKind::Mock {
            started_at,
            finished_at,
            report,
        } => {
            out.push_str(&format!("\t{started_at}\t{finished_at}"));
            out.push('\t');
            // The line and its newline fit in MAX_LINE bytes, or no reader would take it.
            let room = MAX_LINE.saturating_sub(out.len() + 1);
            escape_into(&bounded_report(report, room), &mut out);
        }
        EventKind::Name { name } => text(name),
    }
    out.push('\n');
    out
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Bytes of `s` once escaped.
fn escaped_len(s: &str) -> usize {
    s.len()
        + s.bytes()
            .filter(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
            .count()
}

/// A mock interview report that takes at most `room` bytes once escaped: as it is when it
/// fits; otherwise the JSON with its longest strings (typed answers, mostly) cut to the same
/// length and ended with `…`, as long as fits; `{}` when nothing fits (the report is then
/// not shown on other devices; the device that made it keeps it whole).
pub fn bounded_report(report: &str, room: usize) -> std::borrow::Cow<'_, str> {
    if escaped_len(report) <= room {
        return report.into();
    }
    let fallback = || "{}".into();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(report) else {
        return fallback();
    };
    let fits = |cap: usize| -> Option<String> {
        let mut v = value.clone();
        cut_strings(&mut v, cap);
        serde_json::to_string(&v)
            .ok()
            .filter(|text| escaped_len(text) <= room)
    };
    // The longest cap that fits, by bisection (each try serialises the report once).
    let (mut lo, mut hi) = (0usize, longest_string(&value));
    let mut best = fits(0);
    if best.is_none() {
        return fallback();
    }
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match fits(mid) {
            Some(text) => {
                best = Some(text);
                lo = mid;
            }
            None => hi = mid - 1,
        }
    }
    best.map_or_else(fallback, Into::into)
}

fn longest_string(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => s.chars().count(),
        serde_json::Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        serde_json::Value::Object(map) => map.values().map(longest_string).max().unwrap_or(0),
        _ => 0,
    }
}

/// Cuts every string longer than `cap` characters to `cap` and a `…`.
fn cut_strings(v: &mut serde_json::Value, cap: usize) {
    match v {
        serde_json::Value::String(s) => {
            if let Some((at, _)) = s.char_indices().nth(cap) {
                s.truncate(at);
                s.push('…');
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| cut_strings(i, cap)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| cut_strings(i, cap)),
        _ => {}
    }
}

fn unescape(s: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next().map(|(_, c)| c) {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => {
                let what = other.map_or("the end of the field".to_string(), |c| format!("`{c}`"));
                return Err((i, format!("`\\` followed by {what} is not an escape")));
            }
        }
    }
    Ok(out)
}

/// Reads the header at the start of `bytes`: `Ok(None)` when its line is not complete yet;
/// otherwise the header and the bytes it took.
pub fn parse_header(bytes: &[u8]) -> Result<Option<(Header, usize)>, FormatError> {
    let Some(end) = memchr::memchr(b'\n', &bytes[..bytes.len().min(MAX_LINE)]) else {
        if bytes.len() >= MAX_LINE {
            return Err(line_error(1, 1, "the header line is too long"));
        }
        return Ok(None);
    };
    let text = std::str::from_utf8(&bytes[..end])
        .map_err(|_| line_error(1, 1, "the header is not UTF-8 text"))?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    let mut fields = text.split('\t');
    if fields.next() != Some(MAGIC) {
        return Err(line_error(
            1,
            1,
            &format!(
                "expected the header `{MAGIC}<TAB>VERSION<TAB>DEVICE-ID`; this is not an iamdrill sync file"
            ),
        ));
    }
    let column = MAGIC.len() + 2;
    let version = fields
        .next()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&v| v >= 1)
        .ok_or_else(|| line_error(1, column, "the format version is not a number from 1"))?;
    if version > FORMAT_VERSION {
        return Err(FormatError::Newer { version });
    }
    let device_text = fields.next().unwrap_or("");
    let device = super::DeviceId::parse(device_text).ok_or_else(|| {
        line_error(
            1,
            column + 2,
            "the device id is not 16 lowercase hexadecimal digits",
        )
    })?;
    Ok(Some((Header { version, device }, end + 1)))
}

fn line_error(line: u64, column: usize, message: &str) -> FormatError {
    FormatError::Line {
        line,
        column,
        message: message.to_string(),
    }
}

/// What [`parse_events`] read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub events: Vec<Event>,
    /// Bytes of complete lines read (the next read starts here).
    pub consumed: usize,
    /// Complete lines read.
    pub lines: u64,
    /// The line that stopped the reading (nothing after it was read).
    pub error: Option<FormatError>,
}

/// Reads the events in `bytes`, which start at line number `first_line` of the file. Stops at
/// a torn last line (left for the next read) or at the first line that is not an event.
pub fn parse_events(bytes: &[u8], first_line: u64) -> Parsed {
    let mut out = Parsed::default();
    let mut rest = bytes;
    loop {
        let line_no = first_line + out.lines;
        let window = &rest[..rest.len().min(MAX_LINE + 1)];
        let Some(end) = memchr::memchr(b'\n', window) else {
            if rest.len() > MAX_LINE {
                out.error = Some(line_error(
                    line_no,
                    1,
                    &format!("the line is longer than {MAX_LINE} bytes"),
                ));
            }
            return out;
        };
        match parse_line(&rest[..end], line_no) {
            Ok(event) => out.events.push(event),
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        }
        out.consumed += end + 1;
        out.lines += 1;
        rest = &rest[end + 1..];
    }
}

fn parse_line(bytes: &[u8], line: u64) -> Result<Event, FormatError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| line_error(line, e.valid_up_to() + 1, "the line is not UTF-8 text"))?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    let mut fields = Fields {
        line,
        column: 1,
        iter: text.split('\t'),
        kind: "",
    };
    let seq: u64 = fields.number("sequence number", 1, i64::MAX)? as u64;
    let order_at = fields.number("order time", i64::MIN, i64::MAX)?;
    let at = fields.number("time", i64::MIN, i64::MAX)?;
    let kind_column = fields.column;
    let word = fields.raw("kind")?;
    fields.kind = word;
    let kind = match word {
        "answer" => {
            let card = fields.card()?;
            let rating = fields.number("rating", 1, 4)? as u8;
            let mode_column = fields.column;
            let mode_word = fields.raw("mode")?;
            let mode = MODES.iter().position(|m| *m == mode_word).ok_or_else(|| {
                line_error(
                    line,
                    mode_column,
                    "the mode is not `review`, `cram` or `mock`",
                )
            })? as u8;
            EventKind::Answer {
                card,
                rating,
                mode,
                duration_ms: fields.number("duration", 0, i64::from(u32::MAX))? as u32,
                phase_before: fields.number("phase before", 0, 3)? as u8,
                reschedules: fields.number("reschedules", 0, 1)? == 1,
            }
        }
        "suspend" => EventKind::Suspend {
            card: fields.card()?,
        },
        "unsuspend" => EventKind::Unsuspend {
            card: fields.card()?,
        },
        "unbury" => EventKind::Unbury {
            card: fields.card()?,
        },
        "forget" => EventKind::Forget {
            card: fields.card()?,
        },
        "due" => EventKind::DueNow {
            card: fields.card()?,
        },
        "bury" => EventKind::Bury {
            card: fields.card()?,
            until_day: fields.number("day", -1_000_000, 1_000_000)?,
        },
        "retract" => EventKind::Retract {
            seq: fields.number("sequence number", 1, i64::MAX)? as u64,
        },
        "mock" => EventKind::Mock {
            started_at: fields.number("start time", i64::MIN, i64::MAX)?,
            finished_at: fields.number("finish time", i64::MIN, i64::MAX)?,
            report: fields.text("report", MAX_LINE)?,
        },
        "name" => EventKind::Name {
            name: fields.text("name", MAX_TEXT)?,
        },
        other => {
            return Err(line_error(
                line,
                kind_column,
                &format!("unknown event kind `{}`", other.escape_debug()),
            ));
        }
    };
    if fields.iter.next().is_some() {
        return Err(line_error(
            line,
            fields.column,
            &format!("too many fields for a `{word}` event"),
        ));
    }
    Ok(Event {
        seq,
        order_at,
        at,
        kind,
    })
}

struct Fields<'a> {
    line: u64,
    /// The column the next field starts at.
    column: usize,
    iter: std::str::Split<'a, char>,
    kind: &'a str,
}

impl<'a> Fields<'a> {
    fn raw(&mut self, what: &str) -> Result<&'a str, FormatError> {
        let column = self.column;
        let field = self.iter.next().ok_or_else(|| {
            let after = if self.kind.is_empty() {
                String::new()
            } else {
                format!(" of a `{}` event", self.kind)
            };
            line_error(self.line, column, &format!("the {what}{after} is missing"))
        })?;
        self.column += field.chars().count() + 1;
        Ok(field)
    }

    fn number(&mut self, what: &str, lo: i64, hi: i64) -> Result<i64, FormatError> {
        let column = self.column;
        let field = self.raw(what)?;
        match field.parse::<i64>() {
            Ok(v) if (lo..=hi).contains(&v) => Ok(v),
            _ => Err(line_error(
                self.line,
                column,
                &format!("the {what} is not a whole number from {lo} to {hi}"),
            )),
        }
    }

    fn text(&mut self, what: &str, max: usize) -> Result<String, FormatError> {
        let column = self.column;
        let field = self.raw(what)?;
        let text = unescape(field).map_err(|(at, m)| line_error(self.line, column + at, &m))?;
        if text.len() > max {
            return Err(line_error(
                self.line,
                column,
                &format!("the {what} is longer than {max} bytes"),
            ));
        }
        Ok(text)
    }

    fn card(&mut self) -> Result<String, FormatError> {
        let column = self.column;
        let card = self.text("card id", MAX_TEXT)?;
        if card.is_empty() || card.chars().any(char::is_control) {
            return Err(line_error(
                self.line,
                column,
                "the card id is empty or holds control characters",
            ));
        }
        Ok(card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::DeviceId;

    fn every_kind() -> Vec<EventKind> {
        let card = "iam-001 weird\\id".to_string();
        vec![
            EventKind::Answer {
                card: card.clone(),
                rating: 3,
                mode: 1,
                duration_ms: 4200,
                phase_before: 2,
                reschedules: false,
            },
            EventKind::Suspend { card: card.clone() },
            EventKind::Unsuspend { card: card.clone() },
            EventKind::Bury {
                card: card.clone(),
                until_day: 20_500,
            },
            EventKind::Unbury { card: card.clone() },
            EventKind::Forget { card: card.clone() },
            EventKind::DueNow { card },
            EventKind::Retract { seq: 7 },
            EventKind::Mock {
                started_at: 5,
                finished_at: 9,
                report: "{\"a\":\"line\nbreak\"}".into(),
            },
            EventKind::Name {
                name: "work laptop".into(),
            },
        ]
    }

    #[test]
    fn every_kind_round_trips_through_its_line() {
        let events: Vec<Event> = every_kind()
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Event {
                seq: i as u64 + 1,
                order_at: 1_780_000_000_000 + i as i64,
                at: 1_780_000_000_000 - i as i64,
                kind,
            })
            .collect();
        let text: String = events.iter().map(encode_event).collect();
        assert_eq!(text.lines().count(), events.len(), "one line per event");
        let parsed = parse_events(text.as_bytes(), 2);
        assert_eq!(parsed.error, None);
        assert_eq!(parsed.events, events);
        assert_eq!(parsed.consumed, text.len());
        assert_eq!(parsed.lines, events.len() as u64);
    }

    #[test]
    fn a_torn_last_line_is_left_for_the_next_read() {
        let e = |seq| Event {
            seq,
            order_at: 10,
            at: 10,
            kind: EventKind::Forget { card: "c".into() },
        };
        let text = format!("{}{}", encode_event(&e(1)), encode_event(&e(2)));
        for cut in 0..text.len() {
            let parsed = parse_events(&text.as_bytes()[..cut], 2);
            assert_eq!(parsed.error, None, "cut at {cut}");
            let first = encode_event(&e(1)).len();
            let whole = usize::from(cut >= first);
            assert_eq!(parsed.events.len(), whole);
            assert_eq!(parsed.consumed, if whole == 1 { first } else { 0 });
        }
    }

    #[test]
    fn the_header_names_version_and_device_and_a_newer_format_is_refused() {
        let id = DeviceId::from_bits(0x3f9c_0a7e_5b2d_4c18);
        let h = encode_header(&id);
        let (header, used) = parse_header(h.as_bytes()).unwrap().unwrap();
        assert_eq!(header.device, id);
        assert_eq!(used, h.len());
        assert_eq!(parse_header(&h.as_bytes()[..h.len() - 1]).unwrap(), None);
        let newer = format!("{MAGIC}\t2\t{id}\n");
        let err = parse_header(newer.as_bytes()).unwrap_err();
        assert_eq!(err, FormatError::Newer { version: 2 });
        assert!(err.to_string().contains("newer iamdrill (sync format 2"));
        let err = parse_header(b"hello\n").unwrap_err().to_string();
        assert!(err.starts_with("1:1: expected the header"), "{err}");
        let err = parse_header(format!("{MAGIC}\t1\tABC\n").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("device id"), "{err}");
    }

    #[test]
    fn bad_lines_name_line_and_column_and_stop_the_read_there() {
        let good = encode_event(&Event {
            seq: 1,
            order_at: 1,
            at: 1,
            kind: EventKind::Suspend { card: "c".into() },
        });
        let cases = [
            ("x\t1\t1\tsuspend\tc\n", "2:1: the sequence number"),
            (
                "2\t1\t1\tsuspend\n",
                "2:15: the card id of a `suspend` event is missing",
            ),
            ("2\t1\t1\tjump\tc\n", "2:7: unknown event kind `jump`"),
            (
                "2\t1\t1\tanswer\tc\t5\treview\t1\t0\t1\n",
                "2:16: the rating",
            ),
            ("2\t1\t1\tanswer\tc\t3\tlazy\t1\t0\t1\n", "2:18: the mode"),
            ("2\t1\t1\tsuspend\tc\textra\n", "2:17: too many fields"),
            ("2\t1\t1\tsuspend\ta\\qb\n", "2:16: `\\` followed by `q`"),
            ("2\t1\t1\tsuspend\t\n", "2:15: the card id is empty"),
        ];
        for (bad, want) in cases {
            let text = format!("{good}{bad}{good}");
            let parsed = parse_events(text.as_bytes(), 1);
            assert_eq!(parsed.events.len(), 1, "{bad:?}");
            assert_eq!(parsed.consumed, good.len());
            let err = parsed.error.expect("an error").to_string();
            assert!(err.starts_with(want), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_mock_report_too_long_for_a_line_is_shortened_to_fit_and_reads_back() {
        let long = "typed\tanswer\n".repeat(200_000);
        let report = serde_json::json!({
            "version": 2,
            "score": 0.5,
            "questions": [
                {"card_id": "iam-001", "answer": {"text": long.clone()}, "missed": ["short"]},
                {"card_id": "kms-004", "answer": {"text": long}, "missed": []},
            ],
        })
        .to_string();
        assert!(report.len() > 2 * MAX_LINE);
        let e = Event {
            seq: 4,
            order_at: 10,
            at: 10,
            kind: EventKind::Mock {
                started_at: 1,
                finished_at: 10,
                report,
            },
        };
        let line = encode_event(&e);
        assert!(line.len() <= MAX_LINE, "{}", line.len());
        // Filled up to the bound, not far below it.
        assert!(line.len() > MAX_LINE - 64 * 1024, "{}", line.len());
        let parsed = parse_events(line.as_bytes(), 2);
        assert_eq!(parsed.error, None);
        let EventKind::Mock { report, .. } = &parsed.events[0].kind else {
            panic!("{:?}", parsed.events[0]);
        };
        let v: serde_json::Value = serde_json::from_str(report).unwrap();
        assert_eq!(v["score"], 0.5);
        assert_eq!(v["questions"][0]["card_id"], "iam-001");
        assert_eq!(v["questions"][0]["missed"][0], "short");
        let text = v["questions"][1]["answer"]["text"].as_str().unwrap();
        assert!(text.starts_with("typed\tanswer\n") && text.ends_with('…'));
        // A report that fits is written as it is; one that is not JSON cannot be cut.
        assert_eq!(bounded_report("{\"a\":1}", 100), "{\"a\":1}");
        assert_eq!(bounded_report(&"x".repeat(200), 100), "{}");
    }

    #[test]
    fn carriage_returns_from_a_checkout_are_ignored_and_long_lines_refused() {
        let line = "1\t5\t5\tforget\tc\r\n";
        let parsed = parse_events(line.as_bytes(), 2);
        assert_eq!(parsed.events.len(), 1);
        let long = vec![b'1'; MAX_LINE + 2];
        let parsed = parse_events(&long, 2);
        assert!(parsed.error.unwrap().to_string().contains("longer than"));
    }
}
