//! Grant names the cluster already uses. A grant becomes a Role and
//! RoleBinding (or a ClusterRole and ClusterRoleBinding) named after it, and
//! `kubectl apply` of an object with an existing name replaces that object: a
//! grant named `cluster-admin` or `view` would rewrite the API server's own
//! bootstrap policy, which every cluster relies on. The `system:` prefix is
//! reserved by Kubernetes for its own components.

use palisade_rbac::bootstrap::{
    CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, CONTROLLER_ROLES, NAMESPACE_ROLE_BINDINGS,
    NAMESPACE_ROLES,
};

/// The prefix Kubernetes keeps for its own RBAC objects and identities.
const SYSTEM_PREFIX: &str = "system:";

/// Why `name` cannot be a grant's name, if it cannot.
pub fn reserved_grant_name(name: &str) -> Option<String> {
    if name.starts_with(SYSTEM_PREFIX) {
        return Some(format!(
            "grant name {name:?}: names starting with {SYSTEM_PREFIX:?} are reserved for \
             Kubernetes' own RBAC objects"
        ));
    }
    let role = CLUSTER_ROLES
        .iter()
        .chain(CONTROLLER_ROLES)
        .chain(NAMESPACE_ROLES)
        .any(|spec| spec.name == name);
    let binding = CLUSTER_ROLE_BINDINGS
        .iter()
        .chain(NAMESPACE_ROLE_BINDINGS)
        .any(|spec| spec.name == name);
    (role || binding).then(|| {
        format!(
            "grant name {name:?} is the name of a role or binding of the cluster's bootstrap \
             RBAC policy; the generated object would replace it: choose another name"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_names_and_the_system_prefix_are_reserved() {
        for name in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:masters",
            "system:x",
        ] {
            assert!(reserved_grant_name(name).is_some(), "{name}");
        }
        for name in ["developers-view-pods", "deployer", "viewer", "systems"] {
            assert!(reserved_grant_name(name).is_none(), "{name}");
        }
    }
}
