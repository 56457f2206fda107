//! What an app screen shows, as text: drawn into a test terminal of a given size, one line per
//! row (cells' symbols, trailing spaces kept).
#![allow(dead_code)] // each test crate uses its own part of the common helpers

use iamdrill::ui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The rows of a drawn test terminal, joined with `\n`.
pub fn terminal_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `app` drawn at `width` x `height`, as text.
pub fn screen_text(app: &App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    terminal_text(&t)
}
