//! What several resource checks ask of a workload: whether its pods run to
//! completion, how many replicas it asks for, and whether an autoscaler owns
//! that number.

use std::collections::{BTreeMap, HashSet};

use palisade_core::{Inventory, Node, Object, PodTemplate, string_entries};

/// Pods that run to completion: Jobs and CronJobs, and any pod template with
/// `restartPolicy` `Never` or `OnFailure` (bare Pods, batch custom resources).
/// Probes and availability checks do not apply to them.
pub(crate) fn runs_to_completion(template: &PodTemplate) -> bool {
    let object = template.object;
    if object.group() == "batch" && matches!(object.kind(), "Job" | "CronJob") {
        return true;
    }
    matches!(
        template.spec.get("restartPolicy").and_then(Node::as_str),
        Some("Never" | "OnFailure")
    )
}

/// The kinds whose `spec.replicas` the checks read, with the API group.
const SCALABLE: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "ReplicaSet"),
    ("", "ReplicationController"),
];

/// True for Deployments, StatefulSets, ReplicaSets and ReplicationControllers.
pub(crate) fn is_scalable(object: &Object) -> bool {
    SCALABLE
        .iter()
        .any(|(group, kind)| object.group() == *group && object.kind() == *kind)
}

/// `spec.replicas` of a scalable workload: 1 when absent or null (the API
/// server's default); `None` when it is not an integer.
pub(crate) fn replicas(object: &Object) -> Option<i64> {
    match object.root().path(&["spec", "replicas"]) {
        None => Some(1),
        Some(node) if node.is_null() => Some(1),
        Some(node) => node.as_i64(),
    }
}

/// Whether two objects may end up in the same namespace: the same one, or
/// either has none (a namespace-less manifest is applied wherever `-n` or the
/// context says). Checks that report something *missing* from the input use
/// this, so that an object is never called missing when it may be there.
pub(crate) fn may_share_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// The namespaces the input has pod templates (workloads) in: checks that
/// report something missing from the input only speak about namespaces the
/// input describes. Built once per check, so asking costs a lookup, not a walk
/// over every template.
pub(crate) struct WorkloadNamespaces<'a> {
    /// A template without namespace may be in any namespace.
    any_namespaceless: bool,
    named: HashSet<&'a str>,
}

impl<'a> WorkloadNamespaces<'a> {
    pub(crate) fn new(templates: &[PodTemplate<'a>]) -> WorkloadNamespaces<'a> {
        Self::of(templates.iter().map(|t| t.object))
    }

    /// The namespaces of any objects (the same question for other kinds).
    pub(crate) fn of(objects: impl IntoIterator<Item = &'a Object>) -> WorkloadNamespaces<'a> {
        let mut out = WorkloadNamespaces {
            any_namespaceless: false,
            named: HashSet::new(),
        };
        for object in objects {
            match object.namespace() {
                Some(ns) => {
                    out.named.insert(ns);
                }
                None => out.any_namespaceless = true,
            }
        }
        out
    }

    /// True when a pod template of the input may be in `namespace`.
    pub(crate) fn may_hold(&self, namespace: Option<&str>) -> bool {
        match namespace {
            None => self.any_namespaceless || !self.named.is_empty(),
            Some(ns) => self.any_namespaceless || self.named.contains(ns),
        }
    }
}

/// True when an object of `kind` named `name` may be in `namespace`.
pub(crate) fn may_exist(
    inventory: &Inventory,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> bool {
    inventory
        .of_kind(kind)
        .any(|o| o.name() == name && may_share_namespace(o.namespace(), namespace))
}

/// The labels of a pod template (`metadata.labels`, string values).
pub(crate) fn template_labels(template: &PodTemplate) -> BTreeMap<String, String> {
    string_entries(template.metadata.and_then(|m| m.get("labels")))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
