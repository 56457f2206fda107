//! `policy eval --jsonl`: one JSON case per input line, one JSON result per output line,
//! evaluated on every core.
//!
//! Standard input is read in large raw blocks; the whole lines of a block are cut at line ends
//! into small shares that the threads of a [`Pool`] take as they become free, each writing
//! its results straight into one output buffer. The writer puts the buffers back in input
//! order, prints them and hands them back for reuse.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use color_eyre::Result;
use color_eyre::eyre::WrapErr;

use super::case::{self, CaseError};
use super::json::Pos;

/// How one line came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A valid case that met its expectation, or had none.
    Met,
    /// A valid case whose decision differs from its `expect`.
    Missed,
    /// Not a valid case; the result line is an error.
    Invalid,
}

/// Evaluates one input line (without its line end) and appends the JSON result and `\n` to
/// `out`. `line_no` names the line in errors.
pub fn eval_line(line: &[u8], line_no: usize, out: &mut Vec<u8>) -> Outcome {
    let start = out.len();
    let outcome = match std::str::from_utf8(line) {
        Err(e) => {
            let error = CaseError {
                file: format!("stdin line {line_no}"),
                pos: Some(Pos {
                    line: 1,
                    column: e.valid_up_to() + 1,
                }),
                message: "the line is not valid UTF-8".to_string(),
            };
            write_error(out, &error);
            Outcome::Invalid
        }
        Ok(text) => match case::parse_json_line(text, line_no) {
            Ok(c) => {
                let ev = c.evaluate();
                let result = super::output::output(&c, &ev);
                let outcome = match result.expectation_met {
                    Some(false) => Outcome::Missed,
                    _ => Outcome::Met,
                };
                if let Err(e) = serde_json::to_writer(&mut *out, &result) {
                    out.truncate(start);
                    let error = CaseError {
                        file: format!("stdin line {line_no}"),
                        pos: None,
                        message: format!("the result could not be written: {e}"),
                    };
                    write_error(out, &error);
                    return Outcome::Invalid;
                }
                outcome
            }
            Err(e) => {
                write_error(out, &e);
                Outcome::Invalid
            }
        },
    };
    out.push(b'\n');
    outcome
}

fn write_error(out: &mut Vec<u8>, e: &CaseError) {
    serde_json::to_writer(&mut *out, &super::output::error_json(e))
        .expect("a JSON value always serializes");
}

/// What a batch held: lines read (blank ones included) and whether any was invalid or
/// missed its expectation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub lines: usize,
    pub invalid: bool,
    pub missed: bool,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.lines += other.lines;
        self.invalid |= other.invalid;
        self.missed |= other.missed;
    }
}

/// Evaluates the lines of `text` numbered from `first_line`, appending results to `out`.
/// A trailing `\r` is part of the line end; blank lines are counted and skipped.
fn eval_lines(text: &[u8], first_line: usize, out: &mut Vec<u8>) -> Tally {
    let mut tally = Tally::default();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        tally.lines += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match eval_line(line, first_line + tally.lines - 1, out) {
            Outcome::Met => {}
            Outcome::Missed => tally.missed = true,
            Outcome::Invalid => tally.invalid = true,
        }
    }
    tally
}

/// A share of the input for one worker: whole lines of `text`, the first numbered
/// `first_line`, and the buffer to write their results into.
struct Job {
    seq: u64,
    text: Arc<Vec<u8>>,
    range: std::ops::Range<usize>,
    first_line: usize,
    out: Vec<u8>,
}

/// What reaches the writing side: a job's results, a job that stopped on an internal error
/// (a panic, reported by the panic hook), or a request to flush once every job before the
/// given one is written.
enum Msg {
    Done {
        seq: u64,
        out: Vec<u8>,
        tally: Tally,
    },
    Failed {
        seq: u64,
        first_line: usize,
    },
    FlushBefore(u64),
}

/// Threads that evaluate shares of the input as they come, started once for the whole run.
/// Shares are small (about [`JOB_BYTES`]), so every thread stays busy until the input ends;
/// their results are put back in input order by [`Output`]. A share takes an output buffer
/// when it is queued and the buffer comes back once written, so at most [`IN_FLIGHT`] shares
/// are in memory however slow the reader of the output is.
pub struct Pool {
    jobs: Sender<Job>,
    results: Sender<Msg>,
    buffers: Receiver<Vec<u8>>,
    seq: u64,
}

/// Bytes of input in one share at most (unless one line is longer).
const JOB_BYTES: usize = 32 << 10;

/// Shares queued or being written at most.
const IN_FLIGHT: usize = 64;

impl Pool {
    /// A pool of `threads` evaluating threads, and its results in input order (move them to
    /// the thread that writes them).
    pub fn new(threads: usize) -> (Pool, Output) {
        let (jobs, job_rx) = channel::<Job>();
        let (results, results_rx) = channel::<Msg>();
        let (buffers_tx, buffers) = channel::<Vec<u8>>();
        for _ in 0..IN_FLIGHT {
            buffers_tx
                .send(Vec::new())
                .expect("the receiver is held here");
        }
        let job_rx = Arc::new(Mutex::new(job_rx));
        for _ in 0..threads.max(1) {
            let job_rx = Arc::clone(&job_rx);
            let results = results.clone();
            std::thread::spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(Job {
                        seq,
                        text,
                        range,
                        first_line,
                        mut out,
                    }) = job
                    else {
                        return;
                    };
                    // A bug in the engine must not silently drop these lines from the output.
                    let evaluated = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        eval_lines(&text[range], first_line, &mut out)
                    }));
                    drop(text);
                    let msg = match evaluated {
                        Ok(tally) => Msg::Done { seq, out, tally },
                        Err(_) => Msg::Failed { seq, first_line },
                    };
                    if results.send(msg).is_err() {
                        return;
                    }
                }
            });
        }
        let pool = Pool {
            jobs,
            results,
            buffers,
            seq: 0,
        };
        let output = Output {
            results: results_rx,
            buffers: buffers_tx,
            next: 0,
            held: BTreeMap::new(),
            flush_before: None,
        };
        (pool, output)
    }

    /// Queues the lines of `text` (whole lines; the last may lack its `\n`), the first being
    /// line `first_line` of the input, and returns how many lines it holds. Waits while
    /// [`IN_FLIGHT`] shares are unwritten; fails once the output has been dropped.
    pub fn submit(&mut self, text: &Arc<Vec<u8>>, first_line: usize) -> Result<usize, Closed> {
        let mut start = 0;
        let mut line = first_line;
        while start < text.len() {
            let end = if text.len() - start <= JOB_BYTES {
                text.len()
            } else {
                memchr::memchr(b'\n', &text[start + JOB_BYTES..])
                    .map_or(text.len(), |i| start + JOB_BYTES + i + 1)
            };
            let mut out = self.buffers.recv().map_err(|_| Closed)?;
            out.clear();
            let job = Job {
                seq: self.seq,
                text: Arc::clone(text),
                range: start..end,
                first_line: line,
                out,
            };
            self.jobs.send(job).map_err(|_| Closed)?;
            self.seq += 1;
            line += memchr::memchr_iter(b'\n', &text[start..end]).count();
            if end == text.len() && text.last() != Some(&b'\n') {
                line += 1;
            }
            start = end;
        }
        Ok(line - first_line)
    }

    /// Asks for a flush once everything queued so far is written.
    pub fn flush(&self) {
        let _ = self.results.send(Msg::FlushBefore(self.seq));
    }
}

/// The output was dropped (its reader stopped), so nothing more can be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// One item of output, in input order.
pub enum Item {
    /// The results of a share (lines ending in `\n`) and its tally; hand the buffer back
    /// with [`Output::give_back`] once written.
    Results(Vec<u8>, Tally),
    /// Everything queued before a flush request is out: flush now.
    Flush,
    /// The evaluation of the share starting at this input line stopped on an internal error;
    /// the output cannot go on in order.
    Failed(usize),
}

/// The writing side of a [`Pool`]: results put back in input order.
pub struct Output {
    results: Receiver<Msg>,
    buffers: Sender<Vec<u8>>,
    next: u64,
    held: BTreeMap<u64, Result<(Vec<u8>, Tally), usize>>,
    flush_before: Option<u64>,
}

impl Output {
    /// The next item; `None` once the pool is dropped and every result has been taken.
    pub fn next_item(&mut self) -> Option<Item> {
        loop {
            if let Some(done) = self.held.remove(&self.next) {
                self.next += 1;
                return Some(match done {
                    Ok((out, tally)) => Item::Results(out, tally),
                    Err(first_line) => Item::Failed(first_line),
                });
            }
            if self.flush_before.is_some_and(|f| self.next >= f) {
                self.flush_before = None;
                return Some(Item::Flush);
            }
            match self.results.recv().ok()? {
                Msg::Done { seq, out, tally } => {
                    self.held.insert(seq, Ok((out, tally)));
                }
                Msg::Failed { seq, first_line } => {
                    self.held.insert(seq, Err(first_line));
                }
                Msg::FlushBefore(f) => {
                    self.flush_before = Some(self.flush_before.map_or(f, |g| g.max(f)));
                }
            }
        }
    }

    /// Returns a written buffer, for the next share.
    pub fn give_back(&self, buf: Vec<u8>) {
        let _ = self.buffers.send(buf);
    }
}

/// Bytes asked of standard input per read.
const READ_BYTES: usize = 1 << 20;

/// Runs `policy eval --jsonl`: exit 2 when a line was invalid, 1 when a case missed its
/// expectation. Output is flushed after every read that emptied the input pipe, so a program
/// that sends one case and waits for its answer gets it at once.
pub fn run() -> Result<ExitCode> {
    let (mut pool, mut output) =
        Pool::new(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let writer = std::thread::spawn(move || -> std::io::Result<Tally> {
        // Case names and ids come from the input: escaped like the rest of the JSON output.
        let mut stdout = crate::deck::clean::Clean::new(
            std::io::stdout().lock(),
            crate::deck::clean::Neutralise::JsonEscape,
        );
        let mut tally = Tally::default();
        while let Some(item) = output.next_item() {
            match item {
                Item::Results(buf, t) => {
                    stdout.write_all(&buf)?;
                    tally.add(t);
                    output.give_back(buf);
                }
                Item::Flush => stdout.flush()?,
                Item::Failed(line) => {
                    stdout.flush()?;
                    return Err(std::io::Error::other(format!(
                        "internal error while evaluating the lines from stdin line {line}; \
                         the results stop before them"
                    )));
                }
            }
        }
        stdout.flush()?;
        Ok(tally)
    });

    let mut stdin = std::io::stdin().lock();
    let mut read_error = None;
    let mut line = 1;
    // Input read so far that does not end a line yet, then the next read.
    let mut buf: Vec<u8> = Vec::new();
    // Batches handed to the pool, reused once every share of them is evaluated.
    let mut used: VecDeque<Arc<Vec<u8>>> = VecDeque::new();
    loop {
        let start = buf.len();
        buf.resize(start + READ_BYTES, 0);
        let n = loop {
            match stdin.read(&mut buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    read_error = Some(e);
                    break 0;
                }
            }
        };
        buf.truncate(start + n);
        let ended = n == 0;
        // Whole lines go now; a partial last line waits for the rest (or for the end). Only
        // the new bytes can hold a line end: what came before did not.
        let cut = if ended {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(i) => start + i + 1,
                None => continue,
            }
        };
        let mut next = match used.front().map(Arc::strong_count) {
            Some(1) => Arc::try_unwrap(used.pop_front().expect("checked")).unwrap_or_default(),
            _ => Vec::new(),
        };
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let batch = Arc::new(std::mem::replace(&mut buf, next));
        if !batch.is_empty() {
            match pool.submit(&batch, line) {
                Ok(lines) => line += lines,
                // The writer stopped: its error is reported below.
                Err(Closed) => break,
            }
            used.push_back(batch);
            if used.len() > 4 {
                used.pop_front();
            }
        }
        if ended {
            break;
        }
        if n < READ_BYTES {
            // The read emptied the pipe: no more input is waiting right now.
            pool.flush();
        }
    }
    drop(pool);
    let tally = match writer.join() {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    if let Some(e) = read_error {
        return Err(e).wrap_err("cannot read standard input");
    }
    Ok(if tally.invalid {
        ExitCode::from(2)
    } else if tally.missed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"{"name":"n","request":{"principal":"arn:aws:iam::123456789012:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},"policies":{"identity":[{"name":"p","document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}}]},"expect":"Allow"}"#;

    fn results(out: &[u8]) -> Vec<serde_json::Value> {
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[test]
    fn lines_are_numbered_counting_blank_ones_and_crlf_ends() {
        let text = format!("{CASE}\r\n\n   \n{{\"request\": 1}}\n{CASE}");
        let mut out = Vec::new();
        let tally = eval_lines(text.as_bytes(), 10, &mut out);
        assert_eq!(
            tally,
            Tally {
                lines: 5,
                invalid: true,
                missed: false
            }
        );
        let r = results(&out);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0]["decision"], "Allow");
        let shown = r[1]["error"]["display"].as_str().unwrap();
        assert!(shown.contains("stdin line 13"), "{shown}");
        assert_eq!(r[2]["expectation_met"], true);
    }

    #[test]
    fn invalid_utf8_is_an_error_with_its_column() {
        let mut line = b"{\"name\": \"".to_vec();
        line.extend_from_slice(&[0xff, 0xfe]);
        line.extend_from_slice(b"\"}");
        let mut out = Vec::new();
        assert_eq!(eval_line(&line, 7, &mut out), Outcome::Invalid);
        let r = results(&out);
        assert_eq!(r[0]["error"]["file"], "stdin line 7");
        assert_eq!(r[0]["error"]["column"], 11);
        assert!(r[0]["error"]["message"].as_str().unwrap().contains("UTF-8"));
    }

    #[test]
    fn a_missed_expectation_is_tallied() {
        let mut out = Vec::new();
        let wrong = CASE.replace("\"expect\":\"Allow\"", "\"expect\":\"ExplicitDeny\"");
        assert_eq!(eval_line(wrong.as_bytes(), 1, &mut out), Outcome::Missed);
        assert_eq!(results(&out)[0]["expectation_met"], false);
    }

    /// Runs `text` through a pool of `threads` and returns every result and the tally.
    fn through_pool(threads: usize, text: &str, first_line: usize) -> (Vec<u8>, Tally, usize) {
        let (mut pool, mut output) = Pool::new(threads);
        let reader = std::thread::spawn(move || {
            let (mut all, mut tally, mut flushes) = (Vec::new(), Tally::default(), 0);
            while let Some(item) = output.next_item() {
                match item {
                    Item::Results(buf, t) => {
                        all.extend_from_slice(&buf);
                        tally.add(t);
                        output.give_back(buf);
                    }
                    Item::Flush => flushes += 1,
                    Item::Failed(line) => panic!("failed from line {line}"),
                }
            }
            (all, tally, flushes)
        });
        let batch = Arc::new(text.as_bytes().to_vec());
        let lines = pool.submit(&batch, first_line).unwrap();
        pool.flush();
        drop(pool);
        let (all, tally, flushes) = reader.join().unwrap();
        assert_eq!(flushes, 1);
        assert_eq!(lines, tally.lines);
        (all, tally, lines)
    }

    #[test]
    fn pool_results_keep_input_order_and_line_numbers() {
        // Enough lines for many shares, of different lengths so they are cut at different
        // places, and more shares than output buffers.
        let mut text = String::new();
        let count = 12_000;
        for i in 0..count {
            if i % 11 == 4 {
                text.push_str("{\"request\": 1}\n");
            } else if i % 13 == 0 {
                text.push('\n');
            } else {
                text.push_str(&CASE.replace("\"n\"", &format!("\"case {i}\"")));
                text.push('\n');
            }
        }
        assert!(text.len() > IN_FLIGHT * JOB_BYTES);
        for threads in [1, 3] {
            let (all, tally, lines) = through_pool(threads, &text, 1);
            assert_eq!(lines, count);
            assert!(tally.invalid && !tally.missed);
            let r = results(&all);
            let expected: Vec<usize> = (0..count).filter(|i| i % 11 == 4 || i % 13 != 0).collect();
            assert_eq!(r.len(), expected.len(), "{threads} threads");
            for (v, i) in r.iter().zip(expected) {
                if i % 11 == 4 {
                    let shown = v["error"]["display"].as_str().unwrap();
                    assert!(shown.contains(&format!("stdin line {}", i + 1)), "{shown}");
                } else {
                    assert_eq!(v["case"], format!("case {i}"), "{threads} threads");
                }
            }
        }
    }

    #[test]
    fn a_failed_share_stops_the_output_in_order() {
        let (pool, mut output) = Pool::new(1);
        // Shares 0 and 2 done, share 1 failed: 0 comes out, then the failure, never 2.
        let send = |m| pool.results.send(m).unwrap();
        send(Msg::Done {
            seq: 2,
            out: b"late\n".to_vec(),
            tally: Tally::default(),
        });
        send(Msg::Failed {
            seq: 1,
            first_line: 40,
        });
        send(Msg::Done {
            seq: 0,
            out: b"first\n".to_vec(),
            tally: Tally::default(),
        });
        assert!(matches!(output.next_item(), Some(Item::Results(b, _)) if b == b"first\n"));
        assert!(matches!(output.next_item(), Some(Item::Failed(40))));
    }

    #[test]
    fn a_last_line_without_its_end_is_evaluated() {
        let (all, tally, lines) = through_pool(2, &format!("{CASE}\n{CASE}"), 3);
        assert_eq!((lines, tally.lines), (2, 2));
        assert_eq!(results(&all).len(), 2);
    }
}
