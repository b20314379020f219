//! `hygiene/recommended-labels`: workloads and Services without the
//! Kubernetes recommended `app.kubernetes.io/` labels (off by default: a
//! convention, not a risk).

use palisade_core::{Finding, Rule, Severity, pod_templates};

use crate::context::{Context, describe_object, finding};

/// The recommended labels every application object should carry; the others
/// of the set (`version`, `component`, `part-of`, `managed-by`) are optional.
const REQUIRED: [&str; 2] = ["app.kubernetes.io/name", "app.kubernetes.io/instance"];

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: labelling is a team convention, not a security risk.
    ///
    /// ## What it flags
    /// A workload (an object with a pod template) or a Service whose
    /// `metadata.labels` lack `app.kubernetes.io/name` or
    /// `app.kubernetes.io/instance`, the two recommended labels that identify
    /// an application and one installation of it.
    ///
    /// ## Why it matters
    /// Tools and people find an application's objects by these labels:
    /// dashboards, cost reports, `kubectl get -l`, incident responders looking
    /// for everything that belongs to a compromised release. Objects without
    /// them are the ones nobody can attribute.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    ///   labels: {app: web}
    /// ```
    ///
    /// ## How to fix
    /// Add `app.kubernetes.io/name` (the application, `web`) and
    /// `app.kubernetes.io/instance` (this installation, `web-prod`), and
    /// where useful `app.kubernetes.io/version`, `component`, `part-of` and
    /// `managed-by`.
    id: "hygiene/recommended-labels",
    title: "a workload or Service lacks the recommended app.kubernetes.io labels",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects() {
        let is_service = object.kind() == "Service" && object.group().is_empty();
        if !is_service && pod_templates(object).is_empty() {
            continue;
        }
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|key| !object.labels().any(|(k, v)| k == *key && !v.is_empty()))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let at = object
            .root()
            .path(&["metadata", "labels"])
            .or_else(|| object.metadata());
        out.push(
            finding(
                &RULE,
                object,
                at,
                format!("{} lacks the label{} {}", describe_object(object), if missing.len() > 1 { "s" } else { "" }, missing.join(", ")),
            )
            .with_remediation(format!("Add the labels {} to metadata.labels.", missing.join(", "))),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_at_the_labels() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app: web}\n",
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "Service web lacks the labels app.kubernetes.io/name, app.kubernetes.io/instance"
        );
        assert_eq!(findings[0].line_column(), Some((5, 11)));
    }

    #[test]
    fn labelled_objects_and_other_kinds_are_clean() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web-prod}
spec:
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: Pod
metadata:
  name: half
  labels: {app.kubernetes.io/name: web}
spec:
  containers: [{name: c, image: a:1}]
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Pod half lacks the label app.kubernetes.io/instance"]);
    }
}
