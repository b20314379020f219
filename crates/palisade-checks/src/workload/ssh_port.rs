//! `workload/ssh-port`: containers that expose the SSH port.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::Context;

const SSH_PORT: i64 = 22;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container that declares `containerPort: 22` over TCP (the protocol
    /// defaults to TCP).
    ///
    /// ## Why it matters
    /// A port 22 almost always means an SSH server in the container: another
    /// way in besides the API server's `exec`, with its own credentials, no
    /// Kubernetes audit trail and no RBAC. Containers are replaced, not logged
    /// into; keys baked into images tend to leak and outlive their owners.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   ports:
    ///   - containerPort: 22
    /// ```
    ///
    /// ## How to fix
    /// Remove the SSH server from the image and use `kubectl exec` or
    /// `kubectl debug` (audited, subject to RBAC) for interactive access.
    id: "workload/ssh-port",
    title: "a container exposes the SSH port 22",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        for port in container.get(&["ports"]).into_iter().flat_map(Node::items) {
            let Some(number) = port.get("containerPort").filter(|n| n.as_i64() == Some(SSH_PORT)) else {
                continue;
            };
            let protocol = port.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            if protocol != "TCP" {
                continue;
            }
            out.push(
                container
                    .finding(
                        &RULE,
                        Some(number),
                        format!("{} exposes port 22 (SSH)", container.describe()),
                    )
                    .with_remediation(
                        "Remove the SSH server and port 22; use kubectl exec or kubectl debug for access.",
                    ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn the_documented_example_is_flagged_at_the_port() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers:
  - name: app
    image: registry.example/app:1.4.2
    ports:
    - containerPort: 22
    - containerPort: 22
      protocol: UDP
    - containerPort: 8080
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].message, r#"container "app" of Pod app/p exposes port 22 (SSH)"#);
        assert_eq!(findings[0].line_column(), Some((9, 22)));
    }

    #[test]
    fn other_ports_are_clean() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: a:1, ports: [{containerPort: 2222}]}]\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
