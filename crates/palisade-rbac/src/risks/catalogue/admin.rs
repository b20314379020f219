//! RISKS.md §A.1 full control: the rules of this family, each declared with its
//! documentation, and the check that decides them from a subject's
//! capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule, whole};

/// `RBAC-ADMIN-CLUSTER`.
pub static ADMIN_CLUSTER: RiskRule = RiskRule {
    catalogue_id: "RBAC-ADMIN-CLUSTER",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject with `*` verbs on `*` resources in `*` API groups cluster-wide:
        /// cluster-admin or its equivalent.
        ///
        /// ## Why it matters
        /// Unrestricted control of the API: read every secret, create any workload,
        /// rewrite RBAC.
        ///
        /// ## Example
        /// ```yaml
        /// kind: ClusterRoleBinding
        /// roleRef: {kind: ClusterRole, name: cluster-admin}
        /// subjects: [{kind: User, name: alice}]
        /// ```
        ///
        /// ## How to fix
        /// Bind cluster-admin only to break-glass identities; give people and workloads
        /// narrow roles.
        id: "rbac/admin-cluster",
        title: "full control of the cluster",
        severity: Severity::Critical,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-ADMIN-NAMESPACE`.
pub static ADMIN_NAMESPACE: RiskRule = RiskRule {
    catalogue_id: "RBAC-ADMIN-NAMESPACE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject with `*` verbs on `*` resources in one namespace (admin of the
        /// namespace, or a custom equivalent).
        ///
        /// ## Why it matters
        /// Full control of the namespace: all its secrets and its ServiceAccounts'
        /// tokens, and it can create roles and bindings there.
        ///
        /// ## Example
        /// ```yaml
        /// kind: RoleBinding
        /// metadata: {namespace: shop}
        /// roleRef: {kind: ClusterRole, name: cluster-admin}
        /// subjects: [{kind: User, name: alice}]
        /// ```
        ///
        /// ## How to fix
        /// Bind a narrower role (edit or view, or a custom one) in the namespace.
        id: "rbac/admin-namespace",
        title: "full control of a namespace",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-HYG-WILDCARD`.
pub static HYG_WILDCARD: RiskRule = RiskRule {
    catalogue_id: "RBAC-HYG-WILDCARD",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject holding a rule with `*` in its verbs, apiGroups or resources
        /// (short of full control).
        ///
        /// ## Why it matters
        /// A `*` grants future resources and verbs (CRDs, escalate, bind, impersonate)
        /// that the author did not mean to give.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: ["apps"], resources: ["*"], verbs: ["get", "list"]}
        /// ```
        ///
        /// ## How to fix
        /// List the verbs, apiGroups and resources explicitly.
        id: "rbac/hyg-wildcard",
        title: "wildcard permissions",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&ADMIN_CLUSTER, &ADMIN_NAMESPACE, &HYG_WILDCARD];

/// Decides the family for one subject and scope. Returns true when the subject
/// has full control: then the narrower rules of every other family add nothing.
pub(super) fn evaluate(cx: &mut Cx<'_>) -> bool {
    if let Some(g) = cx.caps.full_wildcard {
        let hit = whole(g);
        if cx.scope.cluster {
            cx.push(
                &ADMIN_CLUSTER,
                Severity::Critical,
                "has full control (`*` verbs on `*` resources)".into(),
                &[hit],
            );
        } else {
            cx.push(
                &ADMIN_NAMESPACE,
                Severity::High,
                "has full control (`*` verbs on `*` resources)".into(),
                &[hit],
            );
        }
        return true;
    }
    if let Some(g) = cx.caps.any_wildcard {
        let hit = whole(g);
        cx.push(
            &HYG_WILDCARD,
            Severity::Medium,
            "holds a rule with `*` in verbs, apiGroups or resources".into(),
            &[hit],
        );
    }
    false
}
