//! The repository part of a container image reference, for checks that
//! recognise known components by image.

/// `registry.example/team/app` for `registry.example/team/app:1.2@sha256:...`:
/// the digest and the tag (a `:` after the last `/`, not a registry port) go.
/// Written by hand: only this split is needed, not a full reference parser.
pub fn repository(image: &str) -> &str {
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    }
}

/// The last path segment of the repository: `tiller` for `ghcr.io/helm/tiller:v2`.
pub fn base_name(image: &str) -> &str {
    let repository = repository(image);
    repository.rsplit('/').next().unwrap_or(repository)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_digests_and_ports_are_told_apart() {
        assert_eq!(repository("nginx"), "nginx");
        assert_eq!(repository("nginx:1.25"), "nginx");
        assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(
            repository("localhost:5000/app:1@sha256:abc"),
            "localhost:5000/app"
        );
        assert_eq!(base_name("gcr.io/kubernetes-helm/tiller:v2.16.1"), "tiller");
        assert_eq!(base_name(""), "");
    }
}
