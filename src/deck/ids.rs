//! Where each card id is in a collection of decks, without a copy of each id.
//!
//! [`IdMap`] keys its table by a 64-bit hash of the id and keeps only the card's position
//! (deck, card); the id itself stays in the deck that holds it and is compared there on every
//! lookup, so two ids whose hashes collide are still told apart (the later one is kept in a
//! small map of its own). At 100,000 cards this holds 16 bytes a card instead of a `String`
//! copy and a SipHash table.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A card's place: (deck, card) indices.
pub type Place = (u32, u32);

/// Hashes a `u64` that is already a well-mixed hash: it is used as it is.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed with this; anything else is folded in the slow way.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// The hash an id is filed under.
pub fn id_hash(id: &str) -> u64 {
    super::cache::content_hash(id.as_bytes())
}

/// Card ids to their places. The map does not hold the ids: every call takes `id_at`, which
/// gives the id of the card at a place.
#[derive(Debug, Default, Clone)]
pub struct IdMap {
    by_hash: HashMap<u64, Place, BuildHasherDefault<PassThrough>>,
    /// Ids whose hash an earlier, different id already has (practically never used).
    collided: HashMap<String, Place>,
}

impl IdMap {
    /// Where `id` is, if it is in the map.
    pub fn get<'a>(&self, id: &str, id_at: impl Fn(Place) -> &'a str) -> Option<Place> {
        match self.by_hash.get(&id_hash(id)) {
            Some(&place) if id_at(place) == id => Some(place),
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }

    /// Files `id` at `place`; `false` (and nothing changes) when the id is already in the map.
    pub fn insert<'a>(&mut self, id: &str, place: Place, id_at: impl Fn(Place) -> &'a str) -> bool {
        use std::collections::hash_map::Entry;
        match self.by_hash.entry(id_hash(id)) {
            Entry::Vacant(v) => {
                v.insert(place);
                true
            }
            Entry::Occupied(o) => {
                if id_at(*o.get()) == id || self.collided.contains_key(id) {
                    return false;
                }
                self.collided.insert(id.to_string(), place);
                true
            }
        }
    }

    /// The cards of a deck about to be added (`n` cards, card `i` has id `new(i)`) whose id is
    /// taken: by a card already in the map (`at` gives their ids), then `Some(its deck)`, or by
    /// an earlier card of the same deck, then `None`.
    pub fn taken<'a>(
        &self,
        n: usize,
        new: impl Fn(usize) -> &'a str,
        at: impl Fn(Place) -> &'a str,
    ) -> Vec<(usize, Option<usize>)> {
        let mut taken = Vec::new();
        let mut local = IdMap::default();
        local.reserve(n);
        let this = |(_, c): Place| new(c as usize);
        for i in 0..n {
            let id = new(i);
            if let Some((d, _)) = self.get(id, &at) {
                taken.push((i, Some(d as usize)));
            } else if !local.insert(id, (0, i as u32), this) {
                taken.push((i, None));
            }
        }
        taken
    }

    /// Files the cards of a new deck `d` (`n` cards, card `i` has id `new(i)`) when none of
    /// their ids is taken, hashing each id once, and returns nothing; otherwise files none of
    /// them and returns the taken cards as [`IdMap::taken`] does (the caller leaves those out
    /// and files the rest with [`IdMap::file_deck`]).
    pub fn file_new_deck<'a>(
        &mut self,
        d: u32,
        n: usize,
        new: impl Fn(usize) -> &'a str,
        at: impl Fn(Place) -> &'a str,
    ) -> Vec<(usize, Option<usize>)> {
        self.reserve(n);
        let filed = {
            let at = |(pd, pc): Place| {
                if pd == d {
                    new(pc as usize)
                } else {
                    at((pd, pc))
                }
            };
            (0..n).all(|i| self.insert(new(i), (d, i as u32), at))
        };
        if filed {
            return Vec::new();
        }
        self.by_hash.retain(|_, p| p.0 != d);
        self.collided.retain(|_, p| p.0 != d);
        self.taken(n, new, at)
    }

    /// Files every card of deck `d` (`n` cards, card `i` has id `new(i)`, none of them taken);
    /// `at` gives the ids of cards of the other decks.
    pub fn file_deck<'a>(
        &mut self,
        d: u32,
        n: usize,
        new: impl Fn(usize) -> &'a str,
        at: impl Fn(Place) -> &'a str,
    ) {
        self.reserve(n);
        let at = |(pd, pc): Place| {
            if pd == d {
                new(pc as usize)
            } else {
                at((pd, pc))
            }
        };
        for i in 0..n {
            self.insert(new(i), (d, i as u32), at);
        }
    }

    pub fn len(&self) -> usize {
        self.by_hash.len() + self.collided.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    pub fn reserve(&mut self, more: usize) {
        self.by_hash.reserve(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_where_they_were_filed_and_only_once() {
        let ids: Vec<String> = (0..2000).map(|i| format!("card-{i}")).collect();
        let at = |(_, c): Place| ids[c as usize].as_str();
        let mut map = IdMap::default();
        for (i, id) in ids.iter().enumerate() {
            assert!(map.insert(id, (0, i as u32), at));
        }
        assert!(!map.insert("card-7", (0, 7), at));
        assert_eq!(map.len(), ids.len());
        assert_eq!(map.get("card-1999", at), Some((0, 1999)));
        assert_eq!(map.get("card-2000", at), None);
        assert_eq!(map.get("", at), None);
    }

    #[test]
    fn colliding_hashes_keep_both_ids_apart() {
        // Two ids made to share a hash slot: filed by hand under the same key.
        let ids = ["first", "second"];
        let at = |(_, c): Place| ids[c as usize];
        let mut map = IdMap::default();
        map.by_hash.insert(id_hash("second"), (0, 0));
        assert!(map.insert("second", (0, 1), at));
        assert!(!map.insert("second", (0, 1), at));
        assert_eq!(map.get("second", at), Some((0, 1)));
        assert_eq!(map.get("first", at), None);
        assert_eq!(map.len(), 2);
    }
}
