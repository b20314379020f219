//! `privileged` (baseline, from v1.0).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "privileged",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// `securityContext.privileged: true` in any container.
        ///
        /// ## Why it matters
        /// A privileged container gets every capability, every device and no
        /// confinement: it is root on the node in all but name.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   securityContext: {privileged: true}
        /// ```
        /// `privileged (container "app" must not set securityContext.privileged=true)`
        ///
        /// ## How to fix
        /// Remove securityContext.privileged or set it to false; grant only the
        /// specific capabilities the container needs.
        id: "pss/privileged",
        title: "Privileged containers are forbidden",
        severity: Severity::Critical,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        if let Some((true, node)) = bool_field(c.sc, "privileged") {
            bad.push(c.name);
            pos = pos.or(at(node));
        }
    }
    if bad.is_empty() {
        return None;
    }
    Forbidden::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
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
    fn visit_order_and_wrong_types() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "i", "securityContext": {"privileged": "true"}}],
            "containers": [{"name": "b", "securityContext": {"privileged": true}}, "not-a-container"],
            "ephemeralContainers": [{"name": "a", "securityContext": {"privileged": true}}]
        }});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"privileged (containers "b", "a" must not set securityContext.privileged=true)"#
            )
        );
        assert_eq!(
            run(v1_0, json!({"spec": {"containers": {"name": "x"}}})),
            None
        );
    }
}
