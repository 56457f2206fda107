//! Fuzzy search over cards: questions, answers, tags and topics (crate `fuzzy-matcher`, the skim
//! algorithm). Each query word must match somewhere in the card; questions rank above tags and
//! topics, which rank above answers. Matched positions are returned for highlighting.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::deck::learner::{CLOSE, OPEN, SIGN};
use crate::deck::markup::to_plain;
use crate::deck::model::Card;

/// Which text of a card matched best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Question,
    Tags,
    Topic,
    Answer,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub card_id: String,
    pub field: Field,
    pub score: i64,
    /// The text to show: the question, or for answer hits the part of the answer that matched.
    pub snippet: String,
    /// Character indices of the snippet to highlight.
    pub positions: Vec<usize>,
    /// The corrections of the wrong source passages the snippet shows (marked `⟦…⟧✗1`), each as
    /// one plain line: shown with the hit so no wrong passage is shown bare.
    pub corrections: Vec<String>,
}

struct Entry {
    id: String,
    question: String,
    question_lower: String,
    tags: String,
    topic: String,
    /// Plain answer text, one line, cut to a length that keeps searching quick.
    answer: String,
    answer_lower: String,
    /// Marked wrong passages of `answer`: character range and the correction as a plain line.
    fixes: Vec<(usize, usize, String)>,
    /// Letters and digits present anywhere in the card (bit per `a-z0-9`), to skip cards fast.
    mask: u64,
    /// The same for the question and tags only (what fuzzy matching looks at).
    fuzzy_mask: u64,
}

/// A bit per ASCII letter or digit present in `s`.
fn char_mask(s: &str) -> u64 {
    let mut m = 0u64;
    for b in s.bytes() {
        match b {
            b'a'..=b'z' => m |= 1 << (b - b'a'),
            b'A'..=b'Z' => m |= 1 << (b - b'A'),
            b'0'..=b'9' => m |= 1 << (26 + b - b'0'),
            _ => {}
        }
    }
    m
}

/// An index of cards for fuzzy search.
pub struct Searcher {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
}

/// How much of an answer is searched.
const ANSWER_CHARS: usize = 400;

impl Searcher {
    pub fn new<'a>(cards: impl Iterator<Item = &'a Card>) -> Searcher {
        let entries = cards
            .map(|c| {
                // The answer as a learner may see it: wrong source passages marked.
                let view = c.learner_view();
                let mut answer = to_plain(&view.answer.text).replace('\n', " ");
                if let Some(t) = &c.table {
                    answer.push(' ');
                    answer.push_str(&t.headers.join(" "));
                    for r in &t.rows {
                        answer.push(' ');
                        answer.push_str(&r.join(" "));
                    }
                }
                if let Some(s) = &c.scenario {
                    for st in &s.steps {
                        answer.push(' ');
                        answer.push_str(&st.answer);
                    }
                }
                // Cut to length, but never inside a marked passage.
                let passages = marked_passages(&answer);
                let keep = passages
                    .iter()
                    .find(|(from, to, _)| *from < ANSWER_CHARS && *to > ANSWER_CHARS)
                    .map_or(ANSWER_CHARS, |(_, to, _)| *to);
                let answer: String = answer.chars().take(keep).collect();
                let fixes = passages
                    .into_iter()
                    .filter_map(|(from, to, number)| {
                        let fix = view.fixes_numbered(&[number]).pop()?;
                        Some((from, to, fix.plain()))
                    })
                    .collect();
                let question_lower = c.question.to_lowercase();
                let tags = c.tags.join(" ").to_lowercase();
                let answer_lower = answer.to_lowercase();
                let fuzzy_mask = char_mask(&question_lower) | char_mask(&tags);
                let mask = fuzzy_mask | char_mask(&c.topic) | char_mask(&answer_lower);
                Entry {
                    id: c.id.clone(),
                    question_lower,
                    question: c.question.clone(),
                    tags,
                    topic: c.topic.clone(),
                    answer_lower,
                    answer,
                    fixes,
                    mask,
                    fuzzy_mask,
                }
            })
            .collect();
        Searcher {
            entries,
            matcher: SkimMatcherV2::default().smart_case(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `query`; an empty query finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.search_in(query, limit, None).0
    }

    /// Like [`Searcher::search`], but only among `candidates` (indices of cards that matched a
    /// query this one extends) when given. Also returns the indices of every card that matched,
    /// for the next keystroke: typing more can only narrow the matches.
    pub fn search_in(
        &self,
        query: &str,
        limit: usize,
        candidates: Option<&[u32]>,
    ) -> (Vec<Hit>, Vec<u32>) {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let masks: Vec<u64> = words.iter().map(|w| char_mask(w)).collect();
        let mut scored: Vec<(i64, u32)> = Vec::new();
        let all: Vec<u32>;
        let indices: &[u32] = match candidates {
            Some(c) => c,
            None => {
                all = (0..self.entries.len() as u32).collect();
                &all
            }
        };
        for &idx in indices {
            let e = &self.entries[idx as usize];
            if let Some(score) = self.score(e, &words, &masks, false).map(|h| h.score) {
                scored.push((score, idx));
            }
        }
        let matched: Vec<u32> = scored.iter().map(|(_, i)| *i).collect();
        // Only the shown hits get their snippet and positions.
        let by_rank = |a: &(i64, u32), b: &(i64, u32)| {
            b.0.cmp(&a.0).then_with(|| {
                self.entries[a.1 as usize]
                    .id
                    .cmp(&self.entries[b.1 as usize].id)
            })
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_rank);
            scored.truncate(limit);
        }
        scored.sort_by(by_rank);
        let hits = scored
            .iter()
            .filter_map(|(_, idx)| self.score(&self.entries[*idx as usize], &words, &masks, true))
            .collect();
        (hits, matched)
    }

    /// Scores one card against every query word; `None` when a word matches nowhere.
    fn score(&self, e: &Entry, words: &[String], masks: &[u64], detail: bool) -> Option<Hit> {
        let mut total = 0i64;
        let mut q_positions: Vec<usize> = Vec::new();
        let mut best_field = Field::Question;
        let mut answer_hit: Option<usize> = None;
        for (w, &wm) in words.iter().zip(masks) {
            if e.mask & wm != wm {
                return None;
            }
            let wl = w.chars().count() as i64;
            // Whole substrings first (cheap); fuzzy matching only when the word is found nowhere
            // as it is, to catch typos in questions and tags.
            let (score, field) = if let Some(i) = e.question_lower.find(w.as_str()) {
                if detail {
                    let first = e.question_lower[..i].chars().count();
                    q_positions.extend(first..first + w.chars().count());
                }
                let boundary =
                    i == 0 || !e.question_lower.as_bytes()[i - 1].is_ascii_alphanumeric();
                (if boundary { 260 } else { 200 } + 10 * wl, Field::Question)
            } else if e.tags.contains(w.as_str()) {
                (180 + 5 * wl, Field::Tags)
            } else if e.topic.contains(w.as_str()) {
                (160 + 5 * wl, Field::Topic)
            } else if let Some(i) = e.answer_lower.find(w.as_str()) {
                answer_hit.get_or_insert(i);
                (120 + 5 * wl, Field::Answer)
            } else if e.fuzzy_mask & wm == wm {
                let fuzzy = if detail {
                    self.matcher.fuzzy_indices(&e.question_lower, w)
                } else {
                    self.matcher
                        .fuzzy_match(&e.question_lower, w)
                        .map(|s| (s, Vec::new()))
                };
                match fuzzy {
                    Some((s, pos)) if s >= 8 * wl => {
                        q_positions.extend(pos);
                        (s, Field::Question)
                    }
                    _ => match self.matcher.fuzzy_match(&e.tags, w) {
                        Some(s) if !e.tags.is_empty() && s >= 8 * wl => (s / 2, Field::Tags),
                        _ => return None,
                    },
                }
            } else {
                return None;
            };
            total += score;
            if !detail {
                continue;
            }
            if field != Field::Question && best_field == Field::Question && q_positions.is_empty() {
                best_field = field;
            }
        }
        if !detail {
            return Some(Hit {
                card_id: String::new(),
                field: best_field,
                score: total,
                snippet: String::new(),
                positions: Vec::new(),
                corrections: Vec::new(),
            });
        }
        let mut corrections = Vec::new();
        let (field, snippet, positions) = if !q_positions.is_empty() || best_field != Field::Answer
        {
            q_positions.sort_unstable();
            q_positions.dedup();
            let field = if q_positions.is_empty() {
                best_field
            } else {
                Field::Question
            };
            (field, e.question.clone(), q_positions)
        } else {
            let marks: Vec<(usize, usize)> = e.fixes.iter().map(|(a, b, _)| (*a, *b)).collect();
            let (snippet, positions, (from, to)) = answer_snippet(
                &e.answer,
                &e.answer_lower,
                answer_hit.unwrap_or(0),
                words,
                &marks,
            );
            corrections = e
                .fixes
                .iter()
                .filter(|(a, b, _)| *a < to && *b > from)
                .map(|(_, _, fix)| fix.clone())
                .collect();
            corrections.dedup();
            (Field::Answer, snippet, positions)
        };
        Some(Hit {
            card_id: e.id.clone(),
            field,
            score: total,
            snippet,
            positions,
            corrections,
        })
    }
}

/// Character ranges of the marked wrong passages in `text` (from `⟦` to the end of `✗N`) and
/// their correction numbers.
fn marked_passages(text: &str) -> Vec<(usize, usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != OPEN {
            i += 1;
            continue;
        }
        let Some(close) = (i..chars.len()).find(|&k| chars[k] == CLOSE) else {
            break;
        };
        let mut end = close + 1;
        let mut number = 0usize;
        if chars.get(end) == Some(&SIGN) {
            end += 1;
            while let Some(d) = chars.get(end).and_then(|c| c.to_digit(10)) {
                number = number * 10 + d as usize;
                end += 1;
            }
        }
        if number > 0 {
            out.push((i, end, number));
        }
        i = end;
    }
    out
}

/// About 80 characters of the answer around byte `at`, with the query words' characters marked,
/// and the snippet's character range in the answer. A marked wrong passage (`marks`, character
/// ranges) is never cut: the snippet grows to show it whole, mark included.
fn answer_snippet(
    answer: &str,
    lower: &str,
    at: usize,
    words: &[String],
    marks: &[(usize, usize)],
) -> (String, Vec<usize>, (usize, usize)) {
    // Lower-casing can change byte lengths; work in characters of the original.
    let chars: Vec<char> = answer.chars().collect();
    let at_char = lower
        .get(..at)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        .min(chars.len());
    let mut start = at_char.saturating_sub(20);
    let mut end = (start + 80).min(chars.len());
    for &(a, b) in marks {
        if a < start && start < b {
            start = a;
        }
        if a < end && end < b {
            end = b.min(chars.len());
        }
    }
    let snippet: String = chars[start..end].iter().collect();
    let snippet_lower = snippet.to_lowercase();
    let mut positions = Vec::new();
    for w in words {
        if let Some(i) = snippet_lower.find(w.as_str()) {
            let first = snippet_lower[..i].chars().count();
            positions.extend(first..first + w.chars().count());
        }
    }
    positions.sort_unstable();
    positions.dedup();
    (snippet, positions, (start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;

    fn searcher() -> (Searcher, deck::Library) {
        let lib = deck::Library::from_decks(deck::builtin_decks());
        (Searcher::new(lib.cards()), lib)
    }

    #[test]
    fn finds_questions_first_with_positions() {
        let (s, lib) = searcher();
        let hits = s.search("envelope", 5);
        assert!(!hits.is_empty());
        let top = &hits[0];
        assert_eq!(top.field, Field::Question);
        assert!(
            lib.card(&top.card_id)
                .unwrap()
                .question
                .to_lowercase()
                .contains("envelope")
        );
        let marked: String = top
            .positions
            .iter()
            .map(|&i| top.snippet.chars().nth(i).unwrap())
            .collect();
        assert_eq!(marked.to_lowercase(), "envelope");
    }

    #[test]
    fn every_word_must_match_and_answers_are_searched() {
        let (s, _) = searcher();
        assert!(s.search("zzqqxx", 10).is_empty());
        assert!(s.search("", 10).is_empty());
        let hits = s.search("AccessDenied", 20);
        assert!(!hits.is_empty());
        let kms_sts = s.search("kms grant", 10);
        assert!(!kms_sts.is_empty());
    }

    #[test]
    fn words_found_whole_rank_above_scattered_letters() {
        let (s, lib) = searcher();
        let hits = s.search("scp admin", 3);
        let top = lib.card(&hits[0].card_id).unwrap();
        // The searched text: question, answer and, for a scenario, its steps' answers.
        let mut text = format!("{} {}", top.question, top.answer);
        for step in top.scenario.iter().flat_map(|s| &s.steps) {
            text.push(' ');
            text.push_str(&step.answer);
        }
        let text = text.to_lowercase();
        assert!(text.contains("scp") && text.contains("admin"), "{}", top.id);
    }

    #[test]
    fn narrowing_within_the_last_matches_gives_the_same_hits() {
        let (s, _) = searcher();
        for (before, after) in [
            ("k", "kms"),
            ("kms", "kms key"),
            ("kms key", "kms key polic"),
            ("env", "envlope"),
        ] {
            let (_, candidates) = s.search_in(before, 1000, None);
            let (narrowed, _) = s.search_in(after, 1000, Some(&candidates));
            assert_eq!(narrowed, s.search(after, 1000), "{before} -> {after}");
        }
    }

    #[test]
    fn typos_still_find_the_card() {
        let (s, lib) = searcher();
        let hits = s.search("envlope encrption", 5);
        assert!(hits.iter().any(|h| {
            lib.card(&h.card_id)
                .unwrap()
                .question
                .to_lowercase()
                .contains("envelope")
        }));
    }
}
