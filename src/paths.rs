//! Where iamdrill keeps its files (platform directories from the `directories` crate).

use std::path::PathBuf;

use directories::ProjectDirs;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "iamdrill")
}

/// The data directory: `override_dir` (from `--data-dir` / `IAMDRILL_DATA_DIR`) or the platform's.
pub fn data_dir(override_dir: Option<&PathBuf>) -> PathBuf {
    if let Some(dir) = override_dir {
        return dir.clone();
    }
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".iamdrill"))
}

/// The configuration directory (user decks live in its `decks/` folder).
pub fn config_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".iamdrill"))
}

/// Directory for state such as log files.
pub fn state_dir() -> PathBuf {
    project_dirs()
        .and_then(|d| d.state_dir().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| data_dir(None).join("state"))
}

/// The progress database inside a data directory.
pub fn database_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("progress.sqlite3")
}
