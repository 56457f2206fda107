//! iamdrill: AWS IAM and security interview drills in the terminal.

pub mod cli;
pub mod deck;
pub mod mock;
pub mod paths;
