//! `seccompProfile_restricted` (restricted, from v1.19; replaces
//! `seccompProfile_baseline` at the restricted level; from v1.25 Windows pods
//! are exempt).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    versions: &[
        imp_over(19, v1_19, &["seccompProfile_baseline"]),
        imp_over(25, v1_25, &["seccompProfile_baseline"]),
    ],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Running without a seccomp profile: every container must have
        /// `seccompProfile.type` `RuntimeDefault` or `Localhost`, set on the container
        /// or inherited from the pod. Any other explicit type is reported first.
        ///
        /// ## Why it matters
        /// Without a profile the container may call any system call, including the rare
        /// ones most kernel exploits rely on.
        ///
        /// ## Failing example
        /// ```yaml
        /// containers:
        /// - name: app
        /// ```
        /// `seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`
        ///
        /// ## How to fix
        /// Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) at
        /// pod level, or in every container.
        id: "pss/seccompProfile_restricted",
        title: "A seccomp profile must be set",
        severity: Severity::Low,
        severity_varies: "medium when a profile is Unconfined, which baseline's seccompProfile_baseline forbids",
        versions: "v1.19 and later (revised in v1.25)",
        depends_on: &["pss-level", "pss-version"],
    },
};
use super::seccomp_profile_baseline::allowed_type;

pub(crate) fn v1_19(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, false)
}

pub(crate) fn v1_25(pod: &Pod<'_>) -> Option<Forbidden> {
    check(pod, true)
}

fn check(pod: &Pod<'_>, windows_exempt: bool) -> Option<Forbidden> {
    if windows_exempt && pod.is_windows() {
        return None;
    }
    let mut types = Vec::new();
    let mut pos = None;
    let mut pod_bad = false;
    let mut pod_good = false;
    if let Some(profile) = object(pod.security_context(), "seccompProfile") {
        let profile_type = str_or_empty(Some(profile), "type");
        if allowed_type(profile_type) {
            pod_good = true;
        } else {
            pod_bad = true;
            types.push(profile_type);
            pos = at(profile);
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_pos = None;
    for c in pod.containers() {
        match object(c.sc, "seccompProfile") {
            Some(profile) => {
                let profile_type = str_or_empty(Some(profile), "type");
                if !allowed_type(profile_type) {
                    explicit.push(c.name);
                    types.push(profile_type);
                    pos = pos.or(at(profile));
                }
            }
            None if !pod_good => {
                implicit.push(c.name);
                implicit_pos = implicit_pos.or(c.missing_pos());
            }
            None => {}
        }
    }
    if pod_bad || !explicit.is_empty() {
        let mut setters = Setters::new();
        setters.pod(pod_bad).containers(&explicit);
        return Forbidden::new(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.joined(),
                quote_list(sorted_set(types))
            ),
            pos,
        );
    }
    if !implicit.is_empty() {
        return Forbidden::new(
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
            implicit_pos,
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn explicit_before_implicit() {
        let pod = json!({"spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}},
            "containers": [{"name": "a"}, {"name": "b", "securityContext": {"seccompProfile": {"type": "Bogus"}}}]}});
        assert_eq!(
            run(v1_19, pod).as_deref(),
            Some(
                r#"seccompProfile (pod and container "b" must not set securityContext.seccompProfile.type to "Bogus", "Unconfined")"#
            )
        );
    }

    #[test]
    fn pod_profile_covers_containers_but_not_bad_ones() {
        let pod = json!({"spec": {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a"}], "ephemeralContainers": [{"name": "e", "securityContext": {"seccompProfile": {}}}]}});
        assert_eq!(
            run(v1_19, pod).as_deref(),
            Some(
                r#"seccompProfile (container "e" must not set securityContext.seccompProfile.type to "")"#
            )
        );
    }

    #[test]
    fn implicit_includes_ephemeral() {
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost"}}}],
            "ephemeralContainers": [{"name": "e"}]}});
        assert_eq!(
            run(v1_19, pod).as_deref(),
            Some(
                r#"seccompProfile (pod or container "e" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
            )
        );
    }

    #[test]
    fn windows_exempt_from_v1_25() {
        let pod = json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}});
        assert!(run(v1_19, pod.clone()).is_some());
        assert_eq!(run(v1_25, pod), None);
    }
}
