//! `appArmorProfile` (baseline, from v1.0).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "appArmorProfile",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// An AppArmor profile other than the runtime default or a node-local profile:
        /// `appArmorProfile.type` at pod or container level other than `RuntimeDefault`
        /// or `Localhost`, and any `container.apparmor.security.beta.kubernetes.io/*`
        /// annotation whose value is not empty, `runtime/default` or `localhost/…`.
        ///
        /// ## Why it matters
        /// `Unconfined` (or a bogus profile) removes the mandatory access control layer
        /// that limits what a compromised container can touch on the node.
        ///
        /// ## Failing example
        /// ```yaml
        /// metadata:
        ///   annotations:
        ///     container.apparmor.security.beta.kubernetes.io/app: unconfined
        /// ```
        /// `forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined"")`
        ///
        /// ## How to fix
        /// Remove AppArmor annotations and appArmorProfile settings, or set the profile
        /// type to RuntimeDefault or Localhost (annotation values runtime/default or
        /// localhost/<profile>).
        id: "pss/appArmorProfile",
        title: "AppArmor profile must not be disabled or overridden",
        severity: Severity::Medium,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};
use crate::format::go_quote;

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut pos = None;
    let mut types = Vec::new();

    let mut pod_bad = false;
    if let Some(profile) = object(pod.security_context(), "appArmorProfile") {
        let profile_type = str_or_empty(Some(profile), "type");
        if !allowed_type(profile_type) {
            pod_bad = true;
            types.push(profile_type);
            pos = pos.or(at(profile));
        }
    }

    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some(profile) = object(c.sc, "appArmorProfile") {
            let profile_type = str_or_empty(Some(profile), "type");
            if !allowed_type(profile_type) {
                containers.push(c.name);
                types.push(profile_type);
                pos = pos.or(at(profile));
            }
        }
    }

    let mut annotations = Vec::new();
    for (key, value, node) in pod.annotations() {
        if key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(value) {
            annotations.push(format!("{key}={}", go_quote(value)));
            pos = pos.or(at(node));
        }
    }

    if !pod_bad && containers.is_empty() && annotations.is_empty() {
        return None;
    }

    let mut setters = Setters::new();
    setters.pod(pod_bad).containers(&containers);
    if !annotations.is_empty() {
        setters.phrase(plural(annotations.len(), "annotation", "annotations"));
    }
    annotations.sort_unstable();
    let types = sorted_set(types);
    let values: Vec<&str> = types
        .iter()
        .copied()
        .chain(annotations.iter().map(String::as_str))
        .collect();
    let reason = if values.len() == 1 {
        "forbidden AppArmor profile"
    } else {
        "forbidden AppArmor profiles"
    };
    Forbidden::new(
        reason,
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.joined(),
            quote_list(&values)
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
    fn pod_level_field() {
        let pod = json!({"spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")"#
            )
        );
    }

    #[test]
    fn container_level_fields_including_ephemeral_and_empty_type() {
        let pod = json!({"spec": {
            "containers": [{"name": "foo", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}},
                           {"name": "ok", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}}],
            "ephemeralContainers": [{"name": "dbg", "securityContext": {"appArmorProfile": {}}}]
        }});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"forbidden AppArmor profiles (containers "foo", "dbg" must not set AppArmor profile type to "", "Unconfined")"#
            )
        );
    }

    #[test]
    fn allowed_types_and_annotation_values_pass() {
        let pod = json!({
            "metadata": {"annotations": {
                "container.apparmor.security.beta.kubernetes.io/a": "",
                "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
                "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
                "other/x": "unconfined"
            }},
            "spec": {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                     "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Localhost"}}}]}
        });
        assert_eq!(run(v1_0, pod), None);
    }

    #[test]
    fn everything_together_orders_setters_and_values() {
        let pod = json!({
            "metadata": {"annotations": {
                "container.apparmor.security.beta.kubernetes.io/zzz": "unconfined",
                "container.apparmor.security.beta.kubernetes.io/not-a-container": "bad\"q\n"
            }},
            "spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
                     "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Bogus"}}}]}
        });
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(concat!(
                r#"forbidden AppArmor profiles (pod and container "a" and annotations must not set AppArmor profile type to "#,
                r#""Bogus", "Unconfined", "container.apparmor.security.beta.kubernetes.io/not-a-container="bad\"q\n"", "#,
                r#""container.apparmor.security.beta.kubernetes.io/zzz="unconfined"")"#
            ))
        );
    }
}
