//! The command line as a user meets it: help everywhere, exit codes, config, paths, completions.

use std::process::Command;

use clap::CommandFactory;
use iamdrill::cmd::Cli;

fn bin(config_home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iamdrill"));
    c.env("XDG_CONFIG_HOME", config_home)
        .env("XDG_STATE_HOME", config_home.join("state"))
        .env("XDG_DATA_HOME", config_home.join("data"))
        .env("HOME", config_home)
        .env_remove("RUST_LOG")
        .env_remove("IAMDRILL_DATA_DIR");
    c
}

fn all_paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        let mut p = prefix.clone();
        p.push(sub.get_name().to_string());
        all_paths(sub, p, out);
    }
}

#[test]
fn every_subcommand_has_help() {
    let cmd = Cli::command();
    cmd.clone().debug_assert();
    let mut paths = Vec::new();
    all_paths(&cmd, vec![], &mut paths);
    assert!(paths.len() > 6, "{paths:?}");
    for p in paths {
        let mut argv = vec!["iamdrill".to_string()];
        argv.extend(p.iter().cloned());
        argv.push("--help".into());
        let err = Cli::command().try_get_matches_from(&argv).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{argv:?}");
        assert!(err.to_string().contains("Usage"), "{argv:?}");
    }
}

#[test]
fn usage_errors_exit_2_and_version_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path()).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin(dir.path()).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_and_man_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = bin(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("config") && text.contains("decks"), "{shell}");
    }
    let mandir = dir.path().join("man1");
    let out = bin(dir.path())
        .args(["man", "--out"])
        .arg(&mandir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = std::fs::read_to_string(mandir.join("iamdrill.1")).unwrap();
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
}

#[test]
fn paths_json_lists_every_location() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mydata");
    let out = bin(dir.path())
        .args(["paths", "--json", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["data", "database", "config", "decks", "state", "log"] {
        assert!(v[key].is_string(), "{key} missing: {v}");
    }
    assert_eq!(v["data"], data.display().to_string());
    assert!(v["config"].as_str().unwrap().ends_with("config.yaml"));
}

#[test]
fn verbose_writes_the_log_file_not_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path())
        .args(["--verbose", "paths"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = dir
        .path()
        .join("state")
        .join("iamdrill")
        .join("iamdrill.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("started"), "{text}");
}
