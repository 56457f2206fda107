//! The grader on the built-in decks: every key point is earned by its own wording and by each of its
//! accepted alternatives, and arbitrary text never makes it panic or report a span outside the text.

use iamdrill::deck::builtin_decks;
use iamdrill::deck::model::{CardKind, KeyPoint};
use iamdrill::mock::grade::{Answer, grade_card, grade_text};
use proptest::prelude::*;

#[test]
fn every_key_point_is_earned_by_its_own_words_and_alternatives() {
    let decks = builtin_decks();
    assert!(!decks.is_empty());
    let mut failures = Vec::new();
    let mut checked = 0;
    for card in decks.iter().flat_map(|d| &d.cards) {
        for kp in &card.key_points {
            for phrase in std::iter::once(&kp.text).chain(&kp.accept) {
                checked += 1;
                let g = grade_text(&card.question, std::slice::from_ref(kp), phrase);
                if !g[0].covered {
                    failures.push(format!("{}: {:?} by {:?}", card.id, kp.text, phrase));
                }
            }
        }
    }
    println!("{checked} key-point phrases checked");
    assert!(
        failures.is_empty(),
        "not earned by their own words:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_builtin_card_grades_its_own_model_answer_without_error() {
    for card in builtin_decks().iter().flat_map(|d| &d.cards) {
        let answer = match card.kind {
            CardKind::Scenario => Answer::Steps(
                card.scenario
                    .iter()
                    .flat_map(|s| &s.steps)
                    .map(|s| s.answer.clone())
                    .collect(),
            ),
            CardKind::Table => {
                let t = card.table.as_ref().expect("table cards have a table");
                let rows: Vec<String> = t
                    .rows
                    .iter()
                    .map(|r| format!("| {} |", r.join(" | ")))
                    .collect();
                Answer::Text(rows.join("\n"))
            }
            CardKind::Basic => Answer::Text(card.answer.clone()),
        };
        let g = grade_card(card, &answer).unwrap_or_else(|e| panic!("{}: {e}", card.id));
        if card.kind == CardKind::Table {
            assert_eq!(
                g.covered(),
                g.total(),
                "{}: the table itself must earn every cell",
                card.id
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_answers_never_panic_and_spans_stay_inside(answer in "\\PC{0,200}", key in "[a-zA-Z' -]{1,40}") {
        let g = grade_text("What is it?", &[KeyPoint { text: key, accept: vec!["not this".into()] }], &answer);
        for p in &g {
            for s in p.span.iter().chain(&p.words) {
                prop_assert!(s.start <= s.end && s.end <= answer.len());
                prop_assert!(answer.is_char_boundary(s.start) && answer.is_char_boundary(s.end));
            }
        }
    }
}
