//! `hostPathVolumes` (baseline, from v1.0; replaced by `restrictedVolumes` at
//! the restricted level).
//!
//! ## What it forbids
//! Any volume in `spec.volumes` with a `hostPath` source.
//!
//! ## Why it matters
//! A hostPath volume exposes the node's filesystem: container runtime sockets,
//! kubelet credentials and other pods' data are one mount away.
//!
//! ## Failing example
//! ```yaml
//! volumes:
//! - name: data
//!   hostPath: {path: /var/lib/data}
//! ```
//! `hostPath volumes (volume "data")`
//!
//! ## How to fix
//! Use `emptyDir`, a ConfigMap or Secret, or a PersistentVolumeClaim instead.

use super::prelude::*;

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
