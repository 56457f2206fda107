//! The layers of ARCHITECTURE.md, checked on the source: which top-level module each file
//! imports, that imports only point down (domain ← store ← context ← ui ← cmd), that the
//! domain never names the command line, the UI, the configuration or a terminal, database or
//! command-line crate, and that the graph of top-level modules has no cycle.
//!
//! `cargo test --test architecture -- --nocapture` prints the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules and their layer, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("deck", 0),
    ("compile", 0),
    ("srs", 0),
    ("mock", 0),
    ("policy", 0),
    ("search", 0),
    ("sync", 0),
    ("store", 1),
    ("context", 2),
    ("ui", 3),
    ("cmd", 4),
];

/// Crates a layer must not use: the domain is pure; the store knows no terminal or command line.
const FORBIDDEN_CRATES: &[(u8, &[&str])] = &[
    (
        0,
        &[
            "clap",
            "clap_complete",
            "clap_mangen",
            "ratatui",
            "crossterm",
            "rusqlite",
            "directories",
        ],
    ),
    (
        1,
        &[
            "clap",
            "clap_complete",
            "clap_mangen",
            "ratatui",
            "crossterm",
            "directories",
        ],
    ),
];

fn layer(unit: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == unit).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file below `src/`: `src/ui/screens/mock.rs` → [ui, screens, mock].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// Code with comments, string and char literals blanked, so only real paths remain.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&b'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && (b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\')) {
            // A char literal ('"', '\n', '\''); lifetimes ('a) are left alone.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every `a::b::c` path in the code, as its segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is_ident(b[i]) && (i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b':')) {
            let mut segs = Vec::new();
            let mut j = i;
            loop {
                let start = j;
                while j < b.len() && is_ident(b[j]) {
                    j += 1;
                }
                segs.push(code[start..j].to_string());
                let mut k = j;
                while k < b.len() && b[k] == b' ' {
                    k += 1;
                }
                if b.get(k) == Some(&b':') && b.get(k + 1) == Some(&b':') {
                    k += 2;
                    while k < b.len() && (b[k] == b' ' || b[k] == b'\n') {
                        k += 1;
                    }
                    if k < b.len() && is_ident(b[k]) {
                        j = k;
                        continue;
                    }
                    // `use a::{b, c}`: the group's first segment is enough for the top level.
                    if b.get(k) == Some(&b'{') {
                        let mut m = k + 1;
                        let mut names = Vec::new();
                        let mut depth = 1;
                        let mut cur = String::new();
                        while m < b.len() && depth > 0 {
                            match b[m] {
                                b'{' => depth += 1,
                                b'}' => depth -= 1,
                                b',' if depth == 1 => names.push(std::mem::take(&mut cur)),
                                c if depth == 1 => cur.push(c as char),
                                _ => {}
                            }
                            m += 1;
                        }
                        names.push(cur);
                        for n in names {
                            let first: String = n
                                .trim()
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect();
                            if !first.is_empty() {
                                let mut p = segs.clone();
                                p.push(first);
                                out.push(p);
                            }
                        }
                    }
                }
                break;
            }
            if segs.len() > 1 || segs[0] == "clap" || segs[0] == "ratatui" {
                out.push(segs);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The top-level module a path names, seen from the module `here`; `None` for std and crates.
fn target_unit(here: &[String], path: &[String]) -> Option<String> {
    match path.first().map(String::as_str) {
        Some("crate") | Some("iamdrill") => path.get(1).cloned(),
        Some("super") => {
            let mut base: Vec<String> = here.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base.first().cloned()
        }
        Some("self") => here.first().cloned(),
        _ => None,
    }
}

struct Scan {
    /// unit → unit → one file that shows the import.
    edges: BTreeMap<String, BTreeMap<String, String>>,
    /// (file, crate) uses of external crates, by unit.
    crates: BTreeMap<String, BTreeSet<(String, String)>>,
}

fn scan() -> Scan {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut crates: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_path_buf();
        let here = module_path(&rel);
        let Some(unit) = here.first().cloned() else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let shown = format!("src/{}", rel.display());
        for p in paths(&code) {
            if let Some(to) = target_unit(&here, &p) {
                if to != unit && layer(&to).is_some() {
                    edges
                        .entry(unit.clone())
                        .or_default()
                        .entry(to)
                        .or_insert_with(|| shown.clone());
                }
            } else if let Some(first) = p.first() {
                crates
                    .entry(unit.clone())
                    .or_default()
                    .insert((shown.clone(), first.clone()));
            }
        }
    }
    Scan { edges, crates }
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        assert!(
            layer(&name).is_some(),
            "src/{name} has no layer in tests/architecture.rs (and ARCHITECTURE.md)"
        );
    }
}

#[test]
fn imports_point_down() {
    let scan = scan();
    let mut wrong = Vec::new();
    for (from, tos) in &scan.edges {
        let lf = layer(from).unwrap();
        for (to, file) in tos {
            let lt = layer(to).unwrap();
            if lt > lf {
                wrong.push(format!(
                    "{file}: `{from}` (layer {lf}) imports `{to}` (layer {lt})"
                ));
            }
        }
    }
    for (from, tos) in &scan.edges {
        println!(
            "{from:>8} -> {}",
            tos.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(
        wrong.is_empty(),
        "imports that point up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_domain_and_the_store_use_no_front_end_crates() {
    let scan = scan();
    let mut wrong = Vec::new();
    for (unit, uses) in &scan.crates {
        let Some(l) = layer(unit) else { continue };
        for (lvl, banned) in FORBIDDEN_CRATES {
            if *lvl != l {
                continue;
            }
            for (file, krate) in uses {
                if banned.contains(&krate.as_str()) {
                    wrong.push(format!("{file}: `{unit}` uses `{krate}`"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_module_graph_has_no_cycle() {
    let scan = scan();
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for to in edges.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(c) = visit(to, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for (unit, _) in LAYERS {
        if let Some(cycle) = visit(unit, &scan.edges, &mut Vec::new(), &mut done) {
            let shown: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} ({})", w[0], w[1], scan.edges[&w[0]][&w[1]]))
                .collect();
            panic!("import cycle:\n{}", shown.join("\n"));
        }
    }
}

#[test]
fn the_scanner_sees_what_it_must() {
    let code = code_only(
        "use crate::ui::{x, y};\n// use crate::cmd::z;\nlet s = \"crate::cmd::q\";\nfn f() { super::super::store::Store::open(); }\nuse clap::Args;\nlet c = '\"'; crate::context::Clock::system();",
    );
    let ps = paths(&code);
    let here = vec!["srs".to_string(), "plan".to_string()];
    let units: BTreeSet<String> = ps.iter().filter_map(|p| target_unit(&here, p)).collect();
    assert!(units.contains("ui"), "{ps:?}");
    assert!(units.contains("store"), "{ps:?}");
    assert!(units.contains("context"), "{ps:?}");
    assert!(
        !units.contains("cmd"),
        "comments and strings are not imports: {ps:?}"
    );
    assert!(ps.iter().any(|p| p[0] == "clap"), "{ps:?}");
}
