//! Kubernetes object names as the API server validates them (apimachinery's
//! `IsDNS1123Label` and `IsDNS1123Subdomain`): one implementation for every
//! place that checks a namespace, runtime class or other name.

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
}
