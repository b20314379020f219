//! Kubernetes object names and labels as the API server validates them
//! (apimachinery's `IsDNS1123Label`, `IsDNS1123Subdomain`, `IsQualifiedName`
//! and `IsValidLabelValue`): one implementation for every place that checks a
//! namespace, runtime class or other name, or a label.

/// Lower-case letters, digits and `-`, starting and ending with a letter or digit.
fn label_characters(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !part.starts_with('-')
        && !part.ends_with('-')
}

/// An RFC 1123 label of at most 63 characters (a namespace name).
pub fn is_dns1123_label(name: &str) -> bool {
    name.len() <= 63 && label_characters(name)
}

/// An RFC 1123 subdomain: dot-separated labels, 253 characters at most.
pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(label_characters)
}

/// The name part of a qualified name or a non-empty label value: at most 63
/// letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit.
fn name_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    part.len() <= 63
        && alnum(bytes.first())
        && alnum(bytes.last())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A label or annotation key (apimachinery's `IsQualifiedName`): a name part,
/// optionally after a DNS subdomain prefix and `/`.
pub fn is_qualified_name(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty() && is_dns1123_subdomain(prefix) && name_part(name)
        }
        None => name_part(key),
    }
}

/// A label value (apimachinery's `IsValidLabelValue`): empty, or a name part.
pub fn is_label_value(value: &str) -> bool {
    value.is_empty() || name_part(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains() {
        assert!(is_dns1123_label("kube-system"));
        assert!(is_dns1123_label(&"a".repeat(63)));
        for bad in ["", "Kube", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1123_subdomain("kata.example.com"));
        assert!(is_dns1123_subdomain(&"a".repeat(100)));
        for bad in ["", "a..b", ".a", "A.b", &"a".repeat(254)] {
            assert!(!is_dns1123_subdomain(bad), "{bad}");
        }
    }

    #[test]
    fn label_keys_and_values() {
        for good in ["app", "app.kubernetes.io/name", "a_b.c-d", "example.com/A1"] {
            assert!(is_qualified_name(good), "{good}");
        }
        let long = "a".repeat(64);
        let long_key = format!("example.com/{long}");
        for bad in [
            "",
            "/a",
            "a/",
            "a/b/c",
            "-a",
            "a b",
            "Example.com/a",
            &long,
            &long_key,
        ] {
            assert!(!is_qualified_name(bad), "{bad}");
        }
        for good in ["", "web", "v1.2_3-x"] {
            assert!(is_label_value(good), "{good}");
        }
        for bad in ["-web", "a\nb", "a/b", "web.", &long] {
            assert!(!is_label_value(bad), "{bad}");
        }
    }
}
