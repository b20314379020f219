//! `hostNamespaces` (baseline, from v1.0).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "hostNamespaces",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Sharing the node's namespaces: `spec.hostNetwork`, `spec.hostPID` or
        /// `spec.hostIPC` set to `true`.
        ///
        /// ## Why it matters
        /// A pod in the host's network, process or IPC namespace can sniff node traffic,
        /// reach node-local services, see and signal every process, and read shared memory.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   hostNetwork: true
        /// ```
        /// `host namespaces (hostNetwork=true)`
        ///
        /// ## How to fix
        /// Remove hostNetwork, hostPID and hostIPC from the pod spec, or set them to
        /// false.
        id: "pss/hostNamespaces",
        title: "Host namespaces must not be shared",
        severity: Severity::High,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

const FIELDS: [(&str, &str); 3] = [
    ("hostNetwork", "hostNetwork=true"),
    ("hostPID", "hostPID=true"),
    ("hostIPC", "hostIPC=true"),
];

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut pos = None;
    for (field, text) in FIELDS {
        if let Some((true, node)) = bool_field(pod.spec(), field) {
            bad.push(text);
            pos = pos.or(at(node));
        }
    }
    if bad.is_empty() {
        return None;
    }
    Forbidden::new("host namespaces", bad.join(", "), pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn fixed_order_and_only_true() {
        let pod = json!({"spec": {"hostIPC": true, "hostPID": true, "hostNetwork": true}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some("host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)")
        );
        let pod = json!({"spec": {"hostIPC": false, "hostPID": "true", "hostNetwork": null}});
        assert_eq!(run(v1_0, pod), None);
    }
}
