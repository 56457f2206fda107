//! The README's screen captures and keyboard reference come from the app itself: this test renders
//! them and fails when README.md differs. `IAMDRILL_UPDATE_README=1 cargo test --test readme`
//! rewrites them.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use iamdrill::context::keymap::{Keymap, Scope};
use iamdrill::deck::{self, CardKind, Library};
use iamdrill::store::Store;
use iamdrill::ui::app::{App, Screen};
use iamdrill::ui::screens::mock::MockOptions;
use iamdrill::ui::theme::{Theme, ThemeKind};
use iamdrill::ui::{Open, Purpose};

const NOW: i64 = 1_780_000_000_000;

fn app(dir: &tempfile::TempDir, open: Option<Open>) -> App {
    let lib = Library::from_decks(deck::builtin_decks());
    let store = Store::open_path(&dir.path().join("progress.sqlite3")).unwrap();
    let theme = Theme::new(ThemeKind::Mono);
    match open {
        Some(o) => App::with(lib, store, theme, Keymap::default(), NOW, o),
        None => App::new(lib, store, theme, Keymap::default(), NOW),
    }
}

fn press(app: &mut App, c: char) {
    app.on_key(
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        NOW + 42_000,
    );
}

fn until(app: &mut App, id: &str) {
    for _ in 0..200 {
        if let Some(Screen::Review { screen, .. }) = app.top()
            && screen.card.as_ref().is_some_and(|c| c.id == id)
        {
            return;
        }
        press(app, 'b');
    }
    panic!("card {id} never came up");
}

fn capture(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn captures() -> Vec<(&'static str, String)> {
    let mut shots = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    shots.push(("dashboard", capture(&app(&dir, None))));

    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        Some(Open::Cram {
            topics: vec!["kms".into()],
            reschedule: true,
        }),
    );
    until(&mut a, "kms-key-policy-vs-iam");
    press(&mut a, ' ');
    shots.push(("review", capture(&a)));

    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        Some(Open::Cram {
            topics: vec!["iam-identities".into()],
            reschedule: true,
        }),
    );
    let table = a
        .lib
        .cards()
        .find(|c| c.kind == CardKind::Table && c.topic == "iam-identities")
        .unwrap()
        .id
        .clone();
    until(&mut a, &table);
    shots.push(("table drill", capture(&a)));

    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        Some(Open::Cram {
            topics: vec!["scenarios".into()],
            reschedule: true,
        }),
    );
    until(&mut a, "leaked-access-key");
    press(&mut a, ' ');
    press(&mut a, ' ');
    press(&mut a, 'y');
    press(&mut a, ' ');
    shots.push(("scenario", capture(&a)));

    // A two-question mock interview: one answer typed, one skipped, then the report.
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, None);
    a.open_mock(&MockOptions {
        minutes: 10,
        questions: 2,
        topics: vec!["sts".into()],
        seed: Some(5),
    });
    let at = |s: i64| NOW + s * 1000;
    for c in "AssumeRole for cross-account roles, AssumeRoleWithSAML for SAML federation, AssumeRoleWithWebIdentity for OIDC tokens like IRSA, GetSessionToken for MFA".chars() {
        a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), at(60));
    }
    a.on_key(
        KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
        at(95),
    );
    a.on_key(
        KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE),
        at(110),
    );
    a.on_key(
        KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL),
        at(200),
    );
    a.on_key(
        KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE),
        at(210),
    );
    shots.push(("mock interview report", capture(&a)));

    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, None);
    a.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE), NOW);
    assert!(matches!(a.top(), Some(Screen::Picker(p)) if p.purpose == Purpose::Cram));
    shots.push(("topic picker", capture(&a)));

    // The end of a short KMS review: its summary and what to do next.
    let dir = tempfile::tempdir().unwrap();
    Store::open_path(&dir.path().join("progress.sqlite3"))
        .unwrap()
        .set_limits(3, 200)
        .unwrap();
    let mut a = app(
        &dir,
        Some(Open::Review {
            topics: vec!["kms".into()],
        }),
    );
    for c in [' ', '4', ' ', '3', ' ', '4'] {
        press(&mut a, c);
    }
    for _ in 0..20 {
        if matches!(a.top(), Some(Screen::Review { screen, .. }) if screen.card.is_none()) {
            break;
        }
        press(&mut a, ' ');
        press(&mut a, '4');
    }
    shots.push(("session summary", capture(&a)));

    // The card browser on the KMS cards after a short review: three answered, one suspended.
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(
        &dir,
        Some(Open::Review {
            topics: vec!["kms".into()],
        }),
    );
    for c in [' ', '3', ' ', '1', ' ', '4', 's'] {
        press(&mut a, c);
    }
    let mut a = app(
        &dir,
        Some(Open::Browser {
            filter: "topic:kms".into(),
        }),
    );
    press(&mut a, 'j');
    shots.push(("card browser", capture(&a)));
    shots
}

/// The keyboard reference, per screen, from the keymap that handles the keys.
fn keys_reference() -> String {
    let km = Keymap::default();
    let mut out = String::new();
    for (name, ctx) in [
        ("Everywhere", Scope::Global),
        ("Dashboard", Scope::Dashboard),
        ("Topic picker", Scope::TopicPicker),
        ("Review", Scope::Review),
        ("Scenario walkthrough", Scope::Scenario),
        ("Typing a walkthrough step", Scope::ScenarioTyping),
        ("Ordering drill", Scope::Ordering),
        ("Search", Scope::Search),
        ("Card", Scope::Card),
        ("Card browser", Scope::Browser),
    ] {
        out.push_str(&format!("\n**{name}**\n\n| key | does |\n|---|---|\n"));
        let rows = if ctx == Scope::Global {
            km.bindings
                .iter()
                .filter(|b| b.context == Scope::Global)
                .fold(Vec::<(String, &str)>::new(), |mut acc, b| {
                    match acc.iter_mut().find(|(_, h)| *h == b.help) {
                        Some(row) => {
                            row.0.push('/');
                            row.0.push_str(&b.key.label());
                        }
                        None => acc.push((b.key.label(), b.help)),
                    }
                    acc
                })
        } else {
            let global: Vec<&str> = km
                .bindings
                .iter()
                .filter(|b| b.context == Scope::Global)
                .map(|b| b.help)
                .collect();
            km.help(ctx)
                .into_iter()
                .filter(|(_, h)| !global.contains(h))
                .collect()
        };
        for (k, h) in rows {
            out.push_str(&format!("| `{}` | {h} |\n", k.replace('|', "\\|")));
        }
    }
    out
}

fn section(readme: &str, name: &str) -> Option<(usize, usize)> {
    let start_tag = format!("<!-- generated:{name} -->\n");
    let end_tag = format!("<!-- /generated:{name} -->");
    let start = readme.find(&start_tag)? + start_tag.len();
    let end = readme[start..].find(&end_tag)? + start;
    Some((start, end))
}

fn expected_sections() -> Vec<(String, String)> {
    let mut shots = String::new();
    for (name, text) in captures() {
        shots.push_str(&format!("\n*{name}*\n\n```text\n{text}```\n"));
    }
    vec![
        ("screens".to_string(), shots),
        ("keys".to_string(), keys_reference()),
    ]
}

#[test]
fn readme_captures_and_keys_come_from_the_app() {
    let mut readme = std::fs::read_to_string("README.md").unwrap();
    let update = std::env::var_os("IAMDRILL_UPDATE_README").is_some();
    for (name, body) in expected_sections() {
        let (start, end) = section(&readme, &name)
            .unwrap_or_else(|| panic!("README.md lacks the generated:{name} section"));
        if update {
            readme.replace_range(start..end, &body);
        } else {
            assert!(
                readme[start..end] == body,
                "README.md's {name} section is out of date: run IAMDRILL_UPDATE_README=1 cargo test --test readme"
            );
        }
    }
    if update {
        std::fs::write("README.md", readme).unwrap();
    }
}
