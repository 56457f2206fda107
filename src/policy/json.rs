//! A small JSON parser that keeps the line and column of every value.
//!
//! `serde_json::Value` forgets where a value came from, and policy errors must say
//! where they are. This parser builds a [`Node`] tree with 1-based positions; it is
//! strict JSON (RFC 8259) and also rejects duplicate object keys, which IAM does too.

use std::fmt;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON value with its position (`None` when built from a position-less source).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers keep their source text so nothing is lost to float rounding.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Object members in source order: (key, key position, value).
    Object(Vec<(String, Option<Pos>, Node)>),
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The member `key` of an object (exact key match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// Follows a path of object keys and array indexes.
    pub fn at(&self, path: &[PathPart<'_>]) -> Option<&Node> {
        let mut node = self;
        for part in path {
            node = match (part, &node.value) {
                (PathPart::Key(k), Value::Object(_)) => node.get(k)?,
                (PathPart::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Converts a `serde_json::Value` (no positions).
    pub fn from_serde(value: &serde_json::Value) -> Node {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.to_string()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Node::from_serde).collect()),
            serde_json::Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), None, Node::from_serde(v)))
                    .collect(),
            ),
        };
        Node { value, pos: None }
    }
}

/// Serializes as the JSON value, object members in source order.
impl serde::Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match n.parse::<serde_json::Number>() {
                Ok(n) => n.serialize(s),
                Err(_) => s.serialize_str(n),
            },
            Value::String(v) => s.serialize_str(v),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, _, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Compact JSON text.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// Builds a tree (without positions) from any serde format: JSON or YAML case files embed
/// policy documents this way. Duplicate object keys are rejected, as IAM rejects them.
impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl NodeVisitor {
    fn node(value: Value) -> Node {
        Node { value, pos: None }
    }
}

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Self::node(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Self::node(Value::Null))
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Self::node(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Self::node(Value::Number(v.to_string())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Self::node(Value::Number(v.to_string())))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Node, E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => Ok(Self::node(Value::Number(n.to_string()))),
            None => Err(E::custom(format!("the number {v} is not valid in JSON"))),
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Self::node(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Self::node(Value::String(v)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Self::node(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members: Vec<(String, Option<Pos>, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.iter().any(|(k, _, _)| *k == key) {
                return Err(serde::de::Error::custom(format!("duplicate key \"{key}\"")));
            }
            let value = map.next_value()?;
            members.push((key, None, value));
        }
        Ok(Self::node(Value::Object(members)))
    }
}

/// One step of a path into a [`Node`].
#[derive(Debug, Clone, Copy)]
pub enum PathPart<'a> {
    Key(&'a str),
    Index(usize),
}

/// A JSON syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses a complete JSON text.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        col_at: (0, 1),
        depth: 0,
    };
    p.skip_ws();
    let node = p.value()?;
    p.skip_ws();
    if p.i < p.bytes.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(node)
}

const MAX_DEPTH: usize = 128;

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: usize,
    line_start: usize,
    /// A byte offset on the current line and its 1-based column, so that finding the column
    /// of the next value counts only the characters since (one long line stays linear).
    col_at: (usize, usize),
    depth: usize,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        let i = self.i.min(self.text.len());
        let (from, col) = if self.col_at.0 >= self.line_start && self.col_at.0 <= i {
            self.col_at
        } else {
            (self.line_start, 1)
        };
        Pos {
            line: self.line,
            column: col + self.text[from..i].chars().count(),
        }
    }

    /// [`Parser::pos`], remembering the column for the next call.
    fn mark(&mut self) -> Pos {
        let pos = self.pos();
        self.col_at = (self.i.min(self.text.len()), pos.column);
        pos
    }

    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            match b {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let pos = Some(self.mark());
        let value = match self.bytes.get(self.i) {
            None => return Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                let c = self.text[self.i..].chars().next().unwrap_or('?');
                return Err(self.err(format!("unexpected character '{c}', expected a value")));
            }
        };
        Ok(Node { value, pos })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.bytes[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(self.err(format!("invalid literal, expected '{word}'")))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.i += 1;
        let mut members: Vec<(String, Option<Pos>, Node)> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string key in double quotes"));
            }
            let key_pos = self.mark();
            let key = self.string()?;
            if members.iter().any(|(k, _, _)| *k == key) {
                return Err(SyntaxError {
                    pos: key_pos,
                    message: format!("duplicate key \"{key}\""),
                });
            }
            self.skip_ws();
            if self.bytes.get(self.i) != Some(&b':') {
                return Err(self.err("expected ':' after the key"));
            }
            self.i += 1;
            self.skip_ws();
            let value = self.value()?;
            members.push((key, Some(key_pos), value));
            self.skip_ws();
            match self.bytes.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Object(members));
                }
                None => return Err(self.err("unexpected end of input inside an object")),
                Some(_) => return Err(self.err("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.bytes.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(self.err("unexpected end of input inside an array")),
                Some(_) => return Err(self.err("expected ',' or ']' in an array")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.bytes.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.bytes.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.bytes.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.bytes[self.i..].starts_with(b"\\u") {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid low surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(code)
                                .ok_or_else(|| self.err("invalid \\u escape"))?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.err("invalid escape in string")),
                    };
                    out.push(c);
                    self.i += 1;
                }
                Some(_) => return Err(self.err("control character inside a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("\\u escape needs four hex digits"))?;
        let v = u32::from_str_radix(digits, 16)
            .map_err(|_| self.err("\\u escape needs four hex digits"))?;
        self.i += 4;
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        if self.bytes.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.bytes.get(p.i), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - s
        };
        let int_start = self.i;
        let n = digits(self);
        if n == 0 {
            return Err(self.err("invalid number"));
        }
        if n > 1 && self.bytes[int_start] == b'0' {
            return Err(self.err("numbers may not have leading zeros"));
        }
        if self.bytes.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits expected after '.'"));
            }
        }
        if matches!(self.bytes.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.bytes.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number: digits expected in exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.i].to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_with_positions() {
        let n = parse("{\n  \"a\": [1, true, null],\n  \"b\": \"x\\u00e9\"\n}").unwrap();
        let a = n.get("a").unwrap();
        assert_eq!(a.pos, Some(Pos { line: 2, column: 8 }));
        match &a.value {
            Value::Array(items) => {
                assert_eq!(items.len(), 3);
                assert_eq!(items[1].value, Value::Bool(true));
                assert_eq!(
                    items[2].pos,
                    Some(Pos {
                        line: 2,
                        column: 18
                    })
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(n.get("b").unwrap().as_str(), Some("xé"));
        assert_eq!(n.get("b").unwrap().pos, Some(Pos { line: 3, column: 8 }));
    }

    #[test]
    fn surrogate_pairs_decode() {
        let n = parse("\"\\ud83d\\ude00\"").unwrap();
        assert_eq!(n.as_str(), Some("😀"));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse("{\n  \"a\": 1,\n  \"a\": 2\n}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, column: 3 });
        assert!(e.message.contains("duplicate key"));
        let e = parse("{\"a\" 1}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, column: 6 });
        let e = parse("[1, 2").unwrap_err();
        assert!(e.message.contains("end of input"));
        let e = parse("01").unwrap_err();
        assert!(e.message.contains("leading zeros"));
        let e = parse("{} x").unwrap_err();
        assert!(e.message.contains("after the JSON value"));
        let e = parse("\"a\nb\"").unwrap_err();
        assert!(e.message.contains("control character"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).unwrap_err().message.contains("nesting"));
    }

    #[test]
    fn columns_count_characters() {
        let e = parse("{\"é\": x}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, column: 7 });
    }

    #[test]
    fn serde_round_trip() {
        let n = parse(r#"{"a":[1,2.5,"x",false,null],"b":{}}"#).unwrap();
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(serde_json::to_value(Node::from_serde(&v)).unwrap(), v);
        // Deserializing keeps source order and refuses a repeated key, like `parse`.
        let d: Node = serde_json::from_str(r#"{"b":1,"a":[true]}"#).unwrap();
        assert_eq!(d.to_string(), r#"{"b":1,"a":[true]}"#);
        assert!(serde_json::from_str::<Node>(r#"{"a":1,"a":2}"#).is_err());
    }
}
