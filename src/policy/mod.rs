//! Offline IAM policy engine (placeholder doc, rewritten below).
pub mod condition;
pub mod document;
pub mod eval;
pub mod json;
pub mod pattern;
pub mod request;
