//! Choosing the questions of a mock interview.
//!
//! Like a senior interview: mostly concept (basic) questions, one scenario and one comparison table
//! when the pool has them and there are at least three questions; weighted toward weak topics (low
//! predicted recall, misses in past mocks) and cards never seen; never the same card twice (a card's
//! variants live inside the card, so one id is one question). The same seed, cards and weights give
//! the same selection.

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::deck::model::{Card, CardKind};

/// What the learner is weak at, per topic id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicWeakness {
    /// Mean predicted recall (0.0–1.0) of the topic's cards from the scheduler; absent = unknown.
    pub recall: HashMap<String, f64>,
    /// Key points missed in past mock interviews.
    pub mock_misses: HashMap<String, u32>,
}

impl TopicWeakness {
    /// Relative weight of a topic: 1.0 for a topic recalled perfectly and never missed, up to 5.0.
    pub fn weight(&self, topic: &str) -> f64 {
        let recall = self
            .recall
            .get(topic)
            .copied()
            .filter(|r| r.is_finite())
            .map(|r| r.clamp(0.0, 1.0))
            .unwrap_or(0.5);
        let misses = self.mock_misses.get(topic).copied().unwrap_or(0).min(4) as f64;
        1.0 + 2.0 * (1.0 - recall) + 0.5 * misses
    }
}

impl TopicWeakness {
    /// Adds the key points missed in a past mock interview to its topics' miss counts.
    pub fn add_mock_report(&mut self, report: &super::report::MockReport) {
        for q in report.questions.iter().filter(|q| q.status.is_scored()) {
            let missed = u32::try_from(q.missed.len()).unwrap_or(u32::MAX);
            if missed > 0 {
                let entry = self.mock_misses.entry(q.topic.clone()).or_default();
                *entry = entry.saturating_add(missed);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOptions {
    /// How many questions to ask.
    pub questions: usize,
    /// Only cards of these topics (all topics when empty).
    pub topics: Vec<String>,
    pub seed: u64,
}

/// Cards never reviewed weigh this much more.
pub const UNSEEN_FACTOR: f64 = 1.5;

/// Whether a card can be asked and graded in a mock interview.
pub fn is_askable(card: &Card) -> bool {
    match card.kind {
        CardKind::Basic => !card.key_points.is_empty(),
        CardKind::Table => card.table.as_ref().is_some_and(|t| !t.rows.is_empty()),
        CardKind::Scenario => card.scenario.as_ref().is_some_and(|s| !s.steps.is_empty()),
    }
}

/// Picks `opts.questions` cards (fewer when the pool is smaller): concept questions first, then the
/// table, then the scenario.
pub fn select<'a, I>(
    cards: I,
    weak: &TopicWeakness,
    seen: &HashSet<String>,
    opts: &SelectOptions,
) -> Vec<&'a Card>
where
    I: IntoIterator<Item = &'a Card>,
{
    let mut ids = HashSet::new();
    let mut pool: Vec<&Card> = cards
        .into_iter()
        .filter(|c| opts.topics.is_empty() || opts.topics.contains(&c.topic))
        .filter(|c| is_askable(c))
        .filter(|c| ids.insert(c.id.as_str()))
        .collect();
    // Independent of the order the decks were loaded in.
    pool.sort_by(|a, b| a.id.cmp(&b.id));

    let mut rng = StdRng::seed_from_u64(opts.seed);
    // Efraimidis–Spirakis weighted sampling without replacement: key = u^(1/w), highest keys win.
    let mut keyed: Vec<(f64, &Card)> = pool
        .into_iter()
        .map(|c| {
            let mut w = weak.weight(&c.topic);
            if !seen.contains(&c.id) {
                w *= UNSEEN_FACTOR;
            }
            let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
            (u.powf(1.0 / w), c)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));

    let by_kind = |kind: CardKind| -> Vec<&'a Card> {
        keyed
            .iter()
            .filter(|(_, c)| c.kind == kind)
            .map(|(_, c)| *c)
            .collect()
    };
    let (basics, tables, scenarios) = (
        by_kind(CardKind::Basic),
        by_kind(CardKind::Table),
        by_kind(CardKind::Scenario),
    );
    let n = opts.questions.min(keyed.len());

    let mut want_table = 0;
    let mut want_scenario = 0;
    if n >= 3 {
        want_table = usize::from(!tables.is_empty());
        want_scenario = usize::from(!scenarios.is_empty());
    } else if n == 2 && !basics.is_empty() {
        // One concept question and one applied one.
        if !scenarios.is_empty() {
            want_scenario = 1;
        } else if !tables.is_empty() {
            want_table = 1;
        }
    }
    let want_basic = (n - want_table - want_scenario).min(basics.len());
    let mut picked_basic: Vec<&Card> = basics[..want_basic].to_vec();
    let mut picked_table: Vec<&Card> = tables[..want_table].to_vec();
    let mut picked_scenario: Vec<&Card> = scenarios[..want_scenario].to_vec();
    // Too few concept questions: fill with the next best of any kind.
    let chosen: HashSet<&str> = picked_basic
        .iter()
        .chain(&picked_table)
        .chain(&picked_scenario)
        .map(|c| c.id.as_str())
        .collect();
    let missing = n - chosen.len();
    for (_, c) in keyed
        .iter()
        .filter(|(_, c)| !chosen.contains(c.id.as_str()))
        .take(missing)
    {
        match c.kind {
            CardKind::Basic => picked_basic.push(c),
            CardKind::Table => picked_table.push(c),
            CardKind::Scenario => picked_scenario.push(c),
        }
    }
    picked_basic
        .into_iter()
        .chain(picked_table)
        .chain(picked_scenario)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::model::{KeyPoint, Scenario, Step, Table};
    use proptest::prelude::*;

    fn card(id: &str, kind: CardKind, topic: &str) -> Card {
        Card {
            id: id.into(),
            kind,
            topic: topic.into(),
            tags: vec![],
            difficulty: Default::default(),
            question: format!("question {id}"),
            answer: String::new(),
            table: (kind == CardKind::Table).then(|| Table {
                headers: vec!["a".into(), "b".into()],
                rows: vec![vec!["x".into(), "y".into()]],
            }),
            scenario: (kind == CardKind::Scenario).then(|| Scenario {
                situation: "s".into(),
                steps: vec![Step {
                    phase: None,
                    prompt: "p".into(),
                    answer: "a".into(),
                    key_points: Vec::new(),
                }],
            }),
            key_points: vec![KeyPoint::new("k")],
            source: None,
            variants: vec![],
            corrections: Vec::new(),
            note: None,
            references: vec![],
        }
    }

    const TOPICS: [&str; 4] = ["sts", "kms", "mfa", "policies"];

    fn deck(basics: usize, tables: usize, scenarios: usize) -> Vec<Card> {
        let mut v = Vec::new();
        for i in 0..basics {
            v.push(card(&format!("b{i}"), CardKind::Basic, TOPICS[i % 4]));
        }
        for i in 0..tables {
            v.push(card(&format!("t{i}"), CardKind::Table, TOPICS[i % 4]));
        }
        for i in 0..scenarios {
            v.push(card(&format!("s{i}"), CardKind::Scenario, TOPICS[i % 4]));
        }
        v
    }

    fn opts(questions: usize, seed: u64) -> SelectOptions {
        SelectOptions {
            questions,
            topics: vec![],
            seed,
        }
    }

    fn count(sel: &[&Card], kind: CardKind) -> usize {
        sel.iter().filter(|c| c.kind == kind).count()
    }

    proptest! {
        #[test]
        fn counts_mix_and_no_duplicates(
            basics in 0usize..15, tables in 0usize..4, scenarios in 0usize..4,
            questions in 0usize..12, seed in any::<u64>(), dup in any::<bool>(),
        ) {
            let mut cards = deck(basics, tables, scenarios);
            if dup {
                // The same card loaded twice (a user deck overriding a built-in one).
                let copy = cards.clone();
                cards.extend(copy);
            }
            let sel = select(&cards, &TopicWeakness::default(), &HashSet::new(), &opts(questions, seed));
            let pool = basics + tables + scenarios;
            prop_assert_eq!(sel.len(), questions.min(pool));
            let ids: HashSet<&str> = sel.iter().map(|c| c.id.as_str()).collect();
            prop_assert_eq!(ids.len(), sel.len());
            if sel.len() >= 3 {
                prop_assert!(count(&sel, CardKind::Scenario) >= usize::from(scenarios > 0));
                prop_assert!(count(&sel, CardKind::Table) >= usize::from(tables > 0));
                // Mostly concept questions: at most one table and one scenario while concepts last.
                prop_assert_eq!(count(&sel, CardKind::Basic), (sel.len() - usize::from(tables > 0) - usize::from(scenarios > 0)).min(basics));
            }
        }

        #[test]
        fn same_seed_same_selection(seed in any::<u64>(), questions in 1usize..10) {
            let cards = deck(12, 3, 3);
            let mut shuffled = cards.clone();
            shuffled.reverse();
            let weak = TopicWeakness::default();
            let a: Vec<&str> = select(&cards, &weak, &HashSet::new(), &opts(questions, seed)).iter().map(|c| c.id.as_str()).collect();
            let b: Vec<&str> = select(&shuffled, &weak, &HashSet::new(), &opts(questions, seed)).iter().map(|c| c.id.as_str()).collect();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn topic_filter_is_respected(seed in any::<u64>()) {
            let cards = deck(12, 3, 3);
            let o = SelectOptions { questions: 8, topics: vec!["kms".into()], seed };
            let sel = select(&cards, &TopicWeakness::default(), &HashSet::new(), &o);
            prop_assert!(!sel.is_empty());
            prop_assert!(sel.iter().all(|c| c.topic == "kms"));
        }
    }

    #[test]
    fn different_seeds_give_different_selections() {
        let cards = deck(30, 3, 3);
        let sets: HashSet<Vec<String>> = (0..10)
            .map(|seed| {
                select(
                    &cards,
                    &TopicWeakness::default(),
                    &HashSet::new(),
                    &opts(5, seed),
                )
                .iter()
                .map(|c| c.id.clone())
                .collect()
            })
            .collect();
        assert!(sets.len() > 5);
    }

    #[test]
    fn weak_topics_and_unseen_cards_come_up_more_often() {
        let cards = deck(40, 0, 0);
        let mut weak = TopicWeakness::default();
        for t in TOPICS {
            weak.recall.insert(t.into(), 0.95);
        }
        weak.recall.insert("kms".into(), 0.2);
        weak.mock_misses.insert("kms".into(), 3);
        let seen: HashSet<String> = cards.iter().map(|c| c.id.clone()).collect();
        let (mut kms, mut total) = (0, 0);
        for seed in 0..200 {
            for c in select(&cards, &weak, &seen, &opts(4, seed)) {
                total += 1;
                kms += usize::from(c.topic == "kms");
            }
        }
        // A quarter of the cards are kms; weighted, clearly more than a quarter are picked.
        assert!(kms * 100 / total > 40, "kms share {kms}/{total}");

        let mut unseen_seen = HashSet::new();
        for c in cards.iter().filter(|c| c.id.ends_with('1')) {
            unseen_seen.insert(c.id.clone());
        }
        let everything_but: HashSet<String> = seen.difference(&unseen_seen).cloned().collect();
        let (mut unseen, mut total) = (0, 0);
        for seed in 0..200 {
            for c in select(
                &cards,
                &TopicWeakness::default(),
                &everything_but,
                &opts(4, seed),
            ) {
                total += 1;
                unseen += usize::from(unseen_seen.contains(&c.id));
            }
        }
        let share = unseen as f64 / total as f64;
        let base = unseen_seen.len() as f64 / cards.len() as f64;
        assert!(
            share > base * 1.2,
            "unseen share {share:.2} vs base {base:.2}"
        );
    }

    #[test]
    fn unaskable_cards_are_left_out() {
        let mut cards = deck(3, 1, 0);
        cards[0].key_points.clear();
        cards[3].table = None;
        let sel = select(
            &cards,
            &TopicWeakness::default(),
            &HashSet::new(),
            &opts(10, 1),
        );
        let mut ids: Vec<&str> = sel.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["b1", "b2"]);
    }

    #[test]
    fn two_questions_are_one_concept_and_one_scenario() {
        let cards = deck(5, 2, 2);
        let sel = select(
            &cards,
            &TopicWeakness::default(),
            &HashSet::new(),
            &opts(2, 9),
        );
        assert_eq!(count(&sel, CardKind::Basic), 1);
        assert_eq!(count(&sel, CardKind::Scenario), 1);
    }

    #[test]
    fn past_mock_misses_add_up_per_topic() {
        use crate::mock::report::{MockReport, QuestionReport, QuestionStatus};
        let q = |topic: &str, status, missed: usize| QuestionReport {
            card_id: "c".into(),
            topic: topic.into(),
            kind: CardKind::Basic,
            question: "?".into(),
            status,
            score: 0.0,
            covered: 0,
            contradicted: 0,
            flips: 0,
            suggested_rating: None,
            total: missed,
            budget_ms: 0,
            used_ms: 0,
            missed: vec!["m".into(); missed],
            hints: vec![],
            rating: None,
            answer: None,
            points: vec![],
        };
        let report = MockReport::new(
            None,
            0,
            true,
            vec![
                q("kms", QuestionStatus::Answered, 2),
                q("kms", QuestionStatus::Skipped, 1),
                q("sts", QuestionStatus::NotReached, 3),
                q("mfa", QuestionStatus::Answered, 0),
            ],
        );
        let mut weak = TopicWeakness::default();
        weak.add_mock_report(&report);
        weak.add_mock_report(&report);
        assert_eq!(weak.mock_misses.get("kms"), Some(&6));
        assert_eq!(weak.mock_misses.get("sts"), None);
        assert_eq!(weak.mock_misses.get("mfa"), None);
        assert!(weak.weight("kms") > weak.weight("sts"));
    }

    #[test]
    fn weight_handles_odd_recall_values() {
        let mut weak = TopicWeakness::default();
        weak.recall.insert("a".into(), f64::NAN);
        weak.recall.insert("b".into(), 7.0);
        assert_eq!(weak.weight("a"), weak.weight("unknown"));
        assert_eq!(weak.weight("b"), 1.0);
    }
}
