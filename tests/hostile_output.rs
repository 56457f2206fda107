//! Every command fed hostile names — in file and directory names, deck fields, policy cases,
//! answers, CSV rows, configuration keys and command-line values — and its whole output (standard
//! output and standard error) run through a terminal emulator: no window title, clipboard write,
//! bell or unknown sequence may reach it, no escape or C1 control or bidi override may be printed,
//! and no command may panic. A closed pipe ends every command quietly with exit 0.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Retitles the window, writes the clipboard, clears the screen, homes the cursor, reverses the
/// text direction, sends an 8-bit CSI and a device-control request.
const HOSTILE: &str =
    "\x1b]0;PWNED\x07\x1b]52;c;SGVsbG8=\x07\x1b[2J\x1b[H\u{202e}evil\u{9b}2J\x1bP+q544e\x1b\\";

/// The same, as it can be written inside a YAML double-quoted string.
const HOSTILE_YAML: &str =
    r#"\e]0;PWNED\a\e]52;c;SGVsbG8=\a\e[2J\e[H\u202Eevil\x9B2J\eP+q544e\e\\"#;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_iamdrill")
}

/// What the emulator saw.
#[derive(Default, Debug)]
struct Seen {
    titles: usize,
    clipboard: usize,
    bells: usize,
    unhandled: usize,
}

impl vt100::Callbacks for Seen {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn visual_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard += 1;
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.clipboard += 1;
    }
    fn unhandled_control(&mut self, _: &mut vt100::Screen, _: u8) {
        self.unhandled += 1;
    }
    fn unhandled_escape(&mut self, _: &mut vt100::Screen, _: Option<u8>, _: Option<u8>, _: u8) {
        self.unhandled += 1;
    }
    fn unhandled_csi(
        &mut self,
        _: &mut vt100::Screen,
        _: Option<u8>,
        _: Option<u8>,
        _: &[&[u16]],
        _: char,
    ) {
        self.unhandled += 1;
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, _: &[&[u8]]) {
        self.unhandled += 1;
    }
}

/// Sequences from `bytes` that would have reached a terminal: what the emulator reacted to,
/// plus every ESC, C1 control, BEL and bidi control in the text, and a cleared first line.
fn reached(bytes: &[u8]) -> usize {
    let mut parser = vt100::Parser::new_with_callbacks(
        std::num::NonZero::new(400).unwrap(),
        std::num::NonZero::new(400).unwrap(),
        0,
        Seen::default(),
    );
    parser.process(b"MARKER\r\n");
    parser.process(bytes);
    let seen = parser.callbacks();
    let text = String::from_utf8_lossy(bytes);
    let raw = text
        .chars()
        .filter(|&c| {
            c == '\x1b'
                || c == '\x07'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .count();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    // Output of fewer lines than the screen cannot have scrolled the marker away.
    let cleared = lines < 390 && !parser.screen().contents().starts_with("MARKER");
    seen.titles + seen.clipboard + seen.bells + seen.unhandled + raw + usize::from(cleared)
}

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    config: PathBuf,
}

impl Env {
    fn cmd(&self, args: &[&std::ffi::OsStr]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data-dir")
            .arg(&self.data)
            .arg("--config-dir")
            .arg(&self.config)
            .args(args)
            .env_remove("IAMDRILL_NOW")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A directory whose own name is hostile, holding every hostile input file.
fn hostile_env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join(format!("in{HOSTILE}dir"));
    let data = tmp.path().join("data");
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    // A deck whose id, title and card fields are hostile, and one that fails to load.
    write(
        &root.join("decks").join(format!("deck{HOSTILE}.yaml")),
        &format!(
            "id: \"d{HOSTILE_YAML}\"\ntitle: \"T{HOSTILE_YAML}\"\ncards:\n  - id: \"c{HOSTILE_YAML}\"\n    topic: kms\n    q: \"Q{HOSTILE_YAML}\"\n    a: \"A{HOSTILE_YAML}\"\n"
        ),
    );
    write(
        &root.join("bad").join(format!("bad{HOSTILE}.yaml")),
        &format!("id: x\ntitle: [\"{HOSTILE_YAML}\"\n"),
    );
    // A Q&A source for compile.
    write(
        &root.join(format!("notes{HOSTILE}.md")),
        &format!(
            "# KMS {HOSTILE}\n\nQ: What {HOSTILE}?\nA: This {HOSTILE}.\n\nQ: only a question {HOSTILE}\n"
        ),
    );
    // A typed answer.
    write(
        &root.join("answer.txt"),
        &format!("An explicit deny always wins {HOSTILE} over any allow.\n"),
    );
    // A policy case with hostile case name, policy name, Sid, action and ARNs.
    let case = format!(
        r#"cases:
  - name: "case{h}"
    request:
      principal: "arn:aws:iam::111122223333:user/{h}"
      action: "s3:Get{h}"
      resource: "arn:aws:s3:::bucket{h}/k"
    policies:
      identity:
        - name: "policy{h}"
          document:
            Version: "2012-10-17"
            Statement:
              - Sid: "sid{h}"
                Effect: Allow
                Action: "s3:Get{h}"
                Resource: "arn:aws:s3:::bucket{h}/*"
    expect: {{ decision: Allow }}
"#,
        h = HOSTILE_YAML
    );
    write(&root.join("case.yaml"), &case);
    let json_hostile = serde_json::to_string(HOSTILE).unwrap();
    let json_hostile = json_hostile.trim_matches('"');
    write(
        &root.join("policy.json"),
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"s{h}","Effect":"Allow","Action":"s3:Get{h}","Resource":"arn:aws:s3:::b{h}","Condition":{{"StringEquals":{{"aws:Principle{h}":"x"}}}}}}]}}"#,
            h = json_hostile
        ),
    );
    write(
        &root.join("cases.jsonl"),
        &format!(
            "{{\"name\":\"j{h}\",\"request\":{{\"principal\":\"arn:aws:iam::111122223333:user/u{h}\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/k\"}},\"policies\":{{\"identity\":[{{\"name\":\"p{h}\",\"document\":{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}]}}}}]}}}}\nnot json {h}\n",
            h = json_hostile
        ),
    );
    // A review log with a hostile card id and a hostile malformed row.
    write(
        &root.join("reviews.csv"),
        &format!(
            "id,card_id,reviewed_at,rating,duration_ms,mode\n1,\"c{HOSTILE}\",2026-01-01T00:00:00Z,3,1000,review\n2,x,{HOSTILE},9,1,review\n"
        ),
    );
    // Not a database.
    write(&root.join(format!("backup{HOSTILE}.sqlite3")), HOSTILE);
    // A shared sync folder: another device's file whose name, card ids and mock report are
    // hostile (control characters written raw; the format only escapes tab, newline, carriage
    // return and backslash), a conflict copy with a hostile file name, and a file from a newer
    // format version.
    let sync = root.join(format!("sync{HOSTILE}"));
    let peer = format!(
        "iamdrill-sync\t1\t00000000000000aa\n\
         1\t1780000000000\t1780000000000\tname\tlaptop{HOSTILE}\n\
         2\t1780000001000\t1780000001000\tanswer\tc{HOSTILE}\t3\treview\t4200\t0\t1\n\
         3\t1780000002000\t1780000002000\tanswer\tkms-key-policy\t3\treview\t4200\t0\t1\n\
         4\t1780000003000\t1780000003000\tsuspend\tsts{HOSTILE}\n\
         5\t1780000004000\t1780000004000\tmock\t1780000000000\t1780000004000\t{{\"q\":\"{HOSTILE}\"}}\n\
         6\tnot-a-number{HOSTILE}\n"
    );
    write(&sync.join("00000000000000aa.iamdrill-sync"), &peer);
    write(
        &sync.join(format!(
            "00000000000000aa (conflicted copy {HOSTILE}).iamdrill-sync"
        )),
        &peer,
    );
    write(
        &sync.join("00000000000000bb.iamdrill-sync"),
        &format!("iamdrill-sync\t99\t00000000000000bb{HOSTILE}\n"),
    );
    Env {
        _tmp: tmp,
        root,
        data,
        config,
    }
}

/// The commands, each with the hostile text reaching it somewhere.
fn commands(env: &Env) -> Vec<(String, Vec<std::ffi::OsString>)> {
    let r = |p: &str| env.root.join(p).into_os_string();
    let s = |t: &str| std::ffi::OsString::from(t);
    let h = || s(HOSTILE);
    let deck_dir = r("decks");
    let bad_dir = r("bad");
    let notes = env.root.join(format!("notes{HOSTILE}.md")).into_os_string();
    let backup_file = env
        .root
        .join(format!("backup{HOSTILE}.sqlite3"))
        .into_os_string();
    let mut out: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        (
            "decks list",
            vec![s("--decks"), deck_dir.clone(), s("decks"), s("list")],
        ),
        (
            "decks list --json",
            vec![
                s("--decks"),
                deck_dir.clone(),
                s("decks"),
                s("list"),
                s("--json"),
            ],
        ),
        (
            "decks check (bad)",
            vec![s("decks"), s("check"), bad_dir.clone()],
        ),
        (
            "decks check (hostile fields)",
            vec![s("decks"), s("check"), deck_dir.clone()],
        ),
        (
            "decks check (missing)",
            vec![s("decks"), s("check"), r(&format!("none{HOSTILE}"))],
        ),
        (
            "compile",
            vec![
                s("compile"),
                notes.clone(),
                s("--out"),
                r("out"),
                s("--report"),
            ],
        ),
        (
            "compile --json",
            vec![s("compile"), notes, s("--out"), r("out2"), s("--json")],
        ),
        (
            "grade (unknown card)",
            vec![
                s("grade"),
                s("--card"),
                h(),
                s("--answer-file"),
                r("answer.txt"),
            ],
        ),
        (
            "grade",
            vec![
                s("grade"),
                s("--card"),
                s("explicit-deny-wins"),
                s("--answer-file"),
                r("answer.txt"),
            ],
        ),
        (
            "grade --json",
            vec![
                s("grade"),
                s("--card"),
                s("explicit-deny-wins"),
                s("--answer-file"),
                r("answer.txt"),
                s("--json"),
            ],
        ),
        (
            "grade (missing file)",
            vec![
                s("grade"),
                s("--card"),
                s("explicit-deny-wins"),
                s("--answer-file"),
                r(&format!("no{HOSTILE}")),
            ],
        ),
        (
            "cards list (hostile deck)",
            vec![s("--decks"), deck_dir.clone(), s("cards"), s("list")],
        ),
        (
            "cards list --topic",
            vec![s("cards"), s("list"), s("--topic"), h()],
        ),
        ("cards suspend", vec![s("cards"), s("suspend"), h()]),
        ("due --topic", vec![s("due"), s("--topic"), h()]),
        (
            "due --json (hostile deck)",
            vec![s("--decks"), deck_dir.clone(), s("due"), s("--json")],
        ),
        (
            "stats (hostile deck)",
            vec![s("--decks"), deck_dir.clone(), s("stats")],
        ),
        (
            "review --plain --topic",
            vec![s("review"), s("--plain"), s("--topic"), h()],
        ),
        (
            "cram --plain --topic",
            vec![s("cram"), s("--plain"), s("--topic"), h()],
        ),
        ("--now", vec![s("--now"), h(), s("due")]),
        (
            "export reviews -o",
            vec![
                s("export"),
                s("reviews"),
                s("-o"),
                r(&format!("nodir{HOSTILE}/x.csv")),
            ],
        ),
        (
            "import reviews",
            vec![s("import"), s("reviews"), r("reviews.csv"), s("--yes")],
        ),
        (
            "backup",
            vec![s("backup"), r(&format!("nodir{HOSTILE}/b.sqlite3"))],
        ),
        ("restore", vec![s("restore"), backup_file, s("--yes")]),
        ("policy eval", vec![s("policy"), s("eval"), r("case.yaml")]),
        (
            "policy eval --json",
            vec![s("policy"), s("eval"), r("case.yaml"), s("--json")],
        ),
        ("policy test", vec![s("policy"), s("test"), r("case.yaml")]),
        (
            "policy check",
            vec![s("policy"), s("check"), r("policy.json")],
        ),
        (
            "policy check --json",
            vec![s("policy"), s("check"), r("policy.json"), s("--json")],
        ),
        ("policy expand", vec![s("policy"), s("expand"), h()]),
        ("mock history", vec![s("mock"), s("history")]),
        ("sync", vec![s("sync"), r(&format!("sync{HOSTILE}"))]),
        (
            "sync --status",
            vec![s("sync"), r(&format!("sync{HOSTILE}")), s("--status")],
        ),
        (
            "sync --status --json",
            vec![
                s("sync"),
                r(&format!("sync{HOSTILE}")),
                s("--status"),
                s("--json"),
            ],
        ),
        (
            "sync (missing folder)",
            vec![s("sync"), r(&format!("nosync{HOSTILE}"))],
        ),
        ("paths", vec![s("paths")]),
        ("paths --json", vec![s("paths"), s("--json")]),
    ];
    out.push((
        "decks list (bad deck warnings)",
        vec![s("--decks"), bad_dir, s("decks"), s("list")],
    ));
    out.into_iter().map(|(n, a)| (n.to_string(), a)).collect()
}

fn run(env: &Env, args: &[std::ffi::OsString], stdin: Option<&Path>) -> (Option<i32>, Vec<u8>) {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let mut c = env.cmd(&args);
    if let Some(p) = stdin {
        c.stdin(std::fs::File::open(p).unwrap());
    }
    let out = c.output().unwrap();
    let mut all = out.stdout;
    all.extend_from_slice(&out.stderr);
    (out.status.code(), all)
}

#[test]
fn no_hostile_name_reaches_the_terminal_from_any_command() {
    let env = hostile_env();
    let mut rows = Vec::new();
    let mut runs: Vec<(String, Option<i32>, Vec<u8>)> = commands(&env)
        .into_iter()
        .map(|(name, args)| {
            let (code, out) = run(&env, &args, None);
            (name, code, out)
        })
        .collect();
    let (code, out) = run(
        &env,
        &["policy", "eval", "--jsonl"].map(std::ffi::OsString::from),
        Some(&env.root.join("cases.jsonl")),
    );
    runs.push(("policy eval --jsonl".into(), code, out));
    // A configuration with a hostile key name and value, read by `config check` and every command.
    write(
        &env.config.join("config.yaml"),
        &format!(
            "keys:\n  \"{HOSTILE_YAML}\": \"{HOSTILE_YAML}\"\ndaily_new: \"{HOSTILE_YAML}\"\n"
        ),
    );
    for (name, args) in [
        ("config check (hostile config)", vec!["config", "check"]),
        ("config show (hostile config)", vec!["config", "show"]),
        ("due (hostile config)", vec!["due"]),
    ] {
        let (code, out) = run(
            &env,
            &args
                .into_iter()
                .map(std::ffi::OsString::from)
                .collect::<Vec<_>>(),
            None,
        );
        runs.push((name.into(), code, out));
    }
    let mut echoed = 0;
    let mut total = 0;
    for (name, code, out) in &runs {
        let text = String::from_utf8_lossy(out);
        let n = reached(out);
        total += n;
        let echoes = text.contains("PWNED") || text.contains("SGVsbG8") || text.contains("544e");
        echoed += usize::from(echoes);
        rows.push(format!(
            "{name:<34} exit {:<4} bytes {:<6} echoed {:<5} reached {n}",
            code.map_or("sig".into(), |c| c.to_string()),
            out.len(),
            echoes
        ));
        assert!(!text.contains("panicked"), "{name} panicked:\n{text}");
        assert!(code.is_some(), "{name} was killed by a signal");
    }
    eprintln!("{}", rows.join("\n"));
    eprintln!(
        "{} commands, {echoed} echoed hostile text, {total} sequence(s) reached the terminal",
        runs.len()
    );
    for ((name, _, out), row) in runs.iter().zip(&rows) {
        assert_eq!(reached(out), 0, "{row}\n{}", String::from_utf8_lossy(out));
        let _ = name;
    }
    // The test is worth something only if most commands printed the hostile text back.
    assert!(echoed * 3 >= runs.len() * 2, "{echoed} of {}", runs.len());
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let env = hostile_env();
    // Answer a few cards so that exports and lists have rows.
    let mut review = env.cmd(&["review".as_ref(), "--plain".as_ref()]);
    review.stdin(Stdio::piped()).stdout(Stdio::null());
    let mut child = review.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\n3\n\n3\n\n3\n")
        .unwrap();
    child.wait().unwrap();
    write(
        &env.root.join("ok.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let s = |t: &str| std::ffi::OsString::from(t);
    let commands: Vec<Vec<std::ffi::OsString>> = vec![
        vec![s("decks"), s("list")],
        vec![s("decks"), s("list"), s("--json")],
        vec![s("decks"), s("check")],
        vec![s("cards"), s("list")],
        vec![s("cards"), s("list"), s("--json")],
        vec![s("due")],
        vec![s("due"), s("--json")],
        vec![s("stats")],
        vec![s("stats"), s("--json")],
        vec![s("plan"), s("--interview-date"), s("2027-06-01")],
        vec![s("export"), s("reviews")],
        vec![s("export"), s("cards")],
        vec![s("mock"), s("history")],
        vec![s("paths")],
        vec![s("config"), s("example")],
        vec![s("config"), s("show")],
        vec![s("policy"), s("expand"), s("s3:*")],
        vec![s("policy"), s("expand"), s("*"), s("--json")],
        vec![
            s("policy"),
            s("eval"),
            s("tests/data/policy/w01-w02-own-bucket.yaml"),
        ],
        vec![
            s("policy"),
            s("test"),
            s("tests/data/policy/w01-w02-own-bucket.yaml"),
        ],
        vec![
            s("policy"),
            s("check"),
            env.root.join("ok.json").into_os_string(),
        ],
        vec![
            s("grade"),
            s("--card"),
            s("explicit-deny-wins"),
            s("--answer-file"),
            env.root.join("answer.txt").into_os_string(),
        ],
        vec![s("completions"), s("bash")],
        vec![s("man")],
        vec![s("--help")],
    ];
    let mut report = Vec::new();
    for args in &commands {
        let args_ref: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let mut c = env.cmd(&args_ref);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        // The reader goes away before the command has written anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let name = args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        report.push(format!("{name:?}: {:?}", out.status.code()));
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{name}: {err}"
        );
        // `policy test` and `policy check` exit 1 for failing cases or findings: that is their
        // verdict, not the pipe. Everything else succeeds.
        let verdict_ok = matches!(out.status.code(), Some(0))
            || (args[0] == "policy" && matches!(out.status.code(), Some(1)));
        assert!(verdict_ok, "{name}: {:?} {err}", out.status.code());
    }
    eprintln!("{}", report.join("\n"));
}

/// Waits for `child` at most `limit`; `None` when it had to be killed (it hung).
fn wait_or_kill(
    mut child: std::process::Child,
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn devices_and_named_pipes_are_refused_by_every_reader() {
    let env = hostile_env();
    let fifo = env.root.join("pipe.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let zero = PathBuf::from("/dev/zero");
    let case_dir = env.root.join("cases");
    write(
        &case_dir.join("zero-policy.yaml"),
        "name: reads a device\nrequest:\n  principal: arn:aws:iam::111122223333:user/a\n  action: s3:GetObject\n  resource: arn:aws:s3:::b/k\npolicies:\n  identity:\n    - name: p\n      file: /dev/zero\n",
    );
    let s = |t: &str| std::ffi::OsString::from(t);
    let mut cases: Vec<(&str, Vec<std::ffi::OsString>)> = Vec::new();
    for (what, path) in [("device", &zero), ("named pipe", &fifo)] {
        let p = path.clone().into_os_string();
        let _ = what;
        cases.extend([
            ("decks check", vec![s("decks"), s("check"), p.clone()]),
            ("--decks", vec![s("--decks"), p.clone(), s("due")]),
            (
                "compile",
                vec![
                    s("compile"),
                    p.clone(),
                    s("--out"),
                    env.root.join("o").into_os_string(),
                ],
            ),
            (
                "grade --answer-file",
                vec![
                    s("grade"),
                    s("--card"),
                    s("explicit-deny-wins"),
                    s("--answer-file"),
                    p.clone(),
                ],
            ),
            (
                "import reviews",
                vec![s("import"), s("reviews"), p.clone(), s("--yes")],
            ),
            ("restore", vec![s("restore"), p.clone(), s("--yes")]),
            ("policy eval", vec![s("policy"), s("eval"), p.clone()]),
            ("policy test", vec![s("policy"), s("test"), p.clone()]),
            ("policy check", vec![s("policy"), s("check"), p.clone()]),
        ]);
    }
    cases.push((
        "policy file: /dev/zero",
        vec![
            s("policy"),
            s("eval"),
            case_dir.join("zero-policy.yaml").into_os_string(),
        ],
    ));
    let mut report = Vec::new();
    for (name, args) in &cases {
        let args_ref: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let mut c = env.cmd(&args_ref);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = wait_or_kill(c.spawn().unwrap(), std::time::Duration::from_secs(30));
        let Some(out) = out else {
            panic!("{name} {:?} hung on a device or named pipe", args.last());
        };
        let err = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        report.push(format!("{name:<24} {:?}", out.status.code()));
        assert!(!err.contains("panicked"), "{name}: {err}");
        // A deck that cannot be read is left out with a warning; the command goes on.
        if *name != "--decks" {
            assert_ne!(
                out.status.code(),
                Some(0),
                "{name} accepted {args:?}: {err}"
            );
        }
        assert!(
            err.contains("not a regular file"),
            "{name} {args:?} did not say what is wrong: {err}"
        );
    }
    // A configuration file that is a link to a device.
    std::os::unix::fs::symlink(&zero, env.config.join("config.yaml")).unwrap();
    for args in [vec!["config", "check"], vec!["due"]] {
        let mut c = env.cmd(&args.iter().map(std::ffi::OsStr::new).collect::<Vec<_>>());
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = wait_or_kill(c.spawn().unwrap(), std::time::Duration::from_secs(30))
            .expect("config on a device hung");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(0));
        report.push(format!(
            "config -> /dev/zero {args:?} {:?}",
            out.status.code()
        ));
    }
    eprintln!("{}", report.join("\n"));
}
