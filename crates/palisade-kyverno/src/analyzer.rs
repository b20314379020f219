//! The `kyverno` analyzer: Kyverno policies over the scanned objects, each
//! object judged as its CREATE would be, as Kyverno's background scan
//! reports it.
//!
//! Policies come from the Inventory's policy objects (`--policies`) and from
//! the scanned input itself; PolicyExceptions likewise. Namespace labels for
//! `namespaceSelector` are the input's Namespace objects and
//! `--namespace-labels`; `configMap` context entries and CEL's
//! `resource.Get`/`List` read the scanned objects. There is no user: match blocks' user fields are ignored,
//! as in a background scan.

use palisade_core::{
    Analyzer, Enforcement, Finding, Inventory, Node, Object, Options, Rule, Severity,
};
use rayon::prelude::*;

use crate::policy_set::{KyvernoSet, ReviewRequest, Verdict, is_kyverno_object};
use crate::rules::{KYVERNO_LOAD_ERROR, KYVERNO_VIOLATION};
use crate::{ClusterObjects, Json, Status};

pub struct KyvernoPolicies;

/// The policy's `policies.kyverno.io/severity` (low, medium, high,
/// critical); else high for an enforced failure and medium for the rest.
fn severity(verdict: &Verdict) -> Severity {
    match verdict
        .severity
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") | Some("info") => Severity::Low,
        _ if verdict.enforced => Severity::High,
        _ => Severity::Medium,
    }
}

impl Analyzer for KyvernoPolicies {
    fn name(&self) -> &'static str {
        "kyverno"
    }

    fn description(&self) -> &'static str {
        "Kyverno ClusterPolicies, Policies and ValidatingPolicies, as Kyverno's background scan reports them"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&KYVERNO_VIOLATION, &KYVERNO_LOAD_ERROR]
    }

    fn analyze(&self, scanned: &Inventory, _options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        let policy_objects: Vec<&Object> = scanned
            .policy_objects()
            .iter()
            .chain(scanned.objects())
            .filter(|o| is_kyverno_object(o))
            .collect();
        if policy_objects.is_empty() {
            return findings;
        }
        let set = KyvernoSet::build(policy_objects);
        for problem in &set.problems {
            findings.push(problem.finding(KYVERNO_LOAD_ERROR.id));
        }
        if set.is_empty() {
            return findings;
        }
        let cluster_objects = cluster_objects(scanned);
        // Each object with its JSON, converted once for the cluster view.
        let reviewed: Vec<(&Object, &Json)> = scanned
            .objects()
            .iter()
            .zip(cluster_objects.iter())
            .filter(|(o, _)| !is_kyverno_object(o))
            .collect();
        let results: Vec<Vec<Finding>> = reviewed
            .par_iter()
            .map(|(object, json)| review_object(&set, scanned, object, json, &cluster_objects))
            .collect();
        findings.extend(results.into_iter().flatten());
        findings
    }
}

/// The deepest node of `root` along a Kyverno path (`/spec/containers/0/`),
/// so a finding points at the field that failed, or at its nearest parent
/// that exists.
fn deepest_node<'a>(root: &'a Node, path: Option<&str>) -> Option<&'a Node> {
    let mut node = root;
    for step in path?.split('/').filter(|s| !s.is_empty()) {
        let next = match node.as_seq() {
            Some(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            None => node.get(step),
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    Some(node)
}

/// What the policies say about one scanned object (`json` is its JSON, as
/// in `cluster_objects`), judged as its CREATE: the namespace's labels and
/// object from the scan (a namespace known only by name gets a Namespace
/// with just its name), no user.
pub fn scanned_verdicts(
    set: &KyvernoSet,
    scanned: &Inventory,
    object: &Object,
    json: &Json,
    cluster_objects: &ClusterObjects,
) -> Vec<Verdict> {
    // Cluster-scoped objects have no namespace (and no namespaceObject).
    let namespace = object.namespace().unwrap_or("");
    let namespace_labels = scanned
        .namespace(namespace)
        .map(|ns| ns.labels.clone())
        .unwrap_or_default();
    let namespace_object = if object.kind() == "Namespace" || namespace.is_empty() {
        None
    } else {
        // The Namespace object's JSON is in `cluster_objects` at its index.
        Some(
            scanned
                .namespace(namespace)
                .and_then(|ns| ns.object)
                .and_then(|index| cluster_objects.get(index))
                .cloned()
                .unwrap_or_else(|| serde_json::json!({"metadata": {"name": namespace}})),
        )
    };
    set.review(&ReviewRequest::create(
        json,
        namespace_labels,
        namespace_object,
        cluster_objects.clone(),
    ))
}

/// What `configMap` context entries and CEL's resource.Get/List may read in
/// a scan: the scanned objects, standing in for the cluster.
pub fn cluster_objects(scanned: &Inventory) -> ClusterObjects {
    scanned
        .objects()
        .iter()
        .map(|o| o.root().to_json())
        .collect()
}

fn review_object(
    set: &KyvernoSet,
    scanned: &Inventory,
    object: &Object,
    json: &Json,
    cluster_objects: &ClusterObjects,
) -> Vec<Finding> {
    scanned_verdicts(set, scanned, object, json, cluster_objects)
        .into_iter()
        .map(|verdict| {
            let location = object.locate(deepest_node(object.root(), verdict.path.as_deref()));
            let mut finding = Finding::new(
                format!("kyverno/{}/{}", verdict.policy, verdict.rule),
                severity(&verdict),
                match verdict.status {
                    Status::Error => format!("rule could not be evaluated: {}", verdict.message),
                    _ => verdict.message.clone(),
                },
                &location,
                Some(object.reference().clone()),
            );
            if verdict.enforced {
                finding.enforcement = Some(Enforcement {
                    policy: format!("{}/{}", verdict.policy, verdict.rule),
                    by: format!("the Kyverno policy {:?}", verdict.policy),
                });
            }
            finding
        })
        .collect()
}
