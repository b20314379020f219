//! Which ServiceAccount a pod template runs as, shared by the checks about
//! token mounting, the `default` account and accounts missing from the input.

use palisade_core::{Node, Object, PodTemplate};

/// The ServiceAccount a pod runs as, and the field that names it.
pub(crate) struct PodServiceAccount<'a> {
    pub name: &'a str,
    /// `serviceAccountName` or `serviceAccount`, whichever decided the name;
    /// `None` when neither is set and the pod gets `default`.
    pub field: Option<&'a Node>,
}

/// The account as the API server resolves it: `serviceAccountName` when set,
/// else the deprecated `serviceAccount` (the v1 conversion copies it over when
/// `serviceAccountName` is empty), else `default`, which admission fills in.
pub(crate) fn pod_service_account<'a>(template: &PodTemplate<'a>) -> PodServiceAccount<'a> {
    for field in ["serviceAccountName", "serviceAccount"] {
        let node = template.spec.get(field);
        if let Some(name) = node.and_then(Node::as_str).filter(|n| !n.is_empty()) {
            return PodServiceAccount { name, field: node };
        }
    }
    PodServiceAccount {
        name: "default",
        field: None,
    }
}

/// The ServiceAccount object of that name in the pod's namespace, when the
/// input defines it. Objects without a namespace land in the same namespace
/// at apply time, so the lookup keys on the pod's namespace as written.
pub(crate) fn service_account_object<'a>(
    inventory: &'a palisade_core::Inventory,
    pod: &Object,
    name: &str,
) -> Option<&'a Object> {
    inventory
        .get("ServiceAccount", pod.namespace(), name)
        .filter(|sa| sa.group().is_empty())
}
