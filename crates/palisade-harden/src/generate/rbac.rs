//! `rbac.yaml`: the ServiceAccounts that grants name (without an automounted
//! token: a pod that needs the API asks for it), then per grant a Role and a
//! RoleBinding in each of its namespaces (or one ClusterRole and
//! ClusterRoleBinding for `clusterWide`). Rules are exactly the grant's verbs
//! on its resources, one rule per API group: no wildcard, nothing more.
//!
//! A grant's `acceptedRisks` become suppression annotations on its bindings,
//! where the RBAC analysis reports risks: `palisade scan` then lists them as
//! suppressed with the profile's reason, and reports nothing else it did not.

use std::collections::BTreeSet;

use palisade_suppress::annotation::{PREFIX, dotted};

use crate::profile::{Grant, Profile, Scope, Subject};
use crate::yaml::{Doc, Y, map, s, strs};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub fn documents(profile: &Profile) -> Vec<Doc> {
    let mut docs = Vec::new();
    let accounts: BTreeSet<(&str, &str)> = profile
        .access
        .iter()
        .flat_map(|g| &g.subjects)
        .filter_map(|subject| match subject {
            Subject::ServiceAccount { namespace, name } => {
                Some((namespace.as_str(), name.as_str()))
            }
            _ => None,
        })
        .collect();
    for (namespace, name) in accounts {
        docs.push(Doc {
            comment: vec![
                format!("ServiceAccount {namespace}/{name}: the identity the profile's grants name."),
                "Its token is not mounted into pods by default: a pod that must call the API sets automountServiceAccountToken itself.".to_owned(),
            ],
            body: map([
                ("apiVersion", s("v1")),
                ("kind", s("ServiceAccount")),
                ("metadata", map([("name", s(name)), ("namespace", s(namespace))])),
                ("automountServiceAccountToken", Y::Bool(false)),
            ]),
        });
    }
    for grant in &profile.access {
        match &grant.scope {
            Scope::Namespaces(namespaces) => {
                for namespace in namespaces {
                    docs.extend(role_and_binding(grant, Some(namespace)));
                }
            }
            Scope::ClusterWide => docs.extend(role_and_binding(grant, None)),
        }
    }
    docs
}

/// The subjects as written in a comment: `group developers, serviceAccount production/deployer`.
pub fn describe_subjects(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(|subject| match subject {
            Subject::Group(n) => format!("group {n}"),
            Subject::User(n) => format!("user {n}"),
            Subject::ServiceAccount { namespace, name } => {
                format!("service account {namespace}/{name}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One rule per API group, in the order the groups first appear.
fn rules(grant: &Grant) -> Y {
    let mut groups: Vec<&str> = Vec::new();
    for resource in &grant.resources {
        if !groups.contains(&resource.group.as_str()) {
            groups.push(&resource.group);
        }
    }
    Y::Seq(
        groups
            .into_iter()
            .map(|group| {
                let resources: Vec<&str> = grant
                    .resources
                    .iter()
                    .filter(|r| r.group == group)
                    .map(|r| r.resource.as_str())
                    .collect();
                map([
                    ("apiGroups", strs([group])),
                    ("resources", strs(resources)),
                    ("verbs", strs(&grant.verbs)),
                ])
            })
            .collect(),
    )
}

fn subject(subject: &Subject) -> Y {
    match subject {
        Subject::Group(name) => map([
            ("kind", s("Group")),
            ("apiGroup", s(RBAC_GROUP)),
            ("name", s(name)),
        ]),
        Subject::User(name) => map([
            ("kind", s("User")),
            ("apiGroup", s(RBAC_GROUP)),
            ("name", s(name)),
        ]),
        Subject::ServiceAccount { namespace, name } => map([
            ("kind", s("ServiceAccount")),
            ("name", s(name)),
            ("namespace", s(namespace)),
        ]),
    }
}

fn role_and_binding(grant: &Grant, namespace: Option<&str>) -> Vec<Doc> {
    let (role_kind, binding_kind, place) = match namespace {
        Some(ns) => ("Role", "RoleBinding", format!("in namespace {ns}")),
        None => (
            "ClusterRole",
            "ClusterRoleBinding",
            "in every namespace".to_owned(),
        ),
    };
    let metadata = || {
        let mut entries = vec![("name".to_owned(), s(&grant.name))];
        if let Some(ns) = namespace {
            entries.push(("namespace".to_owned(), s(ns)));
        }
        Y::Map(entries)
    };
    let resources: Vec<String> = grant.resources.iter().map(|r| r.qualified()).collect();
    let role = Doc {
        comment: vec![format!(
            "{role_kind} {}: {} on {} {place}, and nothing else (profile grant {}).",
            grant.name,
            grant.verbs.join(", "),
            resources.join(", "),
            grant.name
        )],
        body: map([
            ("apiVersion", s(format!("{RBAC_GROUP}/v1"))),
            ("kind", s(role_kind)),
            ("metadata", metadata()),
            ("rules", rules(grant)),
        ]),
    };
    let mut binding_comment = vec![format!(
        "{binding_kind} {}: gives {} the {role_kind} above {place}.",
        grant.name,
        describe_subjects(&grant.subjects)
    )];
    let mut binding_metadata = metadata();
    if !grant.accepted_risks.is_empty() {
        for risk in &grant.accepted_risks {
            binding_comment.push(format!(
                "The profile accepts {} here (grant {}, acceptedRisks): the annotation suppresses it in `palisade scan`, with the profile's reason.",
                risk.rule, grant.name
            ));
        }
        if let Y::Map(entries) = &mut binding_metadata {
            entries.push((
                "annotations".to_owned(),
                Y::Map(
                    grant
                        .accepted_risks
                        .iter()
                        .map(|risk| (format!("{PREFIX}{}", dotted(&risk.rule)), s(&risk.reason)))
                        .collect(),
                ),
            ));
        }
    }
    let binding = Doc {
        comment: binding_comment,
        body: map([
            ("apiVersion", s(format!("{RBAC_GROUP}/v1"))),
            ("kind", s(binding_kind)),
            ("metadata", binding_metadata),
            (
                "roleRef",
                map([
                    ("apiGroup", s(RBAC_GROUP)),
                    ("kind", s(role_kind)),
                    ("name", s(&grant.name)),
                ]),
            ),
            (
                "subjects",
                Y::Seq(grant.subjects.iter().map(subject).collect()),
            ),
        ]),
    };
    vec![role, binding]
}
