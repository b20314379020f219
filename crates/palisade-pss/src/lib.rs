//! Pod Security Standards, evaluated exactly as the API server's Pod Security
//! Admission does: every check of `baseline` and `restricted`, every policy
//! version, and the same reason and detail text.
//!
//! [`evaluate`] judges one pod (metadata + spec) at one level and version.
//! [`findings::scan`] applies it to every pod template of an Inventory, reading
//! each namespace's enforce labels ([`namespace_policy`]) to mark what the
//! cluster would reject. The crate does no I/O.
//!
//! # Layout
//!
//! One file per check under `checks/` (named for the check id), registered in
//! one table (`registry.rs`) with its level, its versioned implementations and
//! the baseline checks it overrides. The selection of SPEC §3.1 (effective
//! minor, overrides, message order) reads only that table. [`checks`] lists the
//! table with titles and remediation text.
//!
//! # Input that the API server would not accept
//!
//! The evaluator reads a raw value tree, not decoded Kubernetes types. A value of
//! the wrong type (`privileged: "true"`, `containers: {}`, a container that is a
//! string) would make the API server reject the pod while decoding it, before
//! Pod Security Admission runs. Here such a value is treated as absent, exactly
//! like a missing field; `null` is also absent. Absent strings read as `""`
//! (Go's zero value), so a container without a name is reported as `""`.
//! Reporting schema errors is another layer's job. Nothing in this crate panics
//! on input.
//!
//! # API defaulting
//!
//! The API server defaults a volume that names no source to `emptyDir` before
//! admission. `restrictedVolumes` does the same: a volume whose only members are
//! `name` and non-object values passes. (A mapping-valued member with a name
//! outside the known volume sources counts as a source of type `unknown`.)

use std::fmt;
use std::str::FromStr;

use palisade_core::{Node, Pos, Severity};

pub mod analyzer;
mod checks;
pub mod findings;
mod format;
pub mod namespace_policy;
mod pod;
mod registry;

pub use analyzer::{PodSecurity, parse_known_version};
pub use format::go_quote;
pub use registry::CheckInfo;

/// The newest policy minor any check knows about: `latest` means `v1.37`, and
/// newer numbered versions are evaluated with the `v1.37` rules.
pub const LATEST_MINOR: u32 = 37;

/// Every check, in message order (baseline group, then restricted group, each
/// sorted by id), with level, first version, title and remediation.
pub fn checks() -> &'static [&'static CheckInfo] {
    registry::CHECKS
}

/// The check with this upstream id.
pub fn check(id: &str) -> Option<&'static CheckInfo> {
    registry::CHECKS.iter().copied().find(|c| c.id == id)
}

/// How to fix a failure of the check with this id.
pub fn remediation(id: &str) -> Option<&'static str> {
    check(id).map(CheckInfo::remediation)
}

/// The checks that run at `policy`, in message order.
pub fn checks_for(policy: LevelVersion) -> impl Iterator<Item = &'static CheckInfo> {
    registry::selected(policy).map(|(check, _)| check)
}

/// A Pod Security Standards level, in strictness order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

/// A policy version: `latest` or `v1.N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    Minor(u32),
}

/// A level at a version; prints as `restricted:latest`, `baseline:v1.29`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    /// Upstream check id: `runAsNonRoot`, `capabilities_restricted`, ...
    pub id: &'static str,
    /// Upstream reason text: `runAsNonRoot != true`.
    pub reason: String,
    /// Upstream detail text (may be empty).
    pub detail: String,
    /// Where the first offending value is, when the check can tell.
    pub pos: Option<Pos>,
    /// How much this failure matters: the check's severity, raised to that of
    /// every baseline check it replaces at `restricted` that the pod also fails
    /// (a hostPath volume is as severe under `restricted` as under `baseline`).
    pub severity: Severity,
}

impl CheckFailure {
    /// `reason (detail)`, or `reason` when the detail is empty.
    pub fn message(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// Evaluates a pod's `metadata` (only annotations are read) and `spec` at `policy`.
/// Returns the failed checks in upstream message order; empty means allowed.
pub fn evaluate(metadata: Option<&Node>, spec: &Node, policy: LevelVersion) -> Vec<CheckFailure> {
    let pod = pod::Pod::new(metadata, spec);
    registry::selected(policy)
        .filter_map(|(check, implementation)| {
            let forbidden = (implementation.eval)(&pod)?;
            Some(CheckFailure {
                id: check.id,
                reason: forbidden.reason.to_owned(),
                detail: forbidden.detail,
                pos: forbidden.pos,
                severity: registry::severity(check, implementation, policy, &pod),
            })
        })
        .collect()
}

/// The aggregate detail message: each failure's `reason (detail)` joined by `, `.
pub fn aggregate_message(failures: &[CheckFailure]) -> String {
    failures
        .iter()
        .map(CheckFailure::message)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The "reasons only" form (namespace dry-run warnings): each failure's reason
/// joined by `, `, without details.
pub fn reasons_message(failures: &[CheckFailure]) -> String {
    failures
        .iter()
        .map(|f| f.reason.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(n) => write!(f, "v1.{n}"),
        }
    }
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

impl FromStr for Level {
    type Err = String;
    /// Exact, lower-case names; the error text is upstream's.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err("must be one of privileged, baseline, restricted".to_owned()),
        }
    }
}

impl FromStr for Version {
    type Err = String;
    /// `latest` or `v1.N` with no leading zeros; the error text is upstream's.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || "must be \"latest\" or \"v1.x\"".to_owned();
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let minor = s.strip_prefix("v1.").ok_or_else(invalid)?;
        let well_formed = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !well_formed {
            return Err(invalid());
        }
        minor.parse().map(Version::Minor).map_err(|_| invalid())
    }
}
