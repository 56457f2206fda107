//! Offline IAM policy engine: parse policy documents, evaluate requests the way AWS documents
//! it, explain the decision, and build Policy Lab puzzles and drills on top. No UI code here.
//!
//! # API for the app
//!
//! Evaluate a case file:
//! ```no_run
//! use iamdrill::policy::{case, Decision};
//! let cases = case::load_cases(std::path::Path::new("case.yaml"))?; // errors: file:line:column
//! let ev = cases[0].evaluate();
//! if ev.decision == Decision::ExplicitDeny {
//!     let s = ev.deciding_statement.as_ref().unwrap(); // policy name, type, statement index, Sid
//!     println!("{} denies in statement {}: {}", s.policy, s.index, ev.rule);
//! }
//! # Ok::<(), iamdrill::policy::case::CaseError>(())
//! ```
//!
//! - [`case::Case`]: `request`, `organization`, `policies` ([`eval::PolicySet`]: identity, resource,
//!   boundary, session; each a [`eval::NamedPolicy`] with `name`, `policy_type`, `document`), `expect`.
//!   `Case::evaluate()` → [`eval::Evaluation`]; `Case::check(&ev)` compares with `expect`.
//! - [`eval::Evaluation`] (Serialize): `decision`, `deciding_statement` (policy name, type,
//!   organization level, statement `index`, `sid`, `line`), `deciding_policy` (also for implicit
//!   denies: the policy that failed to allow), `rule` (plain words), `steps`, `notes` (documented
//!   readings chosen), `statements` (every statement: applies or why not, incl. condition key/operator).
//! - To highlight a statement: `NamedPolicy::display()` gives pretty JSON and the first line of
//!   each statement; index it with `deciding_statement.index`.
//! - To re-evaluate after editing: `NamedPolicy::parse(name, type, kind, &json_text)` (errors carry
//!   the JSON path and line:column), replace it in `case.policies`, call `evaluate()` again. Context
//!   keys to toggle live in `case.request.context` (lower-cased key → values), e.g.
//!   `aws:multifactorauthpresent`, `aws:sourceip`, `aws:securetransport`; principal tags in
//!   `case.request.principal.tags`.
//! - Puzzles: [`lab::builtin_puzzles()`] → `Vec<Puzzle { id, title, story, steps: Vec<Step { title, case }>,
//!   choices: Vec<Choice { id, label, policy }>, answer }>`; [`lab::check_answer(&puzzle, choice_id)`]
//!   → [`lab::Verdict`] `{ correct, correct_choice, failing_step, evaluation, explanation }`.
//! - Drills: [`drill::generate(seed, n)`] → `Vec<Drill { id: "drill-<template>-<variant>", prompt,
//!   case, answer }>`; [`drill::by_id(id)`] rebuilds one for scheduling; `Drill::options()` lists the
//!   policy names to pick from; `Drill::check(decision, policy)` grades an answer.
//! - Lints: [`lint::lint(&policy, type, kind)`] → findings with code, JSON path and position.
//! - Validation: [`check::check(&policy, &json_tree, type, kind)`] → every finding (severity, id,
//!   JSON path with indexes, position, fix) against the embedded [`reference`] data.
//!
//! # Modules
//! `json` (positioned JSON parser) → `document` (policy model and validation) → `pattern`
//! (wildcards, ARNs, policy variables) and `condition` (operators) → `request` → `eval`
//! (decision and explanation) → `case` (case files) → `cli` and `jsonl` (bulk evaluation),
//! `lab`, `drill`, `lint`.

pub mod case;
pub mod check;
pub mod condition;
pub mod document;
pub mod drill;
pub mod eval;
pub(crate) mod fast;
pub mod json;
pub mod jsonl;
pub mod lab;
pub mod lint;
pub mod output;
pub mod pattern;
pub mod reference;
pub mod request;

#[cfg(test)]
mod paths_tests;

pub use document::{Effect, Policy, PolicyError, PolicyType, ResourceKind, parse_policy};
pub use eval::{Decision, Evaluation, NamedPolicy, OrgLevel, Organization, PolicySet, evaluate};
pub use request::{Principal, PrincipalKind, Request, Resource};
