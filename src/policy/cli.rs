//! `iamdrill policy ...`: evaluate cases, run case files as tests, check policy documents.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use clap::{Args, Subcommand, ValueEnum};
use color_eyre::Result;
use serde::Serialize;

use super::case::{self, Case, CaseError};
use super::document::{PolicyType, ResourceKind};
use super::eval::{Evaluation, NamedPolicy};
use super::json;
use super::lint::{self, Finding};

/// `println!` that returns the write error (a closed pipe ends the command quietly in `main`)
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

/// `print!` that returns the write error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout().lock(), $($arg)*)?
    };
}

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
    /// Validate a policy document and lint it for classic mistakes (exit 1 on findings, 2 if invalid).
    Check {
        policy: PathBuf,
        /// Policy type (default: resource when a statement names a Principal, else identity).
        #[arg(long = "type", value_enum)]
        policy_type: Option<CheckType>,
        #[arg(long)]
        json: bool,
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

pub fn run(global: &crate::cli::Global, args: PolicyArgs) -> Result<ExitCode> {
    match args.command {
        PolicyCommand::Lab { case } => {
            let open = match case {
                Some(path) => crate::ui::Open::LabCase(path),
                None => crate::ui::Open::Lab,
            };
            crate::ui::app::open(global, Some(open))
        }
        PolicyCommand::Eval { case, json, jsonl } => {
            if jsonl {
                return run_jsonl();
            }
            match case {
                Some(path) => run_eval(&path, json),
                None => {
                    eprintln!("iamdrill policy eval: give a CASE file or --jsonl");
                    Ok(ExitCode::from(2))
                }
            }
        }
        PolicyCommand::Test { files, json } => run_test(&files, json),
        PolicyCommand::Check {
            policy,
            policy_type,
            json,
        } => run_check(&policy, policy_type, json),
    }
}

#[derive(Serialize)]
struct EvalOutput<'a> {
    case: Option<&'a str>,
    decision: super::eval::Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<&'a case::Expect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expectation_met: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mismatch: Option<String>,
    evaluation: &'a Evaluation,
}

fn output<'a>(c: &'a Case, ev: &'a Evaluation) -> EvalOutput<'a> {
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

fn error_json(e: &CaseError) -> serde_json::Value {
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

fn run_eval(path: &std::path::Path, as_json: bool) -> Result<ExitCode> {
    let cases = match case::load_cases(path) {
        Ok(c) => c,
        Err(e) => {
            if as_json {
                outln!("{}", serde_json::to_string_pretty(&error_json(&e))?);
            } else {
                eprintln!("iamdrill: {e}");
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
        let text = if list.len() == 1 {
            serde_json::to_string_pretty(&list[0])?
        } else {
            serde_json::to_string_pretty(&list)?
        };
        outln!("{text}");
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
        out!("{out}");
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Evaluates one `--jsonl` input line and returns the JSON result line and whether the
/// line was valid and met its expectation (`Ok(true)`), missed it (`Ok(false)`) or was invalid (`Err`).
pub fn eval_json_line(line: &str, line_no: usize) -> (String, Result<bool, ()>) {
    match case::parse_json_line(line, line_no) {
        Ok(c) => {
            let ev = c.evaluate();
            let out = output(&c, &ev);
            let met = out.expectation_met.unwrap_or(true);
            // Results of a few kilobytes: one allocation up front instead of doubling from 128 bytes.
            let mut buf = Vec::with_capacity(4096);
            let text = match serde_json::to_writer(&mut buf, &out) {
                Ok(()) => String::from_utf8(buf).unwrap_or_default(),
                Err(e) => format!("{{\"error\":{{\"message\":\"{e}\"}}}}"),
            };
            (text, Ok(met))
        }
        Err(e) => (error_json(&e).to_string(), Err(())),
    }
}

/// Lines evaluated together at most; a batch is split between the worker threads.
const JSONL_BATCH: usize = 1024;

/// One evaluated line: the JSON result and whether the case was valid and met its expectation.
pub type LineResult = (String, Result<bool, ()>);

/// Numbered input lines.
type Lines = Vec<(usize, String)>;

/// Threads for bulk evaluation, started once for the whole run (a thread per batch would pay
/// for its start and its allocator warm-up every time). The calling thread takes a share too.
pub struct JsonlPool {
    workers: Vec<(SyncSender<Lines>, Receiver<Vec<LineResult>>)>,
}

impl JsonlPool {
    /// A pool that evaluates on `threads` threads in all (the caller's included).
    pub fn new(threads: usize) -> JsonlPool {
        let workers = (1..threads.max(1))
            .map(|_| {
                let (tx, rx) = sync_channel::<Lines>(1);
                let (done_tx, done_rx) = sync_channel::<Vec<LineResult>>(1);
                std::thread::spawn(move || {
                    for part in rx {
                        let results = part.iter().map(|(n, l)| eval_json_line(l, *n)).collect();
                        if done_tx.send(results).is_err() {
                            break;
                        }
                    }
                });
                (tx, done_rx)
            })
            .collect();
        JsonlPool { workers }
    }

    /// Evaluates `(line number, line)` pairs; the results come back in input order.
    pub fn eval(&self, mut lines: Lines) -> Vec<LineResult> {
        let parts = self.workers.len() + 1;
        let chunk = lines.len().div_ceil(parts).max(8);
        let mut rest = lines.split_off(chunk.min(lines.len()));
        let mut sent = 0;
        for (tx, _) in &self.workers {
            if rest.is_empty() {
                break;
            }
            let tail = rest.split_off(chunk.min(rest.len()));
            tx.send(std::mem::replace(&mut rest, tail))
                .expect("a policy worker thread stopped");
            sent += 1;
        }
        let mut results: Vec<LineResult> =
            lines.iter().map(|(n, l)| eval_json_line(l, *n)).collect();
        for (_, rx) in self.workers.iter().take(sent) {
            results.extend(rx.recv().expect("a policy worker thread stopped"));
        }
        results
    }
}

/// `--jsonl`: a reader thread feeds lines; what has arrived is evaluated as a batch on all
/// cores while a writer thread prints the previous batch, in input order. Output is flushed
/// whenever no more input is waiting, so a program that sends one case and waits for its
/// answer gets it at once.
fn run_jsonl() -> Result<ExitCode> {
    let pool = JsonlPool::new(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (tx, rx) = sync_channel::<std::io::Result<(usize, String)>>(4 * JSONL_BATCH);
    std::thread::spawn(move || {
        // Large buffers: cases are kilobytes each, and fewer system calls keep the cores busy.
        let input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
        for (i, line) in input.lines().enumerate() {
            let item = line.map(|l| (i + 1, l));
            let stop = item.is_err();
            if tx.send(item).is_err() || stop {
                break;
            }
        }
    });
    // (results, flush after writing them)
    type Batch = (Vec<(String, Result<bool, ()>)>, bool);
    let (out_tx, out_rx) = sync_channel::<Batch>(2);
    let writer = std::thread::spawn(move || -> std::io::Result<(bool, bool)> {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        let (mut invalid, mut missed) = (false, false);
        for (results, flush) in out_rx {
            for (text, status) in results {
                match status {
                    Ok(true) => {}
                    Ok(false) => missed = true,
                    Err(()) => invalid = true,
                }
                out.write_all(text.as_bytes())?;
                out.write_all(b"\n")?;
            }
            if flush {
                out.flush()?;
            }
        }
        out.flush()?;
        Ok((invalid, missed))
    });
    let mut batch: Lines = Vec::with_capacity(JSONL_BATCH);
    let mut next = rx.recv().ok();
    let mut read_error = None;
    while let Some(item) = next.take() {
        match item {
            Ok((n, line)) if !line.trim().is_empty() => batch.push((n, line)),
            Ok(_) => {}
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
        // Take what is already waiting, without blocking, up to a batch.
        let mut ended = false;
        while batch.len() < JSONL_BATCH {
            match rx.try_recv() {
                Ok(Ok((n, line))) => {
                    if !line.trim().is_empty() {
                        batch.push((n, line));
                    }
                }
                Ok(Err(e)) => {
                    read_error = Some(e);
                    ended = true;
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    break;
                }
            }
        }
        let results = pool.eval(std::mem::replace(
            &mut batch,
            Vec::with_capacity(JSONL_BATCH),
        ));
        let waiting = if ended {
            None
        } else {
            match rx.try_recv() {
                Ok(item) => Some(item),
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    None
                }
                Err(TryRecvError::Empty) => None,
            }
        };
        // Nothing waiting: let these answers out before blocking for more input.
        if out_tx.send((results, waiting.is_none())).is_err() {
            break;
        }
        next = match waiting {
            Some(item) => Some(item),
            None if ended => None,
            None => rx.recv().ok(),
        };
    }
    drop(out_tx);
    let (invalid, missed) = match writer.join() {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    if let Some(e) = read_error {
        return Err(e.into());
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if missed {
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
    decision: Option<super::eval::Decision>,
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
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "results": results,
                "passed": passed,
                "failed": failed,
            }))?
        );
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
        out!("{out}");
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if failed > 0 {
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

fn run_check(path: &std::path::Path, ty: Option<CheckType>, as_json: bool) -> Result<ExitCode> {
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("iamdrill: {file}: cannot read the file: {e}");
            return Ok(ExitCode::from(2));
        }
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
    let parsed = NamedPolicy::parse(&file, pty, kind, &text);
    match parsed {
        Err(e) => {
            if as_json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "file": file,
                        "type": type_label,
                        "valid": false,
                        "errors": [e],
                        "findings": [],
                    }))?
                );
            } else {
                outln!("{file}: checked as {type_label}");
                match e.pos {
                    Some(p) => outln!(
                        "{file}:{}:{}: error: {}: {}",
                        p.line,
                        p.column,
                        e.path,
                        e.message
                    ),
                    None => outln!("{file}: error: {}: {}", e.path, e.message),
                }
            }
            Ok(ExitCode::from(2))
        }
        Ok(np) => {
            let findings: Vec<Finding> = lint::lint(&np.policy, pty, kind);
            if as_json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "file": file,
                        "type": type_label,
                        "valid": true,
                        "errors": [],
                        "findings": findings,
                    }))?
                );
            } else {
                outln!("{file}: checked as {type_label}: valid");
                for f in &findings {
                    match f.pos {
                        Some(p) => outln!(
                            "{file}:{}:{}: warning [{}]: {}: {}",
                            p.line,
                            p.column,
                            f.code,
                            f.path,
                            f.message
                        ),
                        None => outln!("{file}: warning [{}]: {}: {}", f.code, f.path, f.message),
                    }
                }
                outln!("{} finding(s)", findings.len());
            }
            Ok(if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
