//! RISKS.md §A.5 code execution in running pods and nodes: the rules of this
//! family, each declared with its documentation, and the check that decides
//! them from a subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-EXEC-PODS`.
pub static EXEC_PODS: RiskRule = RiskRule {
    catalogue_id: "RBAC-EXEC-PODS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can exec or attach into pods (`create` on pods/exec or
        /// pods/attach, or `get` on pods/exec).
        ///
        /// ## Why it matters
        /// A shell inside existing pods, with their tokens and mounted secrets. Before
        /// Kubernetes 1.35, `get` on pods/exec is enough through websockets.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods/exec], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove pods/exec and pods/attach, or limit them to break-glass roles.
        id: "rbac/exec-pods",
        title: "can exec or attach into pods",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-EXEC-EPHEMERAL`.
pub static EXEC_EPHEMERAL: RiskRule = RiskRule {
    catalogue_id: "RBAC-EXEC-EPHEMERAL",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can add ephemeral containers to running pods.
        ///
        /// ## Why it matters
        /// The subject can inject a container, possibly privileged, into any running
        /// pod.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch]}
        /// ```
        ///
        /// ## How to fix
        /// Remove update/patch on pods/ephemeralcontainers.
        id: "rbac/exec-ephemeral",
        title: "can add ephemeral containers",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-EXEC-PROXY-PORTFORWARD`.
pub static EXEC_PROXY_PORTFORWARD: RiskRule = RiskRule {
    catalogue_id: "RBAC-EXEC-PROXY-PORTFORWARD",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can port-forward to pods or proxy to pods or services.
        ///
        /// ## Why it matters
        /// Reach pod and service ports directly, bypassing NetworkPolicy and ingress
        /// authentication.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods/portforward], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove pods/portforward, pods/proxy and services/proxy.
        id: "rbac/exec-proxy-portforward",
        title: "can port-forward or proxy to pods/services",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-NODE-PROXY`.
pub static NODE_PROXY: RiskRule = RiskRule {
    catalogue_id: "RBAC-NODE-PROXY",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can use the kubelet API through nodes/proxy.
        ///
        /// ## Why it matters
        /// The kubelet maps exec/run to nodes/proxy and a websocket GET is enough:
        /// commands run in every pod on every node.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
        /// ```
        ///
        /// ## How to fix
        /// Remove nodes/proxy; use nodes/metrics, nodes/stats or nodes/log for
        /// monitoring.
        id: "rbac/node-proxy",
        title: "can use the kubelet API through nodes/proxy",
        severity: Severity::Critical,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[
    &EXEC_PODS,
    &EXEC_EPHEMERAL,
    &EXEC_PROXY_PORTFORWARD,
    &NODE_PROXY,
];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(h) = cx.cap(Cap::ExecPods).or(cx.cap(Cap::ExecPodsGet)) {
        cx.push(
            &EXEC_PODS,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::Ephemeral) {
        cx.push(
            &EXEC_EPHEMERAL,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::PortForwardProxy) {
        cx.push(
            &EXEC_PROXY_PORTFORWARD,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::NodeProxy) {
        cx.push(
            &NODE_PROXY,
            Severity::Critical,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
}
