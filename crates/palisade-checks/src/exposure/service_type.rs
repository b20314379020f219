//! `exposure/external-service-type`: a NodePort or LoadBalancer Service.

use palisade_core::{Finding, Rule, Severity};

use super::support::{is_internal_load_balancer, service_type, services};
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Service of type `NodePort`, or `LoadBalancer` unless an annotation of
    /// the cloud provider makes the load balancer internal (AWS, GKE, Azure,
    /// OCI, OpenStack).
    ///
    /// ## Why it matters
    /// A NodePort opens the port on every node of the cluster, bypassing the
    /// ingress layer and its TLS, authentication and logging; a public load
    /// balancer puts the workload on the internet. Either should be a
    /// deliberate, reviewed choice.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: NodePort
    ///   ports: [{port: 80, targetPort: http}]
    /// ```
    ///
    /// ## How to fix
    /// Use a `ClusterIP` Service behind an Ingress or Gateway, or an internal
    /// load balancer; keep external types for what must be reached directly.
    id: "exposure/external-service-type",
    title: "a Service is exposed outside the cluster (NodePort or LoadBalancer)",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for service in services(context.inventory) {
        let kind = service_type(service);
        let exposed = match kind {
            "NodePort" => true,
            "LoadBalancer" => !is_internal_load_balancer(service),
            _ => false,
        };
        if !exposed {
            continue;
        }
        out.push(
            finding(&RULE, service, service.root().path(&["spec", "type"]), format!("{} is of type {kind}", describe_object(service)))
                .with_remediation("Use a ClusterIP Service behind an Ingress or Gateway, or an internal load balancer."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn node_ports_and_public_load_balancers() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Service
metadata: {name: np, namespace: shop}
spec: {type: NodePort, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata:
  name: internal
  namespace: shop
  annotations: {networking.gke.io/load-balancer-type: Internal}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: shop}
spec: {ports: [{port: 80}]}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Service shop/np is of type NodePort", "Service shop/lb is of type LoadBalancer"]);
    }
}
