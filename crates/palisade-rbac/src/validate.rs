//! Validation findings for RBAC objects taken as written: what the API server
//! would have rejected, and what resolves to nothing (SPEC §4, §5, §6.4, §7).
//! The engine still evaluates these objects; the findings explain why they grant
//! nothing or behave unexpectedly.

use std::collections::HashSet;

use palisade_core::{Finding, Rule, Severity};

use crate::model::{BindingKind, RBAC_GROUP, RoleKind, SubjectKind};
use crate::policy::Policy;

pub static MISSING_ROLE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A binding whose roleRef names a Role or ClusterRole that is not in the input.
    ///
    /// ## Why it matters
    /// It grants nothing now, and grants silently as soon as someone creates a role
    /// with that name (RBAC-HYG-DANGLING-ROLEREF).
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}   # no Role deployer
    /// ```
    ///
    /// ## How to fix
    /// Delete the binding, or create the role it references on purpose.
    id: "rbac/missing-role",
    title: "a binding references a role that does not exist",
    severity: Severity::Medium,
};

pub static INVALID_BINDING: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A binding whose roleRef the API server would reject: a ClusterRoleBinding
    /// to a Role, a kind that is neither Role nor ClusterRole, or an apiGroup other
    /// than rbac.authorization.k8s.io.
    ///
    /// ## Why it matters
    /// The binding grants nothing, while it reads as if it granted the role.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
    /// ```
    ///
    /// ## How to fix
    /// Reference a ClusterRole (or, from a RoleBinding, a Role of the same
    /// namespace), with apiGroup rbac.authorization.k8s.io.
    id: "rbac/invalid-binding",
    title: "a binding's roleRef the API server would reject",
    severity: Severity::Medium,
    severity_varies: "low when only roleRef.apiGroup is wrong",
};

pub static INVALID_SUBJECT: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A binding subject that matches nobody: an unknown kind, no name, or a
    /// ServiceAccount without a namespace in a ClusterRoleBinding.
    ///
    /// ## Why it matters
    /// The grant the author meant to give does not exist (RBAC-HYG-DANGLING-SUBJECT).
    ///
    /// ## Example
    /// ```yaml
    /// subjects: [{kind: ServiceAccount, name: ci}]   # in a ClusterRoleBinding
    /// ```
    ///
    /// ## How to fix
    /// Use kind User, Group or ServiceAccount; give ServiceAccount subjects a
    /// namespace.
    id: "rbac/invalid-subject",
    title: "a binding subject matches nobody",
    severity: Severity::Low,
};

pub static DANGLING_SUBJECT: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A binding that names a ServiceAccount missing from the input, in a
    /// namespace whose other ServiceAccounts are in the input (`default` is never
    /// reported: every namespace has it).
    ///
    /// ## Why it matters
    /// Whoever creates a ServiceAccount with that name gets the grant
    /// (RBAC-HYG-DANGLING-SUBJECT).
    ///
    /// ## Example
    /// ```yaml
    /// subjects: [{kind: ServiceAccount, name: old-ci, namespace: shop}]   # no such account
    /// ```
    ///
    /// ## How to fix
    /// Remove the subject or create the ServiceAccount on purpose.
    id: "rbac/dangling-subject",
    title: "a binding names a ServiceAccount that does not exist",
    severity: Severity::Low,
};

pub static INVALID_RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A role rule the API server would reject: no verbs, nonResourceURLs mixed
    /// with resources, nonResourceURLs in a namespaced Role, or a resource rule
    /// without apiGroups or resources.
    ///
    /// ## Why it matters
    /// The role cannot be created as written, and a reader of the manifest
    /// believes it grants what it lists.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - {apiGroups: [""], resources: [pods]}   # no verbs
    /// ```
    ///
    /// ## How to fix
    /// Split the rule: resource rules need verbs, apiGroups and resources;
    /// non-resource rules only verbs and nonResourceURLs, in ClusterRoles.
    id: "rbac/invalid-rule",
    title: "a role rule the API server would reject",
    severity: Severity::Low,
};

pub static AGGREGATION_OVERWRITES: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A ClusterRole with an aggregationRule whose written rules differ from the
    /// rules aggregation computes.
    ///
    /// ## Why it matters
    /// The controller replaces the written rules, so what the manifest shows is
    /// not what the role grants.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// aggregationRule: {clusterRoleSelectors: [{matchLabels: {team: a}}]}
    /// rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
    /// ```
    ///
    /// ## How to fix
    /// Put the rules into a separate ClusterRole with the aggregation label, or
    /// remove the aggregationRule.
    id: "rbac/aggregation-overwrites-rules",
    title: "an aggregated ClusterRole's written rules are replaced",
    severity: Severity::Info,
};

/// Every validation rule.
pub static RULES: &[&Rule] = &[
    &MISSING_ROLE,
    &INVALID_BINDING,
    &INVALID_SUBJECT,
    &DANGLING_SUBJECT,
    &INVALID_RULE,
    &AGGREGATION_OVERWRITES,
];

impl Policy {
    /// Every validation finding, in input order (bindings, then roles).
    pub fn validation_findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        self.binding_findings(&mut out);
        self.role_findings(&mut out);
        out
    }

    fn binding_findings(&self, out: &mut Vec<Finding>) {
        let namespaces_with_sas: HashSet<&str> = self
            .service_accounts
            .iter()
            .map(|sa| sa.namespace.as_str())
            .collect();
        let known_sas: HashSet<(&str, &str)> = self
            .service_accounts
            .iter()
            .map(|sa| (sa.namespace.as_str(), sa.name.as_str()))
            .collect();
        for (id, binding) in self.bindings().iter().enumerate() {
            let finding = |rule: &Rule, severity, message: String, remediation: &'static str| {
                Finding::new(
                    rule.id,
                    severity,
                    message,
                    &binding.source,
                    Some(binding.object.clone()),
                )
                .with_remediation(remediation)
            };
            let role_ref = &binding.role_ref;
            let bad_kind = match (binding.kind, role_ref.kind.as_str()) {
                (BindingKind::RoleBinding, "Role" | "ClusterRole") | (BindingKind::ClusterRoleBinding, "ClusterRole") => None,
                (BindingKind::ClusterRoleBinding, "Role") => {
                    Some("a ClusterRoleBinding can only reference a ClusterRole (roleRef.kind Role resolves to nothing)".to_owned())
                }
                (_, other) => Some(format!("roleRef.kind {other:?} is neither Role nor ClusterRole")),
            };
            if let Some(why) = &bad_kind {
                out.push(finding(
                    &INVALID_BINDING,
                    Severity::Medium,
                    format!("{}: {why}; the binding grants nothing", binding.display()),
                    "Reference a ClusterRole (or, from a RoleBinding, a Role of the same namespace).",
                ));
            } else if role_ref.api_group != RBAC_GROUP {
                out.push(finding(
                    &INVALID_BINDING,
                    Severity::Low,
                    format!(
                        "{}: roleRef.apiGroup is {:?}; the API server requires {RBAC_GROUP:?}",
                        binding.display(),
                        role_ref.api_group
                    ),
                    "Set roleRef.apiGroup to rbac.authorization.k8s.io.",
                ));
            }
            if bad_kind.is_none() && self.resolved_role(id).is_none() {
                out.push(finding(
                    &MISSING_ROLE,
                    Severity::Medium,
                    format!(
                        "{} references {} {:?}, which does not exist: it grants nothing now, and grants silently as soon as someone creates a role with that name (RBAC-HYG-DANGLING-ROLEREF)",
                        binding.display(),
                        role_ref.kind,
                        role_ref.name
                    ),
                    "Delete the binding, or create the role it references on purpose.",
                ));
            }
            for subject in &binding.subjects {
                let problem = match &subject.kind {
                    SubjectKind::Other(kind) => Some(format!(
                        "subject kind {kind:?} is unknown and matches nobody"
                    )),
                    _ if subject.name.is_empty() => {
                        Some("a subject has no name and matches nobody".to_owned())
                    }
                    SubjectKind::ServiceAccount if binding.subject_namespace(subject).is_none() => {
                        Some(format!(
                            "ServiceAccount subject {:?} has no namespace; in a ClusterRoleBinding it matches nobody",
                            subject.name
                        ))
                    }
                    _ => None,
                };
                if let Some(problem) = problem {
                    out.push(finding(
                        &INVALID_SUBJECT,
                        Severity::Low,
                        format!("{}: {problem} (RBAC-HYG-DANGLING-SUBJECT)", binding.display()),
                        "Use kind User, Group or ServiceAccount; give ServiceAccount subjects a namespace.",
                    ));
                    continue;
                }
                if subject.kind == SubjectKind::ServiceAccount
                    && let Some(ns) = binding.subject_namespace(subject)
                {
                    // Only judge namespaces whose ServiceAccounts are in the input,
                    // and never `default`, which every namespace has.
                    let known_namespace = namespaces_with_sas.contains(ns.as_str());
                    if known_namespace
                        && subject.name != "default"
                        && !known_sas.contains(&(ns.as_str(), subject.name.as_str()))
                    {
                        out.push(finding(
                            &DANGLING_SUBJECT,
                            Severity::Low,
                            format!(
                                "{} names ServiceAccount {ns}/{}, which is not in the input: whoever creates it gets the grant (RBAC-HYG-DANGLING-SUBJECT)",
                                binding.display(),
                                subject.name
                            ),
                            "Remove the subject or create the ServiceAccount on purpose.",
                        ));
                    }
                }
            }
        }
    }

    fn role_findings(&self, out: &mut Vec<Finding>) {
        for (id, role) in self.roles().iter().enumerate() {
            let finding = |rule: &Rule, severity, message: String, remediation: &'static str| {
                Finding::new(
                    rule.id,
                    severity,
                    message,
                    &role.source,
                    Some(role.object.clone()),
                )
                .with_remediation(remediation)
            };
            // Aggregated roles' written rules are not what the engine evaluates.
            if !role.is_aggregated() {
                for (index, rule) in role.rules.iter().enumerate() {
                    let problem = if rule.verbs.is_empty() {
                        Some("has no verbs")
                    } else if !rule.non_resource_urls.is_empty()
                        && (!rule.resources.is_empty() || !rule.api_groups.is_empty())
                    {
                        Some("mixes nonResourceURLs with apiGroups/resources")
                    } else if !rule.non_resource_urls.is_empty() && role.kind == RoleKind::Role {
                        Some(
                            "lists nonResourceURLs in a namespaced Role, where they can never apply",
                        )
                    } else if rule.non_resource_urls.is_empty()
                        && (rule.resources.is_empty() || rule.api_groups.is_empty())
                    {
                        Some("needs at least one apiGroup and one resource")
                    } else {
                        None
                    };
                    if let Some(problem) = problem {
                        out.push(finding(
                            &INVALID_RULE,
                            Severity::Low,
                            format!("{} rule #{} {problem}: the API server would reject it", role.display(), index + 1),
                            "Split the rule: resource rules need verbs, apiGroups and resources; non-resource rules only verbs and nonResourceURLs, in ClusterRoles.",
                        ));
                    }
                }
            } else if !role.rules.is_empty() {
                let computed = self.rules_of(id);
                let mut written = role.rules.clone();
                let mut effective = computed.to_vec();
                written.sort();
                effective.sort();
                if written != effective {
                    out.push(finding(
                        &AGGREGATION_OVERWRITES,
                        Severity::Info,
                        format!(
                            "{} has an aggregationRule: its {} written rule(s) are replaced by the {} aggregated rule(s)",
                            role.display(),
                            role.rules.len(),
                            computed.len()
                        ),
                        "Put the rules into a separate ClusterRole with the aggregation label, or remove the aggregationRule.",
                    ));
                }
            }
        }
    }
}
