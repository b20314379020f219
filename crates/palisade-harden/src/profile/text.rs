//! Checks of the profile's free text. Labels must be labels the API server
//! accepts (else the generated Namespace or NetworkPolicy is refused when
//! applied, or a selector silently selects nothing). Every other string that
//! ends up in the output (subjects, resources, verbs) must be one line: a
//! newline in a value would end the comment that quotes it, and the rest of
//! the value would be read as YAML, an injection into the manifests.

use std::collections::BTreeMap;

use palisade_core::names::{is_label_value, is_qualified_name};

use super::read::{Seg, key};
use super::validate::Invalid;

fn at(path: &[Seg], more: Seg) -> Vec<Seg> {
    path.iter().cloned().chain([more]).collect()
}

/// Refuses a string with a control or line-breaking character (newline, tab,
/// escape, the Unicode line separator, ...).
pub fn one_line(text: &str, path: Vec<Seg>, what: &str) -> Result<(), Invalid> {
    if text.chars().any(crate::yaml::breaks_or_controls) {
        return Err((
            path,
            format!(
                "{what} {text:?} contains a control character (such as a newline); write it on one line"
            ),
        ));
    }
    Ok(())
}

/// Checks each label of `labels` (at `path`, a mapping) as Kubernetes does.
pub fn labels(labels: &BTreeMap<String, String>, path: &[Seg]) -> Result<(), Invalid> {
    for (name, value) in labels {
        let place = at(path, key(name));
        if !is_qualified_name(name) {
            return Err((
                place,
                format!(
                    "label key {name:?} is not valid: an optional DNS subdomain prefix and '/', \
                     then at most 63 letters, digits, '-', '_' or '.', starting and ending with \
                     a letter or digit"
                ),
            ));
        }
        if !is_label_value(value) {
            return Err((
                place,
                format!(
                    "label {name}: value {value:?} is not valid: empty, or at most 63 letters, \
                     digits, '-', '_' or '.', starting and ending with a letter or digit"
                ),
            ));
        }
    }
    Ok(())
}
