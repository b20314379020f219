//! `exposure/invalid-target-port` and `exposure/target-port-unresolved`: a
//! Service port's `targetPort` the API server refuses, or a named one that no
//! selected container declares.

use palisade_core::{Finding, Node, Rule, Severity};

use super::support::{TemplateIndex, services};
use crate::context::{Context, ContainerKind, containers_of, describe_object, finding};

pub static INVALID: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Service port whose `targetPort` is a number outside 1–65535, or a name
    /// that is not a valid port name (1–15 lower-case letters, digits and `-`,
    /// with a letter, not starting or ending with `-`, no `--`). A quoted
    /// number (`"8080"`) is a name to the API and is invalid.
    ///
    /// ## Why it matters
    /// The API server refuses the Service, so nothing routes to the workload.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports: [{port: 80, targetPort: "8080"}]
    /// ```
    ///
    /// ## How to fix
    /// Write the number unquoted (`targetPort: 8080`) or use the name of a
    /// container port.
    id: "exposure/invalid-target-port",
    title: "a Service targetPort is not a valid port number or name",
    severity: Severity::Medium,
};

pub static UNRESOLVED: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Service port whose `targetPort` is a name that no container of the pod
    /// templates the Service selects (in the input) declares with the same
    /// protocol. Containers and sidecar init containers
    /// (`restartPolicy: Always`) are searched.
    ///
    /// ## Why it matters
    /// The endpoints controller resolves the name in each pod; pods without it
    /// are left out of the Service, which then has no endpoints for that port.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web}
    ///   ports: [{port: 80, targetPort: http}]   # the container names its port web
    /// ```
    ///
    /// ## How to fix
    /// Use the port name the container declares, or name the container port.
    id: "exposure/target-port-unresolved",
    title: "a Service's named targetPort matches no selected container port",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&INVALID, &UNRESOLVED];

/// apimachinery's `IsValidPortName` (an IANA service name).
fn is_valid_port_name(name: &str) -> bool {
    name.len() <= 15
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let index = TemplateIndex::new(context.pod_templates());
    for service in services(context.inventory) {
        // Only named target ports need the selected pods: computed once, on
        // the first one (most target ports are numbers).
        let selected = std::cell::OnceCell::new();
        for port in service.root().path(&["spec", "ports"]).into_iter().flat_map(Node::items) {
            let Some(target) = port.get("targetPort") else {
                continue;
            };
            let protocol = port.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            // 0 and "" are defaulted to `port` by the API server.
            let problem = if let Some(n) = target.as_i64() {
                (!(0..=65535).contains(&n)).then(|| format!("targetPort {n} is not a port number (1-65535)"))
            } else if let Some(name) = target.as_str() {
                if name.is_empty() {
                    None
                } else if !is_valid_port_name(name) {
                    let hint = if name.bytes().all(|b| b.is_ascii_digit()) { " (a quoted number is read as a name)" } else { "" };
                    Some(format!("targetPort {name:?} is not a valid port name{hint}"))
                } else {
                    if let Some(templates) = selected
                        .get_or_init(|| index.selected(service))
                        .as_ref()
                        .filter(|t| !t.is_empty())
                    {
                        let declared = templates.iter().flat_map(|t| containers_of(t)).any(|c| {
                            let serves = c.kind == ContainerKind::Container
                                || (c.kind == ContainerKind::Init && c.get(&["restartPolicy"]).and_then(Node::as_str) == Some("Always"));
                            serves
                                && c.get(&["ports"]).into_iter().flat_map(Node::items).any(|p| {
                                    p.get("name").and_then(Node::as_str) == Some(name)
                                        && p.get("protocol").and_then(Node::as_str).unwrap_or("TCP") == protocol
                                })
                        });
                        if !declared {
                            out.push(
                                finding(
                                    &UNRESOLVED,
                                    service,
                                    Some(target),
                                    format!("{}: targetPort {name:?} ({protocol}) matches no container port of the pods it selects", describe_object(service)),
                                )
                                .with_remediation("Use the port name the container declares, or name the container port so."),
                            );
                        }
                    }
                    None
                }
            } else {
                None
            };
            if let Some(problem) = problem {
                out.push(
                    finding(&INVALID, service, Some(target), format!("{}: {problem}", describe_object(service)))
                        .with_remediation("Write the target port as an unquoted number, or as the name of a container port."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn invalid_and_unresolved_target_ports() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: a:1, ports: [{name: web, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: a, port: 80, targetPort: "8080"}
  - {name: b, port: 81, targetPort: http}
  - {name: c, port: 82, targetPort: web}
  - {name: d, port: 53, targetPort: dns}
  - {name: e, port: 54, targetPort: 70000}
  - {name: f, port: 55, targetPort: Web_Port}
  - {name: g, port: 56, targetPort: dns, protocol: UDP}
"#,
        );
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("exposure/invalid-target-port", r#"Service shop/web: targetPort "8080" is not a valid port name (a quoted number is read as a name)"#),
                ("exposure/target-port-unresolved", r#"Service shop/web: targetPort "http" (TCP) matches no container port of the pods it selects"#),
                ("exposure/target-port-unresolved", r#"Service shop/web: targetPort "dns" (TCP) matches no container port of the pods it selects"#),
                ("exposure/invalid-target-port", "Service shop/web: targetPort 70000 is not a port number (1-65535)"),
                ("exposure/invalid-target-port", r#"Service shop/web: targetPort "Web_Port" is not a valid port name"#),
            ]
        );
    }
}
