//! Wildcard matching (`*`, `?`), ARN matching and policy variables (`${aws:username}`).

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Lit(u8),
    /// `*`: any run of characters, including `/` and the empty run.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Byte length of the character starting at `i`.
fn char_len(text: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && (text[j] & 0xC0) == 0x80 {
        j += 1;
    }
    j - i
}

/// Start of the character that ends at `end` (exclusive).
fn char_start_before(text: &[u8], end: usize) -> usize {
    let mut j = end - 1;
    while j > 0 && (text[j] & 0xC0) == 0x80 {
        j -= 1;
    }
    j
}

/// A pattern seen as tokens, with its literal runs available as bytes for `memmem`.
trait Pat {
    fn len(&self) -> usize;
    fn tok(&self, i: usize) -> Tok;
    fn lits(&self, from: usize, to: usize) -> std::borrow::Cow<'_, [u8]>;
}

/// A plain pattern: every byte is a token, `*` and `?` are wildcards.
struct Plain<'a>(&'a [u8]);

impl Pat for Plain<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn tok(&self, i: usize) -> Tok {
        match self.0[i] {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            c => Tok::Lit(c),
        }
    }
    fn lits(&self, from: usize, to: usize) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.0[from..to])
    }
}

impl Pat for [Tok] {
    fn len(&self) -> usize {
        <[Tok]>::len(self)
    }
    fn tok(&self, i: usize) -> Tok {
        self[i]
    }
    fn lits(&self, from: usize, to: usize) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Owned(
            self[from..to]
                .iter()
                .map(|t| match t {
                    Tok::Lit(c) => *c,
                    _ => 0,
                })
                .collect(),
        )
    }
}

/// Matches the star-free tokens `seg` forwards at `at`; the end of the match.
fn seg_forward(
    p: &(impl Pat + ?Sized),
    seg: (usize, usize),
    text: &[u8],
    at: usize,
) -> Option<usize> {
    let mut t = at;
    for i in seg.0..seg.1 {
        match p.tok(i) {
            Tok::Lit(c) => {
                if text.get(t) != Some(&c) {
                    return None;
                }
                t += 1;
            }
            Tok::One => {
                if t >= text.len() {
                    return None;
                }
                t += char_len(text, t);
            }
            Tok::Star => unreachable!("segments hold no star"),
        }
    }
    Some(t)
}

/// Matches the star-free tokens `seg` backwards so that the match ends at `end`; its start.
fn seg_backward(
    p: &(impl Pat + ?Sized),
    seg: (usize, usize),
    text: &[u8],
    end: usize,
) -> Option<usize> {
    let mut t = end;
    for i in (seg.0..seg.1).rev() {
        if t == 0 {
            return None;
        }
        match p.tok(i) {
            Tok::Lit(c) => {
                if text[t - 1] != c {
                    return None;
                }
                t -= 1;
            }
            Tok::One => t = char_start_before(text, t),
            Tok::Star => unreachable!("segments hold no star"),
        }
    }
    Some(t)
}

/// The leftmost match of the star-free segment at or after `from`: its end.
///
/// A literal segment is one `memmem` search. A segment with `?` is found through its longest
/// literal run: each occurrence of the run fixes the only possible start, checked once.
fn seg_find(
    p: &(impl Pat + ?Sized),
    seg: (usize, usize),
    text: &[u8],
    from: usize,
) -> Option<usize> {
    // Longest run of literals in the segment.
    let (mut best, mut run_start) = ((seg.0, seg.0), None);
    for i in seg.0..=seg.1 {
        let lit = i < seg.1 && matches!(p.tok(i), Tok::Lit(_));
        match (lit, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                if i - s > best.1 - best.0 {
                    best = (s, i);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    if best.0 == best.1 {
        // Only `?`: the leftmost start is `from` itself.
        return seg_forward(p, seg, text, from);
    }
    let needle = p.lits(best.0, best.1);
    let finder = memchr::memmem::Finder::new(&needle[..]);
    let mut at = from;
    while let Some(off) = finder.find(&text[at..]) {
        let q = at + off;
        let hit = seg_backward(p, (seg.0, best.0), text, q)
            .filter(|&start| start >= from)
            .and_then(|_| seg_forward(p, (best.1, seg.1), text, q + needle.len()));
        if hit.is_some() {
            return hit;
        }
        at = q + 1;
    }
    None
}

/// Glob match in time linear in the text for `*`-only patterns: the pattern is split at
/// its stars; the first segment must match at the start, the last at the end, and each
/// segment between them is matched at its leftmost place after the previous one (greedy
/// leftmost matching is exact when the only variable-length wildcard is `*`).
fn glob_pat(p: &(impl Pat + ?Sized), text: &[u8]) -> bool {
    let n = p.len();
    let Some(first_star) = (0..n).find(|&i| p.tok(i) == Tok::Star) else {
        return seg_forward(p, (0, n), text, 0) == Some(text.len());
    };
    let last_star = (first_star..n)
        .rev()
        .find(|&i| p.tok(i) == Tok::Star)
        .unwrap_or(first_star);
    let Some(mut pos) = seg_forward(p, (0, first_star), text, 0) else {
        return false;
    };
    let Some(tail_start) = seg_backward(p, (last_star + 1, n), text, text.len()) else {
        return false;
    };
    if tail_start < pos {
        return false;
    }
    let mut start = first_star + 1;
    while start < last_star {
        let end = (start..last_star)
            .find(|&i| p.tok(i) == Tok::Star)
            .unwrap_or(last_star);
        if end > start {
            match seg_find(p, (start, end), &text[..tail_start], pos) {
                Some(e) => pos = e,
                None => return false,
            }
        }
        start = end + 1;
    }
    true
}

/// Glob match where `*` and `?` in `pattern` are wildcards.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !has_wildcard(pattern) {
        return if ignore_case {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
    }
    if ignore_case {
        let (p, t) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
        return glob_pat(&Plain(p.as_bytes()), t.as_bytes());
    }
    glob_pat(&Plain(pattern.as_bytes()), text.as_bytes())
}

/// Whether some text matches both glob patterns (`*` and `?` wildcards in each): e.g. a
/// policy's `arn:aws:logs:*:*:log-group:/app/*` and the ARN format
/// `arn:*:logs:*:*:log-group:*:log-stream:*`. Dynamic programming over the two patterns,
/// `O(len(a) * len(b))`.
pub fn globs_intersect(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    // below[j]: the rests a[i + 1..] and b[j..] share a text; row[j]: the same for a[i..].
    // Two rows: memory grows with the shorter side only.
    let mut below = vec![false; m + 1];
    let mut row = vec![false; m + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            if i == n && j == m {
                row[j] = true;
                continue;
            }
            let (x, y) = (a.get(i).copied(), b.get(j).copied());
            row[j] = (x == Some('*') && (below[j] || (j < m && row[j + 1])))
                || (y == Some('*') && ((j < m && row[j + 1]) || (i < n && below[j])))
                || match (x, y) {
                    (Some(x), Some(y)) if x != '*' && y != '*' => {
                        (x == y || x == '?' || y == '?') && below[j + 1]
                    }
                    _ => false,
                };
        }
        std::mem::swap(&mut below, &mut row);
    }
    below[0]
}

/// Glob match of a compiled pattern.
pub fn glob_toks(pattern: &[Tok], text: &str, ignore_case: bool) -> bool {
    if ignore_case {
        let p: Vec<Tok> = pattern
            .iter()
            .map(|t| match t {
                Tok::Lit(c) => Tok::Lit(c.to_ascii_lowercase()),
                other => *other,
            })
            .collect();
        return glob_pat(&p[..], text.to_ascii_lowercase().as_bytes());
    }
    glob_pat(pattern, text.as_bytes())
}

/// Compiles a plain pattern (no variables).
pub fn compile(pattern: &str) -> Vec<Tok> {
    pattern
        .bytes()
        .map(|c| match c {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// The text of a compiled pattern with wildcards written back as `*` / `?`.
pub fn to_text(toks: &[Tok]) -> String {
    let bytes: Vec<u8> = toks
        .iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => b'*',
            Tok::One => b'?',
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Splits at the first five colons (the six parts of an ARN).
fn split6(toks: &[Tok]) -> Option<[&[Tok]; 6]> {
    let mut parts: [&[Tok]; 6] = [&[]; 6];
    let mut start = 0;
    let mut n = 0;
    for (i, t) in toks.iter().enumerate() {
        if n < 5 && *t == Tok::Lit(b':') {
            parts[n] = &toks[start..i];
            n += 1;
            start = i + 1;
        }
    }
    if n < 5 {
        return None;
    }
    parts[5] = &toks[start..];
    Some(parts)
}

/// Splits at the first five colons (the six parts of an ARN).
pub fn split6_str(s: &str) -> Option<[&str; 6]> {
    let mut out = [""; 6];
    let (mut start, mut n) = (0, 0);
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            out[n] = &s[start..i];
            n += 1;
            start = i + 1;
            if n == 5 {
                out[5] = &s[start..];
                return Some(out);
            }
        }
    }
    None
}

/// True when a pattern has a `*` or `?` wildcard.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.bytes().any(|b| b == b'*' || b == b'?')
}

/// ARN match: `*` alone matches everything; otherwise the six colon-separated parts are
/// compared separately (each may hold wildcards), so a pattern with fewer than six parts
/// matches no ARN. Case-sensitive.
pub fn arn_match(pattern: &[Tok], arn: &str) -> bool {
    if pattern == [Tok::Star] {
        return true;
    }
    match (split6(pattern), split6_str(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob_toks(p, a, false)),
        _ => false,
    }
}

/// ARN match of a plain pattern string.
pub fn arn_match_str(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !has_wildcard(pattern) {
        return pattern == arn && split6_str(arn).is_some();
    }
    // Same as `arn_match(&compile(pattern), arn)` without building the tokens: in a plain
    // pattern every `:` is a literal, so splitting the text splits the tokens.
    match (split6_str(pattern), split6_str(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob(p, a, false)),
        _ => false,
    }
}

/// A variable with no value (and no default) in a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable(pub String);

/// Substitutes `${key}` / `${key, 'default'}` / `${*}` / `${?}` / `${$}` in `pattern`.
/// Substituted values are literals (their `*` does not act as a wildcard). `lookup`
/// gets the lower-cased key and returns its single value.
pub fn substitute<'a>(
    pattern: &str,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> Result<Vec<Tok>, MissingVariable> {
    let b = pattern.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$'
            && b.get(i + 1) == Some(&b'{')
            && let Some(close) = pattern[i + 2..].find('}')
        {
            {
                let inner = pattern[i + 2..i + 2 + close].trim();
                i += 2 + close + 1;
                match inner {
                    "*" => out.push(Tok::Lit(b'*')),
                    "?" => out.push(Tok::Lit(b'?')),
                    "$" => out.push(Tok::Lit(b'$')),
                    _ => {
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => {
                                let d = d.trim();
                                let d = d
                                    .strip_prefix('\'')
                                    .and_then(|d| d.strip_suffix('\''))
                                    .unwrap_or(d);
                                (k.trim(), Some(d))
                            }
                            None => (inner, None),
                        };
                        let value = lookup(&key.to_ascii_lowercase()).or(default);
                        match value {
                            Some(v) => out.extend(v.bytes().map(Tok::Lit)),
                            None => return Err(MissingVariable(key.to_string())),
                        }
                    }
                }
                continue;
            }
        }
        out.push(match b[i] {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            c => Tok::Lit(c),
        });
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_intersections() {
        let yes = [
            (
                "arn:aws:logs:*:*:log-group:/aws/lambda/*:*",
                "arn:*:logs:*:*:log-group:*:log-stream:*",
            ),
            (
                "arn:aws:logs:*:*:log-group:/aws/lambda/*:*",
                "arn:*:logs:*:*:log-group:*",
            ),
            ("arn:aws:s3:::b/*", "arn:*:s3:::*/*"),
            ("a?c", "*b*"),
            ("*", "anything"),
            ("", ""),
            ("a*", "*b"),
        ];
        for (a, b) in yes {
            assert!(globs_intersect(a, b), "{a} / {b}");
            assert!(globs_intersect(b, a), "{b} / {a}");
        }
        let no = [
            ("arn:aws:s3:::b", "arn:*:s3:::*/*"),
            ("a?", "abc"),
            ("a*", "b*"),
            ("x", ""),
        ];
        for (a, b) in no {
            assert!(!globs_intersect(a, b), "{a} / {b}");
            assert!(!globs_intersect(b, a), "{b} / {a}");
        }
    }

    proptest::proptest! {
        /// A text both patterns match proves they intersect.
        #[test]
        fn a_common_text_means_the_globs_intersect(
            a in "[ab*?]{0,6}",
            b in "[ab*?]{0,6}",
            text in "[ab]{0,6}",
        ) {
            if glob(&a, &text, false) && glob(&b, &text, false) {
                proptest::prop_assert!(globs_intersect(&a, &b), "{} / {} / {}", a, b, text);
            }
            proptest::prop_assert_eq!(globs_intersect(&a, &b), globs_intersect(&b, &a));
        }
    }

    #[test]
    fn glob_basics() {
        assert!(glob("s3:get*", "s3:getobject", false));
        assert!(glob("S3:Get*", "s3:getobject", true));
        assert!(!glob("S3:Get*", "s3:getobject", false));
        assert!(glob("iam:*report", "iam:generatecredentialreport", false));
        assert!(glob("a?c", "abc", false));
        assert!(glob("a?c", "aéc", false));
        assert!(!glob("a?c", "ac", false));
        assert!(glob("*", "", false));
        assert!(glob("**x", "ax", false));
        assert!(!glob("x*", "", false));
    }

    #[test]
    fn w16_star_spans_slashes() {
        let p = "arn:aws:s3:::BUCKET/*/test/*";
        for key in [
            "1/test/object.jpg",
            "1///test///object.jpg",
            "//test/object.jpg",
            "1/test/",
        ] {
            assert!(
                arn_match_str(p, &format!("arn:aws:s3:::BUCKET/{key}")),
                "{key}"
            );
        }
        for key in ["1-test/object.jpg", "test/object.jpg", "1/2/test.jpg"] {
            assert!(
                !arn_match_str(p, &format!("arn:aws:s3:::BUCKET/{key}")),
                "{key}"
            );
        }
    }

    #[test]
    fn arn_parts_are_separate() {
        assert!(arn_match_str(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::123456789012:role/x"
        ));
        assert!(!arn_match_str(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::123456789012:user/x"
        ));
        assert!(!arn_match_str(
            "arn:aws:s3:::b*",
            "arn:aws:s3:eu-west-1::bx"
        ));
        assert!(arn_match_str(
            "arn:aws:s3:::*log*",
            "arn:aws:s3:::carlossalazar-logs/x"
        ));
        assert!(!arn_match_str("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
    }

    #[test]
    fn variables() {
        let look = |k: &str| {
            if k == "aws:username" {
                Some("David")
            } else {
                None
            }
        };
        assert_eq!(
            to_text(&substitute("mybucket/${aws:username}/*", look).unwrap()),
            "mybucket/David/*"
        );
        assert_eq!(
            to_text(&substitute("${aws:PrincipalTag/Team, 'none'}", look).unwrap()),
            "none"
        );
        assert_eq!(
            substitute("${aws:PrincipalTag/Team}", look),
            Err(MissingVariable("aws:PrincipalTag/Team".into()))
        );
        let lit = substitute("a${*}b${?}${$}", look).unwrap();
        assert!(glob_toks(&lit, "a*b?$", false));
        assert!(!glob_toks(&lit, "axb?$", false));
        let star_value = substitute("x/${aws:username}", |_| Some("*")).unwrap();
        assert!(!glob_toks(&star_value, "x/abc", false));
    }

    /// Reference matcher: dynamic programming over characters (quadratic, obviously right).
    fn reference(pattern: &str, text: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        // m[j]: pattern prefix of length i matches text prefix of length j.
        let mut m = vec![false; t.len() + 1];
        m[0] = true;
        for &pc in &p {
            let mut next = vec![false; t.len() + 1];
            for j in 0..=t.len() {
                next[j] = match pc {
                    '*' => m[j] || (j > 0 && next[j - 1]),
                    '?' => j > 0 && m[j - 1],
                    c => j > 0 && m[j - 1] && t[j - 1] == c,
                };
            }
            m = next;
        }
        m[t.len()]
    }

    proptest::proptest! {
        #[test]
        fn glob_agrees_with_reference(
            pattern in "[ab*?é/]{0,10}",
            text in "[abé/]{0,14}",
        ) {
            proptest::prop_assert_eq!(glob(&pattern, &text, false), reference(&pattern, &text), "{} vs {}", pattern, text);
            let toks = compile(&pattern);
            proptest::prop_assert_eq!(glob_toks(&toks, &text, false), reference(&pattern, &text));
        }
    }

    #[test]
    fn long_texts_match_without_backtracking() {
        // The classic worst case of backtracking matchers: `*aaa…b` against `aaa…a`.
        let text = "a".repeat(100_000);
        let pattern = format!("*{}b", "a".repeat(50_000));
        assert!(!glob(&pattern, &text, false));
        let pattern = format!("*{}*b", "a".repeat(1_000));
        assert!(!glob(&pattern, &text, false));
        let text_b = format!("{text}b");
        assert!(glob(&format!("*{}b", "a".repeat(50_000)), &text_b, false));
        assert!(glob("*a?a*b", &text_b, false));
        assert!(!glob("*a?c*", &text_b, false));
    }

    #[test]
    fn short_arn_patterns_match_nothing() {
        let arn = "arn:aws:sns:us-east-1:111111111111:topic1";
        assert!(!arn_match_str("arn:aws:sns:*", arn));
        assert!(!arn_match_str("arn:aws:sns:*:topic1", arn));
        assert!(arn_match_str("arn:aws:sns:*:*:topic1", arn));
        assert!(arn_match_str("*", arn));
        assert!(!arn_match(&compile("arn:aws:sns:*"), arn));
        assert!(!arn_match_str("topic1", "topic1"));
    }
}
