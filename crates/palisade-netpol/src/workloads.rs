//! Workloads from Pods and from workload templates, grouped and named the way
//! np-guard names them.
//!
//! A Pod controlled by an owner is reported under the owner (a Deployment's
//! pods appear as their ReplicaSet, because only the direct controller
//! reference is followed); a template yields the workload itself. Pods and
//! templates that end up with the same `ns/name[Kind]` are one workload: the
//! first one read defines its labels and ports.
//!
//! np-guard knows eight kinds; its output is compared with ours only through
//! `connlist`, so every other command also models the custom resources that
//! carry a pod template, which run pods just the same.

use std::collections::{BTreeMap, HashMap};

use palisade_core::{Inventory, Node, Object, pod_templates};

use crate::conn::Protocol;
use crate::model::{ContainerPort, Model, Workload};

/// The kinds np-guard turns into workloads, by API group.
const WORKLOAD_KINDS: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "ReplicationController"),
    ("apps", "ReplicaSet"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
];

/// Adds the workloads of `inventory`: of np-guard's kinds only, or (with
/// `every_template`) of every object that carries a pod template, custom
/// resources included (Argo Rollouts, Knative Services, JobSets, ...).
pub(crate) fn collect(inventory: &Inventory, model: &mut Model, every_template: bool) {
    let mut index: HashMap<String, usize> = HashMap::new();
    for object in inventory.objects() {
        let npguard_kind = WORKLOAD_KINDS
            .iter()
            .any(|(g, k)| *k == object.kind() && *g == object.group());
        if !npguard_kind && !every_template {
            continue;
        }
        let namespace = object.namespace().unwrap_or("default").to_owned();
        let is_pod = object.kind() == "Pod";
        let (name, kind) = if is_pod {
            owner_of(object).unwrap_or_else(|| (object.name().to_owned(), "Pod".to_owned()))
        } else {
            (object.name().to_owned(), object.kind().to_owned())
        };
        for template in pod_templates(object) {
            let workload = Workload {
                namespace: namespace.clone(),
                name: name.clone(),
                kind: kind.clone(),
                labels: labels(template.metadata),
                ports: container_ports(template.spec),
                pods: if is_pod {
                    vec![object.name().to_owned()]
                } else {
                    Vec::new()
                },
                object: object.reference().clone(),
                at: object.source().clone(),
            };
            let id = workload.id();
            match index.get(&id) {
                Some(&i) => {
                    if let Some(existing) = model.workloads.get_mut(i) {
                        existing.pods.extend(workload.pods);
                    }
                }
                None => {
                    index.insert(id, model.workloads.len());
                    model.workloads.push(workload);
                }
            }
        }
    }
}

/// The controlling owner's (name, kind). Owners of kind Node are not
/// workloads; an owner reference without a kind reads as a Pod named after it.
fn owner_of(pod: &Object) -> Option<(String, String)> {
    let owners = pod.root().path(&["metadata", "ownerReferences"])?;
    let owner = owners
        .items()
        .find(|o| o.get("controller").and_then(Node::as_bool) == Some(true))?;
    let name = owner.get("name").and_then(Node::as_str)?.to_owned();
    match owner.get("kind").and_then(Node::as_str) {
        Some("Node") => None,
        Some(kind) if !kind.is_empty() => Some((name, kind.to_owned())),
        _ => Some((name, "Pod".to_owned())),
    }
}

fn labels(metadata: Option<&Node>) -> BTreeMap<String, String> {
    palisade_core::string_entries(metadata.and_then(|m| m.get("labels")))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// `containers[*].ports[*]`; the protocol defaults to TCP. Entries with an
/// unusable number or protocol are skipped (the API server would reject them).
fn container_ports(spec: &Node) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    for container in spec.get("containers").into_iter().flat_map(Node::items) {
        for port in container.get("ports").into_iter().flat_map(Node::items) {
            let Some(number) = port
                .get("containerPort")
                .and_then(Node::as_i64)
                .and_then(|n| u16::try_from(n).ok())
                .filter(|&n| n > 0)
            else {
                continue;
            };
            let protocol = match port.get("protocol").and_then(Node::as_str) {
                None => Protocol::Tcp,
                Some(p) => match Protocol::parse(p) {
                    Some(p) => p,
                    None => continue,
                },
            };
            let name = port.get("name").and_then(Node::as_str).map(str::to_owned);
            out.push(ContainerPort {
                name,
                number,
                protocol,
            });
        }
    }
    out
}
