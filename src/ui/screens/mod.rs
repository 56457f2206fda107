//! One module per screen. Each owns its state, reacts to [`crate::ui::Input`] with an
//! [`crate::ui::Effect`], and draws through `impl Widget for &XScreen`.

pub mod browser;
pub mod card;
pub mod dashboard;
pub mod lab;
pub mod mock;
pub mod picker;
pub mod review;
pub mod search;
pub mod stats;
pub mod summary;
