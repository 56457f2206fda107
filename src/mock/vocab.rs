//! The concept vocabulary (assets/grading/vocabulary.yaml, embedded in the binary): AWS names,
//! abbreviations and paraphrases mapped onto concept ids, antonyms, converse forms of relations,
//! and the words too generic to earn a key point alone. Text is turned into *units*: a concept
//! said in any of its forms, or a single content word.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::text::{Token, tokenize};

const SOURCE: &str = include_str!("../../assets/grading/vocabulary.yaml");

/// Function words allowed between the words of a form ("must also allow").
const MAX_GAP: usize = 2;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    concepts: Vec<ConceptEntry>,
    #[serde(default)]
    generic: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptEntry {
    id: String,
    forms: Vec<String>,
    #[serde(default)]
    antonyms: Vec<String>,
    #[serde(default)]
    converse: Vec<String>,
    /// A more general concept an answer may use for this one ("deny" for "explicit deny").
    #[serde(default)]
    broader: Option<String>,
    /// Concepts whose enumeration says this one: naming `LISTED_MIN` or more of them in one
    /// clause ("an SCP, a bucket policy, an identity policy or a boundary" for "any policy").
    #[serde(default)]
    listed: Vec<String>,
}

/// How many different members of a `listed` concept one clause must name.
const LISTED_MIN: usize = 3;

#[derive(Debug)]
struct Form {
    stems: Vec<String>,
    concept: u16,
    converse: bool,
    /// Position of a negation word inside the form ("does not matter"): the form absorbs it.
    negation: Option<usize>,
}

#[derive(Debug)]
pub struct Vocabulary {
    ids: Vec<String>,
    antonyms: Vec<Vec<u16>>,
    broader: Vec<Option<u16>>,
    /// Forms by the stem of their first word.
    forms: HashMap<String, Vec<Form>>,
    generic: HashSet<String>,
    /// Every stem used by a form, by first letter: typed words within a typo of one are read as it.
    known: HashMap<char, Vec<String>>,
    /// (concept, its members): concepts said by an enumeration of their members.
    listed: Vec<(u16, Vec<u16>)>,
}

/// A concept or a content word in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Concept ids (sorted); empty for a word the vocabulary does not know.
    pub ids: Vec<u16>,
    /// Stems of the content words the unit spans.
    pub stems: Vec<String>,
    /// Token range.
    pub first: usize,
    pub last: usize,
    pub sentence: usize,
    pub clause: usize,
    /// The unit is negated (an odd number of negation scopes covers it).
    pub negated: bool,
    /// A converse form of a relation ("loses to") or a passive ("is overridden by").
    pub converse: bool,
}

pub static VOCABULARY: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::parse(SOURCE).expect("the embedded vocabulary is valid"));

impl Vocabulary {
    /// Reads a vocabulary file. Errors name the concept and what is wrong with it.
    pub fn parse(source: &str) -> Result<Self, String> {
        let file: File = serde_yaml::from_str(source).map_err(|e| e.to_string())?;
        let ids: Vec<String> = file.concepts.iter().map(|c| c.id.clone()).collect();
        let index: HashMap<&str, u16> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u16))
            .collect();
        if index.len() != ids.len() {
            return Err("a concept id is used twice".into());
        }
        let mut antonyms = vec![Vec::new(); ids.len()];
        let mut broader = vec![None; ids.len()];
        let mut listed = Vec::new();
        let mut forms: HashMap<String, Vec<Form>> = HashMap::new();
        for (ci, c) in file.concepts.iter().enumerate() {
            if let Some(b) = &c.broader {
                broader[ci] =
                    Some(*index.get(b.as_str()).ok_or_else(|| {
                        format!("concept `{}`: unknown broader concept `{b}`", c.id)
                    })?);
            }
            if !c.listed.is_empty() {
                let members = c
                    .listed
                    .iter()
                    .map(|m| {
                        index.get(m.as_str()).copied().ok_or_else(|| {
                            format!("concept `{}`: unknown listed concept `{m}`", c.id)
                        })
                    })
                    .collect::<Result<Vec<u16>, String>>()?;
                listed.push((ci as u16, members));
            }
            for a in &c.antonyms {
                let &ai = index
                    .get(a.as_str())
                    .ok_or_else(|| format!("concept `{}`: unknown antonym `{a}`", c.id))?;
                antonyms[ci].push(ai);
                antonyms[ai as usize].push(ci as u16);
            }
            let all = c
                .forms
                .iter()
                .map(|f| (f, false))
                .chain(c.converse.iter().map(|f| (f, true)));
            for (f, converse) in all {
                let toks = tokenize(f);
                if toks.is_empty() {
                    return Err(format!("concept `{}`: empty form `{f}`", c.id));
                }
                let form = Form {
                    stems: toks.iter().map(|t| t.stem.clone()).collect(),
                    concept: ci as u16,
                    converse,
                    negation: toks.iter().position(|t| t.negation),
                };
                forms.entry(form.stems[0].clone()).or_default().push(form);
            }
        }
        for list in &mut antonyms {
            list.sort_unstable();
            list.dedup();
        }
        let generic = file
            .generic
            .iter()
            .flat_map(|g| tokenize(g))
            .map(|t| t.stem)
            .chain(file.generic.iter().cloned())
            .collect();
        let mut known: HashMap<char, Vec<String>> = HashMap::new();
        for stem in forms.values().flatten().flat_map(|f| &f.stems) {
            if let Some(c) = stem.chars().next() {
                let list = known.entry(c).or_default();
                if !list.contains(stem) {
                    list.push(stem.clone());
                }
            }
        }
        Ok(Vocabulary {
            ids,
            antonyms,
            broader,
            forms,
            generic,
            known,
            listed,
        })
    }

    pub fn id(&self, concept: u16) -> &str {
        &self.ids[concept as usize]
    }

    /// Whether an answer saying `answer` may stand for a key concept `key` through the key's
    /// broader concept.
    pub fn broader_says(&self, key: &[u16], answer: &[u16]) -> bool {
        key.iter()
            .any(|&k| self.broader[k as usize].is_some_and(|b| answer.binary_search(&b).is_ok()))
    }

    /// Whether any of `a` is an antonym of any of `b`.
    pub fn opposed(&self, a: &[u16], b: &[u16]) -> bool {
        a.iter().any(|&x| {
            self.antonyms[x as usize]
                .iter()
                .any(|y| b.binary_search(y).is_ok())
        })
    }

    /// A unit too generic to earn a key point on its own.
    pub fn is_generic(&self, unit: &Unit) -> bool {
        if unit.ids.is_empty() {
            unit.stems.iter().all(|s| self.generic.contains(s))
        } else {
            unit.ids.iter().all(|&i| self.generic.contains(self.id(i)))
        }
    }

    /// Groups `tokens` into units: the longest form starting at each word, else the word itself.
    /// Function words and negation words form no unit (a negation inside a form is absorbed).
    pub fn units(&self, tokens: &[Token]) -> Vec<Unit> {
        let fixes: Vec<(usize, String)> = tokens
            .iter()
            .enumerate()
            .filter_map(|(i, t)| self.correction(t).map(|stem| (i, stem)))
            .collect();
        let fixed: Vec<Token>;
        let tokens = if fixes.is_empty() {
            tokens
        } else {
            let mut copy = tokens.to_vec();
            for (i, stem) in fixes {
                copy[i].stem = stem;
            }
            fixed = copy;
            &fixed[..]
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some(FormMatch {
                last,
                ids,
                converse,
                negation: negation_at,
            }) = self.longest_form(tokens, i)
            {
                let negated = match negation_at {
                    Some(n) => tokens[n].negated,
                    None => tokens[i..=last].iter().any(|t| t.negated && !t.stop),
                };
                // "is overridden by", "cannot be overridden": a participle after a form of *be*.
                let agent = tokens
                    .get(last + 1..(last + 3).min(tokens.len()))
                    .is_some_and(|after| {
                        after
                            .iter()
                            .any(|t| t.raw == "by" && t.clause == tokens[last].clause)
                    });
                let participle =
                    tokens[last].raw.ends_with("ed") || tokens[last].raw.ends_with("en");
                let passive = !converse
                    && (agent || participle)
                    && i > 0
                    && tokens[i.saturating_sub(2)..i]
                        .iter()
                        .any(|t| matches!(t.raw.as_str(), "is" | "are" | "be" | "been" | "was"));
                out.push(Unit {
                    ids,
                    stems: tokens[i..=last]
                        .iter()
                        .filter(|t| !t.stop && !t.negation)
                        .map(|t| t.stem.clone())
                        .collect(),
                    first: i,
                    last,
                    sentence: tokens[i].sentence,
                    clause: tokens[last].clause,
                    negated,
                    converse: converse || passive,
                });
                i = last + 1;
                continue;
            }
            let t = &tokens[i];
            if !t.stop && !t.negation {
                out.push(Unit {
                    ids: Vec::new(),
                    stems: vec![t.stem.clone()],
                    first: i,
                    last: i,
                    sentence: t.sentence,
                    clause: t.clause,
                    negated: t.negated,
                    converse: false,
                });
            }
            i += 1;
        }
        self.mark_listed(&mut out);
        out
    }

    /// Adds a `listed` concept to the units of a clause that names enough of its members.
    fn mark_listed(&self, units: &mut [Unit]) {
        for (concept, members) in &self.listed {
            let mut start = 0;
            while start < units.len() {
                let clause = units[start].clause;
                let end = start
                    + units[start..]
                        .iter()
                        .take_while(|u| u.clause == clause)
                        .count();
                let named: Vec<usize> = (start..end)
                    .filter(|&j| units[j].ids.iter().any(|i| members.contains(i)))
                    .collect();
                let mut distinct: Vec<u16> = named
                    .iter()
                    .flat_map(|&j| units[j].ids.iter().filter(|i| members.contains(i)))
                    .copied()
                    .collect();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() >= LISTED_MIN {
                    for j in named {
                        if let Err(at) = units[j].ids.binary_search(concept) {
                            units[j].ids.insert(at, *concept);
                        }
                    }
                }
                start = end;
            }
        }
    }

    fn correctable(&self, t: &Token) -> bool {
        !t.stop && !t.negation && t.stem.len() >= 5 && !self.forms.contains_key(&t.stem)
    }

    /// The known stem a mistyped word stands for ("cloudtrial" for "cloudtrail"), remembered per
    /// word.
    fn correction(&self, t: &Token) -> Option<String> {
        if !self.correctable(t) {
            return None;
        }
        thread_local! {
            static SEEN: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
        }
        if let Some(hit) = SEEN.with(|m| m.borrow().get(&t.stem).cloned()) {
            return hit;
        }
        let found = self.find_correction(t);
        SEEN.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= 50_000 {
                m.clear();
            }
            m.insert(t.stem.clone(), found.clone());
        });
        found
    }

    fn find_correction(&self, t: &Token) -> Option<String> {
        let first = t.stem.chars().next()?;
        let list = self.known.get(&first)?;
        if list.contains(&t.stem) {
            return None;
        }
        // A word that only adds letters to a known stem is another word of the family, not a
        // typo ("applic" of "applications" is not "appli" of "applies").
        list.iter()
            .find(|k| {
                k.len() >= 5
                    && !t.stem.starts_with(k.as_str())
                    && !k.starts_with(t.stem.as_str())
                    && super::matcher::words_match(k, &t.stem)
            })
            .cloned()
    }

    /// The longest form starting at token `i` (all concepts whose forms span the same words).
    fn longest_form(&self, tokens: &[Token], i: usize) -> Option<FormMatch> {
        let candidates = self.forms.get(&tokens[i].stem)?;
        // (words in the form, the match)
        let mut best: Option<(usize, FormMatch)> = None;
        for form in candidates {
            let Some((last, negation)) = match_form(form, tokens, i) else {
                continue;
            };
            let len = form.stems.len();
            match &mut best {
                Some((bl, m)) if *bl == len && m.last == last => {
                    m.ids.push(form.concept);
                    m.converse |= form.converse;
                }
                Some((bl, _)) if *bl >= len => {}
                _ => {
                    best = Some((
                        len,
                        FormMatch {
                            last,
                            ids: vec![form.concept],
                            converse: form.converse,
                            negation,
                        },
                    ))
                }
            }
        }
        best.map(|(_, mut m)| {
            m.ids.sort_unstable();
            m.ids.dedup();
            m
        })
    }
}

/// Where a form of the vocabulary matched.
struct FormMatch {
    /// The last token of the match.
    last: usize,
    ids: Vec<u16>,
    converse: bool,
    /// The token of a negation inside the form.
    negation: Option<usize>,
}

/// Matches `form` at token `i`; up to `MAX_GAP` function words may stand between its words, all
/// in one sentence. Returns the last token and the token of the negation the form contains.
fn match_form(form: &Form, tokens: &[Token], i: usize) -> Option<(usize, Option<usize>)> {
    let sentence = tokens[i].sentence;
    let mut pos = i;
    let mut negation = None;
    for (k, stem) in form.stems.iter().enumerate() {
        if k > 0 {
            let mut next = pos + 1;
            let mut gap = 0;
            loop {
                let t = tokens.get(next)?;
                if t.sentence != sentence {
                    return None;
                }
                if t.stem == *stem {
                    break;
                }
                if !t.stop || gap >= MAX_GAP {
                    return None;
                }
                gap += 1;
                next += 1;
            }
            pos = next;
        }
        if form.negation == Some(k) {
            negation = Some(pos);
        }
    }
    Some((pos, negation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<Vec<&'static str>> {
        let v = &*VOCABULARY;
        v.units(&tokenize(text))
            .into_iter()
            .map(|u| {
                if u.ids.is_empty() {
                    vec![Box::leak(u.stems.join(" ").into_boxed_str()) as &str]
                } else {
                    u.ids.iter().map(|&i| v.id(i)).collect()
                }
            })
            .collect()
    }

    #[test]
    fn the_embedded_vocabulary_loads() {
        assert!(VOCABULARY.ids.len() > 50);
    }

    #[test]
    fn abbreviations_and_paraphrases_share_a_concept() {
        for text in ["SCPs", "service control policies", "an organization policy"] {
            assert_eq!(ids(text), [["scp"]], "{text}");
        }
        assert_eq!(ids("short-lived credentials"), ids("temporary credentials"));
        assert_eq!(ids("session credentials"), ids("temporary credentials"));
    }

    #[test]
    fn longest_form_wins_and_function_words_may_stand_between() {
        assert_eq!(ids("the key policy"), [["key-policy"]]);
        assert_eq!(ids("SCPs must also allow it")[1], ["must-allow"]);
        assert_eq!(ids("order does not matter")[1], ["irrelevant"]);
    }

    #[test]
    fn converse_and_passive_forms_are_marked() {
        let v = &*VOCABULARY;
        let units = v.units(&tokenize("allow loses to deny"));
        assert!(units[1].converse);
        let units = v.units(&tokenize("any allow is overridden by an explicit deny"));
        assert!(units.iter().any(|u| u.converse));
        let units = v.units(&tokenize("deny overrides allow"));
        assert!(units.iter().all(|u| !u.converse));
    }

    #[test]
    fn antonyms_work_both_ways() {
        let v = &*VOCABULARY;
        let both = v.units(&tokenize("both"))[0].ids.clone();
        let one = v.units(&tokenize("only one side"))[0].ids.clone();
        assert!(v.opposed(&both, &one));
        assert!(v.opposed(&one, &both));
    }

    #[test]
    fn bad_vocabularies_are_refused_with_the_concept_named() {
        let err = Vocabulary::parse("concepts:\n  - id: a\n    forms: [x]\n    antonyms: [b]\n")
            .unwrap_err();
        assert!(err.contains("concept `a`: unknown antonym `b`"), "{err}");
    }
}
