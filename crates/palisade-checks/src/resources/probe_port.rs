//! `resources/probe-port-not-exposed`: a probe that names a port the container
//! does not declare, which the kubelet cannot resolve.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{ContainerKind, Context};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A liveness, readiness or startup probe of a container or sidecar whose
    /// `httpGet.port` or `tcpSocket.port` is a name that matches no
    /// `ports[].name` of the same container. Numbered ports are not flagged:
    /// `containerPort` is informational and a probe may reach any port the
    /// process listens on.
    ///
    /// ## Why it matters
    /// The kubelet resolves a named probe port in the container's own port list.
    /// When the name is not there the probe fails every time: a readiness probe
    /// keeps the pod out of its Services forever, and a liveness probe restarts
    /// it in a loop.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: registry.example/web:2.0
    ///   ports: [{name: http, containerPort: 8080}]
    ///   readinessProbe:
    ///     httpGet: {path: /ready, port: https}
    /// ```
    ///
    /// ## How to fix
    /// Use the name the container declares (`port: http`), or declare the port
    /// under `ports` with that name.
    id: "resources/probe-port-not-exposed",
    title: "a probe names a port the container does not declare",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let declared: Vec<&str> = container
            .get(&["ports"])
            .into_iter()
            .flat_map(Node::items)
            .filter_map(|port| port.get("name").and_then(Node::as_str))
            .collect();
        for probe in PROBES {
            for handler in ["httpGet", "tcpSocket"] {
                let Some(field) = container.get(&[probe, handler, "port"]) else {
                    continue;
                };
                let Some(name) = field.as_str() else {
                    continue;
                };
                // A string of digits is the API's IntOrString carrying a number.
                if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) || declared.contains(&name) {
                    continue;
                }
                out.push(
                    container
                        .finding(
                            &RULE,
                            Some(field),
                            format!(
                                "{}: {probe}.{handler}.port {name:?} matches no port the container declares",
                                container.describe()
                            ),
                        )
                        .with_remediation(format!(
                            "Use a port name the container declares, or add {{name: {name}, containerPort: ...}} to its ports."
                        )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn named_ports_must_be_declared_by_the_same_container() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - name: web
    image: registry.example/web:2.0
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      httpGet: {path: /ready, port: https}
    livenessProbe:
      tcpSocket: {port: http}
    startupProbe:
      httpGet: {path: /, port: 9000}
  - name: other
    image: a:1
    ports: [{name: metrics, containerPort: 9090}]
    livenessProbe: {tcpSocket: {port: http}}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "web" of Pod shop/p: readinessProbe.httpGet.port "https" matches no port the container declares"#,
                r#"container "other" of Pod shop/p: livenessProbe.tcpSocket.port "http" matches no port the container declares"#,
            ]
        );
        assert_eq!(findings[0].line_column(), Some((11, 37)));
    }
}
