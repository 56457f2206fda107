//! `iamdrill sync` with the real binary: two data directories ("laptop" and "desktop") and
//! one shared folder, as a sync tool would keep it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const NOW: &str = "2026-12-03T09:00:00Z";

struct Machine {
    data: PathBuf,
    config: PathBuf,
}

impl Machine {
    fn new(root: &Path, name: &str, shared: &Path) -> Machine {
        let data = root.join(format!("{name}-data"));
        let config = root.join(format!("{name}-config"));
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("config.yaml"),
            format!("sync_dir: {}\ndevice_name: {name}\n", shared.display()),
        )
        .unwrap();
        Machine { data, config }
    }

    fn run(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
            .args(args)
            .env("IAMDRILL_DATA_DIR", &self.data)
            .env("IAMDRILL_CONFIG_DIR", &self.config)
            .env("IAMDRILL_NOW", NOW)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args, "");
        assert_eq!(code, 0, "{args:?}\nstdout:\n{out}\nstderr:\n{err}");
        out
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// `cards list --json` without the recall, which moves with the clock (it runs on between
/// two commands), one line per card.
fn card_rows(m: &Machine) -> Vec<String> {
    let list = m.json(&["cards", "list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("recall");
            v.to_string()
        })
        .collect()
}

/// Every card's row of `cards list` is the same on both machines.
fn same_cards(a: &Machine, b: &Machine) {
    let (a, b) = (card_rows(a), card_rows(b));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "every card's state is the same on both");
    }
}

fn setup() -> (tempfile::TempDir, PathBuf, Machine, Machine) {
    let root = tempfile::tempdir().unwrap();
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let laptop = Machine::new(root.path(), "laptop", &shared);
    let desktop = Machine::new(root.path(), "desktop", &shared);
    (root, shared, laptop, desktop)
}

#[test]
fn answers_and_suspends_travel_between_two_machines() {
    let (_root, _shared, laptop, desktop) = setup();
    let before = desktop.json(&["due", "--json"]);
    // Good, Easy, Again on three KMS cards.
    let (code, out, err) = laptop.run(
        &["review", "--plain", "--topic", "kms"],
        "\n3\n\n4\n\n1\nq\n",
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let on_laptop = laptop.json(&["due", "--json"]);
    assert_ne!(on_laptop, before, "the answers changed the laptop's queue");

    let out = laptop.ok(&["sync"]);
    assert!(
        out.contains("wrote 4 events"),
        "3 answers and the name: {out}"
    );
    let out = desktop.ok(&["sync"]);
    assert!(out.contains("took 3 answers from laptop"), "{out}");
    assert_eq!(desktop.json(&["due", "--json"]), on_laptop);
    same_cards(&desktop, &laptop);

    // Suspend on the desktop; both sync; the laptop has it suspended.
    let lib = iamdrill::context::load_library(&[]);
    let card = lib
        .cards()
        .find(|c| c.topic == "iam-identities")
        .unwrap()
        .id
        .clone();
    let card = card.as_str();
    desktop.ok(&["cards", "suspend", card]);
    desktop.ok(&["sync"]);
    let out = laptop.ok(&["sync"]);
    assert!(out.contains("1 change from desktop"), "{out}");
    let cards = laptop.json(&["cards", "list", "--json"]);
    let row = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == card)
        .unwrap();
    assert_eq!(row["suspended"], true, "{row}");

    // Syncing again brings nothing twice.
    let out = laptop.ok(&["sync"]);
    assert!(out.contains("took nothing new"), "{out}");
    let status = laptop.json(&["sync", "--status", "--json"]);
    let devices = status["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2, "{status}");
    assert_eq!(devices[0]["this_device"], true);
    assert_eq!(devices[0]["name"], "laptop");
    assert_eq!(devices[1]["name"], "desktop");
    assert!(devices.iter().all(|d| d["pending"] == 0), "{status}");
    let text = laptop.ok(&["sync", "--status"]);
    assert!(text.contains("laptop (this one)"), "{text}");
    assert!(text.contains("desktop"), "{text}");
}

#[test]
fn newer_formats_torn_lines_links_and_a_missing_folder_are_handled() {
    let (_root, shared, laptop, desktop) = setup();
    laptop.run(&["review", "--plain", "--topic", "kms"], "\n3\nq\n");
    laptop.ok(&["sync"]);
    laptop.run(&["review", "--plain", "--topic", "kms"], "\n4\nq\n");
    laptop.ok(&["sync"]);
    let laptop_file = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let full = std::fs::read(&laptop_file).unwrap();

    // The desktop sees the laptop's file cut in the middle of its last line.
    std::fs::write(&laptop_file, &full[..full.len() - 5]).unwrap();
    let out = desktop.ok(&["sync"]);
    assert!(out.contains("took 1 answer from laptop"), "{out}");
    std::fs::write(&laptop_file, &full).unwrap();
    let out = desktop.ok(&["sync"]);
    assert!(
        out.contains("took 1 answer from laptop"),
        "the rest arrives: {out}"
    );

    // A file from a newer iamdrill: refused by name, the rest still syncs.
    let newer = shared.join("0123456789abcdef.iamdrill-sync");
    std::fs::write(&newer, "iamdrill-sync\t2\t0123456789abcdef\n").unwrap();
    let (code, _, err) = desktop.run(&["sync"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("0123456789abcdef.iamdrill-sync"), "{err}");
    assert!(err.contains("newer iamdrill (sync format 2"), "{err}");
    std::fs::remove_file(&newer).unwrap();

    // A file whose header names another device than its name is not read.
    let odd = shared.join("aaaaaaaaaaaaaaaa.iamdrill-sync");
    std::fs::write(&odd, "iamdrill-sync\t1\tbbbbbbbbbbbbbbbb\n").unwrap();
    let (code, _, err) = desktop.run(&["sync"], "");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("header names device bbbbbbbbbbbbbbbb"),
        "{err}"
    );
    std::fs::remove_file(&odd).unwrap();

    // A symbolic link is not followed.
    #[cfg(unix)]
    {
        let link = shared.join("fedcba9876543210.iamdrill-sync");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        let (code, _, err) = desktop.run(&["sync"], "");
        assert_eq!(code, 1);
        assert!(err.contains("symbolic link; not followed"), "{err}");
        std::fs::remove_file(&link).unwrap();
    }

    // A deleted device file deletes nothing here.
    let before = card_rows(&desktop);
    std::fs::remove_file(&laptop_file).unwrap();
    desktop.ok(&["sync"]);
    assert!(card_rows(&desktop) == before, "nothing changed");

    // A folder that is gone (offline) is an error that names it, nothing else.
    let gone = shared.join("missing");
    let (code, _, err) = desktop.run(&["sync", gone.to_str().unwrap()], "");
    assert_ne!(code, 0);
    assert!(err.contains("missing") && err.contains("offline"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
