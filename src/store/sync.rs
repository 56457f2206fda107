//! Sync through a shared folder (see `crate::sync` for the model and the file format).
//!
//! This database is one device: its id is made once (schema 5) and every answer, suspend,
//! unsuspend, bury, unbury, forget, "due today" and finished mock interview gets an event id
//! (device, sequence number) in the transaction that records it. [`Store::sync_folder`] appends
//! the events not yet written to `DIR/<device-id>.iamdrill-sync`, then reads every other
//! device's file (and the conflict copies sync tools make) from where it last stopped, adds
//! the events it has not seen, and replays the scheduler over the affected cards only, from the
//! earliest new event on.
//!
//! The folder is untrusted: symbolic links are not followed, reads are bounded, a line that is
//! not an event stops that file's reading with its file:line:column, and text read from it is
//! made harmless by whoever prints it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::review::{
    card_number, intern_card, read_flags, update_state_after, write_flags, write_state,
};
use super::{Result, Store, StoreError, state_from_row};
use crate::srs::clock::DayClock;
use crate::srs::scheduler::{CardState, Rating, Scheduler};
use crate::sync::{
    CardOp, Cursor, DeviceId, Event, EventKind, FlagOp, Flags, FormatError, OrderKey, Source,
    StartState, classify, encode_event, encode_header, file_name, read_from, replay_card,
    resolve_flags,
};

/// The most bytes of one file read in one sync (the rest is read by the next one).
pub const MAX_READ: u64 = 256 << 20;
/// The page cache of a sync, in KiB as `PRAGMA cache_size` takes it (negative).
const SYNC_CACHE_KIB: i64 = -65_536;
/// The settings key of the last sync's summary.
const LAST_SYNC: &str = "sync_last";

/// Schema 5: the device, event ids on the log, the other events, and read cursors.
pub(crate) const SYNC_V5: &str = r#"
CREATE TABLE sync_devices (
    n             INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,          -- 16 hexadecimal digits
    local         INTEGER NOT NULL DEFAULT 0 CHECK (local IN (0, 1)),   -- 1: this database
    name          TEXT,                              -- the name it gave itself last
    name_seq      INTEGER NOT NULL DEFAULT 0,        -- the event that gave it
    last_seq      INTEGER NOT NULL DEFAULT 0,        -- this device: the last number given
    last_order    INTEGER,                           -- this device: the last order time given
    exported_seq  INTEGER NOT NULL DEFAULT 0,        -- this device: written to the folder up to
    last_event_at INTEGER,                           -- the latest order time of its events here
    events        INTEGER NOT NULL DEFAULT 0         -- other devices: events taken from it
);
CREATE UNIQUE INDEX sync_devices_local ON sync_devices (local) WHERE local = 1;
INSERT INTO sync_devices (n, id, local) VALUES (1, lower(hex(randomblob(8))), 1);

ALTER TABLE review_log ADD COLUMN device INTEGER;        -- sync_devices.n
ALTER TABLE review_log ADD COLUMN seq INTEGER;
ALTER TABLE review_log ADD COLUMN order_at INTEGER;      -- the time the merged history orders by
ALTER TABLE review_log ADD COLUMN reschedules INTEGER;   -- as answered (a forget clears rescheduled)
ALTER TABLE mock_sessions ADD COLUMN device INTEGER;
ALTER TABLE mock_sessions ADD COLUMN seq INTEGER;
ALTER TABLE mock_sessions ADD COLUMN order_at INTEGER;

-- Events that are not answers or mock interviews.
CREATE TABLE sync_events (
    device    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    order_at  INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    kind      TEXT    NOT NULL,   -- suspend unsuspend bury unbury forget due retract name
    card      TEXT,
    value     INTEGER,            -- bury: the day; retract: the answer's sequence number
    text      TEXT,               -- name
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;
CREATE INDEX sync_events_by_card ON sync_events (card, order_at);

-- How far each file of the shared folder has been read.
CREATE TABLE sync_files (
    name    TEXT PRIMARY KEY,
    device  INTEGER NOT NULL,
    offset  INTEGER NOT NULL,
    line    INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// Created once the existing history has its event ids.
const SYNC_V5_INDEXES: &str = r#"
CREATE UNIQUE INDEX review_log_by_event ON review_log (device, seq);
CREATE INDEX review_log_by_order ON review_log (card, order_at);
CREATE UNIQUE INDEX mock_sessions_by_event ON mock_sessions (device, seq);

CREATE TRIGGER review_log_event AFTER INSERT ON review_log WHEN NEW.device IS NULL BEGIN
    UPDATE sync_devices SET last_seq = last_seq + 1,
        last_order = max(COALESCE(last_order, NEW.reviewed_at), NEW.reviewed_at)
    WHERE local = 1;
    UPDATE review_log SET
        device = (SELECT n FROM sync_devices WHERE local = 1),
        seq = (SELECT last_seq FROM sync_devices WHERE local = 1),
        order_at = (SELECT last_order FROM sync_devices WHERE local = 1),
        reschedules = NEW.rescheduled
    WHERE id = NEW.id;
END;

CREATE TRIGGER mock_sessions_event AFTER INSERT ON mock_sessions WHEN NEW.device IS NULL BEGIN
    UPDATE sync_devices SET last_seq = last_seq + 1,
        last_order = max(COALESCE(last_order, NEW.finished_at), NEW.finished_at)
    WHERE local = 1;
    UPDATE mock_sessions SET
        device = (SELECT n FROM sync_devices WHERE local = 1),
        seq = (SELECT last_seq FROM sync_devices WHERE local = 1),
        order_at = (SELECT last_order FROM sync_devices WHERE local = 1)
    WHERE id = NEW.id;
END;
"#;

/// The data step of schema 5: the answers, mock interviews and flags already in the database
/// become this device's events, in the order they were recorded.
pub(crate) fn assign_local_events(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "UPDATE review_log SET device = 1, seq = s.rn, order_at = s.mx, reschedules = rescheduled
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn,
                      max(reviewed_at) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS mx
               FROM review_log) AS s
         WHERE review_log.id = s.id;
         UPDATE sync_devices SET last_seq = (SELECT count(*) FROM review_log),
                                 last_order = (SELECT max(order_at) FROM review_log)
         WHERE local = 1;",
    )?;
    let mocks: Vec<(i64, i64)> = tx
        .prepare("SELECT id, finished_at FROM mock_sessions ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, finished_at) in mocks {
        let (device, seq, order_at) = next_local_id(tx, finished_at)?;
        tx.execute(
            "UPDATE mock_sessions SET device = ?2, seq = ?3, order_at = ?4 WHERE id = ?1",
            params![id, device, seq, order_at],
        )?;
    }
    let now: i64 = tx.query_row(
        "SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)",
        [],
        |r| r.get(0),
    )?;
    let flags: Vec<(String, bool, Option<i64>)> = tx
        .prepare("SELECT card_id, suspended, buried_until_day FROM card_flags ORDER BY card_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (card, suspended, buried) in flags {
        if suspended {
            record_local(tx, LocalEvent::Suspend, &card, now)?;
        }
        if let Some(day) = buried {
            record_local(tx, LocalEvent::Bury(day), &card, now)?;
        }
    }
    tx.execute_batch(SYNC_V5_INDEXES)
}

/// The next event id of this device for an event at `at`: (device number, sequence number,
/// order time).
fn next_local_id(conn: &Connection, at: i64) -> rusqlite::Result<(i64, i64, i64)> {
    conn.prepare_cached(
        "UPDATE sync_devices SET last_seq = last_seq + 1,
             last_order = max(COALESCE(last_order, ?1), ?1)
         WHERE local = 1 RETURNING n, last_seq, last_order",
    )?
    .query_row([at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}

/// A change of this device that is not an answer or a mock interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalEvent {
    Suspend,
    Unsuspend,
    Bury(i64),
    Unbury,
    Forget,
    DueNow,
    /// This device's answer with this sequence number was undone.
    Retract(i64),
}

/// Records a change of this device as its next event (in the caller's transaction).
pub(crate) fn record_local(
    conn: &Connection,
    event: LocalEvent,
    card: &str,
    at: i64,
) -> rusqlite::Result<()> {
    let (kind, value) = match event {
        LocalEvent::Suspend => ("suspend", None),
        LocalEvent::Unsuspend => ("unsuspend", None),
        LocalEvent::Bury(day) => ("bury", Some(day)),
        LocalEvent::Unbury => ("unbury", None),
        LocalEvent::Forget => ("forget", None),
        LocalEvent::DueNow => ("due", None),
        LocalEvent::Retract(seq) => ("retract", Some(seq)),
    };
    let (device, seq, order_at) = next_local_id(conn, at)?;
    conn.prepare_cached(
        "INSERT INTO sync_events (device, seq, order_at, at, kind, card, value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![device, seq, order_at, at, kind, card, value])?;
    Ok(())
}

/// Records the flag changes between `before` and `after` as events.
pub(crate) fn record_flag_changes(
    conn: &Connection,
    card: &str,
    before: (bool, Option<i64>),
    after: (bool, Option<i64>),
    at: i64,
) -> rusqlite::Result<()> {
    if before.0 != after.0 {
        let e = if after.0 {
            LocalEvent::Suspend
        } else {
            LocalEvent::Unsuspend
        };
        record_local(conn, e, card, at)?;
    }
    if before.1 != after.1 {
        let e = match after.1 {
            Some(day) => LocalEvent::Bury(day),
            None => LocalEvent::Unbury,
        };
        record_local(conn, e, card, at)?;
    }
    Ok(())
}

/// Records that this device's answer (review log entry `review_id`) is undone, so that other
/// devices drop it too.
pub(crate) fn record_retract(conn: &Connection, review_id: i64, at: i64) -> rusqlite::Result<()> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT l.seq, c.id FROM review_log AS l
             JOIN card_ids AS c ON c.n = l.card
             JOIN sync_devices AS d ON d.n = l.device AND d.local = 1
             WHERE l.id = ?1",
        )?
        .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((seq, card)) = row {
        record_local(conn, LocalEvent::Retract(seq), &card, at)?;
    }
    Ok(())
}

/// What came in from one device in a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    pub device: String,
    /// The name the device gave itself (untrusted text: clean it before printing).
    pub name: Option<String>,
    pub answers: u64,
    /// Suspend, unsuspend, bury, unbury, forget, due today and undone answers.
    pub changes: u64,
    pub mock_reports: u64,
}

impl Incoming {
    /// The device's name, or its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.device)
    }
}

/// What [`Store::sync_folder`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub at: i64,
    /// This device's events written to its file.
    pub written: u64,
    /// Per device that sent anything new.
    pub incoming: Vec<Incoming>,
    /// Cards whose state was replayed.
    pub cards_replayed: u64,
    /// Files that could not be read (whole or from a line on), each message naming the file.
    pub problems: Vec<String>,
}

impl SyncReport {
    pub fn answers_in(&self) -> u64 {
        self.incoming.iter().map(|i| i.answers).sum()
    }

    /// "12 answers from laptop, 3 from desktop" (names untrusted: clean before printing).
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .incoming
            .iter()
            .filter(|i| i.answers + i.changes + i.mock_reports > 0)
            .enumerate()
            .map(|(k, i)| {
                let mut what = Vec::new();
                if i.answers > 0 || (i.changes == 0 && i.mock_reports == 0) {
                    let noun = if k == 0 {
                        plural(i.answers, "answer", "answers")
                    } else {
                        i.answers.to_string()
                    };
                    what.push(noun);
                }
                if i.changes > 0 {
                    what.push(plural(i.changes, "change", "changes"));
                }
                if i.mock_reports > 0 {
                    what.push(plural(i.mock_reports, "mock report", "mock reports"));
                }
                format!("{} from {}", what.join(" + "), i.label())
            })
            .collect();
        if parts.is_empty() {
            "nothing new".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A device as `sync --status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceStatus {
    pub id: String,
    pub name: Option<String>,
    pub this_device: bool,
    /// The order time of its latest event here.
    pub last_event_at: Option<i64>,
    /// Its events this database holds.
    pub events: u64,
    /// This device: events not yet written to the folder. Others: events in the folder not
    /// yet taken.
    pub pending: u64,
}

/// What `sync --status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub folder: Option<PathBuf>,
    pub devices: Vec<DeviceStatus>,
    pub last_sync: Option<SyncReport>,
    /// Files of the folder that could not be read.
    pub problems: Vec<String>,
}

/// This device's row.
struct Local {
    n: i64,
    id: DeviceId,
    name: Option<String>,
    last_seq: i64,
    exported_seq: i64,
}

fn local(conn: &Connection) -> rusqlite::Result<Local> {
    conn.query_row(
        "SELECT n, id, name, last_seq, exported_seq FROM sync_devices WHERE local = 1",
        [],
        |r| {
            let id: String = r.get(1)?;
            Ok(Local {
                n: r.get(0)?,
                id: DeviceId::parse(&id).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        format!("the device id `{id}` is not 16 hexadecimal digits").into(),
                    )
                })?,
                name: r.get(2)?,
                last_seq: r.get(3)?,
                exported_seq: r.get(4)?,
            })
        },
    )
}

impl Store {
    /// This database's device id.
    pub fn device_id(&self) -> Result<DeviceId> {
        local(&self.conn).map(|l| l.id).map_err(|e| self.err(e))
    }

    /// The summary of the last sync (`None`: never synced).
    pub fn last_sync(&self) -> Result<Option<SyncReport>> {
        Ok(self
            .setting(LAST_SYNC)?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Writes this device's new events to `dir`, then takes every other device's new events
    /// from it and replays the affected cards. `name` is this device's name as others see it.
    pub fn sync_folder(&mut self, dir: &Path, name: &str, now: i64) -> Result<SyncReport> {
        let folder_error = |message: String| StoreError::Io {
            path: dir.to_path_buf(),
            message,
        };
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(folder_error(format!(
                    "sync folder {} is not a directory",
                    dir.display()
                )));
            }
            Err(e) => {
                return Err(folder_error(format!(
                    "sync folder {}: {e} (is it offline or not mounted?)",
                    dir.display()
                )));
            }
        }
        let mut report = SyncReport {
            at: now,
            ..SyncReport::default()
        };
        let touched = self.export(dir, name, &mut report)?;
        // New events touch pages all over the indexes: a cache that holds them all for the
        // import's transaction reads and writes each page once.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "cache_size", SYNC_CACHE_KIB)
            .map_err(|e| self.err(e))?;
        let done = self.import(dir, touched, &mut report);
        self.conn
            .pragma_update(None, "cache_size", cache)
            .map_err(|e| self.err(e))?;
        done?;
        let json = serde_json::to_string(&report).unwrap_or_default();
        self.set_setting(LAST_SYNC, Some(&json))?;
        Ok(report)
    }

    /// Appends this device's events not yet in its file; returns the cards they touch.
    fn export(&mut self, dir: &Path, name: &str, report: &mut SyncReport) -> Result<Touched> {
        let path = dir.join(file_name(&self.device_id()?));
        // As long as a reader takes (a longer name would stop every reader at its line).
        let name: String = name
            .trim()
            .chars()
            .scan(0, |bytes, c| {
                *bytes += c.len_utf8();
                (*bytes <= crate::sync::format::MAX_TEXT).then_some(c)
            })
            .collect();
        let name = name.as_str();
        // A new name is an event too.
        let at = report.at;
        self.write_tx(|tx| {
            let l = local(tx)?;
            if !name.is_empty() && l.name.as_deref() != Some(name) {
                let (device, seq, order_at) = next_local_id(tx, at)?;
                tx.execute(
                    "INSERT INTO sync_events (device, seq, order_at, at, kind, text)
                     VALUES (?1, ?2, ?3, ?4, 'name', ?5)",
                    params![device, seq, order_at, at, name],
                )?;
                tx.execute(
                    "UPDATE sync_devices SET name = ?1, name_seq = ?2 WHERE local = 1",
                    params![name, seq],
                )?;
            }
            Ok(())
        })?;
        let l = local(&self.conn).map_err(|e| self.err(e))?;
        let io = |message: String| StoreError::Io {
            path: path.clone(),
            message,
        };
        let in_file =
            own_file_last_seq(&path).map_err(|m| io(format!("{}: {m}", path.display())))?;
        let from = match in_file {
            None => 0,
            Some(last) if last > l.last_seq => {
                return Err(io(format!(
                    "{} holds events up to number {last}, but this database made only {}: another \
                     database uses the same device id (a copy of this one?). Nothing was written. \
                     Sync from one of them only, or give the copy a new id with `iamdrill sync \
                     --new-device-id`.",
                    path.display(),
                    l.last_seq
                )));
            }
            // Events written but not acknowledged (interrupted), or lost with an older copy of
            // the file the sync tool brought back: continue after what the file holds.
            Some(last) => last,
        };
        // Without other devices' events here, this device's events were recorded in order and
        // need no replay (the first sync of a long history writes it and replays nothing).
        let others: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sync_devices WHERE local = 0 AND events > 0)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let mut touched = Touched::default();
        let mut out = DeviceFileWriter::new(&path, &l.id, in_file.is_none());
        let mut done = from;
        self.for_each_local_event(l.n, from, |e| {
            if others && e.seq as i64 > l.exported_seq {
                touched.note(&e);
            }
            done = done.max(e.seq as i64);
            out.push(&e)
                .map_err(|m| io(format!("cannot write {}: {m}", path.display())))
        })?;
        report.written = out.events;
        out.finish()
            .map_err(|m| io(format!("cannot write {}: {m}", path.display())))?;
        self.write_tx(|tx| {
            tx.execute(
                "UPDATE sync_devices SET exported_seq = max(exported_seq, ?1) WHERE local = 1",
                [done],
            )
            .map(|_| ())
        })?;
        Ok(touched)
    }

    /// This device's events with a sequence number above `from`, in order.
    #[cfg(test)]
    fn local_events_after(&self, device: i64, from: i64) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        self.for_each_local_event(device, from, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands this device's events with a sequence number above `from` to `f` in order, one at
    /// a time (a long history is never held in memory).
    fn for_each_local_event(
        &self,
        device: i64,
        from: i64,
        mut f: impl FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        let e = |err| self.err(err);
        let mut answers = self
            .conn
            .prepare_cached(
                "SELECT l.seq, l.order_at, l.reviewed_at, c.id, l.rating, l.mode, l.duration_ms,
                        l.phase_before, COALESCE(l.reschedules, l.rescheduled)
                 FROM review_log AS l JOIN card_ids AS c ON c.n = l.card
                 WHERE l.device = ?1 AND l.seq > ?2 ORDER BY l.seq",
            )
            .map_err(e)?;
        let answers = answers
            .query_map(params![device, from], |r| {
                Ok(Event {
                    seq: r.get::<_, i64>(0)? as u64,
                    order_at: r.get(1)?,
                    at: r.get(2)?,
                    kind: EventKind::Answer {
                        card: r.get(3)?,
                        rating: r.get(4)?,
                        mode: r.get(5)?,
                        duration_ms: r.get::<_, i64>(6)?.clamp(0, i64::from(u32::MAX)) as u32,
                        phase_before: r.get(7)?,
                        reschedules: r.get::<_, i64>(8)? != 0,
                    },
                })
            })
            .map_err(e)?;
        let mut mocks = self
            .conn
            .prepare_cached(
                "SELECT seq, order_at, finished_at, started_at, report_json FROM mock_sessions
                 WHERE device = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(e)?;
        let mocks = mocks
            .query_map(params![device, from], |r| {
                let finished_at: i64 = r.get(2)?;
                Ok(Event {
                    seq: r.get::<_, i64>(0)? as u64,
                    order_at: r.get(1)?,
                    at: finished_at,
                    kind: EventKind::Mock {
                        started_at: r.get(3)?,
                        finished_at,
                        report: r.get(4)?,
                    },
                })
            })
            .map_err(e)?;
        let mut others = self
            .conn
            .prepare_cached(
                "SELECT seq, order_at, at, kind, card, value, text FROM sync_events
                 WHERE device = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(e)?;
        let others = others
            .query_map(params![device, from], |r| {
                let kind: String = r.get(3)?;
                let card: Option<String> = r.get(4)?;
                let card = card.unwrap_or_default();
                let value: Option<i64> = r.get(5)?;
                let value = value.unwrap_or(0);
                let kind = match kind.as_str() {
                    "suspend" => EventKind::Suspend { card },
                    "unsuspend" => EventKind::Unsuspend { card },
                    "bury" => EventKind::Bury {
                        card,
                        until_day: value,
                    },
                    "unbury" => EventKind::Unbury { card },
                    "forget" => EventKind::Forget { card },
                    "due" => EventKind::DueNow { card },
                    "retract" => EventKind::Retract {
                        seq: value.max(1) as u64,
                    },
                    _ => EventKind::Name {
                        name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    },
                };
                Ok(Event {
                    seq: r.get::<_, i64>(0)? as u64,
                    order_at: r.get(1)?,
                    at: r.get(2)?,
                    kind,
                })
            })
            .map_err(e)?;
        // The three tables' events merged by sequence number.
        type Stream<'s> =
            std::iter::Peekable<Box<dyn Iterator<Item = rusqlite::Result<Event>> + 's>>;
        let mut streams: [Stream<'_>; 3] = [
            (Box::new(answers) as Box<dyn Iterator<Item = _>>).peekable(),
            (Box::new(mocks) as Box<dyn Iterator<Item = _>>).peekable(),
            (Box::new(others) as Box<dyn Iterator<Item = _>>).peekable(),
        ];
        loop {
            let mut next: Option<(usize, u64)> = None;
            for (i, stream) in streams.iter_mut().enumerate() {
                match stream.peek() {
                    Some(Ok(ev)) if next.is_none_or(|(_, seq)| ev.seq < seq) => {
                        next = Some((i, ev.seq));
                    }
                    Some(Err(_)) => {
                        if let Some(Err(err)) = stream.next() {
                            return Err(e(err));
                        }
                    }
                    _ => {}
                }
            }
            let Some((i, _)) = next else {
                return Ok(());
            };
            if let Some(event) = streams[i].next() {
                f(event.map_err(e)?)?;
            }
        }
    }

    /// Reads the other devices' files from their cursors and takes their new events, in one
    /// transaction; then replays the affected cards (and those `touched` by this device's
    /// events just written, so that its own answers take their place among the others').
    fn import(&mut self, dir: &Path, mut touched: Touched, report: &mut SyncReport) -> Result<()> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let me = local(&tx).map_err(e)?;
        let mut interned: HashMap<String, i64> = HashMap::new();
        let mut incoming: BTreeMap<String, Incoming> = BTreeMap::new();
        for (name, file) in folder_files(dir, &mut report.problems) {
            // This device's own file (and copies of it) hold nothing new for it.
            if classify(&name).is_some_and(|f| f.device == me.id) {
                continue;
            }
            let cursor: Option<(i64, i64, i64)> = tx
                .prepare_cached("SELECT device, offset, line FROM sync_files WHERE name = ?1")
                .and_then(|mut s| {
                    s.query_row([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .optional()
                })
                .map_err(e)?;
            let read = match read_file(&file, cursor.map(|c| (c.1, c.2))) {
                Ok(read) => read,
                Err(message) => {
                    report
                        .problems
                        .push(format!("{}: {message}", file.display()));
                    continue;
                }
            };
            let device_n = match (&read.device, cursor) {
                (Some(id), _) => {
                    if *id == me.id {
                        continue;
                    }
                    if classify(&name).is_none_or(|f| f.device != *id) {
                        report.problems.push(format!(
                            "{}: its header names device {id}, not the one its name starts \
                             with; not read",
                            file.display()
                        ));
                        continue;
                    }
                    device_number(&tx, id).map_err(e)?
                }
                (None, Some((n, _, _))) if read.cursor.offset > 0 => n,
                // Nothing complete to read yet.
                _ => {
                    if let Some(err) = &read.error {
                        report.problems.push(located(&file, err));
                    }
                    continue;
                }
            };
            if device_n == me.n {
                continue;
            }
            let device_id: String = tx
                .prepare_cached("SELECT id FROM sync_devices WHERE n = ?1")
                .and_then(|mut s| s.query_row([device_n], |r| r.get(0)))
                .map_err(e)?;
            let inc = incoming
                .entry(device_id.clone())
                .or_insert_with(|| Incoming {
                    device: device_id,
                    ..Incoming::default()
                });
            let mut known = known_events(&tx, device_n, &read.events).map_err(e)?;
            let mut taken = 0i64;
            let mut latest: Option<i64> = None;
            for event in &read.events {
                // Known already, or twice in this file (a device never writes that).
                if !known.insert(event.seq) {
                    continue;
                }
                take_event(&tx, device_n, event, inc, &mut touched, &mut interned).map_err(e)?;
                taken += 1;
                latest = latest.max(Some(event.order_at));
            }
            if let Some(latest) = latest {
                tx.prepare_cached(
                    "UPDATE sync_devices SET events = events + ?2,
                         last_event_at = max(COALESCE(last_event_at, ?3), ?3)
                     WHERE n = ?1",
                )
                .and_then(|mut s| s.execute(params![device_n, taken, latest]))
                .map_err(e)?;
            }
            tx.prepare_cached(
                "INSERT INTO sync_files (name, device, offset, line) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET device = excluded.device,
                     offset = excluded.offset, line = excluded.line",
            )
            .and_then(|mut s| {
                s.execute(params![
                    name,
                    device_n,
                    read.cursor.offset as i64,
                    read.cursor.line as i64
                ])
            })
            .map_err(e)?;
            if let Some(err) = &read.error {
                report.problems.push(located(&file, err));
            }
        }
        let devices = device_ids(&tx).map_err(e)?;
        for card in &touched.flags {
            resolve_card_flags(&tx, &devices, card).map_err(e)?;
        }
        report.cards_replayed = touched.replay.len() as u64;
        replay_cards(&tx, &self.scheduler, &self.clock, &touched.replay).map_err(e)?;
        for inc in incoming.values_mut() {
            inc.name = tx
                .query_row(
                    "SELECT name FROM sync_devices WHERE id = ?1",
                    [&inc.device],
                    |r| r.get(0),
                )
                .map_err(e)?;
        }
        report.incoming = incoming
            .into_values()
            .filter(|i| i.answers + i.changes + i.mock_reports > 0)
            .collect();
        // The device that sent most first: "12 answers from laptop, 2 from phone".
        report.incoming.sort_by(|a, b| {
            (b.answers, b.changes + b.mock_reports).cmp(&(a.answers, a.changes + a.mock_reports))
        });
        tx.commit().map_err(e)?;
        Ok(())
    }

    /// The devices seen, their latest events and what is pending; `dir` is read (not changed)
    /// to count the events waiting there.
    pub fn sync_status(&self, dir: Option<&Path>) -> Result<SyncStatus> {
        let e = |err| self.err(err);
        let me = local(&self.conn).map_err(e)?;
        let mut devices: Vec<DeviceStatus> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT d.n, d.id, d.name, d.local,
                            CASE d.local WHEN 1 THEN d.last_order ELSE d.last_event_at END,
                            d.last_seq, d.exported_seq,
                            (SELECT count(*) FROM review_log WHERE device = d.n)
                          + (SELECT count(*) FROM sync_events WHERE device = d.n)
                          + (SELECT count(*) FROM mock_sessions WHERE device = d.n),
                            (SELECT max(order_at) FROM review_log WHERE device = d.n)
                     FROM sync_devices AS d ORDER BY d.local DESC, d.id",
                )
                .map_err(e)?;
            let rows = stmt
                .query_map([], |r| {
                    let this: bool = r.get::<_, i64>(3)? != 0;
                    let last_seq: i64 = r.get(5)?;
                    let exported: i64 = r.get(6)?;
                    let last_answer: Option<i64> = r.get(8)?;
                    let last_event: Option<i64> = r.get(4)?;
                    Ok(DeviceStatus {
                        id: r.get(1)?,
                        name: r.get(2)?,
                        this_device: this,
                        last_event_at: last_event.max(last_answer),
                        events: r.get::<_, i64>(7)?.max(0) as u64,
                        pending: if this {
                            (last_seq - exported).max(0) as u64
                        } else {
                            0
                        },
                    })
                })
                .map_err(e)?;
            rows.collect::<rusqlite::Result<_>>().map_err(e)?
        };
        let mut problems = Vec::new();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                problems.push(format!(
                    "sync folder {} is missing or not a directory (offline?)",
                    dir.display()
                ));
            }
            for (name, file) in folder_files(dir, &mut problems) {
                if classify(&name).is_some_and(|f| f.device == me.id) {
                    continue;
                }
                let cursor: Option<(i64, i64)> = self
                    .conn
                    .query_row(
                        "SELECT offset, line FROM sync_files WHERE name = ?1",
                        [&name],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(e)?;
                let read = match read_file(&file, cursor) {
                    Ok(read) => read,
                    Err(m) => {
                        problems.push(format!("{}: {m}", file.display()));
                        continue;
                    }
                };
                if let Some(err) = &read.error {
                    problems.push(located(&file, err));
                }
                let device: Option<String> = match &read.device {
                    Some(id) => Some(id.to_string()),
                    None => self
                        .conn
                        .query_row(
                            "SELECT d.id FROM sync_files AS f JOIN sync_devices AS d ON d.n = f.device
                             WHERE f.name = ?1",
                            [&name],
                            |r| r.get(0),
                        )
                        .optional()
                        .map_err(e)?,
                };
                let Some(device) = device else { continue };
                if device == me.id.as_str() {
                    continue;
                }
                let n: Option<i64> = self
                    .conn
                    .query_row("SELECT n FROM sync_devices WHERE id = ?1", [&device], |r| {
                        r.get(0)
                    })
                    .optional()
                    .map_err(e)?;
                let known = match n {
                    Some(n) => known_events(&self.conn, n, &read.events).map_err(e)?,
                    None => HashSet::new(),
                };
                let pending = read
                    .events
                    .iter()
                    .filter(|ev| !known.contains(&ev.seq))
                    .count() as u64;
                match devices.iter_mut().find(|d| d.id == device) {
                    Some(d) => d.pending += pending,
                    None => devices.push(DeviceStatus {
                        id: device,
                        name: None,
                        this_device: false,
                        last_event_at: read.events.iter().map(|e| e.order_at).max(),
                        events: 0,
                        pending,
                    }),
                }
            }
        }
        Ok(SyncStatus {
            folder: dir.map(Path::to_path_buf),
            devices,
            last_sync: self.last_sync()?,
            problems,
        })
    }

    /// Gives this database a new device id (for a copy of another machine's database): the
    /// events so far stay under the old id (the other machine has them too) and the events
    /// from now on are this device's under the new one.
    pub fn new_device_id(&mut self) -> Result<DeviceId> {
        self.write_tx(|tx| {
            let old = local(tx)?;
            let last_order: Option<i64> = tx.query_row(
                "SELECT last_order FROM sync_devices WHERE local = 1",
                [],
                |r| r.get(0),
            )?;
            tx.execute("UPDATE sync_devices SET local = 0 WHERE local = 1", [])?;
            let mut id = old.id.clone();
            while id == old.id {
                id = DeviceId::from_bits(
                    tx.query_row("SELECT random()", [], |r| r.get::<_, i64>(0))? as u64,
                );
            }
            tx.execute(
                "INSERT INTO sync_devices (id, local, last_order) VALUES (?1, 1, ?2)",
                params![id.as_str(), last_order],
            )?;
            Ok(id)
        })
    }

    /// Records a forget of `card` at `at` and replays the card: answers ordered before the
    /// forget stop counting, answers after it count from a new card.
    pub(crate) fn forget_at(&mut self, card: &str, at: i64) -> Result<bool> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let had = super::review::read_state(&tx, card).map_err(e)?.is_some();
        record_local(&tx, LocalEvent::Forget, card, at).map_err(e)?;
        let order_at: i64 = tx
            .query_row(
                "SELECT last_order FROM sync_devices WHERE local = 1",
                [],
                |r| r.get(0),
            )
            .map_err(e)?;
        let cards = BTreeMap::from([(card.to_string(), order_at)]);
        replay_cards(&tx, &self.scheduler, &self.clock, &cards).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(had)
    }

    /// Records "due today" of `card` at `now` and replays the card. Returns whether its due
    /// date moved.
    pub(crate) fn due_now_at(&mut self, card: &str, now: i64) -> Result<bool> {
        let path = self.path.clone();
        let e = |err| super::sql_error(&path, err);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let before = super::review::read_state(&tx, card).map_err(e)?;
        if before.is_none_or(|st| st.due <= now) {
            return Ok(false);
        }
        record_local(&tx, LocalEvent::DueNow, card, now).map_err(e)?;
        let order_at: i64 = tx
            .query_row(
                "SELECT last_order FROM sync_devices WHERE local = 1",
                [],
                |r| r.get(0),
            )
            .map_err(e)?;
        let cards = BTreeMap::from([(card.to_string(), order_at)]);
        replay_cards(&tx, &self.scheduler, &self.clock, &cards).map_err(e)?;
        let after = super::review::read_state(&tx, card).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(after != before)
    }
}

/// The number of a device in `sync_devices`, adding it when new.
fn device_number(conn: &Connection, id: &DeviceId) -> rusqlite::Result<i64> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_devices (id) VALUES (?1)")?
        .execute([id.as_str()])?;
    conn.prepare_cached("SELECT n FROM sync_devices WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
}

/// The sequence numbers among `events`' of device `n` that are here already (or, for an
/// answer, were undone): a few range reads by the event indexes, whatever the history's size.
fn known_events(conn: &Connection, n: i64, events: &[Event]) -> rusqlite::Result<HashSet<u64>> {
    let (Some(lo), Some(hi)) = (
        events.iter().map(|e| e.seq).min(),
        events.iter().map(|e| e.seq).max(),
    ) else {
        return Ok(HashSet::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq FROM review_log WHERE device = ?1 AND seq BETWEEN ?2 AND ?3
         UNION ALL SELECT seq FROM mock_sessions WHERE device = ?1 AND seq BETWEEN ?2 AND ?3
         UNION ALL SELECT seq FROM sync_events WHERE device = ?1 AND seq BETWEEN ?2 AND ?3
         UNION ALL SELECT value FROM sync_events
             WHERE device = ?1 AND seq > ?2 AND kind = 'retract' AND value BETWEEN ?2 AND ?3",
    )?;
    let rows = stmt.query_map(params![n, lo as i64, hi as i64], |r| r.get::<_, i64>(0))?;
    rows.map(|r| r.map(|seq| seq as u64)).collect()
}

/// The cards a sync replays (from the earliest order time of their new answers, forgets and
/// "due today") and those whose flags it resolves (new suspend, unsuspend, bury, unbury).
#[derive(Debug, Default)]
struct Touched {
    replay: BTreeMap<String, i64>,
    flags: BTreeSet<String>,
}

impl Touched {
    fn replay(&mut self, card: &str, at: i64) {
        match self.replay.get_mut(card) {
            Some(k) => *k = (*k).min(at),
            None => {
                self.replay.insert(card.to_string(), at);
            }
        }
    }

    /// Notes what a new event touches.
    fn note(&mut self, e: &Event) {
        match &e.kind {
            EventKind::Answer { card, .. }
            | EventKind::Forget { card }
            | EventKind::DueNow { card } => self.replay(card, e.order_at),
            EventKind::Suspend { card }
            | EventKind::Unsuspend { card }
            | EventKind::Bury { card, .. }
            | EventKind::Unbury { card } => {
                self.flags.insert(card.clone());
            }
            EventKind::Retract { .. } | EventKind::Mock { .. } | EventKind::Name { .. } => {}
        }
    }
}

/// Adds one new event of device `n`; notes the cards it touches. `interned` keeps the card
/// numbers looked up in this sync.
fn take_event(
    tx: &Connection,
    n: i64,
    e: &Event,
    inc: &mut Incoming,
    touched: &mut Touched,
    interned: &mut HashMap<String, i64>,
) -> rusqlite::Result<()> {
    let seq = e.seq as i64;
    match &e.kind {
        EventKind::Answer {
            card,
            rating,
            mode,
            duration_ms,
            phase_before,
            reschedules,
        } => {
            let c = match interned.get(card.as_str()) {
                Some(&c) => c,
                None => {
                    let c = intern_card(tx, card)?;
                    interned.insert(card.clone(), c);
                    c
                }
            };
            tx.prepare_cached(
                "INSERT INTO review_log (card, reviewed_at, rating, duration_ms, mode, rescheduled,
                     phase_before, before_id, phase, stability, difficulty, due_in,
                     last_review_ago, step, interval_days, reps, lapses, device, seq, order_at,
                     reschedules)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, 0, 0, 0, -?2, NULL, 0, 0, 0, 0,
                         ?8, ?9, ?10, ?6)",
            )?
            .execute(params![
                c,
                e.at,
                rating,
                duration_ms,
                mode,
                reschedules,
                phase_before,
                n,
                seq,
                e.order_at
            ])?;
            inc.answers += 1;
            touched.replay(card, e.order_at);
        }
        EventKind::Mock {
            started_at,
            finished_at,
            report,
        } => {
            tx.prepare_cached(
                "INSERT INTO mock_sessions (started_at, finished_at, report_json, device, seq, order_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![started_at, finished_at, report, n, seq, e.order_at])?;
            inc.mock_reports += 1;
        }
        kind => {
            let (word, card, value, text): (&str, Option<&str>, Option<i64>, Option<&str>) =
                match kind {
                    EventKind::Suspend { card } => ("suspend", Some(card), None, None),
                    EventKind::Unsuspend { card } => ("unsuspend", Some(card), None, None),
                    EventKind::Bury { card, until_day } => {
                        ("bury", Some(card), Some(*until_day), None)
                    }
                    EventKind::Unbury { card } => ("unbury", Some(card), None, None),
                    EventKind::Forget { card } => ("forget", Some(card), None, None),
                    EventKind::DueNow { card } => ("due", Some(card), None, None),
                    EventKind::Retract { seq } => ("retract", None, Some(*seq as i64), None),
                    EventKind::Name { name } => ("name", None, None, Some(name)),
                    EventKind::Answer { .. } | EventKind::Mock { .. } => unreachable!(),
                };
            let mut card = card.map(str::to_string);
            if let EventKind::Retract { seq: target } = kind {
                // The undone answer leaves the log; its card is replayed.
                let row: Option<(i64, String, i64)> = tx
                    .prepare_cached(
                        "SELECT l.id, c.id, l.order_at FROM review_log AS l
                         JOIN card_ids AS c ON c.n = l.card WHERE l.device = ?1 AND l.seq = ?2",
                    )?
                    .query_row(params![n, *target as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?;
                if let Some((id, c, order_at)) = row {
                    super::review::delete_review(tx, id)?;
                    touched.replay(&c, order_at);
                    card = Some(c);
                }
            }
            tx.prepare_cached(
                "INSERT INTO sync_events (device, seq, order_at, at, kind, card, value, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![n, seq, e.order_at, e.at, word, card, value, text])?;
            match kind {
                EventKind::Name { name } => {
                    tx.prepare_cached(
                        "UPDATE sync_devices SET name = ?2, name_seq = ?3
                         WHERE n = ?1 AND name_seq < ?3",
                    )?
                    .execute(params![n, name, seq])?;
                }
                EventKind::Retract { .. } => inc.changes += 1,
                _ => {
                    touched.note(e);
                    inc.changes += 1;
                }
            }
        }
    }
    Ok(())
}

/// Sets a card's flags from every flag event of it, last writer wins (see
/// [`crate::sync::resolve_flags`]).
fn resolve_card_flags(
    conn: &Connection,
    devices: &HashMap<i64, DeviceId>,
    card: &str,
) -> rusqlite::Result<()> {
    let mut events: Vec<(OrderKey, FlagOp)> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT order_at, device, seq, kind, value FROM sync_events
         WHERE card = ?1 AND kind IN ('suspend', 'unsuspend', 'bury', 'unbury')",
    )?;
    let mut rows = stmt.query([card])?;
    while let Some(r) = rows.next()? {
        let Some(device) = devices.get(&r.get::<_, i64>(1)?).cloned() else {
            continue;
        };
        let op = match r.get::<_, String>(3)?.as_str() {
            "suspend" => FlagOp::Suspend,
            "unsuspend" => FlagOp::Unsuspend,
            "bury" => FlagOp::Bury(r.get::<_, Option<i64>>(4)?.unwrap_or(0)),
            _ => FlagOp::Unbury,
        };
        let key = OrderKey {
            at: r.get(0)?,
            device,
            seq: r.get::<_, i64>(2)? as u64,
        };
        events.push((key, op));
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let ops: Vec<FlagOp> = events.into_iter().map(|(_, op)| op).collect();
    let (suspended, buried_until) = read_flags(conn, card)?;
    let flags = resolve_flags(
        Flags {
            suspended,
            buried_until,
        },
        &ops,
    );
    write_flags(conn, card, flags.suspended, flags.buried_until)
}

/// Every device's id by its number here (a handful of rows).
fn device_ids(conn: &Connection) -> rusqlite::Result<HashMap<i64, DeviceId>> {
    let mut stmt = conn.prepare_cached("SELECT n, id FROM sync_devices")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, device_of(r.get(1)?, 1)?)))?;
    rows.collect()
}

/// One step of a card's history being replayed.
enum Item {
    /// The answer at this index of the card's rows.
    Answer(usize),
    Other,
}

/// A logged answer of the card being replayed.
struct LoggedAnswer {
    id: i64,
    key: OrderKey,
    at: i64,
    rating: Rating,
    /// As answered (a forget later clears `rescheduled`, not this).
    reschedules: bool,
    rescheduled: bool,
    before_id: Option<i64>,
    after: CardState,
}

/// Replays each card from the earliest new event on (its order time in `cards`): the state
/// before it comes from the last answer ordered earlier (or a new card, after a forget).
pub(crate) fn replay_cards(
    conn: &Connection,
    scheduler: &Scheduler,
    clock: &DayClock,
    cards: &BTreeMap<String, i64>,
) -> rusqlite::Result<()> {
    if cards.is_empty() {
        return Ok(());
    }
    let devices = device_ids(conn)?;
    // States before answers kept apart are rare: without any, unchanged answers are skipped.
    let kept_before: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM review_before)", [], |r| {
            r.get(0)
        })?;
    for (card, &k) in cards {
        replay_one(conn, scheduler, clock, &devices, kept_before, card, k)?;
    }
    Ok(())
}

fn device_of(text: String, column: usize) -> rusqlite::Result<DeviceId> {
    DeviceId::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("`{text}` is not a device id").into(),
        )
    })
}

fn device_key(
    devices: &HashMap<i64, DeviceId>,
    n: i64,
    at: i64,
    seq: i64,
) -> rusqlite::Result<OrderKey> {
    let device = devices.get(&n).cloned().ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Integer,
            format!("device number {n} is not in sync_devices").into(),
        )
    })?;
    Ok(OrderKey {
        at,
        device,
        seq: seq as u64,
    })
}

/// Every answer of card `n`, by the log's index on the card (a card's history is short).
fn card_answers(
    conn: &Connection,
    devices: &HashMap<i64, DeviceId>,
    n: i64,
) -> rusqlite::Result<Vec<LoggedAnswer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, order_at, device, seq, reviewed_at, rating,
                COALESCE(reschedules, rescheduled), rescheduled, before_id, {}
         FROM review_log WHERE card = ?1",
        super::review::STATE_COLUMNS
    ))?;
    let mut rows = stmt.query([n])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let rating: i64 = r.get(5)?;
        out.push(LoggedAnswer {
            id: r.get(0)?,
            key: device_key(devices, r.get(2)?, r.get(1)?, r.get(3)?)?,
            at: r.get(4)?,
            rating: Rating::from_number(rating)
                .ok_or(rusqlite::Error::IntegralValueOutOfRange(5, rating))?,
            reschedules: r.get::<_, i64>(6)? != 0,
            rescheduled: r.get::<_, i64>(7)? != 0,
            before_id: r.get(8)?,
            after: state_from_row(r, 9)?,
        });
    }
    Ok(out)
}

/// The forgets and "due today" of a card: (order, is a forget, clock time).
fn card_resets(
    conn: &Connection,
    devices: &HashMap<i64, DeviceId>,
    card: &str,
) -> rusqlite::Result<Vec<(OrderKey, bool, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT order_at, device, seq, at, kind = 'forget' FROM sync_events
         WHERE card = ?1 AND kind IN ('forget', 'due')",
    )?;
    let mut rows = stmt.query([card])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((
            device_key(devices, r.get(1)?, r.get(0)?, r.get(2)?)?,
            r.get(4)?,
            r.get(3)?,
        ));
    }
    Ok(out)
}

fn replay_one(
    conn: &Connection,
    scheduler: &Scheduler,
    clock: &DayClock,
    devices: &HashMap<i64, DeviceId>,
    kept_before: bool,
    card: &str,
    k: i64,
) -> rusqlite::Result<()> {
    let Some(n) = card_number(conn, card)? else {
        return Ok(());
    };
    let answers = card_answers(conn, devices, n)?;
    let resets = card_resets(conn, devices, card)?;
    // Where the replay starts: the last rescheduling answer before `k`, unless a forget
    // came after it.
    let start = answers
        .iter()
        .filter(|a| a.key.at < k && a.reschedules)
        .max_by(|a, b| a.key.cmp(&b.key));
    let forget = resets
        .iter()
        .filter(|(key, forget, _)| *forget && key.at < k)
        .map(|(key, _, _)| key)
        .max();
    let start = start.filter(|s| forget.is_none_or(|f| *f < s.key));
    // The history from `k` on, in order.
    let mut items: Vec<(&OrderKey, Item, CardOp)> = Vec::new();
    for (i, a) in answers.iter().enumerate().filter(|(_, a)| a.key.at >= k) {
        let op = CardOp::Answer {
            at: a.at,
            rating: a.rating,
            reschedules: a.reschedules,
        };
        items.push((&a.key, Item::Answer(i), op));
    }
    for (key, forget, at) in resets.iter().filter(|r| r.0.at >= k) {
        let op = if *forget {
            CardOp::Forget
        } else {
            CardOp::DueNow { at: *at }
        };
        items.push((key, Item::Other, op));
    }
    items.sort_by(|a, b| a.0.cmp(b.0));
    let ops: Vec<CardOp> = items.iter().map(|i| i.2).collect();
    let begin = StartState {
        state: start.map(|s| s.after).unwrap_or_default(),
        from_answer: start.is_some(),
    };
    let replayed = replay_card(begin, &ops, scheduler, clock);
    let row_of = |source: Source| -> Option<i64> {
        match source {
            Source::New => None,
            Source::Start => start.map(|s| s.id),
            Source::Op(i) => match items[i].1 {
                Item::Answer(a) => Some(answers[a].id),
                Item::Other => None,
            },
        }
    };
    if let (Some(after), Some(s)) = (replayed.start_after, start) {
        update_state_after(conn, s.id, &after)?;
    }
    if replayed.last_forget.is_some() {
        for a in answers.iter().filter(|a| a.key.at < k && a.rescheduled) {
            conn.prepare_cached("UPDATE review_log SET rescheduled = 0 WHERE id = ?1")?
                .execute([a.id])?;
        }
    }
    for outcome in &replayed.answers {
        let Item::Answer(i) = items[outcome.op].1 else {
            continue;
        };
        let a = &answers[i];
        let before_id = row_of(outcome.before);
        if !kept_before
            && a.after == outcome.after
            && a.rescheduled == outcome.rescheduled
            && a.before_id == before_id
        {
            continue;
        }
        let st = &outcome.after;
        conn.prepare_cached(
            "UPDATE review_log SET phase = ?2, stability = ?3, difficulty = ?4,
                 due_in = ?5 - reviewed_at, last_review_ago = reviewed_at - ?6, step = ?7,
                 interval_days = ?8, reps = ?9, lapses = ?10, rescheduled = ?11, before_id = ?12
             WHERE id = ?1",
        )?
        .execute(params![
            a.id,
            st.phase.number(),
            f64::from(st.stability),
            f64::from(st.difficulty),
            st.due,
            st.last_review,
            st.step,
            st.interval_days,
            st.reps,
            st.lapses,
            outcome.rescheduled,
            before_id
        ])?;
        if kept_before {
            conn.prepare_cached("DELETE FROM review_before WHERE review_id = ?1")?
                .execute([a.id])?;
        }
    }
    match row_of(replayed.source) {
        Some(id) => write_state(conn, card, &replayed.state, id)?,
        None => {
            conn.prepare_cached("DELETE FROM cards WHERE card_id = ?1")?
                .execute([card])?;
        }
    }
    Ok(())
}

/// The files of `dir` that hold device events, by name; symbolic links and other
/// non-regular files are skipped with a note in `problems`.
fn folder_files(dir: &Path, problems: &mut Vec<String>) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if classify(&name).is_none() {
            continue;
        }
        let path = entry.path();
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => problems.push(format!(
                "{}: a symbolic link; not followed, not read",
                path.display()
            )),
            Ok(m) if !m.is_file() => {
                problems.push(format!("{}: not a regular file; not read", path.display()))
            }
            Ok(_) => out.push((name, path)),
            Err(_) => {}
        }
    }
    out.sort();
    out
}

/// Opens a regular file that is not a symbolic link (the check is repeated on the opened
/// file, so a name swapped in between is caught).
fn open_regular(path: &Path, write: bool) -> std::io::Result<std::fs::File> {
    let before = std::fs::symlink_metadata(path)?;
    if before.file_type().is_symlink() || !before.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (symbolic links are not followed)",
        ));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .append(write)
        .open(path)?;
    let opened = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if opened.ino() != before.ino() || opened.dev() != before.dev() {
            return Err(std::io::Error::other(
                "the file changed while it was opened",
            ));
        }
    }
    if !opened.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Reads a device file from a cursor (`None`: from the start). A file shorter than the cursor,
/// or one whose byte before it is not a line end, was replaced: it is read from the start
/// (the events already here are skipped by id).
fn read_file(
    path: &Path,
    cursor: Option<(i64, i64)>,
) -> std::result::Result<crate::sync::FileRead, String> {
    let mut file = open_regular(path, false).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut cursor = cursor
        .map(|(offset, line)| Cursor {
            offset: offset.max(0) as u64,
            line: line.max(0) as u64,
        })
        .unwrap_or_default();
    if cursor.offset > len {
        cursor = Cursor::default();
    }
    if cursor.offset > 0 {
        let mut byte = [0u8];
        file.seek(SeekFrom::Start(cursor.offset - 1))
            .and_then(|_| file.read_exact(&mut byte))
            .map_err(|e| e.to_string())?;
        if byte[0] != b'\n' {
            cursor = Cursor::default();
        }
    }
    file.seek(SeekFrom::Start(cursor.offset))
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity((len - cursor.offset).min(MAX_READ) as usize);
    file.take(MAX_READ)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(read_from(&bytes, cursor))
}

/// The sequence number of the last complete event in this device's own file (`None`: no
/// file). A torn last line (an append that was interrupted) is cut off: only this device
/// writes the file.
fn own_file_last_seq(path: &Path) -> std::result::Result<Option<i64>, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
        Ok(_) => {}
    }
    let mut file = open_regular(path, false).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let tail_len = len.min(crate::sync::format::MAX_LINE as u64 * 2);
    file.seek(SeekFrom::Start(len - tail_len))
        .map_err(|e| e.to_string())?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).map_err(|e| e.to_string())?;
    let Some(end) = tail.iter().rposition(|&b| b == b'\n') else {
        // Not even a complete header (its creation was interrupted): made again.
        drop(file);
        std::fs::remove_file(path).map_err(|e| e.to_string())?;
        return Ok(None);
    };
    if end + 1 < tail.len() {
        let keep = len - tail_len + end as u64 + 1;
        drop(file);
        let f = open_regular(path, true).map_err(|e| e.to_string())?;
        f.set_len(keep).map_err(|e| e.to_string())?;
        f.sync_all().map_err(|e| e.to_string())?;
    }
    let complete = &tail[..end];
    let last_line = match complete.iter().rposition(|&b| b == b'\n') {
        Some(i) => &complete[i + 1..],
        None if tail_len == len => complete,
        None => return Err("its last line is too long".into()),
    };
    if last_line.starts_with(crate::sync::format::MAGIC.as_bytes()) {
        return Ok(Some(0));
    }
    let seq = last_line
        .split(|&b| b == b'\t')
        .next()
        .and_then(|f| std::str::from_utf8(f).ok())
        .and_then(|f| f.parse::<i64>().ok())
        .ok_or("its last line is not an event of this format")?;
    Ok(Some(seq))
}

/// The bytes gathered before each write to the device file.
const WRITE_CHUNK: usize = 1 << 20;

/// Appends events to this device's file in chunks (creating it with its header when
/// `create`), and flushes them to the disk at the end. An interruption leaves complete lines
/// and at most one torn last line, which the next sync cuts off ([`own_file_last_seq`]).
struct DeviceFileWriter<'a> {
    path: &'a Path,
    device: &'a DeviceId,
    create: bool,
    file: Option<std::fs::File>,
    buf: Vec<u8>,
    chunk: usize,
    /// Events pushed.
    events: u64,
}

impl<'a> DeviceFileWriter<'a> {
    fn new(path: &'a Path, device: &'a DeviceId, create: bool) -> Self {
        DeviceFileWriter {
            path,
            device,
            create,
            file: None,
            buf: Vec::new(),
            chunk: WRITE_CHUNK,
            events: 0,
        }
    }

    fn push(&mut self, e: &Event) -> std::result::Result<(), String> {
        self.buf.extend_from_slice(encode_event(e).as_bytes());
        self.events += 1;
        if self.buf.len() >= self.chunk {
            self.write_buffer()?;
        }
        Ok(())
    }

    fn write_buffer(&mut self) -> std::result::Result<(), String> {
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let mut f = if self.create {
                    std::fs::OpenOptions::new()
                        .append(true)
                        .create_new(true)
                        .open(self.path)
                        .map_err(|e| e.to_string())?
                } else {
                    open_regular(self.path, true).map_err(|e| e.to_string())?
                };
                if self.create {
                    f.write_all(encode_header(self.device).as_bytes())
                        .map_err(|e| e.to_string())?;
                }
                self.file.insert(f)
            }
        };
        file.write_all(&self.buf).map_err(|e| e.to_string())?;
        self.buf.clear();
        Ok(())
    }

    /// Writes what is left and flushes the file to the disk (a new file is created even
    /// without events: it names the device).
    fn finish(mut self) -> std::result::Result<(), String> {
        if !self.buf.is_empty() || (self.create && self.file.is_none()) {
            self.write_buffer()?;
        }
        match &self.file {
            Some(f) => f.sync_all().map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }
}

/// How a sync started in the background stood when the caller stopped waiting.
#[derive(Debug)]
pub enum Background {
    Done(SyncReport),
    Failed(String),
    /// Still running: it finishes on its own (or, if the process ends first, the next sync
    /// does its work).
    Running,
}

/// Syncs with a store of its own (`open` opens it) on another thread and waits at most
/// `wait` for it, so a slow or hung folder never holds up the caller.
pub fn sync_in_background<F>(
    open: F,
    dir: PathBuf,
    name: String,
    now: i64,
    wait: std::time::Duration,
) -> Background
where
    F: FnOnce() -> Result<Store> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            let out = open().and_then(|mut store| store.sync_folder(&dir, &name, now));
            let _ = tx.send(out);
        });
    if let Err(e) = spawned {
        return Background::Failed(format!("cannot start the sync: {e}"));
    }
    match rx.recv_timeout(wait) {
        Ok(Ok(report)) => Background::Done(report),
        Ok(Err(e)) => Background::Failed(e.to_string()),
        Err(_) => Background::Running,
    }
}

/// The one-line sync status the dashboard shows: "synced 10:42 · 12 answers from laptop",
/// "sync folder offline · last synced 09:12". Device names in it are untrusted text.
pub fn sync_note(outcome: &Background, last: Option<&SyncReport>, clock: &DayClock) -> String {
    let hhmm = |ms: i64| {
        let secs = (ms.div_euclid(1000) + clock.utc_offset_secs).rem_euclid(86_400);
        format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
    };
    let earlier = || {
        last.map(|r| format!(" · last synced {}", hhmm(r.at)))
            .unwrap_or_default()
    };
    match outcome {
        Background::Done(r) => {
            let what = if r.incoming.is_empty() {
                "up to date".to_string()
            } else {
                r.summary()
            };
            let problems = if r.problems.is_empty() {
                String::new()
            } else {
                format!(
                    " · {} unreadable (iamdrill sync)",
                    plural(r.problems.len() as u64, "file", "files")
                )
            };
            format!("synced {} · {what}{problems}", hhmm(r.at))
        }
        Background::Running => format!("syncing…{}", earlier()),
        Background::Failed(e) if e.contains("offline") || e.contains("not a directory") => {
            format!("sync folder offline{}", earlier())
        }
        Background::Failed(_) => format!("sync failed: see iamdrill sync{}", earlier()),
    }
}

/// A name for this device when the configuration gives none: the host name.
pub fn default_device_name() -> String {
    let from_env = ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok())
        .filter(|s| !s.trim().is_empty());
    let from_file = || {
        ["/etc/hostname", "/proc/sys/kernel/hostname"]
            .iter()
            .find_map(|p| crate::deck::read::read_text_bounded(Path::new(p), 256).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    from_env
        .or_else(from_file)
        .map(|s| s.chars().filter(|c| !c.is_control()).take(64).collect())
        .unwrap_or_else(|| "this device".to_string())
}

/// A device file's problem: `file:line:column: …` for a line, `file: …` for the whole file.
fn located(file: &std::path::Path, err: &FormatError) -> String {
    match err {
        FormatError::Line { .. } => format!("{}:{err}", file.display()),
        FormatError::Newer { .. } => format!("{}: {err}", file.display()),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::schema::{MIGRATIONS, Migration};
    use crate::srs::scheduler::Rating;
    use crate::store::Store;

    const T: i64 = 1_780_000_000_000;

    /// A schema 4 database with answers (one logged with an earlier time after a later one,
    /// as an import makes), a suspended and a buried card and a mock interview.
    fn v4_database(path: &std::path::Path) {
        let mut conn = Connection::open(path).unwrap();
        let tx = conn.transaction().unwrap();
        for m in &MIGRATIONS[..4] {
            match m {
                Migration::Sql(sql) => tx.execute_batch(sql).unwrap(),
                Migration::WithData(sql, convert) => {
                    tx.execute_batch(sql).unwrap();
                    convert(&tx).unwrap();
                }
            }
        }
        tx.execute_batch(
            "INSERT INTO card_ids (n, id) VALUES (1, 'a'), (2, 'b');
             INSERT INTO review_log (id, card, reviewed_at, rating, duration_ms, mode, rescheduled,
                 phase_before, before_id, phase, stability, difficulty, due, last_review, step,
                 interval_days, reps, lapses)
             VALUES (1, 1, 1780000000000, 3, 1000, 0, 1, 0, NULL, 1, 2.3, 5.0, 1780000600000, 1780000000000, 1, 0, 1, 0),
                    (2, 2, 1780000100000, 4, 1000, 2, 1, 0, NULL, 2, 8.0, 3.0, 1780700000000, 1780000100000, 0, 8, 1, 0),
                    (3, 1, 1779000000000, 1, 1000, 1, 0, 1, 1, 1, 2.3, 5.0, 1780000600000, 1780000000000, 1, 0, 1, 0);
             INSERT INTO cards (card_id, phase, stability, difficulty, due, last_review, step,
                 interval_days, reps, lapses, review_id)
             VALUES ('a', 1, 2.3, 5.0, 1780000600000, 1780000000000, 1, 0, 1, 0, 1),
                    ('b', 2, 8.0, 3.0, 1780700000000, 1780000100000, 0, 8, 1, 0, 2);
             INSERT INTO card_flags (card_id, suspended, buried_until_day) VALUES ('a', 1, NULL), ('c', 0, 20700);
             INSERT INTO mock_sessions (started_at, finished_at, report_json) VALUES (1, 1780000200000, '{}');
             PRAGMA user_version = 4;
             PRAGMA application_id = 1229016388;",
        )
        .unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn schema_4_history_becomes_this_devices_events_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        v4_database(&path);
        let mut store = Store::open_path(&path).unwrap();
        let rows: Vec<(i64, i64, i64, i64, i64)> = store
            .conn
            .prepare("SELECT id, device, seq, order_at, reschedules FROM review_log ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // Numbered in the order they were logged; the earlier time logged later keeps its place.
        assert_eq!(
            rows,
            [
                (1, 1, 1, T, 1),
                (2, 1, 2, T + 100_000, 1),
                (3, 1, 3, T + 100_000, 0)
            ]
        );
        let events = store.local_events_after(1, 0).unwrap();
        let kinds: Vec<String> = events
            .iter()
            .map(|e| {
                crate::sync::encode_event(e)
                    .split('\t')
                    .nth(3)
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            ["answer", "answer", "answer", "mock", "suspend", "bury"]
        );
        assert!(events.windows(2).all(|w| w[0].order_at <= w[1].order_at));
        // The states, flags and log are as they were.
        assert_eq!(store.review_count().unwrap(), 3);
        let progress = store.load_progress().unwrap();
        assert!(progress["a"].suspended);
        assert_eq!(progress["c"].buried_until, Some(20700));
        assert_eq!(progress["b"].state.interval_days, 8);
        // New answers continue the numbering.
        let answered = store.record_mock("b", Rating::Good, 500, T + DAY).unwrap();
        let seq: i64 = store
            .conn
            .query_row(
                "SELECT seq FROM review_log WHERE id = ?1",
                [answered.review_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(seq, 7);
        // A sync writes them all to this device's file.
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        let report = store.sync_folder(&shared, "laptop", T + DAY).unwrap();
        assert_eq!(report.written, 8, "7 events and the name");
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn schema_6_drops_the_order_index_and_keeps_every_answer_and_event_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        let ids = |store: &Store| -> Vec<(i64, i64, i64, i64)> {
            store
                .conn
                .prepare("SELECT id, device, seq, order_at FROM review_log ORDER BY id")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let before = {
            let mut store = Store::open_path(&path).unwrap();
            for (i, card) in ["a", "b", "a"].into_iter().enumerate() {
                store
                    .record_mock(card, Rating::Good, 500, T + i as i64 * DAY)
                    .unwrap();
            }
            store.sync_folder(&shared, "laptop", T + 3 * DAY).unwrap();
            // Back to schema 5.
            store
                .conn
                .execute_batch(super::super::schema::BACK_TO_V7)
                .unwrap();
            store
                .conn
                .execute_batch(
                    "CREATE INDEX review_log_by_order ON review_log (card, order_at);
                     DROP INDEX review_log_by_card;
                     CREATE INDEX review_log_by_card ON review_log (card, id);
                     CREATE INDEX cards_by_due ON cards (due, phase, stability, difficulty,
                         last_review, step, interval_days, reps, lapses);
                     PRAGMA user_version = 5;",
                )
                .unwrap();
            (ids(&store), store.load_progress().unwrap())
        };
        let mut store = Store::open_path(&path).unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::super::schema::latest_version());
        let index: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'review_log_by_order'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 0);
        assert_eq!(ids(&store), before.0);
        assert_eq!(store.load_progress().unwrap(), before.1);
        // Syncing goes on from where it was: nothing is written twice.
        store
            .record_mock("b", Rating::Easy, 500, T + 4 * DAY)
            .unwrap();
        let report = store.sync_folder(&shared, "laptop", T + 4 * DAY).unwrap();
        assert_eq!(report.written, 1);
    }

    #[test]
    fn a_rebuild_keeps_the_synced_states() {
        // Two devices answer the same cards at the same instants (ties broken by device id),
        // and one device's clock goes back between two answers (its own order is kept).
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        let mut a = Store::open_path(&dir.path().join("a.sqlite3")).unwrap();
        let mut b = Store::open_path(&dir.path().join("b.sqlite3")).unwrap();
        for (i, card) in ["x", "y", "z"].into_iter().enumerate() {
            let t = T + i as i64 * DAY;
            a.record_mock(card, Rating::Good, 500, t).unwrap();
            b.record_mock(card, Rating::Again, 500, t).unwrap();
            b.record_mock(card, Rating::Hard, 500, t + 10 * DAY)
                .unwrap();
            // b's clock went back: ordered after the answer before, at its time.
            b.record_mock(card, Rating::Easy, 500, t + 5 * DAY).unwrap();
        }
        a.forget("z", T + 20 * DAY).unwrap();
        for _ in 0..2 {
            a.sync_folder(&shared, "a", T + 30 * DAY).unwrap();
            b.sync_folder(&shared, "b", T + 30 * DAY).unwrap();
        }
        let synced_a = a.load_progress().unwrap();
        let synced_b = b.load_progress().unwrap();
        assert_eq!(synced_a, synced_b);
        for store in [&mut a, &mut b] {
            let report = store.rebuild().unwrap();
            assert_eq!(report.corrected, 0, "{report:?}");
            assert_eq!(store.load_progress().unwrap(), synced_a);
        }
        // The clock going back did not reorder: the easy answer came last on b.
        assert_eq!(synced_a["y"].state.last_review, Some(T + DAY + 5 * DAY));
        assert!(synced_a.get("z").is_none_or(|p| p.state.is_new()));
    }

    #[test]
    fn the_device_file_is_written_in_chunks_of_whole_lines() {
        use crate::sync::{Event, EventKind, encode_event, encode_header};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let id = crate::sync::DeviceId::from_bits(9);
        let events: Vec<Event> = (1..=200)
            .map(|seq| Event {
                seq,
                order_at: T + seq as i64,
                at: T + seq as i64,
                kind: EventKind::Forget {
                    card: format!("card-{seq}"),
                },
            })
            .collect();
        let mut w = super::DeviceFileWriter::new(&path, &id, true);
        w.chunk = 100;
        for e in &events[..150] {
            w.push(e).unwrap();
        }
        // Before the end, the file holds the header and whole lines only, each chunk written
        // as it filled (nothing is gathered beyond one chunk).
        let partial = std::fs::read_to_string(&path).unwrap();
        assert!(partial.starts_with(&encode_header(&id)));
        assert!(partial.ends_with('\n'));
        assert!(w.buf.len() < 100 + 40, "{}", w.buf.len());
        let read = crate::sync::read_from(partial.as_bytes(), crate::sync::Cursor::default());
        assert_eq!(read.error, None);
        assert!(read.events.len() >= 140, "{}", read.events.len());
        for e in &events[150..] {
            w.push(e).unwrap();
        }
        assert_eq!(w.events, 200);
        w.finish().unwrap();
        let whole: String = std::iter::once(encode_header(&id))
            .chain(events.iter().map(encode_event))
            .collect();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
        // Appending continues the same file; a new file without events still gets its header.
        let mut w = super::DeviceFileWriter::new(&path, &id, false);
        w.push(&events[0]).unwrap();
        w.finish().unwrap();
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with(&encode_event(&events[0]))
        );
        let empty = dir.path().join("g");
        super::DeviceFileWriter::new(&empty, &id, true)
            .finish()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&empty).unwrap(), encode_header(&id));
    }

    #[test]
    fn the_dashboard_note_says_when_and_what_or_why_not() {
        use super::{Background, Incoming, SyncReport, sync_note};
        let clock = crate::srs::clock::DayClock {
            utc_offset_secs: 3600,
            rollover_hour: 4,
        };
        // 2026-05-28 20:26:40 UTC is 21:26 at UTC+1.
        let report = SyncReport {
            at: T,
            incoming: vec![Incoming {
                device: "0123456789abcdef".into(),
                name: Some("laptop".into()),
                answers: 12,
                ..Incoming::default()
            }],
            ..SyncReport::default()
        };
        assert_eq!(
            sync_note(&Background::Done(report.clone()), None, &clock),
            "synced 21:26 · 12 answers from laptop"
        );
        let quiet = SyncReport {
            at: T,
            ..SyncReport::default()
        };
        assert_eq!(
            sync_note(&Background::Done(quiet), None, &clock),
            "synced 21:26 · up to date"
        );
        let offline = Background::Failed(
            "sync folder /x: No such file (is it offline or not mounted?)".into(),
        );
        assert_eq!(
            sync_note(&offline, Some(&report), &clock),
            "sync folder offline · last synced 21:26"
        );
        assert_eq!(sync_note(&Background::Running, None, &clock), "syncing…");
    }

    #[test]
    fn a_missing_folder_fails_quickly_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.sqlite3");
        Store::open_path(&db).unwrap();
        let outcome = super::sync_in_background(
            move || Store::open_path(&db),
            dir.path().join("gone"),
            "laptop".into(),
            T,
            std::time::Duration::from_secs(60),
        );
        match outcome {
            super::Background::Failed(e) => assert!(e.contains("offline"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_interrupted_append_is_cut_and_a_copied_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        store.record_mock("a", Rating::Good, 500, T).unwrap();
        store.sync_folder(&shared, "laptop", T).unwrap();
        let file = shared.join(crate::sync::file_name(&store.device_id().unwrap()));
        // A torn line at the end (the machine stopped mid-append).
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend_from_slice(b"3\t178");
        std::fs::write(&file, &bytes).unwrap();
        store.record_mock("b", Rating::Good, 500, T + 1).unwrap();
        store.sync_folder(&shared, "laptop", T + 1).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let read = crate::sync::read_from(text.as_bytes(), crate::sync::Cursor::default());
        assert_eq!(read.error, None, "{text}");
        assert_eq!(
            read.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        // A copy of this database on another machine wrote further under the same id.
        let copy = dir.path().join("copy.sqlite3");
        std::fs::copy(dir.path().join("p.sqlite3"), &copy).unwrap();
        let mut other = Store::open_path(&copy).unwrap();
        for i in 0..3 {
            other
                .record_mock("c", Rating::Easy, 500, T + 10 + i)
                .unwrap();
        }
        other.sync_folder(&shared, "desktop", T + 20).unwrap();
        let err = store
            .sync_folder(&shared, "laptop", T + 30)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("another database uses the same device id"),
            "{err}"
        );
        // A new id for the copy's original, and both sync again.
        store.new_device_id().unwrap();
        store.sync_folder(&shared, "laptop", T + 40).unwrap();
    }
}
