//! When built-in API versions were deprecated and stopped being served, from
//! the Kubernetes "Deprecated API Migration Guide" (removals) and the API
//! types' lifecycle markers and release notes (deprecations).
//!
//! Only versions the upstream guide lists as removed, plus deprecations that
//! the API server warns about and that have no removal yet (core `v1`
//! Endpoints), are here. Alpha versions are left out: they are off by default
//! and never go through deprecation.

use super::kubernetes_version::Minor;

/// One API version of some kinds (or of every kind, when `kinds` is empty).
pub struct Lifecycle {
    pub api_version: &'static str,
    pub kinds: &'static [&'static str],
    pub deprecated: Minor,
    /// The first release that no longer serves it; `None` while it is served.
    pub removed: Option<Minor>,
    /// What to write instead.
    pub replacement: &'static str,
}

const fn entry(
    api_version: &'static str,
    kinds: &'static [&'static str],
    deprecated: u32,
    removed: Option<u32>,
    replacement: &'static str,
) -> Lifecycle {
    Lifecycle {
        api_version,
        kinds,
        deprecated: Minor(deprecated),
        removed: match removed {
            Some(minor) => Some(Minor(minor)),
            None => None,
        },
        replacement,
    }
}

const WEBHOOKS: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];
const FLOW_CONTROL: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];
const SUBJECT_ACCESS_REVIEWS: &[&str] = &[
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SubjectAccessReview",
];

/// The table, first match wins (kind-specific rows before group-wide ones).
pub const LIFECYCLES: &[Lifecycle] = &[
    // Removed in 1.16.
    entry(
        "extensions/v1beta1",
        &["Deployment", "DaemonSet", "ReplicaSet"],
        9,
        Some(16),
        "apps/v1",
    ),
    entry(
        "extensions/v1beta1",
        &["NetworkPolicy"],
        9,
        Some(16),
        "networking.k8s.io/v1",
    ),
    entry(
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        10,
        Some(16),
        "policy/v1beta1 (itself removed in 1.25; use Pod Security Admission)",
    ),
    entry("apps/v1beta1", &[], 9, Some(16), "apps/v1"),
    entry("apps/v1beta2", &[], 9, Some(16), "apps/v1"),
    // Removed in 1.17.
    entry(
        "scheduling.k8s.io/v1alpha1",
        &["PriorityClass"],
        14,
        Some(17),
        "scheduling.k8s.io/v1",
    ),
    // Removed in 1.22.
    entry(
        "extensions/v1beta1",
        &["Ingress"],
        14,
        Some(22),
        "networking.k8s.io/v1",
    ),
    entry(
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        19,
        Some(22),
        "networking.k8s.io/v1",
    ),
    entry(
        "admissionregistration.k8s.io/v1beta1",
        WEBHOOKS,
        16,
        Some(22),
        "admissionregistration.k8s.io/v1",
    ),
    entry(
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        16,
        Some(22),
        "apiextensions.k8s.io/v1",
    ),
    entry(
        "apiregistration.k8s.io/v1beta1",
        &["APIService"],
        10,
        Some(22),
        "apiregistration.k8s.io/v1",
    ),
    entry(
        "authentication.k8s.io/v1beta1",
        &["TokenReview"],
        19,
        Some(22),
        "authentication.k8s.io/v1",
    ),
    entry(
        "authorization.k8s.io/v1beta1",
        SUBJECT_ACCESS_REVIEWS,
        19,
        Some(22),
        "authorization.k8s.io/v1",
    ),
    entry(
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        19,
        Some(22),
        "certificates.k8s.io/v1",
    ),
    entry(
        "coordination.k8s.io/v1beta1",
        &["Lease"],
        14,
        Some(22),
        "coordination.k8s.io/v1",
    ),
    entry(
        "rbac.authorization.k8s.io/v1alpha1",
        &[],
        17,
        Some(22),
        "rbac.authorization.k8s.io/v1",
    ),
    entry(
        "rbac.authorization.k8s.io/v1beta1",
        &[],
        17,
        Some(22),
        "rbac.authorization.k8s.io/v1",
    ),
    entry(
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        14,
        Some(22),
        "scheduling.k8s.io/v1",
    ),
    entry(
        "storage.k8s.io/v1beta1",
        &["CSIDriver"],
        19,
        Some(22),
        "storage.k8s.io/v1",
    ),
    entry(
        "storage.k8s.io/v1beta1",
        &["CSINode"],
        17,
        Some(22),
        "storage.k8s.io/v1",
    ),
    entry(
        "storage.k8s.io/v1beta1",
        &["StorageClass"],
        6,
        Some(22),
        "storage.k8s.io/v1",
    ),
    entry(
        "storage.k8s.io/v1beta1",
        &["VolumeAttachment"],
        13,
        Some(22),
        "storage.k8s.io/v1",
    ),
    // Removed in 1.25.
    entry("batch/v1beta1", &["CronJob"], 21, Some(25), "batch/v1"),
    entry(
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        21,
        Some(25),
        "discovery.k8s.io/v1",
    ),
    entry(
        "events.k8s.io/v1beta1",
        &["Event"],
        19,
        Some(25),
        "events.k8s.io/v1",
    ),
    entry(
        "autoscaling/v2beta1",
        &["HorizontalPodAutoscaler"],
        22,
        Some(25),
        "autoscaling/v2",
    ),
    entry(
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        21,
        Some(25),
        "policy/v1",
    ),
    entry(
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        21,
        Some(25),
        "Pod Security Admission (namespace labels); PodSecurityPolicy has no successor API",
    ),
    entry(
        "node.k8s.io/v1beta1",
        &["RuntimeClass"],
        22,
        Some(25),
        "node.k8s.io/v1",
    ),
    // Removed in 1.26.
    entry(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        FLOW_CONTROL,
        23,
        Some(26),
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    entry(
        "autoscaling/v2beta2",
        &["HorizontalPodAutoscaler"],
        23,
        Some(26),
        "autoscaling/v2",
    ),
    // Removed in 1.27.
    entry(
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        24,
        Some(27),
        "storage.k8s.io/v1",
    ),
    // Removed in 1.29.
    entry(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        FLOW_CONTROL,
        26,
        Some(29),
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Removed in 1.32.
    entry(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        FLOW_CONTROL,
        29,
        Some(32),
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Deprecated, still served.
    entry(
        "v1",
        &["Endpoints"],
        33,
        None,
        "discovery.k8s.io/v1 EndpointSlice",
    ),
];

/// The lifecycle of `kind` in `api_version`, when it is deprecated at all.
pub fn lifecycle(api_version: &str, kind: &str) -> Option<&'static Lifecycle> {
    LIFECYCLES
        .iter()
        .find(|l| l.api_version == api_version && (l.kinds.is_empty() || l.kinds.contains(&kind)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_rows_and_group_wide_rows_are_found() {
        let ingress = lifecycle("extensions/v1beta1", "Ingress").map(|l| l.removed);
        assert_eq!(ingress, Some(Some(Minor(22))));
        let deployment = lifecycle("extensions/v1beta1", "Deployment").map(|l| l.removed);
        assert_eq!(deployment, Some(Some(Minor(16))));
        assert!(lifecycle("apps/v1beta2", "ControllerRevision").is_some());
        assert!(lifecycle("apps/v1", "Deployment").is_none());
        assert!(lifecycle("v1", "Service").is_none());
        // A kind the row does not name is not matched.
        assert!(lifecycle("storage.k8s.io/v1beta1", "Unlisted").is_none());
    }

    #[test]
    fn every_row_is_deprecated_before_it_is_removed() {
        for row in LIFECYCLES {
            if let Some(removed) = row.removed {
                assert!(
                    row.deprecated < removed,
                    "{} {:?}",
                    row.api_version,
                    row.kinds
                );
            }
        }
    }
}
