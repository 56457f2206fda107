//! iamdrill: AWS IAM and security interview drills in the terminal.

pub mod cli;
pub mod deck;
pub mod paths;
pub mod policy;
