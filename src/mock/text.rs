//! Text normalisation for grading: words with byte ranges, Snowball stems, function words,
//! sentence and clause boundaries, and negation scope.
//!
//! Negation follows the NegEx method: a trigger word (`not`, `never`, `without`, `can't`…) negates
//! the words after it until a terminator (`but`, `however`, `unless`, `which`, a `;` or `:`, the end
//! of the sentence, a comma before a new subject) or eight words, whichever comes first. Scopes
//! stack, so a trigger inside another's scope cancels it ("you cannot decrypt without the key
//! policy" leaves "key policy" positive). Pseudo-triggers are not negations: "not only", "not
//! just", "no matter", "no doubt", "does not matter" (an idiom the vocabulary reads as
//! *irrelevant*). "Only … if" / "only when" turns its main clause into a negated default ("objects
//! are logged only if data events are on" says they are not logged otherwise).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// One word of a text, lower-cased and stemmed, with where it sits in the original string.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The word, lower-cased, with a possessive `'s` and apostrophes removed.
    pub raw: String,
    /// The stem used for comparison.
    pub stem: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Index of the sentence (split at `.`, `!`, `?` and line breaks).
    pub sentence: usize,
    /// Index of the clause (also split at `;`, `:`, dashes, brackets and clause words).
    pub clause: usize,
    /// An odd number of negation scopes covers this word.
    pub negated: bool,
    /// A function word that carries no meaning of its own (`the`, `is`, `of`…).
    pub stop: bool,
    /// The word is itself a negation trigger (`not`, `never`, `don't`, `without`…).
    pub negation: bool,
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Function words: articles, pronouns, auxiliaries, modals, prepositions, conjunctions and
/// quantifiers. Sorted for binary search.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "amazon",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "aws",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "during",
    "each",
    "eg",
    "either",
    "etc",
    "every",
    "for",
    "from",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i",
    "ie",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "itll",
    "its",
    "itself",
    "ive",
    "just",
    "let",
    "lets",
    "may",
    "me",
    "might",
    "more",
    "most",
    "must",
    "my",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "theyre",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "would",
    "yes",
    "you",
    "your",
    "youre",
    "youve",
];

const NEGATIONS: &[&str] = &[
    "arent", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent",
    "isnt", "lack", "lacks", "mustnt", "neednt", "neither", "never", "no", "nobody", "none", "nor",
    "not", "nothing", "shouldnt", "wasnt", "werent", "without", "wont", "wouldnt",
];

/// Words that end a negation's scope and start a new clause.
const TERMINATORS: &[&str] = &[
    "although",
    "apart",
    "as",
    "because",
    "but",
    "except",
    "however",
    "if",
    "instead",
    "otherwise",
    "rather",
    "since",
    "so",
    "therefore",
    "though",
    "thus",
    "unless",
    "unlike",
    "when",
    "whereas",
    "which",
    "while",
    "who",
    "yet",
];

/// After a comma, these start a new clause ("Roles have no passwords, they use…").
const SUBJECT_WORDS: &[&str] = &[
    "but", "he", "i", "instead", "it", "so", "she", "then", "there", "these", "they", "this",
    "those", "we", "which", "you",
];

/// After `and` / `or`, these start a new verb phrase that a negation before does not reach.
const CONTINUATIONS: &[&str] = &[
    "also",
    "are",
    "can",
    "continue",
    "continues",
    "is",
    "keep",
    "keeps",
    "must",
    "remain",
    "remains",
    "should",
    "stay",
    "stays",
    "still",
    "then",
    "will",
];

/// Verbs that start a main clause's predicate and end a negation opened inside a prepositional
/// phrase before it.
const MAIN_VERBS: &[&str] = &["is", "are", "was", "were", "gets", "get", "stays", "stay"];

/// The farthest a negation reaches, in words.
const NEGATION_REACH: usize = 8;
/// The farthest "rather than" / "instead of" reaches, in content words.
const CONTRAST_REACH: usize = 4;

pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.binary_search(&w).is_ok()
}

pub fn is_negation(w: &str) -> bool {
    NEGATIONS.binary_search(&w).is_ok()
}

/// Stems already computed on this thread: answers repeat the same few hundred words, and the
/// Snowball algorithm costs far more than a lookup.
const STEM_CACHE_WORDS: usize = 20_000;

thread_local! {
    static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// The Snowball (Porter 2) stem of a lower-case word. Identifiers with digits or non-letters are
/// kept whole.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || !word.bytes().all(|c| c.is_ascii_lowercase()) {
        return word.to_string();
    }
    if let Some(hit) = STEMS.with(|m| m.borrow().get(word).cloned()) {
        return hit;
    }
    let stemmed = snowball(word);
    STEMS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= STEM_CACHE_WORDS {
            m.clear();
        }
        m.insert(word.to_string(), stemmed.clone());
    });
    stemmed
}

fn snowball(word: &str) -> String {
    let stemmed = STEMMER.stem(word);
    // Plural acronyms: "SCPs", "RCPs", "ACLs" (Snowball keeps an `s` after a vowel-less part).
    if stemmed == word
        && let Some(base) = word.strip_suffix('s')
        && base.len() >= 2
        && !base
            .bytes()
            .any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
    {
        return base.to_string();
    }
    stemmed.into_owned()
}

/// Edit distance with transpositions counted once (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Break {
    None,
    /// `,` — may or may not end a clause.
    Comma,
    /// `;`, `:`, brackets, dashes, arrows.
    Clause,
    /// `.`, `!`, `?`, line break.
    Sentence,
}

/// How the text between two words separates them. `next_lower`: the next word starts with a
/// lower-case letter, so a single line break in front of it is a wrapped line, not a new item.
fn classify_gap(gap: &str, at_end: bool, next_lower: bool) -> Break {
    let mut kind = Break::None;
    let chars: Vec<char> = gap.chars().collect();
    let newlines = chars.iter().filter(|c| **c == '\n').count();
    let bullet = gap
        .rsplit('\n')
        .next()
        .is_some_and(|after| after.trim_start().starts_with(['-', '*', '•']));
    let wrapped = newlines == 1 && next_lower && !bullet;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let b = match c {
            '\n' if wrapped => Break::None,
            '\n' | '!' | '?' => Break::Sentence,
            '.' if next.is_none_or(|n| n.is_whitespace()) && (next.is_some() || at_end) => {
                Break::Sentence
            }
            // `sts:AssumeRole`: a colon inside an identifier is no break.
            ':' if i == 0 && next.is_none() && !at_end => Break::None,
            ';' | ':' | '(' | ')' | '[' | ']' | '—' | '–' | '→' | '>' | '<' | '|' | '=' => {
                Break::Clause
            }
            '-' if i > 0 && chars[i - 1].is_whitespace() => Break::Clause,
            ',' => Break::Comma,
            _ => Break::None,
        };
        kind = match (kind, b) {
            (Break::Sentence, _) | (_, Break::Sentence) => Break::Sentence,
            (Break::Clause, _) | (_, Break::Clause) => Break::Clause,
            (Break::Comma, _) | (_, Break::Comma) => Break::Comma,
            _ => Break::None,
        };
    }
    kind
}

struct RawWord {
    start: usize,
    end: usize,
    /// Break in the gap before this word.
    before: Break,
    /// The word is a service prefix glued to a name by a colon (`sts` in `sts:AssumeRole`).
    prefix: bool,
}

fn raw_words(text: &str) -> Vec<RawWord> {
    let mut words: Vec<RawWord> = Vec::new();
    let mut gap_start = 0;
    let mut word_start: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_word = c.is_alphanumeric()
            || ((c == '\'' || c == '’')
                && word_start.is_some()
                && iter.peek().is_some_and(|(_, n)| n.is_alphanumeric()));
        match (is_word, word_start) {
            (true, None) => {
                let gap = &text[gap_start..i];
                let before = classify_gap(gap, false, c.is_lowercase());
                if gap == ":"
                    && let Some(prev) = words.last_mut()
                {
                    prev.prefix = true;
                }
                words.push(RawWord {
                    start: i,
                    end: i,
                    before,
                    prefix: false,
                });
                word_start = Some(i);
            }
            (false, Some(_)) => {
                if let Some(w) = words.last_mut() {
                    w.end = i;
                }
                word_start = None;
                gap_start = i;
            }
            _ => {}
        }
    }
    if word_start.is_some()
        && let Some(w) = words.last_mut()
    {
        w.end = text.len();
    }
    words
}

/// Abbreviated time units share the stem of the full word: "min" and "minutes", "hrs" and "hours".
/// One-letter units count only right after a number ("15m").
fn unit_stem(word: &str, after_number: bool) -> Option<&'static str> {
    match word {
        "min" | "mins" | "minute" | "minutes" => Some("minut"),
        "hr" | "hrs" | "hour" | "hours" => Some("hour"),
        "sec" | "secs" | "second" | "seconds" => Some("second"),
        "m" if after_number => Some("minut"),
        "h" if after_number => Some("hour"),
        "s" if after_number => Some("second"),
        "d" if after_number => Some("day"),
        _ => None,
    }
}

/// A word before the negation logic runs.
struct Word {
    raw: String,
    start: usize,
    end: usize,
    sentence: usize,
    clause: usize,
    /// The break before it ends a negation scope.
    ends_scope: bool,
    /// Punctuation stands between it and the word before.
    punctuated: bool,
    stop: bool,
    negation: bool,
}

/// Splits `text` into tokens with byte ranges, sentence and clause indices and negation scope.
pub fn tokenize(text: &str) -> Vec<Token> {
    let words = split_words(text);
    let negated = negation_marks(&words);
    let after_number: Vec<bool> = std::iter::once(false)
        .chain(
            words
                .iter()
                .map(|w| !w.raw.is_empty() && w.raw.bytes().all(|b| b.is_ascii_digit())),
        )
        .collect();
    words
        .into_iter()
        .zip(negated)
        .zip(after_number)
        .map(|((w, negated), after_number)| Token {
            stem: match unit_stem(&w.raw, after_number) {
                Some(u) => u.to_string(),
                None if w.negation => w.raw.clone(),
                None => stem(&w.raw),
            },
            raw: w.raw,
            start: w.start,
            end: w.end,
            sentence: w.sentence,
            clause: w.clause,
            negated,
            stop: w.stop,
            negation: w.negation,
        })
        .collect()
}

fn split_words(text: &str) -> Vec<Word> {
    let raw = raw_words(text);
    let mut out: Vec<Word> = Vec::new();
    let (mut sentence, mut clause) = (0usize, 0usize);
    for (wi, w) in raw.iter().enumerate() {
        let mut lower = text[w.start..w.end].to_lowercase();
        if lower.contains('’') {
            lower = lower.replace('’', "'");
        }
        let mut ends_scope = false;
        if !out.is_empty() {
            match w.before {
                Break::Sentence => {
                    sentence += 1;
                    clause += 1;
                    ends_scope = true;
                }
                Break::Clause => {
                    clause += 1;
                    ends_scope = true;
                }
                Break::Comma if comma_breaks(text, &raw, wi) => {
                    clause += 1;
                    ends_scope = true;
                }
                Break::Comma | Break::None => {}
            }
        }
        // Possessive `'s` is not part of the word.
        let (lower, end) = match lower.strip_suffix("'s") {
            Some(base) if !base.is_empty() => (base.to_string(), w.end - 2),
            _ => (lower, w.end),
        };
        let plain: String = lower.chars().filter(|c| *c != '\'').collect();
        if plain.is_empty() {
            continue;
        }
        // "no allow, however broad, gets past it": "however" before one word and a comma
        // concedes ("no matter how"); it does not contrast.
        let concessive = plain == "however"
            && raw.get(wi + 1).is_some_and(|n| n.before == Break::None)
            && raw.get(wi + 2).is_some_and(|n| n.before == Break::Comma);
        if TERMINATORS.binary_search(&plain.as_str()).is_ok() && !out.is_empty() && !concessive {
            if !ends_scope {
                clause += 1;
            }
            ends_scope = true;
        }
        let negation = is_negation(&plain) || lower.ends_with("n't");
        // "15min", "12h": a number glued to its unit is two words.
        let digits = plain.bytes().take_while(u8::is_ascii_digit).count();
        let split = digits > 0
            && digits < plain.len()
            && plain.is_ascii()
            && plain[digits..].bytes().all(|b| b.is_ascii_lowercase())
            && end - w.start == plain.len()
            && unit_stem(&plain[digits..], true).is_some();
        if split {
            out.push(Word {
                raw: plain[..digits].to_string(),
                start: w.start,
                end: w.start + digits,
                sentence,
                clause,
                ends_scope,
                punctuated: w.before != Break::None,
                stop: false,
                negation: false,
            });
            let unit = unit_stem(&plain[digits..], true).unwrap_or("");
            out.push(Word {
                raw: unit.to_string(),
                start: w.start + digits,
                end,
                sentence,
                clause,
                ends_scope: false,
                punctuated: false,
                stop: false,
                negation: false,
            });
            continue;
        }
        let stop = !negation && (is_stop_word(&plain) || w.prefix);
        out.push(Word {
            raw: if negation {
                normalise_negation(&plain)
            } else {
                plain
            },
            start: w.start,
            end,
            sentence,
            clause,
            ends_scope,
            punctuated: w.before != Break::None,
            stop,
            negation,
        });
    }
    out
}

/// `don't`, `doesnt`, `can't` → `not` after the auxiliary, so "do not" and "don't" read alike.
fn normalise_negation(w: &str) -> String {
    match w {
        "cannot" | "cant" | "dont" | "doesnt" | "didnt" | "isnt" | "arent" | "wasnt" | "werent"
        | "wont" | "wouldnt" | "shouldnt" | "couldnt" | "hasnt" | "havent" | "hadnt" | "mustnt"
        | "neednt" => "not".to_string(),
        other if other.ends_with("nt") && other.len() > 3 => "not".to_string(),
        other => other.to_string(),
    }
}

/// Whether the comma before word `wi` ends a clause.
fn comma_breaks(text: &str, words: &[RawWord], wi: usize) -> bool {
    let first = text[words[wi].start..words[wi].end].to_lowercase();
    if SUBJECT_WORDS.contains(&first.as_str()) {
        return true;
    }
    if matches!(first.as_str(), "and" | "or") {
        // A long continuation is a new clause; a short one is the next item of a list.
        let len = words[wi + 1..]
            .iter()
            .take_while(|w| w.before == Break::None)
            .count();
        return len >= 3;
    }
    false
}

/// Which words an odd number of negation scopes covers.
fn negation_marks(words: &[Word]) -> Vec<bool> {
    let mut marks = vec![false; words.len()];
    // Open scopes: how many more words each still reaches.
    let mut scopes: Vec<usize> = Vec::new();
    // The innermost scopes opened inside a prepositional phrase ("a request with nothing allowing
    // it is denied"): the phrase ends at the main clause's verb, and so does the scope.
    let mut phrasal = 0usize;
    // Content words a "rather than" still reaches.
    let mut contrast = 0usize;
    for i in 0..words.len() {
        let w = &words[i];
        if w.ends_scope {
            scopes.clear();
            phrasal = 0;
        }
        if phrasal > 0 && MAIN_VERBS.contains(&w.raw.as_str()) {
            let keep = scopes.len().saturating_sub(phrasal);
            scopes.truncate(keep);
            phrasal = 0;
        }
        let next = words.get(i + 1).filter(|n| !n.punctuated);
        let trigger = w.negation && !pseudo_trigger(w, next.map(|n| n.raw.as_str()));
        marks[i] = scopes.len() % 2 == 1;
        if trigger {
            // "not the management account, not service-linked roles", "aren't bound, and neither
            // are …": a negation in a list of negations starts its own scope; it does not cancel
            // the one before.
            let parallel = w.punctuated
                || (i > 0 && matches!(words[i - 1].raw.as_str(), "and" | "or" | "nor"));
            if parallel && !scopes.is_empty() {
                scopes.clear();
                phrasal = 0;
                marks[i] = false;
            }
            // "grants nothing": the verb right before `nothing`/`none` is what is negated.
            if matches!(w.raw.as_str(), "nothing" | "none" | "nobody")
                && i > 0
                && !w.ends_scope
                && !words[i - 1].stop
                && !words[i - 1].negation
            {
                marks[i - 1] = !marks[i - 1];
            }
            scopes.push(NEGATION_REACH);
            let after_preposition = i > 0
                && matches!(w.raw.as_str(), "no" | "nothing" | "none")
                && matches!(
                    words[i - 1].raw.as_str(),
                    "with" | "for" | "of" | "in" | "from"
                );
            phrasal = if after_preposition { phrasal + 1 } else { 0 };
            continue;
        }
        // "rather than X", "instead of X": X, up to the next punctuation, is what the sentence
        // denies.
        if w.punctuated || w.ends_scope {
            contrast = 0;
        }
        if contrast > 0 {
            marks[i] = !marks[i];
            if !w.stop {
                contrast -= 1;
            }
        }
        if matches!(
            (
                i.checked_sub(1).map(|p| words[p].raw.as_str()),
                w.raw.as_str()
            ),
            (Some("rather"), "than") | (Some("instead"), "of")
        ) {
            contrast = CONTRAST_REACH;
            continue;
        }
        // "not affected and keep working": a conjunction before a new verb phrase ends the scope.
        if matches!(w.raw.as_str(), "and" | "or")
            && next.is_some_and(|n| CONTINUATIONS.contains(&n.raw.as_str()))
        {
            scopes.clear();
            phrasal = 0;
            continue;
        }
        // "does not matter": the scope closes right after the idiom's verb.
        if matches!(w.raw.as_str(), "matter" | "matters" | "mattered") {
            scopes.clear();
            phrasal = 0;
            continue;
        }
        if !w.stop {
            for s in &mut scopes {
                *s -= 1;
            }
            scopes.retain(|&s| s > 0);
        }
    }
    only_if(words, &mut marks);
    marks
}

/// Negation words that negate nothing: "not only", "not just", "no matter", "no doubt", "no
/// difference", "no effect", and a bare
/// "No" answering a yes/no question ("No, GuardDuty detects…").
fn pseudo_trigger(w: &Word, next: Option<&str>) -> bool {
    match w.raw.as_str() {
        // "makes no difference", "has no effect": idioms the vocabulary reads as *irrelevant*.
        "no" => next.is_none_or(|n| matches!(n, "matter" | "doubt" | "difference" | "effect")),
        "not" => matches!(next, Some("only" | "just")),
        _ => false,
    }
}

/// "X only if Y", "only X when Y": the main clause holds only under the condition, so by default
/// it does not: its words are negated.
fn only_if(words: &[Word], marks: &mut [bool]) {
    for i in 0..words.len() {
        if words[i].raw != "only" {
            continue;
        }
        let clause = words[i].clause;
        // The condition: `if`, `when`, `after`, `once` later in the sentence.
        let cond = words[i + 1..]
            .iter()
            .position(|w| {
                w.sentence == words[i].sentence
                    && matches!(w.raw.as_str(), "if" | "when" | "after" | "once")
            })
            .map(|p| i + 1 + p);
        let Some(cond) = cond else { continue };
        if cond == i + 1 {
            // "logged only if …": the predicate right before `only` (its content words).
            let mut j = i;
            while j > 0
                && words[j - 1].clause == clause
                && !words[j - 1].stop
                && !words[j - 1].negation
            {
                j -= 1;
                marks[j] = !marks[j];
            }
        } else if words[cond - 1].sentence == words[i].sentence {
            // "CloudTrail only has PutObject if …": the words between.
            for m in &mut marks[i + 1..cond] {
                *m = !*m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.stem).collect()
    }

    fn negated(text: &str, word: &str) -> bool {
        tokenize(text)
            .into_iter()
            .find(|t| t.raw == word)
            .unwrap_or_else(|| panic!("{word} in {text}"))
            .negated
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [STOP_WORDS, NEGATIONS, TERMINATORS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list);
        }
    }

    #[test]
    fn verb_forms_and_plurals_share_a_stem() {
        for group in [
            &["rotate", "rotates", "rotated", "rotating", "rotation"][..],
            &["deny", "denies", "denied", "denying"],
            &["policy", "policies"],
            &["encrypt", "encrypted", "encryption", "encrypts"],
            &["log", "logs", "logged", "logging"],
            &["assume", "assumed", "assumes", "assuming"],
            &["automatic", "automatically"],
            &["credential", "credentials"],
            &["manage", "managed", "management"],
            &["detect", "detects", "detection"],
        ] {
            let first = stem(group[0]);
            for w in group {
                assert_eq!(stem(w), first, "{w} vs {}", group[0]);
            }
        }
        assert_ne!(stem("role"), stem("rule"));
        assert_eq!(stem("aws"), "aws");
    }

    #[test]
    fn tokens_carry_byte_ranges_and_service_prefixes_are_function_words() {
        let text = "Use sts:AssumeRole — naïve café";
        let toks = tokenize(text);
        let raws: Vec<&str> = toks.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raws, ["use", "sts", "assumerole", "naïve", "café"]);
        for t in &toks {
            assert_eq!(text[t.start..t.end].to_lowercase(), t.raw);
        }
        assert!(toks[1].stop);
        assert_eq!(toks[1].clause, toks[2].clause);
    }

    #[test]
    fn contractions_read_as_not() {
        let toks = tokenize("The role's policy doesn’t grant it");
        assert_eq!(toks[1].raw, "role");
        assert!(toks.iter().any(|t| t.negation && t.raw == "not"));
        assert!(negated("The role's policy doesn’t grant it", "grant"));
        assert!(!negated("The role's policy doesn’t grant it", "policy"));
    }

    #[test]
    fn negation_scope_ends_at_terminators() {
        let t = "Roles do not have passwords, they use temporary credentials";
        assert!(negated(t, "passwords"));
        assert!(!negated(t, "temporary"));
        assert!(!negated(t, "roles"));
        let t = "It does not block, but it detects threats";
        assert!(!negated(t, "detects"));
        let t = "not the SCP but the boundary decides";
        assert!(negated(t, "scp"));
        assert!(!negated(t, "boundary"));
        let t = "Not directly: credentials stay valid until they expire";
        assert!(!negated(t, "valid"));
        let t = "A request is denied unless the SCP allows it";
        assert!(!negated(t, "allows"));
    }

    #[test]
    fn negation_reaches_eight_words() {
        let t = "it does not need an explicit allow from the SCP or any other policy at all";
        assert!(negated(t, "scp"));
        let t = "no alpha bravo charlie delta echo foxtrot golf hotel india";
        assert!(negated(t, "hotel"));
        assert!(!negated(t, "india"));
    }

    #[test]
    fn a_new_verb_phrase_after_and_ends_the_scope() {
        let t = "Sessions created afterwards are not affected and keep working";
        assert!(negated(t, "affected"));
        assert!(!negated(t, "working"));
        let t = "no passwords and access keys";
        assert!(negated(t, "keys"));
    }

    #[test]
    fn double_negation_cancels() {
        let t = "you cannot decrypt without the key policy allowing it";
        assert!(negated(t, "decrypt"));
        assert!(!negated(t, "allowing"));
        assert!(negated(t, "without"));
    }

    #[test]
    fn a_negation_inside_a_prepositional_phrase_ends_at_the_main_verb() {
        let t = "a request with nothing allowing it is implicitly denied";
        assert!(negated(t, "allowing"));
        assert!(!negated(t, "denied"));
        let t = "no allow, however broad, gets past it";
        assert!(negated(t, "allow"));
        assert!(negated(t, "past"));
        let t = "it makes no difference where the deny lives";
        assert!(!negated(t, "deny"));
    }

    #[test]
    fn a_list_of_negations_is_not_a_double_negation() {
        let t = "Not the management account, not service-linked roles.";
        assert!(negated(t, "management"));
        assert!(negated(t, "roles"));
        let t = "Its users aren't bound by SCPs, and neither are service-linked roles.";
        assert!(negated(t, "roles"));
        let t = "You cannot decrypt without the key policy.";
        assert!(!negated(t, "policy"));
    }

    #[test]
    fn pseudo_triggers_negate_nothing() {
        for t in [
            "not only detects but blocks",
            "deny wins no matter where the allow is",
            "No, GuardDuty detects and alerts.",
        ] {
            assert!(
                tokenize(t).iter().all(|t| !t.negated),
                "{t}: {:?}",
                tokenize(t)
            );
        }
        let t = "it does not matter that the principal has AdministratorAccess";
        assert!(negated(t, "matter"));
        assert!(!negated(t, "administratoraccess"));
    }

    #[test]
    fn only_if_negates_the_default() {
        let t = "CloudTrail only has PutObject if data events are on";
        assert!(negated(t, "putobject"));
        assert!(!negated(t, "cloudtrail"));
        assert!(!negated(t, "data"));
        let t = "objects are logged only if data events are on";
        assert!(negated(t, "logged"));
        assert!(!negated(t, "events"));
    }

    #[test]
    fn nothing_negates_the_verb_before_it() {
        let t = "a boundary grants nothing; roles have none";
        assert!(negated(t, "grants"));
        assert!(!negated(t, "boundary"));
        assert!(!negated(t, "roles"));
    }

    #[test]
    fn sentences_split_on_full_stops_and_lines_but_not_dotted_names() {
        let toks = tokenize("Use s3.amazonaws.com here. Then rotate\nKeys\n- now");
        let s: Vec<usize> = toks.iter().map(|t| t.sentence).collect();
        assert_eq!(s, [0, 0, 0, 0, 0, 1, 1, 2, 3]);
        // A wrapped line continues the sentence.
        let toks = tokenize("They do not\ngrant permissions");
        assert!(toks.iter().all(|t| t.sentence == 0));
        assert!(negated("They do not\ngrant permissions", "grant"));
    }

    #[test]
    fn numbers_and_units() {
        assert_eq!(
            stems("15min 12h 900 seconds"),
            ["15", "minut", "12", "hour", "900", "second"]
        );
        assert_eq!(stems("15 minutes, 1 hr"), stems("15 mins, 1 hour"));
        assert_eq!(stems("ec2 s3"), ["ec2", "s3"]);
        let toks = tokenize("after 15min");
        assert_eq!(&"after 15min"[toks[2].start..toks[2].end], "min");
    }

    #[test]
    fn rather_than_and_instead_of_deny_what_follows() {
        let negated = |text: &str, word: &str| {
            tokenize(text)
                .into_iter()
                .find(|t| t.raw == word)
                .map(|t| t.negated)
        };
        let t = "Users get short-term role credentials rather than access keys.";
        assert_eq!(negated(t, "credentials"), Some(false));
        assert_eq!(negated(t, "keys"), Some(true));
        let t = "Use a role instead of an IAM user.";
        assert_eq!(negated(t, "role"), Some(false));
        assert_eq!(negated(t, "user"), Some(true));
        let t = "For a service rather than a vendor, pin the grant with aws:SourceArn.";
        assert_eq!(negated(t, "vendor"), Some(true));
        assert_eq!(negated(t, "grant"), Some(false));
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("credentials", "credentails"), 1);
        assert_eq!(edit_distance("deny", "identity"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
