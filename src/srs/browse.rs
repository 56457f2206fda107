//! The card browser's model: every card with how it stands now (state, due date, interval,
//! stability, recall now, lapses, last rating), a filter language and sort orders. Pure: the
//! store supplies the progress and the last ratings, `now` is a parameter.
//!
//! Filter: words separated by spaces, all of which must match (case-insensitive). A plain word
//! matches the card's id, topic, kind or question; `is:STATE` keeps cards in that state (new,
//! learning, review, suspended, buried, leech, due); `topic:SLUG` and `kind:KIND` keep one
//! topic or kind.

use std::collections::HashMap;

use serde::Serialize;

use super::clock::DayClock;
use super::queue::CardProgress;
use super::scheduler::{LEECH_LAPSES, Phase, Rating, Scheduler};
use crate::deck::model::{Card, CardKind};

/// The one state a browser row shows, most telling first: suspended, buried, leech, then the
/// scheduling phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Learning,
    Review,
    Leech,
    Buried,
    Suspended,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Learning,
        Status::Review,
        Status::Suspended,
        Status::Buried,
        Status::Leech,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Learning => "learning",
            Status::Review => "review",
            Status::Suspended => "suspended",
            Status::Buried => "buried",
            Status::Leech => "leech",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text))
    }
}

/// One card as the browser shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub topic: String,
    pub kind: CardKind,
    pub status: Status,
    pub phase: Phase,
    pub suspended: bool,
    /// Buried until this learner's day (exclusive); only while it lies in the future.
    pub buried: bool,
    /// Next due instant (unix ms); `None` while new.
    pub due: Option<i64>,
    /// Due by the end of today (and not hidden).
    pub due_today: bool,
    pub interval_days: u32,
    /// FSRS stability in days; `None` while new.
    pub stability: Option<f32>,
    /// Predicted recall now; `None` while new.
    pub retrievability: Option<f32>,
    pub lapses: u32,
    pub last_rating: Option<Rating>,
    /// The question's first line, for the table and the filter.
    #[serde(skip)]
    pub question: String,
}

impl Row {
    pub fn is_leech(&self) -> bool {
        self.lapses >= LEECH_LAPSES
    }

    /// Whether the row is in `status` (a row can be, say, suspended and a leech at once).
    pub fn has(&self, status: Status) -> bool {
        match status {
            Status::New => self.phase == Phase::New,
            Status::Learning => self.phase.is_learning(),
            Status::Review => self.phase == Phase::Review,
            Status::Suspended => self.suspended,
            Status::Buried => self.buried,
            Status::Leech => self.is_leech(),
        }
    }
}

/// Builds one row per card (in the cards' order).
pub fn rows<'a>(
    cards: impl IntoIterator<Item = &'a Card>,
    progress: &HashMap<String, CardProgress>,
    last_ratings: &HashMap<String, Rating>,
    scheduler: &Scheduler,
    clock: &DayClock,
    now: i64,
) -> Vec<Row> {
    let today = clock.day(now);
    cards
        .into_iter()
        .map(|card| {
            let p = progress.get(&card.id).copied().unwrap_or_default();
            let st = p.state;
            let buried = p.buried_until.is_some_and(|d| d > today);
            let status = if p.suspended {
                Status::Suspended
            } else if buried {
                Status::Buried
            } else if st.lapses >= LEECH_LAPSES {
                Status::Leech
            } else {
                match st.phase {
                    Phase::New => Status::New,
                    Phase::Learning | Phase::Relearning => Status::Learning,
                    Phase::Review => Status::Review,
                }
            };
            let seen = !st.is_new();
            Row {
                id: card.id.clone(),
                topic: card.topic.clone(),
                kind: card.kind,
                status,
                phase: st.phase,
                suspended: p.suspended,
                buried,
                due: seen.then_some(st.due),
                due_today: seen && !p.hidden(today) && clock.day(st.due) <= today,
                interval_days: st.interval_days,
                stability: seen.then_some(st.stability),
                retrievability: seen.then(|| scheduler.retrievability(&st, now)),
                lapses: st.lapses,
                last_rating: last_ratings.get(&card.id).copied(),
                question: card.question.lines().next().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The browser's columns, each of which can order the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    Due,
    Id,
    Topic,
    Kind,
    State,
    Interval,
    Stability,
    Recall,
    Lapses,
    Rating,
}

impl Column {
    /// In the order the table shows them.
    pub const ALL: [Column; 10] = [
        Column::Id,
        Column::Topic,
        Column::Kind,
        Column::State,
        Column::Due,
        Column::Interval,
        Column::Stability,
        Column::Recall,
        Column::Lapses,
        Column::Rating,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Due => "due",
            Column::Id => "id",
            Column::Topic => "topic",
            Column::Kind => "kind",
            Column::State => "state",
            Column::Interval => "interval",
            Column::Stability => "stability",
            Column::Recall => "recall",
            Column::Lapses => "lapses",
            Column::Rating => "rating",
        }
    }
}

/// Orders rows by a column; ties keep the id order. Cards without a value (new cards have no due
/// date) sort after those with one in ascending order.
pub fn sort(rows: &mut [Row], column: Column, descending: bool) {
    use std::cmp::Ordering;
    fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    rows.sort_by(|a, b| {
        let by = match column {
            Column::Due => opt(a.due, b.due),
            Column::Id => Ordering::Equal,
            Column::Topic => a.topic.cmp(&b.topic),
            Column::Kind => (a.kind as u8).cmp(&(b.kind as u8)),
            Column::State => a.status.cmp(&b.status),
            Column::Interval => a.interval_days.cmp(&b.interval_days),
            Column::Stability => opt(a.stability, b.stability),
            Column::Recall => opt(a.retrievability, b.retrievability),
            Column::Lapses => a.lapses.cmp(&b.lapses),
            Column::Rating => opt(a.last_rating, b.last_rating),
        };
        let by = if descending { by.reverse() } else { by };
        by.then_with(|| a.id.cmp(&b.id))
    });
}

/// A parsed filter (see the module documentation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    words: Vec<String>,
    states: Vec<Status>,
    due: bool,
    topics: Vec<String>,
    kinds: Vec<CardKind>,
}

/// The states `is:` understands, for error messages and help.
pub const IS_WORDS: &str = "new, learning, review, suspended, buried, leech, due";

impl Filter {
    /// Parses a filter; the error says which word is wrong and what it may be.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut f = Filter::default();
        for word in text.split_whitespace() {
            let lower = word.to_lowercase();
            if let Some(v) = lower.strip_prefix("is:") {
                if v == "due" {
                    f.due = true;
                } else {
                    let s = Status::parse(v)
                        .ok_or_else(|| format!("`{word}`: is: takes one of {IS_WORDS}"))?;
                    f.states.push(s);
                }
            } else if let Some(v) = lower.strip_prefix("topic:") {
                f.topics.push(v.to_string());
            } else if let Some(v) = lower.strip_prefix("kind:") {
                let k = match v {
                    "basic" => CardKind::Basic,
                    "table" => CardKind::Table,
                    "scenario" => CardKind::Scenario,
                    _ => {
                        return Err(format!(
                            "`{word}`: kind: takes one of basic, table, scenario"
                        ));
                    }
                };
                f.kinds.push(k);
            } else {
                f.words.push(lower);
            }
        }
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether a row passes: every word and every `is:` must match; `topic:` and `kind:` values
    /// are alternatives among themselves.
    pub fn matches(&self, row: &Row) -> bool {
        if !self.states.iter().all(|s| row.has(*s)) || (self.due && !row.due_today) {
            return false;
        }
        if !self.topics.is_empty() && !self.topics.contains(&row.topic) {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&row.kind) {
            return false;
        }
        if self.words.is_empty() {
            return true;
        }
        let kind = kind_name(row.kind);
        let question = row.question.to_lowercase();
        self.words.iter().all(|w| {
            row.id.to_lowercase().contains(w.as_str())
                || row.topic.contains(w.as_str())
                || kind == w
                || question.contains(w.as_str())
        })
    }
}

pub fn kind_name(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Basic => "basic",
        CardKind::Table => "table",
        CardKind::Scenario => "scenario",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::clock::DAY_MS;
    use crate::srs::scheduler::{CardState, SchedulerConfig};

    const NOW: i64 = 1_780_000_000_000;

    fn card(id: &str, topic: &str, question: &str) -> Card {
        Card {
            id: id.into(),
            kind: CardKind::Basic,
            topic: topic.into(),
            tags: vec![],
            difficulty: Default::default(),
            question: question.into(),
            answer: "a".into(),
            table: None,
            scenario: None,
            key_points: vec![],
            source: None,
            variants: vec![],
            corrections: vec![],
            note: None,
            references: vec![],
        }
    }

    fn review(due: i64, lapses: u32) -> CardState {
        CardState {
            phase: Phase::Review,
            stability: 4.0,
            difficulty: 5.0,
            due,
            last_review: Some(due - 4 * DAY_MS),
            step: 0,
            interval_days: 4,
            reps: 3,
            lapses,
        }
    }

    fn sample() -> Vec<Row> {
        let cards = vec![
            card("kms-grants", "kms", "What is a KMS grant?"),
            card("sts-assume", "sts", "How does AssumeRole work?"),
            card("sts-leech", "sts", "Session tags?"),
            card("kms-new", "kms", "What is envelope encryption?"),
        ];
        let mut progress = HashMap::new();
        progress.insert(
            "kms-grants".to_string(),
            CardProgress {
                state: review(NOW - DAY_MS, 0),
                suspended: true,
                buried_until: None,
            },
        );
        progress.insert(
            "sts-assume".to_string(),
            CardProgress {
                state: review(NOW + 3 * DAY_MS, 1),
                ..Default::default()
            },
        );
        progress.insert(
            "sts-leech".to_string(),
            CardProgress {
                state: review(NOW - DAY_MS, 9),
                ..Default::default()
            },
        );
        let mut last = HashMap::new();
        last.insert("sts-assume".to_string(), Rating::Hard);
        let s = Scheduler::new(SchedulerConfig::default()).unwrap();
        rows(&cards, &progress, &last, &s, &DayClock::default(), NOW)
    }

    #[test]
    fn rows_tell_the_state_and_recall() {
        let r = sample();
        assert_eq!(r[0].status, Status::Suspended);
        assert!(!r[0].due_today, "a suspended card is not due");
        assert_eq!(r[1].status, Status::Review);
        assert_eq!(r[1].last_rating, Some(Rating::Hard));
        assert!(r[1].retrievability.unwrap() > 0.0 && r[1].retrievability.unwrap() < 1.0);
        assert_eq!(r[2].status, Status::Leech);
        assert!(r[2].due_today);
        assert_eq!(r[3].status, Status::New);
        assert_eq!((r[3].due, r[3].stability), (None, None));
    }

    #[test]
    fn filters_combine_words_states_and_topics() {
        let r = sample();
        let ids = |q: &str| -> Vec<String> {
            let f = Filter::parse(q).unwrap();
            r.iter()
                .filter(|x| f.matches(x))
                .map(|x| x.id.clone())
                .collect()
        };
        assert_eq!(ids("is:suspended"), ["kms-grants"]);
        assert_eq!(ids("is:review topic:sts"), ["sts-assume", "sts-leech"]);
        assert_eq!(ids("is:leech"), ["sts-leech"]);
        assert_eq!(ids("is:due"), ["sts-leech"]);
        assert_eq!(ids("assumerole"), ["sts-assume"]);
        assert_eq!(ids("kms envelope"), ["kms-new"]);
        assert_eq!(ids("KMS-GRANTS"), ["kms-grants"]);
        assert_eq!(ids("kind:table").len(), 0);
        let e = Filter::parse("is:lost").unwrap_err();
        assert!(e.contains("is:lost") && e.contains("suspended"), "{e}");
        assert!(Filter::parse("kind:essay").is_err());
    }

    #[test]
    fn sorting_puts_missing_values_last_and_reverses() {
        let mut r = sample();
        sort(&mut r, Column::Due, false);
        assert_eq!(r.last().unwrap().id, "kms-new");
        assert_eq!(r[0].due, Some(NOW - DAY_MS));
        sort(&mut r, Column::Lapses, true);
        assert_eq!(r[0].id, "sts-leech");
        sort(&mut r, Column::State, false);
        assert_eq!(r[0].id, "kms-new");
        assert_eq!(r[3].id, "kms-grants");
    }
}
