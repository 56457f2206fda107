//! How commands print: reports to standard output (a closed pipe is not an error), errors and
//! warnings to standard error, every piece of text from a file or a user made harmless first.

use std::fmt::Display;
use std::io::Write;

pub use crate::deck::clean::{Clean, Neutralise, clean, is_unsafe};
pub use crate::ui::text::count;
use std::process::ExitCode;

use color_eyre::Result;
use serde::Serialize;

/// Standard output for reports, with unsafe characters replaced.
pub fn stdout() -> Clean<std::io::StdoutLock<'static>> {
    Clean::new(std::io::stdout().lock(), Neutralise::Replace)
}

/// Standard output for JSON, with unsafe characters escaped.
pub fn stdout_json() -> Clean<std::io::StdoutLock<'static>> {
    Clean::new(std::io::stdout().lock(), Neutralise::JsonEscape)
}

/// Prints `iamdrill: <message>` to standard error.
pub fn error(message: &dyn Display) {
    say(&format_args!("iamdrill: {message}"));
}

/// Prints `iamdrill: warning: <message>` to standard error.
pub fn warn(message: &dyn Display) {
    say(&format_args!("iamdrill: warning: {message}"));
}

/// Prints a line to standard error as it is (a located problem, a progress note), made
/// harmless; a closed standard error is not a reason to stop.
pub fn say(message: &dyn Display) {
    let mut err = Clean::new(std::io::stderr().lock(), Neutralise::Replace);
    let _ = writeln!(err, "{message}");
}

/// Bad input on the command line: the message, and exit status 2.
pub fn usage(message: impl Display) -> Result<ExitCode> {
    error(&message);
    Ok(ExitCode::from(2))
}

/// A command line clap could not take, or a request for help or the version: printed like
/// clap prints it, except that the values it quotes back are made harmless first (an argument
/// may carry escape sequences), and a closed pipe is not an error.
pub fn usage_error(err: &clap::Error) -> ExitCode {
    let text = err.to_string();
    if err.use_stderr() {
        say(&text.trim_end());
    } else {
        let _ = emit(&text);
    }
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) -> Result<()> {
    write_quietly(stdout(), text)
}

fn write_quietly(mut out: impl Write, text: &str) -> Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes a value as pretty JSON to standard output.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_quietly(stdout_json(), &text)
}

/// The library of a context, with its load problems printed as warnings.
pub fn library(ctx: &crate::context::Context) -> std::sync::Arc<crate::deck::Library> {
    let lib = ctx.library();
    for p in &lib.problems {
        warn(p);
    }
    lib
}
