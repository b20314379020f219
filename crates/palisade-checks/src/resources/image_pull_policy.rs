//! `resources/image-pull-policy-not-always` (off by default).

use palisade_core::{Finding, Node, Rule, Severity};

use super::image_ref::ImageRef;
use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// Off by default: it is an opinion. With immutable version tags or
    /// digests, `IfNotPresent` is safe and avoids a registry round trip on
    /// every start; `Always` mostly matters on multi-tenant nodes, where it
    /// makes the kubelet check the pod's pull credentials before using a cached
    /// private image.
    ///
    /// ## What it flags
    /// A container (of any kind) whose effective `imagePullPolicy` is not
    /// `Always`. When the field is absent the API server defaults it as
    /// upstream does: `Always` for an untagged or `:latest` image without a
    /// digest, `IfNotPresent` otherwise, so only the latter is flagged.
    ///
    /// ## Why it matters
    /// With `IfNotPresent`, a pod on a node that already has a private image
    /// cached starts from it without proving it may pull it, and a moved tag is
    /// not picked up until the node's cache is cleared.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## How to fix
    /// Set `imagePullPolicy: Always`, or enable the `AlwaysPullImages` admission
    /// plugin on multi-tenant clusters.
    id: "resources/image-pull-policy-not-always",
    title: "a container's imagePullPolicy is not Always",
    severity: Severity::Low,
    enabled_by_default: false,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        let field = container.get(&["imagePullPolicy"]).filter(|n| !n.is_null());
        let written = field.and_then(Node::as_str);
        let effective = match (field, written) {
            (Some(_), Some(policy)) => policy,
            // A non-string value is a schema problem, not this rule's.
            (Some(_), None) => continue,
            (None, _) => {
                let Some(image) = container.get(&["image"]).and_then(Node::as_str).and_then(ImageRef::parse) else {
                    continue;
                };
                let floating = image.digest.is_none() && matches!(image.tag, None | Some("latest"));
                if floating { "Always" } else { "IfNotPresent" }
            }
        };
        if effective == "Always" {
            continue;
        }
        let how = if written.is_some() { "is" } else { "defaults to" };
        out.push(
            container
                .finding(
                    &RULE,
                    field.or_else(|| container.get(&["image"])),
                    format!("{}: imagePullPolicy {how} {effective}", container.describe()),
                )
                .with_remediation("Set imagePullPolicy: Always (or enable the AlwaysPullImages admission plugin)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn resolves_the_default_like_the_api_server() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: written, image: "registry.example/app:1.4.2", imagePullPolicy: IfNotPresent}
  - {name: defaulted, image: "registry.example/app:1.4.2"}
  - {name: latest, image: "registry.example/app"}
  - {name: always, image: "registry.example/app:1", imagePullPolicy: Always}
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "written" of Pod p: imagePullPolicy is IfNotPresent"#,
                r#"container "defaulted" of Pod p: imagePullPolicy defaults to IfNotPresent"#,
            ]
        );
    }
}
