//! Validation findings for RBAC objects taken as written: what the API server
//! would have rejected, and what resolves to nothing (SPEC §4, §5, §6.4, §7).
//! The engine still evaluates these objects; the findings explain why they grant
//! nothing or behave unexpectedly.

use std::collections::HashSet;

use palisade_core::{Finding, Severity};

use crate::model::{BindingKind, RBAC_GROUP, RoleKind, SubjectKind};
use crate::policy::Policy;

pub const MISSING_ROLE: &str = "rbac/missing-role";
pub const INVALID_BINDING: &str = "rbac/invalid-binding";
pub const INVALID_SUBJECT: &str = "rbac/invalid-subject";
pub const DANGLING_SUBJECT: &str = "rbac/dangling-subject";
pub const INVALID_RULE: &str = "rbac/invalid-rule";
pub const AGGREGATION_OVERWRITES: &str = "rbac/aggregation-overwrites-rules";

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
            let finding = |rule: &str, severity, message: String, remediation: &str| {
                Finding::new(
                    rule,
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
                    INVALID_BINDING,
                    Severity::Medium,
                    format!("{}: {why}; the binding grants nothing", binding.display()),
                    "Reference a ClusterRole (or, from a RoleBinding, a Role of the same namespace).",
                ));
            } else if role_ref.api_group != RBAC_GROUP {
                out.push(finding(
                    INVALID_BINDING,
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
                    MISSING_ROLE,
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
                        INVALID_SUBJECT,
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
                            DANGLING_SUBJECT,
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
            let finding = |rule: &str, severity, message: String, remediation: &str| {
                Finding::new(
                    rule,
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
                            INVALID_RULE,
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
                        AGGREGATION_OVERWRITES,
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
