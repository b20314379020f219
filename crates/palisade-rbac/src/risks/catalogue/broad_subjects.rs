//! Everyone as a subject: sensitive grants to anonymous callers and to broad
//! groups. Decided after the catalogue, from every subject's hits: these
//! subjects are reported whatever `include-system` says, because they are the
//! point.

use palisade_core::{Finding, Severity};

use super::{RiskRule, is_sensitive, up};
use crate::identity::{ANONYMOUS, AUTHENTICATED, SERVICE_ACCOUNTS, UNAUTHENTICATED};
use crate::model::SubjectKind;
use crate::policy::Grant;
use crate::risks::Analysis;

/// `RBAC-ANON-BINDING`.
pub static ANON_BINDING: RiskRule = RiskRule {
    catalogue_id: "RBAC-ANON-BINDING",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A binding to `system:anonymous` or `system:unauthenticated`, beyond the
        /// default public-info readers.
        ///
        /// ## Why it matters
        /// Anyone who can reach the API server gets this grant.
        ///
        /// ## Example
        /// ```yaml
        /// kind: ClusterRoleBinding
        /// roleRef: {kind: ClusterRole, name: view}
        /// subjects: [{kind: Group, name: "system:unauthenticated"}]
        /// ```
        ///
        /// ## How to fix
        /// Remove the binding to system:anonymous / system:unauthenticated.
        id: "rbac/anon-binding",
        title: "grants to anonymous callers",
        severity: Severity::Critical,
        severity_varies: "medium when the binding grants nothing sensitive",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-BROAD-GROUP`.
pub static BROAD_GROUP: RiskRule = RiskRule {
    catalogue_id: "RBAC-BROAD-GROUP",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A sensitive grant to `system:authenticated` or to
        /// `system:serviceaccounts[:<namespace>]`.
        ///
        /// ## Why it matters
        /// system:authenticated reaches every user and ServiceAccount;
        /// system:serviceaccounts[:ns] every ServiceAccount (of the namespace).
        ///
        /// ## Example
        /// ```yaml
        /// kind: ClusterRoleBinding
        /// roleRef: {kind: ClusterRole, name: secret-reader}
        /// subjects: [{kind: Group, name: "system:authenticated"}]
        /// ```
        ///
        /// ## How to fix
        /// Bind the role to the specific users, groups or ServiceAccounts that need it.
        id: "rbac/broad-group",
        title: "sensitive grant to a broad group",
        severity: Severity::High,
        severity_varies: "one step above the severity of the grant itself",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&ANON_BINDING, &BROAD_GROUP];

impl Analysis<'_> {
    /// RBAC-ANON-BINDING and RBAC-BROAD-GROUP: sensitive grants to everyone.
    /// Reported whatever `include_system` says: these subjects are the point.
    pub(in crate::risks) fn broad_subject_findings(&self, out: &mut Vec<Finding>) {
        for (subject, hits) in &self.hits {
            let anonymous = (subject.kind == SubjectKind::User && subject.name == ANONYMOUS)
                || (subject.kind == SubjectKind::Group && subject.name == UNAUTHENTICATED);
            let broad = subject.kind == SubjectKind::Group
                && (subject.name == AUTHENTICATED
                    || subject.name == SERVICE_ACCOUNTS
                    || subject.name.starts_with(&format!("{SERVICE_ACCOUNTS}:")));
            if !anonymous && !broad {
                continue;
            }
            for (scope, hit) in hits.iter().filter(|(_, h)| is_sensitive(h.rule)) {
                let rule = if anonymous {
                    &ANON_BINDING
                } else {
                    &BROAD_GROUP
                };
                let severity = if anonymous {
                    Severity::Critical
                } else {
                    up(hit.severity)
                };
                let message = format!(
                    "{} (everyone it stands for) {} {}: {} [{} via {}]",
                    subject.display(),
                    hit.what,
                    Self::scope_text(scope),
                    self.paths_text(&hit.grants),
                    rule.catalogue_id,
                    hit.rule.catalogue_id
                );
                out.push(self.finding(rule, severity, message, hit.grants.first()));
            }
        }
        // Anonymous bindings that grant nothing sensitive are still worth a look,
        // beyond the baseline public-info and cluster-info readers.
        for (subject, bindings) in &self.subjects {
            let anonymous = (subject.kind == SubjectKind::User && subject.name == ANONYMOUS)
                || (subject.kind == SubjectKind::Group && subject.name == UNAUTHENTICATED);
            if !anonymous
                || self
                    .hits
                    .get(subject)
                    .is_some_and(|h| h.iter().any(|(_, h)| is_sensitive(h.rule)))
            {
                continue;
            }
            for &b in bindings
                .cluster
                .iter()
                .chain(bindings.by_namespace.values().flatten())
            {
                let binding = self.policy.binding(b);
                let baseline = matches!(
                    binding.role_ref.name.as_str(),
                    "system:public-info-viewer" | "kubeadm:bootstrap-signer-clusterinfo"
                );
                if baseline {
                    continue;
                }
                let message = format!(
                    "{} names {} (anyone who can reach the API server) and grants {} {:?} [{}]",
                    binding.display(),
                    subject.display(),
                    binding.role_ref.kind,
                    binding.role_ref.name,
                    ANON_BINDING.catalogue_id
                );
                let grant = self.policy.resolved_role(b).map(|role| Grant {
                    binding: b,
                    role,
                    rule: 0,
                });
                out.push(self.located(&ANON_BINDING, Severity::Medium, message, b, grant));
            }
        }
    }
}
