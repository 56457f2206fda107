//! `iamdrill compile` on input that is not what it expects (no items at all, questions that never
//! got an answer), and `decks check` on a deck that reuses a built-in card id.

use std::process::Command;

fn compile(src: &std::path::Path, out: &std::path::Path) -> (i32, String) {
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("--config-dir")
        .arg(data.path())
        .arg("compile")
        .arg(src)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn input_without_items_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("garbage.md");
    std::fs::write(&src, "just some notes\n\nabout nothing in particular\n").unwrap();
    let out = dir.path().join("out");
    let (code, err) = compile(&src, &out);
    assert_eq!(code, 1, "{err}");
    assert!(!out.exists(), "an empty deck was written");
    let shown = src.display().to_string();
    assert!(
        err.contains(&format!("{shown}:1: skipped: just some notes")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{shown}:3: skipped: about nothing in particular")),
        "{err}"
    );
    assert!(err.contains("found no question-and-answer items"), "{err}");
}

#[test]
fn a_question_without_an_answer_is_named_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("notes.md");
    std::fs::write(
        &src,
        "# KMS\n\nQ: What is KMS?\nA: A managed key service.\n\nQ: What is a grant?\n\nQ: What is a key policy?\nA: The resource policy of a KMS key.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, err) = compile(&src, &out);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{}:6: a question without an answer, left out: What is a grant?",
            src.display()
        )),
        "{err}"
    );
    let yaml = std::fs::read_to_string(out.join("notes.yaml")).unwrap();
    assert!(!yaml.contains("grant"), "{yaml}");
    assert_eq!(yaml.matches("\n- id: ").count(), 2, "{yaml}");
    assert!(err.contains("2 cards"), "{err}");
}

#[test]
fn decks_check_reports_a_card_id_taken_by_a_built_in_deck() {
    let dir = tempfile::tempdir().unwrap();
    let deck = dir.path().join("mine.yaml");
    std::fs::write(
        &deck,
        "id: mine\ntitle: Mine\ncards:\n  - id: explicit-deny-wins\n    topic: kms\n    question: Q\n    answer: A\n    key_points: [k]\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--config-dir")
        .arg(dir.path())
        .args(["decks", "check"])
        .arg(&deck)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "{}:4:9: duplicate card id `explicit-deny-wins` (first defined at a built-in deck)",
            deck.display()
        )),
        "{out}"
    );
}
