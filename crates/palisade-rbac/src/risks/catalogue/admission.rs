//! RISKS.md §A.7 admission and API extension: the rules of this family, each
//! declared with its documentation, and the check that decides them from a
//! subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule};
use crate::risks::probes::Cap;

/// `RBAC-ADM-WEBHOOKS`.
pub static ADM_WEBHOOKS: RiskRule = RiskRule {
    catalogue_id: "RBAC-ADM-WEBHOOKS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change admission webhook configurations.
        ///
        /// ## Why it matters
        /// A webhook sees (a mutating one rewrites) every admitted object, secrets
        /// included, or admission checks can be switched off.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [update]}
        /// ```
        ///
        /// ## How to fix
        /// Keep webhook configuration writes to cluster administrators.
        id: "rbac/adm-webhooks",
        title: "can change admission webhooks",
        severity: Severity::Critical,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-ADM-POLICIES`.
pub static ADM_POLICIES: RiskRule = RiskRule {
    catalogue_id: "RBAC-ADM-POLICIES",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change admission policies
        /// (ValidatingAdmissionPolicy and its bindings, Gatekeeper or Kyverno
        /// policies).
        ///
        /// ## Why it matters
        /// Admission policies (ValidatingAdmissionPolicy, Gatekeeper, Kyverno) are
        /// guardrails: the subject can turn them off or mutate workloads.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicies], verbs: [delete]}
        /// ```
        ///
        /// ## How to fix
        /// Keep policy writes to the platform team.
        id: "rbac/adm-policies",
        title: "can change admission policies",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-CRD-WRITE`.
pub static CRD_WRITE: RiskRule = RiskRule {
    catalogue_id: "RBAC-CRD-WRITE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create or change CustomResourceDefinitions.
        ///
        /// ## Why it matters
        /// The subject can shadow or break APIs that controllers trust.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [update]}
        /// ```
        ///
        /// ## How to fix
        /// Keep CRD writes to cluster administrators and operators' installers.
        id: "rbac/crd-write",
        title: "can change CustomResourceDefinitions",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-CSR-APPROVE`.
pub static CSR_APPROVE: RiskRule = RiskRule {
    catalogue_id: "RBAC-CSR-APPROVE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can create CertificateSigningRequests, approve them, and
        /// approve for a signer.
        ///
        /// ## Why it matters
        /// Approving CSRs for the kube-apiserver-client signer issues client
        /// certificates for any identity, system:masters included.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}
        /// - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
        /// - {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}
        /// ```
        ///
        /// ## How to fix
        /// Split CSR creation from approval; restrict approve to specific signers.
        id: "rbac/csr-approve",
        title: "can create and approve client certificates",
        severity: Severity::Critical,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&ADM_WEBHOOKS, &ADM_POLICIES, &CRD_WRITE, &CSR_APPROVE];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(h) = cx.cap(Cap::Webhooks) {
        cx.push(
            &ADM_WEBHOOKS,
            Severity::Critical,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::AdmissionPolicies) {
        cx.push(
            &ADM_POLICIES,
            Severity::High,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::WriteCrds) {
        cx.push(
            &CRD_WRITE,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let (Some(a), Some(s), Some(c)) = (
        cx.cap(Cap::CsrApproval),
        cx.cap(Cap::CsrSigner),
        cx.cap(Cap::CsrCreate),
    ) {
        cx.push(
            &CSR_APPROVE,
            Severity::Critical,
            format!(
                "can {}, {} and {}",
                cx.probe_text(&c),
                cx.probe_text(&a),
                cx.probe_text(&s)
            ),
            &[c, a, s],
        );
    }
}
