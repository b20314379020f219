//! The one table of checks, and the generic selection of SPEC §3.1.
//!
//! Each entry names a check, its level, and its versioned implementations, each
//! with the first policy minor from which it applies and the baseline checks it
//! replaces when the restricted level is evaluated. Selection reads only this
//! table: adding a version of a check is one new row, nothing else changes.

use std::collections::HashMap;
use std::sync::LazyLock;

use palisade_core::{Pos, Rule, Severity};

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

pub(crate) const fn imp(since: u32, eval: CheckFn) -> Implementation {
    Implementation {
        since,
        eval,
        overrides: &[],
    }
}

pub(crate) const fn imp_over(
    since: u32,
    eval: CheckFn,
    overrides: &'static [&'static str],
) -> Implementation {
    Implementation {
        since,
        eval,
        overrides,
    }
}

/// A Pod Security Standards check: identity, level, versions, and the rule
/// (id `pss/<check id>`, severity, documentation) its findings carry. Each check
/// file declares its own as `CHECK`.
pub struct CheckInfo {
    /// Upstream check id, e.g. `runAsNonRoot`.
    pub id: &'static str,
    /// The level the check belongs to (`Baseline` or `Restricted`).
    pub level: Level,
    /// Implementations in ascending `since` order.
    pub(crate) versions: &'static [Implementation],
    /// The rule: `pss/<id>`, title, severity, and documentation.
    pub rule: Rule,
}

impl CheckInfo {
    /// A short title.
    pub fn title(&self) -> &'static str {
        self.rule.title
    }

    /// How to fix a failure: the "How to fix" section of the check's
    /// documentation, as one paragraph.
    pub fn remediation(&self) -> &'static str {
        // Parsed once per process: every finding of the check carries this text.
        static REMEDIATIONS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
            CHECKS
                .iter()
                .map(|check| {
                    let fix = check.rule.docs().fix;
                    (
                        check.id,
                        fix.split_whitespace().collect::<Vec<_>>().join(" "),
                    )
                })
                .collect()
        });
        REMEDIATIONS.get(self.id).map_or("", String::as_str)
    }

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
/// order; this is the message order (a unit test keeps it sorted). Adding a check
/// is one file under `checks/` plus one line here.
pub(crate) static CHECKS: &[&CheckInfo] = &[
    &app_armor_profile::CHECK,
    &capabilities_baseline::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &host_probes_and_host_lifecycle::CHECK,
    &privileged::CHECK,
    &proc_mount::CHECK,
    &se_linux_options::CHECK,
    &seccomp_profile_baseline::CHECK,
    &sysctls::CHECK,
    &windows_host_process::CHECK,
    &allow_privilege_escalation::CHECK,
    &capabilities_restricted::CHECK,
    &proc_mount_restricted::CHECK,
    &restricted_volumes::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_profile_restricted::CHECK,
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
    CHECKS.iter().copied().filter_map(move |check| {
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

/// The severity of a failure of `check`: its own, raised to the severity of each
/// baseline check it replaces that the pod fails too. Restricted variants
/// re-check what baseline forbids (hostPath under `restrictedVolumes`, added
/// capabilities under `capabilities_restricted`, `Unconfined` seccomp under
/// `seccompProfile_restricted`); those failures keep baseline's weight at
/// every level instead of dropping to the weaker restricted default.
pub(crate) fn severity(
    check: &CheckInfo,
    implementation: &Implementation,
    policy: LevelVersion,
    pod: &Pod<'_>,
) -> Severity {
    let minor = effective_minor(policy.version);
    implementation
        .overrides
        .iter()
        .filter_map(|id| CHECKS.iter().find(|c| c.id == *id))
        .filter(|replaced| {
            replaced
                .implementation(minor)
                .is_some_and(|i| (i.eval)(pod).is_some())
        })
        .map(|replaced| replaced.rule.severity)
        .fold(check.rule.severity, Severity::max)
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
