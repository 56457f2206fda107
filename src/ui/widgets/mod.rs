//! Pieces of screens drawn as styled lines: answers, tables, charts.

pub mod charts;
pub mod markup;
pub mod table;
