//! Key sequences driven through the app, checked on its state and in the database.

#[allow(dead_code)]
mod common;
use common::screen::screen_text;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use iamdrill::deck::{self, CardKind, Library};
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::screens::review::Stage;
use iamdrill::ui::theme::{Theme, ThemeKind};
use iamdrill::ui::{Keymap, Open};

const NOW: i64 = 1_780_000_000_000;

fn app_with(dir: &tempfile::TempDir, open: Option<Open>) -> App {
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let theme = Theme::new(ThemeKind::Mono);
    match open {
        Some(o) => App::with(lib, store, theme, Keymap::default(), NOW, o),
        None => App::new(lib, store, theme, Keymap::default(), NOW),
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE), NOW + 5_000);
}

fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        ch(app, c);
    }
}

fn review(app: &App) -> &iamdrill::ui::screens::review::ReviewScreen {
    match app.top() {
        Some(Screen::Review { screen, .. }) => screen,
        _ => panic!("not on the review screen"),
    }
}

fn review_count(dir: &tempfile::TempDir) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("progress.sqlite3")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn dashboard_review_reveal_rate_next_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    assert!(matches!(app.top(), Some(Screen::Dashboard(_))));
    ch(&mut app, 'r');
    let first = review(&app).card.clone().expect("a card to review").id;
    assert_eq!(review(&app).stage, Stage::Question);
    // Rating before revealing does nothing.
    ch(&mut app, '3');
    assert_eq!(review_count(&dir), 0);
    // Reveal (scenario cards reveal step by step; walk to the end).
    while review(&app).stage != Stage::Answer {
        ch(&mut app, ' ');
        if matches!(
            review(&app).stage,
            Stage::Walk {
                answer_shown: true,
                ..
            }
        ) {
            ch(&mut app, 'y');
        }
    }
    assert!(review(&app).previews.is_some());
    ch(&mut app, '3');
    assert_eq!(
        review_count(&dir),
        1,
        "the answer is stored before the next card shows"
    );
    let second = review(&app).card.clone().expect("next card").id;
    assert_ne!(first, second);
    assert_eq!(review(&app).progress.answered, 1);
    ch(&mut app, 'u');
    assert_eq!(review_count(&dir), 0);
    assert_eq!(review(&app).card.as_ref().unwrap().id, first);
    // Back to the dashboard, then quit.
    ch(&mut app, 'q');
    assert!(matches!(app.top(), Some(Screen::Dashboard(_))));
    ch(&mut app, 'q');
    assert!(app.quit);
}

#[test]
fn topic_filter_limits_the_review_and_cram_ignores_due_dates() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(
        &dir,
        Some(Open::Review {
            topics: vec!["kms".into()],
        }),
    );
    let card = review(&app).card.clone().unwrap();
    assert_eq!(card.topic, "kms");
    let total = review(&app).progress.remaining();
    let kms = app.lib.cards().filter(|c| c.topic == "kms").count() as u32;
    assert_eq!(total, kms);

    // Cram from the dashboard through the topic picker.
    let mut app = app_with(&dir, None);
    ch(&mut app, 'c');
    assert!(matches!(app.top(), Some(Screen::Picker(_))));
    // Mark "sts" (move to it) and start.
    let idx = match app.top() {
        Some(Screen::Picker(p)) => p.topics.iter().position(|t| t.topic == "sts").unwrap(),
        _ => unreachable!(),
    };
    for _ in 0..idx {
        ch(&mut app, 'j');
    }
    ch(&mut app, ' ');
    key(&mut app, KeyCode::Enter);
    let r = review(&app);
    assert!(r.title.starts_with("Cram"), "{}", r.title);
    assert_eq!(r.card.as_ref().unwrap().topic, "sts");
    let sts = app.lib.cards().filter(|c| c.topic == "sts").count() as u32;
    assert_eq!(r.progress.remaining(), sts);
}

#[test]
fn search_opened_again_reuses_its_index_and_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    let searched = |app: &mut App| {
        ch(app, '/');
        typed(app, "kms grant");
        let (ids, searcher) = match app.top() {
            Some(Screen::Search(s)) => (
                s.hits.iter().map(|h| h.card_id.clone()).collect::<Vec<_>>(),
                s.searcher().clone(),
            ),
            _ => panic!("search did not open"),
        };
        key(app, KeyCode::Esc);
        (ids, searcher)
    };
    let (first, index) = searched(&mut app);
    let (again, same) = searched(&mut app);
    assert!(!first.is_empty());
    assert_eq!(first, again);
    // Building the index reads every card: the second search uses the first one's.
    assert!(std::rc::Rc::ptr_eq(&index, &same));
}

#[test]
fn search_open_and_review_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    ch(&mut app, '/');
    assert!(matches!(app.top(), Some(Screen::Search(_))));
    typed(&mut app, "envelope");
    key(&mut app, KeyCode::Enter);
    let id = match app.top() {
        Some(Screen::Card(_)) => app.stack.len(),
        _ => panic!("search did not open a card"),
    };
    assert_eq!(id, 3);
    ch(&mut app, 'r');
    let r = review(&app);
    assert_eq!(r.progress.remaining(), 1);
    let card = r.card.clone().unwrap();
    assert!(
        card.question.to_lowercase().contains("envelope")
            || card.answer.to_lowercase().contains("envelope")
    );
    ch(&mut app, ' ');
    ch(&mut app, '4');
    assert_eq!(review_count(&dir), 1);
}

fn cram_until(app: &mut App, kind: CardKind) {
    for _ in 0..200 {
        if review(app).card.as_ref().map(|c| c.kind) == Some(kind) {
            return;
        }
        ch(app, 'b'); // bury cards of other kinds
    }
    panic!("no {kind:?} card");
}

#[test]
fn table_drill_hides_then_reveals_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(
        &dir,
        Some(Open::Cram {
            topics: vec![],
            reschedule: true,
        }),
    );
    cram_until(&mut app, CardKind::Table);
    let hidden_before = review(&app).hidden.clone();
    assert!(!hidden_before.is_empty());
    ch(&mut app, 'd');
    assert_ne!(
        review(&app).hidden,
        hidden_before,
        "d hides another column or random cells"
    );
    ch(&mut app, ' ');
    assert_eq!(review(&app).stage, Stage::Answer);
    ch(&mut app, '3');
    assert!(review_count(&dir) >= 1);
}

#[test]
fn scenario_walkthrough_to_its_end_and_ordering_drill() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(
        &dir,
        Some(Open::Cram {
            topics: vec!["scenarios".into()],
            reschedule: true,
        }),
    );
    cram_until(&mut app, CardKind::Scenario);
    let card = review(&app).card.clone().unwrap();
    let steps = card.scenario.as_ref().unwrap().steps.len();
    ch(&mut app, ' ');
    for i in 0..steps {
        assert!(matches!(review(&app).stage, Stage::Walk { shown, .. } if shown == i + 1));
        ch(&mut app, ' ');
        ch(&mut app, if i == 0 { 'n' } else { 'y' });
    }
    assert_eq!(review(&app).stage, Stage::Answer);
    assert_eq!(review(&app).last_marks, Some((steps - 1, steps)));
    assert_eq!(review(&app).missed, vec![0]);
    assert!(review(&app).suggested_rating().is_some());
    ch(&mut app, '2');
    // The same card again, now as an ordering drill, placed in the shown (shuffled) order.
    let mut app = app_with(&dir, Some(Open::ReviewCard(card.id.clone())));
    ch(&mut app, 'o');
    for _ in 0..steps {
        key(&mut app, KeyCode::Enter);
    }
    match &review(&app).stage {
        Stage::Order(o) => {
            assert!(o.checked);
            assert_eq!(o.placed.len(), steps);
            assert!(o.score() < steps, "a shuffled order is never all right");
        }
        other => panic!("{other:?}"),
    }
    ch(&mut app, '1');
    assert!(review_count(&dir) >= 2);
}

#[test]
fn help_and_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    ch(&mut app, '?');
    assert!(app.popup.is_some());
    ch(&mut app, 'q');
    assert!(app.popup.is_none());
    app.on_key(
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        NOW,
    );
    assert!(app.quit);
}

#[test]
fn ordering_drill_keeps_the_highlighted_step_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::ReviewCard("leaked-access-key".into())));
    ch(&mut app, 'o');
    let steps = match &review(&app).stage {
        Stage::Order(o) => o.shuffled.len(),
        other => panic!("{other:?}"),
    };
    assert!(steps > 10, "a long walkthrough: {steps} steps");
    // The first and the last steps to place: wrapped answers fill more than one screen.
    assert!(screen_text(&app, 80, 24).contains("› "));
    for _ in 1..steps {
        key(&mut app, KeyCode::Down);
    }
    match &review(&app).stage {
        Stage::Order(o) => assert_eq!(o.cursor, steps - 1),
        other => panic!("{other:?}"),
    }
    let screen = screen_text(&app, 80, 24);
    assert!(
        screen.contains("› "),
        "the highlighted step scrolled away:\n{screen}"
    );
    // Placing it keeps the next highlighted step in view too.
    key(&mut app, KeyCode::Enter);
    assert!(screen_text(&app, 80, 24).contains("› "));
}

fn browser(app: &App) -> &iamdrill::ui::screens::browser::BrowserScreen {
    match app.top() {
        Some(Screen::Browser(b)) => b,
        _ => panic!("not on the card browser"),
    }
}

#[test]
fn suspend_then_unsuspend_in_the_browser_brings_the_card_back_to_todays_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    ch(&mut app, 'r');
    let first = review(&app).card.clone().expect("a card to review").id;
    ch(&mut app, 's');
    assert!(
        review(&app)
            .message
            .as_deref()
            .unwrap_or("")
            .contains(&first),
        "suspending says what it did"
    );
    assert_ne!(
        review(&app).card.as_ref().map(|c| c.id.clone()),
        Some(first.clone())
    );
    ch(&mut app, 'q');
    // The browser, filtered to suspended cards.
    ch(&mut app, 'b');
    assert!(browser(&app).rows.len() == app.lib.len());
    ch(&mut app, '/');
    typed(&mut app, "is:suspended");
    key(&mut app, KeyCode::Enter);
    let b = browser(&app);
    assert!(!b.typing);
    assert_eq!(b.shown.len(), 1);
    assert_eq!(b.current().unwrap().id, first);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("suspended"), "{screen}");
    assert!(screen.contains("1 card of"), "{screen}");
    ch(&mut app, 'u');
    let b = browser(&app);
    assert_eq!(
        b.message.as_deref(),
        Some(format!("Unsuspended {first}.").as_str())
    );
    assert_eq!(b.shown.len(), 0, "the filter shows suspended cards only");
    ch(&mut app, 'q');
    ch(&mut app, 'r');
    assert_eq!(
        review(&app).card.as_ref().map(|c| c.id.clone()),
        Some(first),
        "the card is back in today's queue"
    );
}

#[test]
fn browser_sorts_marks_several_cards_and_asks_twice_before_forgetting() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    let backups = dir.path().join("backups");
    app.backups = Some((backups.clone(), 3));
    // Answer three cards so they have a state.
    ch(&mut app, 'r');
    let mut answered = Vec::new();
    while answered.len() < 3 {
        let id = review(&app).card.clone().unwrap().id;
        while review(&app).stage != Stage::Answer {
            ch(&mut app, ' ');
            if matches!(
                review(&app).stage,
                Stage::Walk {
                    answer_shown: true,
                    ..
                }
            ) {
                ch(&mut app, 'y');
            }
        }
        ch(&mut app, '4');
        if !answered.contains(&id) {
            answered.push(id);
        }
    }
    ch(&mut app, 'q');
    ch(&mut app, 'b');
    // Sorted by due date: answered cards first (new cards have none).
    let b = browser(&app);
    assert!(answered.contains(&b.current().unwrap().id));
    ch(&mut app, '/');
    typed(&mut app, "is:review");
    key(&mut app, KeyCode::Enter);
    let n = browser(&app).shown.len();
    assert!(n >= 1);
    // Mark every shown card, make them due today.
    ch(&mut app, 'a');
    assert_eq!(browser(&app).targets().len(), n);
    ch(&mut app, 't');
    let msg = browser(&app).message.clone().unwrap();
    assert!(msg.starts_with("Made due today"), "{msg}");
    assert!(
        browser(&app)
            .shown
            .iter()
            .all(|&i| browser(&app).rows[i].due_today)
    );
    // Forget asks first; any other key cancels.
    ch(&mut app, 'F');
    assert!(browser(&app).forget_armed);
    ch(&mut app, 'j');
    assert!(!browser(&app).forget_armed);
    assert!(!backups.exists(), "no backup before forgetting");
    ch(&mut app, 'F');
    ch(&mut app, 'F');
    assert!(
        browser(&app)
            .message
            .clone()
            .unwrap()
            .starts_with("Reset to new")
    );
    // A backup was taken first.
    let taken: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        taken.len() == 1 && taken[0].contains("before-forget"),
        "{taken:?}"
    );
    assert_eq!(
        browser(&app).shown.len(),
        0,
        "no card is in review any more"
    );
    // Sort column and order change with arrows and r.
    let before = browser(&app).sort;
    key(&mut app, KeyCode::Right);
    assert_ne!(browser(&app).sort, before);
    ch(&mut app, 'r');
    assert!(browser(&app).descending);
    // A filter word that is wrong says so, and keeps the table.
    ch(&mut app, '/');
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "x");
    assert!(browser(&app).filter_error.is_some());
    assert!(screen_text(&app, 80, 24).contains("✗"));
    for (w, h) in [(80, 24), (40, 12), (20, 8), (200, 50)] {
        screen_text(&app, w, h);
    }
}

#[test]
fn browser_opens_the_reference_with_the_opener_and_the_card_with_enter() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(
        &dir,
        Some(Open::Browser {
            filter: "kms-key-policy-vs-iam".into(),
        }),
    );
    let opened = Arc::new(Mutex::new(Vec::new()));
    let log = opened.clone();
    app.opener = Box::new(move |url| {
        log.lock().unwrap().push(url.to_string());
        Ok(())
    });
    let card = app.lib.card("kms-key-policy-vs-iam").unwrap().clone();
    assert_eq!(browser(&app).current().unwrap().id, card.id);
    ch(&mut app, 'o');
    assert_eq!(*opened.lock().unwrap(), vec![card.references[0].clone()]);
    let screen = screen_text(&app, 80, 24);
    assert!(
        screen.contains(&card.references[0]),
        "the URL is shown whole:\n{screen}"
    );
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.top(), Some(Screen::Card(_))));
    ch(&mut app, 'q');
    assert!(matches!(app.top(), Some(Screen::Browser(_))));
    // M turns mouse capture off and on, and says so.
    ch(&mut app, 'M');
    assert!(!app.mouse);
    assert!(screen_text(&app, 80, 24).contains("Mouse off"));
    ch(&mut app, 'M');
    assert!(app.mouse);
}

/// Answers every card the review shows with `rating` (walking scenarios to their end).
fn answer_all(app: &mut App, rating: char) {
    for _ in 0..400 {
        if review(app).card.is_none() {
            return;
        }
        while review(app).stage != Stage::Answer {
            ch(app, ' ');
            if matches!(
                review(app).stage,
                Stage::Walk {
                    answer_shown: true,
                    ..
                }
            ) {
                ch(app, 'y');
            }
        }
        ch(app, rating);
    }
    panic!("the session never ended");
}

#[test]
fn finishing_a_session_shows_its_summary_then_learn_5_more() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    app.store.set_limits(2, 200).unwrap();
    ch(&mut app, 'r');
    assert_eq!(review(&app).progress.new, 2);
    answer_all(&mut app, '4');
    let r = review(&app);
    let summary = r.summary.as_ref().expect("a summary at the end");
    assert_eq!(summary.answered, 2);
    assert_eq!(summary.ratings, [0, 0, 0, 2]);
    assert!(summary.outlook.next_due.is_some());
    let screen = screen_text(&app, 80, 24);
    for text in [
        "Session complete: 2 answers",
        "Easy 2",
        "Next card due",
        "What next",
        "learn 5 more",
    ] {
        assert!(screen.contains(text), "{text}:\n{screen}");
    }
    // The footer is the summary's, not the review's; the clock in the header stops.
    let footer = screen.lines().last().unwrap().to_string();
    assert!(
        footer.contains("learn 5 more") && !footer.contains("reveal"),
        "{footer}"
    );
    let header = screen.lines().next().unwrap().to_string();
    app.tick(NOW + 3_600_000);
    let later = screen_text(&app, 80, 24);
    assert_eq!(
        later.lines().next().unwrap(),
        header,
        "the session clock stopped"
    );
    // Small windows draw it without panicking.
    for (w, h) in [(40, 12), (20, 8), (200, 60)] {
        screen_text(&app, w, h);
    }
    ch(&mut app, 'n');
    let r = review(&app);
    assert!(r.card.is_some(), "five more new cards today");
    assert_eq!(r.progress.new, 5);
    answer_all(&mut app, '4');
    assert_eq!(review(&app).summary.as_ref().unwrap().answered, 5);
    // Back on the dashboard, today's new count includes the extra cards.
    ch(&mut app, 'q');
    assert!(matches!(app.top(), Some(Screen::Dashboard(_))));
}

#[test]
fn nothing_due_says_when_and_studies_ahead_as_if_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, None);
    app.store.set_limits(3, 200).unwrap();
    ch(&mut app, 'r');
    answer_all(&mut app, '4');
    let due = app
        .store
        .load_progress()
        .unwrap()
        .values()
        .map(|p| p.state.due)
        .min()
        .unwrap();
    drop(app);
    // As with --now: two days before the first card is due, the limit of new cards used up.
    let later = due - 2 * 86_400_000;
    let lib = Library::from_decks(deck::builtin_decks());
    let mut store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    store.set_limits(0, 200).unwrap();
    let mut app = App::with(
        lib,
        store,
        Theme::new(ThemeKind::Mono),
        Keymap::default(),
        later,
        Open::Review { topics: vec![] },
    );
    let r = review(&app);
    assert!(r.card.is_none());
    let s = r.summary.as_ref().unwrap();
    assert_eq!(s.answered, 0);
    assert!(s.outlook.due_ahead >= 1);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("Nothing to review now."), "{screen}");
    assert!(screen.contains("Next card due: in 2 days"), "{screen}");
    assert!(screen.contains("study ahead"), "{screen}");
    app.on_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE), later);
    let r = review(&app);
    assert!(r.title.starts_with("Study ahead"), "{}", r.title);
    let ahead = r.progress.remaining();
    assert!((1..=3).contains(&ahead), "{ahead}");
    let card = r.card.clone().unwrap().id;
    let before = app.store.card_state(&card).unwrap().unwrap();
    while review(&app).stage != Stage::Answer {
        app.on_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE), later);
        if matches!(
            review(&app).stage,
            Stage::Walk {
                answer_shown: true,
                ..
            }
        ) {
            app.on_key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE), later);
        }
    }
    app.on_key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE), later);
    let after = app.store.card_state(&card).unwrap().unwrap();
    assert_eq!(
        after.reps,
        before.reps + 1,
        "an early review reschedules the card"
    );
    assert!(after.due > later);
}

#[test]
fn the_walkthrough_follows_the_current_step_and_its_prompt_stays_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::ReviewCard("leaked-access-key".into())));
    let card = review(&app).card.clone().unwrap();
    let steps = card.scenario.as_ref().unwrap().steps.len();
    ch(&mut app, ' ');
    for i in 0..steps {
        // The current step's answer is shown, and its first line is on screen at every size
        // together with the y/n prompt.
        ch(&mut app, ' ');
        for (w, h) in [(100, 30), (80, 24), (40, 12)] {
            let screen = screen_text(&app, w, h);
            assert!(
                screen.contains(&format!("Step {}:", i + 1)),
                "step {} at {w}x{h}:\n{screen}",
                i + 1
            );
            assert!(
                screen.contains("y: I had it"),
                "the prompt at {w}x{h}:\n{screen}"
            );
        }
        ch(&mut app, 'y');
    }
    assert_eq!(review(&app).stage, Stage::Answer);
    assert_eq!(review(&app).last_marks, Some((steps, steps)));
}

#[test]
fn typing_a_step_is_graded_and_letters_never_suspend_or_bury() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::ReviewCard("leaked-access-key".into())));
    let id = review(&app).card.clone().unwrap().id;
    ch(&mut app, ' ');
    assert!(review(&app).takes_text(), "the step invites typing");
    // `s`, `b`, `o`, `q` and `y` are text here.
    typed(
        &mut app,
        "deactivate the key at once, treat it as compromised",
    );
    assert_eq!(review(&app).card.as_ref().unwrap().id, id);
    assert!(matches!(app.top(), Some(Screen::Review { .. })));
    assert!(
        matches!(
            review(&app).stage,
            Stage::Walk {
                answer_shown: false,
                ..
            }
        ),
        "{:?}",
        review(&app).stage
    );
    assert!(
        screen_text(&app, 80, 24).contains("› deactivate the key"),
        "{}",
        screen_text(&app, 80, 24)
    );
    key(&mut app, KeyCode::Enter);
    let grade = review(&app).step_grades[0].clone().expect("a grade");
    assert_eq!(grade.verdict, iamdrill::mock::grade::Verdict::Covered);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("Grader: you had it"), "{screen}");
    assert!(screen.contains("The grader says you had it"), "{screen}");
    ch(&mut app, 'y');
    // Step 2, answered with something unrelated: the grader says missed, graded on step 2 only.
    typed(&mut app, "rotate the database password");
    key(&mut app, KeyCode::Enter);
    let grade = review(&app).step_grades[1].clone().expect("a grade");
    assert_ne!(grade.verdict, iamdrill::mock::grade::Verdict::Covered);
    assert!(screen_text(&app, 80, 24).contains("The grader says you missed it"));
    ch(&mut app, 'n');
    // Esc leaves the field: letters are commands again, and suspend says what it did.
    key(&mut app, KeyCode::Esc);
    assert!(!review(&app).takes_text());
    assert!(
        matches!(app.top(), Some(Screen::Review { .. })),
        "Esc stays"
    );
    ch(&mut app, 's');
    let message = review(&app).message.clone().unwrap_or_default();
    assert!(message.contains(&format!("Suspended {id}")), "{message}");
    assert!(message.contains("u undoes"), "{message}");
    assert!(
        review(&app).card.as_ref().is_none_or(|c| c.id != id),
        "the suspended card left the session"
    );
    ch(&mut app, 'u');
    assert_eq!(
        review(&app).card.as_ref().map(|c| c.id.as_str()),
        Some(id.as_str())
    );
}

#[test]
fn end_and_page_down_scroll_the_review_body() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::ReviewCard("leaked-access-key".into())));
    ch(&mut app, 'o');
    // Check an ordering drill at once: its result is longer than a 40x12 screen.
    let steps = match &review(&app).stage {
        Stage::Order(o) => o.shuffled.len(),
        other => panic!("{other:?}"),
    };
    for _ in 0..steps {
        key(&mut app, KeyCode::Enter);
    }
    let top = screen_text(&app, 40, 12);
    assert!(top.contains("▼ more"), "{top}");
    key(&mut app, KeyCode::End);
    let bottom = screen_text(&app, 40, 12);
    assert!(
        !bottom.contains("▼ more"),
        "End reaches the last line:\n{bottom}"
    );
    key(&mut app, KeyCode::Home);
    assert_eq!(screen_text(&app, 40, 12), top);
    // PgDn moves by the body's height (rows 1-9 at 40x12) less one line: the last line of the
    // page becomes the first, as context.
    let last: String = top.lines().nth(9).unwrap().chars().take(30).collect();
    key(&mut app, KeyCode::PageDown);
    let after = screen_text(&app, 40, 12);
    assert!(
        after.lines().nth(1).unwrap().starts_with(&last),
        "a page down:\n{top}\n---\n{after}"
    );
}

#[test]
fn the_dashboard_topic_list_scrolls_with_page_keys() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(&dir, None);
    let topics = match app.top() {
        Some(Screen::Dashboard(d)) => d.stats.topics.clone(),
        _ => panic!("not on the dashboard"),
    };
    assert!(topics.len() > 12, "{} topics", topics.len());
    let last = &topics.last().unwrap().topic;
    for (w, h) in [(100, 30), (80, 24), (50, 16)] {
        let screen = screen_text(&app, w, h);
        assert!(screen.contains("of "), "the list says it is cut:\n{screen}");
        assert!(!screen.contains(last.as_str()), "{screen}");
    }
    // The app draws after every key: PgDn pages by the box drawn, until the last topic shows.
    for (w, h) in [(100, 30), (80, 24), (50, 16)] {
        let mut app = app_with(&dir, None);
        let mut presses = 0;
        while !screen_text(&app, w, h).contains(last.as_str()) {
            assert!(
                presses < 20,
                "PgDn never reached the last topic at {w}x{h}:\n{}",
                screen_text(&app, w, h)
            );
            key(&mut app, KeyCode::PageDown);
            presses += 1;
        }
        assert!(presses > 0);
        for _ in 0..presses {
            key(&mut app, KeyCode::PageUp);
            screen_text(&app, w, h);
        }
        let screen = screen_text(&app, w, h);
        assert!(screen.contains(topics[0].topic.as_str()), "{screen}");
    }
}

#[test]
fn wide_terminals_keep_text_readable_and_addresses_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::Card("leaked-access-key".into())));
    key(&mut app, KeyCode::End);
    let screen = screen_text(&app, 200, 60);
    for line in screen.lines() {
        let text = line.trim_end();
        if text.starts_with("https://") {
            assert!(!text.contains(' '), "a whole address: {text}");
            continue;
        }
        assert!(
            text.chars().count() <= 100,
            "wider than the readable width: {text}"
        );
    }
    // Addresses are never split, even in a narrow window.
    let card = app.lib.card("leaked-access-key").unwrap().clone();
    let screen = screen_text(&app, 40, 200);
    for r in &card.references {
        assert!(
            screen.lines().any(|l| l.contains(r.as_str())
                || r.starts_with(l.trim_end()) && l.trim_end().len() == 40),
            "{r}:\n{screen}"
        );
    }
}

#[test]
fn end_goes_to_the_bottom_of_the_card_view_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(&dir, Some(Open::Card("leaked-access-key".into())));
    let top = screen_text(&app, 40, 12);
    key(&mut app, KeyCode::End);
    let bottom = screen_text(&app, 40, 12);
    assert_ne!(top, bottom);
    // One more line down changes nothing: End is the last line.
    key(&mut app, KeyCode::Down);
    assert_eq!(screen_text(&app, 40, 12), bottom);
    // And a line up from there moves at once.
    key(&mut app, KeyCode::Up);
    assert_ne!(screen_text(&app, 40, 12), bottom);
    let mut app = app_with(&dir, Some(Open::Stats));
    let top = screen_text(&app, 40, 12);
    ch(&mut app, 'G');
    assert_ne!(screen_text(&app, 40, 12), top, "G scrolls the statistics");
}
