//! Agreement of the grader with an examiner's judgements on realistic typed answers
//! (tests/data/grading/*.yaml). Every key-point decision counts once.

use std::path::Path;

use iamdrill::deck::model::KeyPoint;
use iamdrill::mock::grade::grade_text;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    question: String,
    key_points: Vec<KeyPoint>,
    answers: Vec<Judged>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Judged {
    kind: String,
    text: String,
    judgement: Vec<bool>,
}

fn load_cases() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/grading");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("grading data directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable data file");
        let parsed: Vec<Case> =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        cases.extend(parsed.into_iter().map(|c| (name.clone(), c)));
    }
    cases
}

#[test]
fn grader_agrees_with_the_examiner_on_at_least_90_percent_of_key_point_decisions() {
    let cases = load_cases();
    let answers: usize = cases.iter().map(|(_, c)| c.answers.len()).sum();
    assert!(
        answers >= 40,
        "the agreement set needs at least 40 answers, has {answers}"
    );
    let kinds = ["good", "partial", "wrong", "typos", "negation"];
    for kind in kinds {
        assert!(
            cases
                .iter()
                .flat_map(|(_, c)| &c.answers)
                .any(|a| a.kind == kind),
            "no `{kind}` answer in the agreement set"
        );
    }

    let (mut agree, mut total) = (0usize, 0usize);
    let (mut false_credit, mut missed_credit) = (0usize, 0usize);
    for (file, case) in &cases {
        for (ai, answer) in case.answers.iter().enumerate() {
            assert!(
                kinds.contains(&answer.kind.as_str()),
                "{file} {}: kind {}",
                case.id,
                answer.kind
            );
            assert_eq!(
                answer.judgement.len(),
                case.key_points.len(),
                "{file} {} answer {ai}: one judgement per key point",
                case.id
            );
            let grades = grade_text(&case.question, &case.key_points, &answer.text);
            for ((kp, grade), human) in case.key_points.iter().zip(&grades).zip(&answer.judgement) {
                total += 1;
                if grade.covered == *human {
                    agree += 1;
                } else {
                    if grade.covered {
                        false_credit += 1;
                    } else {
                        missed_credit += 1;
                    }
                    println!(
                        "disagree {file} {} answer {ai} ({}): key point {:?}: examiner {human}, grader {}",
                        case.id, answer.kind, kp.text, grade.covered
                    );
                }
            }
        }
    }
    let rate = agree as f64 / total as f64;
    println!(
        "grading agreement: {agree}/{total} key-point decisions = {:.1}% over {answers} answers \
         ({false_credit} credited against the examiner, {missed_credit} missed)",
        rate * 100.0
    );
    assert!(rate >= 0.90, "agreement {:.1}% is below 90%", rate * 100.0);
}
