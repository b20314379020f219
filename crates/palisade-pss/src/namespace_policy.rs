//! The enforce policy a namespace's `pod-security.kubernetes.io/*` labels ask for,
//! read the way Pod Security Admission reads them.
//!
//! Only `enforce` matters to a scan: it decides what the API server rejects. An
//! invalid enforce level fails closed (`restricted`), an invalid version means
//! `latest`, and an absent label leaves the default, which without an admission
//! configuration is `privileged` (nothing enforced).

use palisade_core::NamespaceInfo;

use crate::{Level, LevelVersion, Version};

pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";

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
}
