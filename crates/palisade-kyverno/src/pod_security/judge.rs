//! Which PSA checks Kyverno runs for a `level` and `version`, and the failures
//! they give for one pod (`evaluatePSS` in Kyverno's `pkg/pss/evaluate.go`).
//!
//! * `version` empty or `latest`: each check's newest implementation in
//!   Kyverno's PSA fork (release 1.34): palisade-pss evaluated at `v1.34`.
//! * `v1.N`: every implementation whose minimum version is at most `v1.N`
//!   (and at most `v1.34`, the fork knowing nothing newer), each one run; a
//!   check fails if any of them fails. palisade-pss runs one implementation per
//!   check and version, so the pod is evaluated at each minimum version in turn.
//! * `baseline` runs baseline checks only; any other level runs all checks,
//!   with no restricted check replacing a baseline one. palisade-pss applies
//!   that replacement at `restricted`, so baseline is evaluated on its own too.

use std::str::FromStr;

use palisade_core::Node;
use palisade_pss::{CheckFailure, Level, LevelVersion, Version};

use super::KYVERNO_LATEST_MINOR;
use crate::Json;

/// The checks a rule runs.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Judge {
    /// Restricted checks too (every level but `baseline`).
    all_checks: bool,
    /// The policy minors to evaluate palisade-pss at.
    minors: Vec<u32>,
}

impl Judge {
    /// `level` and `version` as written in the rule; the error is for the version.
    pub fn new(level: &str, version: &str) -> Result<Judge, String> {
        let minors = if version.is_empty() || version == "latest" {
            vec![KYVERNO_LATEST_MINOR]
        } else {
            match Version::from_str(version) {
                Ok(Version::Minor(n)) => implementation_minors(n.min(KYVERNO_LATEST_MINOR)),
                Ok(Version::Latest) => vec![KYVERNO_LATEST_MINOR],
                Err(reason) => return Err(format!("invalid version {version:?}: {reason}")),
            }
        };
        Ok(Judge {
            // Kyverno filters checks only for `baseline`: `privileged` (and any
            // other text) runs every check, like `restricted`.
            all_checks: level != "baseline",
            minors,
        })
    }

    /// The failing checks of the pod, one per check id, in palisade-pss's
    /// message order (baseline checks, then restricted ones, by id).
    pub fn failures(&self, metadata: &Json, spec: &Json) -> Vec<CheckFailure> {
        let metadata = (!metadata.is_null()).then(|| Node::from_json(metadata));
        let spec = Node::from_json(spec);
        let mut found: Vec<CheckFailure> = Vec::new();
        for &minor in &self.minors {
            let version = Version::Minor(minor);
            let mut levels = vec![Level::Baseline];
            if self.all_checks {
                levels.push(Level::Restricted);
            }
            for level in levels {
                let policy = LevelVersion { level, version };
                for failure in palisade_pss::evaluate(metadata.as_ref(), &spec, policy) {
                    if !found.iter().any(|f| f.id == failure.id) {
                        found.push(failure);
                    }
                }
            }
        }
        found.sort_by_key(|f| message_rank(f.id));
        found
    }

    /// Whether check `id` fails for the pod.
    pub fn fails(&self, id: &str, metadata: &Json, spec: &Json) -> bool {
        self.failures(metadata, spec).iter().any(|f| f.id == id)
    }
}

/// Every minimum version of every check implementation up to `max`, ascending:
/// evaluating at each of them runs every implementation up to `max`.
fn implementation_minors(max: u32) -> Vec<u32> {
    let mut minors: Vec<u32> = palisade_pss::checks()
        .iter()
        .flat_map(|check| check.implementation_versions())
        .filter_map(|version| match version {
            Version::Minor(n) if n <= max => Some(n),
            _ => None,
        })
        .collect();
    minors.sort_unstable();
    minors.dedup();
    minors
}

fn message_rank(id: &str) -> usize {
    palisade_pss::checks()
        .iter()
        .position(|check| check.id == id)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::Judge;
    use serde_json::json;

    fn ids(judge: &Judge, spec: serde_json::Value) -> Vec<&'static str> {
        judge
            .failures(&serde_json::Value::Null, &spec)
            .iter()
            .map(|f| f.id)
            .collect()
    }

    #[test]
    fn latest_is_kyvernos_1_34() {
        let judge = Judge::new("restricted", "latest").unwrap();
        assert_eq!(judge.minors, [34]);
        assert_eq!(Judge::new("baseline", "").unwrap().minors, [34]);
    }

    #[test]
    fn bad_versions_are_errors() {
        assert!(Judge::new("baseline", "1.24").is_err());
        assert!(Judge::new("baseline", "v1.024").is_err());
        assert!(Judge::new("baseline", "v2.0").is_err());
    }

    #[test]
    fn latest_ignores_the_1_35_user_namespace_relaxation() {
        // With hostUsers: false, PSA 1.35 allows runAsNonRoot unset; Kyverno's fork is 1.34.
        let judge = Judge::new("restricted", "latest").unwrap();
        let spec = json!({"hostUsers": false, "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]}}}]});
        assert_eq!(ids(&judge, spec), ["runAsNonRoot"]);
    }

    #[test]
    fn numbered_versions_run_every_older_implementation() {
        // net.ipv4.ip_local_reserved_ports is allowed from v1.27, but Kyverno also
        // runs the v1.0 implementation, which forbids it.
        let spec = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1"}]},
            "containers": [{"name": "c"}]});
        assert_eq!(
            ids(&Judge::new("baseline", "v1.27").unwrap(), spec.clone()),
            ["sysctls"]
        );
        assert!(ids(&Judge::new("baseline", "latest").unwrap(), spec).is_empty());
    }

    #[test]
    fn checks_newer_than_the_version_do_not_run() {
        // seccompProfile_restricted starts at v1.19.
        let spec = json!({"containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false,
            "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}}]});
        assert!(ids(&Judge::new("restricted", "v1.18").unwrap(), spec.clone()).is_empty());
        assert_eq!(
            ids(&Judge::new("restricted", "v1.19").unwrap(), spec),
            ["seccompProfile_restricted"]
        );
    }

    #[test]
    fn restricted_keeps_overridden_baseline_checks() {
        // PSA drops hostPathVolumes at restricted (restrictedVolumes replaces it); Kyverno does not.
        let judge = Judge::new("restricted", "latest").unwrap();
        let spec = json!({"volumes": [{"name": "v", "hostPath": {"path": "/"}}]});
        let found = ids(&judge, spec);
        assert!(found.contains(&"hostPathVolumes"), "{found:?}");
        assert!(found.contains(&"restrictedVolumes"), "{found:?}");
    }

    #[test]
    fn baseline_runs_only_baseline_checks_and_privileged_runs_all() {
        let spec = json!({"containers": [{"name": "c"}]});
        assert!(ids(&Judge::new("baseline", "latest").unwrap(), spec.clone()).is_empty());
        // Kyverno only filters for `baseline`.
        assert!(!ids(&Judge::new("privileged", "latest").unwrap(), spec).is_empty());
    }
}
