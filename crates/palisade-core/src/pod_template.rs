//! Finding the pod template inside every kind of workload.
//!
//! Built-in workloads keep their pod template at fixed paths; many custom
//! resources (Argo Rollouts, Knative, JobSet, Ray, LeaderWorkerSet, Kubeflow
//! training jobs, OpenKruise, Volcano) carry one too. Users of other scanners
//! have asked for years for those to be checked like Deployments, so a table of
//! known paths is tried first and, for any other kind, a generic rule picks up
//! `spec.template` (or `spec.jobTemplate.spec.template`) when it holds a pod spec
//! with a `containers` list.

use crate::node::Node;
use crate::object::Object;

/// A pod spec found inside an object, with the metadata that goes with it
/// (annotation-based checks read the template's annotations, not the workload's).
#[derive(Clone, Debug)]
pub struct PodTemplate<'a> {
    pub object: &'a Object,
    /// The template's `metadata` (for a Pod, the Pod's own).
    pub metadata: Option<&'a Node>,
    /// The pod spec itself.
    pub spec: &'a Node,
    /// Where the template sits, as a dotted path with indices (`spec.template`,
    /// `spec.replicatedJobs[1].template.spec.template`); empty for a Pod.
    pub path: String,
}

/// One step of a template path: a mapping key, or every item / value below.
#[derive(Clone, Copy, Debug)]
enum Step {
    Key(&'static str),
    /// Every item of a sequence or every value of a mapping.
    Each,
}

use Step::{Each, Key};

/// Where kinds keep their pod templates. Each path leads to a node holding
/// `metadata` and `spec` (the pod template), matched by API group and kind.
const KNOWN_TEMPLATES: &[(&str, &str, &[Step])] = &[
    ("", "PodTemplate", &[Key("template")]),
    ("", "ReplicationController", &[Key("spec"), Key("template")]),
    ("apps", "ReplicaSet", &[Key("spec"), Key("template")]),
    ("apps", "Deployment", &[Key("spec"), Key("template")]),
    ("apps", "StatefulSet", &[Key("spec"), Key("template")]),
    ("apps", "DaemonSet", &[Key("spec"), Key("template")]),
    ("batch", "Job", &[Key("spec"), Key("template")]),
    (
        "batch",
        "CronJob",
        &[
            Key("spec"),
            Key("jobTemplate"),
            Key("spec"),
            Key("template"),
        ],
    ),
    // Argo Rollouts (a Rollout may instead point at a Deployment via workloadRef).
    ("argoproj.io", "Rollout", &[Key("spec"), Key("template")]),
    // Knative Serving.
    (
        "serving.knative.dev",
        "Service",
        &[Key("spec"), Key("template")],
    ),
    (
        "serving.knative.dev",
        "Configuration",
        &[Key("spec"), Key("template")],
    ),
    // JobSet: a list of replicated Jobs, each with its own Job template.
    (
        "jobset.x-k8s.io",
        "JobSet",
        &[
            Key("spec"),
            Key("replicatedJobs"),
            Each,
            Key("template"),
            Key("spec"),
            Key("template"),
        ],
    ),
    // LeaderWorkerSet: a leader template and a worker template.
    (
        "leaderworkerset.x-k8s.io",
        "LeaderWorkerSet",
        &[
            Key("spec"),
            Key("leaderWorkerTemplate"),
            Key("leaderTemplate"),
        ],
    ),
    (
        "leaderworkerset.x-k8s.io",
        "LeaderWorkerSet",
        &[
            Key("spec"),
            Key("leaderWorkerTemplate"),
            Key("workerTemplate"),
        ],
    ),
    // KubeRay.
    (
        "ray.io",
        "RayCluster",
        &[Key("spec"), Key("headGroupSpec"), Key("template")],
    ),
    (
        "ray.io",
        "RayCluster",
        &[Key("spec"), Key("workerGroupSpecs"), Each, Key("template")],
    ),
    (
        "ray.io",
        "RayService",
        &[
            Key("spec"),
            Key("rayClusterConfig"),
            Key("headGroupSpec"),
            Key("template"),
        ],
    ),
    (
        "ray.io",
        "RayService",
        &[
            Key("spec"),
            Key("rayClusterConfig"),
            Key("workerGroupSpecs"),
            Each,
            Key("template"),
        ],
    ),
    (
        "ray.io",
        "RayJob",
        &[
            Key("spec"),
            Key("rayClusterSpec"),
            Key("headGroupSpec"),
            Key("template"),
        ],
    ),
    (
        "ray.io",
        "RayJob",
        &[
            Key("spec"),
            Key("rayClusterSpec"),
            Key("workerGroupSpecs"),
            Each,
            Key("template"),
        ],
    ),
    (
        "ray.io",
        "RayJob",
        &[Key("spec"), Key("submitterPodTemplate")],
    ),
    // Kubeflow training operators: a map of replica types, each with a template.
    (
        "kubeflow.org",
        "PyTorchJob",
        &[
            Key("spec"),
            Key("pytorchReplicaSpecs"),
            Each,
            Key("template"),
        ],
    ),
    (
        "kubeflow.org",
        "TFJob",
        &[Key("spec"), Key("tfReplicaSpecs"), Each, Key("template")],
    ),
    (
        "kubeflow.org",
        "MPIJob",
        &[Key("spec"), Key("mpiReplicaSpecs"), Each, Key("template")],
    ),
    (
        "kubeflow.org",
        "XGBoostJob",
        &[Key("spec"), Key("xgbReplicaSpecs"), Each, Key("template")],
    ),
    (
        "kubeflow.org",
        "PaddleJob",
        &[
            Key("spec"),
            Key("paddleReplicaSpecs"),
            Each,
            Key("template"),
        ],
    ),
    // Volcano batch jobs: a list of tasks.
    (
        "batch.volcano.sh",
        "Job",
        &[Key("spec"), Key("tasks"), Each, Key("template")],
    ),
];

/// Paths tried on kinds the table does not know.
const GENERIC_TEMPLATES: &[&[Step]] = &[
    &[Key("spec"), Key("template")],
    &[
        Key("spec"),
        Key("jobTemplate"),
        Key("spec"),
        Key("template"),
    ],
];

/// Every pod template in `object`, in path order. A Pod yields itself.
///
/// Known kinds yield their template when its `spec` is a mapping (a Deployment
/// under construction may lack one; that is a schema problem, not a pod); other
/// kinds yield a generic template only when its spec has a `containers` list.
pub fn pod_templates(object: &Object) -> Vec<PodTemplate<'_>> {
    let root = object.root();
    if object.kind() == "Pod" && object.group().is_empty() {
        return match root.get("spec") {
            Some(spec) if spec.as_map().is_some() => vec![PodTemplate {
                object,
                metadata: root.get("metadata"),
                spec,
                path: String::new(),
            }],
            _ => Vec::new(),
        };
    }
    let known: Vec<&[Step]> = KNOWN_TEMPLATES
        .iter()
        .filter(|(group, kind, _)| *kind == object.kind() && *group == object.group())
        .map(|(_, _, steps)| *steps)
        .collect();
    let (paths, require_containers) = if known.is_empty() {
        (GENERIC_TEMPLATES.to_vec(), true)
    } else {
        (known, false)
    };
    let mut found = Vec::new();
    for steps in paths {
        collect(root, steps, String::new(), &mut |template, path| {
            let Some(spec) = template.get("spec").filter(|s| s.as_map().is_some()) else {
                return;
            };
            if require_containers && spec.get("containers").and_then(Node::as_seq).is_none() {
                return;
            }
            found.push((template.get("metadata"), spec, path));
        });
    }
    // Generic paths may both match only in odd objects; never report one template twice.
    found.dedup_by(|a, b| std::ptr::eq(a.1, b.1));
    found
        .into_iter()
        .map(|(metadata, spec, path)| PodTemplate {
            object,
            metadata,
            spec,
            path,
        })
        .collect()
}

/// Walks `steps` from `node`, calling `found` for every node reached with its path.
fn collect<'a>(
    node: &'a Node,
    steps: &[Step],
    path: String,
    found: &mut impl FnMut(&'a Node, String),
) {
    let Some((step, rest)) = steps.split_first() else {
        found(node, path);
        return;
    };
    match step {
        Key(key) => {
            if let Some(child) = node.get(key) {
                let path = if path.is_empty() {
                    (*key).to_owned()
                } else {
                    format!("{path}.{key}")
                };
                collect(child, rest, path, found);
            }
        }
        Each => {
            if let Some(items) = node.as_seq() {
                for (i, item) in items.iter().enumerate() {
                    collect(item, rest, format!("{path}[{i}]"), found);
                }
            } else if let Some(map) = node.as_map() {
                for (key, value) in map.iter() {
                    collect(value, rest, format!("{path}.{}", key.name), found);
                }
            }
        }
    }
}
