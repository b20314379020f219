//! `hygiene/deprecated-service-account-field`: pod specs that use the
//! deprecated `serviceAccount` field.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A pod template that sets `serviceAccount`, the deprecated alias of
    /// `serviceAccountName`.
    ///
    /// ## Why it matters
    /// The API server copies `serviceAccount` into `serviceAccountName` only
    /// when the latter is empty; when both are set and differ, the pod runs as
    /// `serviceAccountName` and a reader of the manifest may believe
    /// otherwise. Tools that read only the current field miss the account.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccount: web
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Rename the field to `serviceAccountName`.
    id: "hygiene/deprecated-service-account-field",
    title: "a pod spec uses the deprecated serviceAccount field",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for template in context.pod_templates() {
        let Some(field) = template.spec.get("serviceAccount") else {
            continue;
        };
        let Some(name) = field.as_str().filter(|n| !n.is_empty()) else {
            continue;
        };
        let current = template.spec.get("serviceAccountName").and_then(Node::as_str).unwrap_or("");
        let note = if !current.is_empty() && current != name {
            format!("; the pod runs as serviceAccountName {current:?}, not {name:?}")
        } else {
            String::new()
        };
        out.push(
            finding(
                &RULE,
                template.object,
                Some(field),
                format!("{} uses the deprecated field serviceAccount{note}", describe_template(template)),
            )
            .with_remediation("Rename serviceAccount to serviceAccountName."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_and_a_conflict_are_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  serviceAccount: web
  containers:
  - name: app
    image: registry.example/app:1.4.2
---
apiVersion: v1
kind: Pod
metadata: {name: both}
spec:
  serviceAccount: web
  serviceAccountName: api
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: current}
spec:
  serviceAccountName: api
  containers: [{name: c, image: a:1}]
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Pod p uses the deprecated field serviceAccount",
                r#"Pod both uses the deprecated field serviceAccount; the pod runs as serviceAccountName "api", not "web""#,
            ]
        );
        assert_eq!(findings[0].line_column(), Some((5, 19)));
    }
}
