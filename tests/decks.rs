//! The built-in decks: coverage of the source, merges, corrections, freshness, and located errors.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use iamdrill::compile::{self, Curation, Document};
use iamdrill::deck::{self, CardKind};

const SOURCE: &str = "assets/sources/000_60ef4366b9cba9df.txt";

fn compile_builtin() -> compile::Output {
    let text = std::fs::read_to_string(SOURCE).unwrap();
    let doc = Document {
        name: "000_60ef4366b9cba9df.txt".into(),
        text,
    };
    let curation = Curation::load(Path::new("assets/curation")).expect("curation loads");
    compile::compile(&[doc], Some(&curation)).expect("source compiles")
}

/// Every source reference in the built-in decks (main texts and variants).
fn sources_in_decks() -> HashMap<String, String> {
    let mut map = HashMap::new();
    for d in deck::builtin_decks() {
        for c in d.cards {
            if let Some(s) = &c.source {
                map.insert(s.clone(), c.id.clone());
            }
            for v in &c.variants {
                map.insert(v.source.clone(), c.id.clone());
            }
        }
    }
    map
}

fn all_source_refs() -> Vec<String> {
    let mut refs = Vec::new();
    for (guide, count) in [(1, 53), (2, 17), (3, 19)] {
        for q in 1..=count {
            refs.push(format!("guide-{guide} Q{q}"));
        }
    }
    refs
}

#[test]
fn all_89_source_items_are_covered() {
    let found = sources_in_decks();
    let missing: Vec<String> = all_source_refs()
        .into_iter()
        .filter(|r| !found.contains_key(r))
        .collect();
    assert!(
        missing.is_empty(),
        "source items missing from the decks: {missing:?}"
    );
    let text = std::fs::read_to_string(SOURCE).unwrap();
    assert_eq!(compile::parse::parse(&text).items.len(), 89);
}

#[test]
fn questions_asked_by_several_guides_are_merged() {
    let out = compile_builtin();
    let lib = deck::Library::from_decks(deck::builtin_decks());
    let card = lib.card("iam-user-vs-role").expect("merged card");
    let variant_sources: BTreeSet<&str> = card.variants.iter().map(|v| v.source.as_str()).collect();
    assert_eq!(card.source.as_deref(), Some("guide-1 Q3"));
    assert!(variant_sources.contains("guide-2 Q1") && variant_sources.contains("guide-3 Q1"));
    // No source item is drilled twice.
    let mut seen = BTreeSet::new();
    for c in lib.cards() {
        for s in c.source.iter().chain(c.variants.iter().map(|v| &v.source)) {
            assert!(seen.insert(s.clone()), "{s} appears in two cards");
        }
    }
    assert!(out.report.merges.len() >= 10, "{:?}", out.report.merges);
    for (id, sources) in &out.report.merges {
        assert!(sources.len() >= 2, "{id}");
    }
}

/// The items the fact-check found wrong, outdated or imprecise.
const ERRATA: &[&str] = &[
    "guide-1 Q2",
    "guide-1 Q7",
    "guide-1 Q8",
    "guide-1 Q9",
    "guide-1 Q12",
    "guide-1 Q17",
    "guide-1 Q18",
    "guide-1 Q27",
    "guide-1 Q30",
    "guide-1 Q33",
    "guide-1 Q34",
    "guide-1 Q40",
    "guide-1 Q49",
    "guide-1 Q51",
    "guide-2 Q1",
    "guide-2 Q2",
    "guide-2 Q4",
    "guide-2 Q5",
    "guide-2 Q7",
    "guide-2 Q8",
    "guide-2 Q9",
    "guide-2 Q10",
    "guide-2 Q11",
    "guide-2 Q12",
    "guide-2 Q13",
    "guide-2 Q14",
    "guide-2 Q15",
    "guide-2 Q16",
    "guide-2 Q17",
    "guide-3 Q1",
    "guide-3 Q3",
    "guide-3 Q4",
    "guide-3 Q6",
    "guide-3 Q9",
    "guide-3 Q12",
    "guide-3 Q16",
];

#[test]
fn every_errata_item_is_corrected_with_a_reference() {
    assert_eq!(ERRATA.len(), 36);
    let out = compile_builtin();
    let corrected: HashMap<&str, &str> = out
        .report
        .corrected
        .iter()
        .flat_map(|(id, errata)| errata.iter().map(move |e| (e.as_str(), id.as_str())))
        .collect();
    let lib = deck::Library::from_decks(deck::builtin_decks());
    let in_decks = sources_in_decks();
    for item in ERRATA {
        let id = corrected
            .get(item)
            .unwrap_or_else(|| panic!("{item} has no correction"));
        assert_eq!(
            in_decks.get(*item).map(String::as_str),
            Some(*id),
            "{item} is corrected on the wrong card"
        );
        let card = lib.card(id).unwrap();
        assert!(
            card.note.as_deref().is_some_and(|n| n.len() > 20),
            "{id} has no note"
        );
        assert!(
            card.references
                .iter()
                .any(|r| r.starts_with("https://docs.aws.amazon.com/")
                    || r.starts_with("https://aws.amazon.com/")
                    || r.starts_with("https://repost.aws/")),
            "{id} has no AWS reference"
        );
    }
}

#[test]
fn key_source_errors_are_fixed_on_the_cards() {
    let lib = deck::Library::from_decks(deck::builtin_decks());
    let text_of = |id: &str| {
        let c = lib.card(id).unwrap_or_else(|| panic!("card {id}"));
        let mut s = format!(
            "{} {} {}",
            c.answer,
            c.note.clone().unwrap_or_default(),
            serde_json::to_string(&c.key_points).unwrap()
        );
        if let Some(sc) = &c.scenario {
            for step in &sc.steps {
                s.push_str(&step.answer);
            }
        }
        s
    };
    // The Lambda case names the right CloudTrail error code.
    let lambda = lib
        .cards()
        .find(|c| c.source.as_deref() == Some("guide-2 Q17"))
        .unwrap();
    assert_eq!(lambda.kind, CardKind::Scenario);
    assert!(text_of(&lambda.id).contains("AccessDenied"));
    // The leaked-key case is a scenario with phases.
    let leaked = lib
        .cards()
        .find(|c| c.source.as_deref() == Some("guide-1 Q51"))
        .unwrap();
    assert_eq!(leaked.kind, CardKind::Scenario);
    let phases: BTreeSet<String> = leaked
        .scenario
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .filter_map(|s| s.phase.clone())
        .collect();
    assert!(phases.len() >= 2, "{phases:?}");
}

/// The incident walkthroughs and troubleshooting cases an interviewer walks through step by step.
const WALKTHROUGHS: &[&str] = &[
    "leaked-access-key",
    "lambda-s3-access-denied",
    "compromised-ec2-instance-credentials",
    "public-s3-bucket-exposure",
    "root-user-compromise",
    "iam-privilege-escalation",
    "logging-and-detection-disabled",
    "kms-ransomware",
];

#[test]
fn walkthroughs_have_phased_steps_each_graded_on_its_own_key_points() {
    let lib = deck::Library::from_decks(deck::builtin_decks());
    for id in WALKTHROUGHS {
        let card = lib.card(id).unwrap_or_else(|| panic!("card {id}"));
        assert_eq!(card.kind, CardKind::Scenario, "{id}");
        assert_eq!(card.topic, "scenarios", "{id}");
        let steps = &card.scenario.as_ref().unwrap().steps;
        assert!(steps.len() >= 6, "{id} has {} steps", steps.len());
        for (i, step) in steps.iter().enumerate() {
            assert!(
                !step.key_points.is_empty(),
                "{id} step {} has no key points",
                i + 1
            );
        }
        let phases: BTreeSet<&str> = steps.iter().filter_map(|s| s.phase.as_deref()).collect();
        assert!(phases.len() >= 3, "{id}: {phases:?}");
        // The ordering drill shuffles the answers: they must be told apart.
        let answers: BTreeSet<&str> = steps.iter().map(|s| s.answer.as_str()).collect();
        assert_eq!(answers.len(), steps.len(), "{id} repeats a step answer");
        assert!(
            card.references
                .iter()
                .filter(|r| r.starts_with("https://docs.aws.amazon.com/"))
                .count()
                >= 3,
            "{id} cites too little AWS documentation"
        );
    }
}

#[test]
fn core_scenarios_cover_the_steps_the_source_leaves_out() {
    let lib = deck::Library::from_decks(deck::builtin_decks());
    let steps_text = |id: &str| -> String {
        let card = lib.card(id).unwrap();
        card.scenario
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| format!("{} {}\n", s.prompt, s.answer))
            .collect()
    };
    let leaked = steps_text("leaked-access-key");
    for needle in [
        "blast radius",
        "Last accessed information",
        "Resource policies",
        "AWS RAM shares",
        "Access Analyzer",
        "StopLogging",
        "data events",
        "Macie",
        "Athena",
        "Detective",
        "filter-repo",
        "forks",
        "aws:PrincipalArn",
        "AWS_RISK_CREDENTIALS_EXPOSED",
        "post-incident review",
    ] {
        assert!(
            leaked.contains(needle),
            "leaked-access-key lacks {needle:?}"
        );
    }
    let lambda = steps_text("lambda-s3-access-denied");
    for needle in [
        "GetCallerIdentity",
        "explicit credentials",
        "KMS.DisabledException",
        "pending deletion",
        "key in another account",
        "access point",
        "times out",
        "NAT gateway",
        "eventually consistent",
        "simulator",
    ] {
        assert!(
            lambda.contains(needle),
            "lambda-s3-access-denied lacks {needle:?}"
        );
    }
    // The simulator is not presented as proof of a fix.
    assert!(lambda.contains("no input for KMS key policies, RCPs or VPC endpoint policies"));
}

#[test]
fn decks_directory_is_what_the_compiler_makes() {
    let out = compile_builtin();
    for (name, yaml) in &out.files {
        let committed =
            std::fs::read_to_string(Path::new("decks").join(name)).unwrap_or_else(|_| {
                panic!("decks/{name} is missing; run the compile command in README.md")
            });
        assert!(
            committed == *yaml,
            "decks/{name} differs from the compiler's output; regenerate it with:\n  cargo run -- compile {SOURCE} --curation assets/curation --out decks"
        );
    }
    let names: BTreeSet<String> = out.files.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir("decks").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            names.contains(&name),
            "decks/{name} is not made by the compiler"
        );
    }
}

#[test]
fn compiling_is_deterministic() {
    assert_eq!(compile_builtin().files, compile_builtin().files);
}

#[test]
fn builtin_decks_cover_every_topic_and_kind() {
    let lib = deck::Library::from_decks(deck::builtin_decks());
    for (topic, _) in deck::TOPICS.iter().filter(|(t, _)| *t != "general") {
        assert!(
            lib.cards().any(|c| c.topic == *topic),
            "no card for topic {topic}"
        );
    }
    for kind in [CardKind::Basic, CardKind::Table, CardKind::Scenario] {
        assert!(
            lib.cards().filter(|c| c.kind == kind).count() >= 5,
            "{kind:?}"
        );
    }
}

fn check_output(path: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["decks", "check", path])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn malformed_decks_are_reported_at_their_location() {
    let cases = [
        ("malformed-yaml.yaml", "7:11: malformed YAML"),
        ("unknown-topic.yaml", "5:12: unknown topic `networking`"),
        ("duplicate-id.yaml", "9:9: duplicate card id `dup-card`"),
        ("bad-json.yaml", "10:26: JSON code block does not parse"),
        ("escape-sequence.yaml", "6:15: an escape character"),
        ("raw-escape.yaml", "7:16: an escape character"),
        ("ragged-table.yaml", "12:11: row 2 has 1 cells"),
        ("alias-bomb.yaml", "4:7: YAML anchors"),
        ("invalid-utf8.yaml", "4:3: invalid UTF-8"),
    ];
    for (file, expected) in cases {
        let path = format!("tests/fixtures/decks/{file}");
        let (code, stdout) = check_output(&path);
        assert_eq!(code, 1, "{file}: {stdout}");
        assert!(
            stdout.contains(&format!("{path}:{expected}")),
            "{file}: expected `{expected}` in\n{stdout}"
        );
    }
    let (code, stdout) = check_output("decks");
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn decks_list_shows_every_topic() {
    let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["decks", "list", "--json"])
        .env("IAMDRILL_DATA_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let topics = v["topics"].as_object().unwrap();
    assert!(topics.len() >= 16, "{topics:?}");
    // The compiled decks plus the generated "Policy drills" deck.
    let decks = v["decks"].as_array().unwrap();
    assert_eq!(decks.len(), iamdrill::deck::BUILTIN.len() + 1);
    assert!(
        decks
            .iter()
            .any(|d| d.to_string().contains("policy-drills")),
        "{decks:?}"
    );
}

#[test]
fn markdown_notes_compile_into_a_valid_deck() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("my-notes.md");
    std::fs::write(&notes, "# KMS\n\nQ: What does GenerateDataKey return?\nA: A plaintext data key and a copy encrypted under the KMS key.\n\n# STS\n\nQ: How long can a chained role session last?\nA:\n- At most one hour\n").unwrap();
    let out_dir = dir.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args([
            "compile",
            notes.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, stdout) = check_output(out_dir.to_str().unwrap());
    assert_eq!(code, 0, "{stdout}");
    let yaml = std::fs::read_to_string(out_dir.join("my-notes.yaml")).unwrap();
    assert!(
        yaml.contains("topic: kms") && yaml.contains("topic: sts"),
        "{yaml}"
    );
}

#[test]
fn hostile_input_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let (code, stdout) = check_output(big.to_str().unwrap());
    assert_eq!(code, 1);
    assert!(
        stdout.contains("big.yaml:1:1: file is 104857600 bytes"),
        "{stdout}"
    );
    let deep = dir.path().join("deep.yaml");
    std::fs::write(
        &deep,
        format!("id: {}x{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    )
    .unwrap();
    let (code, stdout) = check_output(deep.to_str().unwrap());
    assert_eq!(code, 1);
    assert!(stdout.contains("deep.yaml:1:"), "{stdout}");
    assert!(
        stdout.contains("nesting deeper than") || stdout.contains("recursion limit"),
        "{stdout}"
    );
}

#[test]
fn check_warns_about_dangling_references_and_outdated_names() {
    let path = "tests/fixtures/decks/dangling-and-outdated.yaml";
    let (code, stdout) = check_output(path);
    assert_eq!(code, 0, "warnings alone pass: {stdout}");
    assert!(
        stdout.contains(&format!(
            "{path}:8:20: warning: `Azure AD` is an outdated name: AWS now says Microsoft Entra ID"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{path}:9:26: warning: `Q5` points at another question"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("no problems, 2 warnings"), "{stdout}");
    let out = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(["decks", "check", "--strict", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "--strict fails on warnings");
    let (code, stdout) = check_output("decks");
    assert_eq!(code, 0);
    assert!(!stdout.contains("warning"), "{stdout}");
}

fn list_decks(data: &Path, decks: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .arg("--data-dir")
        .arg(data)
        .arg("--config-dir")
        .arg(data.join("config"))
        .arg("--decks")
        .arg(decks)
        .args(["decks", "list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The user decks' titles as `decks list --json` prints them, after checking the run was clean.
fn user_titles(child: std::process::Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["decks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["id"].as_str().unwrap().starts_with("mine-"))
        .map(|d| format!("{}:{}", d["title"].as_str().unwrap(), d["cards"]["total"]))
        .collect()
}

/// The cache entries of user deck files (those of the built-in decks left out: their key,
/// near the start of the entry, names them `built-in:`).
fn cache_entries(data: &Path) -> Vec<std::path::PathBuf> {
    let builtin = |p: &Path| {
        std::fs::read(p)
            .map(|b| b[..b.len().min(200)].windows(9).any(|w| w == b"built-in:"))
            .unwrap_or(false)
    };
    let mut entries: Vec<_> = std::fs::read_dir(data.join("deck-cache"))
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| !builtin(p))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

#[test]
fn the_deck_cache_follows_edits_survives_damage_and_shared_use() {
    let dir = tempfile::tempdir().unwrap();
    let (data, decks) = (dir.path().join("data"), dir.path().join("decks"));
    std::fs::create_dir_all(&decks).unwrap();
    let deck = |id: &str, title: &str, cards: usize| {
        let mut text = format!("id: mine-{id}\ntitle: {title}\ncards:\n");
        for i in 0..cards {
            text.push_str(&format!(
                "  - id: mine-{id}-{i}\n    topic: kms\n    question: Q{i}?\n    answer: A.\n    key_points: [k]\n"
            ));
        }
        text
    };
    let a = decks.join("a.yaml");
    std::fs::write(&a, deck("a", "First", 2)).unwrap();
    std::fs::write(decks.join("b.yaml"), deck("b", "Other", 3)).unwrap();
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["First:2", "Other:3"]
    );
    assert_eq!(cache_entries(&data).len(), 2);
    // Served from the cache, the same.
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["First:2", "Other:3"]
    );

    // An edit of the same size with the old modification time is still seen (content hash).
    let mtime = std::fs::metadata(&a).unwrap().modified().unwrap();
    std::fs::write(&a, deck("a", "Fixed", 2)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["Fixed:2", "Other:3"]
    );
    std::fs::write(&a, deck("a", "Grown", 4)).unwrap();
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["Grown:4", "Other:3"]
    );

    // Damaged entries are ignored, without a word, and rewritten.
    for entry in cache_entries(&data) {
        std::fs::write(&entry, "{\"not\": \"a deck").unwrap();
    }
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["Grown:4", "Other:3"]
    );
    for entry in cache_entries(&data) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(bytes.starts_with(b"iamdrill deck cache"), "{entry:?}");
    }

    // Two processes at once, on an empty cache: both load everything; whole entries remain.
    std::fs::remove_dir_all(data.join("deck-cache")).unwrap();
    let (first, second) = (list_decks(&data, &decks), list_decks(&data, &decks));
    assert_eq!(user_titles(first), ["Grown:4", "Other:3"]);
    assert_eq!(user_titles(second), ["Grown:4", "Other:3"]);
    let entries = cache_entries(&data);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(
        user_titles(list_decks(&data, &decks)),
        ["Grown:4", "Other:3"]
    );

    // A deck file removed: its entry goes when the cache is next written to.
    std::fs::remove_file(decks.join("b.yaml")).unwrap();
    std::fs::write(&a, deck("a", "Again", 1)).unwrap();
    assert_eq!(user_titles(list_decks(&data, &decks)), ["Again:1"]);
    let entries = cache_entries(&data);
    assert_eq!(entries.len(), 1, "{entries:?}");
}
