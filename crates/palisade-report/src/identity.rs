//! How the machine formats (SARIF, JUnit, PolicyReport) name the object a
//! finding is about, and the fingerprint that identifies a finding across runs.

use palisade_core::{Finding, ObjectRef};
use sha2::{Digest, Sha256};

/// `Kind/namespace/name`, or `Kind/name` for an object without a namespace.
pub fn qualified_name(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(namespace) => format!("{}/{namespace}/{}", object.kind, object.name),
        None => format!("{}/{}", object.kind, object.name),
    }
}

/// `Kind namespace/name`, or `Kind name`: the object as a person reads it.
pub fn display_name(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(namespace) => format!("{} {namespace}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// A hex SHA-256 of the rule, the object's identity (API group and version,
/// kind, namespace, name) and the message. The file, line and column are left
/// out on purpose: an edit above the object moves it without making it a new
/// finding, and code scanning adds the file path itself. SHA-256 rather than
/// std's hasher because the value must not change between Rust releases.
pub fn fingerprint(finding: &Finding) -> String {
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update(text.as_bytes());
        // A separator no field contains, so ("ab", "c") and ("a", "bc") differ.
        hasher.update([0u8]);
    };
    field(&finding.rule);
    match &finding.object {
        Some(object) => {
            field(&object.api_version);
            field(&object.kind);
            field(object.namespace.as_deref().unwrap_or(""));
            field(&object.name);
        }
        None => field(finding.file().unwrap_or("")),
    }
    field(&finding.message);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_core::{Pos, Severity, SourceRef};

    use super::*;

    fn finding(line: u32, name: &str, message: &str) -> Finding {
        let at = SourceRef {
            file: Arc::from("a.yaml"),
            pos: Pos::new(line, 3),
        };
        let object = ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("shop".into()),
            name: name.into(),
        };
        Finding::new("demo/x", Severity::High, message, &at, Some(object))
    }

    #[test]
    fn fingerprints_ignore_the_line_but_not_the_object_or_message() {
        let base = fingerprint(&finding(3, "web", "m"));
        assert_eq!(base.len(), 64);
        assert_eq!(base, fingerprint(&finding(40, "web", "m")));
        assert_ne!(base, fingerprint(&finding(3, "api", "m")));
        assert_ne!(base, fingerprint(&finding(3, "web", "n")));
    }

    #[test]
    fn names_show_the_namespace_only_when_there_is_one() {
        let mut object = ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("shop".into()),
            name: "web".into(),
        };
        assert_eq!(qualified_name(&object), "Pod/shop/web");
        assert_eq!(display_name(&object), "Pod shop/web");
        object.namespace = None;
        assert_eq!(qualified_name(&object), "Pod/web");
    }
}
