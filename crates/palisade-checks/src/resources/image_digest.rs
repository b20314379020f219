//! `resources/image-not-pinned-by-digest` (off by default).

use palisade_core::{Finding, Rule, Severity};

use super::image_ref::ImageRef;
use super::image_tag::image_text;
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: pinning every image by digest needs tooling (Renovate,
    /// an admission mutator) to keep digests current, and a stale digest misses
    /// security fixes. Turn it on where supply-chain policy demands it.
    ///
    /// ## What it flags
    /// A container (of any kind) whose `image` has no `@sha256:...` digest.
    ///
    /// ## Why it matters
    /// A tag can be moved to other content by anyone who can push to the
    /// repository; a digest names exactly one image. Only a digest makes what
    /// runs the same as what was reviewed and scanned.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Append the digest of the reviewed image:
    /// `registry.example/app:1.4.2@sha256:...`.
    id: "resources/image-not-pinned-by-digest",
    title: "an image is not pinned by digest",
    severity: Severity::Low,
    enabled_by_default: false,
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
        out.push(
            container
                .finding(
                    &RULE,
                    Some(field),
                    format!("{}: image {:?} is not pinned by digest", container.describe(), image_text(field)),
                )
                .with_remediation("Append the image's digest: image:tag@sha256:<digest>."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn only_images_without_digest_are_flagged() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: tag, image: \"registry.example/app:1.4.2\"}\n  - {name: pinned, image: \"registry.example/app:1.4.2@sha256:abc\"}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [r#"container "tag" of Pod p: image "registry.example/app:1.4.2" is not pinned by digest"#]
        );
    }
}
