//! A two-question mock interview driven by an injected clock: a pause, a time-out, a scenario
//! answered step by step, the ratings and the report; and an interview quit half-way.

use std::time::{Duration, Instant};

use iamdrill::deck::model::{Card, CardKind, KeyPoint, Scenario, Step};
use iamdrill::mock::grade::Answer;
use iamdrill::mock::report::{MockReport, QuestionStatus};
use iamdrill::mock::session::{MockEvent, MockSession, Phase, Rated, SessionError};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn sts_card() -> Card {
    Card {
        id: "sts-assumerole-output".into(),
        kind: CardKind::Basic,
        topic: "sts".into(),
        tags: vec![],
        difficulty: Default::default(),
        question: "What does AWS STS return when you call AssumeRole?".into(),
        answer: "Temporary credentials: an access key ID, a secret access key and a session token, with an expiration.".into(),
        table: None,
        scenario: None,
        key_points: vec![
            KeyPoint::new("access key ID"),
            KeyPoint::new("secret access key"),
            KeyPoint::new("session token"),
            KeyPoint { accept: vec!["expiration".into()], ..KeyPoint::new("credentials expire") },
        ],
        source: None,
        variants: vec![],
        corrections: Vec::new(),
        note: None,
        references: vec![],
    }
}

fn leaked_keys_card() -> Card {
    Card {
        id: "scenario-leaked-keys".into(),
        kind: CardKind::Scenario,
        topic: "scenarios".into(),
        tags: vec![],
        difficulty: Default::default(),
        question: "A developer pushed access keys to a public GitHub repository. What do you do?"
            .into(),
        answer: String::new(),
        table: None,
        scenario: Some(Scenario {
            situation: "The keys belong to an IAM user with administrator access.".into(),
            steps: vec![
                Step {
                    phase: Some("Immediate".into()),
                    prompt: "What do you do first?".into(),
                    answer: "Deactivate the access key".into(),
                    key_points: Vec::new(),
                },
                Step {
                    phase: None,
                    prompt: "How do you find out what happened?".into(),
                    answer: "Review CloudTrail for the key's activity".into(),
                    key_points: Vec::new(),
                },
                Step {
                    phase: Some("Long-term".into()),
                    prompt: "How do you stop it happening again?".into(),
                    answer: "Replace long-term keys with IAM roles".into(),
                    key_points: Vec::new(),
                },
            ],
        }),
        key_points: vec![],
        source: None,
        variants: vec![],
        corrections: Vec::new(),
        note: None,
        references: vec![],
    }
}

#[test]
fn two_question_mock_with_a_pause_and_a_time_out() {
    let t0 = Instant::now();
    let mut s =
        MockSession::new(vec![sts_card(), leaked_keys_card()], secs(240), Some(42)).unwrap();
    assert_eq!(s.phase(), Phase::Ready);
    s.start(t0).unwrap();
    assert_eq!(s.phase(), Phase::Answering);
    assert_eq!(s.question_limit(), secs(120));

    // Question 1: type for 20 s, then pause.
    s.set_draft(Answer::Text(
        "You get an access key ID and a secret access key".into(),
    ))
    .unwrap();
    assert!(s.toggle_pause(t0 + secs(20)).unwrap());
    assert!(s.is_paused());
    // Ten minutes of pause: neither clock moves, nothing times out.
    assert_eq!(s.tick(t0 + secs(620)).unwrap(), None);
    assert_eq!(s.question_remaining(t0 + secs(620)), secs(100));
    assert_eq!(s.overall_elapsed(t0 + secs(620)), secs(20));
    assert_eq!(s.overall_remaining(t0 + secs(620)), secs(220));
    assert!(!s.toggle_pause(t0 + secs(620)).unwrap());

    // 99 more seconds: still time left.
    assert_eq!(s.tick(t0 + secs(719)).unwrap(), None);
    assert_eq!(s.question_remaining(t0 + secs(719)), secs(1));
    // At 100 s after resuming the question's 120 s are up: what was typed is graded.
    let event = s.tick(t0 + secs(720)).unwrap();
    assert_eq!(event, Some(MockEvent::TimedOut { index: 0 }));
    assert_eq!(s.phase(), Phase::Reviewing);
    let grade = s.last_grade().unwrap();
    let covered: Vec<bool> = grade.points.iter().map(|p| p.covered).collect();
    assert_eq!(covered, [true, true, false, false]);
    assert_eq!(s.last_score(), Some(0.5));
    // No typing after the time-out.
    assert_eq!(
        s.set_draft(Answer::Text("session token".into()))
            .unwrap_err(),
        SessionError::NotAnswering
    );
    // Reading the verdict takes no interview time.
    let rated = s.rate(2, t0 + secs(800)).unwrap();
    assert_eq!(
        rated,
        Rated {
            card_id: "sts-assumerole-output".into(),
            rating: 2
        }
    );

    // Question 2 gets the 120 s left, answered step by step with a hint.
    assert_eq!(s.index(), 1);
    assert_eq!(s.question_limit(), secs(120));
    assert_eq!(s.overall_elapsed(t0 + secs(800)), secs(120));
    let hint = s.hint().unwrap();
    assert_eq!(hint.text, "Deactivate the access key");
    assert_eq!(hint.label.as_deref(), Some("What do you do first?"));
    s.set_draft(Answer::Steps(vec![
        "Deactivate it straight away in IAM.".into(),
        "Review CloudTrail to see what the key was used for.".into(),
        "I wouldn't change anything else.".into(),
    ]))
    .unwrap();
    s.submit(t0 + secs(845)).unwrap();
    let grade = s.last_grade().unwrap();
    let covered: Vec<bool> = grade.points.iter().map(|p| p.covered).collect();
    assert_eq!(covered, [true, true, false]);
    // The hinted step earns half: (0.5 + 1 + 0) / 3.
    assert_eq!(s.last_score(), Some(0.5));
    s.rate(3, t0 + secs(900)).unwrap();
    assert_eq!(s.phase(), Phase::Finished);

    let report = s.report();
    assert!(!report.partial);
    assert_eq!(report.seed, Some(42));
    assert_eq!(report.planned_ms, 240_000);
    assert_eq!(report.used_ms, 165_000);
    let q: Vec<(QuestionStatus, u64, u64, Option<u8>)> = report
        .questions
        .iter()
        .map(|q| (q.status, q.budget_ms, q.used_ms, q.rating))
        .collect();
    assert_eq!(
        q,
        [
            (QuestionStatus::TimedOut, 120_000, 120_000, Some(2)),
            (QuestionStatus::Answered, 120_000, 45_000, Some(3)),
        ]
    );
    assert_eq!(
        report.questions[0].missed,
        ["session token", "credentials expire"]
    );
    assert_eq!(
        report.questions[1].missed,
        ["How do you stop it happening again?: Replace long-term keys with IAM roles"]
    );
    assert_eq!(report.questions[1].hints, ["Deactivate the access key"]);
    assert_eq!(report.hints_used, 1);
    assert_eq!(report.score, 0.5);
    assert_eq!(report.low_rated, ["sts-assumerole-output"]);
    let topics: Vec<&str> = report.topics.iter().map(|t| t.topic.as_str()).collect();
    assert_eq!(topics, ["sts", "scenarios"]);

    // Stored as JSON and read back unchanged.
    let json = report.to_json().unwrap();
    assert_eq!(MockReport::from_json(&json).unwrap(), report);
}

#[test]
fn quitting_half_way_gives_a_partial_report() {
    let t0 = Instant::now();
    let mut s = MockSession::new(vec![sts_card(), leaked_keys_card()], secs(600), None).unwrap();
    s.start(t0).unwrap();
    s.set_draft(Answer::Text(
        "You get an access key ID, a secret access key and a session token, and the credentials have an expiration.".into(),
    ))
    .unwrap();
    s.submit(t0 + secs(60)).unwrap();
    assert_eq!(s.last_score(), Some(1.0));
    s.rate(4, t0 + secs(70)).unwrap();
    s.set_draft(Answer::Steps(vec!["Disable the key".into()]))
        .unwrap();
    let report = s.quit(t0 + secs(100));
    assert_eq!(s.phase(), Phase::Finished);
    assert!(report.partial);
    assert_eq!(report.questions[0].status, QuestionStatus::Answered);
    assert_eq!(report.questions[1].status, QuestionStatus::Abandoned);
    assert_eq!(report.questions[1].used_ms, 30_000);
    // What was typed is kept, though not graded.
    assert_eq!(
        report.questions[1].answer,
        Some(Answer::Steps(vec!["Disable the key".into()]))
    );
    assert_eq!(report.questions[1].missed.len(), 3);
    // Only the graded question counts toward the score.
    assert_eq!(report.score, 1.0);
    assert_eq!(report.used_ms, 90_000);
}
