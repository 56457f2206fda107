//! Sync through a shared folder: the event model, the line format of the device files, the
//! names sync tools give to copies of them, and the order every device replays events in.
//!
//! Each database is one device with a random id. It writes its own events (answers, suspend,
//! bury, forget, due today, finished mock interviews) to `DIR/<device-id>.iamdrill-sync`, a file
//! no other device writes, append-only; it reads every other device's file from where it last
//! stopped. Card states are the scheduler replayed over the merged events in one fixed order
//! ([`OrderKey`]: time, device id, sequence number), so every device reaches the same state
//! whatever order it synced in.
//!
//! Everything here is pure: reading and writing the folder and the database is
//! `crate::store::sync`'s work.

pub mod file;
pub mod format;
pub mod names;
pub mod replay;

pub use file::{Cursor, FileRead, read_from};
pub use format::{
    Event, EventKind, FORMAT_VERSION, FormatError, Header, Parsed, encode_event, encode_header,
    parse_events, parse_header,
};
pub use names::{DeviceFile, EXTENSION, classify, file_name};
pub use replay::{
    AnswerOutcome, CardOp, CardOutcome, FlagOp, Flags, OrderKey, Replayed, Source, StartState,
    replay_all, replay_card, resolve_flags,
};

/// A device id: 16 lowercase hexadecimal digits (64 random bits).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(String);

impl DeviceId {
    /// Length of an id in characters.
    pub const LEN: usize = 16;

    /// The id `text` spells, if it is one.
    pub fn parse(text: &str) -> Option<DeviceId> {
        (text.len() == Self::LEN && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| DeviceId(text.to_string()))
    }

    /// The id of these 64 bits.
    pub fn from_bits(bits: u64) -> DeviceId {
        DeviceId(format!("{bits:016x}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An event's id: the device that made it and its sequence number there (from 1, increasing in
/// the order the device made its events).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    pub device: DeviceId,
    pub seq: u64,
}

/// The order time of a device's next event: its clock time, but never before the device's
/// previous event, so a clock set back cannot reorder one device's own events.
pub fn order_time(at: i64, previous: Option<i64>) -> i64 {
    previous.map_or(at, |p| p.max(at))
}

#[cfg(test)]
mod props;
