//! Backups and restores of the progress database.
//!
//! A backup is a consistent copy taken with SQLite's online backup API while the database stays
//! in use: it includes the answers still in the `-wal` file, which a plain file copy of
//! `progress.sqlite3` misses. The copy is written to a temporary file next to its destination,
//! switched to a single-file journal, synced and renamed into place, so a backup file is either
//! complete or absent. Automatic backups go to `<data dir>/backups/` with a UTC time stamp in
//! their name (`progress-2026-12-03T04-51-51Z-daily.sqlite3`); the newest `keep` of each kind
//! stay. A restore validates the file first (SQLite, `quick_check` ok, iamdrill progress of a
//! known schema version), takes a backup of what it replaces, then copies the file into the live
//! database with the same backup API, so other processes see the restored data.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::files::{create_private_dir, refuse_live_database, sync_dir, temp_path_for};
use super::{Result, Store, StoreError, schema, sql_error};
use crate::srs::clock::Date;

/// Folder of the automatic backups inside the data directory.
pub const BACKUP_DIR: &str = "backups";

/// Automatic backups of each kind kept when the configuration does not say.
pub const DEFAULT_KEEP: usize = 7;

/// A validated progress file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    /// Answers in its review log.
    pub reviews: u64,
    /// Cards with a stored state.
    pub cards: u64,
    /// Its schema version.
    pub schema_version: i64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreReport {
    /// The file restored from.
    pub restored: BackupInfo,
    /// The backup of the progress it replaced.
    pub previous_backup: PathBuf,
    /// Answers the replaced progress held.
    pub previous_reviews: u64,
}

/// `2026-12-03T04-51-51Z`: a UTC time that sorts by time and is a valid file name everywhere.
pub fn utc_stamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let date = Date::from_day_number(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}-{:02}-{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// The automatic backup file for a reason at a time.
fn backup_name(reason: &str, now: i64) -> String {
    format!("progress-{}-{reason}.sqlite3", utc_stamp(now))
}

/// Automatic backups of one reason in `dir`, oldest first.
pub fn list_backups(dir: &Path, reason: &str) -> Vec<PathBuf> {
    let suffix = format!("-{reason}.sqlite3");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("progress-") && n.ends_with(&suffix))
        })
        .collect();
    out.sort();
    out
}

/// Deletes the oldest automatic backups of a reason beyond the newest `keep`.
fn rotate(dir: &Path, reason: &str, keep: usize) {
    let all = list_backups(dir, reason);
    let excess = all.len().saturating_sub(keep);
    for old in &all[..excess] {
        if let Err(e) = std::fs::remove_file(old) {
            log::warn!("cannot remove the old backup {}: {e}", old.display());
        }
    }
}

/// Checks that `path` is a sound iamdrill progress file this build can read, without writing
/// to it.
pub fn inspect(path: &Path) -> Result<BackupInfo> {
    let invalid = |reason: String| StoreError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| invalid(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(invalid("not a regular file".into()));
    }
    let mut header = [0u8; 16];
    {
        use std::io::Read;
        let mut f =
            std::fs::File::open(path).map_err(|e| invalid(format!("cannot read it: {e}")))?;
        let n = f
            .read(&mut header)
            .map_err(|e| invalid(format!("cannot read it: {e}")))?;
        if n < 16 || &header != b"SQLite format 3\0" {
            return Err(StoreError::Damaged {
                path: path.to_path_buf(),
                detail: "it does not start with the SQLite header".into(),
            });
        }
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_error(path, e))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    if check != "ok" {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            detail: format!("quick_check: {check}"),
        });
    }
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    if app_id != schema::APPLICATION_ID {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
        });
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| sql_error(path, e))?;
    let known = schema::latest_version();
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    if version < 1 {
        return Err(invalid(format!(
            "schema version {version} is not one iamdrill wrote"
        )));
    }
    let count = |table: &str| -> Result<u64> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n.max(0) as u64)
        .map_err(|e| sql_error(path, e))
    };
    Ok(BackupInfo {
        path: path.to_path_buf(),
        reviews: count("reviews")?,
        cards: count("cards")?,
        schema_version: version,
    })
}

impl Store {
    /// Writes a consistent copy of the database (including what is still in the `-wal` file) to
    /// `dest`: a temporary file in the same directory, renamed into place when complete.
    /// Refuses the database's own files. The copy is readable by the user only (unix).
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        refuse_live_database(&self.path, dest)?;
        let io = |message: String| StoreError::Io {
            path: dest.to_path_buf(),
            message,
        };
        let tmp = temp_path_for(dest);
        let result = (|| -> Result<()> {
            super::files::create_private_file(&tmp)
                .map_err(|e| io(super::files::describe_io("cannot create", &tmp, &e)))?;
            let mut dst = Connection::open(&tmp).map_err(|e| sql_error(&tmp, e))?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut dst)
                    .map_err(|e| sql_error(&tmp, e))?;
                backup
                    .run_to_completion(i32::MAX, std::time::Duration::from_millis(50), None)
                    .map_err(|e| sql_error(&tmp, e))?;
            }
            // A single self-contained file: no -wal beside the copy.
            dst.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))
                .map_err(|e| sql_error(&tmp, e))?;
            dst.close().map_err(|(_, e)| sql_error(&tmp, e))?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| io(super::files::describe_io("cannot sync", &tmp, &e)))?;
            std::fs::rename(&tmp, dest)
                .map_err(|e| io(super::files::describe_io("cannot write", dest, &e)))?;
            sync_dir(dest);
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Takes an automatic backup into `dir` (created readable by the user only) named after
    /// `reason` and the time, and keeps the newest `keep` backups of that reason (at least this
    /// one). Returns the new file.
    pub fn backup_into(&self, dir: &Path, reason: &str, now: i64, keep: usize) -> Result<PathBuf> {
        create_private_dir(dir).map_err(|e| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let mut dest = dir.join(backup_name(reason, now));
        let mut n = 1;
        while dest.exists() {
            n += 1;
            dest = dir.join(backup_name(&format!("{n}-{reason}"), now));
        }
        self.backup_to(&dest)?;
        rotate(dir, reason, keep.max(1));
        Ok(dest)
    }

    /// Whether the daily backup is still to be taken today (UTC) into `dir`.
    pub fn daily_backup_due(&self, dir: &Path, now: i64, keep: usize) -> bool {
        let today = format!("progress-{}", &utc_stamp(now)[..10]);
        keep > 0
            && self.damage().is_none()
            && !list_backups(dir, "daily").iter().any(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&today))
            })
    }

    /// The daily automatic backup: taken on the first open of a (UTC) day, unless `keep` is 0
    /// or the database is damaged (a damaged copy must not push a sound one out of the
    /// rotation). Returns the new file, or `None` when today's backup exists or backups are off.
    pub fn daily_backup(&self, dir: &Path, now: i64, keep: usize) -> Result<Option<PathBuf>> {
        if !self.daily_backup_due(dir, now, keep) {
            return Ok(None);
        }
        self.backup_into(dir, "daily", now, keep).map(Some)
    }

    /// Replaces the progress with the validated file `src`, after backing up the current
    /// progress into `dir`. The copy goes through the live database, so it is one step for
    /// every process using it; an older schema is migrated afterwards.
    pub fn restore_from(
        &mut self,
        src: &Path,
        dir: &Path,
        now: i64,
        keep: usize,
    ) -> Result<RestoreReport> {
        refuse_live_database(&self.path, src)?;
        let restored = inspect(src)?;
        let previous_reviews = self.review_count()?;
        let previous_backup = self.backup_into(dir, "before-restore", now, keep)?;
        let source = Connection::open_with_flags(
            src,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error(src, e))?;
        {
            let path = self.path.clone();
            let backup = rusqlite::backup::Backup::new(&source, &mut self.conn)
                .map_err(|e| sql_error(&path, e))?;
            backup
                .run_to_completion(i32::MAX, std::time::Duration::from_millis(50), None)
                .map_err(|e| sql_error(&self.path, e))?;
        }
        self.migrate()?;
        self.clock = self.load_clock()?;
        self.reload_scheduler()?;
        Ok(RestoreReport {
            restored,
            previous_backup,
            previous_reviews,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::scheduler::Rating;

    const NOW: i64 = 1_780_000_000_000;

    #[test]
    fn stamps_sort_by_time() {
        assert_eq!(utc_stamp(0), "1970-01-01T00-00-00Z");
        assert_eq!(utc_stamp(1_764_737_511_000), "2025-12-03T04-51-51Z");
        assert!(utc_stamp(NOW) < utc_stamp(NOW + 1000));
    }

    #[test]
    fn a_backup_holds_answers_still_in_the_wal_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("progress.sqlite3");
        let mut store = Store::open_path(&db).unwrap();
        for i in 0..5 {
            store
                .record_mock(&format!("c{i}"), Rating::Good, 1000, NOW + i)
                .unwrap();
        }
        let copy = dir.path().join("copy.sqlite3");
        store.backup_to(&copy).unwrap();
        assert!(!dir.path().join("copy.sqlite3-wal").exists());
        let info = inspect(&copy).unwrap();
        assert_eq!((info.reviews, info.cards), (5, 5));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Refuses the live files.
        for live in [
            "progress.sqlite3",
            "progress.sqlite3-wal",
            "progress.sqlite3-shm",
        ] {
            let err = store.backup_to(&dir.path().join(live)).unwrap_err();
            assert!(err.to_string().contains("progress database"), "{err}");
        }
        store
            .record_mock("later", Rating::Again, 1000, NOW + 100)
            .unwrap();
        assert_eq!(store.review_count().unwrap(), 6);
        let backups = dir.path().join("backups");
        let report = store.restore_from(&copy, &backups, NOW, 7).unwrap();
        assert_eq!(store.review_count().unwrap(), 5);
        assert_eq!(report.previous_reviews, 6);
        assert_eq!(inspect(&report.previous_backup).unwrap().reviews, 6);
        // Another connection sees the restored data.
        assert_eq!(Store::open_path(&db).unwrap().review_count().unwrap(), 5);
    }

    #[test]
    fn automatic_backups_rotate_and_the_daily_one_is_taken_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        let backups = dir.path().join("backups");
        let day = 86_400_000;
        assert!(store.daily_backup(&backups, NOW, 3).unwrap().is_some());
        assert!(
            store
                .daily_backup(&backups, NOW + 1000, 3)
                .unwrap()
                .is_none()
        );
        for d in 1..6 {
            assert!(
                store
                    .daily_backup(&backups, NOW + d * day, 3)
                    .unwrap()
                    .is_some()
            );
        }
        let daily = list_backups(&backups, "daily");
        assert_eq!(daily.len(), 3);
        assert!(
            daily[0]
                .to_string_lossy()
                .contains(&utc_stamp(NOW + 3 * day))
        );
        assert!(
            store
                .daily_backup(&backups, NOW + 9 * day, 0)
                .unwrap()
                .is_none()
        );
        // Two backups in the same second get distinct names.
        let a = store.backup_into(&backups, "before-prune", NOW, 7).unwrap();
        let b = store.backup_into(&backups, "before-prune", NOW, 7).unwrap();
        assert_ne!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&backups).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn restore_refuses_files_that_are_not_sound_progress() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_path(&dir.path().join("p.sqlite3")).unwrap();
        store.record_mock("c", Rating::Good, 1000, NOW).unwrap();
        let backups = dir.path().join("backups");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database").unwrap();
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        for bad in [
            &text,
            &foreign,
            &dir.path().join("missing.sqlite3"),
            &dir.path().to_path_buf(),
        ] {
            let err = store.restore_from(bad, &backups, NOW, 7).unwrap_err();
            assert!(
                err.to_string().contains(&bad.display().to_string()),
                "{err}"
            );
        }
        assert_eq!(store.review_count().unwrap(), 1);
        assert!(list_backups(&backups, "before-restore").is_empty());
    }
}
