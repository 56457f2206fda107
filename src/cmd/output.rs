//! How commands print: reports to standard output (a closed pipe is not an error), errors and
//! warnings to standard error, every piece of text from a file or a user made harmless first.

use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;

use color_eyre::Result;
use serde::Serialize;

/// Text from files, answers or errors with control characters (escape sequences, bidi
/// overrides) replaced, so that printing it cannot change the terminal. Line breaks and tabs stay.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() || crate::deck::load::is_forbidden_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Prints `iamdrill: <message>` to standard error.
pub fn error(message: &dyn Display) {
    eprintln!("iamdrill: {}", clean(&message.to_string()));
}

/// Prints `iamdrill: warning: <message>` to standard error.
pub fn warn(message: &dyn Display) {
    eprintln!("iamdrill: warning: {}", clean(&message.to_string()));
}

/// Bad input on the command line: the message, and exit status 2.
pub fn usage(message: impl Display) -> Result<ExitCode> {
    error(&message);
    Ok(ExitCode::from(2))
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes a value as pretty JSON to standard output.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    emit(&text)
}

/// The library of a context, with its load problems printed as warnings.
pub fn library(ctx: &crate::context::Context) -> std::sync::Arc<crate::deck::Library> {
    let lib = ctx.library();
    for p in &lib.problems {
        warn(p);
    }
    lib
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
}
