//! `workload/default-service-account`: pods that run as their namespace's
//! `default` ServiceAccount.

use palisade_core::{Finding, Rule, Severity};

use super::service_account::pod_service_account;
use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A pod template that runs as the `default` ServiceAccount: neither
    /// `serviceAccountName` nor the deprecated `serviceAccount` names another
    /// account (an empty value counts as unset, as the API server reads it).
    ///
    /// ## Why it matters
    /// Every pod of the namespace that names no account shares `default`. A
    /// RoleBinding granted to it for one application applies to all of them,
    /// and its token (mounted unless disabled) identifies no workload in
    /// particular, so audit logs and RBAC cannot tell them apart.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: default
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Create a ServiceAccount per application (`kind: ServiceAccount`, with
    /// `automountServiceAccountToken: false` unless it calls the API) and name
    /// it in `serviceAccountName`. Leave `default` without RoleBindings.
    id: "workload/default-service-account",
    title: "a pod runs as the default service account",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        let account = pod_service_account(template);
        if account.name != "default" {
            continue;
        }
        let how = if account.field.is_some() {
            "names the default ServiceAccount"
        } else {
            "names no ServiceAccount and runs as default"
        };
        out.push(
            finding(
                &RULE,
                template.object,
                account.field.or(Some(template.spec)),
                format!("{} {how}", describe_template(template)),
            )
            .with_remediation(
                "Create a ServiceAccount for this workload and set spec.serviceAccountName to it.",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_field() {
        let findings = run(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  serviceAccountName: default\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "Pod app/p names the default ServiceAccount");
        assert_eq!(findings[0].line_column(), Some((5, 23)));
    }

    #[test]
    fn unset_empty_and_deprecated_fields_resolve_like_the_api_server() {
        let findings = run(r#"
apiVersion: v1
kind: Pod
metadata: {name: unset}
spec:
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: empty}
spec:
  serviceAccountName: ""
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: deprecated-field}
spec:
  serviceAccount: web
  containers: [{name: c, image: a:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: named, namespace: prod}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: c, image: a:1}]
"#);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Pod unset names no ServiceAccount and runs as default",
                "Pod empty names no ServiceAccount and runs as default",
            ]
        );
    }
}
