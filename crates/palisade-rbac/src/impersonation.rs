//! Legacy impersonation (SPEC §10.1): may the requester act as the target
//! identity, and which identity results?
//!
//! Each requested attribute (user or ServiceAccount, each group, each extra
//! value, the uid) is authorized separately with verb `impersonate`.

use std::collections::BTreeMap;

use crate::identity::{UserInfo, parse_service_account};
use crate::policy::Policy;
use crate::request::{Request, ResourceAttributes};

/// What `Impersonate-*` headers ask for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImpersonationTarget {
    pub user: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
    pub uid: String,
}

/// Why an impersonation is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImpersonationDenied {
    /// Groups, extras or a uid without a user: the API server answers 400.
    NoUser,
    /// This check was not allowed.
    NotAllowed(Box<Request>),
}

impl Policy {
    /// The checks impersonating `target` requires (empty list plus `Err(NoUser)`
    /// when the request is malformed).
    pub fn impersonation_checks(
        target: &ImpersonationTarget,
    ) -> Result<Vec<Request>, ImpersonationDenied> {
        if target.user.is_empty() {
            return Err(ImpersonationDenied::NoUser);
        }
        let check = |group: &str, resource: &str, sub: &str, namespace: &str, name: &str| {
            Request::Resource(
                ResourceAttributes::new("impersonate", group, resource, namespace)
                    .with_subresource(sub)
                    .with_name(name),
            )
        };
        let mut checks = Vec::new();
        match parse_service_account(&target.user) {
            Some((ns, name)) => checks.push(check("", "serviceaccounts", "", ns, name)),
            None => checks.push(check("", "users", "", "", &target.user)),
        }
        for group in &target.groups {
            checks.push(check("", "groups", "", "", group));
        }
        for (key, values) in &target.extra {
            // Header names are case-insensitive, so the API server lowercases keys.
            let key = key.to_lowercase();
            for value in values {
                checks.push(check(
                    "authentication.k8s.io",
                    "userextras",
                    &key,
                    "",
                    value,
                ));
            }
        }
        if !target.uid.is_empty() {
            checks.push(check("authentication.k8s.io", "uids", "", "", &target.uid));
        }
        Ok(checks)
    }

    /// Allowed iff every check passes; returns the resulting identity.
    pub fn impersonate(
        &self,
        requester: &UserInfo,
        target: &ImpersonationTarget,
    ) -> Result<UserInfo, ImpersonationDenied> {
        for check in Policy::impersonation_checks(target)? {
            if !self.can(requester, &check) {
                return Err(ImpersonationDenied::NotAllowed(Box::new(check)));
            }
        }
        Ok(UserInfo::as_impersonated(&target.user, &target.groups))
    }
}
