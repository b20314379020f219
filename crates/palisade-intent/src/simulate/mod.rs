//! `palisade simulate`: what happens if this identity applies these objects to
//! this cluster. Each object goes through the layers of the request path in
//! order, as the API server takes them:
//!
//! 1. RBAC ([`rbac_layer`]): the write (`create`, or `update` when the
//!    cluster holds the object), and for Roles and bindings the escalation
//!    prevention (`escalate`, `bind`, or holding every permission granted);
//! 2. admission ([`admission_layer`]): Pod Security by the namespace's labels,
//!    then the cluster's policies. It is evaluated even when RBAC refuses,
//!    and then marked as not reached: what it would say is still worth knowing;
//! 3. consequences ([`consequences`]), for objects that would be applied:
//!    connections that appear or disappear, risky permissions that appear.
//!
//! Objects are applied in order: a later object sees the earlier ones that
//! would have been applied (a Role, then its RoleBinding).

pub mod admission_layer;
pub mod consequences;
pub mod rbac_layer;

use palisade_admission::Admission;
use palisade_admission::namespaces::Labels;
use palisade_core::{Inventory, Object};
use palisade_rbac::{Defaults, Policy, UserInfo};
use serde::Serialize;

pub use admission_layer::AdmissionLayer;
pub use consequences::Consequences;
pub use rbac_layer::RbacLayer;

/// The cluster and the identity of a simulation.
pub struct Scenario<'a> {
    /// The cluster's objects (manifests or a dump), placed in namespaces.
    pub cluster: Vec<Object>,
    /// Namespaces declared on the command line (`--namespace-labels`).
    pub declared: &'a [(String, Labels)],
    pub defaults: Defaults,
    /// Pod Security and the cluster's policies.
    pub admission: &'a Admission,
    pub user: UserInfo,
    /// The namespace of namespaced objects that name none (`-n`, else `default`).
    pub namespace: &'a str,
}

/// What happens to one object, layer by layer.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectReport {
    /// `Pod production/web`.
    pub object: String,
    /// `file:line:col` of the object.
    pub source: String,
    /// Whether the object would be stored: RBAC and admission both allow it.
    pub applied: bool,
    pub rbac: RbacLayer,
    pub admission: AdmissionLayer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequences: Option<Consequences>,
}

/// Runs every object through the layers, in order.
pub fn simulate(scenario: Scenario, objects: &[Object]) -> Vec<ObjectReport> {
    let mut state = scenario.cluster.clone();
    let mut reports = Vec::new();
    for (index, original) in objects.iter().enumerate() {
        let placed_object = placed(original, scenario.namespace);
        let object = &placed_object;
        let inventory =
            Inventory::new(state.clone()).with_declared_namespaces(scenario.declared.to_vec());
        let policy = Policy::with_defaults(&inventory, scenario.defaults);
        let existing = existing(&state, object, scenario.namespace);
        let rbac = rbac_layer::decide(
            &policy,
            &inventory,
            &scenario.user,
            object,
            existing.map(|i| &state[i]),
            scenario.namespace,
        );
        let admission = admission_layer::decide(
            &scenario,
            &inventory,
            &policy,
            object,
            existing.map(|i| &state[i]),
            rbac.allowed,
            index,
        );
        let applied = rbac.allowed && admission.allowed;
        let consequences = applied.then(|| {
            let mut after = state.clone();
            match existing {
                Some(i) => after[i] = object.clone(),
                None => after.push(object.clone()),
            }
            let result = consequences::compute(&scenario, &state, &after, object);
            state = after;
            result
        });
        reports.push(ObjectReport {
            object: describe(object, scenario.namespace),
            source: object.source().origin(),
            applied,
            rbac,
            admission,
            consequences,
        });
    }
    reports
}

/// The object as the API server stores it: a namespaced object naming no
/// namespace lands in the request's.
fn placed(object: &Object, namespace: &str) -> Object {
    let placement = palisade_core::Placement {
        namespace: namespace.to_owned(),
        require: false,
    };
    palisade_core::place(vec![object.clone()], &placement)
        .ok()
        .and_then(|mut v| v.pop())
        .unwrap_or_else(|| object.clone())
}

/// The namespace the object goes to ("" for cluster-scoped kinds). The scope
/// of a kind outside the built-in table comes from the cluster's CRDs
/// (`discovery`); a kind nothing serves counts as namespaced.
pub(crate) fn namespace_of(object: &Object, default: &str) -> String {
    namespace_in(object, default, None)
}

/// [`namespace_of`], with the cluster's custom resources.
pub(crate) fn namespace_in(
    object: &Object,
    default: &str,
    discovery: Option<&palisade_rbac::Discovery>,
) -> String {
    let served = || {
        discovery?
            .resources()
            .iter()
            .find(|r| r.group == object.group() && r.kind == object.kind())
            .map(|r| r.namespaced)
    };
    let namespaced =
        palisade_core::api_resources::builtin_kind_namespaced(object.group(), object.kind())
            .or_else(served)
            .unwrap_or(true);
    if !namespaced {
        return String::new();
    }
    object.namespace().unwrap_or(default).to_owned()
}

/// The index of the cluster's object of the same kind, namespace and name.
fn existing(state: &[Object], object: &Object, default: &str) -> Option<usize> {
    let namespace = namespace_of(object, default);
    state.iter().rposition(|o| {
        o.kind() == object.kind()
            && o.group() == object.group()
            && o.name() == object.name()
            && namespace_of(o, "default") == namespace
    })
}

/// `Pod production/web`, `ClusterRole view-all`.
pub(crate) fn describe(object: &Object, default: &str) -> String {
    match namespace_of(object, default).as_str() {
        "" => format!("{} {}", object.kind(), object.name()),
        ns => format!("{} {ns}/{}", object.kind(), object.name()),
    }
}
