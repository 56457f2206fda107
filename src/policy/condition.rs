//! Condition operators: parsing their names and evaluating them against request context.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::IpAddr;

use super::document::Condition;
use super::pattern::{self, MissingVariable, Tok};

/// The operator without its `ForAllValues:` / `ForAnyValue:` prefix and `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpBase {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const OPERATORS: &[(&str, OpBase)] = &[
    ("StringEquals", OpBase::StringEquals),
    ("StringNotEquals", OpBase::StringNotEquals),
    ("StringEqualsIgnoreCase", OpBase::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        OpBase::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OpBase::StringLike),
    ("StringNotLike", OpBase::StringNotLike),
    ("NumericEquals", OpBase::NumericEquals),
    ("NumericNotEquals", OpBase::NumericNotEquals),
    ("NumericLessThan", OpBase::NumericLessThan),
    ("NumericLessThanEquals", OpBase::NumericLessThanEquals),
    ("NumericGreaterThan", OpBase::NumericGreaterThan),
    ("NumericGreaterThanEquals", OpBase::NumericGreaterThanEquals),
    ("DateEquals", OpBase::DateEquals),
    ("DateNotEquals", OpBase::DateNotEquals),
    ("DateLessThan", OpBase::DateLessThan),
    ("DateLessThanEquals", OpBase::DateLessThanEquals),
    ("DateGreaterThan", OpBase::DateGreaterThan),
    ("DateGreaterThanEquals", OpBase::DateGreaterThanEquals),
    ("Bool", OpBase::Bool),
    ("BinaryEquals", OpBase::BinaryEquals),
    ("IpAddress", OpBase::IpAddress),
    ("NotIpAddress", OpBase::NotIpAddress),
    ("ArnEquals", OpBase::ArnEquals),
    ("ArnLike", OpBase::ArnLike),
    ("ArnNotEquals", OpBase::ArnNotEquals),
    ("ArnNotLike", OpBase::ArnNotLike),
    ("Null", OpBase::Null),
];

impl OpBase {
    /// Negated operators: true when the key is missing, and "none may match" with several values.
    pub fn negated(self) -> bool {
        use OpBase::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive counterpart of a negated operator (itself otherwise).
    pub fn positive(self) -> OpBase {
        use OpBase::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }

    pub fn name(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, op)| *op == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// Set qualifier for multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub base: OpBase,
    pub if_exists: bool,
    pub set: Option<SetOp>,
}

/// Parses an operator name such as `ForAnyValue:StringLikeIfExists`. Names are case-sensitive.
pub fn parse_operator(text: &str) -> Result<Operator, String> {
    let (set, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
        (Some(SetOp::ForAllValues), r)
    } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
        (Some(SetOp::ForAnyValue), r)
    } else {
        (None, text)
    };
    let (name, if_exists) = match rest.strip_suffix("IfExists") {
        Some(n) => (n, true),
        None => (rest, false),
    };
    let Some(&(_, base)) = OPERATORS.iter().find(|(n, _)| *n == name) else {
        let hint = OPERATORS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(n, _)| format!(" (operator names are case-sensitive: did you mean {n}?)"))
            .unwrap_or_default();
        return Err(format!("unknown condition operator \"{text}\"{hint}"));
    };
    if base == OpBase::Null && (if_exists || set.is_some()) {
        return Err(format!(
            "\"{text}\": Null cannot take IfExists or a ForAllValues/ForAnyValue prefix"
        ));
    }
    Ok(Operator {
        base,
        if_exists,
        set,
    })
}

/// The values of one context key: a single value, or the list of a multivalued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values<'a> {
    One(&'a str),
    Many(&'a [String]),
}

impl<'a> Values<'a> {
    pub fn len(self) -> usize {
        match self {
            Values::One(_) => 1,
            Values::Many(v) => v.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The values in order.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Values::One(v) => (Some(v), &[][..]),
            Values::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// The value when there is exactly one.
    pub fn single(self) -> Option<&'a str> {
        match self {
            Values::One(v) => Some(v),
            Values::Many([v]) => Some(v.as_str()),
            Values::Many(_) => None,
        }
    }
}

/// Where condition keys come from.
pub trait ContextLookup {
    /// Values of a lower-cased key; `None` when the request does not carry it.
    fn values(&self, key_lc: &str) -> Option<Values<'_>>;
    /// The single value of a lower-cased key (for policy variables).
    fn single(&self, key_lc: &str) -> Option<&str> {
        self.values(key_lc).and_then(Values::single)
    }
}

/// Why a condition did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionFailure {
    pub operator: String,
    pub key: String,
    pub detail: String,
}

/// A policy value after variable substitution.
enum Resolved<'a> {
    /// The value as written (no policy variables): its wildcards act.
    Plain(&'a str),
    /// A value with variables substituted: text that came from a variable is literal.
    Toks(Vec<Tok>),
    /// A variable without a value or default: the value matches nothing.
    Missing(String),
}

fn resolve<'a>(value: &'a str, ctx: &dyn ContextLookup, vars: bool) -> Resolved<'a> {
    if vars && value.contains("${") {
        match pattern::substitute(value, |k| ctx.single(k)) {
            Ok(t) => Resolved::Toks(t),
            Err(MissingVariable(k)) => Resolved::Missing(k),
        }
    } else {
        Resolved::Plain(value)
    }
}

/// Evaluates one condition. `vars` enables policy variables (Version 2012-10-17).
pub fn evaluate(
    cond: &Condition,
    ctx: &dyn ContextLookup,
    vars: bool,
) -> Result<(), ConditionFailure> {
    evaluate_explained(cond, ctx, vars).map(drop)
}

/// Evaluates one condition and, when it holds for a reason other than a value matching,
/// says why: a missing key with `IfExists`, a negated operator or `ForAllValues`, a `Null`
/// test, or policy values that can match nothing (a variable without a value, a value that
/// is not of the operator's type) under a negated operator.
pub fn evaluate_explained(
    cond: &Condition,
    ctx: &dyn ContextLookup,
    vars: bool,
) -> Result<Option<String>, ConditionFailure> {
    let op = cond.operator;
    let fail = |detail: String| ConditionFailure {
        operator: cond.operator_text.clone(),
        key: cond.key.clone(),
        detail,
    };
    let request = ctx.values(&cond.key_lc).filter(|v| !v.is_empty());

    if op.base == OpBase::Null {
        let present = request.is_some();
        let ok = cond
            .values
            .iter()
            .any(|v| v.eq_ignore_ascii_case("true") != present);
        return if ok {
            Ok(Some(format!(
                "{} {}: the key is {} the request, as required",
                cond.operator_text,
                cond.key,
                if present {
                    "present in"
                } else {
                    "missing from"
                }
            )))
        } else if present {
            Err(fail(format!(
                "Null: the key {} is present in the request",
                cond.key
            )))
        } else {
            Err(fail(format!(
                "Null: the key {} is missing from the request",
                cond.key
            )))
        };
    }

    let Some(request) = request else {
        let why = |rule: &str| {
            Ok(Some(format!(
                "{} {}: the key is missing from the request, and {rule}",
                cond.operator_text, cond.key
            )))
        };
        if op.if_exists {
            return why("IfExists makes the condition true when the key is missing");
        }
        return match op.set {
            Some(SetOp::ForAllValues) => {
                why("ForAllValues is true when there are no request values")
            }
            Some(SetOp::ForAnyValue) => Err(fail(format!(
                "ForAnyValue is false because the key {} is missing from the request",
                cond.key
            ))),
            None if op.base.negated() => why("a negated operator is true when the key is missing"),
            None => Err(fail(format!(
                "the key {} is missing from the request",
                cond.key
            ))),
        };
    };

    let positive = op.base.positive();
    let matches_any = |value: &str| {
        cond.values
            .iter()
            .any(|v| match_one(positive, value, &resolve(v, ctx, vars)))
    };
    let negated = op.base.negated();
    let value_ok = |value: &str| matches_any(value) != negated;
    let ok = match op.set {
        None => {
            if negated {
                !request.iter().any(matches_any)
            } else {
                request.iter().any(matches_any)
            }
        }
        Some(SetOp::ForAllValues) => request.iter().all(value_ok),
        Some(SetOp::ForAnyValue) => request.iter().any(value_ok),
    };
    if ok {
        if !negated {
            return Ok(None);
        }
        // A negated operator held: say so when some policy values could match nothing.
        let mut dead = String::new();
        for raw in &cond.values {
            let problem = match resolve(raw, ctx, vars) {
                Resolved::Missing(k) => Some(format!(
                    "{raw}: the variable {k} has no value, so it matches nothing"
                )),
                Resolved::Plain(_) => value_problem(op.base, raw),
                Resolved::Toks(_) => None,
            };
            if let Some(p) = problem {
                let sep = if dead.is_empty() { "" } else { "; " };
                let _ = write!(dead, "{sep}{p}");
            }
        }
        return Ok((!dead.is_empty()).then(|| {
            format!(
                "{} {}: true because no policy value matches, and some never can ({dead})",
                cond.operator_text, cond.key
            )
        }));
    }
    let how = match op.set {
        None if negated => "one of the request values matches",
        None => "no request value matches",
        Some(SetOp::ForAllValues) => "not every request value satisfies it",
        Some(SetOp::ForAnyValue) => "no request value satisfies it",
    };
    let mut detail = format!("{}: {how}; request ", cond.operator_text);
    write_list(&mut detail, request.iter());
    detail.push_str(" vs policy [");
    for (i, raw) in cond.values.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = match resolve(raw, ctx, vars) {
            Resolved::Plain(_) => match value_problem(op.base, raw) {
                Some(problem) => write!(detail, "{sep}{problem}, so it matches nothing"),
                None => write!(detail, "{sep}\"{raw}\""),
            },
            Resolved::Toks(t) => write!(detail, "{sep}\"{}\" (from {raw})", pattern::to_text(&t)),
            Resolved::Missing(k) => write!(
                detail,
                "{sep}{raw} (the variable {k} has no value, so it matches nothing)"
            ),
        };
    }
    detail.push(']');
    Err(fail(detail))
}

/// Writes `["a", "b"]` (for explanations).
pub(crate) fn write_list<T: std::fmt::Display>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(out, "{sep}\"{item}\"");
    }
    out.push(']');
}

/// Compares one request value with one policy value under a positive operator.
fn match_one(op: OpBase, request: &str, policy: &Resolved) -> bool {
    use OpBase::*;
    let text = || -> Cow<'_, str> {
        match policy {
            Resolved::Plain(p) => Cow::Borrowed(*p),
            Resolved::Toks(t) => Cow::Owned(pattern::to_text(t)),
            Resolved::Missing(_) => Cow::Borrowed(""),
        }
    };
    if matches!(policy, Resolved::Missing(_)) {
        return false;
    }
    match op {
        // Wildcards in a policy value are literal here, whether written or substituted.
        StringEquals | BinaryEquals => *text() == *request,
        StringEqualsIgnoreCase => text()
            .chars()
            .flat_map(char::to_lowercase)
            .eq(request.chars().flat_map(char::to_lowercase)),
        StringLike => match policy {
            Resolved::Toks(t) => pattern::glob_toks(t, request, false),
            _ => pattern::glob(&text(), request, false),
        },
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match (parse_number(request), parse_number(&text())) {
            (Some(r), Some(p)) => compare(op, r, p),
            _ => false,
        },
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => match (parse_date(request), parse_date(&text())) {
            (Some(r), Some(p)) => compare(op, r, p),
            _ => false,
        },
        Bool => {
            (request.eq_ignore_ascii_case("true") || request.eq_ignore_ascii_case("false"))
                && text().eq_ignore_ascii_case(request)
        }
        IpAddress => ip_in_cidr(request, &text()),
        ArnEquals | ArnLike => {
            let (matched, bare_star) = match policy {
                Resolved::Toks(t) => (pattern::arn_match(t, request), t[..] == [Tok::Star]),
                _ => (pattern::arn_match_str(&text(), request), *text() == *"*"),
            };
            // A policy value that is not a six-part ARN only matches through a bare `*`.
            request.starts_with("arn:")
                && matched
                && (bare_star || request.splitn(6, ':').count() == 6)
        }
        // Negated operators are evaluated through their positive counterpart.
        StringNotEquals
        | StringNotEqualsIgnoreCase
        | StringNotLike
        | NumericNotEquals
        | DateNotEquals
        | NotIpAddress
        | ArnNotEquals
        | ArnNotLike
        | Null => false,
    }
}

fn compare(op: OpBase, r: f64, p: f64) -> bool {
    use OpBase::*;
    match op {
        NumericEquals | DateEquals => r == p,
        NumericLessThan | DateLessThan => r < p,
        NumericLessThanEquals | DateLessThanEquals => r <= p,
        NumericGreaterThan | DateGreaterThan => r > p,
        NumericGreaterThanEquals | DateGreaterThanEquals => r >= p,
        _ => false,
    }
}

/// True when `ip` lies in `cidr` (a CIDR block or a single address); IPv4 and IPv6.
pub fn ip_in_cidr(ip: &str, cidr: &str) -> bool {
    let Ok(ip) = ip.trim().parse::<IpAddr>() else {
        return false;
    };
    let Some((net, bits)) = parse_cidr(cidr) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        _ => false,
    }
}

/// Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address.
pub fn parse_cidr(cidr: &str) -> Option<(IpAddr, u32)> {
    let cidr = cidr.trim();
    let (addr, bits) = match cidr.split_once('/') {
        Some((a, b)) if !b.is_empty() && b.len() <= 3 && b.bytes().all(|c| c.is_ascii_digit()) => {
            (a, Some(b.parse::<u32>().ok()?))
        }
        Some(_) => return None,
        None => (cidr, None),
    };
    let net: IpAddr = addr.parse().ok()?;
    let max = if net.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((net, bits))
}

/// Parses a number the way the Numeric operators read it: an optional `-`, digits, and an
/// optional fraction (`10`, `-3`, `2.5`). Exponents (`1e3`), hexadecimal (`0x10`), `+`,
/// spaces, `NaN` and `inf` are not numbers.
pub fn parse_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (all_digits(int) && frac.is_none_or(all_digits))
        .then(|| s.parse().ok())
        .flatten()
}

/// Why a policy value can never match under `op` (a value AWS does not read as that type),
/// or `None` when it is valid. Values with policy variables are checked after substitution
/// only, so they are accepted here.
pub fn value_problem(op: OpBase, value: &str) -> Option<String> {
    use OpBase::*;
    if value.contains("${") {
        return None;
    }
    match op.positive() {
        NumericEquals | NumericLessThan | NumericLessThanEquals | NumericGreaterThan
        | NumericGreaterThanEquals => parse_number(value).is_none().then(|| {
            format!("\"{value}\" is not a number: Numeric operators take integers or decimals such as 10 or 2.5 (no exponent, hexadecimal or spaces)")
        }),
        DateEquals | DateLessThan | DateLessThanEquals | DateGreaterThan
        | DateGreaterThanEquals => parse_date(value).is_none().then(|| {
            format!("\"{value}\" is not a date: Date operators take ISO 8601 dates such as 2024-05-01 or 2024-05-01T12:00:00Z, or epoch seconds")
        }),
        IpAddress => parse_cidr(value).is_none().then(|| {
            format!("\"{value}\" is not an IP address or CIDR block: write 203.0.113.0/24 or 2001:db8::/32 (prefix length up to 32 for IPv4, 128 for IPv6)")
        }),
        Bool | Null => (!value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false"))
            .then(|| format!("\"{value}\" is not a boolean: write \"true\" or \"false\"")),
        ArnEquals | ArnLike => (value != "*" && pattern::split6_str(value).is_none()).then(|| {
            format!("\"{value}\" has fewer than six colon-separated parts, so it matches no ARN (Arn operators compare partition, service, region, account and resource separately): write e.g. arn:aws:sns:*:*:topic1")
        }),
        _ => None,
    }
}

/// Parses ISO 8601 dates (`2024-05-01`, `2024-05-01T12:00:00Z`, with fraction or offset)
/// and epoch seconds, returning seconds since the Unix epoch.
pub fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let mut secs = (days * 86_400) as f64;
    if b.len() == 10 {
        return Some(secs);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = num(11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = num(14, 2)?;
    let mut i = 16;
    let mut second = 0f64;
    if b.get(16) == Some(&b':') {
        second = num(17, 2)? as f64;
        i = 19;
        if b.get(19) == Some(&b'.') {
            let start = 20;
            let mut end = start;
            while b.get(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
            if end == start {
                return None;
            }
            second += format!("0.{}", &s[start..end]).parse::<f64>().ok()?;
            i = end;
        }
    }
    if hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    secs += (hour * 3600 + minute * 60) as f64 + second;
    match &s[i..] {
        "" | "Z" | "z" => Some(secs),
        off if off.len() == 6 && (off.starts_with('+') || off.starts_with('-')) => {
            let oh: i64 = off.get(1..3)?.parse().ok()?;
            let om: i64 = off.get(4..6)?.parse().ok()?;
            let delta = (oh * 3600 + om * 60) as f64;
            Some(if off.starts_with('+') {
                secs - delta
            } else {
                secs + delta
            })
        }
        _ => None,
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Ctx(HashMap<String, Vec<String>>);
    impl ContextLookup for Ctx {
        fn values(&self, key_lc: &str) -> Option<Values<'_>> {
            self.0.get(key_lc).map(|v| Values::Many(v))
        }
    }

    fn ctx(pairs: &[(&str, &[&str])]) -> Ctx {
        Ctx(pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect())
    }

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: parse_operator(op).unwrap(),
            operator_text: op.into(),
            key: key.into(),
            key_lc: key.to_ascii_lowercase(),
            values: values.iter().map(|s| s.to_string()).collect(),
            pos: None,
        }
    }

    fn holds(op: &str, key: &str, values: &[&str], c: &Ctx) -> bool {
        evaluate(&cond(op, key, values), c, true).is_ok()
    }

    #[test]
    fn parse_operator_names() {
        let op = parse_operator("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.base, OpBase::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.set, Some(SetOp::ForAnyValue));
        assert!(parse_operator("StringEqual").is_err());
        assert!(
            parse_operator("stringequals")
                .unwrap_err()
                .contains("did you mean StringEquals")
        );
        assert!(parse_operator("NullIfExists").is_err());
    }

    #[test]
    fn missing_keys() {
        let c = ctx(&[]);
        assert!(!holds("StringEquals", "aws:username", &["a"], &c));
        assert!(holds("StringNotEquals", "aws:username", &["a"], &c));
        assert!(holds("StringEqualsIfExists", "aws:username", &["a"], &c));
        assert!(holds("StringNotEqualsIfExists", "aws:username", &["a"], &c));
        assert!(holds("Null", "aws:username", &["true"], &c));
        assert!(!holds("Null", "aws:username", &["false"], &c));
        assert!(holds(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["a"],
            &c
        ));
        assert!(!holds(
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            &["a"],
            &c
        ));
        assert!(holds(
            "ForAnyValue:StringEqualsIfExists",
            "aws:TagKeys",
            &["a"],
            &c
        ));
    }

    #[test]
    fn string_family() {
        let c = ctx(&[("aws:username", &["Alice"])]);
        assert!(holds("StringEquals", "AWS:UserName", &["Bob", "Alice"], &c));
        assert!(!holds("StringEquals", "aws:username", &["alice"], &c));
        assert!(holds(
            "StringEqualsIgnoreCase",
            "aws:username",
            &["alice"],
            &c
        ));
        assert!(!holds(
            "StringNotEqualsIgnoreCase",
            "aws:username",
            &["ALICE"],
            &c
        ));
        assert!(holds("StringLike", "aws:username", &["A*"], &c));
        assert!(!holds("StringNotLike", "aws:username", &["A*", "x"], &c));
        assert!(holds(
            "StringNotEquals",
            "aws:username",
            &["Bob", "Carol"],
            &c
        ));
        assert!(!holds(
            "StringNotEquals",
            "aws:username",
            &["Bob", "Alice"],
            &c
        ));
    }

    #[test]
    fn numeric_date_bool_binary() {
        let c = ctx(&[
            ("s3:max-keys", &["10"]),
            ("aws:CurrentTime", &["2024-06-01T12:00:00Z"]),
            ("aws:SecureTransport", &["false"]),
            ("k:bin", &["QmluYXJ5"]),
        ]);
        assert!(holds("NumericLessThanEquals", "s3:max-keys", &["10"], &c));
        assert!(!holds("NumericLessThan", "s3:max-keys", &["10"], &c));
        assert!(holds("NumericGreaterThan", "s3:max-keys", &["9.5"], &c));
        assert!(holds("NumericNotEquals", "s3:max-keys", &["11"], &c));
        assert!(!holds("NumericEquals", "s3:max-keys", &["1e1"], &c));
        assert!(!holds("NumericEquals", "s3:max-keys", &["0xA"], &c));
        assert!(!holds("NumericEquals", "s3:max-keys", &["ten"], &c));
        assert!(holds(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2024-01-01"],
            &c
        ));
        assert!(holds(
            "DateLessThan",
            "aws:CurrentTime",
            &["2024-06-01T13:00:00+00:30"],
            &c
        ));
        assert!(holds("DateEquals", "aws:CurrentTime", &["1717243200"], &c));
        assert!(holds(
            "DateNotEquals",
            "aws:CurrentTime",
            &["2024-06-01T12:00:01Z"],
            &c
        ));
        assert!(holds(
            "DateLessThanEquals",
            "aws:CurrentTime",
            &["2024-06-01T12:00:00.000Z"],
            &c
        ));
        assert!(holds(
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            &["2024-06-01T14:00:00+02:00"],
            &c
        ));
        assert!(holds("Bool", "aws:SecureTransport", &["FALSE"], &c));
        assert!(!holds("Bool", "aws:SecureTransport", &["true"], &c));
        assert!(holds("BinaryEquals", "k:bin", &["QmluYXJ5"], &c));
    }

    #[test]
    fn ip_family() {
        let c = ctx(&[("aws:SourceIp", &["203.0.113.7"]), ("v6", &["2001:db8::1"])]);
        assert!(holds("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], &c));
        assert!(holds("IpAddress", "aws:SourceIp", &["203.0.113.7"], &c));
        assert!(!holds("IpAddress", "aws:SourceIp", &["10.0.0.0/8"], &c));
        assert!(holds("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], &c));
        assert!(holds("IpAddress", "v6", &["2001:db8::/32"], &c));
        assert!(!holds("IpAddress", "v6", &["203.0.113.0/24"], &c));
        assert!(holds("IpAddress", "aws:SourceIp", &["0.0.0.0/0"], &c));
    }

    #[test]
    fn arn_family() {
        let c = ctx(&[("aws:SourceArn", &["arn:aws:s3:::bucket-a"])]);
        assert!(holds(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:s3:::bucket-a"],
            &c
        ));
        assert!(holds(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:s3:::bucket-*"],
            &c
        ));
        assert!(holds(
            "ArnNotLike",
            "aws:SourceArn",
            &["arn:aws:s3:::other-*"],
            &c
        ));
        assert!(!holds(
            "ArnNotEquals",
            "aws:SourceArn",
            &["arn:aws:s3:::bucket-a"],
            &c
        ));
        assert!(!holds(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sqs:*:*:bucket-a"],
            &c
        ));
    }

    #[test]
    fn set_operators_w6() {
        let op = "ForAllValues:StringNotLike";
        let keys = |v: &[&str]| ctx(&[("aws:TagKeys", v)]);
        // The Deny applies (condition true) for key2:audit and for a missing key.
        assert!(!holds(
            op,
            "aws:TagKeys",
            &["key1*"],
            &keys(&["key1:legal"])
        ));
        assert!(!holds(
            op,
            "aws:TagKeys",
            &["key1*"],
            &keys(&["key1:hr", "key1:personnel"])
        ));
        assert!(holds(op, "aws:TagKeys", &["key1*"], &keys(&["key2:audit"])));
        assert!(holds(op, "aws:TagKeys", &["key1*"], &ctx(&[])));
        assert!(holds(
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            &["b"],
            &keys(&["a", "b"])
        ));
        assert!(!holds(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["b"],
            &keys(&["a", "b"])
        ));
    }

    #[test]
    fn variables_in_values() {
        let c = ctx(&[("aws:username", &["ann"]), ("s3:prefix", &["home/ann/"])]);
        assert!(holds(
            "StringLike",
            "s3:prefix",
            &["home/${aws:username}/*"],
            &c
        ));
        assert!(!holds(
            "StringLike",
            "s3:prefix",
            &["home/${aws:PrincipalTag/x}/*"],
            &c
        ));
        assert!(holds(
            "StringNotLike",
            "s3:prefix",
            &["home/${aws:PrincipalTag/x}/*"],
            &c
        ));
        assert!(holds(
            "StringLike",
            "s3:prefix",
            &["home/${aws:PrincipalTag/x, 'ann'}/*"],
            &c
        ));
        // Variables are not substituted for Version 2008-10-17.
        assert!(
            evaluate(
                &cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]),
                &c,
                false
            )
            .is_err()
        );
    }

    #[test]
    fn dates_parse() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("1970-01-02T00:00:01Z"), Some(86_401.0));
        assert_eq!(parse_date("2000-03-01"), Some(951_868_800.0));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn failure_detail_names_operator_and_key() {
        let c = ctx(&[("aws:username", &["bob"])]);
        let f = evaluate(&cond("StringEquals", "aws:username", &["ann"]), &c, true).unwrap_err();
        assert_eq!(f.operator, "StringEquals");
        assert_eq!(f.key, "aws:username");
        assert!(f.detail.contains("\"bob\""), "{}", f.detail);
    }
}
