//! docs/policy-case.md cannot drift from the engine: every complete case written in it is parsed,
//! evaluated and must meet its `expect`, and every example marked invalid must be refused.
//!
//! The convention (also stated in the document's source, as an HTML comment):
//! - a ```yaml block whose first line is `# case` is a case file holding one case;
//! - a ```yaml block whose first line is `# cases` holds a `cases:` list;
//! - a ```yaml block whose first line is `# invalid` must fail to parse;
//! - a ```json block whose top-level object has a `"request"` key is a JSON case;
//! - any other block is a fragment and is not checked.

use iamdrill::policy::case::{Case, Format, parse_case, parse_cases};

const DOC: &str = include_str!("../docs/policy-case.md");
const FILE: &str = "docs/policy-case.md";

/// A fenced block: its language, the line of the opening fence (1-based) and its text.
struct Block {
    lang: String,
    line: usize,
    text: String,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    open = Some(Block {
                        lang: lang.trim().to_string(),
                        line: i + 1,
                        text: String::new(),
                    });
                }
            }
            Some(mut b) => {
                if line.trim_end() == "```" {
                    out.push(b);
                } else {
                    b.text.push_str(line);
                    b.text.push('\n');
                    open = Some(b);
                }
            }
        }
    }
    assert!(open.is_none(), "{FILE}: a fenced block is not closed");
    out
}

/// Evaluates a case and says what is wrong with it, if anything.
fn check(case: &Case) -> Result<(), String> {
    let name = case.name.as_deref().unwrap_or("(unnamed)");
    if case.expect.is_none() {
        return Err(format!("case \"{name}\" has no `expect`"));
    }
    let ev = case.evaluate();
    case.check(&ev)
        .map_err(|why| format!("case \"{name}\": {why}"))
}

#[derive(Default)]
struct Tally {
    cases: usize,
    lists: usize,
    invalid: usize,
    json: usize,
    failures: Vec<String>,
}

impl Tally {
    fn fail(&mut self, b: &Block, what: String) {
        self.failures
            .push(format!("{FILE}: block at line {}: {what}", b.line));
    }

    fn one(&mut self, b: &Block, format: Format) {
        match parse_case(&b.text, format, FILE, None) {
            Ok(case) => {
                if let Err(e) = check(&case) {
                    self.fail(b, e);
                }
            }
            Err(e) => self.fail(b, format!("does not parse: {e}")),
        }
    }
}

#[test]
fn every_documented_case_meets_its_expectation() {
    assert!(
        DOC.contains("<!-- doc-test:"),
        "{FILE} must state the example convention in a doc-test comment"
    );
    let mut t = Tally::default();
    for b in blocks(DOC) {
        let first = b.text.lines().next().unwrap_or("").trim_end();
        match (b.lang.as_str(), first) {
            ("yaml", "# case") => {
                t.cases += 1;
                t.one(&b, Format::Yaml);
            }
            ("yaml", "# cases") => {
                t.lists += 1;
                match parse_cases(&b.text, Format::Yaml, FILE, None) {
                    Ok(cases) if cases.is_empty() => t.fail(&b, "the list is empty".into()),
                    Ok(cases) => {
                        for c in &cases {
                            if let Err(e) = check(c) {
                                t.fail(&b, e);
                            }
                        }
                    }
                    Err(e) => t.fail(&b, format!("does not parse: {e}")),
                }
            }
            ("yaml", "# invalid") => {
                t.invalid += 1;
                if parse_cases(&b.text, Format::Yaml, FILE, None).is_ok() {
                    t.fail(&b, "marked `# invalid` but parses".into());
                }
            }
            ("json", _) => {
                let is_case = serde_json::from_str::<serde_json::Value>(&b.text)
                    .ok()
                    .is_some_and(|v| v.get("request").is_some());
                if is_case {
                    t.json += 1;
                    t.one(&b, Format::Json);
                }
            }
            _ => {}
        }
    }
    assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
    // Guards against a change in the convention silently checking nothing.
    assert!(t.cases >= 10, "only {} `# case` blocks found", t.cases);
    assert!(t.lists >= 1, "no `# cases` block found");
    assert!(
        t.invalid >= 3,
        "only {} `# invalid` blocks found",
        t.invalid
    );
    assert!(t.json >= 1, "no JSON case found");
}

#[test]
fn block_reader_finds_fences() {
    let doc = "text\n```yaml\n# case\na: 1\n```\n\n```text\nout\n```\n";
    let b = blocks(doc);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].lang, "yaml");
    assert_eq!(b[0].line, 2);
    assert_eq!(b[0].text, "# case\na: 1\n");
    assert_eq!(b[1].lang, "text");
}
