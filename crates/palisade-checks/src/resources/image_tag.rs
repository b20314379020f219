//! `resources/image-latest-tag`: an image without a tag or tagged `latest`,
//! and not pinned by digest.

use palisade_core::{Finding, Node, Rule, Severity};

use super::image_ref::ImageRef;
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container (of any kind) whose `image` has no tag or the tag `latest`,
    /// and no digest. An image pinned by digest (`app@sha256:...`, with or
    /// without a tag) is not flagged: the digest decides what runs.
    ///
    /// ## Why it matters
    /// `latest` moves. Two nodes pulling at different times run different code,
    /// a rollback redeploys whatever `latest` is today, and nobody can say which
    /// version is in production. A compromised registry account can replace it
    /// unnoticed.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: nginx
    /// ```
    ///
    /// ## How to fix
    /// Use a version tag (`nginx:1.27.2`), or better a digest
    /// (`nginx:1.27.2@sha256:...`).
    id: "resources/image-latest-tag",
    title: "an image has no tag or the tag latest",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        let Some(field) = container.get(&["image"]) else {
            continue;
        };
        let Some(image) = field.as_str().and_then(ImageRef::parse) else {
            continue;
        };
        if image.digest.is_some() {
            continue;
        }
        let problem = match image.tag {
            None => "has no tag (so it is latest)",
            Some("latest") => "uses the tag latest",
            Some(_) => continue,
        };
        out.push(
            container
                .finding(
                    &RULE,
                    Some(field),
                    format!("{}: image {:?} {problem}", container.describe(), field.as_str().unwrap_or_default()),
                )
                .with_remediation("Pin the image to a version tag, or better to a digest (image:tag@sha256:...)."),
        );
    }
}

/// The image text of a container, for other checks' messages.
pub(crate) fn image_text(field: &Node) -> &str {
    field.as_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn flags_missing_and_latest_tags_but_not_versions_or_digests() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers:
  - {name: bare, image: nginx}
  - {name: latest, image: "localhost:5000/app:latest"}
  - {name: port, image: "localhost:5000/app"}
  - {name: version, image: "nginx:1.27.2"}
  - {name: digest, image: "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000"}
  initContainers:
  - {name: init, image: "busybox:latest"}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "bare" of Pod app/p: image "nginx" has no tag (so it is latest)"#,
                r#"container "latest" of Pod app/p: image "localhost:5000/app:latest" uses the tag latest"#,
                r#"container "port" of Pod app/p: image "localhost:5000/app" has no tag (so it is latest)"#,
                r#"init container "init" of Pod app/p: image "busybox:latest" uses the tag latest"#,
            ]
        );
        assert_eq!(findings[0].line_column(), Some((7, 25)));
    }
}
