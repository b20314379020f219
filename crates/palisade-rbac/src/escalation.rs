//! Escalation prevention on writes to RBAC objects (SPEC §9): would the API
//! server accept this create/update of a Role, ClusterRole, RoleBinding or
//! ClusterRoleBinding? Includes the syntactic "covers" comparator (§9.3).

use palisade_core::Object;

use crate::identity::UserInfo;
use crate::matching::url_entry_matches;
use crate::model::{BindingDef, BindingKind, PolicyRule, RBAC_GROUP, RoleDef, RoleKind};
use crate::policy::Policy;
use crate::request::{Request, ResourceAttributes};

/// The write being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

impl Operation {
    pub fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

/// Why a write was accepted or refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdmitReason {
    /// The object is not an RBAC kind this check knows.
    NotRbac,
    /// RBAC does not allow the write itself (`create`/`update` on the resource).
    WriteNotAuthorized(Request),
    /// `system:masters` bypasses the escalation check.
    PrivilegedGroup,
    /// The user may `escalate` (roles) or `bind` (bindings) on this request.
    SpecialVerb(Request),
    /// The user already holds every permission the object grants.
    Covered,
    /// These rules (atoms) are not held by the user.
    NotCovered(Vec<PolicyRule>),
    /// An aggregationRule needs full authority (`*` on everything).
    AggregationNeedsFullAuthority,
    /// The binding's role does not exist, so it cannot be covered.
    MissingRole,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmitDecision {
    pub allowed: bool,
    pub reason: AdmitReason,
}

impl AdmitDecision {
    fn allow(reason: AdmitReason) -> AdmitDecision {
        AdmitDecision {
            allowed: true,
            reason,
        }
    }

    fn deny(reason: AdmitReason) -> AdmitDecision {
        AdmitDecision {
            allowed: false,
            reason,
        }
    }
}

impl Policy {
    /// Would the API server accept `operation` of `object` by `user`? (a) RBAC
    /// authorizes the write and (b) the escalation check passes. The object is not
    /// added to the policy while checking.
    pub fn admit(
        &self,
        user: &UserInfo,
        operation: Operation,
        object: &Object,
        old_object: Option<&Object>,
    ) -> AdmitDecision {
        if let Some(role) = RoleDef::from_object(object) {
            let old = old_object.and_then(RoleDef::from_object);
            return self.admit_role(user, operation, &role, old.as_ref());
        }
        if let Some(binding) = BindingDef::from_object(object) {
            return self.admit_binding(user, operation, &binding);
        }
        AdmitDecision::deny(AdmitReason::NotRbac)
    }

    pub fn admit_role(
        &self,
        user: &UserInfo,
        operation: Operation,
        role: &RoleDef,
        old: Option<&RoleDef>,
    ) -> AdmitDecision {
        let resource = match role.kind {
            RoleKind::Role => "roles",
            RoleKind::ClusterRole => "clusterroles",
        };
        let write = write_request(operation, resource, &role.namespace, &role.name);
        if !self.can(user, &write) {
            return AdmitDecision::deny(AdmitReason::WriteNotAuthorized(write));
        }
        if user.is_privileged() {
            return AdmitDecision::allow(AdmitReason::PrivilegedGroup);
        }
        let escalate = with_verb(&write, "escalate");
        if self.can(user, &escalate) {
            return AdmitDecision::allow(AdmitReason::SpecialVerb(escalate));
        }
        let owner: Vec<&PolicyRule> = self
            .rules_for(user, &role.namespace)
            .into_iter()
            .map(|h| h.rule)
            .collect();
        let missing = uncovered(&owner, &role.rules);
        if !missing.is_empty() {
            return AdmitDecision::deny(AdmitReason::NotCovered(missing));
        }
        let aggregating = |r: Option<&RoleDef>| {
            r.is_some_and(|r| r.aggregation.as_ref().is_some_and(|s| !s.is_empty()))
        };
        if role.kind == RoleKind::ClusterRole && (aggregating(Some(role)) || aggregating(old)) {
            let full = [
                PolicyRule::new(&["*"], &["*"], &["*"]),
                PolicyRule::non_resource(&["*"], &["*"]),
            ];
            if !uncovered(&owner, &full).is_empty() {
                return AdmitDecision::deny(AdmitReason::AggregationNeedsFullAuthority);
            }
        }
        AdmitDecision::allow(AdmitReason::Covered)
    }

    pub fn admit_binding(
        &self,
        user: &UserInfo,
        operation: Operation,
        binding: &BindingDef,
    ) -> AdmitDecision {
        let resource = match binding.kind {
            BindingKind::RoleBinding => "rolebindings",
            BindingKind::ClusterRoleBinding => "clusterrolebindings",
        };
        let write = write_request(operation, resource, &binding.namespace, &binding.name);
        if !self.can(user, &write) {
            return AdmitDecision::deny(AdmitReason::WriteNotAuthorized(write));
        }
        if user.is_privileged() {
            return AdmitDecision::allow(AdmitReason::PrivilegedGroup);
        }
        // `bind` is checked on the referenced role, by its name, in the binding's scope.
        let role_resource = if binding.role_ref.kind == "Role" {
            "roles"
        } else {
            "clusterroles"
        };
        let group = if binding.role_ref.api_group.is_empty() {
            RBAC_GROUP
        } else {
            &binding.role_ref.api_group
        };
        let bind = Request::Resource(
            ResourceAttributes::new("bind", group, role_resource, &binding.namespace)
                .with_name(&binding.role_ref.name),
        );
        if self.can(user, &bind) {
            return AdmitDecision::allow(AdmitReason::SpecialVerb(bind));
        }
        let role = match (binding.kind, binding.role_ref.kind.as_str()) {
            (BindingKind::RoleBinding, "Role") => {
                self.find_role(RoleKind::Role, &binding.namespace, &binding.role_ref.name)
            }
            (_, "ClusterRole") => self.find_role(RoleKind::ClusterRole, "", &binding.role_ref.name),
            _ => None,
        };
        let Some(role) = role else {
            return AdmitDecision::deny(AdmitReason::MissingRole);
        };
        let owner: Vec<&PolicyRule> = self
            .rules_for(user, &binding.namespace)
            .into_iter()
            .map(|h| h.rule)
            .collect();
        let missing = uncovered(&owner, self.rules_of(role));
        if missing.is_empty() {
            AdmitDecision::allow(AdmitReason::Covered)
        } else {
            AdmitDecision::deny(AdmitReason::NotCovered(missing))
        }
    }
}

fn write_request(operation: Operation, resource: &str, namespace: &str, name: &str) -> Request {
    // Create has no name in the URL (SPEC §2.1); update names the object.
    let name = match operation {
        Operation::Create => "",
        Operation::Update => name,
    };
    Request::Resource(
        ResourceAttributes::new(operation.verb(), RBAC_GROUP, resource, namespace).with_name(name),
    )
}

fn with_verb(request: &Request, verb: &str) -> Request {
    let mut out = request.clone();
    if let Request::Resource(attrs) = &mut out {
        attrs.verb = verb.to_owned();
    }
    out
}

/// The atoms of `candidate` that no single `owner` rule covers (SPEC §9.3);
/// empty when the owner covers them all.
pub fn uncovered(owner: &[&PolicyRule], candidate: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut missing = Vec::new();
    for rule in candidate {
        for atom in atoms(rule) {
            if !owner.iter().any(|o| covers_atom(o, &atom)) {
                missing.push(atom);
            }
        }
    }
    missing
}

/// Breaks a rule into single-group/resource/verb(/name) and single-URL/verb atoms.
fn atoms(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let base = PolicyRule::new(&[verb], &[group], &[resource]);
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    for name in &rule.resource_names {
                        out.push(base.clone().with_names(&[name]));
                    }
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(PolicyRule::non_resource(&[verb], &[url]));
        }
    }
    out
}

/// Does one owner rule cover one atom? Syntactic: `*` covers anything, `*/sub`
/// covers `x/sub`, otherwise strings must be equal.
fn covers_atom(owner: &PolicyRule, atom: &PolicyRule) -> bool {
    let has = |list: &[String], value: &str| list.iter().any(|v| v == "*" || v == value);
    let verbs = atom.verbs.iter().all(|v| has(&owner.verbs, v));
    let groups = atom.api_groups.iter().all(|g| has(&owner.api_groups, g));
    let resources = atom.resources.iter().all(|r| {
        owner.resources.iter().any(|o| o == "*" || o == r)
            || r.split_once('/').is_some_and(|(_, sub)| {
                owner
                    .resources
                    .iter()
                    .any(|o| o.strip_prefix("*/") == Some(sub))
            })
    });
    let urls = atom.non_resource_urls.iter().all(|u| {
        owner
            .non_resource_urls
            .iter()
            .any(|o| url_entry_matches_owner(o, u))
    });
    let names = if atom.resource_names.is_empty() {
        owner.resource_names.is_empty()
    } else {
        owner.resource_names.is_empty()
            || atom
                .resource_names
                .iter()
                .all(|n| owner.resource_names.contains(n))
    };
    verbs && groups && resources && urls && names
}

/// Owner URL coverage: exact, or a trailing-`*` prefix. (A bare `*` owner is a
/// prefix of everything.)
fn url_entry_matches_owner(owner: &str, url: &str) -> bool {
    owner == url || (owner.ends_with('*') && url_entry_matches(owner, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_is_syntactic() {
        let owner = PolicyRule::new(&["get"], &[""], &["pods", "secrets"]);
        assert!(uncovered(&[&owner], &[PolicyRule::new(&["get"], &[""], &["pods"])]).is_empty());
        assert!(!uncovered(&[&owner], &[PolicyRule::new(&["get"], &[""], &["*"])]).is_empty());
        let star = PolicyRule::new(&["*"], &["*"], &["*"]);
        assert!(
            uncovered(
                &[&star],
                &[PolicyRule::new(&["escalate"], &["x"], &["y/z"])]
            )
            .is_empty()
        );
    }

    #[test]
    fn names_and_subresource_wildcards_in_covers() {
        let scale = PolicyRule::new(&["update"], &["apps"], &["*/scale"]);
        assert!(
            uncovered(
                &[&scale],
                &[PolicyRule::new(
                    &["update"],
                    &["apps"],
                    &["deployments/scale"]
                )]
            )
            .is_empty()
        );
        assert!(
            !uncovered(
                &[&scale],
                &[PolicyRule::new(&["update"], &["apps"], &["deployments"])]
            )
            .is_empty()
        );
        let named = PolicyRule::new(&["get"], &[""], &["secrets"]).with_names(&["a"]);
        let want_a = PolicyRule::new(&["get"], &[""], &["secrets"]).with_names(&["a"]);
        let want_any = PolicyRule::new(&["get"], &[""], &["secrets"]);
        assert!(uncovered(&[&named], &[want_a]).is_empty());
        assert!(!uncovered(&[&named], &[want_any]).is_empty());
    }

    #[test]
    fn url_coverage_uses_prefixes() {
        let owner = PolicyRule::non_resource(&["get"], &["/healthz/*"]);
        assert!(
            uncovered(
                &[&owner],
                &[PolicyRule::non_resource(&["get"], &["/healthz/etcd"])]
            )
            .is_empty()
        );
        assert!(
            !uncovered(
                &[&owner],
                &[PolicyRule::non_resource(&["get"], &["/healthz"])]
            )
            .is_empty()
        );
    }
}
