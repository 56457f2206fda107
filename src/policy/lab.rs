//! Policy Lab puzzles: stories told as a chain of evaluations, where the learner names the
//! policy that breaks the chain and the engine confirms and explains.
//!
//! Built-in puzzles live in `assets/lab/*.yaml` and are embedded in the binary.

use serde::{Deserialize, Serialize};

use super::case::{self, Case, CaseError, RawCase};
use super::eval::{Decision, Evaluation};

/// One step of a puzzle: a request evaluated against its policies.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    pub case: Case,
}

/// An answer the learner can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// The policy name (or organization level) this choice blames; `None` = "nothing, it works".
    #[serde(default)]
    pub policy: Option<String>,
}

/// A lab puzzle.
#[derive(Debug, Clone, PartialEq)]
pub struct Puzzle {
    pub id: String,
    pub title: String,
    pub story: String,
    pub steps: Vec<Step>,
    pub choices: Vec<Choice>,
    /// The choice id the author expects; the engine's verdict is what counts (a test keeps them equal).
    pub answer: String,
}

/// The engine's verdict on an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub correct: bool,
    pub chosen: String,
    /// The choice the engine's result points to (`None` if no choice names the culprit).
    pub correct_choice: Option<String>,
    /// Index of the first step that was not allowed (`None` when every step is allowed).
    pub failing_step: Option<usize>,
    /// The evaluation of the failing step (or of the last step when all are allowed).
    pub evaluation: Evaluation,
    /// A short explanation in plain words.
    pub explanation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: String,
    case: RawCase,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPuzzle {
    id: String,
    title: String,
    story: String,
    steps: Vec<RawStep>,
    choices: Vec<Choice>,
    answer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPuzzleFile {
    /// Free-form section for YAML anchors shared by the puzzles (ignored otherwise).
    #[serde(default)]
    #[allow(dead_code)]
    definitions: Option<serde::de::IgnoredAny>,
    puzzles: Vec<RawPuzzle>,
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "assets/lab/lambda-s3-denied.yaml",
        include_str!("../../assets/lab/lambda-s3-denied.yaml"),
    ),
    (
        "assets/lab/cross-account-s3.yaml",
        include_str!("../../assets/lab/cross-account-s3.yaml"),
    ),
    (
        "assets/lab/mfa-deny.yaml",
        include_str!("../../assets/lab/mfa-deny.yaml"),
    ),
    (
        "assets/lab/confused-deputy.yaml",
        include_str!("../../assets/lab/confused-deputy.yaml"),
    ),
    (
        "assets/lab/scp-vs-admin.yaml",
        include_str!("../../assets/lab/scp-vs-admin.yaml"),
    ),
    (
        "assets/lab/boundary-vs-resource.yaml",
        include_str!("../../assets/lab/boundary-vs-resource.yaml"),
    ),
];

/// The cases of the built-in puzzles, each as one line of JSON: the input of
/// `policy eval --jsonl`, for its benchmark and tests.
pub fn builtin_case_lines() -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m)
                if m.contains_key("request") && m.contains_key("policies") =>
            {
                out.push(v.to_string())
            }
            serde_json::Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (_, text) in BUILTIN {
        if let Ok(yaml) = serde_yaml::from_str::<serde_yaml::Value>(text)
            && let Ok(json) = serde_json::to_value(yaml)
        {
            walk(&json, &mut out);
        }
    }
    out
}

/// Parses a puzzle file (`puzzles:` list). `file` names it in errors.
pub fn parse_puzzles(text: &str, file: &str) -> Result<Vec<Puzzle>, CaseError> {
    let raw: RawPuzzleFile = serde_yaml::from_str(text).map_err(|e| {
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        CaseError {
            file: file.to_string(),
            pos: e.location().map(|l| super::json::Pos {
                line: l.line(),
                column: l.column(),
            }),
            message,
        }
    })?;
    let mut out = Vec::new();
    for p in raw.puzzles {
        let mut steps = Vec::new();
        for s in p.steps {
            steps.push(Step {
                title: s.title,
                case: case::convert(s.case, file)?,
            });
        }
        if steps.is_empty() {
            return Err(CaseError {
                file: file.to_string(),
                pos: None,
                message: format!("puzzle {}: it has no steps", p.id),
            });
        }
        if !p.choices.iter().any(|c| c.id == p.answer) {
            return Err(CaseError {
                file: file.to_string(),
                pos: None,
                message: format!(
                    "puzzle {}: the answer \"{}\" is not one of its choices",
                    p.id, p.answer
                ),
            });
        }
        out.push(Puzzle {
            id: p.id,
            title: p.title,
            story: p.story,
            steps,
            choices: p.choices,
            answer: p.answer,
        });
    }
    Ok(out)
}

/// The puzzles shipped with iamdrill.
pub fn builtin_puzzles() -> Result<Vec<Puzzle>, CaseError> {
    let mut all = Vec::new();
    for (file, text) in BUILTIN {
        all.extend(parse_puzzles(text, file)?);
    }
    Ok(all)
}

/// Evaluates every step; returns the index and evaluation of the first step not allowed,
/// or the last evaluation with `None` when the whole chain is allowed.
pub fn run(puzzle: &Puzzle) -> (Option<usize>, Evaluation, Vec<Evaluation>) {
    let evals: Vec<Evaluation> = puzzle.steps.iter().map(|s| s.case.evaluate()).collect();
    let failing = evals.iter().position(|e| e.decision != Decision::Allow);
    let shown = match failing {
        Some(i) => evals[i].clone(),
        None => evals
            .last()
            .cloned()
            .unwrap_or_else(|| puzzle.steps[0].case.evaluate()),
    };
    (failing, shown, evals)
}

/// The choice the engine's result points to.
pub fn culprit(puzzle: &Puzzle) -> Option<&Choice> {
    let (failing, ev, _) = run(puzzle);
    match failing {
        None => puzzle.choices.iter().find(|c| c.policy.is_none()),
        Some(_) => {
            let names = case::deciding_names(&ev);
            puzzle
                .choices
                .iter()
                .find(|c| c.policy.as_ref().is_some_and(|p| names.contains(p)))
        }
    }
}

/// Checks the learner's choice against the engine.
pub fn check_answer(puzzle: &Puzzle, choice_id: &str) -> Verdict {
    let (failing, evaluation, _) = run(puzzle);
    let correct_choice = culprit(puzzle).map(|c| c.id.clone());
    let correct = correct_choice.as_deref() == Some(choice_id);
    let explanation = match failing {
        Some(i) => format!(
            "Step {} ({}) is {}: {}.",
            i + 1,
            puzzle.steps[i].title,
            evaluation.decision.words(),
            evaluation.rule
        ),
        None => format!("Every step is allowed: {}.", evaluation.rule),
    };
    Verdict {
        correct,
        chosen: choice_id.to_string(),
        correct_choice,
        failing_step: failing,
        evaluation,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_puzzles_load_and_agree_with_the_engine() {
        let puzzles = builtin_puzzles().unwrap();
        assert!(puzzles.len() >= 12, "{}", puzzles.len());
        let lambda = puzzles
            .iter()
            .filter(|p| p.id.starts_with("lambda-"))
            .count();
        assert!(lambda >= 6, "{lambda}");
        for p in &puzzles {
            let v = check_answer(p, &p.answer);
            assert!(
                v.correct,
                "{}: engine says {:?}: {}",
                p.id, v.correct_choice, v.explanation
            );
            let wrong = p.choices.iter().find(|c| c.id != p.answer).unwrap();
            assert!(!check_answer(p, &wrong.id).correct, "{}", p.id);
        }
    }

    #[test]
    fn puzzle_ids_are_unique() {
        let puzzles = builtin_puzzles().unwrap();
        let mut ids: Vec<&str> = puzzles.iter().map(|p| p.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len());
    }

    #[test]
    fn bad_answer_is_reported() {
        let e = parse_puzzles(
            "puzzles:\n  - id: x\n    title: t\n    story: s\n    steps: []\n    choices: [{id: a, label: A}]\n    answer: a\n",
            "x.yaml",
        )
        .unwrap_err();
        assert!(e.message.contains("no steps"));
    }
}
