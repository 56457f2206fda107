//! Fuzzy search over cards: questions, answers, tags and topics (crate `fuzzy-matcher`, the skim
//! algorithm). Each query word must match somewhere in the card; questions rank above tags and
//! topics, which rank above answers. Matched positions are returned for highlighting.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::deck::markup::to_plain;
use crate::deck::model::Card;

/// Which text of a card matched best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Question,
    Tags,
    Topic,
    Answer,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub card_id: String,
    pub field: Field,
    pub score: i64,
    /// The text to show: the question, or for answer hits the part of the answer that matched.
    pub snippet: String,
    /// Character indices of the snippet to highlight.
    pub positions: Vec<usize>,
}

struct Entry {
    id: String,
    question: String,
    question_lower: String,
    tags: String,
    topic: String,
    /// Plain answer text, one line, cut to a length that keeps searching quick.
    answer: String,
    answer_lower: String,
}

/// An index of cards for fuzzy search.
pub struct Searcher {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
}

/// How much of an answer is searched.
const ANSWER_CHARS: usize = 600;

impl Searcher {
    pub fn new<'a>(cards: impl Iterator<Item = &'a Card>) -> Searcher {
        let entries = cards
            .map(|c| {
                let mut answer = to_plain(&c.answer).replace('\n', " ");
                if let Some(t) = &c.table {
                    answer.push(' ');
                    answer.push_str(&t.headers.join(" "));
                    for r in &t.rows {
                        answer.push(' ');
                        answer.push_str(&r.join(" "));
                    }
                }
                if let Some(s) = &c.scenario {
                    for st in &s.steps {
                        answer.push(' ');
                        answer.push_str(&st.answer);
                    }
                }
                let answer: String = answer.chars().take(ANSWER_CHARS).collect();
                Entry {
                    id: c.id.clone(),
                    question_lower: c.question.to_lowercase(),
                    question: c.question.clone(),
                    tags: c.tags.join(" ").to_lowercase(),
                    topic: c.topic.clone(),
                    answer_lower: answer.to_lowercase(),
                    answer,
                }
            })
            .collect();
        Searcher {
            entries,
            matcher: SkimMatcherV2::default().smart_case(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `query`; an empty query finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = Vec::new();
        for e in &self.entries {
            let mut total = 0i64;
            let mut q_positions: Vec<usize> = Vec::new();
            let mut best_field = Field::Question;
            let mut answer_hit: Option<(i64, usize)> = None;
            let mut all = true;
            for w in &words {
                // Quick rejection: every character of the word must occur in the card.
                let q = self.matcher.fuzzy_indices(&e.question_lower, w);
                let tag = if e.tags.is_empty() {
                    None
                } else {
                    self.matcher.fuzzy_match(&e.tags, w)
                };
                let topic = self.matcher.fuzzy_match(&e.topic, w);
                // Answers count only for whole-word-ish matches: a substring match.
                let ans = e
                    .answer_lower
                    .find(w.as_str())
                    .map(|i| (30 + 2 * w.len() as i64, i));
                let best = [
                    q.as_ref().map(|(s, _)| (*s * 3, Field::Question)),
                    tag.map(|s| (s * 2, Field::Tags)),
                    topic.map(|s| (s * 2, Field::Topic)),
                    ans.map(|(s, _)| (s, Field::Answer)),
                ]
                .into_iter()
                .flatten()
                .max_by_key(|(s, _)| *s);
                match best {
                    Some((s, f)) => {
                        total += s;
                        if f == Field::Question {
                            if let Some((_, pos)) = q {
                                q_positions.extend(pos);
                            }
                        } else if best_field == Field::Question && q_positions.is_empty() {
                            best_field = f;
                        }
                        if f == Field::Answer {
                            answer_hit = ans;
                        }
                    }
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            if !all {
                continue;
            }
            let (field, snippet, positions) = if !q_positions.is_empty()
                || best_field != Field::Answer
            {
                q_positions.sort_unstable();
                q_positions.dedup();
                (
                    if q_positions.is_empty() {
                        best_field
                    } else {
                        Field::Question
                    },
                    e.question.clone(),
                    q_positions,
                )
            } else {
                let (_, at) = answer_hit.unwrap_or((0, 0));
                let (snippet, positions) = answer_snippet(&e.answer, &e.answer_lower, at, &words);
                (Field::Answer, snippet, positions)
            };
            hits.push(Hit {
                card_id: e.id.clone(),
                field,
                score: total,
                snippet,
                positions,
            });
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.card_id.cmp(&b.card_id))
        });
        hits.truncate(limit);
        hits
    }
}

/// About 80 characters of the answer around byte `at`, with the query words' characters marked.
fn answer_snippet(answer: &str, lower: &str, at: usize, words: &[String]) -> (String, Vec<usize>) {
    // Lower-casing can change byte lengths; work in characters of the original.
    let chars: Vec<char> = answer.chars().collect();
    let at_char = lower
        .get(..at)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        .min(chars.len());
    let start = at_char.saturating_sub(20);
    let end = (start + 80).min(chars.len());
    let snippet: String = chars[start..end].iter().collect();
    let snippet_lower = snippet.to_lowercase();
    let mut positions = Vec::new();
    for w in words {
        if let Some(i) = snippet_lower.find(w.as_str()) {
            let first = snippet_lower[..i].chars().count();
            positions.extend(first..first + w.chars().count());
        }
    }
    positions.sort_unstable();
    positions.dedup();
    (snippet, positions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;

    fn searcher() -> (Searcher, deck::Library) {
        let lib = deck::Library::from_decks(deck::builtin_decks());
        (Searcher::new(lib.cards()), lib)
    }

    #[test]
    fn finds_questions_first_with_positions() {
        let (s, lib) = searcher();
        let hits = s.search("envelope", 5);
        assert!(!hits.is_empty());
        let top = &hits[0];
        assert_eq!(top.field, Field::Question);
        assert!(
            lib.card(&top.card_id)
                .unwrap()
                .question
                .to_lowercase()
                .contains("envelope")
        );
        let marked: String = top
            .positions
            .iter()
            .map(|&i| top.snippet.chars().nth(i).unwrap())
            .collect();
        assert_eq!(marked.to_lowercase(), "envelope");
    }

    #[test]
    fn every_word_must_match_and_answers_are_searched() {
        let (s, _) = searcher();
        assert!(s.search("zzqqxx", 10).is_empty());
        assert!(s.search("", 10).is_empty());
        let hits = s.search("AccessDenied", 20);
        assert!(!hits.is_empty());
        let kms_sts = s.search("kms grant", 10);
        assert!(!kms_sts.is_empty());
    }

    #[test]
    fn typos_still_find_the_card() {
        let (s, lib) = searcher();
        let hits = s.search("envlope encrption", 5);
        assert!(hits.iter().any(|h| {
            lib.card(&h.card_id)
                .unwrap()
                .question
                .to_lowercase()
                .contains("envelope")
        }));
    }
}
