//! The words of every card, for finding the cards that contain a query word without reading
//! every card: each distinct word (a run of letters and digits, lower case) with the cards and
//! fields it occurs in. A query word made of letters and digits only occurs inside one word of a
//! text, so the words that contain it tell how it is found in each card: as a whole word (or its
//! plural), as the start of a word, or inside one, exactly as [`super::find_word`] finds it in
//! the text.

use memchr::memmem;

use super::{Field, Tier};
use crate::srs::fxhash::FxHashMap;

/// The fields in the order they are weighed, heaviest first (the index of a field's bit).
pub(super) const FIELDS: [Field; 5] = [
    Field::Question,
    Field::Id,
    Field::Tags,
    Field::Topic,
    Field::Answer,
];

/// How a query word is found best in one card, as one byte that compares like the finding:
/// the higher tier wins, then the heavier field. 0: not found.
pub(super) type Found = u8;

pub(super) fn found(tier: Tier, field: usize) -> Found {
    (tier as u8) << 3 | (7 - field as u8)
}

pub(super) fn tier_of(f: Found) -> Tier {
    match f >> 3 {
        3 => Tier::Word,
        2 => Tier::Prefix,
        1 => Tier::Inside,
        _ => Tier::Fuzzy,
    }
}

pub(super) fn field_of(f: Found) -> Field {
    FIELDS[(7 - (f & 7)) as usize]
}

/// The runs of letters and digits in `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Whether `w` is one word to the index: letters and digits only.
pub(super) fn is_plain(w: &str) -> bool {
    !w.is_empty() && w.chars().all(char::is_alphanumeric)
}

pub(super) struct WordIndex {
    /// The distinct words, sorted, each followed by a newline (never part of a word).
    text: String,
    /// Where each word starts in `text`, in order.
    starts: Vec<u32>,
    /// Where each word's postings start in `postings`, and one past the last.
    spans: Vec<u32>,
    /// Per word, the cards and fields it occurs in: card index × 8 + field, ascending.
    postings: Vec<u32>,
}

impl WordIndex {
    /// The index of `cards`, each given as its five fields' texts in [`FIELDS`] order, lower case.
    pub(super) fn new<'a>(cards: impl Iterator<Item = [&'a str; 5]>) -> WordIndex {
        let mut ids: FxHashMap<&'a str, u32> = FxHashMap::default();
        let mut lists: Vec<Vec<u32>> = Vec::new();
        for (card, fields) in cards.enumerate() {
            for (field, text) in fields.into_iter().enumerate() {
                let posting = (card as u32) << 3 | field as u32;
                for w in words(text) {
                    let id = *ids.entry(w).or_insert_with(|| {
                        lists.push(Vec::new());
                        lists.len() as u32 - 1
                    });
                    let list = &mut lists[id as usize];
                    if list.last() != Some(&posting) {
                        list.push(posting);
                    }
                }
            }
        }
        let mut sorted: Vec<(&str, u32)> = ids.into_iter().collect();
        sorted.sort_unstable();
        let mut index = WordIndex {
            text: String::new(),
            starts: Vec::with_capacity(sorted.len()),
            spans: Vec::with_capacity(sorted.len() + 1),
            postings: Vec::with_capacity(lists.iter().map(Vec::len).sum()),
        };
        for (w, id) in sorted {
            index.starts.push(index.text.len() as u32);
            index.text.push_str(w);
            index.text.push('\n');
            index.spans.push(index.postings.len() as u32);
            index.postings.extend_from_slice(&lists[id as usize]);
        }
        index.spans.push(index.postings.len() as u32);
        index
    }

    fn word(&self, i: usize) -> &str {
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        &self.text[self.starts[i] as usize..end - 1]
    }

    fn postings(&self, i: usize) -> &[u32] {
        &self.postings[self.spans[i] as usize..self.spans[i + 1] as usize]
    }

    /// Raises `best[card]` to how `w` (letters and digits, lower case) is found in each card
    /// that has it: a whole word, the word with `s` or `es` after it, the start of a word, or
    /// inside one, in whichever field that is best.
    pub(super) fn find(&self, w: &str, best: &mut [Found]) {
        debug_assert!(is_plain(w));
        let mut mark = |i: usize, tier: Tier| {
            for &p in self.postings(i) {
                let f = found(tier, (p & 7) as usize);
                let b = &mut best[(p >> 3) as usize];
                if f > *b {
                    *b = f;
                }
            }
        };
        // Words that start with `w` are together in the sorted list.
        let from = self.words_from(w);
        let mut i = from;
        while i < self.starts.len() {
            let word = self.word(i);
            let Some(rest) = word.strip_prefix(w) else {
                break;
            };
            let whole = matches!(rest, "" | "s" | "es");
            mark(i, if whole { Tier::Word } else { Tier::Prefix });
            i += 1;
        }
        // Words that have `w` after their first letter.
        let finder = memmem::Finder::new(w.as_bytes());
        let text = self.text.as_bytes();
        let mut at = 0;
        while let Some(pos) = finder.find(&text[at..]) {
            let pos = at + pos;
            let word = self.starts.partition_point(|&s| s as usize <= pos) - 1;
            let next = self
                .starts
                .get(word + 1)
                .map_or(text.len(), |&s| s as usize);
            if pos != self.starts[word] as usize {
                mark(word, Tier::Inside);
            }
            at = next;
        }
    }

    /// The first word that is not before `w` in the sorted list.
    fn words_from(&self, w: &str) -> usize {
        let (mut lo, mut hi) = (0, self.starts.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.word(mid) < w {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Marks every card where some word contains `piece` (letters and digits, lower case).
    pub(super) fn cards_containing(&self, piece: &str, seen: &mut [bool]) {
        let finder = memmem::Finder::new(piece.as_bytes());
        let text = self.text.as_bytes();
        let mut at = 0;
        while let Some(pos) = finder.find(&text[at..]) {
            let pos = at + pos;
            let word = self.starts.partition_point(|&s| s as usize <= pos) - 1;
            for &p in self.postings(word) {
                seen[(p >> 3) as usize] = true;
            }
            at = self
                .starts
                .get(word + 1)
                .map_or(text.len(), |&s| s as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(cards: &[[&'static str; 5]]) -> WordIndex {
        WordIndex::new(cards.iter().copied())
    }

    fn finds(ix: &WordIndex, n: usize, w: &str) -> Vec<Option<(Tier, Field)>> {
        let mut best = vec![0; n];
        ix.find(w, &mut best);
        best.iter()
            .map(|&f| (f != 0).then(|| (tier_of(f), field_of(f))))
            .collect()
    }

    #[test]
    fn finds_whole_words_prefixes_and_insides_in_the_best_field() {
        let ix = index(&[
            [
                "what is iam:passrole?",
                "iam-passrole",
                "",
                "iam",
                "pass a role",
            ],
            [
                "roles and policies",
                "roles",
                "",
                "iam",
                "a role is assumed",
            ],
            ["", "x", "", "", "passroles everywhere"],
        ]);
        assert_eq!(
            finds(&ix, 3, "passrole"),
            vec![
                Some((Tier::Word, Field::Question)),
                None,
                Some((Tier::Word, Field::Answer)),
            ]
        );
        assert_eq!(
            finds(&ix, 3, "role"),
            vec![
                // "role" in the answer is whole; in the question it is inside "passrole".
                Some((Tier::Word, Field::Answer)),
                Some((Tier::Word, Field::Question)),
                Some((Tier::Inside, Field::Answer)),
            ]
        );
        assert_eq!(
            finds(&ix, 3, "pol"),
            vec![None, Some((Tier::Prefix, Field::Question)), None]
        );
        assert_eq!(finds(&ix, 3, "zz"), vec![None, None, None]);
        // The found byte orders findings: tier first, then the heavier field.
        assert!(found(Tier::Word, 4) > found(Tier::Prefix, 0));
        assert!(found(Tier::Word, 0) > found(Tier::Word, 1));
    }

    #[test]
    fn a_word_found_twice_inside_one_word_counts_once() {
        let ix = index(&[["kk kkk", "", "", "", ""]]);
        assert_eq!(
            finds(&ix, 1, "k"),
            vec![Some((Tier::Prefix, Field::Question))]
        );
        let mut seen = vec![false; 1];
        ix.cards_containing("kk", &mut seen);
        assert_eq!(seen, vec![true]);
    }
}
