//! Pieces of screens drawn as styled lines: answers, tables, charts.

pub mod charts;
pub mod input;
pub mod markup;
pub mod table;
