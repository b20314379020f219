//! `hygiene/`: API versions, namespaces, selectors, service accounts and
//! metadata (group G of the catalogue).

use crate::Group;

mod api_lifecycle;
mod image_name;
pub mod kubernetes_version;

crate::checks! {
    deprecated_api_version,
    default_namespace,
    kube_system_workload,
    selector_mismatch,
    deprecated_service_account_field,
    insecure_dashboard,
    tiller,
    recommended_labels,
    subpath_mount,
    duplicate_env_var,
}

pub const GROUP: Group = Group {
    name: "hygiene",
    description: "API versions, namespaces, selectors, service accounts and metadata",
    checks: CHECKS,
    check_options: kubernetes_version::check_option,
};
