//! Text normalisation for grading: words with byte ranges, a small suffix stemmer, stop words,
//! sentence and clause boundaries, and negation scope.

/// One word of a text, lower-cased and stemmed, with where it sits in the original string.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The word, lower-cased, with a possessive `'s` removed.
    pub raw: String,
    /// The stem used for comparison.
    pub stem: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Index of the sentence (split at `.`, `!`, `?` and line breaks).
    pub sentence: usize,
    /// True when a negation word earlier in the same clause covers this word.
    pub negated: bool,
    /// A function word that carries no meaning of its own (`the`, `is`, `of`…).
    pub stop: bool,
    /// The word is itself a negation (`not`, `never`, `don't`, `without`…).
    pub negation: bool,
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "also", "amazon", "an", "and", "any", "are", "as", "at", "aws", "be",
    "been", "being", "by", "can", "could", "did", "do", "does", "each", "eg", "etc", "every",
    "for", "from", "had", "has", "have", "he", "her", "here", "his", "i", "ie", "if", "in", "into",
    "is", "it", "its", "just", "may", "me", "might", "must", "my", "of", "on", "only", "or", "our",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "us", "via", "was", "we", "were", "which", "whom",
    "will", "with", "would", "you", "your",
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
    "cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "shouldnt",
    "wouldnt", "couldnt", "hasnt", "havent", "hadnt", "mustnt", "neednt", "unless",
];

/// Words that start a new clause: a negation before them does not reach past them.
const CLAUSE_WORDS: &[&str] = &[
    "but",
    "however",
    "whereas",
    "while",
    "although",
    "though",
    "yet",
    "instead",
    "rather",
    "unlike",
    "because",
    "since",
    "therefore",
    "thus",
    "otherwise",
    "if",
    "when",
];

/// After a comma, these start a new clause ("Roles have no passwords, they use…").
const SUBJECT_WORDS: &[&str] = &[
    "they", "it", "we", "you", "i", "he", "she", "this", "these", "those", "there", "then",
    "which", "so", "but", "instead",
];

pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.binary_search(&w).is_ok()
}

pub fn is_negation(w: &str) -> bool {
    let plain: String = w.chars().filter(|c| *c != '\'').collect();
    NEGATIONS.contains(&plain.as_str()) || w.ends_with("n't")
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|c| is_vowel(c) || c == b'y')
}

/// Consonant-vowel-consonant ending of a short stem (`us`, `bas`), where English keeps an `e`.
fn short_cvc(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        2 => is_vowel(b[0]) && !is_vowel(b[1]),
        3 => {
            !is_vowel(b[0])
                && is_vowel(b[1])
                && !is_vowel(b[2])
                && !matches!(b[2], b'w' | b'x' | b'y')
        }
        _ => false,
    }
}

/// A small suffix stemmer (plurals, `-ed`, `-ing`, `-ation`, `-ly`, `-ment`, final `e`/`y`), enough
/// that "rotate", "rotates", "rotated", "rotating" and "rotation" share a stem.
pub fn stem(word: &str) -> String {
    let mut s = word.to_string();
    if !s.is_ascii() || s.len() <= 3 || !s.bytes().all(|c| c.is_ascii_lowercase()) {
        return s;
    }
    // Plurals and third person.
    if s.ends_with("sses") {
        s.truncate(s.len() - 2);
    } else if s.ends_with("ies") && s.len() > 4 {
        s.truncate(s.len() - 3);
        s.push('i');
    } else if s.ends_with("ss") || s.ends_with("us") || s.ends_with("is") {
    } else if s.ends_with('s') {
        s.pop();
    }
    // Past tense and gerund.
    if s.ends_with("eed") {
    } else if s.ends_with("ied") && s.len() > 4 {
        s.truncate(s.len() - 3);
        s.push('i');
    } else {
        let cut = if s.ends_with("ed") {
            2
        } else if s.ends_with("ing") {
            3
        } else {
            0
        };
        if cut > 0 {
            let base = &s[..s.len() - cut];
            if base.len() >= 2 && has_vowel(base) {
                let mut base = base.to_string();
                let b = base.as_bytes();
                let n = b.len();
                if n >= 2
                    && b[n - 1] == b[n - 2]
                    && !is_vowel(b[n - 1])
                    && !matches!(b[n - 1], b'l' | b's' | b'z')
                {
                    base.pop();
                } else if short_cvc(&base) {
                    base.push('e');
                }
                s = base;
            }
        }
    }
    // Derivational endings.
    for (suffix, replacement, min_rest) in [
        ("ation", "at", 3),
        ("tion", "t", 3),
        ("ically", "ic", 3),
        ("ily", "i", 3),
        ("ally", "al", 3),
        ("ly", "", 4),
        ("ment", "", 5),
        ("ness", "", 4),
    ] {
        if s.ends_with(suffix) && s.len() - suffix.len() >= min_rest {
            s.truncate(s.len() - suffix.len());
            s.push_str(replacement);
            break;
        }
    }
    if s.len() > 3 && s.ends_with('y') {
        s.pop();
        s.push('i');
    }
    if s.len() > 4 && s.ends_with('e') {
        s.pop();
    }
    s
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
            ';' | ':' | '(' | ')' | '[' | ']' | '—' | '–' | '→' | '>' | '|' => Break::Clause,
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
}

fn raw_words(text: &str) -> Vec<RawWord> {
    let mut words = Vec::new();
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
                let before = classify_gap(&text[gap_start..i], false, c.is_lowercase());
                words.push(RawWord {
                    start: i,
                    end: i,
                    before,
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

/// Splits `text` into tokens with byte ranges, sentence indices and negation scope.
pub fn tokenize(text: &str) -> Vec<Token> {
    let words = raw_words(text);
    let mut tokens: Vec<Token> = Vec::new();
    let mut sentence = 0;
    // Negation scope: Some(cue word) while a negation is active in the current clause.
    let mut scope: Option<String> = None;
    for (wi, w) in words.iter().enumerate() {
        let word = &text[w.start..w.end];
        let lower = word.to_lowercase().replace('’', "'");
        match w.before {
            Break::Sentence => {
                if !tokens.is_empty() {
                    sentence += 1;
                }
                scope = None;
            }
            Break::Clause => scope = None,
            Break::Comma => {
                if scope
                    .as_ref()
                    .is_some_and(|cue| cue == "without" || comma_breaks(text, &words, wi))
                {
                    scope = None;
                }
            }
            Break::None => {}
        }
        if CLAUSE_WORDS.contains(&lower.as_str()) {
            scope = None;
        }
        // Possessive `'s` is not part of the word.
        let (lower, end) = match lower.strip_suffix("'s") {
            Some(base) if !base.is_empty() => (base.to_string(), w.end - 2),
            _ => (lower, w.end),
        };
        let negation = is_negation(&lower) && !interjection_no(text, &words, wi, &lower);
        let negated = scope.is_some();
        if negation {
            // "grants nothing": the verb right before `nothing`/`none` is what is negated.
            if matches!(lower.as_str(), "nothing" | "none" | "nobody")
                && w.before == Break::None
                && let Some(prev) = tokens.last_mut()
                && !prev.stop
                && !prev.negation
            {
                prev.negated = true;
            }
            tokens.push(Token {
                stem: lower.clone(),
                raw: lower.clone(),
                start: w.start,
                end,
                sentence,
                negated,
                stop: false,
                negation: true,
            });
            scope = Some(lower);
            continue;
        }
        let part: String = lower.chars().filter(|c| *c != '\'').collect();
        if part.is_empty() {
            continue;
        }
        tokens.push(Token {
            stem: stem(&part),
            stop: is_stop_word(&part),
            raw: part,
            start: w.start,
            end,
            sentence,
            negated,
            negation: false,
        });
    }
    tokens
}

/// "No, …" or "No." answering a yes/no question is not a negation of what follows; nor is
/// "not only"/"not just".
fn interjection_no(text: &str, words: &[RawWord], wi: usize, lower: &str) -> bool {
    let next = words.get(wi + 1);
    match lower {
        "no" => next.is_none_or(|n| {
            n.before != Break::None
                || matches!(
                    text[n.start..n.end].to_lowercase().as_str(),
                    "matter" | "doubt"
                )
        }),
        "not" => next.is_some_and(|n| {
            let w = text[n.start..n.end].to_lowercase();
            n.before == Break::None && (w == "only" || w == "just")
        }),
        _ => false,
    }
}

/// Whether the comma before word `wi` ends the clause a negation started.
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

/// Restricted Damerau-Levenshtein (optimal string alignment) distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn verb_forms_and_plurals_share_a_stem() {
        for group in [
            &["rotate", "rotates", "rotated", "rotating", "rotation"][..],
            &["deny", "denies", "denied", "denying"],
            &["policy", "policies"],
            &["encrypt", "encrypted", "encryption", "encrypts"],
            &["log", "logs", "logged", "logging"],
            &["use", "used", "uses", "using"],
            &["assume", "assumed", "assumes", "assuming"],
            &["temporary", "temporarily"],
            &["automatic", "automatically"],
            &["access", "accessed", "accesses"],
            &["credential", "credentials"],
            &["manage", "managed", "management"],
            &["detect", "detects", "detection"],
            &["store", "stored", "storing"],
        ] {
            let first = stem(group[0]);
            for w in group {
                assert_eq!(stem(w), first, "{w} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn different_words_keep_different_stems() {
        assert_ne!(stem("role"), stem("rule"));
        assert_ne!(stem("symmetric"), stem("asymmetric"));
        assert_ne!(stem("principal"), stem("principle"));
        assert_eq!(stem("aws"), "aws");
        assert_eq!(stem("status"), "status");
    }

    #[test]
    fn tokens_carry_byte_ranges() {
        let text = "Use sts:AssumeRole — naïve café";
        let toks = tokenize(text);
        let raws: Vec<&str> = toks.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raws, ["use", "sts", "assumerole", "naïve", "café"]);
        for t in &toks {
            assert_eq!(text[t.start..t.end].to_lowercase(), t.raw);
        }
    }

    #[test]
    fn possessive_and_contractions() {
        let toks = tokenize("The role's policy doesn’t grant it");
        assert_eq!(toks[1].raw, "role");
        assert_eq!(&"The role's policy"[toks[1].start..toks[1].end], "role");
        assert!(toks.iter().any(|t| t.negation && t.raw == "doesn't"));
        let grant = toks.iter().find(|t| t.raw == "grant").unwrap();
        assert!(grant.negated);
        let policy = toks.iter().find(|t| t.raw == "policy").unwrap();
        assert!(!policy.negated);
    }

    #[test]
    fn negation_scope_ends_at_clause_boundaries() {
        let toks = tokenize("Roles do not have passwords, they use temporary credentials");
        let get = |w: &str| toks.iter().find(|t| t.raw == w).unwrap().negated;
        assert!(get("passwords"));
        assert!(!get("temporary"));
        assert!(!get("roles"));

        let toks = tokenize("no passwords, access keys or usernames. Roles rotate credentials");
        let get = |w: &str| toks.iter().find(|t| t.raw == w).unwrap().negated;
        assert!(get("keys"));
        assert!(!get("rotate"));

        let toks = tokenize("Without MFA, roles rotate credentials");
        assert!(!toks.iter().find(|t| t.raw == "rotate").unwrap().negated);

        let toks = tokenize("It does not block, but it detects threats");
        assert!(!toks.iter().find(|t| t.raw == "detects").unwrap().negated);
    }

    #[test]
    fn nothing_negates_the_verb_before_it() {
        let toks = tokenize("a boundary grants nothing; roles have none");
        let get = |w: &str| toks.iter().find(|t| t.raw == w).unwrap().negated;
        assert!(get("grants"));
        assert!(!get("boundary"));
        assert!(!get("roles"));
    }

    #[test]
    fn no_as_an_answer_is_not_a_negation() {
        let toks = tokenize("No, GuardDuty detects and alerts.");
        assert!(toks.iter().all(|t| !t.negated));
        let toks = tokenize("not only detects but blocks");
        assert!(toks.iter().all(|t| !t.negated));
        let toks = tokenize("deny wins no matter where the allow is");
        assert!(toks.iter().all(|t| !t.negated && !t.negation));
    }

    #[test]
    fn sentences_split_on_full_stops_and_lines_but_not_dotted_names() {
        let toks = tokenize("Use s3.amazonaws.com here. Then rotate\nKeys\n- now");
        let s: Vec<usize> = toks.iter().map(|t| t.sentence).collect();
        assert_eq!(s, [0, 0, 0, 0, 0, 1, 1, 2, 3]);
        // A wrapped line continues the sentence.
        let toks = tokenize("They do not\ngrant permissions");
        assert!(toks.iter().all(|t| t.sentence == 0));
        assert!(toks.iter().find(|t| t.raw == "grant").unwrap().negated);
    }

    #[test]
    fn identifiers_stay_whole() {
        assert_eq!(stems("GuardDuty SCPs"), ["guardduti", "scp"]);
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("credentials", "credentails"), 1);
        assert_eq!(edit_distance("deny", "identity"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
