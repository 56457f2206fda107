//! The rule: a learner never sees a source passage with a known error without the correction
//! beside it.
//!
//! Data-driven: every known wrong passage is an entry of `assets/curation/errata.yaml` (the exact
//! wrong words, and what is right). Every card goes through every output path — the app's card
//! view, variants view, review answer, mock model answer and search results (drawn on a
//! `TestBackend`), `review --plain`, `cram --plain`, `grade`, the Anki export and
//! `decks list --json` (the real binary) — and wherever an output shows a wrong passage, it must
//! be marked `⟦…⟧✗N` and the correction must follow it in the same card's output.
//!
//! A card's note is itself a correction: where it quotes a wrong passage, it quotes it to say what
//! is wrong with it. So the note's own block (the app's *Correction* box, plain mode's
//! `Correction:` lines, the export's italic note) is left out of the search for unmarked passages.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use iamdrill::deck::{self, Card, CardKind, Library};
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::screens::mock::{MockOptions, View};
use iamdrill::ui::theme::{Theme, ThemeKind};
use iamdrill::ui::{Keymap, Open};

const NOW: i64 = 1_780_000_000_000;

#[derive(Debug, Clone, Deserialize)]
struct Erratum {
    source: String,
    wrong: String,
    right: String,
}

fn errata() -> Vec<Erratum> {
    let text = std::fs::read_to_string("assets/curation/errata.yaml").unwrap();
    let errata: Vec<Erratum> = serde_yaml::from_str(&text).unwrap();
    assert!(errata.len() >= 20, "{} errata", errata.len());
    errata
}

/// The library the binary loads: the built-in decks and the generated policy drills.
fn library() -> Library {
    static LIB: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    LIB.get_or_init(|| {
        let mut decks = deck::builtin_decks();
        decks.push(iamdrill::policy::drill::deck(
            iamdrill::policy::drill::DECK_SIZE,
        ));
        Library::from_decks(decks)
    })
    .clone()
}

/// Text as a learner reads it: HTML tags and entities, code backticks and box-drawing lines
/// gone, whitespace collapsed (wrapped lines join again).
fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            '`' => {}
            '│' | '┌' | '┐' | '└' | '┘' | '─' | '┬' | '┴' | '┼' | '├' | '┤' | '▼' | '▲' => {
                out.push(' ')
            }
            c => out.push(c),
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#9;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where each wrong passage was seen marked, by output path.
#[derive(Default)]
struct Seen(BTreeMap<&'static str, BTreeSet<String>>);

/// The output without the card's note, which is a correction of its own (see the module
/// documentation): the app's *Correction* box, plain mode's `Correction:` block up to the rating
/// line, and the export's italic note.
fn without_note(output: &str) -> String {
    let mut out = String::with_capacity(output.len());
    let mut in_note = false;
    for line in output.lines() {
        let t = line.trim_start();
        if t.starts_with("┌─ Correction ─") || t.starts_with("Correction: ") {
            in_note = true;
        }
        if in_note && (t.starts_with('└') || t.starts_with("Rate: ")) {
            in_note = false;
            if t.starts_with('└') {
                continue;
            }
        }
        if !in_note {
            out.push_str(line);
            out.push('\n');
        }
    }
    // The export's note: `<i>…</i>`.
    while let (Some(a), Some(b)) = (out.find("<i>"), out.find("</i>")) {
        if b < a {
            break;
        }
        out.replace_range(a..b + "</i>".len(), " ");
    }
    out
}

/// Checks one card's output on one path: every wrong passage shown is marked and followed by
/// its correction.
fn check(path: &'static str, card: &str, output: &str, errata: &[Erratum], seen: &mut Seen) {
    let text = norm(&without_note(output));
    for e in errata {
        let wrong = norm(&e.wrong);
        let right = norm(&e.right);
        let mut from = 0;
        while let Some(i) = text[from..].find(&wrong) {
            let at = from + i;
            let after = &text[at + wrong.len()..];
            assert!(
                text[..at].ends_with('⟦') && after.starts_with("⟧✗"),
                "{path}: `{card}` shows the wrong passage of {} unmarked: `{}`\n--- output ---\n{output}",
                e.source,
                e.wrong
            );
            assert!(
                after.contains(&right),
                "{path}: `{card}` shows the wrong passage `{}` without its correction after it\n--- output ---\n{output}",
                e.wrong
            );
            seen.0.entry(path).or_default().insert(e.wrong.clone());
            from = at + wrong.len();
        }
    }
}

fn app(dir: &tempfile::TempDir, open: Option<Open>) -> App {
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let theme = Theme::new(ThemeKind::Mono);
    match open {
        Some(o) => App::with(library(), store, theme, Keymap::default(), NOW, o),
        None => App::new(library(), store, theme, Keymap::default(), NOW),
    }
}

fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.on_key(KeyEvent::new(code, mods), NOW + 5_000);
}

/// The whole screen as text, wide and tall enough that nothing wraps inside a table or scrolls.
fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Cards that show source wording, and so may show a wrong passage.
fn worded(lib: &Library) -> Vec<Card> {
    lib.cards()
        .filter(|c| c.source.is_some() || !c.corrections.is_empty())
        .cloned()
        .collect()
}

#[test]
fn app_screens_mark_and_correct_every_wrong_passage() {
    let errata = errata();
    let lib = library();
    let mut seen = Seen::default();
    for card in worded(&lib) {
        let dir = tempfile::tempdir().unwrap();
        // The card view, then its variants view.
        let mut a = app(&dir, Some(Open::Card(card.id.clone())));
        check(
            "card view",
            &card.id,
            &screen(&a, 400, 300),
            &errata,
            &mut seen,
        );
        key(&mut a, KeyCode::Char('v'), KeyModifiers::NONE);
        check(
            "card variants",
            &card.id,
            &screen(&a, 400, 300),
            &errata,
            &mut seen,
        );
        // The review: the revealed answer, and the variants.
        let mut a = app(&dir, Some(Open::ReviewCard(card.id.clone())));
        assert!(
            matches!(a.top(), Some(Screen::Review { .. })),
            "{}",
            card.id
        );
        if card.kind != CardKind::Scenario {
            key(&mut a, KeyCode::Char(' '), KeyModifiers::NONE);
            check(
                "review answer",
                &card.id,
                &screen(&a, 400, 300),
                &errata,
                &mut seen,
            );
        }
        let mut a = app(&dir, Some(Open::ReviewCard(card.id.clone())));
        key(&mut a, KeyCode::Char('v'), KeyModifiers::NONE);
        check(
            "review variants",
            &card.id,
            &screen(&a, 400, 300),
            &errata,
            &mut seen,
        );
    }
    for path in [
        "card view",
        "card variants",
        "review answer",
        "review variants",
    ] {
        assert!(
            seen.0.contains_key(path),
            "{path} showed no wrong passage at all"
        );
    }
    // The variants views show the other guides' wording: almost every erratum is there.
    assert!(
        seen.0["card variants"].len() >= 20,
        "{:?}",
        seen.0["card variants"]
    );
}

#[test]
fn mock_model_answers_mark_and_correct_every_wrong_passage() {
    let errata = errata();
    let lib = library();
    let mut seen = Seen::default();
    let mut asked = BTreeSet::new();
    let topics: BTreeSet<String> = lib
        .cards()
        .filter(|c| !c.corrections.is_empty())
        .map(|c| c.topic.clone())
        .collect();
    for topic in topics {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, None);
        let n = lib.cards().filter(|c| c.topic == topic).count();
        a.open_mock(&MockOptions {
            minutes: 60,
            questions: n,
            topics: vec![topic.clone()],
            seed: Some(1),
        });
        for _ in 0..n {
            let Some(Screen::Mock(m)) = a.top() else {
                break;
            };
            if m.view == View::Report {
                break;
            }
            // Submit an empty answer: the verdict shows the model answer.
            key(&mut a, KeyCode::Char('s'), KeyModifiers::CONTROL);
            let Some(Screen::Mock(m)) = a.top() else {
                panic!("left the mock")
            };
            assert!(matches!(m.view, View::Grade { .. }), "{topic}");
            let id = m.session.current_card().map(|c| c.id.clone()).unwrap();
            check(
                "mock model answer",
                &id,
                &screen(&a, 400, 400),
                &errata,
                &mut seen,
            );
            asked.insert(id);
            key(&mut a, KeyCode::Char('3'), KeyModifiers::NONE);
        }
    }
    let marked: BTreeSet<String> = lib
        .cards()
        .filter(|c| c.kind != CardKind::Scenario && c.learner_view().shows_answer())
        .filter(|c| !c.learner_view().answer.numbers.is_empty())
        .map(|c| c.id.clone())
        .collect();
    assert!(
        marked.is_subset(&asked),
        "not asked: {:?}",
        marked.difference(&asked).collect::<Vec<_>>()
    );
    assert!(!seen.0.is_empty(), "no model answer showed a wrong passage");
}

#[test]
fn search_results_mark_and_correct_every_wrong_passage() {
    let errata = errata();
    let mut marked_hits = 0;
    for e in &errata {
        // Search for the wrong passage's own words.
        let query: Vec<&str> = e
            .wrong
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4)
            .take(3)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, Some(Open::Search));
        for c in query.join(" ").chars() {
            key(&mut a, KeyCode::Char(c), KeyModifiers::NONE);
        }
        let text = screen(&a, 240, 80);
        let lines: Vec<&str> = text.lines().skip(2).collect();
        for hit in lines.chunks(2) {
            let snippet = norm(hit[0]);
            let below = norm(hit.get(1).copied().unwrap_or(""));
            if snippet.contains('⟦') {
                marked_hits += 1;
                assert!(
                    below.starts_with('✗') && below.contains("Correction:"),
                    "search `{}`: a marked passage without its correction:\n{text}",
                    query.join(" ")
                );
            }
            for other in &errata {
                let wrong = norm(&other.wrong);
                if let Some(at) = snippet.find(&wrong) {
                    assert!(
                        snippet[..at].ends_with('⟦'),
                        "search `{}`: `{}` unmarked:\n{text}",
                        query.join(" "),
                        other.wrong
                    );
                    let start: String = norm(&other.right).chars().take(30).collect();
                    assert!(
                        below.contains(&start),
                        "search `{}`: `{}` without its correction:\n{text}",
                        query.join(" "),
                        other.wrong
                    );
                }
            }
        }
    }
    // Search looks at answers, not at the other guides' versions: the answers kept in the
    // source's wording are the few that can show a wrong passage.
    assert!(
        marked_hits >= 2,
        "only {marked_hits} search hits showed a marked passage"
    );
}

/// Runs the binary with a fresh data and configuration directory.
fn run(dir: &std::path::Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamdrill"))
        .args(args)
        .env("IAMDRILL_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Plain-mode output split per card: each card starts at its header line `[…] Topic (id)`.
fn per_card(output: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in output.lines() {
        if line.starts_with('[')
            && line.contains(" left] ")
            && let Some(id) = line.strip_suffix(')').and_then(|l| l.rsplit('(').next())
        {
            out.push((id.to_string(), String::new()));
        }
        if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

#[test]
fn plain_review_and_cram_mark_and_correct_every_wrong_passage() {
    let errata = errata();
    let lib = library();
    let mut seen = Seen::default();
    let dir = tempfile::tempdir().unwrap();
    // Reveal, then Easy, for every card.
    let script = "\n4\n".repeat(lib.len() + 10);
    let cram = per_card(&run(dir.path(), &["cram", "--plain"], &script));
    let shown: BTreeSet<&str> = cram.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(shown.len(), lib.len(), "cram --plain shows every card");
    for (id, text) in &cram {
        check("cram --plain", id, text, &errata, &mut seen);
    }
    let dir = tempfile::tempdir().unwrap();
    for (id, text) in per_card(&run(dir.path(), &["review", "--plain"], &script)) {
        check("review --plain", &id, &text, &errata, &mut seen);
    }
    assert!(
        seen.0.contains_key("cram --plain"),
        "cram --plain showed no wrong passage"
    );
}

#[test]
fn exports_and_other_commands_mark_and_correct_every_wrong_passage() {
    let errata = errata();
    let lib = library();
    let mut seen = Seen::default();
    let dir = tempfile::tempdir().unwrap();
    // The Anki export: one line per card, in library order.
    let tsv = run(dir.path(), &["export", "cards", "--format", "anki-tsv"], "");
    let lines: Vec<&str> = tsv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), lib.len());
    for (card, line) in lib.cards().zip(&lines) {
        check("anki export", &card.id, line, &errata, &mut seen);
    }
    assert!(
        seen.0.contains_key("anki export"),
        "the export showed no wrong passage"
    );
    // The deck listing shows no card text, and so no wrong passage either.
    let listing = run(dir.path(), &["decks", "list", "--json"], "");
    check("decks list --json", "(all)", &listing, &errata, &mut seen);
    // Grading prints the question and the key points a card is graded on.
    let answer = dir.path().join("answer.txt");
    std::fs::write(&answer, "I would check the policies.\n").unwrap();
    for card in lib.cards().filter(|c| !c.corrections.is_empty()) {
        let out = run(
            dir.path(),
            &[
                "grade",
                "--card",
                &card.id,
                "--answer-file",
                answer.to_str().unwrap(),
            ],
            "",
        );
        check("grade", &card.id, &out, &errata, &mut seen);
    }
}

#[test]
fn every_erratum_reaches_a_card_and_is_seen_marked() {
    let errata = errata();
    let lib = library();
    for e in &errata {
        let cards: Vec<&str> = lib
            .cards()
            .filter(|c| c.corrections.iter().any(|k| k.wrong == e.wrong))
            .map(|c| c.id.as_str())
            .collect();
        assert!(
            !cards.is_empty(),
            "{} `{}` is on no card",
            e.source,
            e.wrong
        );
        for id in cards {
            let view = lib.card(id).unwrap().learner_view();
            let texts = std::iter::once(view.answer.text.to_string()).chain(
                view.variants
                    .iter()
                    .flat_map(|v| [v.question.text.to_string(), v.answer.text.to_string()]),
            );
            let marked = format!("⟦{}⟧✗", e.wrong);
            assert!(
                texts.into_iter().any(|t| t.contains(&marked)),
                "`{id}` does not mark `{}`",
                e.wrong
            );
        }
    }
}
