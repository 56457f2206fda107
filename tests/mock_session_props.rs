//! Random sequences of key presses and clock jumps: the interview never panics, never spends more
//! than its total time, never gives a question more than its budget, and its report always
//! round-trips through JSON.

use std::time::{Duration, Instant};

use iamdrill::deck::model::{Card, CardKind, KeyPoint, Scenario, Step, Table};
use iamdrill::mock::grade::{Answer, CellAnswer};
use iamdrill::mock::report::{MockReport, QuestionStatus};
use iamdrill::mock::session::{MockSession, Phase};
use proptest::prelude::*;

fn cards() -> Vec<Card> {
    let base = |id: &str, kind: CardKind| Card {
        id: id.into(),
        kind,
        topic: "sts".into(),
        tags: vec![],
        difficulty: Default::default(),
        question: "q".into(),
        answer: String::new(),
        table: None,
        scenario: None,
        key_points: vec![
            KeyPoint::new("temporary credentials"),
            KeyPoint::new("session token"),
        ],
        source: None,
        variants: vec![],
        corrections: Vec::new(),
        note: None,
        references: vec![],
    };
    let mut table = base("t", CardKind::Table);
    table.table = Some(Table {
        headers: vec!["".into(), "User".into(), "Role".into()],
        rows: vec![vec!["Keys".into(), "Permanent".into(), "Temporary".into()]],
    });
    let mut scenario = base("s", CardKind::Scenario);
    scenario.scenario = Some(Scenario {
        situation: "x".into(),
        steps: vec![
            Step {
                phase: None,
                prompt: "a".into(),
                answer: "deactivate the key".into(),
                key_points: Vec::new(),
            },
            Step {
                phase: None,
                prompt: "b".into(),
                answer: "review CloudTrail".into(),
                key_points: Vec::new(),
            },
        ],
    });
    vec![base("b", CardKind::Basic), table, scenario]
}

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Type(String),
    Cells(usize, usize, String),
    Steps(Vec<String>),
    Submit,
    Skip,
    Hint,
    Pause,
    Tick,
    Rate(u8),
    Quit,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..200).prop_map(Op::Wait),
        "[a-zA-Z ,.']{0,40}".prop_map(Op::Type),
        (0usize..3, 0usize..4, "[a-z ]{0,12}").prop_map(|(r, c, t)| Op::Cells(r, c, t)),
        proptest::collection::vec("[a-z ]{0,20}", 0..4).prop_map(Op::Steps),
        Just(Op::Submit),
        Just(Op::Skip),
        Just(Op::Hint),
        Just(Op::Pause),
        Just(Op::Tick),
        (0u8..6).prop_map(Op::Rate),
        Just(Op::Quit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_interviews_keep_their_invariants(ops in proptest::collection::vec(op(), 0..60), total in 0u64..600) {
        let total = Duration::from_secs(total);
        let t0 = Instant::now();
        let mut now = t0;
        let mut s = MockSession::new(cards(), total, Some(1)).unwrap();
        s.start(now).unwrap();
        let mut quit: Option<MockReport> = None;
        for op in ops {
            // Errors are expected (wrong phase, paused, bad rating); panics are not.
            match op {
                Op::Wait(secs) => now += Duration::from_secs(secs),
                Op::Type(t) => { let _ = s.set_draft(Answer::Text(t)); }
                Op::Cells(row, col, text) => { let _ = s.set_draft(Answer::Cells(vec![CellAnswer { row, col, text }])); }
                Op::Steps(v) => { let _ = s.set_draft(Answer::Steps(v)); }
                Op::Submit => { let _ = s.submit(now); }
                Op::Skip => { let _ = s.skip(now); }
                Op::Hint => { let _ = s.hint(); }
                Op::Pause => { let _ = s.toggle_pause(now); }
                Op::Tick => { let _ = s.tick(now); }
                Op::Rate(r) => { let _ = s.rate(r, now); }
                Op::Quit => { quit = Some(s.quit(now)); }
            }
            prop_assert!(s.overall_elapsed(now) <= total);
            prop_assert!(s.question_remaining(now) <= s.question_limit());
            let f = s.question_fraction_left(now);
            prop_assert!((0.0..=1.0).contains(&f));
            if s.phase() == Phase::Answering && !s.is_paused() && s.question_remaining(now).is_zero() {
                // A due time-out is delivered by the next tick.
                prop_assert!(s.tick(now).unwrap().is_some());
            }
        }
        let report = quit.unwrap_or_else(|| s.report());
        prop_assert!(report.used_ms <= report.planned_ms);
        prop_assert!((0.0..=1.0).contains(&report.score));
        for q in &report.questions {
            prop_assert!(q.used_ms <= q.budget_ms || q.status == QuestionStatus::NotReached);
            prop_assert!((0.0..=1.0).contains(&q.score));
            prop_assert!(q.covered <= q.total);
        }
        prop_assert_eq!(MockReport::from_json(&report.to_json().unwrap()).unwrap(), report);
    }
}
