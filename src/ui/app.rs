//! The app: a screen stack, popups, and the effects screens ask for (store writes, navigation).
//! [`run`] is the terminal loop; everything else is driven by key events in tests.

use std::io;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use color_eyre::Result;
use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyEvent, MouseEvent};
use ratatui::crossterm::execute;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::context::config::ThemeMode;
use crate::context::{Clock, Context};
use crate::deck::{CardIndex, Library};
use crate::search::Searcher;
use crate::srs::queue::CardRef;
use crate::srs::{Session, SessionKind};
use crate::store::Store;
use crate::store::sync::{Background, sync_in_background, sync_note};
use crate::ui::screens::browser::{BrowserScreen, CardOp, cards as n_cards};
use crate::ui::screens::card::CardScreen;
use crate::ui::screens::dashboard::DashboardScreen;
use crate::ui::screens::lab::LabScreen;
use crate::ui::screens::mock::{DueAgain, MockOptions, MockScreen};
use crate::ui::screens::picker::TopicPickerScreen;
use crate::ui::screens::review::{ReviewScreen, SessionOp};
use crate::ui::screens::search::SearchScreen;
use crate::ui::screens::stats::StatsScreen;
use crate::ui::signals::{self, Pending, Signals};
use crate::ui::{Action, Effect, Input, Keymap, Open, Purpose, Scope, Theme};

/// The smallest window the app draws in.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 8;

pub enum Screen {
    Dashboard(Box<DashboardScreen>),
    Picker(Box<TopicPickerScreen>),
    Review {
        screen: Box<ReviewScreen>,
        session: Box<Session>,
    },
    Search(Box<SearchScreen>),
    Card(Box<CardScreen>),
    Stats(Box<StatsScreen>),
    Browser(Box<BrowserScreen>),
    Lab(Box<LabScreen>),
    Mock(Box<MockScreen>),
}

impl Screen {
    fn context(&self) -> Scope {
        match self {
            Screen::Dashboard(s) => s.context(),
            Screen::Picker(s) => s.context(),
            Screen::Review { screen, .. } => screen.context(),
            Screen::Search(_) => Scope::Search,
            Screen::Card(_) => Scope::Card,
            Screen::Stats(_) => Scope::Stats,
            Screen::Browser(s) => s.context(),
            Screen::Lab(s) => s.context(),
            Screen::Mock(s) => s.context(),
        }
    }

    fn title(&self) -> String {
        match self {
            Screen::Dashboard(_) => "iamdrill".into(),
            Screen::Picker(s) => s.title().into(),
            Screen::Review { screen, .. } => screen.title.clone(),
            Screen::Search(_) => "Search".into(),
            Screen::Card(_) => "Card".into(),
            Screen::Stats(_) => "Statistics".into(),
            Screen::Browser(_) => "Cards".into(),
            Screen::Lab(s) => s.title(),
            Screen::Mock(s) => s.title(),
        }
    }

    /// Screens that take typed text get raw keys.
    fn takes_text(&self) -> bool {
        matches!(self, Screen::Search(_))
            || matches!(self, Screen::Browser(b) if b.typing)
            || matches!(self, Screen::Review { screen, .. } if screen.takes_text())
    }

    /// A mock interview still running: quitting asks first.
    fn live_mock(&self) -> bool {
        matches!(self, Screen::Mock(s) if s.is_live())
    }
}

pub enum Popup {
    /// Shown once, on the first start.
    Welcome,
    Help {
        context: Scope,
        scroll: u16,
    },
    Confirm {
        message: String,
    },
    /// The deck files left out at load, and why.
    Problems {
        scroll: u16,
    },
}

pub struct App {
    pub lib: Arc<Library>,
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
    pub stack: Vec<Screen>,
    pub popup: Option<Popup>,
    pub quit: bool,
    pub now: i64,
    /// A problem to show in the status line (store errors never crash the app).
    pub status: Option<String>,
    /// Runs the editor on a policy's JSON and returns the edited text (replaceable in tests).
    pub editor: Editor,
    /// The terminal was handed to another program: redraw everything.
    pub redraw: bool,
    /// Length and size of an interview started from the dashboard (`mock` in the configuration).
    pub mock_defaults: MockOptions,
    /// The learner asked to suspend to the shell (Ctrl-Z); the loop does it and clears this.
    pub background: bool,
    /// Opens a web address in the user's browser (replaceable in tests).
    pub opener: Opener,
    /// Whether the app captures the mouse (`M` toggles; off lets the terminal select text).
    pub mouse: bool,
    /// Where backups go and how many of a kind are kept: forgetting cards takes one first.
    pub backups: Option<(std::path::PathBuf, usize)>,
    /// How far the open popup can scroll in the window it was last drawn in.
    popup_max_scroll: std::cell::Cell<u16>,
    /// The last sync, on the dashboard's title line ("synced 10:42 · 12 answers from laptop").
    pub sync_note: Option<String>,
    /// The deck library still to load when the app starts on its dashboard: the first frame
    /// counts from the card index, and the library is loaded right after it is drawn.
    loading: Option<Loading>,
    /// The search index of a library, built on the first search and kept while the library is
    /// the same one.
    searcher: Option<(Arc<Library>, Rc<Searcher>)>,
}

/// The library to load after the first frame, and the card index to count from until then.
pub struct Loading {
    /// The same cards, decks and problems the library will have.
    pub index: Arc<CardIndex>,
    pub load: Box<dyn FnOnce() -> Arc<Library>>,
}

/// Opens a web address: the address in, why not out.
pub type Opener = Box<dyn FnMut(&str) -> std::result::Result<(), String>>;

/// Edits text in an external editor: the text in, the edited text (or why not) out.
pub type Editor = Box<dyn FnMut(&str) -> std::result::Result<String, String>>;

impl App {
    /// The app on its dashboard.
    pub fn new(
        lib: impl Into<Arc<Library>>,
        store: Store,
        theme: Theme,
        keymap: Keymap,
        now: i64,
    ) -> App {
        App::on_dashboard(lib.into(), None, store, theme, keymap, now)
    }

    /// The app on its dashboard, drawn from the card index before the deck library is loaded
    /// (see [`App::finish_loading`]).
    pub fn loading(loading: Loading, store: Store, theme: Theme, keymap: Keymap, now: i64) -> App {
        // No decks until the library is loaded; its problems are known already.
        let lib = Library::without_decks(loading.index.problems.clone());
        App::on_dashboard(Arc::new(lib), Some(loading), store, theme, keymap, now)
    }

    fn on_dashboard(
        lib: Arc<Library>,
        loading: Option<Loading>,
        store: Store,
        theme: Theme,
        keymap: Keymap,
        now: i64,
    ) -> App {
        let mut app = App {
            lib,
            store,
            theme,
            keymap,
            stack: Vec::new(),
            popup: None,
            quit: false,
            now,
            status: None,
            editor: Box::new(terminal_editor),
            redraw: false,
            mock_defaults: MockOptions::default(),
            background: false,
            opener: Box::new(platform_open),
            mouse: true,
            backups: None,
            popup_max_scroll: std::cell::Cell::new(u16::MAX),
            sync_note: None,
            loading,
            searcher: None,
        };
        if !app.lib.problems.is_empty() {
            // Printed before the screen opened too (still there after quitting); shown here so
            // it can be read.
            app.popup = Some(Popup::Problems { scroll: 0 });
        }
        app.push(Open::Dashboard);
        app
    }

    /// The app opened straight on a flow (`iamdrill review`, `iamdrill cram`).
    pub fn with(
        lib: impl Into<Arc<Library>>,
        store: Store,
        theme: Theme,
        keymap: Keymap,
        now: i64,
        open: Open,
    ) -> App {
        let mut app = App::new(lib, store, theme, keymap, now);
        app.push(open);
        app
    }

    /// Opens a screen with nothing under it (`iamdrill mock`): closing it returns to the shell.
    /// When it cannot open, the dashboard stays and the status says why.
    pub fn open_alone(&mut self, open: Open) {
        let before = self.stack.len();
        self.push(open);
        if self.stack.len() > before {
            self.stack.drain(..self.stack.len() - 1);
        }
    }

    pub fn top(&self) -> Option<&Screen> {
        self.stack.last()
    }

    /// Loads the deck library if the app started without it (the loop calls this once the
    /// first frame is drawn, before it reads a key).
    pub fn finish_loading(&mut self) {
        if let Some(loading) = self.loading.take() {
            self.lib = (loading.load)();
        }
    }

    fn dashboard(&mut self) -> Result<DashboardScreen, crate::store::StoreError> {
        let (stats, plan) = match &self.loading {
            Some(loading) => {
                let cards = || {
                    loading
                        .index
                        .cards()
                        .map(|(id, topic)| CardRef { id, topic })
                };
                let stats = self.store.stats(cards(), self.now)?;
                let plan = match stats.interview_date {
                    Some(date) => Some(self.store.plan(cards(), date, self.now)?),
                    None => None,
                };
                (stats, plan)
            }
            None => {
                let stats = self.store.stats(self.lib.cards(), self.now)?;
                let plan = match stats.interview_date {
                    Some(date) => Some(self.store.plan(self.lib.cards(), date, self.now)?),
                    None => None,
                };
                (stats, plan)
            }
        };
        let done = self.store.done_today(self.now)?;
        let new_today = self
            .store
            .new_limit_today(self.now)?
            .saturating_sub(done.new);
        let mut screen = DashboardScreen::new(stats, plan, self.theme.clone(), true);
        screen.new_today = new_today;
        Ok(screen)
    }

    fn build(&mut self, open: Open) -> Result<Screen, String> {
        let err = |e: crate::store::StoreError| e.to_string();
        Ok(match open {
            Open::Dashboard => Screen::Dashboard(Box::new(self.dashboard().map_err(err)?)),
            Open::TopicPicker(purpose) => {
                let counts = self
                    .store
                    .topic_counts(self.lib.cards(), self.now)
                    .map_err(err)?;
                let mut picker = TopicPickerScreen::new(purpose, counts, self.theme.clone());
                if purpose == Purpose::Mock {
                    picker.mock = Some((self.mock_defaults.minutes, self.mock_defaults.questions));
                }
                Screen::Picker(Box::new(picker))
            }
            Open::Review { topics } => self.review_screen(
                SessionKind::Review {
                    topics: topics.clone(),
                },
                title_for("Review", &topics),
                None,
            )?,
            Open::Cram { topics, reschedule } => {
                let title = title_for(
                    if reschedule {
                        "Cram"
                    } else {
                        "Cram (not rescheduled)"
                    },
                    &topics,
                );
                self.review_screen(SessionKind::Cram { topics, reschedule }, title, None)?
            }
            Open::ReviewCard(id) => self.review_screen(
                SessionKind::Cram {
                    topics: Vec::new(),
                    reschedule: true,
                },
                "Review now".into(),
                Some(Only::Card(id)),
            )?,
            Open::LearnMore { topics, n } => {
                self.store.add_new_today(n, self.now).map_err(err)?;
                self.review_screen(
                    SessionKind::Review {
                        topics: topics.clone(),
                    },
                    title_for("Review", &topics),
                    None,
                )?
            }
            Open::StudyAhead { topics, days } => {
                let title = title_for(
                    &format!(
                        "Study ahead {}",
                        crate::ui::text::count(days, "day", "days")
                    ),
                    &topics,
                );
                self.review_screen(
                    SessionKind::Cram {
                        topics,
                        reschedule: true,
                    },
                    title,
                    Some(Only::DueAhead(days)),
                )?
            }
            Open::Search => {
                let searcher = match &self.searcher {
                    Some((lib, searcher)) if Arc::ptr_eq(lib, &self.lib) => searcher.clone(),
                    _ => {
                        let searcher = Rc::new(Searcher::new(self.lib.cards()));
                        self.searcher = Some((self.lib.clone(), searcher.clone()));
                        searcher
                    }
                };
                Screen::Search(Box::new(SearchScreen::with_searcher(
                    searcher,
                    self.theme.clone(),
                )))
            }
            Open::Card(id) => match self.lib.card(&id) {
                Some(card) => Screen::Card(Box::new(CardScreen::new(card, self.theme.clone()))),
                None => return Err(format!("no card `{id}`")),
            },
            Open::Stats => {
                let stats = self.store.stats(self.lib.cards(), self.now).map_err(err)?;
                let mut screen = StatsScreen::new(stats, self.theme.clone());
                screen.mock_scores = mock_scores(&self.store);
                Screen::Stats(Box::new(screen))
            }
            Open::Browser { filter } => {
                let rows = self
                    .store
                    .browse_rows(self.lib.cards(), self.now)
                    .map_err(err)?;
                Screen::Browser(Box::new(BrowserScreen::new(
                    &self.lib,
                    rows,
                    &filter,
                    self.store.clock(),
                    self.now,
                    self.theme.clone(),
                )))
            }
            Open::Lab => {
                let puzzles = crate::policy::lab::builtin_puzzles().map_err(|e| e.to_string())?;
                Screen::Lab(Box::new(LabScreen::new(
                    puzzles,
                    Vec::new(),
                    self.theme.clone(),
                )))
            }
            Open::LabCase(path) => {
                let puzzles = crate::policy::lab::builtin_puzzles().map_err(|e| e.to_string())?;
                let cases = crate::policy::case::load_cases(&path).map_err(|e| e.to_string())?;
                let file = path.display().to_string();
                let n = cases.len();
                let cases = cases
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let title = match (&c.name, n) {
                            (Some(name), _) => name.clone(),
                            (None, 1) => file.clone(),
                            (None, _) => format!("{file} #{}", i + 1),
                        };
                        (title, c)
                    })
                    .collect();
                Screen::Lab(Box::new(LabScreen::with_case(
                    puzzles,
                    cases,
                    self.theme.clone(),
                )))
            }
            Open::Mock { topics } => self.mock_screen(&MockOptions {
                topics,
                ..self.mock_defaults.clone()
            })?,
            Open::MockWith(opts) => self.mock_screen(&opts)?,
        })
    }

    fn mock_screen(&mut self, opts: &MockOptions) -> Result<Screen, String> {
        let session =
            crate::ui::screens::mock::start_session(&self.lib, &self.store, opts, self.now)?;
        Ok(Screen::Mock(Box::new(MockScreen::new(
            session,
            self.theme.clone(),
            self.now,
        ))))
    }

    /// Opens a mock interview with `iamdrill mock`'s options.
    pub fn open_mock(&mut self, opts: &MockOptions) {
        match self.mock_screen(opts) {
            Ok(screen) => self.stack.push(screen),
            Err(e) => self.status = Some(e),
        }
    }

    /// Logs the mock ratings (mode mock) and stores a finished or abandoned interview's report.
    fn mock_sync(&mut self) {
        let now = self.now;
        let Some(Screen::Mock(screen)) = self.stack.last_mut() else {
            return;
        };
        for p in std::mem::take(&mut screen.pending) {
            let Some(rating) = crate::srs::Rating::from_number(i64::from(p.rating)) else {
                continue;
            };
            let ms = u32::try_from(p.duration_ms).unwrap_or(u32::MAX);
            match self.store.record_mock(&p.card_id, rating, ms, now) {
                Ok(answered) => {
                    if p.rating <= crate::mock::report::LOW_RATING {
                        screen.due_again.push(DueAgain {
                            card_id: p.card_id,
                            due: answered.after.due,
                        });
                    }
                }
                Err(e) => self.status = Some(format!("could not save the rating: {e}")),
            }
        }
        let json = match screen.report_to_save().map(|r| r.to_json()) {
            None => return,
            Some(Ok(json)) => json,
            Some(Err(e)) => {
                self.status = Some(format!("could not save the report: {e}"));
                return;
            }
        };
        match self.store.save_mock_session(screen.started_at, now, &json) {
            Ok(_) => screen.saved = true,
            Err(e) => self.status = Some(format!("could not save the report: {e}")),
        }
    }

    fn review_screen(
        &mut self,
        kind: SessionKind,
        title: String,
        only: Option<Only>,
    ) -> Result<Screen, String> {
        let topics = kind.topics().to_vec();
        let session = match &only {
            Some(Only::Card(id)) => {
                let card = self.lib.card(id).ok_or_else(|| format!("no card `{id}`"))?;
                self.store
                    .start_session(std::iter::once(card), kind, self.now)
            }
            Some(Only::DueAhead(days)) => {
                let selected = self
                    .lib
                    .cards()
                    .filter(|c| crate::srs::queue::topic_selected(&topics, &c.topic));
                let cards = self
                    .store
                    .due_ahead(selected, self.now, *days)
                    .map_err(|e| e.to_string())?;
                self.store.start_session(cards, kind, self.now)
            }
            None => self.store.start_session(self.lib.cards(), kind, self.now),
        }
        .map_err(|e| e.to_string())?;
        let mut screen = Box::new(ReviewScreen::new(title, self.theme.clone(), self.now));
        screen.topics = topics;
        sync_review(&self.lib, &self.store, &mut screen, &session, self.now);
        Ok(Screen::Review {
            screen,
            session: Box::new(session),
        })
    }

    fn push(&mut self, open: Open) {
        match self.build(open) {
            Ok(screen) => self.stack.push(screen),
            Err(e) => self.status = Some(e),
        }
    }

    /// Closes the top screen; refreshes the dashboard when it is uncovered.
    fn pop(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.quit = true;
            return;
        }
        self.refresh_browser();
        if let Some(Screen::Dashboard(d)) = self.stack.last() {
            let selected = d.selected;
            match self.dashboard() {
                Ok(mut fresh) => {
                    fresh.selected = selected;
                    if let Some(last) = self.stack.last_mut() {
                        *last = Screen::Dashboard(Box::new(fresh));
                    }
                }
                Err(e) => self.status = Some(e.to_string()),
            }
        }
    }

    /// Reads the browser's rows again when it is on top (after an action, or coming back from
    /// a card that may have been reviewed).
    fn refresh_browser(&mut self) {
        if let Some(Screen::Browser(b)) = self.stack.last_mut() {
            match self.store.browse_rows(self.lib.cards(), self.now) {
                Ok(rows) => b.reload(rows, self.now),
                Err(e) => self.status = Some(e.to_string()),
            }
        }
    }

    /// Applies a browser action to each card and says what changed.
    fn card_op(&mut self, op: CardOp, ids: &[String]) {
        let now = self.now;
        if op == CardOp::Forget
            && let Some((dir, keep)) = &self.backups
            && let Err(e) = self.store.backup_into(dir, "before-forget", now, *keep)
        {
            self.status = Some(format!(
                "nothing was reset: the backup taken first failed: {e}"
            ));
            return;
        }
        let mut changed = Vec::new();
        for id in ids {
            let result = match op {
                CardOp::Suspend => self.store.set_suspended(id, true, now),
                CardOp::Unsuspend => self.store.set_suspended(id, false, now),
                CardOp::Unbury => self.store.unbury(id, now),
                CardOp::Forget => self.store.forget(id, now),
                CardOp::RescheduleToday => self.store.reschedule_today(id, now),
            };
            match result {
                Ok(true) => changed.push(id.as_str()),
                Ok(false) => {}
                Err(e) => {
                    self.status = Some(format!("could not change {id}: {e}"));
                    break;
                }
            }
        }
        let message = match changed.as_slice() {
            [] if ids.len() == 1 => format!("Nothing changed: {} is {}.", ids[0], op.nothing()),
            [] => format!(
                "Nothing changed: the {} are {}.",
                n_cards(ids.len()),
                op.nothing()
            ),
            [one] => format!("{} {one}.", op.done()),
            many => format!("{} {} of {}.", op.done(), n_cards(many.len()), ids.len()),
        };
        self.refresh_browser();
        if let Some(Screen::Browser(b)) = self.stack.last_mut() {
            b.message = Some(message);
        }
    }

    /// Handles one key press.
    pub fn on_key(&mut self, ev: KeyEvent, now: i64) {
        // Clocks move with every key, not only on idle ticks (answer durations use them).
        self.tick(now);
        self.status = None;
        // Suspending works everywhere, popups included; nothing on screen changes.
        if self.keymap.action(Scope::Global, &ev) == Some(Action::Background) {
            self.background = true;
            return;
        }
        if let Some(popup) = &mut self.popup {
            match popup {
                // Any key closes the welcome; Ctrl-C still quits.
                Popup::Welcome => {
                    if self.keymap.action(Scope::Help, &ev) == Some(Action::Quit) {
                        self.quit = true;
                    }
                    self.popup = None;
                }
                Popup::Help { scroll, .. } | Popup::Problems { scroll } => {
                    // Clamped to what the last drawing could show (it depends on the window).
                    let max = self.popup_max_scroll.get();
                    match self.keymap.action(Scope::Help, &ev) {
                        Some(Action::Back) => self.popup = None,
                        Some(Action::Quit) => self.quit = true,
                        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                        Some(Action::Down) => *scroll = scroll.saturating_add(1).min(max),
                        Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                        Some(Action::PageDown) => *scroll = scroll.saturating_add(10).min(max),
                        Some(Action::Top) => *scroll = 0,
                        Some(Action::Bottom) => *scroll = max,
                        _ => {}
                    }
                }
                Popup::Confirm { .. } => match self.keymap.action(Scope::Confirm, &ev) {
                    Some(action @ (Action::Yes | Action::Quit))
                        if self.stack.last().is_some_and(Screen::live_mock) =>
                    {
                        self.popup = None;
                        // Ctrl-C at the question always leaves the app.
                        let mut quit = action == Action::Quit;
                        if let Some(Screen::Mock(s)) = self.stack.last_mut() {
                            s.now = now;
                            s.abandon();
                            quit |= s.quit_app;
                        }
                        self.mock_sync();
                        self.quit = quit;
                    }
                    Some(Action::Yes) | Some(Action::Quit) => self.quit = true,
                    Some(Action::No) => self.popup = None,
                    _ => {}
                },
            }
            return;
        }
        let Some(top) = self.stack.last() else {
            self.quit = true;
            return;
        };
        let context = top.context();
        let input = if let Screen::Mock(s) = top
            && s.takes_text()
        {
            // Letters, Enter and arrows edit the answer; commands are Ctrl keys.
            use ratatui::crossterm::event::KeyModifiers;
            match self.keymap.action(context, &ev) {
                Some(a) if ev.modifiers.contains(KeyModifiers::CONTROL) => Input::Action(a),
                _ => Input::Key(ev),
            }
        } else if top.takes_text() {
            match self.keymap.action(context, &ev) {
                Some(a) => Input::Action(a),
                None => Input::Key(ev),
            }
        } else {
            match self.keymap.action(context, &ev) {
                Some(a) => Input::Action(a),
                None => return,
            }
        };
        let live_mock = top.live_mock();
        match input {
            Input::Action(Action::Mouse) => {
                self.mouse = !self.mouse;
                self.status = Some(if self.mouse {
                    "Mouse on: click and scroll in the app (M turns it off).".into()
                } else {
                    "Mouse off: select and copy text and links with the mouse (M turns it on)."
                        .into()
                });
            }
            Input::Action(Action::Quit) if !live_mock => self.quit = true,
            Input::Action(Action::Help) => self.popup = Some(Popup::Help { context, scroll: 0 }),
            Input::Action(Action::Problems) => {
                if self.lib.problems.is_empty() {
                    self.status = Some("Every deck file loaded without problems.".into());
                } else {
                    self.popup = Some(Popup::Problems { scroll: 0 });
                }
            }
            Input::Action(Action::Search)
                if !matches!(
                    self.stack.last(),
                    Some(Screen::Search(_) | Screen::Browser(_))
                ) =>
            {
                self.push(Open::Search)
            }
            input => {
                // The lab handles Back itself (verdict → choices → list → out).
                let back = input == Input::Action(Action::Back)
                    && !matches!(self.stack.last(), Some(Screen::Lab(_)));
                let effect = match self.dispatch(input) {
                    // Back is every screen's default.
                    Effect::None if back => Effect::Back,
                    effect => effect,
                };
                self.perform(effect);
            }
        }
        self.mock_sync();
    }

    /// Pasted text goes to a screen that takes text.
    pub fn on_paste(&mut self, text: String, now: i64) {
        self.now = now;
        if self.popup.is_some() {
            return;
        }
        let effect = self.dispatch(Input::Paste(text));
        self.perform(effect);
        self.mock_sync();
    }

    /// The app is being ended from outside (a signal, a lost terminal): what is in flight is
    /// saved, so a running interview is stored as a partial report, and the app quits. Answers
    /// and ratings are stored as they are given, so nothing else waits to be saved.
    pub fn save_in_flight(&mut self, now: i64) {
        self.tick(now);
        if let Some(i) = self.stack.iter().rposition(Screen::live_mock) {
            self.stack.truncate(i + 1);
            self.popup = None;
            if let Some(Screen::Mock(s)) = self.stack.last_mut() {
                s.now = now;
                s.abandon();
            }
            self.mock_sync();
        }
        self.quit = true;
    }

    /// How long the event loop may wait: until the next second of a running interview clock.
    pub fn next_wakeup(&self, now: i64) -> Duration {
        let idle = Duration::from_millis(250);
        match self.stack.last() {
            Some(Screen::Mock(s)) => s.next_wakeup(now).map_or(idle, |d| d.min(idle)),
            _ => idle,
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent, now: i64) {
        self.now = now;
        if self.popup.is_some() {
            return;
        }
        let effect = self.dispatch(Input::Mouse(m));
        self.perform(effect);
    }

    /// Time passed: clocks move, learning cards come back.
    pub fn tick(&mut self, now: i64) {
        self.now = now;
        if let Some(Screen::Review { screen, session }) = self.stack.last_mut() {
            screen.now = now;
            if screen.card.is_none() && session.next_learning_due().is_some_and(|due| due <= now) {
                session.refresh(now);
                sync_review(&self.lib, &self.store, screen, session, now);
            }
        }
        if let Some(Screen::Mock(s)) = self.stack.last_mut() {
            s.tick(now);
            self.mock_sync();
        }
    }

    fn dispatch(&mut self, input: Input) -> Effect {
        let lib = &self.lib;
        match self.stack.last_mut() {
            Some(Screen::Dashboard(s)) => s.handle(input),
            Some(Screen::Picker(s)) => s.handle(input),
            Some(Screen::Review { screen, .. }) => screen.handle(input),
            Some(Screen::Search(s)) => s.handle(input, lib),
            Some(Screen::Card(s)) => s.handle(input),
            Some(Screen::Stats(s)) => s.handle(input),
            Some(Screen::Browser(s)) => s.handle(input),
            Some(Screen::Lab(s)) => s.handle(input),
            Some(Screen::Mock(s)) => {
                s.now = self.now;
                s.handle(input)
            }
            None => Effect::Quit,
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Back => self.pop(),
            Effect::Quit => self.quit = true,
            Effect::Help => {
                let context = self
                    .stack
                    .last()
                    .map(Screen::context)
                    .unwrap_or(Scope::Global);
                self.popup = Some(Popup::Help { context, scroll: 0 });
            }
            Effect::Confirm(message) => self.popup = Some(Popup::Confirm { message }),
            Effect::Open(open) => self.push(open),
            Effect::Replace(open) => match self.build(open) {
                Ok(screen) => {
                    self.stack.pop();
                    self.stack.push(screen);
                }
                Err(e) => self.status = Some(e),
            },
            Effect::Session(op) => self.session_op(op),
            Effect::Cards { op, ids } => self.card_op(op, &ids),
            Effect::OpenUrl(url) => match (self.opener)(&url) {
                Ok(()) => self.status = Some(format!("Opened {url}")),
                Err(e) => self.status = Some(format!("could not open {url}: {e}")),
            },
            Effect::EditPolicy(text) => {
                let result = (self.editor)(&text);
                self.redraw = true;
                if let Some(Screen::Lab(s)) = self.stack.last_mut() {
                    s.edited(result);
                }
            }
        }
    }

    fn session_op(&mut self, op: SessionOp) {
        let now = self.now;
        let Some(Screen::Review { screen, session }) = self.stack.last_mut() else {
            return;
        };
        let result = match op {
            SessionOp::Answer {
                rating,
                duration_ms,
            } => self
                .store
                .answer(
                    session,
                    rating,
                    u32::try_from(duration_ms).unwrap_or(u32::MAX),
                    now,
                )
                .map(|answered| {
                    if let Some(a) = answered
                        && a.became_leech
                    {
                        screen.leeches.push(a.card_id);
                    }
                    None
                }),
            SessionOp::Undo => self.store.undo(session, now).map(|id| {
                id.map(|id| {
                    screen.leeches.retain(|l| *l != id);
                    format!("Undone: {id}")
                })
            }),
            SessionOp::Suspend => self
                .store
                .suspend(session, now)
                .map(|id| id.map(|id| format!("Suspended {id} (u undoes)"))),
            SessionOp::Bury => self
                .store
                .bury(session, now)
                .map(|id| id.map(|id| format!("Buried {id} until tomorrow (u undoes)"))),
        };
        match result {
            Ok(message) => {
                sync_review(&self.lib, &self.store, screen, session, now);
                screen.message = message;
            }
            Err(e) => {
                // Nothing was acknowledged: the card stays on screen and the error is shown.
                self.status = Some(format!("could not save: {e}"));
            }
        }
    }

    /// Draws the whole app.
    pub fn draw(&self, frame: &mut Frame) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg = format!(
                "Window too small: {}x{}, need {MIN_WIDTH}x{MIN_HEIGHT}.",
                area.width, area.height
            );
            frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
            return;
        }
        let Some(top) = self.stack.last() else { return };
        let [body, footer] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        match top {
            Screen::Dashboard(s) => {
                let [title, rest] =
                    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
                let mut spans = vec![Span::styled(
                    "iamdrill · AWS IAM & security drills",
                    self.theme.title,
                )];
                if let Some(note) = problems_note(self.lib.problems.len()) {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(note, self.theme.warn));
                }
                if let Some(note) = &self.sync_note {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(note.as_str(), self.theme.dim));
                }
                frame.render_widget(Line::from(spans), title);
                frame.render_widget(s.as_ref(), rest);
            }
            Screen::Picker(s) => {
                let [title, rest] =
                    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
                frame.render_widget(
                    Line::from(Span::styled(top.title(), self.theme.title)),
                    title,
                );
                frame.render_widget(s.as_ref(), rest);
            }
            Screen::Review { screen, .. } => frame.render_widget(screen.as_ref(), body),
            Screen::Search(s) => frame.render_widget(s.as_ref(), body),
            Screen::Card(s) => frame.render_widget(s.as_ref(), body),
            Screen::Stats(s) => frame.render_widget(s.as_ref(), body),
            Screen::Browser(s) => frame.render_widget(s.as_ref(), body),
            Screen::Lab(s) => frame.render_widget(s.as_ref(), body),
            Screen::Mock(s) => frame.render_widget(s.as_ref(), body),
        }
        frame.render_widget(self.footer_line(top.context()), footer);
        match &self.popup {
            Some(Popup::Help { context, scroll }) => self.draw_help(frame, area, *context, *scroll),
            Some(Popup::Confirm { message }) => self.draw_confirm(frame, area, message),
            Some(Popup::Welcome) => self.draw_welcome(frame, area),
            Some(Popup::Problems { scroll }) => self.draw_problems(frame, area, *scroll),
            None => {}
        }
    }

    fn footer_line(&self, context: Scope) -> Line<'static> {
        let t = &self.theme;
        if let Some(s) = &self.status {
            return Line::from(Span::styled(crate::ui::text::sanitize(s), t.bad));
        }
        let mut spans = Vec::new();
        for (i, (key, help)) in self.keymap.footer(context).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" · ", t.dim));
            }
            spans.push(Span::styled(key, t.key));
            spans.push(Span::styled(format!(" {help}"), t.dim));
        }
        Line::from(spans)
    }

    fn draw_help(&self, frame: &mut Frame, area: Rect, context: Scope, scroll: u16) {
        let t = &self.theme;
        let rows = self.keymap.help(context);
        let key_w = rows
            .iter()
            .map(|(k, _)| crate::ui::text::width(k))
            .max()
            .unwrap_or(4)
            .min(16);
        let lines: Vec<Line> = rows
            .iter()
            .map(|(k, h)| {
                Line::from(vec![
                    Span::styled(format!("{k:>key_w$}  "), t.key),
                    Span::styled(*h, t.text),
                ])
            })
            .collect();
        let popup = centered(area, 64, lines.len() as u16 + 2);
        let max_scroll = lines
            .len()
            .saturating_sub(usize::from(popup.height.saturating_sub(2)));
        let max_scroll = u16::try_from(max_scroll).unwrap_or(u16::MAX);
        self.popup_max_scroll.set(max_scroll);
        let scroll = scroll.min(max_scroll);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).scroll((scroll, 0)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.title)
                    .title(" Keys (? or q closes) "),
            ),
            popup,
        );
    }

    fn draw_welcome(&self, frame: &mut Frame, area: Rect) {
        let t = &self.theme;
        let key = |k: &str| Span::styled(k.to_string(), t.key);
        let lines = vec![
            Line::from(Span::styled("Welcome to iamdrill", t.title)),
            Line::default(),
            Line::from(vec![
                key("r"),
                Span::raw(" reviews today's cards: "),
                key("Space"),
                Span::raw(" shows the answer, "),
                key("1-4"),
                Span::raw(" rate it."),
            ]),
            Line::from(vec![
                key("c"),
                Span::raw(" crams topics, "),
                key("m"),
                Span::raw(" runs a mock interview, "),
                key("/"),
                Span::raw(" searches."),
            ]),
            Line::from(vec![
                key("?"),
                Span::raw(" lists the keys of any screen; "),
                key("q"),
                Span::raw(" goes back; "),
                key("Ctrl-C"),
                Span::raw(" quits."),
            ]),
            Line::default(),
            Line::from("Interview coming? iamdrill plan --interview-date YYYY-MM-DD"),
            Line::from("Every answer is saved at once; `iamdrill paths` shows where."),
            Line::default(),
            Line::from(Span::styled("Press any key to start.", t.dim)),
        ];
        let popup = centered(area, 66, lines.len() as u16 + 2);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(Block::default().borders(Borders::ALL).border_style(t.title)),
            popup,
        );
    }

    /// The deck files left out, one problem a paragraph, wrapped to the window and scrolled.
    fn draw_problems(&self, frame: &mut Frame, area: Rect, scroll: u16) {
        use crate::ui::text::{sanitize, wrap};
        let t = &self.theme;
        let problems = &self.lib.problems;
        let inner_w = usize::from(area.width.min(100).saturating_sub(2)).max(1);
        let mut lines: Vec<Line> = Vec::new();
        let intro = "These deck files were left out; the other decks loaded. Fix them and \
                     restart (`iamdrill decks check FILE` checks a file without starting the app).";
        for l in wrap(intro, inner_w) {
            lines.push(Line::from(Span::styled(l, t.text)));
        }
        for p in problems {
            lines.push(Line::default());
            let location = sanitize(&format!("{}:{}:{}", p.file, p.line, p.column));
            for l in wrap(&location, inner_w) {
                lines.push(Line::from(Span::styled(l, t.key)));
            }
            for l in wrap(&sanitize(&p.message), inner_w.saturating_sub(2).max(1)) {
                lines.push(Line::from(vec![Span::raw("  "), Span::styled(l, t.text)]));
            }
        }
        // As tall as the text, up to the window less a line above and below.
        let height = u16::try_from(lines.len() + 2)
            .unwrap_or(u16::MAX)
            .min(area.height.saturating_sub(2).max(3));
        let popup = centered(area, 100, height);
        let inner_h = usize::from(popup.height.saturating_sub(2));
        // The last line can be scrolled to but not past.
        let max_scroll = u16::try_from(lines.len().saturating_sub(inner_h)).unwrap_or(u16::MAX);
        self.popup_max_scroll.set(max_scroll);
        let title = format!(
            " {} (↑/↓ scroll · q closes) ",
            crate::ui::text::count(problems.len() as u64, "deck problem", "deck problems")
        );
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .scroll((scroll.min(max_scroll), 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(t.warn)
                        .title(title),
                ),
            popup,
        );
    }

    fn draw_confirm(&self, frame: &mut Frame, area: Rect, message: &str) {
        let t = &self.theme;
        let popup = centered(area, 50, 5);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(message.to_string()),
                Line::from(Span::styled("y yes · n no", t.key)),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).border_style(t.warn)),
            popup,
        );
    }
}

/// A review session over some cards only.
enum Only {
    /// One card ("review this card now").
    Card(String),
    /// The answered cards due in the next days (study ahead).
    DueAhead(u32),
}

/// Moves the review screen to the session's current card.
fn sync_review(
    lib: &Library,
    store: &Store,
    screen: &mut ReviewScreen,
    session: &Session,
    now: i64,
) {
    let card = session.current().and_then(|id| lib.card(id)).cloned();
    let previews = session.previews(store.scheduler(), &store.clock(), now);
    screen.can_undo = session.can_undo();
    screen.next_learning = session.next_learning_due();
    screen.show(card, previews, session.progress(), now);
    if screen.card.is_none() {
        use crate::ui::screens::summary::{AHEAD_DAYS, Summary};
        let topics = screen.topics.clone();
        let selected = lib
            .cards()
            .filter(|c| crate::srs::queue::topic_selected(&topics, &c.topic));
        // Without the outlook (a store error) the summary still says what was done.
        let outlook = store.outlook(selected, now, AHEAD_DAYS).unwrap_or_default();
        screen.summary = Some(Summary {
            answered: session.progress().answered,
            ratings: session.ratings(),
            elapsed_ms: screen.ended_at.unwrap_or(now) - screen.session_started,
            leeches: screen.leeches.clone(),
            outlook,
            learning_back: session.next_learning_due(),
            clock: store.clock(),
        });
    }
}

/// Scores of past mock interviews for the stats screen, labelled with their date.
fn mock_scores(store: &Store) -> Vec<(String, f64)> {
    store
        .mock_sessions()
        .unwrap_or_default()
        .iter()
        .filter_map(|row| {
            let report = crate::mock::report::MockReport::from_json(&row.report_json).ok()?;
            let day = row.started_at.div_euclid(86_400_000);
            let date = crate::srs::clock::Date::from_day_number(day);
            Some((format!("{date} #{}", row.id), report.score))
        })
        .collect()
}

fn title_for(what: &str, topics: &[String]) -> String {
    if topics.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {}", topics.join(", "))
    }
}

/// The dashboard's title-line note when deck files were left out.
fn problems_note(n: usize) -> Option<String> {
    (n > 0).then(|| {
        format!(
            "⚠ {}: ! shows",
            crate::ui::text::count(n as u64, "deck problem", "deck problems")
        )
    })
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Runs the app in the terminal until the user quits or a signal ends it. The terminal is
/// restored on exit, on panic and on SIGTERM, SIGHUP, SIGINT and SIGQUIT; what is in flight (a
/// running interview) is saved first. Ctrl-Z or SIGTSTP suspend to the shell; `fg` resumes with a
/// full redraw. Returns the number of the signal that ended the app, if one did.
pub fn run(app: &mut App, clock: &Clock) -> Result<Option<i32>> {
    let signals = Signals::register()?;
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(
        io::stdout(),
        event::EnableMouseCapture,
        event::EnableBracketedPaste
    );
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        signals::release_terminal();
        previous(info);
    }));
    let ending = signals.ending_check();
    crate::store::on_lock_wait(Some(Box::new(move |waited| {
        lock_wait_notice(waited, &ending)
    })));
    let result = event_loop(&mut terminal, app, clock, &signals);
    // Whatever ended the loop (a signal, a lost terminal), a running interview is kept.
    app.status = None;
    app.save_in_flight(clock.now_ms());
    crate::store::on_lock_wait(None);
    signals::release_terminal();
    ratatui::restore();
    // Only a problem met while saving just now: the screen that would show it is gone.
    if let Some(status) = app.status.take() {
        eprintln!("iamdrill: {}", crate::ui::text::sanitize(&status));
    }
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    clock: &Clock,
    signals: &Signals,
) -> Result<Option<i32>> {
    // Whether the terminal reports the mouse now.
    let mut mouse = true;
    // Whether a frame was drawn (the first one is timed in the log).
    let mut drawn = false;
    loop {
        match signals.take() {
            Pending::End(signal) => return Ok(Some(signal)),
            Pending::Stop => app.background = true,
            Pending::Resumed => {
                // Stopped by SIGSTOP: the shell may have reset the terminal meanwhile.
                signals::claim_terminal()?;
                mouse = true;
                app.redraw = true;
            }
            Pending::None => {}
        }
        if std::mem::take(&mut app.background) {
            signals::suspend()?;
            signals.clear_resumed();
            mouse = true;
            app.redraw = true;
            app.tick(clock.now_ms());
        }
        if app.quit {
            return Ok(None);
        }
        if app.mouse != mouse {
            mouse = app.mouse;
            let _ = if mouse {
                execute!(io::stdout(), event::EnableMouseCapture)
            } else {
                execute!(io::stdout(), event::DisableMouseCapture)
            };
        }
        // A lock-wait notice was drawn over the screen: paint everything again.
        if std::mem::take(&mut app.redraw) | LOCK_NOTICE_DRAWN.swap(false, Ordering::Relaxed) {
            redraw_all(terminal)?;
        }
        terminal.draw(|f| app.draw(f))?;
        if !drawn {
            drawn = true;
            log::info!(
                "first frame drawn {:.1} ms after start",
                crate::context::logging::since_start().as_secs_f64() * 1000.0
            );
            if app.loading.is_some() {
                // Keys typed meanwhile wait in the terminal and act on the loaded library.
                app.finish_loading();
                log::info!(
                    "decks loaded {:.1} ms after start",
                    crate::context::logging::since_start().as_secs_f64() * 1000.0
                );
            }
        }
        let ready = match event::poll(app.next_wakeup(clock.now_ms())) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            ready => ready?,
        };
        if ready {
            let now = clock.now_ms();
            match event::read() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(Event::Key(key)) if key.is_press() => app.on_key(key, now),
                Ok(Event::Mouse(m)) => app.on_mouse(m, now),
                Ok(Event::Paste(text)) => app.on_paste(text, now),
                Ok(_) => {}
                Err(e) => return Err(e.into()),
            }
        } else {
            app.tick(clock.now_ms());
        }
    }
}

/// Set when a lock-wait notice was drawn over the app's screen.
static LOCK_NOTICE_DRAWN: AtomicBool = AtomicBool::new(false);

/// The text of the lock-wait notice, cut to the window's width.
pub fn lock_wait_text(waited: Duration, width: u16) -> String {
    let text = format!(
        "Waiting {} s for another iamdrill process to finish writing… Esc gives up (the answer \
         is then not saved and stays on screen).",
        waited.as_secs()
    );
    crate::ui::text::truncate(&text, usize::from(width))
}

/// Shown while a write waits for another process's lock (the app cannot draw meanwhile): a
/// notice on the bottom line with the time waited. Esc or Ctrl-C gives up, and so does a
/// signal that ends the app; other keys typed during the wait are dropped, so none of them
/// acts on a screen the learner cannot see.
fn lock_wait_notice(waited: Duration, ending: &dyn Fn() -> bool) -> bool {
    use ratatui::crossterm::cursor::{MoveTo, RestorePosition, SavePosition};
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::crossterm::style::{Attribute, Print, SetAttribute};
    use ratatui::crossterm::terminal::{Clear as ClearLine, ClearType};
    if ending() {
        return false;
    }
    let (width, height) = ratatui::crossterm::terminal::size().unwrap_or((80, 24));
    let _ = execute!(
        io::stdout(),
        SavePosition,
        MoveTo(0, height.saturating_sub(1)),
        ClearLine(ClearType::CurrentLine),
        SetAttribute(Attribute::Reverse),
        Print(lock_wait_text(waited, width)),
        SetAttribute(Attribute::Reset),
        RestorePosition
    );
    LOCK_NOTICE_DRAWN.store(true, Ordering::Relaxed);
    while event::poll(Duration::ZERO).unwrap_or(false) {
        if let Ok(Event::Key(k)) = event::read()
            && k.is_press()
            && (k.code == KeyCode::Esc
                || (k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)))
        {
            return false;
        }
    }
    true
}

/// Clears the screen and forgets what was drawn, so the next draw paints every cell. Unlike
/// `Terminal::clear` this does not ask the terminal where its cursor is (a terminal that never
/// answers would stall the app for seconds).
fn redraw_all(terminal: &mut ratatui::DefaultTerminal) -> io::Result<()> {
    use ratatui::crossterm::terminal::{Clear as ClearScreen, ClearType};
    execute!(io::stdout(), ClearScreen(ClearType::All))?;
    // A blank frame becomes the previous frame: the next draw differs from it in every cell
    // that shows something.
    terminal.draw(|f| f.render_widget(Clear, f.area()))?;
    Ok(())
}

/// Whether text is a web address safe to hand to an opener: `https://` or `http://`, no spaces,
/// quotes or control characters (the opener must never see something it could run).
pub fn safe_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() < 2048
        && url.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '`' | '<' | '>' | '\\' | '^' | '|')
        })
}

/// Opens a web address with the platform's opener (`open` on macOS, `xdg-open` elsewhere,
/// `explorer` on Windows), without waiting for the browser.
fn platform_open(url: &str) -> std::result::Result<(), String> {
    if !safe_url(url) {
        return Err("not a plain web address".into());
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    // Reap the opener when it exits, without holding up the app.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`, split at spaces (`code -w`).
fn editor_command() -> Vec<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| vec!["vi".to_string()])
}

/// Runs `command` on a temporary file holding `text` and returns the file's text afterwards.
/// The file is removed in every case.
pub fn edit_with(command: &[String], text: &str) -> std::result::Result<String, String> {
    use std::io::Write;
    let (program, args) = command
        .split_first()
        .ok_or_else(|| "no editor command (set EDITOR)".to_string())?;
    let dir = std::env::temp_dir();
    let mut n = 0u32;
    let (path, mut file) = loop {
        let path = dir.join(format!("iamdrill-policy-{}-{n}.json", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(f) => break (path, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(format!("cannot create a file in {}: {e}", dir.display())),
        }
    };
    let result = file
        .write_all(text.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
        .and_then(|_| {
            std::process::Command::new(program)
                .args(args)
                .arg(&path)
                .status()
                .map_err(|e| format!("cannot run `{program}`: {e}"))
        })
        .and_then(|status| {
            if status.success() {
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))
            } else {
                Err(format!("`{program}` exited with {status}; nothing changed"))
            }
        });
    let _ = std::fs::remove_file(&path);
    result
}

/// Hands the terminal to the user's editor, then takes it back.
fn terminal_editor(text: &str) -> std::result::Result<String, String> {
    use ratatui::crossterm::terminal::{
        EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
    };
    let _ = execute!(
        io::stdout(),
        event::DisableMouseCapture,
        LeaveAlternateScreen
    );
    let _ = disable_raw_mode();
    let result = edit_with(&editor_command(), text);
    let _ = enable_raw_mode();
    let _ = execute!(
        io::stdout(),
        EnterAlternateScreen,
        event::EnableMouseCapture
    );
    result
}

/// What the full-screen app starts from: the decks, the store with the configuration applied,
/// the theme and the keymap.
pub struct Setup {
    pub decks: Decks,
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
}

/// The decks the app starts with.
pub enum Decks {
    /// The whole library, loaded.
    Loaded(Arc<Library>),
    /// The card index only: the library is loaded after the first frame (see [`Loading`]).
    Index(Arc<CardIndex>),
}

/// Checks the terminal, loads the decks (only their card index when `index_only`) and opens
/// the store. `Err(code)` means a message was printed and the program should exit with `code`.
pub fn setup(ctx: &Context, index_only: bool) -> Result<std::result::Result<Setup, ExitCode>> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        eprintln!(
            "iamdrill: the full-screen app needs a terminal; for line-by-line review use `iamdrill review --plain`"
        );
        return Ok(Err(ExitCode::from(2)));
    }
    let (decks, problems) = if index_only {
        let index = ctx.card_index();
        let problems = index.problems.clone();
        (Decks::Index(index), problems)
    } else {
        let lib = ctx.library();
        let problems = lib.problems.clone();
        (Decks::Loaded(lib), problems)
    };
    for p in &problems {
        eprintln!(
            "iamdrill: warning: {}",
            crate::ui::text::sanitize(&p.to_string())
        );
    }
    let store = ctx.open_store()?;
    Ok(Ok(Setup {
        decks,
        store,
        theme: theme_for(&ctx.config),
        keymap: ctx.keymap.clone(),
    }))
}

/// The theme the configuration asks for; `NO_COLOR` wins over it.
pub fn theme_for(config: &crate::context::Config) -> Theme {
    let mut theme = match Theme::from_env().kind {
        crate::ui::theme::ThemeKind::Mono => Theme::from_env(),
        _ => Theme::new(match config.theme_mode() {
            ThemeMode::Auto => crate::ui::theme::ThemeKind::Auto,
            ThemeMode::Dark => crate::ui::theme::ThemeKind::Dark,
            ThemeMode::Light => crate::ui::theme::ThemeKind::Light,
        }),
    };
    theme.apply_colors(&config.color_overrides());
    theme
}

/// `iamdrill` with no subcommand (the dashboard), or opened straight on a flow.
pub fn open(ctx: &Context, open: Option<Open>) -> Result<ExitCode> {
    let Setup {
        decks,
        store,
        theme,
        keymap,
    } = match setup(ctx, open.is_none())? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let now = ctx.now_ms();
    // What the other machines did shows on the dashboard, unless the folder is slow to answer.
    let synced = ctx.sync_dir().map(|dir| {
        let wait = std::time::Duration::from_millis(1500);
        sync_in_background(ctx.store_opener(), dir, ctx.device_name(), now, wait)
    });
    let mut app = match decks {
        Decks::Loaded(lib) => App::new(lib, store, theme, keymap, now),
        Decks::Index(index) => {
            let (paths, cache) = (ctx.deck_paths.clone(), ctx.deck_cache_dir());
            let load = Box::new(move || {
                let cache = crate::deck::DeckCache::new(cache);
                Arc::new(crate::context::load_library_cached(&paths, Some(&cache)))
            });
            App::loading(Loading { index, load }, store, theme, keymap, now)
        }
    };
    if let Some(outcome) = &synced {
        let last = app.store.last_sync().ok().flatten();
        let note = sync_note(outcome, last.as_ref(), &app.store.clock());
        app.sync_note = Some(crate::ui::text::sanitize(&note));
    }
    app.backups = Some((ctx.backup_dir(), (ctx.config.backup_keep as usize).max(1)));
    app.mock_defaults = MockOptions {
        minutes: u64::from(ctx.config.mock.minutes),
        questions: ctx.config.mock.questions as usize,
        ..MockOptions::default()
    };
    if let Some(o) = open {
        if matches!(o, Open::MockWith(_)) {
            app.open_alone(o);
        } else {
            app.push(o);
        }
    }
    if let Some(status) = app.status.take() {
        eprintln!("iamdrill: {}", crate::ui::text::sanitize(&status));
        return Ok(ExitCode::from(2));
    }
    if app.popup.is_none() && ctx.first_run() {
        app.popup = Some(Popup::Welcome);
    }
    let ended = run(&mut app, &ctx.clock)?;
    if let Some(dir) = ctx.sync_dir() {
        // This session's answers go to the folder; a folder that does not answer within a few
        // seconds gets them at the next sync.
        let wait = std::time::Duration::from_secs(5);
        match sync_in_background(
            ctx.store_opener(),
            dir,
            ctx.device_name(),
            ctx.now_ms(),
            wait,
        ) {
            Background::Done(r) if r.problems.is_empty() => {}
            Background::Done(_) => {
                eprintln!("iamdrill: sync: some files were unreadable; `iamdrill sync` says which")
            }
            Background::Failed(e) => {
                eprintln!("iamdrill: sync at quit: {}", crate::ui::text::sanitize(&e))
            }
            Background::Running => {
                eprintln!("iamdrill: the sync folder is slow to answer; the next sync catches up")
            }
        }
    }
    match ended {
        // As a shell reports a process ended by a signal.
        Some(signal) => Ok(ExitCode::from(
            u8::try_from(128 + signal).unwrap_or(u8::MAX),
        )),
        None => Ok(ExitCode::SUCCESS),
    }
}
