//! Timed mock interviews: question selection, clocks, the interview state machine, key-point
//! grading and the end-of-interview report. Pure domain code: no terminal, no SQLite, and every
//! operation that depends on time takes `now: std::time::Instant` from the caller.
//!
//! # API for the mock screens, `iamdrill mock` and the store
//!
//! ```no_run
//! use std::collections::HashSet;
//! use std::time::{Duration, Instant};
//! use iamdrill::mock::grade::Answer;
//! use iamdrill::mock::select::{select, SelectOptions, TopicWeakness};
//! use iamdrill::mock::session::{MockEvent, MockSession, Phase};
//! # fn demo(cards: Vec<iamdrill::deck::model::Card>, past: Vec<iamdrill::mock::report::MockReport>) -> Result<(), Box<dyn std::error::Error>> {
//! // 1. Choose the questions (weak topics and unseen cards weigh more; `seed` reproduces).
//! let mut weak = TopicWeakness::default();
//! weak.recall.insert("kms".into(), 0.62);        // mean predicted recall per topic (store.stats)
//! for r in &past { weak.add_mock_report(r); }     // key points missed in earlier mocks
//! let seen: HashSet<String> = HashSet::new();      // ids of cards reviewed at least once
//! let opts = SelectOptions { questions: 8, topics: vec![], seed: 42 };
//! let picked: Vec<_> = select(&cards, &weak, &seen, &opts).into_iter().cloned().collect();
//!
//! // 2. Run the interview. Nothing sleeps: the app passes `Instant::now()` in.
//! let mut s = MockSession::new(picked, Duration::from_secs(30 * 60), Some(opts.seed))?;
//! s.start(Instant::now())?;
//! // every loop turn: poll for at most `s.next_wakeup(now)`, then
//! if let Some(MockEvent::TimedOut { index }) = s.tick(Instant::now())? { /* show the verdict */ }
//! s.set_draft(Answer::Text("typed so far".into()))?;   // on every edit (Steps / Cells for
//!                                                       // scenario / table cards)
//! let hint = s.hint()?;                                 // `h`: reveals one key point (half credit)
//! s.toggle_pause(Instant::now())?;                      // `p`: stops both clocks / resumes
//! s.toggle_pause(Instant::now())?;
//! let covered = s.submit(Instant::now())?.covered();    // Ctrl-S: per key point covered + spans
//! // in Phase::Reviewing: show `s.last_grade()`, `s.last_score()`, the model answer and note,
//! // then the learner's 1-4 rating; log it with `store.record_mock(&rated.card_id, rating, ..)`.
//! let rated = s.rate(3, Instant::now())?;               // opens the next question or finishes
//! // skip: `s.skip(now)`; quit (after confirmation): `let report = s.quit(now)` (partial).
//! // 3. At the end (`s.phase() == Phase::Finished`):
//! let report = s.report();
//! let json = report.to_json()?;                          // store.save_mock_session(start, end, &json)
//! # let _ = (hint, covered, rated, json); Ok(()) }
//! ```
//!
//! * Clocks: [`session::MockSession::question_remaining`], `question_fraction_left` (the gauge),
//!   `overall_elapsed` / `overall_remaining`, `question_limit`, `is_paused`; [`timer::clock_text`]
//!   formats `m:ss`. Each question's budget is the time left divided by the questions left; time is
//!   only spent while answering (not while paused or reviewing the verdict).
//! * Grading: [`grade::grade_card`] (`Answer::Text`, `Steps` or `Cells`) and [`grade::grade_text`]
//!   return per key point `covered`, `span` (byte range in the answer part `part`), `words` (each
//!   earning word, for highlighting), `matched` (the phrase or accepted alternative) and
//!   `contradicted` (the answer negates it). [`grade::expected_points`] lists what a card is graded
//!   on (key points; scenario key points with their step's prompt; a table's hidden cells, see
//!   [`grade::hidden_cells`]).
//! * Report: [`report::MockReport`] (serde): score per question and per topic (weakest first),
//!   time used per question, missed key points, hints used, `low_rated` cards (rated 1-2) and
//!   `partial` for a quit interview.
//! * `iamdrill grade --card ID --answer-file F [--json]`: [`cli`].

pub mod grade;
pub mod report;
pub mod select;
pub mod session;
pub mod text;
pub mod timer;
