//! `workload/`: hardening of pods and containers beyond the Pod Security
//! Standards (group B of the catalogue).

use crate::Group;

crate::checks! {
    read_only_root_filesystem,
}

pub const GROUP: Group = Group {
    name: "workload",
    description: "workload hardening beyond Pod Security: read-only root filesystem, service-account tokens, user ids",
    checks: CHECKS,
};
