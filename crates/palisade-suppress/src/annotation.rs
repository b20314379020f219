//! Suppression annotations: one per rule, with a reason, on the object or on a
//! pod template, optionally narrowed to one container.
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     ignore.palisade.dev/pss.runAsNonRoot: "image needs root until OPS-12; expires=2027-01-31"
//!     container.ignore.palisade.dev/istio-proxy.workload.read-only-root-filesystem: "sidecar writes /etc/istio"
//! ```
//!
//! The key must be a valid annotation key, which apimachinery checks with
//! `IsQualifiedName`: one optional DNS-subdomain prefix, one `/`, then a name
//! of at most 63 characters of `[A-Za-z0-9._-]` that starts and ends with an
//! alphanumeric. Rule ids hold `/` (`pss/runAsNonRoot`), so the name is the
//! rule id with each `/` written as `.`; a shorter name ending at a segment
//! boundary covers every rule below it (`ignore.palisade.dev/pss` covers every
//! Pod Security rule), which also reaches family members whose ids are too
//! long to spell out (`policy.K8sRequiredLabels`). The container form puts the
//! container's name first: container names are DNS labels, which hold no `.`,
//! so the first `.` ends it.
//!
//! The value is the reason, optionally followed by `; expires=YYYY-MM-DD`.
//! An annotation without a reason, naming no rule, or with an unreadable date
//! suppresses nothing and is itself reported.

use std::sync::Arc;

use jiff::civil::Date;
use palisade_core::{Finding, Node, Object, Registry, SourceRef};

use crate::expiry::parse_date;
use crate::rules::{invalid_expiry, missing_reason, unknown_rule};
use crate::scope::Layout;

/// The key prefix of a suppression for a whole object or pod template.
pub const PREFIX: &str = "ignore.palisade.dev/";
/// The key prefix of a suppression for one container.
pub const CONTAINER_PREFIX: &str = "container.ignore.palisade.dev/";
/// apimachinery's `qualifiedNameMaxLength`: the longest name part of a key.
pub const MAX_NAME_LENGTH: usize = 63;

/// One valid suppression annotation.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub key: String,
    /// The rule id or prefix with `/` written as `.`.
    pub name: String,
    pub container: Option<String>,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where the key is written.
    pub at: SourceRef,
    /// The object's index in the inventory.
    pub object: usize,
    /// The pod template (index into the object's `Layout::templates`) whose
    /// annotations hold it; `None` on the object's own metadata.
    pub template: Option<usize>,
}

impl Annotation {
    /// True when the annotation's name covers the rule `id`.
    pub fn covers_rule(&self, id: &str) -> bool {
        name_covers(&self.name, id)
    }
}

/// The annotation name of a rule id: every `/` written as `.`.
pub fn dotted(id: &str) -> String {
    id.replace('/', ".")
}

/// True when the annotation name `name` covers the rule `id`: it is the id's
/// dotted form, or a prefix of it that ends where a segment does.
pub fn name_covers(name: &str, id: &str) -> bool {
    let id = dotted(id);
    id == name
        || id
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// True when `name` covers some registered rule, or names a member of a rule
/// family (`policy/*` reports `policy/<Kind>/<name>`).
pub fn is_known(name: &str, registry: &Registry) -> bool {
    registry
        .rules()
        .any(|rule| match rule.id.strip_suffix('*') {
            Some(family) => {
                let family = dotted(family);
                name.starts_with(&family) || name_covers(name, family.trim_end_matches('.'))
            }
            None => name_covers(name, rule.id),
        })
}

/// True when `name` is a valid name part of an annotation key
/// (apimachinery's `IsQualifiedName` name part).
pub fn is_qualified_name_part(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    !name.is_empty()
        && name.len() <= MAX_NAME_LENGTH
        && alnum(bytes.first())
        && alnum(bytes.last())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// What the annotations of one object hold.
#[derive(Debug, Default)]
pub struct Read {
    pub annotations: Vec<Annotation>,
    /// Annotations that suppress nothing because they are wrong.
    pub problems: Vec<Finding>,
}

/// Reads the suppression annotations of the object at `index`: on its own
/// metadata and on each pod template's (a Pod's template is the Pod itself, so
/// its annotations are read once).
pub fn read(index: usize, layout: &Layout<'_>, registry: &Registry, out: &mut Read) {
    let object = layout.object;
    read_metadata(object.metadata(), index, None, object, registry, out);
    for (t, template) in layout.templates.iter().enumerate() {
        if !template.path.is_empty() {
            read_metadata(template.metadata, index, Some(t), object, registry, out);
        }
    }
}

fn read_metadata(
    metadata: Option<&Node>,
    index: usize,
    template: Option<usize>,
    object: &Object,
    registry: &Registry,
    out: &mut Read,
) {
    let Some(map) = metadata
        .and_then(|m| m.get("annotations"))
        .and_then(Node::as_map)
    else {
        return;
    };
    for (key, value) in map.iter() {
        let at = SourceRef {
            file: Arc::clone(&object.source().file),
            pos: if key.pos.is_known() {
                key.pos
            } else {
                object.source().pos
            },
        };
        let problem = |rule: &palisade_core::Rule, message: String| {
            Finding::new(
                rule.id,
                rule.severity,
                message,
                &at,
                Some(object.reference().clone()),
            )
        };
        let (name, container) = if let Some(rest) = key.name.strip_prefix(CONTAINER_PREFIX) {
            match rest.split_once('.') {
                Some((container, name)) if !container.is_empty() => (name, Some(container)),
                _ => {
                    out.problems.push(problem(
                        &unknown_rule::RULE,
                        format!(
                            "annotation {:?} does not follow {CONTAINER_PREFIX}<container>.<rule id with / as .>",
                            key.name
                        ),
                    ));
                    continue;
                }
            }
        } else if let Some(name) = key.name.strip_prefix(PREFIX) {
            (name, None)
        } else {
            continue;
        };
        if !is_known(name, registry) {
            out.problems.push(problem(
                &unknown_rule::RULE,
                format!(
                    "annotation {:?} names no rule: write a rule id from `palisade rules` with each / as . (for example {PREFIX}pss.runAsNonRoot); it suppresses nothing",
                    key.name
                ),
            ));
            continue;
        }
        let (reason, expires) = split_value(value.as_str().unwrap_or(""));
        let expires = match expires.map(parse_date).transpose() {
            Ok(date) => date,
            Err(message) => {
                out.problems.push(problem(
                    &invalid_expiry::RULE,
                    format!(
                        "annotation {:?}: {message}; it suppresses nothing",
                        key.name
                    ),
                ));
                continue;
            }
        };
        if reason.is_empty() {
            out.problems.push(problem(
                &missing_reason::RULE,
                format!(
                    "annotation {:?} gives no reason; it suppresses nothing until its value says why",
                    key.name
                ),
            ));
            continue;
        }
        out.annotations.push(Annotation {
            key: key.name.to_string(),
            name: name.to_owned(),
            container: container.map(str::to_owned),
            reason: reason.to_owned(),
            expires,
            at,
            object: index,
            template,
        });
    }
}

/// Splits `reason; expires=DATE` into the reason and the date text.
pub fn split_value(value: &str) -> (&str, Option<&str>) {
    if let Some((reason, last)) = value.rsplit_once(';')
        && let Some(date) = last.trim().strip_prefix("expires=")
    {
        return (reason.trim(), Some(date));
    }
    match value.trim().strip_prefix("expires=") {
        Some(date) => ("", Some(date)),
        None => (value.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_ids_and_segment_prefixes() {
        assert!(name_covers("pss.runAsNonRoot", "pss/runAsNonRoot"));
        assert!(name_covers("pss", "pss/runAsNonRoot"));
        assert!(!name_covers("pss.run", "pss/runAsNonRoot"));
        assert!(!name_covers("ps", "pss/runAsNonRoot"));
        assert!(name_covers(
            "policy.K8sLabels",
            "policy/K8sLabels/must-have-owner"
        ));
        assert!(!name_covers("pss.runAsNonRoot.x", "pss/runAsNonRoot"));
    }

    #[test]
    fn values_split_into_reason_and_expiry() {
        assert_eq!(split_value("needs root"), ("needs root", None));
        assert_eq!(
            split_value(" needs root; expires=2027-01-31 "),
            ("needs root", Some("2027-01-31"))
        );
        assert_eq!(split_value("a; b"), ("a; b", None));
        assert_eq!(split_value("expires=2027-01-31"), ("", Some("2027-01-31")));
        assert_eq!(
            split_value(" ; expires=2027-01-31"),
            ("", Some("2027-01-31"))
        );
        assert_eq!(split_value(""), ("", None));
    }

    #[test]
    fn qualified_name_parts_follow_apimachinery() {
        assert!(is_qualified_name_part("pss.runAsNonRoot"));
        assert!(is_qualified_name_part("workload.read-only-root-filesystem"));
        assert!(!is_qualified_name_part("pss/runAsNonRoot"));
        assert!(!is_qualified_name_part("-pss"));
        assert!(!is_qualified_name_part("pss."));
        assert!(!is_qualified_name_part(&"a".repeat(64)));
        assert!(is_qualified_name_part(&"a".repeat(63)));
    }
}
