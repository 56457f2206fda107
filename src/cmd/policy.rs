//! `iamdrill policy ...`: evaluate cases, run case files as tests, check policy documents.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::Result;
use serde::Serialize;

use crate::policy::case;
use crate::policy::check::{self, Severity};
use crate::policy::document::{PolicyType, ResourceKind};
use crate::policy::eval::NamedPolicy;
use crate::policy::json;
use crate::policy::output::{EvalOutput, error_json, output};

use super::output::{clean, emit, print_json, usage};

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate a case file and explain the decision (exit 1 when `expect` differs, 2 on invalid input).
    Eval {
        /// Case file (YAML, or JSON when it ends in .json). Omit with --jsonl.
        #[arg(required_unless_present = "jsonl", conflicts_with = "jsonl")]
        case: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Read one JSON case per line on stdin and write one JSON result per line.
        #[arg(long)]
        jsonl: bool,
    },
    /// Open the Policy Lab: the puzzles, or the cases of a case file to explore.
    Lab {
        /// Case file (YAML or JSON) to open.
        case: Option<PathBuf>,
    },
    /// Run case files with expectations and print a pass/fail summary (exit 1 on any failure).
    Test {
        /// Case files; each holds one case or a `cases:` list.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List the actions an action pattern grants (e.g. 's3:Get*'), with access levels, from the
    /// embedded AWS service reference (exit 1 when none match, 2 on a malformed pattern).
    Expand {
        /// Action pattern: service:Action with `*` and `?` wildcards, or `*`.
        pattern: String,
        /// Print the actions as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a policy document like IAM Access Analyzer: every finding with its position,
    /// JSON path, id and fix (exit 1 on errors, 0 on warnings unless --strict, 2 if invalid).
    Check {
        policy: PathBuf,
        /// Policy type (default: resource when a statement names a Principal, else identity).
        #[arg(long = "type", value_enum)]
        policy_type: Option<CheckType>,
        /// Print the findings as JSON (same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Output format: text, json, or sarif (SARIF 2.1.0 for code scanning).
        #[arg(long, value_enum)]
        format: Option<CheckFormat>,
        /// Exit 1 on any finding, warnings and suggestions included.
        #[arg(long)]
        strict: bool,
    },
}

/// Policy types for `policy check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckType {
    Identity,
    Resource,
    Bucket,
    Key,
    Trust,
    Boundary,
    Session,
    Scp,
    Rcp,
}

impl CheckType {
    fn split(self) -> (PolicyType, ResourceKind) {
        match self {
            CheckType::Identity => (PolicyType::Identity, ResourceKind::Other),
            CheckType::Resource => (PolicyType::Resource, ResourceKind::Other),
            CheckType::Bucket => (PolicyType::Resource, ResourceKind::Bucket),
            CheckType::Key => (PolicyType::Resource, ResourceKind::Key),
            CheckType::Trust => (PolicyType::Resource, ResourceKind::Trust),
            CheckType::Boundary => (PolicyType::Boundary, ResourceKind::Other),
            CheckType::Session => (PolicyType::Session, ResourceKind::Other),
            CheckType::Scp => (PolicyType::Scp, ResourceKind::Other),
            CheckType::Rcp => (PolicyType::Rcp, ResourceKind::Other),
        }
    }
}

pub fn run(ctx: &crate::context::Context, args: PolicyArgs) -> Result<ExitCode> {
    match args.command {
        PolicyCommand::Lab { case } => {
            let open = match case {
                Some(path) => crate::ui::Open::LabCase(path),
                None => crate::ui::Open::Lab,
            };
            crate::ui::app::open(ctx, Some(open))
        }
        PolicyCommand::Eval { case, json, jsonl } => {
            if jsonl {
                return crate::policy::jsonl::run();
            }
            match case {
                Some(path) => run_eval(&path, json),
                None => usage("policy eval: give a CASE file or --jsonl"),
            }
        }
        PolicyCommand::Test { files, json } => run_test(&files, json),
        PolicyCommand::Expand { pattern, json } => run_expand(&pattern, json),
        PolicyCommand::Check {
            policy,
            policy_type,
            json,
            format,
            strict,
        } => {
            let format = match (json, format) {
                (true, _) => CheckFormat::Json,
                (false, Some(f)) => f,
                (false, None) => CheckFormat::Text,
            };
            run_check(&policy, policy_type, format, strict)
        }
    }
}

fn run_eval(path: &std::path::Path, as_json: bool) -> Result<ExitCode> {
    let cases = match case::load_cases(path) {
        Ok(c) => c,
        Err(e) => {
            if as_json {
                print_json(&error_json(&e))?;
            } else {
                super::output::error(&e);
            }
            return Ok(ExitCode::from(2));
        }
    };
    let mut failed = false;
    let mut outputs = Vec::new();
    for c in &cases {
        let ev = c.evaluate();
        if c.check(&ev).is_err() {
            failed = true;
        }
        outputs.push((c, ev));
    }
    if as_json {
        let list: Vec<EvalOutput> = outputs.iter().map(|(c, ev)| output(c, ev)).collect();
        if list.len() == 1 {
            print_json(&list[0])?;
        } else {
            print_json(&list)?;
        }
    } else {
        let mut out = String::new();
        for (c, ev) in &outputs {
            if let Some(name) = &c.name {
                out.push_str(&format!("Case: {name}\n"));
            }
            let r = &c.request;
            out.push_str(&format!(
                "Request: {} calls {} on {}\n",
                r.principal.arn, r.action, r.resource.arn
            ));
            out.push_str(&ev.render_text());
            match (&c.expect, c.check(ev)) {
                (None, _) => {}
                (Some(_), Ok(())) => out.push_str("Expectation: met\n"),
                (Some(_), Err(why)) => out.push_str(&format!("Expectation: NOT met: {why}\n")),
            }
            out.push('\n');
        }
        emit(&out)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Serialize)]
struct TestResult {
    file: String,
    case: String,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<crate::policy::eval::Decision>,
}

fn run_test(files: &[PathBuf], as_json: bool) -> Result<ExitCode> {
    let mut results = Vec::new();
    let mut invalid = false;
    for f in files {
        let file = f.display().to_string();
        match case::load_cases(f) {
            Err(e) => {
                invalid = true;
                results.push(TestResult {
                    file: file.clone(),
                    case: String::new(),
                    passed: false,
                    reason: Some(e.to_string()),
                    decision: None,
                });
            }
            Ok(cases) => {
                for (i, c) in cases.iter().enumerate() {
                    let name = c.name.clone().unwrap_or_else(|| format!("case {}", i + 1));
                    let ev = c.evaluate();
                    let reason = if c.expect.is_none() {
                        Some("the case has no `expect`".to_string())
                    } else {
                        c.check(&ev).err()
                    };
                    results.push(TestResult {
                        file: file.clone(),
                        case: name,
                        passed: reason.is_none(),
                        reason,
                        decision: Some(ev.decision),
                    });
                }
            }
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    if as_json {
        print_json(&serde_json::json!({
            "results": results,
            "passed": passed,
            "failed": failed,
        }))?;
    } else {
        let mut out = String::new();
        for r in &results {
            match (&r.reason, r.case.is_empty()) {
                (None, _) => out.push_str(&format!("PASS {}: {}\n", r.file, r.case)),
                (Some(why), true) => out.push_str(&format!("FAIL {why}\n")),
                (Some(why), false) => {
                    out.push_str(&format!("FAIL {}: {}: {why}\n", r.file, r.case))
                }
            }
        }
        out.push_str(&format!("{passed} passed, {failed} failed\n"));
        emit(&out)?;
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Serialize)]
struct ExpandedAction {
    action: String,
    access_level: &'static str,
    resource_types: Vec<String>,
}

fn run_expand(pattern: &str, as_json: bool) -> Result<ExitCode> {
    let r = crate::policy::reference::reference();
    let matches = match r.expand(pattern) {
        Ok(m) => m,
        Err(e) => return usage(format!("policy expand: {e}")),
    };
    let list: Vec<ExpandedAction> = matches
        .iter()
        .map(|m| ExpandedAction {
            action: m.full_name(),
            access_level: m.action.level.label(),
            resource_types: m
                .action
                .resources
                .iter()
                .map(|(n, required)| {
                    if *required {
                        format!("{n}*")
                    } else {
                        n.clone()
                    }
                })
                .collect(),
        })
        .collect();
    if as_json {
        super::output::print_json(&serde_json::json!({
            "pattern": pattern,
            "actions": list,
            "data": { "version": r.version, "date": r.date },
        }))?;
    } else {
        let width = list.iter().map(|a| a.action.len()).max().unwrap_or(0);
        let mut out = String::new();
        for a in &list {
            out.push_str(&format!("{:width$}  {}\n", a.action, a.access_level));
        }
        let mut levels: Vec<(&str, usize)> = Vec::new();
        for a in &list {
            match levels.iter_mut().find(|(l, _)| *l == a.access_level) {
                Some((_, n)) => *n += 1,
                None => levels.push((a.access_level, 1)),
            }
        }
        levels.sort();
        let summary: Vec<String> = levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
        out.push_str(&format!(
            "{} matches {}{}{} (AWS service reference {}, {})\n",
            clean(pattern),
            super::output::count(list.len() as u64, "action", "actions"),
            if summary.is_empty() { "" } else { ": " },
            summary.join(", "),
            r.version,
            r.date
        ));
        emit(&out)?;
    }
    Ok(if list.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Guesses the type of a policy document: resource-based when a statement names a principal.
fn infer_type(node: &json::Node) -> (PolicyType, ResourceKind) {
    let statements: Vec<&json::Node> = match node.get("Statement").map(|s| &s.value) {
        Some(json::Value::Array(items)) => items.iter().collect(),
        Some(json::Value::Object(_)) => node.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    };
    let has_principal = statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !has_principal {
        return (PolicyType::Identity, ResourceKind::Other);
    }
    let actions: Vec<String> = statements
        .iter()
        .filter_map(|s| s.get("Action").or_else(|| s.get("NotAction")))
        .flat_map(|a| match &a.value {
            json::Value::String(s) => vec![s.to_ascii_lowercase()],
            json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str())
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let all = |prefix: &str| !actions.is_empty() && actions.iter().all(|a| a.starts_with(prefix));
    let has_resource = statements
        .iter()
        .any(|s| s.get("Resource").is_some() || s.get("NotResource").is_some());
    let kind = if all("sts:") && !has_resource {
        ResourceKind::Trust
    } else if all("kms:") {
        ResourceKind::Key
    } else if all("s3:") {
        ResourceKind::Bucket
    } else {
        ResourceKind::Other
    };
    (PolicyType::Resource, kind)
}

/// Text from the policy file on one line of a report: harmless characters, and no line break
/// that could make it look like another finding.
fn one_line(text: &str) -> String {
    clean(text).replace(['\n', '\t'], " ")
}

/// Output formats of `policy check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning in CI.
    Sarif,
}

fn run_check(
    path: &std::path::Path,
    ty: Option<CheckType>,
    format: CheckFormat,
    strict: bool,
) -> Result<ExitCode> {
    let file = path.display().to_string();
    let text = match crate::deck::read::read_text_bounded(
        path,
        crate::policy::case::MAX_CASE_FILE_BYTES,
    ) {
        Ok(t) => t,
        Err(e) => return usage(format!("{file}: cannot read the file: {e}")),
    };
    let node = json::parse(&text);
    let (pty, kind) = match (ty, &node) {
        (Some(t), _) => t.split(),
        (None, Ok(n)) => infer_type(n),
        (None, Err(_)) => (PolicyType::Identity, ResourceKind::Other),
    };
    let type_label = if pty == PolicyType::Resource {
        kind.label()
    } else {
        pty.label()
    };
    let (findings, invalid) = match (NamedPolicy::parse(&file, pty, kind, &text), &node) {
        (Ok(np), Ok(root)) => (check::check(&np.policy, root, pty, kind), false),
        (Err(e), _) => (
            vec![check::Finding {
                id: "invalid-policy",
                severity: Severity::Error,
                path: e.path.clone(),
                pos: e.pos,
                message: e.message.clone(),
                fix: "correct the document; IAM rejects it as written".into(),
            }],
            true,
        ),
        (Ok(_), Err(e)) => (
            vec![check::Finding {
                id: "invalid-policy",
                severity: Severity::Error,
                path: "(document)".into(),
                pos: Some(e.pos),
                message: e.message.clone(),
                fix: "correct the JSON".into(),
            }],
            true,
        ),
    };
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    match format {
        CheckFormat::Json => print_json(&serde_json::json!({
            "file": file,
            "type": type_label,
            "valid": !invalid,
            "findings": findings,
            "errors": count(Severity::Error),
            "security_warnings": count(Severity::SecurityWarning),
            "warnings": count(Severity::Warning),
            "suggestions": count(Severity::Suggestion),
        }))?,
        CheckFormat::Sarif => print_json(&check::sarif(&file, &findings))?,
        CheckFormat::Text => {
            let file = one_line(&file);
            let mut out = format!(
                "{file}: checked as {type_label}{}\n",
                if invalid { "" } else { ": valid" }
            );
            for f in &findings {
                let at = match f.pos {
                    Some(p) => format!("{file}:{}:{}", p.line, p.column),
                    None => file.clone(),
                };
                out.push_str(&format!(
                    "{at}: {} [{}]: {}: {}\n    fix: {}\n",
                    f.severity.label(),
                    f.id,
                    one_line(&f.path),
                    one_line(&f.message),
                    one_line(&f.fix)
                ));
            }
            out.push_str(&format!(
                "{}, {}, {}, {}\n",
                super::output::count(count(Severity::Error) as u64, "error", "errors"),
                super::output::count(
                    count(Severity::SecurityWarning) as u64,
                    "security warning",
                    "security warnings"
                ),
                super::output::count(count(Severity::Warning) as u64, "warning", "warnings"),
                super::output::count(
                    count(Severity::Suggestion) as u64,
                    "suggestion",
                    "suggestions"
                )
            ));
            emit(&out)?;
        }
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if count(Severity::Error) > 0 || (strict && !findings.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
