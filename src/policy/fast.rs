//! Policy documents deserialized straight into the model, without the positioned tree.
//!
//! Bulk evaluation (`policy eval --jsonl`) reads thousands of cases a second and never shows
//! a document, so it skips [`super::json::Node`] and the copy into [`Policy`]. This path
//! accepts exactly the documents [`Policy::from_node`] accepts and builds the same model
//! (a property test holds the two together); its errors are terse, because a caller that
//! gets one parses the input again the positioned way to report where the problem is.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::condition::{OpBase, parse_operator};
use super::document::{
    Condition, Effect, Policy, PolicyType, PrincipalEntry, ResourceKind, Statement,
    principal_entry, valid_action, valid_flag, valid_resource_arn,
};

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// True inside [`with`]: case entries then read documents through [`PolicySeed`] and keep no
/// [`super::json::Node`].
pub(crate) fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Runs `f` (a deserialization of cases) with the fast document path on this thread.
pub(crate) fn with<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ENABLED.with(|e| e.set(self.0));
        }
    }
    let _reset = Reset(ENABLED.with(|e| e.replace(true)));
    f()
}

/// Deserializes one policy document of a given type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicySeed {
    pub ty: PolicyType,
    pub kind: ResourceKind,
}

/// A string borrowed from the input when it has no escapes.
struct Str<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string or a non-empty array of strings.
struct StrList<'de>(Vec<Str<'de>>);

impl<'de> de::Deserialize<'de> for StrList<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a non-empty array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<StrList<'de>, E> {
                Ok(StrList(vec![Str(Cow::Borrowed(v))]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrList<'de>, E> {
                Ok(StrList(vec![Str(Cow::Owned(v.to_string()))]))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<StrList<'de>, E> {
                Ok(StrList(vec![Str(Cow::Owned(v))]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList<'de>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(32));
                while let Some(s) = seq.next_element::<Str>()? {
                    out.push(s);
                }
                if out.is_empty() {
                    return Err(de::Error::custom("empty array"));
                }
                Ok(StrList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Condition values: a string, number or boolean, or a non-empty array of them, as text.
/// `in_array` reads one element of that array (a scalar only).
#[derive(Clone, Copy)]
struct ValuesSeed {
    in_array: bool,
}

impl ValuesSeed {
    fn one<E>(text: String) -> Result<Vec<String>, E> {
        Ok(vec![text])
    }
}

impl<'de> DeserializeSeed<'de> for ValuesSeed {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("condition values")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        Self::one(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Vec<String>, E> {
        Self::one(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<String>, E> {
        Self::one(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<String>, E> {
        Self::one(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<String>, E> {
        Self::one(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<String>, E> {
        // The same text the positioned tree keeps for a number read through serde.
        match serde_json::Number::from_f64(v) {
            Some(n) => Self::one(n.to_string()),
            None => Err(E::custom("not a finite number")),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        if self.in_array {
            return Err(fail("nested array"));
        }
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(32));
        while let Some(one) = seq.next_element_seed(ValuesSeed { in_array: true })? {
            out.extend(one);
        }
        if out.is_empty() {
            return Err(fail("empty array"));
        }
        Ok(out)
    }
}

fn fail<E: de::Error>(message: &str) -> E {
    E::custom(message)
}

/// Records the key numbered `bit` of an object; a repeated key is an error (as in the
/// positioned parser).
fn once<E: de::Error>(seen: &mut u32, bit: u32) -> Result<(), E> {
    if *seen & (1 << bit) != 0 {
        return Err(fail("duplicate key"));
    }
    *seen |= 1 << bit;
    Ok(())
}

impl<'de> DeserializeSeed<'de> for PolicySeed {
    type Value = Policy;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Policy, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PolicySeed {
    type Value = Policy;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a policy document")
    }

    /// A document given as JSON text goes through the positioned parser.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Policy, E> {
        super::document::parse_policy(text, self.ty, self.kind).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Policy, A::Error> {
        let (mut version, mut id, mut statements) = (None, None, None);
        let mut seen = 0;
        while let Some(Str(key)) = map.next_key::<Str>()? {
            let bit = match &*key {
                "Version" => 0,
                "Id" => 1,
                "Statement" => 2,
                _ => return Err(fail("unknown element")),
            };
            once(&mut seen, bit)?;
            match &*key {
                "Version" => {
                    let Str(v) = map.next_value::<Str>()?;
                    if v != "2012-10-17" && v != "2008-10-17" {
                        return Err(fail("unknown Version"));
                    }
                    version = Some(v.into_owned());
                }
                "Id" => id = Some(map.next_value::<Str>()?.0.into_owned()),
                "Statement" => statements = Some(map.next_value_seed(StatementsSeed(self))?),
                _ => return Err(fail("unknown element")),
            }
        }
        Ok(Policy {
            version,
            id,
            statements: statements.ok_or_else(|| fail("no Statement"))?,
        })
    }
}

/// `Statement`: one object or a non-empty array of objects.
struct StatementsSeed(PolicySeed);

impl<'de> DeserializeSeed<'de> for StatementsSeed {
    type Value = Vec<Statement>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Statement>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StatementsSeed {
    type Value = Vec<Statement>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement or an array of statements")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<Statement>, A::Error> {
        Ok(vec![StatementSeed(self.0).visit_map(map)?])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Statement>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(64));
        while let Some(st) = seq.next_element_seed(StatementSeed(self.0))? {
            out.push(st);
        }
        if out.is_empty() {
            return Err(fail("Statement is an empty array"));
        }
        Ok(out)
    }
}

struct StatementSeed(PolicySeed);

impl<'de> DeserializeSeed<'de> for StatementSeed {
    type Value = Statement;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Statement, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StatementSeed {
    type Value = Statement;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Statement, A::Error> {
        let PolicySeed { ty, kind } = self.0;
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<(bool, Vec<PrincipalEntry>)> = None;
        let mut action: Option<(bool, Vec<String>)> = None;
        let mut resource: Option<(bool, Vec<String>)> = None;
        let mut conditions = Vec::new();
        let mut seen = 0;
        while let Some(Str(key)) = map.next_key::<Str>()? {
            let bit = match &*key {
                "Sid" => 0,
                "Effect" => 1,
                "Principal" => 2,
                "NotPrincipal" => 3,
                "Action" => 4,
                "NotAction" => 5,
                "Resource" => 6,
                "NotResource" => 7,
                "Condition" => 8,
                _ => return Err(fail("unknown element")),
            };
            once(&mut seen, bit)?;
            let not = key.starts_with("Not");
            match &*key {
                "Sid" => sid = Some(map.next_value::<Str>()?.0.into_owned()),
                "Effect" => {
                    effect = Some(match &*map.next_value::<Str>()?.0 {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        _ => return Err(fail("bad Effect")),
                    })
                }
                "Principal" | "NotPrincipal" => {
                    if principal.is_some() {
                        return Err(fail("both Principal and NotPrincipal"));
                    }
                    principal = Some((not, map.next_value_seed(PrincipalSeed)?));
                }
                "Action" | "NotAction" => {
                    if action.is_some() {
                        return Err(fail("both Action and NotAction"));
                    }
                    let StrList(items) = map.next_value()?;
                    let mut actions = Vec::with_capacity(items.len());
                    for Str(a) in items {
                        if !valid_action(&a) {
                            return Err(fail("malformed action"));
                        }
                        actions.push(a.to_ascii_lowercase());
                    }
                    action = Some((not, actions));
                }
                "Resource" | "NotResource" => {
                    if resource.is_some() {
                        return Err(fail("both Resource and NotResource"));
                    }
                    let StrList(items) = map.next_value()?;
                    let mut resources = Vec::with_capacity(items.len());
                    for Str(r) in items {
                        if !valid_resource_arn(&r) {
                            return Err(fail("malformed ARN"));
                        }
                        resources.push(r.into_owned());
                    }
                    resource = Some((not, resources));
                }
                "Condition" => conditions = map.next_value_seed(ConditionSeed)?,
                _ => return Err(fail("unknown element")),
            }
        }
        let effect = effect.ok_or_else(|| fail("no Effect"))?;
        let (principal, not_principal) = match principal {
            None if ty == PolicyType::Resource => return Err(fail("no Principal")),
            None => (None, false),
            Some((not, entries)) => {
                if !matches!(ty, PolicyType::Resource | PolicyType::Rcp)
                    || (not && effect == Effect::Allow)
                    || (not && kind == ResourceKind::Trust)
                {
                    return Err(fail("Principal not allowed here"));
                }
                (Some(entries), not)
            }
        };
        let (not_action, actions) = action.ok_or_else(|| fail("no Action"))?;
        let trust = ty == PolicyType::Resource && kind == ResourceKind::Trust;
        let (resources, not_resource) = match resource {
            None => match ty {
                PolicyType::Scp | PolicyType::Rcp => (Some(vec!["*".to_string()]), false),
                _ if trust => (None, false),
                _ => return Err(fail("no Resource")),
            },
            Some(_) if kind == ResourceKind::Trust && ty == PolicyType::Resource => {
                return Err(fail("Resource in a trust policy"));
            }
            Some((not, resources)) => (Some(resources), not),
        };
        Ok(Statement {
            sid,
            effect,
            principal,
            not_principal,
            actions,
            not_action,
            resources,
            not_resource,
            conditions,
            pos: None,
        })
    }
}

/// `Principal` / `NotPrincipal`: `"*"` or a non-empty object of principal types.
struct PrincipalSeed;

impl<'de> DeserializeSeed<'de> for PrincipalSeed {
    type Value = Vec<PrincipalEntry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<PrincipalEntry>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PrincipalSeed {
    type Value = Vec<PrincipalEntry>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"*\" or a principal object")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<PrincipalEntry>, E> {
        if v == "*" {
            Ok(vec![PrincipalEntry::Any])
        } else {
            Err(fail("a principal string must be \"*\""))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<PrincipalEntry>, A::Error> {
        let mut out = Vec::new();
        let mut seen = 0;
        while let Some(Str(key)) = map.next_key::<Str>()? {
            let bit = match &*key {
                "AWS" => 0,
                "Service" => 1,
                "Federated" => 2,
                "CanonicalUser" => 3,
                _ => return Err(fail("unknown principal type")),
            };
            once(&mut seen, bit)?;
            let StrList(items) = map.next_value()?;
            for Str(s) in items {
                match principal_entry(&key, &s) {
                    Some(Ok(entry)) => out.push(entry),
                    Some(Err(_)) => return Err(fail("malformed principal")),
                    None => return Err(fail("unknown principal type")),
                }
            }
        }
        if seen == 0 {
            return Err(fail("empty principal object"));
        }
        Ok(out)
    }
}

/// `Condition`: operator → condition key → values.
struct ConditionSeed;

impl<'de> DeserializeSeed<'de> for ConditionSeed {
    type Value = Vec<Condition>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Condition>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ConditionSeed {
    type Value = Vec<Condition>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Condition object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Condition>, A::Error> {
        let mut out: Vec<Condition> = Vec::new();
        while let Some(Str(op_text)) = map.next_key::<Str>()? {
            // Every block adds at least one condition, so an earlier one shows a repeat.
            if out.iter().any(|c| *c.operator_text == *op_text) {
                return Err(fail("duplicate key"));
            }
            let operator = parse_operator(&op_text).map_err(|m| fail::<A::Error>(&m))?;
            let block = map.next_value::<ConditionBlock>()?.0;
            if block.is_empty() {
                return Err(fail("empty condition block"));
            }
            for (key, values) in block {
                if matches!(operator.base, OpBase::Null | OpBase::Bool)
                    && !values.iter().all(|v| valid_flag(v))
                {
                    return Err(fail("Null and Bool take true or false"));
                }
                out.push(Condition {
                    operator,
                    operator_text: op_text.to_string(),
                    key_lc: key.to_ascii_lowercase(),
                    key,
                    values,
                    pos: None,
                });
            }
        }
        Ok(out)
    }
}

/// One operator's block: condition key → values, keys unique.
struct ConditionBlock(Vec<(String, Vec<String>)>);

impl<'de> de::Deserialize<'de> for ConditionBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConditionBlock;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of condition keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConditionBlock, A::Error> {
                let mut out: Vec<(String, Vec<String>)> = Vec::new();
                while let Some(Str(key)) = map.next_key::<Str>()? {
                    if out.iter().any(|(k, _)| *k == *key) {
                        return Err(fail("duplicate key"));
                    }
                    let values = map.next_value_seed(ValuesSeed { in_array: false })?;
                    out.push((key.into_owned(), values));
                }
                Ok(ConditionBlock(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::policy::json;

    /// The positioned path, with positions dropped (the fast path keeps none).
    fn slow(text: &str, ty: PolicyType, kind: ResourceKind) -> Result<Policy, ()> {
        let node = json::parse(text).map_err(|_| ())?;
        let mut p = Policy::from_node(&node, ty, kind).map_err(|_| ())?;
        for st in &mut p.statements {
            st.pos = None;
            for c in &mut st.conditions {
                c.pos = None;
            }
        }
        Ok(p)
    }

    fn fast(text: &str, ty: PolicyType, kind: ResourceKind) -> Result<Policy, ()> {
        let mut de = serde_json::Deserializer::from_str(text);
        let p = PolicySeed { ty, kind }
            .deserialize(&mut de)
            .map_err(|_| ())?;
        de.end().map_err(|_| ())?;
        Ok(p)
    }

    const TYPES: [PolicyType; 6] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Boundary,
        PolicyType::Session,
        PolicyType::Scp,
        PolicyType::Rcp,
    ];
    const KINDS: [ResourceKind; 4] = [
        ResourceKind::Bucket,
        ResourceKind::Key,
        ResourceKind::Trust,
        ResourceKind::Other,
    ];

    /// Values for a statement element: well-formed ones first, then malformed ones.
    fn pool(key: &str) -> (Vec<Value>, Vec<Value>) {
        match key {
            "Sid" => (vec![json!("S1"), json!("")], vec![json!(3)]),
            "Effect" => (
                vec![json!("Allow"), json!("Deny")],
                vec![json!("allow"), json!(5)],
            ),
            "Principal" | "NotPrincipal" => (
                vec![
                    json!("*"),
                    json!({"AWS": "*"}),
                    json!({"AWS": ["111122223333", "arn:aws:iam::111122223333:role/R"]}),
                    json!({"AWS": "arn:aws:iam::111122223333:root"}),
                    json!({"Service": "Lambda.amazonaws.com"}),
                    json!({"Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "abc"}),
                ],
                vec![
                    json!("x"),
                    json!({"Service": "*"}),
                    json!({"AWS": "arn:aws:iam::1:role/x"}),
                    json!({"AWS": "arn:aws:iam::111122223333:role/*"}),
                    json!({"AWS": "alice"}),
                    json!({"Foo": "x"}),
                    json!({}),
                    json!({"AWS": []}),
                    json!(7),
                ],
            ),
            "Action" | "NotAction" => (
                vec![
                    json!("s3:GetObject"),
                    json!(["s3:Get*", "KMS:*", "iam:?et*"]),
                    json!("*"),
                ],
                vec![
                    json!("bad"),
                    json!([]),
                    json!(["s3:x", 1]),
                    json!("s3:Put Object"),
                    json!(":x"),
                ],
            ),
            "Resource" | "NotResource" => (
                vec![
                    json!("*"),
                    json!("arn:aws:s3:::b/*"),
                    json!(["arn:aws:s3:::b", "arn:aws:kms:eu-west-1:111122223333:key/k"]),
                ],
                vec![json!("bucket"), json!("arn:aws:s3"), json!([]), json!(3)],
            ),
            "Condition" => (
                vec![
                    json!({"StringEquals": {"aws:username": "a"}}),
                    json!({"Bool": {"aws:SecureTransport": "false"}, "StringLike": {"s3:prefix": ["a*", "b"]}}),
                    json!({"Bool": {"aws:SecureTransport": false}}),
                    json!({"Null": {"k": true}}),
                    json!({"NumericLessThan": {"n": 5}}),
                    json!({"NumericLessThan": {"n": 1.5}}),
                    json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.1.1"]}}),
                    json!({"ForAnyValue:StringLike": {"aws:TagKeys": ["a*"]}}),
                ],
                vec![
                    json!({"Bool": {"aws:SecureTransport": "maybe"}}),
                    json!({"stringequals": {"k": "v"}}),
                    json!({"StringLike": {}}),
                    json!({"StringEquals": {"k": []}}),
                    json!({"StringEquals": {"k": [{"x": 1}]}}),
                    json!({"StringEquals": {"k": null}}),
                    json!({"StringEquals": "v"}),
                    json!({"NullIfExists": {"k": "true"}}),
                    json!("x"),
                ],
            ),
            _ => (vec![json!("x")], vec![]),
        }
    }

    /// A statement: each element absent, present, as its Not form or (rarely) both; each value
    /// well-formed most of the time.
    fn statement() -> impl Strategy<Value = Value> {
        let element = || (0..16u8, any::<prop::sample::Index>(), 0..40u8);
        (proptest::collection::vec(element(), 6), 0..40u8).prop_map(|(picks, extra)| {
            let mut m = serde_json::Map::new();
            let mut put = |key: &str, (pick, bad): (prop::sample::Index, bool)| {
                let (good, wrong) = pool(key);
                let values = if bad && !wrong.is_empty() {
                    wrong
                } else {
                    good
                };
                m.insert(key.to_string(), pick.get(&values).clone());
            };
            let groups: [(&str, Option<&str>, u8); 6] = [
                ("Sid", None, 8),
                ("Effect", None, 15),
                ("Principal", Some("NotPrincipal"), 8),
                ("Action", Some("NotAction"), 15),
                ("Resource", Some("NotResource"), 12),
                ("Condition", None, 6),
            ];
            for ((key, not_key, present), (form, pick, bad)) in groups.into_iter().zip(picks) {
                let value = (pick, bad == 0);
                if form >= 16 - present {
                    put(key, value);
                } else if let Some(not) = not_key.filter(|_| form < 3) {
                    put(not, value);
                    if form == 0 && bad == 1 {
                        put(key, value);
                    }
                }
            }
            if extra == 0 {
                m.insert("Bogus".into(), json!(1));
            }
            Value::Object(m)
        })
    }

    fn document() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec![
                json!("2012-10-17"),
                json!("2012-10-17"),
                json!("2012-10-17"),
                json!("2008-10-17"),
                json!("2020-01-01"),
                json!(1),
                Value::Null,
                Value::Null,
            ]),
            proptest::collection::vec(statement(), 1..4),
            0..12u8,
        )
            .prop_map(|(version, statements, shape)| {
                let mut m = serde_json::Map::new();
                if !version.is_null() {
                    m.insert("Version".into(), version);
                }
                match shape {
                    0 if !statements.is_empty() => {
                        m.insert("Statement".into(), statements[0].clone());
                    }
                    1 => {
                        m.insert("Id".into(), json!("doc"));
                        m.insert("Statement".into(), Value::Array(statements));
                    }
                    2 => {
                        m.insert("Statement".into(), json!("not a statement"));
                    }
                    3 => {
                        m.insert("Extra".into(), json!(1));
                        m.insert("Statement".into(), Value::Array(statements));
                    }
                    4 => {
                        m.insert("Statement".into(), json!([]));
                    }
                    _ => {
                        m.insert("Statement".into(), Value::Array(statements));
                    }
                }
                Value::Object(m)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Both paths accept the same documents and build the same model.
        #[test]
        fn fast_path_agrees_with_the_positioned_parser(
            doc in document(),
            ty in prop::sample::select(TYPES.to_vec()),
            kind in prop::sample::select(KINDS.to_vec()),
        ) {
            let text = doc.to_string();
            prop_assert_eq!(fast(&text, ty, kind), slow(&text, ty, kind), "{}", text);
        }
    }

    /// The generator makes both kinds: well-formed documents and malformed ones.
    #[test]
    fn generated_documents_are_often_valid() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut valid, total) = (0, 600);
        for i in 0..total {
            let doc = document()
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_string();
            if slow(&doc, TYPES[i % TYPES.len()], ResourceKind::Other).is_ok() {
                valid += 1;
            }
        }
        assert!(
            valid > total / 10 && valid < total * 7 / 8,
            "{valid} of {total} valid"
        );
    }

    #[test]
    fn repeated_keys_are_rejected_like_the_positioned_parser() {
        for text in [
            r#"{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
            r#"{"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}"#,
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"a": "true"}, "Bool": {"b": "true"}}}}"#,
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"a": "true", "a": "false"}}}}"#,
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*", "AWS": "*"}, "Action": "*", "Resource": "*"}}"#,
        ] {
            let (ty, kind) = (PolicyType::Resource, ResourceKind::Other);
            assert_eq!(slow(text, ty, kind), Err(()), "{text}");
            assert_eq!(fast(text, ty, kind), Err(()), "{text}");
        }
        let ok = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A\u0042", "Effect": "Allow", "Action": ["S3:Get*"], "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/Team": ["a", 1, true]}}}]}"#;
        let ty = PolicyType::Identity;
        assert_eq!(
            fast(ok, ty, ResourceKind::Other),
            slow(ok, ty, ResourceKind::Other)
        );
        assert!(fast(ok, ty, ResourceKind::Other).is_ok());
    }
}
