//! The request being evaluated: principal, action, resource and context keys.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::condition::ContextLookup;

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
        let acct = self.arn.split(':').nth(4)?;
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
/// explicitly in the request win over the derived ones.
#[derive(Debug, Clone)]
pub struct Context {
    map: HashMap<String, Vec<String>>,
}

impl ContextLookup for Context {
    fn values(&self, key_lc: &str) -> Option<&[String]> {
        self.map.get(key_lc).map(|v| v.as_slice())
    }
}

impl Context {
    pub fn build(
        req: &Request,
        org_id: Option<&str>,
        principal_in_org: bool,
        resource_in_org: bool,
    ) -> Context {
        let mut map: HashMap<String, Vec<String>> = HashMap::with_capacity(req.context.len() + 12);
        let mut put = |k: &str, v: String| {
            map.insert(k.to_string(), vec![v]);
        };
        let p = &req.principal;
        if p.kind != PrincipalKind::Anonymous && p.kind != PrincipalKind::WebIdentity {
            put("aws:principalarn", p.principal_arn().to_string());
        }
        if let Some(acct) = &p.account {
            put("aws:principalaccount", acct.clone());
            if p.kind == PrincipalKind::User
                && let Some(name) = p.arn.rsplit('/').next()
            {
                put("aws:username", name.to_string());
            }
        }
        let ptype = match p.kind {
            PrincipalKind::User => Some("User"),
            PrincipalKind::RoleSession => Some("AssumedRole"),
            PrincipalKind::FederatedUser => Some("FederatedUser"),
            PrincipalKind::Root => Some("Account"),
            PrincipalKind::Anonymous => Some("Anonymous"),
            _ => None,
        };
        if let Some(t) = ptype {
            put("aws:principaltype", t.to_string());
        }
        put(
            "aws:principalisawsservice",
            (p.kind == PrincipalKind::Service).to_string(),
        );
        if p.kind == PrincipalKind::Service {
            put("aws:principalservicename", p.arn.clone());
        }
        for (k, v) in &p.tags {
            put(
                &format!("aws:principaltag/{}", k.to_ascii_lowercase()),
                v.clone(),
            );
        }
        if let Some(acct) = req.resource.owner() {
            put("aws:resourceaccount", acct.to_string());
        }
        if let Some(org) = org_id {
            if principal_in_org {
                put("aws:principalorgid", org.to_string());
            }
            if resource_in_org {
                put("aws:resourceorgid", org.to_string());
            }
        }
        for (k, v) in &req.context {
            map.insert(k.clone(), v.clone());
        }
        Context { map }
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
