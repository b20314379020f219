//! `resources/single-replica` (off by default).

use palisade_core::{Finding, Rule, Severity};

use super::support::{is_scalable, replicas};
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: many workloads (batch consumers, singletons, dev
    /// environments) are one replica by design, and the right count depends on
    /// the service.
    ///
    /// ## What it flags
    /// A Deployment, StatefulSet, ReplicaSet or ReplicationController that asks
    /// for one replica (`spec.replicas: 1`, or no `replicas`, which defaults to
    /// 1). Workloads scaled to 0 and workloads a HorizontalPodAutoscaler of the
    /// input targets are skipped.
    ///
    /// ## Why it matters
    /// With a single replica every node drain, rollout or crash is an outage.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// ## How to fix
    /// Run at least two replicas (`spec.replicas: 2`) spread over nodes, or let a
    /// HorizontalPodAutoscaler with `minReplicas: 2` manage the count.
    id: "resources/single-replica",
    title: "a workload runs a single replica",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for object in context.inventory.objects().iter().filter(|o| is_scalable(o)) {
        if replicas(object) != Some(1) || context.autoscaled(object) {
            continue;
        }
        let field = object.root().path(&["spec", "replicas"]);
        let how = if field.is_some_and(|f| !f.is_null()) { "asks for" } else { "defaults to" };
        out.push(
            finding(&RULE, object, field, format!("{} {how} a single replica", describe_object(object)))
                .with_remediation("Set spec.replicas to at least 2, or manage it with a HorizontalPodAutoscaler."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn one_replica_explicit_or_default_unless_autoscaled() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: one, namespace: shop}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: default, namespace: shop}
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: scaled, namespace: shop}
spec: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scaled, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scaled}, minReplicas: 2, maxReplicas: 5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: three, namespace: shop}
spec: {replicas: 3}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: off, namespace: shop}
spec: {replicas: 0}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            ["Deployment shop/one asks for a single replica", "StatefulSet shop/default defaults to a single replica"]
        );
    }
}
