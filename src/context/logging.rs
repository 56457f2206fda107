//! Diagnostics: with `--verbose` or `RUST_LOG` set, log records go to `iamdrill.log` in the state
//! directory, never to the terminal (the full-screen app owns it).
//!
//! A small logger on the `log` facade: one file, one line per record, a level filter taken from
//! `RUST_LOG` (`error`, `warn`, `info`, `debug`, `trace`; a bare level only) or `debug` for `--verbose`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use log::{LevelFilter, Log, Metadata, Record};

struct FileLogger {
    file: Mutex<File>,
    level: LevelFilter,
}

impl Log for FileLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let time = super::clock::format_rfc3339(crate::srs::clock::now_ms());
        if let Ok(mut f) = self.file.lock() {
            // A failed log write must never disturb the app.
            let _ = writeln!(
                f,
                "{time} {:<5} {}: {}",
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.flush();
        }
    }
}

/// The level asked for by `--verbose` and `RUST_LOG`, or `None` for no logging.
pub fn level(verbose: bool, rust_log: Option<&str>) -> Result<Option<LevelFilter>, String> {
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => parse_rust_log(text).map(Some).ok_or_else(|| {
            format!(
                "RUST_LOG=`{text}` names no level for iamdrill; use off, error, warn, info, debug or \
                 trace (or iamdrill=<level>)"
            )
        }),
        None if verbose => Ok(Some(LevelFilter::Debug)),
        None => Ok(None),
    }
}

/// The level for iamdrill in a `RUST_LOG` value such as `debug` or `info,iamdrill=trace,hyper=warn`:
/// an `iamdrill=<level>` directive wins over a bare level; directives for other crates are ignored.
fn parse_rust_log(text: &str) -> Option<LevelFilter> {
    let mut bare = None;
    let mut ours = None;
    for directive in text.split(',').map(str::trim) {
        match directive.split_once('=') {
            Some((target, lvl))
                if target.trim() == "iamdrill" || target.trim().starts_with("iamdrill::") =>
            {
                ours = lvl.trim().parse::<LevelFilter>().ok().or(ours);
            }
            Some(_) => {}
            None => bare = directive.parse::<LevelFilter>().ok().or(bare),
        }
    }
    ours.or(bare)
}

/// Starts logging to `path` at `level` (appending). Returns an error naming the file if it can't
/// be opened.
pub fn init_at(path: &Path, level: LevelFilter) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        crate::store::files::create_private_dir(dir)
            .map_err(|e| format!("cannot create the log directory {}: {e}", dir.display()))?;
    }
    // The log names cards and files: readable by the user only.
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let logger = FileLogger {
        file: Mutex::new(file),
        level,
    };
    log::set_boxed_logger(Box::new(logger)).map_err(|e| format!("cannot start logging: {e}"))?;
    log::set_max_level(level);
    Ok(())
}

/// When [`init`] ran: the start of the program as far as timings in the log are concerned
/// (the command line was read just before).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Time since [`init`] ran (or since the first call, when it did not).
pub fn since_start() -> std::time::Duration {
    STARTED.get_or_init(std::time::Instant::now).elapsed()
}

/// Starts logging to `path` if `--verbose` or `RUST_LOG` asks for it.
pub fn init(verbose: bool, path: &Path) -> Result<Option<PathBuf>, String> {
    STARTED.get_or_init(std::time::Instant::now);
    let env = std::env::var("RUST_LOG").ok();
    match level(verbose, env.as_deref())? {
        Some(LevelFilter::Off) | None => Ok(None),
        Some(level) => {
            init_at(path, level)?;
            log::info!(
                "iamdrill {} started: {:?}",
                env!("CARGO_PKG_VERSION"),
                std::env::args().collect::<Vec<_>>()
            );
            Ok(Some(path.to_path_buf()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_from_flags() {
        assert_eq!(level(false, None), Ok(None));
        assert_eq!(level(true, None), Ok(Some(LevelFilter::Debug)));
        assert_eq!(level(false, Some("trace")), Ok(Some(LevelFilter::Trace)));
        assert_eq!(level(true, Some("warn")), Ok(Some(LevelFilter::Warn)));
        assert_eq!(level(false, Some(" ")), Ok(None));
        assert!(level(false, Some("loud")).unwrap_err().contains("RUST_LOG"));
        assert_eq!(
            level(false, Some("info,iamdrill=trace,hyper=warn")),
            Ok(Some(LevelFilter::Trace))
        );
        assert_eq!(
            level(false, Some("warn,hyper=trace")),
            Ok(Some(LevelFilter::Warn))
        );
        assert!(level(false, Some("hyper=trace")).is_err());
    }

    #[test]
    fn records_go_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join(super::super::paths::LOG_FILE);
        init_at(&path, LevelFilter::Info).unwrap();
        log::info!("hello from the test");
        log::debug!("filtered out");
        log::logger().flush();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("INFO"), "{text}");
        // Each line starts with an RFC 3339 time.
        let first = text.lines().next().unwrap();
        assert!(
            super::super::clock::parse_rfc3339(first.split(' ').next().unwrap()).is_ok(),
            "{first}"
        );
        assert!(text.contains("hello from the test"), "{text}");
        assert!(!text.contains("filtered out"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }
}
