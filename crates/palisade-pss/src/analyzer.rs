//! Pod Security Standards as an [`Analyzer`]: the `pss` rules, configured by the
//! `pss-level` and `pss-version` options (default `restricted:latest`).

use palisade_core::{Analyzer, Fact, Finding, Inventory, Options, Rule};

use crate::{Level, LevelVersion, Version};

/// The option naming the target level: `privileged`, `baseline`, `restricted`.
pub const LEVEL_OPTION: &str = "pss-level";
/// The option naming the policy version: `latest` or `v1.N`.
pub const VERSION_OPTION: &str = "pss-version";

/// Every pod template evaluated at the target policy, with the namespaces'
/// enforce labels marking what admission would reject.
#[derive(Clone, Copy, Debug, Default)]
pub struct PodSecurity;

impl PodSecurity {
    /// The target policy the options name; `restricted:latest` by default.
    pub fn target(options: &Options) -> Result<LevelVersion, String> {
        let level = match options.get(LEVEL_OPTION) {
            Some(text) => text
                .parse()
                .map_err(|e| format!("--{LEVEL_OPTION} {text:?}: {e}"))?,
            None => Level::Restricted,
        };
        let version = match options.get(VERSION_OPTION) {
            Some(text) => parse_known_version(text)?,
            None => Version::Latest,
        };
        Ok(LevelVersion { level, version })
    }
}

/// `latest` or a `v1.N` that some release of the Pod Security Standards defined:
/// a version past the newest known one is more likely a typo than a future
/// cluster, so it is an error naming the known range.
pub fn parse_known_version(text: &str) -> Result<Version, String> {
    let known = format!(
        "known versions are v1.0 to v1.{}, or latest",
        crate::LATEST_MINOR
    );
    let version: Version = text
        .parse()
        .map_err(|e| format!("--{VERSION_OPTION} {text:?}: {e}; {known}"))?;
    match version {
        Version::Minor(minor) if minor > crate::LATEST_MINOR => Err(format!(
            "--{VERSION_OPTION} {text:?} is not a Pod Security Standards version this build knows; {known}"
        )),
        _ => Ok(version),
    }
}

impl Analyzer for PodSecurity {
    fn name(&self) -> &'static str {
        "pss"
    }

    fn description(&self) -> &'static str {
        "Pod Security Standards: every check of baseline and restricted, as the API server decides them"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        crate::checks().iter().map(|check| &check.rule).collect()
    }

    fn check_options(&self, options: &Options) -> Result<(), String> {
        PodSecurity::target(options).map(|_| ())
    }

    fn facts(&self, options: &Options) -> Vec<Fact> {
        PodSecurity::target(options)
            .map(|target| Fact {
                key: "pssPolicy",
                label: "Pod Security Standards",
                value: target.to_string(),
            })
            .into_iter()
            .collect()
    }

    fn analyze(&self, inventory: &Inventory, options: &Options) -> Vec<Finding> {
        // Options were checked before the input was read; a bad value cannot
        // reach here, and the default is the safe reading if one did.
        let target = PodSecurity::target(options).unwrap_or(LevelVersion {
            level: Level::Restricted,
            version: Version::Latest,
        });
        crate::findings::scan(inventory, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_past_the_newest_known_are_rejected_with_the_range() {
        assert_eq!(parse_known_version("v1.30"), Ok(Version::Minor(30)));
        assert_eq!(parse_known_version("latest"), Ok(Version::Latest));
        let error = parse_known_version("v1.99").unwrap_err();
        assert!(error.contains("v1.0 to v1.37"), "{error}");
        assert!(parse_known_version("1.30").is_err());
    }

    #[test]
    fn the_target_comes_from_the_options() {
        let mut options = Options::default();
        assert_eq!(
            PodSecurity::target(&options).map(|t| t.to_string()),
            Ok("restricted:latest".to_owned())
        );
        options
            .set(LEVEL_OPTION, "baseline")
            .set(VERSION_OPTION, "v1.29");
        assert_eq!(
            PodSecurity::target(&options).map(|t| t.to_string()),
            Ok("baseline:v1.29".to_owned())
        );
        options.set(LEVEL_OPTION, "strict");
        assert!(PodSecurity::check_options(&PodSecurity, &options).is_err());
    }
}
