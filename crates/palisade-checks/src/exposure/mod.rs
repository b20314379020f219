//! `exposure/`: network exposure: Service types, external IPs, Ingress TLS and annotations, privileged ports.

use crate::Group;

crate::checks! {}

pub const GROUP: Group = Group {
    name: "exposure",
    description: "network exposure: Service types, external IPs, Ingress TLS and annotations, privileged ports",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
