//! The card index: every loaded card's id, topic and deck, without the cards' text.
//!
//! What counts and queues need (`iamdrill due`, the dashboard's numbers) is each card's id and
//! topic. [`CardIndex`] holds just that, loaded from the index section of the deck cache (see
//! [`super::cache`]) without reading card text, and with the same rules as [`super::Library`]:
//! the same decks in the same order, the same problems, the same duplicates left out.

use super::ids::{IdMap, Place};
use super::load::Problem;
use super::model::{Deck, TopicInfo};

/// One deck's cards as ids and topics. The ids are kept one after another in one string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeckIndex {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Topics the deck declares (see [`Deck::topics`]).
    pub topics: Vec<TopicInfo>,
    /// The card ids, one after another.
    ids: String,
    /// For each card: where its id ends in `ids`, and its topic in `topic_names`.
    cards: Vec<(u32, u16)>,
    /// The distinct topics of the cards, in order of first use.
    topic_names: Vec<String>,
}

impl DeckIndex {
    /// The index of a deck.
    pub fn of(deck: &Deck) -> DeckIndex {
        let mut index = DeckIndex {
            id: deck.id.clone(),
            title: deck.title.clone(),
            description: deck.description.clone(),
            topics: deck.topics.clone(),
            ids: String::with_capacity(deck.cards.iter().map(|c| c.id.len()).sum()),
            cards: Vec::with_capacity(deck.cards.len()),
            topic_names: Vec::new(),
        };
        for card in &deck.cards {
            index.push_card(&card.id, &card.topic);
        }
        index
    }

    /// Builds an index from its parts as the cache stores them; `None` when they do not fit
    /// together (a damaged entry).
    pub(crate) fn from_parts(
        head: (String, String, String, Vec<TopicInfo>),
        ids: String,
        cards: Vec<(u32, u16)>,
        topic_names: Vec<String>,
    ) -> Option<DeckIndex> {
        let mut start = 0usize;
        for &(end, topic) in &cards {
            let end = end as usize;
            if end < start || !ids.is_char_boundary(end) || usize::from(topic) >= topic_names.len()
            {
                return None;
            }
            start = end;
        }
        if start != ids.len() || topic_names.len() > usize::from(u16::MAX) {
            return None;
        }
        let (id, title, description, topics) = head;
        Some(DeckIndex {
            id,
            title,
            description,
            topics,
            ids,
            cards,
            topic_names,
        })
    }

    /// The parts the cache stores: the card ids in one string, (end, topic) per card, and the
    /// topic names.
    pub(crate) fn parts(&self) -> (&str, &[(u32, u16)], &[String]) {
        (&self.ids, &self.cards, &self.topic_names)
    }

    fn push_card(&mut self, id: &str, topic: &str) {
        let t = match self.topic_names.iter().position(|t| t == topic) {
            Some(t) => t,
            None => {
                self.topic_names.push(topic.to_string());
                self.topic_names.len() - 1
            }
        };
        self.ids.push_str(id);
        // Decks are limited in size (see `load::MAX_DECK_BYTES`), far below these bounds.
        let end = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.cards.push((end, u16::try_from(t).unwrap_or(u16::MAX)));
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    /// The id of card `i`.
    pub fn id(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.cards[i - 1].0 as usize
        };
        &self.ids[start..self.cards[i].0 as usize]
    }

    /// The topic of card `i`.
    pub fn topic(&self, i: usize) -> &str {
        &self.topic_names[usize::from(self.cards[i].1)]
    }

    /// (id, topic) of every card, in deck order.
    pub fn cards(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0;
        self.cards.iter().map(move |&(end, topic)| {
            let id = &self.ids[start..end as usize];
            start = end as usize;
            (id, self.topic_names[usize::from(topic)].as_str())
        })
    }

    /// The distinct topics of the deck's cards.
    pub fn card_topics(&self) -> &[String] {
        &self.topic_names
    }

    /// Keeps the cards `keep` says yes to, in order.
    fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let ids = std::mem::take(&mut self.ids);
        let cards = std::mem::take(&mut self.cards);
        let names = std::mem::take(&mut self.topic_names);
        let mut start = 0;
        for (end, topic) in cards {
            let id = &ids[start..end as usize];
            start = end as usize;
            if keep(id) {
                self.push_card(id, &names[usize::from(topic)]);
            }
        }
    }
}

/// Every loaded deck as a [`DeckIndex`], where each came from, and what could not be loaded:
/// the index of the [`super::Library`] the same paths give.
#[derive(Debug, Default, Clone)]
pub struct CardIndex {
    pub decks: Vec<DeckIndex>,
    /// For each deck: `built-in:decks/x.yaml` or the file path.
    pub origins: Vec<String>,
    pub problems: Vec<Problem>,
    ids: IdMap,
}

impl CardIndex {
    /// Adds a deck (its declared topics become known everywhere), dropping (and reporting) cards
    /// whose id is already taken, as [`super::Library::push`] does.
    pub fn push(&mut self, mut deck: DeckIndex, origin: String) {
        super::model::declare_topics(&deck.topics);
        let d = u32::try_from(self.decks.len()).unwrap_or(u32::MAX);
        let decks = &self.decks;
        let at = |(d, c): Place| decks[d as usize].id(c as usize);
        let taken = self.ids.file_new_deck(d, deck.len(), |i| deck.id(i), at);
        if !taken.is_empty() {
            for &(i, d) in &taken {
                self.problems
                    .push(super::skipped(deck.id(i), d, &self.origins, &origin));
            }
            let mut i = 0;
            let mut next_taken = taken.iter().map(|&(i, _)| i).peekable();
            deck.retain(|_| {
                let skip = next_taken.peek() == Some(&i);
                if skip {
                    next_taken.next();
                }
                i += 1;
                !skip
            });
            let decks = &self.decks;
            let at = |(d, c): Place| decks[d as usize].id(c as usize);
            self.ids.file_deck(d, deck.len(), |i| deck.id(i), at);
        }
        self.decks.push(deck);
        self.origins.push(origin);
    }

    /// Where a card is: (deck, card) indices.
    pub fn place(&self, id: &str) -> Option<(usize, usize)> {
        let at = |(d, c): Place| self.decks[d as usize].id(c as usize);
        self.ids.get(id, at).map(|(d, c)| (d as usize, c as usize))
    }

    /// (id, topic) of every card, deck by deck.
    pub fn cards(&self) -> impl Iterator<Item = (&str, &str)> {
        self.decks.iter().flat_map(DeckIndex::cards)
    }

    /// The distinct topics of the loaded cards, sorted.
    pub fn card_topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = self
            .decks
            .iter()
            .flat_map(|d| d.card_topics().iter().map(String::as_str))
            .collect();
        topics.sort_unstable();
        topics.dedup();
        topics
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck(id: &str, cards: &[(&str, &str)]) -> Deck {
        let cards: String = cards
            .iter()
            .map(|(id, topic)| format!("  - id: {id}\n    topic: {topic}\n    question: Q\n"))
            .collect();
        serde_yaml::from_str(&format!("id: {id}\ntitle: T\ncards:\n{cards}")).unwrap()
    }

    #[test]
    fn a_deck_index_lists_ids_and_topics_in_order() {
        let d = deck("d", &[("a", "kms"), ("bb", "sts"), ("c", "kms")]);
        let index = DeckIndex::of(&d);
        let cards: Vec<_> = index.cards().collect();
        assert_eq!(cards, [("a", "kms"), ("bb", "sts"), ("c", "kms")]);
        assert_eq!((index.id(1), index.topic(2)), ("bb", "kms"));
        assert_eq!(index.card_topics(), ["kms", "sts"]);
        let (ids, parts, names) = index.parts();
        let again = DeckIndex::from_parts(
            (index.id.clone(), index.title.clone(), String::new(), vec![]),
            ids.to_string(),
            parts.to_vec(),
            names.to_vec(),
        );
        assert_eq!(again.as_ref(), Some(&index));
        // Parts that do not fit together are refused.
        assert!(
            DeckIndex::from_parts(Default::default(), "ab".into(), vec![(1, 0)], vec![]).is_none()
        );
        assert!(
            DeckIndex::from_parts(
                Default::default(),
                "ab".into(),
                vec![(3, 0)],
                vec!["x".into()]
            )
            .is_none()
        );
    }

    #[test]
    fn the_index_drops_the_duplicates_the_library_drops() {
        let decks = [
            deck("one", &[("a", "kms"), ("b", "kms")]),
            deck(
                "two",
                &[("c", "sts"), ("a", "sts"), ("d", "sts"), ("d", "kms")],
            ),
        ];
        let lib = crate::deck::Library::from_decks(decks.to_vec());
        let mut index = CardIndex::default();
        for d in &decks {
            index.push(DeckIndex::of(d), format!("memory:{}", d.id));
        }
        let from_lib: Vec<(&str, &str)> = lib
            .cards()
            .map(|c| (c.id.as_str(), c.topic.as_str()))
            .collect();
        assert_eq!(index.cards().collect::<Vec<_>>(), from_lib);
        assert_eq!(index.len(), lib.len());
        assert_eq!(index.problems, lib.problems);
        assert_eq!(index.place("d"), Some((1, 1)));
        assert_eq!(index.place("e"), None);
        assert_eq!(index.card_topics(), ["kms", "sts"]);
    }
}
