//! `exposure/service-selects-nothing`: a Service whose selector matches no pod
//! template of the input.

use palisade_core::{Finding, Rule, Severity};

use super::support::{TemplateIndex, services};
use crate::context::{Context, describe_object, finding};
use crate::resources::support::WorkloadNamespaces;

pub static RULE: Rule = palisade_core::rule! {
    /// Only reported in namespaces where the input has workloads: a Service
    /// shipped alone may select pods applied from elsewhere.
    ///
    /// ## What it flags
    /// A Service with a `selector` (not `ExternalName`) that matches the labels
    /// of no pod template of the input in its namespace.
    ///
    /// ## Why it matters
    /// The Service has no endpoints: clients get connection refusals or
    /// timeouts, usually because a label was renamed on one side only.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web-frontend}   # the pods are labelled app: web
    /// ```
    ///
    /// ## How to fix
    /// Make `spec.selector` match the labels of the pod template, or delete the
    /// Service.
    id: "exposure/service-selects-nothing",
    title: "a Service selects no pod of the input",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let index = TemplateIndex::new(context.pod_templates());
    let workloads = WorkloadNamespaces::new(context.pod_templates());
    for service in services(context.inventory) {
        if !workloads.may_hold(service.namespace()) {
            continue;
        }
        if index.selects_any(service) != Some(false) {
            continue;
        }
        out.push(
            finding(
                &RULE,
                service,
                service.root().path(&["spec", "selector"]),
                format!("{}: its selector matches no pod template of the input", describe_object(service)),
            )
            .with_remediation("Make spec.selector match the labels of the workload's pod template, or delete the Service."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn selectors_must_match_a_template_in_the_same_namespace() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: web, image: a:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: typo, namespace: shop}
spec: {selector: {app: web-frontend}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec: {ports: [{port: 80}]}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Service shop/typo: its selector matches no pod template of the input"]);
    }

    #[test]
    fn labels_the_statefulset_controller_adds_count() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: db}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: redis}}
    spec: {containers: [{name: redis, image: a:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: redis-0, namespace: db}
spec: {selector: {app: redis, statefulset.kubernetes.io/pod-name: redis-0}}
---
apiVersion: v1
kind: Service
metadata: {name: other-0, namespace: db}
spec: {selector: {app: redis, statefulset.kubernetes.io/pod-name: other-0}}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Service db/other-0: its selector matches no pod template of the input"]);
    }
}
