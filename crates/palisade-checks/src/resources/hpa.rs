//! `resources/hpa-min-above-max` and `resources/hpa-target-missing`: a
//! HorizontalPodAutoscaler the API server would refuse, or one that scales
//! nothing of the input.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::{WorkloadNamespaces, may_exist};
use crate::context::{Context, describe_object, finding};

pub static MIN_ABOVE_MAX: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A HorizontalPodAutoscaler whose `minReplicas` (1 when absent) is greater
    /// than its `maxReplicas`.
    ///
    /// ## Why it matters
    /// The API server refuses it (`maxReplicas` must be at least `minReplicas`),
    /// so the workload is not autoscaled at all and a deployment pipeline fails
    /// late.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 5
    ///   maxReplicas: 3
    /// ```
    ///
    /// ## How to fix
    /// Set `maxReplicas` at or above `minReplicas`.
    id: "resources/hpa-min-above-max",
    title: "an autoscaler's minReplicas is above its maxReplicas",
    severity: Severity::Medium,
};

pub static TARGET_MISSING: Rule = palisade_core::rule! {
    /// Only reported in namespaces where the input has workloads: an input that
    /// holds the autoscaler alone may well be applied beside its target. A
    /// namespace-less object may be applied anywhere, so it counts as present
    /// in every namespace.
    ///
    /// ## What it flags
    /// A HorizontalPodAutoscaler whose `scaleTargetRef` names a kind and name
    /// that no object of the input in its namespace has.
    ///
    /// ## Why it matters
    /// The autoscaler scales nothing, usually because of a renamed workload; the
    /// workload it was meant for runs at a fixed size.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-v1}
    ///   maxReplicas: 5
    /// ```
    ///
    /// ## How to fix
    /// Point `scaleTargetRef` at the workload's current kind and name, or delete
    /// the autoscaler.
    id: "resources/hpa-target-missing",
    title: "an autoscaler targets a workload that is not in the input",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&MIN_ABOVE_MAX, &TARGET_MISSING];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let workloads = WorkloadNamespaces::new(context.pod_templates());
    for hpa in context.inventory.of_kind("HorizontalPodAutoscaler") {
        if hpa.group() != "autoscaling" {
            continue;
        }
        let spec = hpa.root().get("spec");
        let min_field = spec.and_then(|s| s.get("minReplicas")).filter(|n| !n.is_null());
        let min = match min_field {
            Some(node) => node.as_i64(),
            None => Some(1),
        };
        let max_field = spec.and_then(|s| s.get("maxReplicas"));
        if let (Some(min), Some(max)) = (min, max_field.and_then(Node::as_i64))
            && min > max
        {
            out.push(
                finding(
                    &MIN_ABOVE_MAX,
                    hpa,
                    max_field,
                    format!("{}: minReplicas {min} is above maxReplicas {max}", describe_object(hpa)),
                )
                .with_remediation("Set maxReplicas at or above minReplicas."),
            );
        }
        let target = spec.and_then(|s| s.get("scaleTargetRef"));
        let kind = target.and_then(|t| t.get("kind")).and_then(Node::as_str);
        let name = target.and_then(|t| t.get("name")).and_then(Node::as_str);
        let (Some(kind), Some(name)) = (kind, name) else {
            continue;
        };
        if !workloads.may_hold(hpa.namespace())
            || may_exist(context.inventory, kind, hpa.namespace(), name)
        {
            continue;
        }
        out.push(
            finding(
                &TARGET_MISSING,
                hpa,
                target,
                format!("{}: its scaleTargetRef {kind} {name:?} is not in the input", describe_object(hpa)),
            )
            .with_remediation("Point scaleTargetRef at the workload's current kind and name, or delete the autoscaler."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn min_above_max_and_missing_targets() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {spec: {containers: [{name: web, image: a:1}]}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: inverted, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 5
  maxReplicas: 3
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: stale, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-v1}
  maxReplicas: 5
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: elsewhere, namespace: other}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 5
"#,
        );
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("resources/hpa-min-above-max", "HorizontalPodAutoscaler shop/inverted: minReplicas 5 is above maxReplicas 3"),
                ("resources/hpa-target-missing", r#"HorizontalPodAutoscaler shop/stale: its scaleTargetRef Deployment "web-v1" is not in the input"#),
            ]
        );
    }

    #[test]
    fn a_namespace_less_target_may_be_in_any_namespace() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web, image: a:1}]}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 5
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, [r#"HorizontalPodAutoscaler shop/api: its scaleTargetRef Deployment "api" is not in the input"#]);
    }
}
