//! Decks: the card model, loading and validation, and the built-in decks embedded in the binary.
//!
//! - [`builtin_decks`]: the decks compiled from the source document, embedded at build time.
//! - [`Library::builtin`] and [`load_user_decks`]: built-in decks, then the user's deck files. A
//!   broken user deck is reported in [`Library::problems`] and skipped. Where the user's decks are
//!   is decided above this module (`crate::context`).
//! - [`check_paths`]: full validation for `iamdrill decks check`.

pub mod clean;
pub mod learner;
pub mod lint;
pub mod load;
pub mod markup;
pub mod model;
pub mod nesting;
pub mod read;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use load::Problem;
pub use model::*;

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
    by_id: HashMap<String, (usize, usize)>,
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

    /// Adds a deck, dropping (and reporting) cards whose id is already taken.
    pub fn push(&mut self, mut deck: Deck, origin: String) {
        let d = self.decks.len();
        let mut kept = Vec::with_capacity(deck.cards.len());
        for card in deck.cards.drain(..) {
            if let Some(&(od, _)) = self.by_id.get(&card.id) {
                self.problems.push(Problem {
                    file: origin.clone(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "card `{}` skipped: the id is already used in {}",
                        card.id, self.origins[od]
                    ),
                });
                continue;
            }
            self.by_id.insert(card.id.clone(), (d, kept.len()));
            kept.push(card);
        }
        deck.cards = kept;
        self.decks.push(deck);
        self.origins.push(origin);
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
        self.by_id.get(id).map(|&(d, c)| &self.decks[d].cards[c])
    }

    /// The deck a card belongs to.
    pub fn deck_of(&self, id: &str) -> Option<&Deck> {
        self.by_id.get(id).map(|&(d, _)| &self.decks[d])
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Parses and validates one deck's text; problems are located in `file`.
pub fn parse_and_check(
    text: &str,
    file: &str,
    seen: &mut HashMap<String, String>,
) -> Result<Deck, Vec<Problem>> {
    let (deck, index) = load::parse_deck(text, file)?;
    let problems = validate::check_deck(&deck, file, &index, seen);
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
        .filter_map(|(_, text)| serde_yaml::from_str::<Deck>(text).ok())
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
    let file = path.display().to_string();
    let located = |message: String| Problem {
        file: file.clone(),
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
    load::decode(&bytes, &file)
}

/// Loads the decks found at `paths` (files or directories of `.yaml` files) into `lib`. A deck
/// with problems is reported in [`Library::problems`] and left out whole.
pub fn load_user_decks(lib: &mut Library, paths: &[PathBuf]) {
    let mut seen: HashMap<String, String> = lib
        .cards()
        .map(|c| (c.id.clone(), "a built-in deck".to_string()))
        .collect();
    for path in paths {
        let files = match deck_files(path) {
            Ok(files) => files,
            Err(e) => {
                lib.problems.push(Problem {
                    file: path.display().to_string(),
                    line: 1,
                    column: 1,
                    message: format!("cannot read deck path: {e}"),
                });
                continue;
            }
        };
        for file in files {
            let name = file.display().to_string();
            let text = match read_deck_file(&file) {
                Ok(text) => text,
                Err(p) => {
                    lib.problems.push(p);
                    continue;
                }
            };
            // Validate against a copy so a rejected deck does not reserve its ids.
            let mut trial = seen.clone();
            match parse_and_check(&text, &name, &mut trial) {
                Ok(deck) => {
                    seen = trial;
                    lib.push(deck, name);
                }
                Err(problems) => lib.problems.extend(problems),
            }
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

impl CheckReport {
    fn check_text(&mut self, text: &str, file: &str, seen: &mut HashMap<String, String>) {
        self.checked += 1;
        match load::parse_deck(text, file) {
            Ok((deck, index)) => {
                self.problems
                    .extend(validate::check_deck(&deck, file, &index, seen));
                self.warnings
                    .extend(lint::lint_deck(&deck, file, text, &index));
            }
            Err(p) => self.problems.extend(p),
        }
    }
}

/// Validates deck files or directories (all of `decks/`-style folders when given directories).
/// With no paths, validates the built-in decks. Ids must be unique across everything checked.
pub fn check_paths(paths: &[PathBuf]) -> (usize, Vec<Problem>) {
    let report = check_paths_with_warnings(paths);
    (report.checked, report.problems)
}

/// Like [`check_paths`], and also collects the warnings of [`lint`].
pub fn check_paths_with_warnings(paths: &[PathBuf]) -> CheckReport {
    let mut seen = HashMap::new();
    let mut report = CheckReport::default();
    if paths.is_empty() {
        for (name, text) in BUILTIN {
            report.check_text(text, name, &mut seen);
        }
        return report;
    }
    for path in paths {
        match deck_files(path) {
            Ok(files) => {
                for file in files {
                    match read_deck_file(&file) {
                        Ok(text) => {
                            report.check_text(&text, &file.display().to_string(), &mut seen)
                        }
                        Err(p) => {
                            report.checked += 1;
                            report.problems.push(p);
                        }
                    }
                }
            }
            Err(e) => report.problems.push(Problem {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    report
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
