//! `resources/no-pod-spreading` (off by default).

use palisade_core::{Finding, Node, Rule, Severity, pod_templates};

use super::support::{is_scalable, replicas};
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: the scheduler's default topology spreading already
    /// spreads a workload's pods over nodes and zones on a best-effort basis,
    /// and a hard anti-affinity can keep pods pending.
    ///
    /// ## What it flags
    /// A Deployment, StatefulSet, ReplicaSet or ReplicationController with more
    /// than one replica (or managed by a HorizontalPodAutoscaler of the input)
    /// whose pod template has neither `affinity.podAntiAffinity` nor
    /// `topologySpreadConstraints`.
    ///
    /// ## Why it matters
    /// Replicas exist to survive the loss of a node or zone; replicas packed on
    /// one node fail together.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers: [{name: web, image: registry.example/web:2.0}]
    /// ```
    ///
    /// ## How to fix
    /// Add `topologySpreadConstraints` over `kubernetes.io/hostname` (and
    /// `topology.kubernetes.io/zone`) selecting the workload's pods, or a
    /// preferred `podAntiAffinity`.
    id: "resources/no-pod-spreading",
    title: "replicas are not spread by anti-affinity or topology constraints",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects().iter().filter(|o| is_scalable(o)) {
        let several = replicas(object).is_some_and(|n| n > 1) || context.autoscaled(object);
        if !several {
            continue;
        }
        for template in pod_templates(object) {
            let spread = template.spec.path(&["affinity", "podAntiAffinity"]).is_some_and(|n| !n.is_null())
                || template.spec.get("topologySpreadConstraints").and_then(Node::as_seq).is_some_and(|s| !s.is_empty());
            if spread {
                continue;
            }
            out.push(
                finding(
                    &RULE,
                    object,
                    Some(template.spec),
                    format!(
                        "{}: its replicas have no podAntiAffinity or topologySpreadConstraints",
                        describe_object(object)
                    ),
                )
                .with_remediation("Add topologySpreadConstraints over kubernetes.io/hostname, or a preferred podAntiAffinity."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn several_replicas_need_spreading() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: packed, namespace: shop}
spec:
  replicas: 3
  template:
    spec:
      containers: [{name: web, image: registry.example/web:2.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread, namespace: shop}
spec:
  replicas: 3
  template:
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}]
      containers: [{name: web, image: a:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: single, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: a:1}]
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Deployment shop/packed: its replicas have no podAntiAffinity or topologySpreadConstraints"]);
    }
}
