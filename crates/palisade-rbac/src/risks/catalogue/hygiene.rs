//! Hygiene: grants that are not dangerous on their own but make RBAC hard to
//! review or easy to inherit by accident.

use palisade_core::{Finding, Severity};

use super::RiskRule;
use crate::model::SubjectKind;
use crate::policy::{BindingId, Grant};
use crate::risks::Analysis;

/// `RBAC-HYG-MANY-ROLES`.
pub static HYG_MANY_ROLES: RiskRule = RiskRule {
    catalogue_id: "RBAC-HYG-MANY-ROLES",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A subject with more bindings than the threshold (4), or a namespace
        /// whose RoleBindings name more distinct subjects than the threshold (5).
        ///
        /// ## Why it matters
        /// Subjects with many bindings, and namespaces that many subjects can act
        /// in, are hard to review.
        ///
        /// ## Example
        /// ```yaml
        /// User alice named in five RoleBindings across three namespaces.
        /// ```
        ///
        /// ## How to fix
        /// Consolidate the grants into fewer roles.
        id: "rbac/hyg-many-roles",
        title: "many bindings",
        severity: Severity::Info,
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// `RBAC-HYG-DEFAULT-SA`.
pub static HYG_DEFAULT_SA: RiskRule = RiskRule {
    catalogue_id: "RBAC-HYG-DEFAULT-SA",
    rule: palisade_core::rule! {
        /// ## What it flags
        /// A binding that grants a role to a namespace's `default` ServiceAccount;
        /// and a `default` ServiceAccount declared in the input without
        /// `automountServiceAccountToken: false`.
        ///
        /// ## Why it matters
        /// Every pod without an explicit serviceAccountName runs as `default` and
        /// inherits the grant, and with automounting every such pod carries the
        /// account's token whether it calls the API or not.
        ///
        /// ## Example
        /// ```yaml
        /// kind: RoleBinding
        /// metadata: {namespace: shop}
        /// roleRef: {kind: ClusterRole, name: edit}
        /// subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
        /// ```
        ///
        /// ## How to fix
        /// Create a dedicated ServiceAccount for the workload that needs the grant,
        /// and set `automountServiceAccountToken: false` on `default`.
        id: "rbac/hyg-default-sa",
        title: "grant to a default ServiceAccount",
        severity: Severity::Medium,
        severity_varies: "medium for a grant to `default`, low for a declared `default` account that mounts its token",
        depends_on: &["include-system", "privileged-namespace"],
    },
};

/// Every rule of the family.
pub(crate) static RULES: &[&RiskRule] = &[&HYG_MANY_ROLES, &HYG_DEFAULT_SA];

impl Analysis<'_> {
    /// RBAC-HYG-MANY-ROLES and RBAC-HYG-DEFAULT-SA.
    pub(in crate::risks) fn hygiene_findings(&self, out: &mut Vec<Finding>) {
        self.crowded_namespaces(out);
        self.automounting_default_accounts(out);
        for (subject, bindings) in &self.subjects {
            if !self.visible(subject) {
                continue;
            }
            let all: Vec<BindingId> = bindings
                .cluster
                .iter()
                .chain(bindings.by_namespace.values().flatten())
                .copied()
                .collect();
            let Some(&first) = all.first() else {
                continue;
            };
            let at = |b: BindingId| {
                self.policy.resolved_role(b).map(|role| Grant {
                    binding: b,
                    role,
                    rule: 0,
                })
            };
            if all.len() > self.options.many_bindings {
                let names: Vec<String> = all
                    .iter()
                    .map(|&b| self.policy.binding(b).display())
                    .collect();
                let message = format!(
                    "{} has {} bindings (more than {}): {} [{}]",
                    subject.display(),
                    all.len(),
                    self.options.many_bindings,
                    names.join(", "),
                    HYG_MANY_ROLES.catalogue_id
                );
                out.push(self.located(&HYG_MANY_ROLES, Severity::Info, message, first, at(first)));
            }
            if subject.kind == SubjectKind::ServiceAccount && subject.name == "default" {
                for &b in &all {
                    let binding = self.policy.binding(b);
                    let message = format!(
                        "{} binds {} {:?} to {}: every pod of the namespace without its own ServiceAccount gets it [{}]",
                        binding.display(),
                        binding.role_ref.kind,
                        binding.role_ref.name,
                        subject.display(),
                        HYG_DEFAULT_SA.catalogue_id
                    );
                    out.push(self.located(&HYG_DEFAULT_SA, Severity::Medium, message, b, at(b)));
                }
            }
        }
    }

    /// RBAC-HYG-MANY-ROLES, namespace part: namespaces whose RoleBindings name
    /// more distinct (visible) subjects than `many_subjects`, reported at the
    /// namespace's first such binding.
    fn crowded_namespaces(&self, out: &mut Vec<Finding>) {
        let mut by_namespace: std::collections::BTreeMap<&str, (Vec<String>, BindingId)> =
            std::collections::BTreeMap::new();
        for (subject, bindings) in &self.subjects {
            if !self.visible(subject) {
                continue;
            }
            for (namespace, list) in &bindings.by_namespace {
                let Some(&first) = list.first() else { continue };
                let entry = by_namespace
                    .entry(namespace.as_str())
                    .or_insert_with(|| (Vec::new(), first));
                entry.0.push(subject.display());
                entry.1 = entry.1.min(first);
            }
        }
        for (namespace, (subjects, first)) in by_namespace {
            if subjects.len() <= self.options.many_subjects {
                continue;
            }
            let grant = self.policy.resolved_role(first).map(|role| Grant {
                binding: first,
                role,
                rule: 0,
            });
            let message = format!(
                "namespace {namespace} has {} subjects bound by RoleBindings (more than {}): {} [{}]",
                subjects.len(),
                self.options.many_subjects,
                subjects.join(", "),
                HYG_MANY_ROLES.catalogue_id
            );
            out.push(self.located(&HYG_MANY_ROLES, Severity::Info, message, first, grant));
        }
    }

    /// RBAC-HYG-DEFAULT-SA, automount part: a `default` ServiceAccount the input
    /// declares without `automountServiceAccountToken: false`. (An undeclared one
    /// is the API server's, and whether it mounts is not in the manifests.)
    fn automounting_default_accounts(&self, out: &mut Vec<Finding>) {
        for account in self.policy.service_accounts() {
            let subject =
                crate::model::SubjectRef::service_account(&account.namespace, &account.name);
            if account.name != "default"
                || account.automount == Some(false)
                || !self.visible(&subject)
            {
                continue;
            }
            let message = format!(
                "{} does not set automountServiceAccountToken: false: every pod of namespace {} without its own ServiceAccount carries its token [{}]",
                subject.display(),
                account.namespace,
                HYG_DEFAULT_SA.catalogue_id
            );
            out.push(
                Finding::new(
                    HYG_DEFAULT_SA.id,
                    Severity::Low,
                    message,
                    &account.source,
                    Some(account.object.clone()),
                )
                .with_remediation(self.remediation(&HYG_DEFAULT_SA)),
            );
        }
    }
}
