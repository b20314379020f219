//! `restrictedVolumes` (restricted, from v1.0; replaces `hostPathVolumes` at
//! the restricted level).
//!
//! The rule, its severity and its documentation are declared once, in [`CHECK`].

use super::prelude::*;

/// The check's identity, versions and documentation, as the registry lists it.
pub(crate) static CHECK: CheckInfo = CheckInfo {
    id: "restrictedVolumes",
    level: Level::Restricted,
    versions: &[imp_over(0, v1_0, &["hostPathVolumes"])],
    rule: palisade_core::rule! {
        /// ## What it forbids
        /// Any volume whose source is not one of `configMap`, `csi`, `downwardAPI`,
        /// `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected`,
        /// `secret`. The message names the source type (`hostPath`, `nfs`, ...; a
        /// mapping-valued member that is no known source is reported as `unknown`).
        ///
        /// A volume with no source at all passes: the API server defaults it to
        /// `emptyDir` before admission, and this check applies the same defaulting.
        ///
        /// ## Why it matters
        /// Other volume types reach the node (hostPath) or network storage directly
        /// (nfs, iscsi, ...), bypassing the claim-based model that cluster admins control.
        ///
        /// ## Failing example
        /// ```yaml
        /// volumes:
        /// - name: data
        ///   nfs: {server: nfs.example, path: /export}
        /// ```
        /// `restricted volume types (volume "data" uses restricted volume type "nfs")`
        ///
        /// ## How to fix
        /// Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image,
        /// persistentVolumeClaim, projected or secret volumes; move other storage
        /// behind a PersistentVolumeClaim.
        id: "pss/restrictedVolumes",
        title: "Only ephemeral, projected and claim-backed volume types are allowed",
        severity: Severity::Medium,
        severity_varies: "high when a volume is hostPath, which baseline's hostPathVolumes forbids",
        versions: "v1.0 and later",
        depends_on: &["pss-level", "pss-version"],
    },
};

const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Restricted sources, in the order that picks the label of a volume.
const RESTRICTED: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

pub(crate) fn v1_0(pod: &Pod<'_>) -> Option<Forbidden> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut pos = None;
    for volume in pod.volumes() {
        if ALLOWED.iter().any(|k| object(Some(volume), k).is_some()) {
            continue;
        }
        let label = match RESTRICTED
            .iter()
            .find(|k| object(Some(volume), k).is_some())
        {
            Some(label) => *label,
            None if has_any_source(volume) => "unknown",
            // No source: defaulted to emptyDir by the API server.
            None => continue,
        };
        names.push(str_or_empty(Some(volume), "name"));
        types.push(label);
        pos = pos.or(at(volume));
    }
    if names.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    Forbidden::new(
        "restricted volume types",
        format!(
            "{} {} {} {}",
            named_phrase("volume", "volumes", &names),
            plural(names.len(), "uses", "use"),
            plural(
                types.len(),
                "restricted volume type",
                "restricted volume types"
            ),
            quote_list(&types)
        ),
        pos,
    )
}

/// True when some member other than `name` is a mapping (a volume source).
fn has_any_source(volume: &palisade_core::Node) -> bool {
    volume.as_map().is_some_and(|m| {
        m.iter()
            .any(|(k, v)| k.name != "name" && v.as_map().is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use serde_json::json;

    #[test]
    fn volume_without_source_is_defaulted_to_empty_dir() {
        let pod = json!({"spec": {"volumes": [{"name": "v"}, {"name": "w", "hostPath": null}]}});
        assert_eq!(run(v1_0, pod), None);
    }

    #[test]
    fn labels_sorted_names_in_order() {
        let pod = json!({"spec": {"volumes": [
            {"name": "n", "nfs": {"server": "s"}},
            {"name": "ok", "image": {"reference": "x"}},
            {"name": "h", "hostPath": {"path": "/"}},
            {"name": "h2", "hostPath": {"path": "/x"}},
            {"name": "u", "futureSource": {}}
        ]}});
        assert_eq!(
            run(v1_0, pod).as_deref(),
            Some(
                r#"restricted volume types (volumes "n", "h", "h2", "u" use restricted volume types "hostPath", "nfs", "unknown")"#
            )
        );
    }

    #[test]
    fn allowed_source_wins_over_restricted_one() {
        let pod = json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}, "hostPath": {"path": "/"}}]}});
        assert_eq!(run(v1_0, pod), None);
    }
}
