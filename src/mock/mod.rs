//! Timed mock interviews (domain only).

pub mod cli;
pub mod grade;
pub mod report;
pub mod select;
pub mod session;
pub mod text;
pub mod timer;
