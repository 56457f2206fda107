//! The end-of-interview report: serialisable so the store can keep it as JSON.

use serde::{Deserialize, Serialize};

use super::grade::{Answer, PointGrade, Verdict};
use crate::deck::model::{CardKind, topic_title};

/// Format version of the stored JSON. Version 2 added verdicts with evidence, contradictions,
/// the learner's flips and the rating suggestion; version 1 reports still read (those fields
/// default to none).
pub const REPORT_VERSION: u32 = 2;

/// A rating at or below this (1 = again, 2 = hard) marks a card for rescheduling.
pub const LOW_RATING: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionStatus {
    /// Submitted by the learner.
    Answered,
    /// The question's time ran out; what was typed was graded.
    TimedOut,
    Skipped,
    /// The interview was quit while this question was open; nothing was graded.
    Abandoned,
    /// The interview was quit before this question.
    NotReached,
}

impl QuestionStatus {
    /// Whether the question counts toward the scores.
    pub fn is_scored(self) -> bool {
        matches!(self, Self::Answered | Self::TimedOut | Self::Skipped)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionReport {
    pub card_id: String,
    pub topic: String,
    pub kind: CardKind,
    pub question: String,
    pub status: QuestionStatus,
    /// -1.0–1.0: covered key points minus contradicted ones, over all key points, hinted ones at
    /// reduced credit, after the learner's flips.
    pub score: f64,
    pub covered: usize,
    /// Key points the answer contradicted (after flips).
    #[serde(default)]
    pub contradicted: usize,
    /// Key points whose verdict the learner flipped; `points` marks which.
    #[serde(default)]
    pub flips: usize,
    /// The rating the verdict suggested.
    #[serde(default)]
    pub suggested_rating: Option<u8>,
    pub total: usize,
    /// Time allotted to the question and time used, in milliseconds.
    pub budget_ms: u64,
    pub used_ms: u64,
    /// Key points not covered after flips (`label: text` for scenario steps and table cells).
    pub missed: Vec<String>,
    /// Key points revealed by hints.
    pub hints: Vec<String>,
    /// The learner's own 1–4 rating, once given.
    pub rating: Option<u8>,
    pub answer: Option<Answer>,
    pub points: Vec<PointGrade>,
}

/// A verdict the learner overruled, kept for review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlippedPoint {
    pub card_id: String,
    pub point: String,
    pub grader: Verdict,
    pub learner: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicScore {
    pub topic: String,
    pub title: String,
    /// Scored questions of the topic.
    pub questions: usize,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MockReport {
    pub version: u32,
    pub seed: Option<u64>,
    /// The interview's total time and the time spent answering, in milliseconds.
    pub planned_ms: u64,
    pub used_ms: u64,
    /// The interview was quit before the end.
    pub partial: bool,
    /// Mean score of the scored questions (skips count as 0).
    pub score: f64,
    pub questions: Vec<QuestionReport>,
    /// Per topic, weakest first.
    pub topics: Vec<TopicScore>,
    pub hints_used: usize,
    /// Verdicts the learner flipped, over all questions.
    #[serde(default)]
    pub flips: usize,
    /// Cards the learner rated 1 or 2: the scheduler brings them back soon.
    pub low_rated: Vec<String>,
}

impl MockReport {
    /// Builds the summary fields from the per-question reports.
    pub fn new(
        seed: Option<u64>,
        planned_ms: u64,
        partial: bool,
        questions: Vec<QuestionReport>,
    ) -> Self {
        let scored: Vec<&QuestionReport> =
            questions.iter().filter(|q| q.status.is_scored()).collect();
        let score = mean(scored.iter().map(|q| q.score));
        let mut topics: Vec<TopicScore> = Vec::new();
        for q in &scored {
            match topics.iter_mut().find(|t| t.topic == q.topic) {
                Some(t) => t.questions += 1,
                None => topics.push(TopicScore {
                    topic: q.topic.clone(),
                    title: topic_title(&q.topic).to_string(),
                    questions: 1,
                    score: 0.0,
                }),
            }
        }
        for t in &mut topics {
            t.score = mean(
                scored
                    .iter()
                    .filter(|q| q.topic == t.topic)
                    .map(|q| q.score),
            );
        }
        let order = crate::deck::model::topic_order;
        topics.sort_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| order(&a.topic).cmp(&order(&b.topic)))
                .then_with(|| a.topic.cmp(&b.topic))
        });
        MockReport {
            version: REPORT_VERSION,
            seed,
            planned_ms,
            used_ms: questions.iter().map(|q| q.used_ms).sum(),
            partial,
            score,
            hints_used: questions.iter().map(|q| q.hints.len()).sum(),
            flips: questions.iter().map(|q| q.flips).sum(),
            low_rated: questions
                .iter()
                .filter(|q| q.rating.is_some_and(|r| r <= LOW_RATING))
                .map(|q| q.card_id.clone())
                .collect(),
            topics,
            questions,
        }
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    pub fn from_json(json: &str) -> serde_json::Result<Self> {
        serde_json::from_str(json)
    }

    /// Every key point whose verdict the learner flipped, with the grader's verdict and theirs.
    pub fn flipped_points(&self) -> Vec<FlippedPoint> {
        self.questions
            .iter()
            .flat_map(|q| {
                q.points
                    .iter()
                    .filter(|p| p.flipped)
                    .map(move |p| FlippedPoint {
                        card_id: q.card_id.clone(),
                        point: match &p.label {
                            Some(l) => format!("{l}: {}", p.text),
                            None => p.text.clone(),
                        },
                        grader: p.verdict(),
                        learner: p.effective(),
                        evidence: p.evidence.clone(),
                    })
            })
            .collect()
    }

    /// Every missed key point, with the card it belongs to.
    pub fn missed_key_points(&self) -> impl Iterator<Item = (&str, &str)> {
        self.questions.iter().flat_map(|q| {
            q.missed
                .iter()
                .map(move |m| (q.card_id.as_str(), m.as_str()))
        })
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(
        id: &str,
        topic: &str,
        status: QuestionStatus,
        score: f64,
        rating: Option<u8>,
    ) -> QuestionReport {
        QuestionReport {
            card_id: id.into(),
            topic: topic.into(),
            kind: CardKind::Basic,
            question: "?".into(),
            status,
            score,
            covered: 0,
            contradicted: 0,
            flips: 0,
            suggested_rating: None,
            total: 2,
            budget_ms: 60_000,
            used_ms: 30_000,
            missed: vec!["a key point".into()],
            hints: vec![],
            rating,
            answer: Some(Answer::Text("x".into())),
            points: vec![],
        }
    }

    #[test]
    fn summary_scores_topics_and_low_ratings() {
        let r = MockReport::new(
            Some(7),
            600_000,
            true,
            vec![
                q("a", "sts", QuestionStatus::Answered, 1.0, Some(4)),
                q("b", "sts", QuestionStatus::Skipped, 0.0, Some(1)),
                q("c", "kms", QuestionStatus::TimedOut, 0.5, Some(2)),
                q("d", "mfa", QuestionStatus::Abandoned, 0.0, None),
                q("e", "mfa", QuestionStatus::NotReached, 0.0, None),
            ],
        );
        assert_eq!(r.score, 0.5);
        assert_eq!(r.used_ms, 150_000);
        let topics: Vec<(&str, usize, f64)> = r
            .topics
            .iter()
            .map(|t| (t.topic.as_str(), t.questions, t.score))
            .collect();
        assert_eq!(topics, [("sts", 2, 0.5), ("kms", 1, 0.5)]);
        assert_eq!(r.topics[0].title, "AWS STS and temporary credentials");
        assert_eq!(r.low_rated, ["b", "c"]);
        assert_eq!(r.missed_key_points().count(), 5);
    }

    #[test]
    fn json_round_trip() {
        let r = MockReport::new(
            None,
            1000,
            false,
            vec![q("a", "sts", QuestionStatus::Answered, 1.0, Some(3))],
        );
        let json = r.to_json().unwrap();
        assert!(json.contains("\"status\":\"answered\""));
        assert_eq!(MockReport::from_json(&json).unwrap(), r);
    }

    #[test]
    fn version_1_reports_still_read() {
        let json = r#"{"version":1,"seed":3,"planned_ms":60000,"used_ms":1000,"partial":false,
            "score":0.5,"questions":[{"card_id":"a","topic":"sts","kind":"basic","question":"?",
            "status":"answered","score":0.5,"covered":1,"total":2,"budget_ms":60000,"used_ms":1000,
            "missed":["x"],"hints":[],"rating":3,"answer":{"Text":"y"},
            "points":[{"text":"y","covered":true,"span":{"start":0,"end":1},"part":0},
                      {"text":"x","covered":false,"span":null}]}],
            "topics":[],"hints_used":0,"low_rated":[]}"#;
        let r = MockReport::from_json(json).unwrap();
        assert_eq!(r.questions[0].flips, 0);
        assert_eq!(r.questions[0].points[1].evidence, None);
        assert!(!r.questions[0].points[0].flipped);
    }

    #[test]
    fn empty_report_scores_zero() {
        let r = MockReport::new(None, 0, true, vec![]);
        assert_eq!(r.score, 0.0);
        assert!(r.topics.is_empty());
    }
}
