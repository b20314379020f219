//! `hostPathVolumes` (baseline, from v1.0; replaced by `restrictedVolumes` at
//! the restricted level).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "hostPathVolumes",
    level: Level::Baseline,
    versions: &[imp(0, v1_0)],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Any volume in `spec.volumes` with a `hostPath` source.
        ///
        /// ## Why it matters
        /// A hostPath volume exposes the node's filesystem: container runtime sockets,
        /// kubelet credentials and other pods' data are one mount away.
        ///
        /// ## Failing example
        /// ```yaml
        /// volumes:
        /// - name: data
        ///   hostPath: {path: /var/lib/data}
        /// ```
        /// `hostPath volumes (volume "data")`
        ///
        /// ## How to fix
        /// Replace hostPath volumes with emptyDir, a ConfigMap/Secret, or a
        /// PersistentVolumeClaim.
        id: "pss/hostPathVolumes",
        title: "hostPath volumes are forbidden",
        severity: Severity::High,
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut pos = None;
    for volume in pod.volumes() {
        if let Some(source) = object(Some(volume), "hostPath") {
            names.push(str_or_empty(Some(volume), "name"));
            pos = pos.or(at(source));
        }
    }
    if names.is_empty() {
        return None;
    }
    Forbidden::new(
        "hostPath volumes",
        named_phrase("volume", "volumes", &names),
        pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn lists_hostpath_volumes_in_spec_order() {
        let pod = json!({"spec": {"volumes": [
            {"name": "z", "hostPath": {"path": "/"}},
            {"name": "e", "emptyDir": {}},
            {"name": "a", "hostPath": {"path": "/tmp"}}
        ]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(r#"hostPath volumes (volumes "z", "a")"#)
        );
    }
}
