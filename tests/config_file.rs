//! The configuration file through the binary: example, show, check, and a broken file refusing to start.

use std::process::Command;

fn bin(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iamdrill"));
    c.env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home)
        .env_remove("RUST_LOG")
        .env_remove("IAMDRILL_DATA_DIR");
    c
}

#[test]
fn example_round_trips_through_check_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path())
        .args(["config", "example"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let cfg_dir = dir.path().join("iamdrill");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(cfg_dir.join("config.yaml"), &out.stdout).unwrap();
    let check = bin(dir.path()).args(["config", "check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let show = bin(dir.path())
        .args(["config", "show", "--json"])
        .output()
        .unwrap();
    assert!(show.status.success());
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["desired_retention"], 0.9);
    assert_eq!(v["mock"]["minutes"], 30);
    assert_eq!(v["theme"]["mode"], "auto");
}

#[test]
fn broken_config_is_located_and_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let cfg_dir = dir.path().join("iamdrill");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    let file = cfg_dir.join("config.yaml");
    std::fs::write(&file, "new_per_day: 10\nmock:\n  minuts: 20\n").unwrap();

    let check = bin(dir.path())
        .args(["config", "check", "--json"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["line"], 3);
    assert_eq!(v["problems"][0]["column"], 3);

    let show = bin(dir.path()).args(["config", "show"]).output().unwrap();
    assert_eq!(show.status.code(), Some(2));
    let err = String::from_utf8_lossy(&show.stderr);
    assert!(
        err.contains("config.yaml:3:3:") && err.contains("minuts"),
        "{err}"
    );

    let app = bin(dir.path()).output().unwrap();
    assert_eq!(app.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&app.stderr).contains("config.yaml:3:3:"));
}

#[test]
fn check_of_a_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.yaml");
    std::fs::write(&file, "desired_retention: 0.99\n").unwrap();
    let out = bin(dir.path())
        .args(["config", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mine.yaml:1:") && err.contains("between"),
        "{err}"
    );
}
