//! The second layer of `simulate`: admission, as `palisade admit` decides it,
//! with the cluster's namespaces (their Pod Security labels) and pods. The
//! message is the admission response's, upstream's text.

use palisade_core::{Inventory, Object};
use palisade_rbac::{Discovery, Policy};
use serde::Serialize;

use super::{Scenario, namespace_of};
use crate::cluster::{AdmissionCluster, Write};

/// The admission layer's answer.
#[derive(Clone, Debug, Serialize)]
pub struct AdmissionLayer {
    /// False when RBAC refused the write first: the answer is what admission
    /// would say, shown for information.
    pub reached: bool,
    pub allowed: bool,
    /// The denial message (empty when admitted).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Runs the write of `object` through admission; `old` is the object it replaces.
pub fn decide(
    scenario: &Scenario,
    inventory: &Inventory,
    policy: &Policy,
    object: &Object,
    old: Option<&Object>,
    reached: bool,
    index: usize,
) -> AdmissionLayer {
    let cluster = AdmissionCluster::new(inventory.objects(), scenario.declared);
    let namespace = namespace_of(object, scenario.namespace);
    let write = Write {
        object: object.root(),
        old: old.map(Object::root),
        operation: if old.is_some() { "UPDATE" } else { "CREATE" },
        default_namespace: if namespace.is_empty() {
            scenario.namespace
        } else {
            &namespace
        },
        user: &scenario.user,
        uid: format!("palisade-simulate-{}", index + 1),
    };
    let discovery = Discovery::new(policy.custom_resources());
    match crate::admission::review(scenario.admission, &cluster, &discovery, &write) {
        Ok(answer) => AdmissionLayer {
            reached,
            allowed: answer.response.allowed,
            message: answer.message().to_owned(),
            warnings: answer.response.warnings,
        },
        Err(error) => AdmissionLayer {
            reached,
            allowed: false,
            message: format!("the request could not be built: {error}"),
            warnings: Vec::new(),
        },
    }
}
