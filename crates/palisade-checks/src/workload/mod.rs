//! `workload/`: hardening of pods and containers beyond the Pod Security
//! Standards (group B of the catalogue), and the pod ↔ ServiceAccount join
//! (catalogue F14).

use crate::Group;

mod service_account;

crate::checks! {
    read_only_root_filesystem,
    low_user_id,
    missing_security_context,
    automount_service_account_token,
    default_service_account,
    service_account_not_found,
    host_users,
    host_aliases,
    ssh_port,
    sudo_in_command,
    scc_allows_privileged,
}

pub const GROUP: Group = Group {
    name: "workload",
    description: "workload hardening beyond Pod Security: read-only root filesystem, service-account tokens, user ids",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
