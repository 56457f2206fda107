//! Offline IAM policy engine (placeholder doc, rewritten below).
pub mod case;
pub mod cli;
pub mod condition;
pub mod document;
pub mod eval;
pub mod json;
pub mod lab;
pub mod lint;
pub mod pattern;
pub mod request;
