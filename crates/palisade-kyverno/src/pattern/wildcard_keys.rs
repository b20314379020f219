//! Wildcard keys under `metadata.labels` and `metadata.annotations` of a
//! pattern (Kyverno's `wildcards.ExpandInMetadata`): before a map is checked,
//! each such key containing `*` or `?` (anchored or not) is replaced by one
//! resource key it matches, so `X(fluxcd.io/*): "*?"` forbids any annotation
//! under `fluxcd.io/`. Only that one key is checked. With no matching key the
//! pattern key stays as written. Keys elsewhere are always literal.
//!
//! Kyverno picks the first match in Go's random map order; here it is the
//! first match in sorted key order, so results are repeatable. The expansion
//! applies at every level where a map has a `metadata` key (so also
//! `spec.template.metadata`), and only when the pattern's and the resource's
//! label or annotation maps hold strings, as Kyverno requires.

use super::anchor;
use crate::Json;
use crate::wildcard;
use serde_json::Map;
use std::borrow::Cow;

/// The pattern map with wildcard label and annotation keys replaced by the
/// resource keys they match; borrowed unchanged when nothing applies.
pub fn expand_in_metadata<'p>(
    pattern: &'p Map<String, Json>,
    resource: &Map<String, Json>,
) -> Cow<'p, Map<String, Json>> {
    let Some((metadata_key, Json::Object(pattern_metadata))) = entry_for("metadata", pattern)
    else {
        return Cow::Borrowed(pattern);
    };
    let Some(Json::Object(resource_metadata)) = resource.get("metadata") else {
        return Cow::Borrowed(pattern);
    };
    let mut new_metadata: Option<Map<String, Json>> = None;
    for tag in ["labels", "annotations"] {
        if let Some((tag_key, expanded)) = expand_tag(tag, pattern_metadata, resource_metadata) {
            new_metadata
                .get_or_insert_with(|| pattern_metadata.clone())
                .insert(tag_key.to_string(), Json::Object(expanded));
        }
    }
    match new_metadata {
        None => Cow::Borrowed(pattern),
        Some(metadata) => {
            let mut expanded = pattern.clone();
            expanded.insert(metadata_key.to_string(), Json::Object(metadata));
            Cow::Owned(expanded)
        }
    }
}

/// The entry whose key is `tag`, plainly or inside an anchor (Kyverno's
/// `getPatternValue`); the plain key wins when both are written.
fn entry_for<'m>(tag: &str, map: &'m Map<String, Json>) -> Option<(&'m str, &'m Json)> {
    if let Some((key, value)) = map.get_key_value(tag) {
        return Some((key.as_str(), value));
    }
    map.iter()
        .find(|(key, _)| anchor::parse(key).is_some_and(|a| a.key == tag))
        .map(|(key, value)| (key.as_str(), value))
}

/// A map of strings, or `None` when the entry is missing, null or holds
/// anything else (Kyverno would stop there).
fn string_map<'m>(
    tag: &str,
    map: &'m Map<String, Json>,
) -> Option<(&'m str, Vec<(&'m str, &'m str)>)> {
    let (key, value) = entry_for(tag, map)?;
    let Json::Object(entries) = value else {
        return None;
    };
    let strings = entries
        .iter()
        .map(|(k, v)| v.as_str().map(|text| (k.as_str(), text)))
        .collect::<Option<Vec<_>>>()?;
    Some((key, strings))
}

fn expand_tag<'m>(
    tag: &str,
    pattern_metadata: &'m Map<String, Json>,
    resource_metadata: &Map<String, Json>,
) -> Option<(&'m str, Map<String, Json>)> {
    let (pattern_key, pattern_entries) = string_map(tag, pattern_metadata)?;
    // Nothing to expand: the pattern stands as written (no copy).
    if !pattern_entries
        .iter()
        .any(|(key, _)| wildcard::has_wildcards(key))
    {
        return None;
    }
    let (_, resource_entries) = string_map(tag, resource_metadata)?;
    let mut resource_keys: Vec<&str> = resource_entries.iter().map(|(k, _)| *k).collect();
    // Sorted already unless serde_json's preserve_order is ever enabled.
    resource_keys.sort_unstable();
    let first_match = |pattern: &str| -> Option<String> {
        resource_keys
            .iter()
            .find(|key| wildcard::matches(pattern, key))
            .map(|key| key.to_string())
    };
    let mut expanded = Map::new();
    for (key, value) in pattern_entries {
        let new_key = if !wildcard::has_wildcards(key) {
            key.to_string()
        } else if let Some(anchored) = anchor::parse(key) {
            match first_match(anchored.key) {
                Some(found) => anchor::format(anchored.kind, &found),
                None => key.to_string(),
            }
        } else {
            first_match(key).unwrap_or_else(|| key.to_string())
        };
        expanded.insert(new_key, Json::String(value.to_string()));
    }
    Some((pattern_key, expanded))
}

#[cfg(test)]
mod tests {
    use super::expand_in_metadata;
    use crate::Json;
    use serde_json::json;

    fn expand(pattern: Json, resource: Json) -> Json {
        match (pattern, resource) {
            (Json::Object(p), Json::Object(r)) => {
                Json::Object(expand_in_metadata(&p, &r).into_owned())
            }
            _ => Json::Null,
        }
    }

    #[test]
    fn wildcard_label_key_becomes_the_matching_resource_key() {
        let out = expand(
            json!({"metadata": {"labels": {"app.kubernetes.io/*": "?*"}}}),
            json!({"metadata": {"labels": {"app.kubernetes.io/name": "web", "team": "a"}}}),
        );
        assert_eq!(
            out,
            json!({"metadata": {"labels": {"app.kubernetes.io/name": "?*"}}})
        );
    }

    #[test]
    fn anchored_wildcard_keeps_its_anchor() {
        // other/restrict-annotations: X(fluxcd.io/*) forbids the matching annotation.
        let out = expand(
            json!({"metadata": {"=(annotations)": {"X(fluxcd.io/*)": "*?"}}}),
            json!({"metadata": {"annotations": {"fluxcd.io/automated": "true"}}}),
        );
        assert_eq!(
            out,
            json!({"metadata": {"=(annotations)": {"X(fluxcd.io/automated)": "*?"}}})
        );
    }

    #[test]
    fn no_match_or_no_resource_labels_leaves_the_pattern_alone() {
        let pattern = json!({"metadata": {"labels": {"foo/*": "bar"}}});
        assert_eq!(
            expand(pattern.clone(), json!({"metadata": {"labels": {"x": "y"}}})),
            pattern
        );
        assert_eq!(expand(pattern.clone(), json!({"metadata": {}})), pattern);
        assert_eq!(expand(pattern.clone(), json!({"spec": {}})), pattern);
    }

    #[test]
    fn first_match_is_the_smallest_key() {
        let out = expand(
            json!({"metadata": {"labels": {"foo/*": "bar"}}}),
            json!({"metadata": {"labels": {"foo/b": "1", "foo/a": "2"}}}),
        );
        assert_eq!(out, json!({"metadata": {"labels": {"foo/a": "bar"}}}));
    }
}
