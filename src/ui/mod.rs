//! The terminal app: an app loop that draws, maps keys through the keymap, updates the screen on
//! top of a screen stack, and performs the effects screens return (store writes, navigation).
//!
//! Screens live in [`screens`], one module each. A screen owns its state and implements
//! `impl Widget for &XScreen` (rendering never mutates). Its `handle(&mut self, Input, &Env) -> Effect`
//! reacts to one input; effects that touch the store or the screen stack are performed by the app.

pub mod app;
pub mod screens;
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
