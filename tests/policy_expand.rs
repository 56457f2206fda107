//! `iamdrill policy expand` run as a real binary against the embedded service reference.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn expand_lists_actions_with_access_levels() {
    let o = run(&["policy", "expand", "s3:Get*"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let get_object = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some("s3:GetObject"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(get_object.ends_with("Read"), "{get_object}");
    assert!(
        text.lines().all(|l| l.starts_with("s3:Get")),
        "every line is a matching action or the summary: {text}"
    );
    assert!(text.contains("AWS service reference"), "{text}");

    let o = run(&["policy", "expand", "iam:*Policy*", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let actions = v["actions"].as_array().unwrap();
    let put = actions
        .iter()
        .find(|a| a["action"] == "iam:PutUserPolicy")
        .unwrap();
    assert_eq!(put["access_level"], "Permissions management");
    assert!(
        actions
            .iter()
            .all(|a| a["action"].as_str().unwrap().contains("Policy"))
    );
    assert!(v["data"]["version"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn expand_reports_unknown_services_and_empty_results() {
    let o = run(&["policy", "expand", "s4:GetObject"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown service prefix \"s4\""), "{err}");
    assert!(err.contains("did you mean s3"), "{err}");
    let o = run(&["policy", "expand", "s3:GetObjekt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("matches 0 actions"));
    let o = run(&["policy", "expand", "GetObject"]);
    assert_eq!(o.status.code(), Some(2));
}
