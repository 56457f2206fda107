//! Reading a device file from where the last read stopped.

use super::format::{FormatError, parse_events, parse_header};
use super::{DeviceId, Event};

/// Where the reading of a file stopped: the bytes and lines (the header included) of the
/// complete lines read. Zero: nothing read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub offset: u64,
    pub line: u64,
}

/// What one read of a file found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileRead {
    /// The device the header names (read when the cursor is at the start).
    pub device: Option<DeviceId>,
    pub events: Vec<Event>,
    /// Where the next read starts.
    pub cursor: Cursor,
    /// The line that stopped this read; the cursor stays before it.
    pub error: Option<FormatError>,
}

/// Reads `bytes`, the file from `cursor.offset` on. A torn last line (or a header not
/// complete yet) is left for the next read.
pub fn read_from(bytes: &[u8], cursor: Cursor) -> FileRead {
    let mut out = FileRead {
        cursor,
        ..FileRead::default()
    };
    let mut rest = bytes;
    if cursor.offset == 0 {
        match parse_header(bytes) {
            Ok(None) => return out,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
            Ok(Some((header, used))) => {
                out.device = Some(header.device);
                out.cursor = Cursor {
                    offset: used as u64,
                    line: 1,
                };
                rest = &bytes[used..];
            }
        }
    }
    let parsed = parse_events(rest, out.cursor.line + 1);
    out.events = parsed.events;
    out.cursor.offset += parsed.consumed as u64;
    out.cursor.line += parsed.lines;
    out.error = parsed.error;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{EventKind, encode_event, encode_header};

    #[test]
    fn reads_resume_where_they_stopped_and_wait_for_torn_lines() {
        let id = DeviceId::from_bits(7);
        let e = |seq| Event {
            seq,
            order_at: seq as i64,
            at: seq as i64,
            kind: EventKind::Forget { card: "c".into() },
        };
        let file = format!(
            "{}{}{}{}",
            encode_header(&id),
            encode_event(&e(1)),
            encode_event(&e(2)),
            encode_event(&e(3))
        );
        let bytes = file.as_bytes();
        let mut cursor = Cursor::default();
        let mut seen = Vec::new();
        // The file arrives in pieces cut anywhere.
        for cut in [3, 20, 21, 40, 41, 57, bytes.len()] {
            let cut = cut.min(bytes.len());
            let read = read_from(&bytes[cursor.offset as usize..cut], cursor);
            assert_eq!(read.error, None);
            if read.device.is_some() {
                assert_eq!(read.device.as_ref(), Some(&id));
            }
            seen.extend(read.events.iter().map(|e| e.seq));
            cursor = read.cursor;
        }
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(
            cursor,
            Cursor {
                offset: bytes.len() as u64,
                line: 4
            }
        );
    }
}
