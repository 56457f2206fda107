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

fn char_len(text: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && (text[j] & 0xC0) == 0x80 {
        j += 1;
    }
    j - i
}

fn glob_with(plen: usize, pat: impl Fn(usize) -> Tok, text: &[u8], ignore_case: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<usize> = None;
    let mut mark = 0usize;
    while t < text.len() {
        if p < plen {
            match pat(p) {
                Tok::Star => {
                    star = Some(p);
                    mark = t;
                    p += 1;
                    continue;
                }
                Tok::One => {
                    t += char_len(text, t);
                    p += 1;
                    continue;
                }
                Tok::Lit(c) => {
                    let same = if ignore_case {
                        c.eq_ignore_ascii_case(&text[t])
                    } else {
                        c == text[t]
                    };
                    if same {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some(s) => {
                p = s + 1;
                mark += char_len(text, mark);
                t = mark;
            }
            None => return false,
        }
    }
    while p < plen && pat(p) == Tok::Star {
        p += 1;
    }
    p == plen
}

/// Glob match where `*` and `?` in `pattern` are wildcards.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let pb = pattern.as_bytes();
    if !has_wildcard(pattern) {
        return if ignore_case {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
    }
    glob_with(
        pb.len(),
        |i| match pb[i] {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            c => Tok::Lit(c),
        },
        text.as_bytes(),
        ignore_case,
    )
}

/// Glob match of a compiled pattern.
pub fn glob_toks(pattern: &[Tok], text: &str, ignore_case: bool) -> bool {
    glob_with(pattern.len(), |i| pattern[i], text.as_bytes(), ignore_case)
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
/// compared separately (each may hold wildcards). Case-sensitive.
pub fn arn_match(pattern: &[Tok], arn: &str) -> bool {
    if pattern == [Tok::Star] {
        return true;
    }
    match (split6(pattern), split6_str(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob_toks(p, a, false)),
        (None, _) => glob_toks(pattern, arn, false),
        (Some(_), None) => false,
    }
}

/// ARN match of a plain pattern string.
pub fn arn_match_str(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !has_wildcard(pattern) {
        return pattern == arn;
    }
    // Same as `arn_match(&compile(pattern), arn)` without building the tokens: in a plain
    // pattern every `:` is a literal, so splitting the text splits the tokens.
    match (split6_str(pattern), split6_str(arn)) {
        (Some(p), Some(a)) => p.iter().zip(a.iter()).all(|(p, a)| glob(p, a, false)),
        (None, _) => glob(pattern, arn, false),
        (Some(_), None) => false,
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
}
