//! Timed mock interviews (domain only).

pub mod grade;
pub mod text;
