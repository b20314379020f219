//! Kyverno's table from Pod Security Standards control names (the names the
//! Kubernetes documentation uses, written in `exclude[].controlName`) to PSA
//! check ids (`pkg/pss/utils/mapping.go`, `PSS_control_name_to_ids`).
//!
//! Names are matched exactly (case and spaces included); an unknown name
//! excludes nothing, as in Kyverno, whose map lookup then yields no ids.

/// (control name, check ids). Two controls span both levels: `Capabilities`
/// and `Seccomp` each name a baseline and a restricted check.
const CONTROLS: &[(&str, &[&str])] = &[
    (
        "Capabilities",
        &["capabilities_baseline", "capabilities_restricted"],
    ),
    (
        "Seccomp",
        &["seccompProfile_baseline", "seccompProfile_restricted"],
    ),
    ("Privileged Containers", &["privileged"]),
    ("Host Ports", &["hostPorts"]),
    ("/proc Mount Type", &["procMount"]),
    (
        "Host Probes / Lifecycle Hooks",
        &["hostProbesAndHostLifecycle"],
    ),
    ("HostProcess", &["windowsHostProcess"]),
    ("SELinux", &["seLinuxOptions"]),
    ("Host Namespaces", &["hostNamespaces"]),
    ("HostPath Volumes", &["hostPathVolumes"]),
    ("Sysctls", &["sysctls"]),
    ("AppArmor", &["appArmorProfile"]),
    ("Privilege Escalation", &["allowPrivilegeEscalation"]),
    ("Running as Non-root", &["runAsNonRoot"]),
    ("Running as Non-root user", &["runAsUser"]),
    ("Volume Types", &["restrictedVolumes"]),
];

/// The check ids a control name stands for; empty for an unknown name.
pub fn check_ids_for_control(control_name: &str) -> &'static [&'static str] {
    CONTROLS
        .iter()
        .find(|(name, _)| *name == control_name)
        .map_or(&[], |(_, ids)| ids)
}

#[cfg(test)]
mod tests {
    use super::check_ids_for_control;

    #[test]
    fn two_level_controls_name_both_checks() {
        assert_eq!(
            check_ids_for_control("Seccomp"),
            ["seccompProfile_baseline", "seccompProfile_restricted"]
        );
        assert_eq!(
            check_ids_for_control("Capabilities"),
            ["capabilities_baseline", "capabilities_restricted"]
        );
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(check_ids_for_control("Host Namespaces"), ["hostNamespaces"]);
        // Kyverno looks the name up in a Go map: no case folding, no trimming.
        assert!(check_ids_for_control("host namespaces").is_empty());
        assert!(check_ids_for_control("Seccomp ").is_empty());
    }

    #[test]
    fn every_id_is_a_known_check() {
        for (_, ids) in super::CONTROLS {
            for id in *ids {
                assert!(palisade_pss::check(id).is_some(), "{id}");
            }
        }
    }
}
