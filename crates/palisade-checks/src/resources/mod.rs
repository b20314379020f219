//! `resources/`: requests and limits, images, probes and availability (group D
//! of the catalogue).
//!
//! Decisions the peers disagree on, taken here: probes are required of regular
//! containers of long-running pods only (init and ephemeral containers, Jobs,
//! CronJobs and `restartPolicy: Never`/`OnFailure` pods are skipped); resource
//! requirements are required of containers and init containers, never of
//! ephemeral ones (the API forbids them); checks that report something
//! missing from the input (a Service, a scale target) speak only about
//! namespaces the input has workloads or Services in, and a namespace-less
//! object is in "no namespace", never in `default`.

use crate::Group;

mod cron;
mod image_ref;
pub(crate) mod support;

pub use image_registry::ALLOWED_REGISTRIES_OPTION;

crate::checks! {
    requests_and_limits,
    image_tag,
    image_digest,
    image_pull_policy,
    image_registry,
    probes,
    probe_port,
    identical_probes,
    namespace_limits,
    replicas,
    anti_affinity,
    pdb_blocks_eviction,
    hpa,
    update_strategy,
    priority_class,
    naked_pod,
    cronjob_schedule,
    cronjob_concurrency,
    cronjob_deadline,
    job_ttl,
    statefulset_service,
}

pub const GROUP: Group = Group {
    name: "resources",
    description: "requests and limits, images, probes and availability",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
