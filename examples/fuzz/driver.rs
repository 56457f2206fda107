//! A mutation fuzzer for every parser of untrusted input: deck YAML, configuration, policy JSON
//! (with `policy check`), policy cases (YAML and JSON), `--jsonl` request lines, Q&A documents
//! for `compile`, review CSV for `import reviews`, deck markup, answer grading, wildcard
//! patterns and sync device files.
//!
//! Each target starts from real seed files of the project and hostile seeds (deep nesting, YAML
//! alias bombs, control and bidi characters, huge numbers), and mutates them with a seeded
//! random generator: byte flips, insertions of interesting bytes and long runs, deletions,
//! duplications, splices between seeds and truncations. For each input it records a panic
//! (caught), the time taken (over 2 s is a hang) and the peak heap growth (from the counting
//! allocator of the program that includes this file).

use std::hint::black_box;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A field of /proc/self/status in bytes (Linux; 0 elsewhere).
fn status_bytes(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Resets the process's peak resident memory to what it uses now (Linux, `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Time over which an input counts as a hang.
pub const HANG: Duration = Duration::from_secs(2);

/// One parser under test: its name, its seeds, and what runs on an input.
pub struct Target {
    pub name: &'static str,
    pub seeds: Vec<Vec<u8>>,
    pub run: fn(&[u8]),
}

/// What one target did over its inputs.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub name: &'static str,
    pub inputs: usize,
    pub panics: usize,
    pub hangs: usize,
    pub slowest: Duration,
    /// Largest growth of resident memory during one input, and the largest resident size.
    pub peak_growth: usize,
    pub peak_rss: usize,
    pub largest_input: usize,
    /// The slowest input.
    pub slowest_input: Vec<u8>,
    /// The first panic's message and the input that caused it.
    pub first_panic: Option<(String, Vec<u8>)>,
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn read_dir_files(dir: &Path, ext: &[&str]) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ext.contains(&e))
        })
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// Hostile seeds every target gets besides its own.
fn hostile() -> Vec<Vec<u8>> {
    vec![
        "[".repeat(5_000).into_bytes(),
        "{a: ".repeat(5_000).into_bytes(),
        "- ".repeat(5_000).into_bytes(),
        // Found slow by this fuzzer once: `compile` on 19,422 blank lines took 8.6 s.
        "\n".repeat(20_000).into_bytes(),
        b"a: &a [x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f]\n".to_vec(),
        "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e}\u{9b}31m".as_bytes().to_vec(),
        b"99999999999999999999999999999 -1 1e999 NaN 0x7fffffffffffffff".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x80, b'\n', 0xc0, 0xaf],
        Vec::new(),
    ]
}

const INTERESTING: &[u8] = b"\0\x1b\x7f\xff[]{}:,-\n\r\t\"'*?&!|>#%@\\$";
const RUNS: &[&str] = &[
    "[", "{a: ", "- ", "*", "a", " ", "\t", "&a ", "*a ", "\"", "${", "?", "\\", "0", "\n", "é",
    "\u{202e}",
];

/// One mutated input from the seeds.
pub fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.random_range(0..seeds.len())].clone();
    for _ in 0..rng.random_range(1..=4) {
        let len = data.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..=len)
        };
        match rng.random_range(0..9) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 => data.insert(at, INTERESTING[rng.random_range(0..INTERESTING.len())]),
            2 => {
                let n = rng.random_range(1..=16);
                for _ in 0..n {
                    data.insert(at.min(data.len()), rng.random());
                }
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..=64)).min(len);
                data.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let start = rng.random_range(0..len);
                let end = (start + rng.random_range(1..=256)).min(len);
                let chunk = data[start..end].to_vec();
                let at = rng.random_range(0..=data.len());
                data.splice(at..at, chunk);
            }
            5 => {
                let run = RUNS[rng.random_range(0..RUNS.len())];
                let n = if rng.random_bool(0.2) {
                    rng.random_range(1_000..20_000)
                } else {
                    rng.random_range(1..64)
                };
                data.splice(at..at, run.repeat(n).into_bytes());
            }
            6 => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                if !other.is_empty() {
                    let from = rng.random_range(0..other.len());
                    data.truncate(at);
                    data.extend_from_slice(&other[from..]);
                }
            }
            7 if len > 0 => data.truncate(rng.random_range(0..len)),
            _ => {
                let n = [
                    "-1",
                    "0",
                    "99999999999999999999",
                    "1e308",
                    "NaN",
                    "18446744073709551616",
                ][rng.random_range(0..6)];
                data.splice(at..at, n.bytes());
            }
        }
    }
    data
}

/// Runs `inputs` mutated inputs (plus every seed as is) through `target`.
pub fn fuzz(target: &Target, inputs: usize, seed: u64) -> Outcome {
    let mut rng = StdRng::seed_from_u64(seed ^ target.name.len() as u64);
    let mut seeds = target.seeds.clone();
    seeds.extend(hostile());
    let mut out = Outcome {
        name: target.name,
        ..Outcome::default()
    };
    let total = seeds.len() + inputs;
    for i in 0..total {
        let input = if i < seeds.len() {
            seeds[i].clone()
        } else {
            mutate(&mut rng, &seeds)
        };
        out.largest_input = out.largest_input.max(input.len());
        reset_peak();
        let base = status_bytes("VmRSS:");
        let start = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
        let took = start.elapsed();
        let grew = status_bytes("VmHWM:").saturating_sub(base);
        out.peak_rss = out.peak_rss.max(status_bytes("VmHWM:"));
        out.inputs += 1;
        out.peak_growth = out.peak_growth.max(grew);
        if took > out.slowest {
            out.slowest = took;
            out.slowest_input = input.clone();
        }
        if took > HANG {
            out.hangs += 1;
        }
        if let Err(e) = result {
            out.panics += 1;
            if out.first_panic.is_none() {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                out.first_panic = Some((msg, input));
            }
        }
    }
    out
}

/// Every target, seeded from the project's files under `root`.
pub fn targets(root: &Path) -> Vec<Target> {
    use iamdrill::policy::case::{Format, parse_cases};
    let decks = read_dir_files(&root.join("decks"), &["yaml"]);
    let mut policies = read_dir_files(&root.join("tests/data/policy-check"), &["json"]);
    // Found slow by this fuzzer once: "did you mean" compared an 8,000-character action name
    // with every action of the service (3.2 s).
    policies.push(
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:Ge{}","Resource":"*"}}]}}"#,
            "0".repeat(8_000)
        )
        .into_bytes(),
    );
    let cases = read_dir_files(&root.join("tests/data/policy"), &["yaml"]);
    let lab = read_dir_files(&root.join("assets/lab"), &["yaml"]);
    let sources = read_dir_files(&root.join("assets/sources"), &["txt", "md"]);
    let config = vec![iamdrill::context::config::example().into_bytes()];
    let csv = vec![
        b"card_id,review_time,review_rating,review_state,review_duration\nsts,1780000000000,3,2,1200\nkms-key-policy,1780000060000,1,0,800\n".to_vec(),
    ];
    let jsonl = vec![
        br#"{"principal":"arn:aws:iam::111122223333:role/app","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}]}"#.to_vec(),
    ];
    let patterns = vec![
        b"s3:Get*Object*\ns3:GetObjectAcl".to_vec(),
        b"arn:aws:s3:::bucket/*/key?\narn:aws:s3:::bucket/a/b/keyz".to_vec(),
        b"arn:aws:iam::*:role/${aws:username}\narn:aws:iam::111122223333:role/alice".to_vec(),
    ];
    let sync = {
        let id = iamdrill::sync::DeviceId::from_bits(0x3f9c_0a7e_5b2d_4c18);
        let mut file = iamdrill::sync::format::encode_header(&id);
        file.push_str(
            "1\t1780000000000\t1780000000000\tanswer\tiam-001\t3\treview\t4200\t0\t1\n\
             2\t1780000060000\t1780000060000\tsuspend\tkms-004\n\
             3\t1780000070000\t1780000070000\tbury\tsts\t20600\n\
             4\t1780000080000\t1780000080000\tretract\t1\n\
             5\t1780000090000\t1780000090000\tname\tlaptop \\t work\n\
             6\t1780000100000\t1780000100000\tmock\t1780000000000\t1780000100000\t{\"score\":0.5}\n",
        );
        vec![file.into_bytes()]
    };
    vec![
        Target {
            name: "deck YAML",
            seeds: decks.clone(),
            run: |b| {
                if let Ok(t) = iamdrill::deck::load::decode(b, "fuzz.yaml") {
                    let known = iamdrill::deck::Seen::default();
                    if let Err(ps) = iamdrill::deck::parse_and_check(&t, "fuzz.yaml", &known) {
                        ps.iter().for_each(|p| {
                        black_box(p.to_string());
                    });
                    }
                }
            },
        },
        Target {
            name: "deck markup",
            seeds: decks,
            run: |b| {
                let t = text(b);
                black_box(iamdrill::deck::markup::parse(&t));
                black_box(iamdrill::deck::markup::to_plain(&t));
            },
        },
        Target {
            name: "configuration",
            seeds: config,
            run: |b| {
                if let Err(ps) = iamdrill::context::config::Config::parse_all(&text(b), "c.yaml") {
                    ps.iter().for_each(|p| {
                        black_box(p.to_string());
                    });
                }
            },
        },
        Target {
            name: "policy JSON + check",
            seeds: policies,
            run: |b| {
                use iamdrill::policy::{PolicyType, ResourceKind, eval::NamedPolicy};
                let t = text(b);
                if let (Ok(root), Ok(np)) = (
                    iamdrill::policy::json::parse(&t),
                    NamedPolicy::parse("p.json", PolicyType::Identity, ResourceKind::Other, &t),
                ) {
                    let f = iamdrill::policy::check::check(
                        &np.policy,
                        &root,
                        PolicyType::Identity,
                        ResourceKind::Other,
                    );
                    black_box(iamdrill::policy::check::sarif("p.json", &f));
                }
            },
        },
        Target {
            name: "policy cases YAML + eval",
            seeds: cases.into_iter().chain(lab).collect(),
            run: |b| {
                if let Ok(cases) = parse_cases(&text(b), Format::Yaml, "c.yaml", None) {
                    cases.iter().for_each(|c| {
                        black_box(c.evaluate());
                    });
                }
            },
        },
        Target {
            name: "policy cases JSON + eval",
            seeds: jsonl.clone(),
            run: |b| {
                if let Ok(cases) = parse_cases(&text(b), Format::Json, "c.json", None) {
                    cases.iter().for_each(|c| {
                        black_box(c.evaluate());
                    });
                }
            },
        },
        Target {
            name: "--jsonl request line",
            seeds: jsonl,
            run: |b| {
                let mut out = Vec::new();
                iamdrill::policy::jsonl::eval_line(b, 1, &mut out);
            },
        },
        Target {
            name: "Q&A document (compile)",
            seeds: sources,
            run: |b| {
                let t = text(b);
                black_box(iamdrill::compile::parse::parse(&t));
                let docs = [iamdrill::compile::Document {
                    name: "fuzz.txt".into(),
                    text: t.into_owned(),
                }];
                let _ = black_box(iamdrill::compile::compile(&docs, None));
            },
        },
        Target {
            name: "review CSV (import)",
            seeds: csv,
            run: |b| {
                let _ = black_box(iamdrill::store::import::parse_reviews_csv(&text(b), "r.csv"));
            },
        },
        Target {
            name: "typed answer (grading)",
            seeds: vec![
                b"An explicit deny in any applicable policy overrides every allow, whatever policy type holds it.".to_vec(),
                b"deny deny overrides allow policy SCP RCP boundary session not".to_vec(),
            ],
            run: |b| {
                static LIB: std::sync::OnceLock<iamdrill::deck::Library> =
                    std::sync::OnceLock::new();
                let lib = LIB.get_or_init(iamdrill::deck::Library::builtin);
                for id in ["explicit-deny-wins", "policy-evaluation-logic", "sts"] {
                    if let Some(card) = lib.card(id) {
                        black_box(iamdrill::mock::grade::grade_text(
                            &card.question,
                            &card.key_points,
                            &text(b),
                        ));
                    }
                }
            },
        },
        Target {
            name: "wildcard pattern",
            seeds: patterns,
            run: |b| {
                let t = text(b);
                let (p, s) = t.split_once('\n').unwrap_or((&t, "x"));
                black_box(iamdrill::policy::pattern::glob(p, s, false));
                black_box(iamdrill::policy::pattern::glob(p, s, true));
                black_box(iamdrill::policy::pattern::arn_match_str(p, s));
                // As `policy check` uses it: a policy's pattern against ARN formats.
                for format in ["arn:*:s3:::*/*", "arn:*:logs:*:*:log-group:*:log-stream:*"] {
                    black_box(iamdrill::policy::pattern::globs_intersect(format, p));
                    black_box(iamdrill::policy::pattern::globs_intersect(s, format));
                }
            },
        },
        Target {
            name: "sync device file",
            seeds: sync,
            run: |b| {
                black_box(iamdrill::sync::file::read_from(b, Default::default()));
            },
        },
    ]
}

/// A Markdown table of outcomes.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut s = String::from(
        "| parser | inputs | panics | hangs > 2 s | slowest | peak memory growth | peak RSS | largest input |\n|---|---|---|---|---|---|---|---|\n",
    );
    for o in outcomes {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} ms | {:.1} MB | {:.1} MB | {:.0} KB |\n",
            o.name,
            o.inputs,
            o.panics,
            o.hangs,
            o.slowest.as_secs_f64() * 1000.0,
            o.peak_growth as f64 / 1e6,
            o.peak_rss as f64 / 1e6,
            o.largest_input as f64 / 1e3,
        ));
    }
    s
}
