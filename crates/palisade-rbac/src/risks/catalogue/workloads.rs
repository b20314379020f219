//! RISKS.md §A.4 workloads: the rules of this family, each declared with its
//! documentation, and the check that decides them from a subject's
//! capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-WL-CREATE-PODS`.
pub static WL_CREATE_PODS: RiskRule = RiskRule {
    catalogue_id: "RBAC-WL-CREATE-PODS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create pods.
        ///
        /// ## Why it matters
        /// A pod can run as any ServiceAccount of its namespace and mount its secrets;
        /// unless admission stops it, it can also use hostPath, privileged mode or host
        /// namespaces to escape to the node.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Let people create workloads through a reviewed pipeline; enforce Pod
        /// Security restricted in the namespace.
        id: "rbac/wl-create-pods",
        title: "can create pods",
        severity: Severity::High,
        severity_varies: "critical in a privileged namespace (kube-system unless --privileged-namespace says otherwise)",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-WL-CONTROLLERS`.
pub static WL_CONTROLLERS: RiskRule = RiskRule {
    catalogue_id: "RBAC-WL-CONTROLLERS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change workload controllers: Deployments,
        /// DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs.
        ///
        /// ## Why it matters
        /// Creating or changing a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job
        /// or CronJob creates pods indirectly, with any ServiceAccount of the
        /// namespace; a DaemonSet reaches every node.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [apps], resources: [deployments], verbs: [create, patch]}
        /// ```
        ///
        /// ## How to fix
        /// Restrict workload writes to deployment pipelines; enforce Pod Security
        /// restricted.
        id: "rbac/wl-controllers",
        title: "can create or change workload controllers",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-WL-MODIFY-PODS`.
pub static WL_MODIFY_PODS: RiskRule = RiskRule {
    catalogue_id: "RBAC-WL-MODIFY-PODS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can update or patch pods.
        ///
        /// ## Why it matters
        /// Swapping the image of a running pod runs attacker code as that pod's
        /// ServiceAccount.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods], verbs: [patch]}
        /// ```
        ///
        /// ## How to fix
        /// Remove update/patch on pods; change workloads through their controllers.
        id: "rbac/wl-modify-pods",
        title: "can update or patch pods",
        severity: Severity::Medium,
        severity_varies: "high in a privileged namespace",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&WL_CREATE_PODS, &WL_CONTROLLERS, &WL_MODIFY_PODS];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(h) = cx.free(Cap::CreatePods) {
        let severity = if cx.scope.privileged {
            Severity::Critical
        } else {
            Severity::High
        };
        cx.push(
            &WL_CREATE_PODS,
            severity,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.free(Cap::WriteControllers) {
        cx.push(
            &WL_CONTROLLERS,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.free(Cap::ModifyPods) {
        let severity = if cx.scope.privileged {
            Severity::High
        } else {
            Severity::Medium
        };
        cx.push(
            &WL_MODIFY_PODS,
            severity,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
}
