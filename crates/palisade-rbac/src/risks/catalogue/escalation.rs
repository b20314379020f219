//! RISKS.md §A.2 escalation through the RBAC API: the rules of this family,
//! each declared with its documentation, and the check that decides them from a
//! subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-ESC-BIND`.
pub static ESC_BIND: RiskRule = RiskRule {
    catalogue_id: "RBAC-ESC-BIND",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `bind` roles and write (Cluster)RoleBindings.
        ///
        /// ## Why it matters
        /// `bind` bypasses the escalation check: the subject can bind any role it may
        /// bind, cluster-admin included, to itself.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
        /// - {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove `bind`, or restrict it with resourceNames to roles that are safe to
        /// hand out.
        id: "rbac/esc-bind",
        title: "can bind roles",
        severity: Severity::Critical,
        severity_varies: "high when `bind` is limited to named roles (resourceNames)",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-ESC-ESCALATE`.
pub static ESC_ESCALATE: RiskRule = RiskRule {
    catalogue_id: "RBAC-ESC-ESCALATE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `escalate` roles and write them.
        ///
        /// ## Why it matters
        /// `escalate` bypasses the covers check: the subject can write a role with any
        /// permission and then use it.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, update]}
        /// ```
        ///
        /// ## How to fix
        /// Remove `escalate`; only the aggregation controller needs it.
        id: "rbac/esc-escalate",
        title: "can escalate roles",
        severity: Severity::Critical,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-ESC-RBAC-WRITE`.
pub static ESC_RBAC_WRITE: RiskRule = RiskRule {
    catalogue_id: "RBAC-ESC-RBAC-WRITE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change roles or bindings, without `bind` or
        /// `escalate`.
        ///
        /// ## Why it matters
        /// Limited by the escalation checks, but the subject can hand its own
        /// permissions to anyone, and add itself to bindings whose role it covers.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Keep RBAC writes to administrators and GitOps service accounts.
        id: "rbac/esc-rbac-write",
        title: "can write RBAC objects",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-ESC-AGGREGATION-LABEL`.
pub static ESC_AGGREGATION_LABEL: RiskRule = RiskRule {
    catalogue_id: "RBAC-ESC-AGGREGATION-LABEL",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change ClusterRoles cluster-wide, and so label
        /// one to aggregate into admin, edit or view.
        ///
        /// ## Why it matters
        /// A ClusterRole labelled
        /// rbac.authorization.k8s.io/aggregate-to-{admin,edit,view} pours the subject's
        /// permissions into every subject bound to those roles.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Keep ClusterRole writes to cluster administrators.
        id: "rbac/esc-aggregation-label",
        title: "can write ClusterRoles that aggregate into admin/edit/view",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[
    &ESC_BIND,
    &ESC_ESCALATE,
    &ESC_RBAC_WRITE,
    &ESC_AGGREGATION_LABEL,
];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    let bind = cx
        .free(Cap::BindClusterRoles)
        .or(cx.free(Cap::BindRoles))
        .or(cx.cap(Cap::BindClusterRoles))
        .or(cx.cap(Cap::BindRoles));
    let write_bindings = if cx.scope.cluster {
        cx.cap(Cap::WriteClusterRoleBindings)
            .or(cx.cap(Cap::WriteRoleBindings))
    } else {
        cx.cap(Cap::WriteRoleBindings)
    };
    if let (Some(b), Some(w)) = (bind, write_bindings) {
        let severity = if b.restricted {
            Severity::High
        } else {
            Severity::Critical
        };
        cx.push(
            &ESC_BIND,
            severity,
            format!("can {} and {}", cx.probe_text(&b), cx.probe_text(&w)),
            &[b, w],
        );
    }
    let escalate = if cx.scope.cluster {
        cx.free(Cap::EscalateClusterRoles)
            .or(cx.free(Cap::EscalateRoles))
            .or(cx.cap(Cap::EscalateClusterRoles))
            .or(cx.cap(Cap::EscalateRoles))
    } else {
        cx.cap(Cap::EscalateRoles)
    };
    let write_roles = if cx.scope.cluster {
        cx.cap(Cap::WriteClusterRoles).or(cx.cap(Cap::WriteRoles))
    } else {
        cx.cap(Cap::WriteRoles)
    };
    if let (Some(e), Some(w)) = (escalate, write_roles) {
        cx.push(
            &ESC_ESCALATE,
            Severity::Critical,
            format!("can {} and {}", cx.probe_text(&e), cx.probe_text(&w)),
            &[e, w],
        );
    }
    if bind.is_none() && escalate.is_none() {
        let rbac_write = [
            Cap::WriteClusterRoleBindings,
            Cap::WriteClusterRoles,
            Cap::WriteRoleBindings,
            Cap::WriteRoles,
        ]
        .into_iter()
        .find_map(|c| cx.cap(c));
        if let Some(w) = rbac_write {
            cx.push(
                &ESC_RBAC_WRITE,
                Severity::Medium,
                format!("can {}", cx.probe_text(&w)),
                &[w],
            );
        }
    }
    if let Some(w) = cx.cap(Cap::WriteClusterRoles).filter(|_| cx.scope.cluster) {
        cx.push(
            &ESC_AGGREGATION_LABEL,
            Severity::Medium,
            format!(
                "can {} (aggregation labels inject permissions into admin/edit/view)",
                cx.probe_text(&w)
            ),
            &[w],
        );
    }
}
