//! The real binary in a pseudo-terminal, read through a terminal emulator (vt100).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Kept for the child's lifetime (dropping it hangs up the terminal).
    _master: Box<dyn MasterPty + Send>,
}

impl Term {
    /// `iamdrill ARGS` on a `cols`x`rows` terminal, its data in `data_dir` (configuration in
    /// `data_dir/config`), without colour.
    pub fn start(data_dir: &Path, args: &[&str], cols: u16, rows: u16) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
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
        Term {
            parser,
            writer,
            child,
            _master: pair.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits (up to 30 s, for busy machines) until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("`{text}` on screen"), |s| s.contains(text))
    }

    /// Waits (up to 30 s) until the screen satisfies `ok`.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never saw {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits (up to 30 s) for the app to exit and returns whether it succeeded.
    pub fn wait_exit(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the app did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Reveals the current card (scenarios step by step) until the rating buttons show.
    pub fn reveal(&mut self) {
        for _ in 0..60 {
            let s = self.screen();
            if s.contains("Again") {
                return;
            }
            if s.contains("y: I had it") {
                self.send("y");
            } else {
                self.send(" ");
            }
        }
        self.wait_for("Again");
    }
}
