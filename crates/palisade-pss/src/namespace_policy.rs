//! The policy a namespace's `pod-security.kubernetes.io/*` labels ask for, read
//! the way Pod Security Admission reads them.
//!
//! A scan needs only `enforce` ([`enforce_policy`]): it decides what the API server
//! rejects. Admission needs all three modes ([`policy_to_evaluate`]). An invalid
//! enforce level fails closed (`restricted`), an invalid audit or warn level fails
//! open (`privileged`), an invalid version means `latest`, and an absent label
//! leaves the configured default (without a configuration, `privileged:latest`).

use std::collections::BTreeMap;

use palisade_core::NamespaceInfo;

use crate::format::go_quote;
use crate::{Level, LevelVersion, Version};

pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// `privileged:latest`, the default of every mode when nothing is configured.
pub const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
    level: Level::Privileged,
    version: Version::Latest,
};

/// The three modes of a namespace's policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    pub enforce: LevelVersion,
    pub audit: LevelVersion,
    pub warn: LevelVersion,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            enforce: PRIVILEGED_LATEST,
            audit: PRIVILEGED_LATEST,
            warn: PRIVILEGED_LATEST,
        }
    }
}

impl Policy {
    /// Every mode is `privileged`: nothing is checked.
    pub fn fully_privileged(&self) -> bool {
        [self.enforce, self.audit, self.warn]
            .iter()
            .all(|lv| lv.level == Level::Privileged)
    }

    /// Mode by mode, both privileged (versions do not matter then) or equal.
    pub fn equivalent(&self, other: &Policy) -> bool {
        let same = |a: LevelVersion, b: LevelVersion| {
            a == b || (a.level == Level::Privileged && b.level == Level::Privileged)
        };
        same(self.enforce, other.enforce)
            && same(self.audit, other.audit)
            && same(self.warn, other.warn)
    }
}

/// One invalid label, in upstream's field-error form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelError {
    /// `metadata.labels[pod-security.kubernetes.io/enforce]`
    pub field: String,
    /// The label's value.
    pub value: String,
    /// `must be one of privileged, baseline, restricted`
    pub detail: String,
}

impl LabelError {
    fn new(label: &str, value: &str, detail: String) -> Self {
        LabelError {
            field: format!("metadata.labels[{label}]"),
            value: value.to_owned(),
            detail,
        }
    }

    /// `Invalid value: "strict": must be one of ...` (a field error's body).
    pub fn body(&self) -> String {
        format!("Invalid value: {}: {}", go_quote(&self.value), self.detail)
    }
}

impl std::fmt::Display for LabelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Errors joined as Go's error aggregate prints them: one error alone, several
/// as `[a, b]`, repeated texts once.
pub fn aggregate(errors: &[LabelError]) -> String {
    aggregate_texts(errors.iter().map(LabelError::to_string))
}

/// Error texts joined as Go's error aggregate (`utilerrors.NewAggregate`) prints
/// them: repeated texts once; one alone as it is, several as `[a, b]`; none as
/// nothing.
pub fn aggregate_texts(errors: impl IntoIterator<Item = String>) -> String {
    let mut texts: Vec<String> = Vec::new();
    for text in errors {
        if !texts.contains(&text) {
            texts.push(text);
        }
    }
    match texts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        _ => format!("[{}]", texts.join(", ")),
    }
}

/// The policy `labels` ask for, starting from `defaults`, and the invalid labels.
///
/// A namespace without any label keeps the defaults. When a valid `enforce` level is
/// set, no `warn` level is, and enforce is stricter than the default warn level, warn
/// follows enforce (and takes enforce's version unless `warn-version` is set), so
/// that users see what enforce would reject before it does.
pub fn policy_to_evaluate(
    labels: &BTreeMap<String, String>,
    defaults: Policy,
) -> (Policy, Vec<LabelError>) {
    let mut policy = defaults;
    let mut errors = Vec::new();
    if labels.is_empty() {
        return (policy, errors);
    }
    let label = |key: &str| labels.get(key).map(String::as_str);
    let level = |key: &str, on_error: Level, errors: &mut Vec<LabelError>| {
        label(key).map(|value| {
            value.parse::<Level>().map_err(|detail| {
                errors.push(LabelError::new(key, value, detail));
                on_error
            })
        })
    };
    let enforce_level = level(ENFORCE_LABEL, Level::Restricted, &mut errors);
    let has_valid_enforce_level = matches!(enforce_level, Some(Ok(_)));
    if let Some(parsed) = enforce_level {
        policy.enforce.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    let version = |key: &str, errors: &mut Vec<LabelError>| {
        label(key).map(|value| {
            value.parse::<Version>().unwrap_or_else(|detail| {
                errors.push(LabelError::new(key, value, detail));
                Version::Latest
            })
        })
    };
    if let Some(v) = version(ENFORCE_VERSION_LABEL, &mut errors) {
        policy.enforce.version = v;
    }
    if let Some(parsed) = level(AUDIT_LABEL, Level::Privileged, &mut errors) {
        policy.audit.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version(AUDIT_VERSION_LABEL, &mut errors) {
        policy.audit.version = v;
    }
    let warn_level = level(WARN_LABEL, Level::Privileged, &mut errors);
    let has_warn_level = warn_level.is_some();
    if let Some(parsed) = warn_level {
        policy.warn.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    let warn_version = version(WARN_VERSION_LABEL, &mut errors);
    let has_warn_version = warn_version.is_some();
    if let Some(v) = warn_version {
        policy.warn.version = v;
    }
    if !has_warn_level && has_valid_enforce_level && policy.enforce.level > policy.warn.level {
        policy.warn.level = policy.enforce.level;
        if !has_warn_version {
            policy.warn.version = policy.enforce.version;
        }
    }
    (policy, errors)
}

/// The namespace's enforce policy, and the label errors found on the way, in
/// upstream's field-error form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnforcePolicy {
    pub policy: LevelVersion,
    pub errors: Vec<String>,
}

/// Reads the enforce labels of `namespace`.
pub fn enforce_policy(namespace: &NamespaceInfo) -> EnforcePolicy {
    let mut errors = Vec::new();
    let mut field_error = |label: &str, value: &str, message: String| {
        errors.push(format!(
            "metadata.labels[{label}]: Invalid value: \"{value}\": {message}"
        ));
    };
    let level = match namespace.label(ENFORCE_LABEL) {
        None => Level::Privileged,
        Some(value) => value.parse().unwrap_or_else(|message| {
            field_error(ENFORCE_LABEL, value, message);
            Level::Restricted
        }),
    };
    let version = match namespace.label(ENFORCE_VERSION_LABEL) {
        None => Version::Latest,
        Some(value) => value.parse().unwrap_or_else(|message| {
            field_error(ENFORCE_VERSION_LABEL, value, message);
            Version::Latest
        }),
    };
    EnforcePolicy {
        policy: LevelVersion { level, version },
        errors,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn namespace(labels: &[(&str, &str)]) -> NamespaceInfo {
        NamespaceInfo {
            name: "ns".into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            object: None,
        }
    }

    #[test]
    fn no_labels_enforce_nothing() {
        let read = enforce_policy(&namespace(&[]));
        assert_eq!(read.policy.level, Level::Privileged);
        assert!(read.errors.is_empty());
    }

    #[test]
    fn valid_labels_are_taken_as_written() {
        let read = enforce_policy(&namespace(&[
            (ENFORCE_LABEL, "baseline"),
            (ENFORCE_VERSION_LABEL, "v1.29"),
        ]));
        assert_eq!(read.policy.to_string(), "baseline:v1.29");
    }

    #[test]
    fn an_invalid_level_fails_closed_and_an_invalid_version_means_latest() {
        let read = enforce_policy(&namespace(&[
            (ENFORCE_LABEL, "strict"),
            (ENFORCE_VERSION_LABEL, "v1.01"),
        ]));
        assert_eq!(read.policy.to_string(), "restricted:latest");
        assert_eq!(
            read.errors,
            [
                "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"v1.01\": must be \"latest\" or \"v1.x\"",
            ]
        );
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn warn_follows_a_stricter_valid_enforce_level_and_its_version() {
        let (policy, errors) = policy_to_evaluate(
            &labels(&[
                (ENFORCE_LABEL, "baseline"),
                (ENFORCE_VERSION_LABEL, "v1.30"),
            ]),
            Policy::default(),
        );
        assert!(errors.is_empty());
        assert_eq!(policy.warn.to_string(), "baseline:v1.30");
        assert_eq!(policy.audit.to_string(), "privileged:latest");
        // An explicit warn version is kept; an explicit warn level stops the rule.
        let (policy, _) = policy_to_evaluate(
            &labels(&[(ENFORCE_LABEL, "restricted"), (WARN_VERSION_LABEL, "v1.20")]),
            Policy::default(),
        );
        assert_eq!(policy.warn.to_string(), "restricted:v1.20");
        let (policy, _) = policy_to_evaluate(
            &labels(&[(ENFORCE_LABEL, "restricted"), (WARN_LABEL, "privileged")]),
            Policy::default(),
        );
        assert_eq!(policy.warn.to_string(), "privileged:latest");
    }

    #[test]
    fn an_invalid_enforce_level_does_not_move_warn_and_invalid_audit_and_warn_fail_open() {
        let defaults = Policy {
            warn: LevelVersion {
                level: Level::Baseline,
                version: Version::Latest,
            },
            ..Policy::default()
        };
        let (policy, errors) = policy_to_evaluate(
            &labels(&[
                (ENFORCE_LABEL, "Restricted"),
                (AUDIT_LABEL, "x"),
                (WARN_VERSION_LABEL, "v1"),
            ]),
            defaults,
        );
        assert_eq!(policy.enforce.to_string(), "restricted:latest");
        assert_eq!(policy.audit.to_string(), "privileged:latest");
        assert_eq!(policy.warn.to_string(), "baseline:latest");
        assert_eq!(
            aggregate(&errors),
            "[metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"Restricted\": must be one of privileged, baseline, restricted, \
             metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"x\": must be one of privileged, baseline, restricted, \
             metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"v1\": must be \"latest\" or \"v1.x\"]"
        );
    }

    #[test]
    fn no_labels_keep_the_defaults_and_equivalence_ignores_privileged_versions() {
        let defaults = Policy {
            audit: LevelVersion {
                level: Level::Restricted,
                version: Version::Minor(30),
            },
            ..Policy::default()
        };
        assert_eq!(policy_to_evaluate(&labels(&[]), defaults).0, defaults);
        let mut other = defaults;
        other.enforce.version = Version::Minor(3);
        assert!(other.equivalent(&defaults));
        other.audit.version = Version::Latest;
        assert!(!other.equivalent(&defaults));
    }
}
