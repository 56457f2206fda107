//! `policy eval --jsonl`: one JSON case per input line, one JSON result per output line,
//! evaluated on every core.
//!
//! Input is read in large raw chunks and handed on as a batch of whole lines; the batch is
//! split at line ends between the threads of a [`Pool`], each writing its results straight
//! into one output buffer, and the buffers go out in input order. Buffers are handed back and
//! reused, so a long run does not keep asking the system for fresh memory.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, channel, sync_channel};
use std::sync::{Arc, Mutex};

use color_eyre::Result;

use super::case::{self, CaseError};
use super::json::Pos;

/// Bytes of input gathered into one batch at most (several hundred cases).
const BATCH_BYTES: usize = 1 << 20;

/// Bytes asked of standard input per read.
const CHUNK_BYTES: usize = 1 << 20;

/// Output buffers kept for reuse.
const SPARE_BUFFERS: usize = 8;

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
                let result = super::cli::output(&c, &ev);
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
    serde_json::to_writer(&mut *out, &super::cli::error_json(e))
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
    fn add(&mut self, other: Tally) {
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

/// A share of a batch for one worker.
struct Job {
    text: Arc<Vec<u8>>,
    range: std::ops::Range<usize>,
    first_line: usize,
    out: Vec<u8>,
}

/// A worker's answer: its share's results and tally.
type Done = (Vec<u8>, Tally);

/// Output buffers handed back for reuse, shared by the pool and whoever writes the results.
#[derive(Clone, Default)]
pub struct Spares(Arc<Mutex<Vec<Vec<u8>>>>);

impl Spares {
    /// An empty buffer, reused when one is at hand.
    pub fn take(&self) -> Vec<u8> {
        let spare = self.0.lock().map(|mut s| s.pop()).unwrap_or(None);
        spare.unwrap_or_else(|| Vec::with_capacity(BATCH_BYTES))
    }

    /// Hands a buffer back (its contents are dropped).
    pub fn give(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut spares) = self.0.lock()
            && spares.len() < SPARE_BUFFERS
        {
            spares.push(buf);
        }
    }
}

/// Threads for bulk evaluation, started once for the whole run (a thread per batch would pay
/// for its start and its allocator warm-up every time). The calling thread takes a share too.
pub struct Pool {
    workers: Vec<(SyncSender<Job>, Receiver<Done>)>,
    spares: Spares,
}

impl Pool {
    /// A pool that evaluates on `threads` threads in all (the caller's included).
    pub fn new(threads: usize) -> Pool {
        let workers = (1..threads.max(1))
            .map(|_| {
                let (tx, rx) = sync_channel::<Job>(1);
                let (done_tx, done_rx) = sync_channel::<Done>(1);
                std::thread::spawn(move || {
                    for job in rx {
                        let Job {
                            text,
                            range,
                            first_line,
                            mut out,
                        } = job;
                        let tally = eval_lines(&text[range], first_line, &mut out);
                        // The batch is released before answering, so the caller can reuse it.
                        drop(text);
                        if done_tx.send((out, tally)).is_err() {
                            break;
                        }
                    }
                });
                (tx, done_rx)
            })
            .collect();
        Pool {
            workers,
            spares: Spares::default(),
        }
    }

    /// The buffers results are written into; hand them back here once written out.
    pub fn spares(&self) -> &Spares {
        &self.spares
    }

    /// Evaluates the lines of `text` (whole lines; the last may lack its `\n`), the first
    /// being line `first_line` of the input. Returns the result buffers in input order, to be
    /// written one after the other, and the tally.
    pub fn eval(&self, text: &Arc<Vec<u8>>, first_line: usize) -> (Vec<Vec<u8>>, Tally) {
        // Shares of about equal size, cut just after a line end.
        let parts = (self.workers.len() + 1)
            .min(text.len().div_ceil(4096))
            .max(1);
        let mut cuts = Vec::with_capacity(parts + 1);
        cuts.push(0);
        for k in 1..parts {
            let from = (text.len() * k / parts).max(*cuts.last().unwrap_or(&0));
            let cut = memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |i| from + i + 1);
            cuts.push(cut);
        }
        cuts.push(text.len());
        let mut line = first_line + memchr::memchr_iter(b'\n', &text[..cuts[1]]).count();
        let mut sent = 0;
        for (k, (tx, _)) in self.workers.iter().enumerate().take(parts - 1) {
            let range = cuts[k + 1]..cuts[k + 2];
            let lines = memchr::memchr_iter(b'\n', &text[range.clone()]).count();
            tx.send(Job {
                text: Arc::clone(text),
                range,
                first_line: line,
                out: self.spares.take(),
            })
            .expect("a policy worker thread stopped");
            line += lines;
            sent += 1;
        }
        let mut own = self.spares.take();
        let mut tally = eval_lines(&text[..cuts[1]], first_line, &mut own);
        let mut outs = Vec::with_capacity(sent + 1);
        outs.push(own);
        for (_, rx) in self.workers.iter().take(sent) {
            let (out, t) = rx.recv().expect("a policy worker thread stopped");
            tally.add(t);
            outs.push(out);
        }
        (outs, tally)
    }
}

/// A message from the input thread: a chunk and how many of its bytes were read.
type Chunk = std::io::Result<(Vec<u8>, usize)>;

/// Reads standard input in chunks of up to [`CHUNK_BYTES`], as they arrive; chunk buffers
/// come back on `free` for reuse. Ends at the end of input or after an error.
fn read_input(tx: SyncSender<Chunk>, free: Receiver<Vec<u8>>) {
    let mut stdin = std::io::stdin().lock();
    loop {
        let mut buf = free.try_recv().unwrap_or_else(|_| vec![0; CHUNK_BYTES]);
        match stdin.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                if tx.send(Ok((buf, n))).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// Runs `policy eval --jsonl`: exit 2 when a line was invalid, 1 when a case missed its
/// expectation. Output is flushed whenever no more input is waiting, so a program that sends
/// one case and waits for its answer gets it at once.
pub fn run() -> Result<ExitCode> {
    let pool = Pool::new(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (tx, rx) = sync_channel::<Chunk>(8);
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    std::thread::spawn(move || read_input(tx, free_rx));

    // (result buffers, flush after writing them)
    let (out_tx, out_rx) = sync_channel::<(Vec<Vec<u8>>, bool)>(2);
    let spares = pool.spares().clone();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        for (bufs, flush) in out_rx {
            for buf in bufs {
                stdout.write_all(&buf)?;
                spares.give(buf);
            }
            if flush {
                stdout.flush()?;
            }
        }
        stdout.flush()
    });

    let mut pending: Vec<u8> = Vec::with_capacity(BATCH_BYTES + CHUNK_BYTES);
    let mut spare_batches: Vec<Vec<u8>> = Vec::new();
    let mut tally = Tally::default();
    let mut read_error = None;
    let mut ended = false;
    // A chunk taken while checking whether more input was waiting.
    let mut waiting: Option<Chunk> = None;
    let take = |chunk: Chunk, pending: &mut Vec<u8>, read_error: &mut Option<_>| match chunk {
        Ok((buf, n)) => {
            pending.extend_from_slice(&buf[..n]);
            let _ = free_tx.send(buf);
        }
        Err(e) => *read_error = Some(e),
    };
    while !ended {
        // Block for the first chunk, then take what is already there, up to a batch.
        let first = match waiting.take() {
            Some(chunk) => Some(chunk),
            None => rx.recv().ok(),
        };
        match first {
            Some(chunk) => take(chunk, &mut pending, &mut read_error),
            None => ended = true,
        }
        while !ended && read_error.is_none() && pending.len() < BATCH_BYTES {
            match rx.try_recv() {
                Ok(chunk) => take(chunk, &mut pending, &mut read_error),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => ended = true,
            }
        }
        if read_error.is_some() {
            ended = true;
        }
        // Whole lines go now; a partial last line waits for the rest (or for the end).
        let cut = if ended {
            pending.len()
        } else {
            memchr::memrchr(b'\n', &pending).map_or(0, |i| i + 1)
        };
        if cut == 0 {
            continue;
        }
        let mut next = spare_batches
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(BATCH_BYTES + CHUNK_BYTES));
        next.extend_from_slice(&pending[cut..]);
        pending.truncate(cut);
        let batch = Arc::new(std::mem::replace(&mut pending, next));
        let (outs, t) = pool.eval(&batch, tally.lines + 1);
        tally.add(t);
        if let Ok(mut done) = Arc::try_unwrap(batch) {
            done.clear();
            spare_batches.push(done);
        }
        if !ended {
            waiting = match rx.try_recv() {
                Ok(chunk) => Some(chunk),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    None
                }
            };
        }
        // Nothing waiting: let these answers out before blocking for more input.
        if out_tx.send((outs, waiting.is_none())).is_err() {
            break;
        }
    }
    drop(out_tx);
    match writer.join() {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    }
    if let Some(e) = read_error {
        return Err(e.into());
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

    #[test]
    fn pool_results_keep_input_order_and_line_numbers() {
        // Lines of different lengths, so the shares are cut at different places.
        let mut text = String::new();
        for i in 0..500 {
            if i % 11 == 4 {
                text.push_str("{\"request\": 1}\n");
            } else if i % 13 == 0 {
                text.push('\n');
            } else {
                text.push_str(&CASE.replace("\"n\"", &format!("\"case {i}\"")));
                text.push('\n');
            }
        }
        for threads in [1, 2, 3, 8] {
            let pool = Pool::new(threads);
            let batch = Arc::new(text.clone().into_bytes());
            let (outs, tally) = pool.eval(&batch, 1);
            assert_eq!(tally.lines, 500);
            assert!(tally.invalid && !tally.missed);
            let all: Vec<u8> = outs.concat();
            let r = results(&all);
            let expected: Vec<usize> = (0..500).filter(|i| i % 11 == 4 || i % 13 != 0).collect();
            assert_eq!(r.len(), expected.len(), "{threads} threads");
            for (v, i) in r.iter().zip(expected) {
                if i % 11 == 4 {
                    let shown = v["error"]["display"].as_str().unwrap();
                    assert!(shown.contains(&format!("stdin line {}", i + 1)), "{shown}");
                } else {
                    assert_eq!(v["case"], format!("case {i}"), "{threads} threads");
                }
            }
            for buf in outs {
                pool.spares().give(buf);
            }
        }
    }

    #[test]
    fn a_tiny_batch_is_not_split() {
        let pool = Pool::new(4);
        let batch = Arc::new(format!("{CASE}\n").into_bytes());
        let (outs, tally) = pool.eval(&batch, 3);
        assert_eq!(outs.len(), 1);
        assert_eq!(tally.lines, 1);
        assert_eq!(results(&outs[0])[0]["case"], "n");
    }
}
