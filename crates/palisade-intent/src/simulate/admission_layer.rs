//! The second layer of `simulate`: admission, as `palisade admit` decides it,
//! with the cluster's namespaces (their Pod Security labels) and pods.
//!
//! The API server runs its validating admission in a fixed order: the
//! built-in PodSecurity plugin, then ValidatingAdmissionPolicies, then the
//! validating webhooks (Gatekeeper, Kyverno), and the first refusal ends the
//! request. So the message shown is the first refusing policy's own, as the
//! client would read it, and the policies that would also refuse are listed
//! after it (`also_denied_by`).

use palisade_core::{Inventory, Object};
use palisade_rbac::{Discovery, Policy};
use serde::Serialize;

use super::{Scenario, namespace_in};
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
    /// The policies after the first that would refuse it too: name and message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_denied_by: Vec<(String, String)>,
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
    let discovery = Discovery::new(policy.custom_resources());
    let namespace = namespace_in(object, scenario.namespace, Some(&discovery));
    // The NamespaceLifecycle plugin runs before every validating policy: an
    // object for a namespace the cluster does not have goes no further.
    if !namespace.is_empty() && inventory.namespace(&namespace).is_none() {
        return AdmissionLayer {
            reached,
            allowed: false,
            message: format!("namespaces \"{namespace}\" not found"),
            warnings: Vec::new(),
            also_denied_by: Vec::new(),
        };
    }
    let cluster = AdmissionCluster::new(inventory.objects(), scenario.declared);
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
    match crate::admission::review(scenario.admission, &cluster, &discovery, &write) {
        Ok(answer) => {
            let mut deniers = answer.deniers.into_iter();
            // The first refusal is what the client reads; the response of
            // all policies together joins every denial, which no API server
            // would send.
            let message = match deniers.next() {
                Some((_, first)) => first,
                None => answer
                    .response
                    .status
                    .as_ref()
                    .map(|s| s.message.clone())
                    .unwrap_or_default(),
            };
            AdmissionLayer {
                reached,
                allowed: answer.response.allowed,
                message,
                warnings: answer.response.warnings,
                also_denied_by: deniers.collect(),
            }
        }
        Err(error) => AdmissionLayer {
            reached,
            allowed: false,
            message: format!("the request could not be built: {error}"),
            warnings: Vec::new(),
            also_denied_by: Vec::new(),
        },
    }
}
