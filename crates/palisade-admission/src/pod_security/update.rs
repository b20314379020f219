//! Which pod updates Pod Security re-checks. Most pod fields cannot change after
//! creation; the ones that can and that a check reads are container images (a
//! new image may run as root), the per-container seccomp annotation, and
//! ephemeral containers (added through the `ephemeralcontainers` subresource).
//! Anything else (labels, resources, tolerations) passes, as upstream lets it.

use palisade_core::Node;

const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// True when the update from `old` to `new` must be evaluated.
pub(super) fn is_significant(new: &Node, old: &Node) -> bool {
    let annotations = |pod| Node::path(pod, &["metadata", "annotations"]);
    let (new_annotations, old_annotations) = (annotations(new), annotations(old));
    let changed = |a: &Node, b: &Node| container_changed(a, b, new_annotations, old_annotations);
    for key in ["containers", "initContainers"] {
        let (now, before) = (list(new, key), list(old, key));
        if now.len() != before.len() || now.iter().zip(before).any(|(a, b)| changed(a, b)) {
            return true;
        }
    }
    let before = list(old, "ephemeralContainers");
    list(new, "ephemeralContainers").iter().any(|container| {
        let name = text(container, "name");
        match before.iter().find(|old| text(old, "name") == name) {
            None => true,
            Some(old) => changed(container, old),
        }
    })
}

/// The sequence `spec.<key>`, empty when absent.
fn list<'a>(pod: &'a Node, key: &str) -> &'a [Node] {
    pod.path(&["spec", key])
        .and_then(Node::as_seq)
        .unwrap_or(&[])
}

fn container_changed(
    new: &Node,
    old: &Node,
    new_annotations: Option<&Node>,
    old_annotations: Option<&Node>,
) -> bool {
    if text(new, "image") != text(old, "image") {
        return true;
    }
    let key = format!("{SECCOMP_CONTAINER_PREFIX}{}", text(new, "name"));
    let annotation = |annotations: Option<&Node>| {
        annotations
            .and_then(|a| a.get(&key))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_owned()
    };
    annotation(new_annotations) != annotation(old_annotations)
}

/// A string member, `""` when absent (Go's zero value).
fn text<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key).and_then(Node::as_str).unwrap_or("")
}
