//! From the input flags to the loader's [`InputOptions`]: `--exclude` and the
//! arguments Helm charts are rendered with (`--helm-values`, `--helm-set`,
//! `--helm-release`, and `-n` as the release namespace where the command has it)
//! and `--no-render`.

use palisade_load::{HelmOptions, InputOptions};

use crate::cli::InputArgs;

/// Helm's limit on a release name's length (its names must also be DNS-1123
/// subdomains; `helm template` refuses others).
const MAX_RELEASE_NAME: usize = 53;

/// A release name as `helm template` accepts one.
pub fn parse_release_name(text: &str) -> Result<String, String> {
    if text.len() <= MAX_RELEASE_NAME && palisade_core::names::is_dns1123_subdomain(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a Helm release name: at most {MAX_RELEASE_NAME} lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
        ))
    }
}

/// The loader's options for these flags; `namespace` is the command's `-n`.
pub fn input_options(input: &InputArgs, namespace: Option<&str>) -> InputOptions {
    InputOptions {
        exclude: input.exclude.clone(),
        helm: HelmOptions {
            release: input.helm_release.clone(),
            namespace: namespace.map(str::to_owned),
            values: input.helm_values.clone(),
            set: input.helm_set.clone(),
        },
        raw: input.no_render,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_are_helms() {
        for good in ["web", "my-app.v2", "a"] {
            assert_eq!(parse_release_name(good).as_deref(), Ok(good));
        }
        let long = "a".repeat(54);
        for bad in ["", "-web", "Web", "web_1", "--set", long.as_str()] {
            assert!(parse_release_name(bad).is_err(), "{bad:?}");
        }
    }
}
