//! `procMount` (baseline, from v1.0; from v1.35 pods in a user namespace are
//! exempt, and the restricted level uses `procMount_restricted` instead).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "procMount",
    level: Level::Baseline,
    versions: &[imp(0, v1_0), imp(35, v1_35)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// `securityContext.procMount` set to anything but `Default` (for example
        /// `Unmasked`) in any container.
        ///
        /// ## Why it matters
        /// The default /proc mount masks and makes read-only the paths that leak host
        /// information or allow changing kernel settings; `Unmasked` removes that.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        ///   securityContext: {procMount: Unmasked}
        /// ```
        /// `procMount (container "app" must not set securityContext.procMount to "Unmasked")`
        ///
        /// ## How to fix
        /// Remove securityContext.procMount or set it to Default.
        id: "pss/procMount",
        title: "The default /proc mount must be used",
        severity: Severity::High,
        versions: "v1.0 and later (revised in v1.35)",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    strict(pod)
}

pub(crate) fn v1_35(pod: &Pod<'_>) -> Option<Forbidden> {
    if pod.in_user_namespace() {
        return None;
    }
    strict(pod)
}

/// The rule without any exemption (shared with `procMount_restricted`).
pub(crate) fn strict(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut containers = Vec::new();
    let mut values = Vec::new();
    let mut pos = None;
    for c in pod.containers() {
        if let Some((value, node)) = str_field(c.sc, "procMount")
            && value != "Default"
        {
            containers.push(c.name);
            values.push(value);
            pos = pos.or(at(node));
        }
    }
    if containers.is_empty() {
        return None;
    }
    Forbidden::new(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&containers),
            quote_list(sorted_set(values))
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
    fn non_default_values_including_empty() {
        let pod = json!({"spec": {
            "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}, {"name": "b", "securityContext": {"procMount": "Default"}}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"procMount": ""}}]
        }});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"procMount (containers "a", "e" must not set securityContext.procMount to "", "Unmasked")"#
            )
        );
    }

    #[test]
    fn user_namespace_exemption_only_from_v1_35_and_only_for_false() {
        let userns = json!({"spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}});
        assert!(run(v1_0, userns.clone()).is_some());
        assert_eq!(run(v1_35, userns), None);
        let host = json!({"spec": {"hostUsers": true, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}});
        assert!(run(v1_35, host).is_some());
    }
}
