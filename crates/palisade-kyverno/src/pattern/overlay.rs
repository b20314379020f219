//! The overlay walk of Kyverno's `validate.MatchPattern`
//! (`pkg/engine/validate/validate.go`, `pkg/engine/anchor/handlers.go`).
//!
//! A map pattern needs a map and is checked key by key: first the
//! conditional, existence, equality and negation anchors (sorted by key),
//! then the other keys with global anchors and keys whose values hold
//! anchors first. A list pattern's first element is applied to every
//! resource element; a scalar pattern against a list is applied to each
//! element. Failures carry Kyverno's path (`/spec/containers/0/image/`) and
//! message, and a class: a conditional or global anchor that did not hold
//! makes the failure a skip, wherever it was raised (inside a list, only
//! when no element applied).

use super::anchor::{self, Anchor, AnchorKind};
use super::go_number::{self, NumberOrigin};
use super::{scalar, wildcard_keys};
use crate::Json;
use serde_json::Map;
use std::collections::BTreeMap;

/// Deeper patterns are refused: the walk recurses along the pattern.
const MAX_DEPTH: usize = 200;

/// What kind of error a failure is, as Kyverno's error types tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// A plain mismatch.
    Plain,
    /// A negation anchor's key was present.
    Negation,
    /// A conditional or global anchor did not hold: the rule does not apply.
    Skip,
}

/// One failed check: where, why, and what kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub path: String,
    pub message: String,
    pub class: Class,
}

impl Failure {
    fn plain(path: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            path: path.into(),
            message: message.into(),
            class: Class::Plain,
        }
    }
}

type Walked = Result<(), Failure>;

/// The state of one `MatchPattern` call.
#[derive(Default)]
pub(crate) struct Walk {
    /// For each conditional or existence anchor written in the pattern,
    /// whether its key was ever found in the resource map beside it
    /// (Kyverno's `AnchorMap`).
    anchor_keys_seen: BTreeMap<String, bool>,
}

impl Walk {
    /// Whether some conditional or existence anchor key of the pattern never
    /// occurred in the resource.
    pub(crate) fn anchor_keys_missing(&self) -> bool {
        self.anchor_keys_seen.values().any(|seen| !seen)
    }

    /// Kyverno's `validateResourceElement`.
    pub(crate) fn element(
        &mut self,
        resource: &Json,
        pattern: &Json,
        path: &str,
        depth: usize,
    ) -> Walked {
        if depth > MAX_DEPTH {
            return Err(Failure::plain(
                "",
                format!("pattern nested deeper than {MAX_DEPTH} levels at {path}"),
            ));
        }
        match pattern {
            Json::Object(pattern_map) => {
                let Json::Object(resource_map) = resource else {
                    return Err(Failure::plain(
                        path,
                        format!(
                            "pattern and resource have different structures. Path: {path}. Expected {}, found {}",
                            go_type(pattern),
                            go_type(resource)
                        ),
                    ));
                };
                self.note_anchor_keys(pattern_map, resource_map);
                self.map(resource_map, pattern_map, path, depth)
            }
            Json::Array(pattern_list) => {
                let Json::Array(resource_list) = resource else {
                    return Err(Failure::plain(
                        path,
                        format!(
                            "validation rule failed at path {path}, resource does not satisfy the expected overlay pattern"
                        ),
                    ));
                };
                self.list(resource_list, pattern_list, path, depth)
            }
            _ => match resource {
                Json::Array(items) => scalar_in_list(items, pattern, path),
                _ if scalar::validate(resource, pattern) => Ok(()),
                _ => Err(leaf_mismatch(
                    go_number::sprint(resource, NumberOrigin::Unstructured),
                    pattern,
                    path,
                )),
            },
        }
    }

    /// Kyverno's `AnchorMap.CheckAnchorInResource` (negation anchors are
    /// tracked there too but never count as missing, so they are left out).
    fn note_anchor_keys(&mut self, pattern: &Map<String, Json>, resource: &Map<String, Json>) {
        for key in pattern.keys() {
            let Some(anchor) = anchor::parse(key) else {
                continue;
            };
            if !matches!(anchor.kind, AnchorKind::Conditional | AnchorKind::Existence) {
                continue;
            }
            let seen = self.anchor_keys_seen.entry(key.clone()).or_insert(false);
            if resource.contains_key(anchor.key) {
                *seen = true;
            }
        }
    }

    /// Kyverno's `validateMap`.
    fn map(
        &mut self,
        resource: &Map<String, Json>,
        pattern: &Map<String, Json>,
        path: &str,
        depth: usize,
    ) -> Walked {
        let pattern = wildcard_keys::expand_in_metadata(pattern, resource);
        let mut anchored: Vec<(&String, Anchor<'_>, &Json)> = Vec::new();
        let mut others: Vec<(&String, &Json)> = Vec::new();
        for (key, value) in pattern.iter() {
            match anchor::parse(key) {
                Some(a) if is_phase_one(a.kind) => anchored.push((key, a, value)),
                _ => others.push((key, value)),
            }
        }
        anchored.sort_by(|a, b| a.0.cmp(b.0));
        for (_, anchor, value) in anchored {
            self.anchored_key(resource, anchor, value, path, depth)?;
        }
        for (key, value) in order_other_keys(others) {
            match anchor::parse(key) {
                Some(a) if a.kind == AnchorKind::Global => {
                    self.anchored_key(resource, a, value, path, depth)?
                }
                _ => self.plain_key(resource, key, value, path, depth)?,
            }
        }
        Ok(())
    }

    /// The handlers of `pkg/engine/anchor/handlers.go`.
    fn anchored_key(
        &mut self,
        resource: &Map<String, Json>,
        anchor: Anchor<'_>,
        pattern: &Json,
        path: &str,
        depth: usize,
    ) -> Walked {
        let key_path = format!("{path}{}/", anchor.key);
        let value = resource.get(anchor.key);
        match anchor.kind {
            AnchorKind::Conditional => match value {
                Some(value) => self
                    .element(value, pattern, &key_path, depth + 1)
                    .map_err(|failure| as_skip(failure, "conditional anchor mismatch")),
                None => Err(Failure {
                    path: key_path,
                    message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource"
                        .to_string(),
                    class: Class::Skip,
                }),
            },
            AnchorKind::Global => match value {
                Some(value) => self
                    .element(value, pattern, &key_path, depth + 1)
                    .map_err(|failure| as_skip(failure, "global anchor mismatch")),
                None => Ok(()),
            },
            AnchorKind::Equality => match value {
                Some(value) => self.element(value, pattern, &key_path, depth + 1),
                None => Ok(()),
            },
            AnchorKind::Negation => match value {
                Some(_) => Err(Failure {
                    message: format!("negation anchor matched in resource: {key_path} is not allowed"),
                    path: key_path,
                    class: Class::Negation,
                }),
                None => Ok(()),
            },
            AnchorKind::Existence => match value {
                Some(value) => self.existence(value, pattern, &key_path, depth),
                None => Ok(()),
            },
            AnchorKind::AddIfNotPresent => {
                let literal = anchor::format(anchor.kind, anchor.key);
                self.plain_key(resource, &literal, pattern, path, depth)
            }
        }
    }

    /// `^(key)`: for every map in the pattern list, some element of the
    /// resource list must match it. Errors of the elements tried are dropped.
    fn existence(&mut self, value: &Json, pattern: &Json, key_path: &str, depth: usize) -> Walked {
        let Json::Array(resource_list) = value else {
            return Err(Failure::plain(
                key_path,
                format!(
                    "invalid resource type {}: Existence ^ () anchor can be used only on list/array type resource",
                    go_type(value)
                ),
            ));
        };
        let Json::Array(pattern_list) = pattern else {
            return Err(Failure::plain(
                key_path,
                format!(
                    "invalid pattern type {}: Pattern has to be of list to compare against resource",
                    go_type(pattern)
                ),
            ));
        };
        for pattern_element in pattern_list {
            if !pattern_element.is_object() {
                return Err(Failure::plain(
                    key_path,
                    format!(
                        "invalid pattern type {}: Pattern has to be of type map to compare against items in resource",
                        go_type(pattern)
                    ),
                ));
            }
            let found = resource_list.iter().enumerate().any(|(index, item)| {
                self.element(
                    item,
                    pattern_element,
                    &format!("{key_path}{index}/"),
                    depth + 1,
                )
                .is_ok()
            });
            if !found {
                return Err(Failure::plain(
                    key_path,
                    format!("existence anchor validation failed at path {key_path}"),
                ));
            }
        }
        Ok(())
    }

    /// Kyverno's default handler: a literal key, where `"*"` asks for any
    /// non-null value.
    fn plain_key(
        &mut self,
        resource: &Map<String, Json>,
        key: &str,
        pattern: &Json,
        path: &str,
        depth: usize,
    ) -> Walked {
        let value = resource.get(key).unwrap_or(&Json::Null);
        if pattern.as_str() == Some("*") {
            return if value.is_null() {
                Err(Failure::plain(path, format!("{path}/{key} not found")))
            } else {
                Ok(())
            };
        }
        self.element(value, pattern, &format!("{path}{key}/"), depth + 1)
    }

    /// Kyverno's `validateArray`.
    fn list(&mut self, resource: &[Json], pattern: &[Json], path: &str, depth: usize) -> Walked {
        let Some(first) = pattern.first() else {
            return Err(Failure::plain(path, "pattern Array empty"));
        };
        match first {
            Json::Object(_) => self.each_element(resource.iter().enumerate(), first, path, depth),
            Json::Array(_) => {
                // Lists of lists are matched position by position.
                if resource.len() < pattern.len() {
                    return Err(Failure::plain(
                        "",
                        format!(
                            "validate Array failed, array length mismatch, resource Array len is {} and pattern Array len is {}",
                            resource.len(),
                            pattern.len()
                        ),
                    ));
                }
                let mut applied = 0;
                let mut skipped = Vec::new();
                for (index, (item, pattern_item)) in resource.iter().zip(pattern).enumerate() {
                    match self.element(item, pattern_item, &format!("{path}{index}/"), depth + 1) {
                        Ok(()) => applied += 1,
                        Err(failure) if failure.class == Class::Skip => skipped.push(failure),
                        Err(failure) => return Err(failure),
                    }
                }
                skip_unless_applied(applied, skipped, path)
            }
            scalar_pattern => scalar_in_list(resource, scalar_pattern, path),
        }
    }

    /// Kyverno's `validateArrayOfMaps`: every element must match; elements
    /// where a conditional anchor does not hold are left out, and if none is
    /// left the failure is a skip.
    fn each_element<'r>(
        &mut self,
        items: impl Iterator<Item = (usize, &'r Json)>,
        pattern: &Json,
        path: &str,
        depth: usize,
    ) -> Walked {
        let mut applied = 0;
        let mut skipped = Vec::new();
        for (index, item) in items {
            match self.element(item, pattern, &format!("{path}{index}/"), depth + 1) {
                Ok(()) => applied += 1,
                Err(failure) if failure.class == Class::Skip => skipped.push(failure),
                Err(failure) => return Err(failure),
            }
        }
        skip_unless_applied(applied, skipped, path)
    }
}

/// A scalar pattern against a list: every element must satisfy it.
fn scalar_in_list(items: &[Json], pattern: &Json, path: &str) -> Walked {
    if items.iter().all(|item| scalar::validate(item, pattern)) {
        return Ok(());
    }
    let shown: Vec<String> = items
        .iter()
        .map(|item| go_number::sprint(item, NumberOrigin::Unstructured))
        .collect();
    Err(leaf_mismatch(
        format!("[{}]", shown.join(" ")),
        pattern,
        path,
    ))
}

fn leaf_mismatch(shown_value: String, pattern: &Json, path: &str) -> Failure {
    Failure::plain(
        path,
        format!(
            "resource value '{shown_value}' does not match '{}' at path {path}",
            go_number::sprint(pattern, NumberOrigin::Float64)
        ),
    )
}

/// Anchors handled before the other keys of a map.
fn is_phase_one(kind: AnchorKind) -> bool {
    matches!(
        kind,
        AnchorKind::Conditional
            | AnchorKind::Existence
            | AnchorKind::Equality
            | AnchorKind::Negation
    )
}

/// Kyverno's `getSortedNestedAnchorResource`: keys in sorted order, each
/// global anchor or key whose value holds anchors pushed to the front (so
/// those come in reverse sorted order), the rest appended.
fn order_other_keys<'p>(mut keys: Vec<(&'p String, &'p Json)>) -> Vec<(&'p String, &'p Json)> {
    keys.sort_by(|a, b| a.0.cmp(b.0));
    let mut front = Vec::new();
    let mut back = Vec::new();
    for (key, value) in keys {
        let global = anchor::parse(key).is_some_and(|a| a.kind == AnchorKind::Global);
        if global || has_nested_anchors(value, 0) {
            front.push((key, value));
        } else {
            back.push((key, value));
        }
    }
    front.reverse();
    front.extend(back);
    front
}

/// Whether a pattern value holds an anchor key at any depth.
fn has_nested_anchors(pattern: &Json, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match pattern {
        Json::Object(map) => {
            map.keys()
                .any(|key| anchor::parse(key).is_some_and(|a| a.kind.is_validation_anchor()))
                || map
                    .values()
                    .any(|value| has_nested_anchors(value, depth + 1))
        }
        Json::Array(items) => items.iter().any(|item| has_nested_anchors(item, depth + 1)),
        _ => false,
    }
}

/// A conditional or global anchor turns whatever failed below it into a skip.
fn as_skip(failure: Failure, prefix: &str) -> Failure {
    Failure {
        path: failure.path,
        message: format!("{prefix}: {}", failure.message),
        class: Class::Skip,
    }
}

fn skip_unless_applied(applied: usize, skipped: Vec<Failure>, path: &str) -> Walked {
    if applied > 0 || skipped.is_empty() {
        return Ok(());
    }
    let message = skipped
        .iter()
        .map(|failure| failure.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Err(Failure {
        path: path.to_string(),
        message,
        class: Class::Skip,
    })
}

/// Go's `%T` of a decoded JSON value, for Kyverno's messages.
fn go_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "<nil>",
        Json::Bool(_) => "bool",
        Json::Number(number) if number.is_i64() => "int64",
        Json::Number(_) => "float64",
        Json::String(_) => "string",
        Json::Array(_) => "[]interface {}",
        Json::Object(_) => "map[string]interface {}",
    }
}
