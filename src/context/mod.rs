//! The context every front end runs in: resolved paths, the validated configuration, the keymap,
//! the deck library, the clock and the way to open the progress store. It is built once in
//! `main` from the command line, so the terminal app and every command see the same
//! configuration, the same decks and the same time.
//!
//! Layers (see ARCHITECTURE.md): the domain folders (`deck`, `compile`, `srs`, `mock`, `policy`,
//! `search`) know nothing of this module; the store knows only the domain; this module knows the
//! domain and the store; `cmd` and `ui` sit on top.

pub mod clock;
pub mod config;
pub mod keymap;
pub mod logging;
pub mod paths;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub use clock::Clock;
pub use config::Config;
pub use keymap::Keymap;
pub use paths::Paths;

use crate::deck::{CardIndex, DeckCache, DeckIndex, Library, Problem};
use crate::store::{Store, StoreError};

/// What the command line (or a test) chooses; everything else comes from files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--data-dir` / `IAMDRILL_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--config-dir` / `IAMDRILL_CONFIG_DIR`.
    pub config_dir: Option<PathBuf>,
    /// `--decks`: extra deck files or directories.
    pub decks: Vec<PathBuf>,
    /// `--now` / `IAMDRILL_NOW`: unix milliseconds to start the clock at.
    pub now_ms: Option<i64>,
}

/// Everything a command or the app needs, resolved once.
#[derive(Debug)]
pub struct Context {
    pub paths: Paths,
    pub config: Config,
    pub keymap: Keymap,
    pub clock: Clock,
    /// Deck locations besides the built-in decks, in load order: the configuration directory's
    /// `decks/` folder (when present), `deck_dirs` from the configuration, then `--decks`.
    pub deck_paths: Vec<PathBuf>,
    library: OnceLock<Arc<Library>>,
    card_index: OnceLock<Arc<CardIndex>>,
}

impl Context {
    /// Resolves the paths, reads and validates the configuration (a broken one is an error with
    /// its file, line and column) and sets the clock. Decks are loaded when first asked for.
    pub fn build(options: &Options) -> Result<Context, Problem> {
        let paths = Paths::resolve(options.data_dir.as_deref(), options.config_dir.as_deref());
        let config = Config::load_or_default(&paths.config)?;
        let keymap = config.keymap()?;
        let clock = match options.now_ms {
            Some(ms) => Clock::starting_at(ms),
            None => Clock::system(),
        };
        let mut deck_paths = Vec::new();
        if paths.decks.is_dir() {
            deck_paths.push(paths.decks.clone());
        }
        deck_paths.extend(
            config
                .deck_dirs
                .iter()
                .map(|d| resolve_config_path(paths.config_dir(), d)),
        );
        deck_paths.extend(options.decks.iter().cloned());
        Ok(Context {
            paths,
            config,
            keymap,
            clock,
            deck_paths,
            library: OnceLock::new(),
            card_index: OnceLock::new(),
        })
    }

    /// Now, in unix milliseconds, from the context's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The deck library: built-in decks, the generated policy drills and the user's decks. Loaded
    /// on first use; broken user decks are left out and listed in [`Library::problems`].
    pub fn library(&self) -> Arc<Library> {
        self.library
            .get_or_init(|| {
                let cache = DeckCache::new(self.deck_cache_dir());
                Arc::new(load_library_cached(&self.deck_paths, Some(&cache)))
            })
            .clone()
    }

    /// The card index of the deck library (each card's id, topic and deck, no card text): the
    /// same decks, problems and left-out duplicates as [`Context::library`], for what only
    /// counts cards. Loaded on first use, from the deck cache where it can be.
    pub fn card_index(&self) -> Arc<CardIndex> {
        self.card_index
            .get_or_init(|| {
                let cache = DeckCache::new(self.deck_cache_dir());
                Arc::new(load_index_cached(&self.deck_paths, &cache))
            })
            .clone()
    }

    /// Where checked decks are cached: `<data dir>/deck-cache/`.
    pub fn deck_cache_dir(&self) -> PathBuf {
        self.paths.data.join(DECK_CACHE_DIR)
    }

    /// Opens (creating if needed) the progress database with the configuration's scheduling
    /// settings in force: retention, daily limits and learning steps.
    ///
    /// The first open of a (UTC) day also takes the daily backup into [`Context::backup_dir`],
    /// keeping the newest `backup_keep`; a failed daily backup is logged and does not stop
    /// the study.
    pub fn open_store(&self) -> Result<Store, StoreError> {
        crate::store::files::create_private_dir(&self.paths.data).map_err(|source| {
            StoreError::CreateDir {
                path: self.paths.data.clone(),
                source,
            }
        })?;
        let mut store = Store::open_path(&self.paths.database)?;
        let keep = self.config.backup_keep as usize;
        let dir = self.backup_dir();
        let now = self.now_ms();
        // A large file is checked once a day, before its daily backup.
        if store.damage().is_none()
            && store.daily_backup_due(&dir, now, keep)
            && std::fs::metadata(&self.paths.database)
                .is_ok_and(|m| m.len() > crate::store::QUICK_CHECK_MAX_BYTES)
            && let Some(detail) = store.quick_check()?
        {
            drop(store);
            store = Store::open_damaged(&self.paths.database, detail)?;
        }
        if let Some(detail) = store.damage() {
            warn_damaged(&self.paths.database, detail);
            return Ok(store);
        }
        self.apply_config(&mut store)?;
        if let Err(e) = store.daily_backup(&dir, now, keep) {
            log::warn!("the daily backup failed: {e}");
        }
        Ok(store)
    }

    /// Where automatic backups of the progress database go: `<data dir>/backups/`.
    pub fn backup_dir(&self) -> PathBuf {
        self.paths.backups.clone()
    }

    /// Opens the progress database with the configuration's scheduling settings, on whatever
    /// thread calls it (the app syncs in the background with its own connection).
    pub fn store_opener(&self) -> impl FnOnce() -> Result<Store, StoreError> + Send + 'static {
        let path = self.paths.database.clone();
        let config = self.config.clone();
        move || {
            let mut store = Store::open_path(&path)?;
            apply_scheduling(&config, &mut store)?;
            Ok(store)
        }
    }

    /// Puts the configuration's scheduling settings in force on a store.
    pub fn apply_config(&self, store: &mut Store) -> Result<(), StoreError> {
        apply_scheduling(&self.config, store)
    }

    /// True the first time the app opens on this data directory (the welcome screen shows then).
    pub fn first_run(&self) -> bool {
        config::first_run(&self.paths.data)
    }
}

/// Puts a configuration's scheduling settings in force on a store.
fn apply_scheduling(config: &Config, store: &mut Store) -> Result<(), StoreError> {
    store.set_desired_retention(config.desired_retention as f32)?;
    store.set_limits(config.new_per_day, config.reviews_per_day)?;
    let steps: Vec<u32> = config
        .learning_steps_secs()
        .into_iter()
        .map(|s| u32::try_from(s).unwrap_or(u32::MAX))
        .collect();
    store.set_learning_steps(&steps)
}

/// Says once, on standard error, that the progress database is damaged and what still works.
fn warn_damaged(path: &Path, detail: &str) {
    let text = format!(
        "iamdrill: warning: {} is damaged ({detail}). It is open read-only: nothing is saved. \
         Rescue what can be read with `iamdrill export reviews -o reviews.csv` or \
         `iamdrill backup FILE`, then move the file aside and `iamdrill import reviews \
         reviews.csv`, or `iamdrill restore` a backup from {}.",
        path.display(),
        path.with_file_name(crate::store::backup::BACKUP_DIR)
            .display()
    );
    // The one rule for untrusted text (bidi overrides included), not a second copy of it.
    eprintln!("{}", crate::deck::clean::clean(&text));
}

impl Context {
    /// The sync folder from the configuration (`~/` and relative paths resolved like
    /// `deck_dirs`).
    pub fn sync_dir(&self) -> Option<PathBuf> {
        let dir = self.config.sync_dir.as_ref()?;
        Some(resolve_config_path(self.paths.config_dir(), dir))
    }

    /// This machine's name for other machines: `device_name`, else the host name.
    pub fn device_name(&self) -> String {
        self.config
            .device_name
            .clone()
            .unwrap_or_else(crate::store::sync::default_device_name)
    }
}

/// A `deck_dirs` entry: `~/` is the home directory; a relative path is taken from the
/// configuration directory, so the file means the same wherever iamdrill is started.
fn resolve_config_path(config_dir: &Path, entry: &Path) -> PathBuf {
    if let Ok(rest) = entry.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    if entry.is_absolute() {
        entry.to_path_buf()
    } else {
        config_dir.join(entry)
    }
}

/// The folder of the data directory that caches checked user decks.
pub const DECK_CACHE_DIR: &str = "deck-cache";

/// Built-in decks, the generated policy drills, then the decks found at `paths`.
pub fn load_library(paths: &[PathBuf]) -> Library {
    load_library_cached(paths, None)
}

/// [`load_library`], taking unchanged user deck files from `cache`.
pub fn load_library_cached(paths: &[PathBuf], cache: Option<&DeckCache>) -> Library {
    let mut lib = match cache {
        Some(cache) => Library::builtin_cached(cache),
        None => Library::builtin(),
    };
    // Generated from policy-engine templates, so not a file under decks/.
    lib.push(
        crate::policy::drill::deck(crate::policy::drill::DECK_SIZE),
        "built-in:generated".to_string(),
    );
    crate::deck::load_user_decks_cached(&mut lib, paths, cache);
    lib
}

/// The [`CardIndex`] of [`load_library_cached`] with `cache`.
pub fn load_index_cached(paths: &[PathBuf], cache: &DeckCache) -> CardIndex {
    let mut index = Library::builtin_index(cache);
    let drills = crate::policy::drill::deck(crate::policy::drill::DECK_SIZE);
    index.push(DeckIndex::of(&drills), "built-in:generated".to_string());
    crate::deck::load_user_index_cached(&mut index, paths, Some(cache));
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &Path) -> Options {
        Options {
            data_dir: Some(dir.join("data")),
            config_dir: Some(dir.join("config")),
            ..Options::default()
        }
    }

    #[test]
    fn config_deck_dirs_and_the_decks_folder_are_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("decks")).unwrap();
        std::fs::create_dir_all(dir.path().join("mine")).unwrap();
        std::fs::write(config.join("config.yaml"), "deck_dirs: [../mine]\n").unwrap();
        let deck = |id: &str| {
            format!(
                "id: {id}\ntitle: T\ncards:\n  - id: {id}-card\n    topic: general\n    question: Q?\n    answer: A.\n    key_points: [a]\n"
            )
        };
        std::fs::write(config.join("decks/a.yaml"), deck("folder")).unwrap();
        std::fs::write(dir.path().join("mine/b.yaml"), deck("dirs")).unwrap();
        let ctx = Context::build(&options(dir.path())).unwrap();
        let lib = ctx.library();
        assert!(lib.card("folder-card").is_some());
        assert!(lib.card("dirs-card").is_some());
        assert!(lib.problems.is_empty(), "{:?}", lib.problems);
    }

    #[test]
    fn the_card_index_lists_the_library_s_cards_cached_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("decks")).unwrap();
        let card = |id: &str, topic: &str| {
            format!(
                "  - id: {id}\n    topic: {topic}\n    question: Q?\n    answer: A.\n    key_points: [a]\n"
            )
        };
        let write = |name: &str, cards: &[String]| {
            let text = format!("id: {name}\ntitle: T\ncards:\n{}", cards.concat());
            std::fs::write(config.join("decks").join(format!("{name}.yaml")), text).unwrap();
        };
        write("a", &[card("one", "kms"), card("two", "sts")]);
        // A duplicate of a.yaml's card: the deck is left out with its problem.
        write("b", &[card("three", "kms"), card("one", "kms")]);
        write("c", &[card("four", "general")]);
        let lists = |ctx: &Context| {
            let lib = ctx.library();
            let index = ctx.card_index();
            let cards: Vec<(&str, &str)> = lib
                .cards()
                .map(|c| (c.id.as_str(), c.topic.as_str()))
                .collect();
            assert_eq!(index.cards().collect::<Vec<_>>(), cards);
            assert_eq!(index.origins, lib.origins);
            assert_eq!(index.problems, lib.problems);
            assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
            assert_eq!(index.len(), lib.len());
        };
        // The index first (filling the cache), then the library; then both from the cache.
        let ctx = Context::build(&options(dir.path())).unwrap();
        assert!(ctx.card_index().place("four").is_some());
        lists(&ctx);
        lists(&Context::build(&options(dir.path())).unwrap());
    }

    #[test]
    fn a_broken_configuration_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(config.join("config.yaml"), "new_per_day: twenty\n").unwrap();
        let e = Context::build(&options(dir.path())).unwrap_err();
        assert_eq!((e.line, e.column), (1, 14), "{e}");
        assert!(e.file.ends_with("config.yaml"), "{e}");
    }

    #[test]
    fn a_key_clash_stops_the_context_too() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(config.join("config.yaml"), "keys:\n  review.rate_good: s\n").unwrap();
        let e = Context::build(&options(dir.path())).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn a_missing_configuration_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::build(&options(dir.path())).unwrap();
        assert_eq!(ctx.config.new_per_day, Config::default().new_per_day);
        assert!(!ctx.clock.is_shifted());
    }

    #[test]
    fn the_clock_starts_at_now() {
        let dir = tempfile::tempdir().unwrap();
        let start = clock::parse_rfc3339("2026-12-24T09:00:00Z").unwrap();
        let ctx = Context::build(&Options {
            now_ms: Some(start),
            ..options(dir.path())
        })
        .unwrap();
        assert!(ctx.now_ms() >= start && ctx.now_ms() < start + 60_000);
    }
}
