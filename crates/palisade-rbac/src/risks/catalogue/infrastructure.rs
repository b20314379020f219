//! RISKS.md §A.8 nodes, network, storage: the rules of this family, each
//! declared with its documentation, and the check that decides them from a
//! subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-NODE-MODIFY`.
pub static NODE_MODIFY: RiskRule = RiskRule {
    catalogue_id: "RBAC-NODE-MODIFY",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can update or patch nodes.
        ///
        /// ## Why it matters
        /// Relabelling or tainting nodes attracts or repels pods.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [nodes], verbs: [patch]}
        /// ```
        ///
        /// ## How to fix
        /// Leave node writes to the kubelet (NodeRestriction) and node controllers.
        id: "rbac/node-modify",
        title: "can modify nodes",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-NODE-STEAL-PODS`.
pub static NODE_STEAL_PODS: RiskRule = RiskRule {
    catalogue_id: "RBAC-NODE-STEAL-PODS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can change nodes and also evict or change pods in a
        /// privileged namespace.
        ///
        /// ## Why it matters
        /// Removing pods in a privileged namespace while making other nodes
        /// unschedulable moves powerful pods onto a compromised node.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [nodes], verbs: [patch]}
        /// - {apiGroups: [""], resources: [pods/eviction], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove node writes or pod deletion/eviction in privileged namespaces.
        id: "rbac/node-steal-pods",
        title: "can move privileged pods onto chosen nodes",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-POD-STATUS`.
pub static POD_STATUS: RiskRule = RiskRule {
    catalogue_id: "RBAC-POD-STATUS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can write pods/status.
        ///
        /// ## Why it matters
        /// Relabelling pods through status hijacks Service endpoints.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [pods/status], verbs: [patch]}
        /// ```
        ///
        /// ## How to fix
        /// Leave pods/status to the kubelet.
        id: "rbac/pod-status",
        title: "can write pod status",
        severity: Severity::Low,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-NET-SERVICE-STATUS`.
pub static NET_SERVICE_STATUS: RiskRule = RiskRule {
    catalogue_id: "RBAC-NET-SERVICE-STATUS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can write services/status.
        ///
        /// ## Why it matters
        /// Setting a LoadBalancer's ingress IP is the CVE-2020-8554 man-in-the-middle.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [services/status], verbs: [patch]}
        /// ```
        ///
        /// ## How to fix
        /// Leave services/status to the cloud controller.
        id: "rbac/net-service-status",
        title: "can write service status",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-NET-MANIPULATE`.
pub static NET_MANIPULATE: RiskRule = RiskRule {
    catalogue_id: "RBAC-NET-MANIPULATE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change NetworkPolicies, Services, Endpoints,
        /// EndpointSlices, Ingresses or Gateway API routes.
        ///
        /// ## Why it matters
        /// NetworkPolicies, Services, Endpoints, Ingresses and Gateway routes open
        /// network paths or redirect traffic.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [delete]}
        /// ```
        ///
        /// ## How to fix
        /// Restrict network object writes to the teams that own them.
        id: "rbac/net-manipulate",
        title: "can change network objects",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-STORAGE`.
pub static STORAGE: RiskRule = RiskRule {
    catalogue_id: "RBAC-STORAGE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change PersistentVolumes, StorageClasses or
        /// other storage objects.
        ///
        /// ## Why it matters
        /// A hostPath PersistentVolume reaches the node filesystem; other workloads'
        /// data can be read.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [persistentvolumes], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Keep PersistentVolume and StorageClass writes to cluster administrators.
        id: "rbac/storage",
        title: "can change storage objects",
        severity: Severity::Medium,
        severity_varies: "high when PersistentVolumes can be written",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[
    &NODE_MODIFY,
    &NODE_STEAL_PODS,
    &POD_STATUS,
    &NET_SERVICE_STATUS,
    &NET_MANIPULATE,
    &STORAGE,
];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(h) = cx.cap(Cap::WriteNodes) {
        cx.push(
            &NODE_MODIFY,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
        if let Some(e) = cx
            .free(Cap::EvictPods)
            .or(cx.free(Cap::ModifyPods))
            .filter(|_| cx.scope.privileged)
        {
            cx.push(
                &NODE_STEAL_PODS,
                Severity::High,
                format!(
                    "can {} and remove pods ({}) in privileged namespaces",
                    cx.probe_text(&h),
                    cx.probe_text(&e)
                ),
                &[h, e],
            );
        }
    }
    if let Some(h) = cx.cap(Cap::PodStatus) {
        cx.push(
            &POD_STATUS,
            Severity::Low,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::ServiceStatus) {
        cx.push(
            &NET_SERVICE_STATUS,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::Network) {
        cx.push(
            &NET_MANIPULATE,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::PersistentVolumes) {
        cx.push(
            &STORAGE,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    } else if let Some(h) = cx.cap(Cap::Storage) {
        cx.push(
            &STORAGE,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
}
