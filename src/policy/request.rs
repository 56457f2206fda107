//! The request being evaluated: principal, action, resource and context keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition::{ContextLookup, Values};

/// What kind of caller makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    /// IAM user `arn:aws:iam::ACCT:user/NAME`.
    User,
    /// Role session `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`.
    RoleSession,
    /// STS federated user session `arn:aws:sts::ACCT:federated-user/NAME` (GetFederationToken).
    FederatedUser,
    /// The account root user `arn:aws:iam::ACCT:root`.
    Root,
    /// An AWS service principal such as `lambda.amazonaws.com`.
    Service,
    /// A web identity or SAML provider (AssumeRoleWithWebIdentity / AssumeRoleWithSAML).
    WebIdentity,
    /// An unauthenticated caller.
    Anonymous,
}

/// The caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// ARN (or service name / provider for services and web identities).
    pub arn: String,
    pub kind: PrincipalKind,
    /// The principal's account (none for services and anonymous callers).
    pub account: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// For role sessions: the role ARN (`aws:PrincipalArn`).
    pub role_arn: Option<String>,
    /// For federated user sessions: the IAM user that called GetFederationToken.
    pub federated_by: Option<String>,
    /// A service-linked role session (role path `/aws-service-role/`).
    pub service_linked: bool,
    pub canonical_user: Option<String>,
}

/// Why a principal description is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

impl Principal {
    /// Builds a principal from its ARN (or `*` for anonymous, or a service name such as
    /// `lambda.amazonaws.com`). `kind` overrides the inferred kind.
    pub fn from_arn(arn: &str, kind: Option<PrincipalKind>) -> Result<Principal, RequestError> {
        let mut p = Principal {
            arn: arn.to_string(),
            kind: PrincipalKind::Anonymous,
            account: None,
            tags: BTreeMap::new(),
            role_arn: None,
            federated_by: None,
            service_linked: false,
            canonical_user: None,
        };
        match kind {
            Some(PrincipalKind::Service) => {
                p.kind = PrincipalKind::Service;
                p.arn = arn.to_ascii_lowercase();
                return Ok(p);
            }
            Some(PrincipalKind::WebIdentity) => {
                p.kind = PrincipalKind::WebIdentity;
                return Ok(p);
            }
            Some(PrincipalKind::Anonymous) => return Ok(p),
            _ => {}
        }
        if arn == "*" || arn.eq_ignore_ascii_case("anonymous") {
            return Ok(p);
        }
        if !arn.starts_with("arn:") {
            if arn.ends_with(".amazonaws.com") || arn.ends_with(".amazonaws.com.cn") {
                p.kind = PrincipalKind::Service;
                p.arn = arn.to_ascii_lowercase();
                return Ok(p);
            }
            return Err(RequestError(format!(
                "principal \"{arn}\" is not an ARN, \"*\" or a service principal like lambda.amazonaws.com"
            )));
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 {
            return Err(RequestError(format!("malformed principal ARN \"{arn}\"")));
        }
        let (partition, service, account, resource) = (parts[1], parts[2], parts[4], parts[5]);
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RequestError(format!(
                "principal ARN \"{arn}\" needs a 12-digit account id"
            )));
        }
        p.account = Some(account.to_string());
        match (service, resource.split_once('/')) {
            ("iam", _) if resource == "root" => p.kind = PrincipalKind::Root,
            ("iam", Some(("user", _))) => p.kind = PrincipalKind::User,
            ("sts", Some(("assumed-role", rest))) => {
                let Some((role, _session)) = rest.split_once('/') else {
                    return Err(RequestError(format!(
                        "role session ARN \"{arn}\" must look like arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
                    )));
                };
                p.kind = PrincipalKind::RoleSession;
                p.role_arn = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
            }
            ("sts", Some(("federated-user", _))) => p.kind = PrincipalKind::FederatedUser,
            ("iam", Some(("role", _))) => {
                return Err(RequestError(format!(
                    "a role does not make requests itself; use the ARN of its session, arn:{partition}:sts::{account}:assumed-role/ROLE_NAME/SESSION_NAME"
                )));
            }
            _ => {
                return Err(RequestError(format!(
                    "unsupported principal ARN \"{arn}\" (use an IAM user, root, role session or federated user ARN)"
                )));
            }
        }
        if let Some(k) = kind
            && k != p.kind
        {
            return Err(RequestError(format!(
                "principal type {k:?} does not match the ARN \"{arn}\" (a {:?})",
                p.kind
            )));
        }
        Ok(p)
    }

    /// The value of `aws:PrincipalArn`: the role ARN for role sessions, else the ARN.
    pub fn principal_arn(&self) -> &str {
        self.role_arn.as_deref().unwrap_or(&self.arn)
    }
}

/// The resource being accessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub arn: String,
    /// The owning account (S3 bucket ARNs carry none, so give it for cross-account cases).
    pub account: Option<String>,
    /// An AWS managed KMS key (RCPs do not apply to those).
    pub aws_managed_key: bool,
}

impl Resource {
    /// The owning account: the explicit one, else the account field of the ARN.
    pub fn owner(&self) -> Option<&str> {
        if let Some(a) = &self.account {
            return Some(a);
        }
        let acct = super::pattern::split6_str(&self.arn)?[4];
        (!acct.is_empty()).then_some(acct)
    }
}

/// A complete request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub principal: Principal,
    /// The action as given (`s3:PutObject`).
    pub action: String,
    pub resource: Resource,
    /// Context keys as given, lower-cased key -> values (one value = single-valued).
    pub context: BTreeMap<String, Vec<String>>,
}

/// The request context with the keys AWS fills in from the principal and resource
/// (`aws:username`, `aws:PrincipalArn`, `aws:PrincipalTag/...`, ...). Keys given
/// explicitly in the request win over the derived ones. Borrows the request: derived
/// keys are looked up when a condition asks for them, nothing is copied.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    req: &'a Request,
    org_id: Option<&'a str>,
    principal_in_org: bool,
    resource_in_org: bool,
}

impl ContextLookup for Context<'_> {
    fn values(&self, key_lc: &str) -> Option<Values<'_>> {
        match self.req.context.get(key_lc) {
            Some(v) => Some(Values::Many(v)),
            None => self.derived(key_lc),
        }
    }
}

impl<'a> Context<'a> {
    pub fn build(
        req: &'a Request,
        org_id: Option<&'a str>,
        principal_in_org: bool,
        resource_in_org: bool,
    ) -> Context<'a> {
        Context {
            req,
            org_id,
            principal_in_org,
            resource_in_org,
        }
    }

    /// The value AWS derives for a lower-cased global key, when it derives one.
    fn derived(&self, key_lc: &str) -> Option<Values<'a>> {
        let p = &self.req.principal;
        let one = |v: &'a str| Some(Values::One(v));
        match key_lc {
            "aws:principalarn" => {
                if p.kind != PrincipalKind::Anonymous && p.kind != PrincipalKind::WebIdentity {
                    one(p.principal_arn())
                } else {
                    None
                }
            }
            "aws:principalaccount" => p.account.as_deref().and_then(one),
            "aws:username" => match (&p.account, p.kind) {
                (Some(_), PrincipalKind::User) => p.arn.rsplit('/').next().and_then(one),
                _ => None,
            },
            "aws:principaltype" => match p.kind {
                PrincipalKind::User => one("User"),
                PrincipalKind::RoleSession => one("AssumedRole"),
                PrincipalKind::FederatedUser => one("FederatedUser"),
                PrincipalKind::Root => one("Account"),
                PrincipalKind::Anonymous => one("Anonymous"),
                PrincipalKind::Service | PrincipalKind::WebIdentity => None,
            },
            "aws:principalisawsservice" => one(if p.kind == PrincipalKind::Service {
                "true"
            } else {
                "false"
            }),
            "aws:principalservicename" if p.kind == PrincipalKind::Service => one(&p.arn),
            "aws:resourceaccount" => self.req.resource.owner().and_then(one),
            "aws:principalorgid" if self.principal_in_org => self.org_id.and_then(one),
            "aws:resourceorgid" if self.resource_in_org => self.org_id.and_then(one),
            _ => {
                let tag = key_lc.strip_prefix("aws:principaltag/")?;
                // Tag keys compare case-insensitively; with two spellings the last one wins.
                p.tags
                    .iter()
                    .rev()
                    .find(|(k, _)| k.eq_ignore_ascii_case(tag))
                    .and_then(|(_, v)| one(v))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_kinds_from_arns() {
        let u = Principal::from_arn("arn:aws:iam::123456789012:user/dev/alice", None).unwrap();
        assert_eq!(u.kind, PrincipalKind::User);
        assert_eq!(u.account.as_deref(), Some("123456789012"));
        let s =
            Principal::from_arn("arn:aws:sts::123456789012:assumed-role/App/i-1", None).unwrap();
        assert_eq!(s.kind, PrincipalKind::RoleSession);
        assert_eq!(s.principal_arn(), "arn:aws:iam::123456789012:role/App");
        let r = Principal::from_arn("arn:aws:iam::123456789012:root", None).unwrap();
        assert_eq!(r.kind, PrincipalKind::Root);
        let f = Principal::from_arn("arn:aws:sts::123456789012:federated-user/bob", None).unwrap();
        assert_eq!(f.kind, PrincipalKind::FederatedUser);
        let svc = Principal::from_arn("Lambda.amazonaws.com", None).unwrap();
        assert_eq!(svc.kind, PrincipalKind::Service);
        assert_eq!(svc.arn, "lambda.amazonaws.com");
        assert!(Principal::from_arn("arn:aws:iam::123456789012:role/App", None).is_err());
        assert!(Principal::from_arn("arn:aws:iam::12:user/x", None).is_err());
        assert!(Principal::from_arn("bob", None).is_err());
        assert!(
            Principal::from_arn(
                "arn:aws:iam::123456789012:user/x",
                Some(PrincipalKind::Root)
            )
            .is_err()
        );
    }

    #[test]
    fn derived_context_keys() {
        let mut p = Principal::from_arn("arn:aws:iam::123456789012:user/alice", None).unwrap();
        p.tags.insert("Team".into(), "red".into());
        let req = Request {
            principal: p,
            action: "s3:GetObject".into(),
            resource: Resource {
                arn: "arn:aws:s3:::b/k".into(),
                account: None,
                aws_managed_key: false,
            },
            context: BTreeMap::from([("aws:username".to_string(), vec!["override".to_string()])]),
        };
        let c = Context::build(&req, Some("o-1"), true, false);
        assert_eq!(c.single("aws:principaltag/team"), Some("red"));
        assert_eq!(c.single("aws:username"), Some("override"));
        assert_eq!(c.single("aws:principalorgid"), Some("o-1"));
        assert_eq!(c.single("aws:resourceorgid"), None);
        assert_eq!(c.single("aws:principaltype"), Some("User"));
    }
}
