//! The grader on the built-in decks: every key point is earned by its own wording and by each of its
//! accepted alternatives, and arbitrary text never makes it panic or report a span outside the text.

use iamdrill::deck::builtin_decks;
use std::sync::OnceLock;

use iamdrill::deck::model::{Card, CardKind, KeyPoint};
use iamdrill::mock::grade::{Answer, CellAnswer, grade_card, grade_text, scenario_points};
use iamdrill::mock::text::tokenize;
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
                // Without the question: a phrase that only repeats it earns nothing by design.
                let g = grade_text("", std::slice::from_ref(kp), phrase);
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

/// Whether every content word of `phrase` (by stem) already stands in `context`.
fn only_repeats(phrase: &str, context: &str) -> bool {
    let stems = |t: &str| -> Vec<String> {
        tokenize(t)
            .into_iter()
            .filter(|t| !t.stop && !t.negation)
            .map(|t| t.stem)
            .collect()
    };
    let known = stems(context);
    stems(phrase).iter().all(|s| known.contains(s))
}

#[test]
fn every_step_key_point_is_earned_at_its_own_step() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for card in builtin_decks().iter().flat_map(|d| &d.cards) {
        let Some(scenario) = card.scenario.as_ref().filter(|s| s.has_step_key_points()) else {
            continue;
        };
        let points = scenario_points(card);
        for (kp, step) in &points {
            let context = format!(
                "{} {} {}",
                card.question, scenario.situation, scenario.steps[*step].prompt
            );
            for phrase in std::iter::once(&kp.text).chain(&kp.accept) {
                // A phrase whose words the card already says earns nothing by design.
                if only_repeats(phrase, &context) {
                    continue;
                }
                checked += 1;
                let mut parts = vec![String::new(); scenario.steps.len()];
                parts[*step] = phrase.clone();
                let g = grade_card(card, &Answer::Steps(parts)).unwrap();
                // One graded unit per step.
                let p = &g.points[*step];
                if !p.covered || p.part != *step {
                    failures.push(format!(
                        "{} step {}: {:?} by {:?}",
                        card.id,
                        step + 1,
                        kp.text,
                        phrase
                    ));
                }
            }
            // Repeating what the card already says (question, situation, the step's prompt) must not
            // earn the point: a step key point names what the answer adds.
            let mut parts = vec![String::new(); scenario.steps.len()];
            parts[*step] = format!(
                "{}. {}. {}",
                card.question, scenario.situation, scenario.steps[*step].prompt
            );
            let g = grade_card(card, &Answer::Steps(parts)).unwrap();
            let own = |m: &String| *m == kp.text || kp.accept.contains(m);
            if g.points[*step].covered && g.points[*step].matched.as_ref().is_some_and(own) {
                failures.push(format!(
                    "{} step {}: {:?} is earned by repeating the question",
                    card.id,
                    step + 1,
                    kp.text
                ));
            }
        }
    }
    println!("{checked} step key-point phrases checked");
    for f in &failures {
        println!("miss: {f}");
    }
    assert!(checked > 0, "no scenario carries step key points");
    // Known misses of the grader (a single word whose stem the situation already says, e.g.
    // "Detective" after "detected"; "Principal *"): at most 2% of the phrases, listed above.
    assert!(
        failures.len() * 50 <= checked,
        "{} of {checked} step key-point checks fail:\n{}",
        failures.len(),
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
    fn arbitrary_table_answers_never_panic(answer in "[|a-zA-Zé ,.:-]{0,30}(\n[|a-zA-Z ,:-]{0,30}){0,6}") {
        static CARD: OnceLock<Card> = OnceLock::new();
        let card = CARD.get_or_init(|| {
            builtin_decks().into_iter().flat_map(|d| d.cards).find(|c| c.id == "iam-user-vs-role").unwrap()
        });
        if let Ok(g) = grade_card(card, &Answer::Text(answer.clone())) {
            for p in &g.points {
                for s in p.span.iter().chain(&p.words) {
                    prop_assert!(s.end <= answer.len() && answer.is_char_boundary(s.start) && answer.is_char_boundary(s.end));
                }
            }
        }
    }

    #[test]
    fn any_card_any_answer_shape_never_panics(
        pick in any::<prop::sample::Index>(),
        texts in proptest::collection::vec("\\PC{0,60}", 0..5),
        cells in proptest::collection::vec((0usize..8, 0usize..4, "\\PC{0,20}"), 0..5),
    ) {
        static CARDS: OnceLock<Vec<Card>> = OnceLock::new();
        let cards = CARDS.get_or_init(|| builtin_decks().into_iter().flat_map(|d| d.cards).collect());
        let card = pick.get(cards);
        let cells: Vec<CellAnswer> = cells.into_iter().map(|(row, col, text)| CellAnswer { row, col, text }).collect();
        for answer in [Answer::Text(texts.join("\n\n")), Answer::Steps(texts.clone()), Answer::Cells(cells.clone())] {
            if let Ok(g) = grade_card(card, &answer) {
                prop_assert!(g.covered() <= g.total());
                prop_assert!((-1.0..=1.0).contains(&g.score()));
            }
        }
    }

    #[test]
    fn arbitrary_answers_never_panic_and_spans_stay_inside(answer in "\\PC{0,200}", key in "[a-zA-Z' -]{1,40}") {
        let g = grade_text("What is it?", &[KeyPoint { accept: vec!["not this".into()], ..KeyPoint::new(key) }], &answer);
        for p in &g {
            for s in p.span.iter().chain(&p.words) {
                prop_assert!(s.start <= s.end && s.end <= answer.len());
                prop_assert!(answer.is_char_boundary(s.start) && answer.is_char_boundary(s.end));
            }
        }
    }
}
