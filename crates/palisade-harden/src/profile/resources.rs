//! A grant's resources and verbs, checked against the built-in API
//! (`palisade_core::api_resources`): a typo must not become a Role that grants
//! nothing, and a wildcard must not become a Role that grants everything.
//!
//! Resources are written as RBAC names them, plural, with the group only when
//! it is not the built-in one (`pods`, `pods/log`, `deployments`,
//! `deployments.apps`, `widgets.example.com`). A resource of a group the
//! built-in table does not know is taken as a custom resource, as written.

use palisade_core::api_resources::BUILTIN_RESOURCES;

use super::types::Resource;

/// The verbs a grant may name: those of resource requests and of the special
/// permissions some resources check, as the RBAC crate lists them (wildcards
/// are refused before this list is consulted).
pub const KNOWN_VERBS: &[&str] = palisade_rbac::RESOURCE_VERBS;

/// Subresources of built-in resources (discovery lists them; the table of
/// `api_resources` has only the resources). `status` exists on most; the rest
/// belong to the resources named.
const SUBRESOURCES: &[(&str, &[&str])] = &[
    (
        "pods",
        &[
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status",
        ],
    ),
    ("deployments", &["scale", "status"]),
    ("replicasets", &["scale", "status"]),
    ("statefulsets", &["scale", "status"]),
    ("replicationcontrollers", &["scale", "status"]),
    ("services", &["proxy", "status"]),
    ("nodes", &["proxy", "status"]),
    ("namespaces", &["finalize", "status"]),
    ("serviceaccounts", &["token"]),
    ("certificatesigningrequests", &["approval", "status"]),
];

/// Resolves one written resource, or says why it cannot be granted.
/// `namespaced_grant`: the grant makes Roles, which cannot hold cluster-scoped resources.
pub fn resolve(written: &str, namespaced_grant: bool) -> Result<Resource, String> {
    let (type_part, sub) = match written.split_once('/') {
        Some((t, s)) => (t, Some(s)),
        None => (written, None),
    };
    let (plural, group) = match type_part.split_once('.') {
        Some((p, g)) => (p, Some(g)),
        None => (type_part, None),
    };
    if plural.is_empty() || sub.is_some_and(str::is_empty) {
        return Err(format!(
            "resource {written:?}: expected TYPE[.GROUP][/SUBRESOURCE]"
        ));
    }
    let builtin = BUILTIN_RESOURCES
        .iter()
        .find(|row| row.1 == plural && group.is_none_or(|g| g == row.0));
    let Some(&(group_name, plural_name, _, kind, _, namespaced)) = builtin else {
        return unknown(written, plural, group);
    };
    if let Some(sub) = sub {
        let known = sub == "status"
            || SUBRESOURCES
                .iter()
                .any(|(r, subs)| *r == plural_name && subs.contains(&sub));
        if !known {
            return Err(format!(
                "resource {written:?}: {plural_name} has no subresource {sub:?}"
            ));
        }
    }
    if namespaced_grant && !namespaced {
        return Err(format!(
            "resource {written:?}: {kind} is cluster-scoped, so a namespaced Role cannot grant it; \
             use clusterWide: true in a grant of its own"
        ));
    }
    Ok(Resource {
        group: group_name.to_owned(),
        resource: match sub {
            Some(sub) => format!("{plural_name}/{sub}"),
            None => plural_name.to_owned(),
        },
    })
}

/// A resource the built-in table does not have: a custom resource when its
/// group is named and is not a built-in group; otherwise an error with a hint.
fn unknown(written: &str, plural: &str, group: Option<&str>) -> Result<Resource, String> {
    let builtin_group = |g: &str| BUILTIN_RESOURCES.iter().any(|row| row.0 == g);
    match group {
        Some(group) if !builtin_group(group) => Ok(Resource {
            group: group.to_owned(),
            resource: written
                .split_once('/')
                .map(|(_, sub)| format!("{plural}/{sub}"))
                .unwrap_or_else(|| plural.to_owned()),
        }),
        Some(group) => Err(format!(
            "resource {written:?}: the API group {group:?} has no resource {plural:?}"
        )),
        None => {
            let lower = plural.to_lowercase();
            let other_name = BUILTIN_RESOURCES.iter().find(|row| {
                row.2 == lower || row.3.to_lowercase() == lower || row.4.contains(&lower.as_str())
            });
            Err(match other_name {
                Some(row) => format!(
                    "resource {written:?}: write the plural resource name, {:?}",
                    row.1
                ),
                None => format!(
                    "resource {written:?} is not a built-in resource; name the API group of a \
                     custom resource (PLURAL.GROUP, such as widgets.example.com)"
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_resources_resolve_with_their_group() {
        let deployments = resolve("deployments", true);
        assert_eq!(
            deployments.map(|r| (r.group, r.resource)),
            Ok(("apps".to_owned(), "deployments".to_owned()))
        );
        assert_eq!(
            resolve("pods/log", true).map(|r| r.qualified()),
            Ok("pods/log".to_owned())
        );
        assert_eq!(
            resolve("deployments.apps/scale", true).map(|r| r.qualified()),
            Ok("deployments.apps/scale".to_owned())
        );
    }

    #[test]
    fn custom_resources_need_their_group() {
        assert!(resolve("widgets.example.com", true).is_ok());
        let bare = resolve("widgets", true).unwrap_err();
        assert!(bare.contains("not a built-in resource"), "{bare}");
        let wrong_group = resolve("widgets.apps", true).unwrap_err();
        assert!(wrong_group.contains("has no resource"), "{wrong_group}");
    }

    #[test]
    fn singular_and_short_names_are_refused_with_the_plural() {
        let short = resolve("po", true).unwrap_err();
        assert!(short.contains("\"pods\""), "{short}");
        let singular = resolve("deployment", true).unwrap_err();
        assert!(singular.contains("\"deployments\""), "{singular}");
    }

    #[test]
    fn unknown_subresources_and_cluster_scope_are_refused() {
        assert!(
            resolve("pods/logs", true)
                .unwrap_err()
                .contains("no subresource")
        );
        assert!(
            resolve("nodes", true)
                .unwrap_err()
                .contains("cluster-scoped")
        );
        assert!(resolve("nodes", false).is_ok());
    }
}
