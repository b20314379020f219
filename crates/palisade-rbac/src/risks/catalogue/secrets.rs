//! RISKS.md §A.6 secrets and credentials: the rules of this family, each
//! declared with its documentation, and the check that decides them from a
//! subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-SEC-READ`.
pub static SEC_READ: RiskRule = RiskRule {
    catalogue_id: "RBAC-SEC-READ",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can get, list or watch secrets.
        ///
        /// ## Why it matters
        /// Secrets hold credentials, legacy ServiceAccount tokens and TLS keys; list
        /// and watch return full contents.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [secrets], verbs: [list]}
        /// ```
        ///
        /// ## How to fix
        /// Grant get on named secrets only (resourceNames), and never list/watch.
        id: "rbac/sec-read",
        title: "can read secrets",
        severity: Severity::Medium,
        severity_varies: "high in a privileged namespace or cluster-wide; info when limited to named secrets",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-SEC-TOKEN-REQUEST`.
pub static SEC_TOKEN_REQUEST: RiskRule = RiskRule {
    catalogue_id: "RBAC-SEC-TOKEN-REQUEST",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create ServiceAccount tokens (`create` on
        /// serviceaccounts/token).
        ///
        /// ## Why it matters
        /// create serviceaccounts/token mints a token for any ServiceAccount in scope.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove create on serviceaccounts/token or restrict it with resourceNames.
        id: "rbac/sec-token-request",
        title: "can mint ServiceAccount tokens",
        severity: Severity::High,
        severity_varies: "medium when limited to named ServiceAccounts",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-SEC-WRITE`.
pub static SEC_WRITE: RiskRule = RiskRule {
    catalogue_id: "RBAC-SEC-WRITE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change secrets in a privileged namespace.
        ///
        /// ## Why it matters
        /// The subject can create a kubernetes.io/service-account-token secret for a
        /// privileged ServiceAccount and read the token back.
        ///
        /// ## Example
        /// ```yaml
        /// kind: Role
        /// metadata: {namespace: kube-system}
        /// rules:
        /// - {apiGroups: [""], resources: [secrets], verbs: [create]}
        /// ```
        ///
        /// ## How to fix
        /// Remove secret writes in privileged namespaces.
        id: "rbac/sec-write",
        title: "can write secrets in a privileged namespace",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-CLOUD-IDENTITY-MAP`.
pub static CLOUD_IDENTITY_MAP: RiskRule = RiskRule {
    catalogue_id: "RBAC-CLOUD-IDENTITY-MAP",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can change the `kube-system/aws-auth` ConfigMap.
        ///
        /// ## Why it matters
        /// On EKS, kube-system/aws-auth maps cloud identities to Kubernetes users and
        /// groups, system:masters included.
        ///
        /// ## Example
        /// ```yaml
        /// kind: Role
        /// metadata: {namespace: kube-system}
        /// rules:
        /// - {apiGroups: [""], resources: [configmaps], resourceNames: [aws-auth], verbs: [update]}
        /// ```
        ///
        /// ## How to fix
        /// Remove write access to the aws-auth ConfigMap; use EKS access entries.
        id: "rbac/cloud-identity-map",
        title: "can write the aws-auth identity mapping",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[
    &SEC_READ,
    &SEC_TOKEN_REQUEST,
    &SEC_WRITE,
    &CLOUD_IDENTITY_MAP,
];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(h) = cx.cap(Cap::ReadSecrets) {
        let severity = if h.restricted {
            Severity::Info
        } else if cx.scope.privileged {
            Severity::High
        } else {
            Severity::Medium
        };
        cx.push(
            &SEC_READ,
            severity,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::TokenRequest) {
        let severity = if h.restricted {
            Severity::Medium
        } else {
            Severity::High
        };
        cx.push(
            &SEC_TOKEN_REQUEST,
            severity,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.free(Cap::WriteSecrets).filter(|_| cx.scope.privileged) {
        cx.push(
            &SEC_WRITE,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx
        .free(Cap::AwsAuth)
        .filter(|_| cx.scope.cluster || cx.scope.namespace == "kube-system")
    {
        cx.push(
            &CLOUD_IDENTITY_MAP,
            Severity::High,
            format!(
                "can {} (kube-system/aws-auth; critical on EKS)",
                cx.probe_text(&h)
            ),
            &[h],
        );
    }
}
