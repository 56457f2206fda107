//! Grading and selection speed: grading runs when a question is submitted or times out, and in the
//! `grade` command. Target: a 300-word answer to a scenario card in at most 1 ms.

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iamdrill::deck::builtin_decks;
use iamdrill::deck::model::CardKind;
use iamdrill::mock::grade::{Answer, grade_card};
use iamdrill::mock::select::{SelectOptions, TopicWeakness, select};

const LONG_ANSWER: &str = "First I'd deactivate the exposed key immediately and treat it as compromised, even \
after the commit is removed. Sessions already issued stay valid, so attach an explicit deny on \
aws:TokenIssueTime or revoke active sessions on the roles it reached. Then review CloudTrail in every \
Region for everything the key did, check GuardDuty findings and billing. Hunt for persistence: new IAM \
users, access keys, login profiles, roles and changed trust policies. Leave the quarantine policy \
attached and follow the support case. Long term, replace long-term keys with roles, use Identity Center \
for people, enable secret scanning and push protection, and add SCP guardrails.";

fn benches(c: &mut Criterion) {
    let decks = builtin_decks();
    let cards: Vec<_> = decks.iter().flat_map(|d| &d.cards).collect();
    let scenario = cards
        .iter()
        .find(|c| c.id == "leaked-access-key")
        .expect("built-in scenario card");
    let answer = Answer::Text(LONG_ANSWER.to_string());
    c.bench_function("grade scenario card, 120-word answer", |b| {
        b.iter(|| grade_card(black_box(scenario), black_box(&answer)))
    });

    // A 300-word walkthrough typed step by step, as the app sends it.
    let steps = scenario.scenario.as_ref().map_or(0, |s| s.steps.len());
    let words: Vec<&str> = LONG_ANSWER.split_whitespace().collect();
    let per_step = 300 / steps.max(1);
    let step_texts: Vec<String> = (0..steps)
        .map(|i| {
            (0..per_step)
                .map(|k| words[(i * per_step + k) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let total: usize = step_texts
        .iter()
        .map(|t| t.split_whitespace().count())
        .sum();
    assert!(total >= 290, "{total} words");
    let answer300 = Answer::Steps(step_texts);
    c.bench_function("grade scenario card, 300-word answer in steps", |b| {
        b.iter(|| grade_card(black_box(scenario), black_box(&answer300)))
    });

    let basics: Vec<_> = cards.iter().filter(|c| c.kind == CardKind::Basic).collect();
    c.bench_function("grade every basic card against the same answer", |b| {
        b.iter(|| {
            for card in &basics {
                let _ = black_box(grade_card(card, &answer));
            }
        })
    });

    let weak = TopicWeakness::default();
    let seen = HashSet::new();
    let opts = SelectOptions {
        questions: 8,
        topics: vec![],
        seed: 7,
    };
    c.bench_function("select 8 of the built-in cards", |b| {
        b.iter(|| {
            select(
                cards.iter().copied(),
                black_box(&weak),
                &seen,
                black_box(&opts),
            )
            .len()
        })
    });
}

criterion_group!(mock, benches);
criterion_main!(mock);
