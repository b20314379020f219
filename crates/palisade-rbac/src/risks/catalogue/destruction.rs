//! RISKS.md §A.9 destruction and legacy: the rules of this family, each
//! declared with its documentation, and the check that decides them from a
//! subject's capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule, whole};
use crate::risks::probes::Cap;

/// `RBAC-DEL-RESOURCES`.
pub static DEL_RESOURCES: RiskRule = RiskRule {
    catalogue_id: "RBAC-DEL-RESOURCES",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can delete workloads, secrets or services (or anything, with
        /// `*`).
        ///
        /// ## Why it matters
        /// Deleting workloads, secrets or services is a denial of service.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [apps], resources: [deployments], verbs: [delete]}
        /// ```
        ///
        /// ## How to fix
        /// Restrict delete/deletecollection to the owners of the objects.
        id: "rbac/del-resources",
        title: "can delete workloads, secrets or services",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-DEL-EVENTS`.
pub static DEL_EVENTS: RiskRule = RiskRule {
    catalogue_id: "RBAC-DEL-EVENTS",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can delete events.
        ///
        /// ## Why it matters
        /// Deleting events erases the evidence an attack leaves behind.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [events], verbs: [delete]}
        /// ```
        ///
        /// ## How to fix
        /// Remove delete on events.
        id: "rbac/del-events",
        title: "can delete events",
        severity: Severity::Low,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-LEGACY-PSP-USE`.
pub static LEGACY_PSP_USE: RiskRule = RiskRule {
    catalogue_id: "RBAC-LEGACY-PSP-USE",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `use` PodSecurityPolicies.
        ///
        /// ## Why it matters
        /// On clusters before v1.25, `use` on a permissive PodSecurityPolicy allows
        /// privileged pods.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]}
        /// ```
        ///
        /// ## How to fix
        /// Remove the grant; PodSecurityPolicy was removed in v1.25.
        id: "rbac/legacy-psp-use",
        title: "can use PodSecurityPolicies",
        severity: Severity::Low,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&DEL_RESOURCES, &DEL_EVENTS, &LEGACY_PSP_USE];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    if let Some(g) = cx.caps.delete_star {
        cx.push(
            &DEL_RESOURCES,
            Severity::Medium,
            "can delete any resource (`*`)".into(),
            &[whole(g)],
        );
    } else if let Some(h) = cx.free(Cap::Delete) {
        cx.push(
            &DEL_RESOURCES,
            Severity::Medium,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.free(Cap::DeleteEvents) {
        cx.push(
            &DEL_EVENTS,
            Severity::Low,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(h) = cx.cap(Cap::Psp) {
        cx.push(
            &LEGACY_PSP_USE,
            Severity::Low,
            format!(
                "can {} (PodSecurityPolicy was removed in v1.25)",
                cx.probe_text(&h)
            ),
            &[h],
        );
    }
}
