//! Search over cards: questions, ids, tags, topics and answers. Every query word must match
//! somewhere in the card. A word found whole (a plural `s` aside) ranks above a word found as the
//! start of a longer word, which ranks above one found inside a word; a card's rank is its weakest
//! word's. Letters scattered in a question or tags (fuzzy matching, crate `fuzzy-matcher`, the skim
//! algorithm) only count when no card has the words themselves, to catch typos. Within a rank,
//! questions weigh more than ids, tags and topics, which weigh more than answers, and the whole
//! query found as a phrase adds more. Matched positions are returned for highlighting.
//!
//! The cards that have a word are found through an index of every card's words (module `index`), so
//! a keystroke does not read every card; only the shown hits and the typo pass read card text.

mod index;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use index::{FIELDS, Found, WordIndex, field_of, found, is_plain, tier_of};

use crate::deck::learner::{CLOSE, OPEN, SIGN};
use crate::deck::markup::to_plain;
use crate::deck::model::Card;

/// Which text of a card matched best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Question,
    Id,
    Tags,
    Topic,
    Answer,
}

impl Field {
    fn weight(self) -> i64 {
        match self {
            Field::Question => 5,
            Field::Id => 4,
            Field::Tags | Field::Topic => 3,
            Field::Answer => 1,
        }
    }
}

/// How a query word was found in a text, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Its letters scattered (a typo).
    Fuzzy,
    /// Inside a longer word.
    Inside,
    /// The start of a longer word.
    Prefix,
    /// A whole word (or its plural).
    Word,
}

/// Whether a letter or digit ends `before` (curly quotes and dashes are not letters).
fn letter_before(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// The best way `w` occurs in `hay` (both lower case), with its byte index.
fn find_word(hay: &str, w: &str) -> Option<(Tier, usize)> {
    let bytes = hay.as_bytes();
    let mut best: Option<(Tier, usize)> = None;
    for (i, _) in hay.match_indices(w) {
        let starts = !letter_before(&hay[..i]);
        let end = i + w.len();
        let rest = &bytes[end..];
        let letter_at = |k: usize| {
            hay[end + k..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        };
        let plural = match rest {
            [b's', ..] => !letter_at(1),
            [b'e', b's', ..] => !letter_at(2),
            _ => false,
        };
        let ends = !letter_at(0) || plural;
        let tier = match (starts, ends) {
            (true, true) => Tier::Word,
            (true, false) => Tier::Prefix,
            _ => Tier::Inside,
        };
        if best.is_none_or(|(t, _)| tier > t) {
            best = Some((tier, i));
            if tier == Tier::Word {
                break;
            }
        }
    }
    best
}

/// [`find_word`], also trying a plural query word without its `s` (`lifetimes` finds `lifetime`).
fn find_stem(hay: &str, w: &str) -> Option<(Tier, usize)> {
    let found = find_word(hay, w);
    if found.is_some_and(|(t, _)| t == Tier::Word) {
        return found;
    }
    match w.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 => match (found, find_word(hay, stem)) {
            (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
            (a, b) => a.or(b),
        },
        _ => found,
    }
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
    /// The id as it is and as words (`sts-credential-lifetimes sts credential lifetimes`).
    id_words: String,
    question: String,
    question_lower: String,
    tags: String,
    /// The topic's slug as words and its title, lower case.
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

/// Whether the bytes of `w` occur in `hay` in order: what a fuzzy match needs at least, found
/// much quicker than the match.
fn in_order(hay: &str, w: &str) -> bool {
    let hay = hay.as_bytes();
    let mut at = 0;
    for b in w.bytes() {
        match memchr::memchr(b, &hay[at..]) {
            Some(i) => at += i + 1,
            None => return false,
        }
    }
    true
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

/// An index of cards for search.
pub struct Searcher {
    entries: Vec<Entry>,
    /// Every word of every card, for finding a query word's cards without reading them all.
    index: WordIndex,
    /// Each card's place when the cards are sorted by id.
    id_order: Vec<u32>,
    /// Each card's `fuzzy_mask`, side by side: most cards are ruled out by it alone.
    fuzzy_masks: Vec<u64>,
    matcher: SkimMatcherV2,
}

/// How much of an answer is searched.
const ANSWER_CHARS: usize = 400;

/// Candidates from the last query are read one by one, instead of the index, when they are
/// fewer than one card in this many.
const SCAN_SHARE: usize = 16;

impl Searcher {
    pub fn new<'a>(cards: impl Iterator<Item = &'a Card>) -> Searcher {
        let entries: Vec<Entry> = cards
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
                let id_lower = c.id.to_lowercase();
                let id_words = format!("{id_lower} {}", id_lower.replace(['-', '_', '.'], " "));
                let topic = format!(
                    "{} {}",
                    c.topic.replace('-', " "),
                    crate::deck::model::topic_title(&c.topic).to_lowercase()
                );
                let mask = fuzzy_mask
                    | char_mask(&topic)
                    | char_mask(&id_words)
                    | char_mask(&answer_lower);
                Entry {
                    id: c.id.clone(),
                    id_words,
                    question_lower,
                    question: c.question.clone(),
                    tags,
                    topic,
                    answer_lower,
                    answer,
                    fixes,
                    mask,
                    fuzzy_mask,
                }
            })
            .collect();
        let index = WordIndex::new(entries.iter().map(|e| {
            [
                e.question_lower.as_str(),
                e.id_words.as_str(),
                e.tags.as_str(),
                e.topic.as_str(),
                e.answer_lower.as_str(),
            ]
        }));
        let mut by_id: Vec<u32> = (0..entries.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| entries[a as usize].id.cmp(&entries[b as usize].id));
        let mut id_order = vec![0; entries.len()];
        for (place, &card) in by_id.iter().enumerate() {
            id_order[card as usize] = place as u32;
        }
        Searcher {
            fuzzy_masks: entries.iter().map(|e| e.fuzzy_mask).collect(),
            entries,
            index,
            id_order,
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
    ///
    /// Scattered letters only stand in when no card has the words themselves, so cards are first
    /// ranked by the words alone; only when none has them does a second pass, over every card
    /// (candidates hold no card found by scattered letters), try the letters.
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
        let phrase = (words.len() > 1).then(|| words.join(" "));
        // Few candidates are quicker to read than the index.
        let scan = candidates.filter(|c| c.len() * SCAN_SHARE < self.entries.len());
        let mut scored = self.by_words(&words, &masks, phrase.as_deref(), scan);
        if scored.is_empty() {
            scored = self.by_letters(&words, &masks, phrase.as_deref(), false);
        }
        let matched: Vec<u32> = scored.iter().map(|(_, _, i)| *i).collect();
        // Only the shown hits get their snippet and positions.
        // Ties go by card id (its place among the ids: no text is read while ranking).
        let by_rank = |a: &(Tier, i64, u32), b: &(Tier, i64, u32)| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then_with(|| self.id_order[a.2 as usize].cmp(&self.id_order[b.2 as usize]))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_rank);
            scored.truncate(limit);
        }
        scored.sort_by(by_rank);
        let hits = scored
            .iter()
            .filter_map(|(_, score, idx)| {
                let mut hit = self.score(&self.entries[*idx as usize], &words, &masks, true)?;
                hit.score = *score;
                Some(hit)
            })
            .collect();
        (hits, matched)
    }

    /// The cards that have every query word (whole, as the start of a word, or inside one), with
    /// their rank: among `scan` only, read card by card, when given; else all, from the index.
    fn by_words(
        &self,
        words: &[String],
        masks: &[u64],
        phrase: Option<&str>,
        scan: Option<&[u32]>,
    ) -> Vec<(Tier, i64, u32)> {
        if let Some(indices) = scan {
            return self.read_cards(indices.iter().copied(), words, masks, phrase, false);
        }
        let per_word: Vec<Vec<Found>> = words
            .iter()
            .zip(masks)
            .map(|(w, &wm)| self.exact(w, wm))
            .collect();
        self.combine(words, &per_word, phrase)
    }

    /// The cards that have every query word, or its letters scattered in their question or tags
    /// (a typo), with their rank: from the index and the cards that lack a word, or when
    /// `read_all`, card by card.
    fn by_letters(
        &self,
        words: &[String],
        masks: &[u64],
        phrase: Option<&str>,
        read_all: bool,
    ) -> Vec<(Tier, i64, u32)> {
        if read_all {
            let all = 0..self.entries.len() as u32;
            return self.read_cards(all, words, masks, phrase, true);
        }
        let mut alive = vec![true; self.entries.len()];
        let mut per_word: Vec<Vec<Found>> = Vec::with_capacity(words.len());
        for (w, &wm) in words.iter().zip(masks) {
            let mut best = self.exact(w, wm);
            for (i, e) in self.entries.iter().enumerate() {
                if !alive[i] || best[i] != 0 {
                    continue;
                }
                if self.fuzzy_masks[i] & wm != wm {
                    alive[i] = false;
                    continue;
                }
                match self.scattered(e, w, wm) {
                    Some(field) => {
                        let f = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
                        best[i] = found(Tier::Fuzzy, f);
                    }
                    None => alive[i] = false,
                }
            }
            per_word.push(best);
        }
        self.combine(words, &per_word, phrase)
    }

    /// Each card's rank from how each query word was found in it (cards lacking one are left out).
    fn combine(
        &self,
        words: &[String],
        per_word: &[Vec<Found>],
        phrase: Option<&str>,
    ) -> Vec<(Tier, i64, u32)> {
        let mut scored = Vec::new();
        'cards: for (i, e) in self.entries.iter().enumerate() {
            let mut tier = Tier::Word;
            let mut total = 0i64;
            for (w, best) in words.iter().zip(per_word) {
                let f = best[i];
                if f == 0 {
                    continue 'cards;
                }
                let t = tier_of(f);
                tier = tier.min(t);
                total += (t as i64) * 100 + field_of(f).weight() * 10 + w.len() as i64;
            }
            if let Some(p) = phrase
                && (e.question_lower.contains(p) || e.answer_lower.contains(p))
            {
                total += 300;
            }
            scored.push((tier, total, i as u32));
        }
        scored
    }

    /// How query word `w` is found in each card, whole, as the start of a word or inside one (0:
    /// not found).
    fn exact(&self, w: &str, wm: u64) -> Vec<Found> {
        let n = self.entries.len();
        let mut best = vec![0; n];
        if is_plain(w) {
            self.index.find(w, &mut best);
            if let Some(stem) = w.strip_suffix('s')
                && stem.len() >= 3
            {
                self.index.find(stem, &mut best);
            }
            return best;
        }
        // Punctuation spans words: read the cards that have each of its words' letters.
        let mut have = vec![true; n];
        for piece in w.split(|c: char| !c.is_alphanumeric()) {
            if piece.is_empty() {
                continue;
            }
            let mut seen = vec![false; n];
            self.index.cards_containing(piece, &mut seen);
            for (h, s) in have.iter_mut().zip(seen) {
                *h &= s;
            }
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !have[i] || e.mask & wm != wm {
                continue;
            }
            if let Some((t, field)) = self.best_field(e, w, wm, false) {
                let f = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
                best[i] = found(t, f);
            }
        }
        best
    }

    /// The cards of `indices` that have every query word, with their rank, read card by card.
    fn read_cards(
        &self,
        indices: impl Iterator<Item = u32>,
        words: &[String],
        masks: &[u64],
        phrase: Option<&str>,
        fuzzy: bool,
    ) -> Vec<(Tier, i64, u32)> {
        indices
            .filter_map(|idx| {
                let e = &self.entries[idx as usize];
                let (tier, total) = self.rank(e, words, masks, phrase, fuzzy)?;
                Some((tier, total, idx))
            })
            .collect()
    }

    /// A card's rank for the query: its weakest word's tier, and a score from how and where each
    /// word (and the whole query as a phrase) was found. `None` when a word matches nowhere.
    fn rank(
        &self,
        e: &Entry,
        words: &[String],
        masks: &[u64],
        phrase: Option<&str>,
        fuzzy: bool,
    ) -> Option<(Tier, i64)> {
        let mut tier = Tier::Word;
        let mut total = 0i64;
        for (w, &wm) in words.iter().zip(masks) {
            if e.mask & wm != wm {
                return None;
            }
            let (t, field) = self.best_field(e, w, wm, fuzzy)?;
            tier = tier.min(t);
            total += (t as i64) * 100 + field.weight() * 10 + w.len() as i64;
        }
        if let Some(p) = phrase
            && (e.question_lower.contains(p) || e.answer_lower.contains(p))
        {
            total += 300;
        }
        Some((tier, total))
    }

    /// How and where one query word is found best in a card.
    fn best_field(&self, e: &Entry, w: &str, wm: u64, fuzzy: bool) -> Option<(Tier, Field)> {
        let mut best: Option<(Tier, Field)> = None;
        for (field, hay) in [
            (Field::Question, &e.question_lower),
            (Field::Id, &e.id_words),
            (Field::Tags, &e.tags),
            (Field::Topic, &e.topic),
            (Field::Answer, &e.answer_lower),
        ] {
            if let Some((t, _)) = find_stem(hay, w)
                && best.is_none_or(|(bt, _)| t > bt)
            {
                best = Some((t, field));
                if t == Tier::Word {
                    // Fields come heaviest first: nothing later beats a whole word here.
                    break;
                }
            }
        }
        if best.is_some() || !fuzzy {
            return best;
        }
        self.scattered(e, w, wm).map(|field| (Tier::Fuzzy, field))
    }

    /// Where the letters of `w` are found scattered, in order, in a card's question or tags,
    /// closely enough to be a typo of it (skim fuzzy matching).
    fn scattered(&self, e: &Entry, w: &str, wm: u64) -> Option<Field> {
        if e.fuzzy_mask & wm != wm {
            return None;
        }
        let wl = w.chars().count() as i64;
        let close = |hay: &str| {
            in_order(hay, w)
                && self
                    .matcher
                    .fuzzy_match(hay, w)
                    .is_some_and(|s| s >= 8 * wl)
        };
        if close(&e.question_lower) {
            Some(Field::Question)
        } else if !e.tags.is_empty() && close(&e.tags) {
            Some(Field::Tags)
        } else {
            None
        }
    }

    /// The hit shown for a matched card: the question with the query words marked, or for a card
    /// matched in its answer the part of the answer that matched.
    fn score(&self, e: &Entry, words: &[String], masks: &[u64], _detail: bool) -> Option<Hit> {
        let mut q_positions: Vec<usize> = Vec::new();
        let mut fields: Vec<Field> = Vec::new();
        let mut answer_hit: Option<usize> = None;
        for (w, &wm) in words.iter().zip(masks) {
            let (_, field) = self.best_field(e, w, wm, true)?;
            fields.push(field);
            match field {
                Field::Question => match find_stem(&e.question_lower, w) {
                    Some((_, i)) => {
                        let first = e.question_lower[..i].chars().count();
                        let len = w.chars().count().min(e.question_lower[i..].chars().count());
                        q_positions.extend(first..first + len);
                    }
                    None => {
                        if let Some((_, pos)) = self.matcher.fuzzy_indices(&e.question_lower, w) {
                            q_positions.extend(pos);
                        }
                    }
                },
                Field::Answer => {
                    if let Some((_, i)) = find_stem(&e.answer_lower, w) {
                        answer_hit.get_or_insert(i);
                    }
                }
                _ => {}
            }
        }
        let mut corrections = Vec::new();
        let in_answer_only = fields.iter().all(|f| *f == Field::Answer);
        let (field, snippet, positions) = if !in_answer_only {
            q_positions.sort_unstable();
            q_positions.dedup();
            let field = if q_positions.is_empty() {
                fields
                    .iter()
                    .copied()
                    .find(|f| *f != Field::Answer)
                    .unwrap_or(Field::Question)
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
            score: 0,
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
        // Typed a key at a time, through words found whole, typos found by scattered letters
        // only, and back: each keystroke narrowed from the last equals a fresh search.
        for typed in [
            "envlope encrption",
            "passrole",
            "credential lifetimes",
            "kms xqz",
        ] {
            let mut candidates: Option<Vec<u32>> = None;
            for end in 1..=typed.len() {
                let query = &typed[..end];
                let (hits, next) = s.search_in(query, 1000, candidates.as_deref());
                assert_eq!(hits, s.search(query, 1000), "{query:?}");
                // A space starts a new word: the next query still extends this one.
                candidates = Some(next);
            }
        }
    }

    /// Reading the index finds the same cards, ranked the same, as reading every card, for
    /// queries made of pieces of the decks' words, stray letters and punctuation.
    #[test]
    fn the_index_ranks_like_reading_every_card() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let (s, lib) = searcher();
        let mut vocab: Vec<String> = lib
            .cards()
            .flat_map(|c| {
                format!("{} {} {}", c.id, c.question, c.answer)
                    .to_lowercase()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        vocab.sort();
        vocab.dedup();
        let piece =
            (prop::sample::select(vocab), any::<prop::sample::Index>()).prop_map(|(w, at)| {
                // A whole word, or its start, end or middle.
                let chars: Vec<char> = w.chars().collect();
                let from = at.index(chars.len());
                let to = (from + 1 + at.index(4)).min(chars.len());
                match at.index(4) {
                    0 => w,
                    1 => chars[..to].iter().collect(),
                    2 => chars[from..].iter().collect(),
                    _ => chars[from..to].iter().collect(),
                }
            });
        let word = prop_oneof![
            4 => piece,
            1 => "[a-z]{1,3}",
            1 => "[a-z0-9:/*().-]{1,6}",
            1 => prop::sample::select(vec!["iam:passrole", "s3:*", "kms-key", "é", "-", "(case"])
                .prop_map(str::to_string),
        ];
        let query = prop::collection::vec(word, 1..4).prop_map(|ws| ws.join(" "));
        let all: Vec<u32> = (0..s.len() as u32).collect();
        let mut runner = TestRunner::new(Config::with_cases(400));
        runner
            .run(&query, |q| {
                let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
                let masks: Vec<u64> = words.iter().map(|w| char_mask(w)).collect();
                let phrase = (words.len() > 1).then(|| words.join(" "));
                let mut indexed = s.by_words(&words, &masks, phrase.as_deref(), None);
                let mut read = s.by_words(&words, &masks, phrase.as_deref(), Some(&all));
                indexed.sort();
                read.sort();
                prop_assert_eq!(indexed, read, "{:?}", q);
                // The quick test for letters in order never rules out a fuzzy match.
                for w in &words {
                    for e in &s.entries {
                        for hay in [&e.question_lower, &e.tags] {
                            if s.matcher.fuzzy_match(hay, w).is_some() {
                                prop_assert!(in_order(hay, w), "{:?} in {:?}", w, hay);
                            }
                        }
                    }
                }
                let mut indexed = s.by_letters(&words, &masks, phrase.as_deref(), false);
                let mut read = s.by_letters(&words, &masks, phrase.as_deref(), true);
                indexed.sort();
                read.sort();
                prop_assert_eq!(indexed, read, "{:?}", q);
                Ok(())
            })
            .unwrap();
    }

    /// Everything of a card the search looks at, lower case (the answer in full).
    fn card_text(lib: &deck::Library, id: &str) -> String {
        let c = lib.card(id).unwrap();
        let mut text = format!(
            "{} {} {} {} {}",
            c.id,
            c.question,
            c.tags.join(" "),
            c.topic,
            c.answer
        );
        if let Some(t) = &c.table {
            text.push_str(&t.headers.join(" "));
            for r in &t.rows {
                text.push(' ');
                text.push_str(&r.join(" "));
            }
        }
        for step in c.scenario.iter().flat_map(|s| &s.steps) {
            text.push(' ');
            text.push_str(&step.answer);
        }
        text.to_lowercase()
    }

    #[test]
    fn words_rank_whole_then_prefix_then_inside() {
        assert_eq!(
            find_word("iam:passrole lets", "passrole").unwrap().0,
            Tier::Word
        );
        assert_eq!(
            find_word("passroles", "passrole").unwrap().0,
            Tier::Word,
            "a plural"
        );
        assert_eq!(find_word("passrole", "pass").unwrap().0, Tier::Prefix);
        assert_eq!(find_word("iam:passrole", "role").unwrap().0, Tier::Inside);
        // The best occurrence wins, wherever it is.
        assert_eq!(
            find_word("passrole and role", "role"),
            Some((Tier::Word, 13))
        );
        assert_eq!(
            find_stem("credential lifetime", "lifetimes").unwrap().0,
            Tier::Word
        );
        assert_eq!(find_word("abc", "x"), None);
        // Curly quotes and dashes are not letters; accented letters are.
        assert_eq!(
            find_word("the “confused deputy”", "confused").unwrap().0,
            Tier::Word
        );
        assert_eq!(
            find_word("the “confused deputy”", "deputy").unwrap().0,
            Tier::Word
        );
        assert_eq!(find_word("réseau", "seau").unwrap().0, Tier::Inside);
    }

    #[test]
    fn passrole_finds_the_passrole_cards_and_nothing_else() {
        // Expected before running: iam-passrole first (its question names iam:PassRole), then
        // only cards that mention PassRole somewhere.
        let (s, lib) = searcher();
        let hits = s.search("passrole", 50);
        assert_eq!(hits[0].card_id, "iam-passrole", "{hits:#?}");
        for h in &hits {
            assert!(
                card_text(&lib, &h.card_id).contains("passrole"),
                "{}",
                h.card_id
            );
        }
    }

    #[test]
    fn credential_lifetimes_finds_the_lifetime_table() {
        // Expected before running: sts-credential-lifetimes ("How long do temporary credentials
        // from each STS call last?") first, found by its id; every hit has both words.
        let (s, lib) = searcher();
        let hits = s.search("credential lifetimes", 20);
        assert_eq!(
            hits.first().map(|h| h.card_id.as_str()),
            Some("sts-credential-lifetimes")
        );
        assert_eq!(hits[0].field, Field::Question, "{hits:#?}");
        for h in &hits {
            let text = card_text(&lib, &h.card_id);
            assert!(
                text.contains("credential") && text.contains("lifetime"),
                "{}",
                h.card_id
            );
        }
    }

    #[test]
    fn ids_and_topic_titles_are_searched() {
        let (s, lib) = searcher();
        let hits = s.search("iam-passrole", 5);
        assert_eq!(hits[0].card_id, "iam-passrole");
        let topic = lib.card("iam-passrole").unwrap().topic.clone();
        let title = crate::deck::model::topic_title(&topic).to_lowercase();
        let hits = s.search(&title, 500);
        assert!(!hits.is_empty(), "{title}");
        assert!(hits.iter().any(|h| h.card_id == "iam-passrole"), "{title}");
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
