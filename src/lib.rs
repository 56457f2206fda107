//! iamdrill: AWS IAM and security interview drills in the terminal.

pub mod cli;
pub mod compile;
pub mod deck;
pub mod mock;
pub mod paths;
pub mod policy;
pub mod search;
pub mod srs;
pub mod store;
pub mod ui;
