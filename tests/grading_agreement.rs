//! Agreement of the grader with an examiner's judgements (tests/data/grading/agreement, see its
//! README): per card kind, the share of graded units where the grader's verdict (covered, missed,
//! contradicted) is the examiner's, and the share of expected orderings the scores keep (strong >
//! partial > off-topic with strong = paraphrase and terse; every answer > reversed; paraphrase >
//! salad), for each kind and for two halves of the set (alternate cards: a tuning half and a
//! held-out half). A second test checks that the app's path (a mock session) and `iamdrill grade`'s path
//! (an answer file) give identical verdicts on every answer.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use iamdrill::deck::builtin_decks;
use iamdrill::deck::model::{Card, CardKind};
use iamdrill::mock::grade::{Answer, CardGrade, Verdict, expected_points, grade_card};
use iamdrill::mock::session::MockSession;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    card: String,
    kind: CardKind,
    points: Vec<String>,
    answers: Vec<Judged>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Judged {
    id: String,
    category: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    steps: Option<Vec<String>>,
    judgement: Vec<Verdict>,
}

const STRONG: &[&str] = &["paraphrase", "terse"];
/// The two halves of the set, by card position: even cards tune, odd cards are held out.
const HALVES: [&str; 2] = ["tuning", "held-out"];

fn load() -> Vec<Entry> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/grading/agreement");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("agreement data directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("readable data file");
            serde_yaml::from_str::<Vec<Entry>>(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect()
}

fn cards() -> BTreeMap<String, Card> {
    builtin_decks()
        .into_iter()
        .flat_map(|d| d.cards)
        .map(|c| (c.id.clone(), c))
        .collect()
}

/// The answer as a file for `iamdrill grade`: a scenario's steps as `Step N:` lines.
fn file_text(a: &Judged) -> String {
    match (&a.text, &a.steps) {
        (Some(t), _) => t.clone(),
        (None, Some(steps)) => steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("Step {}: {s}\n", i + 1))
            .collect(),
        (None, None) => panic!("{}: neither text nor steps", a.id),
    }
}

/// `iamdrill grade`'s path: the file's text, split into the card's answer shape by the grader.
fn grade_path(card: &Card, a: &Judged) -> CardGrade {
    grade_card(card, &Answer::Text(file_text(a))).unwrap_or_else(|e| panic!("{}: {e}", a.id))
}

/// The app's path: the answer typed into a mock session (one text per step for a scenario).
fn app_path(card: &Card, a: &Judged) -> CardGrade {
    let t0 = Instant::now();
    let mut s = MockSession::new(vec![card.clone()], Duration::from_secs(600), None)
        .unwrap_or_else(|e| panic!("{}: {e}", a.id));
    s.start(t0).unwrap();
    let draft = match (&a.text, &a.steps) {
        (Some(t), _) => Answer::Text(t.clone()),
        (None, Some(steps)) => Answer::Steps(steps.clone()),
        (None, None) => panic!("{}: neither text nor steps", a.id),
    };
    s.set_draft(draft).unwrap();
    s.submit(t0 + Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{}: {e}", a.id))
        .clone()
}

#[derive(Default)]
struct Tally {
    units: usize,
    agree: usize,
    pairs: usize,
    ordered: usize,
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

fn kind_name(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Basic => "basic",
        CardKind::Table => "table",
        CardKind::Scenario => "scenario",
    }
}

/// Agreement figures per card kind, printed; the cards where salad outscored the paraphrase.
fn measure() -> (BTreeMap<&'static str, Tally>, Vec<String>) {
    let entries = load();
    let cards = cards();
    assert!(entries.len() >= 30, "{} cards in the set", entries.len());
    let mut tally: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut confusion: BTreeMap<(Verdict, Verdict), usize> = BTreeMap::new();
    let mut salad_above = Vec::new();
    // Alternate cards form two halves: the grader is tuned on the disagreements of the first
    // (tuning) half only; the second (held-out) half shows whether the tuning generalises.
    let mut halves: [Tally; 2] = Default::default();
    for (n, e) in entries.iter().enumerate() {
        let half = &mut halves[n % 2];
        let (units0, agree0, pairs0, ordered0) = tally
            .get(kind_name(e.kind))
            .map_or((0, 0, 0, 0), |t| (t.units, t.agree, t.pairs, t.ordered));
        let card = cards
            .get(&e.card)
            .unwrap_or_else(|| panic!("{}: no such built-in card", e.card));
        assert_eq!(card.kind, e.kind, "{}: kind", e.card);
        assert_eq!(
            expected_points(card).len(),
            e.points.len(),
            "{}: the card's graded units changed; its answers must be judged again",
            e.card
        );
        let t = tally.entry(kind_name(e.kind)).or_default();
        let mut scores: BTreeMap<&str, f64> = BTreeMap::new();
        for a in &e.answers {
            assert_eq!(a.judgement.len(), e.points.len(), "{}: judgements", a.id);
            let g = grade_path(card, a);
            for (i, (p, human)) in g.points.iter().zip(&a.judgement).enumerate() {
                t.units += 1;
                *confusion.entry((*human, p.verdict())).or_default() += 1;
                if p.verdict() == *human {
                    t.agree += 1;
                } else {
                    println!(
                        "disagree [{}] {} unit {} {:?}: examiner {}, grader {}{}",
                        HALVES[n % 2],
                        a.id,
                        i + 1,
                        e.points[i],
                        human.name(),
                        p.verdict().name(),
                        p.evidence
                            .as_deref()
                            .map(|w| format!(" ({w:?})"))
                            .unwrap_or_default()
                    );
                }
            }
            scores.insert(a.category.as_str(), g.score());
        }
        let score = |c: &str| {
            *scores
                .get(c)
                .unwrap_or_else(|| panic!("{}: no {c} answer", e.card))
        };
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for s in STRONG {
            pairs.push((s, "partial"));
            pairs.push((s, "off-topic"));
        }
        pairs.push(("partial", "off-topic"));
        for c in ["paraphrase", "terse", "partial", "salad", "off-topic"] {
            pairs.push((c, "reversed"));
        }
        pairs.push(("paraphrase", "salad"));
        for (hi, lo) in pairs {
            t.pairs += 1;
            if score(hi) > score(lo) {
                t.ordered += 1;
            } else {
                println!(
                    "order [{}] {}: {hi} {:.2} is not above {lo} {:.2}",
                    HALVES[n % 2],
                    e.card,
                    score(hi),
                    score(lo)
                );
            }
        }
        if score("salad") > score("paraphrase") {
            salad_above.push(e.card.clone());
        }
        half.units += t.units - units0;
        half.agree += t.agree - agree0;
        half.pairs += t.pairs - pairs0;
        half.ordered += t.ordered - ordered0;
    }
    println!("half      units  point agreement  orderings  ordering agreement");
    for (name, h) in HALVES.iter().zip(&halves) {
        println!(
            "{name:<9} {:>5}  {:>5.1}% ({}/{})  {:>9}  {:>5.1}% ({}/{})",
            h.units,
            pct(h.agree, h.units),
            h.agree,
            h.units,
            h.pairs,
            pct(h.ordered, h.pairs),
            h.ordered,
            h.pairs
        );
    }
    let mut total = Tally::default();
    println!("kind      units  point agreement  orderings  ordering agreement");
    for (kind, t) in &tally {
        println!(
            "{kind:<9} {:>5}  {:>5.1}% ({}/{})  {:>9}  {:>5.1}% ({}/{})",
            t.units,
            pct(t.agree, t.units),
            t.agree,
            t.units,
            t.pairs,
            pct(t.ordered, t.pairs),
            t.ordered,
            t.pairs
        );
        total.units += t.units;
        total.agree += t.agree;
        total.pairs += t.pairs;
        total.ordered += t.ordered;
    }
    println!(
        "all       {:>5}  {:>5.1}% ({}/{})  {:>9}  {:>5.1}% ({}/{})",
        total.units,
        pct(total.agree, total.units),
        total.agree,
        total.units,
        total.pairs,
        pct(total.ordered, total.pairs),
        total.ordered,
        total.pairs
    );
    println!("examiner -> grader: {confusion:?}");
    (tally, salad_above)
}

/// The grader's figures when this test was last tightened: a fall below them is a regression.
const POINT_FLOOR: f64 = 82.5;
const ORDER_FLOOR: f64 = 86.0;

#[test]
fn grader_agreement_is_reported_and_does_not_fall() {
    let (tally, salad_above) = measure();
    assert!(
        salad_above.is_empty(),
        "keyword salad scored above the paraphrase on {salad_above:?}"
    );
    for (kind, t) in &tally {
        assert!(
            pct(t.agree, t.units) >= POINT_FLOOR,
            "{kind}: point agreement {:.1}% fell below {POINT_FLOOR}%",
            pct(t.agree, t.units)
        );
        assert!(
            pct(t.ordered, t.pairs) >= ORDER_FLOOR,
            "{kind}: ordering agreement {:.1}% fell below {ORDER_FLOOR}%",
            pct(t.ordered, t.pairs)
        );
    }
}

#[test]
fn the_app_and_grade_give_identical_verdicts_on_every_answer() {
    let cards = cards();
    let mut checked = 0;
    for e in load() {
        let card = &cards[&e.card];
        for a in &e.answers {
            let app = app_path(card, a);
            let file = grade_path(card, a);
            let verdicts = |g: &CardGrade| -> Vec<(Verdict, Option<String>, Option<String>)> {
                g.points
                    .iter()
                    .map(|p| (p.verdict(), p.evidence.clone(), p.matched.clone()))
                    .collect()
            };
            assert_eq!(verdicts(&app), verdicts(&file), "{}", a.id);
            assert_eq!(app.score(), file.score(), "{}", a.id);
            checked += 1;
        }
    }
    assert!(checked >= 150, "{checked} answers checked");
}
