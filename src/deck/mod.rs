//! Decks: the card model, loading and validation, and the built-in decks embedded in the binary.
//!
//! - [`builtin_decks`]: the decks compiled from the source document, embedded at build time.
//! - [`Library::builtin`] and [`load_user_decks`]: built-in decks, then the user's deck files. A
//!   broken user deck is reported in [`Library::problems`] and skipped. Where the user's decks are
//!   is decided above this module (`crate::context`).
//! - [`check_paths`]: full validation for `iamdrill decks check`.

pub mod cache;
pub mod clean;
pub mod ids;
pub mod index;
pub mod learner;
pub mod lint;
pub mod load;
pub mod markup;
pub mod model;
pub mod nesting;
pub mod read;
pub mod validate;
pub mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use cache::DeckCache;
pub use index::{CardIndex, DeckIndex};
pub use load::Problem;
pub use model::*;
pub use validate::{DeckSource, KnownIds, Seen};

/// The built-in decks: (file name, YAML text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "decks/identity.yaml",
        include_str!("../../decks/identity.yaml"),
    ),
    ("decks/access.yaml", include_str!("../../decks/access.yaml")),
    (
        "decks/data-protection.yaml",
        include_str!("../../decks/data-protection.yaml"),
    ),
    (
        "decks/s3-and-perimeter.yaml",
        include_str!("../../decks/s3-and-perimeter.yaml"),
    ),
    (
        "decks/detection.yaml",
        include_str!("../../decks/detection.yaml"),
    ),
    (
        "decks/scenarios.yaml",
        include_str!("../../decks/scenarios.yaml"),
    ),
];

/// Every loaded deck, where it came from, and what could not be loaded.
#[derive(Debug, Default, Clone)]
pub struct Library {
    pub decks: Vec<Deck>,
    /// For each deck: `built-in:decks/x.yaml` or the file path.
    pub origins: Vec<String>,
    pub problems: Vec<Problem>,
    by_id: ids::IdMap,
}

impl Library {
    /// The built-in decks, deck by deck.
    pub fn builtin() -> Library {
        let mut lib = Library::default();
        for ((name, _), deck) in BUILTIN.iter().zip(builtin_decks()) {
            lib.push(deck, format!("built-in:{name}"));
        }
        lib
    }

    /// [`Library::builtin`], each deck taken from `cache` when its text is the one cached
    /// (reading the binary layout is several times faster than parsing the YAML).
    pub fn builtin_cached(cache: &DeckCache) -> Library {
        let mut lib = Library::default();
        for (name, text) in BUILTIN {
            let key = cache::Key::builtin(name, text);
            let deck = cache.get(&key).or_else(|| {
                let deck = yaml::from_str::<Deck>(text).ok()?;
                cache.put(&key, &deck);
                Some(deck)
            });
            if let Some(deck) = deck {
                lib.push(deck, format!("built-in:{name}"));
            }
        }
        lib
    }

    /// The index of [`Library::builtin_cached`]: each built-in deck's index from `cache` when
    /// its text is the one cached (no card text is read).
    pub fn builtin_index(cache: &DeckCache) -> CardIndex {
        let mut index = CardIndex::default();
        for (name, text) in BUILTIN {
            let key = cache::Key::builtin(name, text);
            let deck = cache.get_index(&key).or_else(|| {
                let deck = yaml::from_str::<Deck>(text).ok()?;
                cache.put(&key, &deck);
                Some(DeckIndex::of(&deck))
            });
            if let Some(deck) = deck {
                index.push(deck, format!("built-in:{name}"));
            }
        }
        index
    }

    /// Adds a deck (its declared topics become known everywhere), dropping (and reporting) cards
    /// whose id is already taken. The cards stay where they are in the deck's own list (no copy
    /// of the list).
    pub fn push(&mut self, mut deck: Deck, origin: String) {
        model::declare_topics(&deck.topics);
        let d = u32::try_from(self.decks.len()).unwrap_or(u32::MAX);
        let decks = &self.decks;
        let at = |(d, c): ids::Place| decks[d as usize].cards[c as usize].id.as_str();
        let taken = self
            .by_id
            .file_new_deck(d, deck.cards.len(), |i| &deck.cards[i].id, at);
        if !taken.is_empty() {
            for &(i, d) in &taken {
                let id = &deck.cards[i].id;
                self.problems.push(skipped(id, d, &self.origins, &origin));
            }
            let mut i = 0;
            let mut next_taken = taken.iter().map(|&(i, _)| i).peekable();
            deck.cards.retain(|_| {
                let skip = next_taken.peek() == Some(&i);
                if skip {
                    next_taken.next();
                }
                i += 1;
                !skip
            });
            let decks = &self.decks;
            let at = |(d, c): ids::Place| decks[d as usize].cards[c as usize].id.as_str();
            self.by_id
                .file_deck(d, deck.cards.len(), |i| &deck.cards[i].id, at);
        }
        self.decks.push(deck);
        self.origins.push(origin);
    }

    /// A library with no decks, only the problems a load met: what is shown while the decks
    /// of a load whose problems are known (from its [`CardIndex`]) are still loading.
    pub fn without_decks(problems: Vec<Problem>) -> Library {
        Library {
            problems,
            ..Library::default()
        }
    }

    /// Builds a library from decks already in memory (tests, benchmarks, generated collections).
    pub fn from_decks(decks: Vec<Deck>) -> Library {
        let mut lib = Library::default();
        for deck in decks {
            let origin = format!("memory:{}", deck.id);
            lib.push(deck, origin);
        }
        lib
    }

    /// All cards, deck by deck.
    pub fn cards(&self) -> impl Iterator<Item = &Card> {
        self.decks.iter().flat_map(|d| d.cards.iter())
    }

    /// A card by id.
    pub fn card(&self, id: &str) -> Option<&Card> {
        self.place(id).map(|(d, c)| &self.decks[d].cards[c])
    }

    /// The deck a card belongs to.
    pub fn deck_of(&self, id: &str) -> Option<&Deck> {
        self.place(id).map(|(d, _)| &self.decks[d])
    }

    /// Where a card is: (deck, card) indices.
    fn place(&self, id: &str) -> Option<(usize, usize)> {
        let at = |(d, c): ids::Place| self.decks[d as usize].cards[c as usize].id.as_str();
        self.by_id
            .get(id, at)
            .map(|(d, c)| (d as usize, c as usize))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The problem of a card left out because its id is taken: by deck `d` (`None`: by an earlier
/// card of the same deck).
fn skipped(id: &str, d: Option<usize>, origins: &[String], origin: &str) -> Problem {
    Problem {
        file: origin.to_string(),
        line: 1,
        column: 1,
        message: format!(
            "card `{id}` skipped: the id is already used in {}",
            d.and_then(|d| origins.get(d).map(String::as_str))
                .unwrap_or(origin)
        ),
    }
}

/// Parses and validates one deck's text; problems are located in `file`, and card ids taken in
/// `known` are duplicates.
pub fn parse_and_check(text: &str, file: &str, known: &dyn KnownIds) -> Result<Deck, Vec<Problem>> {
    let (deck, positions) = load::parse_deck_lazily(text, file)?;
    let problems = validate::check_deck(&deck, file, &positions, known);
    if problems.is_empty() {
        Ok(deck)
    } else {
        Err(problems)
    }
}

/// The built-in decks. Their text is part of the binary and fully validated by the test suite
/// (`check_paths(&[])`), so start-up only deserialises them; a deck that failed to would be left
/// out rather than stop the program.
pub fn builtin_decks() -> Vec<Deck> {
    BUILTIN
        .iter()
        .filter_map(|(_, text)| yaml::from_str::<Deck>(text).ok())
        .collect()
}

/// Deck files found at `path`: the file itself, or the `.yaml`/`.yml` files of a directory, sorted.
pub fn deck_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Reads one deck file: a regular file only, with the size limit applied before reading it whole.
pub fn read_deck_file(path: &Path) -> Result<String, Problem> {
    read_deck_file_with_metadata(path).map(|(text, _)| text)
}

/// The bytes of one deck file (a regular file, within the size limit) and its metadata.
fn read_deck_bytes(path: &Path) -> Result<(Vec<u8>, std::fs::Metadata), Problem> {
    let located = |message: String| Problem {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        message,
    };
    let bytes = read::read_bounded(path, load::MAX_DECK_BYTES as u64).map_err(|e| match e {
        read::ReadError::TooLarge { size, limit } => located(format!(
            "file is {size} bytes; decks are limited to {limit} bytes — split it into several decks"
        )),
        read::ReadError::Io(e) => located(format!("cannot read: {e}")),
        other => located(other.to_string()),
    })?;
    let meta = std::fs::metadata(path).map_err(|e| located(format!("cannot read: {e}")))?;
    Ok((bytes, meta))
}

/// [`read_deck_file`], with the file's metadata as read before its bytes.
fn read_deck_file_with_metadata(path: &Path) -> Result<(String, std::fs::Metadata), Problem> {
    let (bytes, meta) = read_deck_bytes(path)?;
    Ok((load::decode(&bytes, &path.display().to_string())?, meta))
}

/// What one deck file gave, read and checked apart from the others: the deck and its problems
/// except duplicate ids (tagged for [`validate::merge`]), and the warnings when asked for.
struct FileCheck<D = Deck> {
    deck: Result<(D, Vec<validate::Tagged>), Vec<Problem>>,
    warnings: Vec<Problem>,
    /// When only checking: the card ids, in file order, and the deck is left without its cards
    /// (so checking many files does not hold them all).
    ids: Vec<String>,
}

impl<D> FileCheck<D> {
    /// The same check with the deck turned into what a collection holds.
    fn map<E>(self, f: impl FnOnce(D) -> E) -> FileCheck<E> {
        FileCheck {
            deck: self.deck.map(|(d, problems)| (f(d), problems)),
            warnings: self.warnings,
            ids: self.ids,
        }
    }
}

/// What the loader fills: a [`Library`] (whole cards) or a [`CardIndex`] (ids and topics).
trait Collection {
    /// A deck as the collection holds it.
    type Deck: Send;
    /// A checked deck as the collection holds it.
    fn from_deck(deck: Deck) -> Self::Deck;
    /// A deck from the cache, as the collection holds it.
    fn cached(cache: &DeckCache, key: &cache::Key) -> Option<Self::Deck>;
    /// The card ids of a deck, in order.
    fn card_ids(deck: &Self::Deck) -> Vec<&str>;
    fn deck_count(&self) -> usize;
    fn origin(&self, d: usize) -> &str;
    /// Where a card is: (deck, card) indices.
    fn place(&self, id: &str) -> Option<(usize, usize)>;
    fn problems(&mut self) -> &mut Vec<Problem>;
    fn push(&mut self, deck: Self::Deck, origin: String);
}

impl Collection for Library {
    type Deck = Deck;
    fn from_deck(deck: Deck) -> Deck {
        deck
    }
    fn cached(cache: &DeckCache, key: &cache::Key) -> Option<Deck> {
        cache.get(key)
    }
    fn card_ids(deck: &Deck) -> Vec<&str> {
        deck.cards.iter().map(|c| c.id.as_str()).collect()
    }
    fn deck_count(&self) -> usize {
        self.decks.len()
    }
    fn origin(&self, d: usize) -> &str {
        &self.origins[d]
    }
    fn place(&self, id: &str) -> Option<(usize, usize)> {
        Library::place(self, id)
    }
    fn problems(&mut self) -> &mut Vec<Problem> {
        &mut self.problems
    }
    fn push(&mut self, deck: Deck, origin: String) {
        Library::push(self, deck, origin)
    }
}

impl Collection for CardIndex {
    type Deck = DeckIndex;
    fn from_deck(deck: Deck) -> DeckIndex {
        DeckIndex::of(&deck)
    }
    fn cached(cache: &DeckCache, key: &cache::Key) -> Option<DeckIndex> {
        cache.get_index(key)
    }
    fn card_ids(deck: &DeckIndex) -> Vec<&str> {
        deck.cards().map(|(id, _)| id).collect()
    }
    fn deck_count(&self) -> usize {
        self.decks.len()
    }
    fn origin(&self, d: usize) -> &str {
        &self.origins[d]
    }
    fn place(&self, id: &str) -> Option<(usize, usize)> {
        CardIndex::place(self, id)
    }
    fn problems(&mut self) -> &mut Vec<Problem> {
        &mut self.problems
    }
    fn push(&mut self, deck: DeckIndex, origin: String) {
        CardIndex::push(self, deck, origin)
    }
}

fn check_file(text: Result<String, Problem>, name: &str, lint: bool) -> FileCheck {
    let text = match text {
        Ok(text) => text,
        Err(p) => {
            return FileCheck {
                deck: Err(vec![p]),
                warnings: Vec::new(),
                ids: Vec::new(),
            };
        }
    };
    match load::parse_deck_lazily(&text, name) {
        Ok((mut deck, positions)) => {
            let problems = validate::check_contents(&deck, name, &positions);
            let (warnings, ids) = if lint {
                let warnings = lint::lint_deck(&deck, name, &positions);
                let ids = deck.cards.drain(..).map(|c| c.id).collect();
                (warnings, ids)
            } else {
                (Vec::new(), Vec::new())
            };
            FileCheck {
                deck: Ok((deck, problems)),
                warnings,
                ids,
            }
        }
        Err(problems) => FileCheck {
            deck: Err(problems),
            warnings: Vec::new(),
            ids: Vec::new(),
        },
    }
}

/// `f` applied to every item, on up to as many threads as there are cores; the results in the
/// order of the items.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A deck location resolved to files, or why it could not be.
enum Found {
    File(PathBuf),
    Unreadable(Problem),
}

fn find_files(paths: &[PathBuf], message: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        match deck_files(path) {
            Ok(files) => found.extend(files.into_iter().map(Found::File)),
            Err(e) => found.push(Found::Unreadable(Problem {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("{message}: {e}"),
            })),
        }
    }
    found
}

/// The ids of a library as [`KnownIds`]: decks before `first_user_deck` are built in; the
/// files of the others are read again only to name the line of a duplicate's first definition.
struct LibraryIds<'a, C> {
    lib: &'a C,
    first_user_deck: usize,
    files: std::cell::RefCell<HashMap<usize, load::PosIndex>>,
}

impl<C: Collection> KnownIds for LibraryIds<'_, C> {
    fn first_defined(&self, id: &str) -> Option<String> {
        let (d, c) = self.lib.place(id)?;
        if d < self.first_user_deck {
            return Some("a built-in deck".to_string());
        }
        let origin = self.lib.origin(d);
        let mut files = self.files.borrow_mut();
        let index = files
            .entry(d)
            .or_insert_with(|| DeckSource::File(PathBuf::from(origin)).positions());
        Some(format!(
            "{origin}:{}",
            index.find(&validate::id_path(c)).line
        ))
    }
}

/// Where `cards[i].id` is in a deck file, reading the file again on first use.
fn id_positions(source: DeckSource) -> impl Fn(usize) -> load::Pos {
    let index = std::cell::OnceCell::new();
    move |card| {
        index
            .get_or_init(|| source.positions())
            .find(&validate::id_path(card))
    }
}

/// Reads and checks one user deck file, or takes it from `cache` when the file is unchanged
/// (then its text is only hashed, not decoded or checked again); a deck without problems is
/// stored in the cache. The flag tells whether an entry was written.
fn load_file<C: Collection>(path: &Path, cache: Option<&DeckCache>) -> (FileCheck<C::Deck>, bool) {
    let name = path.display().to_string();
    let Some(cache) = cache else {
        let check = check_file(read_deck_file(path), &name, false);
        return (check.map(C::from_deck), false);
    };
    let (bytes, meta) = match read_deck_bytes(path) {
        Ok(read) => read,
        Err(p) => return (check_file(Err(p), &name, false).map(C::from_deck), false),
    };
    let key = cache::Key::of(path, &meta, &bytes);
    if let Some(deck) = C::cached(cache, &key) {
        let check = FileCheck {
            deck: Ok((deck, Vec::new())),
            warnings: Vec::new(),
            ids: Vec::new(),
        };
        return (check, false);
    }
    let check = check_file(load::decode(&bytes, &name), &name, false);
    drop(bytes);
    let mut written = false;
    if let Ok((deck, problems)) = &check.deck
        && problems.is_empty()
    {
        cache.put(&key, deck);
        written = true;
    }
    (check.map(C::from_deck), written)
}

/// Loads the decks found at `paths` (files or directories of `.yaml` files) into `lib`. A deck
/// with problems is reported in [`Library::problems`] and left out whole. Files are read and
/// checked in parallel; duplicate ids are then found in load order, so the result is the same
/// as loading one file after the other.
pub fn load_user_decks(lib: &mut Library, paths: &[PathBuf]) {
    load_user_decks_cached(lib, paths, None);
}

/// [`load_user_decks`], taking unchanged files from `cache` (see [`cache`]).
pub fn load_user_decks_cached(lib: &mut Library, paths: &[PathBuf], cache: Option<&DeckCache>) {
    load_into(lib, paths, cache);
}

/// The index of what [`load_user_decks_cached`] loads (the same decks, problems and left-out
/// duplicates), taking unchanged files' indexes from `cache` without reading card text.
pub fn load_user_index_cached(index: &mut CardIndex, paths: &[PathBuf], cache: Option<&DeckCache>) {
    load_into(index, paths, cache);
}

fn load_into<C: Collection>(lib: &mut C, paths: &[PathBuf], cache: Option<&DeckCache>) {
    let found = find_files(paths, "cannot read deck path");
    let loaded = par_map(&found, |f| match f {
        Found::File(path) => Some(load_file::<C>(path, cache)),
        Found::Unreadable(_) => None,
    });
    let mut written = false;
    let checked: Vec<Option<FileCheck<C::Deck>>> = loaded
        .into_iter()
        .map(|l| {
            l.map(|(check, w)| {
                written |= w;
                check
            })
        })
        .collect();
    // Something changed: entries of deck files that are gone can go too.
    if written && let Some(cache) = cache {
        cache.sweep();
    }
    let first_user_deck = lib.deck_count();
    for (f, check) in found.into_iter().zip(checked) {
        let (path, check) = match (f, check) {
            (Found::Unreadable(p), _) => {
                lib.problems().push(p);
                continue;
            }
            (Found::File(path), Some(check)) => (path, check),
            (Found::File(_), None) => continue,
        };
        let name = path.display().to_string();
        let (deck, contents) = match check.deck {
            Ok(d) => d,
            Err(problems) => {
                lib.problems().extend(problems);
                continue;
            }
        };
        let known = LibraryIds {
            lib: &*lib,
            first_user_deck,
            files: Default::default(),
        };
        let id_pos = id_positions(DeckSource::File(path));
        let card_ids = C::card_ids(&deck);
        let ids = validate::check_ids(&card_ids, &name, &id_pos, &known);
        drop(card_ids);
        if contents.is_empty() && ids.is_empty() {
            lib.push(deck, name);
        } else {
            lib.problems().extend(validate::merge(contents, ids));
        }
    }
}

/// What checking deck files found.
#[derive(Debug, Default, Clone)]
pub struct CheckReport {
    /// Deck files checked.
    pub checked: usize,
    /// Errors: the deck cannot be loaded as it is.
    pub problems: Vec<Problem>,
    /// Warnings: valid, but misleading to a learner (see [`lint`]).
    pub warnings: Vec<Problem>,
}

/// Validates deck files or directories (all of `decks/`-style folders when given directories).
/// With no paths, validates the built-in decks. Ids must be unique across everything checked.
pub fn check_paths(paths: &[PathBuf]) -> (usize, Vec<Problem>) {
    let report = check_paths_with_warnings(paths);
    (report.checked, report.problems)
}

/// Like [`check_paths`], and also collects the warnings of [`lint`]. Files are checked in
/// parallel; duplicate ids are found in the order of the files.
pub fn check_paths_with_warnings(paths: &[PathBuf]) -> CheckReport {
    let mut seen = Seen::default();
    let mut report = CheckReport::default();
    if paths.is_empty() {
        let checked = par_map(BUILTIN, |(name, text)| {
            check_file(Ok(text.to_string()), name, true)
        });
        for ((name, text), check) in BUILTIN.iter().zip(checked) {
            let id_pos = id_positions(DeckSource::Static(text));
            report.add(check, name, &id_pos, &mut seen, DeckSource::Static(text));
        }
        return report;
    }
    let found = find_files(paths, "cannot read");
    let checked = par_map(&found, |f| match f {
        Found::File(path) => Some(check_file(
            read_deck_file(path),
            &path.display().to_string(),
            true,
        )),
        Found::Unreadable(_) => None,
    });
    // The loader leaves out a deck that reuses a built-in card id, so the check reports that
    // too — except against a built-in deck that one of the checked files is (same deck id: its
    // source file, being edited).
    let checked_decks: HashSet<&str> = checked
        .iter()
        .flatten()
        .filter_map(|c| c.deck.as_ref().ok().map(|(d, _)| d.id.as_str()))
        .collect();
    let builtin = builtin_decks();
    seen.add_label(
        builtin
            .iter()
            .filter(|d| !checked_decks.contains(d.id.as_str()))
            .flat_map(|d| d.cards.iter().map(|c| c.id.as_str())),
        "a built-in deck",
    );
    drop(checked_decks);
    for (f, check) in found.into_iter().zip(checked) {
        match (f, check) {
            (Found::File(path), Some(check)) => {
                let name = path.display().to_string();
                let id_pos = id_positions(DeckSource::File(path.clone()));
                report.add(check, &name, &id_pos, &mut seen, DeckSource::File(path));
            }
            (Found::Unreadable(p), _) => report.problems.push(p),
            (Found::File(_), None) => {}
        }
    }
    report
}

impl CheckReport {
    /// Adds one file's check, finding its duplicate ids against the files before it.
    fn add(
        &mut self,
        check: FileCheck,
        name: &str,
        id_pos: &dyn Fn(usize) -> load::Pos,
        seen: &mut Seen,
        source: DeckSource,
    ) {
        self.checked += 1;
        match check.deck {
            Ok((_, contents)) => {
                let card_ids: Vec<&str> = check.ids.iter().map(String::as_str).collect();
                let ids = validate::check_ids(&card_ids, name, id_pos, seen);
                self.problems.extend(validate::merge(contents, ids));
                seen.add_ids(&card_ids, name, source);
            }
            Err(problems) => self.problems.extend(problems),
        }
        self.warnings.extend(check.warnings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_decks_are_valid() {
        let (checked, problems) = check_paths(&[]);
        assert_eq!(checked, BUILTIN.len());
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "{}", shown.join("\n"));
        assert_eq!(builtin_decks().len(), BUILTIN.len());
    }

    #[test]
    fn builtin_decks_from_the_cache_are_the_built_in_decks() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DeckCache::new(dir.path().join("deck-cache"));
        let parsed = Library::builtin();
        for _ in 0..2 {
            // First filled, then read from the cache.
            let cached = Library::builtin_cached(&cache);
            assert_eq!(cached.decks, parsed.decks);
            assert_eq!(cached.origins, parsed.origins);
            assert!(cached.problems.is_empty());
        }
        assert_eq!(
            std::fs::read_dir(cache.dir()).unwrap().count(),
            BUILTIN.len()
        );
        // Sweeping keeps them: they have no file that could be gone.
        cache.sweep();
        assert_eq!(
            std::fs::read_dir(cache.dir()).unwrap().count(),
            BUILTIN.len()
        );
    }

    #[test]
    fn builtin_decks_have_no_warnings() {
        // No dangling references and no outdated names, except inside a wrong passage a card
        // marks and corrects (those are not reported).
        let report = check_paths_with_warnings(&[]);
        let shown: Vec<String> = report.warnings.iter().map(|p| p.to_string()).collect();
        assert!(report.warnings.is_empty(), "{}", shown.join("\n"));
        // The check does look: the same decks without their corrections have warnings.
        let mut unmarked = 0;
        for deck in builtin_decks() {
            for card in deck.cards {
                let texts = learner::marked_fields(&card);
                unmarked += texts
                    .iter()
                    .map(|(_, t)| lint::lint_text(t, &[]).len())
                    .sum::<usize>();
            }
        }
        assert!(
            unmarked > 0,
            "the marked passages hold outdated names the check finds"
        );
    }

    fn card(id: &str, topic: &str) -> String {
        format!(
            "  - id: {id}\n    topic: {topic}\n    question: Q\n    answer: A\n    key_points: [k]\n"
        )
    }

    #[test]
    fn duplicates_across_files_name_the_first_file_and_line_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, cards: &[String]| {
            let text = format!("id: {}\ntitle: T\ncards:\n{}", &name[..1], cards.concat());
            std::fs::write(dir.path().join(name), text).unwrap();
        };
        write("a.yaml", &[card("one", "kms"), card("two", "kms")]);
        // Card 0 has a bad topic, card 1 repeats `two` of a.yaml and has a bad topic, card 2
        // repeats `two` again, card 3 repeats `four` of this file.
        write(
            "b.yaml",
            &[
                card("x", "nope"),
                card("two", "nope"),
                card("two", "kms"),
                card("four", "kms"),
                card("four", "kms"),
            ],
        );
        let a = dir.path().join("a.yaml").display().to_string();
        let b = dir.path().join("b.yaml").display().to_string();
        let expected = [
            format!("{b}:5:12: unknown topic `nope`"),
            format!("{b}:9:9: duplicate card id `two` (first defined at {a}:9)"),
            format!("{b}:10:12: unknown topic `nope`"),
            format!("{b}:14:9: duplicate card id `two` (first defined at {a}:9)"),
            format!("{b}:24:9: duplicate card id `four` (first defined at {b}:19)"),
        ];
        let starts = |problems: &[Problem]| {
            assert_eq!(problems.len(), expected.len(), "{problems:?}");
            for (p, e) in problems.iter().zip(&expected) {
                assert!(p.to_string().starts_with(e.as_str()), "{p} / {e}");
            }
        };
        let mut lib = Library::builtin();
        load_user_decks(&mut lib, &[dir.path().to_path_buf()]);
        starts(&lib.problems);
        assert!(lib.card("one").is_some() && lib.card("x").is_none());
        let (checked, problems) = check_paths(&[dir.path().to_path_buf()]);
        assert_eq!(checked, 2);
        starts(&problems);
    }

    #[test]
    fn a_rejected_deck_reserves_no_ids_and_built_in_ids_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let builtin_id = builtin_decks()[0].cards[0].id.clone();
        let text = |cards: &[String]| format!("id: d\ntitle: T\ncards:\n{}", cards.concat());
        std::fs::write(dir.path().join("a.yaml"), text(&[card("mine", "nope")])).unwrap();
        std::fs::write(dir.path().join("b.yaml"), text(&[card("mine", "kms")])).unwrap();
        std::fs::write(dir.path().join("c.yaml"), text(&[card(&builtin_id, "kms")])).unwrap();
        let mut lib = Library::builtin();
        load_user_decks(&mut lib, &[dir.path().to_path_buf()]);
        let shown: Vec<String> = lib.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[0].contains("unknown topic"), "{shown:?}");
        assert!(
            shown[1].ends_with(&format!(
                "duplicate card id `{builtin_id}` (first defined at a built-in deck)"
            )),
            "{shown:?}"
        );
        assert!(lib.card("mine").is_some());
    }

    #[test]
    fn cached_decks_load_as_parsed_ones_and_still_meet_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let decks = dir.path().join("decks");
        std::fs::create_dir_all(&decks).unwrap();
        let text =
            |id: &str, cards: &[String]| format!("id: {id}\ntitle: T\ncards:\n{}", cards.concat());
        std::fs::write(
            decks.join("a.yaml"),
            text("a", &[card("one", "kms"), card("two", "sts")]),
        )
        .unwrap();
        std::fs::write(decks.join("b.yaml"), text("b", &[card("three", "kms")])).unwrap();
        let cache = DeckCache::new(dir.path().join("cache"));
        let load = || {
            let mut lib = Library::builtin();
            load_user_decks_cached(&mut lib, std::slice::from_ref(&decks), Some(&cache));
            lib
        };
        let parsed = load();
        let cached = load();
        assert_eq!(parsed.decks, cached.decks);
        assert_eq!(parsed.origins, cached.origins);
        assert!(cached.problems.is_empty(), "{:?}", cached.problems);
        // A new file repeating an id of a cached deck names the line in the cached deck's file.
        std::fs::write(decks.join("c.yaml"), text("c", &[card("two", "kms")])).unwrap();
        let lib = load();
        assert_eq!(lib.problems.len(), 1, "{:?}", lib.problems);
        let a = decks.join("a.yaml").display().to_string();
        assert!(
            lib.problems[0]
                .message
                .ends_with(&format!("(first defined at {a}:9)")),
            "{}",
            lib.problems[0]
        );
    }

    #[test]
    fn many_files_load_in_a_fixed_order() {
        let dir = tempfile::tempdir().unwrap();
        for f in 0..40 {
            let cards: Vec<String> = (0..5).map(|i| card(&format!("c-{f}-{i}"), "kms")).collect();
            let broken = if f % 7 == 3 { "oops: 1\n" } else { "" };
            let text = format!("id: d-{f}\ntitle: T\n{broken}cards:\n{}", cards.concat());
            std::fs::write(dir.path().join(format!("f{f:02}.yaml")), text).unwrap();
        }
        let mut lib = Library::builtin();
        let builtin = lib.decks.len();
        load_user_decks(&mut lib, &[dir.path().to_path_buf()]);
        let ids: Vec<&str> = lib.decks[builtin..].iter().map(|d| d.id.as_str()).collect();
        let expected: Vec<String> = (0..40)
            .filter(|f| f % 7 != 3)
            .map(|f| format!("d-{f}"))
            .collect();
        assert_eq!(ids, expected);
        let files: Vec<&str> = lib.problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files.len(), 6, "{files:?}");
        assert!(files.windows(2).all(|w| w[0] < w[1]), "{files:?}");
    }

    #[test]
    fn broken_user_deck_is_skipped_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a-good.yaml"), "id: mine\ntitle: Mine\ncards:\n  - id: my-card\n    topic: kms\n    question: Q\n    answer: A\n    key_points: [k]\n").unwrap();
        std::fs::write(dir.path().join("b-bad.yaml"), "id: bad\ntitle: Bad\ncards:\n  - id: other\n    topic: nope\n    question: Q\n    answer: A\n    key_points: [k]\n").unwrap();
        let mut lib = Library::from_decks(builtin_decks());
        let before = lib.len();
        load_user_decks(&mut lib, &[dir.path().to_path_buf()]);
        assert_eq!(lib.len(), before + 1);
        assert!(lib.card("my-card").is_some());
        assert!(lib.card("other").is_none());
        assert_eq!(lib.problems.len(), 1);
        assert!(
            lib.problems[0]
                .to_string()
                .contains("b-bad.yaml:5:12: unknown topic")
        );
    }
}
