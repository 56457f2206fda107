//! Spaced repetition: FSRS-6 scheduling (crate `fsrs`) with same-day learning steps, queues,
//! review sessions, statistics and the interview plan. Everything here is pure domain code: no
//! SQLite, no terminal, and `now` (unix milliseconds) is always a parameter. Persistence lives in
//! `crate::store`, which applies answers to a [`Session`] and commits them.
//!
//! # API for the review screen, the dashboard and the mock interview
//!
//! ```no_run
//! use iamdrill::srs::{Rating, SessionKind};
//! use iamdrill::store::Store;
//! # fn demo(ctx: &iamdrill::context::Context, cards: &[iamdrill::deck::model::Card]) -> Result<(), iamdrill::store::StoreError> {
//! let mut store = ctx.open_store()?; // the data directory and the configuration of the context
//! let now = ctx.now_ms();
//! let mut session = store.start_session(cards, SessionKind::Review { topics: vec![] }, now)?;
//! while let Some(card_id) = session.current() {
//!     // show the card `card_id`; the buttons show the interval each rating would give:
//!     let buttons = session.previews(store.scheduler(), &store.clock(), now); // [Preview; 4], label "10m", "1d", "3.2mo"
//!     let p = session.progress(); // answered, new / learning / review remaining
//!     // committed durably before the session moves to the next card:
//!     store.answer(&mut session, Rating::Good, 8_000, ctx.now_ms())?;
//!     # break;
//! }
//! store.undo(&mut session, now)?;     // several steps back, exactly (log entry deleted, state restored)
//! store.suspend(&mut session, now)?;  // never shown until `set_suspended(id, false)`
//! store.bury(&mut session, now)?;     // hidden until tomorrow
//! session.refresh(ctx.now_ms());      // with no current card: pick up learning cards now due
//! # Ok(()) }
//! ```
//!
//! * Sessions: [`SessionKind::Review`] `{ topics }` (today's queue: due reviews least recallable
//!   first up to the review limit, new cards up to the new limit, interleaved; learning cards
//!   return within the session) or [`SessionKind::Cram`] `{ topics, reschedule }` (every card of
//!   the topics, least recallable first, mode `cram`; `reschedule: false` leaves scheduling alone).
//!   An empty topic list means all topics.
//! * Mock interview: `store.record_mock(card_id, rating, duration_ms, now)` (mode `mock`, updates
//!   the schedule); `store.save_mock_session(started_at, finished_at, &report_json) -> id` and
//!   `store.mock_sessions() -> Vec<MockSessionRow>`.
//! * Dashboard: `store.topic_counts(cards, now)` (due / new / learning / total per topic),
//!   `store.stats(cards, now)` (streak, reviews per day, 30-day forecast, retention and predicted
//!   recall per topic, state counts, leeches), `store.streak(now)`,
//!   `store.interview_date()` / `set_interview_date(Some(date))`, `store.plan(cards, date, now)`.
//! * Settings: `desired_retention` (0.70-0.97), `new_limit` / `review_limit`, FSRS parameters
//!   (`store.optimize()`).
//!
//! `cards` is anything iterating `&Card` (or [`CardRef`]); progress is keyed by card id.

pub mod browse;
pub mod clock;
pub mod fxhash;
pub mod plan;
pub mod queue;
pub mod scheduler;
pub mod session;
pub mod stats;

pub use clock::{DAY_MS, Date, DayClock, now_ms};
pub use queue::{CardProgress, CardRef, QueueOptions};
pub use scheduler::{
    CardState, Phase, Preview, Rating, Scheduler, SchedulerConfig, format_interval,
};
pub use session::{Session, SessionKind, SessionProgress};
