//! `exposure/privileged-container-port`: a container port below 1024.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{ContainerKind, Context};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A `containerPort` below 1024 on a container or sidecar. Pods with
    /// `hostNetwork: true` are left to Pod Security (`pss/host-namespaces`,
    /// `pss/host-ports`), which covers them more severely.
    ///
    /// ## Why it matters
    /// Listening below 1024 traditionally needs root or `NET_BIND_SERVICE`; an
    /// image built for it tends to run as root. Current runtimes let any user
    /// bind low ports inside the pod's network namespace, so the port itself is
    /// rarely needed: the Service can map 80 to 8080.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: nginx:1.27
    ///   ports: [{containerPort: 80}]
    /// ```
    ///
    /// ## How to fix
    /// Listen on a port at or above 1024 (`8080`) and let the Service's `port:
    /// 80` map to it (`targetPort: 8080`).
    id: "exposure/privileged-container-port",
    title: "a container listens on a privileged port (below 1024)",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        if container.kind == ContainerKind::Ephemeral
            || container.template.spec.get("hostNetwork").and_then(Node::as_bool) == Some(true)
        {
            continue;
        }
        for port in container.get(&["ports"]).into_iter().flat_map(Node::items) {
            let Some(field) = port.get("containerPort") else {
                continue;
            };
            let Some(number) = field.as_i64().filter(|n| (1..1024).contains(n)) else {
                continue;
            };
            out.push(
                container
                    .finding(&RULE, Some(field), format!("{}: containerPort {number} is a privileged port", container.describe()))
                    .with_remediation("Listen on a port at or above 1024 and map the Service port to it."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn low_ports_outside_host_network() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    ports: [{containerPort: 80}, {containerPort: 8080}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: a:1, ports: [{containerPort: 53}]}]\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, [r#"container "web" of Pod p: containerPort 80 is a privileged port"#]);
    }
}
