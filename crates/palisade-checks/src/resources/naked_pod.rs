//! `resources/naked-pod`: a Pod with no controller.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::{Context, describe_object, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A Pod object without `metadata.ownerReferences`: written directly rather
    /// than created by a Deployment, StatefulSet, DaemonSet or Job.
    ///
    /// ## Why it matters
    /// Nothing recreates a bare Pod when its node fails or it is evicted, and it
    /// cannot be rolled out or rolled back: the workload simply disappears.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers: [{name: web, image: registry.example/web:2.0}]
    /// ```
    ///
    /// ## How to fix
    /// Run it under a controller: a Deployment for services, a Job for work that
    /// finishes.
    id: "resources/naked-pod",
    title: "a Pod is not managed by a controller",
    severity: Severity::Low,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for pod in context.inventory.of_kind("Pod").filter(|o| o.group().is_empty()) {
        let owned = pod
            .root()
            .path(&["metadata", "ownerReferences"])
            .and_then(Node::as_seq)
            .is_some_and(|owners| !owners.is_empty());
        if owned {
            continue;
        }
        out.push(
            finding(&RULE, pod, None, format!("{} is not managed by a controller", describe_object(pod)))
                .with_remediation("Run the pod under a controller: a Deployment for services, a Job for work that finishes."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn pods_without_owners() {
        let findings = findings_of(
            super::RULES,
            super::check,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: a:1}]}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: owned\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: x}]\nspec: {containers: [{name: web, image: a:1}]}\n",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["Pod web is not managed by a controller"]);
    }
}
