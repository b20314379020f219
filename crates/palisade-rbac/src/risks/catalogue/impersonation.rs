//! RISKS.md §A.3 impersonation: the rules of this family, each declared with
//! its documentation, and the check that decides them from a subject's
//! capabilities.

use palisade_core::Severity;

use super::{Cx, RiskRule, whole};
use crate::risks::probes::Cap;

/// `RBAC-IMP-USER-GROUP`.
pub static IMP_USER_GROUP: RiskRule = RiskRule {
    catalogue_id: "RBAC-IMP-USER-GROUP",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `impersonate` users or groups.
        ///
        /// ## Why it matters
        /// The subject can become any user or group, system:masters included (legacy
        /// impersonation does not refuse it).
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [users, groups], verbs: [impersonate]}
        /// ```
        ///
        /// ## How to fix
        /// Remove impersonate on users/groups, or restrict it with resourceNames to
        /// harmless identities.
        id: "rbac/imp-user-group",
        title: "can impersonate users or groups",
        severity: Severity::Critical,
        severity_varies: "high when impersonation is limited to named users or groups",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-IMP-SERVICEACCOUNT`.
pub static IMP_SERVICEACCOUNT: RiskRule = RiskRule {
    catalogue_id: "RBAC-IMP-SERVICEACCOUNT",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `impersonate` ServiceAccounts.
        ///
        /// ## Why it matters
        /// The subject can act as any ServiceAccount in scope, including accounts with
        /// cluster-wide bindings.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}
        /// ```
        ///
        /// ## How to fix
        /// Remove impersonate on serviceaccounts or restrict it with resourceNames.
        id: "rbac/imp-serviceaccount",
        title: "can impersonate ServiceAccounts",
        severity: Severity::High,
        severity_varies: "medium when limited to named ServiceAccounts",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-IMP-EXTRA-UID`.
pub static IMP_EXTRA_UID: RiskRule = RiskRule {
    catalogue_id: "RBAC-IMP-EXTRA-UID",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject that can `impersonate` user extras (`userextras/*`) or uids.
        ///
        /// ## Why it matters
        /// Forged extra attributes (scopes, node binding) are trusted by webhooks and
        /// authorizers.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [authentication.k8s.io], resources: [userextras/scopes, uids], verbs: [impersonate]}
        /// ```
        ///
        /// ## How to fix
        /// Restrict impersonate on userextras/uids to the authenticating proxy that
        /// needs it.
        id: "rbac/imp-extra-uid",
        title: "can impersonate user extras or uids",
        severity: Severity::Medium,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-IMP-CONSTRAINED`.
pub static IMP_CONSTRAINED: RiskRule = RiskRule {
    catalogue_id: "RBAC-IMP-CONSTRAINED",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject holding constrained-impersonation verbs (`impersonate:<mode>`,
        /// `impersonate-on:<mode>:<verb>`), or `*` verbs on authentication.k8s.io
        /// identities.
        ///
        /// ## Why it matters
        /// Constrained impersonation verbs (impersonate:<mode>,
        /// impersonate-on:<mode>:<verb>) let the subject act as other identities; a `*`
        /// verb on authentication.k8s.io identities matches them too.
        ///
        /// ## Example
        /// ```yaml
        /// rules:
        /// - {apiGroups: [authentication.k8s.io], resources: [users], verbs: ["impersonate:user-info"]}
        /// ```
        ///
        /// ## How to fix
        /// Grant constrained impersonation only for the modes and verbs that are
        /// needed.
        id: "rbac/imp-constrained",
        title: "constrained impersonation grant",
        severity: Severity::High,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[
    &IMP_USER_GROUP,
    &IMP_SERVICEACCOUNT,
    &IMP_EXTRA_UID,
    &IMP_CONSTRAINED,
];

/// Decides the family for one subject and scope.
pub(super) fn evaluate(cx: &mut Cx<'_>) {
    for c in [Cap::ImpersonateGroups, Cap::ImpersonateUsers] {
        if let Some(h) = cx.cap(c) {
            let severity = if h.restricted {
                Severity::High
            } else {
                Severity::Critical
            };
            cx.push(
                &IMP_USER_GROUP,
                severity,
                format!("can {}", cx.probe_text(&h)),
                &[h],
            );
        }
    }
    if let Some(h) = cx.cap(Cap::ImpersonateServiceAccounts) {
        let severity = if h.restricted {
            Severity::Medium
        } else {
            Severity::High
        };
        cx.push(
            &IMP_SERVICEACCOUNT,
            severity,
            format!("can {}", cx.probe_text(&h)),
            &[h],
        );
    }
    if let Some(g) = cx.caps.impersonate_extra_uid {
        cx.push(
            &IMP_EXTRA_UID,
            Severity::Medium,
            "can impersonate userextras or uids".into(),
            &[whole(g)],
        );
    }
    if let Some(g) = cx.caps.impersonate_constrained {
        cx.push(
            &IMP_CONSTRAINED,
            Severity::High,
            "holds constrained-impersonation verbs (or `*` on authentication.k8s.io identities)"
                .into(),
            &[whole(g)],
        );
    }
}
