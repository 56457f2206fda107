//! Files iamdrill writes besides the database: private permissions, writes that are complete
//! or absent (temporary file, then rename), and a guard that keeps any output from landing on
//! the database's own files.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// The files SQLite keeps for a database: the file itself, its write-ahead log and its
/// shared-memory index.
pub fn database_files(db: &Path) -> [PathBuf; 3] {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    [db.to_path_buf(), PathBuf::from(wal), PathBuf::from(shm)]
}

/// The canonical form of a path that may not exist yet: its directory resolved, its name kept.
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// Whether two paths name the same file: the same canonical path, or (unix) the same inode.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b))
            && x.dev() == y.dev()
            && x.ino() == y.ino()
        {
            return true;
        }
    }
    matches!((canonical(a), canonical(b)), (Some(x), Some(y)) if x == y)
}

/// Refuses `target` when it is the database at `db` or one of its `-wal` / `-shm` files.
pub fn refuse_live_database(db: &Path, target: &Path) -> Result<()> {
    if database_files(db).iter().any(|f| same_file(f, target)) {
        return Err(StoreError::Invalid {
            path: target.to_path_buf(),
            reason: format!(
                "this is a file of the progress database {}; choose another file (nothing was written)",
                db.display()
            ),
        });
    }
    Ok(())
}

/// A temporary name next to `dest`, in the same directory so the final rename stays on one
/// file system.
pub fn temp_path_for(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = format!(".{name}.tmp-{}", std::process::id());
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(tmp),
        _ => PathBuf::from(tmp),
    }
}

/// Creates (or truncates) a file readable and writable by the user only (0600 on unix).
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Creates a directory (and its parents) that only the user may enter (0700 on unix); an
/// existing directory is left as it is.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Makes a rename in `file`'s directory durable (unix; elsewhere a no-op).
pub fn sync_dir(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// `"<what> <path>: <reason>"` in words a user can act on (read-only file system, disk full,
/// permission denied) instead of an error code.
pub fn describe_io(what: &str, path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let reason = match e.kind() {
        K::ReadOnlyFilesystem => "read-only file system".to_string(),
        K::StorageFull => "no space left on the device".to_string(),
        K::PermissionDenied => "permission denied".to_string(),
        K::NotFound => "the directory does not exist".to_string(),
        _ => e.to_string(),
    };
    format!("{what} {}: {reason}", path.display())
}

/// Writes `dest` completely or not at all: `write` fills a private temporary file in the same
/// directory, which is synced and renamed over `dest`. Refuses the database's files.
pub fn write_atomically(
    db: &Path,
    dest: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    refuse_live_database(db, dest)?;
    let fail = |what: &str, p: &Path, e: std::io::Error| StoreError::Io {
        path: dest.to_path_buf(),
        message: describe_io(what, p, &e),
    };
    let tmp = temp_path_for(dest);
    let result = (|| {
        let file = create_private_file(&tmp).map_err(|e| fail("cannot create", &tmp, e))?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out).map_err(|e| fail("cannot write", &tmp, e))?;
        let file = out
            .into_inner()
            .map_err(|e| fail("cannot write", &tmp, e.into_error()))?;
        file.sync_all().map_err(|e| fail("cannot sync", &tmp, e))?;
        std::fs::rename(&tmp, dest).map_err(|e| fail("cannot write", dest, e))?;
        sync_dir(dest);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_files_are_recognised_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("progress.sqlite3");
        std::fs::write(&db, b"x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(refuse_live_database(&db, &sub.join("../progress.sqlite3")).is_err());
        assert!(refuse_live_database(&db, &dir.path().join("progress.sqlite3-wal")).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            assert!(refuse_live_database(&db, &link).is_err());
            let hard = dir.path().join("hard");
            std::fs::hard_link(&db, &hard).unwrap();
            assert!(refuse_live_database(&db, &hard).is_err());
        }
        assert!(refuse_live_database(&db, &dir.path().join("export.csv")).is_ok());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("progress.sqlite3");
        let out = dir.path().join("out.csv");
        std::fs::write(&out, "old").unwrap();
        let err = write_atomically(&db, &out, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk went away"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk went away"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&db, &out, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn io_errors_read_as_words() {
        let e = std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem);
        assert_eq!(
            describe_io("cannot write", Path::new("/m/x"), &e),
            "cannot write /m/x: read-only file system"
        );
    }
}
