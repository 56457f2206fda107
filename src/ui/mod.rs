//! The terminal app: an app loop that draws, maps keys through the keymap, updates the screen on
//! top of a screen stack, and performs the effects screens return (store writes, navigation).
//!
//! Screens live in [`screens`], one module each. A screen owns its state and implements
//! `impl Widget for &XScreen` (rendering never mutates). Its `handle(&mut self, Input, &Env) -> Effect`
//! reacts to one input; effects that touch the store or the screen stack are performed by the app.

pub mod app;
pub mod screens;
pub mod signals;
pub mod text;
pub mod theme;
pub mod widgets;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

pub use crate::context::keymap::{Action, Keymap, Scope};
pub use theme::Theme;

/// One input for a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key mapped through the keymap.
    Action(Action),
    /// A key as typed (only for screens that take text: search, typed answers).
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Pasted text (bracketed paste), for screens that take text.
    Paste(String),
    /// Time passed (for clocks).
    Tick,
}

/// Text is wrapped to at most this many columns on wide terminals, to stay readable; tables of
/// numbers, charts and web addresses may use the whole width.
pub const READABLE_WIDTH: u16 = 100;

/// Where to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    Dashboard,
    Search,
    /// Show one card (from search or browse).
    Card(String),
    /// Review one card now, outside the queue.
    ReviewCard(String),
    /// Pick topics, then run the purpose.
    TopicPicker(Purpose),
    Review {
        topics: Vec<String>,
    },
    /// Allow `n` more new cards today, then review.
    LearnMore {
        topics: Vec<String>,
        n: u32,
    },
    /// Review the answered cards due in the next `days` days, ahead of time.
    StudyAhead {
        topics: Vec<String>,
        days: u32,
    },
    Cram {
        topics: Vec<String>,
        reschedule: bool,
    },
    /// A mock interview on these topics, with the configured length.
    Mock {
        topics: Vec<String>,
    },
    /// A mock interview with every option chosen (`iamdrill mock`).
    MockWith(screens::mock::MockOptions),
    Stats,
    /// The card browser, with a filter to start from (`is:suspended`, `topic:kms`, …).
    Browser {
        filter: String,
    },
    Lab,
    /// The lab opened on the cases of a case file.
    LabCase(std::path::PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Review,
    Cram,
    Mock,
}

/// What a screen asks the app to do after an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Close this screen (quit when it is the last).
    Back,
    /// Quit the app.
    Quit,
    Open(Open),
    /// Replace this screen with another.
    Replace(Open),
    /// Show the help popup for this screen.
    Help,
    /// Ask before quitting (a message), e.g. mid-interview.
    Confirm(String),
    /// A store operation on the review session.
    Session(screens::review::SessionOp),
    /// Edit this policy JSON in the editor; the result goes back to the screen (policy lab).
    EditPolicy(String),
    /// Change these cards in the store (card browser).
    Cards {
        op: screens::browser::CardOp,
        ids: Vec<String>,
    },
    /// Open this web address with the platform's opener.
    OpenUrl(String),
}

/// Moves a scroll offset for the inputs every scrolling view shares: arrows and j/k by a line,
/// PgUp/PgDn by ten, Home/g to the top, the mouse wheel by three. Returns whether it was one.
/// Views that know their height use [`Scroll`], which pages by the view and goes to the end.
pub fn scroll(offset: &mut u16, input: &Input) -> bool {
    use ratatui::crossterm::event::MouseEventKind;
    *offset = match input {
        Input::Action(Action::Up) => offset.saturating_sub(1),
        Input::Action(Action::Down) => offset.saturating_add(1),
        Input::Action(Action::PageUp) => offset.saturating_sub(10),
        Input::Action(Action::PageDown) => offset.saturating_add(10),
        Input::Action(Action::Top) => 0,
        Input::Mouse(m) if m.kind == MouseEventKind::ScrollUp => offset.saturating_sub(3),
        Input::Mouse(m) if m.kind == MouseEventKind::ScrollDown => offset.saturating_add(3),
        _ => return false,
    };
    true
}

/// A scroll offset that knows the view it was last drawn in: PgUp/PgDn move by the view's height
/// (less one line kept as context), End/G go to the last line, and a key scrolls from where the
/// view is rather than from an offset past the end.
#[derive(Debug, Clone, Default)]
pub struct Scroll {
    offset: u16,
    /// The largest offset and the view's height, from the last frame (none before the first).
    drawn: std::cell::Cell<Option<(u16, u16)>>,
}

impl Scroll {
    /// Moves for a scrolling input; returns whether it was one.
    pub fn handle(&mut self, input: &Input) -> bool {
        let (max, height) = self.drawn.get().unwrap_or((u16::MAX, 11));
        let page = height.saturating_sub(1).max(1);
        let mut offset = self.offset.min(max);
        match input {
            Input::Action(Action::PageDown) => offset = offset.saturating_add(page),
            Input::Action(Action::PageUp) => offset = offset.saturating_sub(page),
            // Drawing stops at the last line.
            Input::Action(Action::Bottom) => offset = u16::MAX,
            other => {
                if !scroll(&mut offset, other) {
                    return false;
                }
            }
        }
        self.offset = offset;
        true
    }

    /// Back to the top.
    pub fn reset(&mut self) {
        self.offset = 0;
    }

    /// The offset to draw `lines` lines with in a view `height` lines tall (never past the last
    /// line), remembered for the next key.
    pub fn offset(&self, lines: usize, height: u16) -> u16 {
        let max = u16::try_from(lines)
            .unwrap_or(u16::MAX)
            .saturating_sub(height);
        self.drawn.set(Some((max, height)));
        self.offset.min(max)
    }
}

#[cfg(test)]
mod scroll_tests {
    use super::*;

    #[test]
    fn pages_are_the_view_and_the_end_is_the_last_line() {
        let mut s = Scroll::default();
        assert_eq!(s.offset(100, 10), 0);
        assert!(s.handle(&Input::Action(Action::PageDown)));
        assert_eq!(s.offset(100, 10), 9, "a page less one line of context");
        s.handle(&Input::Action(Action::Bottom));
        assert_eq!(s.offset(100, 10), 90);
        // Up from the bottom moves at once, whatever End asked for.
        s.handle(&Input::Action(Action::Up));
        assert_eq!(s.offset(100, 10), 89);
        s.handle(&Input::Action(Action::Top));
        assert_eq!(s.offset(100, 10), 0);
        assert!(!s.handle(&Input::Action(Action::Select)));
        // Short content never scrolls.
        s.handle(&Input::Action(Action::Bottom));
        assert_eq!(s.offset(5, 10), 0);
    }
}
