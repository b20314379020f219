//! The target Kubernetes version (`k8s-version` option), which decides whether
//! an API version is merely deprecated or already removed.

use palisade_core::Options;

/// The option naming the cluster version manifests are checked against.
pub const K8S_VERSION_OPTION: &str = "k8s-version";

/// A Kubernetes 1.x release, by minor number: `1.34` is `Minor(34)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minor(pub u32);

impl std::fmt::Display for Minor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

/// Reads `1.34`, `v1.34`, `1.34.2` or `v1.34.2-gke.100`: the patch and any
/// build suffix do not change which APIs a release serves.
pub fn parse_version(text: &str) -> Result<Minor, String> {
    let bad = || format!("{K8S_VERSION_OPTION}: {text:?} is not a Kubernetes version like 1.34");
    let trimmed = text.trim();
    let trimmed = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let mut parts = trimmed.splitn(3, '.');
    let (Some("1"), Some(minor)) = (parts.next(), parts.next()) else {
        return Err(bad());
    };
    if let Some(rest) = parts.next() {
        let patch = rest.split(['-', '+']).next().unwrap_or("");
        if patch.is_empty() || !patch.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
    }
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    minor.parse().map(Minor).map_err(|_| bad())
}

/// The target version, `None` for "the newest release" (every removal applies).
/// An unreadable value is refused by [`check_option`] before a run; should one
/// reach a check anyway, it counts as the newest release, the strictest reading.
pub fn target(options: &Options) -> Option<Minor> {
    options
        .get(K8S_VERSION_OPTION)
        .filter(|text| *text != LATEST)
        .and_then(|text| parse_version(text).ok())
}

/// The value that names the newest release (the `--k8s-version` default, which
/// the schema analyzer reads too).
pub const LATEST: &str = "latest";

/// Validates the option for an analyzer's `check_options`.
pub fn check_option(options: &Options) -> Result<(), String> {
    match options.get(K8S_VERSION_OPTION) {
        Some(text) if text != LATEST => parse_version(text).map(|_| ()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_by_minor() {
        assert_eq!(parse_version("1.34"), Ok(Minor(34)));
        assert_eq!(parse_version("v1.22.3"), Ok(Minor(22)));
        assert_eq!(parse_version("1.30.1-gke.100"), Ok(Minor(30)));
        for bad in ["", "1", "2.3", "1.x", "1.30.", "v", "1.-3", "1.99999999999"] {
            assert!(parse_version(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            parse_version("latest"),
            Err(r#"k8s-version: "latest" is not a Kubernetes version like 1.34"#.to_owned())
        );
    }

    #[test]
    fn the_option_sets_the_target() {
        let mut options = Options::default();
        assert_eq!(target(&options), None);
        options.set(K8S_VERSION_OPTION, "1.24");
        assert_eq!(target(&options), Some(Minor(24)));
        assert!(check_option(&options).is_ok());
        options.set(K8S_VERSION_OPTION, "one.24");
        assert!(check_option(&options).is_err());
        // `latest`, the flag's default, is the newest release.
        options.set(K8S_VERSION_OPTION, LATEST);
        assert!(check_option(&options).is_ok());
        assert_eq!(target(&options), None);
    }
}
