//! `seccompProfile_baseline` (baseline, from v1.0; annotations until v1.18,
//! fields from v1.19; replaced by `seccompProfile_restricted` at the restricted
//! level from v1.19).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    versions: &[imp(0, v1_0), imp(19, v1_19)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Explicitly disabling seccomp. From v1.19: `seccompProfile.type` at pod or
        /// container level other than `RuntimeDefault` or `Localhost` (unset is fine).
        /// Before v1.19: the alpha annotations `seccomp.security.alpha.kubernetes.io/pod`
        /// and `container.seccomp.security.alpha.kubernetes.io/<container>` with a value
        /// other than `runtime/default`, `docker/default` or `localhost/…` (the empty
        /// value is forbidden too).
        ///
        /// ## Why it matters
        /// Seccomp filters the system calls a container may make; `Unconfined` exposes
        /// the whole kernel attack surface.
        ///
        /// ## Failing example
        /// ```yaml
        /// spec:
        ///   securityContext:
        ///     seccompProfile: {type: Unconfined}
        /// ```
        /// `seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")`
        ///
        /// ## How to fix
        /// Set the seccomp profile type to RuntimeDefault or Localhost instead of
        /// Unconfined (before v1.19: annotation values runtime/default, docker/default
        /// or localhost/<profile>).
        id: "pss/seccompProfile_baseline",
        title: "Seccomp must not be disabled",
        severity: Severity::Medium,
        versions: "v1.0 and later (revised in v1.19)",
        depends_on: &["pss-level", "pss-version"],
    },
};
use crate::format::go_quote;

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn allowed_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

pub(crate) fn allowed_type(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

/// Annotations only; the fields did not exist yet.
pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut forbidden = Vec::new();
    let mut pos = None;
    let mut inspect = |key: &str| {
        if let Some((value, node)) = pod.annotation(key)
            && !allowed_annotation(value)
        {
            forbidden.push(format!("{key}={}", go_quote(value)));
            pos = pos.or(at(node));
        }
    };
    inspect(POD_ANNOTATION);
    let mut key = String::new();
    for c in pod.containers() {
        key.clear();
        key.push_str(CONTAINER_ANNOTATION_PREFIX);
        key.push_str(c.name);
        inspect(&key);
    }
    if forbidden.is_empty() {
        return None;
    }
    let forbidden = sorted_set(forbidden);
    Forbidden::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            plural(forbidden.len(), "annotation", "annotations"),
            forbidden.join(", ")
        ),
        pos,
    )
}

/// Fields only; annotations are ignored.
pub(crate) fn v1_19(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut types = Vec::new();
    let mut pos = None;
    let mut pod_bad = false;
    if let Some(profile) = object(pod.security_context(), "seccompProfile") {
        let profile_type = str_or_empty(Some(profile), "type");
        if !allowed_type(profile_type) {
            pod_bad = true;
            types.push(profile_type);
            pos = at(profile);
        }
    }
    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some(profile) = object(c.sc, "seccompProfile") {
            let profile_type = str_or_empty(Some(profile), "type");
            if !allowed_type(profile_type) {
                containers.push(c.name);
                types.push(profile_type);
                pos = pos.or(at(profile));
            }
        }
    }
    if !pod_bad && containers.is_empty() {
        return None;
    }
    let mut setters = Setters::new();
    setters.pod(pod_bad).containers(&containers);
    Forbidden::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.joined(),
            quote_list(sorted_set(types))
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
    fn annotations_before_v1_19_fields_ignored() {
        let pod = json!({
            "metadata": {"annotations": {
                "seccomp.security.alpha.kubernetes.io/pod": "",
                "container.seccomp.security.alpha.kubernetes.io/e": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/a": "docker/default",
                "container.seccomp.security.alpha.kubernetes.io/ghost": "unconfined"
            }},
            "spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}},
                     "containers": [{"name": "a"}], "ephemeralContainers": [{"name": "e"}]}
        });
        assert_eq!(
            run(v1_0, pod.clone()).as_deref(),
            Some(
                r#"seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/e="unconfined", seccomp.security.alpha.kubernetes.io/pod="")"#
            )
        );
        assert_eq!(
            run(v1_19, pod).as_deref(),
            Some(
                r#"seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
            )
        );
    }

    #[test]
    fn annotation_values_are_go_quoted() {
        let pod = json!({
            "metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "un\"conf\nined\u{1}"}},
            "spec": {"containers": [{"name": "a"}]}
        });
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="un\"conf\nined\x01")"#
            )
        );
    }

    #[test]
    fn fields_from_v1_19_ignore_annotations() {
        let pod = json!({
            "metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
            "spec": {"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost"}}}],
                     "ephemeralContainers": [{"name": "e", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}
        });
        assert_eq!(
            run(v1_19, pod).as_deref(),
            Some(
                r#"seccompProfile (container "e" must not set securityContext.seccompProfile.type to "Unconfined")"#
            )
        );
    }
}
