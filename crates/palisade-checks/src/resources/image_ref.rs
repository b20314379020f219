//! Container image references read as the container runtime reads them
//! (`github.com/distribution/reference`'s `ParseNormalizedNamed`): the
//! registry domain, the repository, an optional tag and an optional digest.
//!
//! Written by hand because only the split is needed, not validation: the image
//! checks ask "which registry", "which tag" and "is there a digest", and a crate
//! that rejects odd references would make them silently skip those.

/// The parts of an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// The registry host (with its port): `docker.io` when the reference names none.
    pub domain: &'a str,
    /// The path below the domain, without tag or digest (`library/nginx`).
    pub path: String,
    /// The tag, when written.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:...`), when written.
    pub digest: Option<&'a str>,
}

/// The registry Docker Hub references resolve to.
pub(crate) const DOCKER_HUB: &str = "docker.io";

impl<'a> ImageRef<'a> {
    /// Splits `image`; `None` for an empty reference (the API server requires
    /// one on regular containers, so an empty one is a schema problem).
    pub fn parse(image: &'a str) -> Option<ImageRef<'a>> {
        let image = image.trim();
        if image.is_empty() {
            return None;
        }
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        // A tag is after the last `:` that follows the last `/` (a `:` before
        // it separates a registry port).
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        // distribution's splitDockerDomain: the first component is a domain when
        // it has a `.` or `:`, is `localhost`, or has upper-case letters.
        let (domain, remainder) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first, rest)
            }
            _ => (DOCKER_HUB, name),
        };
        let domain = if domain == "index.docker.io" {
            DOCKER_HUB
        } else {
            domain
        };
        let path = if domain == DOCKER_HUB && !remainder.contains('/') {
            format!("library/{remainder}")
        } else {
            remainder.to_owned()
        };
        Some(ImageRef {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// `docker.io/library/nginx`: the repository with its domain.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    fn parts(image: &str) -> (String, Option<&str>, Option<&str>) {
        let r = ImageRef::parse(image).unwrap_or_else(|| panic!("{image} does not parse"));
        (r.repository(), r.tag, r.digest)
    }

    #[test]
    fn docker_hub_names_are_normalized() {
        assert_eq!(
            parts("nginx"),
            ("docker.io/library/nginx".into(), None, None)
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            ("docker.io/bitnami/redis".into(), Some("7"), None)
        );
        assert_eq!(
            parts("index.docker.io/nginx:1"),
            ("docker.io/library/nginx".into(), Some("1"), None)
        );
    }

    #[test]
    fn registry_ports_are_not_tags() {
        assert_eq!(
            parts("localhost:5000/app"),
            ("localhost:5000/app".into(), None, None)
        );
        assert_eq!(
            parts("reg.example:443/team/app:2.1"),
            ("reg.example:443/team/app".into(), Some("2.1"), None)
        );
        assert_eq!(
            parts("localhost/app:v1"),
            ("localhost/app".into(), Some("v1"), None)
        );
    }

    #[test]
    fn digests_with_and_without_tags() {
        let digest = "sha256:4c5f3b6b0f2d7d1bcd0b3b5e1e3f0b7f9e8c2a1d4b6a8c0e2f4a6b8d0c2e4f6a";
        assert_eq!(
            parts(&format!("ghcr.io/o/app@{digest}")),
            ("ghcr.io/o/app".into(), None, Some(digest))
        );
        let tagged = format!("ghcr.io/o/app:1.0@{digest}");
        assert_eq!(
            parts(&tagged),
            ("ghcr.io/o/app".into(), Some("1.0"), Some(digest))
        );
        assert!(ImageRef::parse("  ").is_none());
    }
}
