//! Reading deck files: bounded, located, and safe against hostile input.
//!
//! A deck file goes through two passes:
//! 1. raw checks: size, UTF-8, control characters (each located at line:column);
//! 2. one pass over the YAML events (see [`super::yaml`]) that rejects anchors and aliases (so
//!    alias bombs cannot expand), limits nesting depth and node count, and deserialises the deck
//!    with serde as the events come; then semantic validation (see [`super::validate`]).
//!
//! Where each node starts is worked out only when a problem or a warning has to be located: a
//! third walk over the events records the position of every path then.

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::Event;
use yaml_rust2::parser::Parser;
use yaml_rust2::scanner::TScalarStyle;

use super::model::Deck;

/// Largest deck file accepted, in bytes.
pub const MAX_DECK_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of YAML collections accepted.
pub const MAX_DEPTH: usize = 24;
/// Most YAML nodes accepted in one file.
pub const MAX_NODES: usize = 500_000;

/// One problem found in a deck, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for Problem {}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// Where a yaml-rust2 marker points (its lines count from 1, its columns from 0).
    pub fn at(mark: &yaml_rust2::scanner::Marker) -> Pos {
        Pos {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }
}

/// Where each node of a YAML document starts, by path (`cards[3].topic`).
#[derive(Debug, Default, Clone)]
pub struct PosIndex {
    map: HashMap<String, Pos>,
    block_scalars: std::collections::HashSet<String>,
}

impl PosIndex {
    /// The position of `path`, or of its nearest recorded ancestor, or 1:1.
    pub fn find(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => {
                    return self
                        .map
                        .get("")
                        .copied()
                        .unwrap_or(Pos { line: 1, column: 1 });
                }
            }
        }
    }

    /// Whether the scalar at `path` is a block scalar (`|` or `>`), whose text starts on the next line.
    pub fn is_block(&self, path: &str) -> bool {
        self.block_scalars.contains(path)
    }

    /// The position of `path` only if it was recorded exactly.
    pub fn exact(&self, path: &str) -> Option<Pos> {
        self.map.get(path).copied()
    }
}

/// Turns bytes into text, or a located problem for invalid UTF-8 or nesting deeper than
/// [`super::nesting::MAX_NESTING`].
pub fn decode(bytes: &[u8], file: &str) -> Result<String, Problem> {
    if bytes.len() > MAX_DECK_BYTES {
        return Err(Problem {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: format!(
                "file is {} bytes; decks are limited to {} bytes — split it into several decks",
                bytes.len(),
                MAX_DECK_BYTES
            ),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => match super::nesting::check(s, super::nesting::MAX_NESTING) {
            Ok(()) => Ok(s.to_string()),
            Err((pos, message)) => Err(Problem {
                file: file.to_string(),
                line: pos.line,
                column: pos.column,
                message,
            }),
        },
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let text = String::from_utf8_lossy(good);
            let pos = pos_of_offset(&text, text.len());
            Err(Problem {
                file: file.to_string(),
                line: pos.line,
                column: pos.column,
                message: "invalid UTF-8: deck files must be UTF-8 text".to_string(),
            })
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    Pos { line, column }
}

/// Characters deck text may not contain: C0 controls other than tab and newline (escape sequences
/// start with ESC), DEL, C1 controls, and bidirectional overrides that make text display differently
/// from what it is.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t' && c != '\r')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Names a forbidden character for messages.
pub fn describe_char(c: char) -> String {
    match c {
        '\u{1b}' => "an escape character (ESC, U+001B)".to_string(),
        _ => format!("a control character (U+{:04X})", c as u32),
    }
}

/// Removes forbidden characters (used where text comes from documents being compiled, not decks).
pub fn strip_forbidden(text: &str) -> String {
    text.chars()
        .filter(|c| !is_forbidden_char(*c) && *c != '\r')
        .collect()
}

/// Parses and checks the structure of one deck file, with the position of every node. Semantic
/// validation is separate.
pub fn parse_deck(text: &str, file: &str) -> Result<(Deck, PosIndex), Vec<Problem>> {
    let (deck, positions) = parse_deck_lazily(text, file)?;
    let index = positions.into_index();
    Ok((deck, index))
}

/// Parses and checks the structure of one deck file; node positions are worked out only if
/// something asks for one (a problem or a warning to locate).
///
/// The checks and their messages are those of [`parse_deck`]: forbidden characters first, then
/// the structure (one document, no anchors or aliases, depth and node limits) and the typed
/// deserialisation in one pass over the events; a structural problem anywhere in the text is
/// reported before what serde says about it.
pub fn parse_deck_lazily<'t>(
    text: &'t str,
    file: &str,
) -> Result<(Deck, Positions<'t>), Vec<Problem>> {
    let problem = |pos: Pos, message: String| Problem {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        message,
    };
    forbidden_chars(text, file)?;
    match super::yaml::from_str::<Deck>(text) {
        Ok(deck) => Ok((deck, Positions::new(text))),
        Err(e) => {
            let pos = e.pos.unwrap_or(Pos { line: 1, column: 1 });
            Err(vec![problem(pos, e.message)])
        }
    }
}

/// The positions of a deck's nodes, indexed on first use.
#[derive(Debug)]
pub struct Positions<'t> {
    text: &'t str,
    index: std::cell::OnceCell<PosIndex>,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str) -> Positions<'t> {
        Positions {
            text,
            index: std::cell::OnceCell::new(),
        }
    }

    /// The text the positions are in.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The index, built now if it was not yet.
    pub fn index(&self) -> &PosIndex {
        // The text passed the structural checks before a `Positions` was made for it, so
        // indexing cannot fail; an empty index (every path at 1:1) is the fallback.
        self.index
            .get_or_init(|| index_positions(self.text).unwrap_or_default())
    }

    /// Whether the index was built (something asked for a position).
    pub fn is_indexed(&self) -> bool {
        self.index.get().is_some()
    }

    pub fn into_index(self) -> PosIndex {
        self.index();
        self.index.into_inner().unwrap_or_default()
    }

    /// See [`PosIndex::find`].
    pub fn find(&self, path: &str) -> Pos {
        self.index().find(path)
    }

    /// See [`PosIndex::is_block`].
    pub fn is_block(&self, path: &str) -> bool {
        self.index().is_block(path)
    }
}

/// Reports forbidden characters (at most 20), each at its line and column.
fn forbidden_chars(text: &str, file: &str) -> Result<(), Vec<Problem>> {
    if !may_hold_forbidden(text.as_bytes()) {
        return Ok(());
    }
    let mut problems = Vec::new();
    for (offset, c) in text.char_indices() {
        if is_forbidden_char(c) {
            let pos = pos_of_offset(text, offset);
            problems.push(Problem {
                file: file.to_string(),
                line: pos.line,
                column: pos.column,
                message: format!("{} is not allowed in deck text", describe_char(c)),
            });
            if problems.len() >= 20 {
                break;
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether UTF-8 `bytes` hold a character [`is_forbidden_char`] refuses, found without decoding
/// the text: C0 controls other than tab, line feed and carriage return are single bytes below
/// 0x20; DEL is 0x7F; C1 controls are 0xC2 0x80..=0x9F; the bidirectional overrides are
/// 0xE2 0x80 0xAA..=0xAE and 0xE2 0x81 0xA6..=0xA9.
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1F | 0x7F => true,
        0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
        0xE2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
        ),
        _ => false,
    })
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

/// Walks the YAML events once, recording where each node starts.
pub fn index_positions(text: &str) -> Result<PosIndex, (Pos, String)> {
    let mut index = PosIndex::default();
    walk(text, Some(&mut index))?;
    Ok(index)
}

/// Walks the YAML events once and checks the structure; with an index, records where each node
/// starts (without one, no path is built).
fn walk(text: &str, mut index: Option<&mut PosIndex>) -> Result<(), (Pos, String)> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut nodes = 0usize;
    let mut documents = 0usize;
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| (Pos::at(e.marker()), format!("malformed YAML: {}", e.info())))?;
        let pos = Pos::at(&mark);
        match &event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err((
                        pos,
                        "a deck file holds one YAML document; found a second".into(),
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err((pos, "YAML aliases (*name) are not allowed in decks".into()));
            }
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(anchor, _)
            | Event::MappingStart(anchor, _)
                if *anchor > 0 =>
            {
                return Err((pos, "YAML anchors (&name) are not allowed in decks".into()));
            }
            _ => {}
        }
        let is_node = matches!(
            event,
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
        );
        if is_node {
            nodes += 1;
            if nodes > MAX_NODES {
                return Err((pos, format!("too many YAML nodes (more than {MAX_NODES})")));
            }
            // Is this node a mapping key? Then remember it and move on.
            if let Some(Frame::Map { key, .. }) = stack.last_mut()
                && key.is_none()
            {
                match &event {
                    Event::Scalar(s, ..) => {
                        *key = Some(if index.is_some() {
                            s.clone()
                        } else {
                            String::new()
                        });
                        continue;
                    }
                    _ => return Err((pos, "mapping keys must be plain text".into())),
                }
            }
        }
        // The path of this node, derived from its parent (only when positions are recorded).
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { key, .. }) if index.is_none() => {
                key.take();
                String::new()
            }
            Some(Frame::Seq { .. }) if index.is_none() => String::new(),
            Some(Frame::Map { path, key }) => {
                let k = key.take().unwrap_or_default();
                if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                }
            }
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                p
            }
        };
        match event {
            Event::Scalar(value, style, ..) => {
                if let Some(c) = value.chars().find(|c| is_forbidden_char(*c)) {
                    return Err((
                        pos,
                        format!("{} is not allowed in deck text", describe_char(c)),
                    ));
                }
                if let Some(index) = index.as_deref_mut() {
                    if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                        index.block_scalars.insert(path.clone());
                    }
                    index.map.insert(path, pos);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((pos, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                if let Some(index) = index.as_deref_mut() {
                    index.map.insert(path.clone(), pos);
                }
                if matches!(event, Event::MappingStart(..)) {
                    stack.push(Frame::Map { path, key: None });
                } else {
                    stack.push(Frame::Seq { path, next: 0 });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: d\ntitle: T\ncards:\n  - id: a\n    topic: kms\n    question: Q?\n    answer: A.\n    key_points: [x]\n";

    #[test]
    fn records_positions_of_nested_nodes() {
        let (_, index) = parse_deck(GOOD, "f.yaml").unwrap();
        assert_eq!(
            index.find("cards[0].topic"),
            Pos {
                line: 5,
                column: 12
            }
        );
        assert_eq!(index.find("cards[0].id"), Pos { line: 4, column: 9 });
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(index.find("cards[0].nothing"), index.find("cards[0]"));
    }

    #[test]
    fn rejects_escape_sequences_with_location() {
        let text = GOOD.replace("Q?", "Q\u{1b}[31m?");
        let err = parse_deck(&text, "f.yaml").unwrap_err();
        assert_eq!(err[0].line, 6);
        assert_eq!(err[0].column, 16);
        assert!(err[0].message.contains("escape"), "{}", err[0].message);
    }

    #[test]
    fn rejects_escapes_written_as_yaml_escapes() {
        let text = GOOD.replace("question: Q?", "question: \"Q\\e[2J\"");
        let err = parse_deck(&text, "f.yaml").unwrap_err();
        assert_eq!(err[0].line, 6, "{:?}", err);
    }

    #[test]
    fn rejects_aliases_so_bombs_cannot_expand() {
        let text = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let err = parse_deck(text, "f.yaml").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (1, 7));
        assert!(err[0].message.contains("anchors"));
    }

    #[test]
    fn rejects_deep_nesting() {
        let text = format!("id: {}1{}\n", "[".repeat(200), "]".repeat(200));
        let err = parse_deck(&text, "f.yaml").unwrap_err();
        assert!(err[0].message.contains("nesting"), "{}", err[0].message);
    }

    #[test]
    fn locates_malformed_yaml() {
        let text = "id: d\ntitle: [unclosed\ncards: []\n";
        let err = parse_deck(text, "f.yaml").unwrap_err();
        assert!(
            err[0].message.contains("malformed YAML"),
            "{}",
            err[0].message
        );
        assert!(err[0].line >= 2);
    }

    #[test]
    fn locates_unknown_fields() {
        let text = GOOD.replace("answer: A.", "answr: A.");
        let err = parse_deck(&text, "f.yaml").unwrap_err();
        assert_eq!(err[0].line, 7, "{:?}", err);
        assert!(err[0].message.contains("answr"));
    }

    #[test]
    fn a_valid_deck_is_not_indexed() {
        let (deck, positions) = parse_deck_lazily(GOOD, "f.yaml").unwrap();
        assert_eq!(deck.cards.len(), 1);
        assert!(!positions.is_indexed());
        assert_eq!(positions.find("cards[0].id"), Pos { line: 4, column: 9 });
        assert!(positions.is_indexed());
    }

    #[test]
    fn anchors_serde_would_accept_are_refused() {
        let text = GOOD.replace("question: Q?", "question: &q Q?\n    note: *q");
        let err = parse_deck_lazily(&text, "f.yaml").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (6, 18), "{err:?}");
        assert!(err[0].message.contains("anchors"), "{err:?}");
        // A second document, even one serde would read, is refused as before.
        let err = parse_deck_lazily(&format!("{GOOD}---\n"), "f.yaml").unwrap_err();
        assert!(err[0].message.contains("second"), "{err:?}");
    }

    #[test]
    fn the_byte_filter_lets_every_forbidden_character_through() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(may_hold_forbidden(bytes), is_forbidden_char(c), "{c:?}");
        }
        assert!(!may_hold_forbidden(
            "plain text, tabs\t and ünïcödé — “quotes” €".as_bytes()
        ));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let mut bytes = b"id: d\ntitle: ok\n".to_vec();
        bytes.extend_from_slice(&[b'x', 0xff, b'\n']);
        let err = decode(&bytes, "f.yaml").unwrap_err();
        assert_eq!((err.line, err.column), (3, 2));
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let bytes = vec![b'a'; MAX_DECK_BYTES + 1];
        let err = decode(&bytes, "big.yaml").unwrap_err();
        assert!(err.message.contains("limited"));
    }
}
