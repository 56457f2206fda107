//! The JSON shapes of an evaluated case and of a case error, shared by `policy eval --json` and
//! the bulk `--jsonl` path so both print the same fields.

use serde::Serialize;

use super::case::{self, Case, CaseError};
use super::eval::Evaluation;

#[derive(Serialize)]
pub struct EvalOutput<'a> {
    case: Option<&'a str>,
    decision: super::eval::Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<&'a case::Expect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation_met: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mismatch: Option<String>,
    evaluation: &'a Evaluation,
}

pub fn output<'a>(c: &'a Case, ev: &'a Evaluation) -> EvalOutput<'a> {
    let check = c.check(ev);
    EvalOutput {
        case: c.name.as_deref(),
        decision: ev.decision,
        expect: c.expect.as_ref(),
        expectation_met: c.expect.as_ref().map(|_| check.is_ok()),
        mismatch: check.err(),
        evaluation: ev,
    }
}

pub fn error_json(e: &CaseError) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "file": e.file,
            "line": e.pos.map(|p| p.line),
            "column": e.pos.map(|p| p.column),
            "message": e.message,
            "display": e.to_string(),
        }
    })
}
