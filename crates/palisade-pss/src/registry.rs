//! The one table of checks, and the generic selection of SPEC §3.1.
//!
//! Each entry names a check, its level, and its versioned implementations, each
//! with the first policy minor from which it applies and the baseline checks it
//! replaces when the restricted level is evaluated. Selection reads only this
//! table: adding a version of a check is one new row, nothing else changes.

use palisade_core::Pos;

use crate::checks::*;
use crate::pod::Pod;
use crate::{Level, LevelVersion, Version};

/// What a failing check reports (the check's id is added by the caller).
pub(crate) struct Forbidden {
    pub reason: &'static str,
    pub detail: String,
    pub pos: Option<Pos>,
}

impl Forbidden {
    pub fn new(reason: &'static str, detail: String, pos: Option<Pos>) -> Option<Self> {
        Some(Forbidden {
            reason,
            detail,
            pos,
        })
    }
}

/// A check's evaluation function: `None` when the pod passes.
pub(crate) type CheckFn = fn(&Pod<'_>) -> Option<Forbidden>;

/// One versioned implementation of a check.
pub(crate) struct Implementation {
    /// First policy minor (`v1.N`) at which this implementation applies.
    pub since: u32,
    pub eval: CheckFn,
    /// Baseline check ids this implementation replaces at the restricted level.
    pub overrides: &'static [&'static str],
}

const fn imp(since: u32, eval: CheckFn) -> Implementation {
    Implementation {
        since,
        eval,
        overrides: &[],
    }
}

const fn imp_over(since: u32, eval: CheckFn, overrides: &'static [&'static str]) -> Implementation {
    Implementation {
        since,
        eval,
        overrides,
    }
}

/// A Pod Security Standards check: identity, level, and user-facing text.
pub struct CheckInfo {
    /// Upstream check id, e.g. `runAsNonRoot`.
    pub id: &'static str,
    /// The level the check belongs to (`Baseline` or `Restricted`).
    pub level: Level,
    /// A short title.
    pub title: &'static str,
    /// How to fix a failure, in a sentence or two.
    pub remediation: &'static str,
    /// Implementations in ascending `since` order.
    pub(crate) versions: &'static [Implementation],
}

impl CheckInfo {
    /// The first policy version at which the check applies.
    pub fn since(&self) -> Version {
        Version::Minor(self.versions.first().map_or(0, |v| v.since))
    }

    /// The minimum versions of every implementation, ascending.
    pub fn implementation_versions(&self) -> impl Iterator<Item = Version> + '_ {
        self.versions.iter().map(|v| Version::Minor(v.since))
    }

    /// Baseline check ids replaced at `restricted` by this check at `minor`.
    pub fn overrides_at(&self, minor: u32) -> &'static [&'static str] {
        self.implementation(minor).map_or(&[], |i| i.overrides)
    }

    /// The implementation in force at `minor`: the one with the highest `since`
    /// not above it.
    pub(crate) fn implementation(&self, minor: u32) -> Option<&'static Implementation> {
        let versions: &'static [Implementation] = self.versions;
        versions.iter().rev().find(|v| v.since <= minor)
    }
}

impl std::fmt::Debug for CheckInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckInfo")
            .field("id", &self.id)
            .field("level", &self.level)
            .field("since", &self.since())
            .finish_non_exhaustive()
    }
}

/// Every check, baseline group then restricted group, each sorted by id in byte
/// order; this is the message order (a unit test keeps it sorted).
pub(crate) static CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "appArmorProfile",
        level: Level::Baseline,
        title: "AppArmor profile must not be disabled or overridden",
        remediation: "Remove AppArmor annotations and appArmorProfile settings, or set the profile type to RuntimeDefault or Localhost (annotation values runtime/default or localhost/<profile>).",
        versions: &[imp(0, app_armor_profile::v1_0)],
    },
    CheckInfo {
        id: "capabilities_baseline",
        level: Level::Baseline,
        title: "Only default Linux capabilities may be added",
        remediation: "Remove every capability from securityContext.capabilities.add that is not in the container runtime's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
        versions: &[imp(0, capabilities_baseline::v1_0)],
    },
    CheckInfo {
        id: "hostNamespaces",
        level: Level::Baseline,
        title: "Host namespaces must not be shared",
        remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec, or set them to false.",
        versions: &[imp(0, host_namespaces::v1_0)],
    },
    CheckInfo {
        id: "hostPathVolumes",
        level: Level::Baseline,
        title: "hostPath volumes are forbidden",
        remediation: "Replace hostPath volumes with emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.",
        versions: &[imp(0, host_path_volumes::v1_0)],
    },
    CheckInfo {
        id: "hostPorts",
        level: Level::Baseline,
        title: "Host ports are forbidden",
        remediation: "Remove hostPort from container ports (or set it to 0) and expose the workload through a Service.",
        versions: &[imp(0, host_ports::v1_0)],
    },
    CheckInfo {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        title: "Probes and lifecycle hooks must not target another host",
        remediation: "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers so that they target the pod itself.",
        versions: &[imp(34, host_probes_and_host_lifecycle::v1_34)],
    },
    CheckInfo {
        id: "privileged",
        level: Level::Baseline,
        title: "Privileged containers are forbidden",
        remediation: "Remove securityContext.privileged or set it to false; grant only the specific capabilities the container needs.",
        versions: &[imp(0, privileged::v1_0)],
    },
    CheckInfo {
        id: "procMount",
        level: Level::Baseline,
        title: "The default /proc mount must be used",
        remediation: "Remove securityContext.procMount or set it to Default.",
        versions: &[imp(0, proc_mount::v1_0), imp(35, proc_mount::v1_35)],
    },
    CheckInfo {
        id: "seLinuxOptions",
        level: Level::Baseline,
        title: "Custom SELinux user, role or type is forbidden",
        remediation: "Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or use container_t, container_init_t, container_kvm_t (or container_engine_t from v1.31).",
        versions: &[
            imp(0, se_linux_options::v1_0),
            imp(31, se_linux_options::v1_31),
        ],
    },
    CheckInfo {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        title: "Seccomp must not be disabled",
        remediation: "Set the seccomp profile type to RuntimeDefault or Localhost instead of Unconfined (before v1.19: annotation values runtime/default, docker/default or localhost/<profile>).",
        versions: &[
            imp(0, seccomp_profile_baseline::v1_0),
            imp(19, seccomp_profile_baseline::v1_19),
        ],
    },
    CheckInfo {
        id: "sysctls",
        level: Level::Baseline,
        title: "Only safe, namespaced sysctls may be set",
        remediation: "Remove the listed sysctls from spec.securityContext.sysctls; only the safe set (e.g. net.ipv4.ip_local_port_range, kernel.shm_rmid_forced) is allowed.",
        versions: &[
            imp(0, sysctls::v1_0),
            imp(27, sysctls::v1_27),
            imp(29, sysctls::v1_29),
            imp(32, sysctls::v1_32),
            imp(37, sysctls::v1_37),
        ],
    },
    CheckInfo {
        id: "windowsHostProcess",
        level: Level::Baseline,
        title: "Windows HostProcess containers are forbidden",
        remediation: "Remove securityContext.windowsOptions.hostProcess or set it to false at pod and container level.",
        versions: &[imp(0, windows_host_process::v1_0)],
    },
    CheckInfo {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        title: "Privilege escalation must be disallowed",
        remediation: "Set securityContext.allowPrivilegeEscalation: false in every container.",
        versions: &[
            imp(8, allow_privilege_escalation::v1_8),
            imp(25, allow_privilege_escalation::v1_25),
        ],
    },
    CheckInfo {
        id: "capabilities_restricted",
        level: Level::Restricted,
        title: "Containers must drop ALL capabilities and add at most NET_BIND_SERVICE",
        remediation: "Set securityContext.capabilities.drop: [\"ALL\"] in every container and add back only NET_BIND_SERVICE if needed.",
        versions: &[
            imp_over(
                22,
                capabilities_restricted::v1_22,
                &["capabilities_baseline"],
            ),
            imp_over(
                25,
                capabilities_restricted::v1_25,
                &["capabilities_baseline"],
            ),
        ],
    },
    CheckInfo {
        id: "procMount_restricted",
        level: Level::Restricted,
        title: "The default /proc mount must be used, even in a user namespace",
        remediation: "Remove securityContext.procMount or set it to Default.",
        versions: &[imp_over(35, proc_mount_restricted::v1_35, &["procMount"])],
    },
    CheckInfo {
        id: "restrictedVolumes",
        level: Level::Restricted,
        title: "Only ephemeral, projected and claim-backed volume types are allowed",
        remediation: "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes; move other storage behind a PersistentVolumeClaim.",
        versions: &[imp_over(0, restricted_volumes::v1_0, &["hostPathVolumes"])],
    },
    CheckInfo {
        id: "runAsNonRoot",
        level: Level::Restricted,
        title: "Containers must run as a non-root user",
        remediation: "Set securityContext.runAsNonRoot: true at pod level (or in every container) and use an image with a non-root user.",
        versions: &[
            imp(0, run_as_non_root::v1_0),
            imp(35, run_as_non_root::v1_35),
        ],
    },
    CheckInfo {
        id: "runAsUser",
        level: Level::Restricted,
        title: "Containers must not run as UID 0",
        remediation: "Remove runAsUser: 0 from the pod and container security contexts, or set a non-zero UID.",
        versions: &[imp(23, run_as_user::v1_23), imp(35, run_as_user::v1_35)],
    },
    CheckInfo {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        title: "A seccomp profile must be set",
        remediation: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) at pod level, or in every container.",
        versions: &[
            imp_over(
                19,
                seccomp_profile_restricted::v1_19,
                &["seccompProfile_baseline"],
            ),
            imp_over(
                25,
                seccomp_profile_restricted::v1_25,
                &["seccompProfile_baseline"],
            ),
        ],
    },
];

/// The newest minor any implementation starts at.
#[cfg(test)]
pub(crate) fn newest_known_minor() -> u32 {
    CHECKS
        .iter()
        .flat_map(|c| c.versions.iter().map(|v| v.since))
        .max()
        .unwrap_or(0)
}

/// The minor whose rules apply: `latest` and future minors become the newest.
pub(crate) fn effective_minor(version: Version) -> u32 {
    match version {
        Version::Latest => crate::LATEST_MINOR,
        Version::Minor(n) => n.min(crate::LATEST_MINOR),
    }
}

/// The checks that run for `policy`, in message order, each with the
/// implementation in force.
pub(crate) fn selected(
    policy: LevelVersion,
) -> impl Iterator<Item = (&'static CheckInfo, &'static Implementation)> {
    let minor = effective_minor(policy.version);
    let level = policy.level;
    CHECKS.iter().filter_map(move |check| {
        if level == Level::Privileged || check.level > level {
            return None;
        }
        let implementation = check.implementation(minor)?;
        if is_overridden(check, level, minor) {
            return None;
        }
        Some((check, implementation))
    })
}

/// True when a stricter check that runs at `level` replaces `check` at `minor`.
fn is_overridden(check: &CheckInfo, level: Level, minor: u32) -> bool {
    CHECKS
        .iter()
        .filter(|other| other.level > check.level && other.level <= level)
        .any(|other| other.overrides_at(minor).contains(&check.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(level: Level, minor: u32) -> Vec<&'static str> {
        selected(LevelVersion {
            level,
            version: Version::Minor(minor),
        })
        .map(|(c, _)| c.id)
        .collect()
    }

    #[test]
    fn table_is_in_message_order() {
        for pair in CHECKS.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                (a.level, a.id.as_bytes()) < (b.level, b.id.as_bytes()),
                "{} must come before {}",
                a.id,
                b.id
            );
        }
    }

    #[test]
    fn implementations_ascend_and_latest_minor_is_the_newest() {
        for check in CHECKS {
            assert!(!check.versions.is_empty(), "{}", check.id);
            assert!(
                check.versions.windows(2).all(|w| w[0].since < w[1].since),
                "{}",
                check.id
            );
            assert_ne!(check.level, Level::Privileged);
        }
        assert_eq!(newest_known_minor(), crate::LATEST_MINOR);
    }

    #[test]
    fn overrides_name_existing_baseline_checks() {
        for check in CHECKS {
            for v in check.versions {
                for id in v.overrides {
                    let target = CHECKS.iter().find(|c| c.id == *id);
                    assert!(target.is_some_and(|t| t.level < check.level), "{id}");
                }
            }
        }
    }

    #[test]
    fn check_sets_per_version_match_spec() {
        let baseline_33 = ids(Level::Baseline, 33);
        assert_eq!(baseline_33.len(), 11);
        assert!(!baseline_33.contains(&"hostProbesAndHostLifecycle"));
        assert_eq!(ids(Level::Baseline, 34).len(), 12);
        assert_eq!(
            ids(Level::Restricted, 0),
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPorts",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
                "restrictedVolumes",
                "runAsNonRoot",
            ]
        );
        assert!(ids(Level::Restricted, 8).contains(&"allowPrivilegeEscalation"));
        assert!(!ids(Level::Restricted, 7).contains(&"allowPrivilegeEscalation"));
        let r19 = ids(Level::Restricted, 19);
        assert!(
            r19.contains(&"seccompProfile_restricted") && !r19.contains(&"seccompProfile_baseline")
        );
        let r18 = ids(Level::Restricted, 18);
        assert!(
            !r18.contains(&"seccompProfile_restricted") && r18.contains(&"seccompProfile_baseline")
        );
        assert!(ids(Level::Restricted, 21).contains(&"capabilities_baseline"));
        let r22 = ids(Level::Restricted, 22);
        assert!(
            r22.contains(&"capabilities_restricted") && !r22.contains(&"capabilities_baseline")
        );
        assert!(!ids(Level::Restricted, 22).contains(&"runAsUser"));
        assert!(ids(Level::Restricted, 23).contains(&"runAsUser"));
        assert!(ids(Level::Restricted, 34).contains(&"procMount"));
        let r35 = ids(Level::Restricted, 35);
        assert!(r35.contains(&"procMount_restricted") && !r35.contains(&"procMount"));
        assert_eq!(
            ids(Level::Restricted, 37),
            [
                "appArmorProfile",
                "hostNamespaces",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "seLinuxOptions",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        assert_eq!(ids(Level::Restricted, 99), ids(Level::Restricted, 37));
        assert!(ids(Level::Privileged, 37).is_empty());
    }

    #[test]
    fn effective_minor_caps_latest_and_future() {
        assert_eq!(effective_minor(Version::Latest), 37);
        assert_eq!(effective_minor(Version::Minor(99)), 37);
        assert_eq!(effective_minor(Version::Minor(5)), 5);
    }
}
