//! `exposure/`: network exposure: Service types, external IPs, Ingress TLS and
//! annotations, privileged ports (group E of the catalogue).
//!
//! NetworkPolicy coverage (E1–E4) is `palisade-netpol`'s lint
//! (`netpol/workload-not-isolated`, `netpol/missing-default-deny-*`,
//! `netpol/allow-all`, `netpol/policy-selects-nothing`, ...), which has the
//! policy engine. Checks that report something missing from the input (a
//! Service's pods, an Ingress's Service) speak only about namespaces where the
//! input has such objects.

use crate::Group;

pub(crate) mod support;

crate::checks! {
    service_type,
    load_balancer_source_ranges,
    external_ips,
    service_selects_nothing,
    target_port,
    privileged_port,
    ingress_tls,
    ingress_backend_missing,
    ingress_catch_all_host,
    nginx_annotations,
}

pub const GROUP: Group = Group {
    name: "exposure",
    description: "network exposure: Service types, external IPs, Ingress TLS and annotations, privileged ports",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
