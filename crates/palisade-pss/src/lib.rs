//! Pod Security Standards, evaluated exactly as the API server's Pod Security
//! Admission does: every check of `baseline` and `restricted`, every policy
//! version, and the same reason and detail text.
//!
//! CONTRACT (the rest of the workspace relies on these names; the PSS work fills
//! in the bodies, the check files and the version tables).
//!
//! This crate evaluates one pod (metadata + spec) at one level and version. It
//! does no I/O; mapping results to findings and namespace-label semantics are
//! built on top of [`evaluate`].

use std::fmt;
use std::str::FromStr;

use palisade_core::{Node, Pos};

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
    let _ = (metadata, spec, policy);
    unimplemented!("PSS placeholder")
}

/// The aggregate detail message: each failure's `reason (detail)` joined by `, `.
pub fn aggregate_message(failures: &[CheckFailure]) -> String {
    failures.iter().map(CheckFailure::message).collect::<Vec<_>>().join(", ")
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
