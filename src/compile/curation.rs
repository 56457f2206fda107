//! Curation files applied by the compiler (all optional except the catalog):
//! - `catalog.yaml`: one entry per source item: stable card id, topic, difficulty, tags, kind;
//!   items that share an id are merged into one card;
//! - `overlay.yaml`: patches by card id: corrections (note + references, the errata items fixed),
//!   replaced answers, curated key points, tables and scenario steps;
//! - `errata.yaml`: wrong passages the cards still show in the source's wording (answers kept
//!   from the source, other guides' versions), each with its correction; attached to every card
//!   that shows the passage, where it is marked and corrected (see [`crate::deck::learner`]);
//! - `added.yaml` and `added-*.yaml`: whole cards written for iamdrill (topics the source omits);
//! - `decks.yaml`: how cards are grouped into deck files, by topic.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Report;
use crate::deck::learner::{marked_fields, unmarked_fields};
use crate::deck::load::{PosIndex, Problem, index_positions};
use crate::deck::model::{
    Card, CardKind, Correction, Difficulty, KeyPoint, Scenario, Table, is_known_topic,
};
use crate::deck::validate::is_slug;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    pub source: String,
    pub id: String,
    pub topic: String,
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub kind: Option<CardKind>,
    /// Makes this item the main text of a merged card.
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    pub card: String,
    #[serde(default)]
    pub errata: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub key_points: Option<Vec<KeyPoint>>,
    #[serde(default)]
    pub table: Option<Table>,
    #[serde(default)]
    pub scenario: Option<Scenario>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
}

/// A wrong passage of the source and its correction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// The source item that words it so (`guide-3 Q9`).
    pub source: String,
    pub wrong: String,
    pub right: String,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeckSpec {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Curation {
    pub catalog: Vec<CatalogEntry>,
    pub overlay: Vec<Patch>,
    pub errata: Vec<Erratum>,
    pub added: Vec<Card>,
    pub decks: Vec<DeckSpec>,
    catalog_file: String,
    overlay_file: String,
    catalog_index: PosIndex,
    overlay_index: PosIndex,
    errata_file: String,
    errata_index: PosIndex,
    by_source: HashMap<String, usize>,
}

fn read(dir: &Path, name: &str, required: bool) -> Result<Option<(String, String)>, Problem> {
    let path: PathBuf = dir.join(name);
    let file = path.display().to_string();
    if !path.exists() {
        if required {
            return Err(Problem {
                file,
                line: 1,
                column: 1,
                message: "curation file is missing".into(),
            });
        }
        return Ok(None);
    }
    let text = crate::deck::read_deck_file(&path)?;
    Ok(Some((file, text)))
}

/// `added.yaml` and the `added-*.yaml` files of a curation folder, `added.yaml` first, then by name.
fn added_files(dir: &Path) -> Vec<String> {
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("added-") && n.ends_with(".yaml"))
        .collect();
    extra.sort();
    let mut names = vec!["added.yaml".to_string()];
    names.extend(extra);
    names
}

fn parse_list<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
) -> Result<(Vec<T>, PosIndex), Problem> {
    let index = index_positions(text).map_err(|(pos, message)| Problem {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        message,
    })?;
    let items: Vec<T> = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Problem {
            file: file.to_string(),
            line,
            column,
            message: msg,
        }
    })?;
    Ok((items, index))
}

impl Curation {
    /// Reads the curation files of `dir`.
    pub fn load(dir: &Path) -> Result<Curation, Vec<Problem>> {
        let mut cur = Curation::default();
        let mut problems = Vec::new();
        let at = |file: &str, index: &PosIndex, path: &str, message: String| {
            let pos = index.find(path);
            Problem {
                file: file.to_string(),
                line: pos.line,
                column: pos.column,
                message,
            }
        };
        match read(dir, "catalog.yaml", true) {
            Ok(Some((file, text))) => match parse_list::<CatalogEntry>(&file, &text) {
                Ok((entries, index)) => {
                    let mut ids_topic: HashMap<&str, &str> = HashMap::new();
                    for (i, e) in entries.iter().enumerate() {
                        if cur.by_source.insert(e.source.clone(), i).is_some() {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].source"),
                                format!("`{}` is catalogued twice", e.source),
                            ));
                        }
                        if !is_slug(&e.id) {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].id"),
                                format!("`{}` is not a kebab-case slug", e.id),
                            ));
                        }
                        if !is_known_topic(&e.topic) {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].topic"),
                                format!("unknown topic `{}`", e.topic),
                            ));
                        }
                        if let Some(t) = ids_topic.insert(&e.id, &e.topic)
                            && t != e.topic
                            && !e.primary
                        {
                            // Merged items take the main item's topic; a different one is a slip.
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].topic"),
                                format!(
                                    "`{}` is merged into `{}` whose topic is `{t}`",
                                    e.source, e.id
                                ),
                            ));
                        }
                    }
                    cur.catalog = entries;
                    cur.catalog_file = file;
                    cur.catalog_index = index;
                }
                Err(p) => problems.push(p),
            },
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        match read(dir, "overlay.yaml", false) {
            Ok(Some((file, text))) => match parse_list::<Patch>(&file, &text) {
                Ok((patches, index)) => {
                    for (i, p) in patches.iter().enumerate() {
                        if (p.note.is_some() || !p.errata.is_empty()) && p.references.is_empty() {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].card"),
                                format!("the correction of `{}` needs references", p.card),
                            ));
                        }
                        if !p.errata.is_empty() && p.note.is_none() {
                            problems.push(at(&file, &index, &format!("[{i}].errata"), format!("the correction of `{}` needs a note saying what the source got wrong", p.card)));
                        }
                    }
                    cur.overlay = patches;
                    cur.overlay_file = file;
                    cur.overlay_index = index;
                }
                Err(p) => problems.push(p),
            },
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        match read(dir, "errata.yaml", false) {
            Ok(Some((file, text))) => match parse_list::<Erratum>(&file, &text) {
                Ok((errata, index)) => {
                    for (i, e) in errata.iter().enumerate() {
                        if !cur.by_source.contains_key(&e.source) {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].source"),
                                format!("`{}` is not a catalogued source item", e.source),
                            ));
                        }
                        if e.wrong.trim().is_empty() || e.right.trim().is_empty() {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].wrong"),
                                "an erratum needs the wrong passage and what is right".into(),
                            ));
                        }
                        if e.references.is_empty() {
                            problems.push(at(
                                &file,
                                &index,
                                &format!("[{i}].references"),
                                "an erratum needs at least one reference".into(),
                            ));
                        }
                    }
                    cur.errata = errata;
                    cur.errata_file = file;
                    cur.errata_index = index;
                }
                Err(p) => problems.push(p),
            },
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        // `added.yaml`, then `added-<name>.yaml` files in name order: cards written for iamdrill.
        for name in added_files(dir) {
            match read(dir, &name, false) {
                Ok(Some((file, text))) => match parse_list::<Card>(&file, &text) {
                    Ok((cards, _)) => cur.added.extend(cards),
                    Err(p) => problems.push(p),
                },
                Ok(None) => {}
                Err(p) => problems.push(p),
            }
        }
        match read(dir, "decks.yaml", false) {
            Ok(Some((file, text))) => match parse_list::<DeckSpec>(&file, &text) {
                Ok((decks, index)) => {
                    for (i, d) in decks.iter().enumerate() {
                        for (k, t) in d.topics.iter().enumerate() {
                            if !is_known_topic(t) {
                                problems.push(at(
                                    &file,
                                    &index,
                                    &format!("[{i}].topics[{k}]"),
                                    format!("unknown topic `{t}`"),
                                ));
                            }
                        }
                    }
                    cur.decks = decks;
                }
                Err(p) => problems.push(p),
            },
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        if problems.is_empty() {
            Ok(cur)
        } else {
            Err(problems)
        }
    }

    /// The catalog entry of a source item (`guide-2 Q17`).
    pub fn entry(&self, source: &str) -> Option<&CatalogEntry> {
        self.by_source.get(source).map(|&i| &self.catalog[i])
    }

    pub(crate) fn problem_at_catalog(&self, message: String) -> Problem {
        Problem {
            file: self.catalog_file.clone(),
            line: 1,
            column: 1,
            message,
        }
    }

    /// Catalog entries that name no item found in the documents.
    pub(crate) fn unused_entries(&self, found: impl Iterator<Item = String>) -> Vec<Problem> {
        let found: HashSet<String> = found.collect();
        self.catalog
            .iter()
            .enumerate()
            .filter(|(_, e)| !found.contains(&e.source))
            .map(|(i, e)| {
                let pos = self.catalog_index.find(&format!("[{i}].source"));
                Problem {
                    file: self.catalog_file.clone(),
                    line: pos.line,
                    column: pos.column,
                    message: format!("`{}` is catalogued but no such item was found", e.source),
                }
            })
            .collect()
    }

    /// Applies the overlay and appends the added cards.
    pub(crate) fn apply(
        &self,
        cards: &mut Vec<Card>,
        report: &mut Report,
    ) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        for (i, patch) in self.overlay.iter().enumerate() {
            let Some(card) = cards.iter_mut().find(|c| c.id == patch.card) else {
                let pos = self.overlay_index.find(&format!("[{i}].card"));
                problems.push(Problem {
                    file: self.overlay_file.clone(),
                    line: pos.line,
                    column: pos.column,
                    message: format!("no card `{}` to patch", patch.card),
                });
                continue;
            };
            if let Some(q) = &patch.question {
                card.question = q.clone();
            }
            if let Some(a) = &patch.answer {
                card.answer = a.trim_end().to_string();
            }
            if let Some(k) = &patch.key_points {
                card.key_points = k.clone();
            }
            if let Some(t) = &patch.table {
                card.table = Some(t.clone());
            }
            if let Some(s) = &patch.scenario {
                card.scenario = Some(s.clone());
            }
            if let Some(t) = &patch.tags {
                card.tags = t.clone();
            }
            if let Some(d) = patch.difficulty {
                card.difficulty = d;
            }
            if let Some(n) = &patch.note {
                card.note = Some(n.trim_end().to_string());
            }
            for r in &patch.references {
                if !card.references.contains(r) {
                    card.references.push(r.clone());
                }
            }
            report
                .corrected
                .push((card.id.clone(), patch.errata.clone()));
        }
        for card in &self.added {
            if cards.iter().any(|c| c.id == card.id) {
                problems.push(Problem {
                    file: "added cards".into(),
                    line: 1,
                    column: 1,
                    message: format!("added card `{}` uses an id already taken", card.id),
                });
                continue;
            }
            report.added.push(card.id.clone());
            cards.push(card.clone());
        }
        problems.extend(self.attach_errata(cards, report));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Gives every card that shows an erratum's wrong passage (in its answer or a variant) the
    /// correction. A passage found nowhere, or in what a card asks or grades on, is a problem.
    fn attach_errata(&self, cards: &mut [Card], report: &mut Report) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (i, e) in self.errata.iter().enumerate() {
            let here = |message: String| {
                let pos = self.errata_index.find(&format!("[{i}].wrong"));
                Problem {
                    file: self.errata_file.clone(),
                    line: pos.line,
                    column: pos.column,
                    message,
                }
            };
            let mut found = false;
            for card in cards.iter_mut() {
                for (field, text) in unmarked_fields(card) {
                    if text.contains(e.wrong.as_str()) {
                        problems.push(here(format!(
                            "`{}` is in `{field}` of `{}`, which learners are asked or graded on; word that field correctly in overlay.yaml",
                            e.wrong, card.id
                        )));
                    }
                }
                let shown = marked_fields(card)
                    .iter()
                    .any(|(_, text)| text.contains(e.wrong.as_str()));
                if shown && !card.corrections.iter().any(|c| c.wrong == e.wrong) {
                    card.corrections.push(Correction {
                        wrong: e.wrong.clone(),
                        right: e.right.trim_end().to_string(),
                        references: e.references.clone(),
                    });
                    report.marked.push((card.id.clone(), e.source.clone()));
                }
                found |= shown;
            }
            if !found {
                problems.push(here(format!(
                    "`{}` is in no card's answer or variants; quote the passage exactly or remove the entry",
                    e.wrong
                )));
            }
        }
        problems
    }
}
