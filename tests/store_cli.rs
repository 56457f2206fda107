//! `due`, `stats`, `plan`, `optimize`, `export` and `progress` on a fresh and on a used data
//! directory.

use std::process::{Command, Output, Stdio};

use iamdrill::srs::{Rating, SessionKind, now_ms};
use iamdrill::store::Store;

fn run(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .env("IAMDRILL_DATA_DIR", data)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn text(data: &std::path::Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Answers the built-in cards over the past days so the data directory has history.
fn use_it(data: &std::path::Path) -> usize {
    let lib = iamdrill::context::load_library(&[]);
    let mut store = Store::open_path(&data.join("progress.sqlite3")).unwrap();
    let now = now_ms();
    let mut n = 0;
    for day in (0..5).rev() {
        let t = now - day * 86_400_000 - 3_600_000;
        let mut s = store
            .start_session(lib.cards(), SessionKind::Review { topics: vec![] }, t)
            .unwrap();
        while s.current().is_some() {
            let r = if n % 5 == 0 {
                Rating::Again
            } else {
                Rating::Good
            };
            store.answer(&mut s, r, 3000, t).unwrap();
            n += 1;
        }
    }
    n
}

#[test]
fn reporting_commands_on_fresh_and_used_data() {
    let cards = iamdrill::context::load_library(&[]).len();
    for used in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("nested").join("data");
        let answered = if used {
            std::fs::create_dir_all(&data).unwrap();
            use_it(&data)
        } else {
            0
        };

        let due = json(&data, &["due", "--json"]);
        let total: u64 = due["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["total"].as_u64().unwrap())
            .sum();
        assert_eq!(total as usize, cards);
        assert!(due["queue"]["new"].as_u64().unwrap() <= 20);
        let kms = json(&data, &["due", "--topic", "kms", "--json"]);
        assert_eq!(kms["topics"].as_array().unwrap().len(), 1);
        assert!(text(&data, &["due"]).contains("AWS KMS"));

        let stats = json(&data, &["stats", "--json"]);
        assert_eq!(stats["total_reviews"].as_u64().unwrap() as usize, answered);
        let per_topic: u64 = stats["retention"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["answers"].as_u64().unwrap())
            .sum();
        assert_eq!(
            per_topic as usize, answered,
            "every answer counts for its topic"
        );
        assert_eq!(stats["forecast"].as_array().unwrap().len(), 30);
        if used {
            assert!(
                stats["streak"].as_u64().unwrap() >= 4,
                "{}",
                stats["streak"]
            );
            assert!(
                stats["retention"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["reviews"].as_u64().unwrap() > 0)
            );
        } else {
            assert_eq!(stats["states"]["new"].as_u64().unwrap() as usize, cards);
        }
        assert!(text(&data, &["stats"]).contains("streak"));

        // No date yet: a clear usage error; then set, remember, clear.
        let out = run(&data, &["plan"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--interview-date"));
        let plan = json(&data, &["plan", "--interview-date", "2099-01-15", "--json"]);
        assert_eq!(plan["interview_date"], "2099-01-15");
        assert!(plan["reviews_needed"].as_u64().unwrap() > 0);
        let again = json(&data, &["plan", "--json"]);
        assert_eq!(again["interview_date"], "2099-01-15");
        assert_eq!(
            json(&data, &["stats", "--json"])["interview_date"],
            "2099-01-15"
        );
        assert_eq!(
            run(&data, &["plan", "--interview-date", "2001-01-01"])
                .status
                .code(),
            Some(2)
        );
        assert_eq!(
            run(&data, &["plan", "--interview-date", "01/15/2099"])
                .status
                .code(),
            Some(2)
        );
        json(&data, &["plan", "--clear", "--json"]);
        assert_eq!(run(&data, &["plan"]).status.code(), Some(2));

        let opt = json(&data, &["optimize", "--json"]);
        assert_eq!(opt["outcome"], "not_enough_reviews");
        assert!(opt["needed"].as_u64().unwrap() > 0);
        assert!(text(&data, &["optimize"]).contains("more needed"));

        let csv = text(&data, &["export", "reviews", "--format", "csv"]);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("card_id,review_time,review_rating,review_state,review_duration")
        );
        assert_eq!(lines.count(), answered);
        let file = dir.path().join("reviews.csv");
        text(
            &data,
            &["export", "reviews", "--output", file.to_str().unwrap()],
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);
        let tsv = text(&data, &["export", "cards", "--format", "anki-tsv"]);
        assert_eq!(tsv.lines().count(), cards + 4);
        assert!(tsv.lines().skip(4).all(|l| l.split('\t').count() == 4));
        // Every note carries a distinct GUID, and a second export carries the same ones.
        let guids: std::collections::BTreeSet<&str> = tsv
            .lines()
            .skip(4)
            .map(|l| l.rsplit('\t').next().unwrap())
            .collect();
        assert_eq!(guids.len(), cards);
        assert!(guids.iter().all(|g| g.starts_with("iamdrill:")));
        assert_eq!(
            text(&data, &["export", "cards", "--format", "anki-tsv"]),
            tsv
        );

        let rebuilt = json(&data, &["progress", "rebuild", "--yes", "--json"]);
        assert_eq!(rebuilt["corrected"], 0);
        assert_eq!(rebuilt["reviews"].as_u64().unwrap() as usize, answered);
        let dry = json(&data, &["progress", "prune", "--dry-run", "--json"]);
        assert_eq!(dry["cards"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn prune_removes_cards_gone_from_the_decks() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
        store
            .record_mock("retired-card", Rating::Good, 1000, now_ms())
            .unwrap();
    }
    let dry = json(dir.path(), &["progress", "prune", "--dry-run", "--json"]);
    assert_eq!(dry["cards"], serde_json::json!(["retired-card"]));
    // Still there after a dry run, and kept by other commands.
    assert_eq!(json(dir.path(), &["stats", "--json"])["total_reviews"], 1);
    let pruned = json(
        dir.path(),
        &["progress", "prune", "--all", "--yes", "--json"],
    );
    assert_eq!(pruned["cards"], serde_json::json!(["retired-card"]));
    assert_eq!(pruned["reviews"], 1);
    assert_eq!(json(dir.path(), &["stats", "--json"])["total_reviews"], 0);
}

#[test]
fn optimize_fits_parameters_with_enough_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let spec = iamdrill::store::generate::GenSpec {
        cards: 150,
        reviews: 1500,
        now: now_ms(),
        seed: 3,
    };
    drop(
        iamdrill::store::generate::generate_collection(&dir.path().join("progress.sqlite3"), &spec)
            .unwrap(),
    );
    let report = json(dir.path(), &["optimize", "--json"]);
    assert_eq!(report["outcome"], "fitted", "{report}");
    for key in [
        "log_loss_before",
        "log_loss_after",
        "rmse_before",
        "rmse_after",
    ] {
        let v = report[key].as_f64().unwrap();
        assert!(v.is_finite() && v >= 0.0, "{key} = {v}");
    }
    assert_eq!(report["parameters"].as_array().unwrap().len(), 21);
    let kept = report["kept"].as_bool().unwrap();
    assert_eq!(
        json(dir.path(), &["stats", "--json"])["personal_parameters"],
        kept
    );
}
