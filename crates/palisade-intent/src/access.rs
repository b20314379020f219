//! `can`, `cannot` and `only`, decided by `palisade-rbac`'s authorizer as
//! `palisade rbac can-i` decides them, with the binding and role that grant a
//! permission (or the statement that nothing grants it).

use std::collections::BTreeSet;

use palisade_rbac::escalation::uncovered;
use palisade_rbac::{
    BindingKind, Discovery, Grant, Policy, PolicyRule, Reason, Request, ResourceAttributes,
    SubjectKind, UserInfo,
};

use crate::model::{AccessQuestion, Allowance, Subject, Target};
use crate::subject::user_info;

/// The bootstrap ClusterRoleBindings that give every authenticated user the
/// same permissions (discovery, self-review, version): `only` does not count
/// what they grant, since no subject can be without it.
pub const EVERYONE_BINDINGS: [&str; 3] = [
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
];

/// The note `only` adds about [`EVERYONE_BINDINGS`].
const EVERYONE_NOTE: &str = "permissions every authenticated user holds through the bootstrap bindings of system:authenticated (system:basic-user, system:discovery, system:public-info-viewer) are not counted";

/// `can` (`expect_allowed`) or `cannot`. An unknown resource type is an error.
pub fn access(
    policy: &Policy,
    question: &AccessQuestion,
    expect_allowed: bool,
) -> Result<(bool, String), String> {
    let user = user_info(&question.subject);
    let request = request(policy, &question.verb, &question.target)?;
    let decision = policy.authorize(&user, &request);
    let explanation = match &decision.reason {
        Reason::PrivilegedGroup => format!(
            "allowed: {} is in system:masters, authorized before RBAC",
            question.subject.describe()
        ),
        Reason::Rule(grant) => format!("allowed by {}", policy.describe(grant)),
        Reason::NoMatch => format!(
            "denied: no RBAC rule grants {} to {}",
            request.display(),
            question.subject.describe()
        ),
    };
    Ok((decision.allowed == expect_allowed, explanation))
}

/// The request a target makes: the type resolved as `kubectl auth can-i`
/// resolves it (built-in API table and the input's CRDs).
pub fn request(policy: &Policy, verb: &str, target: &Target) -> Result<Request, String> {
    match target {
        Target::NonResource { url } => Ok(Request::non_resource(verb, url)),
        Target::Resource {
            resource,
            namespace,
            name,
        } => {
            let (group, resource, subresource, namespaced) = resolve(policy, resource)?;
            let namespace = if namespaced {
                namespace.clone().unwrap_or_default()
            } else {
                String::new()
            };
            Ok(Request::Resource(
                ResourceAttributes::new(verb, &group, &resource, &namespace)
                    .with_subresource(&subresource)
                    .with_name(name.as_deref().unwrap_or("")),
            ))
        }
    }
}

/// `TYPE[.GROUP][/SUBRESOURCE]` into (group, resource, subresource, namespaced).
fn resolve(policy: &Policy, text: &str) -> Result<(String, String, String, bool), String> {
    let (type_part, subresource) = text.split_once('/').unwrap_or((text, ""));
    let resolved = Discovery::new(policy.custom_resources())
        .resolve(type_part)
        .map_err(|e| e.to_string())?;
    Ok((
        resolved.group,
        resolved.resource,
        subresource.to_owned(),
        resolved.namespaced,
    ))
}

/// `only`: every permission the subject holds, in any namespace or
/// cluster-wide, is within `rules`. Returns whether it holds, the
/// explanation, and one line per extra permission with its binding and role.
pub fn only(
    policy: &Policy,
    subject: &Subject,
    rules: &[Allowance],
) -> Result<(bool, String, Vec<String>), String> {
    let user = user_info(subject);
    let listed = listed_rules(policy, rules)?;
    let mut extras: BTreeSet<String> = BTreeSet::new();
    let mut counted = 0usize;
    for namespace in scopes(policy) {
        for held in held_in(policy, &user, &namespace) {
            if granted_to_everyone(policy, &held.grant) {
                continue;
            }
            counted += 1;
            let owners: Vec<&PolicyRule> = listed
                .iter()
                .filter(|(scope, _)| {
                    scope.is_none()
                        || (!namespace.is_empty() && scope.as_deref() == Some(namespace.as_str()))
                })
                .map(|(_, rule)| rule)
                .collect();
            for atom in uncovered(&owners, std::slice::from_ref(held.rule)) {
                let scope = if namespace.is_empty() {
                    "cluster-wide".to_owned()
                } else {
                    format!("in {namespace}")
                };
                extras.insert(format!(
                    "{} {scope} (via {} -> {})",
                    atom.summary(),
                    policy.binding(held.grant.binding).display(),
                    policy.role(held.grant.role).display()
                ));
            }
        }
    }
    let who = subject.describe();
    if extras.is_empty() {
        Ok((
            true,
            format!(
                "{who} holds nothing outside the listed rules ({counted} {} held); {EVERYONE_NOTE}",
                if counted == 1 { "rule" } else { "rules" }
            ),
            Vec::new(),
        ))
    } else {
        Ok((
            false,
            format!(
                "{who} holds {} outside the listed rules; {EVERYONE_NOTE}",
                if extras.len() == 1 {
                    "1 permission".to_owned()
                } else {
                    format!("{} permissions", extras.len())
                }
            ),
            extras.into_iter().collect(),
        ))
    }
}

/// The listed rules as RBAC rules, each with its namespace (`None`: cluster-wide).
fn listed_rules(
    policy: &Policy,
    rules: &[Allowance],
) -> Result<Vec<(Option<String>, PolicyRule)>, String> {
    let mut out = Vec::new();
    for allowance in rules {
        let verbs: Vec<&str> = allowance.verbs.iter().map(String::as_str).collect();
        let names: Vec<&str> = allowance
            .resource_names
            .iter()
            .map(String::as_str)
            .collect();
        if !allowance.non_resource_urls.is_empty() {
            let urls: Vec<&str> = allowance
                .non_resource_urls
                .iter()
                .map(String::as_str)
                .collect();
            out.push((None, PolicyRule::non_resource(&verbs, &urls)));
        }
        for resource in &allowance.resources {
            let (group, plural, subresource, _) =
                resolve(policy, resource).map_err(|e| format!("{}: {e}", allowance.at.origin()))?;
            let written = if subresource.is_empty() {
                plural
            } else {
                format!("{plural}/{subresource}")
            };
            let rule = PolicyRule::new(&verbs, &[group.as_str()], &[written.as_str()]);
            let rule = if names.is_empty() {
                rule
            } else {
                rule.with_names(&names)
            };
            out.push((allowance.namespace.clone(), rule));
        }
    }
    Ok(out)
}

/// Cluster scope (`""`), then every namespace a RoleBinding lives in.
fn scopes(policy: &Policy) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = policy
        .bindings()
        .iter()
        .filter(|b| b.kind == BindingKind::RoleBinding)
        .map(|b| b.namespace.clone())
        .collect();
    out.insert(String::new());
    out
}

/// The rules held in one scope, each counted once: cluster scope holds the
/// ClusterRoleBindings' rules, a namespace only its RoleBindings'.
fn held_in<'p>(
    policy: &'p Policy,
    user: &UserInfo,
    namespace: &str,
) -> Vec<palisade_rbac::HeldRule<'p>> {
    policy
        .rules_for(user, namespace)
        .into_iter()
        .filter(|held| {
            namespace.is_empty()
                || policy.binding(held.grant.binding).kind == BindingKind::RoleBinding
        })
        .collect()
}

/// A grant through one of [`EVERYONE_BINDINGS`] to `system:authenticated`, of
/// the bootstrap ClusterRole of the same name as Kubernetes ships it. A name
/// alone proves nothing: a binding called `system:discovery` that points at
/// `cluster-admin`, or a `system:discovery` role the input rewrote with more
/// rules, is counted against `only` like any other grant.
fn granted_to_everyone(policy: &Policy, grant: &Grant) -> bool {
    let binding = policy.binding(grant.binding);
    let role = policy.role(grant.role);
    binding.kind == BindingKind::ClusterRoleBinding
        && EVERYONE_BINDINGS.contains(&binding.name.as_str())
        && binding.role_ref.kind == "ClusterRole"
        && binding.role_ref.name == binding.name
        && role.name == binding.name
        && &*role.source.file == palisade_rbac::bootstrap::SOURCE
        && binding.subjects.iter().any(|s| {
            s.kind == SubjectKind::Group && s.name == palisade_rbac::identity::AUTHENTICATED
        })
}
