//! ValidatingAdmissionPolicies and their bindings (admissionregistration.k8s.io/v1),
//! loaded from objects and evaluated through `palisade-cel` for `scan` and
//! the webhook.
//!
//! Params (`paramKind`/`paramRef`) are looked up among the objects the caller
//! supplies (the scanned input, or the webhook's `--policies` and `-f`
//! files); Namespaces come from the caller's namespace source.

use std::collections::HashMap;

use palisade_cel::vap::{AdmissionRequest, Binding, ObjectSource, Policy, Review};
use palisade_core::{Node, Object};
use serde_json::Value as Json;

use crate::policy_set::LoadProblem;

const GROUP: &str = "admissionregistration.k8s.io";

/// Whether an object is a ValidatingAdmissionPolicy or a binding of one.
pub fn is_vap_object(object: &Object) -> bool {
    object.group() == GROUP
        && matches!(
            object.kind(),
            "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding"
        )
}

/// Policies, bindings and the objects params may come from.
#[derive(Default)]
pub struct VapSet {
    policies: Vec<Policy>,
    bindings: Vec<Binding>,
    params: Vec<Node>,
    pub problems: Vec<LoadProblem>,
}

/// Where params and Namespaces come from during one review.
struct Sources<'a> {
    params: &'a [Node],
    namespace: &'a dyn Fn(&str) -> Option<Json>,
}

impl ObjectSource for Sources<'_> {
    fn objects(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Json> {
        self.params.objects(api_version, kind, namespace)
    }

    fn namespace(&self, name: &str) -> Option<Json> {
        (self.namespace)(name)
    }
}

impl VapSet {
    /// Parses the policies and bindings among `objects`; `candidates` are the
    /// objects params may be (only those of a policy's `paramKind` are kept).
    pub fn build<'o>(
        objects: impl IntoIterator<Item = &'o Object>,
        candidates: impl IntoIterator<Item = &'o Node>,
    ) -> VapSet {
        let mut set = VapSet::default();
        let mut binding_objects: Vec<&Object> = Vec::new();
        // Both kinds are cluster-scoped, named by kind and name: a second copy
        // (a scan whose input also holds the `--policies` files, or several
        // copies of one repository) is read once, so it is neither enforced
        // twice nor evaluated once per copy; a second, different definition
        // is a problem and the first is used, as Kyverno's set does.
        let mut defined: HashMap<(&str, &str), (Json, &Object)> = HashMap::new();
        for object in objects.into_iter().filter(|o| is_vap_object(o)) {
            let json = object.root().to_json();
            if let Some((first, first_object)) = defined.get(&(object.kind(), object.name())) {
                if *first != json {
                    set.problems.push(LoadProblem::new(
                        object,
                        format!(
                            "{} {:?} is defined again with different content (first at {}); the first definition is used",
                            object.kind(),
                            object.name(),
                            first_object.source().origin()
                        ),
                    ));
                }
                continue;
            }
            defined.insert((object.kind(), object.name()), (json, object));
            let parsed = if object.kind() == "ValidatingAdmissionPolicy" {
                Policy::parse(object.root()).map(|p| set.policies.push(p))
            } else {
                Binding::parse(object.root()).map(|b| {
                    set.bindings.push(b);
                    binding_objects.push(object);
                })
            };
            if let Err(e) = parsed {
                set.problems.push(LoadProblem::new(
                    object,
                    format!("{} {:?} refused: {e}", object.kind(), object.name()),
                ));
            }
        }
        for (binding, object) in set.bindings.iter().zip(&binding_objects) {
            if !set.policies.iter().any(|p| p.name == binding.policy_name) {
                set.problems.push(LoadProblem::new(
                    object,
                    format!(
                        "ValidatingAdmissionPolicyBinding {:?}: no ValidatingAdmissionPolicy named {:?}, so it enforces nothing",
                        binding.name, binding.policy_name
                    ),
                ));
            }
        }
        let param_kinds: Vec<(String, String)> = set
            .policies
            .iter()
            .filter_map(|p| p.param_kind.as_ref())
            .map(|k| {
                (
                    palisade_cel::vap::split_api_version(&k.api_version).0,
                    k.kind.clone(),
                )
            })
            .collect();
        if !param_kinds.is_empty() {
            set.params = candidates
                .into_iter()
                .filter(|node| {
                    let text = |key: &str| node.get(key).and_then(Node::as_str).unwrap_or("");
                    let group = palisade_cel::vap::split_api_version(text("apiVersion")).0;
                    param_kinds
                        .iter()
                        .any(|(g, k)| *g == group && k == text("kind"))
                })
                .cloned()
                .collect();
        }
        set
    }

    /// Whether any binding can enforce anything.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty() || self.policies.is_empty()
    }

    /// Every (policy, binding) pair on one request.
    pub fn review(
        &self,
        request: &AdmissionRequest,
        namespace: &dyn Fn(&str) -> Option<Json>,
    ) -> Review {
        let sources = Sources {
            params: &self.params,
            namespace,
        };
        palisade_cel::vap::review(&self.policies, &self.bindings, request, &sources)
    }
}

#[cfg(test)]
mod tests {
    use palisade_load::{Limits, load_bytes};

    use super::VapSet;

    const POLICY: &str = "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations: [{expression: 'object.spec.replicas <= 5'}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replicas}
spec: {policyName: replicas, validationActions: [Deny]}
";

    fn set_of(text: &str) -> VapSet {
        let load = load_bytes("p.yaml".into(), text.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        VapSet::build(&load.objects, load.objects.iter().map(|o| o.root()))
    }

    #[test]
    fn a_second_copy_is_read_once_and_a_different_one_is_a_problem() {
        let twice = set_of(&format!("{POLICY}---\n{POLICY}"));
        assert_eq!((twice.policies.len(), twice.bindings.len()), (1, 1));
        assert!(twice.problems.is_empty());

        let changed = POLICY.replace("<= 5", "<= 3");
        let conflicting = set_of(&format!("{POLICY}---\n{changed}"));
        assert_eq!(conflicting.policies.len(), 1);
        assert_eq!(conflicting.problems.len(), 1);
        assert!(
            conflicting.problems[0]
                .message
                .contains("defined again with different content (first at p.yaml:1:1)"),
            "{}",
            conflicting.problems[0].message
        );
    }
}
