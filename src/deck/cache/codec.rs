//! The binary layout of a cached deck: every string as a length and its UTF-8 bytes, every
//! list as a length and its items, lengths and numbers as LEB128 varints, enums and options as
//! one byte. Reading allocates each string and list at its exact size, once.
//!
//! serde's binary formats cannot read the model's serde derives back (fields skipped when
//! empty, untagged key points), so the layout is written out here. Each encoder destructures
//! its type completely: a field added to the model does not compile until it is encoded.
//!
//! Decoding never panics and never trusts a length: a length larger than the bytes left, an
//! unknown tag, invalid UTF-8 or bytes left over make the whole entry unreadable (`None`).

use crate::deck::index::DeckIndex;
use crate::deck::model::{
    Card, CardKind, Claim, Correction, Deck, Difficulty, KeyPoint, Scenario, Step, Table,
    TopicInfo, Variant,
};

/// Appends encoded values to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u64(&mut self, mut v: u64) {
        loop {
            let low = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                self.bytes.push(low);
                return;
            }
            self.bytes.push(low | 0x80);
        }
    }

    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: &Option<String>) {
        match s {
            None => self.bytes.push(0),
            Some(s) => {
                self.bytes.push(1);
                self.str(s);
            }
        }
    }

    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }

    /// Writes what `f` writes as one length-prefixed section, which a reader can skip whole.
    pub fn section(&mut self, f: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        f(&mut inner);
        self.len(inner.bytes.len());
        self.bytes.extend_from_slice(&inner.bytes);
    }

    fn list<T>(&mut self, v: &[T], mut item: impl FnMut(&mut Writer, &T)) {
        self.len(v.len());
        for x in v {
            item(self, x);
        }
    }
}

/// Reads encoded values from a byte slice.
#[derive(Debug)]
pub struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    pub fn new(bytes: &'b [u8]) -> Reader<'b> {
        Reader { bytes, at: 0 }
    }

    /// How many bytes were read.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Whether every byte was read.
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// A length of a list whose items take at least one byte each, so never more than the
    /// bytes left: a damaged length cannot make a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    pub fn str(&mut self) -> Option<&'b str> {
        let n = self.len()?;
        let s = std::str::from_utf8(&self.bytes[self.at..self.at + n]).ok()?;
        self.at += n;
        Some(s)
    }

    /// A section written by [`Writer::section`], as a reader of its own; this reader moves
    /// past it.
    pub fn section(&mut self) -> Option<Reader<'b>> {
        let n = self.len()?;
        let inner = Reader::new(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Some(inner)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(String::from)
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.list(Reader::string)
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Reader<'b>) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(item(self)?);
        }
        Some(v)
    }
}

/// The index of a deck (see [`DeckIndex`]): the deck's own fields, then its card topics, its
/// card ids as one string, and (id end, topic) for each card.
pub fn write_index(w: &mut Writer, index: &DeckIndex) {
    let DeckIndex {
        id,
        title,
        description,
        topics,
        ..
    } = index;
    w.str(id);
    w.str(title);
    w.str(description);
    write_topics(w, topics);
    let (ids, cards, topic_names) = index.parts();
    w.strs(topic_names);
    w.str(ids);
    w.list(cards, |w, &(end, topic)| {
        w.u64(u64::from(end));
        w.u64(u64::from(topic));
    });
}

pub fn read_index(r: &mut Reader<'_>) -> Option<DeckIndex> {
    let head = (r.string()?, r.string()?, r.string()?, read_topics(r)?);
    let topic_names = r.strings()?;
    let ids = r.string()?;
    let cards = r.list(|r| Some((u32::try_from(r.u64()?).ok()?, u16::try_from(r.u64()?).ok()?)))?;
    DeckIndex::from_parts(head, ids, cards, topic_names)
}

fn write_topics(w: &mut Writer, topics: &[TopicInfo]) {
    w.list(topics, |w, t| {
        let TopicInfo {
            slug,
            title,
            description,
        } = t;
        w.str(slug);
        w.str(title);
        w.str(description);
    });
}

fn read_topics(r: &mut Reader<'_>) -> Option<Vec<TopicInfo>> {
    r.list(|r| {
        Some(TopicInfo {
            slug: r.string()?,
            title: r.string()?,
            description: r.string()?,
        })
    })
}

pub fn write_deck(w: &mut Writer, deck: &Deck) {
    let Deck {
        id,
        title,
        description,
        topics,
        cards,
    } = deck;
    w.str(id);
    w.str(title);
    w.str(description);
    write_topics(w, topics);
    w.list(cards, write_card);
}

pub fn read_deck(r: &mut Reader<'_>) -> Option<Deck> {
    Some(Deck {
        id: r.string()?,
        title: r.string()?,
        description: r.string()?,
        topics: read_topics(r)?,
        cards: r.list(read_card)?,
    })
}

fn write_card(w: &mut Writer, card: &Card) {
    let Card {
        id,
        kind,
        topic,
        tags,
        difficulty,
        question,
        answer,
        table,
        scenario,
        key_points,
        source,
        variants,
        corrections,
        note,
        references,
    } = card;
    w.str(id);
    w.bytes.push(match kind {
        CardKind::Basic => 0,
        CardKind::Table => 1,
        CardKind::Scenario => 2,
    });
    w.str(topic);
    w.strs(tags);
    w.bytes.push(match difficulty {
        Difficulty::Associate => 0,
        Difficulty::Professional => 1,
        Difficulty::Senior => 2,
    });
    w.str(question);
    w.str(answer);
    match table {
        None => w.bytes.push(0),
        Some(Table { headers, rows }) => {
            w.bytes.push(1);
            w.strs(headers);
            w.list(rows, |w, row| w.strs(row));
        }
    }
    match scenario {
        None => w.bytes.push(0),
        Some(Scenario { situation, steps }) => {
            w.bytes.push(1);
            w.str(situation);
            w.list(steps, write_step);
        }
    }
    w.list(key_points, write_key_point);
    w.opt_str(source);
    w.list(variants, |w, v| {
        let Variant {
            source,
            question,
            answer,
        } = v;
        w.str(source);
        w.str(question);
        w.str(answer);
    });
    w.list(corrections, |w, c| {
        let Correction {
            wrong,
            right,
            references,
        } = c;
        w.str(wrong);
        w.str(right);
        w.strs(references);
    });
    w.opt_str(note);
    w.strs(references);
}

fn read_card(r: &mut Reader<'_>) -> Option<Card> {
    Some(Card {
        id: r.string()?,
        kind: match r.byte()? {
            0 => CardKind::Basic,
            1 => CardKind::Table,
            2 => CardKind::Scenario,
            _ => return None,
        },
        topic: r.string()?,
        tags: r.strings()?,
        difficulty: match r.byte()? {
            0 => Difficulty::Associate,
            1 => Difficulty::Professional,
            2 => Difficulty::Senior,
            _ => return None,
        },
        question: r.string()?,
        answer: r.string()?,
        table: match r.byte()? {
            0 => None,
            1 => Some(Table {
                headers: r.strings()?,
                rows: r.list(Reader::strings)?,
            }),
            _ => return None,
        },
        scenario: match r.byte()? {
            0 => None,
            1 => Some(Scenario {
                situation: r.string()?,
                steps: r.list(read_step)?,
            }),
            _ => return None,
        },
        key_points: r.list(read_key_point)?,
        source: r.opt_string()?,
        variants: r.list(|r| {
            Some(Variant {
                source: r.string()?,
                question: r.string()?,
                answer: r.string()?,
            })
        })?,
        corrections: r.list(|r| {
            Some(Correction {
                wrong: r.string()?,
                right: r.string()?,
                references: r.strings()?,
            })
        })?,
        note: r.opt_string()?,
        references: r.strings()?,
    })
}

fn write_step(w: &mut Writer, step: &Step) {
    let Step {
        phase,
        prompt,
        answer,
        key_points,
    } = step;
    w.opt_str(phase);
    w.str(prompt);
    w.str(answer);
    w.list(key_points, write_key_point);
}

fn read_step(r: &mut Reader<'_>) -> Option<Step> {
    Some(Step {
        phase: r.opt_string()?,
        prompt: r.string()?,
        answer: r.string()?,
        key_points: r.list(read_key_point)?,
    })
}

fn write_key_point(w: &mut Writer, k: &KeyPoint) {
    let KeyPoint {
        text,
        accept,
        claim,
    } = k;
    w.str(text);
    w.strs(accept);
    match claim {
        None => w.bytes.push(0),
        Some(Claim {
            subject,
            relation,
            object,
        }) => {
            w.bytes.push(1);
            w.strs(subject);
            w.str(relation);
            w.strs(object);
        }
    }
}

fn read_key_point(r: &mut Reader<'_>) -> Option<KeyPoint> {
    Some(KeyPoint {
        text: r.string()?,
        accept: r.strings()?,
        claim: match r.byte()? {
            0 => None,
            1 => Some(Claim {
                subject: r.strings()?,
                relation: r.string()?,
                object: r.strings()?,
            }),
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(deck: &Deck) -> Option<Deck> {
        let mut w = Writer::default();
        write_deck(&mut w, deck);
        let mut r = Reader::new(&w.bytes);
        let back = read_deck(&mut r)?;
        r.is_done().then_some(back)
    }

    /// A deck that uses every field of the model.
    fn full_deck() -> Deck {
        let kp = |t: &str| KeyPoint {
            text: t.into(),
            accept: vec![format!("{t} too"), "ünïcödé ✓".into()],
            claim: Some(Claim {
                subject: vec!["SCP".into(), "RCP".into()],
                relation: "limit".into(),
                object: vec!["permissions".into()],
            }),
        };
        Deck {
            id: "d".into(),
            title: "Title".into(),
            description: "desc".into(),
            topics: vec![TopicInfo {
                slug: "networking".into(),
                title: "Networking".into(),
                description: "VPCs and endpoints".into(),
            }],
            cards: vec![
                Card {
                    id: "a".into(),
                    kind: CardKind::Scenario,
                    topic: "kms".into(),
                    tags: vec!["t1".into(), "t2".into()],
                    difficulty: Difficulty::Senior,
                    question: "Q?".into(),
                    answer: "x".repeat(300),
                    table: Some(Table {
                        headers: vec!["h1".into(), "h2".into()],
                        rows: vec![vec!["a".into(), "b".into()], vec![]],
                    }),
                    scenario: Some(Scenario {
                        situation: "S".into(),
                        steps: vec![Step {
                            phase: Some("Immediate".into()),
                            prompt: "P".into(),
                            answer: "A".into(),
                            key_points: vec![kp("step")],
                        }],
                    }),
                    key_points: vec![kp("one"), KeyPoint::new("two")],
                    source: Some("guide-1 Q3".into()),
                    variants: vec![Variant {
                        source: "g".into(),
                        question: "q".into(),
                        answer: "a".into(),
                    }],
                    corrections: vec![Correction {
                        wrong: "w".into(),
                        right: "r".into(),
                        references: vec!["https://docs.aws.amazon.com/".into()],
                    }],
                    note: Some("n".into()),
                    references: vec!["https://docs.aws.amazon.com/IAM/".into()],
                },
                Card {
                    id: "b".into(),
                    kind: CardKind::Table,
                    topic: "sts".into(),
                    tags: vec![],
                    difficulty: Difficulty::Associate,
                    question: String::new(),
                    answer: String::new(),
                    table: None,
                    scenario: None,
                    key_points: vec![],
                    source: None,
                    variants: vec![],
                    corrections: vec![],
                    note: None,
                    references: vec![],
                },
            ],
        }
    }

    #[test]
    fn every_field_comes_back() {
        let deck = full_deck();
        assert_eq!(round_trip(&deck), Some(deck));
    }

    #[test]
    fn the_built_in_decks_come_back() {
        for deck in crate::deck::builtin_decks() {
            assert_eq!(round_trip(&deck).as_ref(), Some(&deck), "{}", deck.id);
        }
    }

    #[test]
    fn deck_indexes_come_back() {
        for deck in crate::deck::builtin_decks().iter().chain([&full_deck()]) {
            let index = DeckIndex::of(deck);
            let mut w = Writer::default();
            write_index(&mut w, &index);
            let mut r = Reader::new(&w.bytes);
            assert_eq!(read_index(&mut r).as_ref(), Some(&index), "{}", deck.id);
            assert!(r.is_done());
            // A cut entry is refused.
            let mut r = Reader::new(&w.bytes[..w.bytes.len() - 1]);
            assert_eq!(read_index(&mut r), None);
        }
    }

    #[test]
    fn varints_round_trip_at_the_edges() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut w = Writer::default();
            w.u64(v);
            assert_eq!(Reader::new(&w.bytes).u64(), Some(v));
        }
        // Eleven continuation bytes overflow: not a number.
        assert_eq!(Reader::new(&[0xFF; 11]).u64(), None);
    }

    #[test]
    fn damaged_bytes_are_refused_without_panicking() {
        let mut w = Writer::default();
        write_deck(&mut w, &full_deck());
        let good = w.bytes;
        for cut in 0..good.len() {
            let mut r = Reader::new(&good[..cut]);
            assert!(read_deck(&mut r).is_none() || !r.is_done(), "cut at {cut}");
        }
        for i in 0..good.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bad = good.clone();
                bad[i] ^= flip;
                // Any outcome but a panic or a huge allocation is acceptable.
                let _ = read_deck(&mut Reader::new(&bad));
            }
        }
        // A length far beyond the bytes left is refused.
        let mut w = Writer::default();
        w.u64(u64::MAX >> 1);
        assert_eq!(Reader::new(&w.bytes).str(), None);
    }
}
