//! `exposure/ingress-backend-missing`: an Ingress backend naming a Service, or
//! a Service port, that the input does not have.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::{PortRef, ServiceIndex, backends, ingresses};
use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// Only reported in namespaces where the input has Services: an Ingress
    /// shipped alone may route to Services applied from elsewhere. A
    /// namespace-less object may be applied anywhere, so it counts as present
    /// in every namespace.
    ///
    /// ## What it flags
    /// An Ingress backend (default backend or path) whose Service is not in the
    /// input in the Ingress's namespace, or whose port (`number` or `name`)
    /// matches no port of that Service.
    ///
    /// ## Why it matters
    /// Requests for that path get 503s from the controller; usually a Service
    /// or port was renamed on one side only.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///   - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web-v2, port: {number: 80}}}}]}
    /// ```
    ///
    /// ## How to fix
    /// Point the backend at an existing Service and one of its ports.
    id: "exposure/ingress-backend-missing",
    title: "an Ingress backend names a Service or port that is not in the input",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let services = ServiceIndex::new(context.inventory);
    for ingress in ingresses(context.inventory) {
        if !services.any_in(ingress.namespace()) {
            continue;
        }
        for backend in backends(ingress) {
            let candidates = services.named(backend.service, ingress.namespace());
            let problem = if candidates.is_empty() {
                format!("backend Service {:?} is not in the input", backend.service)
            } else {
                    let ports: Vec<&Node> = candidates
                        .iter()
                        .flat_map(|s| s.root().path(&["spec", "ports"]).into_iter().flat_map(Node::items))
                        .collect();
                    let found = match backend.port {
                        None => true,
                        Some(PortRef::Number(n)) => ports.iter().any(|p| p.get("port").and_then(Node::as_i64) == Some(n)),
                        Some(PortRef::Name(name)) => ports.iter().any(|p| p.get("name").and_then(Node::as_str) == Some(name)),
                    };
                    if found {
                        continue;
                    }
                    let port = match backend.port {
                        Some(PortRef::Number(n)) => n.to_string(),
                        Some(PortRef::Name(name)) => format!("{name:?}"),
                        None => String::new(),
                    };
                    format!("backend port {port} is not a port of Service {:?}", backend.service)
            };
            out.push(
                finding(&RULE, ingress, Some(backend.node), format!("{}: {problem}", describe_object(ingress)))
                    .with_remediation("Point the backend at an existing Service and one of its ports."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn missing_services_and_ports_in_both_api_versions() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: http}}}
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web-v2, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: https}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: alone, namespace: other}
spec:
  defaultBackend: {service: {name: nowhere, port: {number: 80}}}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"Ingress shop/shop: backend Service "web-v2" is not in the input"#,
                r#"Ingress shop/shop: backend port 8080 is not a port of Service "web""#,
                r#"Ingress shop/old: backend port "https" is not a port of Service "web""#,
            ]
        );
    }
}
