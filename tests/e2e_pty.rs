//! The real binary in a pseudo-terminal: open the dashboard, review one card, quit, and find the
//! review in the database.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    fn start(data_dir: &std::path::Path, cols: u16, rows: u16) -> Term {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_iamdrill"));
        cmd.env("IAMDRILL_DATA_DIR", data_dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
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
        // Keep the master alive for the child's lifetime.
        std::mem::forget(pair.master);
        Term {
            parser,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "`{text}` never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
}

#[test]
fn review_one_card_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), 80, 24);
    // The first start greets the learner; any key goes on to the dashboard.
    term.wait_for("Welcome to iamdrill");
    term.send(" ");
    term.wait_for("Review due cards");
    term.send("r");
    term.wait_for("card 1/");
    // Reveal: basic and table cards at once, scenarios step by step.
    for _ in 0..60 {
        let s = term.screen();
        if s.contains("Again") {
            break;
        }
        if s.contains("y: I had it") {
            term.send("y");
        } else {
            term.send(" ");
        }
    }
    term.wait_for("Again");
    term.send("3");
    term.wait_for("card 2/");
    term.send("q");
    term.wait_for("Review due cards");
    term.send("q");
    let start = Instant::now();
    loop {
        if let Some(status) = term.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the app did not quit"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    let conn = rusqlite::Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_tiny_window_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut term = Term::start(dir.path(), 18, 6);
    term.wait_for("too small");
    let mut ctrl_c = String::new();
    ctrl_c.push('\u{3}');
    term.send(&ctrl_c);
    let start = Instant::now();
    while term.child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "Ctrl-C did not quit"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}
