//! Where iamdrill keeps its files: platform directories from the `directories` crate, or the
//! directories given with `--data-dir` / `IAMDRILL_DATA_DIR` and `--config-dir` /
//! `IAMDRILL_CONFIG_DIR`.

use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Serialize;

/// Name of the configuration file inside the configuration directory.
pub const CONFIG_FILE: &str = "config.yaml";
/// Name of the progress database inside the data directory.
pub const DATABASE_FILE: &str = "progress.sqlite3";
/// Name of the log file inside the state directory.
pub const LOG_FILE: &str = "iamdrill.log";

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "iamdrill")
}

/// Every place iamdrill reads or writes, resolved once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paths {
    /// The data directory (the progress database and its backups).
    pub data: PathBuf,
    /// The progress database.
    pub database: PathBuf,
    /// Backups of the progress database (daily ones, and those taken before a change).
    pub backups: PathBuf,
    /// The configuration file.
    pub config: PathBuf,
    /// The folder of the user's own decks, loaded besides the built-in ones.
    pub decks: PathBuf,
    /// Directory for state such as the log file.
    pub state: PathBuf,
    /// The log file.
    pub log: PathBuf,
}

impl Paths {
    /// Resolves the paths; `None` takes the platform's directory.
    pub fn resolve(data_dir: Option<&Path>, config_dir: Option<&Path>) -> Paths {
        let dirs = project_dirs();
        let data = match data_dir {
            Some(d) => d.to_path_buf(),
            None => dirs
                .as_ref()
                .map(|d| d.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".iamdrill")),
        };
        let config_dir = match config_dir {
            Some(d) => d.to_path_buf(),
            None => dirs
                .as_ref()
                .map(|d| d.config_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".iamdrill")),
        };
        let state = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data.join("state"));
        Paths {
            database: data.join(DATABASE_FILE),
            backups: data.join(crate::store::backup::BACKUP_DIR),
            data,
            config: config_dir.join(CONFIG_FILE),
            decks: config_dir.join("decks"),
            log: state.join(LOG_FILE),
            state,
        }
    }

    /// The configuration directory.
    pub fn config_dir(&self) -> &Path {
        self.config.parent().unwrap_or(Path::new("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_used() {
        let p = Paths::resolve(Some(Path::new("/d")), Some(Path::new("/c")));
        assert_eq!(p.database, Path::new("/d/progress.sqlite3"));
        assert_eq!(p.config, Path::new("/c/config.yaml"));
        assert_eq!(p.decks, Path::new("/c/decks"));
        assert_eq!(p.config_dir(), Path::new("/c"));
    }
}
