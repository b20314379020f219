//! `windowsHostProcess` (baseline, from v1.0).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "windowsHostProcess",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// `securityContext.windowsOptions.hostProcess: true` on the pod or any container.
        ///
        /// ## Why it matters
        /// A Windows HostProcess container runs directly on the host, with the host's
        /// network and filesystem and privileged account access.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   securityContext:
        ///     windowsOptions: {hostProcess: true}
        /// ```
        /// `hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)`
        ///
        /// ## How to fix
        /// Remove securityContext.windowsOptions.hostProcess or set it to false at pod
        /// and container level.
        id: "pss/windowsHostProcess",
        title: "Windows HostProcess containers are forbidden",
        severity: Severity::High,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut pos = None;
    let pod_bad = match bool_field(
        object(pod.security_context(), "windowsOptions"),
        "hostProcess",
    ) {
        Some((true, node)) => {
            pos = at(node);
            true
        }
        _ => false,
    };
    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some((true, node)) = bool_field(object(c.sc, "windowsOptions"), "hostProcess") {
            containers.push(c.name);
            pos = pos.or(at(node));
        }
    }
    if !pod_bad && containers.is_empty() {
        return None;
    }
    let mut setters = Setters::new();
    setters.pod(pod_bad).containers(&containers);
    Forbidden::new(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.joined()
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
    fn pod_and_containers() {
        let pod = json!({"spec": {"securityContext": {"windowsOptions": {"hostProcess": true}},
            "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": true}}}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"windowsOptions": {"hostProcess": true}}}]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"hostProcess (pod and containers "a", "e" must not set securityContext.windowsOptions.hostProcess=true)"#
            )
        );
    }
}
