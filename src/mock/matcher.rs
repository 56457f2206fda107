//! Matching one key point against one answer text.
//!
//! The answer is split into tokens (stems, sentences, clauses, negation scope) and then into
//! units: concepts of the vocabulary, or single content words. A key point is earned in one of two
//! ways, each inside one sentence that has sentence structure (keyword salad earns nothing):
//!
//! * its **claim** (when the card gives one): the subject concepts, the relation and the object
//!   concepts, subject before the relation and object after it (the other way round for a passive
//!   or a converse form such as "loses to"), with the relation negated exactly when the claim is;
//! * one of its **phrases** (the text and its `accept` alternatives): enough of the phrase's units
//!   close together, at least one of them neither generic nor an echo of the question, with the
//!   same polarity as the phrase, and not swapped around the phrase's middle word.
//!
//! The same concepts in the opposite relation, under a negation the key point does not have, or
//! with an antonym in a concept's place, **contradict** the key point.

use super::text::{Token, tokenize};
use super::vocab::{Unit, VOCABULARY};
use crate::deck::model::KeyPoint;

/// Content words (or concepts) a phrase needs when it has more than two: this share, at most five.
const REQUIRED_PERCENT: usize = 60;
/// A sentence of at least this many words…
const SALAD_MIN_WORDS: usize = 5;
/// …with fewer function words than one in this many is a list of keywords, not a sentence.
const SALAD_FUNCTION_RATIO: usize = 5;
/// A listy sentence naming this many key points (fewer on cards with fewer) is keyword salad.
const SALAD_POINTS: usize = 3;
/// How many units before a phrase's first word an antonym standing in for a key word may be.
const ANTONYM_BACK: usize = 3;
/// How far (in units) a claim's concepts may stand from its relation.
const CLAIM_REACH: usize = 10;

/// Verbs that stand between a subject and the negation of its predicate ("X does not …").
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "be", "does", "do", "did", "has", "have", "had", "can", "could",
    "will", "would", "should", "must", "may", "might", "simply", "really", "actually", "still",
];

/// An answer text ready for matching.
#[derive(Debug)]
pub struct Doc {
    pub tokens: Vec<Token>,
    pub units: Vec<Unit>,
    /// Per sentence: the sentence has hardly any function words (a list of words, or very terse).
    pub listy: Vec<bool>,
    /// Per sentence: the sentence is keyword salad (listy and naming several key points).
    pub salad: Vec<bool>,
    salad_check: bool,
    /// Function words in the whole text.
    function: usize,
}

impl Doc {
    /// A typed answer: sentences without sentence structure count as keyword salad.
    pub fn new(text: &str) -> Self {
        Self::build(text, true)
    }

    /// A short value (a table cell) where a list of words is the expected form.
    pub fn plain(text: &str) -> Self {
        Self::build(text, false)
    }

    fn build(text: &str, salad_check: bool) -> Self {
        let tokens = tokenize(text);
        let units = VOCABULARY.units(&tokens);
        let sentences = tokens.last().map_or(0, |t| t.sentence + 1);
        let mut words = vec![0usize; sentences];
        let mut function = vec![0usize; sentences];
        for t in &tokens {
            words[t.sentence] += 1;
            if grammar_word(text, t) {
                function[t.sentence] += 1;
            }
        }
        let listy: Vec<bool> = words
            .iter()
            .zip(&function)
            .map(|(&w, &f)| salad_check && w >= SALAD_MIN_WORDS && f * SALAD_FUNCTION_RATIO < w)
            .collect();
        let function = function.iter().sum();
        Doc {
            tokens,
            units,
            salad: vec![false; listy.len()],
            listy,
            salad_check,
            function,
        }
    }

    /// Marks as keyword salad the sentences without sentence structure that name several of the
    /// card's key points: a list of the card's keywords, not an answer.
    pub fn mark_salad(&mut self, points: &[Point]) {
        let need = points.len().clamp(2, SALAD_POINTS);
        let named = |units: &[&Unit]| {
            points
                .iter()
                .filter(|p| {
                    p.phrases.iter().any(|ph| {
                        ph.keys.iter().any(|k| {
                            !k.generic && !k.echo && units.iter().any(|u| says(&k.unit, u))
                        })
                    })
                })
                .count()
        };
        // Fragments ("Deny. Allow. Admin.") are judged together: the whole answer as one list.
        if self.salad_check && self.listy_overall() {
            let all: Vec<&Unit> = self.units.iter().collect();
            if named(&all) >= need {
                self.salad.iter_mut().for_each(|s| *s = true);
                return;
            }
        }
        for s in 0..self.listy.len() {
            if !self.listy[s] {
                continue;
            }
            let units: Vec<&Unit> = self.units.iter().filter(|u| u.sentence == s).collect();
            self.salad[s] = named(&units) >= need;
        }
    }

    /// The whole text, taken as one list, has hardly any function words.
    pub fn listy_overall(&self) -> bool {
        let (words, function) = self.structure();
        words >= SALAD_MIN_WORDS && function * SALAD_FUNCTION_RATIO < words
    }

    /// Words and function words of the whole text.
    pub fn structure(&self) -> (usize, usize) {
        (self.tokens.len(), self.function)
    }

    /// Marks every sentence as keyword salad (a scenario answered as lists in every step).
    pub fn all_salad(&mut self) {
        self.salad.iter_mut().for_each(|s| *s = true);
    }

    /// Whether the text names one of `points` (a content word of a phrase, not an echo).
    pub fn names_any(&self, points: &[Point]) -> bool {
        points.iter().any(|p| {
            p.phrases.iter().any(|ph| {
                ph.keys
                    .iter()
                    .any(|k| !k.generic && !k.echo && self.units.iter().any(|u| says(&k.unit, u)))
            })
        })
    }

    /// Unit index ranges of the sentences, with whether each is keyword salad.
    fn sentences(&self) -> Vec<(std::ops::Range<usize>, bool)> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.units.len() {
            let s = self.units[start].sentence;
            let end = start
                + self.units[start..]
                    .iter()
                    .take_while(|u| u.sentence == s)
                    .count();
            out.push((start..end, self.salad[s]));
            start = end;
        }
        out
    }
}

/// A word that gives a text grammar: a function word, not a service prefix (`sts` in
/// `sts:AssumeRole`) nor a one-letter name ("account A").
fn grammar_word(text: &str, t: &Token) -> bool {
    if t.negation {
        return true;
    }
    if !t.stop || text[t.end..].starts_with(':') {
        return false;
    }
    let original = &text[t.start..t.end];
    !(original.len() == 1 && original != "I" && original.chars().all(|c| c.is_ascii_uppercase()))
}

/// A unit of a key point.
#[derive(Debug, Clone)]
struct KeyUnit {
    unit: Unit,
    /// The unit repeats the question (or is shared by most of the card's key points).
    echo: bool,
    generic: bool,
}

#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    keys: Vec<KeyUnit>,
    negated: bool,
    /// Every unit is needed (phrases of a key point that has a claim).
    strict: bool,
    /// The phrase has only function words ("who, what, when and from where").
    function_only: bool,
}

#[derive(Debug, Clone)]
struct CompiledClaim {
    subject: Vec<Vec<KeyUnit>>,
    relation: Vec<KeyUnit>,
    object: Vec<Vec<KeyUnit>>,
    negated: bool,
}

/// A key point compiled for matching.
#[derive(Debug, Clone)]
pub struct Point {
    phrases: Vec<Phrase>,
    claim: Option<CompiledClaim>,
    /// The units of the key point's own text (before echo filtering): what its relation says.
    main: Vec<KeyUnit>,
    /// The key point's own text is negated ("SCPs do not apply to …").
    main_negated: bool,
    /// The key point's own text, to tell it from its shorter alternatives.
    text: String,
}

/// The words of the question a key point may repeat without earning anything by them.
#[derive(Debug, Default, Clone)]
pub struct Echo {
    units: Vec<Unit>,
    /// The answer replies to one step's prompt, so words the prompt already names may be left out.
    pub implicit: bool,
}

impl Echo {
    pub fn new(texts: &[&str], implicit: bool) -> Self {
        let units = texts
            .iter()
            .flat_map(|t| VOCABULARY.units(&tokenize(t)))
            .collect();
        Echo { units, implicit }
    }

    /// Adds units shared by more than half of a card's (three or more) key points: they tell the
    /// key points apart no better than the question's own words.
    pub fn add_common(&mut self, key_points: &[KeyPoint]) {
        if key_points.len() < 3 {
            return;
        }
        let per_point: Vec<Vec<Unit>> = key_points
            .iter()
            .map(|kp| VOCABULARY.units(&tokenize(&kp.text)))
            .collect();
        for units in &per_point {
            for u in units {
                let n = per_point
                    .iter()
                    .filter(|other| other.iter().any(|o| same(u, o)))
                    .count();
                if n * 2 > key_points.len() && !self.units.iter().any(|e| same(e, u)) {
                    self.units.push(u.clone());
                }
            }
        }
    }

    fn contains(&self, u: &Unit) -> bool {
        self.units.iter().any(|e| same(e, u))
    }
}

fn same(a: &Unit, b: &Unit) -> bool {
    if !a.ids.is_empty() || !b.ids.is_empty() {
        a.ids.iter().any(|x| b.ids.contains(x))
    } else {
        a.stems == b.stems
    }
}

fn key_units(text: &str, echo: &Echo) -> (Vec<KeyUnit>, bool) {
    let tokens = tokenize(text);
    let mut units = VOCABULARY.units(&tokens);
    if units.is_empty() {
        // Only function words ("who, what, when and from where"): they are the content.
        units = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.negation)
            .map(|(i, t)| Unit {
                ids: Vec::new(),
                stems: vec![t.stem.clone()],
                first: i,
                last: i,
                sentence: t.sentence,
                clause: t.clause,
                negated: t.negated,
                converse: false,
            })
            .collect();
    }
    let negated = units.iter().any(|u| u.negated);
    let keys = units
        .into_iter()
        .map(|unit| KeyUnit {
            echo: echo.contains(&unit),
            generic: VOCABULARY.is_generic(&unit),
            unit,
        })
        .collect();
    (keys, negated)
}

impl Point {
    pub fn compile(kp: &KeyPoint, echo: &Echo) -> Self {
        let strict = kp.claim.is_some();
        let (main, main_negated) = key_units(&kp.text, echo);
        let phrases = std::iter::once(&kp.text)
            .chain(&kp.accept)
            .map(|p| {
                let (keys, negated) = key_units(p, echo);
                let function_only = VOCABULARY.units(&tokenize(p)).is_empty();
                Phrase {
                    text: p.clone(),
                    keys,
                    negated,
                    strict,
                    function_only,
                }
            })
            // A bare echo of the question ("role chaining" for "What is role chaining?") says
            // nothing the question did not.
            .filter(|p| !(p.keys.is_empty() || p.keys.len() == 1 && p.keys[0].echo))
            .collect();
        let claim = kp.claim.as_ref().map(|c| {
            let concepts = |list: &[String]| -> Vec<Vec<KeyUnit>> {
                list.iter()
                    .map(|s| key_units(s, &Echo::default()).0)
                    .filter(|k| !k.is_empty())
                    .collect()
            };
            let (relation, negated) = key_units(&c.relation, &Echo::default());
            CompiledClaim {
                subject: concepts(&c.subject),
                relation,
                object: concepts(&c.object),
                negated,
            }
        });
        Point {
            phrases,
            claim,
            main,
            main_negated,
            text: kp.text.clone(),
        }
    }

    /// A finding that says every word of its phrase (all but one of the key point's own text).
    fn in_full(&self, found: &Found) -> bool {
        let Some(matched) = found.matched.as_deref() else {
            return false;
        };
        // The key point's own text may leave one word out.
        let slack = usize::from(matched == self.text);
        self.phrases
            .iter()
            .find(|p| p.text == matched)
            .is_some_and(|p| found.words.len() + slack >= p.keys.len())
    }

    /// A contradiction that rests on a word saying something: a content word of the phrase with
    /// the other polarity, or an antonym of one, not a negated generic verb ("instead of using").
    fn tellingly_opposed(&self, doc: &Doc, found: &Found) -> bool {
        let Some(phrase) = found
            .matched
            .as_deref()
            .and_then(|m| self.phrases.iter().find(|p| p.text == m))
        else {
            return false;
        };
        doc.units.iter().any(|u| {
            found.words.contains(&(u.first, u.last))
                && !VOCABULARY.is_generic(u)
                && phrase.keys.iter().any(|k| {
                    (says(&k.unit, u) && k.unit.negated != u.negated) || opposed(&k.unit, u)
                })
        })
    }

    /// The words that earned the point are the subject of a negated predicate: "the one-hour
    /// limit does not apply to them", "trails can't write to S3". NegEx scope runs forward, so
    /// the subject before the negation is not under it; its predicate is, and it denies the
    /// subject's fact. A key point that is itself negated is judged by its own polarity.
    fn denied_after(&self, doc: &Doc, found: &Found) -> Option<Found> {
        let matched = found.matched.as_deref()?;
        if self.main_negated || matched == "claim" {
            return None;
        }
        let phrase = self.phrases.iter().find(|p| p.text == matched)?;
        if phrase.negated {
            return None;
        }
        let last = found.words.iter().map(|w| w.1).max()?;
        let first = found.words.iter().map(|w| w.0).min()?;
        let clause = doc.tokens[last].clause;
        // The subject opens its clause: only function words before it.
        let opens = doc.tokens[..first]
            .iter()
            .rev()
            .take_while(|t| t.clause == clause)
            .all(|t| t.stop && !t.negation);
        if !opens {
            return None;
        }
        let next = doc.tokens[last + 1..]
            .iter()
            .take_while(|t| t.clause == clause)
            .find(|t| !AUXILIARIES.contains(&t.raw.as_str()))?;
        if !next.negation {
            return None;
        }
        let at = doc.tokens.iter().position(|t| std::ptr::eq(t, next))?;
        // "… is not exempt": the negated predicate is an antonym of the key point's own words,
        // and the two negatives agree with it.
        let agrees = doc
            .units
            .iter()
            .filter(|u| u.first > at && doc.tokens[u.first].clause == clause)
            .take(2)
            .any(|u| self.main.iter().any(|k| opposed(&k.unit, u)));
        if agrees {
            return None;
        }
        let mut words = found.words.clone();
        words.push((at, at));
        Some(Found {
            covered: false,
            contradicted: true,
            words,
            matched: found.matched.clone(),
        })
    }

    /// A short alternative (a bare name: "sts:ExternalId", "permission sets") earned in a
    /// clause that says the key point's relation the other way: one of the key point's own
    /// concepts negated where the key point is not ("permission sets … never create roles"). The
    /// name is then no credit but part of a contradiction.
    fn undone_by_sentence(&self, doc: &Doc, found: &Found) -> Option<Found> {
        let matched = found.matched.as_deref()?;
        if matched == self.text || self.main_negated {
            return None;
        }
        let phrase = self.phrases.iter().find(|p| p.text == matched)?;
        let own: Vec<&KeyUnit> = self
            .main
            .iter()
            .filter(|k| !k.echo && !k.generic && !k.unit.negated)
            .collect();
        if phrase.keys.len() >= self.main.len() {
            return None;
        }
        let (first, last) = (found.words.first()?.0, found.words.last()?.1);
        let sentence = doc.tokens.get(first)?.sentence;
        if doc.salad.get(sentence).copied().unwrap_or(false) {
            return None;
        }
        let clauses: Vec<usize> = found
            .words
            .iter()
            .map(|&(a, _)| doc.tokens[a].clause)
            .collect();
        let inside = |u: &Unit| u.first >= first && u.last <= last;
        let hit = doc.units.iter().position(|u| {
            clauses.contains(&u.clause)
                && u.negated
                && !inside(u)
                && !phrase.keys.iter().any(|p| says(&p.unit, u))
                && own.iter().any(|k| says(&k.unit, u))
        })?;
        let mut words = found.words.clone();
        words.push((doc.units[hit].first, doc.units[hit].last));
        words.sort_unstable();
        Some(Found {
            covered: false,
            contradicted: true,
            words,
            matched: found.matched.clone(),
        })
    }
}

/// What one key point found in one answer text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub covered: bool,
    pub contradicted: bool,
    /// Token ranges of the words that earned (or contradicted) the point.
    pub words: Vec<(usize, usize)>,
    /// The phrase matched, or "claim".
    pub matched: Option<String>,
}

/// Whether answer unit `a` says key unit `k`.
fn says(k: &Unit, a: &Unit) -> bool {
    match (k.ids.is_empty(), a.ids.is_empty()) {
        (false, false) => {
            k.ids.iter().any(|x| a.ids.binary_search(x).is_ok())
                // "deny" for "explicit deny": the broader concept the vocabulary allows.
                || VOCABULARY.broader_says(&k.ids, &a.ids)
        }
        (false, true) => k.first == k.last && first_match(&k.stems, &a.stems),
        (true, false) => k
            .stems
            .first()
            .is_some_and(|k0| a.stems.iter().any(|s| words_match(k0, s))),
        (true, true) => first_match(&k.stems, &a.stems),
    }
}

fn first_match(a: &[String], b: &[String]) -> bool {
    matches!((a.first(), b.first()), (Some(x), Some(y)) if words_match(x, y))
}

/// Same stem, or one a typo of the other: same first letter, at least five letters, within one
/// edit (two from eight letters on).
pub fn words_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let (short, long) = (la.min(lb), la.max(lb));
    if short < 5 || a.chars().next() != b.chars().next() {
        return false;
    }
    let bound = if long >= 8 { 2 } else { 1 };
    long - short <= bound
        && letters_apart(a, b) <= 2 * bound
        && super::text::edit_distance(a, b) <= bound
}

/// How many letters one word has that the other lacks, counted both ways: each edit (insertion,
/// deletion or substitution) changes this by at most two and a transposition not at all, so it is
/// at most twice the edit distance. A cheap test that rules out most pairs of different words.
fn letters_apart(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 64];
    let slot = |c: char| match c {
        'a'..='z' => c as usize - 'a' as usize,
        '0'..='9' => 26 + (c as usize - '0' as usize),
        _ => 36 + (c as usize % 28),
    };
    for c in a.chars() {
        counts[slot(c)] += 1;
    }
    for c in b.chars() {
        counts[slot(c)] -= 1;
    }
    counts.iter().map(|n| n.unsigned_abs() as usize).sum()
}

/// A short value of one concept ("Exempt", "Restricts only", "Temporary") judged by its
/// antonym in `doc`: the antonym negated agrees ("neither restricts them" for "Exempt"), the
/// antonym said contradicts ("both can grant permissions" for "Restricts only").
pub fn by_antonym(value: &str, doc: &Doc) -> Found {
    let units = VOCABULARY.units(&tokenize(value));
    let concepts: Vec<&Unit> = units.iter().filter(|u| !u.ids.is_empty()).collect();
    let single = concepts.len() == 1
        && units
            .iter()
            .all(|u| !u.ids.is_empty() || VOCABULARY.is_generic(u) || u.stems.is_empty());
    if !single || doc.salad.iter().any(|s| *s) {
        return Found::default();
    }
    let key = concepts[0];
    let Some(j) = doc.units.iter().position(|a| opposed(key, a)) else {
        return Found::default();
    };
    let agrees = doc.units[j].negated != key.negated;
    Found {
        covered: agrees,
        contradicted: !agrees,
        words: vec![(doc.units[j].first, doc.units[j].last)],
        matched: agrees.then(|| value.to_string()),
    }
}

fn opposed(k: &Unit, a: &Unit) -> bool {
    !k.ids.is_empty() && !a.ids.is_empty() && VOCABULARY.opposed(&k.ids, &a.ids)
}

fn required(n: usize) -> usize {
    if n <= 2 {
        n
    } else {
        (n * REQUIRED_PERCENT).div_ceil(100).min(5)
    }
}

impl Point {
    /// Matches the key point against `doc`.
    pub fn find(&self, doc: &Doc, echo: &Echo) -> Found {
        let sentences = doc.sentences();
        let mut claim_found = Found::default();
        if let Some(claim) = &self.claim {
            claim_found = find_claim(claim, doc, &sentences);
            if claim_found.covered {
                return claim_found;
            }
        }
        let mut best: Option<Found> = None;
        // The most words any covering phrase needed.
        let mut best_words = 0;
        // Some covering phrase was said in full.
        let mut full = false;
        let mut contradicted: Option<(Found, usize, usize)> = None;
        // A bare name undone by its own sentence (see `undone_by_sentence`, `denied_after`).
        let mut undone: Option<Found> = None;
        for phrase in &self.phrases {
            let f = find_phrase(phrase, doc, &sentences, echo);
            let words = phrase.keys.iter().filter(|k| !k.echo).count();
            if f.covered {
                if let Some(u) = self
                    .undone_by_sentence(doc, &f)
                    .or_else(|| self.denied_after(doc, &f))
                {
                    undone.get_or_insert(u);
                    continue;
                }
                full |= self.in_full(&f);
                let earlier = |b: &Found| f.words.first() < b.words.first();
                if best.as_ref().is_none_or(earlier) {
                    best = Some(f);
                }
                best_words = best_words.max(words);
            } else if f.contradicted && contradicted.is_none() && self.claim.is_none() {
                // With a claim, the claim alone judges the relation: a phrase's words around a
                // pronoun or a second negation ("no allow can beat it") may read either way.
                contradicted = Some((f, words, phrase.keys.len()));
            }
        }
        if claim_found.contradicted {
            return claim_found;
        }
        // A covering phrase that rests on words of an undone one is undone with it.
        if let Some(u) = undone
            && best
                .as_ref()
                .is_none_or(|b| b.words.iter().all(|w| u.words.contains(w)))
        {
            return u;
        }
        match (best, contradicted) {
            // A bare name ("rotation") does not outweigh a statement that says the opposite
            // of the key point ("rotation isn't supported").
            (Some(_), Some((c, words, _))) if best_words == 1 && words >= 2 => c,
            // The same sentence read both ways: a phrase of the key point said in full the other
            // way ("the key policy is optional" against "key policy is required") outweighs a
            // looser reading of its words, unless some phrase was said in full.
            (Some(b), Some((c, words, keys)))
                if words >= 2
                    && !full
                    && c.words.len() >= keys
                    && same_sentence(doc, &b, &c)
                    && self.tellingly_opposed(doc, &c) =>
            {
                c
            }
            // A longer reading of the same words, said in full the other way: "even administrator
            // permissions can override it" is not earned by its "even administrator" part.
            (Some(b), Some((c, _, keys)))
                if c.words.len() > b.words.len()
                    && c.words.len() >= keys
                    && b.words.iter().all(|w| c.words.contains(w))
                    && self.tellingly_opposed(doc, &c) =>
            {
                c
            }
            (Some(b), _) => b,
            (None, Some((c, ..))) => c,
            (None, None) => Found::default(),
        }
    }
}

/// Whether two findings rest on words of one sentence.
fn same_sentence(doc: &Doc, a: &Found, b: &Found) -> bool {
    let sentences = |f: &Found| -> Vec<usize> {
        f.words
            .iter()
            .map(|&(s, _)| doc.tokens[s].sentence)
            .collect()
    };
    let (sa, sb) = (sentences(a), sentences(b));
    sa.iter().any(|s| sb.contains(s))
}

fn words_of(doc: &Doc, units: &[usize]) -> Vec<(usize, usize)> {
    let mut idx: Vec<usize> = units.to_vec();
    idx.sort_unstable();
    idx.dedup();
    idx.into_iter()
        .map(|u| (doc.units[u].first, doc.units[u].last))
        .collect()
}

fn find_phrase(
    phrase: &Phrase,
    doc: &Doc,
    sentences: &[(std::ops::Range<usize>, bool)],
    echo: &Echo,
) -> Found {
    let keys = &phrase.keys;
    let n = keys.len();
    let fresh: Vec<usize> = (0..n).filter(|&i| !keys[i].echo).collect();
    // A phrase of only generic or echo words ("Action", "resource ARN") must be said as written.
    let plain = keys.iter().all(|k| k.echo || k.generic);
    let need_fresh = if phrase.strict {
        fresh.len()
    } else {
        required(fresh.len())
    };
    let need_total = if echo.implicit || fresh.is_empty() {
        if fresh.is_empty() { n } else { 0 }
    } else if phrase.strict {
        n
    } else {
        n.min(2)
    };
    if plain || phrase.function_only {
        return find_sequence(phrase, doc, sentences);
    }
    let max_span = (2 * n + 4).max(8);
    let mut result = Found::default();
    let mut best_count = 0;
    for (range, salad) in sentences {
        // A list of keywords names things; it asserts nothing about them.
        if *salad {
            continue;
        }
        let units = &doc.units[range.clone()];
        // Occurrences of each key unit in the sentence (indices into `units`).
        let occ: Vec<Vec<usize>> = keys
            .iter()
            .map(|k| {
                (0..units.len())
                    .filter(|&j| says(&k.unit, &units[j]))
                    .collect()
            })
            .collect();
        for start in 0..units.len() {
            if !occ.iter().any(|o| o.contains(&start)) {
                continue;
            }
            let limit = units[start].first + max_span;
            // Each key unit at its first occurrence in the window.
            let chosen: Vec<Option<usize>> = occ
                .iter()
                .map(|o| {
                    o.iter()
                        .copied()
                        .find(|&j| j >= start && units[j].last < limit)
                })
                .collect();
            let matched: Vec<usize> = (0..n).filter(|&i| chosen[i].is_some()).collect();
            let fresh_hits = matched.iter().filter(|&&i| !keys[i].echo).count();
            let anchor = matched.iter().any(|&i| !keys[i].echo && !keys[i].generic);
            // Antonyms standing in for missing key units.
            let used: Vec<usize> = chosen.iter().flatten().copied().collect();
            // A negated antonym ("no long-term keys" for "temporary credentials") agrees.
            let antonym = (0..n)
                .filter(|i| chosen[*i].is_none() && !keys[*i].generic)
                .find_map(|i| {
                    // Also just before the window, in its first clause ("the allow wins").
                    (start.saturating_sub(ANTONYM_BACK)..units.len())
                        .take_while(|&j| units[j].last < limit)
                        .find(|&j| {
                            (j >= start || units[j].clause == units[start].clause)
                                && !used.contains(&j)
                                && opposed(&keys[i].unit, &units[j])
                                && units[j].negated == keys[i].unit.negated
                        })
                });
            let enough = |hits: usize, total: usize| {
                hits >= need_fresh && total >= need_total && hits + total > 0
            };
            // An antonym in a key concept's place, next to another of the phrase's words,
            // contradicts it even when the rest is not said.
            // It must stand in the only gap: the rest of the phrase is said.
            // and next to a word of the phrase that says something (in its clause).
            let beside = antonym.is_some_and(|a| {
                matched.iter().any(|&i| {
                    !keys[i].generic
                        && chosen[i].is_some_and(|j| units[j].clause == units[a].clause)
                })
            });
            let antonym_clash =
                beside && fresh_hits + 1 >= need_fresh.max(1) && matched.len() + 1 >= need_total;
            // Two of the phrase's own concepts under a negation the key point does not have
            // deny it, even when the rest is not said ("events carry no time or IP address").
            let denied = matched
                .iter()
                .filter(|&&i| {
                    !keys[i].echo
                        && !keys[i].generic
                        && !keys[i].unit.negated
                        && chosen[i].is_some_and(|j| units[j].negated)
                })
                .count();
            let denial = !phrase.negated && denied >= 2;
            if !antonym_clash && !denial && (!enough(fresh_hits, matched.len()) || !anchor) {
                continue;
            }
            let abs: Vec<usize> = used.iter().map(|&j| range.start + j).collect();
            let answer_negated = used.iter().any(|&j| units[j].negated);
            // The key point's negation counts where the answer says the negated words: "no IAM
            // users" at the end of a key point is not denied by an answer that leaves it out.
            let key_negated = phrase.negated
                && matched
                    .iter()
                    .any(|&i| keys[i].unit.negated || keys[i].unit.ids.is_empty());
            let reversed = reversed(&chosen, units);
            // A lone name said plainly asserts nothing against "not X" (see `find_sequence`).
            if key_negated && !answer_negated && n == 1 && antonym.is_none() {
                continue;
            }
            // "even administrator permissions cannot override it" against "a deny beats every
            // allow, even for admins": the key point's negated verb follows its subject, the
            // answer's verb comes before those words, so it has another subject and says
            // nothing either way about the key point.
            let moved = (0..n).any(|i| {
                keys[i].unit.negated
                    && chosen[i].is_some_and(|p| {
                        let others: Vec<(usize, usize)> = (0..n)
                            .filter(|&o| o != i && !keys[o].generic)
                            .filter_map(|o| chosen[o].map(|q| (o, q)))
                            .collect();
                        !others.is_empty() && others.iter().all(|&(o, q)| o < i && q > p)
                    })
            });
            // A phrase of two words said the other way round across a clause break ("IAM policy
            // not required" against "optional; IAM policies alone …"): the words belong to
            // different statements.
            let apart = n == 2
                && matches!((chosen[0], chosen[1]), (Some(a), Some(b))
                    if b < a && units[a].clause != units[b].clause);
            if apart {
                continue;
            }
            let polarity = answer_negated != key_negated;
            if polarity && moved && !reversed && antonym.is_none() {
                continue;
            }
            let bad = polarity || reversed || antonym.is_some();
            if !bad && enough(fresh_hits, matched.len()) {
                if matched.len() > best_count || !result.covered {
                    best_count = matched.len();
                    result = Found {
                        covered: true,
                        contradicted: false,
                        words: words_of(doc, &abs),
                        matched: Some(phrase.text.clone()),
                    };
                }
            } else if bad && !result.covered && !result.contradicted {
                let mut all = abs.clone();
                all.extend(antonym.map(|j| range.start + j));
                result = Found {
                    covered: false,
                    contradicted: true,
                    words: words_of(doc, &all),
                    matched: Some(phrase.text.clone()),
                };
            }
        }
    }
    result
}

/// A phrase of only generic or echo words, said as written: its units in order, each within two
/// units of the one before, with the phrase's polarity.
fn find_sequence(
    phrase: &Phrase,
    doc: &Doc,
    sentences: &[(std::ops::Range<usize>, bool)],
) -> Found {
    let keys = &phrase.keys;
    if phrase.function_only {
        return find_words(phrase, doc);
    }
    for (range, salad) in sentences {
        if *salad {
            continue;
        }
        let units = &doc.units[range.clone()];
        for start in 0..units.len() {
            if !says(&keys[0].unit, &units[start]) {
                continue;
            }
            let mut placed = vec![start];
            for k in &keys[1..] {
                let prev = *placed.last().unwrap_or(&start);
                match (prev + 1..units.len().min(prev + 3)).find(|&j| says(&k.unit, &units[j])) {
                    Some(j) => placed.push(j),
                    None => break,
                }
            }
            if placed.len() < keys.len() {
                continue;
            }
            let negated = placed.iter().any(|&j| units[j].negated);
            // A lone name said without the negation ("the management account" for "not the
            // management account") asserts nothing: there is no predicate to deny.
            if phrase.negated && !negated && keys.len() == 1 {
                continue;
            }
            let abs: Vec<usize> = placed.iter().map(|j| range.start + j).collect();
            return Found {
                covered: negated == phrase.negated,
                contradicted: negated != phrase.negated,
                words: words_of(doc, &abs),
                matched: Some(phrase.text.clone()),
            };
        }
    }
    Found::default()
}

/// A phrase of function words only, found word by word in the answer's tokens.
fn find_words(phrase: &Phrase, doc: &Doc) -> Found {
    if doc.salad.iter().any(|s| *s) {
        return Found::default();
    }
    let stems: Vec<&String> = phrase
        .keys
        .iter()
        .filter_map(|k| k.unit.stems.first())
        .collect();
    let Some(first) = stems.first() else {
        return Found::default();
    };
    let toks = &doc.tokens;
    for start in 0..toks.len() {
        if toks[start].stem != **first {
            continue;
        }
        let mut placed = vec![start];
        for stem in &stems[1..] {
            let prev = *placed.last().unwrap_or(&start);
            let next = (prev + 1..toks.len().min(prev + 4))
                .find(|&j| toks[j].sentence == toks[start].sentence && toks[j].stem == **stem);
            match next {
                Some(j) => placed.push(j),
                None => break,
            }
        }
        if placed.len() == stems.len() {
            return Found {
                covered: true,
                contradicted: false,
                words: placed.iter().map(|&j| (j, j)).collect(),
                matched: Some(phrase.text.clone()),
            };
        }
    }
    Found::default()
}

/// Whether the answer swaps what stands on either side of a key unit: "an allow overrides an
/// explicit deny" for "an explicit deny overrides any allow". A passive keeps the meaning.
fn reversed(chosen: &[Option<usize>], units: &[Unit]) -> bool {
    let placed: Vec<(usize, usize)> = chosen
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.map(|j| (k, j)))
        .collect();
    placed.iter().any(|&(k, pos)| {
        let before: Vec<usize> = placed.iter().filter(|p| p.0 < k).map(|p| p.1).collect();
        let after: Vec<usize> = placed.iter().filter(|p| p.0 > k).map(|p| p.1).collect();
        !before.is_empty()
            && !after.is_empty()
            && before.iter().all(|&b| b > pos)
            && after.iter().all(|&a| a < pos)
            && !units[pos].converse
    })
}

/// Which of `entries` (each a concept, as one or more key units) `side` says; a concept of several
/// units needs half of them.
fn entries_in(entries: &[Vec<KeyUnit>], units: &[Unit], side: &[usize]) -> Vec<Option<Vec<usize>>> {
    entries
        .iter()
        .map(|entry| {
            let hits: Vec<usize> = entry
                .iter()
                .filter_map(|k| side.iter().copied().find(|&j| says(&k.unit, &units[j])))
                .collect();
            (hits.len() * 2 >= entry.len() && !hits.is_empty()).then_some(hits)
        })
        .collect()
}

fn entries_opposed(entries: &[Vec<KeyUnit>], units: &[Unit], side: &[usize]) -> Option<usize> {
    entries.iter().find_map(|entry| {
        entry
            .iter()
            .find_map(|k| side.iter().copied().find(|&j| opposed(&k.unit, &units[j])))
    })
}

fn find_claim(
    claim: &CompiledClaim,
    doc: &Doc,
    sentences: &[(std::ops::Range<usize>, bool)],
) -> Found {
    let Some(head) = claim.relation.first() else {
        return Found::default();
    };
    let mut result = Found::default();
    for (range, salad) in sentences {
        if *salad {
            continue;
        }
        let units = &doc.units[range.clone()];
        for r in 0..units.len() {
            let direct = says(&head.unit, &units[r]);
            let anti = !direct && opposed(&head.unit, &units[r]);
            if !direct && !anti {
                continue;
            }
            // The rest of a relation of several units follows closely.
            let mut rel = vec![r];
            if direct {
                let rest = claim.relation[1..]
                    .iter()
                    .map(|k| (r + 1..units.len().min(r + 4)).find(|&j| says(&k.unit, &units[j])));
                let rest: Option<Vec<usize>> = rest.collect();
                let Some(rest) = rest else { continue };
                rel.extend(rest);
            }
            let rel_end = *rel.iter().max().unwrap_or(&r);
            let left: Vec<usize> = (r.saturating_sub(CLAIM_REACH)..r).collect();
            let right: Vec<usize> = (rel_end + 1..units.len().min(rel_end + 1 + CLAIM_REACH))
                .filter(|j| !rel.contains(j))
                .collect();
            let converse = units[r].converse;
            let (subj_side, obj_side) = if converse {
                (&right, &left)
            } else {
                (&left, &right)
            };
            let subj = entries_in(&claim.subject, units, subj_side);
            let subj_ok = subj.iter().all(Option::is_some);
            let subj_swapped = entries_in(&claim.subject, units, obj_side)
                .iter()
                .all(Option::is_some);
            let obj = entries_in(&claim.object, units, obj_side);
            let obj_ok = obj.iter().all(Option::is_some);
            let obj_swapped = !claim.object.is_empty()
                && entries_in(&claim.object, units, subj_side)
                    .iter()
                    .all(Option::is_some);
            let obj_elsewhere = !claim.object.is_empty() && !obj_ok;
            let negated = rel.iter().any(|&j| units[j].negated) != anti;
            let polarity_ok = negated == claim.negated;
            let subj_anti = if subj_ok {
                None
            } else {
                entries_opposed(&claim.subject, units, subj_side)
            };
            let mut hits: Vec<usize> = rel.clone();
            hits.extend(subj.iter().flatten().flatten());
            hits.extend(obj.iter().flatten().flatten());
            let abs = |v: &[usize]| -> Vec<usize> { v.iter().map(|j| range.start + j).collect() };
            // "No allow can override an explicit deny": the sides swapped and the relation
            // negated say the claim.
            let obj_absent = claim.object.is_empty()
                || entries_in(&claim.object, units, &(0..units.len()).collect::<Vec<_>>())
                    .iter()
                    .all(Option::is_none);
            let double = subj_swapped && (obj_swapped || obj_absent) && !subj_ok && !polarity_ok;
            // "No allow gets past it": the object in the subject's place, the relation negated,
            // and the subject a pronoun for what an earlier sentence named.
            let everywhere: Vec<usize> = (0..units.len()).collect();
            let subj_here = entries_in(&claim.subject, units, &everywhere)
                .iter()
                .any(Option::is_some);
            let before: Vec<usize> = (0..range.start).collect();
            let subj_before = range.start > 0
                && entries_in(&claim.subject, &doc.units, &before)
                    .iter()
                    .all(Option::is_some);
            let pronoun = obj_swapped && !polarity_ok && !subj_here && subj_before;
            let double = double || pronoun;
            if (subj_ok && polarity_ok && !(obj_elsewhere && obj_swapped)) || double {
                return Found {
                    covered: true,
                    contradicted: false,
                    words: words_of(doc, &abs(&hits)),
                    matched: Some("claim".into()),
                };
            }
            // A contradiction needs the subject in the relation's own clause.
            let clause = units[r].clause;
            let near = |hits: &[Option<Vec<usize>>]| {
                hits.iter()
                    .flatten()
                    .flatten()
                    .any(|&j| units[j].clause == clause)
            };
            let subj_near = near(&subj) || near(&entries_in(&claim.subject, units, obj_side));
            let reversed = subj_swapped && obj_swapped && !subj_ok && polarity_ok;
            let wrong_polarity = (subj_ok || subj_swapped) && !polarity_ok;
            let wrong_concept = subj_anti.is_some() && (obj_ok || claim.object.is_empty());
            let wrong_concept =
                wrong_concept && subj_anti.is_some_and(|j| units[j].clause == clause);
            let wrong_polarity = wrong_polarity && subj_near;
            if (reversed || wrong_polarity || wrong_concept) && !result.contradicted {
                hits.extend(subj_anti);
                result = Found {
                    covered: false,
                    contradicted: true,
                    words: words_of(doc, &abs(&hits)),
                    matched: Some("claim".into()),
                };
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::Claim;

    fn claim(subject: &[&str], relation: &str, object: &[&str]) -> Claim {
        Claim {
            subject: subject.iter().map(|s| s.to_string()).collect(),
            relation: relation.into(),
            object: object.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn verdict(kp: &KeyPoint, answer: &str) -> (bool, bool) {
        let echo = Echo::default();
        let f = Point::compile(kp, &echo).find(&Doc::new(answer), &echo);
        (f.covered, f.contradicted)
    }

    const COVERED: (bool, bool) = (true, false);
    const MISSED: (bool, bool) = (false, false);
    const CONTRADICTED: (bool, bool) = (false, true);

    #[test]
    fn claims_need_their_relation_in_the_stated_direction() {
        let kp = KeyPoint {
            claim: Some(claim(&["explicit deny"], "overrides", &["allow"])),
            ..KeyPoint::new("an explicit deny overrides any allow")
        };
        assert_eq!(
            verdict(&kp, "An explicit deny always beats any allow."),
            COVERED
        );
        assert_eq!(
            verdict(&kp, "Any allow is overridden by an explicit deny."),
            COVERED
        );
        assert_eq!(verdict(&kp, "An allow loses to an explicit deny."), COVERED);
        assert_eq!(
            verdict(&kp, "No allow can override an explicit deny."),
            COVERED
        );
        assert_eq!(verdict(&kp, "A deny wins, whatever allows it."), COVERED);
        assert_eq!(
            verdict(&kp, "An allow overrides an explicit deny."),
            CONTRADICTED
        );
        assert_eq!(
            verdict(&kp, "An explicit deny does not override an allow."),
            CONTRADICTED
        );
        assert_eq!(verdict(&kp, "The most important IAM rule."), MISSED);
    }

    #[test]
    fn antonyms_in_a_concept_s_place_contradict() {
        let kp = KeyPoint {
            claim: Some(claim(&["both accounts"], "must allow", &[])),
            ..KeyPoint::new("cross-account requests need both sides to allow")
        };
        assert_eq!(
            verdict(&kp, "Across accounts, both sides must allow the request."),
            COVERED
        );
        assert_eq!(
            verdict(
                &kp,
                "Cross-account, the identity policy and the bucket policy each need to allow it."
            ),
            COVERED
        );
        assert_eq!(
            verdict(
                &kp,
                "For cross-account access only one side needs to allow."
            ),
            CONTRADICTED
        );
    }

    #[test]
    fn negated_relations_and_double_negation() {
        let kp = KeyPoint {
            claim: Some(claim(&["SCP", "RCP"], "must allow", &["action"])),
            ..KeyPoint::new("SCPs and RCPs must allow the action")
        };
        assert_eq!(verdict(&kp, "SCPs and RCPs must also allow it."), COVERED);
        assert_eq!(
            verdict(&kp, "SCPs and RCPs do not need to allow anything."),
            CONTRADICTED
        );
        let kp = KeyPoint {
            claim: Some(claim(&["order"], "does not matter", &[])),
            ..KeyPoint::new("statement and policy order do not matter")
        };
        assert_eq!(
            verdict(&kp, "The order of statements doesn't matter."),
            COVERED
        );
        assert_eq!(verdict(&kp, "Order is irrelevant."), COVERED);
        assert_eq!(
            verdict(&kp, "The order of statements matters."),
            CONTRADICTED
        );
    }

    #[test]
    fn negated_facts_earn_negated_points() {
        let kp = KeyPoint::new("GuardDuty does not block traffic");
        assert_eq!(
            verdict(&kp, "GuardDuty doesn't block the traffic, it alerts"),
            COVERED
        );
        assert_eq!(
            verdict(&kp, "GuardDuty blocks malicious traffic"),
            CONTRADICTED
        );
        let kp = KeyPoint::new("roles rotate credentials");
        assert_eq!(
            verdict(&kp, "Roles do not rotate credentials."),
            CONTRADICTED
        );
        assert_eq!(
            verdict(
                &kp,
                "Roles don't have passwords, they rotate credentials automatically"
            ),
            COVERED
        );
        let kp = KeyPoint::new("data events are not logged by default");
        assert_eq!(
            verdict(&kp, "Data events are logged only if you enable them."),
            COVERED
        );
    }

    #[test]
    fn two_of_a_point_s_concepts_negated_deny_it() {
        let kp = KeyPoint::new("read the source IP and the user agent of the event");
        assert_eq!(
            verdict(&kp, "The event carries no source IP or user agent."),
            CONTRADICTED
        );
        assert_eq!(
            verdict(&kp, "The event gives the source IP and the user agent."),
            COVERED
        );
    }

    #[test]
    fn an_antonym_just_before_the_phrase_contradicts_it() {
        let kp = KeyPoint::new("a deny in any policy wins");
        assert_eq!(
            verdict(&kp, "Allowed: the identity policy's allow wins."),
            CONTRADICTED
        );
        assert_eq!(verdict(&kp, "A deny in any policy always wins."), COVERED);
    }

    #[test]
    fn keyword_salad_earns_nothing() {
        let kps = [
            KeyPoint::new("an explicit deny overrides any allow"),
            KeyPoint::new("SCPs and RCPs must allow the action"),
            KeyPoint::new("even administrator permissions cannot override it"),
            KeyPoint::new("CloudTrail"),
        ];
        let echo = Echo::default();
        let points: Vec<Point> = kps.iter().map(|k| Point::compile(k, &echo)).collect();
        let covered = |answer: &str| -> Vec<bool> {
            let mut doc = Doc::new(answer);
            doc.mark_salad(&points);
            points.iter().map(|p| p.find(&doc, &echo).covered).collect()
        };
        // A list of keywords asserts nothing, not even the bare name.
        assert_eq!(
            covered("explicit deny override allow SCP RCP admin order CloudTrail"),
            [false; 4]
        );
        assert_eq!(
            covered("Explicit deny. Allow. SCP. RCP. Admin."),
            [false; 4]
        );
        assert_eq!(
            covered("deny, allow, explicit, override, SCP, RCP, administrator"),
            [false; 4]
        );
        assert_eq!(
            covered("An explicit deny overrides any allow. SCPs and RCPs must allow the action."),
            [true, true, false, false]
        );
        // Terse is not salad: few words, or one key point.
        assert_eq!(
            covered("Explicit deny beats allow"),
            [true, false, false, false]
        );
    }

    #[test]
    fn a_bare_name_in_a_clause_that_negates_the_point_is_no_credit() {
        let kp = KeyPoint {
            accept: vec!["permission sets".into()],
            ..KeyPoint::new("permission sets become IAM roles in the accounts")
        };
        assert_eq!(
            verdict(
                &kp,
                "Permission sets are attached to IAM users and never create roles."
            ),
            CONTRADICTED
        );
        assert_eq!(
            verdict(
                &kp,
                "Permission sets are what you assign; each turns into a role."
            ),
            COVERED
        );
        assert_eq!(verdict(&kp, "You assign permission sets."), COVERED);
    }

    #[test]
    fn a_subject_whose_predicate_is_negated_is_denied() {
        let kp = KeyPoint {
            accept: vec!["one hour limit".into()],
            ..KeyPoint::new("capped at one hour")
        };
        assert_eq!(
            verdict(
                &kp,
                "The one-hour limit does not apply to chained sessions."
            ),
            CONTRADICTED
        );
        assert_eq!(verdict(&kp, "The one-hour limit applies to them."), COVERED);
        let kp = KeyPoint {
            accept: vec!["member account root user".into()],
            ..KeyPoint::new("they do apply to member-account root users")
        };
        assert_eq!(
            verdict(&kp, "The member account root user is not exempt."),
            COVERED
        );
    }

    #[test]
    fn the_object_before_a_negated_relation_with_a_pronoun_for_the_subject() {
        let kp = KeyPoint {
            claim: Some(claim(&["explicit deny"], "overrides", &["allow"])),
            ..KeyPoint::new("an explicit deny overrides any allow")
        };
        assert_eq!(
            verdict(
                &kp,
                "A policy says Deny. No allow, however broad, gets past it."
            ),
            COVERED
        );
        assert_eq!(
            verdict(&kp, "No allow, however broad, gets past it."),
            MISSED
        );
    }

    #[test]
    fn a_negated_verb_with_another_subject_says_nothing_of_the_point() {
        let kp = KeyPoint {
            accept: vec!["even AdministratorAccess".into()],
            ..KeyPoint::new("even administrator permissions cannot override it")
        };
        assert_eq!(
            verdict(&kp, "An explicit deny beats every allow, even for admins."),
            COVERED
        );
        assert_eq!(
            verdict(&kp, "Even administrator permissions can override it."),
            CONTRADICTED
        );
    }

    #[test]
    fn a_phrase_said_in_full_the_other_way_outweighs_a_looser_reading() {
        let kp = KeyPoint {
            accept: vec!["key policy is required".into()],
            ..KeyPoint::new("every key has a key policy and it is the primary control")
        };
        assert_eq!(
            verdict(
                &kp,
                "Every key has a key policy, and it is the primary control."
            ),
            COVERED
        );
        assert_eq!(
            verdict(
                &kp,
                "A key policy is optional for a key; IAM is the control."
            ),
            CONTRADICTED
        );
    }

    #[test]
    fn an_enumeration_of_policy_types_says_any_policy() {
        let kp = KeyPoint {
            accept: vec!["any policy".into()],
            ..KeyPoint::new("it applies whatever policy type holds the deny")
        };
        assert_eq!(
            verdict(
                &kp,
                "The deny counts in an SCP, a bucket policy, an identity policy or a boundary."
            ),
            COVERED
        );
        assert_eq!(verdict(&kp, "The deny is in an SCP."), MISSED);
    }

    #[test]
    fn generic_words_alone_earn_nothing() {
        let kp = KeyPoint {
            accept: vec!["any policy".into()],
            ..KeyPoint::new("it applies whatever policy type holds the deny")
        };
        assert_eq!(verdict(&kp, "It is about the policy."), MISSED);
        assert_eq!(
            verdict(&kp, "A deny in any policy type counts the same."),
            COVERED
        );
    }

    #[test]
    fn echo_only_phrases_must_be_said_in_order() {
        let echo = Echo::new(&["Can you revoke temporary credentials?"], false);
        let kp = KeyPoint::new("revoke temporary credentials");
        let p = Point::compile(&kp, &echo);
        assert!(
            p.find(&Doc::new("You revoke temporary credentials."), &echo)
                .covered
        );
        assert!(
            !p.find(&Doc::new("credentials are temporary; revoke"), &echo)
                .covered
        );
    }

    #[test]
    fn typos_are_forgiven_but_near_words_are_not() {
        assert_eq!(
            verdict(
                &KeyPoint::new("temporary credentials"),
                "temporay credentails"
            ),
            COVERED
        );
        assert_eq!(verdict(&KeyPoint::new("deny"), "identity"), MISSED);
        assert_eq!(verdict(&KeyPoint::new("rule"), "role"), MISSED);
    }
}
