//! `secrets/`: secrets in manifests: Secrets read through the environment, hard-coded credentials, committed Secret data.

use crate::Group;

crate::checks! {}

pub const GROUP: Group = Group {
    name: "secrets",
    description: "secrets in manifests: Secrets read through the environment, hard-coded credentials, committed Secret data",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
