//! The user's configuration file (`config.yaml` in the configuration directory): parsing with located
//! errors, defaults, keymap overrides, the first-run marker and the `config` subcommand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::crossterm::event::KeyCode;
use serde::{Deserialize, Serialize};

use super::keymap::{Action, Binding, Key, Keymap, Scope};
use crate::deck::load::{Pos, PosIndex, Problem, index_positions};

use super::paths::CONFIG_FILE as FILE_NAME;

/// Name of the marker written in the data directory once the welcome screen has been shown.
pub const WELCOME_MARKER: &str = "welcomed";

/// Most daily backups `backup_keep` may ask for.
pub const MAX_BACKUP_KEEP: u32 = 366;

/// Largest configuration file read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Lowest and highest accepted `desired_retention`.
pub const RETENTION_RANGE: (f64, f64) = (0.70, 0.97);

/// The effective configuration. Every key is optional in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Probability of recall the scheduler aims for (0.70-0.97).
    pub desired_retention: f64,
    /// New cards introduced per day.
    pub new_per_day: u32,
    /// Most reviews shown per day.
    pub reviews_per_day: u32,
    /// Intervals between the first steps of a new or lapsed card (`30s`, `1m`, `10m`, `1h`, `1d`).
    pub learning_steps: Vec<String>,
    pub mock: MockConfig,
    pub theme: ThemeConfig,
    /// Keymap overrides: `"<context>.<action>": "<key>"`.
    pub keys: BTreeMap<String, String>,
    /// Extra deck directories loaded besides the built-in decks.
    pub deck_dirs: Vec<PathBuf>,
    /// Daily automatic backups of the progress database kept in `<data dir>/backups/`
    /// (0 turns them off).
    pub backup_keep: u32,
    /// A folder another program syncs between machines (Syncthing, Dropbox, a git checkout):
    /// `iamdrill sync` and the app exchange progress through it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_dir: Option<PathBuf>,
    /// This machine's name as other machines show it (default: the host name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Where the file was read from and where each key sits, for errors found later.
    #[serde(skip)]
    origin: Origin,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Origin {
    file: String,
    keys: BTreeMap<String, Pos>,
}

/// Defaults of a mock interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockConfig {
    pub minutes: u32,
    pub questions: u32,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            minutes: 30,
            questions: 8,
        }
    }
}

/// Theme mode and colour overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    pub mode: ThemeMode,
    /// Colour overrides by style name: colour names (`red`, `light-blue`) or `#rrggbb`.
    pub colors: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeMode {
    #[default]
    Auto,
    Dark,
    Light,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            desired_retention: 0.90,
            new_per_day: 20,
            reviews_per_day: 200,
            learning_steps: vec!["1m".into(), "10m".into()],
            mock: MockConfig::default(),
            theme: ThemeConfig::default(),
            keys: BTreeMap::new(),
            deck_dirs: Vec::new(),
            backup_keep: 7,
            sync_dir: None,
            device_name: None,
            origin: Origin::default(),
        }
    }
}

/// Style names that `theme.colors` may override.
pub const COLOR_NAMES: &[&str] = &[
    "text", "dim", "accent", "title", "good", "bad", "warn", "selected", "border",
];

/// Contexts by the name used in `keys`.
const CONTEXTS: &[(&str, Scope)] = &[
    ("global", Scope::Global),
    ("dashboard", Scope::Dashboard),
    ("topic_picker", Scope::TopicPicker),
    ("review", Scope::Review),
    ("table_drill", Scope::TableDrill),
    ("scenario", Scope::Scenario),
    ("scenario_typing", Scope::ScenarioTyping),
    ("ordering", Scope::Ordering),
    ("search", Scope::Search),
    ("card", Scope::Card),
    ("stats", Scope::Stats),
    ("mock", Scope::Mock),
    ("mock_report", Scope::MockReport),
    ("summary", Scope::Summary),
    ("browser", Scope::Browser),
    ("browser_filter", Scope::BrowserFilter),
    ("lab", Scope::Lab),
    ("help", Scope::Help),
    ("confirm", Scope::Confirm),
];

/// Actions by the name used in `keys`, with the help text a newly added binding gets.
const ACTIONS: &[(&str, Action, &str)] = &[
    ("up", Action::Up, "up"),
    ("down", Action::Down, "down"),
    ("left", Action::Left, "left"),
    ("right", Action::Right, "right"),
    ("page_up", Action::PageUp, "page up"),
    ("page_down", Action::PageDown, "page down"),
    ("top", Action::Top, "top"),
    ("bottom", Action::Bottom, "bottom"),
    ("select", Action::Select, "open"),
    ("reveal", Action::Reveal, "show answer"),
    ("toggle", Action::Toggle, "mark"),
    ("rate_again", Action::Rate(1), "again"),
    ("rate_hard", Action::Rate(2), "hard"),
    ("rate_good", Action::Rate(3), "good"),
    ("rate_easy", Action::Rate(4), "easy"),
    ("undo", Action::Undo, "undo"),
    ("suspend", Action::Suspend, "suspend"),
    ("bury", Action::Bury, "bury"),
    ("variants", Action::Variants, "variants"),
    ("got", Action::Got, "got it"),
    ("missed", Action::Missed, "missed it"),
    ("review", Action::Review, "review"),
    ("cram", Action::Cram, "cram"),
    ("mock", Action::Mock, "mock interview"),
    ("browse", Action::Browse, "browse"),
    ("stats", Action::Stats, "stats"),
    ("lab", Action::Lab, "policy lab"),
    ("search", Action::Search, "search"),
    ("help", Action::Help, "help"),
    ("back", Action::Back, "back"),
    ("quit", Action::Quit, "quit"),
    ("background", Action::Background, "suspend to the shell"),
    ("all", Action::All, "all / none"),
    ("mode", Action::Mode, "mode"),
    ("pause", Action::Pause, "pause"),
    ("hint", Action::Hint, "hint"),
    ("skip", Action::Skip, "skip"),
    ("submit", Action::Submit, "submit"),
    ("yes", Action::Yes, "yes"),
    ("no", Action::No, "no"),
    ("edit", Action::Edit, "edit"),
    ("toggle_key_1", Action::ToggleKey(1), "toggle 1"),
    ("toggle_key_2", Action::ToggleKey(2), "toggle 2"),
    ("toggle_key_3", Action::ToggleKey(3), "toggle 3"),
    ("toggle_key_4", Action::ToggleKey(4), "toggle 4"),
    ("toggle_key_5", Action::ToggleKey(5), "toggle 5"),
    ("toggle_key_6", Action::ToggleKey(6), "toggle 6"),
    ("toggle_key_7", Action::ToggleKey(7), "toggle 7"),
    ("toggle_key_8", Action::ToggleKey(8), "toggle 8"),
    ("toggle_key_9", Action::ToggleKey(9), "toggle 9"),
    ("unsuspend", Action::Unsuspend, "unsuspend"),
    ("unbury", Action::Unbury, "unbury"),
    ("forget", Action::Forget, "forget"),
    ("reschedule_today", Action::RescheduleToday, "due today"),
    ("open_link", Action::OpenLink, "open link"),
    ("reverse", Action::Reverse, "reverse sort"),
    ("mouse", Action::Mouse, "mouse on / off"),
    ("problems", Action::Problems, "deck problems"),
    ("learn_more", Action::LearnMore, "learn more"),
    ("study_ahead", Action::StudyAhead, "study ahead"),
    ("fewer", Action::Fewer, "fewer"),
    ("more", Action::More, "more"),
];

/// Parses `"<context>.<action>"`.
pub fn parse_binding_name(name: &str) -> Result<(Scope, Action, &'static str), String> {
    let Some((ctx, act)) = name.split_once('.') else {
        return Err(format!(
            "keymap override `{name}` must be written `<context>.<action>`, e.g. `review.rate_again`"
        ));
    };
    let context = CONTEXTS
        .iter()
        .find(|(n, _)| *n == ctx)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            let names: Vec<&str> = CONTEXTS.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown keymap context `{ctx}`; expected one of: {}",
                names.join(", ")
            )
        })?;
    let (action, help) = ACTIONS
        .iter()
        .find(|(n, _, _)| *n == act)
        .map(|(_, a, h)| (*a, *h))
        .ok_or_else(|| {
            let names: Vec<&str> = ACTIONS.iter().map(|(n, _, _)| *n).collect();
            format!(
                "unknown keymap action `{act}`; expected one of: {}",
                names.join(", ")
            )
        })?;
    Ok((context, action, help))
}

/// Parses a key: a single character (`a`, `G`, `?`), a name (`Space`, `Enter`, `Esc`, `Tab`,
/// `BackTab`, `Backspace`, `Up`, `Down`, `Left`, `Right`, `PgUp`, `PgDn`, `Home`, `End`), `F1`-`F12`,
/// or `Ctrl-<key>`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let (ctrl, rest) = match text
        .strip_prefix("Ctrl-")
        .or_else(|| text.strip_prefix("ctrl-"))
        .or_else(|| text.strip_prefix("C-"))
    {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, text),
    };
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() && c != ' ' => {
            KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "s-tab" | "shift-tab" => KeyCode::BackTab,
            "backspace" | "bksp" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                Some(n) if (1..=12).contains(&n) => KeyCode::F(n),
                _ => {
                    return Err(format!(
                        "unknown key `{text}`; write a single character (`a`), a name (Space, Enter, \
                         Esc, Tab, Up, Down, Left, Right, PgUp, PgDn, Home, End, Backspace), F1-F12, \
                         or Ctrl-<key>"
                    ));
                }
            },
        },
    };
    Ok(Key { code, ctrl })
}

/// Parses a learning step (`30s`, `1m`, `10m`, `1h`, `1d`) into seconds.
pub fn parse_step(text: &str) -> Result<u64, String> {
    let err =
        || format!("learning step `{text}` must be a number followed by s, m, h or d (e.g. `10m`)");
    let t = text.trim();
    let unit = t.chars().last().ok_or_else(err)?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(err()),
    };
    let n: u64 = t[..t.len() - 1].parse().map_err(|_| err())?;
    if n == 0 {
        return Err(format!("learning step `{text}` must be longer than zero"));
    }
    match n.checked_mul(mult) {
        Some(secs) if secs <= MAX_STEP_SECS => Ok(secs),
        _ => Err(format!(
            "learning step `{text}` is longer than 30 days; longer waits are the scheduler's to choose"
        )),
    }
}

/// Parses a colour: a name (`red`, `light-blue`, `dark-gray`), an index (`42`) or `#rrggbb`.
pub fn parse_color(text: &str) -> Result<ratatui::style::Color, String> {
    ratatui::style::Color::from_str(text).map_err(|_| {
        format!("unknown colour `{text}`; use a name such as `red` or `light-blue`, or `#rrggbb`")
    })
}

/// The top-level keys of the configuration file.
const KEYS: &[&str] = &[
    "desired_retention",
    "new_per_day",
    "reviews_per_day",
    "learning_steps",
    "mock",
    "theme",
    "keys",
    "deck_dirs",
    "backup_keep",
    "sync_dir",
    "device_name",
];

/// Longest `device_name`.
pub const MAX_DEVICE_NAME: usize = 64;

/// Most new cards a day, and most reviews a day, a configuration may ask for.
pub const MAX_NEW_PER_DAY: u32 = 9_999;
pub const MAX_REVIEWS_PER_DAY: u32 = 99_999;

/// Longest learning step: longer waits are the scheduler's to choose.
pub const MAX_STEP_SECS: u64 = 30 * 86_400;

/// The first problem, saying how many more `iamdrill config check` lists.
fn first_of(mut problems: Vec<Problem>) -> Problem {
    let more = problems.len().saturating_sub(1);
    let mut first = problems.swap_remove(0);
    if more > 0 {
        first.message.push_str(&format!(
            " (and {more} more {}: `iamdrill config check` lists them all)",
            if more == 1 { "problem" } else { "problems" }
        ));
    }
    first
}

fn problem(file: &str, pos: Pos, message: impl Into<String>) -> Problem {
    Problem {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}

fn is_blank_document(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    })
}

impl Config {
    /// Parses configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, Problem> {
        Config::parse_all(text, file).map_err(first_of)
    }

    /// Parses and validates a configuration, reporting every problem at once: each key is read
    /// on its own, so one bad value does not hide the next.
    pub fn parse_all(text: &str, file: &str) -> Result<Config, Vec<Problem>> {
        if is_blank_document(text) {
            return Ok(Config {
                origin: Origin {
                    file: file.to_string(),
                    keys: BTreeMap::new(),
                },
                ..Config::default()
            });
        }
        let index = index_positions(text).map_err(|(pos, msg)| vec![problem(file, pos, msg)])?;
        let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            let pos = e
                .location()
                .map(|l| Pos {
                    line: l.line(),
                    column: l.column(),
                })
                .unwrap_or(Pos { line: 1, column: 1 });
            vec![problem(file, pos, strip_location(&e.to_string()))]
        })?;
        let mut config = Config::default();
        config.origin.file = file.to_string();
        let mut problems = Vec::new();
        let map = match value {
            serde_yaml::Value::Mapping(m) => m,
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            _ => {
                return Err(vec![problem(
                    file,
                    Pos { line: 1, column: 1 },
                    "the configuration must be a mapping of keys such as `new_per_day: 20`",
                )]);
            }
        };
        /// Reads one value into its field, or records why it could not.
        fn read<T: serde::de::DeserializeOwned>(
            value: serde_yaml::Value,
            slot: &mut T,
            name: &str,
            pos: Pos,
            file: &str,
            problems: &mut Vec<Problem>,
        ) {
            match serde_yaml::from_value::<T>(value) {
                Ok(v) => *slot = v,
                Err(e) => problems.push(problem(
                    file,
                    pos,
                    format!("{name}: {}", strip_location(&e.to_string())),
                )),
            }
        }
        for (key, value) in map {
            let Some(name) = key.as_str().map(str::to_string) else {
                problems.push(problem(
                    file,
                    Pos { line: 1, column: 1 },
                    "configuration keys must be text",
                ));
                continue;
            };
            let pos = index.find(&name);
            let p = &mut problems;
            match name.as_str() {
                "desired_retention" => {
                    read(value, &mut config.desired_retention, &name, pos, file, p)
                }
                "new_per_day" => read(value, &mut config.new_per_day, &name, pos, file, p),
                "reviews_per_day" => read(value, &mut config.reviews_per_day, &name, pos, file, p),
                "learning_steps" => read(value, &mut config.learning_steps, &name, pos, file, p),
                "keys" => read(value, &mut config.keys, &name, pos, file, p),
                "deck_dirs" => read(value, &mut config.deck_dirs, &name, pos, file, p),
                "backup_keep" => read(value, &mut config.backup_keep, &name, pos, file, p),
                "sync_dir" => read(value, &mut config.sync_dir, &name, pos, file, p),
                "device_name" => read(value, &mut config.device_name, &name, pos, file, p),
                "theme" => read(value, &mut config.theme, &name, pos, file, p),
                "mock" => match value {
                    serde_yaml::Value::Mapping(m) => {
                        for (k, v) in m {
                            let sub = k.as_str().unwrap_or_default().to_string();
                            let path = format!("mock.{sub}");
                            let at = index.find(&path);
                            match sub.as_str() {
                                "minutes" => read(v, &mut config.mock.minutes, &path, at, file, p),
                                "questions" => {
                                    read(v, &mut config.mock.questions, &path, at, file, p)
                                }
                                _ => p.push(problem(
                                    file,
                                    key_pos(text, &index, &path),
                                    format!("unknown key `{path}`; expected mock.minutes or mock.questions"),
                                )),
                            }
                        }
                    }
                    serde_yaml::Value::Null => {}
                    _ => p.push(problem(
                        file,
                        pos,
                        "mock must be a mapping such as `mock: {minutes: 30, questions: 8}`",
                    )),
                },
                _ => p.push(problem(
                    file,
                    key_pos(text, &index, &name),
                    format!("unknown key `{name}`; expected one of: {}", KEYS.join(", ")),
                )),
            }
        }
        config.validate(text, &index, &mut problems);
        if problems.is_empty() {
            // Keys that leave two actions on one key in a context.
            if let Err(p) = config.keymap() {
                problems.push(p);
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            problems.sort_by_key(|p| (p.line, p.column));
            Err(problems)
        }
    }

    fn validate(&mut self, text: &str, index: &PosIndex, problems: &mut Vec<Problem>) {
        let file = self.origin.file.clone();
        let at = |path: &str| index.find(path);
        let (lo, hi) = RETENTION_RANGE;
        if !(lo..=hi).contains(&self.desired_retention) {
            problems.push(problem(
                &file,
                at("desired_retention"),
                format!(
                    "desired_retention is {}; it must be between {lo:.2} and {hi:.2}",
                    self.desired_retention
                ),
            ));
        }
        if self.reviews_per_day == 0 || self.reviews_per_day > MAX_REVIEWS_PER_DAY {
            problems.push(problem(
                &file,
                at("reviews_per_day"),
                format!(
                    "reviews_per_day is {}; it must be between 1 and {MAX_REVIEWS_PER_DAY}",
                    self.reviews_per_day
                ),
            ));
        }
        if self.new_per_day > MAX_NEW_PER_DAY {
            problems.push(problem(
                &file,
                at("new_per_day"),
                format!(
                    "new_per_day is {}; it must be between 0 and {MAX_NEW_PER_DAY}",
                    self.new_per_day
                ),
            ));
        }
        for (i, step) in self.learning_steps.iter().enumerate() {
            if let Err(m) = parse_step(step) {
                problems.push(problem(&file, at(&format!("learning_steps[{i}]")), m));
            }
        }
        if self.mock.minutes == 0 || self.mock.minutes > 240 {
            problems.push(problem(
                &file,
                at("mock.minutes"),
                "mock.minutes must be between 1 and 240",
            ));
        }
        if self.mock.questions == 0 || self.mock.questions > 100 {
            problems.push(problem(
                &file,
                at("mock.questions"),
                "mock.questions must be between 1 and 100",
            ));
        }
        for (name, colour) in &self.theme.colors {
            let path = format!("theme.colors.{name}");
            if !COLOR_NAMES.contains(&name.as_str()) {
                problems.push(problem(
                    &file,
                    key_pos(text, index, &path),
                    format!(
                        "unknown colour name `{name}`; expected one of: {}",
                        COLOR_NAMES.join(", ")
                    ),
                ));
            }
            if let Err(m) = parse_color(colour) {
                problems.push(problem(&file, at(&path), m));
            }
        }
        for (name, key) in &self.keys {
            let path = format!("keys.{name}");
            let pos = at(&path);
            if let Err(m) = parse_binding_name(name) {
                problems.push(problem(&file, key_pos(text, index, &path), m));
            }
            if let Err(m) = parse_key(key) {
                problems.push(problem(&file, pos, m));
            }
            self.origin.keys.insert(name.clone(), pos);
        }
        if self.backup_keep > MAX_BACKUP_KEEP {
            problems.push(problem(
                &file,
                at("backup_keep"),
                format!(
                    "backup_keep is {}; it must be between 0 (no daily backups) and {MAX_BACKUP_KEEP}",
                    self.backup_keep
                ),
            ));
        }
        if self
            .sync_dir
            .as_ref()
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            problems.push(problem(
                &file,
                at("sync_dir"),
                "sync_dir must not be empty; leave it out to sync only with `iamdrill sync DIR`",
            ));
        }
        if let Some(name) = &self.device_name
            && (name.trim().is_empty()
                || name.chars().count() > MAX_DEVICE_NAME
                || name.chars().any(char::is_control))
        {
            problems.push(problem(
                &file,
                at("device_name"),
                format!(
                    "device_name must be 1 to {MAX_DEVICE_NAME} characters without control characters"
                ),
            ));
        }
        for (i, dir) in self.deck_dirs.iter().enumerate() {
            if dir.as_os_str().is_empty() {
                problems.push(problem(
                    &file,
                    at(&format!("deck_dirs[{i}]")),
                    "deck_dirs entries must not be empty",
                ));
            }
        }
    }

    /// Reads and parses a configuration file, every problem at once.
    pub fn load_all(path: &Path) -> Result<Config, Vec<Problem>> {
        let file = path.display().to_string();
        let bytes = crate::deck::read::read_bounded(path, MAX_CONFIG_BYTES).map_err(|e| {
            vec![Problem {
                file: file.clone(),
                line: 1,
                column: 1,
                message: format!("cannot read the configuration file: {e}"),
            }]
        })?;
        let text = crate::deck::load::decode(&bytes, &file).map_err(|p| vec![p])?;
        Config::parse_all(&text, &file)
    }

    /// Reads and parses a configuration file (a regular file of at most [`MAX_CONFIG_BYTES`]).
    pub fn load(path: &Path) -> Result<Config, Problem> {
        let file = path.display().to_string();
        let bytes =
            crate::deck::read::read_bounded(path, MAX_CONFIG_BYTES).map_err(|e| Problem {
                file: file.clone(),
                line: 1,
                column: 1,
                message: format!("cannot read the configuration file: {e}"),
            })?;
        let text = crate::deck::load::decode(&bytes, &file)?;
        Config::parse(&text, &file)
    }

    /// Loads the configuration file at `path`; a missing file gives the defaults.
    pub fn load_or_default(path: &Path) -> Result<Config, Problem> {
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            _ => Config::load(path),
        }
    }

    /// The file the configuration was read from (empty for the defaults).
    pub fn file(&self) -> &str {
        &self.origin.file
    }

    /// Learning steps in seconds (validated when the configuration was parsed).
    pub fn learning_steps_secs(&self) -> Vec<u64> {
        self.learning_steps
            .iter()
            .filter_map(|s| parse_step(s).ok())
            .collect()
    }

    /// The theme the configuration asks for. `NO_COLOR` is the caller's to honour on top of this.
    pub fn theme_mode(&self) -> ThemeMode {
        self.theme.mode
    }

    /// The keymap with the `keys` overrides applied (clashes are errors located in the file).
    pub fn keymap(&self) -> Result<Keymap, Problem> {
        let mut keymap = Keymap::default();
        self.apply_keymap(&mut keymap)?;
        Ok(keymap)
    }

    /// Colour overrides, parsed.
    pub fn color_overrides(&self) -> Vec<(String, ratatui::style::Color)> {
        self.theme
            .colors
            .iter()
            .filter_map(|(n, c)| parse_color(c).ok().map(|c| (n.clone(), c)))
            .collect()
    }

    /// Applies the `keys` overrides: an override replaces the keys of that action in that context
    /// (or adds a binding where the context had none). Two actions left on one key in the same
    /// context is an error located at the override.
    pub fn apply_keymap(&self, keymap: &mut Keymap) -> Result<(), Problem> {
        let file = if self.origin.file.is_empty() {
            FILE_NAME.to_string()
        } else {
            self.origin.file.clone()
        };
        let mut touched: Vec<(String, Scope, Key)> = Vec::new();
        for (name, key_text) in &self.keys {
            let pos = self
                .origin
                .keys
                .get(name)
                .copied()
                .unwrap_or(Pos { line: 1, column: 1 });
            let (context, action, help) =
                parse_binding_name(name).map_err(|m| problem(&file, pos, m))?;
            let key = parse_key(key_text).map_err(|m| problem(&file, pos, m))?;
            let existing = keymap
                .bindings
                .iter()
                .position(|b| b.context == context && b.action == action);
            match existing {
                Some(i) => {
                    keymap.bindings[i].key = key;
                    let mut n = 0;
                    keymap.bindings.retain(|b| {
                        !(b.context == context && b.action == action) || {
                            n += 1;
                            n == 1
                        }
                    });
                }
                None => keymap.bindings.push(Binding {
                    context,
                    key,
                    action,
                    help,
                    main: false,
                }),
            }
            touched.push((name.clone(), context, key));
        }
        for (name, context, key) in &touched {
            let clash: Vec<&Binding> = keymap
                .bindings
                .iter()
                .filter(|b| b.context == *context && b.key == *key)
                .collect();
            if clash.len() > 1 {
                let pos = self
                    .origin
                    .keys
                    .get(name)
                    .copied()
                    .unwrap_or(Pos { line: 1, column: 1 });
                let others: Vec<&str> = clash.iter().map(|b| b.help).collect();
                return Err(problem(
                    &file,
                    pos,
                    format!(
                        "key {} in `{name}` is also bound to another action there ({}); rebind that \
                         action too",
                        key.label(),
                        others.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Where a mapping key (not its value) sits. The index records values; the key is on the
/// value's line or, for a block value, on a line above it, written `name:` or `"name":`.
fn key_pos(text: &str, index: &PosIndex, path: &str) -> Pos {
    let value = index.find(path);
    let name = path.rsplit('.').next().unwrap_or(path);
    let lines: Vec<&str> = text.lines().collect();
    for line_no in (1..=value.line.min(lines.len())).rev() {
        let line = lines[line_no - 1];
        for quote in ["", "\"", "'"] {
            let key = format!("{quote}{name}{quote}");
            let mut from = 0;
            while let Some(i) = line[from..].find(&key) {
                let at = from + i;
                let after = line[at + key.len()..].trim_start();
                let before_ok = line[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || c == '{' || c == ',');
                if before_ok && after.starts_with(':') {
                    return Pos {
                        line: line_no,
                        column: line[..at].chars().count() + 1,
                    };
                }
                from = at + key.len();
            }
        }
    }
    value
}

/// serde's message repeats the location ("at line 3 column 5"); we print it in front instead.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A commented configuration file listing every key with its default.
pub fn example() -> String {
    let colors = COLOR_NAMES.join(", ");
    format!(
        r##"# iamdrill configuration: {FILE_NAME} in the configuration directory (see `iamdrill paths`).
# Every key is optional; the values below are the defaults. Check a file with `iamdrill config check`.

# Probability of recalling a card that the scheduler aims for (0.70-0.97).
# Higher means more reviews per day.
desired_retention: 0.9

# New cards introduced per day.
new_per_day: 20

# Most reviews shown per day.
reviews_per_day: 200

# Steps a new or forgotten card goes through before the scheduler takes over
# (a number followed by s, m, h or d).
learning_steps: ["1m", "10m"]

# Default length of a mock interview.
mock:
  minutes: 30
  questions: 8

theme:
  # auto (reads on dark and light terminals), dark or light. NO_COLOR turns colours off.
  mode: auto
  # Colour overrides by style name ({colors}):
  # a name such as red or light-blue, or #rrggbb.
  colors: {{}}
  # colors:
  #   accent: "#ff9900"

# Keymap overrides, "<context>.<action>": "<key>". Keys: a character, Space, Enter, Esc, Tab,
# Up, Down, Left, Right, PgUp, PgDn, Home, End, Backspace, F1-F12, or Ctrl-<key>.
# The help screen and the footer show the keys in force.
keys: {{}}
# keys:
#   review.rate_again: "a"
#   global.quit: "Ctrl-q"

# Extra directories of YAML decks, loaded besides the built-in decks.
deck_dirs: []

# Daily backups of the progress database kept in the backups/ folder of the data directory
# (0-366; 0 turns the daily backup off). `iamdrill backup` makes one at any time.
backup_keep: 7

# A folder synced between your machines by another program (Syncthing, Dropbox, iCloud Drive,
# a git repository): `iamdrill sync` and the app (when it starts and quits) exchange progress
# through it, one append-only file per machine. Unset: no sync.
# sync_dir: ~/Sync/iamdrill

# This machine's name as the others show it ("12 answers from laptop"); default: the host name.
# device_name: laptop
"##
    )
}

/// Returns true the first time it is called for a data directory, and writes a marker so that later
/// calls return false. If the marker cannot be written the welcome shows again next time.
pub fn first_run(data_dir: &Path) -> bool {
    let marker = data_dir.join(WELCOME_MARKER);
    if marker.exists() {
        return false;
    }
    if let Err(e) = std::fs::create_dir_all(data_dir)
        .and_then(|_| std::fs::write(&marker, "the welcome screen has been shown\n"))
    {
        log::warn!("cannot write {}: {e}", marker.display());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_to_defaults() {
        let c = Config::parse(&example(), "example.yaml").unwrap();
        let mut d = Config::default();
        d.origin.file = "example.yaml".into();
        assert_eq!(c, d);
    }

    #[test]
    fn empty_and_comment_only_files_are_defaults() {
        assert_eq!(Config::parse("", "c.yaml").unwrap().new_per_day, 20);
        assert_eq!(
            Config::parse("# nothing\n\n", "c.yaml")
                .unwrap()
                .desired_retention,
            0.90
        );
    }

    #[test]
    fn values_are_read() {
        let c = Config::parse(
            "desired_retention: 0.85\nnew_per_day: 5\nmock:\n  minutes: 45\ntheme:\n  mode: light\n  colors:\n    accent: \"#ff9900\"\nlearning_steps: [30s, 2h]\ndeck_dirs: [/tmp/decks]\n",
            "c.yaml",
        )
        .unwrap();
        assert_eq!(c.desired_retention, 0.85);
        assert_eq!(c.new_per_day, 5);
        assert_eq!(c.mock.minutes, 45);
        assert_eq!(c.mock.questions, 8);
        assert_eq!(c.theme_mode(), ThemeMode::Light);
        assert_eq!(c.learning_steps_secs(), vec![30, 7200]);
        assert_eq!(
            c.color_overrides(),
            vec![(
                "accent".to_string(),
                ratatui::style::Color::Rgb(0xff, 0x99, 0)
            )]
        );
        assert_eq!(c.deck_dirs, vec![PathBuf::from("/tmp/decks")]);
    }

    #[test]
    fn unknown_key_is_located() {
        let e = Config::parse(
            "new_per_day: 3\nmock:\n  minutes: 20\n  lenght: 4\n",
            "c.yaml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (4, 3), "{e}");
        assert!(e.message.contains("lenght"), "{e}");
        assert!(e.to_string().starts_with("c.yaml:4:3: "), "{e}");
    }

    #[test]
    fn bad_values_are_located() {
        let cases = [
            ("desired_retention: 0.5\n", 1, 20, "between"),
            ("new_per_day: -3\n", 1, 14, ""),
            ("mock:\n  minutes: 0\n", 2, 12, "mock.minutes"),
            ("learning_steps: [1m, 10x]\n", 1, 22, "learning step"),
            ("theme:\n  mode: neon\n", 2, 9, "neon"),
            ("theme:\n  colors:\n    accent: mauvish\n", 3, 13, "colour"),
            (
                "keys:\n  review.rate_again: \"Hyper-x\"\n",
                2,
                22,
                "unknown key",
            ),
            ("keys:\n  reviw.rate_again: a\n", 2, 3, "context"),
            ("keys:\n  review.rate_soon: a\n", 2, 3, "action"),
        ];
        for (text, line, _col, needle) in cases {
            let e = Config::parse(text, "c.yaml").unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.column >= 1, "{text:?}: {e}");
            assert!(e.message.contains(needle), "{text:?}: {e}");
        }
    }

    #[test]
    fn malformed_yaml_is_located() {
        let e = Config::parse("mock:\n  minutes: [1,\n", "c.yaml").unwrap_err();
        assert!(e.line >= 2, "{e}");
    }

    #[test]
    fn keys_parse() {
        assert_eq!(parse_key("a").unwrap(), Key::ch('a'));
        assert_eq!(parse_key("G").unwrap(), Key::ch('G'));
        assert_eq!(parse_key("Space").unwrap(), Key::ch(' '));
        assert_eq!(parse_key("Enter").unwrap(), Key::plain(KeyCode::Enter));
        assert_eq!(parse_key("Ctrl-s").unwrap(), Key::ctrl('s'));
        assert_eq!(parse_key("Ctrl-S").unwrap(), Key::ctrl('s'));
        assert_eq!(parse_key("F5").unwrap(), Key::plain(KeyCode::F(5)));
        assert_eq!(parse_key("PgDn").unwrap(), Key::plain(KeyCode::PageDown));
        assert!(parse_key("F13").is_err());
        assert!(parse_key("").is_err());
        assert!(parse_key("Meta-x").is_err());
    }

    #[test]
    fn steps_parse() {
        assert_eq!(parse_step("1m"), Ok(60));
        assert_eq!(parse_step("1d"), Ok(86_400));
        assert!(parse_step("0m").is_err());
        assert!(parse_step("m").is_err());
        assert!(parse_step("5y").is_err());
    }

    #[test]
    fn keymap_override_changes_help_and_footer() {
        let c = Config::parse("keys:\n  review.rate_again: \"a\"\n", "c.yaml").unwrap();
        let mut km = Keymap::default();
        let before = km
            .bindings
            .iter()
            .filter(|b| b.context == Scope::Review && b.action == Action::Rate(1))
            .count();
        assert!(before >= 1);
        c.apply_keymap(&mut km).unwrap();
        let now: Vec<&Binding> = km
            .bindings
            .iter()
            .filter(|b| b.context == Scope::Review && b.action == Action::Rate(1))
            .collect();
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].key, Key::ch('a'));
        let help = km.help(Scope::Review);
        assert!(help.iter().any(|(k, _)| k == "a"), "{help:?}");
        let ev = ratatui::crossterm::event::KeyEvent::from(KeyCode::Char('a'));
        assert_eq!(km.action(Scope::Review, &ev), Some(Action::Rate(1)));
    }

    #[test]
    fn keymap_override_adds_missing_binding() {
        let c = Config::parse("keys:\n  stats.quit: F10\n", "c.yaml").unwrap();
        let mut km = Keymap::default();
        c.apply_keymap(&mut km).unwrap();
        let ev = ratatui::crossterm::event::KeyEvent::from(KeyCode::F(10));
        assert_eq!(km.action(Scope::Stats, &ev), Some(Action::Quit));
    }

    #[test]
    fn keymap_clash_is_located() {
        // Reported by parsing itself, so `config check` and every command see it.
        let e = Config::parse("keys:\n  review.rate_again: \"2\"\n", "c.yaml").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("also bound"), "{e}");
    }

    #[test]
    fn first_run_is_true_once() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert!(first_run(&data));
        assert!(!first_run(&data));
        assert!(data.join(WELCOME_MARKER).exists());
    }

    #[test]
    fn every_problem_is_reported_at_once_with_ranges_checked() {
        let text = "learning_steps: [\"144115188075855872d\", \"10m\"]\nnew_per_day: -5\nreviews_per_day: 100000\nmock:\n  minutes: 0\n  speed: 2\nmax_interval: 3\n";
        let problems = Config::parse_all(text, "c.yaml").unwrap_err();
        let got: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            got,
            [(1, 18), (2, 14), (3, 18), (5, 12), (6, 3), (7, 1)],
            "{problems:?}"
        );
        assert!(
            problems[0].message.contains("longer than 30 days"),
            "{problems:?}"
        );
        assert!(
            problems[2].message.contains("between 1 and 99999"),
            "{problems:?}"
        );
        // Other commands stop on the first and say how many more there are.
        let first = Config::parse(text, "c.yaml").unwrap_err();
        assert!(first.message.contains("and 5 more problems"), "{first}");
    }

    #[test]
    fn learning_steps_cannot_overflow() {
        assert!(parse_step("144115188075855872d").is_err());
        assert!(parse_step("18446744073709551615s").is_err());
        assert_eq!(parse_step("30d"), Ok(30 * 86_400));
        assert!(parse_step("31d").is_err());
    }
}
