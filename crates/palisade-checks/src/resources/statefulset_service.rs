//! `resources/statefulset-service-missing`: a StatefulSet's governing Service
//! is not in the input, or is not headless.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::exposure::support::ServiceIndex;
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Only reported in namespaces where the input has Services: an input
    /// without any may be applied beside them.
    ///
    /// ## What it flags
    /// A StatefulSet whose `serviceName` names no Service of the input in its
    /// namespace, or a Service that is not headless (`clusterIP: None`).
    ///
    /// ## Why it matters
    /// The governing Service gives each pod its stable DNS name
    /// (`web-0.web.shop.svc`); without it, or with a Service that has a cluster
    /// IP, peers that address pods by name (databases, quorum systems) cannot
    /// find each other.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StatefulSet
    /// metadata: {name: db}
    /// spec:
    ///   serviceName: db-headless   # no Service of that name
    /// ```
    ///
    /// ## How to fix
    /// Add a Service named as `serviceName` with `clusterIP: None` selecting the
    /// StatefulSet's pods, or correct the name.
    id: "resources/statefulset-service-missing",
    title: "a StatefulSet's governing Service is missing or not headless",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let services = ServiceIndex::new(context.inventory);
    for set in context.inventory.of_kind("StatefulSet").filter(|o| o.group() == "apps") {
        let Some(field) = set.root().path(&["spec", "serviceName"]) else {
            continue;
        };
        let Some(name) = field.as_str().filter(|n| !n.is_empty()) else {
            continue;
        };
        if !services.any_in(set.namespace()) {
            continue;
        }
        let candidates = services.named(name, set.namespace());
        let headless = |s: &&palisade_core::Object| {
            s.root().path(&["spec", "clusterIP"]).and_then(Node::as_str) == Some("None")
        };
        let problem = if candidates.is_empty() {
            format!("serviceName {name:?} names no Service of the input")
        } else if candidates.iter().any(headless) {
            continue;
        } else {
            format!("its Service {name:?} is not headless (clusterIP is not None)")
        };
        out.push(
            finding(&RULE, set, Some(field), format!("{}: {problem}", describe_object(set)))
                .with_remediation("Add a headless Service (clusterIP: None) named as spec.serviceName, selecting the StatefulSet's pods."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn missing_and_non_headless_services() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec: {serviceName: db-headless}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: data}
spec: {serviceName: cache}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: queue, namespace: data}
spec: {serviceName: queue}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec: {ports: [{port: 6379}]}
---
apiVersion: v1
kind: Service
metadata: {name: queue, namespace: data}
spec: {clusterIP: None, ports: [{port: 5672}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: alone, namespace: elsewhere}
spec: {serviceName: alone}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"StatefulSet data/db: serviceName "db-headless" names no Service of the input"#,
                r#"StatefulSet data/cache: its Service "cache" is not headless (clusterIP is not None)"#,
            ]
        );
    }
}
