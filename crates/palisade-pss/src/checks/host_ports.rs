//! `hostPorts` (baseline, from v1.0).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "hostPorts",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Any `ports[*].hostPort` other than 0 in a container (init, regular or
        /// ephemeral).
        ///
        /// ## Why it matters
        /// A host port binds directly on the node's interfaces, bypassing Services and
        /// NetworkPolicy, and limits scheduling to nodes where the port is free.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: web
        ///   ports:
        ///   - containerPort: 80
        ///     hostPort: 80
        /// ```
        /// `hostPort (container "web" uses hostPort 80)`
        ///
        /// ## How to fix
        /// Remove hostPort from container ports (or set it to 0) and expose the
        /// workload through a Service.
        id: "pss/hostPorts",
        title: "Host ports are forbidden",
        severity: Severity::Medium,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut containers = Vec::new();
    let mut ports = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        let mut bad = false;
        for port in items(Some(c.node), "ports") {
            if let Some((host_port, node)) = int_field(Some(port), "hostPort")
                && host_port != 0
            {
                bad = true;
                ports.push(host_port.to_string());
                pos = pos.or(at(node));
            }
        }
        if bad {
            containers.push(c.name);
        }
    }
    if containers.is_empty() {
        return None;
    }
    // Distinct ports, sorted as strings (upstream keeps them in a string set).
    let ports = sorted_set(ports);
    Forbidden::new(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&containers),
            plural(containers.len(), "uses", "use"),
            plural(ports.len(), "hostPort", "hostPorts"),
            ports.join(", ")
        ),
        pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn ports_sorted_as_strings_unquoted() {
        let pod = json!({"spec": {"containers": [
            {"name": "app", "ports": [{"containerPort": 1, "hostPort": 8080}, {"hostPort": 10443}, {"hostPort": 0}]}
        ]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some("hostPort (container \"app\" uses hostPorts 10443, 8080)")
        );
    }

    #[test]
    fn one_shared_port_is_singular() {
        let pod = json!({"spec": {
            "containers": [{"name": "a", "ports": [{"hostPort": 80}]}],
            "ephemeralContainers": [{"name": "b", "ports": [{"hostPort": 80}]}]
        }});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some("hostPort (containers \"a\", \"b\" use hostPort 80)")
        );
    }

    #[test]
    fn zero_and_absent_pass() {
        let pod = json!({"spec": {"containers": [{"name": "a", "ports": [{"hostPort": 0}, {"containerPort": 80}]}]}});
        assert_eq!(run(v1_0, pod), None);
    }
}
