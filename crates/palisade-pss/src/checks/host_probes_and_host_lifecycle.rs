//! `hostProbesAndHostLifecycle` (baseline, from v1.34).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    versions: &[imp(34, v1_34)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// A non-empty `host` in an `httpGet` or `tcpSocket` handler of a container's
        /// `livenessProbe`, `readinessProbe`, `startupProbe`, `lifecycle.postStart` or
        /// `lifecycle.preStop`. Every value counts, loopback addresses included.
        ///
        /// ## Why it matters
        /// The kubelet runs these handlers from the node, so a custom host turns the
        /// pod spec into a way to make the node send requests to arbitrary addresses.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   livenessProbe:
        ///     httpGet: {host: 10.0.0.1, port: 80}
        /// ```
        /// `probe or lifecycle host (container "app" uses probe or lifecycle host "10.0.0.1")`
        ///
        /// ## How to fix
        /// Remove the host field from httpGet and tcpSocket probes and lifecycle
        /// handlers so that they target the pod itself.
        id: "pss/hostProbesAndHostLifecycle",
        title: "Probes and lifecycle hooks must not target another host",
        severity: Severity::Medium,
        versions: "v1.34 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];
const HOOKS: [&str; 2] = ["postStart", "preStop"];
const HANDLERS: [&str; 2] = ["httpGet", "tcpSocket"];

pub(crate) fn v1_34(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut containers = Vec::new();
    let mut hosts = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        let lifecycle = object(Some(c.node), "lifecycle");
        let probes = PROBES.iter().map(|p| object(Some(c.node), p));
        let hooks = HOOKS.iter().map(|h| object(lifecycle, h));
        let mut bad = false;
        for handler in probes.chain(hooks) {
            for kind in HANDLERS {
                if let Some((host, node)) = str_field(object(handler, kind), "host")
                    && !host.is_empty()
                {
                    bad = true;
                    hosts.push(host);
                    pos = pos.or(at(node));
                }
            }
        }
        if bad {
            containers.push(c.name);
        }
    }
    if containers.is_empty() {
        return None;
    }
    let containers = sorted_set(containers);
    let hosts = sorted_set(hosts);
    Forbidden::new(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&containers),
            plural(containers.len(), "uses", "use"),
            plural(
                hosts.len(),
                "probe or lifecycle host",
                "probe or lifecycle hosts"
            ),
            quote_list(&hosts)
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
    fn containers_and_hosts_sorted_and_deduplicated() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "zeta", "startupProbe": {"tcpSocket": {"host": "localhost", "port": 1}}}],
            "containers": [
                {"name": "a", "livenessProbe": {"httpGet": {"host": "::1"}},
                 "readinessProbe": {"tcpSocket": {"host": "127.0.0.1"}},
                 "lifecycle": {"preStop": {"httpGet": {"host": "localhost"}}}},
                {"name": "a", "lifecycle": {"postStart": {"tcpSocket": {"host": "::1"}}}}
            ],
            "ephemeralContainers": [{"name": "m", "readinessProbe": {"httpGet": {"host": ""}, "grpc": {"port": 1}}}]
        }});
        assert_eq!(
            run(v1_34, pod).as_deref(),
            Some(
                r#"probe or lifecycle host (containers "a", "zeta" use probe or lifecycle hosts "127.0.0.1", "::1", "localhost")"#
            )
        );
    }

    #[test]
    fn single_container_multiple_hosts() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "livenessProbe": {"httpGet": {"host": "localhost"}}, "startupProbe": {"httpGet": {"host": "::1"}},
             "lifecycle": {"postStart": {"httpGet": {"host": "127.0.0.1"}}}}
        ]}});
        assert_eq!(
            run(v1_34, pod).as_deref(),
            Some(
                r#"probe or lifecycle host (container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost")"#
            )
        );
    }

    #[test]
    fn ephemeral_container_host_fails_and_empty_host_passes() {
        let pod = json!({"spec": {"ephemeralContainers": [{"name": "e", "lifecycle": {"preStop": {"tcpSocket": {"host": "x"}}}}]}});
        assert!(run(v1_34, pod).is_some());
        let pod = json!({"spec": {"containers": [{"name": "e", "livenessProbe": {"httpGet": {"host": ""}}}]}});
        assert_eq!(run(v1_34, pod), None);
    }
}
