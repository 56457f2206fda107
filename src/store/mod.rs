//! Progress store: SQLite (through `rusqlite`, bundled) in WAL mode.
//!
//! The append-only review log (`reviews`) is the source of truth; the per-card state (`cards`)
//! is derived from it and can be rebuilt ([`Store::rebuild`]). Every answer is one IMMEDIATE
//! transaction committed with `synchronous = FULL` before the session moves on, so an
//! acknowledged answer survives a killed process, and two processes answering at once serialize
//! on the write lock instead of overwriting each other (the new state is computed inside the
//! transaction from the stored state).
//!
//! See `crate::srs` for the API overview.

pub mod backup;
mod cards;
mod export;
pub mod files;
pub mod generate;
pub mod import;
mod migrate3;
mod optimize;
mod review;
pub mod schema;
mod stats;
pub mod sync;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::srs::clock::{Date, DayClock};
use crate::srs::fxhash::FxHashMap;
use crate::srs::queue::{CardProgress, DEFAULT_NEW_LIMIT, DEFAULT_REVIEW_LIMIT};
use crate::srs::scheduler::{
    CardState, DEFAULT_RETENTION, Phase, RETENTION_RANGE, Scheduler, SchedulerConfig,
    SchedulerError,
};

pub use cards::Outlook;
pub use export::write_anki_tsv;
pub use optimize::{MIN_REVIEWS_FOR_OPTIMIZE, OptimizeOutcome, OptimizeReport};
pub use review::{Answered, ReviewMode};
pub use stats::{MockSessionRow, PruneReport, RebuildReport, Stats};
pub use sync::{DeviceStatus, Incoming, SyncReport, SyncStatus};

/// How long a command waits for another process holding the lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a wait lasts where nothing shows it (no command announcing it, no app hook).
const APP_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a wait for the lock is announced on standard error (commands; the terminal app
/// keeps its screen).
static ANNOUNCE_WAITS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The announcement is made once per process.
static ANNOUNCED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes lock waits print "waiting for another iamdrill process…" once on standard error.
pub fn announce_lock_waits(on: bool) {
    ANNOUNCE_WAITS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Called on every try while a write waits for another process's lock, from about a third of a
/// second on, with the time waited so far. Returning `false` gives up: the write fails with
/// [`StoreError::Busy`] and nothing of it is saved.
pub type LockWaitHook = Box<dyn Fn(Duration) -> bool + Send>;

static WAIT_HOOK: std::sync::Mutex<Option<LockWaitHook>> = std::sync::Mutex::new(None);

/// Sets (or with `None` removes) what is done while waiting for the lock: the terminal app
/// shows that it waits and lets the learner give up. With a hook the wait lasts as long as a
/// command's.
pub fn on_lock_wait(hook: Option<LockWaitHook>) {
    *WAIT_HOOK.lock().unwrap_or_else(|e| e.into_inner()) = hook;
}

/// Runs the lock-wait hook, if there is one: `None` without a hook, else whether to go on.
fn lock_wait_hook(waited: Duration) -> Option<bool> {
    let hook = WAIT_HOOK.lock().unwrap_or_else(|e| e.into_inner());
    hook.as_ref().map(|h| h(waited))
}

/// SQLite's busy handler: sleeps a little longer each time (up to 50 ms) for up to
/// [`BUSY_TIMEOUT`] in commands (announcing the wait once after about half a second) and in the
/// app (its hook shows the wait and can give up), else [`APP_BUSY_TIMEOUT`].
fn wait_for_lock(count: i32) -> bool {
    use std::sync::atomic::Ordering::Relaxed;
    let count = u64::try_from(count).unwrap_or(0);
    // 1 + 2 + … + 49 ms, then 50 ms a try.
    let waited_ms = if count < 50 {
        count * (count + 1) / 2
    } else {
        1225 + (count - 49) * 50
    };
    let announce = ANNOUNCE_WAITS.load(Relaxed);
    let hooked = if waited_ms >= 300 {
        match lock_wait_hook(Duration::from_millis(waited_ms)) {
            Some(false) => return false,
            Some(true) => true,
            None => false,
        }
    } else {
        false
    };
    let limit = if announce || hooked {
        BUSY_TIMEOUT
    } else {
        APP_BUSY_TIMEOUT
    };
    if waited_ms >= limit.as_millis() as u64 {
        return false;
    }
    if waited_ms >= 500 && announce && !ANNOUNCED.swap(true, Relaxed) {
        eprintln!("iamdrill: waiting for another iamdrill process to finish writing…");
    }
    std::thread::sleep(Duration::from_millis((count + 1).min(50)));
    true
}

/// Errors of the progress store. Every message names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is damaged or is not a database ({detail}). Nothing was changed. Move it aside \
         (for example rename it to progress.sqlite3.damaged) and iamdrill starts with empty \
         progress, or restore it from a backup; `sqlite3 FILE .recover` can often save its data.",
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{} belongs to another program (it is an SQLite database, but not iamdrill progress). \
         Nothing was changed. Use another directory with --data-dir or IAMDRILL_DATA_DIR, or move \
         the file aside.",
        path.display()
    )]
    Foreign { path: PathBuf },
    #[error(
        "{} was written by a newer iamdrill (schema version {found}; this build knows up to \
         {known}). Nothing was changed; update iamdrill to use it.",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{} stayed locked by another program while iamdrill waited; nothing was saved. Close \
         other iamdrill windows and try again",
        path.display()
    )]
    Busy { path: PathBuf },
    #[error(
        "cannot write {}: the database is open read-only (it is damaged, or the file system or \
         its permissions do not allow writing); nothing was saved. `iamdrill export reviews -o FILE` \
         and `iamdrill backup FILE` still work; `iamdrill restore FILE` brings back a backup.",
        path.display()
    )]
    ReadOnly { path: PathBuf },
    #[error("database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}: setting `{key}` holds `{value}`, which is invalid: {reason}", path.display())]
    BadSetting {
        path: PathBuf,
        key: String,
        value: String,
        reason: String,
    },
    #[error("{}: review log entry {id} is invalid: {reason}; run `iamdrill progress rebuild` after restoring a backup", path.display())]
    BadRow {
        path: PathBuf,
        id: i64,
        reason: String,
    },
    #[error("{}: cannot undo the answer to `{card}`: {reason}", path.display())]
    UndoConflict {
        path: PathBuf,
        card: String,
        reason: String,
    },
    #[error("{}: {source}", path.display())]
    Scheduler {
        path: PathBuf,
        source: SchedulerError,
    },
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    /// A file operation that failed; the message names the file and says why in words.
    #[error("{message}")]
    Io { path: PathBuf, message: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The progress database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: DayClock,
    scheduler: Scheduler,
    /// Same-day steps for new cards (seconds) from the configuration; the default when empty.
    learning_steps: Vec<u32>,
    /// What `quick_check` found when the file is damaged: the store is then open read-only.
    damage: Option<String>,
}

/// Files up to this size are checked with `PRAGMA quick_check` on every open (about a
/// quarter of a second on a slow machine); larger ones once a day (see [`Store::quick_check`]).
pub const QUICK_CHECK_MAX_BYTES: u64 = 32 << 20;

impl Store {
    /// Runs `f` in one write transaction (the write lock is taken at its start) and commits it;
    /// SQL errors name the database.
    pub(crate) fn write_tx<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql_error(path, e))?;
        let out = f(&tx).map_err(|e| sql_error(path, e))?;
        tx.commit().map_err(|e| sql_error(path, e))?;
        Ok(out)
    }

    /// Opens (creating if needed) a progress database file. A file that is damaged, foreign or
    /// from a newer version is reported and left untouched.
    pub fn open_path(path: &Path) -> Result<Store> {
        let path = path.to_path_buf();
        create_private_database(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| sql_error(&path, e))?;
        let mut store = Store {
            conn,
            path,
            clock: DayClock::default(),
            learning_steps: Vec::new(),
            damage: None,
            scheduler: Scheduler::new(SchedulerConfig::default()).map_err(|source| {
                StoreError::Scheduler {
                    path: PathBuf::new(),
                    source,
                }
            })?,
        };
        store
            .conn
            .busy_handler(Some(wait_for_lock))
            .map_err(|e| store.err(e))?;
        // Two processes opening a new database at once can meet where SQLite answers "busy"
        // without calling the busy handler (one upgrading its read lock while the other creates
        // the schema or switches to WAL). Every step here is safe to repeat, so it is repeated,
        // with the same waits and limit as any other lock.
        let mut tries = 0;
        loop {
            match store.prepare() {
                Err(StoreError::Busy { .. }) if wait_for_lock(tries) => tries += 1,
                Err(e) => return Err(e),
                Ok(Some(detail)) => return Store::open_damaged(&store.path, detail),
                Ok(None) => break,
            }
        }
        store
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| store.err(e))?;
        store
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| store.err(e))?;
        store.clock = store.load_clock()?;
        store.reload_scheduler()?;
        Ok(store)
    }

    /// Checks the file is ours and sound, then brings its schema up to date; `Some` is the
    /// damage `quick_check` found (nothing is changed then).
    fn prepare(&mut self) -> Result<Option<String>> {
        self.check_identity()?;
        let small = std::fs::metadata(&self.path).is_ok_and(|m| m.len() <= QUICK_CHECK_MAX_BYTES);
        if small && let Some(detail) = self.quick_check()? {
            return Ok(Some(detail));
        }
        self.migrate()?;
        Ok(None)
    }

    /// Opens a damaged database read-only, so that what can still be read can be exported or
    /// backed up; every write is refused ([`StoreError::ReadOnly`]).
    pub fn open_damaged(path: &Path, detail: String) -> Result<Store> {
        let path = path.to_path_buf();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| sql_error(&path, e))?;
        let mut store = Store {
            conn,
            path,
            clock: DayClock::default(),
            learning_steps: Vec::new(),
            damage: Some(detail),
            scheduler: Scheduler::new(SchedulerConfig::default()).map_err(|source| {
                StoreError::Scheduler {
                    path: PathBuf::new(),
                    source,
                }
            })?,
        };
        store
            .conn
            .busy_handler(Some(wait_for_lock))
            .map_err(|e| store.err(e))?;
        // Settings may sit on damaged pages: the defaults stand in for what cannot be read.
        store.clock = store.load_clock().unwrap_or_default();
        if store.reload_scheduler().is_err() {
            log::warn!("the scheduler settings of a damaged database could not be read");
        }
        Ok(store)
    }

    /// Runs `PRAGMA quick_check`: `None` when the file is sound, else what it found. Takes
    /// time in proportion to the file (about 10 s for a million answers on a busy 2-core
    /// machine).
    pub fn quick_check(&self) -> Result<Option<String>> {
        let rows: rusqlite::Result<Vec<String>> = self
            .conn
            .prepare("PRAGMA quick_check(20)")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
        match rows {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(None),
            Ok(rows) => {
                let lines: Vec<&str> = rows
                    .iter()
                    .flat_map(|r| r.lines())
                    .filter(|l| !l.starts_with("***"))
                    .collect();
                let more = if lines.len() > 3 { "; …" } else { "" };
                Ok(Some(format!(
                    "quick_check: {}{more}",
                    lines[..lines.len().min(3)].join("; ")
                )))
            }
            Err(e) => match sql_error(&self.path, e) {
                StoreError::Damaged { detail, .. } => Ok(Some(detail)),
                other => Err(other),
            },
        }
    }

    /// What `quick_check` found if the database is damaged (then it is open read-only).
    pub fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// The learner's day boundaries (local time, new day at the rollover hour).
    pub fn clock(&self) -> DayClock {
        self.clock
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        sql_error(&self.path, e)
    }

    /// Refuses files that are not iamdrill progress before anything is written to them.
    fn check_identity(&self) -> Result<()> {
        // Both reads in one snapshot: another process may be creating the schema right now, and
        // its tables without its application id would look like another program's database.
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let app_id: i64 = tx
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if app_id == schema::APPLICATION_ID {
            return Ok(());
        }
        let objects: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        drop(tx);
        if app_id != 0 || objects > 0 {
            return Err(StoreError::Foreign {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let known = schema::latest_version();
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| sql_error(&path, e))?;
        if version < 0 {
            return Err(StoreError::Damaged {
                path,
                detail: format!("its schema version is {version}, which no iamdrill writes"),
            });
        }
        if version > known {
            return Err(StoreError::TooNew {
                path,
                found: version,
                known,
            });
        }
        if version < known {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| sql_error(&path, e))?;
            // Another process may have migrated while we waited for the lock.
            let version: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| sql_error(&path, e))?;
            let app_id: i64 = tx
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .map_err(|e| sql_error(&path, e))?;
            if app_id != 0 && app_id != schema::APPLICATION_ID {
                return Err(StoreError::Foreign { path });
            }
            for (i, migration) in schema::MIGRATIONS
                .iter()
                .enumerate()
                .skip(version.max(0) as usize)
            {
                let done = match migration {
                    schema::Migration::Sql(sql) => tx.execute_batch(sql),
                    schema::Migration::WithData(sql, convert) => {
                        tx.execute_batch(sql).and_then(|()| convert(&tx))
                    }
                };
                done.map_err(|e| sql_error(&path, e))?;
                tx.pragma_update(None, "user_version", i as i64 + 1)
                    .map_err(|e| sql_error(&path, e))?;
            }
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(|e| sql_error(&path, e))?;
            tx.commit().map_err(|e| sql_error(&path, e))?;
            if version > 0 {
                self.reclaim_free_pages(version < schema::REWRITTEN_AT);
            }
        }
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| sql_error(&path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid {
                path,
                reason: format!(
                    "cannot switch the journal to WAL mode (got `{mode}`); is the file on a network share?"
                ),
            });
        }
        Ok(())
    }

    /// After a migration dropped indexes or tables (or shrank rows in place: `rewritten`):
    /// when a tenth or more of the file is free pages, or always when `rewritten`, rewrites the
    /// database (`VACUUM`) so the file shrinks to what it holds. This is
    /// housekeeping: if it cannot run now (another process reads the database, the disk is
    /// too full for the copy it makes) the database stays as it is, correct and only larger.
    fn reclaim_free_pages(&self, rewritten: bool) {
        let pages = |pragma: &str| {
            self.conn
                .pragma_query_value(None, pragma, |r| r.get::<_, i64>(0))
                .unwrap_or(0)
        };
        let (free, all) = (pages("freelist_count"), pages("page_count"));
        if rewritten || (free > 0 && free.saturating_mul(10) >= all) {
            // In WAL mode the rewritten pages pass through the WAL: a truncating checkpoint
            // gives that space back at once.
            let vacuum = self.conn.execute_batch("VACUUM").and_then(|()| {
                self.conn
                    .pragma_query(None, "wal_checkpoint", |_| Ok(()))
                    .and_then(|()| self.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE"))
            });
            if let Err(e) = vacuum {
                log::info!(
                    "{}: {free} of {all} pages are free after the upgrade; VACUUM did not run: {e}",
                    self.path.display()
                );
            }
        }
    }

    fn load_clock(&self) -> Result<DayClock> {
        let offset: i64 = self
            .conn
            .query_row(
                "SELECT CAST(strftime('%s','now','localtime') AS INTEGER) - CAST(strftime('%s','now') AS INTEGER)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let rollover = match self.setting("rollover_hour")? {
            None => 4,
            Some(v) => match v.parse::<u8>() {
                Ok(h) if h < 24 => h,
                _ => return Err(self.bad_setting("rollover_hour", &v, "expected an hour 0-23")),
            },
        };
        Ok(DayClock {
            utc_offset_secs: offset,
            rollover_hour: rollover,
        })
    }

    /// Uses these same-day learning steps (seconds) for new cards from now on (the configuration's
    /// `learning_steps`); an empty list keeps the default 1 and 10 minutes.
    pub fn set_learning_steps(&mut self, steps: &[u32]) -> Result<()> {
        self.learning_steps = steps.to_vec();
        self.reload_scheduler()
    }

    /// Rebuilds the scheduler from the stored retention and parameters.
    fn reload_scheduler(&mut self) -> Result<()> {
        let mut config = SchedulerConfig {
            parameters: self.fsrs_parameters()?.unwrap_or_default(),
            desired_retention: self.desired_retention()?,
            ..SchedulerConfig::default()
        };
        if !self.learning_steps.is_empty() {
            config.learning_steps = self.learning_steps.clone();
        }
        self.scheduler = Scheduler::new(config).map_err(|source| StoreError::Scheduler {
            path: self.path.clone(),
            source,
        })?;
        Ok(())
    }

    fn bad_setting(&self, key: &str, value: &str, reason: &str) -> StoreError {
        StoreError::BadSetting {
            path: self.path.clone(),
            key: key.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let r = match value {
            Some(v) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            ),
            None => self
                .conn
                .execute("DELETE FROM settings WHERE key = ?1", [key]),
        };
        r.map(|_| ()).map_err(|e| self.err(e))
    }

    /// Desired retention (0.70-0.97, default 0.90).
    pub fn desired_retention(&self) -> Result<f32> {
        match self.setting("desired_retention")? {
            None => Ok(DEFAULT_RETENTION),
            Some(v) => match v.parse::<f32>() {
                Ok(r) if RETENTION_RANGE.contains(&r) => Ok(r),
                _ => Err(self.bad_setting(
                    "desired_retention",
                    &v,
                    "expected a number from 0.70 to 0.97",
                )),
            },
        }
    }

    pub fn set_desired_retention(&mut self, retention: f32) -> Result<()> {
        if !RETENTION_RANGE.contains(&retention) {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                reason: format!("desired retention {retention} is outside 0.70-0.97"),
            });
        }
        self.set_setting("desired_retention", Some(&retention.to_string()))?;
        self.reload_scheduler()
    }

    /// Personal FSRS parameters kept by `iamdrill optimize` (None: the defaults).
    pub fn fsrs_parameters(&self) -> Result<Option<Vec<f32>>> {
        match self.setting("fsrs_parameters")? {
            None => Ok(None),
            Some(v) => match serde_json::from_str::<Vec<f32>>(&v) {
                Ok(p) if fsrs::check_and_fill_parameters(&p).is_ok() => Ok(Some(p)),
                _ => Err(self.bad_setting(
                    "fsrs_parameters",
                    &v,
                    "expected the JSON list of FSRS parameters",
                )),
            },
        }
    }

    pub fn set_fsrs_parameters(&mut self, parameters: Option<&[f32]>) -> Result<()> {
        let json = parameters.map(|p| serde_json::to_string(p).unwrap_or_default());
        self.set_setting("fsrs_parameters", json.as_deref())?;
        self.reload_scheduler()
    }

    /// The interview date the plan and the dashboard count down to.
    pub fn interview_date(&self) -> Result<Option<Date>> {
        match self.setting("interview_date")? {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|e: crate::srs::clock::DateError| {
                    self.bad_setting("interview_date", &v, &e.to_string())
                }),
        }
    }

    pub fn set_interview_date(&mut self, date: Option<Date>) -> Result<()> {
        self.set_setting("interview_date", date.map(|d| d.to_string()).as_deref())
    }

    fn limit(&self, key: &str, default: u32) -> Result<u32> {
        match self.setting(key)? {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| self.bad_setting(key, &v, "expected a whole number")),
        }
    }

    /// Daily limit of new cards (default 20).
    pub fn new_limit(&self) -> Result<u32> {
        self.limit("new_limit", DEFAULT_NEW_LIMIT)
    }

    /// Daily limit of review cards (default 200).
    pub fn review_limit(&self) -> Result<u32> {
        self.limit("review_limit", DEFAULT_REVIEW_LIMIT)
    }

    pub fn set_limits(&mut self, new_limit: u32, review_limit: u32) -> Result<()> {
        self.set_setting("new_limit", Some(&new_limit.to_string()))?;
        self.set_setting("review_limit", Some(&review_limit.to_string()))
    }

    /// Every card with stored state or flags, keyed by card id.
    pub fn load_progress(&self) -> Result<HashMap<String, CardProgress>> {
        let count: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM cards")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        let mut map: HashMap<String, CardProgress> =
            HashMap::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT card_id, phase, stability, difficulty, due, last_review, step, interval_days, reps, lapses
                 FROM cards",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let id: String = row.get(0).map_err(|e| self.err(e))?;
            let state = state_from_row(row, 1).map_err(|e| self.err(e))?;
            map.insert(
                id,
                CardProgress {
                    state,
                    suspended: false,
                    buried_until: None,
                },
            );
        }
        drop(rows);
        drop(stmt);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT card_id, suspended, buried_until_day FROM card_flags")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let id: String = row.get(0).map_err(|e| self.err(e))?;
            let p = map.entry(id).or_default();
            p.suspended = row.get::<_, i64>(1).map_err(|e| self.err(e))? != 0;
            p.buried_until = row.get(2).map_err(|e| self.err(e))?;
        }
        Ok(map)
    }
}

impl Store {
    /// The progress of each of `cards`, keyed by the cards' own ids (no copy per card): one
    /// pass over the card states and one over the flags. Cards never answered have the
    /// default progress; rows of cards not in `cards` are skipped.
    pub fn progress_of<'a>(
        &self,
        cards: &[crate::srs::queue::CardRef<'a>],
    ) -> Result<FxHashMap<&'a str, CardProgress>> {
        let e = |err| self.err(err);
        let mut map: FxHashMap<&'a str, CardProgress> =
            FxHashMap::with_capacity_and_hasher(cards.len(), Default::default());
        for c in cards {
            map.insert(c.id, CardProgress::default());
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT card_id, {} FROM cards",
                review::STATE_COLUMNS
            ))
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            if let Some(p) = map.get_mut(id) {
                p.state = state_from_row(row, 1).map_err(e)?;
            }
        }
        drop(rows);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT card_id, suspended, buried_until_day FROM card_flags")
            .map_err(e)?;
        let mut rows = stmt.query([]).map_err(e)?;
        while let Some(row) = rows.next().map_err(e)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
            if let Some(p) = map.get_mut(id) {
                p.suspended = row.get::<_, i64>(1).map_err(e)? != 0;
                p.buried_until = row.get(2).map_err(e)?;
            }
        }
        Ok(map)
    }
}

/// Reads a card state from 9 columns starting at `at`
/// (phase, stability, difficulty, due, last_review, step, interval_days, reps, lapses).
pub(crate) fn state_from_row(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CardState> {
    let phase: i64 = row.get(at)?;
    Ok(CardState {
        phase: Phase::from_number(phase)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(at, phase))?,
        stability: row.get::<_, f64>(at + 1)? as f32,
        difficulty: row.get::<_, f64>(at + 2)? as f32,
        due: row.get(at + 3)?,
        last_review: row.get(at + 4)?,
        step: row.get(at + 5)?,
        interval_days: row.get(at + 6)?,
        reps: row.get(at + 7)?,
        lapses: row.get(at + 8)?,
    })
}

/// Creates a missing database file readable by the user only, before SQLite opens it: SQLite
/// gives the `-wal` and `-shm` files the permissions of the database file.
fn create_private_database(path: &Path) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io {
            path: path.to_path_buf(),
            message: files::describe_io("cannot create the progress database", path, &e),
        }),
    }
}

pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::DiskFull) => StoreError::Io {
            path: path.to_path_buf(),
            message: format!(
                "cannot write {}: no space left on the device; nothing was saved",
                path.display()
            ),
        },
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::queue::CardRef;
    use crate::srs::scheduler::Rating;
    use crate::srs::session::SessionKind;

    const NOW: i64 = 1_780_000_000_000;

    fn cards() -> Vec<(String, String)> {
        (0..6)
            .map(|i| {
                (
                    format!("card-{i}"),
                    if i % 2 == 0 { "kms" } else { "sts" }.to_string(),
                )
            })
            .collect()
    }

    fn refs(c: &[(String, String)]) -> Vec<CardRef<'_>> {
        c.iter().map(|(id, topic)| CardRef { id, topic }).collect()
    }

    fn review() -> SessionKind {
        SessionKind::Review { topics: vec![] }
    }

    fn dump(store: &Store) -> (Vec<(i64, String, i64)>, Vec<String>) {
        let mut s = store
            .conn
            .prepare("SELECT id, card_id, rating FROM reviews ORDER BY id")
            .unwrap();
        let log = s
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut s = store
            .conn
            .prepare("SELECT card_id || ':' || phase || ':' || stability || ':' || due || ':' || review_id FROM cards ORDER BY 1")
            .unwrap();
        let states = s
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        (log, states)
    }

    #[test]
    fn answers_are_logged_and_undo_restores_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let c = cards();
        let mut session = store.start_session(refs(&c), review(), NOW).unwrap();
        assert_eq!(session.current(), Some("card-0"));
        let mut snapshots = vec![dump(&store)];
        let mut currents = vec![session.current().map(str::to_string)];
        for (i, r) in [Rating::Good, Rating::Again, Rating::Easy, Rating::Good]
            .into_iter()
            .enumerate()
        {
            let a = store
                .answer(&mut session, r, 5000, NOW + i as i64 * 1000)
                .unwrap()
                .unwrap();
            assert_eq!(a.rating, r);
            snapshots.push(dump(&store));
            currents.push(session.current().map(str::to_string));
        }
        store.bury(&mut session, NOW + 10_000).unwrap();
        assert_eq!(
            store.load_progress().unwrap()[currents[4].as_deref().unwrap()].buried_until,
            Some(store.clock().day(NOW) + 1)
        );
        store.undo(&mut session, NOW).unwrap();
        assert!(
            store
                .load_progress()
                .unwrap()
                .get(currents[4].as_deref().unwrap())
                .is_none_or(|p| p.buried_until.is_none())
        );
        for i in (0..4).rev() {
            let undone = store.undo(&mut session, NOW).unwrap();
            assert_eq!(undone, currents[i]);
            assert_eq!(dump(&store), snapshots[i], "after undoing step {i}");
            assert_eq!(session.current().map(str::to_string), currents[i]);
        }
        assert_eq!(store.undo(&mut session, NOW).unwrap(), None);
        assert!(dump(&store).0.is_empty());
    }

    #[test]
    fn suspended_and_buried_cards_leave_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let c = cards();
        let mut session = store.start_session(refs(&c), review(), NOW).unwrap();
        assert_eq!(
            store.suspend(&mut session, NOW).unwrap().as_deref(),
            Some("card-0")
        );
        assert_eq!(
            store.bury(&mut session, NOW).unwrap().as_deref(),
            Some("card-1")
        );
        let again = store.start_session(refs(&c), review(), NOW).unwrap();
        assert_eq!(again.current(), Some("card-2"));
        assert_eq!(again.progress().new, 4);
        let tomorrow = store
            .start_session(refs(&c), review(), NOW + DAY_MS)
            .unwrap();
        assert_eq!(tomorrow.current(), Some("card-1"));
        assert!(store.set_suspended("card-0", false, NOW).unwrap());
        let s = store
            .start_session(refs(&c), review(), NOW + DAY_MS)
            .unwrap();
        assert_eq!(s.current(), Some("card-0"));
    }

    #[test]
    fn cram_without_rescheduling_logs_but_keeps_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let c = cards();
        let mut session = store.start_session(refs(&c), review(), NOW).unwrap();
        store.answer(&mut session, Rating::Easy, 1000, NOW).unwrap();
        let before = store.card_state("card-0").unwrap().unwrap();
        let kind = SessionKind::Cram {
            topics: vec!["kms".into()],
            reschedule: false,
        };
        let mut cram = store.start_session(refs(&c), kind, NOW + 1000).unwrap();
        assert_eq!(cram.progress().remaining(), 3);
        // Least recallable first: the two unseen kms cards, then card-0.
        assert_eq!(cram.current(), Some("card-2"));
        for _ in 0..3 {
            store
                .answer(&mut cram, Rating::Good, 1000, NOW + 2000)
                .unwrap();
        }
        assert_eq!(store.card_state("card-0").unwrap().unwrap(), before);
        assert_eq!(store.card_state("card-2").unwrap(), None);
        let modes: Vec<String> = store
            .conn
            .prepare("SELECT mode || rescheduled FROM reviews ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(modes, ["review1", "cram0", "cram0", "cram0"]);
        let kind = SessionKind::Cram {
            topics: vec!["kms".into()],
            reschedule: true,
        };
        let mut cram = store.start_session(refs(&c), kind, NOW + 3000).unwrap();
        store
            .answer(&mut cram, Rating::Good, 1000, NOW + 3000)
            .unwrap();
        assert!(store.card_state("card-2").unwrap().is_some());
    }

    #[test]
    fn rebuild_derives_the_same_state_and_prune_removes_history() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let c = cards();
        let mut session = store.start_session(refs(&c), review(), NOW).unwrap();
        for i in 0..8 {
            let r = Rating::ALL[i % 4];
            store
                .answer(&mut session, r, 1000, NOW + i as i64 * 70_000)
                .unwrap();
        }
        store
            .record_mock("card-5", Rating::Hard, 30_000, NOW + DAY_MS)
            .unwrap();
        let before = store.load_progress().unwrap();
        store
            .conn
            .execute("UPDATE cards SET stability = 99", [])
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO cards VALUES ('ghost', 2, 1, 1, 0, 0, 0, 1, 1, 0, 0)",
                [],
            )
            .unwrap();
        let report = store.rebuild().unwrap();
        assert_eq!(report.cards as usize, before.len());
        assert_eq!(report.corrected as usize, before.len() + 1);
        assert_eq!(store.load_progress().unwrap(), before);
        let known: std::collections::HashSet<&str> =
            ["card-0", "card-1", "card-2"].into_iter().collect();
        let orphans = store.orphans(&known).unwrap();
        let pruned = store.prune(&orphans).unwrap();
        assert!(pruned.cards.contains(&"card-5".to_string()));
        assert!(store.orphans(&known).unwrap().is_empty());
        assert!(store.card_state("card-5").unwrap().is_none());
    }

    #[test]
    fn settings_and_mock_sessions_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        {
            let mut store = Store::open_path(&path).unwrap();
            assert_eq!(store.interview_date().unwrap(), None);
            store
                .set_interview_date(Some(Date::new(2026, 12, 24).unwrap()))
                .unwrap();
            store.set_desired_retention(0.85).unwrap();
            assert!(store.set_desired_retention(0.99).is_err());
            assert_eq!(store.save_mock_session(1, 2, r#"{"score":3}"#).unwrap(), 1);
        }
        let store = Store::open_path(&path).unwrap();
        assert_eq!(
            store.interview_date().unwrap(),
            Some(Date::new(2026, 12, 24).unwrap())
        );
        assert_eq!(store.scheduler().config().desired_retention, 0.85);
        let rows = store.mock_sessions().unwrap();
        assert_eq!(
            rows,
            vec![MockSessionRow {
                id: 1,
                started_at: 1,
                finished_at: 2,
                report_json: r#"{"score":3}"#.into()
            }]
        );
    }

    #[test]
    fn foreign_and_damaged_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.sqlite3");
        let bytes = b"this is a text file, not a database at all, long enough to have a header...."
            .repeat(20);
        std::fs::write(&junk, &bytes).unwrap();
        let err = Store::open_path(&junk).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
        assert!(err.to_string().contains("junk.sqlite3"), "{err}");
        assert_eq!(std::fs::read(&junk).unwrap(), bytes);

        let other = dir.path().join("other.db");
        {
            let c = Connection::open(&other).unwrap();
            c.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'x');").unwrap();
        }
        let before = std::fs::read(&other).unwrap();
        let err = Store::open_path(&other).unwrap_err();
        assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
        assert!(err.to_string().contains("other.db"));
        assert_eq!(std::fs::read(&other).unwrap(), before);

        let newer = dir.path().join("newer.sqlite3");
        drop(Store::open_path(&newer).unwrap());
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open_path(&newer).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 99, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn two_connections_answering_the_same_card_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        let mut a = Store::open_path(&path).unwrap();
        let mut b = Store::open_path(&path).unwrap();
        let c = cards();
        let mut sa = a.start_session(refs(&c), review(), NOW).unwrap();
        let mut sb = b.start_session(refs(&c), review(), NOW).unwrap();
        a.answer(&mut sa, Rating::Good, 1000, NOW).unwrap();
        let from_b = b
            .answer(&mut sb, Rating::Good, 1000, NOW + 1000)
            .unwrap()
            .unwrap();
        // b's answer builds on a's: the state is read inside the write transaction.
        assert_eq!(from_b.before.reps, 1);
        assert_eq!(a.card_state("card-0").unwrap().unwrap().reps, 2);
        // a cannot undo over b's later answer.
        assert!(matches!(
            a.undo(&mut sa, NOW),
            Err(StoreError::UndoConflict { .. })
        ));
        assert_eq!(a.review_count().unwrap(), 2);
    }

    #[test]
    fn stats_and_counts_on_a_used_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let c = cards();
        let empty = store.stats(refs(&c), NOW).unwrap();
        assert_eq!(
            (empty.streak, empty.total_reviews, empty.states.new),
            (0, 0, 6)
        );
        store.set_limits(2, 200).unwrap();
        for day in 0..3 {
            let now = NOW + day * DAY_MS;
            let mut s = store.start_session(refs(&c), review(), now).unwrap();
            while s.current().is_some() {
                store.answer(&mut s, Rating::Good, 2000, now).unwrap();
            }
        }
        let st = store.stats(refs(&c), NOW + 2 * DAY_MS).unwrap();
        assert_eq!(st.streak, 3);
        assert_eq!(st.reviews_per_day.len(), 3);
        assert_eq!(st.states.new, 0);
        assert_eq!(st.forecast.len(), 30);
        assert!(st.recall.iter().all(|r| r.predicted_recall.is_some()));
        // Every answer counts for its topic, new and learning ones too.
        let per_topic: u32 = st.retention.iter().map(|t| t.answers).sum();
        assert_eq!(u64::from(per_topic), st.total_reviews);
        assert!(st.retention.iter().all(|t| t.answers >= t.reviews));
        let counts = store.topic_counts(refs(&c), NOW + 2 * DAY_MS).unwrap();
        assert_eq!(counts.iter().map(|t| t.total).sum::<u32>(), 6);
        let done = store.done_today(NOW + 2 * DAY_MS).unwrap();
        assert!(done.reviews > 0);
    }

    #[test]
    fn a_negative_schema_version_is_named_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.sqlite3");
        drop(Store::open_path(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", -3)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = Store::open_path(&path).expect_err("opened a database of version -3");
        let text = err.to_string();
        assert!(text.contains("schema version is -3"), "{text}");
        assert!(text.contains("Nothing was changed"), "{text}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
