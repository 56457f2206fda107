//! Signals sent to the app in a pseudo-terminal: SIGTERM, SIGHUP, SIGINT and SIGQUIT leave the
//! terminal as it was (main screen, cursor shown, mouse reporting off, raw mode off) and keep a
//! running mock interview as a partial report; Ctrl-Z and SIGTSTP suspend, and SIGCONT (what
//! `fg` sends) resumes in raw mode with the screen drawn again.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
}

impl Term {
    fn start(data_dir: &std::path::Path, args: &[&str]) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_iamdrill"));
        cmd.args(args);
        cmd.env("IAMDRILL_DATA_DIR", data_dir);
        cmd.env("IAMDRILL_CONFIG_DIR", data_dir.join("config"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(24).unwrap(),
            std::num::NonZeroU16::new(80).unwrap(),
            0,
        )));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            child,
            master: pair.master,
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        loop {
            {
                let parser = self.parser.lock().unwrap();
                if ok(parser.screen()) {
                    return;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{what} never happened; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn wait_for(&self, text: &str) {
        self.wait_until(&format!("`{text}` on screen"), |s| {
            s.contents().contains(text)
        });
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// The process state letter from /proc (`T` stopped, `S` sleeping, `R` running).
    fn state(&self) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        after.chars().next().unwrap()
    }

    fn wait_state(&self, want: char) {
        let start = Instant::now();
        while self.state() != want {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the process never reached state {want} (is {})",
                self.state()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the app did not end; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Whether the terminal is in raw mode: no echo, no line buffering.
    fn raw(&self) -> bool {
        let out = self.stty(&["-a"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "stty: {text}");
        text.split_whitespace().any(|w| w == "-icanon")
            && text.split_whitespace().any(|w| w == "-echo")
    }

    /// Runs `stty` on the terminal the app runs in.
    fn stty(&self, args: &[&str]) -> std::process::Output {
        let tty = self.master.tty_name().expect("the name of the terminal");
        std::process::Command::new("stty")
            .arg("-F")
            .arg(tty)
            .args(args)
            .output()
            .unwrap()
    }

    /// The terminal as the app found it: main screen, cursor shown, no mouse reporting, cooked.
    fn assert_restored(&self) {
        // The bytes that restore the terminal may still be on their way through the reader
        // thread when the process is already stopped or gone: wait for them, then check.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            let done = {
                let parser = self.parser.lock().unwrap();
                let screen = parser.screen();
                !screen.alternate_screen()
                    && !screen.hide_cursor()
                    && screen.mouse_protocol_mode() == vt100::MouseProtocolMode::None
                    && !screen.bracketed_paste()
            };
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse reporting is still on"
        );
        assert!(!screen.bracketed_paste(), "bracketed paste is still on");
        drop(parser);
        assert!(!self.raw(), "the terminal is still in raw mode");
    }
}

fn on_dashboard(dir: &std::path::Path) -> Term {
    let mut term = Term::start(dir, &[]);
    term.wait_for("Welcome to iamdrill");
    term.send(" ");
    term.wait_for("Review due cards");
    term
}

#[test]
fn ending_signals_restore_the_terminal() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let dir = tempfile::tempdir().unwrap();
        let mut term = on_dashboard(dir.path());
        term.wait_until("the app's terminal modes", |s| {
            s.alternate_screen() && s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
        });
        assert!(term.raw(), "the app runs in raw mode");
        term.signal(signal);
        let status = term.wait_exit();
        assert_eq!(status.exit_code(), 128 + number, "SIG{signal}: {status:?}");
        term.assert_restored();
    }
}

#[test]
fn sigterm_during_a_mock_interview_saves_a_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), &["mock", "--questions", "3", "--seed", "7"]);
    term.wait_for("Welcome to iamdrill");
    term.send("x");
    term.wait_until("the welcome closed", |s| {
        !s.contents().contains("Welcome to iamdrill")
    });
    term.wait_for("1/3");
    term.send("least privilege");
    term.wait_for("least privilege");
    term.signal("TERM");
    let status = term.wait_exit();
    assert_eq!(status.exit_code(), 143, "{status:?}");
    term.assert_restored();
    let conn = rusqlite::Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let reports: Vec<String> = conn
        .prepare("SELECT report_json FROM mock_sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(reports.len(), 1, "one report saved");
    let report: serde_json::Value = serde_json::from_str(&reports[0]).unwrap();
    assert_eq!(report["partial"], serde_json::Value::Bool(true), "{report}");
}

#[test]
fn ctrl_z_suspends_and_fg_resumes_in_raw_mode_with_a_redraw() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = on_dashboard(dir.path());
    // Ctrl-Z, as typed at the keyboard (the app reads it as a key in raw mode).
    term.send("\u{1a}");
    term.wait_state('T');
    term.assert_restored();
    assert!(!term.screen().contains("Review due cards"));
    term.signal("CONT");
    term.wait_for("Review due cards");
    term.wait_until("raw mode again", |s| s.alternate_screen());
    assert!(term.raw(), "raw mode after resuming");
    // A single key without Enter reaches the app: the terminal is raw again.
    term.send("?");
    term.wait_for("show the keys of this screen");
    term.send("\u{1b}");
    term.wait_until("the help closed", |s| {
        !s.contents().contains("show the keys of this screen")
    });
    term.send("q");
    assert!(term.wait_exit().success());
}

#[test]
fn sigtstp_suspends_and_sigcont_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = on_dashboard(dir.path());
    term.signal("TSTP");
    term.wait_state('T');
    term.assert_restored();
    term.signal("CONT");
    term.wait_for("Review due cards");
    assert!(term.raw(), "raw mode after resuming");
    term.send("q");
    assert!(term.wait_exit().success());
}

#[test]
fn sigstop_then_sigcont_takes_the_terminal_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = on_dashboard(dir.path());
    term.signal("STOP");
    term.wait_state('T');
    // What a shell does to the terminal while the job is stopped.
    assert!(term.stty(&["sane"]).status.success());
    assert!(!term.raw());
    term.signal("CONT");
    let start = Instant::now();
    while !term.raw() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "raw mode never came back"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    term.send("q");
    assert!(term.wait_exit().success());
}
