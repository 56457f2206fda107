//! Decks: the card model, loading and validation, and the built-in decks embedded in the binary.

pub mod model;

pub use model::*;
