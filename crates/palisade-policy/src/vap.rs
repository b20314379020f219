//! ValidatingAdmissionPolicies and their bindings (admissionregistration.k8s.io/v1),
//! loaded from objects and evaluated through `palisade-cel` for `scan` and
//! the webhook.
//!
//! Params (`paramKind`/`paramRef`) are looked up among the objects the caller
//! supplies (the scanned input, or the webhook's `--policies` and `-f`
//! files); Namespaces come from the caller's namespace source.

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
        for object in objects.into_iter().filter(|o| is_vap_object(o)) {
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
