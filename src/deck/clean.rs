//! Text from files, users and errors made harmless before it reaches a terminal: C0 and C1
//! controls (every escape sequence starts with one), DEL and bidi overrides are neutralised.
//! The lowest layer holds it so that every layer that prints uses the same rule.

use std::io::Write;

/// Text from files, answers or errors with control characters (escape sequences, bidi
/// overrides) replaced, so that printing it cannot change the terminal. Line breaks and tabs stay.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if is_unsafe(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Whether printing `c` could change the terminal: C0 and C1 controls other than line break and
/// tab (ESC starts every escape sequence, U+009B is a one-character CSI), DEL, and the bidi
/// embeddings, overrides and isolates that reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || crate::deck::load::is_forbidden_char(c)
}

/// How a [`Clean`] writer makes an unsafe character harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Neutralise {
    /// Replaced by U+FFFD, as [`clean`] does (reports meant to be read).
    Replace,
    /// Written as a JSON escape, `\u202e` (JSON output keeps its data: such characters can
    /// only stand inside strings there).
    JsonEscape,
}

/// A writer that passes text on with every unsafe character neutralised, whatever the chunks
/// it is given (a character split between two writes is put together first; bytes that are
/// not UTF-8 become U+FFFD). Everything the commands print goes through one of these.
pub struct Clean<W: Write> {
    inner: W,
    how: Neutralise,
    /// The start of a character whose other bytes have not come yet.
    pending: Vec<u8>,
}

impl<W: Write> Clean<W> {
    pub fn new(inner: W, how: Neutralise) -> Clean<W> {
        Clean {
            inner,
            how,
            pending: Vec::new(),
        }
    }

    fn neutralised(&self, text: &str, out: &mut String) {
        for c in text.chars() {
            if !is_unsafe(c) {
                out.push(c);
            } else if self.how == Neutralise::JsonEscape {
                let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
            } else {
                out.push('\u{FFFD}');
            }
        }
    }
}

/// Printable ASCII, line break and tab: bytes that pass as they are.
fn plain_ascii(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t'
}

impl<W: Write> Write for Clean<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() && buf.iter().copied().all(plain_ascii) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut out = String::with_capacity(bytes.len());
        let mut rest = &bytes[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.neutralised(text, &mut out);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // Checked by from_utf8 just now.
                    self.neutralised(std::str::from_utf8(good).unwrap_or_default(), &mut out);
                    match e.error_len() {
                        // A character cut at the end of this chunk: wait for the rest.
                        None => {
                            self.pending = bad.to_vec();
                            break;
                        }
                        Some(n) => {
                            out.push('\u{FFFD}');
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Clean<W> {
    fn drop(&mut self) {
        // A character that never got its last bytes.
        if !self.pending.is_empty() {
            let _ = self.inner.write_all("\u{FFFD}".as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_escapes_and_bidi_overrides() {
        let hostile = "case\x1b]0;PWNED\x07\x1b[2J \u{202e}txt\u{9b}31m\nnext\tcol";
        let out = clean(hostile);
        assert!(
            !out.chars()
                .any(|c| c == '\x1b' || c == '\x07' || c == '\u{202e}' || c == '\u{9b}'),
            "{out:?}"
        );
        assert!(out.contains("\nnext\tcol"));
    }

    fn through(how: Neutralise, chunks: &[&[u8]]) -> String {
        let mut buf = Vec::new();
        {
            let mut w = Clean::new(&mut buf, how);
            for c in chunks {
                w.write_all(c).unwrap();
            }
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn the_writer_neutralises_whatever_the_chunks() {
        let hostile = "a\x1b]52;c;SGVsbG8=\x07b\u{9b}2Jc\u{202e}d\u{2066}e\r\x7f\n\tf";
        let bytes = hostile.as_bytes();
        // Every split point, a bidi override or a C1 control cut in two included.
        for i in 0..=bytes.len() {
            let out = through(Neutralise::Replace, &[&bytes[..i], &bytes[i..]]);
            assert_eq!(out, clean(hostile), "split at {i}");
            assert!(!out.chars().any(is_unsafe), "{out:?}");
        }
        assert_eq!(
            through(Neutralise::JsonEscape, &[b"\"x\xe2\x80", b"\xaey\""]),
            "\"x\\u202ey\""
        );
        // Not UTF-8: a raw 8-bit CSI byte, a character never finished.
        assert_eq!(through(Neutralise::Replace, &[b"a\x9b2J"]), "a\u{FFFD}2J");
        assert_eq!(through(Neutralise::Replace, &[b"a\xe2\x80"]), "a\u{FFFD}");
        // Safe text passes unchanged, emoji and accents included.
        let safe = "caf\u{e9} \u{1f512} \u{2014} ok\n";
        assert_eq!(through(Neutralise::Replace, &[safe.as_bytes()]), safe);
    }
}
