//! `sysctls` (baseline, from v1.0; the allow-list grows at v1.27, v1.29, v1.32
//! and v1.37).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "sysctls",
    level: Level::Baseline,
    versions: &[
        imp(0, v1_0),
        imp(27, v1_27),
        imp(29, v1_29),
        imp(32, v1_32),
        imp(37, v1_37),
    ],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Any `spec.securityContext.sysctls[*].name` outside the safe set for the
        /// policy version (exact names; values are not inspected).
        ///
        /// ## Why it matters
        /// Unsafe sysctls are not namespaced or not isolated: setting them from a pod
        /// changes kernel behaviour for the whole node.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   securityContext:
        ///     sysctls:
        ///     - {name: kernel.msgmax, value: "65536"}
        /// ```
        /// `forbidden sysctls (kernel.msgmax)`
        ///
        /// ## How to fix
        /// Remove the listed sysctls from spec.securityContext.sysctls; only the safe
        /// set (e.g. net.ipv4.ip_local_port_range, kernel.shm_rmid_forced) is allowed.
        id: "pss/sysctls",
        title: "Only safe, namespaced sysctls may be set",
        severity: Severity::Medium,
        versions: "v1.0 and later (revised in v1.27, v1.29, v1.32, v1.37)",
        depends_on: &["pss-level", "pss-version"],
    },
};

const V1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const V1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const V1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const V1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const V1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, &[V1_0])
}

pub(crate) fn v1_27(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, &[V1_0, V1_27])
}

pub(crate) fn v1_29(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, &[V1_0, V1_27, V1_29])
}

pub(crate) fn v1_32(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, &[V1_0, V1_27, V1_29, V1_32])
}

pub(crate) fn v1_37(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, &[V1_0, V1_27, V1_29, V1_32, V1_37])
}

fn check(pod: &Pod<'_>, allowed: &[&[&str]]) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut pos = None;
    for sysctl in items(pod.security_context(), "sysctls") {
        if sysctl.as_map().is_none() {
            continue;
        }
        let name = str_or_empty(Some(sysctl), "name");
        if !allowed.iter().any(|set| set.contains(&name)) {
            bad.push(name);
            pos = pos.or(at(sysctl));
        }
    }
    if bad.is_empty() {
        return None;
    }
    Forbidden::new("forbidden sysctls", bad.join(", "), pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    fn pod(names: &[&str]) -> serde_json::Value {
        let sysctls: Vec<_> = names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect();
        json!({"spec": {"securityContext": {"sysctls": sysctls}}})
    }

    #[test]
    fn spec_order_not_deduplicated_always_plural() {
        assert_eq!(
            run(v1_0, pod(&["b.x", "kernel.shm_rmid_forced", "a.x", "b.x"])).as_deref(),
            Some("forbidden sysctls (b.x, a.x, b.x)")
        );
        assert_eq!(
            run(v1_0, pod(&["one"])).as_deref(),
            Some("forbidden sysctls (one)")
        );
    }

    #[test]
    fn exact_names_only() {
        assert!(run(v1_37, pod(&["net/ipv4/tcp_syncookies"])).is_some());
        assert!(run(v1_37, pod(&["net.ipv4.tcp_syncookies.x"])).is_some());
        assert_eq!(run(v1_37, pod(V1_0)), None);
    }
}
