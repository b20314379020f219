//! One module per check, named for the check id. Each module declares its
//! `CHECK` (level, versions, and the rule with its severity and documentation)
//! and one function per versioned implementation (`v1_0`, `v1_25`, ...); the
//! registry (`crate::registry::CHECKS`) lists every `CHECK` once.

pub(crate) mod allow_privilege_escalation;
pub(crate) mod app_armor_profile;
pub(crate) mod capabilities_baseline;
pub(crate) mod capabilities_restricted;
pub(crate) mod host_namespaces;
pub(crate) mod host_path_volumes;
pub(crate) mod host_ports;
pub(crate) mod host_probes_and_host_lifecycle;
pub(crate) mod privileged;
pub(crate) mod proc_mount;
pub(crate) mod proc_mount_restricted;
pub(crate) mod restricted_volumes;
pub(crate) mod run_as_non_root;
pub(crate) mod run_as_user;
pub(crate) mod se_linux_options;
pub(crate) mod seccomp_profile_baseline;
pub(crate) mod seccomp_profile_restricted;
pub(crate) mod sysctls;
pub(crate) mod windows_host_process;

/// What every check module needs.
mod prelude {
    pub(crate) use crate::Level;
    pub(crate) use crate::format::{
        Setters, containers_phrase, named_phrase, plural, quote_list, sorted_set,
    };
    pub(crate) use crate::pod::{
        Pod, at, bool_field, int_field, items, object, str_field, str_or_empty,
    };
    pub(crate) use crate::registry::{CheckInfo, Forbidden, imp, imp_over};
    pub(crate) use palisade_core::{Node, Severity};
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Builds pods from JSON and evaluates one check implementation.
    use palisade_core::Node;

    use crate::pod::Pod;
    use crate::registry::CheckFn;

    /// Runs `check` on a pod given as JSON `{metadata?, spec}`; returns
    /// `reason (detail)` or `None` when it passes.
    pub(crate) fn run(check: CheckFn, pod: serde_json::Value) -> Option<String> {
        let node = Node::from_json(&pod);
        let spec = node.get("spec").expect("test pods have a spec");
        let pod = Pod::new(node.get("metadata"), spec);
        check(&pod).map(|f| {
            if f.detail.is_empty() {
                f.reason.to_owned()
            } else {
                format!("{} ({})", f.reason, f.detail)
            }
        })
    }
}
