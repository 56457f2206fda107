//! Keys → actions, per screen. The same table handles keys, draws the footer and builds the help
//! popup, so what the help says is what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every screen (after the screen's own bindings).
    Global,
    Dashboard,
    TopicPicker,
    Review,
    TableDrill,
    Scenario,
    /// Typing a walkthrough step's answer.
    ScenarioTyping,
    Ordering,
    Search,
    Card,
    Stats,
    /// The end of a review session: its summary and what to do next.
    Summary,
    /// The card browser's table.
    Browser,
    /// Typing the card browser's filter.
    BrowserFilter,
    Mock,
    MockReport,
    Lab,
    /// A case opened in the policy lab.
    LabCase,
    Help,
    Confirm,
}

impl Scope {
    /// Screens where letters are typed as text: plain character keys are not commands there.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Scope::Search | Scope::Mock | Scope::BrowserFilter | Scope::ScenarioTyping
        )
    }
}

/// What a key asks for. Screens decide what each action means for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open, confirm, choose.
    Select,
    /// Space or Enter on a question: show the answer.
    Reveal,
    /// Space in lists: mark / unmark.
    Toggle,
    /// Ratings 1-4: Again, Hard, Good, Easy.
    Rate(u8),
    Undo,
    Suspend,
    Bury,
    Variants,
    /// Got it / missed it in walkthroughs.
    Got,
    Missed,
    Review,
    Cram,
    Mock,
    Browse,
    Stats,
    Lab,
    Search,
    Help,
    Back,
    Quit,
    /// Hand the terminal back to the shell (Ctrl-Z); `fg` resumes.
    Background,
    /// All / none in pickers.
    All,
    /// Drill mode switch (hide a column / random cells) or ordering drill.
    Mode,
    Pause,
    Hint,
    Skip,
    Submit,
    Yes,
    No,
    Edit,
    ToggleKey(u8),
    /// Card browser: unsuspend, unbury, reset to new, make due today.
    Unsuspend,
    Unbury,
    Forget,
    RescheduleToday,
    /// Open the card's AWS reference with the platform's opener.
    OpenLink,
    /// Reverse the sort order.
    Reverse,
    /// Turn mouse capture on or off (off lets the terminal select and copy text).
    Mouse,
    /// Show the deck files that were left out and why.
    Problems,
    /// Session end: more new cards today, or cards due in the next days.
    LearnMore,
    StudyAhead,
    /// Fewer / more of something (the questions of a mock interview).
    Fewer,
    More,
}

/// One binding: a key, what it does, and how help describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Scope,
    pub key: Key,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer.
    pub main: bool,
}

/// A key with modifiers, comparable with crossterm events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }
    pub const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        // Shifted letters arrive as upper-case chars, so `G` is its own key.
        let code = ev.code;
        Key { code, ctrl }
    }

    /// How the key is written in help and footers.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        if self.ctrl {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
        }
    }
}

/// The bindings in force; built from [`default_bindings`] and the user's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: default_bindings(),
        }
    }
}

impl Keymap {
    /// The action for a key in a context: the context's own bindings first, then global ones.
    pub fn action(&self, context: Scope, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        let find = |ctx: Scope| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.key == key)
                .map(|b| b.action)
        };
        let typed = context.takes_text() && is_plain_char(key);
        find(context).or_else(|| {
            if typed {
                None
            } else if matches!(context, Scope::Help | Scope::Confirm) {
                // Popups only know their own keys, plus Ctrl-C.
                (key == Key::ctrl('c')).then_some(Action::Quit)
            } else {
                find(Scope::Global)
            }
        })
    }

    /// Bindings of a context followed by the global ones, one entry per action (keys joined).
    pub fn help(&self, context: Scope) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &'static str, Action)> = Vec::new();
        let contexts: &[Scope] = if matches!(context, Scope::Help | Scope::Confirm) {
            &[context]
        } else {
            &[context, Scope::Global]
        };
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *ctx) {
                // A global binding hidden by a screen binding on the same key is not shown,
                // nor one typed as text on this screen.
                if *ctx == Scope::Global
                    && (self
                        .bindings
                        .iter()
                        .any(|o| o.context == context && o.key == b.key)
                        || (context.takes_text() && is_plain_char(b.key)))
                {
                    continue;
                }
                match rows
                    .iter_mut()
                    .find(|(_, h, a)| *a == b.action && *h == b.help)
                {
                    Some(row) => {
                        row.0.push('/');
                        row.0.push_str(&b.key.label());
                    }
                    None => rows.push((b.key.label(), b.help, b.action)),
                }
            }
        }
        rows.into_iter().map(|(k, h, _)| (k, h)).collect()
    }

    /// The footer hints of a context: its main bindings with short labels, ratings folded into
    /// one `1-4 rate`, and help and back last.
    pub fn footer(&self, context: Scope) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &'static str, Action)> = Vec::new();
        let mut tail: Vec<(String, &'static str, Action)> = Vec::new();
        let mut rates = 0;
        for b in self
            .bindings
            .iter()
            .filter(|b| b.main && (b.context == context || b.context == Scope::Global))
        {
            if b.context == Scope::Global
                && (self
                    .bindings
                    .iter()
                    .any(|o| o.context == context && o.key == b.key)
                    || (context.takes_text() && is_plain_char(b.key)))
            {
                continue;
            }
            if context == Scope::Lab && matches!(b.action, Action::ToggleKey(_)) {
                if !rows
                    .iter()
                    .any(|(_, _, a)| matches!(a, Action::ToggleKey(_)))
                {
                    rows.push(("1-9".to_string(), "pick", b.action));
                }
                continue;
            }
            if let Action::Rate(_) = b.action {
                rates += 1;
                if rates == 1 {
                    rows.push(("1-4".to_string(), "rate", b.action));
                }
                continue;
            }
            let list = if matches!(b.action, Action::Help | Action::Back) {
                &mut tail
            } else {
                &mut rows
            };
            match list.iter_mut().find(|(_, _, a)| *a == b.action) {
                // One key is enough to find help.
                Some(_) if b.action == Action::Help => {}
                Some(row) => {
                    row.0.push('/');
                    row.0.push_str(&b.key.label());
                }
                None => list.push((b.key.label(), short_label(b.action, b.help), b.action)),
            }
        }
        rows.extend(tail);
        rows.into_iter().map(|(k, h, _)| (k, h)).collect()
    }
}

fn is_plain_char(key: Key) -> bool {
    !key.ctrl && matches!(key.code, KeyCode::Char(_))
}

/// A word or two for the footer.
fn short_label(action: Action, help: &'static str) -> &'static str {
    match action {
        Action::Help => "help",
        Action::Select | Action::Back if help.starts_with("keep the filter") => "done",
        Action::Back => "back",
        Action::Review => "review",
        Action::Cram => "cram",
        Action::Mock => "mock",
        Action::Browse => "browse",
        Action::Stats => "stats",
        Action::Search if help.starts_with("filter") => "filter",
        Action::Search => "search",
        Action::Reveal => "reveal",
        Action::Undo => "undo",
        Action::Toggle => "mark",
        Action::All => "all/none",
        Action::Got => "had it",
        Action::Missed => "missed",
        Action::Submit if help.starts_with("submit") => "submit",
        Action::Submit => "check",
        Action::Variants => "versions",
        Action::Yes => "yes",
        Action::No => "no",
        Action::Select if help.starts_with("open the highlighted card") => "open",
        Action::Select => "choose",
        Action::Pause => "pause",
        Action::Hint => "hint",
        Action::Skip => "skip",
        Action::Lab => "lab",
        Action::Edit if help.starts_with("leave the answer field") => "leave field",
        Action::Edit if help.starts_with("type the step") => "type it",
        Action::Edit => "edit",
        Action::Unsuspend => "unsuspend",
        Action::Unbury => "unbury",
        Action::Forget => "forget",
        Action::RescheduleToday => "due today",
        Action::OpenLink => "open link",
        Action::Reverse => "reverse",
        Action::Mouse => "mouse",
        Action::Problems => "deck problems",
        Action::LearnMore => "learn 5 more",
        Action::StudyAhead => "study ahead",
        Action::Right if help.starts_with("sort by the next") => "sort",
        Action::ToggleKey(1) if help.starts_with("toggle MFA") => "MFA",
        Action::ToggleKey(2) if help.starts_with("source IP") => "IP",
        Action::ToggleKey(3) if help.starts_with("toggle secure") => "TLS",
        Action::ToggleKey(4) if help.starts_with("toggle a principal") => "tag",
        Action::ToggleKey(_) => "pick",
        Action::Right if help == "select the next policy" => "next policy",
        _ => help,
    }
}

macro_rules! b {
    ($ctx:ident, $key:expr, $action:expr, $help:expr) => {
        Binding {
            context: Scope::$ctx,
            key: $key,
            action: $action,
            help: $help,
            main: false,
        }
    };
    ($ctx:ident, $key:expr, $action:expr, $help:expr, main) => {
        Binding {
            context: Scope::$ctx,
            key: $key,
            action: $action,
            help: $help,
            main: true,
        }
    };
}

/// The built-in bindings. Arrows and vim keys move; `q`/Esc go back; Ctrl-C quits from anywhere.
pub fn default_bindings() -> Vec<Binding> {
    use Action::*;
    use KeyCode as K;
    let p = Key::plain;
    let c = Key::ch;
    let mut v = vec![
        // Everywhere.
        b!(Global, c('?'), Help, "show the keys of this screen", main),
        b!(
            Global,
            p(K::F(1)),
            Help,
            "show the keys of this screen",
            main
        ),
        b!(Global, c('q'), Back, "back / quit from the dashboard", main),
        b!(Global, p(K::Esc), Back, "back / quit from the dashboard"),
        b!(Global, Key::ctrl('c'), Quit, "quit (everything is saved)"),
        b!(
            Global,
            Key::ctrl('z'),
            Background,
            "suspend to the shell (`fg` resumes)"
        ),
        b!(Global, c('/'), Search, "search all cards"),
        b!(Global, p(K::Up), Up, "move up"),
        b!(Global, c('k'), Up, "move up"),
        b!(Global, p(K::Down), Down, "move down"),
        b!(Global, c('j'), Down, "move down"),
        b!(Global, p(K::PageUp), PageUp, "page up"),
        b!(Global, p(K::PageDown), PageDown, "page down"),
        b!(Global, p(K::Home), Top, "to the top"),
        b!(Global, c('g'), Top, "to the top"),
        b!(Global, p(K::End), Bottom, "to the bottom"),
        b!(Global, c('G'), Bottom, "to the bottom"),
        b!(
            Global,
            c('M'),
            Mouse,
            "mouse on / off (off: select and copy text, links)"
        ),
        // Dashboard.
        b!(Dashboard, c('r'), Review, "review today's cards", main),
        b!(Dashboard, c('c'), Cram, "cram chosen topics", main),
        b!(Dashboard, c('m'), Mock, "mock interview", main),
        b!(
            Dashboard,
            c('b'),
            Browse,
            "browse cards: state, due date, suspend / unsuspend",
            main
        ),
        b!(Dashboard, c('s'), Stats, "statistics", main),
        b!(Dashboard, c('l'), Lab, "policy lab"),
        b!(Dashboard, c('/'), Search, "search all cards", main),
        b!(Dashboard, p(K::Enter), Select, "run the highlighted action"),
        b!(
            Dashboard,
            c('!'),
            Problems,
            "deck files left out, and why (file:line:column)"
        ),
        // Topic picker.
        b!(TopicPicker, c(' '), Toggle, "mark / unmark the topic", main),
        b!(TopicPicker, c('a'), All, "all / no topics", main),
        b!(
            TopicPicker,
            p(K::Enter),
            Select,
            "start with the marked topics",
            main
        ),
        b!(
            TopicPicker,
            p(K::Left),
            Left,
            "mock interview: 5 minutes shorter"
        ),
        b!(
            TopicPicker,
            p(K::Right),
            Right,
            "mock interview: 5 minutes longer"
        ),
        b!(
            TopicPicker,
            c('-'),
            Fewer,
            "mock interview: one question fewer"
        ),
        b!(
            TopicPicker,
            c('+'),
            More,
            "mock interview: one question more"
        ),
        b!(
            TopicPicker,
            c('='),
            More,
            "mock interview: one question more"
        ),
        // Flashcard review.
        b!(Review, c(' '), Reveal, "show the answer", main),
        b!(Review, p(K::Enter), Reveal, "show the answer", main),
        b!(Review, c('1'), Rate(1), "rate Again", main),
        b!(Review, c('2'), Rate(2), "rate Hard", main),
        b!(Review, c('3'), Rate(3), "rate Good", main),
        b!(Review, c('4'), Rate(4), "rate Easy", main),
        b!(Review, c('u'), Undo, "undo the last answer", main),
        b!(Review, c('s'), Suspend, "suspend the card"),
        b!(Review, c('b'), Bury, "bury the card until tomorrow"),
        b!(
            Review,
            c('v'),
            Variants,
            "other guides' versions of the question"
        ),
        b!(
            Review,
            c('d'),
            Mode,
            "table drill: hide a column / random cells"
        ),
        b!(Review, c('o'), Mode, "scenario: ordering drill"),
        // Scenario walkthrough.
        b!(Scenario, c(' '), Reveal, "show the next step", main),
        b!(Scenario, p(K::Enter), Reveal, "show the next step"),
        b!(Scenario, c('y'), Got, "I had this step", main),
        b!(Scenario, c('n'), Missed, "I missed this step", main),
        b!(
            Scenario,
            c('i'),
            Edit,
            "type the step's answer (graded like the mock)"
        ),
        // Typing a walkthrough step: letters are text; Space on an empty field shows the step.
        b!(
            ScenarioTyping,
            p(K::Enter),
            Submit,
            "check the typed answer and show the step (empty: just show it)",
            main
        ),
        b!(
            ScenarioTyping,
            p(K::Esc),
            Edit,
            "leave the answer field (letters are commands again)",
            main
        ),
        // Ordering drill.
        b!(
            Ordering,
            p(K::Enter),
            Select,
            "pick / place the highlighted step",
            main
        ),
        b!(
            Ordering,
            c(' '),
            Select,
            "pick / place the highlighted step"
        ),
        b!(Ordering, p(K::Tab), Submit, "check the order", main),
        b!(Scenario, c('o'), Mode, "switch to the ordering drill"),
        b!(Scenario, c('u'), Undo, "undo the last answer"),
        b!(Scenario, c('s'), Suspend, "suspend the card"),
        b!(Scenario, c('b'), Bury, "bury the card until tomorrow"),
        b!(
            Ordering,
            c('1'),
            Rate(1),
            "rate Again (after checking)",
            main
        ),
        b!(
            Ordering,
            c('2'),
            Rate(2),
            "rate Hard (after checking)",
            main
        ),
        b!(
            Ordering,
            c('3'),
            Rate(3),
            "rate Good (after checking)",
            main
        ),
        b!(
            Ordering,
            c('4'),
            Rate(4),
            "rate Easy (after checking)",
            main
        ),
        b!(Ordering, c('u'), Undo, "undo the last answer"),
        b!(Ordering, c('s'), Suspend, "suspend the card"),
        b!(Ordering, c('b'), Bury, "bury the card until tomorrow"),
        // Search.
        b!(Search, p(K::Enter), Select, "open the card", main),
        b!(Search, p(K::Esc), Back, "close search", main),
        b!(Search, p(K::Up), Up, "previous result"),
        b!(Search, p(K::Down), Down, "next result"),
        b!(Search, Key::ctrl('p'), Up, "previous result"),
        b!(Search, Key::ctrl('n'), Down, "next result"),
        // A card opened from search or browse.
        b!(Card, c('r'), Review, "review this card now", main),
        b!(
            Card,
            c('v'),
            Variants,
            "other guides' versions of the question",
            main
        ),
        // The end of a session.
        b!(
            Summary,
            c('n'),
            LearnMore,
            "learn 5 more new cards today",
            main
        ),
        b!(
            Summary,
            c('a'),
            StudyAhead,
            "study ahead: cards due in the next 3 days",
            main
        ),
        b!(Summary, c('c'), Cram, "cram chosen topics", main),
        b!(Summary, c('m'), Mock, "mock interview", main),
        b!(Summary, c('u'), Undo, "undo the last answer"),
        // Card browser.
        b!(
            Browser,
            c('/'),
            Search,
            "filter the cards (is:suspended topic:kms …)",
            main
        ),
        b!(
            Browser,
            p(K::Enter),
            Select,
            "open the highlighted card",
            main
        ),
        b!(Browser, c(' '), Toggle, "mark / unmark the card", main),
        b!(Browser, c('a'), All, "mark all shown / none"),
        b!(
            Browser,
            c('u'),
            Unsuspend,
            "unsuspend the marked (or highlighted) cards",
            main
        ),
        b!(
            Browser,
            c('s'),
            Suspend,
            "suspend the marked (or highlighted) cards"
        ),
        b!(
            Browser,
            c('U'),
            Unbury,
            "unbury the marked (or highlighted) cards"
        ),
        b!(
            Browser,
            c('t'),
            RescheduleToday,
            "make the marked (or highlighted) cards due today"
        ),
        b!(
            Browser,
            c('F'),
            Forget,
            "forget: reset the marked (or highlighted) cards to new (press twice)"
        ),
        b!(
            Browser,
            c('o'),
            OpenLink,
            "open the card's AWS reference in the browser"
        ),
        b!(Browser, p(K::Right), Right, "sort by the next column", main),
        b!(Browser, p(K::Left), Left, "sort by the previous column"),
        b!(Browser, c('r'), Reverse, "reverse the sort order"),
        b!(
            BrowserFilter,
            p(K::Enter),
            Select,
            "keep the filter, back to the table",
            main
        ),
        b!(
            BrowserFilter,
            p(K::Esc),
            Back,
            "keep the filter, back to the table",
            main
        ),
        b!(BrowserFilter, p(K::Up), Up, "move up"),
        b!(BrowserFilter, p(K::Down), Down, "move down"),
        b!(
            Card,
            c('o'),
            OpenLink,
            "open the card's AWS reference in the browser"
        ),
        // Policy lab: puzzle list and puzzles.
        b!(
            Lab,
            p(K::Enter),
            Select,
            "open / answer the highlighted choice",
            main
        ),
        b!(Lab, c('1'), ToggleKey(1), "open / answer number 1", main),
        b!(Lab, c('2'), ToggleKey(2), "open / answer number 2"),
        b!(Lab, c('3'), ToggleKey(3), "open / answer number 3"),
        b!(Lab, c('4'), ToggleKey(4), "open / answer number 4"),
        b!(Lab, c('5'), ToggleKey(5), "open / answer number 5"),
        b!(Lab, c('6'), ToggleKey(6), "open / answer number 6"),
        b!(Lab, c('7'), ToggleKey(7), "open / answer number 7"),
        b!(Lab, c('8'), ToggleKey(8), "open / answer number 8"),
        b!(Lab, c('9'), ToggleKey(9), "open / answer number 9"),
        b!(Lab, c('e'), Edit, "open the puzzle's step as a case", main),
        b!(Lab, p(K::Left), Left, "scroll the story up"),
        b!(Lab, p(K::Right), Right, "scroll the story down"),
        // Policy lab: a case.
        b!(LabCase, c('1'), ToggleKey(1), "toggle MFA present", main),
        b!(
            LabCase,
            c('2'),
            ToggleKey(2),
            "source IP inside / outside",
            main
        ),
        b!(
            LabCase,
            c('3'),
            ToggleKey(3),
            "toggle secure transport",
            main
        ),
        b!(
            LabCase,
            c('4'),
            ToggleKey(4),
            "toggle a principal tag",
            main
        ),
        b!(
            LabCase,
            c('e'),
            Edit,
            "edit the selected policy in $EDITOR",
            main
        ),
        b!(LabCase, p(K::Tab), Right, "select the next policy", main),
        b!(LabCase, p(K::Right), Right, "select the next policy"),
        b!(LabCase, p(K::Left), Left, "select the previous policy"),
        b!(LabCase, p(K::BackTab), Left, "select the previous policy"),
        // Help popup.
        b!(Help, c('?'), Back, "close help"),
        b!(Help, c('q'), Back, "close help"),
        b!(Help, p(K::Esc), Back, "close help"),
        b!(Help, p(K::Up), Up, "scroll up"),
        b!(Help, c('k'), Up, "scroll up"),
        b!(Help, p(K::Down), Down, "scroll down"),
        b!(Help, c('j'), Down, "scroll down"),
        b!(Help, p(K::PageUp), PageUp, "page up"),
        b!(Help, p(K::PageDown), PageDown, "page down"),
        b!(Help, p(K::Home), Top, "to the top"),
        b!(Help, c('g'), Top, "to the top"),
        b!(Help, p(K::End), Bottom, "to the bottom"),
        b!(Help, c('G'), Bottom, "to the bottom"),
        // Confirmation popup.
        // Mock interview: while typing, commands are Ctrl keys; after Esc, plain letters.
        b!(
            Mock,
            Key::ctrl('s'),
            Submit,
            "submit the answer (Enter starts a new line)",
            main
        ),
        b!(
            Mock,
            Key::ctrl('t'),
            Hint,
            "hint: reveal one key point (it earns half credit)",
            main
        ),
        b!(
            Mock,
            c('h'),
            Hint,
            "hint: reveal one key point (it earns half credit)",
            main
        ),
        b!(
            Mock,
            Key::ctrl('p'),
            Pause,
            "pause / resume both clocks",
            main
        ),
        b!(Mock, c('p'), Pause, "pause / resume both clocks", main),
        b!(Mock, Key::ctrl('n'), Skip, "skip the question", main),
        b!(Mock, c('s'), Skip, "skip the question", main),
        b!(Mock, c('i'), Edit, "type the answer (Esc leaves the field)"),
        b!(
            Mock,
            p(K::Enter),
            Edit,
            "type the answer (Esc leaves the field)"
        ),
        b!(
            Mock,
            p(K::Tab),
            Right,
            "next step, or next key point of the verdict"
        ),
        b!(
            Mock,
            p(K::BackTab),
            Left,
            "previous step, or previous key point of the verdict"
        ),
        b!(
            Mock,
            c('f'),
            Toggle,
            "after the verdict: flip the selected key point (covered / missed)"
        ),
        b!(Mock, c('1'), Rate(1), "after the verdict: rate Again"),
        b!(Mock, c('2'), Rate(2), "after the verdict: rate Hard"),
        b!(Mock, c('3'), Rate(3), "after the verdict: rate Good"),
        b!(Mock, c('4'), Rate(4), "after the verdict: rate Easy"),
        b!(
            Mock,
            c('q'),
            Back,
            "quit the interview (asks first; saves a partial report)"
        ),
        b!(MockReport, c('q'), Back, "close the report", main),
        b!(Confirm, c('y'), Yes, "yes", main),
        b!(Confirm, p(K::Enter), Yes, "yes"),
        b!(Confirm, c('n'), No, "no", main),
        b!(Confirm, p(K::Esc), No, "no"),
        b!(Confirm, c('q'), No, "no"),
    ];
    // Vim movement in the review's scroll and pickers is covered by the global j/k.
    v.shrink_to_fit();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn screen_bindings_come_before_global_ones() {
        let km = Keymap::default();
        let space = ev(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Review, &space), Some(Action::Reveal));
        assert_eq!(km.action(Scope::TopicPicker, &space), Some(Action::Toggle));
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(km.action(Scope::Review, &j), Some(Action::Down));
        let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Scope::Review, &ctrl_c), Some(Action::Quit));
        assert_eq!(km.action(Scope::Help, &ctrl_c), Some(Action::Quit));
        assert_eq!(
            km.action(
                Scope::Dashboard,
                &ev(KeyCode::Char('c'), KeyModifiers::NONE)
            ),
            Some(Action::Cram)
        );
    }

    #[test]
    fn help_lists_every_binding_of_the_screen() {
        let km = Keymap::default();
        let help = km.help(Scope::Review);
        assert!(help.contains(&("Space/Enter".to_string(), "show the answer")));
        assert!(help.contains(&("1".to_string(), "rate Again")));
        assert!(help.contains(&("Ctrl-C".to_string(), "quit (everything is saved)")));
        assert!(help.contains(&("↑/k".to_string(), "move up")));
        // Every key that does something in review is in its help.
        for b in km.bindings.iter().filter(|b| b.context == Scope::Review) {
            assert!(
                help.iter()
                    .any(|(k, h)| k.split('/').any(|x| x == b.key.label()) && *h == b.help),
                "{b:?}"
            );
        }
    }
}
