//! Policy Lab: the shipped puzzles (name the policy that breaks the chain; the engine confirms
//! and explains) and a case view (request, policies, decision, the deciding statement
//! highlighted; context keys toggled live; a policy edited in `$EDITOR` and re-evaluated).

use std::collections::BTreeMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::policy::case::Case;
use crate::policy::eval::{Evaluation, NamedPolicy, StatementRef};
use crate::policy::lab::{self, Puzzle, Verdict};
use crate::policy::{Decision, PolicyType};
use crate::ui::text::{sanitize, truncate, width, wrap};
use crate::ui::theme::Theme;
use crate::ui::widgets::markup::json_lines;
use crate::ui::{Action, Effect, Input, Scope, Scroll};

/// Windows at least this wide show a case's policies side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 100;

/// The context keys the case view toggles, in key order (1-4).
pub const TOGGLES: &[&str] = &[
    "MFA present",
    "source IP",
    "secure transport",
    "principal tag",
];

/// A case opened in the case view.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub title: String,
    pub case: Case,
    pub evaluation: Evaluation,
    /// The policy `e` edits (index into [`policies`]).
    pub selected: usize,
    /// The last edit's error, with the parser's line and column.
    pub error: Option<String>,
    /// A short note on the last toggle or edit.
    pub message: Option<String>,
    pub scroll: Scroll,
}

impl CaseView {
    pub fn new(title: String, case: Case) -> CaseView {
        let evaluation = case.evaluate();
        CaseView {
            title,
            case,
            evaluation,
            selected: 0,
            error: None,
            message: None,
            scroll: Scroll::default(),
        }
    }

    fn reevaluate(&mut self) {
        self.evaluation = self.case.evaluate();
    }

    /// The policy `e` edits.
    pub fn selected_policy(&self) -> Option<&NamedPolicy> {
        policies(&self.case).get(self.selected).map(|(_, p)| *p)
    }

    /// Cycles context key `n` (1-based, see [`TOGGLES`]) and re-evaluates.
    pub fn toggle(&mut self, n: u8) {
        let hints = ContextHints::of(&self.case);
        let ctx = &mut self.case.request.context;
        let state = match n {
            1 => cycle(ctx, "aws:multifactorauthpresent", &["true", "false"]),
            2 => {
                let inside = hints.inside_ip();
                let outside = hints.outside_ip();
                cycle(ctx, "aws:sourceip", &[inside.as_str(), outside.as_str()])
            }
            3 => cycle(ctx, "aws:securetransport", &["true", "false"]),
            4 => {
                let (key, value) = hints.tag();
                let tags = &mut self.case.request.principal.tags;
                let ctx_key = format!("aws:principaltag/{}", key.to_lowercase());
                let next = match tags.get(&key).map(String::as_str) {
                    None => Some(value.clone()),
                    Some(v) if v == value => Some(format!("not-{value}")),
                    Some(_) => None,
                };
                match &next {
                    Some(v) => {
                        tags.insert(key.clone(), v.clone());
                        ctx.insert(ctx_key, vec![v.clone()]);
                    }
                    None => {
                        tags.remove(&key);
                        ctx.remove(&ctx_key);
                    }
                }
                format!(
                    "tag {key} = {}",
                    next.unwrap_or_else(|| "(absent)".to_string())
                )
            }
            _ => return,
        };
        let before = self.evaluation.decision;
        self.reevaluate();
        self.message = Some(format!(
            "{}: {state} → {}{}",
            TOGGLES[usize::from(n - 1)],
            self.evaluation.decision,
            if before == self.evaluation.decision {
                " (unchanged)"
            } else {
                ""
            }
        ));
    }

    /// Replaces the selected policy with edited JSON; on error keeps the old one and says where.
    pub fn apply_edit(&mut self, text: &str) {
        let Some((_, old)) = policies(&self.case).get(self.selected).cloned() else {
            return;
        };
        let (name, ty, kind) = (old.name.clone(), old.policy_type, old.kind);
        match NamedPolicy::parse(&name, ty, kind, text) {
            Ok(new) => {
                if let Some(slot) = policy_mut(&mut self.case, self.selected) {
                    *slot = new;
                }
                self.error = None;
                let before = self.evaluation.decision;
                self.reevaluate();
                self.message = Some(format!(
                    "\"{name}\" edited: {} (was {before})",
                    self.evaluation.decision
                ));
            }
            Err(e) => {
                let at = match e.pos {
                    Some(p) => format!("line {}, column {}", p.line, p.column),
                    None => "somewhere".to_string(),
                };
                self.error = Some(format!(
                    "\"{name}\" not changed: the edited policy is invalid at {at} ({}): {}",
                    e.path, e.message
                ));
            }
        }
    }
}

/// Cycles a single-valued context key through absent → values… → absent; returns the new state.
fn cycle(ctx: &mut BTreeMap<String, Vec<String>>, key: &str, values: &[&str]) -> String {
    let current = ctx.get(key).and_then(|v| v.first()).cloned();
    let pos = current
        .as_deref()
        .and_then(|c| values.iter().position(|v| *v == c));
    let next = match (current.is_some(), pos) {
        (false, _) => Some(values[0]),
        (true, Some(i)) if i + 1 < values.len() => Some(values[i + 1]),
        _ => None,
    };
    match next {
        Some(v) => {
            ctx.insert(key.to_string(), vec![v.to_string()]);
            v.to_string()
        }
        None => {
            ctx.remove(key);
            "(absent)".to_string()
        }
    }
}

/// Values the case's policies test, so toggles land inside and outside them.
struct ContextHints {
    cidrs: Vec<String>,
    tag: Option<(String, String)>,
}

impl ContextHints {
    fn of(case: &Case) -> ContextHints {
        let mut h = ContextHints {
            cidrs: Vec::new(),
            tag: None,
        };
        for (_, p) in policies(case) {
            for c in p.policy.statements.iter().flat_map(|st| &st.conditions) {
                h.condition(&c.key, c.values.first().map(String::as_str));
            }
        }
        h
    }

    fn condition(&mut self, key: &str, first: Option<&str>) {
        let lower = key.to_lowercase();
        if lower == "aws:sourceip" {
            if let Some(f) = first {
                self.cidrs.push(f.to_string());
            }
        } else if let Some(tag) = key
            .get(..17)
            .filter(|p| p.eq_ignore_ascii_case("aws:PrincipalTag/"))
            .map(|_| &key[17..])
            && self.tag.is_none()
            && !tag.contains('$')
        {
            let value = first.filter(|v| !v.contains("${")).unwrap_or("security");
            self.tag = Some((tag.to_string(), value.to_string()));
        }
    }

    /// An address inside the first IPv4 range the policies name.
    fn inside_ip(&self) -> String {
        self.cidrs
            .iter()
            .find_map(|c| {
                let (base, bits) = c.split_once('/').unwrap_or((c, "32"));
                let ip: std::net::Ipv4Addr = base.parse().ok()?;
                let bits: u32 = bits.parse().ok()?;
                let n = u32::from(ip);
                let host = if bits >= 31 { n } else { n | 1 };
                Some(std::net::Ipv4Addr::from(host).to_string())
            })
            .unwrap_or_else(|| "203.0.113.10".into())
    }

    /// A documentation address outside every range the policies name.
    fn outside_ip(&self) -> String {
        for candidate in ["198.51.100.200", "192.0.2.200", "203.0.113.200"] {
            let Ok(ip) = candidate.parse::<std::net::Ipv4Addr>() else {
                continue;
            };
            let inside = self.cidrs.iter().any(|c| {
                let (base, bits) = c.split_once('/').unwrap_or((c, "32"));
                match (base.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>()) {
                    (Ok(b), Ok(bits)) if bits <= 32 => {
                        let mask = if bits == 0 {
                            0
                        } else {
                            u32::MAX << (32 - bits)
                        };
                        u32::from(b) & mask == u32::from(ip) & mask
                    }
                    _ => false,
                }
            });
            if !inside {
                return candidate.to_string();
            }
        }
        "198.51.100.200".into()
    }

    fn tag(&self) -> (String, String) {
        self.tag
            .clone()
            .unwrap_or_else(|| ("team".into(), "security".into()))
    }
}

/// Every policy of a case with its label, in a fixed order (identity, resource, boundary,
/// session, SCPs, RCPs).
pub fn policies(case: &Case) -> Vec<(String, &NamedPolicy)> {
    let mut out = Vec::new();
    let p = &case.policies;
    for n in &p.identity {
        out.push((p_label(n, None), n));
    }
    if let Some(n) = &p.resource {
        out.push((p_label(n, None), n));
    }
    if let Some(n) = &p.boundary {
        out.push((p_label(n, None), n));
    }
    for n in &p.session {
        out.push((p_label(n, None), n));
    }
    if let Some(o) = &case.organization {
        for l in o.scps.iter().chain(o.rcps.iter()) {
            for n in &l.policies {
                out.push((p_label(n, Some(&l.name)), n));
            }
        }
    }
    out
}

fn policy_mut(case: &mut Case, index: usize) -> Option<&mut NamedPolicy> {
    let p = &mut case.policies;
    let mut all: Vec<&mut NamedPolicy> = Vec::new();
    all.extend(p.identity.iter_mut());
    all.extend(p.resource.iter_mut());
    all.extend(p.boundary.iter_mut());
    all.extend(p.session.iter_mut());
    if let Some(o) = &mut case.organization {
        for l in o.scps.iter_mut().chain(o.rcps.iter_mut()) {
            all.extend(l.policies.iter_mut());
        }
    }
    all.into_iter().nth(index)
}

fn p_label(n: &NamedPolicy, level: Option<&str>) -> String {
    let kind = if n.policy_type == PolicyType::Resource {
        n.kind.label()
    } else {
        n.policy_type.label()
    };
    match level {
        Some(l) => format!("{kind} \"{}\" at {l}", n.name),
        None => format!("{kind} \"{}\"", n.name),
    }
}

/// Where the lab is.
#[derive(Debug, Clone)]
pub enum View {
    /// The list of puzzles (and case files given on the command line).
    List,
    /// A puzzle, before and after the answer.
    Puzzle {
        index: usize,
        choice: usize,
        verdict: Option<Box<Verdict>>,
    },
    Case(Box<CaseView>),
}

pub struct LabScreen {
    pub puzzles: Vec<Puzzle>,
    /// Case files given with `iamdrill policy lab CASE`: (title, case).
    pub cases: Vec<(String, Case)>,
    /// Selected row of the list (cases first, then puzzles).
    pub selected: usize,
    pub view: View,
    /// Where Back from a case view returns.
    back_to: Option<View>,
    pub scroll: Scroll,
    theme: Theme,
}

impl LabScreen {
    pub fn new(puzzles: Vec<Puzzle>, cases: Vec<(String, Case)>, theme: Theme) -> LabScreen {
        LabScreen {
            puzzles,
            cases,
            selected: 0,
            view: View::List,
            back_to: None,
            scroll: Scroll::default(),
            theme,
        }
    }

    /// The lab opened straight on a case (`iamdrill policy lab CASE`).
    pub fn with_case(puzzles: Vec<Puzzle>, cases: Vec<(String, Case)>, theme: Theme) -> LabScreen {
        let mut s = LabScreen::new(puzzles, cases, theme);
        if let Some((title, case)) = s.cases.first().cloned() {
            s.view = View::Case(Box::new(CaseView::new(title, case)));
            s.back_to = Some(View::List);
        }
        s
    }

    pub fn context(&self) -> Scope {
        match self.view {
            View::Case(_) => Scope::LabCase,
            _ => Scope::Lab,
        }
    }

    pub fn title(&self) -> String {
        match &self.view {
            View::List => "Policy lab".into(),
            View::Puzzle { index, .. } => self
                .puzzles
                .get(*index)
                .map(|p| format!("Policy lab · {}", p.title))
                .unwrap_or_else(|| "Policy lab".into()),
            View::Case(c) => format!("Policy lab · case: {}", c.title),
        }
    }

    fn rows(&self) -> usize {
        self.cases.len() + self.puzzles.len()
    }

    /// The case view, when open.
    pub fn case_view(&mut self) -> Option<&mut CaseView> {
        match &mut self.view {
            View::Case(c) => Some(c),
            _ => None,
        }
    }

    /// Result of editing the selected policy (performed by the app).
    pub fn edited(&mut self, result: Result<String, String>) {
        if let Some(c) = self.case_view() {
            match result {
                Ok(text) => c.apply_edit(&text),
                Err(e) => c.error = Some(format!("the editor failed: {e}")),
            }
        }
    }

    fn open_row(&mut self, row: usize) {
        self.scroll.reset();
        if row < self.cases.len() {
            let (title, case) = self.cases[row].clone();
            self.back_to = Some(View::List);
            self.view = View::Case(Box::new(CaseView::new(title, case)));
        } else if row - self.cases.len() < self.puzzles.len() {
            self.view = View::Puzzle {
                index: row - self.cases.len(),
                choice: 0,
                verdict: None,
            };
        }
    }

    pub fn handle(&mut self, input: Input) -> Effect {
        let Input::Action(action) = input else {
            return Effect::None;
        };
        let rows = self.rows();
        match &mut self.view {
            View::List => match action {
                Action::Up => self.selected = self.selected.saturating_sub(1),
                Action::Down => self.selected = (self.selected + 1).min(rows.saturating_sub(1)),
                Action::Top => self.selected = 0,
                Action::Bottom => self.selected = rows.saturating_sub(1),
                Action::Select => self.open_row(self.selected),
                Action::ToggleKey(n) if usize::from(n) <= rows && n > 0 => {
                    self.selected = usize::from(n) - 1;
                    self.open_row(self.selected);
                }
                Action::Back => return Effect::Back,
                _ => {}
            },
            View::Puzzle {
                index,
                choice,
                verdict,
            } => {
                let Some(puzzle) = self.puzzles.get(*index) else {
                    self.view = View::List;
                    return Effect::None;
                };
                let n = puzzle.choices.len();
                let pick = |c: usize, verdict: &mut Option<Box<Verdict>>| {
                    if let Some(ch) = puzzle.choices.get(c) {
                        *verdict = Some(Box::new(lab::check_answer(puzzle, &ch.id)));
                    }
                };
                match action {
                    Action::Up => *choice = choice.saturating_sub(1),
                    Action::Down => *choice = (*choice + 1).min(n.saturating_sub(1)),
                    // Up and Down pick a choice: the story scrolls with ←/→, pages and Home/End.
                    Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                        self.scroll.handle(&Input::Action(action));
                    }
                    Action::Left => {
                        self.scroll.handle(&Input::Action(Action::Up));
                    }
                    Action::Right => {
                        self.scroll.handle(&Input::Action(Action::Down));
                    }
                    Action::Select => {
                        pick(*choice, verdict);
                        self.scroll.reset();
                    }
                    Action::ToggleKey(k) if k >= 1 && usize::from(k) <= n => {
                        *choice = usize::from(k) - 1;
                        pick(*choice, verdict);
                        self.scroll.reset();
                    }
                    Action::Edit => {
                        // Open the case the verdict points to (or the first step).
                        let step = verdict.as_ref().and_then(|v| v.failing_step).unwrap_or(0);
                        if let Some(s) = puzzle.steps.get(step) {
                            let title =
                                format!("{} · step {}: {}", puzzle.title, step + 1, s.title);
                            let case = s.case.clone();
                            let back = self.view.clone();
                            self.back_to = Some(back);
                            self.view = View::Case(Box::new(CaseView::new(title, case)));
                            self.scroll.reset();
                        }
                    }
                    Action::Back => {
                        if verdict.is_some() {
                            *verdict = None;
                        } else {
                            self.view = View::List;
                        }
                        self.scroll.reset();
                    }
                    _ => {}
                }
            }
            View::Case(c) => {
                let count = policies(&c.case).len();
                match action {
                    Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Top
                    | Action::Bottom => {
                        c.scroll.handle(&Input::Action(action));
                    }
                    Action::Right | Action::Select => {
                        c.selected = (c.selected + 1) % count.max(1);
                    }
                    Action::Left => c.selected = (c.selected + count.max(1) - 1) % count.max(1),
                    Action::ToggleKey(n) => c.toggle(n),
                    Action::Edit => {
                        if let Some(p) = c.selected_policy() {
                            return Effect::EditPolicy(p.pretty());
                        }
                    }
                    Action::Back => {
                        self.view = self.back_to.take().unwrap_or(View::List);
                        self.scroll.reset();
                    }
                    _ => {}
                }
            }
        }
        Effect::None
    }

    fn list_lines(&self, w: usize) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = vec![Line::from(Span::styled(
            "Name the policy that breaks the chain; the engine checks your answer.",
            t.dim,
        ))];
        let mut row = 0;
        let mut push = |label: String, extra: String, lines: &mut Vec<Line<'static>>| {
            let sel = row == self.selected;
            let marker = if sel { "▶ " } else { "  " };
            let num = if row < 9 {
                format!("{} ", row + 1)
            } else {
                "  ".into()
            };
            let text = truncate(
                &format!("{marker}{num}{label}"),
                w.saturating_sub(width(&extra)),
            );
            let pad = w.saturating_sub(width(&text) + width(&extra));
            let style = if sel { t.selected } else { t.text };
            lines.push(Line::from(vec![
                Span::styled(text, style),
                Span::raw(" ".repeat(pad)),
                Span::styled(extra, t.dim),
            ]));
            row += 1;
        };
        for (title, _) in &self.cases {
            push(
                format!("Case: {}", sanitize(title)),
                " case".into(),
                &mut lines,
            );
        }
        for p in &self.puzzles {
            let parts = p.steps.len();
            push(
                sanitize(&p.title),
                format!(" {parts} part{}", if parts == 1 { "" } else { "s" }),
                &mut lines,
            );
        }
        lines
    }

    fn puzzle_lines(
        &self,
        puzzle: &Puzzle,
        verdict: Option<&Verdict>,
        w: u16,
    ) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = Vec::new();
        if let Some(v) = verdict {
            let chosen = puzzle
                .choices
                .iter()
                .find(|c| c.id == v.chosen)
                .map(|c| c.label.clone())
                .unwrap_or_default();
            if v.correct {
                lines.push(Line::from(Span::styled(
                    format!("✓ Right: {}", sanitize(&chosen)),
                    t.good.add_modifier(Modifier::BOLD),
                )));
            } else {
                let right = v
                    .correct_choice
                    .as_ref()
                    .and_then(|id| puzzle.choices.iter().find(|c| &c.id == id))
                    .map(|c| c.label.clone())
                    .unwrap_or_else(|| "none of the choices".into());
                lines.push(Line::from(Span::styled(
                    format!("✗ Not {}", sanitize(&chosen)),
                    t.bad.add_modifier(Modifier::BOLD),
                )));
                lines.push(Line::from(Span::styled(
                    format!("The culprit: {}", sanitize(&right)),
                    t.title,
                )));
            }
            for l in para(&v.explanation, w as usize) {
                lines.push(Line::from(Span::styled(l, t.text)));
            }
            lines.extend(decision_lines(&v.evaluation, t, w, false));
            let step = v
                .failing_step
                .unwrap_or(puzzle.steps.len().saturating_sub(1));
            if let Some(s) = puzzle.steps.get(step) {
                lines.extend(deciding_statement_lines(
                    &s.case,
                    &v.evaluation,
                    t,
                    w as usize,
                ));
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    format!("Step {}: {}", step + 1, sanitize(&s.title)),
                    t.title,
                )));
                lines.extend(case_body(&s.case, Some(&v.evaluation), None, t, w));
            }
            lines.push(Line::from(Span::styled(
                "e opens this step as a case · q back to the choices",
                t.dim,
            )));
            return lines;
        }
        for l in para(&puzzle.story, w as usize) {
            lines.push(Line::from(Span::styled(l, t.text)));
        }
        for (i, s) in puzzle.steps.iter().enumerate() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!("Step {}: {}", i + 1, sanitize(&s.title)),
                t.title,
            )));
            lines.extend(case_body(&s.case, None, None, t, w));
        }
        lines
    }

    fn choice_lines(
        &self,
        puzzle: &Puzzle,
        choice: usize,
        verdict: Option<&Verdict>,
        w: usize,
    ) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = vec![Line::from(Span::styled(
            "Which policy is the culprit?",
            t.title,
        ))];
        for (i, c) in puzzle.choices.iter().enumerate() {
            let sel = i == choice;
            let (mark, style) = match verdict {
                Some(v) if v.correct_choice.as_deref() == Some(c.id.as_str()) => ("✓", t.good),
                Some(v) if v.chosen == c.id => ("✗", t.bad),
                _ if sel => ("▶", t.selected),
                _ => (" ", t.text),
            };
            let style = if sel && verdict.is_none() {
                t.selected
            } else {
                style
            };
            lines.push(Line::from(Span::styled(
                truncate(&format!("{mark} {} {}", i + 1, sanitize(&c.label)), w),
                style,
            )));
        }
        lines
    }

    fn case_lines(&self, c: &CaseView, w: u16) -> Vec<Line<'static>> {
        let t = &self.theme;
        let mut lines = Vec::new();
        if let Some(e) = &c.error {
            for l in para(&format!("✗ {e}"), w as usize) {
                lines.push(Line::from(Span::styled(l, t.bad)));
            }
        }
        if let Some(m) = &c.message {
            for l in para(m, w as usize) {
                lines.push(Line::from(Span::styled(l, t.warn)));
            }
        }
        lines.extend(decision_lines(&c.evaluation, t, w, true));
        lines.push(toggle_line(&c.case, t));
        lines.extend(case_body(
            &c.case,
            Some(&c.evaluation),
            Some(c.selected),
            t,
            w,
        ));
        if !c.evaluation.steps.is_empty() {
            lines.push(Line::from(Span::styled("How the engine decided", t.title)));
            for s in &c.evaluation.steps {
                for (i, l) in para(s, (w as usize).saturating_sub(2))
                    .into_iter()
                    .enumerate()
                {
                    let lead = if i == 0 { "- " } else { "  " };
                    lines.push(Line::from(Span::styled(format!("{lead}{l}"), t.text)));
                }
            }
        }
        for n in &c.evaluation.notes {
            for l in para(&format!("Note: {n}"), w as usize) {
                lines.push(Line::from(Span::styled(l, t.dim)));
            }
        }
        lines
    }
}

/// Text wrapped to `w` cells, each line made safe for the terminal.
fn para(text: &str, w: usize) -> Vec<String> {
    wrap(text, w).iter().map(|l| sanitize(l)).collect()
}

/// The decision word with a text marker, the deciding statement and the rule.
fn decision_lines(ev: &Evaluation, t: &Theme, w: u16, rule: bool) -> Vec<Line<'static>> {
    let (mark, style) = match ev.decision {
        Decision::Allow => ("✓", t.good),
        _ => ("✗", t.bad),
    };
    let mut lines = vec![Line::from(Span::styled(
        format!("{mark} {} ({})", ev.decision, ev.decision.words()),
        style.add_modifier(Modifier::BOLD),
    ))];
    if let Some(s) = &ev.deciding_statement {
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "Deciding: {} of {} \"{}\"",
                    s.label(),
                    s.policy_type.label(),
                    sanitize(&s.policy)
                ),
                w as usize,
            ),
            t.title,
        )));
    } else if let Some(p) = &ev.deciding_policy {
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "Deciding: {} \"{}\" (no statement allows)",
                    p.policy_type.label(),
                    sanitize(&p.name)
                ),
                w as usize,
            ),
            t.title,
        )));
    }
    if rule {
        for l in para(&ev.rule, w as usize) {
            lines.push(Line::from(Span::styled(l, t.text)));
        }
    }
    lines
}

fn toggle_line(case: &Case, t: &Theme) -> Line<'static> {
    let ctx = &case.request.context;
    let get = |k: &str| {
        ctx.get(k)
            .map(|v| v.join(","))
            .unwrap_or_else(|| "–".into())
    };
    let tag = if case.request.principal.tags.is_empty() {
        "–".to_string()
    } else {
        case.request
            .principal
            .tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let items = [
        ("1", "MFA", get("aws:multifactorauthpresent")),
        ("2", "IP", get("aws:sourceip")),
        ("3", "TLS", get("aws:securetransport")),
        ("4", "tag", tag),
    ];
    let mut spans = Vec::new();
    for (i, (k, name, v)) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ", t.dim));
        }
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(format!(" {name}:{}", sanitize(&v)), t.text));
    }
    Line::from(spans)
}

/// The request and the policies of a case, the deciding statement highlighted.
fn case_body(
    case: &Case,
    ev: Option<&Evaluation>,
    selected: Option<usize>,
    t: &Theme,
    w: u16,
) -> Vec<Line<'static>> {
    let r = &case.request;
    let mut lines = Vec::new();
    let req = format!(
        "Request: {} calls {} on {}",
        r.principal.arn, r.action, r.resource.arn
    );
    for l in para(&req, w as usize) {
        lines.push(Line::from(Span::styled(l, t.text)));
    }
    if !r.context.is_empty() {
        let keys: Vec<String> = r
            .context
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join(",")))
            .collect();
        for l in para(&format!("Context: {}", keys.join(" ")), w as usize) {
            lines.push(Line::from(Span::styled(l, t.dim)));
        }
    }
    let all = policies(case);
    let deciding = ev.and_then(|e| e.deciding_statement.as_ref());
    let panels: Vec<Vec<Line<'static>>> = all
        .iter()
        .enumerate()
        .map(|(i, (label, p))| {
            let sel = selected == Some(i);
            let col_w = if w >= SIDE_BY_SIDE_WIDTH && all.len() > 1 {
                (w as usize - 2) / 2
            } else {
                w as usize
            };
            policy_panel(label, p, deciding, sel, t, col_w)
        })
        .collect();
    if w >= SIDE_BY_SIDE_WIDTH && panels.len() > 1 {
        let col_w = (w as usize - 2) / 2;
        for pair in panels.chunks(2) {
            let rows = pair.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..rows {
                let mut spans = Vec::new();
                for (j, panel) in pair.iter().enumerate() {
                    if j > 0 {
                        spans.push(Span::raw("  "));
                    }
                    let line = panel.get(i).cloned().unwrap_or_default();
                    spans.extend(fit(line, col_w).spans);
                }
                lines.push(Line::from(spans));
            }
        }
    } else {
        for p in panels {
            lines.extend(p);
        }
    }
    lines
}

/// A line cut or padded to exactly `w` cells.
fn fit(line: Line<'static>, w: usize) -> Line<'static> {
    let mut out = Vec::new();
    let mut used = 0;
    for s in line.spans {
        let sw = width(&s.content);
        if used + sw <= w {
            used += sw;
            out.push(s);
        } else {
            let cut = truncate(&s.content, w - used);
            used += width(&cut);
            out.push(Span::styled(cut, s.style));
            break;
        }
    }
    if used < w {
        out.push(Span::raw(" ".repeat(w - used)));
    }
    Line::from(out)
}

/// Only the deciding statement, highlighted, so a verdict shows it without scrolling.
fn deciding_statement_lines(
    case: &Case,
    ev: &Evaluation,
    t: &Theme,
    w: usize,
) -> Vec<Line<'static>> {
    let Some(s) = &ev.deciding_statement else {
        return Vec::new();
    };
    let Some((_, p)) = policies(case).into_iter().find(|(_, p)| is_deciding(p, s)) else {
        return Vec::new();
    };
    let (text, starts) = p.display();
    let Some(&(a, b)) = statement_ranges(&text, &starts).get(s.index) else {
        return Vec::new();
    };
    let panel = policy_panel("", p, Some(s), false, t, w);
    // panel[0] is the label; JSON line n is panel[n] when no line wrapped.
    let body: Vec<Line<'static>> = panel
        .into_iter()
        .skip(1)
        .filter(|l| l.spans.first().is_some_and(|g| g.content == "▶ "))
        .collect();
    if body.is_empty() || b < a {
        return Vec::new();
    }
    body
}

/// The 1-based line ranges of each statement in a policy's pretty JSON.
pub fn statement_ranges(text: &str, starts: &[usize]) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    starts
        .iter()
        .map(|&start| {
            let Some(first) = lines.get(start.saturating_sub(1)) else {
                return (start, start);
            };
            let indent = first.len() - first.trim_start().len();
            let end = lines
                .iter()
                .enumerate()
                .skip(start)
                .find(|(_, l)| {
                    l.len() - l.trim_start().len() == indent && l.trim_start().starts_with('}')
                })
                .map(|(i, _)| i + 1)
                .unwrap_or(start);
            (start, end)
        })
        .collect()
}

fn is_deciding(p: &NamedPolicy, s: &StatementRef) -> bool {
    s.policy == p.name && s.policy_type == p.policy_type
}

/// One policy: its label and coloured JSON; the deciding statement's lines carry a `▶` gutter
/// and the selected style.
fn policy_panel(
    label: &str,
    p: &NamedPolicy,
    deciding: Option<&StatementRef>,
    selected: bool,
    t: &Theme,
    w: usize,
) -> Vec<Line<'static>> {
    let head_style = if selected {
        t.selected.add_modifier(Modifier::BOLD)
    } else {
        t.title
    };
    let mark = if selected { "▸ " } else { "" };
    let mut lines = vec![Line::from(Span::styled(
        truncate(&format!("{mark}{}", sanitize(label)), w),
        head_style,
    ))];
    let (text, starts) = p.display();
    let range = deciding
        .filter(|s| is_deciding(p, s))
        .and_then(|s| statement_ranges(&text, &starts).get(s.index).copied());
    let highlight: Style = t.selected.add_modifier(Modifier::BOLD);
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let hit = range.is_some_and(|(a, b)| n >= a && n <= b);
        let gutter = if hit { "▶ " } else { "  " };
        let body = json_lines(raw, t, w.saturating_sub(2).max(1));
        for l in body {
            let mut spans = vec![Span::styled(gutter, if hit { highlight } else { t.dim })];
            for s in l.spans {
                let style = if hit {
                    s.style.patch(highlight)
                } else {
                    s.style
                };
                spans.push(Span::styled(s.content, style));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}

impl Widget for &LabScreen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        Line::from(Span::styled(
            truncate(&self.title(), area.width as usize),
            t.title,
        ))
        .render(head, buf);
        match &self.view {
            View::List => {
                let lines = self.list_lines(body.width as usize);
                let visible = body.height.saturating_sub(1) as usize;
                let skip = (self.selected + 2).saturating_sub(visible.max(1));
                Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).render(body, buf);
            }
            View::Puzzle {
                index,
                choice,
                verdict,
            } => {
                let Some(p) = self.puzzles.get(*index) else {
                    return;
                };
                let choices =
                    self.choice_lines(p, *choice, verdict.as_deref(), body.width as usize);
                let ch = (choices.len() as u16).min(body.height / 2).max(1);
                let [top, bottom] =
                    Layout::vertical([Constraint::Min(1), Constraint::Length(ch)]).areas(body);
                let lines = self.puzzle_lines(p, verdict.as_deref(), top.width);
                let offset = self.scroll.offset(lines.len(), top.height);
                Paragraph::new(lines).scroll((offset, 0)).render(top, buf);
                // Keep the highlighted choice visible in a short pane.
                let skip = (*choice + 2).saturating_sub(ch as usize);
                let shown: Vec<Line> = if skip > 0 {
                    std::iter::once(choices[0].clone())
                        .chain(choices.into_iter().skip(1 + skip))
                        .collect()
                } else {
                    choices
                };
                Paragraph::new(shown).render(bottom, buf);
            }
            View::Case(c) => {
                let lines = self.case_lines(c, body.width);
                let offset = c.scroll.offset(lines.len(), body.height);
                Paragraph::new(lines).scroll((offset, 0)).render(body, buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ranges_cover_each_statement() {
        let text = "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\"\n    },\n    {\n      \"Effect\": \"Deny\"\n    }\n  ]\n}";
        assert_eq!(statement_ranges(text, &[3, 6]), vec![(3, 5), (6, 8)]);
    }

    #[test]
    fn cycle_goes_through_values_then_absent() {
        let mut ctx = BTreeMap::new();
        assert_eq!(cycle(&mut ctx, "k", &["true", "false"]), "true");
        assert_eq!(cycle(&mut ctx, "k", &["true", "false"]), "false");
        assert_eq!(cycle(&mut ctx, "k", &["true", "false"]), "(absent)");
        assert!(ctx.is_empty());
    }

    #[test]
    fn source_ip_toggle_lands_inside_and_outside_the_policy_range() {
        let mut h = ContextHints {
            cidrs: vec!["198.51.100.0/24".into()],
            tag: None,
        };
        assert_eq!(h.inside_ip(), "198.51.100.1");
        assert_eq!(h.outside_ip(), "192.0.2.200");
        h.cidrs.clear();
        assert_eq!(h.outside_ip(), "198.51.100.200");
    }

    #[test]
    fn every_shipped_puzzle_is_playable_by_keys() {
        let puzzles = lab::builtin_puzzles().unwrap();
        let n = puzzles.len();
        let mut s = LabScreen::new(
            puzzles.clone(),
            Vec::new(),
            Theme::new(crate::ui::theme::ThemeKind::Mono),
        );
        for (i, p) in puzzles.iter().enumerate() {
            s.view = View::List;
            s.selected = i;
            s.handle(Input::Action(Action::Select));
            let right = p.choices.iter().position(|c| c.id == p.answer).unwrap();
            for _ in 0..right {
                s.handle(Input::Action(Action::Down));
            }
            s.handle(Input::Action(Action::Select));
            match &s.view {
                View::Puzzle {
                    verdict: Some(v), ..
                } => assert!(v.correct, "{}: {}", p.id, v.explanation),
                _ => panic!("{}: no verdict", p.id),
            }
        }
        assert!(n >= 12);
    }
}
