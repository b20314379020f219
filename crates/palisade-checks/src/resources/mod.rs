//! `resources/`: requests and limits, images, probes and availability.

use crate::Group;

crate::checks! {}

pub const GROUP: Group = Group {
    name: "resources",
    description: "requests and limits, images, probes and availability",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
