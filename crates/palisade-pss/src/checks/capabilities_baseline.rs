//! `capabilities_baseline` (baseline, from v1.0; replaced by
//! `capabilities_restricted` at the restricted level from v1.22).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "capabilities_baseline",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Adding, in `securityContext.capabilities.add`, any Linux capability outside
        /// the container runtime's default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`,
        /// `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`,
        /// `SETPCAP`, `SETUID`, `SYS_CHROOT`. Names match exactly (`chown` and
        /// `CAP_CHOWN` are not `CHOWN`); `drop` is not inspected.
        ///
        /// ## Why it matters
        /// Capabilities such as `SYS_ADMIN`, `NET_ADMIN` or `NET_RAW` hand a container
        /// pieces of root's power over the node's kernel and network.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   securityContext:
        ///     capabilities:
        ///       add: [NET_RAW]
        /// ```
        /// `non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add)`
        ///
        /// ## How to fix
        /// Remove every capability from securityContext.capabilities.add that is not in
        /// the container runtime's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE,
        /// FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP,
        /// SETUID, SYS_CHROOT).
        id: "pss/capabilities_baseline",
        title: "Only default Linux capabilities may be added",
        severity: Severity::High,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) const DEFAULT_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut containers = Vec::new();
    let mut caps = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        let Some(capabilities) = object(c.sc, "capabilities") else {
            continue;
        };
        let mut bad = false;
        // A `null` item is the capability "" to the API server, and not a default one.
        let added = capabilities
            .get("add")
            .into_iter()
            .flat_map(Node::go_strings);
        for (cap, item) in added {
            if !DEFAULT_CAPABILITIES.contains(&cap) {
                bad = true;
                caps.push(cap);
                pos = pos.or(at(item));
            }
        }
        if bad {
            containers.push(c.name);
        }
    }
    if containers.is_empty() {
        return None;
    }
    Forbidden::new(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&containers),
            quote_list(sorted_set(caps))
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
    fn collects_sorted_caps_across_containers() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "i", "securityContext": {"capabilities": {"add": ["SYS_TIME", "NET_ADMIN", "CHOWN"]}}}],
            "containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["KILL"], "drop": ["ALL"]}}}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"capabilities": {"add": ["NET_ADMIN", "ALL"]}}}]
        }});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"non-default capabilities (containers "i", "e" must not include "ALL", "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn a_null_item_is_the_empty_capability_as_go_decodes_it() {
        // The API server decodes `add: [~]` into []string{""}: not a default
        // capability, so baseline rejects the pod.
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": [null, "KILL"]}}}]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"non-default capabilities (container "a" must not include "" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn default_set_passes() {
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": DEFAULT_CAPABILITIES}}}]}});
        assert_eq!(run(v1_0, pod), None);
    }
}
