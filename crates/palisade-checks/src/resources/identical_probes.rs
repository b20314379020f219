//! `resources/identical-liveness-readiness`: a container whose liveness probe
//! is the same check as its readiness probe.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{ContainerKind, Context};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container whose `livenessProbe` and `readinessProbe` run the same
    /// check: the same `httpGet` (path, port, scheme, host, headers),
    /// `tcpSocket`, `grpc` or `exec` handler. Timing fields are not compared.
    ///
    /// ## Why it matters
    /// Readiness answers "send me traffic?", liveness "restart me?". When they
    /// are the same check, a pod that is only overloaded or waiting for a
    /// dependency fails both and is restarted instead of just taken out of
    /// rotation, which makes overloads worse.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /health, port: 8080}
    /// readinessProbe:
    ///   httpGet: {path: /health, port: 8080}
    /// ```
    ///
    /// ## How to fix
    /// Make the liveness check cheaper and narrower than readiness (the process
    /// answers at all), or drop the liveness probe.
    id: "resources/identical-liveness-readiness",
    title: "a container's liveness and readiness probes are the same check",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

const HANDLERS: [&str; 4] = ["httpGet", "tcpSocket", "grpc", "exec"];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let (Some(liveness), Some(readiness)) = (container.get(&["livenessProbe"]), container.get(&["readinessProbe"])) else {
            continue;
        };
        let same = HANDLERS.iter().any(|handler| match (liveness.get(handler), readiness.get(handler)) {
            (Some(a), Some(b)) => same_value(a, b),
            _ => false,
        });
        if !same {
            continue;
        }
        out.push(
            container
                .finding(
                    &RULE,
                    Some(liveness),
                    format!("{}: livenessProbe runs the same check as readinessProbe", container.describe()),
                )
                .with_remediation("Make the liveness probe a narrower check than readiness, or remove it."),
        );
    }
}

/// Values equal as JSON (positions ignored).
fn same_value(a: &Node, b: &Node) -> bool {
    a.to_json() == b.to_json()
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn same_handler_is_flagged_other_handlers_are_not() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: same
    image: a:1
    livenessProbe:
      httpGet: {path: /health, port: 8080}
      periodSeconds: 20
    readinessProbe:
      httpGet: {path: /health, port: 8080}
  - name: different
    image: a:1
    livenessProbe: {httpGet: {path: /live, port: 8080}}
    readinessProbe: {httpGet: {path: /ready, port: 8080}}
  - name: mixed
    image: a:1
    livenessProbe: {tcpSocket: {port: 8080}}
    readinessProbe: {httpGet: {path: /ready, port: 8080}}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, [r#"container "same" of Pod p: livenessProbe runs the same check as readinessProbe"#]);
    }
}
