//! `hygiene/kube-system-workload`: workloads placed in `kube-system`.

use palisade_core::{Finding, Rule, Severity, pod_templates};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A workload (any object with a pod template, Pods included) whose
    /// `metadata.namespace` is `kube-system`. Cluster add-ons installed there
    /// on purpose (DNS, CNI, CSI drivers, metrics-server) are flagged too;
    /// accept them by name.
    ///
    /// ## Why it matters
    /// `kube-system` holds the control plane's own service accounts and
    /// Secrets, and many policies exempt it (Pod Security, admission
    /// webhooks, NetworkPolicy defaults). An application placed there runs
    /// beside the most privileged credentials in the cluster with the fewest
    /// guards.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: kube-system
    /// ```
    ///
    /// ## How to fix
    /// Deploy applications into their own namespaces; keep `kube-system` for
    /// the components that must run there.
    id: "hygiene/kube-system-workload",
    title: "a workload runs in kube-system",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects() {
        if object.namespace() != Some("kube-system") || pod_templates(object).is_empty() {
            continue;
        }
        out.push(
            finding(
                &RULE,
                object,
                object.root().path(&["metadata", "namespace"]),
                format!("{} runs in kube-system", describe_object(object)),
            )
            .with_remediation("Deploy the workload into a namespace of its own."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_once_at_the_namespace() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: kube-system
spec:
  template:
    spec:
      containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: kube-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: elsewhere, namespace: web}
spec:
  template:
    spec:
      containers: [{name: c, image: a:1}]
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].message, "Deployment kube-system/web runs in kube-system");
        assert_eq!(findings[0].line_column(), Some((5, 14)));
    }
}
