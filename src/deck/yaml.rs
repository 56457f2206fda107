//! One pass over a deck file's YAML: the parser's events are checked for the structure decks
//! allow (one document, no anchors or aliases, limited depth and node count, plain-text mapping
//! keys, no forbidden characters written as escapes) and handed to serde as they come, so the
//! text is parsed once.
//!
//! Scalars are read as the YAML 1.2 core schema reads them where a type is not asked for
//! (`null`, `~` and empty are null; `true`/`false`; integers; floats), as serde_yaml does, so
//! error messages name the same types. A problem serde reports is located at the start of the
//! node it was reading; when the text also has a structural problem, anywhere, that one is
//! reported instead (found by reading the rest of the events after serde's problem).

use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};
use yaml_rust2::Event;
use yaml_rust2::parser::Parser;
use yaml_rust2::scanner::TScalarStyle;

use super::load::{MAX_DEPTH, MAX_NODES, Pos, describe_char, is_forbidden_char};

/// Why a text could not be read as the asked-for type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    /// Where, once known (serde's own errors get the position of the node being read).
    pub pos: Option<Pos>,
    /// A problem of the YAML structure rather than of the data's shape.
    pub structural: bool,
}

impl Error {
    fn structure(pos: Pos, message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            pos: Some(pos),
            structural: true,
        }
    }

    fn at(mut self, pos: Pos) -> Error {
        if self.pos.is_none() {
            self.pos = Some(pos);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            pos: None,
            structural: false,
        }
    }
}

type Result<T> = std::result::Result<T, Error>;

/// Reads `text` as one `T`, checking the structure of the whole text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut events = Events::new(text);
    match T::deserialize(&mut events) {
        Err(e) if e.structural => Err(e),
        // The rest of the text (after the value, or after serde's problem) still has to pass
        // the structural checks, which win over serde's problem.
        value => {
            events.drain()?;
            value
        }
    }
}

/// An open collection.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// A mapping; whether its next node is a key.
    Map {
        key_next: bool,
    },
    Seq,
}

/// The events of one text, checked as they are read.
pub struct Events<'t> {
    parser: Parser<std::str::Chars<'t>>,
    peeked: Option<(Event, Pos)>,
    frames: Vec<Frame>,
    nodes: usize,
    documents: usize,
    ended: bool,
    /// The path of the node being read, as serde_yaml names it in messages (`cards[3].topic`).
    path: Vec<Seg>,
    /// Set while a mapping key is read; the key's text is kept for the value's path.
    reading_key: bool,
    key: Option<String>,
}

/// One step of a path.
#[derive(Debug)]
enum Seg {
    Index(usize),
    Key(String),
    /// A key that is not text.
    Unknown,
}

/// A path as serde_yaml writes it: `.` for the root, `cards[3].topic` below it.
fn render_path(path: &[Seg]) -> String {
    let Some((last, parent)) = path.split_last() else {
        return ".".to_string();
    };
    let prefix = |out: &mut String| {
        if !parent.is_empty() {
            out.push_str(&render_path(parent));
            out.push('.');
        }
    };
    let mut out = String::new();
    match last {
        Seg::Index(i) => {
            out.push_str(&render_path(parent));
            out.push_str(&format!("[{i}]"));
        }
        Seg::Key(k) => {
            prefix(&mut out);
            out.push_str(k);
        }
        Seg::Unknown => {
            prefix(&mut out);
            out.push('?');
        }
    }
    out
}

impl<'t> Events<'t> {
    pub fn new(text: &'t str) -> Events<'t> {
        Events {
            parser: Parser::new_from_str(text),
            peeked: None,
            frames: Vec::new(),
            nodes: 0,
            documents: 0,
            ended: false,
            path: Vec::new(),
            reading_key: false,
            key: None,
        }
    }

    /// The next node or end event, checked; `StreamEnd` once the text is done.
    fn read(&mut self) -> Result<(Event, Pos)> {
        loop {
            if self.ended {
                return Ok((Event::StreamEnd, Pos::default()));
            }
            let (event, mark) = self.parser.next_token().map_err(|e| {
                Error::structure(Pos::at(e.marker()), format!("malformed YAML: {}", e.info()))
            })?;
            let pos = Pos::at(&mark);
            match &event {
                Event::StreamEnd => {
                    self.ended = true;
                    return Ok((event, pos));
                }
                Event::DocumentStart => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Error::structure(
                            pos,
                            "a deck file holds one YAML document; found a second",
                        ));
                    }
                    continue;
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
                Event::Alias(_) => {
                    return Err(Error::structure(
                        pos,
                        "YAML aliases (*name) are not allowed in decks",
                    ));
                }
                Event::Scalar(_, _, anchor, _)
                | Event::SequenceStart(anchor, _)
                | Event::MappingStart(anchor, _)
                    if *anchor > 0 =>
                {
                    return Err(Error::structure(
                        pos,
                        "YAML anchors (&name) are not allowed in decks",
                    ));
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.frames.pop();
                    return Ok((event, pos));
                }
                _ => {}
            }
            // A node: a scalar, or the start of a collection.
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(Error::structure(
                    pos,
                    format!("too many YAML nodes (more than {MAX_NODES})"),
                ));
            }
            if let Some(Frame::Map { key_next }) = self.frames.last_mut() {
                if *key_next {
                    if !matches!(event, Event::Scalar(..)) {
                        return Err(Error::structure(pos, "mapping keys must be plain text"));
                    }
                    *key_next = false;
                    return Ok((event, pos));
                }
                *key_next = true;
            }
            match &event {
                Event::Scalar(value, ..) => {
                    if let Some(c) = value.chars().find(|c| is_forbidden_char(*c)) {
                        return Err(Error::structure(
                            pos,
                            format!("{} is not allowed in deck text", describe_char(c)),
                        ));
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if self.frames.len() >= MAX_DEPTH {
                        return Err(Error::structure(
                            pos,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    self.frames
                        .push(if matches!(event, Event::MappingStart(..)) {
                            Frame::Map { key_next: true }
                        } else {
                            Frame::Seq
                        });
                }
                _ => {}
            }
            return Ok((event, pos));
        }
    }

    fn next(&mut self) -> Result<(Event, Pos)> {
        match self.peeked.take() {
            Some(e) => Ok(e),
            None => self.read(),
        }
    }

    fn peek(&mut self) -> Result<&(Event, Pos)> {
        if self.peeked.is_none() {
            self.peeked = Some(self.read()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    /// Reads the events left, so their structure is checked.
    pub fn drain(&mut self) -> Result<()> {
        self.peeked = None;
        loop {
            if let (Event::StreamEnd, _) = self.read()? {
                return Ok(());
            }
        }
    }

    /// Skips the rest of a collection whose start was read.
    fn skip_to_end(&mut self) -> Result<()> {
        let mut depth = 1usize;
        loop {
            match self.next()?.0 {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::StreamEnd => return Err(eof()),
                _ => {}
            }
        }
    }
}

fn eof() -> Error {
    de::Error::custom("EOF while parsing a value")
}

/// Whether a scalar is YAML's null in the core schema.
fn is_null(v: &str) -> bool {
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    v.len() > 1 && v.starts_with('0') && v[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A plain scalar's integer value (decimal, `0x`, `0o`, `0b`).
fn parse_int(v: &str) -> Option<Resolved<'static>> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let (radix, digits) = if let Some(r) = digits.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = digits.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = digits.strip_prefix("0b") {
        (2, r)
    } else {
        if digits_but_not_number(v) {
            return None;
        }
        (10, digits)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if n == 0 {
            return Some(Resolved::Unsigned(0));
        }
        Some(Resolved::Signed(0i64.checked_sub_unsigned(n)?))
    } else {
        Some(Resolved::Unsigned(n))
    }
}

fn parse_float(v: &str) -> Option<f64> {
    if digits_but_not_number(v) {
        return None;
    }
    let unsigned = match v.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => v,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A plain scalar's value as serde sees it when no type is asked for.
enum Resolved<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(&'a str),
}

fn resolve(v: &str) -> Resolved<'_> {
    if is_null(v) {
        return Resolved::Null;
    }
    if let Some(b) = parse_bool(v) {
        return Resolved::Bool(b);
    }
    if let Some(int) = parse_int(v) {
        return int;
    }
    match parse_float(v) {
        Some(f) => Resolved::Float(f),
        None => Resolved::Str(v),
    }
}

/// Whether a scalar is read as text only (quoted, block, or tagged `!!str`).
fn is_text(style: TScalarStyle, tag: Option<&yaml_rust2::parser::Tag>) -> bool {
    style != TScalarStyle::Plain || tag.is_some_and(|t| t.suffix == "str")
}

/// What a node is, for "invalid type" messages.
fn unexpected<'a>(event: &'a Event) -> Unexpected<'a> {
    match event {
        Event::Scalar(v, style, _, tag) if !is_text(*style, tag.as_ref()) => match resolve(v) {
            Resolved::Null => Unexpected::Unit,
            Resolved::Bool(b) => Unexpected::Bool(b),
            Resolved::Unsigned(n) => Unexpected::Unsigned(n),
            Resolved::Signed(n) => Unexpected::Signed(n),
            Resolved::Float(f) => Unexpected::Float(f),
            Resolved::Str(s) => Unexpected::Str(s),
        },
        Event::Scalar(v, ..) => Unexpected::Str(v),
        Event::SequenceStart(..) => Unexpected::Seq,
        Event::MappingStart(..) => Unexpected::Map,
        _ => Unexpected::Other("the end of the text"),
    }
}

/// A plain empty or null scalar, which reads as an empty list or mapping.
fn is_empty_scalar(event: &Event) -> bool {
    matches!(event, Event::Scalar(v, TScalarStyle::Plain, _, None) if v.is_empty())
}

impl Events<'_> {
    /// Reads one node with `f`, locating a problem without a position at the node's start.
    fn node<T>(&mut self, f: impl FnOnce(&mut Self, Event, Pos) -> Result<T>) -> Result<T> {
        let (event, pos) = self.next()?;
        if let Event::StreamEnd = event {
            return Err(eof().at(pos));
        }
        f(self, event, pos).map_err(|mut e| {
            if e.pos.is_none() {
                e.pos = Some(pos);
                let path = render_path(&self.path);
                if path != "." {
                    e.message = format!("{path}: {}", e.message);
                }
            }
            e
        })
    }

    /// Keeps a key's text for the path of its value.
    fn keep_key(&mut self, text: &str) {
        if self.reading_key {
            self.key = Some(text.to_string());
        }
    }

    fn visit_seq<'de, V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let value = visitor.visit_seq(Items { de: self, next: 0 })?;
        match self.next()?.0 {
            Event::SequenceEnd => Ok(value),
            _ => {
                self.skip_to_end()?;
                Err(de::Error::custom(
                    "invalid length: more items than expected",
                ))
            }
        }
    }

    fn visit_map<'de, V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let value = visitor.visit_map(Entries { de: self })?;
        match self.next()?.0 {
            Event::MappingEnd => Ok(value),
            _ => {
                self.skip_to_end()?;
                Err(de::Error::custom(
                    "invalid length: more entries than expected",
                ))
            }
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Events<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| match event {
            Event::Scalar(v, style, _, tag) => {
                de.keep_key(&v);
                if is_text(style, tag.as_ref()) {
                    return visitor.visit_string(v);
                }
                match resolve(&v) {
                    Resolved::Null => visitor.visit_unit(),
                    Resolved::Bool(b) => visitor.visit_bool(b),
                    Resolved::Unsigned(n) => visitor.visit_u64(n),
                    Resolved::Signed(n) => visitor.visit_i64(n),
                    Resolved::Float(f) => visitor.visit_f64(f),
                    Resolved::Str(_) => visitor.visit_string(v),
                }
            }
            Event::SequenceStart(..) => de.visit_seq(visitor),
            Event::MappingStart(..) => de.visit_map(visitor),
            _ => Err(eof()),
        })
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| match event {
            Event::Scalar(v, ..) => {
                de.keep_key(&v);
                visitor.visit_string(v)
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| match event {
            // A field name: read as text, then kept (not copied) for the path of its value.
            Event::Scalar(v, ..) => {
                let value = visitor.visit_str(&v);
                if de.reading_key {
                    de.key = Some(v);
                }
                value
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let none = match self.peek()? {
            (Event::Scalar(v, TScalarStyle::Plain, _, None), _) => is_null(v),
            (Event::StreamEnd, _) => true,
            _ => false,
        };
        if none {
            self.next()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|_, event, _| match event {
            Event::Scalar(ref v, TScalarStyle::Plain, _, None) if is_null(v) => {
                visitor.visit_unit()
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| match event {
            Event::SequenceStart(..) => de.visit_seq(visitor),
            ref e if is_empty_scalar(e) => visitor.visit_seq(de::value::SeqDeserializer::<
                std::iter::Empty<()>,
                Error,
            >::new(std::iter::empty())),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| match event {
            Event::MappingStart(..) => de.visit_map(visitor),
            ref e if is_empty_scalar(e) => visitor.visit_map(de::value::MapDeserializer::<
                std::iter::Empty<((), ())>,
                Error,
            >::new(std::iter::empty())),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.node(|_, event, _| match event {
            // Unit variants by name: the only kind decks use.
            Event::Scalar(v, ..) => visitor.visit_enum(v.into_deserializer()),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a YAML tag starting with '!'",
            )),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.node(|de, event, _| {
            if let Event::MappingStart(..) | Event::SequenceStart(..) = event {
                de.skip_to_end()?;
            }
            visitor.visit_unit()
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
    }
}

/// The items of a sequence whose start was read.
struct Items<'a, 't> {
    de: &'a mut Events<'t>,
    next: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>> {
        match self.de.peek()? {
            (Event::SequenceEnd, _) => Ok(None),
            (Event::StreamEnd, pos) => Err(eof().at(*pos)),
            _ => {
                let i = self.next;
                self.next += 1;
                self.de.path.push(Seg::Index(i));
                let item = seed.deserialize(&mut *self.de);
                self.de.path.pop();
                item.map(Some)
            }
        }
    }
}

/// The entries of a mapping whose start was read.
struct Entries<'a, 't> {
    de: &'a mut Events<'t>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.de.peek()? {
            (Event::MappingEnd, _) => Ok(None),
            (Event::StreamEnd, pos) => Err(eof().at(*pos)),
            _ => {
                self.de.reading_key = true;
                self.de.key = None;
                let key = seed.deserialize(&mut *self.de);
                self.de.reading_key = false;
                key.map(Some)
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let seg = self.de.key.take().map_or(Seg::Unknown, Seg::Key);
        self.de.path.push(seg);
        let value = seed.deserialize(&mut *self.de);
        self.de.path.pop();
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::Deck;

    const GOOD: &str = "id: d\ntitle: T\ncards:\n  - id: a\n    topic: kms\n    question: Q?\n    answer: |\n      A.\n    key_points: [x, {text: y, accept: [z], claim: {subject: [SCP, RCP], relation: overrides}}]\n    difficulty: senior\n    kind: basic\n    source: ~\n    tags: []\n";

    /// What serde_yaml makes of a text: the value, or its message without the location.
    fn reference(text: &str) -> std::result::Result<Deck, String> {
        serde_yaml::from_str::<Deck>(text).map_err(|e| {
            let m = e.to_string();
            match m.find(" at line ") {
                Some(i) => m[..i].to_string(),
                None => m,
            }
        })
    }

    #[test]
    fn reads_decks_as_serde_yaml_does() {
        let texts = [
            GOOD.to_string(),
            GOOD.replace("question: Q?", "question: 'quoted: yes'"),
            GOOD.replace("question: Q?", "question: 123"),
            GOOD.replace("question: Q?", "question: true"),
            GOOD.replace("question: Q?", "question: \"\\u00e9t\u{e9}\""),
            GOOD.replace("tags: []", "tags:"),
            GOOD.replace("tags: []", "tags: [a, 'b', 12]"),
            GOOD.replace("source: ~", "source: null"),
            GOOD.replace("source: ~", "source: ''"),
            GOOD.replace("source: ~", "source: guide-2 Q17"),
            GOOD.replace("difficulty: senior", "difficulty: junior"),
            GOOD.replace("kind: basic", "kind: [basic]"),
            GOOD.replace("answer: |", "answr: |"),
            GOOD.replace("    topic: kms\n", ""),
            GOOD.replace("key_points: [x,", "key_points: [12,"),
            GOOD.replace("key_points: [x,", "key_points: [~,"),
            GOOD.replace("relation: overrides", "relation: overrides, extra: 1"),
            GOOD.replace("cards:\n", "cards: 5\nx:\n"),
            GOOD.replace("title: T", "title: [T]"),
            GOOD.replace("title: T", "title: {a: b}"),
            GOOD.replace("subject: [SCP, RCP]", "subject: SCP"),
            GOOD.replace("subject: [SCP, RCP]", "subject: {a: b}"),
            "id: d\ntitle: T\n".to_string(),
            "id: d\ntitle: T\ncards: []\n".to_string(),
            "id: d\ntitle: T\ncards:\n".to_string(),
            "- a\n- b\n".to_string(),
            "just text\n".to_string(),
            "id: d\ntitle: T\ncards: []\nid: e\n".to_string(),
        ];
        for text in &texts {
            let ours = from_str::<Deck>(text).map_err(|e| e.message);
            assert_eq!(ours, reference(text), "{text}");
        }
    }

    /// The two passes this module replaces: the structural walk, then serde_yaml.
    fn two_passes(text: &str) -> std::result::Result<Deck, String> {
        match crate::deck::load::index_positions(text) {
            Err((_, message)) => Err(message),
            Ok(_) => reference(text),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Any line of a deck replaced by other YAML reads as the two passes read it: the same
        /// deck, or the same message.
        #[test]
        fn one_pass_reads_as_the_two_passes(
            edits in proptest::collection::vec((0usize..40, 0usize..24, 0usize..3), 1..4)
        ) {
            const VALUES: &[&str] = &[
                "~", "''", "[]", "{}", "12", "-3", "0x1F", "1.5", "true", "&a x", "*a", "[a, b]",
                "{text: t}", "{text: t, accept: [u]}", "{subject: s}", "x: y", "- z", "|\n      block",
                "\"q\\e\"", "[[[[x]]]]", "!!str 12", "? [k]\n  : v", "senior", "table", "---", "",
            ];
            let mut lines: Vec<String> = format!("{GOOD}  - id: b\n    topic: sts\n    question: Q2\n    answer: A2\n    key_points: [k]\n")
                .lines()
                .map(str::to_string)
                .collect();
            for (line, value, how) in edits {
                let line = line % lines.len();
                let value = VALUES[value % VALUES.len()];
                match how {
                    // Replace the value after the key.
                    0 => {
                        if let Some(i) = lines[line].find(": ") {
                            lines[line] = format!("{}: {value}", &lines[line][..i]);
                        }
                    }
                    // Drop the line.
                    1 => {
                        lines.remove(line);
                    }
                    // Insert a line with the same indentation.
                    _ => {
                        let indent = lines[line].len() - lines[line].trim_start().len();
                        lines.insert(line, format!("{}{value}", " ".repeat(indent)));
                    }
                }
                if lines.is_empty() {
                    lines.push(String::new());
                }
            }
            let text = lines.join("\n") + "\n";
            let ours = from_str::<Deck>(&text).map_err(|e| e.message);
            proptest::prop_assert_eq!(ours, two_passes(&text), "{}", text);
        }
    }

    #[test]
    fn locates_problems_at_the_node_read() {
        let text = GOOD.replace("answer: |", "answr: |");
        let e = from_str::<Deck>(&text).unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 7, column: 5 }), "{e:?}");
        let text = GOOD.replace("difficulty: senior", "difficulty: junior");
        let e = from_str::<Deck>(&text).unwrap_err();
        assert_eq!(
            e.pos,
            Some(Pos {
                line: 10,
                column: 17
            }),
            "{e:?}"
        );
        assert!(!e.structural);
    }

    #[test]
    fn structure_wins_over_a_data_problem_before_it() {
        let text = format!("{}    other: &a x\n", GOOD.replace("answer: |", "answr: |"));
        let e = from_str::<Deck>(&text).unwrap_err();
        assert!(e.structural, "{e:?}");
        assert!(e.message.contains("anchors"), "{e:?}");
        let e = from_str::<Deck>(&format!("{GOOD}---\nid: x\n")).unwrap_err();
        assert!(e.message.contains("second"), "{e:?}");
        let e = from_str::<Deck>("id: d\n? [a]\n: b\n").unwrap_err();
        assert_eq!(e.message, "mapping keys must be plain text");
    }
}
